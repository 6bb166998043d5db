"""Does near_dedup's own work parallelise?  Its phases run in 1 and in 2 processes, without the engine.

    .venv/bin/python benchmarks/dedup/bench_parallel.py [--corpus all] [--shards 16] [--repeats 3]

The corpus (default: every text of ../shared/data, 609,462 documents) is cut into ``--shards``
shards in memory; collect runs once per shard, each reduce phase once per partition, apply once per
shard, exactly as an engine schedules them, in a ``multiprocessing`` pool (fork) of 1 or 2
processes.  Reports median wall seconds, the speed-up, and whether the decisions were identical.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from corpora import WORK, corpus

from taosha.dedup.near import NearDedup
from taosha.document import Document
from taosha.step import Context

TEXTS: list[str] = []
SHARDS: list[tuple[int, int]] = []
STEP = NearDedup()


def ctx(root: Path, shard: int) -> Context:
    return Context(shard_index=shard, n_shards=len(SHARDS), work_dir=root)


def collect(args: tuple[str, int]) -> None:
    root, shard = Path(args[0]), args[1]
    lo, hi = SHARDS[shard]
    for _ in STEP.collect((Document(str(i), TEXTS[i]) for i in range(lo, hi)), ctx(root, shard).for_step("nd")):
        pass


def reduce(args: tuple[str, int, int]) -> None:
    STEP.reduce(args[1], args[2], Path(args[0]) / "state" / "nd", len(SHARDS))


def apply(args: tuple[str, int]) -> int:
    root, shard = Path(args[0]), args[1]
    lo, hi = SHARDS[shard]
    return sum(1 for _ in STEP.apply((Document(str(i), TEXTS[i]) for i in range(lo, hi)), ctx(root, shard).for_step("nd")))


def run(workers: int) -> tuple[float, str]:
    root = tempfile.mkdtemp(dir=WORK)
    try:
        start = time.perf_counter()
        with mp.get_context("fork").Pool(workers) as pool:
            pool.map(collect, [(root, s) for s in range(len(SHARDS))], chunksize=1)
            for phase, parts in enumerate(STEP.reduce_plan(len(SHARDS))):
                pool.map(reduce, [(root, phase, p) for p in range(parts)], chunksize=1)
            kept = pool.map(apply, [(root, s) for s in range(len(SHARDS))], chunksize=1)
        seconds = time.perf_counter() - start
        digest = hashlib.sha256()
        for path in sorted((Path(root) / "state" / "nd" / "decide").iterdir()):
            digest.update(path.read_bytes())
        return seconds, f"{sum(kept)}:{digest.hexdigest()[:12]}"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="all")
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    TEXTS.extend(corpus(args.corpus))
    size = -(-len(TEXTS) // args.shards)
    SHARDS.extend((lo, min(lo + size, len(TEXTS))) for lo in range(0, len(TEXTS), size))
    times: dict[int, list[float]] = {1: [], 2: []}
    results = set()
    for _ in range(args.repeats):
        for workers in (1, 2):
            seconds, result = run(workers)
            times[workers].append(seconds)
            results.add(result)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print("| corpus | docs | shards | 1 process s | 2 processes s | speed-up | same decisions |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.corpus} | {len(TEXTS):,} | {len(SHARDS)} | {one:.2f} | {two:.2f} | {one / two:.2f}x | {len(results) == 1} |")
    print(f"all runs: {times}")


if __name__ == "__main__":
    main()
