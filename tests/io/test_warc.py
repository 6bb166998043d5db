"""WARC ingestion: records -> documents with url/title/date, quarantine reasons, a whole run.

The WARC files are written here (``taosha.demo.warc_sample``): generated Chinese news pages in
UTF-8, GBK and Big5 with lying or missing charset headers, plus the records a real crawl also holds
(requests, redirects, 404s, images, gzip-encoded responses).
"""

from __future__ import annotations

import gzip
import importlib.util
import random
import statistics
import sys
from pathlib import Path

import orjson
import pytest
from helpers import read_jsonl_dir

from taosha.demo.warc_sample import (
    Page,
    build_page,
    sample_pages,
    score_extraction,
    warc_record,
    write_warc,
    write_warc_sample,
)
from taosha.document import Document
from taosha.errors import RecipeError
from taosha.io.encoding import normalize_charset
from taosha.io.files import expand_inputs
from taosha.io.html import HtmlExtract
from taosha.io.readers import Quarantined, ShardReader, plan_shards
from taosha.recipe import InputSettings, load_recipe
from taosha.run import run


def read_all(path: Path, **settings) -> list[Document | Quarantined]:
    input_settings = InputSettings(**settings)
    shards = plan_shards(expand_inputs([str(path)]), input_settings)
    assert {s.kind for s in shards} == {"warc"}
    items: list[Document | Quarantined] = []
    for shard in shards:
        reader = ShardReader(shard, input_settings)
        items.extend(reader)
        assert reader.bytes_read > 0
    return items


def _pages(n: int = 12) -> list[Page]:
    rng = random.Random(3)
    encodings = ("utf-8", "gbk", "big5")
    declared = (True, "utf-8", False, "iso-8859-1")
    return [
        build_page(rng, index=i, encoding=encodings[i % 3], declared=declared[i % 4], meta_charset=i % 2 == 0)
        for i in range(n)
    ]


def test_every_html_response_becomes_a_document_with_its_meta(tmp_path):
    pages = _pages()
    for name in ("crawl.warc.gz", "crawl.warc"):
        items = read_all(write_warc(tmp_path / name, pages))
        assert all(isinstance(x, Document) for x in items)
        docs = [x for x in items if isinstance(x, Document)]
        assert len(docs) == len(pages) and len({d.id for d in docs}) == len(pages)
        assert all(d.id.startswith("urn:uuid:") for d in docs)
        for doc, page in zip(docs, pages, strict=True):
            assert doc.meta["url"] == page.url
            assert doc.meta["title"] == page.title
            assert doc.meta["date"] == page.date
            assert doc.meta["crawl"]["encoding"] == normalize_charset(page.encoding)
            assert doc.meta["crawl"]["warc_date"].startswith("2024-12-01T")
            kept, _ = score_extraction(doc.text, page)
            assert kept == 1.0, (page.url, page.encoding, page.declared)
        # Paragraph breaks survive the whole path: each paragraph is one line.
        lines = [set(d.text.split("\n")) for d in docs]
        assert statistics.mean(sum(p in ls for p in page.article) / len(page.article) for ls, page in zip(lines, pages, strict=True)) >= 0.99


def _response(url: str, status: str, headers: str, payload: bytes, rid: int) -> bytes:
    http = f"HTTP/1.1 {status}\r\n{headers}Content-Length: {len(payload)}\r\n\r\n".encode("ascii") + payload
    return warc_record(
        {"WARC-Type": "response", "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{rid:012d}>",
         "WARC-Date": "2024-12-01T00:00:00Z", "WARC-Target-URI": url, "Content-Type": "application/http; msgtype=response"},
        http,
    )


def test_records_that_are_not_pages_are_passed_over_and_http_encodings_undone(tmp_path):
    page = _pages(2)[1]  # GBK
    body = page.body()
    records = [
        _response("http://a.example.cn/old", "301 Moved Permanently", "Location: http://a.example.cn/new\r\n", b"", 1),
        _response("http://a.example.cn/missing", "404 Not Found", "Content-Type: text/html\r\n", "<p>页面不存在</p>".encode(), 2),
        _response("http://a.example.cn/logo.png", "200 OK", "Content-Type: image/png\r\n", b"\x89PNG\r\n\x1a\n" + bytes(50), 3),
        warc_record({"WARC-Type": "metadata", "WARC-Record-ID": "<urn:uuid:00000000-0000-4000-8000-000000000004>",
                     "WARC-Date": "2024-12-01T00:00:00Z", "Content-Type": "application/warc-fields"}, b"via: test\r\n"),
        _response(page.url, "200 OK", "Content-Type: text/html; charset=gbk\r\nContent-Encoding: gzip\r\n", gzip.compress(body), 5),
        warc_record({"WARC-Type": "resource", "WARC-Record-ID": "<urn:uuid:00000000-0000-4000-8000-000000000006>",
                     "WARC-Date": "2024-12-01T00:00:00Z", "WARC-Target-URI": "file:///saved.html",
                     "Content-Type": "text/html"}, body),
    ]
    path = tmp_path / "mixed.warc.gz"
    path.write_bytes(b"".join(gzip.compress(r, mtime=0) for r in records))
    items = read_all(path)
    assert [x.id for x in items if isinstance(x, Document)] == [
        "urn:uuid:00000000-0000-4000-8000-000000000005", "urn:uuid:00000000-0000-4000-8000-000000000006",
    ]
    for doc in items:
        assert isinstance(doc, Document)
        assert score_extraction(doc.text, page)[0] == 1.0


def test_a_truncated_warc_keeps_what_came_before(tmp_path):
    pages = _pages(8)
    for name in ("full.warc.gz", "full.warc"):
        data = write_warc(tmp_path / name, pages).read_bytes()
        for share in (0.3, 0.6, 0.95):
            cut = tmp_path / f"cut-{share}-{name}"
            cut.write_bytes(data[: int(len(data) * share)])
            items = read_all(cut)
            docs = [x for x in items if isinstance(x, Document)]
            bad = [x for x in items if isinstance(x, Quarantined)]
            assert 1 <= len(docs) < 8, (name, share)
            assert [b.reason for b in bad] == ["truncated_file"]
            # Every page before the cut is whole.
            for doc, page in zip(docs, pages, strict=False):
                assert score_extraction(doc.text, page)[0] == 1.0


def test_oversized_and_undecodable_pages_are_quarantined(tmp_path):
    pages = _pages(3)
    rng = random.Random(5)
    noise = b"<html><body>" + bytes(rng.randrange(0x80, 0x100) for _ in range(4000)) + b"</body></html>"
    big = b"<html><body><p>" + "很长的页面。".encode() * 40_000 + b"</p></body></html>"
    path = tmp_path / "bad.warc"
    path.write_bytes(
        _response(pages[0].url, "200 OK", "Content-Type: text/html; charset=utf-8\r\n", pages[0].body(), 1)
        + _response("http://a.example.cn/noise", "200 OK", "Content-Type: text/html\r\n", noise, 2)
        + _response("http://a.example.cn/big", "200 OK", "Content-Type: text/html\r\n", big, 3)
    )
    items = read_all(path, max_record_size=256 << 10)
    assert isinstance(items[0], Document)
    assert [(x.reason, x.line) for x in items[1:] if isinstance(x, Quarantined)] == [("undecodable", 2), ("too_large", 3)]
    record = items[2].to_record()
    assert record["raw_size"] == len(big) and "http://a.example.cn/big" in record["error"]


def test_the_demo_sample_is_deterministic_and_mixed(tmp_path):
    a = write_warc_sample(tmp_path / "a", n_pages=30, seed=4)
    b = write_warc_sample(tmp_path / "b", n_pages=30, seed=4)
    assert a.read_bytes() == b.read_bytes()
    pages = sample_pages(30, seed=4)
    assert {p.encoding for p in pages} == {"utf-8", "gbk", "big5"}
    assert any(p.declared not in (None, p.encoding) for p in pages)  # some headers lie
    docs = [x for x in read_all(a) if isinstance(x, Document)]
    assert len(docs) == 30


def test_taosha_run_from_crawl_to_corpus(tmp_path):
    """The default recipe on a WARC: extraction first, then boilerplate_lines cleans what it left."""
    warc = write_warc_sample(tmp_path / "in", n_pages=40, seed=0)
    pages = {p.url: p for p in sample_pages(40, seed=0)}
    out = tmp_path / "out"
    stats = run(load_recipe("zh-web"), [str(warc)], out, workers=1, report=False)
    kept = read_jsonl_dir(out / "data")
    removed = read_jsonl_dir(out / "removed")
    assert len(kept) + len(removed) == 40
    assert read_jsonl_dir(out / "quarantine") == []
    assert stats.quarantined == {} or sum(stats.quarantined.values()) == 0
    assert len(kept) >= 30
    before, after = [], []
    for record in kept:
        page = pages[record["url"]]
        assert record["title"] == page.title and record["date"] == page.date
        after.append(score_extraction(record["text"], page))
    manifest_steps = orjson.loads((out / "stats.json").read_bytes())["steps"]
    assert "boilerplate_lines" in manifest_steps
    # The article survives cleaning; what extraction left of the furniture does not grow.
    assert statistics.mean(k for k, _ in after) >= 0.95
    for page in pages.values():
        if page.url in {r["url"] for r in kept}:
            before.append(score_extraction(_extracted(page), page)[1])
    assert statistics.mean(f for _, f in after) <= statistics.mean(before)


def _extracted(page: Page) -> str:
    from taosha.io.html import extract

    return extract(page.html, page.url).text


def test_without_the_extra_the_error_names_it(tmp_path, monkeypatch):
    warc = write_warc(tmp_path / "x.warc.gz", _pages(1))
    monkeypatch.setitem(sys.modules, "fastwarc.warc", None)  # makes `import fastwarc.warc` fail
    with pytest.raises(RecipeError, match=r"taosha\[warc\]"):
        read_all(warc)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "trafilatura" else real_find_spec(name, *a))
    with pytest.raises(RecipeError, match=r"html_extract needs trafilatura; install the 'warc' extra"):
        HtmlExtract()
