"""ASCII punctuation in Chinese context -> the full-width Chinese form.

Chinese text typed on an English keyboard mixes in ``,?!:;()``.  A mark is *in Chinese context* when
the character before it is a Han character or Chinese punctuation (for ``,`` also when the character
after it is a Han character), so marks inside English, code, URLs and numbers (``3.14``, ``1,000``,
``10:30``, ``f(x)``, ``http://``) are left alone.  Spaces that followed the ASCII mark are dropped
before a Han character (the full-width mark carries its own spacing).

- ``,`` -> ``，``;  ``?`` -> ``？``;  ``!`` -> ``！`` (runs too: ``?!`` -> ``？！``);
- ``:`` -> ``：`` unless it opens ``://`` or stands between digits;  ``;`` -> ``；``;
- ``( )`` -> ``（ ）`` when the pair holds a Han character, or sits right after one, and the ``(`` does
  not follow a Latin letter, digit or ``_`` (a function call).

The full stop is never changed: ``.`` is too often a decimal point, a file name or an abbreviation,
and ``。`` is never folded to ``.``.

>>> cjk_punctuation("9月3日,2023年,导致列车停运, 铁路部门称:这意味着什么?记者问;太危险了!!网友")
'9月3日，2023年，导致列车停运，铁路部门称：这意味着什么？记者问；太危险了！！网友'
>>> cjk_punctuation("北京(中国)的人口,约2,189万(2020年) 3.14 10:30 f(x) http://例子.cn a, b")
'北京（中国）的人口，约2,189万（2020年） 3.14 10:30 f(x) http://例子.cn a, b'
>>> cjk_punctuation("时间:10:30,地点:会议室")
'时间：10:30，地点：会议室'
"""

from __future__ import annotations

import re

from taosha.text.cjk import CJK, CJK_PUNCT

# Every pattern starts with the literal mark and looks back from there ("(?<=[Han],)" after the
# comma): re then finds candidates with a fast literal scan (under 1 ns a character) instead of
# trying a look-behind at every position (about 20 ns a character).
_HAN = f"[{CJK}{CJK_PUNCT}]"
_COMMA_RE = re.compile(rf",(?:(?<={_HAN},)[ \t]*|[ \t]*(?=[{CJK}]))")
_QE_RE = re.compile(rf"[?!](?<={_HAN}[?!])[?!]*(?:[ \t]+(?=[{CJK}]))?")
_COLON_RE = re.compile(rf":(?<={_HAN}:)(?!//)(?:[ \t]+(?=[{CJK}]))?")
_SEMI_RE = re.compile(rf";(?<={_HAN};)(?:[ \t]+(?=[{CJK}]))?")
# A pair holding at most 80 characters and no parenthesis, not after a letter, digit or _, and either
# right after a Han character or mark or holding a Han character (the inner run stops at the ")", so
# the look-ahead finds one inside it): all in the pattern, no Python call per pair.
_PAREN_RE = re.compile(rf"\((?<![A-Za-z0-9_]\()(?:(?<={_HAN}\()|(?=[^()\n]{{0,79}}[{CJK}]))([^()\n]{{1,80}})\)")
_QE = str.maketrans("?!", "？！")


def cjk_punctuation(text: str) -> str:
    """Turn ASCII ``,?!:;()`` in Chinese context into ，？！：；（）(see the module docstring)."""
    if text.isascii():
        return text
    # Parentheses both before and after the other marks: each can give the other its Chinese
    # context ("不错(*?)?" and "好,(注)"), and one pass each way makes the function idempotent.
    given = text
    if "(" in text:
        text = _PAREN_RE.sub("（\\1）", text)
    if "," in text:
        text = _COMMA_RE.sub("，", text)
    if "?" in text or "!" in text:
        text = _QE_RE.sub(lambda m: m.group().rstrip(" \t").translate(_QE), text)
    if ":" in text:
        text = _COLON_RE.sub("：", text)
    if ";" in text:
        text = _SEMI_RE.sub("；", text)
    # (on an unchanged text the second pass would decide as the first did: skipped)
    if "(" in text and text != given:
        text = _PAREN_RE.sub("（\\1）", text)
    return text
