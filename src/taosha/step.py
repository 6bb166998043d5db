"""The step contracts.

A step is a frozen, keyword-only dataclass: its fields are its parameters, its recipe schema, its
repr and its line in the run manifest.  ``run(docs, ctx)`` is the one contract every engine calls;
subclasses implement one hook and the base class does the counting:

=============  ======================================  ========================================
base           hook                                    the base class
=============  ======================================  ========================================
Filter         ``keep(doc) -> bool | Drop``            removes with a reason, counts, times
ScoreFilter    ``score(doc) -> float``                 keeps the score in ``doc.meta["signals"]``,
                                                       histograms it, applies min/max
Mapper         ``map(doc) -> Document``                counts changed documents and characters
LineFilter     ``keep_line(line) -> bool | Drop``      removes lines, counts them by reason,
               (or ``keep_lines`` for whole blocks)    drops a document left with too little
GlobalStep     ``collect`` / ``reduce`` / ``apply``    a corpus-wide pass (see its docstring)
=============  ======================================  ========================================

Filters never edit text; mappers never drop documents.  Rank, stats and work directories travel in
the :class:`StepContext`, so steps stay picklable for worker processes and Ray.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from taosha.document import Document
from taosha.stats import SAMPLES_PER_REASON, Stats, StepStats, rounded4


@dataclass(frozen=True, slots=True)
class Drop:
    """A verdict to remove a document (or a line), with a machine-readable reason code."""

    reason: str
    detail: str = ""


RemoveCallback = Callable[[Document, str, str, str], None]
"""``on_remove(doc, step_label, reason, detail)``: where removed documents go."""


class Context:
    """What the steps of one task see of the run.

    ``trace`` is a list when someone wants to know exactly what happened to each document
    (``taosha inspect``); steps append events to it through :meth:`StepContext.note`.  It is ``None``
    in normal runs so that tracing costs nothing.
    """

    def __init__(
        self,
        stats: Stats | None = None,
        *,
        shard: str = "",
        shard_index: int = 0,
        n_shards: int = 1,
        work_dir: Path | None = None,
        on_remove: RemoveCallback | None = None,
        trace: list[dict[str, Any]] | None = None,
    ):
        self.stats = stats if stats is not None else Stats()
        self.shard = shard
        self.shard_index = shard_index
        self.n_shards = n_shards
        self.work_dir = work_dir
        self.on_remove = on_remove
        self.trace = trace

    def for_step(self, label: str) -> StepContext:
        return StepContext(self, label)


class StepContext:
    """The context narrowed to one step: its stats, its removal channel, its state directory."""

    __slots__ = ("run", "label", "stats", "tracing")

    def __init__(self, run: Context, label: str):
        self.run = run
        self.label = label
        self.stats: StepStats = run.stats.step(label)
        self.tracing = run.trace is not None

    @property
    def shard(self) -> str:
        return self.run.shard

    @property
    def shard_index(self) -> int:
        return self.run.shard_index

    @property
    def n_shards(self) -> int:
        return self.run.n_shards

    @property
    def state_dir(self) -> Path:
        """Where a global step keeps its state between passes; shared by all tasks of the run."""
        if self.run.work_dir is None:
            raise RuntimeError(f"step {self.label} needs a work directory for its state")
        path = self.run.work_dir / "state" / self.label
        path.mkdir(parents=True, exist_ok=True)
        return path

    def remove(self, doc: Document, reason: str, detail: str = "") -> None:
        self.stats.removed[reason] += 1
        self.stats.sample(reason, doc.id, doc.text)
        if self.run.on_remove is not None:
            self.run.on_remove(doc, self.label, reason, detail)
        if self.tracing:
            self.note(doc, "removed", reason=reason, detail=detail)

    def note(self, doc: Document, kind: str, **data: Any) -> None:
        """Record an event for ``taosha inspect``; a no-op unless tracing."""
        if self.run.trace is not None:
            self.run.trace.append({"step": self.label, "doc": doc.id, "kind": kind, **data})


@dataclass(frozen=True, kw_only=True)
class Step:
    """Base of all steps.  ``name`` is the catalog name, also the default stats and recipe key."""

    name: ClassVar[str] = ""

    def run(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        """The step's parameters as written in a recipe."""
        from dataclasses import fields

        return {f.name: getattr(self, f.name) for f in fields(self) if f.init}


@dataclass(frozen=True, kw_only=True)
class Filter(Step):
    """Keeps or removes whole documents; never edits text."""

    def keep(self, doc: Document) -> bool | Drop:
        raise NotImplementedError

    def run(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        stats = ctx.stats
        clock = time.perf_counter
        for doc in docs:
            stats.docs_in += 1
            n = len(doc.text)
            stats.chars_in += n
            start = clock()
            verdict = self.keep(doc)
            stats.seconds += clock() - start
            if verdict is True:
                stats.docs_out += 1
                stats.chars_out += n
                yield doc
            elif isinstance(verdict, Drop):
                ctx.remove(doc, verdict.reason, verdict.detail)
            else:
                ctx.remove(doc, self.name)


HISTOGRAM_BATCH = 4096
"""Scores wait in a list and are added to their histogram this many at a time."""


@dataclass(frozen=True, kw_only=True)
class ScoreFilter(Filter):
    """Measures one score per document and removes it outside ``[min_value, max_value]``.

    The score is always kept in ``doc.meta["signals"][label]`` and histogrammed over
    ``histogram_range``, so thresholds can be changed later without recomputing.  With
    ``action: tag`` nothing is removed: the score and a ``flags`` entry are only recorded.
    Reason codes: ``<name>_low`` and ``<name>_high``.
    """

    min_value: float | None = None
    max_value: float | None = None
    action: str = "drop"

    histogram_range: ClassVar[tuple[float, float]] = (0.0, 1.0)

    def score(self, doc: Document) -> float:
        raise NotImplementedError

    def verdict(self, value: float) -> Drop | None:
        if self.min_value is not None and value < self.min_value:
            return Drop(f"{self.name}_low", f"{value:.4g} < {self.min_value:g}")
        if self.max_value is not None and value > self.max_value:
            return Drop(f"{self.name}_high", f"{value:.4g} > {self.max_value:g}")
        return None

    def run(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        stats = ctx.stats
        lo, hi = self.histogram_range
        hist = stats.histogram(ctx.label, lo, hi)
        clock = time.perf_counter
        tag_only = self.action == "tag"
        label = ctx.label
        pending: list[float] = []  # histogrammed in batches: one NumPy pass instead of a call per document
        try:
            for doc in docs:
                stats.docs_in += 1
                n = len(doc.text)
                stats.chars_in += n
                start = clock()
                value = float(self.score(doc))
                stats.seconds += clock() - start
                doc.signals[label] = rounded4(value)
                pending.append(value)
                if len(pending) >= HISTOGRAM_BATCH:
                    hist.add_many(pending)
                    pending.clear()
                drop = self.verdict(value)
                if ctx.tracing:
                    ctx.note(doc, "score", value=value, min=self.min_value, max=self.max_value)
                if drop is None:
                    pass
                elif tag_only:
                    doc.meta.setdefault("flags", []).append(drop.reason)
                    stats.counters[f"tagged:{drop.reason}"] += 1
                else:
                    ctx.remove(doc, drop.reason, drop.detail)
                    continue
                stats.docs_out += 1
                stats.chars_out += n
                yield doc
        finally:
            hist.add_many(pending)


@dataclass(frozen=True, kw_only=True)
class Mapper(Step):
    """Rewrites documents; never removes one.

    Implement ``map(doc)``, or ``map_noted(doc)`` to also say which fixes changed the text (they are
    counted as ``fix:<name>`` and shown by ``taosha inspect``).
    """

    def map(self, doc: Document) -> Document:
        raise NotImplementedError

    def map_noted(self, doc: Document) -> tuple[Document, Sequence[str]]:
        return self.map(doc), ()

    def run(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        stats = ctx.stats
        counters = stats.counters
        clock = time.perf_counter
        for doc in docs:
            stats.docs_in += 1
            before = doc.text
            stats.chars_in += len(before)
            start = clock()
            doc, fixes = self.map_noted(doc)
            stats.seconds += clock() - start
            after = doc.text
            stats.chars_out += len(after)
            stats.docs_out += 1
            for fix in fixes:
                counters[f"fix:{fix}"] += 1
            if after != before:
                stats.changed += 1
                # One fix only, so that the sample shows what that fix did.
                if len(fixes) == 1 and len(stats.samples.get(f"fix:{fixes[0]}", ())) < SAMPLES_PER_REASON:
                    stats.sample_change(fixes[0], doc.id, before, after)
                if ctx.tracing:
                    ctx.note(doc, "changed", before=before, after=after, fixes=list(fixes))
            yield doc


@dataclass(frozen=True, kw_only=True)
class LineFilter(Step):
    """Removes lines; a document left with fewer than ``min_chars_left`` non-blank characters
    (after at least one line was removed) is removed with reason ``boilerplate_only``.

    Implement ``keep_line(line)``, or ``keep_lines(lines)`` when a verdict needs the neighbouring
    lines (a block of teaser headlines).  Removed lines are counted as ``lines_removed:<reason>``
    and characters as ``chars_removed:<reason>``.
    """

    min_chars_left: int = 0

    def keep_line(self, line: str) -> bool | Drop:
        raise NotImplementedError

    def keep_lines(self, lines: list[str]) -> list[bool | Drop]:
        return [self.keep_line(line) for line in lines]

    def run(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        stats = ctx.stats
        clock = time.perf_counter
        for doc in docs:
            stats.docs_in += 1
            stats.chars_in += len(doc.text)
            start = clock()
            lines = doc.text.split("\n")
            verdicts = self.keep_lines(lines)
            stats.seconds += clock() - start
            if not drop_lines(doc, lines, verdicts, ctx, self.name, self.min_chars_left):
                continue
            stats.docs_out += 1
            stats.chars_out += len(doc.text)
            yield doc


def drop_lines(
    doc: Document,
    lines: list[str],
    verdicts: Sequence[bool | Drop],
    ctx: StepContext,
    default_reason: str,
    min_chars_left: int,
) -> bool:
    """Remove the lines whose verdict is not ``True`` from ``doc``, counting and tracing each by
    reason; returns ``False`` when the document was removed as ``boilerplate_only``.  Shared by
    :class:`LineFilter` and global steps that remove lines (``repeated_lines``)."""
    stats = ctx.stats
    counters = stats.counters
    kept: list[str] = []
    removed_any = False
    for index, (line, verdict) in enumerate(zip(lines, verdicts, strict=True)):
        if verdict is True:
            kept.append(line)
            continue
        removed_any = True
        reason = verdict.reason if isinstance(verdict, Drop) else default_reason
        counters[f"lines_removed:{reason}"] += 1
        counters[f"chars_removed:{reason}"] += len(line)
        stats.sample(f"line:{reason}", doc.id, line)
        if ctx.tracing:
            ctx.note(doc, "line_removed", line=line, reason=reason, index=index)
    if not removed_any:
        return True
    stats.changed += 1
    before = doc.text
    doc.text = "\n".join(kept)
    if ctx.tracing:
        ctx.note(doc, "changed", before=before, after=doc.text, fixes=[])
    if min_chars_left and visible_chars(doc.text) < min_chars_left:
        ctx.remove(doc, "boilerplate_only")
        return False
    return True


def visible_chars(text: str) -> int:
    """Characters other than spaces, tabs, newlines and the ideographic space."""
    return len(text) - sum(text.count(c) for c in " \n\t\u3000")


@dataclass(frozen=True, kw_only=True)
class GlobalStep(Step):
    """A step that must see the whole run before deciding (exact and near dedup, repeated lines).

    The engine splits the pipeline at each global step and runs it in three phases, with state on
    disk (``ctx.state_dir``) between them so that any engine, local or Ray, can run each phase as
    independent tasks and a killed run resumes:

    1. ``collect(docs, ctx)`` once per shard, in the shard's task: write what the decision needs
       (hashes, signatures) under ``ctx.state_dir``, usually split into partitions by key, and yield
       the documents on.  Use ``ctx.shard_index`` in file names: each shard writes its own files.
    2. ``reduce(phase, part, state_dir, n_shards)`` for each phase of ``reduce_plan(n_shards)``
       (a list of partition counts), each partition an independent task: read the collected state,
       write decisions.  Phase ``k+1`` starts when every partition of phase ``k`` has finished.
    3. ``apply(docs, ctx)`` once per shard, at the start of the next stage: remove or annotate by
       the decisions.

    All three must be deterministic: the same input gives the same decisions whatever the number
    of workers and however the run was interrupted.
    """

    def run(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        raise TypeError(f"{self.name} is a global step; the engine runs its phases")

    def collect(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        raise NotImplementedError

    def reduce_plan(self, n_shards: int) -> list[int]:
        return [1]

    def reduce(self, phase: int, part: int, state_dir: Path, n_shards: int) -> None:
        raise NotImplementedError

    def apply(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        raise NotImplementedError
