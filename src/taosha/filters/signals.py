"""Quality signals of a Chinese text, measured in characters (pure functions, no I/O).

Gopher, C4 and FineWeb count whitespace-separated words, English stop words and lines ending in
``.!?"``; none of that measures Chinese.  Here every length and ratio is in characters (whitespace
not counted), terminal punctuation includes 。！？…」』” and friends, repetition is measured with
character n-grams, and "stop words" are Chinese function characters (的 了 是 在 ...).

Three groups, each computed in one pass over the text (see :mod:`taosha.filters.charclass`):

``char_signals``  (shares of the visible characters, i.e. everything but whitespace)
    ``cjk_ratio`` Han characters; ``symbol_ratio`` symbols and emoji; ``digit_ratio`` digits;
    ``function_ratio`` function characters per Han character; ``char_entropy`` Shannon entropy of
    the character distribution, in bits.
``line_signals``  (over non-blank lines)
    ``terminal_punct_lines`` share of lines ending in terminal punctuation; ``mean_line_chars``;
    ``short_line_frac`` share of lines under 10 characters; ``ellipsis_line_frac`` lines ending in
    … or ...; ``dup_line_frac`` lines that repeat an earlier line; ``dup_line_char_frac`` the
    characters in those lines; ``dup_para_frac`` paragraphs (blank-line separated) that repeat one.
``ngram_signals``  (Gopher repetition, with characters instead of words)
    ``top_{2,3,4}gram`` characters covered by the most frequent character n-gram;
    ``dup_{5..10}gram`` characters covered by character n-grams that occur more than once.

Values are on a 1/1024 grid (:func:`dyadic`), so histogram totals merge exactly in any order.

Two implementations.  The character and n-gram groups are counted by the C extension
``taosha._speedups`` when it is loaded (``charclass.KERNEL``; 5-10x less CPU on 450-character
documents, where NumPy's per-call overhead dominated), else by the NumPy code below, which stays the
reference and the fallback (``TAOSHA_PURE_PYTHON=1`` forces it; see :mod:`taosha.filters.charclass`).
The kernel returns raw counts and the same arithmetic turns them into the same values; the one float
it computes itself, the entropy, is summed in another order than NumPy's (its last bits differ for
about half of all documents), so a value within 1e-9 bits of a rounding boundary of :func:`dyadic` is
measured again with the reference (one document of ../shared/data comes that close, 6.6e-10 bits,
and both round it alike; the check keeps equality true by construction).  ``tests/filters/test_speedups.py`` checks both give the same signals on samples of
every file of ../shared/data, ``benchmarks/speedups_parity.py`` on all 609,462 documents.

>>> s = char_signals("今天的天气很好，我们去公园吧！")
>>> round(s["cjk_ratio"], 2), s["function_ratio"] > 0.2
(0.87, True)
>>> round(line_signals("第一行。\\n第二行\\n第一行。")["dup_line_frac"], 3)
0.333
>>> ngram_signals("买彩票买彩票买彩票买彩票")["top_3gram"]
1.0
"""

from __future__ import annotations

import math
import re
from itertools import repeat

import numpy as np

from taosha.filters.charclass import (
    DIGIT,
    FUNCTION,
    HAN,
    HAN_SIMP,
    HAN_TRAD,
    KERNEL,
    SPACE,
    SYMBOL,
    class_counts,
    class_table,
    codepoints_and_classes,
    han_count,
    kernel,
    scan,
)

TERMINAL_PUNCT = tuple("。！？!?…」』”’\"'．.；;～~）)】》")
"""Line endings that close a sentence.  Closing quotes and brackets count because Chinese sentences
often end inside them (……。」); ；and ～ end many forum and review lines."""

SHORT_LINE_CHARS = 10
"""A line under this many characters is "short": about 30 English characters' worth of content,
FineWeb's short-line length."""

_PARAGRAPH = re.compile(r"\n[ \t\u3000]*\n")
_ELLIPSIS = ("…", "...", "。。。")

SIGNAL_RANGES: dict[str, tuple[float, float]] = {
    "cjk_ratio": (0.0, 1.0),
    "symbol_ratio": (0.0, 0.5),
    "digit_ratio": (0.0, 0.5),
    "function_ratio": (0.0, 0.4),
    "char_entropy": (0.0, 12.0),
    "terminal_punct_lines": (0.0, 1.0),
    "mean_line_chars": (0.0, 400.0),
    "short_line_frac": (0.0, 1.0),
    "ellipsis_line_frac": (0.0, 1.0),
    "dup_line_frac": (0.0, 1.0),
    "dup_line_char_frac": (0.0, 1.0),
    "dup_para_frac": (0.0, 1.0),
    **{f"top_{n}gram": (0.0, 1.0) for n in (2, 3, 4)},
    **{f"dup_{n}gram": (0.0, 1.0) for n in range(5, 11)},
}
"""Every signal name and the range its histogram covers."""


def dyadic(x: float) -> float:
    """``x`` rounded to a multiple of 1/1024.

    Every signal is reported on this grid: sums of such numbers are exact in floating point, so
    the histogram totals that shards add up do not depend on the order in which they are merged
    (sums of values rounded to decimals do).

    >>> dyadic(0.1), dyadic(2 / 3) * 1024
    (0.099609375, 683.0)
    """
    return round(float(x) * 1024) / 1024


_r = dyadic


class _Text:
    """A text's code points and class entries, computed once and shared by the signal groups."""

    __slots__ = ("text", "cps", "entries", "visible")

    def __init__(self, text: str):
        self.text = text
        self.cps, self.entries = codepoints_and_classes(text)
        self.visible = self.cps[(self.entries & 15) != SPACE]


def _char_signals(t: _Text, entropy: bool = True) -> dict[str, float]:
    entries = t.entries
    counts = class_counts(entries)
    visible = int(t.visible.size)
    han = han_count(counts)
    out = {
        "cjk_ratio": _r(han / visible) if visible else 0.0,
        "symbol_ratio": _r(counts[SYMBOL] / visible) if visible else 0.0,
        "digit_ratio": _r(counts[DIGIT] / visible) if visible else 0.0,
        "function_ratio": _r(np.count_nonzero(entries & FUNCTION) / han) if han else 0.0,
    }
    if entropy:
        out["char_entropy"] = _r(_entropy(t.visible)) if visible else 0.0
    return out


def _entropy(visible: np.ndarray) -> float:
    """Shannon entropy in bits of the code points ``visible`` (not empty)."""
    ordered = np.sort(visible)
    cuts = np.flatnonzero(ordered[1:] != ordered[:-1])
    freq = np.diff(np.concatenate(([-1], cuts, [visible.size - 1])))
    p = freq / visible.size
    return float(-(p * np.log2(p)).sum())


def _char_signals_kernel(text: str) -> tuple[dict[str, float], int]:
    """:func:`_char_signals` without the entropy, from the C kernel's counts; also returns the
    visible character count."""
    classes, functions, _, visible = scan(text)
    han = classes[HAN] + classes[HAN_SIMP] + classes[HAN_TRAD]
    out = {
        "cjk_ratio": _r(han / visible) if visible else 0.0,
        "symbol_ratio": _r(classes[SYMBOL] / visible) if visible else 0.0,
        "digit_ratio": _r(classes[DIGIT] / visible) if visible else 0.0,
        "function_ratio": _r(functions / han) if han else 0.0,
    }
    return out, visible


def _kernel_entropy(text: str, visible: int, entropy: float) -> float:
    """``char_entropy`` from the kernel's unrounded entropy (the reference's value, see the module
    docstring)."""
    if not visible:
        return 0.0
    if _near_rounding_boundary(entropy):
        return _r(_entropy(_Text(text).visible))
    return _r(entropy)


def _near_rounding_boundary(x: float) -> bool:
    """Whether :func:`dyadic` of ``x`` could change if ``x`` moved by rounding error: ``x * 1024``
    within 1e-6 of a half, i.e. ``x`` within 1e-9 bits of a boundary.  The two entropy sums differ
    by a few ulps per term, under 1e-11 bits for a text of ten million characters."""
    scaled = x * 1024
    return abs(scaled - math.floor(scaled) - 0.5) < 1e-6


def char_signals(text: str) -> dict[str, float]:
    """Shares of character classes, function-character density and character entropy."""
    if KERNEL:
        out, visible = _char_signals_kernel(text)
        counts = kernel.ngram_counts(text, class_table())  # type: ignore[union-attr]
        out["char_entropy"] = _kernel_entropy(text, visible, counts[1])
        return out
    return _char_signals(_Text(text))


def line_signals(text: str) -> dict[str, float]:
    """Line shape and line/paragraph repetition; ``n_lines`` counts non-blank lines."""
    if "\n" not in text:
        # One line: 99% of the news, web and wiki documents of ../shared/data (9,112 of 9,224).
        # Same values as the general case below with n = 1, at a fifth of its time.
        line = text.strip()
        if line:
            k = len(line)
            return {
                "n_lines": 1,
                "terminal_punct_lines": 1.0 if line.endswith(TERMINAL_PUNCT) else 0.0,
                "mean_line_chars": _r(k),
                "short_line_frac": 1.0 if k < SHORT_LINE_CHARS else 0.0,
                "ellipsis_line_frac": 1.0 if line.endswith(_ELLIPSIS) else 0.0,
                "dup_line_frac": 0.0,
                "dup_line_char_frac": 0.0,
                "dup_para_frac": 0.0,
            }
    # map/sum/set forms of the per-line loops: same counts, a third less time (issue 10).
    lines = [line for line in map(str.strip, text.split("\n")) if line]
    n = len(lines)
    if not n:
        return {"n_lines": 0, "terminal_punct_lines": 0.0, "mean_line_chars": 0.0, "short_line_frac": 0.0,
                "ellipsis_line_frac": 0.0, "dup_line_frac": 0.0, "dup_line_char_frac": 0.0,
                "dup_para_frac": 0.0}
    lengths = list(map(len, lines))
    total = sum(lengths)
    terminal = sum(map(str.endswith, lines, repeat(TERMINAL_PUNCT, n)))
    ellipsis = sum(map(str.endswith, lines, repeat(_ELLIPSIS, n)))
    short = sum(map(SHORT_LINE_CHARS.__gt__, lengths))  # k < SHORT_LINE_CHARS, counted in C
    dup_lines = dup_chars = 0
    if n > 1:
        # A line repeats an earlier one unless it is the first of its kind: n minus the distinct
        # lines, and their characters are the total minus the distinct lines' characters.
        distinct = set(lines)
        dup_lines = n - len(distinct)
        if dup_lines:
            dup_chars = total - sum(map(len, distinct))
    dup_para = 0.0
    if "\n\n" in text or _PARAGRAPH.search(text):
        paragraphs = [p.strip() for p in _PARAGRAPH.split(text)]
        paragraphs = [p for p in paragraphs if p]
        if paragraphs:
            dup_para = _r((len(paragraphs) - len(set(paragraphs))) / len(paragraphs))
    return {
        "n_lines": n,
        "terminal_punct_lines": _r(terminal / n),
        "mean_line_chars": _r(total / n),
        "short_line_frac": _r(short / n),
        "ellipsis_line_frac": _r(ellipsis / n),
        "dup_line_frac": _r(dup_lines / n),
        "dup_line_char_frac": _r(dup_chars / total),
        "dup_para_frac": dup_para,
    }


_P = np.uint64(0x100000001B3)  # FNV prime: a multiplier that mixes 21-bit code points well


def ngram_signals(text: str) -> dict[str, float]:
    """Gopher's top n-gram (n = 2..4) and duplicate n-gram (n = 5..10) coverage, in characters."""
    if KERNEL:
        return _ngram_values(kernel.ngram_counts(text, class_table()))  # type: ignore[union-attr]
    return _ngram_signals(_Text(text).visible)


_NGRAM_ORDERS = tuple((n, f"top_{n}gram" if n <= 4 else f"dup_{n}gram") for n in range(2, 11))


def _ngram_values(counts: tuple) -> dict[str, float]:
    """:func:`_ngram_signals` from the C kernel's ``ngram_counts``: the most frequent n-gram's
    occurrences (n <= 4) and the characters covered by repeated n-grams (n >= 5), with the same
    arithmetic."""
    length, _, t2, t3, t4, d5, d6, d7, d8, d9, d10 = counts
    if length > 10:  # every order measured: the usual case, written out (half this function's time)
        return {
            "top_2gram": _r(min(1.0, t2 * 2 / length)),
            "top_3gram": _r(min(1.0, t3 * 3 / length)),
            "top_4gram": _r(min(1.0, t4 * 4 / length)),
            "dup_5gram": _r(d5 / length),
            "dup_6gram": _r(d6 / length),
            "dup_7gram": _r(d7 / length),
            "dup_8gram": _r(d8 / length),
            "dup_9gram": _r(d9 / length),
            "dup_10gram": _r(d10 / length),
        }
    out: dict[str, float] = {}
    for (n, name), count in zip(_NGRAM_ORDERS, counts[2:], strict=True):
        if length < n + 1:
            out[name] = 0.0
        elif n <= 4:
            out[name] = _r(min(1.0, count * n / length))
        else:
            out[name] = _r(count / length)
    return out


def _ngram_signals(visible: np.ndarray) -> dict[str, float]:
    """Whitespace is removed first, so a repeated phrase is found across line breaks.  An n-gram's
    key is a 64-bit polynomial hash of its code points, built up one character at a time (one
    vector operation per n), then sorted.  (Sorting all orders at once in one padded array was
    measured slower than this loop.)"""
    cps = visible.astype(np.uint64)
    length = int(cps.size)
    out: dict[str, float] = {}
    keys = cps
    candidates: np.ndarray | None = None
    for n in range(2, 11):
        name = f"top_{n}gram" if n <= 4 else f"dup_{n}gram"
        if length < n + 1:
            keys = keys[:0]
            out[name] = 0.0
            continue
        keys = keys[:-1] * _P + cps[n - 1:]
        ordered = np.sort(keys) if n <= 4 else None
        if ordered is not None:
            cuts = np.flatnonzero(ordered[1:] != ordered[:-1])
            longest = int(np.diff(np.concatenate(([-1], cuts, [ordered.size - 1]))).max())
            out[name] = _r(min(1.0, longest * n / length))
            continue
        # Only a start whose (n-1)-gram repeats can start a repeated n-gram (its partner's prefix
        # repeats too), so each longer order sorts just the previous order's repeated starts.
        # Equal keys are neighbours once sorted; an unstable argsort is several times faster than
        # np.unique(return_inverse=True), which sorts stably.
        if candidates is None:
            candidates = np.arange(keys.size)
        else:
            candidates = candidates[candidates < keys.size]
        sub = keys[candidates]
        order = np.argsort(sub)
        ordered = sub[order]
        same = ordered[1:] == ordered[:-1]
        if not same.any():
            out.update({f"dup_{m}gram": 0.0 for m in range(n, 11)})
            break
        repeated = np.zeros(ordered.size, dtype=bool)
        repeated[1:] = same
        repeated[:-1] |= same
        starts = candidates[order[repeated]]
        candidates = starts
        # Union of the covered spans [start, start + n): +1 at each start, -1 at each end.
        edges = np.bincount(starts, minlength=length + 1) - np.bincount(starts + n, minlength=length + 1)
        out[name] = _r(np.count_nonzero(np.cumsum(edges)[:length]) / length)
    return out


def all_signals(text: str, repetition_min_chars: int = 0) -> dict[str, float]:
    """Every signal of the three groups, plus ``n_lines`` and ``n_chars`` (visible characters).

    ``char_entropy`` and the n-gram signals are measured only for texts of at least
    ``repetition_min_chars`` visible characters (they are left out of the result otherwise), because
    on a short text they are noise and cost most of the time.
    """
    if KERNEL:
        out, visible = _char_signals_kernel(text)
        counts = None
        if visible >= repetition_min_chars:
            counts = kernel.ngram_counts(text, class_table())  # type: ignore[union-attr]
            out["char_entropy"] = _kernel_entropy(text, visible, counts[1])
        out.update(line_signals(text))
        if counts is not None:
            out.update(_ngram_values(counts))
        out["n_chars"] = visible
        return out
    t = _Text(text)
    long_enough = t.visible.size >= repetition_min_chars
    out = _char_signals(t, entropy=long_enough)
    out.update(line_signals(text))
    if long_enough:
        out.update(_ngram_signals(t.visible))
    out["n_chars"] = int(t.visible.size)
    return out
