"""The per-shard routine every engine runs, and an in-memory runner for one or a few documents.

A run is cut into *stages* at each global step (see :class:`taosha.step.GlobalStep`).  Stage ``k``
of shard ``s`` reads the shard (stage 0) or the shard's output of stage ``k-1``, applies the previous
global step's decisions, runs the stage's per-document steps, then the closing global step's
``collect``; it writes documents on to the next stage (or to ``OUT/data``), removed documents to
``OUT/removed``, and its :class:`~taosha.stats.Stats` as the task's done marker.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from taosha.document import Document
from taosha.recipe import Recipe
from taosha.stats import Stats
from taosha.step import Context, GlobalStep, Step

Labelled = Sequence[tuple[str, Step]]


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
        stream = global_step.apply(stream, ctx.for_step(label))
    steps, closing = stages[stage]
    stream = chain(steps, stream, ctx)
    if closing is not None:
        label, global_step = closing
        stream = global_step.collect(stream, ctx.for_step(label))
    return iter(stream)


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
    docs = list(docs)
    shards: list[list[Document]] = (
        [list(s) for s in docs] if docs and not isinstance(docs[0], Document) else [docs]  # type: ignore[list-item]
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
