"""exact_dedup: its normalization switches, cross-shard survivors and real duplicates."""

from __future__ import annotations

from conftest import load_records

from taosha.dedup.exact import ExactDedup
from taosha.document import Document
from taosha.pipeline import run_in_memory
from taosha.recipe import Recipe


def kept(texts: list[str], **params) -> list[str]:
    docs = [Document(str(i), t) for i, t in enumerate(texts)]
    result = run_in_memory(Recipe(name="x", steps=(("exact_dedup", ExactDedup(**params)),)), docs)
    return [d.text for d in result.kept]


def test_default_folds_width_case_and_whitespace_only():
    assert kept(["ＡＩ 绘画", "ai绘画"]) == ["ＡＩ 绘画"]
    assert kept(["价格：100元", "价格：200元"]) == ["价格：100元", "价格：200元"]  # digits kept
    assert kept(["你好！", "你好"]) == ["你好！", "你好"]  # punctuation kept


def test_each_switch():
    assert kept(["你好！", "你好"], punctuation=True) == ["你好！"]
    assert kept(["价格：100元", "价格：200元"], digits=True) == ["价格：100元"]
    assert kept(["ＡＩ绘画", "AI绘画"], width=False) == ["ＡＩ绘画", "AI绘画"]
    assert kept(["Hello世界", "hello世界"], case=False) == ["Hello世界", "hello世界"]
    assert kept(["转发 微博", "转发微博"], whitespace=False) == ["转发 微博", "转发微博"]


def test_real_reposts_first_copy_survives_across_shards():
    texts = [r["text"] for r in load_records("weibo_checked_comments.jsonl.gz", 3000)]
    docs = [Document(str(i), t) for i, t in enumerate(texts)]
    step = ExactDedup()
    one = run_in_memory(Recipe(name="x", steps=(("exact_dedup", step),)), docs)
    three = run_in_memory(Recipe(name="x", steps=(("exact_dedup", step),)), [docs[:1000], docs[1000:2200], docs[2200:]])
    assert [d.id for d in one.kept] == [d.id for d in three.kept]
    keys = {step.key_hash(t) for t in texts}
    assert len(one.kept) == len(keys) < len(texts) * 0.8  # 「转发微博」 and friends repeat a lot
    copies = sum(d.meta.get("dedup", {}).get("exact_copies", 1) for d in one.kept)
    assert copies == len(texts)
