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
Plain terms are compiled into one trie-shaped regular expression.  ``lexicon_path`` replaces
the built-in list.

Cost: nearly no document hits a lexicon (3 % of the long documents of ../shared/data hit any of the
four), so the taggers fold each document once and look at it once for the first one to three
characters of every term and pattern of the four built-in lexicons (:class:`Screen`); only the
parts that can hit it are then scanned, and the scores are those of :func:`density`.  The four
taggers went from 0.34 to 0.11 CPU seconds on the 4.1 million characters of the long set in a zh-web
run (``benchmarks/compare/step_cpu.py``; ``benchmarks/spam_normalize_speed.py`` checks that every
score on all 16 files of ../shared/data is the old one).

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
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from taosha.document import Document
from taosha.filters.signals import dyadic
from taosha.step import ScoreFilter

TERMS = -1
"""The part number of a lexicon's plain terms in :meth:`Lexicon.score` and :class:`Screen`; its
``re:`` patterns are parts 0, 1, 2... in file order."""


@dataclass(frozen=True)
class Lexicon:
    """A compiled lexicon: one regex for the plain terms, weighted extra regexes."""

    name: str
    terms: re.Pattern[str] | None
    weights: dict[str, float]
    patterns: tuple[tuple[re.Pattern[str], float], ...]

    def score(self, text: str, parts: Collection[int] | None = None) -> float:
        """Sum of the weights of every hit in ``text``, which must already be folded by :func:`fold`.

        ``parts`` (from :meth:`Screen.hits`) names the parts to scan: :data:`TERMS` and pattern
        indices; a part left out must be one that cannot hit ``text``, so the sum is the same.
        """
        total = 0.0
        if self.terms is not None and (parts is None or TERMS in parts):
            weights = self.weights
            total += sum(weights[m] for m in self.terms.findall(text))
        for index, (pattern, weight) in enumerate(self.patterns):
            if parts is None or index in parts:
                total += weight * len(pattern.findall(text))
        return total

    def heads(self) -> dict[int, frozenset[str] | None]:
        """For each part (:data:`TERMS`, then the pattern indices), strings of one to three
        characters of which every hit of that part starts with one; ``None`` where that is not
        known or not worth screening for (see :class:`Screen`)."""
        out: dict[int, frozenset[str] | None] = {}
        if self.terms is not None:
            out[TERMS] = frozenset(term[:_HEAD] for term in self.weights) if "" not in self.weights else None
        for index, (pattern, _) in enumerate(self.patterns):
            out[index] = _pattern_heads(pattern)
        return out


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


# -- the screen: which parts of the lexicons can hit a document, in one scan -------------------------
#
# Almost no document hits a lexicon (on the six long files of ../shared/data, 3 % hit any of the four
# built-in ones), yet each regex scan costs 4-30 ns a character whatever it finds: sre tries a trie
# of 100 terms at every position whose character begins one (13 % of the positions of Chinese text,
# for 上 下 在 网 ...), and every ``re:`` pattern is a scan of its own.  The screen replaces those
# eleven scans by one that looks for the first one to three characters of every term and pattern, so
# the exact scans run only on the parts that can hit.

_HEAD = 3
"""Head length: three characters make the screen selective (``上一篇`` is rare where ``上一`` is not)
and keep its pattern short."""

_MAX_HEADS = 512
"""A pattern whose heads would be more strings than this (large character classes) is not screened."""

try:  # sre's parser: private, but stable since Python 2; without it every pattern is scanned directly
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a Python whose re has no _parser
    _sre = _sre_parse = None


def _heads(items: Iterable[Any]) -> tuple[set[str], bool] | None:
    """Strings that every match of the parsed regex ``items`` starts with (each at most ``_HEAD``
    characters), and whether they are its whole matches; ``None`` when the regex ignores case."""
    out = {""}
    for op, av in items:
        if all(len(h) >= _HEAD for h in out):
            break
        if op is _sre.LITERAL:
            ext, whole = {chr(av)}, True
        elif op is _sre.IN:
            chars: set[str] = set()
            for kind, value in av:
                if kind is _sre.LITERAL:
                    chars.add(chr(value))
                elif kind is _sre.RANGE and value[1] - value[0] < 16:
                    chars.update(map(chr, range(value[0], value[1] + 1)))
                else:  # NEGATE, a category (\\d, \\s), a wide range: any of many characters
                    return out, False
            ext, whole = chars, True
        elif op is _sre.SUBPATTERN:
            if (av[1] | av[2]) & re.IGNORECASE:
                return None
            sub = _heads(av[3])
            if sub is None:
                return None
            ext, whole = sub
        elif op is _sre.BRANCH:
            ext, whole = set(), True
            for alternative in av[1]:
                sub = _heads(alternative)
                if sub is None:
                    return None
                ext |= sub[0]
                whole = whole and sub[1]
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = _heads(av[2])
            if sub is None:
                return None
            ext, whole = sub[0], sub[1] and av[0] == av[1] == 1
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue  # zero width: the next item starts at the same place
        else:  # an optional item, a group reference...: the heads end here
            return out, False
        out = {(h + e)[:_HEAD] for h in out for e in ext}
        if len(out) > _MAX_HEADS:
            return {h[:1] for h in out}, False
        if not whole:
            return out, False
    return {h[:_HEAD] for h in out}, True


def _pattern_heads(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The heads of a lexicon pattern, or ``None`` when it is to be scanned directly: when they are
    unknown (the pattern ignores case, or can start with any of many characters), and when they all
    begin with a digit.  Web text is full of numbers: the heads ``13``..``19`` of the phone pattern
    ``1(?<!\\d1)[3-9]\\d{9}`` would stop the screen at every year, while its literal first
    character lets sre scan for it directly at about 1 ns a character."""
    if _sre_parse is None:  # pragma: no cover
        return None
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - it compiled, so it parses; never fail a lexicon over this
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _heads(parsed.data)
    if found is None or "" in found[0] or all(h[0] in "0123456789" for h in found[0]):
        return None
    return frozenset(found[0])


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


@dataclass(frozen=True, eq=False)
class Screen:
    """One scan of a text that tells which parts of some lexicons can hit it, and folds it.

    Built from the :meth:`Lexicon.heads` of every part: the regex stops at each position where a
    head begins and :meth:`hits` looks the one to three characters there up.  A part with no head
    in the text has no hit in it, so :meth:`Lexicon.score` gives the same sum scanning only the
    parts returned.  The regex is one character class for the first character of the heads, then
    classes for the second and third, then a look-behind for the exact head: sre tries it only
    where the first character is in the class, and the few classes cost a table look-up each
    (a trie of 200 terms costs a walk through 140 alternatives at each such position).

    >>> screen = Screen.build([load_lexicon("gambling"), load_lexicon("seo")])
    >>> screen.scan("最新ＡＧ真人平台")
    ('最新ag真人平台', (frozenset({-1}), frozenset()))
    >>> screen.scan("今天天气很好") == ("今天天气很好", screen.always)
    True
    """

    regex: re.Pattern[str] | None
    """Where a head begins (one character wide, so that heads beginning inside another are found)."""
    probe: re.Pattern[str]
    """Whether a head begins anywhere, or a full-width letter or digit is there (see :meth:`scan`);
    built for speed (:func:`_probe_regex`), not for finding every head."""
    owners: dict[str, tuple[tuple[int, int], ...]]
    """Head -> the (lexicon, part) pairs that have it."""
    always: tuple[frozenset[int], ...]
    """Per lexicon, the parts with no heads: always scanned."""

    @classmethod
    def build(cls, lexicons: Sequence[Lexicon]) -> Screen:
        owners: dict[str, list[tuple[int, int]]] = {}
        always = []
        for index, lexicon in enumerate(lexicons):
            direct = set()
            for part, heads in lexicon.heads().items():
                if heads is None:
                    direct.add(part)
                    continue
                for head in heads:
                    owners.setdefault(head, []).append((index, part))
            always.append(frozenset(direct))
        probe = _probe_regex([*owners, *map(chr, _HALF_WIDTH)])
        return cls(_screen_regex(owners), probe, {h: tuple(o) for h, o in owners.items()}, tuple(always))

    def hits(self, folded: str, start: int = 0) -> tuple[frozenset[int], ...]:
        """Per lexicon, the parts that can hit ``folded`` (a text folded by :func:`fold`), looking
        from ``start`` on (no head may begin before it)."""
        regex = self.regex
        if regex is None:
            return self.always
        found: list[set[int]] | None = None
        owners = self.owners
        for match in regex.finditer(folded, start):
            if found is None:
                found = [set(parts) for parts in self.always]
            at = match.start()
            for width in (1, 2, 3):
                for lexicon, part in owners.get(folded[at : at + width], ()):
                    found[lexicon].add(part)
        return self.always if found is None else tuple(map(frozenset, found))

    def scan(self, text: str) -> tuple[str, tuple[frozenset[int], ...]]:
        """``fold(text)`` and :meth:`hits` of it, in one scan for most texts.

        :func:`fold` maps full-width letters and digits to ASCII, then lower-cases; lower-casing
        first gives the same text (a full-width capital lower-cases to a full-width small letter,
        which maps to the same ASCII letter; no other character lower-cases to one of them, and
        both are letters where the final-sigma rule looks).  So the text is lower-cased and probed
        once for heads *and* full-width letters and digits; with neither (nearly every document),
        the lower-cased text is the folded one and no part can hit.  This saves the separate
        full-width scan of :func:`fold`.
        """
        lowered = text.lower()
        first = self.probe.search(lowered)
        if first is None:
            return lowered, self.always
        at = first.start()
        if _FULL_WIDTH.search(lowered, at):
            folded = lowered.translate(_HALF_WIDTH)
            # from the start: folding can make a head begin up to two characters before ``at``
            return folded, self.hits(folded)
        # the probe stops at a head's least frequent character, up to two after its beginning
        return lowered, self.hits(lowered, max(0, at - (_HEAD - 1)))


def _screen_regex(heads: Iterable[str]) -> re.Pattern[str] | None:
    """A regex matching (one character wide) where one of ``heads`` (one to three characters) begins.

    One character wide, so that ``finditer`` reports heads that begin inside another one.
    """
    heads = set(heads)
    if not heads:
        return None
    ones = [h for h in heads if len(h) == 1]
    twos = sorted(h for h in heads if len(h) == 2)
    threes = sorted(h for h in heads if len(h) == 3)
    alternatives = []
    if ones:
        alternatives.append(f"(?<={_char_class(ones)})")
    longer = []
    if twos:
        longer.append(f"(?<={_trie_regex(twos)})")
    if threes:
        longer.append(_char_class(h[2] for h in threes) + f"(?<={_trie_regex(threes)})")
    if longer:
        second = _char_class(h[1] for h in (*twos, *threes))
        alternatives.append(f"(?={second}(?:{'|'.join(longer)}))")
    return re.compile(_char_class(h[0] for h in heads) + "(?:" + "|".join(alternatives) + ")")


_FREQUENT = (
    "，的。一是10在不、有了2人年中大国为和以上个9我3日这时到5地出84家.月ea要来会生新多也行6好于后成可就下7学t发：用能很i他o分n都方！作市自还公对之部）（得前天主最其本“小过”s而们子國r高"
    "间民同开例美现比面者全机业外但西经c法名理次说心么点没第l入所斯位等里金定加看被及道政北与动工你-度事电#场情》《合力长三因区房重如特p為h海文去？期通南进实,然由性感至m此建基d体利意相病表世员务起"
    "当/内手平元品代；物关将常明安化车路正球无服只制二果台院并接些店已城水提东产任目价德量使教影克更立太系式口布格那女样想u司种线两g十山州报设回保酒原住从总什交数真共资色·直计b「」尔治信非受该科打给或"
)
"""The 300 most frequent characters of folded text, most frequent first (the first 3,000 documents of
each file of ../shared/data; ``benchmarks/spam_normalize_speed.py --frequent`` prints them).  Only
the speed of the probe depends on them: see :func:`_probe_regex`."""


def _probe_regex(heads: Iterable[str]) -> re.Pattern[str]:
    """A regex that matches somewhere in a text iff one of ``heads`` (one to three characters)
    occurs in it, fast: it is searched once in every document.

    sre costs about 3 ns a character to look for a class, and 30-100 ns at each character found,
    where it tries the rest.  So the class holds, for each head, its least frequent character
    (the *anchor*, by :data:`_FREQUENT`; 5 % of the characters of Chinese text instead of 13 % for
    the first characters), then the other characters of the head are checked with classes (a
    table look-up each) and only then the head itself, with a look-behind.  Heads are grouped by
    length and anchor position; the groups whose anchor is not last come first, as they begin
    with a class that sre checks without entering the alternative.
    """
    rank = {c: i for i, c in enumerate(_FREQUENT)}
    groups: dict[tuple[int, int], list[str]] = {}
    for head in set(heads):
        # the least frequent character; among equals, the earliest (its group starts with a class)
        anchor = min(range(len(head)), key=lambda i: (-rank.get(head[i], len(_FREQUENT)), i))
        groups.setdefault((anchor, len(head)), []).append(head)
    first, last = [], []
    for (anchor, length), group in sorted(groups.items()):
        group.sort()
        classes = [_char_class(h[i] for h in group) for i in range(length)]
        exact = f"(?<={_trie_regex(group)})"
        if anchor < length - 1:  # after the anchor: the next characters, then the ones before it
            before = f"(?<={''.join(classes[:anchor])}{'(?s:.)' * (length - anchor)})" if anchor else ""
            first.append("".join(classes[anchor + 1 :]) + before + exact)
        else:
            before = f"(?<={''.join(classes[:anchor])}(?s:.))" if anchor else ""
            last.append(before + exact)
    anchors = _char_class(h[a] for (a, _), group in groups.items() for h in group)
    return re.compile(anchors + "(?:" + "|".join(first + last) + ")")


BUILTIN = ("gambling", "porn", "seo", "ads")
"""The built-in lexicons, screened together: the four taggers of a recipe share one scan."""


@lru_cache(maxsize=1)
def _builtin_screen() -> Screen:
    return Screen.build([load_lexicon(name) for name in BUILTIN])


@lru_cache(maxsize=16)
def _tagger_setup(name: str, path: str | None) -> tuple[Lexicon, Screen, int]:
    """A tagger's lexicon, the screen that covers it, and the lexicon's place in that screen."""
    lexicon = load_lexicon(name, path)
    if path is None and name in BUILTIN:
        return lexicon, _builtin_screen(), BUILTIN.index(name)
    return lexicon, Screen.build([lexicon]), 0


@lru_cache(maxsize=8)
def _folded_and_screened(text: str, screen: Screen) -> tuple[str, tuple[frozenset[int], ...]]:
    """:meth:`Screen.scan`, kept for the last few texts: the taggers of a recipe run one after the
    other on the same document, so it is folded and screened once, not once per tagger (the
    ``str`` keeps its hash, so the look-up costs no rehash)."""
    return screen.scan(text)


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
        if self.fields:
            meta = doc.meta
            extra = [e for f in self.fields if isinstance(e := meta.get(f), str) and e]
            if extra:
                text = "\n".join([*extra, text])
        lexicon, screen, index = _tagger_setup(self.lexicon, self.lexicon_path)
        # density(), with the fold and the screen shared by the taggers of a recipe
        folded, hits = _folded_and_screened(text, screen)
        parts = hits[index]
        if not parts:  # nothing of this lexicon can hit: what density() gives, without the call
            return 0.0
        # on the 1/1024 grid, so that histogram totals merge exactly in any order
        return dyadic(1000.0 * lexicon.score(folded, parts) / max(len(text), self.norm_chars))


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
