"""The read-parse-write floor: decompress, JSON-parse and write back the same documents, one process.

Nothing can process a corpus faster than reading and writing it, so taosha's speed is reported as a
ratio to this floor, measured in the same run.  Usage: ``python benchmarks/floor.py OUT FILE...``
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import orjson


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(sys.argv[2:]):
        with gzip.open(name, "rb") as src, open(out / f"{i:05d}.jsonl.gz", "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=3) as dst:
                for line in src:
                    record = orjson.loads(line)
                    dst.write(orjson.dumps(record) + b"\n")


if __name__ == "__main__":
    main()
