"""Regexes rewritten for speed decide as the forms they replaced (kept here as the reference).

Each rewrite is compared with the earlier, slower form on generated texts that crowd the cases
together (nested and unbalanced parentheses, sentence ends next to credits, video stubs).
"""

from __future__ import annotations

import random
import re

from conftest import load_records

from taosha.text import debris, punct, social, width
from taosha.text.cjk import CJK, CJK_PUNCT

# parentheses: the pattern decided by a Python function per pair
_OLD_PAREN = re.compile(r"\((?<![A-Za-z0-9_]\()([^()\n]{1,80})\)")


def _old_paren(match: re.Match[str]) -> str:
    inner, start = match.group(1), match.start()
    before = match.string[start - 1 : start]
    if re.search(f"[{CJK}]", inner) or (before and re.match(f"[{CJK}{CJK_PUNCT}]$", before)):
        return f"（{inner}）"
    return match.group(0)


def test_parenthesis_pattern_decides_as_the_function_did():
    rng = random.Random(3)
    pieces = ["(", ")", "（", "）", "中", "文", "a", "f", "1", "_", " ", "\n", "，", "x" * 79, "中" * 80, ")("]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert punct._PAREN_RE.sub("（\\1）", text) == _OLD_PAREN.sub(_old_paren, text), text


# furniture tails: the sentence end looked behind for, every line tried
_OLD_CREDIT = re.compile(r"(?<=[。！？!?”」』])" + debris._TAIL_CREDIT_RE.pattern[len("[。！？!?”」』]"):])
_OLD_RELATED = re.compile(r"(?<=[。！？!?”」』])" + debris._TAIL_RELATED_RE.pattern[len("[。！？!?”」』]"):])


def _old_tails(text: str) -> str:
    if text.isascii() or not debris._TAIL_HINT_RE.search(text):
        return text
    out, changed = [], False
    for line in text.split("\n"):
        new, last = line, None
        for m in _OLD_RELATED.finditer(new):
            last = m
        if last and last.start() >= len(new) * 0.3 and new.count("。", last.end()) <= 1:
            new = new[: last.start()]
        new = _OLD_CREDIT.sub("", new)
        changed = changed or new != line
        out.append(new)
    return "\n".join(out) if changed else text


def test_furniture_tails_cut_as_before():
    rng = random.Random(9)
    pieces = ["。", "！", "”", "」", "他说", "经济观察网", "来源：新华社", "(来源：中国日报 编辑：王五)", "编辑：李四",
              "【责任编辑：张三】", "相关阅读：", "延伸阅读：", "◆相关新闻：", "相关", " ", "\u3000", "\n", "今天。" * 3]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 10))) for _ in range(20000)]
    texts += [r["text"] for r in load_records("news_thucnews_sample.jsonl.gz", 1000)]
    for text in texts:
        assert debris.strip_furniture_tails(text) == _old_tails(text), text


def test_video_stubs_need_their_ending():
    # the stub pattern runs only when 拍视频 or 博视频 is there, as every stub ends with one of them
    assert social.short_links("看 L张三的秒拍视频 好", "strip") == "看 好"
    assert social.short_links("看 L张三的微博视频", "strip") == "看"
    text = "这段视频很好看，L型的视频架"
    assert social.short_links(text, "strip") == text


# patterns that now begin with the character they need, so that sre can skip to it
_OLD_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|(?<![A-Za-z0-9\[])\[(?:[0-9]{1,3};)*[0-9]{1,3}m")
_OLD_MOJIBAKE = re.compile(f"[\u00e0-\u00ef][{debris._CONT}]{{2}}|[\u00c2-\u00df][{debris._CONT}].*?[\u00c2-\u00df][{debris._CONT}]")
_OLD_DIGIT_SEP = re.compile(r"(?<=[0-9])[．，](?=[0-9])")


def test_patterns_that_begin_with_their_character_match_as_before():
    rng = random.Random(13)
    ansi = ["\x1b", "[", "31", ";", "1", "m", "a", "0", "[3]", "错误", "\x1b[0m", "[1;32m", "?", "K"]
    mojibake = ["æ", "µ", "‹", "Ã", "©", "é", "“", "”", "—", "…", "中", " ", "\n", "Â", "\u00a0", "×"]
    digits = ["1", "．", "，", "5", "a", "中", "２"]
    for _ in range(20000):
        text = "".join(rng.choice(ansi) for _ in range(rng.randint(1, 10)))
        assert debris._ANSI_RE.sub("", text) == _OLD_ANSI.sub("", text), text
        text = "".join(rng.choice(mojibake) for _ in range(rng.randint(1, 10)))
        assert bool(debris._MOJIBAKE_RE.search(text)) == bool(_OLD_MOJIBAKE.search(text)), text
        text = "".join(rng.choice(digits) for _ in range(rng.randint(1, 8)))
        assert width._DIGIT_SEP_RE.sub("#", text) == _OLD_DIGIT_SEP.sub("#", text), text


def test_letter_spacing_cut_as_before():
    old = re.compile(rf"(?<![{CJK}])[{CJK}](?: [{CJK}](?![{CJK}])){{2,}}")
    rng = random.Random(17)
    pieces = ["欢", "迎", " ", "  ", "，", "a", "光临", "本 店", "\n"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        expected = old.sub(lambda m: m.group().replace(" ", ""), text)
        assert debris._SPACED_RE.sub(lambda m: m.group().replace(" ", ""), text) == expected, text
