"""Do two ``taosha run`` outputs hold the same documents and decisions?

A speed change must not change what a run keeps, removes or writes.  This compares two output
directories document by document (by id, whatever the file layout): kept text and meta, removal
step and reason, quarantine reasons.  Signals are compared exactly (they are on a 1/1024 grid).

    python benchmarks/same_output.py OUT_BEFORE OUT_AFTER        # exit 1 and examples if they differ
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import orjson

from taosha.io.zstd import open_zstd


def _lines(path: Path):
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            yield from fh
    elif path.name.endswith(".zst"):
        with path.open("rb") as raw:
            yield from open_zstd(raw)
    elif path.name.endswith(".parquet"):
        import pyarrow.parquet as pq

        for row in pq.read_table(path).to_pylist():
            yield orjson.dumps({"id": row["id"], "text": row["text"], "meta": orjson.loads(row["meta"] or "{}")})
    else:
        with path.open("rb") as fh:
            yield from fh


def load(out: Path) -> dict[str, dict[str, dict]]:
    """``{"data" | "removed" | "quarantine": {id: record}}`` of one output directory."""
    groups: dict[str, dict[str, dict]] = {}
    for group in ("data", "removed", "quarantine"):
        records: dict[str, dict] = {}
        for path in sorted((out / group).glob("*")):
            for line in _lines(path):
                if line.strip():
                    record = orjson.loads(line)
                    records[str(record.get("id", record.get("source", "")))] = record
        groups[group] = records
    return groups


def compare(a: Path, b: Path, show: int = 5) -> int:
    left, right = load(a), load(b)
    problems = 0
    for group in left:
        only_a = left[group].keys() - right[group].keys()
        only_b = right[group].keys() - left[group].keys()
        differ = [k for k in left[group].keys() & right[group].keys() if left[group][k] != right[group][k]]
        print(f"{group:10} {len(left[group]):7,} vs {len(right[group]):7,}   only in A {len(only_a):,}   "
              f"only in B {len(only_b):,}   different {len(differ):,}")
        for key in sorted(only_a)[:show]:
            print(f"  only A {key}: {str(left[group][key].get('meta', ''))[:200]}")
        for key in sorted(only_b)[:show]:
            print(f"  only B {key}: {str(right[group][key].get('meta', ''))[:200]}")
        for key in sorted(differ)[:show]:
            ra, rb = left[group][key], right[group][key]
            for field in sorted(ra.keys() | rb.keys()):
                if ra.get(field) != rb.get(field):
                    if field == "meta" and isinstance(ra.get(field), dict) and isinstance(rb.get(field), dict):
                        for sub in sorted(ra[field].keys() | rb[field].keys()):
                            if ra[field].get(sub) != rb[field].get(sub):
                                print(f"  {key} meta.{sub}: {str(ra[field].get(sub))[:300]!s}\n"
                                      f"  {' ' * len(key)} {'':5}-> {str(rb[field].get(sub))[:300]!s}")
                    else:
                        print(f"  {key} {field}: {str(ra.get(field))[:150]!r} -> {str(rb.get(field))[:150]!r}")
        problems += len(only_a) + len(only_b) + len(differ)
    print("same" if not problems else f"{problems:,} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(compare(Path(sys.argv[1]), Path(sys.argv[2])))
