"""What an engine is: something that runs a batch of independent tasks and reports progress.

The driver (:func:`taosha.run.execute`) decides *what* runs (which stage, which shards, which
reduce partitions, skipping finished ones); an engine only decides *where*.  Every engine calls the
same task functions of :mod:`taosha.pipeline`, so results cannot depend on the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from taosha.pipeline import RunPlan
from taosha.stats import Stats


@dataclass(frozen=True)
class Batch:
    """A batch of tasks of one kind: shard tasks of a stage, or partitions of a reduce phase."""

    kind: str
    """``shards`` or ``reduce``."""
    stage: int
    items: tuple[int, ...]
    """Shard indices, or partition numbers."""
    phase: int = 0
    description: str = ""
    total_bytes: int = 0
    total_docs: int = 0


class Progress(Protocol):
    def start(self, batch: Batch) -> None: ...
    def update(self, docs: int, nbytes: int) -> None: ...
    def task_done(self) -> None: ...
    def close(self) -> None: ...


class Engine(Protocol):
    name: str
    workers: int

    def run_batch(self, plan: RunPlan, batch: Batch, progress: Progress) -> dict[int, Stats | None]:
        """Run every task of ``batch``; return the stats of each shard task (``None`` for reduce).

        A failing task must not stop the others; the engine raises :class:`ShardError` after the
        batch, naming every failed task, so that finished tasks keep their done markers.
        """
        ...

    def close(self) -> None: ...

