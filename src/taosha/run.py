"""Running a recipe over input files: plan, resume, execute, check the ledger, write the record.

This is the library entry point behind ``taosha run``::

    from taosha.run import run
    stats = run("zh-web", ["crawl/*.jsonl.gz"], "out/", workers=4)
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import xxhash

from taosha import __version__
from taosha.engines.base import Batch, Engine, Progress
from taosha.errors import FatalError, InputError
from taosha.io.files import expand_inputs, open_binary
from taosha.io.readers import plan_shards
from taosha.io.writers import write_json_atomic
from taosha.pipeline import (
    WORK_FORMAT,
    RunPlan,
    clean_work,
    drop_stage_scratch,
    merge_task_stats,
    reduce_seconds,
    remove_outputs,
)
from taosha.recipe import Recipe, load_recipe
from taosha.stats import Stats

log = logging.getLogger(__name__)


def make_engine(name: str, workers: int | None, address: str | None = None) -> Engine:
    if name == "local":
        from taosha.engines.local import LocalEngine

        return LocalEngine(workers)
    if name == "ray":
        from taosha.engines.ray import RayEngine  # type: ignore[import-not-found]

        return RayEngine(workers, address=address)  # type: ignore[no-any-return]
    raise InputError(f"unknown engine {name!r} (choose local or ray)")


def fingerprint(recipe: Recipe, plan_shards_json: list[dict[str, Any]]) -> str:
    data = orjson.dumps({"recipe": recipe.to_json(), "shards": plan_shards_json}, option=orjson.OPT_SORT_KEYS)
    return xxhash.xxh3_128_hexdigest(data)


def _shards_json(plan: RunPlan) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "kind": s.kind, "files": [[f.rel, f.size] for f in s.files], "range": [s.start, s.end]}
        for s in plan.shards
    ]


def file_checksum(path: str) -> str:
    digest = xxhash.xxh3_64()
    with open_binary(path) as fh:
        while chunk := fh.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def prepare(
    recipe: Recipe, inputs: Sequence[str], out_dir: str | Path, *, fresh: bool = False
) -> RunPlan:
    """Plan the run and make ``out_dir`` ready, resuming a previous attempt when it matches."""
    out = Path(out_dir)
    files = expand_inputs(list(inputs))
    shards = tuple(plan_shards(files, recipe.input))
    plan = RunPlan(recipe, shards, out.resolve())
    if fresh:
        remove_outputs(out)
    print_key = fingerprint(recipe, _shards_json(plan))
    fp_path = plan.work_dir / "fingerprint.json"
    if fp_path.exists():
        previous = orjson.loads(fp_path.read_bytes())
        if previous.get("work_format", 1) != WORK_FORMAT:
            raise InputError(
                f"{out} holds a run started by taosha {previous.get('taosha', '?')}, whose work files this version"
                " cannot resume; rerun with --fresh to start it again, or choose another -o"
            )
        if previous.get("fingerprint") != print_key:
            raise InputError(
                f"{out} holds a run with another recipe or other inputs; rerun with --fresh to replace it, or choose another -o"
            )
    elif out.exists() and any(p.name not in (".taosha",) for p in out.iterdir()):
        raise InputError(f"{out} is not empty and holds no taosha run; choose an empty or new output directory")
    write_json_atomic(fp_path, {"fingerprint": print_key, "taosha": __version__, "work_format": WORK_FORMAT})
    for name in ("data", "removed", "quarantine"):
        (plan.out_dir / name).mkdir(exist_ok=True)
    return plan


def execute(plan: RunPlan, engine: Engine, progress: Progress) -> tuple[Stats, dict[str, dict[str, int]]]:
    """Run every unfinished task, stage by stage; return the merged stats and the per-shard ledgers."""
    recipe = plan.recipe
    n = len(plan.shards)
    docs_entering = 0
    for stage, (_, closing) in enumerate(recipe.stages):
        pending = tuple(i for i in range(n) if not plan.marker(stage, i).exists())
        description = f"stage {stage + 1}/{plan.n_stages}" + (f" (to {closing[0]})" if closing else "")
        if pending:
            batch = Batch(
                "shards", stage, pending, description=description,
                total_bytes=sum(plan.shards[i].size for i in pending) if stage == 0 else 0,
                total_docs=docs_entering,
            )
            progress.start(batch)
            engine.run_batch(plan, batch, progress)
        if closing is not None:
            label, step = closing
            for phase, parts in enumerate(step.reduce_plan(n)):
                todo = tuple(p for p in range(parts) if not plan.reduce_marker(label, phase, p).exists())
                if todo:
                    batch = Batch("reduce", stage, todo, phase, description=f"{label} reduce {phase + 1}")
                    progress.start(batch)
                    engine.run_batch(plan, batch, progress)
        for i in range(n):
            done = Stats.from_json(orjson.loads(plan.marker(stage, i).read_bytes())).documents
            docs_entering -= done["removed"] - done["in"] + done["quarantined"]
        if stage > 0:
            # Every shard has passed stage k, so stage k-1's documents and the state of the global
            # step between them are no longer needed, even by a resumed run: free the disk now.
            drop_stage_scratch(plan, stage - 1)
    total, ledgers = merge_task_stats(plan)
    for label, seconds in reduce_seconds(plan).items():
        total.step(label).seconds += seconds
    return total, ledgers


def run(
    recipe: Recipe | str | None,
    inputs: Sequence[str],
    out_dir: str | Path,
    *,
    workers: int | None = None,
    engine: str | Engine = "local",
    address: str | None = None,
    fresh: bool = False,
    progress: Progress | None = None,
    report: bool = True,
    argv: Sequence[str] | None = None,
) -> Stats:
    """Run ``recipe`` over ``inputs`` into ``out_dir``; returns the run's stats.

    Raises :class:`FatalError` if the ledger does not balance (in != kept + removed + quarantined).
    """
    started = dt.datetime.now(dt.timezone.utc)
    clock = time.monotonic()
    # The engine first: the local engine's fork server warms up while the recipe loads and the
    # inputs are planned.
    eng = make_engine(engine, workers, address) if isinstance(engine, str) else engine
    try:
        if not isinstance(recipe, Recipe):
            recipe = load_recipe(recipe)
        plan = prepare(recipe, inputs, out_dir, fresh=fresh)
        prog = progress or make_progress()
        try:
            total, ledgers = execute(plan, eng, prog)
        finally:
            prog.close()
    finally:
        eng.close()
    if not total.ledger_balanced():
        d = total.documents
        raise FatalError(
            f"ledger does not balance: in {d['in']} != kept {d['kept']} + removed {d['removed']}"
            f" + quarantined {d['quarantined']}; the output in {plan.out_dir} is incomplete"
        )
    finished = dt.datetime.now(dt.timezone.utc)
    stats_json = total.to_json()
    stats_json["shards"] = ledgers
    stats_json["seconds"] = round(time.monotonic() - clock, 3)
    write_json_atomic(plan.out_dir / "stats.json", stats_json)
    write_json_atomic(plan.out_dir / "manifest.json", {
        "taosha_version": __version__,
        "python": sys.version.split()[0],
        "argv": list(argv) if argv is not None else None,
        "recipe": recipe.to_json(),
        "inputs": [
            {"path": f.path, "rel": f.rel, "size": f.size, "xxh3_64": file_checksum(f.path)}
            for f in {f.path: f for s in plan.shards for f in s.files}.values()
        ],
        "shards": _shards_json(plan),
        "engine": eng.name,
        "workers": eng.workers,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "outputs": {
            name: sorted(p.name for p in (plan.out_dir / name).glob("part-*")) if (plan.out_dir / name).is_dir() else []
            for name in ("data", "removed", "quarantine")
        },
    })
    clean_work(plan)
    if report:
        write_report(plan.out_dir)
    return total


def write_report(out_dir: Path) -> Path | None:
    """The HTML report, when the report module is available (it is optional for library users)."""
    try:
        from taosha.report.html import write_report as _write  # type: ignore[import-not-found]
    except ImportError:
        return None
    path: Path = _write(out_dir)
    return path


class TextProgress:
    """Progress on stderr: a tqdm bar on a terminal, a plain log line every 10 s otherwise."""

    def __init__(self, *, tty: bool | None = None, interval: float = 10.0):
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.interval = interval
        self.bar: Any = None
        self.batch: Batch | None = None
        self.docs = self.bytes = self.tasks = 0
        self.started = self.last_log = time.monotonic()

    def start(self, batch: Batch) -> None:
        self.close()
        self.batch = batch
        self.docs = self.bytes = self.tasks = 0
        self.started = self.last_log = time.monotonic()
        if self.tty:
            from tqdm import tqdm

            # No monitor thread: the driver stays single-threaded, so its workers can be forked.
            tqdm.monitor_interval = 0
            if batch.kind == "shards" and batch.total_bytes:
                self.bar = tqdm(total=batch.total_bytes, unit="B", unit_scale=True, desc=batch.description, leave=False)
            else:
                total = batch.total_docs if batch.kind == "shards" and batch.total_docs else len(batch.items)
                unit = "doc" if batch.kind == "shards" and batch.total_docs else "task"
                self.bar = tqdm(total=total, unit=unit, desc=batch.description, leave=False)

    def update(self, docs: int, nbytes: int) -> None:
        self.docs += docs
        self.bytes += nbytes
        if self.bar is not None:
            if self.bar.unit == "B":
                self.bar.update(nbytes)
            elif self.bar.unit == "doc":
                self.bar.update(docs)
            elapsed = max(1e-9, time.monotonic() - self.started)
            self.bar.set_postfix_str(f"{self.docs / elapsed:,.0f} docs/s", refresh=False)
        self._maybe_log()

    def task_done(self) -> None:
        self.tasks += 1
        if self.bar is not None and self.bar.unit == "task":
            self.bar.update(1)
        self._maybe_log()

    def _maybe_log(self) -> None:
        if self.tty or self.batch is None:
            return
        now = time.monotonic()
        if now - self.last_log < self.interval:
            return
        self.last_log = now
        elapsed = max(1e-9, now - self.started)
        rate = self.bytes / elapsed
        eta = ""
        if self.batch.total_bytes and rate > 0:
            eta = f", ETA {max(0.0, (self.batch.total_bytes - self.bytes) / rate):.0f}s"
        elif self.batch.total_docs and self.docs:
            eta = f", ETA {max(0.0, (self.batch.total_docs - self.docs) / (self.docs / elapsed)):.0f}s"
        log.info(
            "%s: %d/%d tasks, %d docs, %.1f MB, %.0f docs/s, %.2f MB/s%s",
            self.batch.description, self.tasks, len(self.batch.items), self.docs, self.bytes / 1e6,
            self.docs / elapsed, rate / 1e6, eta,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class QuietProgress:
    def start(self, batch: Batch) -> None: ...
    def update(self, docs: int, nbytes: int) -> None: ...
    def task_done(self) -> None: ...
    def close(self) -> None: ...


def make_progress(quiet: bool = False) -> Progress:
    return QuietProgress() if quiet else TextProgress()
