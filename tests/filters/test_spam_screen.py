"""The screen of the spam taggers: skipping lexicon parts never changes a score.

The taggers fold and screen each document once and scan only the lexicon parts that can hit it;
these tests hold them to the plain definition, :func:`density` (fold, then every regex of the
lexicon), on real documents and on generated texts dense with heads, overlaps and folding traps.
"""

from __future__ import annotations

import random
import re

import pytest
from conftest import load_records

from taosha import Document
from taosha.filters.signals import dyadic
from taosha.filters.spam import (
    _HALF_WIDTH,
    BUILTIN,
    TERMS,
    AdSpamScore,
    GamblingScore,
    PornScore,
    Screen,
    SeoSpamScore,
    _builtin_screen,
    _pattern_heads,
    density,
    fold,
    load_lexicon,
    parse_lexicon,
)

TAGGERS = {"gambling": GamblingScore(), "porn": PornScore(), "seo": SeoSpamScore(), "ads": AdSpamScore()}


def plain(name: str, doc: Document) -> float:
    """The score by the definition: the title joined to the text, folded, every regex scanned."""
    title = doc.meta.get("title")
    text = f"{title}\n{doc.text}" if isinstance(title, str) and title else doc.text
    return dyadic(density(text, load_lexicon(name), norm_chars=500))


@pytest.mark.parametrize("name", [
    "web_chinesewebtext_sample.jsonl.gz", "weibo_checked_posts.jsonl.gz", "reviews_sophonplus.jsonl.gz",
    "fewclue_mixed.jsonl.gz", "wiki_zhwiki_sample.jsonl.gz",
])
def test_scores_equal_the_plain_definition_on_real_documents(name):
    records = load_records(name, 2000)
    hits = 0
    for r in records:
        meta = r.get("meta") if isinstance(r.get("meta"), dict) else {}
        doc = Document(r["id"], r["text"], {"title": meta.get("title")})
        for lexicon, tagger in TAGGERS.items():
            expected = plain(lexicon, doc)
            assert tagger.score(doc) == expected, (r["id"], lexicon)
            hits += expected > 0
    assert hits > 0  # the sample does exercise the exact scans, not only the skip


def _generated_texts(seed: int, n: int) -> list[str]:
    """Texts made of pieces of lexicon terms and pattern heads, in any case and width, glued so
    that heads overlap and begin inside one another, with the characters that folding changes."""
    rng = random.Random(seed)
    pieces = []
    for name in BUILTIN:
        lexicon = load_lexicon(name)
        for term in lexicon.weights:
            pieces += [term, term[:2], term[1:], term[-1]]
    pieces += ["体育官网", "网址入口", "官网登录入口", "微信：abc12345", "vx：wx_123456", "电话：010-1234567",
               "13912345678", "_乐鱼体育官网", "贵宾会", "澳门贵宾会", "的", "了", "在", "。", "，", " ", "\n",
               "Ａ", "Ｇ", "ｂｅｔ３６５", "BET365", "İ", "K", "Σ", "1", "3"]
    out = []
    for _ in range(n):
        parts = [rng.choice(pieces) for _ in range(rng.randint(1, 12))]
        text = "".join(p.upper() if rng.random() < 0.2 else p for p in parts)
        if rng.random() < 0.3:  # some full-width letters and digits
            text = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() and rng.random() < 0.5 else c
                           for c in text)
        out.append(text)
    return out


def test_screen_finds_every_part_that_hits_generated_texts():
    screen = _builtin_screen()
    lexicons = [load_lexicon(name) for name in BUILTIN]
    for text in _generated_texts(7, 4000):
        folded, hits = screen.scan(text)
        assert folded == fold(text)
        for lexicon, parts in zip(lexicons, hits, strict=True):
            assert lexicon.score(folded, parts) == lexicon.score(folded), (text, lexicon.name)
            if lexicon.terms is not None and lexicon.terms.search(folded):
                assert TERMS in parts
            for index, (pattern, _) in enumerate(lexicon.patterns):
                if pattern.search(folded):
                    assert index in parts, (text, pattern.pattern)


def test_probe_matches_exactly_where_a_head_or_full_width_character_is():
    screen = _builtin_screen()
    heads = list(screen.owners) + [chr(c) for c in _HALF_WIDTH]
    for text in _generated_texts(11, 3000):
        lowered = text.lower()
        assert (screen.probe.search(lowered) is not None) == any(h in lowered for h in heads), text


def test_a_custom_lexicon_gets_a_screen_of_its_own(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("现金网\t3\nre:(?:加群|进群)\\d{5,}\t2\nre:\\d{3}赌\t1\n", encoding="utf-8")
    step = GamblingScore(lexicon_path=str(path))
    doc = Document("a", "欢迎进群12345678，现金网，888赌")
    assert step.score(doc) == dyadic(1000 * (3 + 2 + 1) / 500)
    assert step.score(Document("b", "今天天气很好。")) == 0.0


def test_pattern_heads():
    heads = _pattern_heads(re.compile(r"(?:体育|娱乐)(?:app|官网)"))
    assert heads == {"体育a", "体育官", "娱乐a", "娱乐官"}
    assert _pattern_heads(re.compile(r"(?:官网|网址)(?:登录|登陆)?入口")) == {"官网", "网址"}
    assert _pattern_heads(re.compile(r"微信[号群]?\s*:")) == {"微信"}  # the heads end at an optional item
    assert _pattern_heads(re.compile(r"贵宾会(?<=[\u4e00-\u9fff]{2}贵宾会)")) == {"贵宾会"}
    # scanned directly: led by digits (everywhere in web text), any character, or case-insensitive
    assert _pattern_heads(re.compile(r"1(?<!\d1)[3-9]\d{9}(?!\d)")) is None
    assert _pattern_heads(re.compile(r"\w+赌场")) is None
    assert _pattern_heads(re.compile(r"(?i)casino")) is None
    assert _pattern_heads(re.compile(r"(?i:bet)365")) is None


def test_unscreened_patterns_are_always_scanned():
    lexicon = parse_lexicon("re:\\d+元\t1\nre:(?:赌|博)\t1\n")
    screen = Screen.build([lexicon])
    assert screen.always == (frozenset({0}),)
    folded, hits = screen.scan("共100元")
    assert lexicon.score(folded, hits[0]) == 1.0


def test_fold_is_lower_case_then_width():
    # Screen.scan lower-cases first and folds the width after; fold does it the other way round.
    for cp in range(0x10000):
        c = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        assert fold(c) == c.lower().translate(_HALF_WIDTH), hex(cp)
    for text in ["ΑΣ ΣΑ ＡΣ Σ", "ΌΣΟΣ", "ＡＢΣ", "abΣ.", "ＧΣ"]:  # the final-sigma rule looks at neighbours
        assert fold(text) == text.lower().translate(_HALF_WIDTH)
