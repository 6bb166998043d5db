"""Cost of zh_normalize + boilerplate_lines against the read-parse-write floor, side by side.

For each file of ../shared/data (or the files given), in one process and alternating, ``--repeat``
times: the *floor* (gzip-decompress, orjson-parse every record, orjson-serialize and write it back
gzip level 3, as ``benchmarks/floor.py`` and taosha's writer do) and the *steps* (``zh_normalize``
then ``boilerplate_lines`` through :func:`taosha.pipeline.chain`, on fresh copies of the parsed
documents).  Reports medians and the ratio steps / floor (target <= 1.0).

    .venv/bin/python benchmarks/normalize_cost.py [--repeat 5] [FILE ...]
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import statistics
import time
from pathlib import Path

import orjson

from taosha import Context, Document
from taosha.clean.boilerplate import BoilerplateLines
from taosha.normalize.zh import ZhNormalize
from taosha.pipeline import chain

DATA = Path(os.environ.get("TAOSHA_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def floor(path: Path) -> float:
    start = time.perf_counter()
    sink = io.BytesIO()
    with gzip.open(path, "rb") as src, gzip.GzipFile(fileobj=sink, mode="wb", mtime=0, compresslevel=3) as dst:
        for line in src:
            dst.write(orjson.dumps(orjson.loads(line)) + b"\n")
    return time.perf_counter() - start


def steps(records: list[tuple[str, str]]) -> float:
    docs = [Document(i, t) for i, t in records]
    pipeline = [("zh_normalize", ZhNormalize()), ("boilerplate_lines", BoilerplateLines())]
    start = time.perf_counter()
    for _ in chain(pipeline, docs, Context()):
        pass
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    files = args.files or sorted(DATA.glob("*.jsonl.gz"))
    steps([("warm", "启动：加载繁体字表,&amp;ampquot")])  # build the OpenCC table and regexes once
    print("| file | docs | MB text | floor s | steps s | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    tot_floor = tot_steps = 0.0
    for path in files:
        with gzip.open(path, "rb") as fh:
            recs = [orjson.loads(line) for line in fh]
        records = [(str(r["id"]), r["text"]) for r in recs]
        mb = sum(len(t.encode()) for _, t in records) / 1e6
        f_times, s_times = [], []
        for _ in range(args.repeat):
            f_times.append(floor(path))
            s_times.append(steps(records))
        f, s = statistics.median(f_times), statistics.median(s_times)
        tot_floor += f
        tot_steps += s
        print(f"| {path.name.replace('.jsonl.gz', '')} | {len(records):,} | {mb:.1f} | {f:.3f} | {s:.3f} | {s / f:.2f} |", flush=True)
    print(f"| **all** | | | {tot_floor:.3f} | {tot_steps:.3f} | **{tot_steps / tot_floor:.2f}** |")


if __name__ == "__main__":
    main()
