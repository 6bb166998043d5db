"""Chinese characters: what counts as one, and how much of a text is traditional.

A *CJK character* here is a Han ideograph of the Basic Multilingual Plane: the Unified
Ideographs block, Extension A and the Compatibility Ideographs.  The supplementary-plane extensions
(B..H) are left out on purpose: they are rare in web text, and a regex class that includes them is
no longer compiled to a bitmap by ``re``, which makes every scan several times slower.  *CJK punctuation* is the
full-width punctuation that Chinese text uses (，。！？：；、（）《》「」【】“”‘’…—).

The traditional share is measured in characters: the number of Han characters that OpenCC's ``t2s``
table maps to a different character, divided by the number of Han characters.  The table is taken
from the ``opencc`` package (which ships its dictionaries) once per process, at first use.

>>> traditional_share("今天天氣很好")
0.1667
>>> traditional_share("今天天气很好"), traditional_share("hello")
(0.0, 0.0)
>>> count_cjk("中文 and English，混排")
4
"""

from __future__ import annotations

import re
from functools import lru_cache

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Han ideographs, as a regex character-class body."""

CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"
"""Full-width and CJK punctuation (、。〈〉《》「」【】，！？：；（）“”‘’…—·), as a class body."""

CJK_RE = re.compile(f"[{CJK}]")
_NOT_CJK_RE = re.compile(f"[^{CJK}]+")
# Code points tried when building the traditional table: the BMP Han blocks and Extension B..
_TABLE_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2FA20))


def count_cjk(text: str) -> int:
    """Number of Han characters in ``text``."""
    if text.isascii():
        return 0
    return len(_NOT_CJK_RE.sub("", text))


@lru_cache(maxsize=1)
def _opencc(config: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=1)
def traditional_chars() -> frozenset[str]:
    """Han characters that OpenCC ``t2s`` changes when converted one by one (about 5,100)."""
    chars = [chr(cp) for lo, hi in _TABLE_RANGES for cp in range(lo, hi)]
    # One character per line, so the phrase dictionaries cannot match across characters.
    converted = _opencc("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - a changed OpenCC would break the table
        raise RuntimeError("OpenCC t2s changed the number of lines; cannot build the traditional table")
    return frozenset(c for c, s in zip(chars, converted, strict=True) if c != s)


_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def traditional_re() -> re.Pattern[str]:
    """A regex matching one traditional character (BMP, see :func:`traditional_class`)."""
    return re.compile(f"[{traditional_class()}]")


@lru_cache(maxsize=1)
def traditional_class() -> str:
    """The BMP characters of :func:`traditional_chars` as a regex character-class body.

    Only BMP characters: sre then compiles the class to a bitmap (about 3 ns a character); with
    the ~900 supplementary-plane characters added it falls back to a scan 300 times slower.
    """
    return re.escape("".join(sorted(c for c in traditional_chars() if ord(c) < 0x10000)))


def count_traditional(text: str) -> int:
    """Number of characters of ``text`` that are traditional forms (see :func:`traditional_chars`).

    >>> count_traditional("發展\N{CJK UNIFIED IDEOGRAPH-29E04} 和 发展")
    2
    """
    if text.isascii():
        return 0
    n = len(traditional_re().findall(text))
    if _ASTRAL_RE.search(text):
        table = traditional_chars()
        n += sum(1 for c in _ASTRAL_RE.findall(text) if c in table)
    return n


def traditional_share(text: str) -> float:
    """Traditional characters over Han characters, rounded to 4 places; 0.0 without Han characters.

    Most documents have no traditional character: one scan for one decides, and only then are the
    Han characters counted.
    """
    if text.isascii() or not traditional_re().search(text):
        return 0.0
    return traditional_share_of(text)


def traditional_share_of(text: str) -> float:
    """:func:`traditional_share` of a text known to hold a traditional character (no look for one).

    >>> traditional_share_of("今天天氣很好")
    0.1667
    """
    # Both counts from one table look-up per UTF-16 code unit and one sum (numpy): four times
    # cheaper than deleting the non-Han characters and listing the traditional ones with re.  A
    # supplementary character is two surrogates, neither Han here, as the BMP-only classes above
    # count them.
    import numpy as np

    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    total = int(_han_trad_table().take(units).sum())
    return round((total >> 32) / (total & 0xFFFFFFFF), 4)


@lru_cache(maxsize=1)
def _han_trad_table():  # type: ignore[no-untyped-def]
    """Per BMP code point: 1 for a Han character, plus 2**32 for a traditional one (every
    traditional form is Han), so that one sum holds both counts."""
    import numpy as np

    table = np.zeros(0x10000, dtype=np.uint64)
    for lo, hi in _TABLE_RANGES:
        table[lo : min(hi, 0x10000)] = 1
    table[[ord(c) for c in traditional_chars() if ord(c) < 0x10000]] += np.uint64(1 << 32)
    table.flags.writeable = False
    return table


def to_simplified(text: str) -> str:
    """OpenCC ``t2s`` (phrase-aware) conversion.

    >>> to_simplified("頭髮發展")
    '头发发展'
    """
    return _opencc("t2s").convert(text)  # type: ignore[no-any-return]
