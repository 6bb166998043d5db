"""Share of documents per file of ../shared/data that ``length_filter`` (min_chars 20) keeps."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson

from taosha import Document
from taosha.filters.length import LengthFilter

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    step = LengthFilter()
    print("| file | docs | kept |\n|---|---|---|")
    for path in sorted(DATA.glob("*.jsonl.gz")):
        n = kept = 0
        with gzip.open(path, "rb") as fh:
            for line in fh:
                n += 1
                kept += step.keep(Document("", orjson.loads(line)["text"])) is True
        print(f"| {path.name.removesuffix('.jsonl.gz')} | {n:,} | {kept / n:.1%} |")


if __name__ == "__main__":
    main()
