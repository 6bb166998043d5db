"""Crawl ingestion: extractor quality and speed, charset detection accuracy, WARC reader speed.

    .venv/bin/python benchmarks/extraction.py [--pages 60] [--repeats 3]

Pages are built by ``taosha.demo.warc_sample.build_page`` (nav, breadcrumbs, teasers, comments,
footer; portal, blog and table layouts).  Two article sources: the demo's own sentences, and real
news text from ``../shared/data/news_thucnews_sample.jsonl.gz`` split into paragraphs (read here,
never stored).  Quality is ``score_extraction``: share of article characters kept (paragraphs found
whole) and furniture characters left (visible characters that are not article, over all furniture
characters), and the share of article paragraphs that come out as exactly one line.  Times are
medians over ``--repeats`` alternating runs, in milliseconds per page, on decoded text.
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import statistics
import sys
import time
from pathlib import Path

import orjson

from taosha.demo.warc_sample import Page, build_page, sample_pages, score_extraction, write_warc
from taosha.io.encoding import decode_html, normalize_charset

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
LAYOUTS = ("portal", "blog", "table")


def real_articles(n: int) -> list[list[str]]:
    out = []
    with gzip.open(DATA / "news_thucnews_sample.jsonl.gz", "rb") as fh:
        for line in fh:
            text = orjson.loads(line)["text"]
            sentences = re.findall(r"[^。！？]+[。！？]+[”」』]?", text)
            paras = ["".join(sentences[i : i + 3]).strip() for i in range(0, min(len(sentences), 24), 3)]
            paras = [p for p in paras if p]
            if len(paras) >= 2:
                out.append(paras)
            if len(out) >= n:
                break
    return out


def extractors() -> dict[str, object]:
    import trafilatura
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    from taosha.io.html import extract, tidy_paragraphs

    def traf_default(html: str) -> str:
        return tidy_paragraphs(trafilatura.extract(html, include_comments=False) or "")

    def traf_precision(html: str) -> str:
        return tidy_paragraphs(
            trafilatura.extract(html, include_comments=False, favor_precision=True, include_tables=False) or ""
        )

    def resiliparse_main(html: str) -> str:
        return tidy_paragraphs(extract_plain_text(
            HTMLTree.parse(html), main_content=True, alt_texts=False, links=False, comments=False, list_bullets=False,
        ))

    return {
        "trafilatura (defaults, no comments)": traf_default,
        "trafilatura (precision, no tables)": traf_precision,
        "resiliparse (main_content)": resiliparse_main,
        "taosha extract (trafilatura + resiliparse fallback)": lambda html: extract(html).text,
    }


def quality(fn, pages: list[Page], repeats: int) -> tuple[float, float, float, float]:
    kept, left, lines = [], [], []
    for page in pages:
        text = fn(page.html)
        k, f = score_extraction(text, page)
        kept.append(k)
        left.append(f)
        # Extractors collapse runs of spaces inside a paragraph; only the line breaks are judged.
        out_lines = {"".join(line.split()) for line in text.split("\n")}
        lines.append(sum("".join(p.split()) in out_lines for p in page.article) / len(page.article))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for page in pages:
            fn(page.html)
        times.append((time.perf_counter() - start) / len(pages) * 1000)
    return statistics.mean(kept), statistics.mean(left), statistics.mean(lines), statistics.median(times)


def bench_extraction(n: int, repeats: int) -> None:
    rng = random.Random(0)
    real = real_articles(n * len(LAYOUTS))
    sets: dict[str, list[Page]] = {}
    for layout in LAYOUTS:
        sets[f"demo text / {layout}"] = [build_page(rng, index=i, layout=layout) for i in range(n)]
        sets[f"real news / {layout}"] = [
            build_page(rng, index=i, layout=layout, article=real[LAYOUTS.index(layout) * n + i]) for i in range(n)
        ]
    print("\n## Main-text extraction\n")
    print(f"{n} pages per row; kept = article characters kept, left = furniture characters left, "
          "lines = article paragraphs that are exactly one output line (spaces ignored); ms = median ms/page.\n")
    print("| extractor | pages | kept | left | lines | ms/page |")
    print("|---|---|---|---|---|---|")
    fns = extractors()
    for name, fn in fns.items():
        for label, pages in sets.items():
            k, f, ln, ms = quality(fn, pages, repeats)
            print(f"| {name} | {label} | {k:.3f} | {f:.3f} | {ln:.2f} | {ms:.2f} |")
        sys.stdout.flush()


# -- charset detection ------------------------------------------------------------------------------

SCENARIOS = {
    "right header": (True, True),
    "header utf-8 (lie)": ("utf-8", True),
    "header iso-8859-1, no meta": ("iso-8859-1", False),
    "nothing declared": (False, False),
    "meta only": (False, True),
    "header gb2312": ("gb2312", False),
    "header big5": ("big5", False),
}


def decoders() -> dict[str, object]:
    from charset_normalizer import from_bytes
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    from taosha.io.encoding import charset_from_content_type, meta_charset

    def declared_first(data: bytes, header: str | None) -> str:
        # What a browser does: header, else meta, else windows-1252.
        codec = normalize_charset(header) or normalize_charset(meta_charset(data)) or "cp1252"
        return data.decode(codec, errors="replace")

    def normalizer(data: bytes, header: str | None) -> str:
        best = from_bytes(data).best()
        return str(best) if best is not None else ""

    def resiliparse_detect(data: bytes, header: str | None) -> str:
        return bytes_to_str(data, detect_encoding(data))

    _ = charset_from_content_type
    return {
        "declared charset (browser-like)": declared_first,
        "charset-normalizer alone": normalizer,
        "resiliparse detect_encoding": resiliparse_detect,
        "taosha decode_html": lambda data, header: decode_html(data, header).text,
    }


def bench_encoding(n: int, repeats: int) -> None:
    rng = random.Random(1)
    real = real_articles(n)
    cases = []
    for scenario, (declared, meta) in SCENARIOS.items():
        for encoding in ("utf-8", "gbk", "big5"):
            for i in range(n // 4):
                article = real[i] if i % 2 else None
                page = build_page(rng, index=i, encoding=encoding, declared=declared, meta_charset=meta, article=article)
                data = page.body()
                truth = data.decode(normalize_charset(encoding) or encoding)
                cases.append((scenario, encoding, data, page.declared, truth))
    # Short pages: one real sentence or two (20-80 Han characters), no furniture, nothing declared.
    for encoding in ("gbk", "big5"):
        for i, paras in enumerate(real[:n]):
            from taosha.demo.warc_sample import _to_traditional

            text = paras[0][: 20 + (i % 4) * 20]
            if encoding == "big5":
                text = _to_traditional(text)
            data = f"<html><body><p>{text}</p></body></html>".encode(encoding, "xmlcharrefreplace")
            cases.append(("short, undeclared", encoding, data, None, data.decode(normalize_charset(encoding) or encoding)))
    print("\n## Charset detection\n")
    print(f"{len(cases)} pages (UTF-8, GBK, Big5 x {len(SCENARIOS)} declaration scenarios, and short GBK/Big5 "
          "pages of 20-80 characters with no declaration); share decoded exactly right; ms = median ms/page.\n")
    scenarios = [*SCENARIOS, "short, undeclared"]
    print("| decoder | all | " + " | ".join(scenarios) + " | ms/page |")
    print("|---|---|" + "---|" * len(scenarios) + "---|")
    for name, fn in decoders().items():
        ok: dict[str, list[bool]] = {}
        for scenario, _, data, header, truth in cases:
            try:
                right = fn(data, header) == truth
            except Exception:
                right = False
            ok.setdefault(scenario, []).append(right)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _, _, data, header, _ in cases:
                try:
                    fn(data, header)
                except Exception:
                    pass
            times.append((time.perf_counter() - start) / len(cases) * 1000)
        total = [x for v in ok.values() for x in v]
        print(f"| {name} | {sum(total) / len(total):.1%} | "
              + " | ".join(f"{sum(ok[s]) / len(ok[s]):.0%}" for s in scenarios)
              + f" | {statistics.median(times):.2f} |")
        sys.stdout.flush()


# -- WARC readers -----------------------------------------------------------------------------------


def bench_warc(tmp: Path, repeats: int) -> None:
    from fastwarc.warc import ArchiveIterator, WarcRecordType
    from warcio.archiveiterator import ArchiveIterator as WarcioIterator

    pages = sample_pages(500, seed=2) * 4

    def fast(path: Path) -> int:
        with open(path, "rb") as fh:
            return sum(len(r.reader.read()) for r in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True))

    def fast_pygzip(path: Path) -> int:
        with open(path, "rb") as fh, gzip.GzipFile(fileobj=fh) as g:
            return sum(len(r.reader.read()) for r in ArchiveIterator(g, record_types=WarcRecordType.response, parse_http=True))

    def warcio(path: Path) -> int:
        with open(path, "rb") as fh:
            return sum(len(r.content_stream().read()) for r in WarcioIterator(fh) if r.rec_type == "response")

    print("\n## WARC reading (records and payloads only, no extraction)\n")
    print(f"{len(pages)} response records; median seconds over {repeats} alternating runs.\n")
    print("| reader | .warc.gz | .warc |")
    print("|---|---|---|")
    paths = {kind: write_warc(tmp / f"bench.{kind}", pages) for kind in ("warc.gz", "warc")}
    readers = {"fastwarc": fast, "fastwarc over Python gzip (taosha)": fast_pygzip, "warcio": warcio}
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(repeats):
        for name, fn in readers.items():
            for kind, path in paths.items():
                if name.endswith("(taosha)") and kind == "warc":
                    continue
                start = time.perf_counter()
                fn(path)
                times.setdefault((name, kind), []).append(time.perf_counter() - start)
    for name in readers:
        cells = [f"{statistics.median(times[(name, k)]):.3f}" if (name, k) in times else "-" for k in paths]
        print(f"| {name} | {' | '.join(cells)} |")

    from taosha.io.files import expand_inputs
    from taosha.io.readers import ShardReader, plan_shards
    from taosha.recipe import InputSettings

    small = write_warc(tmp / "path.warc.gz", pages[:400])
    settings = InputSettings()
    start = time.perf_counter()
    n = sum(1 for shard in plan_shards(expand_inputs([str(small)]), settings) for _ in ShardReader(shard, settings))
    seconds = time.perf_counter() - start
    print(f"\nWhole reader (decode + extract) on {n} pages: {seconds:.2f} s, {n / seconds:.0f} pages/s on one core.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import logging
    import tempfile

    logging.disable(logging.WARNING)  # trafilatura logs every page it finds nothing in
    print(f"# Crawl ingestion benchmark\n\nCommand: `python benchmarks/extraction.py --pages {args.pages} --repeats {args.repeats}`")
    bench_extraction(args.pages, args.repeats)
    bench_encoding(args.pages, args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        bench_warc(Path(tmp), args.repeats)


if __name__ == "__main__":
    main()
