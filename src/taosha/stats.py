"""Mergeable run statistics.

Every shard task produces one :class:`Stats`; the engine adds them up (``sum(stats, Stats())``), so
the totals do not depend on how the work was split or in what order shards finished.  Everything is
plain counts and fixed-bin histograms, so the JSON form round-trips exactly.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

GRID_ROUNDED = {k / 1024: round(k / 1024, 4) for k in range(1, 1025)}
"""``round(v, 4)`` of the grid values most signals take (multiples of 1/1024 in (0, 1]; zero is left out so
that ``-0.0`` keeps its sign): a dictionary look-up costs a fifth of ``round``, which was called
28 times a document."""


def rounded4(value: float) -> float:
    """``round(value, 4)``, faster for values on the 1/1024 grid.

    >>> rounded4(0.099609375), rounded4(1 / 3), rounded4(-0.0)
    (0.0996, 0.3333, -0.0)
    """
    r = GRID_ROUNDED.get(value)
    return round(value, 4) if r is None else r


@dataclass
class Histogram:
    """Counts of a score in ``bins`` equal-width bins over ``[lo, hi)``, plus under/overflow.

    Fixed bins (not quantile sketches) because they merge by addition and render as a bar chart.
    """

    lo: float
    hi: float
    bins: int = 40
    counts: list[int] = field(default_factory=list)
    under: int = 0
    over: int = 0
    total: float = 0.0
    n: int = 0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * self.bins

    def add(self, value: float) -> None:
        if math.isnan(value):
            return
        self.n += 1
        # Summed on a 1/1024 grid: such sums are exact in floating point, so the total does not
        # depend on the order in which shards are merged.
        self.total += round(value * 1024) / 1024
        if value < self.lo:
            self.under += 1
        elif value >= self.hi:
            if value == self.hi:
                self.counts[-1] += 1
            else:
                self.over += 1
        else:
            self.counts[int((value - self.lo) / (self.hi - self.lo) * self.bins)] += 1

    def add_many(self, values: list[float]) -> None:
        """``add`` for each value, in one NumPy pass (a ``add`` call per document and score was 5 %
        of a zh-web run).  The same counts and the same total: the values are summed on the same
        1/1024 grid, where floating-point sums are exact in any order."""
        if not values:
            return
        import numpy as np

        v = np.asarray(values, dtype=np.float64)
        v = v[~np.isnan(v)]
        self.n += int(v.size)
        self.total += float((np.round(v * 1024) / 1024).sum())
        self.under += int(np.count_nonzero(v < self.lo))
        self.over += int(np.count_nonzero(v > self.hi))
        inside = v[(v >= self.lo) & (v <= self.hi)]
        bins = ((inside - self.lo) / (self.hi - self.lo) * self.bins).astype(np.int64)
        counts = np.bincount(np.minimum(bins, self.bins - 1), minlength=self.bins)
        self.counts = [a + int(b) for a, b in zip(self.counts, counts.tolist(), strict=True)]

    def __add__(self, other: Histogram) -> Histogram:
        if (self.lo, self.hi, self.bins) != (other.lo, other.hi, other.bins):
            raise ValueError("cannot add histograms with different bins")
        return Histogram(
            self.lo,
            self.hi,
            self.bins,
            [a + b for a, b in zip(self.counts, other.counts, strict=True)],
            self.under + other.under,
            self.over + other.over,
            self.total + other.total,
            self.n + other.n,
        )

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "lo": self.lo, "hi": self.hi, "bins": self.bins, "counts": self.counts,
            "under": self.under, "over": self.over, "total": self.total, "n": self.n,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Histogram:
        return cls(**data)


@dataclass
class StepStats:
    """What one step did: documents in and out, removals by reason, characters, time, extras.

    ``counters`` holds step-specific counts such as ``lines_removed:nav`` or ``pii:MOBILE``.
    """

    docs_in: int = 0
    docs_out: int = 0
    removed: Counter[str] = field(default_factory=Counter)
    changed: int = 0
    chars_in: int = 0
    chars_out: int = 0
    seconds: float = 0.0
    counters: Counter[str] = field(default_factory=Counter)
    histograms: dict[str, Histogram] = field(default_factory=dict)
    samples: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def sample(self, reason: str, doc_id: str, text: str) -> None:
        """Keep the first few removals of each reason for the report."""
        kept = self.samples.setdefault(reason, [])
        if len(kept) < SAMPLES_PER_REASON:
            kept.append({"doc": doc_id, "text": text[:SAMPLE_CHARS]})

    def sample_change(self, fix: str, doc_id: str, before: str, after: str) -> None:
        """Keep the first few rewrites of each fix, cut to a window around the first change."""
        kept = self.samples.setdefault(f"fix:{fix}", [])
        if len(kept) >= SAMPLES_PER_REASON:
            return
        start = 0
        limit = min(len(before), len(after))
        while start < limit and before[start] == after[start]:
            start += 1
        start = max(0, start - SAMPLE_CONTEXT)
        kept.append({"doc": doc_id, "text": before[start:start + SAMPLE_CHARS // 2],
                     "after": after[start:start + SAMPLE_CHARS // 2]})

    def histogram(self, name: str, lo: float, hi: float, bins: int = 40) -> Histogram:
        hist = self.histograms.get(name)
        if hist is None:
            hist = self.histograms[name] = Histogram(lo, hi, bins)
        return hist

    def __add__(self, other: StepStats) -> StepStats:
        histograms = dict(self.histograms)
        for name, hist in other.histograms.items():
            histograms[name] = histograms[name] + hist if name in histograms else hist
        return StepStats(
            self.docs_in + other.docs_in,
            self.docs_out + other.docs_out,
            self.removed + other.removed,
            self.changed + other.changed,
            self.chars_in + other.chars_in,
            self.chars_out + other.chars_out,
            self.seconds + other.seconds,
            self.counters + other.counters,
            histograms,
            _merge_samples(self.samples, other.samples),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "docs_in": self.docs_in, "docs_out": self.docs_out,
            "removed": dict(sorted(self.removed.items())), "changed": self.changed,
            "chars_in": self.chars_in, "chars_out": self.chars_out,
            "seconds": round(self.seconds, 6),
            "counters": dict(sorted(self.counters.items())),
            "histograms": {k: h.to_json() for k, h in sorted(self.histograms.items())},
            "samples": dict(sorted(self.samples.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StepStats:
        return cls(
            data["docs_in"], data["docs_out"], Counter(data["removed"]), data["changed"],
            data["chars_in"], data["chars_out"], data["seconds"], Counter(data["counters"]),
            {k: Histogram.from_json(h) for k, h in data["histograms"].items()},
            {k: list(v) for k, v in data.get("samples", {}).items()},
        )


SAMPLES_PER_REASON = 20
SAMPLE_CHARS = 600
SAMPLE_CONTEXT = 60


def _merge_samples(a: dict[str, list[dict[str, str]]], b: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    merged = {k: list(v) for k, v in a.items()}
    for reason, items in b.items():
        merged[reason] = (merged.get(reason, []) + items)[:SAMPLES_PER_REASON]
    return merged


LEDGER_KEYS = ("in", "kept", "removed", "quarantined")


@dataclass
class Stats:
    """Totals for a shard or a run: the document ledger, bytes, quarantine reasons, per-step stats."""

    documents: Counter[str] = field(default_factory=Counter)
    chars: Counter[str] = field(default_factory=Counter)
    bytes_read: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)
    steps: dict[str, StepStats] = field(default_factory=dict)
    by_source: dict[str, Counter[str]] = field(default_factory=dict)
    """Ledger counts per value of the documents' ``source`` field (when they have one)."""

    def source(self, name: str) -> Counter[str]:
        counts = self.by_source.get(name)
        if counts is None:
            counts = self.by_source[name] = Counter()
        return counts

    def step(self, label: str) -> StepStats:
        stats = self.steps.get(label)
        if stats is None:
            stats = self.steps[label] = StepStats()
        return stats

    def __add__(self, other: Stats) -> Stats:
        steps = dict(self.steps)
        for label, step in other.steps.items():
            steps[label] = steps[label] + step if label in steps else step
        return Stats(
            self.documents + other.documents,
            self.chars + other.chars,
            self.bytes_read + other.bytes_read,
            self.quarantined + other.quarantined,
            steps,
            {
                name: self.by_source.get(name, Counter()) + other.by_source.get(name, Counter())
                for name in sorted(self.by_source.keys() | other.by_source.keys())
            },
        )

    def ledger_balanced(self) -> bool:
        d = self.documents
        return d["in"] == d["kept"] + d["removed"] + d["quarantined"]

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": {k: self.documents[k] for k in LEDGER_KEYS},
            "chars": {k: self.chars[k] for k in ("in", "kept", "removed")},
            "bytes_read": self.bytes_read,
            "quarantined": dict(sorted(self.quarantined.items())),
            "steps": {k: s.to_json() for k, s in self.steps.items()},
            "by_source": {k: dict(sorted(v.items())) for k, v in sorted(self.by_source.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stats:
        return cls(
            Counter(data["documents"]),
            Counter(data["chars"]),
            data["bytes_read"],
            Counter(data["quarantined"]),
            {k: StepStats.from_json(s) for k, s in data["steps"].items()},
            {k: Counter(v) for k, v in data.get("by_source", {}).items()},
        )
