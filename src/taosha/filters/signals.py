"""Quality signals of a Chinese text, measured in characters (pure functions, no I/O).

Gopher, C4 and FineWeb count whitespace-separated words, English stop words and lines ending in
``.!?"``; none of that measures Chinese.  Here every length and ratio is in characters (whitespace
not counted), terminal punctuation includes 。！？…」』” and friends, repetition is measured with
character n-grams, and "stop words" are Chinese function characters (的 了 是 在 ...).

Three groups, each computed in one vectorised pass (see :mod:`taosha.filters.charclass`):

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

>>> s = char_signals("今天的天气很好，我们去公园吧！")
>>> s["cjk_ratio"], s["function_ratio"] > 0.2
(0.8667, True)
>>> line_signals("第一行。\\n第二行\\n第一行。")["dup_line_frac"]
0.3333
>>> ngram_signals("买彩票买彩票买彩票买彩票")["top_3gram"]
1.0
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from taosha.filters.charclass import (
    DIGIT,
    FUNCTION,
    SPACE,
    SYMBOL,
    class_counts,
    classify,
    codepoints,
    han_count,
)

TERMINAL_PUNCT = tuple("。！？!?…」』”’\"'．.；;～~）)】》")
"""Line endings that close a sentence.  Closing quotes and brackets count because Chinese sentences
often end inside them (……。」); ；and ～ end many forum and review lines."""

SHORT_LINE_CHARS = 10
"""A line under this many characters is "short": about 30 English characters' worth of content,
FineWeb's short-line length."""

_PARAGRAPH = re.compile(r"\n[ \t\u3000]*\n")

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


def _r(x: float) -> float:
    return round(float(x), 4)


def char_signals(text: str, entries: np.ndarray | None = None) -> dict[str, float]:
    """Shares of character classes, function-character density and character entropy."""
    if entries is None:
        entries = classify(text)
    counts = class_counts(entries)
    visible = int(entries.size - counts[SPACE])
    han = han_count(counts)
    out = {
        "cjk_ratio": _r(han / visible) if visible else 0.0,
        "symbol_ratio": _r(counts[SYMBOL] / visible) if visible else 0.0,
        "digit_ratio": _r(counts[DIGIT] / visible) if visible else 0.0,
        "function_ratio": _r(np.count_nonzero(entries & FUNCTION) / han) if han else 0.0,
        "char_entropy": 0.0,
    }
    if visible:
        cps = codepoints(text)[(entries & 15) != SPACE]
        _, freq = np.unique(cps, return_counts=True)
        p = freq / visible
        out["char_entropy"] = _r(-(p * np.log2(p)).sum())
    return out


def line_signals(text: str) -> dict[str, float]:
    """Line shape and line/paragraph repetition; ``n_lines`` counts non-blank lines."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    n = len(lines)
    if not n:
        return {"n_lines": 0, "terminal_punct_lines": 0.0, "mean_line_chars": 0.0, "short_line_frac": 0.0,
                "ellipsis_line_frac": 0.0, "dup_line_frac": 0.0, "dup_line_char_frac": 0.0,
                "dup_para_frac": 0.0}
    lengths = list(map(len, lines))
    total = sum(lengths)
    terminal = sum(1 for line in lines if line.endswith(TERMINAL_PUNCT))
    ellipsis = sum(1 for line in lines if line.endswith(("…", "...", "。。。")))
    short = sum(1 for k in lengths if k < SHORT_LINE_CHARS)
    seen: set[str] = set()
    dup_lines = dup_chars = 0
    for line, k in zip(lines, lengths, strict=True):
        if line in seen:
            dup_lines += 1
            dup_chars += k
        else:
            seen.add(line)
    paragraphs = [p.strip() for p in _PARAGRAPH.split(text)]
    paragraphs = [p for p in paragraphs if p]
    para_counts = Counter(paragraphs)
    dup_paras = len(paragraphs) - len(para_counts)
    return {
        "n_lines": n,
        "terminal_punct_lines": _r(terminal / n),
        "mean_line_chars": _r(total / n),
        "short_line_frac": _r(short / n),
        "ellipsis_line_frac": _r(ellipsis / n),
        "dup_line_frac": _r(dup_lines / n),
        "dup_line_char_frac": _r(dup_chars / total),
        "dup_para_frac": _r(dup_paras / len(paragraphs)) if paragraphs else 0.0,
    }


_P = np.uint64(0x100000001B3)  # FNV prime: a multiplier that mixes 21-bit code points well


def ngram_signals(text: str, entries: np.ndarray | None = None) -> dict[str, float]:
    """Gopher's top n-gram (n = 2..4) and duplicate n-gram (n = 5..10) coverage, in characters.

    Whitespace is removed first, so a repeated phrase is found across line breaks.  An n-gram's key
    is a 64-bit polynomial hash of its code points built up one character at a time (one vector
    operation per n), so all nine statistics cost a few ``np.unique`` calls per document.
    """
    if entries is None:
        entries = classify(text)
    cps = codepoints(text)[(entries & 15) != SPACE].astype(np.uint64)
    length = int(cps.size)
    out: dict[str, float] = {}
    keys = cps
    for n in range(2, 11):
        name = f"top_{n}gram" if n <= 4 else f"dup_{n}gram"
        if length < n + 1:
            keys = keys[:0]
            out[name] = 0.0
            continue
        keys = keys[:-1] * _P + cps[n - 1:]
        if n <= 4:
            _, counts = np.unique(keys, return_counts=True)
            out[name] = _r(min(1.0, counts.max() * n / length))
        else:
            # Equal keys are neighbours once sorted; an unstable argsort is several times faster
            # than np.unique(return_inverse=True), which sorts stably.
            order = np.argsort(keys)
            ordered = keys[order]
            same = ordered[1:] == ordered[:-1]
            repeated = np.zeros(ordered.size, dtype=bool)
            repeated[1:] = same
            repeated[:-1] |= same
            starts = order[repeated]
            if not starts.size:
                out[name] = 0.0
                continue
            # Union of the covered spans [start, start + n): +1 at each start, -1 at each end.
            edges = np.bincount(starts, minlength=length + 1) - np.bincount(starts + n, minlength=length + 1)
            out[name] = _r(np.count_nonzero(np.cumsum(edges)[:length]) / length)
    return out


def all_signals(text: str) -> dict[str, float]:
    """Every signal of the three groups (plus ``n_lines`` and ``n_chars``, the visible characters)."""
    entries = classify(text)
    out = char_signals(text, entries)
    out.update(line_signals(text))
    out.update(ngram_signals(text, entries))
    out["n_chars"] = int(entries.size - np.count_nonzero((entries & 15) == SPACE))
    return out
