"""The whole near-duplicate pass through ``taosha run`` (reading, near_dedup, writing), 1 vs 2 workers.

    .venv/bin/python benchmarks/dedup/bench_workers.py [--repeats 3]

The long corpus (news + web + wiki, 9,224 documents), the 4N short corpus (200,000 Weibo and
review texts) and ``all`` (every text of ../shared/data, 609,462 documents) are written once as plain JSONL under benchmarks/_work/inputs (never in the
repository), cut into 1 MB shards by the recipe, and run with ``-w 1`` and ``-w 2`` alternately;
the table reports median wall seconds and the speed-up.  The engine's two-worker mode costs about
1.5 s of process start-up on this machine, so only the largest corpus shows how the work scales.  Also checks that both runs kept exactly
the same documents (determinism for any worker count).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from corpora import WORK, corpus

REPO = Path(__file__).resolve().parents[2]
RECIPE = """name: near-only
input: {shard_size: 1MB}
output: {format: jsonl, removed: counts}
steps:
  - near_dedup: {}
"""


def inputs(name: str) -> Path:
    path = WORK / "inputs" / f"{name}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            for i, text in enumerate(corpus(name)):
                fh.write(json.dumps({"id": f"{name}-{i}", "text": text}, ensure_ascii=False) + "\n")
    return path


def kept_digest(out: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((out / "data").rglob("*")):
        if path.is_file():
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rb") as fh:
                for line in fh:
                    digest.update(json.loads(line)["id"].encode() + b"\n")
    return digest.hexdigest()[:16]


def run(name: str, workers: int) -> tuple[float, str]:
    recipe = WORK / "near-only.yaml"
    recipe.write_text(RECIPE)
    out = WORK / f"out-{name}-w{workers}"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(
        [str(REPO / ".venv/bin/taosha"), "run", str(recipe), str(inputs(name)), "-o", str(out),
         "-w", str(workers), "-q", "--fresh"],
        check=True, capture_output=True,
    )
    return time.perf_counter() - start, kept_digest(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--corpora", default="long,short4,all")
    args = parser.parse_args()
    print("| corpus | 1 worker s (median) | 2 workers s (median) | speed-up | same output |")
    print("|---|---|---|---|---|")
    for name in args.corpora.split(","):
        times: dict[int, list[float]] = {1: [], 2: []}
        digests = set()
        for _ in range(args.repeats):
            for workers in (1, 2):
                seconds, digest = run(name, workers)
                times[workers].append(seconds)
                digests.add(digest)
        one, two = statistics.median(times[1]), statistics.median(times[2])
        print(f"| {name} | {one:.2f} | {two:.2f} | {one / two:.2f}x | {len(digests) == 1} |", flush=True)


if __name__ == "__main__":
    main()
