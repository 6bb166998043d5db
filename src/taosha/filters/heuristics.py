"""Gopher / FineWeb-2 ``cmn_Hani`` style quality heuristics for Chinese, measured in characters.

Each signal of :mod:`taosha.filters.signals` is available as its own :class:`ScoreFilter` (e.g.
``cjk_ratio``, ``dup_line_frac``; reason codes ``<name>_low`` / ``<name>_high``) and, because the
signals share one pass over the text, all of them together as ``zh_heuristics``: one step that
records every signal in ``meta.signals`` under the same names and applies one threshold parameter
per signal (``min_<signal>`` / ``max_<signal>``, ``None`` switches a rule off).  The grouped step
was 3-8x faster (CPU time, news and web pages) than the 21 single-signal steps run one after another.

Thresholds.  The starting points were FineWeb-2's ``cmn_Hani`` configuration (duplicate lines
0.287, duplicate 5..10-grams 0.198 .. 0.127, top 2/3/4-grams 0.256/0.201/0.171, lines ending in
punctuation 0.106) and the Gopher rules; they count *words*, so every threshold was re-measured in
characters on ../shared/data with ``benchmarks/calibrate.py``.  docs/quality.md has the table, the
keep rate per source and the reason for each default.  In short: a Chinese character is about half
a word, so character n-grams repeat more than word n-grams and the n-gram limits are looser; and
short texts (Weibo posts, headlines) are judged only on character shares, because line and
repetition statistics of a 20-character text are noise.

Gates.  Line rules apply only to documents with at least ``line_rules_min_lines`` non-blank lines;
repetition (n-gram) and entropy rules only to documents with at least ``repetition_min_chars``
visible characters.  The signals are recorded either way.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import cached_property
from typing import ClassVar, Literal

from taosha.document import Document
from taosha.filters.charclass import (
    HAN,
    HAN_SIMP,
    HAN_TRAD,
    KERNEL,
    SPACE,
    class_counts,
    classify,
    han_count,
    scan,
)
from taosha.filters.signals import (
    SIGNAL_RANGES,
    all_signals,
    char_signals,
    dyadic,
    line_signals,
    ngram_signals,
)
from taosha.stats import GRID_ROUNDED, Histogram
from taosha.step import Drop, Filter, ScoreFilter, StepContext

_LINE_SIGNALS = {
    "terminal_punct_lines", "mean_line_chars", "short_line_frac", "ellipsis_line_frac",
    "dup_line_frac", "dup_line_char_frac", "dup_para_frac",
}
_NGRAM_SIGNALS = {name for name in SIGNAL_RANGES if name.startswith(("top_", "dup_")) and "gram" in name}
_NGRAM_SIGNALS.add("char_entropy")  # the entropy of a 20-character text is at most log2(20) = 4.3 bits


@dataclass(frozen=True, kw_only=True)
class ZhHeuristics(Filter):
    """All character-level quality signals in one pass; one threshold parameter per signal.

    Records every signal in ``doc.meta["signals"]`` and histograms it as ``<label>:<signal>``
    (``char_entropy`` and the n-gram signals only for documents of ``repetition_min_chars`` or
    more: they are not measured on shorter ones, which is most of the time saved on Weibo text).
    The first rule a document breaks gives the reason code (``<signal>_low`` or ``<signal>_high``);
    with ``action: tag`` every broken rule is added to ``meta.flags`` and nothing is removed.
    """

    name = "zh_heuristics"

    action: Literal["drop", "tag"] = "drop"
    line_rules_min_lines: int = 3
    repetition_min_chars: int = 100

    # Character shares (see docs/quality.md for the calibration of each default).
    min_cjk_ratio: float | None = 0.2
    max_symbol_ratio: float | None = 0.25
    max_digit_ratio: float | None = 0.5
    min_function_ratio: float | None = None
    min_char_entropy: float | None = 3.5
    # Lines.
    min_terminal_punct_lines: float | None = 0.1
    min_mean_line_chars: float | None = 20.0
    max_short_line_frac: float | None = 0.5
    max_ellipsis_line_frac: float | None = 0.5
    max_dup_line_frac: float | None = 0.35
    max_dup_line_char_frac: float | None = 0.3
    max_dup_para_frac: float | None = 0.35
    # Repetition, with character n-grams.
    max_top_2gram: float | None = 0.25
    max_top_3gram: float | None = 0.25
    max_top_4gram: float | None = 0.25
    max_dup_5gram: float | None = None
    max_dup_6gram: float | None = None
    max_dup_7gram: float | None = None
    max_dup_8gram: float | None = None
    max_dup_9gram: float | None = None
    max_dup_10gram: float | None = 0.5

    RULE_ORDER: ClassVar[tuple[str, ...]] = (
        "cjk_ratio", "symbol_ratio", "digit_ratio", "char_entropy", "function_ratio",
        "dup_line_frac", "dup_line_char_frac", "dup_para_frac", "ellipsis_line_frac",
        "terminal_punct_lines", "mean_line_chars", "short_line_frac",
        "top_2gram", "top_3gram", "top_4gram",
        "dup_5gram", "dup_6gram", "dup_7gram", "dup_8gram", "dup_9gram", "dup_10gram",
    )

    def __post_init__(self) -> None:
        if self.line_rules_min_lines < 1 or self.repetition_min_chars < 0:
            raise ValueError("line_rules_min_lines must be >= 1 and repetition_min_chars >= 0")

    @cached_property
    def _rules(self) -> tuple[tuple[str, float | None, float | None], ...]:
        # Built once per step object (cached_property writes the instance __dict__ directly, which
        # a frozen dataclass allows); rebuilding it per document was a sixth of the step's time.
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        out = []
        for signal in self.RULE_ORDER:
            lo, hi = values.get(f"min_{signal}"), values.get(f"max_{signal}")
            if lo is not None or hi is not None:
                out.append((signal, lo, hi))
        return tuple(out)

    def rules(self) -> list[tuple[str, float | None, float | None]]:
        """``(signal, min, max)`` for every signal with a threshold, in checking order."""
        return list(self._rules)

    def judge(self, signals: dict[str, float]) -> list[Drop]:
        """Every rule the measured signals break, in checking order."""
        broken = []
        line_gate = signals["n_lines"] >= self.line_rules_min_lines
        ngram_gate = signals["n_chars"] >= self.repetition_min_chars
        for signal, lo, hi in self._rules:
            if signal in _LINE_SIGNALS and not line_gate:
                continue
            if signal in _NGRAM_SIGNALS and not ngram_gate:
                continue
            value = signals[signal]
            if lo is not None and value < lo:
                broken.append(Drop(f"{signal}_low", f"{value:.4g} < {lo:g}"))
            elif hi is not None and value > hi:
                broken.append(Drop(f"{signal}_high", f"{value:.4g} > {hi:g}"))
        return broken

    def measure(self, text: str) -> dict[str, float]:
        """The signals of ``text``; entropy and n-gram signals only when it is long enough to judge."""
        return all_signals(text, self.repetition_min_chars)

    def keep(self, doc: Document) -> bool | Drop:
        broken = self.judge(self.measure(doc.text))
        return broken[0] if broken else True

    def run(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        stats = ctx.stats
        hists = {name: stats.histogram(f"{ctx.label}:{name}", lo, hi) for name, (lo, hi) in SIGNAL_RANGES.items()}
        # Values are histogrammed in batches (one NumPy pass per signal) rather than one
        # Histogram.add call per signal per document.
        pending: dict[str, list[float]] = {name: [] for name in hists}
        clock = time.perf_counter
        tag_only = self.action == "tag"
        grid_rounded = GRID_ROUNDED.get  # round(v, 4) by look-up: see taosha.stats.rounded4
        try:
            for count, doc in enumerate(docs, 1):
                stats.docs_in += 1
                n = len(doc.text)
                stats.chars_in += n
                start = clock()
                signals = self.measure(doc.text)
                broken = self.judge(signals)
                stats.seconds += clock() - start
                record = doc.signals
                for name, values in pending.items():
                    value = signals.get(name)
                    if value is not None:
                        rounded = grid_rounded(value)
                        record[name] = round(value, 4) if rounded is None else rounded
                        values.append(value)
                if count % _HIST_BATCH == 0:
                    _flush(hists, pending)
                if ctx.tracing:
                    ctx.note(doc, "score", value=signals, broken=[d.reason for d in broken])
                if broken and not tag_only:
                    ctx.remove(doc, broken[0].reason, broken[0].detail)
                    continue
                for drop in broken:
                    doc.meta.setdefault("flags", []).append(drop.reason)
                    stats.counters[f"tagged:{drop.reason}"] += 1
                stats.docs_out += 1
                stats.chars_out += n
                yield doc
        finally:
            _flush(hists, pending)


_HIST_BATCH = 4096


def _flush(hists: dict[str, Histogram], pending: dict[str, list[float]]) -> None:
    """Add the pending values to their histograms (one NumPy pass per signal)."""
    for name, values in pending.items():
        hists[name].add_many(values)
        values.clear()


# --- the same signals as single-signal steps --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _CharSignal(ScoreFilter):
    signal: ClassVar[str] = ""

    def score(self, doc: Document) -> float:
        return char_signals(doc.text)[self.signal]


@dataclass(frozen=True, kw_only=True)
class _LineSignal(ScoreFilter):
    signal: ClassVar[str] = ""

    def score(self, doc: Document) -> float:
        return line_signals(doc.text)[self.signal]


@dataclass(frozen=True, kw_only=True)
class CjkRatio(ScoreFilter):
    """``cjk_ratio``: Han characters / visible (non-whitespace) characters, in [0, 1]; drops below
    ``min_value``.  The cheap script check that runs before language ID: the default 0.2 keeps
    Chinese text full of English terms, numbers and URLs (zhwiki's articles on software and
    chemistry) and removes English, Japanese kana-heavy, code and pure-symbol documents.
    Calibrated on ../shared/data (docs/quality.md)."""

    name = "cjk_ratio"
    min_value: float | None = 0.2

    def score(self, doc: Document) -> float:
        if KERNEL:  # one C pass (taosha._speedups); the NumPy reference below otherwise
            classes, _, _, visible = scan(doc.text)
            han = classes[HAN] + classes[HAN_SIMP] + classes[HAN_TRAD]
            return dyadic(han / visible) if visible else 0.0
        entries = classify(doc.text)
        counts = class_counts(entries)
        visible = int(entries.size - counts[SPACE])
        return dyadic(han_count(counts) / visible) if visible else 0.0


@dataclass(frozen=True, kw_only=True)
class SymbolRatio(_CharSignal):
    """``symbol_ratio``: symbols and emoji (Unicode S*, plus ①-style numbers) / visible characters;
    drops above ``max_value`` (default 0.25: emoji walls, box-drawing tables, ★ rating spam)."""

    name = "symbol_ratio"
    signal = "symbol_ratio"
    max_value: float | None = 0.25
    histogram_range = (0.0, 0.5)


@dataclass(frozen=True, kw_only=True)
class DigitRatio(_CharSignal):
    """``digit_ratio``: digits (half- and full-width) / visible characters; drops above
    ``max_value`` (default 0.4: price lists, lottery draw tables, timetables)."""

    name = "digit_ratio"
    signal = "digit_ratio"
    max_value: float | None = 0.4
    histogram_range = (0.0, 0.5)


@dataclass(frozen=True, kw_only=True)
class FunctionRatio(_CharSignal):
    """``function_ratio``: Chinese function characters (的 了 是 在 ...) / Han characters, the
    character-level counterpart of Gopher's stop-word rule; drops below ``min_value``.  Off by
    default: headlines and product names have none, so the recipe decides."""

    name = "function_ratio"
    signal = "function_ratio"
    histogram_range = (0.0, 0.4)


@dataclass(frozen=True, kw_only=True)
class CharEntropy(_CharSignal):
    """``char_entropy``: Shannon entropy of the character distribution, in bits; drops below
    ``min_value`` (default 3.0: 「哈哈哈哈哈」, 「顶顶顶」 floods and one-character walls)."""

    name = "char_entropy"
    signal = "char_entropy"
    min_value: float | None = 3.0
    histogram_range = (0.0, 12.0)


@dataclass(frozen=True, kw_only=True)
class TerminalPunctLines(_LineSignal):
    """``terminal_punct_lines``: share of non-blank lines ending in 。！？…」” etc.; drops below
    ``min_value`` (FineWeb-2 cmn_Hani: 0.106).  Off by default (see docs/quality.md)."""

    name = "terminal_punct_lines"
    signal = "terminal_punct_lines"


@dataclass(frozen=True, kw_only=True)
class MeanLineChars(_LineSignal):
    """``mean_line_chars``: mean characters per non-blank line; drops outside ``[min, max]``."""

    name = "mean_line_chars"
    signal = "mean_line_chars"
    histogram_range = (0.0, 400.0)


@dataclass(frozen=True, kw_only=True)
class ShortLineFrac(_LineSignal):
    """``short_line_frac``: share of non-blank lines under 10 characters; drops above ``max_value``
    (FineWeb: 0.67 for lines under 30 English characters).  Off by default."""

    name = "short_line_frac"
    signal = "short_line_frac"


@dataclass(frozen=True, kw_only=True)
class DupLineFrac(_LineSignal):
    """``dup_line_frac``: share of non-blank lines that repeat an earlier line; drops above
    ``max_value`` (FineWeb-2 cmn_Hani: 0.287; ours 0.35)."""

    name = "dup_line_frac"
    signal = "dup_line_frac"
    max_value: float | None = 0.35


@dataclass(frozen=True, kw_only=True)
class DupLineCharFrac(_LineSignal):
    """``dup_line_char_frac``: characters in repeated lines / characters in lines; drops above
    ``max_value`` (Gopher: 0.2; ours 0.3)."""

    name = "dup_line_char_frac"
    signal = "dup_line_char_frac"
    max_value: float | None = 0.3


@dataclass(frozen=True, kw_only=True)
class DupParaFrac(_LineSignal):
    """``dup_para_frac``: share of blank-line separated paragraphs that repeat an earlier one;
    drops above ``max_value`` (Gopher: 0.3; ours 0.35)."""

    name = "dup_para_frac"
    signal = "dup_para_frac"
    max_value: float | None = 0.35


@dataclass(frozen=True, kw_only=True)
class TopNgramCoverage(ScoreFilter):
    """``top_ngram_coverage``: characters covered by the most frequent character ``n``-gram
    (n = 2, 3 or 4) / visible characters; drops above ``max_value`` (default 0.25)."""

    name = "top_ngram_coverage"
    n: int = 2
    max_value: float | None = 0.25

    def __post_init__(self) -> None:
        if self.n not in (2, 3, 4):
            raise ValueError("n must be 2, 3 or 4 (use dup_ngram_coverage for longer n-grams)")

    def score(self, doc: Document) -> float:
        return ngram_signals(doc.text)[f"top_{self.n}gram"]


@dataclass(frozen=True, kw_only=True)
class DupNgramCoverage(ScoreFilter):
    """``dup_ngram_coverage``: characters covered by character ``n``-grams (n = 5..10) that occur
    more than once / visible characters; drops above ``max_value`` (default 0.4 for n = 10)."""

    name = "dup_ngram_coverage"
    n: int = 10
    max_value: float | None = 0.4

    def __post_init__(self) -> None:
        if not 5 <= self.n <= 10:
            raise ValueError("n must be between 5 and 10")

    def score(self, doc: Document) -> float:
        return ngram_signals(doc.text)[f"dup_{self.n}gram"]
