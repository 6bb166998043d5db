"""The foundation's own steps: unicode_cleanup, length_filter, exact_dedup."""

from __future__ import annotations

import pytest
from conftest import load_records

from taosha import Document
from taosha.dedup.exact import ExactDedup
from taosha.filters.length import LengthFilter
from taosha.normalize.unicode import UnicodeCleanup
from taosha.pipeline import run_in_memory
from taosha.recipe import Recipe


def recipe(*steps) -> Recipe:
    return Recipe(name="t", steps=tuple((s.name, s) for s in steps))


def test_unicode_cleanup_on_real_zero_width_and_controls():
    docs = [Document(r["id"], r["text"]) for r in load_records("weibo_checked_posts.jsonl.gz", 400)]
    dirty = [d for d in docs if "\u200b" in d.text]
    assert dirty, "the CHECKED posts carry U+200B"
    result = run_in_memory(recipe(UnicodeCleanup()), docs)
    assert not any("\u200b" in d.text for d in result.kept)
    stats = result.stats.steps["unicode_cleanup"]
    assert stats.changed >= len(dirty) and stats.counters["fix:zero_width"] >= len(dirty)


@pytest.mark.parametrize(
    "text, expected, fixes",
    [
        ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行", ["newlines"]),
        ("\ufeff正文\x07开始\x1b", "正文开始", ["control", "zero_width"]),
        ("ｅ\u0301 全角，标点。", "ｅ\u0301 全角，标点。", []),
        ("Cafe\u0301 咖啡", "Café 咖啡", ["nfc"]),
        ("不变的中文：标点，全角！", "不变的中文：标点，全角！", []),
        # UTF-8 read as Latin-1: its C1 controls are part of the mojibake, so it is repaired first.
        ("新闻：" + "乱码修复".encode().decode("latin-1") + "。", "新闻：乱码修复。", ["mojibake", "control"]),
        ("价格\x85元", "价格元", ["control"]),
    ],
)
def test_unicode_cleanup_cases(text, expected, fixes):
    doc, applied = UnicodeCleanup().map_noted(Document("x", text))
    assert doc.text == expected and list(applied) == fixes


def test_length_filter_counts_characters_not_words():
    step = LengthFilter(min_chars=10, max_chars=30)
    assert step.keep(Document("a", "这是一个没有空格但足够长的句子")) is True
    assert step.keep(Document("b", "转发微博")).reason == "too_short"
    assert step.keep(Document("c", "a b c d e f g h i")).reason == "too_short", "spaces are not characters"
    assert step.keep(Document("d", "长" * 31)).reason == "too_long"
    assert step.keep(Document("e", "ｆｕｌｌ　ｗｉｄｔｈ　ｔｅｘｔ　ｈｅｒｅ")) is True


def test_exact_dedup_keeps_first_copy_across_shards_with_group_size():
    texts = ["今天北京天气晴朗，适合出游。", "今天北京天气晴朗， 适合出游。", "ＡＢＣ新闻：股市大涨", "abc新闻：股市大涨", "完全不同的一句话"]
    docs = [Document(f"d{i}", t) for i, t in enumerate(texts)]
    one = run_in_memory(recipe(ExactDedup()), docs)
    split = run_in_memory(recipe(ExactDedup(partitions=3)), [docs[:2], docs[2:3], docs[3:]])
    for result in (one, split):
        assert [d.id for d in result.kept] == ["d0", "d2", "d4"]
        assert result.removed_reasons() == {"d1": "exact_dedup:exact_duplicate", "d3": "exact_dedup:exact_duplicate"}
        assert result.kept[0].meta["dedup"] == {"exact_copies": 2}


def test_exact_dedup_normalization_switches():
    a, b = Document("a", "价格：100元！"), Document("b", "价格 100元")
    assert len(run_in_memory(recipe(ExactDedup()), [a, b]).kept) == 2
    a, b = Document("a", "价格：100元！"), Document("b", "价格 100元")
    assert len(run_in_memory(recipe(ExactDedup(punctuation=True)), [a, b]).kept) == 1
    c, d = Document("c", "2023年9月3日发布"), Document("d", "2024年1月8日发布")
    assert len(run_in_memory(recipe(ExactDedup(digits=True)), [c, d]).kept) == 1
    e, f = Document("e", "Hello 世界"), Document("f", "hello 世界")
    assert len(run_in_memory(recipe(ExactDedup(case=False)), [e, f]).kept) == 2


def test_exact_dedup_on_real_reposts():
    docs = [Document(r["id"], r["text"]) for r in load_records("weibo_checked_comments.jsonl.gz", 3000)]
    result = run_in_memory(recipe(ExactDedup()), [docs[:1000], docs[1000:2000], docs[2000:]])
    kept_texts = [" ".join(d.text.split()).casefold() for d in result.kept]
    assert len(kept_texts) == len(set(kept_texts)) < len(docs) * 0.8
    assert len(result.kept) + len(result.removed) == len(docs)
