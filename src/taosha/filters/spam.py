"""Spam and safety taggers: gambling, pornography, SEO spam, advertising and contact spam.

Measured: the *density* of lexicon hits, as weighted hits per 1,000 characters of the text (plus
the ``meta`` fields named in ``fields``, by default the page ``title``, where gambling sites put
their names), with the length floored at ``norm_chars`` (default 500) so that one hit in a
ten-character comment does not count as a wall of spam.  A score of 3 means "one strong spam term per 1,000 characters".
Density rather than single hits: a news story about a casino crackdown mentions 赌场 a few times
at weight 0.1 each; an injected gambling page repeats a site name (weight 3) in its title and body.

Each category is its own :class:`ScoreFilter` (``gambling_score``, ``porn_score``,
``seo_spam_score``, ``ad_spam_score``) with reason code ``<name>_high``.  By default they only
*tag* (``action: tag``: the score goes to ``meta.signals`` and the reason to ``meta.flags``);
a recipe sets ``action: drop`` for the categories it wants removed (zh-web drops gambling).

The lexicons are in ``taosha/assets/lexicons/`` (written for taosha; see PROVENANCE.md there):
one entry a line, ``TERM<TAB>WEIGHT`` or ``re:REGEX<TAB>WEIGHT``, ``#`` comments; texts are
lower-cased and full-width forms folded before matching, so terms match in any case and width
(write regexes in lower case).
Plain terms are compiled into one trie-shaped regular expression, so the text is scanned once
per category whatever the size of the lexicon.  ``lexicon_path`` replaces the built-in list.

Default thresholds come from benchmarks/calibrate.py on ../shared/data (docs/quality.md): the
gambling default 1.0 removes every gambling-injected page of web_chinesewebtext_sample while
keeping all but one of the 6,604 Wikipedia and news documents.

>>> lex = load_lexicon("gambling")
>>> density("华体会官网：最新体育新闻", lex, norm_chars=500)
6.0
>>> density("澳门特区政府加强了对赌场的监管。", lex, norm_chars=500)  # a topic word, weight 0.1
0.2
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import ClassVar

from taosha.document import Document
from taosha.filters.signals import dyadic
from taosha.step import ScoreFilter


@dataclass(frozen=True)
class Lexicon:
    """A compiled lexicon: one regex for the plain terms, weighted extra regexes."""

    name: str
    terms: re.Pattern[str] | None
    weights: dict[str, float]
    patterns: tuple[tuple[re.Pattern[str], float], ...]

    def score(self, text: str) -> float:
        """Sum of the weights of every hit in ``text``, which must already be folded by :func:`fold`."""
        total = 0.0
        if self.terms is not None:
            weights = self.weights
            total += sum(weights[m] for m in self.terms.findall(text))
        for pattern, weight in self.patterns:
            total += weight * len(pattern.findall(text))
        return total


def _trie_regex(words: list[str]) -> str:
    """A regex matching any of ``words``, shaped as a trie (longest alternative first)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            body = "(?:" + body + ")?"
        return body

    return build(trie)


def parse_lexicon(text: str, name: str = "lexicon") -> Lexicon:
    """Parse the lexicon format (see the module docstring)."""
    weights: dict[str, float] = {}
    patterns = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        entry, _, weight_text = line.partition("\t")
        try:
            weight = float(weight_text) if weight_text.strip() else 1.0
        except ValueError:
            raise ValueError(f"{name} line {number}: weight {weight_text!r} is not a number") from None
        if entry.startswith("re:"):
            patterns.append((re.compile(entry[3:]), weight))
        else:
            weights[fold(entry)] = weight
    terms = re.compile(_trie_regex(sorted(weights))) if weights else None
    return Lexicon(name, terms, weights, tuple(patterns))


@lru_cache(maxsize=16)
def load_lexicon(name: str, path: str | None = None) -> Lexicon:
    """A built-in lexicon by name (``gambling``, ``porn``, ``seo``, ``ads``) or a file by path."""
    if path:
        return parse_lexicon(Path(path).read_text(encoding="utf-8"), path)
    text = (resources.files("taosha") / "assets" / "lexicons" / f"{name}.txt").read_text(encoding="utf-8")
    return parse_lexicon(text, name)


_HALF_WIDTH = {cp: cp - 0xFEE0 for lo, hi in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for cp in range(lo, hi)}
"""Full-width letters and digits (ＡＧ, ｑｑ, ８８) to half-width, so spam written in full-width forms
still matches.  Full-width punctuation (，！？：) is left alone: it is ordinary Chinese punctuation,
and the lexicon regexes accept both forms of the colon."""
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def fold(text: str) -> str:
    """Lower case, full-width letters and digits to half-width: how texts meet the lexicons.
    (Folding once and matching case-sensitively is faster than ``re.IGNORECASE``.)"""
    # str.translate looks every character up in a dict; a regex scan to see whether there is
    # anything to fold is ten times cheaper, and most texts have no full-width letters or digits.
    if not text.isascii() and _FULL_WIDTH.search(text):
        text = text.translate(_HALF_WIDTH)
    return text.lower()


def density(text: str, lexicon: Lexicon, *, norm_chars: int) -> float:
    """Weighted hits per 1,000 characters, the length floored at ``norm_chars``; case and
    full-width forms do not matter."""
    return 1000.0 * lexicon.score(fold(text)) / max(len(text), norm_chars)


@dataclass(frozen=True, kw_only=True)
class _LexiconScore(ScoreFilter):
    lexicon: ClassVar[str] = ""
    histogram_range = (0.0, 20.0)

    action: str = "tag"
    fields: tuple[str, ...] = ("title",)
    norm_chars: int = 500
    lexicon_path: str | None = None

    def __post_init__(self) -> None:
        if self.action not in ("tag", "drop"):
            raise ValueError(f"action must be 'tag' or 'drop', not {self.action!r}")
        if self.norm_chars < 1:
            raise ValueError("norm_chars must be >= 1")

    def score(self, doc: Document) -> float:
        text = doc.text
        extra = [doc.meta.get(f) for f in self.fields]
        extra_text = [e for e in extra if isinstance(e, str) and e]
        if extra_text:
            text = "\n".join([*extra_text, text])
        # on the 1/1024 grid, so that histogram totals merge exactly in any order
        return dyadic(density(text, load_lexicon(self.lexicon, self.lexicon_path), norm_chars=self.norm_chars))


@dataclass(frozen=True, kw_only=True)
class GamblingScore(_LexiconScore):
    """``gambling_score``: gambling-lexicon density (weighted hits per 1,000 characters); tags or
    drops above ``max_value`` (default 1.5, see the module docstring)."""

    name = "gambling_score"
    lexicon = "gambling"
    max_value: float | None = 1.0


@dataclass(frozen=True, kw_only=True)
class PornScore(_LexiconScore):
    """``porn_score``: pornography-lexicon density; tags above ``max_value`` (default 3)."""

    name = "porn_score"
    lexicon = "porn"
    max_value: float | None = 3.0


@dataclass(frozen=True, kw_only=True)
class SeoSpamScore(_LexiconScore):
    """``seo_spam_score``: SEO-spam lexicon density (keyword footers, ranking services, link
    blocks); tags above ``max_value`` (default 4)."""

    name = "seo_spam_score"
    lexicon = "seo"
    max_value: float | None = 4.0


@dataclass(frozen=True, kw_only=True)
class AdSpamScore(_LexiconScore):
    """``ad_spam_score``: advertising and contact-spam density (加微信, QQ群, 代开发票, 稳赚, 荐股,
    phone numbers); tags above ``max_value`` (default 8: more than one strong term in a short text,
    so a news story that mentions 稳赚 once is not tagged)."""

    name = "ad_spam_score"
    lexicon = "ads"
    max_value: float | None = 8.0
