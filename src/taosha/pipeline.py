"""The per-shard routine every engine runs, and an in-memory runner for one or a few documents.

A run is cut into *stages* at each global step (see :class:`taosha.step.GlobalStep`).  Stage ``k``
of shard ``s`` reads the shard (stage 0) or the shard's output of stage ``k-1``, applies the previous
global step's decisions, runs the stage's per-document steps, then the closing global step's
``collect``; it writes documents on to the next stage (or to ``OUT/data``), removed documents to
``OUT/removed``, and its :class:`~taosha.stats.Stats` as the task's done marker.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from taosha.document import Document
from taosha.io.readers import Quarantined, Shard, ShardReader
from taosha.io.writers import (
    CARRY_SUFFIX,
    TMP_SUFFIX,
    CarryWriter,
    RollingWriter,
    read_carried,
    write_json_atomic,
)
from taosha.recipe import Recipe
from taosha.stats import Stats
from taosha.step import Context, GlobalStep, Step, StepContext

Labelled = Sequence[tuple[str, Step]]

WORK_FORMAT = 2
"""Version of what a run keeps under ``OUT/.taosha`` between tasks (carried documents, global steps'
state files, done markers).  A run is resumed only by a taosha with the same number: bump it when
any of these files changes shape.  2: documents carried as pickle frames; sectioned dedup state."""


def chain(steps: Labelled, docs: Iterable[Document], ctx: Context) -> Iterator[Document]:
    """Lazily run documents through per-document steps, in order."""
    stream: Iterable[Document] = docs
    for label, step in steps:
        stream = step.run(stream, ctx.for_step(label))
    return iter(stream)


def stage_stream(
    recipe: Recipe, stage: int, docs: Iterable[Document], ctx: Context
) -> Iterator[Document]:
    """Stage ``stage`` of ``recipe`` over ``docs``: previous decisions, steps, then collect."""
    stages = recipe.stages
    stream: Iterable[Document] = docs
    if stage > 0:
        previous = stages[stage - 1][1]
        assert previous is not None
        label, global_step = previous
        step_ctx = ctx.for_step(label)
        stream = _timed(global_step.apply, stream, step_ctx)
    steps, closing = stages[stage]
    stream = chain(steps, stream, ctx)
    if closing is not None:
        label, global_step = closing
        stream = _timed(global_step.collect, stream, ctx.for_step(label))
    return iter(stream)


def _timed(
    phase: Callable[[Iterable[Document], StepContext], Iterable[Document]],
    docs: Iterable[Document],
    ctx: StepContext,
) -> Iterator[Document]:
    """Run a global step's phase, adding the time spent inside it (not upstream) to its stats."""
    clock = time.perf_counter
    upstream = 0.0

    def feed() -> Iterator[Document]:
        nonlocal upstream
        source = iter(docs)
        while True:
            start = clock()
            doc = next(source, None)
            upstream += clock() - start
            if doc is None:
                return
            yield doc

    stats = ctx.stats
    outputs = iter(phase(feed(), ctx))
    while True:
        start, upstream_before = clock(), upstream
        doc = next(outputs, None)
        stats.seconds += clock() - start - (upstream - upstream_before)
        if doc is None:
            return
        yield doc


def run_reduce(step: GlobalStep, state_dir: Path, n_shards: int) -> None:
    """Every reduce phase of a global step, in order, in this process."""
    for phase, parts in enumerate(step.reduce_plan(n_shards)):
        for part in range(parts):
            step.reduce(phase, part, state_dir, n_shards)


class MemoryResult:
    """What :func:`run_in_memory` returns: kept documents, removals, stats and an optional trace."""

    def __init__(self) -> None:
        self.kept: list[Document] = []
        self.removed: list[tuple[Document, str, str, str]] = []
        self.stats = Stats()
        self.trace: list[dict[str, Any]] | None = None

    def removed_reasons(self) -> dict[str, str]:
        """Document id -> ``step:reason``."""
        return {doc.id: f"{step}:{reason}" for doc, step, reason, _ in self.removed}


def run_in_memory(
    recipe: Recipe,
    docs: Iterable[Document] | Sequence[Sequence[Document]],
    *,
    trace: bool = False,
    work_dir: Path | None = None,
) -> MemoryResult:
    """Run a whole recipe, global steps included, over documents held in memory.

    ``docs`` is one shard (a list of documents) or several (a list of lists), which lets tests check
    that cross-shard decisions match a single-shard run.  Used by ``taosha inspect`` and tests;
    real runs go through an engine.
    """
    items: list[Any] = list(docs)
    shards: list[list[Document]] = (
        [list(s) for s in items] if items and not isinstance(items[0], Document) else [items]
    )
    result = MemoryResult()
    result.trace = [] if trace else None
    with tempfile.TemporaryDirectory(prefix="taosha-mem-", dir=work_dir) as tmp:
        for stage, (_, closing) in enumerate(recipe.stages):
            next_shards = []
            for index, shard in enumerate(shards):
                ctx = Context(
                    result.stats,
                    shard=f"memory-{index}",
                    shard_index=index,
                    n_shards=len(shards),
                    work_dir=Path(tmp),
                    on_remove=lambda doc, step, reason, detail: result.removed.append((doc, step, reason, detail)),
                    trace=result.trace,
                )
                next_shards.append(list(stage_stream(recipe, stage, shard, ctx)))
            shards = next_shards
            if closing is not None:
                label, step = closing
                run_reduce(step, Path(tmp) / "state" / label, len(shards))
    for shard in shards:
        result.kept.extend(shard)
    return result


# -- the on-disk run --------------------------------------------------------------------------------

ProgressFn = Callable[[int, int], None]
"""``progress(docs_delta, bytes_delta)``: called every half second or so by a running task."""

MAX_SOURCES = 1000
"""Distinct ``source`` values counted per shard before the rest are pooled as ``(other)``."""


@dataclass(frozen=True)
class RunPlan:
    """Everything a task needs, picklable: the recipe, the shards, where output and state go."""

    recipe: Recipe
    shards: tuple[Shard, ...]
    out_dir: Path

    @property
    def work_dir(self) -> Path:
        return self.out_dir / ".taosha"

    @property
    def n_stages(self) -> int:
        return len(self.recipe.stages)

    def marker(self, stage: int, shard: int) -> Path:
        return self.work_dir / "done" / f"stage{stage}-{shard:05d}.json"

    def reduce_marker(self, label: str, phase: int, part: int) -> Path:
        return self.work_dir / "done" / f"reduce-{label}-{phase}-{part:05d}.done"

    def intermediate_dir(self, stage: int) -> Path:
        return self.work_dir / f"stage{stage}"


def _clean_partial(plan: RunPlan, stage: int, shard: int) -> None:
    """Remove whatever an interrupted attempt at this task left, so the redo starts from scratch."""
    prefix = f"part-{shard:05d}-"
    dirs = [plan.out_dir / "removed", plan.intermediate_dir(stage)]
    if stage == plan.n_stages - 1:
        dirs.append(plan.out_dir / "data")
    if stage == 0:
        dirs.append(plan.out_dir / "quarantine")
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            if not path.name.startswith(prefix):
                continue
            if directory.name == "removed" and not path.name.startswith(f"{prefix}s{stage}-"):
                continue
            path.unlink()


def _read_intermediate(plan: RunPlan, stage: int, shard: int) -> Iterator[Document]:
    directory = plan.intermediate_dir(stage)
    for path in sorted(directory.glob(f"part-{shard:05d}-*{CARRY_SUFFIX}")):
        for doc_id, text, meta in read_carried(path):
            yield Document(doc_id, text, meta)


def run_shard_stage(plan: RunPlan, stage: int, shard_index: int, progress: ProgressFn | None = None) -> Stats:
    """One task: stage ``stage`` of shard ``shard_index``.  Idempotent and atomic: its outputs appear
    under final names, then its stats are written as the done marker."""
    marker = plan.marker(stage, shard_index)
    if marker.exists():
        return Stats.from_json(orjson.loads(marker.read_bytes()))
    _clean_partial(plan, stage, shard_index)
    recipe = plan.recipe
    settings = recipe.input
    output = recipe.output
    shard = plan.shards[shard_index]
    last = stage == plan.n_stages - 1
    stats = Stats()
    documents = stats.documents
    chars = stats.chars
    prefix = f"part-{shard_index:05d}"
    fields: dict[str, Any] = {
        "id_field": settings.id_field, "text_field": settings.text_field, "level": output.compression_level,
    }
    removed_writer = (
        RollingWriter(plan.out_dir / "removed", f"{prefix}-s{stage}", output.format, max_bytes=output.max_file_size, **fields)
        if output.removed == "full"
        else None
    )
    carry_writer: CarryWriter | None = None
    out_writer: RollingWriter | None
    if last:
        out_writer = RollingWriter(plan.out_dir / "data", prefix, output.format, max_bytes=output.max_file_size, **fields)
    else:
        out_writer = None
        carry_writer = CarryWriter(plan.intermediate_dir(stage), prefix)
    fields.pop("level")
    quarantine_writer = RollingWriter(plan.out_dir / "quarantine", prefix, "jsonl", **fields) if stage == 0 else None

    def source_counts(doc: Document) -> Counter[str] | None:
        source = doc.meta.get("source")
        if not isinstance(source, str):
            return None
        if source not in stats.by_source and len(stats.by_source) >= MAX_SOURCES:
            source = "(other)"
        return stats.source(source[:300])

    def on_remove(doc: Document, step: str, reason: str, detail: str) -> None:
        documents["removed"] += 1
        chars["removed"] += len(doc.text)
        counts = source_counts(doc)
        if counts is not None:
            counts["removed"] += 1
        if removed_writer is not None:
            record = {settings.id_field: doc.id, settings.text_field: doc.text, **doc.meta}
            record["removed_by"] = {"step": step, "reason": reason, "detail": detail}
            removed_writer.write(record)

    ctx = Context(
        stats, shard=shard.name, shard_index=shard_index, n_shards=len(plan.shards),
        work_dir=plan.work_dir, on_remove=on_remove,
    )
    ticker = _Ticker(progress)

    def raw_documents() -> Iterator[Document]:
        reader = ShardReader(shard, settings)
        for item in reader:
            documents["in"] += 1
            if isinstance(item, Quarantined):
                documents["quarantined"] += 1
                stats.quarantined[item.reason] += 1
                assert quarantine_writer is not None
                quarantine_writer.write(item.to_record())
            else:
                chars["in"] += len(item.text)
                counts = source_counts(item)
                if counts is not None:
                    counts["in"] += 1
                yield item
            ticker.tick(reader.bytes_read)
        stats.bytes_read += reader.bytes_read
        ticker.tick(reader.bytes_read, final=True)

    def carried_documents() -> Iterator[Document]:
        for doc in _read_intermediate(plan, stage - 1, shard_index):
            yield doc
            ticker.tick(0)
        ticker.tick(0, final=True)

    source = raw_documents() if stage == 0 else carried_documents()
    writers = (out_writer, carry_writer, removed_writer, quarantine_writer)
    try:
        stream = stage_stream(recipe, stage, source, ctx)
        if out_writer is not None:
            for doc in stream:
                documents["kept"] += 1
                chars["kept"] += len(doc.text)
                counts = source_counts(doc)
                if counts is not None:
                    counts["kept"] += 1
                out_writer.write({settings.id_field: doc.id, settings.text_field: doc.text, **doc.meta})
        else:
            assert carry_writer is not None
            for doc in stream:
                carry_writer.write(doc.id, doc.text, doc.meta)
    except BaseException:
        for writer in writers:
            if writer is not None:
                writer.abort()
        raise
    for writer in writers:
        if writer is not None:
            writer.commit()
    write_json_atomic(marker, stats.to_json(), indent=False)
    return stats


class _Ticker:
    """Counts records read and reports ``(docs, bytes)`` deltas to ``progress`` twice a second."""

    __slots__ = ("progress", "docs", "sent_docs", "sent_bytes", "last")

    def __init__(self, progress: ProgressFn | None):
        self.progress = progress
        self.docs = self.sent_docs = self.sent_bytes = 0
        self.last = time.monotonic()

    def tick(self, bytes_done: int, *, final: bool = False) -> None:
        if not final:
            self.docs += 1
        if self.progress is None:
            return
        now = time.monotonic()
        if final or now - self.last > 0.5:
            self.progress(self.docs - self.sent_docs, bytes_done - self.sent_bytes)
            self.sent_docs, self.sent_bytes, self.last = self.docs, bytes_done, now


def run_reduce_task(plan: RunPlan, stage: int, phase: int, part: int) -> None:
    """One partition of one reduce phase of the global step closing ``stage``."""
    closing = plan.recipe.stages[stage][1]
    assert closing is not None
    label, step = closing
    marker = plan.reduce_marker(label, phase, part)
    if marker.exists():
        return
    state_dir = plan.work_dir / "state" / label
    state_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    step.reduce(phase, part, state_dir, len(plan.shards))
    write_json_atomic(marker, {"seconds": round(time.perf_counter() - start, 6)}, indent=False)


def reduce_seconds(plan: RunPlan) -> dict[str, float]:
    """Seconds spent in each global step's reduce tasks, from their done markers."""
    seconds: dict[str, float] = {}
    for _, closing in plan.recipe.stages:
        if closing is None:
            continue
        label, step = closing
        for phase, parts in enumerate(step.reduce_plan(len(plan.shards))):
            for part in range(parts):
                marker = plan.reduce_marker(label, phase, part)
                if marker.exists() and marker.stat().st_size:
                    seconds[label] = seconds.get(label, 0.0) + orjson.loads(marker.read_bytes())["seconds"]
    return seconds


def clean_work(plan: RunPlan) -> None:
    """After a successful run: drop state and intermediates, keep the done markers (for no-op reruns)."""
    for path in plan.work_dir.iterdir():
        if path.name in ("state",) or path.name.startswith("stage"):
            shutil.rmtree(path, ignore_errors=True)
    for directory in ("data", "removed", "quarantine"):
        for tmp in (plan.out_dir / directory).glob(f"*{TMP_SUFFIX}"):
            tmp.unlink()
    # A done marker or fingerprint half-written by a killed attempt (its temporary name carries
    # that attempt's process id, so the rerun never reuses it).
    for folder in (plan.work_dir, plan.work_dir / "done"):
        for tmp in folder.glob(f".*{TMP_SUFFIX}"):
            tmp.unlink(missing_ok=True)


def merge_task_stats(plan: RunPlan) -> tuple[Stats, dict[str, dict[str, int]]]:
    """The run's stats and per-shard ``in / kept / removed / quarantined``, read marker by marker
    (never all at once: a large run has hundreds of thousands of them)."""
    total = Stats()
    ledgers: dict[str, dict[str, int]] = {}
    last = plan.n_stages - 1
    for index, shard in enumerate(plan.shards):
        ledger = {"in": 0, "kept": 0, "removed": 0, "quarantined": 0}
        for stage in range(plan.n_stages):
            stats = Stats.from_json(orjson.loads(plan.marker(stage, index).read_bytes()))
            d = stats.documents
            if stage == 0:
                ledger["in"], ledger["quarantined"] = d["in"], d["quarantined"]
            if stage == last:
                ledger["kept"] = d["kept"]
            ledger["removed"] += d["removed"]
            total = total + stats
        ledgers[shard.name] = ledger
    return total, ledgers


def drop_stage_scratch(plan: RunPlan, stage: int) -> None:
    """Delete stage ``stage``'s carried documents and its closing global step's state."""
    shutil.rmtree(plan.intermediate_dir(stage), ignore_errors=True)
    closing = plan.recipe.stages[stage][1]
    if closing is not None:
        shutil.rmtree(plan.work_dir / "state" / closing[0], ignore_errors=True)


def remove_outputs(out_dir: Path) -> None:
    """``--fresh``: forget a previous run in ``out_dir`` (only taosha's own files and folders)."""
    for name in ("data", "removed", "quarantine", ".taosha"):
        shutil.rmtree(out_dir / name, ignore_errors=True)
    for name in ("stats.json", "manifest.json", "report.html"):
        (out_dir / name).unlink(missing_ok=True)
