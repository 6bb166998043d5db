"""Per-step CPU seconds of a taosha run, robust to a shared machine.

taosha's ``stats.json`` times each step with ``time.perf_counter`` (wall clock), which on a loaded
machine counts the time other processes held the core.  This runs ``taosha run -w 1`` in this process
with ``time.perf_counter`` replaced by ``time.process_time`` (one thread, so process time is this
run's CPU time), then prints the per-step CPU seconds, their share, and what is left for the core
(reading, global steps' collect/apply/reduce, intermediate files, writing, start-up).

Usage: ``.venv/bin/python benchmarks/compare/step_cpu.py [RECIPE] [--repeats N]`` (default zh-web).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("recipe", nargs="?", default="zh-web")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a new temporary one)")
    args = parser.parse_args()
    start_cpu = time.process_time()
    time.perf_counter = time.process_time  # type: ignore[assignment]
    from click.testing import CliRunner
    from run import OUT, input_paths  # type: ignore[import-not-found]

    from taosha.cli import main as cli

    import_cpu = time.process_time() - start_cpu
    # A folder of its own by default, so that two measurements at once do not collide.
    out = args.out or Path(tempfile.mkdtemp(prefix="step-cpu-", dir=OUT if OUT.is_dir() else None))
    ins = [a for p in input_paths() for a in ("-i", str(p))]
    per_step: dict[str, list[float]] = {}
    totals, runs = [], []
    for _ in range(args.repeats):
        begin = time.process_time()
        result = CliRunner().invoke(cli, ["run", args.recipe, *ins, "-o", str(out), "-w", "1", "-q", "--fresh"])
        if result.exit_code != 0:
            raise SystemExit(result.output + repr(result.exception))
        totals.append(time.process_time() - begin)
        stats = json.loads((out / "stats.json").read_text())
        runs.append(stats)
        for name, step in stats["steps"].items():
            per_step.setdefault(name, []).append(step["seconds"])
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)
    total = statistics.median(totals)
    chars = runs[-1]["chars"]["in"]
    text_bytes = sum(len(orjson.loads(line)["text"].encode()) for p in input_paths() for line in gzip.open(p))
    mb = text_bytes / 1e6
    print(f"recipe {args.recipe}: {chars:,} characters, {mb:.2f} MB of text; median of {args.repeats}")
    print(f"imports before the first run (CPU s): {import_cpu:.2f}")
    print(f"run CPU s (in process, imports done): {total:.2f}  -> {mb / total:.2f} MB/s per core")
    steps_total = 0.0
    print("| step | CPU s | share of run | MB/s alone |")
    print("|---|---|---|---|")
    for name, values in per_step.items():
        s = statistics.median(values)
        steps_total += s
        rate = f"{mb / s:.1f}" if s > 0 else "-"
        print(f"| {name} | {s:.3f} | {100 * s / total:.1f}% | {rate} |")
    rest = total - steps_total
    print(f"| (core: read, write, intermediates, global collect/apply/reduce) | {rest:.3f} | "
          f"{100 * rest / total:.1f}% | {mb / rest:.1f} |")


if __name__ == "__main__":
    main()
