"""The benchmark corpora, read from ../shared/data (never copied into the repository).

Standard library only, so that the peers' virtualenv can import it too.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("TAOSHA_DATA", REPO.parent / "shared" / "data"))
WORK = REPO / "benchmarks" / "_work"

LONG_FILES = [
    "news_thucnews_sample", "web_cluecorpussmall_sample", "web_chinesewebtext_sample",
    "wiki_zhwiki_sample", "wiki_cmrc2018_contexts", "wiki_drcd_traditional_contexts",
]
SHORT_FILES = [
    "weibo_ced_reposts", "weibo_checked_comments", "weibo_smp2020_ewect",
    "reviews_sophonplus", "reviews_book_review",
]
SHORT_N = 50_000


def records(name: str) -> list[dict]:
    with gzip.open(DATA / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def stream_texts(name: str):  # type: ignore[no-untyped-def]
    """The texts of one file, one at a time (the peak RSS of a run should be the tool's, not ours)."""
    with gzip.open(DATA / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)["text"]


def long_texts() -> list[str]:
    """9,224 real news, web and encyclopedia documents (11.5 MB of UTF-8)."""
    return [t for name in LONG_FILES for t in stream_texts(name)]


def short_texts(count: int) -> list[str]:
    """``count`` short Weibo and review texts, taken round-robin from the five files, so that N and
    4N documents have the same mix (and the same giant clusters of 「转发微博」, growing with N)."""
    streams = [stream_texts(name) for name in SHORT_FILES]
    mixed = (t for group in itertools.zip_longest(*streams) for t in group if t is not None)
    return list(itertools.islice(mixed, count))


def all_texts() -> list[str]:
    """Every text of every file of ../shared/data (609,462 documents)."""
    return [t for path in sorted(DATA.glob("*.jsonl.gz")) for t in stream_texts(path.name[: -len(".jsonl.gz")])]


def corpus(name: str) -> list[str]:
    if name == "all":
        return all_texts()
    if name == "long":
        return long_texts()
    if name.startswith("short"):
        factor = int(name[5:] or 1)
        return short_texts(SHORT_N * factor)
    raise ValueError(f"unknown corpus {name!r} (long, short1, short4, all)")
