"""The unit of work: one document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Document:
    """A document on its way through a pipeline.

    ``meta`` holds every field of the input record other than the text and id, unchanged, so that
    the output record is the input record with a cleaned text.  Steps add their findings under a few
    reserved keys: ``signals`` (scores by step name), ``dedup``, ``pii``.
    """

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def signals(self) -> dict[str, Any]:
        """Scores kept for later re-thresholding; created on first use."""
        signals = self.meta.get("signals")
        if signals is None:
            signals = self.meta["signals"] = {}
        return signals
