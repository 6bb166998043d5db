"""Character-level debris of crawling and extraction: each a pure ``str -> str`` function.

(C0/C1 controls, zero-width characters, BOMs, CR/LF and NFC belong to ``unicode_cleanup``.)

>>> strip_private_use("早安大家\\ue40c，\\ue627超话")
'早安大家，超话'
>>> strip_replacement("想让你得到安稳������。没忍住��")
'想让你得到安稳。没忍住'
>>> strip_ansi("\\x1b[31m错误\\x1b[0m 和 [1;32m成功[0m，数组[3]")
'错误 和 成功，数组[3]'
>>> literal_newlines("很有型\\\\n家人很喜欢\\\\r\\\\n好评\\\\n\\\\n\\\\n下次 printf(\\"%d\\\\n\\", c)")
'很有型\\n家人很喜欢\\n好评\\n\\n\\n下次 printf("%d\\\\n", c)'
>>> fix_mojibake("æˆ‘ä»¬çš„ 南洋É¬林 Klášter")
'我们的 南洋É¬林 Klášter'
>>> fix_cjk_spaces("欢 迎 光 临 本 店 ，质量真烂 卖没几天就坏了 。 好")
'欢迎光临本店，质量真烂 卖没几天就坏了。好'
>>> collapse_blank_lines("\\n\\n标题\\n\\n\\n \\n正文\\n \\n\\n")
'标题\\n\\n正文'
"""

from __future__ import annotations

import re

from taosha.text.cjk import CJK

# BMP private-use area only: planes 15-16 are vanishingly rare in text, and adding them to the class
# makes the scan several times slower (see taosha.text.cjk).
_PUA_RE = re.compile("[\ue000-\uf8ff]")


def strip_private_use(text: str) -> str:
    """Remove private-use code points U+E000..U+F8FF (vendor emoji and icon fonts)."""
    if text.isascii() or not _PUA_RE.search(text):
        return text
    return _PUA_RE.sub("", text)


def strip_replacement(text: str) -> str:
    """Remove runs of U+FFFD: the character they replaced (usually an emoji) is lost for good."""
    if "\ufffd" not in text:
        return text
    return text.replace("\ufffd", "")


# A CSI sequence with its ESC; or, after unicode_cleanup dropped the ESC, the bare SGR "[31m" form
# (only the colour form ending in "m", so "[3]" or "[1]" citations are never touched).
# (ESC or "[" consumed first, so that sre skips to them instead of trying the pattern everywhere.)
_ANSI_RE = re.compile(r"[\x1b\[](?:(?<=\x1b)\[[0-9;?]*[A-Za-z]|(?<![A-Za-z0-9\[]\[)(?<=\[)(?:[0-9]{1,3};)*[0-9]{1,3}m)")


def strip_ansi(text: str) -> str:
    """Remove ANSI terminal colour codes, with or without their ESC character."""
    if "\x1b" not in text and "m" not in text:
        return text
    if "[" not in text:
        return text
    return _ANSI_RE.sub("", text)


_LITERAL_NL_RE = re.compile(r"(?:(?:\\r)?\\n)+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def literal_newlines(text: str) -> str:
    r"""Turn the two characters ``\n`` (and ``\r\n``) into a newline where they stand for one.

    They stand for one when a neighbour (the character just before or just after) is not ASCII:
    a Chinese sentence does not contain an escape sequence, while code such as ``printf("%d\n")``
    keeps it.
    """
    if "\\n" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        s, e = m.start(), m.end()
        around = text[s - 1 : s] + text[e : e + 1]
        if not _NON_ASCII.search(around):
            return m.group()
        return "\n" * m.group().count("\\n")

    return _LITERAL_NL_RE.sub(repl, text)


# UTF-8 read as Latin-1/cp1252: a lead byte followed by continuation bytes shown as Latin-1 letters
# or cp1252 symbols.  A Chinese character gives a three-character run (lead U+00E0..U+00EF); two
# two-character runs are needed for other scripts, so one stray "É¬" or "á" is left alone.
_CONT = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
# (The lead byte is consumed first and its kind checked behind it: a pattern that starts with one
# class lets sre skip to the Latin-1 letters instead of trying both alternatives at every position.)
_MOJIBAKE_RE = re.compile(
    f"[\u00c2-\u00ef](?:(?<=[\u00e0-\u00ef])[{_CONT}]{{2}}|(?<=[\u00c2-\u00df])[{_CONT}].*?[\u00c2-\u00df][{_CONT}])"
)
_LATIN1_RE = re.compile("[\u00c2-\u00ef]")
# A run of characters that mojibake is made of (spaces included: "â€œ" quotes sit between words).
_RUN_RE = re.compile(f"[\u00c0-\u00ff{_CONT} ]{{2,}}")


def fix_mojibake(text: str) -> str:
    """Repair UTF-8 text that was decoded as Latin-1 or cp1252 (ftfy), behind a cheap pre-check.

    ftfy is run on each suspicious run of Latin-1/cp1252 characters, not on the whole text, so a
    genuine accented word elsewhere in the document is never re-decoded.
    """
    if text.isascii() or not _LATIN1_RE.search(text) or not _MOJIBAKE_RE.search(text):
        return text
    import ftfy  # slow to import and to run: only for the few texts that pass the pre-check

    def repl(m: re.Match[str]) -> str:
        run = m.group()
        return ftfy.fix_encoding(run) if _MOJIBAKE_RE.search(run) else run

    return _RUN_RE.sub(repl, text)


# Letter-spaced Han characters ("欢 迎 光 临"): three or more single characters, each separated by one
# space.  A space between two longer runs ("质量真烂 卖没几天") is a clause break in informal Chinese
# and is kept.
# (From the first space on, the first character looked at behind it: a pattern that starts with a
# space is searched for the space; one that starts with a Han character is tried at nearly every
# position.  The first character stays, the spaces go, as before.)
_SPACED_RE = re.compile(rf" (?<=(?<![{CJK}])[{CJK}] )[{CJK}](?![{CJK}])(?: [{CJK}](?![{CJK}]))+")
_SPACED_HINT = re.compile(rf" [{CJK}] ")
# Literal-first patterns (see taosha.text.punct): the space, then a look-behind at what precedes it.
# Only clause and sentence marks: a space after a closing bracket or before an opening one often
# marks a boundary the extractor flattened ("奥兰治维尔镇区 （印地安纳州） 奥兰治维尔镇区（）是…").
_CLAUSE = "，。、；：！？"
_PUNCT_SPACE_RE = re.compile(
    rf" (?:(?<=[{CJK}] ) *(?=[{_CLAUSE}])|(?<=[{_CLAUSE}] ) *(?=[{CJK}]))"
)
_CJK_SPACE_HINT = re.compile(rf" (?<=[{CJK}{_CLAUSE}] )")


def fix_cjk_spaces(text: str) -> str:
    """Remove spaces that split Chinese: letter-spacing runs, and spaces between a Han character
    and a clause or sentence mark (，。、；：！？).

    Only the ASCII space: the ideographic space U+3000 is kept (flattened news uses it to mark
    paragraphs) and tabs are left to the whitespace of the line.
    """
    if " " not in text or text.isascii() or not _CJK_SPACE_HINT.search(text):
        return text
    text = _PUNCT_SPACE_RE.sub("", text)
    if not _SPACED_HINT.search(text):
        return text
    return _SPACED_RE.sub(lambda m: m.group().replace(" ", ""), text)


_BLANK_RUN_RE = re.compile(r"\n(?:[ \t\u3000]*\n){2,}")
_BLANK_LEAD_RE = re.compile(r"(?:[ \t\u3000]*\n)+")


def collapse_blank_lines(text: str) -> str:
    """Runs of blank lines become one blank line; blank lines at the start and end are removed."""
    if "\n" not in text:
        return text
    text = _BLANK_RUN_RE.sub("\n\n", text)
    lead = _BLANK_LEAD_RE.match(text)
    if lead:
        text = text[lead.end() :]
    # Trailing blank lines: cut at the first newline after the last visible character (string
    # methods, not a "$"-anchored regex, which re would try at every newline).
    cut = text.find("\n", len(text.rstrip(" \t\u3000\n")))
    return text[:cut] if cut != -1 else text


# Furniture glued to the end of a flattened article (line breaks lost upstream, as in THUCNews and
# CLUECorpus): a source or editor credit after the last sentence, or a "related reading" list that
# runs to the end.  Anchored to the end of the text and to a preceding sentence end, so a sentence
# that merely mentions 来源 or 相关新闻 is never cut.
# Both consume the sentence end instead of looking behind for it (the furniture starts at group 1):
# sre then jumps from sentence end to sentence end instead of trying the pattern at every position.
_TAIL_CREDIT_RE = re.compile(
    r"[。！？!?”」』](\s*(?:"
    r"[（(]\s*(?:稿件来源|文章来源|来源|编辑|责任编辑|责编)\s*[:：][^()（）\n]{1,40}[)）]"
    r"|[【\[]?(?:责任编辑|编辑|责编)\s*[:：]\s*[\u4e00-\u9fffA-Za-z·]{1,12}[】\]]?"
    r"|(?:文章来源|稿件来源|新闻来源|来源)\s*[:：][^。！？!?\n]{1,30}?(?:\s*(?:编辑|责任编辑)\s*[:：][^。！？!?\n]{1,12})?(?:我要评论)?"
    r")\s*)$"
)
_RELATED = ("相关阅读", "相关新闻", "延伸阅读", "相关链接", "相关报道")
_TAIL_RELATED_RE = re.compile(rf"[。！？!?”」』]([\s\u3000]*[◇◆■●【]?(?:{'|'.join(_RELATED)})】?\s*[:：])")
TAIL_HINTS = ("来源", "编辑", "责编", "相关", "延伸阅读")
"""Every text :func:`strip_furniture_tails` changes contains one of these."""
_TAIL_HINT_RE = re.compile("|".join(TAIL_HINTS))


def strip_furniture_tails(text: str) -> str:
    """Cut a credit line or a related-reading list glued after the last sentence of a flattened text.

    A related list is cut only when it is the last one, starts after the first 30 % of the text (a
    digest that opens with one is left alone) and no article text follows it; one line is handled
    at a time, so a page with real line breaks keeps
    its furniture for ``boilerplate_lines``.

    >>> strip_furniture_tails("私募的优势将不复存在。”来源：经济观察网")
    '私募的优势将不复存在。”'
    >>> strip_furniture_tails("这稍微让我有些尴尬。”(来源：中国日报网 信莲 编辑：婧远)")
    '这稍微让我有些尴尬。”'
    >>> strip_furniture_tails("今年以来基金净值普遍上涨，多只产品收益超过两成。基金经理表示看好后市。    相关报道：    QDII哀鸿遍野")
    '今年以来基金净值普遍上涨，多只产品收益超过两成。基金经理表示看好后市。'
    >>> strip_furniture_tails("数据来源：国家统计局。相关新闻报道很多，来源于生活。")
    '数据来源：国家统计局。相关新闻报道很多，来源于生活。'
    """
    if text.isascii() or not _TAIL_HINT_RE.search(text):
        return text
    out = []
    changed = False
    for line in text.split("\n"):
        new = line
        # Each regex only on a line with its words: str.find is ten times cheaper than a regex scan.
        if "相关" in line or "延伸阅读" in line:
            last = None
            for m in _TAIL_RELATED_RE.finditer(new):
                last = m
            # The last list, if it starts after the first 30 % and no article text follows it (a
            # list of headlines holds at most one full stop; an article glued after it holds many).
            if last and last.start(1) >= len(new) * 0.3 and new.count("。", last.end()) <= 1:
                new = new[: last.start(1)]
        if "来源" in new or "编辑" in new or "责编" in new:
            # Anchored at the end, so at most one match: the leftmost that reaches the end.
            credit = _TAIL_CREDIT_RE.search(new)
            if credit:
                new = new[: credit.start(1)]
        changed = changed or new != line
        out.append(new)
    return "\n".join(out) if changed else text
