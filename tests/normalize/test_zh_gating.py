"""zh_normalize's skips never change a text: the step gives what calling every fix in order gives.

``ZhNormalize.normalize`` skips the fixes that look for words none of which is in the document,
and takes the traditional share from its one scan when the text did not change; the reference here
calls every enabled fix whose gate is open, one after the other, and measures the share by its
definition.  The gates (non-ASCII text, a rare character) are measured once, on the text as it
came, by design; that an entity can decode to Chinese after the ASCII gate was measured is a known
failure listed in tests/cases/normalize.json.
"""

from __future__ import annotations

import random
import re

import pytest
from conftest import load_records

from taosha.normalize.zh import _NON_ASCII, _RARE, _RARE_RE, _WRITES_HAN, ZhNormalize
from taosha.text import cjk

HAN = re.compile(f"[^{cjk.CJK}]+")


def share_by_definition(text: str) -> float:
    han = HAN.sub("", text)
    trad = cjk.traditional_re().findall(han)
    return round(len(trad) / len(han), 4) if trad else 0.0


def reference(step: ZhNormalize, text: str) -> tuple[str, list[str], float]:
    changed = []
    open_gates = (0 if text.isascii() else _NON_ASCII) | (_RARE if _RARE_RE.search(text) else 0)
    for name, fix, gate in step.fixes():
        if gate & open_gates != gate:
            continue
        new = fix(text)
        if new != text:
            changed.append(name)
            text = new
    return text, changed, share_by_definition(text)


STEPS = [
    ZhNormalize(),
    ZhNormalize(topics="strip", mentions="replace", repost_chains="markers", short_links="replace"),
    ZhNormalize(entities=False, punctuation=False, furniture_tails=False),
]


@pytest.mark.parametrize("name", [
    "weibo_ced_reposts.jsonl.gz", "weibo_checked_posts.jsonl.gz", "news_thucnews_sample.jsonl.gz",
    "web_chinesewebtext_sample.jsonl.gz", "web_cluecorpussmall_sample.jsonl.gz",
    "wiki_drcd_traditional_contexts.jsonl.gz", "reviews_book_review.jsonl.gz",
])
def test_same_as_every_fix_in_order_on_real_documents(name):
    texts = [r["text"] for r in load_records(name, 1000)]
    for step in STEPS:
        changed = 0
        for text in texts:
            expected = reference(step, text)
            assert step.normalize(text) == expected, text
            changed += bool(expected[1])
        assert changed  # the sample exercises the fixes, not only the skips


def test_same_as_every_fix_in_order_on_generated_texts():
    # Pieces that trigger each fix, in any order: a fix may make a word that a later one looks for
    # ("微t.cn/abcd博" becomes 微博 once the link is gone), and a rare character sits among them.
    pieces = ["微", "博", "转发微博", "//@张三:", "t.cn/Ab12Cd", " http://t.cn/Xy34Zw", "网页链接", "L张三的秒拍视频",
              "...展开全文", "ampquot", "ampamp", "quot", "nbsp", "&amp;", "&#39640;", "&#x9AD8;", "[哈哈]", "[1]",
              "#话题#", "@李四", "。来源：新华社", "。相关阅读：", "编辑：王五", "(注)", "好,", "吗?", "说:", ";",
              " ", "  ", "\n", "\n\n\n", "\\n", "\ue40c", "\ufffd", "ＡＢ１", "æµ‹è¯•", "\x1b[31m", "發展", "臺", "&#30332;", "ç™¼",
              "今天", "的", "很好", "了", "a", "1"]
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        for step in STEPS:
            assert step.normalize(text) == reference(step, text), text


def test_traditional_share_of_agrees_with_the_definition():
    texts = [r["text"] for r in load_records("wiki_drcd_traditional_contexts.jsonl.gz", 300)]
    texts += ["今天天氣很好", "發展\N{CJK UNIFIED IDEOGRAPH-29E04}和发展", "臺灣\U0001f600的", "\ud800發"]
    for text in texts:
        assert cjk.traditional_share(text) == share_by_definition(text), text


def test_a_fix_can_make_the_word_a_later_fix_looks_for():
    # 微博 is not in the text until the short link between its halves is gone
    text = "转发微t.cn/Ab12Cd博"
    assert ZhNormalize().normalize(text) == ("", ["short_links", "repost_text"], 0.0)
    assert reference(ZhNormalize(), text)[0] == ""


def test_only_the_fixes_said_to_write_han_characters_add_traditional_ones():
    # normalize skips the look for a traditional character after the other fixes (_WRITES_HAN)
    step = ZhNormalize(topics="unwrap", mentions="replace", short_links="replace", t2s=False)
    texts = [r["text"] for name in ("weibo_ced_reposts.jsonl.gz", "news_thucnews_sample.jsonl.gz",
                                    "web_chinesewebtext_sample.jsonl.gz") for r in load_records(name, 1000)]
    texts += ["&#30332;展", "ç™¼展", "經&amp;#30332;", "L發的秒拍视频 @臺灣 #發#", "t.cn/AbCd12 發"]
    trad = cjk.traditional_re()
    written = set()
    for name, fix, _ in step.fixes():
        for text in texts:
            before, after = set(trad.findall(text)), set(trad.findall(fix(text)))
            if not after <= before:
                written.add(name)
    assert written == set(_WRITES_HAN)
