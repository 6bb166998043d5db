"""``zh_normalize``: Chinese-first text normalization, each fix switchable and recorded.

Runs after ``unicode_cleanup`` (NFC, CR/LF, C0/C1 controls, zero-width characters and BOMs are its
job).  In order, with the fix name that ``map_noted`` reports when it changed the text:

==================  ======================================================  =======
fix                 what it does (pure functions in :mod:`taosha.text`)      default
==================  ======================================================  =======
mojibake            UTF-8 read as Latin-1/cp1252 (ftfy, behind a pre-check)  on
entities            ``&amp;quot;`` ``&#183;`` ``&nbsp`` -> characters         on
entity_residue      ``他说ampampquot我们`` -> ``他说"我们``                     on
ansi                terminal colour codes, with or without ESC               on
literal_newline     the two characters ``\\n`` next to Chinese -> newline     on
private_use         U+E000..U+F8FF and planes 15-16 removed                  on
replacement_char    U+FFFD runs removed                                      on
width               full-width letters and digits -> ASCII                   on
short_links         ``t.cn`` links and Weibo link stubs                      strip
repost_chain        ``//@用户:`` chains                                        own
repost_text         ``转发微博``                                               strip
emoticons           ``[哈哈]`` codes                                           strip
topics              ``#话题#``                                                 keep
mentions            ``@handle``                                              keep
furniture_tails     a credit or related list glued after the last sentence   on
punctuation         ASCII ``,?!:;()`` in Chinese context -> ，？！：；（）       on
cjk_spaces          letter-spaced Han characters, spaces beside ，。           on
blank_lines         runs of blank lines -> one                               on
t2s                 traditional -> simplified (OpenCC ``t2s``)                off
==================  ======================================================  =======

The defaults are for LM training on mixed web and social text; the policies of the social markup
are explained in :mod:`taosha.text.social`.  Traditional-to-simplified conversion is off because it
is lossy (one simplified character can stand for several traditional ones) and a corpus may want
both scripts; the share of traditional characters (traditional Han characters / Han characters,
measured before any conversion) is always kept in ``meta["signals"]["traditional_share"]`` so that a
later filter or a report can use it.  ``t2s`` converts only documents that contain at least one
traditional character.

Cost: every fix has a cheap pre-check (``"&" in text``, ``text.isascii()``), and ``normalize``
looks at each document once (:func:`_scan_regex`) for the rare characters eight fixes act on
(``&``, ESC, ``[``, backslash, private use, U+FFFD, full-width letters, Latin-1 letters), for the
words five fixes look for (``_WORDS``: ``amp``, ``t.cn``, ``//@``, ``微博``, ``来源``...) and for a
first traditional character; the fixes whose characters or words are absent are not called, and
the traditional share of a text no fix changed needs no other scan.  On the 4.1 million characters
of the long set the step went from 0.20 to 0.10 CPU seconds in a zh-web run
(``benchmarks/compare/step_cpu.py``; ``benchmarks/spam_normalize_speed.py`` times it alone and checks
that every text of the 16 files of ../shared/data is the old one).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from typing import Literal

from taosha.document import Document
from taosha.step import Mapper
from taosha.text import cjk, debris, entities, punct, social, width


@dataclass(frozen=True, kw_only=True)
class ZhNormalize(Mapper):
    name = "zh_normalize"

    mojibake: bool = True
    entities: bool = True
    entity_residue: bool = True
    ansi: bool = True
    literal_newlines: bool = True
    private_use: bool = True
    replacement_chars: bool = True
    width: bool = True
    punctuation: bool = True
    furniture_tails: bool = True
    cjk_spaces: bool = True
    blank_lines: bool = True
    t2s: bool = False
    short_links: Literal["keep", "strip", "replace"] = "strip"
    repost_chains: Literal["keep", "markers", "own"] = "own"
    repost_text: Literal["keep", "strip"] = "strip"
    emoticons: Literal["keep", "strip"] = "strip"
    topics: Literal["keep", "unwrap", "strip"] = "keep"
    mentions: Literal["keep", "strip", "replace"] = "keep"

    # The enabled fixes, built once; partials of module functions so the step stays picklable.
    _fixes: tuple[tuple[str, Callable[[str], str], int], ...] = field(init=False, repr=False, compare=False)

    # The same fixes split by which gates must be open: [ascii][rare] -> (name, fix, has words).
    _plans: tuple[tuple[tuple[tuple[str, Callable[[str], str], bool], ...], ...], ...] = field(
        init=False, repr=False, compare=False
    )

    _plans_without_words: tuple[tuple[tuple[tuple[str, Callable[[str], str], bool], ...] | None, ...], ...] = (
        field(init=False, repr=False, compare=False)
    )

    # The words of _WORDS for the enabled fixes (see normalize), and word -> the fixes that look for it.
    _words: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _word_fixes: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fixes = tuple(self.fixes())
        object.__setattr__(self, "_fixes", fixes)
        plans = []
        for non_ascii in (False, True):
            row = []
            for rare in (False, True):
                open_gates = (_NON_ASCII if non_ascii else 0) | (_RARE if rare else 0)
                row.append(tuple((n, f, n in _WORDS) for n, f, gate in fixes if gate & open_gates == gate))
            plans.append(tuple(row))
        object.__setattr__(self, "_plans", tuple(plans))
        # The same plans for a text with none of the words, when every fix that looks for words
        # comes before every other fix (so none of them can run after a change): most documents.
        object.__setattr__(self, "_plans_without_words", tuple(tuple(
            tuple(entry for entry in plan if not entry[2])
            if [entry[2] for entry in plan] == sorted((entry[2] for entry in plan), reverse=True) else None
            for plan in row) for row in plans))
        word_fixes: dict[str, list[str]] = {}
        for name, _, _ in fixes:
            for word in _WORDS.get(name, ()):
                word_fixes.setdefault(word, []).append(name)
        # The scan reports the longest word that begins at a place: it stands for the shorter ones
        # that begin there too (its prefixes).
        object.__setattr__(self, "_word_fixes", {
            w: tuple(dict.fromkeys(n for v, names in word_fixes.items() if w.startswith(v) for n in names))
            for w in word_fixes
        })
        object.__setattr__(self, "_words", tuple(sorted(word_fixes)))

    def fixes(self) -> list[tuple[str, Callable[[str], str], int]]:
        """The enabled fixes in the order they run, each with its gate (``_ANY``, ``_NON_ASCII``,
        ``_RARE``): a fix whose gate is closed cannot change the text and is not called."""
        steps: list[tuple[str, Callable[[str], str], int]] = []

        def add(name: str, fn: Callable[[str], str], gate: int = _ANY) -> None:
            steps.append((name, fn, gate))

        if self.mojibake:
            add("mojibake", debris.fix_mojibake, _RARE | _NON_ASCII)
        if self.entities:
            add("entities", entities.fix_entities, _RARE)
        if self.entity_residue:
            add("entity_residue", entities.fix_entity_residue, _NON_ASCII)
        if self.ansi:
            add("ansi", debris.strip_ansi, _RARE)
        if self.literal_newlines:
            add("literal_newline", debris.literal_newlines, _RARE | _NON_ASCII)
        if self.private_use:
            add("private_use", debris.strip_private_use, _RARE | _NON_ASCII)
        if self.replacement_chars:
            add("replacement_char", debris.strip_replacement, _RARE | _NON_ASCII)
        if self.width:
            add("width", width.fold_width, _RARE | _NON_ASCII)
        if self.short_links != "keep":
            add("short_links", partial(social.short_links, policy=self.short_links))
        if self.repost_chains != "keep":
            add("repost_chain", partial(social.repost_chain, policy=self.repost_chains))
        if self.repost_text == "strip":
            add("repost_text", social.repost_text, _NON_ASCII)
        if self.emoticons == "strip":
            add("emoticons", social.strip_emoticons, _RARE)
        if self.topics != "keep":
            add("topics", partial(social.topics, policy=self.topics), _NON_ASCII)
        if self.mentions != "keep":
            add("mentions", partial(social.mentions, policy=self.mentions))
        if self.furniture_tails:
            add("furniture_tails", debris.strip_furniture_tails, _NON_ASCII)
        if self.punctuation:
            add("punctuation", punct.cjk_punctuation, _NON_ASCII)
        if self.cjk_spaces:
            add("cjk_spaces", debris.fix_cjk_spaces, _NON_ASCII)
        if self.blank_lines:
            add("blank_lines", debris.collapse_blank_lines)
        return steps

    def normalize(self, text: str) -> tuple[str, list[str], float]:
        """The normalized text, the names of the fixes that changed it, and its traditional share."""
        changed: list[str] = []
        # One scan per document says whether it has a rare character (the gate of eight fixes that
        # act on them) and which fixes that look for words (_WORDS) can apply; with the isascii
        # gate it picks a prebuilt plan.  A fix never opens a gate that was closed for a later fix
        # (entities run before the rest and are gated themselves), so the plan stays right after a
        # fix changed the text; a fix that looks for words is skipped only while the text is
        # unchanged (an earlier fix may have made one of its words).  The same scan finds the first
        # traditional character, for the traditional share of an unchanged text.  This replaced a
        # scan for the rare characters, one for the words, the five scans of those fixes' own
        # pre-checks and, for most documents, the scan for a traditional character.
        rare, found, traditional = self._scan(text)
        row, column = (0 if text.isascii() else 1), (1 if rare else 0)
        quick = None if found else self._plans_without_words[row][column]
        plan = self._plans[row][column] if quick is None else quick
        original = text
        for fix_name, fix, has_words in plan:
            if has_words and text is original and fix_name not in found:
                continue
            new = fix(text)
            if new is not text and new != text:
                changed.append(fix_name)
                text = new
        # The scan also looked for a traditional character.  Without one, only a fix that can
        # write new Han characters (decoding entities or mojibake) can have made one.
        if traditional:
            share = cjk.traditional_share_of(text) if text is original else cjk.traditional_share(text)
        elif text is not original and not _WRITES_HAN.isdisjoint(changed):
            share = cjk.traditional_share(text)
        else:
            share = 0.0
        if self.t2s and share > 0.0:
            new = cjk.to_simplified(text)
            if new != text:
                changed.append("t2s")
                text = new
        return text, changed, share

    @cached_property
    def _full_scan(self) -> re.Pattern[str] | None:
        """The scan regex for every class, kept on the step (built at first use, not at
        construction: it needs OpenCC's table)."""
        return _scan_regex(self._words, True, True)

    def _scan(self, text: str) -> tuple[bool, set[str], bool]:
        """Whether ``text`` has a rare character, the names of the enabled fixes one of whose words
        (``_WORDS``) occurs in it, and whether it has a traditional character."""
        rare = traditional = False
        found: set[str] = set()
        regex = self._full_scan
        first = regex.search(text) if regex is not None else None
        if first is None:  # most documents: no iterator, no loop
            return rare, found, traditional
        word_fixes = self._word_fixes
        at = first.start()
        while regex is not None:
            for match in regex.finditer(text, at):
                kind = match.lastgroup
                if kind == "word":
                    found.update(word_fixes[match.group("word")])
                    continue
                # One rare or traditional character is enough: go on without looking for them (a
                # traditional text has hundreds, each a trip through this loop).
                if kind == "rare":
                    rare = True
                else:
                    traditional = True
                regex = _scan_regex(self._words, not rare, not traditional)
                at = match.start() + 1
                break
            else:
                break
        return rare, found, traditional

    def map_noted(self, doc: Document) -> tuple[Document, list[str]]:
        text, changed, share = self.normalize(doc.text)
        doc.text = text
        signals = doc.meta.get("signals")
        if signals is None:
            signals = doc.meta["signals"] = {}
        signals["traditional_share"] = share
        return doc, changed


_ANY, _NON_ASCII, _RARE = 0, 1, 2
# The fixes that can write Han characters the text did not have (the others remove characters or
# write punctuation, ASCII, or the simplified 链接 and 用户).
_WRITES_HAN = frozenset({"mojibake", "entities"})
# The fixes that change only texts holding one of a few words (their own pre-checks look for them).
_WORDS: dict[str, tuple[str, ...]] = {
    "entity_residue": entities.RESIDUE_HINTS,
    "short_links": social.LINK_HINTS,
    "repost_chain": ("//@",),  # social.repost_chain returns a text without it unchanged
    "repost_text": ("微博",),  # social.repost_text likewise
    "furniture_tails": debris.TAIL_HINTS,
}


@lru_cache(maxsize=16)
def _scan_regex(words: tuple[str, ...], rare: bool, traditional: bool) -> re.Pattern[str] | None:
    """A regex matching the first character of each occurrence of one of ``words`` (group ``word``
    holds the word), and with ``rare`` each rare character (group ``rare``), with ``traditional``
    each traditional Han character (group ``trad``).

    The leading character class lets sre skip to the candidates with a table look-up (a plain
    alternation of words is tried at every position); one character wide, so that ``finditer``
    also finds a word that begins inside another (``quot.cn`` holds ``t.cn``).  Built at first
    use: the traditional characters come from OpenCC's table.
    """
    alternatives, leading = [], ""
    if rare:
        alternatives.append(f"(?<=(?P<rare>[{_RARE_CHARS}]))")
        leading += _RARE_CHARS
    if traditional:
        alternatives.append(f"(?<=(?P<trad>[{cjk.traditional_class()}]))")
        leading += cjk.traditional_class()
    if words:
        firsts = {w[0] for w in words}
        # the alternatives are tried in order: a word must not begin with a rare or traditional
        # character, and a word that begins another must be looked for by the same fixes
        assert not any(_RARE_RE.match(c) or cjk.traditional_re().match(c) for c in firsts)
        first = "".join(re.escape(c) for c in sorted(firsts))
        # a cheap look at the next character before the look-back at the words (a fifth less time)
        second = "".join(re.escape(c) for c in sorted({w[1] for w in words if len(w) > 1}))
        second = f"(?=[{second}])" if min(map(len, words)) > 1 else ""
        alternation = "|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w))))
        alternatives.append(f"{second}(?<=(?=(?P<word>{alternation}))[{first}])")
        leading += first
    return re.compile(f"[{leading}](?:{'|'.join(alternatives)})") if alternatives else None


# Every character some gated fix acts on: & (entities), ESC and [ (ANSI codes, emoticons), backslash
# (literal \\n), private-use, U+FFFD, full-width letters and digits, Latin-1 letters (mojibake).
_RARE_CHARS = "&\x1b\\[\\\\\ue000-\uf8ff\ufffd\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u00c2-\u00ef"
_RARE_RE = re.compile(f"[{_RARE_CHARS}]")
