"""Full-width ASCII letters and digits folded to half-width.

Only letters and digits (Ａ-Ｚ ａ-ｚ ０-９) are folded, plus a full-width full stop or comma between
two digits (``１．５`` -> ``1.5``), because those are how the same word or number is typed on a
Chinese keyboard.  Full-width punctuation is Chinese punctuation and is kept: ，。！？ never become
ASCII (NFKC would fold them, which is why this is not NFKC).

>>> fold_width("ＫＡＯ，Ｕ盘１．５吨，２０２３年")
'KAO，U盘1.5吨，2023年'
>>> fold_width("全角标点，。！？保留")
'全角标点，。！？保留'
"""

from __future__ import annotations

import re

_TABLE = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_WIDE_RE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_DIGIT_SEP_RE = re.compile(r"[．，](?<=[0-9][．，])(?=[0-9])")  # the mark first: sre skips to it


def fold_width(text: str) -> str:
    """Fold full-width ASCII letters and digits (and ．，between digits) to half-width."""
    if text.isascii() or not _WIDE_RE.search(text):
        return text
    text = text.translate(_TABLE)
    return _DIGIT_SEP_RE.sub(lambda m: "." if m.group() == "．" else ",", text)
