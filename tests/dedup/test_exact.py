"""exact_dedup: its normalization switches, cross-shard survivors and real duplicates."""

from __future__ import annotations

import numpy as np
import pytest
import xxhash
from conftest import load_records

from taosha.dedup.exact import (
    _DROP,
    _TABLE_TOP,
    ExactDedup,
    SectionWriter,
    _key_table,
    load_section,
    save_sections,
)
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


def test_batch_keys_match_one_text_at_a_time():
    # key_hashes folds a whole batch at once; each key must be the xxh3 of that text's own folded
    # code points, whatever its neighbours (spaces at the edges, astral characters, empty texts).
    texts = [r["text"] for r in load_records("weibo_checked_comments.jsonl.gz", 400)]
    texts += ["", "  ", "𠀀𠀁 好", "Ａ\u3000b", " 转发微博 ", "", "\ud800孤"]
    step = ExactDedup(punctuation=True)
    table = _key_table(True, True, True, True, False)

    def one(text: str) -> int:
        cps = [ord(c) for c in text]
        folded = [cp if cp >= _TABLE_TOP else int(table[cp]) for cp in cps]
        return xxhash.xxh3_64_intdigest(np.array([c for c in folded if c != _DROP], dtype=np.uint32).tobytes())

    assert step.key_hashes(texts).tolist() == [one(t) for t in texts]
    assert step.key_hash(" 转发微博 ") == step.key_hash("转发，微博") == one("转发微博")


def test_sectioned_state_files(tmp_path):
    # One file per task, read back section by section (of every run, in run order).
    dtype = np.dtype([("a", "<u8"), ("b", "<u4")])

    def rows(values):
        out = np.zeros(len(values), dtype=dtype)
        out["a"] = values
        out["b"] = np.arange(len(values))
        return out

    path = tmp_path / "x.bin"
    writer = SectionWriter(path, 3)
    writer.write_run(rows([5, 3, 1, 4]), np.array([2, 0, 0, 2]))
    writer.write_merged([writer.sort(rows([7]), np.array([2])), writer.sort(rows([8, 9]), np.array([0, 2]))])
    writer.close()
    assert load_section(path, 0, dtype)["a"].tolist() == [3, 1, 8]
    assert load_section(path, 1, dtype)["a"].tolist() == []
    assert load_section(path, 2, dtype)["a"].tolist() == [5, 4, 7, 9]
    with pytest.raises(ValueError, match="3 sections"):
        load_section(path, 3, dtype)
    save_sections(path, rows([]), np.zeros(0, dtype=np.int64), 2)  # an empty shard
    assert len(load_section(path, 1, dtype)) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.bin"]  # no temporary left
