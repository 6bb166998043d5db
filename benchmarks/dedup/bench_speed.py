"""Speed and peak memory of taosha's near_dedup against rensa, datasketch and datatrove, side by side.

    .venv/bin/python benchmarks/dedup/bench_speed.py [--repeats 3] [--corpora long,short1,short4]

Every tool runs in a fresh process (``run_one.py``), one core, character 5-grams, 128 permutations,
16 bands x 8 rows, threshold 0.8; the runs alternate tool by tool, ``--repeats`` rounds, and the
table reports medians of CPU time (user + system, children included) and of wall time; MB/s and the
first speed-up are by CPU time, because on this shared 2-core machine wall time mostly measures
how long a process waited for a core.  Peers run from their own virtualenv, benchmarks/_work/peers, made by
``setup_peers.sh`` (never in the project's .venv).  The machine is shared, so only ratios measured
in the same run mean anything.  Results: benchmarks/_work/bench_speed.json and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WORK = REPO / "benchmarks" / "_work"
OURS = REPO / ".venv" / "bin" / "python"
PEERS = WORK / "peers" / "bin" / "python"
TOOLS = ["taosha", "taosha-default", "rensa", "datasketch", "datatrove"]


def run(tool: str, corpus: str) -> dict:
    python = OURS if tool.startswith("taosha") else PEERS
    env = dict(os.environ, OMP_NUM_THREADS="1", RAYON_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    # taskset pins every tool to one core, whatever threads it would start.
    cmd = ["taskset", "-c", "0", str(python), str(HERE / "run_one.py"), tool, corpus]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode or not lines:
        raise SystemExit(f"{tool} on {corpus} failed:\n{out.stderr[-3000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--corpora", default="long,short1,short4")
    parser.add_argument("--tools", default=",".join(TOOLS))
    args = parser.parse_args()
    tools = args.tools.split(",")
    results: dict[tuple[str, str], list[dict]] = {}
    for corpus in args.corpora.split(","):
        for _ in range(args.repeats):
            for tool in tools:
                result = run(tool, corpus)
                print(json.dumps(result), file=sys.stderr, flush=True)
                results.setdefault((corpus, tool), []).append(result)
    rows = []
    for (corpus, tool), runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        rows.append({
            "corpus": corpus, "tool": tool, "docs": runs[0]["docs"], "mb": runs[0]["mb"],
            "seconds": seconds, "cpu_seconds": cpu, "mb_per_s": round(runs[0]["mb"] / cpu, 2),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
            "rss_after_load_mb": statistics.median(r["rss_after_load_mb"] for r in runs),
            "removed": runs[0]["removed"], "all_seconds": [r["seconds"] for r in runs],
            "all_cpu_seconds": [r["cpu_seconds"] for r in runs],
        })
    (WORK / "bench_speed.json").write_text(json.dumps(rows, indent=1))
    print("| corpus | tool | docs | MB | CPU s (median) | wall s (median) | MB/s (CPU) | taosha speed-up (CPU / wall) "
          "| peak RSS MB (after load) | removed |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        ours = next(r for r in rows if r["corpus"] == row["corpus"] and r["tool"] == "taosha")
        print(
            f"| {row['corpus']} | {row['tool']} | {row['docs']:,} | {row['mb']} | {row['cpu_seconds']:.3f} | "
            f"{row['seconds']:.3f} | {row['mb_per_s']} | {row['cpu_seconds'] / ours['cpu_seconds']:.2f}x / "
            f"{row['seconds'] / ours['seconds']:.2f}x | {row['peak_rss_mb']:.0f} "
            f"({row['rss_after_load_mb']:.0f}) | {row['removed']:,} |"
        )


if __name__ == "__main__":
    main()
