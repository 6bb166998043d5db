"""Throughput of the quality steps, one process, on a mix of real documents from ../shared/data.

    .venv/bin/python benchmarks/quality_speed.py [--repeats 3]

Prints MB/s (UTF-8 bytes of input text per CPU second of this process, i.e. per core) for each
step alone and for the whole chain in zh-web order, medians of ``--repeats`` runs.  CPU time
rather than wall time because the development machine is shared: wall time there mostly measures
the other users.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import statistics
import time
from pathlib import Path

import orjson

from taosha.document import Document
from taosha.pipeline import chain
from taosha.recipe import parse_recipe
from taosha.step import Context

DATA = Path(os.environ.get("TAOSHA_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
MIX = {
    "news_thucnews_sample.jsonl.gz": 1000,
    "web_chinesewebtext_sample.jsonl.gz": 120,
    "web_cluecorpussmall_sample.jsonl.gz": 2500,
    "wiki_zhwiki_sample.jsonl.gz": 2500,
    "wiki_drcd_traditional_contexts.jsonl.gz": 2000,
    "weibo_ced_posts.jsonl.gz": 3387,
    "reviews_sophonplus.jsonl.gz": 5000,
}
STEPS = [
    {"cjk_ratio": {}}, {"lang_id": {}}, {"zh_heuristics": {}},
    {"gambling_score": {"action": "drop"}}, {"porn_score": {}}, {"seo_spam_score": {}}, {"ad_spam_score": {}},
]


def load() -> list[tuple[str, str, dict]]:
    out = []
    for name, n in MIX.items():
        with gzip.open(DATA / name, "rb") as fh:
            for line in itertools.islice(fh, n):
                r = orjson.loads(line)
                out.append((str(r["id"]), r["text"], {"title": (r.get("meta") or {}).get("title")}))
    return out


def timed(steps, records, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        docs = [Document(i, t, dict(m)) for i, t, m in records]
        ctx = Context()
        start = time.process_time()
        for _ in chain(steps, docs, ctx):
            pass
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    records = load()
    mb = sum(len(t.encode()) for _, t, _ in records) / 1e6
    steps = list(parse_recipe({"name": "speed", "steps": STEPS}).steps)
    timed(steps, records[:200], 1)  # build the class table and compile the lexicons first
    print(f"{len(records):,} documents, {mb:.1f} MB of text\n")
    print("| step | seconds | MB/s |\n|---|---:|---:|")
    for label, step in steps:
        sec = timed([(label, step)], records, args.repeats)
        print(f"| {label} | {sec:.2f} | {mb / sec:.1f} |")
    sec = timed(steps, records, args.repeats)
    print(f"| **all quality steps, zh-web order** | {sec:.2f} | {mb / sec:.1f} |")


if __name__ == "__main__":
    main()
