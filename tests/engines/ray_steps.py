"""A step that kills the worker process running it, once, to test recovery from a dead worker.

Shipped to Ray workers by value (see ``ray_cluster`` in test_ray_engine.py), since ``tests/`` is
not importable there.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

from taosha.document import Document
from taosha.errors import RetryableError
from taosha.step import Mapper


@dataclass(frozen=True, kw_only=True)
class DieOnce(Mapper):
    """Leaves text alone; on reaching ``doc_id`` for the first time in the run, writes its process
    id to ``marker`` and SIGKILLs its own process (never the test's own process ``spare_pid``)."""

    name = "die_once"

    marker: str
    doc_id: str
    spare_pid: int

    def map(self, doc: Document) -> Document:
        if doc.id == self.doc_id and os.getpid() != self.spare_pid:
            try:
                fd = os.open(self.marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            except FileExistsError:
                return doc
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
        return doc


@dataclass(frozen=True, kw_only=True)
class FailOn(Mapper):
    """Raises on ``doc_id``, every time, after appending a line to ``log`` (one line per attempt);
    a :class:`RetryableError` when ``retryable``, else a ``ValueError``."""

    name = "fail_on"

    doc_id: str
    log: str
    retryable: bool = False

    def map(self, doc: Document) -> Document:
        if doc.id == self.doc_id:
            with open(self.log, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()}\n")
            if self.retryable:
                raise RetryableError(f"{doc.id}: storage hiccup")
            raise ValueError(f"{doc.id}: broken step")
        return doc
