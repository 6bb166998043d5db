"""Readers on good and bad input: bad records are quarantined with a reason, their neighbours kept."""

from __future__ import annotations

import gzip

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from conftest import load_records
from helpers import read_jsonl_dir, write_recipe

from taosha.io.files import expand_inputs
from taosha.io.readers import Quarantined, ShardReader, plan_shards
from taosha.recipe import InputSettings, load_recipe
from taosha.run import run


@pytest.fixture(scope="module")
def real() -> list[dict]:
    return load_records("weibo_smp2020_ewect.jsonl.gz", 300)


def lines(records) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def read_all(path, **settings):
    settings = InputSettings(**settings)
    items = []
    for shard in plan_shards(expand_inputs([str(path)]), settings):
        items.extend(ShardReader(shard, settings))
    return items


def test_bad_records_are_quarantined_with_reasons_and_neighbours_kept(tmp_path, real):
    good = real[:6]
    big = {"id": "big", "text": "长" * (3 << 20)}
    body = b"".join([
        orjson.dumps(good[0]) + b"\n",
        b'{"id": "x1", "text": "unterminated\n',
        orjson.dumps(good[1]) + b"\n",
        b'{"id": "x2", "text": "\xff\xfe bad bytes"}\n',
        b"[1, 2, 3]\n",
        b'{"id": "x3", "text": 42}\n',
        b'{"id": "x4"}\n',
        b'{"id": ["x5"], "text": "list id"}\n',
        b"\n",
        orjson.dumps(big) + b"\n",
        orjson.dumps(good[2]) + b"\n",
    ])
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(body)
    items = read_all(path, max_record_size=1 << 20)
    docs = [i for i in items if not isinstance(i, Quarantined)]
    bad = [i for i in items if isinstance(i, Quarantined)]
    assert [d.id for d in docs] == [good[0]["id"], good[1]["id"], good[2]["id"]]
    assert docs[0].text == good[0]["text"] and docs[0].meta["label"] == good[0]["label"]
    assert [(q.line, q.reason) for q in bad] == [
        (2, "malformed_json"), (4, "invalid_utf8"), (5, "not_an_object"), (6, "text_not_string"),
        (7, "missing_text"), (8, "bad_id"), (10, "too_large"),
    ]
    assert all(q.file == "mixed.jsonl" for q in bad)
    too_large = bad[-1]
    assert too_large.raw_size > 9 << 20 and len(too_large.raw) == 1 << 20
    assert "raw_base64" in bad[1].to_record() and bad[0].to_record()["raw"].startswith('{"id": "x1"')


def test_fifty_megabyte_line_goes_to_quarantine_in_a_run(tmp_path, real):
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as fh:
        fh.write(lines(real[:50]))
        fh.write(b'{"id": "huge", "text": "' + "数".encode() * ((50 << 20) // 3) + b'"}\n')
        fh.write(lines(real[50:100]))
    out = tmp_path / "out"
    stats = run(load_recipe(write_recipe(tmp_path)), [str(path)], out, workers=1, report=False)
    assert stats.documents["quarantined"] == 1 and stats.quarantined == {"too_large": 1}
    assert stats.documents["kept"] + stats.documents["removed"] == 100
    (record,) = read_jsonl_dir(out / "quarantine")
    assert record["reason"] == "too_large" and record["line"] == 51 and record["raw_size"] > 50 << 20


def test_truncated_gzip_keeps_what_came_before(tmp_path, real):
    whole = gzip.compress(lines(real), mtime=0)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    items = read_all(path)
    docs = [i for i in items if not isinstance(i, Quarantined)]
    bad = [i for i in items if isinstance(i, Quarantined)]
    assert 50 < len(docs) < len(real)
    assert [d.id for d in docs] == [r["id"] for r in real[: len(docs)]]
    assert len(bad) == 1 and bad[0].reason == "truncated_file" and bad[0].line == len(docs) + 1


@pytest.mark.parametrize("level", [1, 3, 19])
def test_truncated_zstd_is_quarantined_not_silently_short(tmp_path, real, level):
    # zstandard's own stream reader ends quietly in the middle of a cut frame; ours must not.
    whole = zstandard.ZstdCompressor(level=level).compress(lines(real))
    path = tmp_path / "cut.jsonl.zst"
    path.write_bytes(whole[: len(whole) // 2])
    items = read_all(path)
    docs = [i for i in items if not isinstance(i, Quarantined)]
    bad = [i for i in items if isinstance(i, Quarantined)]
    assert [d.id for d in docs] == [r["id"] for r in real[: len(docs)]] and len(docs) < len(real)
    assert [(q.reason, q.line) for q in bad] == [("truncated_file", len(docs) + 1)]


def test_concatenated_zstd_frames_are_read_across(tmp_path, real):
    compressor = zstandard.ZstdCompressor()
    path = tmp_path / "frames.jsonl.zst"
    path.write_bytes(compressor.compress(lines(real[:30])) + compressor.compress(lines(real[30:60])))
    assert [d.id for d in read_all(path)] == [r["id"] for r in real[:60]]


def test_zstd_and_empty_files(tmp_path, real):
    (tmp_path / "a.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(lines(real[:40])))
    (tmp_path / "empty.jsonl").write_bytes(b"")
    items = read_all(tmp_path)
    assert [d.id for d in items] == [r["id"] for r in real[:40]]


def test_ids_from_file_and_line_when_absent_and_stable_across_byte_ranges(tmp_path, real):
    records = [{"content": r["text"], "label": r["label"]} for r in real]
    path = tmp_path / "noid.jsonl"
    path.write_bytes(lines(records))
    whole = read_all(path, text_field="content")
    ranged = read_all(path, text_field="content", shard_size=4096)
    assert len(plan_shards(expand_inputs([str(path)]), InputSettings(shard_size=4096))) > 3
    assert [(d.id, d.text) for d in whole] == [(d.id, d.text) for d in ranged]
    assert whole[0].id == "noid.jsonl:1" and whole[-1].id == f"noid.jsonl:{len(real)}"


def test_parquet_in_and_out(tmp_path, real):
    table = pa.Table.from_pylist([{"id": r["id"], "text": r["text"], "label": r["label"]} for r in real])
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=50)
    items = read_all(tmp_path / "in.parquet", shard_size=1)
    assert [d.id for d in items] == [r["id"] for r in real]
    recipe = load_recipe(write_recipe(tmp_path), {"output.format": "parquet"})
    run(recipe, [str(tmp_path / "in.parquet")], tmp_path / "out", workers=1, report=False)
    out = pq.read_table(sorted((tmp_path / "out" / "data").glob("*.parquet"))[0]).to_pylist()
    assert out and set(out[0]) == {"id", "text", "meta"}
    assert orjson.loads(out[0]["meta"])["label"] in {"neutral", "angry", "happy", "sad", "fear", "surprise"}


def test_broken_parquet_is_quarantined(tmp_path):
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    (item,) = read_all(tmp_path / "broken.parquet")
    assert isinstance(item, Quarantined) and item.reason == "unreadable_file"


def test_plain_text_one_document_per_file(tmp_path, real):
    root = tmp_path / "txt"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(real[0]["text"], encoding="utf-8")
    (root / "sub" / "b.txt").write_bytes("\ufeff".encode() + real[1]["text"].encode())
    (root / "sub" / "c.txt").write_bytes(real[2]["text"].encode("gbk", "ignore") + "中文".encode("gbk"))
    items = read_all(root, format="txt")
    assert [(getattr(i, "id", None), getattr(i, "reason", None)) for i in items] == [
        ("a.txt", None), ("sub/b.txt", None), (None, "invalid_utf8"),
    ]
    assert items[1].text == real[1]["text"]


def test_fsspec_memory_filesystem(real):
    import fsspec

    fs = fsspec.filesystem("memory")
    with fs.open("/bucket/part.jsonl", "wb") as fh:
        fh.write(lines(real[:7]))
    items = read_all("memory://bucket/part.jsonl")
    assert [d.id for d in items] == [r["id"] for r in real[:7]]


def test_jsonl_reader_reports_progress_in_bytes(tmp_path, real):
    path = tmp_path / "p.jsonl"
    path.write_bytes(lines(real))
    settings = InputSettings()
    (shard,) = plan_shards(expand_inputs([str(path)]), settings)
    reader = ShardReader(shard, settings)
    assert sum(1 for _ in reader) == len(real) and reader.bytes_read == path.stat().st_size


def test_compressed_files_are_cut_into_line_ranges_that_read_the_same(tmp_path):
    news = load_records("news_thucnews_sample.jsonl.gz")
    (tmp_path / "news.jsonl.gz").write_bytes(gzip.compress(lines(news), mtime=0))
    (tmp_path / "news.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(lines(news[:500])))
    fine = InputSettings(min_shards=16)
    shards = plan_shards(expand_inputs([str(tmp_path)]), fine)
    assert sum(s.name.startswith("news.jsonl.gz[lines") for s in shards) >= 2
    assert sum(s.name.startswith("news.jsonl.zst[lines") for s in shards) >= 2
    cut = [(d.id, d.text) for s in shards for d in ShardReader(s, fine)]
    whole = [(d.id, d.text) for d in read_all(tmp_path, min_shards=1, shard_size=1 << 30)]
    assert cut == whole and len(cut) == len(news) + 500
    assert cut[len(news) - 1][0] == news[-1]["id"]


def test_truncated_gzip_cut_into_ranges_loses_nothing_before_the_break(tmp_path):
    news = load_records("news_thucnews_sample.jsonl.gz")
    whole = gzip.compress(lines(news), mtime=0)
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: int(len(whole) * 0.6)])
    settings = InputSettings(min_shards=16)
    shards = plan_shards(expand_inputs([str(tmp_path)]), settings)
    assert len(shards) >= 2
    items = [i for s in shards for i in ShardReader(s, settings)]
    docs = [i for i in items if not isinstance(i, Quarantined)]
    bad = [i for i in items if isinstance(i, Quarantined)]
    assert [d.id for d in docs] == [r["id"] for r in news[: len(docs)]] and len(docs) > len(news) // 2
    assert [(q.reason, q.line) for q in bad] == [("truncated_file", len(docs) + 1)]
