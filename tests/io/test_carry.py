"""Documents carried between stages: written by CarryWriter, read back whole, never silently short."""

from __future__ import annotations

import pytest
from conftest import load_records

from taosha.io.writers import CarryWriter, read_carried


def test_carried_documents_round_trip_in_order(tmp_path):
    records = load_records("news_thucnews_sample.jsonl.gz", 1200)
    writer = CarryWriter(tmp_path, "part-00003")
    for r in records:
        writer.write(r["id"], r["text"], {"signals": {"cjk_ratio": 0.9}, "flags": ("a", "b"), "n": 3})
    [path] = writer.commit()
    assert path.name == "part-00003-000.pkl.zst" and not list(tmp_path.glob("*.tmp"))
    back = list(read_carried(path))
    assert [(i, t) for i, t, _ in back] == [(r["id"], r["text"]) for r in records]
    assert back[0][2] == {"signals": {"cjk_ratio": 0.9}, "flags": ("a", "b"), "n": 3}


def test_a_truncated_carried_file_raises(tmp_path):
    writer = CarryWriter(tmp_path, "part-00000")
    for r in load_records("wiki_zhwiki_sample.jsonl.gz", 2000):
        writer.write(r["id"], r["text"], {})
    [path] = writer.commit()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(EOFError):
        list(read_carried(path))


def test_abort_leaves_nothing(tmp_path):
    writer = CarryWriter(tmp_path, "part-00001")
    writer.write("a", "文本", {})
    writer.abort()
    assert list(tmp_path.iterdir()) == []
