"""Small steps of every kind for the report and inspect tests, so the tests do not depend on which
production steps the default recipe holds today.  Each records what a real step of its kind
records: line-removal counters, ``pii:<TYPE>`` counters, a score histogram with thresholds."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

import orjson

from taosha.dedup.exact import ExactDedup
from taosha.document import Document
from taosha.filters.length import LengthFilter
from taosha.normalize.unicode import UnicodeCleanup
from taosha.recipe import InputSettings, OutputSettings, Recipe
from taosha.step import Drop, LineFilter, Mapper, ScoreFilter, StepContext

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@dataclass(frozen=True, kw_only=True)
class EditorLines(LineFilter):
    """Removes news boilerplate lines: editor credits and "original title" lines."""

    name = "editor_lines"
    min_chars_left: int = 5

    def keep_line(self, line: str) -> bool | Drop:
        if line.lstrip().startswith(("责任编辑", "（责任编辑")):
            return Drop("editor_credit")
        if line.lstrip().startswith("原标题"):
            return Drop("original_title")
        return True


@dataclass(frozen=True, kw_only=True)
class MaskMobile(Mapper):
    """Replaces Chinese mobile numbers with ``<MOBILE>`` and counts them as ``pii:MOBILE``."""

    name = "mask_mobile"

    def map(self, doc: Document) -> Document:
        return self.map_noted(doc)[0]

    def map_noted(self, doc: Document) -> tuple[Document, list[str]]:
        text, n = MOBILE.subn("<MOBILE>", doc.text)
        if n:
            doc.text = text
            doc.meta["pii"] = {"MOBILE": n}
        return doc, (["mobile"] if n else [])

    def run(self, docs, ctx: StepContext):  # type: ignore[no-untyped-def]
        for doc in super().run(docs, ctx):
            n = (doc.meta.get("pii") or {}).get("MOBILE", 0)
            if n:
                ctx.stats.counters["pii:MOBILE"] += n
            yield doc


@dataclass(frozen=True, kw_only=True)
class HanShare(ScoreFilter):
    """Han characters / all characters, in [0, 1]; drops below ``min_value``."""

    name = "han_share"
    min_value: float | None = 0.3

    def score(self, doc: Document) -> float:
        text = doc.text
        return sum("\u4e00" <= c <= "\u9fff" for c in text) / len(text) if text else 0.0


def test_recipe(**input_settings: object) -> Recipe:
    """unicode cleanup -> lines -> PII -> length -> Han share -> exact dedup."""
    return Recipe(
        name="report-test",
        description="steps of every kind, for the report tests",
        input=InputSettings(**input_settings),  # type: ignore[arg-type]
        output=OutputSettings(),
        steps=(
            ("unicode_cleanup", UnicodeCleanup()),
            ("editor_lines", EditorLines()),
            ("mask_mobile", MaskMobile()),
            ("length_filter", LengthFilter(min_chars=20)),
            ("han_share", HanShare(min_value=0.3)),
            ("exact_dedup", ExactDedup()),
        ),
    )


test_recipe.__test__ = False  # type: ignore[attr-defined]


SAMPLE = (
    ("weibo_ced_posts.jsonl.gz", 600),
    ("web_chinesewebtext_sample.jsonl.gz", 120),
    ("web_cluecorpussmall_sample.jsonl.gz", 800),
    ("news_thucnews_sample.jsonl.gz", 200),
)
"""Real documents for the report tests: Weibo posts with phone numbers and duplicates, crawled
pages with 原标题/责任编辑 lines and spam, news."""


def make_run(tmp: Path) -> Path:
    """Run :func:`test_recipe` over :data:`SAMPLE` (one process) and return the output directory."""
    from conftest import load_records

    from taosha.run import QuietProgress, run

    inputs = tmp / "input"
    inputs.mkdir(parents=True)
    for name, limit in SAMPLE:
        with gzip.open(inputs / name, "wb") as fh:
            for record in load_records(name, limit):
                fh.write(orjson.dumps(record) + b"\n")
    out = tmp / "out"
    run(test_recipe(), [str(inputs)], out, workers=1, progress=QuietProgress())
    return out
