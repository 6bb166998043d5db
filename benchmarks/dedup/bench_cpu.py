"""CPU seconds and state files of ``exact_dedup`` and ``near_dedup`` on the long set, phase by phase.

    .venv/bin/python benchmarks/dedup/bench_cpu.py [--repeats 5] [--profile] [--against REV]

The input is what reaches ``exact_dedup`` in ``zh-web`` (the steps before it are run once,
untimed, over the six long files of ``benchmarks/compare/run.py``, one shard per file as in
``taosha run``).  Then, ``--repeats`` times, the two steps run as the engine runs them: collect per
shard, every reduce task, apply per shard, with ``time.process_time`` around each phase (CPU time:
the machine is shared, so wall time would mostly measure waiting).  Printed: the median CPU seconds
of each phase and step, and how many state files each step left under ``state/``.  With
``--against REV`` the steps as of that git revision run too, alternating round by round (the
machine is shared: only figures measured side by side compare).
``benchmarks/compare/step_cpu.py`` gives the same steps' figure inside a full run (collect + apply
+ reduce, plus the engine's per-document timing overhead).
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "compare"))

from taosha.document import Document  # noqa: E402
from taosha.pipeline import run_in_memory  # noqa: E402
from taosha.recipe import load_recipe  # noqa: E402
from taosha.step import Context, GlobalStep  # noqa: E402

CACHE = HERE.parents[1] / "benchmarks" / "_work" / "dedup-input.json.gz"


def dedup_input(refresh: bool = False) -> list[list[Document]]:
    """The documents that reach exact_dedup in zh-web, one list per input file.

    Cached under benchmarks/_work (gitignored), so that the figures do not move when other steps
    change, and the benchmark still runs while another step is being edited; ``refresh`` rebuilds.
    """
    if CACHE.exists() and not refresh:
        with gzip.open(CACHE, "rb") as fh:
            return [[Document(i, t) for i, t in shard] for shard in orjson.loads(fh.read())]
    from run import input_paths  # type: ignore[import-not-found]

    recipe = load_recipe("zh-web")
    labels = [label for label, _ in recipe.steps]
    before = replace(recipe, steps=recipe.steps[: labels.index("exact_dedup")])
    shards = []
    for path in input_paths():
        with gzip.open(path, "rb") as fh:
            shards.append([Document(str(r["id"]), r["text"]) for r in map(orjson.loads, fh)])
    kept = {doc.id: doc for doc in run_in_memory(before, shards).kept}
    result = [[kept[d.id] for d in shard if d.id in kept] for shard in shards]
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(CACHE, "wb") as fh:
        fh.write(orjson.dumps([[(d.id, d.text) for d in shard] for shard in result]))
    return result


def run_step(step: GlobalStep, label: str, shards: list[list[Document]], root: Path) -> dict[str, float]:
    """collect, reduce, apply of one global step over ``shards``; CPU seconds of each, file count."""
    n = len(shards)
    seconds = {"collect": 0.0, "reduce": 0.0, "apply": 0.0}
    for index, shard in enumerate(shards):
        ctx = Context(shard_index=index, n_shards=n, work_dir=root).for_step(label)
        start = time.process_time()
        for _ in step.collect(iter(shard), ctx):
            pass
        seconds["collect"] += time.process_time() - start
    start = time.process_time()
    for phase, parts in enumerate(step.reduce_plan(n)):
        for part in range(parts):
            step.reduce(phase, part, root / "state" / label, n)
    seconds["reduce"] = time.process_time() - start
    for index, shard in enumerate(shards):
        ctx = Context(shard_index=index, n_shards=n, work_dir=root).for_step(label)
        start = time.process_time()
        shard[:] = list(step.apply(iter(shard), ctx))
        seconds["apply"] += time.process_time() - start
    seconds["files"] = sum(1 for p in (root / "state" / label).rglob("*") if p.is_file())
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile the rounds, top 25 by own time")
    parser.add_argument("--refresh", action="store_true", help="rebuild the cached input (runs zh-web's first steps)")
    parser.add_argument("--against", metavar="REV", help="also run the two steps as of git revision REV, "
                        "alternating with the current ones in every round")
    args = parser.parse_args()
    source = dedup_input(args.refresh)
    steps = dict(load_recipe("zh-web").steps)
    versions: dict[str, tuple[GlobalStep, GlobalStep]] = {"": (steps["exact_dedup"], steps["near_dedup"])}  # type: ignore[dict-item]
    if args.against:
        from _old import old_dedup  # type: ignore[import-not-found]

        old_exact, old_near = old_dedup(args.against)
        versions = {f"{args.against}: ": (old_exact.ExactDedup(), old_near.NearDedup()), **versions}
    print(f"{sum(map(len, source)):,} documents, {sum(len(d.text) for s in source for d in s):,} characters, "
          f"{len(source)} shards")
    results: dict[str, list[dict[str, float]]] = {}
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.repeats):
        for tag, (exact, near) in versions.items():
            shards = [[Document(d.id, d.text, dict(d.meta)) for d in s] for s in source]
            with tempfile.TemporaryDirectory(prefix="dd-cpu-") as tmp:
                if profiler:
                    profiler.enable()
                for label, step in (("exact_dedup", exact), ("near_dedup", near)):
                    results.setdefault(tag + label, []).append(run_step(step, label, shards, Path(tmp)))
                if profiler:
                    profiler.disable()
    print("| step | collect | reduce | apply | total CPU s | state files |")
    print("|---|---|---|---|---|---|")
    for label, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        total = statistics.median(r["collect"] + r["reduce"] + r["apply"] for r in runs)
        print(f"| {label} | {med['collect']:.3f} | {med['reduce']:.3f} | {med['apply']:.3f} | {total:.3f} | "
              f"{med['files']:.0f} |")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
