"""The Ray engine beside the local engine on this machine, over ../shared/data, in one run.

Prints, for the local engine and the Ray engine with 1 and 2 workers: median seconds of a whole
``taosha run`` (plan to stats.json), documents/s, and the ratios that matter: Ray's overhead
(Ray / local at the same worker count) and Ray's scaling (1 worker / 2 workers).  Also: the CPU
time of the in-process local run per GB of text (the basis of the cost estimate), the time to
start a private Ray (paid once per run when no cluster is given), and Ray's per-task round trip.

Runs alternate (local -w1, ray -w1, local -w2, ray -w2, then again) and medians of ``--repeat``
are reported, because this machine has 2 cores shared with other jobs.  The Ray cluster is
started once (2 CPUs, like the tests); ``-w`` caps the tasks in flight, as on a real cluster.
Outputs of every run are checked byte-identical to the first local run.

    python benchmarks/ray_vs_local.py                      # every file of ../shared/data
    python benchmarks/ray_vs_local.py --split 4MB          # plain copies cut into ~4 MB shards
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def tree_digest(out: Path) -> dict[str, str]:
    return {
        f"{d}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for d in ("data", "removed", "quarantine")
        for p in sorted((out / d).glob("part-*"))
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipe", default="zh-web")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--split", default=None,
                        help="decompress the inputs to plain JSONL and cut them into shards of this size")
    parser.add_argument("--files", nargs="*", default=None, help="file names of ../shared/data (default: all)")
    args = parser.parse_args()

    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # a private cluster on 127.0.0.1
    from taosha.engines.ray import RayEngine
    from taosha.recipe import load_recipe
    from taosha.run import QuietProgress, run

    files = sorted(DATA.glob("*.jsonl.gz")) if not args.files else [DATA / n for n in args.files]
    tmp = Path(tempfile.mkdtemp(prefix="taosha-ray-bench-"))
    overrides = {}
    inputs = [str(f) for f in files]
    if args.split:
        plain = tmp / "plain"
        plain.mkdir()
        for f in files:
            with gzip.open(f, "rb") as src, open(plain / f.name.removesuffix(".gz"), "wb") as dst:
                shutil.copyfileobj(src, dst)
        inputs = [str(plain)]
        overrides["input.shard_size"] = args.split
    recipe = load_recipe(args.recipe, overrides)

    import ray

    clock = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", configure_logging=False)
    ray_start = time.perf_counter() - clock

    @ray.remote(num_cpus=1)
    def noop(x: int) -> int:
        return x

    ray.get([noop.remote(i) for i in range(50)])  # warm the worker processes
    clock = time.perf_counter()
    for i in range(200):
        ray.get(noop.remote(i))
    round_trip_ms = (time.perf_counter() - clock) / 200 * 1e3

    text_bytes = 0
    for f in files:
        with gzip.open(f, "rb") as fh:
            text_bytes += sum(len((orjson.loads(line).get("text") or "").encode("utf-8")) for line in fh)

    configs = {"local -w 1": ("local", 1), "ray -w 1": ("ray", 1), "local -w 2": ("local", 2), "ray -w 2": ("ray", 2)}
    seconds: dict[str, list[float]] = {label: [] for label in configs}
    cpu_local_1: list[float] = []
    reference: dict[str, str] | None = None
    docs = n_shards = 0
    try:
        for _ in range(args.repeat):
            for label, (engine, workers) in configs.items():
                out = tmp / "out"
                shutil.rmtree(out, ignore_errors=True)
                clock, cpu = time.perf_counter(), time.process_time()
                eng = RayEngine(workers) if engine == "ray" else "local"
                stats = run(recipe, inputs, out, workers=workers, engine=eng, progress=QuietProgress(), report=False)
                seconds[label].append(time.perf_counter() - clock)
                if label == "local -w 1":  # runs in this process: its CPU time is the whole cost
                    cpu_local_1.append(time.process_time() - cpu)
                digest = tree_digest(out)
                if reference is None:
                    reference = digest
                    docs = stats.documents["in"]
                    n_shards = len(list((out / ".taosha" / "done").glob("stage0-*.json")))
                elif digest != reference:
                    raise SystemExit(f"{label}: output differs from the first run")
                print(f"  {label}: {seconds[label][-1]:.1f} s", file=sys.stderr, flush=True)
    finally:
        ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)

    med = {label: statistics.median(v) for label, v in seconds.items()}
    print(f"corpus: {len(files)} files, {n_shards} shards, {docs:,} documents; recipe {args.recipe}; "
          f"{args.repeat} alternating repeats, medians")
    cpu = statistics.median(cpu_local_1)
    print(f"text: {text_bytes / 1e6:.1f} MB (UTF-8 of the text fields); local -w 1 CPU: {cpu:.1f} s "
          f"= {cpu / (text_bytes / 1e9) / 3600:.2f} core-hours per GB of text")
    print(f"ray start (private 2-CPU cluster): {ray_start:.1f} s; task round trip {round_trip_ms:.2f} ms")
    print("| engine | workers | seconds (median) | docs/s | all runs |")
    print("|---|---|---|---|---|")
    for label, (engine, workers) in configs.items():
        runs = ", ".join(f"{s:.1f}" for s in seconds[label])
        print(f"| {engine} | {workers} | {med[label]:.1f} | {docs / med[label]:,.0f} | {runs} |")
    print(f"Ray overhead (ray / local): -w 1 {med['ray -w 1'] / med['local -w 1']:.2f}x, "
          f"-w 2 {med['ray -w 2'] / med['local -w 2']:.2f}x")
    print(f"Ray scaling (1 worker / 2 workers): {med['ray -w 1'] / med['ray -w 2']:.2f}x "
          f"(local: {med['local -w 1'] / med['local -w 2']:.2f}x)")
    print("outputs: byte-identical across all runs")


if __name__ == "__main__":
    main()
