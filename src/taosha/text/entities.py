"""HTML entities left in extracted text, and the residue of entities whose punctuation was stripped.

:func:`fix_entities` decodes

- named and numeric entities (``&ldquo;`` ``&#183;`` ``&#x4E2D;``), through :func:`html.unescape`
  so that its quirks (``&#150;`` is cp1252's en dash) are the standard's;
- double and triple escaping: ``&amp;quot;`` and ``&amp;amp;lt;`` decode in one go;
- the legacy names that browsers accept without the semicolon (``&nbsp`` ``&amp`` ``&lt`` ``&copy``...),
  but only when the next character cannot continue a URL parameter (not a letter, digit or ``=``),
  so ``example.com/?a=1&amp=2`` and ``R&D`` stay as they are.

A decoded no-break space (U+00A0) becomes a plain space: for LM text it is a space.

:func:`fix_entity_residue` repairs what an upstream cleaner left after deleting ``&`` and ``;``:
``ampampquot``, ``ampquot``, ``quot``, ``nbsp``... glued to a Chinese character or a digit on both
sides (after it, ASCII punctuation or a space will do).  The letters are never touched next to another Latin letter ("quota", "enbsp") or inside a
URL (the character before must be a Han character, a digit, CJK punctuation or the start of the
text).  A bare ``amp``/``lt``/``gt`` is left alone (``5amp``, ``3lt``): only ``amp`` chains ending in
one of them are residue.

>>> fix_entities("他说&amp;quot;我们一定能赢&amp;quot;随后&nbsp;离开&#183;马可&lt")
'他说"我们一定能赢"随后 离开·马可<'
>>> fix_entities("example.com/?a=1&amp=2 R&D AE&AF &amp;amp;lt;b&amp;amp;gt;")
'example.com/?a=1&amp=2 R&D AE&AF <b>'
>>> fix_entity_residue("他说ampampquot我们一定能赢ampampquot随后，共3ampnbsp项，他说ampquot好ampquot, 走")
'他说"我们一定能赢"随后，共3 项，他说"好", 走'
>>> fix_entity_residue("quota ampquotx 例子quotation example.com/?a=1&amp=2 5amp")
'quota ampquotx 例子quotation example.com/?a=1&amp=2 5amp'
"""

from __future__ import annotations

import html
import re
from html.entities import html5

from taosha.text.cjk import CJK, CJK_PUNCT

# Names a browser decodes without the semicolon (the HTML5 "legacy" entities), e.g. "nbsp", "copy".
_LEGACY = frozenset(name for name in html5 if not name.endswith(";"))

_ENTITY_RE = re.compile(
    r"&(?:amp;){0,3}(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}))(;?)"
)


def _decode(match: re.Match[str]) -> str:
    whole = match.group(0)
    dec, hexa, name, semi = match.groups()
    end = match.end()
    text = match.string
    if not semi:
        nxt = text[end : end + 1]
        if nxt == "=" or (nxt.isascii() and nxt.isalnum()):
            return whole
        if name is not None and name not in _LEGACY:
            return whole
    if name is not None:
        out = html.unescape(f"&{name};")
        if out == f"&{name};":
            return whole
    elif dec is not None:
        out = html.unescape(f"&#{dec};")
    else:
        out = html.unescape(f"&#x{hexa};")
    return out.replace("\u00a0", " ")


def fix_entities(text: str) -> str:
    """Decode HTML entities, including double-escaped ones and legacy names without ``;``."""
    if "&" not in text:
        return text
    return _ENTITY_RE.sub(_decode, text)


_RESIDUE_NAMES = {
    "quot": '"', "nbsp": " ", "apos": "'", "hellip": "…", "ldquo": "“", "rdquo": "”",
    "lsquo": "‘", "rsquo": "’", "mdash": "—", "ndash": "–", "middot": "·", "bull": "•",
    "lt": "<", "gt": ">", "amp": "&",
}
_CTX = f"{CJK}{CJK_PUNCT}0-9"
_RESIDUE_RE = re.compile(
    rf"(?:(?<=[{_CTX}])|^)"
    r"(?:(?:amp)*(quot|nbsp|apos|hellip|[lr]dquo|[lr]squo|[mn]dash|middot|bull)|(?:amp)+(lt|gt|amp))"
    rf"(?=[{_CTX}\s,.!?:;)\]'\"]|$)",
    re.MULTILINE,
)
RESIDUE_HINTS = ("amp", "quot", "nbsp", "apos", "dquo", "squo", "dash", "hellip", "middot", "bull")
"""Every text :func:`fix_entity_residue` changes contains one of these (its cheap pre-check, and
``zh_normalize``'s reason to skip it)."""
_RESIDUE_HINT_RE = re.compile("|".join(RESIDUE_HINTS))


def fix_entity_residue(text: str) -> str:
    """Repair entity names glued between Chinese characters or digits (see the module docstring)."""
    if text.isascii() or not _RESIDUE_HINT_RE.search(text):
        return text
    return _RESIDUE_RE.sub(lambda m: _RESIDUE_NAMES[m.group(1) or m.group(2)], text)
