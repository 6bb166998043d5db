"""The demo corpus: Chinese web-like documents with the defects a cleaning pipeline must handle.

``taosha demo`` needs raw input that exercises every step of ``zh-web`` without downloading
anything, so this module writes it: news pages with their navigation bars, breadcrumbs, share
widgets, editor and copyright lines and a glued "related reading" teaser block; Weibo posts with
``[表情]``, ``#话题#``, ``//@用户:`` repost chains and t.cn links; product reviews; encyclopedia
entries; a web-novel chapter; exam essays; ads; gambling, SEO and contact spam; very short posts.

Defects are planted in two ways:

- *exact quotas* (:data:`DEFECT_RATES`): ``round(rate * n_docs)`` original documents get the defect,
  chosen by the seeded generator among the documents it makes sense for (a full-width conversion
  needs ASCII letters or digits to convert; mojibake is not stacked on other defects, so the demo can
  show what a fix did).  Duplicates are made last and counted apart (:data:`DUPLICATE_RATES`);
- *genre features* (:data:`NEWS_BOILERPLATE_P`, :data:`WEIBO_FEATURE_P`): the boilerplate lines of a
  news page and the markup of a Weibo post, each present with a stated probability.

Every record says what was planted in ``meta["planted"]`` (``"entity_residue"``, ``"pii:mobile"``,
``"near_dup_of:demo-00012"`` ...), and the personal data it carries in ``meta["pii"]`` (kind, value,
written form), so tests and the demo report can show what a step caught and what it missed.
``meta["origin"]`` is ``"base"`` for an original, ``"exact_copy"`` or ``"near_copy"`` for a
planted duplicate.  Exact duplicates are tagged from the final texts, so a short post such as
``转发微博`` that happens to repeat is tagged too; the tag points at the first occurrence.  Two
originals built from the same template that differ only in emoticons, tags, punctuation or a short
comment (5-gram Jaccard >= 0.8 of the post itself) are tagged ``near_dup_of`` and
``near_dup_edit:natural``, so that a near-dedup step finds no pair the answer key does not know.

Same ``n_docs`` and ``seed``: the same records and byte-identical files (gzip ``mtime=0``, no
file name in the gzip header, ``orjson`` with insertion-ordered keys).  3000 documents are about
1.7 MB of UTF-8 text (0.77 MB gzipped) and take about 0.4 s of CPU to generate.  What became of each
planted kind after a run is reported by :mod:`taosha.demo.scorecard`.

PROVENANCE: the templates and word lists (:mod:`taosha.demo.vocab`) and all code here were written
for taosha; no text was copied from a corpus or web page.  Traditional-script documents are the
simplified ones converted with OpenCC (``s2twp``, ``s2hk`` or ``s2t``), a core dependency, so the
bytes of those documents can change with OpenCC's tables.  Identity, mobile and card numbers are
random values made valid by their checksums (:mod:`taosha.demo.pii`); they belong to no one.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from taosha.demo import pii as P
from taosha.demo import vocab as V

__all__ = [
    "DEFECT_RATES",
    "DUPLICATE_RATES",
    "GENRE_SHARES",
    "NEWS_BOILERPLATE_P",
    "WEIBO_FEATURE_P",
    "generate_corpus",
    "write_corpus",
    "write_samples",
]

# Share of the original (non-duplicate) documents per genre.  Rounded counts; weibo takes the rest.
GENRE_SHARES: dict[str, float] = {
    "news": 0.26,
    "weibo": 0.28,
    "review": 0.14,
    "encyclopedia": 0.09,
    "novel": 0.03,
    "essay": 0.03,
    "ad": 0.04,
    "spam_gambling": 0.02,
    "spam_seo": 0.02,
    "spam_contact": 0.03,
    "short": 0.06,
}

# Exact quotas, as a fraction of n_docs: round(rate * n_docs) original documents carry each kind.
# Chosen, not measured: of the order one meets in raw Chinese web text, and high enough for the rare
# kinds (mojibake) that a 3000-document demo shows each of them about a dozen times.
DEFECT_RATES: dict[str, float] = {
    "pii:mobile": 0.06,
    "pii:email": 0.035,
    "pii:id_card": 0.015,
    "pii:bank_card": 0.015,
    "mojibake:latin1": 0.004,
    "mojibake:cp1252": 0.004,
    "mojibake:gbk": 0.004,
    "traditional": 0.05,
    "ascii_punct": 0.10,
    "fullwidth_ascii": 0.03,
    "entity:named": 0.06,
    "entity:numeric": 0.03,
    "entity:double": 0.02,
    "entity_residue": 0.03,
    "zero_width": 0.04,
    "bom": 0.02,
    "control": 0.01,
    "crlf": 0.03,
}

# Planted duplicates, as a fraction of n_docs (they are part of n_docs).
DUPLICATE_RATES: dict[str, float] = {"exact_copy": 0.05, "near_copy": 0.05}

# Probability of each boilerplate block on a news page.
NEWS_BOILERPLATE_P: dict[str, float] = {
    "boilerplate:nav": 0.6,
    "boilerplate:breadcrumb": 0.5,
    "boilerplate:meta_line": 0.8,
    "boilerplate:share": 0.45,
    "boilerplate:source": 0.3,
    "boilerplate:editor": 0.7,
    "boilerplate:prev_next": 0.35,
    "boilerplate:copyright": 0.5,
    "related_teaser": 0.3,
}

# Probability of each markup feature on a Weibo post.
WEIBO_FEATURE_P: dict[str, float] = {
    # A repost with nothing of the reposter's own but a word or two, then the chain.  The other
    # probabilities are of the posts that are not bare reposts.
    "social:bare_repost": 0.12,
    "social:emote": 0.7,
    "social:topic": 0.4,
    "social:tcn_link": 0.3,
    "social:repost_chain": 0.3,
}

_SLOT = re.compile(r"\{(\w+)\}")
_WEIBO_MARKUP = re.compile(r"//@[^:：/]+[:：]")  # Weibo's own ASCII colon, not a defect
# After a digit an ASCII colon is a score or a time ("117:98"), not a defect.
_ASCII_IN_CJK = re.compile(r"[\u4e00-\u9fff][,?!:]|(?<!\d)[,?!:][\u4e00-\u9fff]")
_FULL_IN_CJK = re.compile(r"[\u4e00-\u9fff][，？！：]|[，？！：][\u4e00-\u9fff]")
_CJK_PAIR = re.compile(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])")
_TCN = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _person(rng: random.Random) -> str:
    given = rng.choice(V.GIVEN) + (rng.choice(V.GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(V.SURNAMES) + given


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _pct(rng: random.Random) -> str:
    return f"{rng.randint(1, 25)}.{rng.randint(0, 9)}%"


# Slot name -> producer.  A document fixes some slots (its city, its site) in a context dict.
_SLOTS: dict[str, Callable[[random.Random], str]] = {
    "city": lambda r: r.choice(V.CITIES),
    "prov": lambda r: r.choice(V.PROVINCES),
    "prov2": lambda r: r.choice(V.PROVINCES),
    "district": lambda r: r.choice(V.DISTRICTS),
    "road": lambda r: r.choice(V.ROADS),
    "dept": lambda r: r.choice(V.DEPARTMENTS),
    "company": lambda r: r.choice(V.COMPANIES),
    "hospital": lambda r: r.choice(V.HOSPITALS),
    "school": lambda r: r.choice(V.SCHOOLS),
    "team": lambda r: r.choice(V.TEAMS),
    "sport": lambda r: r.choice(V.SPORTS),
    "product": lambda r: r.choice(V.PRODUCTS),
    "crop": lambda r: r.choice(V.CROPS),
    "crop2": lambda r: r.choice(V.CROPS),
    "scenic": lambda r: r.choice(V.SCENIC),
    "theme": lambda r: r.choice(V.THEMES),
    "person": _person,
    "reporter": _person,
    "editor": _person,
    "editor2": _person,
    "author": _person,
    "surname": lambda r: r.choice(V.SURNAMES),
    "nick": lambda r: r.choice(V.NICKS),
    "book": lambda r: r.choice(V.BOOKS),
    "section": lambda r: r.choice(V.SECTIONS),
    "n1": lambda r: str(r.randint(2, 9)),
    "lo": lambda r: str(r.randint(3, 4)),
    "hi": lambda r: str(r.randint(5, 8)),
    "n2": lambda r: str(r.randint(10, 99)),
    "n3": lambda r: str(r.randint(100, 999)),
    "n4": lambda r: str(r.randint(1000, 9999)),
    "n8": lambda r: str(r.randint(10_000_000, 99_999_999)),
    "pct": _pct,
    "pct2": lambda r: f"{r.randint(1, 3)}.{r.randint(0, 9)}%",
    "t": lambda r: str(r.randint(35, 40)),
    "t2": lambda r: f"{r.randint(8, 22)}.{r.randint(0, 9)}",
    "year": lambda r: str(r.randint(2018, 2025)),
    "year2": lambda r: str(r.randint(1984, 2012)),
    "month": lambda r: str(r.randint(1, 12)),
    "day": lambda r: str(r.randint(1, 28)),
    "m1": lambda r: str(r.randint(3, 5)),
    "m2": lambda r: str(r.randint(6, 7)),
    "m3": lambda r: str(r.randint(8, 9)),
    "m4": lambda r: str(r.randint(10, 11)),
    "date": _date,
    "time": lambda r: f"{r.randint(6, 22):02d}:{r.randint(0, 59):02d}",
    "score": lambda r: f"{r.randint(85, 120)}:{r.randint(80, 110)}",
    "age": lambda r: str(r.randint(62, 88)),
    "season": lambda r: r.choice(V.SEASONS),
    "parent": lambda r: r.choice(V.PARENTS),
    "grade": lambda r: r.choice(V.GRADES),
    "emo": lambda r: "".join(r.choice(V.EMOTES) for _ in range(r.randint(1, 3))),
    "kw": lambda r: r.choice(V.SEO_KEYWORDS),
    "wx": lambda r: r.choice(("wx", "vip", "zz", "bz", "")) + str(r.randint(100000, 99999999)),
    "qq": lambda r: str(r.randint(10000, 2999999999)),
    "service": lambda r: r.choice(V.SERVICES),
    "service2": lambda r: r.choice(V.SERVICES2),
    "item": lambda r: r.choice(V.SPAM_ITEMS),
    "job": lambda r: r.choice(V.JOBS),
    "game": lambda r: r.choice(V.GAMES),
}


def _fill(template: str, rng: random.Random, ctx: dict[str, str]) -> str:
    """Fill ``{slot}`` fields: from ``ctx`` when the document fixed them, otherwise freshly drawn."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        value = ctx.get(name)
        return value if value is not None else _SLOTS[name](rng)

    return _SLOT.sub(one, template)


@dataclass
class _Doc:
    genre: str
    head: list[str]
    body: list[str]
    tail: list[str]
    url: str
    planted: list[str] = field(default_factory=list)
    pii: list[dict[str, str]] = field(default_factory=list)
    ctx: dict[str, str] = field(default_factory=dict)
    text: str = ""
    script: str = "zh-Hans"
    origin: str = "base"
    source_ref: _Doc | None = None
    locked: bool = False  # mojibake documents take no further character defects
    planted_chars: list[str] = field(default_factory=list)

    def render(self) -> str:
        return "\n".join(line for line in (*self.head, *self.body, *self.tail))


def _sentences_to_paragraphs(rng: random.Random, sentences: list[str], indent: str = "") -> list[str]:
    paras: list[str] = []
    i = 0
    while i < len(sentences):
        k = rng.randint(1, 3)
        paras.append(indent + "".join(sentences[i:i + k]))
        i += k
    return paras


def _headline_and_lead(rng: random.Random) -> tuple[str, str]:
    topic = V.NEWS_TOPICS[rng.choice(tuple(V.NEWS_TOPICS))]
    ctx = {"city": rng.choice(V.CITIES)}
    title = _fill(rng.choice(topic["titles"]), rng, ctx)
    lead = _fill(rng.choice(topic["leads"]), rng, ctx) + _fill(rng.choice(topic["body"]), rng, ctx)
    return title, lead


def _news(rng: random.Random) -> _Doc:
    topic_name = rng.choice(tuple(V.NEWS_TOPICS))
    topic = V.NEWS_TOPICS[topic_name]
    city = rng.choice(V.CITIES)
    ctx = {"city": city, "py": V.CITY_PINYIN[city], "prov": rng.choice(V.PROVINCES),
           "dept": rng.choice(V.TOPIC_DEPTS[topic_name]), "team": rng.choice(V.TEAMS)}
    # One article, one subject: the crop, product, company ... named in its sentences agree.
    for slot in ("crop", "product", "company", "hospital", "school", "scenic", "sport", "theme"):
        ctx[slot] = _SLOTS[slot](rng)
    site_t, domain_t = rng.choice(V.NEWS_SITES)
    ctx["site"] = _fill(site_t, rng, ctx)
    ctx["domain"] = _fill(domain_t, rng, ctx)
    ctx["source"] = rng.choice((ctx["site"], f"{city}日报", f"{city}晚报", f"{city}广播电视台", f"{city}发布"))
    ctx["editor"] = _person(rng)
    ctx["date"] = _date(rng)
    planted: list[str] = []
    p = NEWS_BOILERPLATE_P

    def has(kind: str) -> bool:
        hit = rng.random() < p[kind]
        if hit:
            planted.append(kind)
        return hit

    head: list[str] = []
    if has("boilerplate:nav"):
        items = rng.sample(V.NAV_ITEMS, rng.randint(6, 12))
        if "首页" in items:
            items.remove("首页")
        head.append(rng.choice(V.NAV_SEPARATORS).join(["首页", *items]))
    if has("boilerplate:breadcrumb"):
        head.append(_fill(rng.choice(V.BREADCRUMBS), rng, ctx))
    title = ctx["title"] = _fill(rng.choice(topic["titles"]), rng, ctx)
    head.append(title)
    if has("boilerplate:meta_line"):
        head.append(_fill(rng.choice(V.META_LINES), rng, ctx))
    if has("boilerplate:share"):
        head.append(_fill(rng.choice(V.SHARE_WIDGETS), rng, ctx))

    sentences = [_fill(rng.choice(topic["leads"]), rng, ctx)]
    sentences += [_fill(s, rng, ctx) for s in rng.sample(topic["body"], rng.randint(3, 7))]
    for _ in range(rng.randint(0, 2)):
        who = _fill(rng.choice(V.WHO_FORMS), rng, ctx)
        quote = rng.choice(V.QUOTE_FORMS).format(q=rng.choice(topic["quotes"]), who=who)
        sentences.insert(rng.randint(1, len(sentences)), quote)
    if rng.random() < 0.3:
        sentences[0] = f"{ctx['source']}讯（记者 {_person(rng)}）" + sentences[0]
    indent = rng.choice(("", "", "　　", "  "))
    body = _sentences_to_paragraphs(rng, sentences, indent)

    tail: list[str] = []
    if has("boilerplate:source"):
        tail.append(_fill(rng.choice(V.SOURCE_LINES), rng, ctx))
    if has("boilerplate:editor"):
        tail.append(_fill(rng.choice(V.EDITOR_LINES), rng, ctx))
    if has("boilerplate:prev_next"):
        tail.append(f"上一篇：{_headline_and_lead(rng)[0]}")
        tail.append(f"下一篇：{_headline_and_lead(rng)[0]}")
    if has("related_teaser"):
        # Extracted pages glue each teaser's headline to the start of its article, cut mid-sentence.
        teasers = []
        for _ in range(rng.randint(2, 4)):
            t, lead = _headline_and_lead(rng)
            teasers.append(t + lead[: rng.randint(18, 60)])
        sep = rng.choice(("\n", "", "\n", "…"))
        tail.append(rng.choice(V.RELATED_HEADERS) + rng.choice(("\n", "：", "")) + sep.join(teasers))
    if has("boilerplate:copyright"):
        tail.append(_fill(rng.choice(V.COPYRIGHTS), rng, ctx))
    url = f"https://{ctx['domain']}/{ctx['date'].replace('-', '/')}/{rng.randint(10**6, 10**7 - 1)}.html"
    return _Doc("news", head, body, tail, url, planted, ctx=ctx)


def _tcn(rng: random.Random) -> str:
    return "http://t.cn/" + "".join(rng.choice(_TCN) for _ in range(rng.choice((7, 8))))


def _weibo(rng: random.Random) -> _Doc:
    ctx = {"city": rng.choice(V.CITIES)}
    planted: list[str] = []
    p = WEIBO_FEATURE_P
    url = f"https://weibo.com/{rng.randint(10**9, 7 * 10**9)}/{''.join(rng.choice(_TCN) for _ in range(9))}"
    if rng.random() < p["social:bare_repost"]:
        # A repost's text is the reposter's words, then the comments of earlier reposters
        # (``//@who:``); the original post is not part of it.
        chain = [f"//@{rng.choice(V.NICKS)}:{rng.choice(V.WEIBO_REPLIES)}" for _ in range(rng.randint(1, 3))]
        text = rng.choice(V.WEIBO_REPLIES) + "".join(chain)
        return _Doc("weibo", [], [text], [], url, ["social:bare_repost", "social:repost_chain"], ctx=ctx)
    emote = rng.random() < p["social:emote"]
    ctx["emo"] = "".join(rng.choice(V.EMOTES) for _ in range(rng.randint(1, 3))) if emote else ""
    link = rng.random() < p["social:tcn_link"]
    ctx["link"] = (" " + _tcn(rng) if rng.random() < 0.7 else " 网页链接") if link else ""
    if rng.random() < 0.2:
        ctx["headline"], ctx["lead"] = _headline_and_lead(rng)
        text = _fill(rng.choice(V.WEIBO_NEWSY), rng, ctx)
    else:
        main = rng.randrange(len(V.WEIBO_POSTS))
        ctx["group"] = f"weibo:{main}"
        text = _fill(V.WEIBO_POSTS[main], rng, ctx)
        n_comments = rng.choices((0, 1, 2), weights=(1, 6, 3))[0]
        if n_comments:
            # The comment goes before the emoticons the post ends with, as people type it.
            comment = "".join(_fill(c, rng, ctx) for c in rng.sample(V.WEIBO_COMMENTS, n_comments))
            cut = len(text) - len(ctx["emo"])
            text = text[:cut] + ("，" if text[cut - 1] not in "，。！？" else "") + comment + text[cut:]
        text += ctx["link"]
    if emote:
        planted.append("social:emote")
    if link:
        planted.append("social:tcn_link")
    if rng.random() < p["social:topic"]:
        topic = rng.choice(V.TOPICS)
        text = topic + text if rng.random() < 0.5 else text + " " + topic
        planted.append("social:topic")
    if rng.random() < p["social:repost_chain"]:
        chain = [f"//@{rng.choice(V.NICKS)}:{rng.choice(V.WEIBO_REPLIES)}" for _ in range(rng.randint(1, 3))]
        text += "".join(chain)
        planted.append("social:repost_chain")
    if rng.random() < 0.15:
        text += f" 我在：{ctx['city']}·{rng.choice(V.SCENIC)}"
    if rng.random() < 0.1:
        text += f"（来自{rng.choice(V.WEIBO_APPS)}）"
    return _Doc("weibo", [], [text], [], url, planted, ctx=ctx)


def _review(rng: random.Random) -> _Doc:
    category = rng.choice(tuple(V.REVIEW_ITEMS))
    aspects = V.REVIEW_ITEMS[category]
    positive = rng.random() < 0.7
    clauses = []
    for _aspect, good, bad in rng.sample(aspects, rng.randint(2, min(4, len(aspects)))):
        # Mostly one-sided, with the odd reservation (or compliment) as real reviews have.
        clauses.append(good if (rng.random() < 0.85) == positive else bad)
    closer = rng.choice(V.REVIEW_CLOSERS[:5] if positive else V.REVIEW_CLOSERS[4:])
    openers = V.REVIEW_OPENERS_VISIT if category in ("酒店", "餐厅") else V.REVIEW_OPENERS
    body = rng.choice(openers) + "，".join(clauses) + "。" + closer
    stars = ("★" * (rng.randint(4, 5) if positive else rng.randint(1, 3))).ljust(5, "☆")
    user = rng.choice(("匿名用户", f"{rng.choice('jkmxty')}***{rng.randint(0, 9)}", f"{rng.choice(V.NICKS)[:2]}**"))
    tail = _fill(rng.choice(V.REVIEW_TAILS), rng, {"later": rng.choice(V.REVIEW_LATER)})
    framed = rng.choice(V.REVIEW_FRAMES).format(stars=stars, spec=rng.choice(V.REVIEW_SPECS[category]), body=body,
                                                tail=tail, user=user)
    lines = framed.split("\n")
    body_i = lines.index(body)
    url = f"https://item.demo-mall.cn/{rng.randint(10**8, 10**9)}.html#review-{rng.randint(1, 9999)}"
    doc = _Doc("review", lines[:body_i], [body], lines[body_i + 1:], url)
    doc.ctx["category"] = doc.ctx["group"] = category
    return doc


def _latin(rng: random.Random) -> str:
    genus = "".join(rng.choice(V.LATIN_SYL) for _ in range(rng.randint(2, 3))).capitalize()
    species = "".join(rng.choice(V.LATIN_SYL) for _ in range(rng.randint(2, 3)))
    return f"{genus} {species}"


def _encyclopedia(rng: random.Random) -> _Doc:
    kind = rng.choice(("town", "plant", "animal"))
    ctx = {"city": rng.choice(V.CITIES), "prov": rng.choice(V.PROVINCES), "latin": _latin(rng)}
    if kind == "town":
        name = "".join(rng.sample(V.TOWN_PARTS, 2))
        ctx.update(town=name, town2="".join(rng.sample(V.TOWN_PARTS, 2)), town3="".join(rng.sample(V.TOWN_PARTS, 2)),
                   county="".join(rng.sample(V.TOWN_PARTS, 2)), direction=rng.choice(V.DIRECTIONS),
                   terrain=rng.choice(V.TERRAINS), climate=rng.choice(V.CLIMATES), era=rng.choice(V.ERAS),
                   origin=rng.choice(V.TOWN_ORIGINS))
        templates = V.ENCY_TOWN
        name += "镇"
        sections: tuple[str, ...] = ("地理环境", "历史沿革", "经济")
    elif kind == "plant":
        plant_head = rng.choice(V.PLANT_HEADS)
        name = rng.choice(V.PLANT_ROOTS) + plant_head
        family, form = V.PLANT_KIN[plant_head]
        tall = "0.3" if "草本" in form else str(rng.randint(2, 15) if "乔木" in form else rng.randint(1, 4))
        ctx.update(plant=name, family=family, genus=plant_head + "属", form=form, tall=tall,
                   leaf=rng.choice(V.LEAF), edge=rng.choice(V.EDGES),
                   color=rng.choice(V.COLORS), bloom=rng.choice(V.BLOOMS), habitat=rng.choice(V.HABITATS),
                   likes=rng.choice(V.LIKES), tolerance=rng.choice(V.TOLERANCES), part=rng.choice(V.PARTS),
                   effect=rng.choice(V.EFFECTS), use=rng.choice(V.USES), propagation=rng.choice(V.PROPAGATIONS))
        templates = V.ENCY_PLANT
        sections = ("形态特征", "生长环境")
    else:
        animal_head, kind_name, family = rng.choice(V.ANIMAL_HEADS)
        name = rng.choice(V.ANIMAL_ROOTS) + animal_head
        w1 = rng.randint(12, 60)
        ctx.update(len=str(rng.randint(10, 30)), w1=str(w1), w2=str(w1 + rng.randint(10, 80)))
        ctx.update(animal=name, family=family, kind=kind_name, color=rng.choice(V.COLORS),
                   feature=rng.choice(V.FEATURES), habitat=rng.choice(V.HABITATS), habit=rng.choice(V.HABITS),
                   food=rng.choice(V.FOODS), status=rng.choice(V.STATUSES), list=rng.choice(V.REDLISTS))
        templates = V.ENCY_ANIMAL
        sections = ("外形特征", "栖息环境")
    ctx.update(name=name, sec1=sections[0], sec2=sections[-1])
    picked = [templates[0]] + [t for t in templates[1:] if rng.random() < 0.8]
    body = _sentences_to_paragraphs(rng, [_fill(t, rng, ctx) for t in picked])
    head_lines = [name]
    if rng.random() < 0.5:
        head_lines.insert(rng.randint(0, 1), _fill(rng.choice(V.ENCY_HEADERS), rng, ctx))
    tail = [t for t in [_fill(rng.choice(V.ENCY_FOOTERS), rng, ctx)] if t and rng.random() < 0.5]
    url = f"https://baike.demo-wiki.cn/item/{rng.randint(10**5, 10**7)}"
    return _Doc("encyclopedia", head_lines, body, tail, url, ctx=ctx)


def _novel(rng: random.Random) -> _Doc:
    names = rng.sample(V.NOVEL_NAMES, 3)
    ctx = {"name": names[0], "name2": names[1], "name3": names[2], "place": rng.choice(V.NOVEL_PLACES),
           "book": rng.choice(V.NOVEL_BOOKS), "site": "书海阁", "domain": "shuhaige.demo"}
    chapter = f"第{rng.randint(1, 1800)}章 {_fill(rng.choice(V.NOVEL_CHAPTER_TITLES), rng, ctx)}"
    idx = sorted(rng.sample(range(len(V.NOVEL_LINES)), rng.randint(9, 16)))
    indent = rng.choice(("", "　　"))
    body = [indent + _fill(V.NOVEL_LINES[i], rng, ctx) for i in idx]
    head = [chapter]
    if rng.random() < 0.6:
        head.insert(0, _fill(rng.choice(V.NOVEL_HEADS), rng, ctx))
    tail = [_fill(rng.choice(V.NOVEL_TAILS), rng, ctx)] if rng.random() < 0.7 else []
    url = f"https://www.shuhaige.demo/{rng.randint(1000, 99999)}/{rng.randint(10**6, 10**7)}.html"
    return _Doc("novel", head, body, tail, url, ctx=ctx)


def _essay(rng: random.Random) -> _Doc:
    ctx = {"theme": rng.choice(V.ESSAY_THEMES), "parent": rng.choice(V.PARENTS),
           "school": rng.choice(V.CITIES) + "市" + rng.choice(V.SCHOOLS[1:4]),
           "grade": rng.choice(V.GRADES[:4])}
    title = _fill(rng.choice(V.ESSAY_TITLES), rng, ctx)
    lines = [_fill(V.ESSAY_LINES[i], rng, ctx)
             for i in sorted(rng.sample(range(len(V.ESSAY_LINES)), rng.randint(8, 13)))]
    body = _sentences_to_paragraphs(rng, lines, rng.choice(("", "　　")))
    tail = [t for t in [_fill(rng.choice(V.ESSAY_TAILS), rng, ctx)] if t]
    url = f"https://www.zuowen-demo.cn/{rng.randint(10**5, 10**6)}.html"
    return _Doc("essay", [title], body, tail, url, ctx=ctx)


def _ad(rng: random.Random) -> _Doc:
    b = rng.randrange(len(V.BRANDS))
    ctx = {"brand": V.BRANDS[b], "brandpy": V.BRAND_PINYIN[b], "city": rng.choice(V.CITIES),
           "adproduct": rng.choice(V.AD_PRODUCTS), "offer": rng.choice(V.AD_OFFERS),
           "deadline": rng.choice(V.AD_DEADLINES), "claim": rng.choice(V.AD_CLAIMS), "gift": rng.choice(V.GIFTS),
           "discount": str(rng.randint(3, 8)), "years": str(rng.randint(5, 20))}
    body = [_fill(t, rng, ctx) for t in rng.sample(V.AD_LINES, rng.randint(2, 4))]
    tail = []
    if rng.random() < 0.6:
        tail.append(_fill(rng.choice(V.AD_CONTACT_NOPII), rng, ctx))
    if rng.random() < 0.5:
        tail.append(rng.choice(V.AD_TAILS))
    return _Doc("ad", [], body, tail, f"https://www.{ctx['brandpy']}-demo.com/promo/{rng.randint(1, 999)}", ctx=ctx)


def _spam_gambling(rng: random.Random) -> _Doc:
    c = rng.randrange(len(V.CASINOS))
    ctx = {"casino": V.CASINOS[c], "casinopy": V.CASINO_PY[c], "game": rng.choice(V.GAMES)}
    lines = [_fill(rng.choice(V.GAMBLING_LINES), rng, ctx) for _ in range(rng.randint(4, 9))]
    return _Doc("spam_gambling", [], lines, [], f"http://www.{ctx['casinopy']}{rng.randint(10, 999)}-demo.vip/",
                ["spam:gambling"], ctx=ctx)


def _spam_seo(rng: random.Random) -> _Doc:
    kws = rng.sample(V.SEO_KEYWORDS, 3)
    ctx = {"kw": kws[0], "kw2": kws[1], "kw3": kws[2], "city": rng.choice(V.CITIES),
           "site": rng.choice(("中国供应商网", "企业黄页网", "商机信息网", "八方资源"))}
    lines = [_fill(rng.choice(V.SEO_PATTERNS), rng, ctx) for _ in range(rng.randint(4, 10))]
    return _Doc("spam_seo", [], lines, [], f"http://b2b.seo-demo.cn/{rng.randint(10**5, 10**6)}.html",
                ["spam:seo"], ctx=ctx)


def _spam_contact(rng: random.Random) -> _Doc:
    ctx = {"city": rng.choice(V.CITIES), "kw": rng.choice(("毕业证", "资格证", "营业执照", "房产证"))}
    lines = [_fill(t, rng, ctx) for t in rng.sample(V.CONTACT_SPAM_LINES, rng.randint(2, 4))]
    return _Doc("spam_contact", [], lines, [], f"http://tieba.demo/p/{rng.randint(10**9, 10**10)}",
                ["spam:contact"], ctx=ctx)


def _short(rng: random.Random) -> _Doc:
    text = rng.choice(V.SHORT_TEXTS)
    if rng.random() < 0.3:
        text += rng.choice(V.EMOTES)
    return _Doc("short", [], [text], [], f"https://weibo.com/comment/{rng.randint(10**9, 10**10)}", ["short"])


_GENERATORS: dict[str, Callable[[random.Random], _Doc]] = {
    "news": _news, "weibo": _weibo, "review": _review, "encyclopedia": _encyclopedia, "novel": _novel,
    "essay": _essay, "ad": _ad, "spam_gambling": _spam_gambling, "spam_seo": _spam_seo,
    "spam_contact": _spam_contact, "short": _short,
}

# Personal data: which genres may carry it (the first ones get it first) and how it is written there.
_PII_GENRES: dict[str, tuple[str, ...]] = {
    # Identity numbers first: a court notice replaces the article it lands on.
    "pii:id_card": ("weibo", "news"),
    "pii:bank_card": ("spam_contact", "weibo"),
    "pii:mobile": ("spam_contact", "ad", "weibo", "review", "news"),
    "pii:email": ("ad", "news", "weibo", "novel", "spam_contact"),
}
_PII_PRIORITY = {"pii:mobile": ("spam_contact", "ad"), "pii:email": (), "pii:id_card": (), "pii:bank_card": ()}
_PII_TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("pii:mobile", "spam_contact"): ("联系电话：{v}", "电话/微信同号：{v}", "有需要的直接打我电话{v}", "热线{v}（{surname}经理）"),
    ("pii:mobile", "ad"): ("订购热线：{v}", "预约电话：{v}（微信同号）", "咨询请致电{v}，{surname}经理"),
    ("pii:mobile", "weibo"): ("如有线索请联系家属{surname}先生，电话{v}，万分感谢！", "有意者私信或打电话{v}",
                              "捡到一个钱包，失主请联系{v}"),
    ("pii:mobile", "review"): ("老板人很好，电话{v}，有需要的可以直接联系。", "售后电话是{v}，打过去很快就处理了。"),
    ("pii:mobile", "news"): ("报名咨询电话：{v}（{person}）。", "市民如有问题，可拨打工作人员手机{v}咨询。"),
    ("pii:email", "ad"): ("简历请投递至{v}", "商务合作：{v}"),
    ("pii:email", "news"): ("欢迎广大读者提供新闻线索，投稿邮箱：{v}。", "来稿请发送至{v}，注明“征文”字样。"),
    ("pii:email", "weibo"): ("商务合作请联系邮箱：{v}", "想要原图的留邮箱，或者直接发邮件到{v}"),
    ("pii:email", "novel"): ("作者邮箱：{v}，欢迎书友来信交流。",),
    ("pii:email", "spam_contact"): ("资料发送至邮箱{v}", "详情发邮件：{v}"),
    ("pii:id_card", "weibo"): ("本人{person}不慎遗失居民身份证，证号{v}，特此声明作废。",
                               "【寻人】{person}，{born}出生，身份证号{v}，户籍地{place}，请知情者速与我们联系。"),
    ("pii:id_card", "news"): ("{person}：男，{born}出生，公民身份号码{v}，住{place}。",
                              "被告{person}，{born}出生，身份证号码{v}，户籍所在地{place}。本院依法向你公告送达起诉状副本。"),
    ("pii:bank_card", "spam_contact"): ("先付定金，转账到{bank}卡号{v}，户名{person}。", "打款账户：{bank} {v}"),
    ("pii:bank_card", "weibo"): ("孩子治病急需用钱，爱心捐款账户：{bank} {v}，户名{person}，谢谢好心人！",
                                 "众筹链接打不开的可以直接转账：{bank}卡号{v}（{person}）"),
}


_COURT_NOTICES = (
    "{person}：本院受理原告{person2}诉你民间借贷纠纷一案，因你下落不明，依照《中华人民共和国民事诉讼法》的规定，"
    "向你公告送达起诉状副本、应诉通知书、举证通知书及开庭传票。被告{person}，{born}出生，公民身份号码{v}，住{place}。"
    "自公告之日起经过三十日即视为送达。提出答辩状和举证的期限均为公告期满后的十五日内，"
    "并定于举证期满后第三日上午九时在本院第{n1}法庭开庭审理，逾期将依法缺席判决。",
    "{person}：原告{person2}与你房屋租赁合同纠纷一案，本院已审理终结。被告{person}，{born}出生，身份证号码{v}，"
    "户籍所在地{place}。现依法向你公告送达民事判决书。自公告之日起六十日内来本院领取，逾期即视为送达。"
    "如不服本判决，可在公告期满后十五日内向本院递交上诉状。",
)


def _plant_pii(rng: random.Random, docs: list[_Doc], n_docs: int) -> None:
    for kind, genres in _PII_GENRES.items():
        quota = round(DEFECT_RATES[kind] * n_docs)
        first = [d for d in docs if d.genre in _PII_PRIORITY[kind]]
        rest = [d for d in docs if d.genre in genres and d.genre not in _PII_PRIORITY[kind]]
        rng.shuffle(first)
        rng.shuffle(rest)
        for doc in (first + rest)[:quota]:
            fields: dict[str, str] = {"surname": rng.choice(V.SURNAMES), "person": _person(rng)}
            if kind == "pii:mobile":
                value, written = P.mobile_number(rng)
            elif kind == "pii:email":
                value = written = P.email(rng, f"{doc.ctx['brandpy']}-demo.com" if doc.genre == "ad" and rng.random() < 0.5 else None)
            elif kind == "pii:id_card":
                value, place = P.id_number(rng)
                written = value
                fields.update(place=place, born=f"{value[6:10]}年{int(value[10:12])}月{int(value[12:14])}日")
            else:
                value, written, bank = P.bank_card(rng)
                fields["bank"] = bank
            fields["v"] = written
            sentence = rng.choice(_PII_TEMPLATES[(kind, doc.genre)]).format(**fields)
            if doc.genre == "weibo" and not doc.pii:
                # An appeal or notice is a post of its own, not a tail glued to a diary entry.
                doc.planted = [k for k in doc.planted if not k.startswith("social:")]
                sentence = rng.choice(("", "", "扩散！", "求扩散！", "急！")) + sentence
                if rng.random() < 0.4:
                    sentence += rng.choice(V.EMOTES)
                    doc.planted.append("social:emote")
                doc.body = [sentence]
            elif doc.genre in ("weibo", "review"):
                doc.body[-1] = doc.body[-1] + sentence
            elif doc.genre == "news" and kind == "pii:id_card":
                # Courts serve papers on absent defendants by public notice, identity number included.
                fields.update(court=f"{doc.ctx['city']}市{rng.choice(V.DISTRICTS)}人民法院", person2=_person(rng))
                doc.head = [line for line in doc.head if line != doc.ctx["title"]] + [_fill("{court}公告", rng, fields)]
                doc.body = [rng.choice(_COURT_NOTICES).format(**fields, n1=rng.randint(1, 9))]
                doc.planted = [k for k in doc.planted if k != "related_teaser"]
                doc.tail = [line for line in doc.tail if not line.startswith(V.RELATED_HEADERS)]
            elif doc.genre in ("news", "ad"):
                doc.body.append(sentence)
            else:
                doc.body.insert(rng.randint(0, len(doc.body)), sentence)
            doc.planted.append(kind)
            doc.pii.append({"kind": kind.split(":", 1)[1], "value": value, "text": written})


def _mojibake(text: str, kind: str) -> str:
    raw = text.encode("utf-8")
    if kind == "mojibake:latin1":
        return raw.decode("latin-1")
    if kind == "mojibake:cp1252":
        # "Sloppy" windows-1252: the five undefined bytes pass through as latin-1, as browsers do.
        return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw)
    return raw.decode("gbk", errors="replace")


_NAMED_SWAPS = (("“", "&ldquo;"), ("”", "&rdquo;"), ("…", "&hellip;"), ("·", "&middot;"), ("—", "&mdash;"))
_NAMED_INDENTS = ("&nbsp;&nbsp;&nbsp;&nbsp;", "&nbsp;", "&emsp;&emsp;", "&nbsp; &nbsp; ")
_NUMERIC_SWAPS = (("“", "&#8220;"), ("”", "&#8221;"), ("、", "&#12289;"), ("。", "&#12290;"))
_DOUBLE = ("&amp;nbsp;", "&amp;quot;", "&amp;ldquo;", "&amp;#8220;", "&amp;amp;")
_RESIDUE = ("ampampquot", "ampquot", "quot", "nbsp", "nbspnbsp", "ldquo", "rdquo", "ampnbsp", "hellip")
_ZERO_WIDTH = ("\u200b", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
_CONTROLS = ("\x00", "\x08", "\x1b", "\x7f", "\x07", "\x85")
_ASCII_FOR = {"，": ",", "？": "?", "！": "!", "：": ":", "；": ";", "（": "(", "）": ")"}
_FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}


def _insert_between_cjk(rng: random.Random, text: str, tokens: tuple[str, ...], count: int) -> str:
    gaps = [m.start() for m in _CJK_PAIR.finditer(text)]
    if not gaps:
        return text
    for pos in sorted(rng.sample(gaps, min(count, len(gaps))), reverse=True):
        text = text[:pos] + rng.choice(tokens) + text[pos:]
    return text


_CLAUSE = re.compile(r"[，：。！？](?=[\u4e00-\u9fff])([^，：。！？\n]{2,20})(?=[，。！？])")


def _quote_span(rng: random.Random, text: str, mark: str) -> str:
    """Wrap one clause in ``mark`` where quotation marks would have stood (``，MARK……MARK。``)."""
    spans = [m.span(1) for m in _CLAUSE.finditer(text)]
    if not spans:
        return _insert_between_cjk(rng, text, (mark,), 1)
    a, b = rng.choice(spans)
    return text[:a] + mark + text[a:b] + mark + text[b:]


def _apply_char_defect(rng: random.Random, doc: _Doc, kind: str, s2t: Callable[[str], str]) -> None:
    text = doc.text
    if kind == "traditional":
        text = s2t(text)
        doc.script = "zh-Hant"
    elif kind == "ascii_punct":
        share = rng.choice((0.3, 0.6, 1.0))
        out = "".join(_ASCII_FOR[c] if c in _ASCII_FOR and rng.random() < share else c for c in text)
        if not _ASCII_IN_CJK.search(_WEIBO_MARKUP.sub("", out)):
            # Too few marks for the dice to hit one beside a Chinese character: force one.
            m = _FULL_IN_CJK.search(out)
            assert m is not None, "eligibility guarantees a full-width mark beside a CJK character"
            i = m.start() if m.group()[0] in _ASCII_FOR else m.end() - 1
            out = out[:i] + _ASCII_FOR[out[i]] + out[i + 1:]
        text = out
    elif kind == "fullwidth_ascii":
        text = text.translate(_FULLWIDTH)
    elif kind == "entity:named":
        for plain, ent in _NAMED_SWAPS:
            text = text.replace(plain, ent)
        lines = text.split("\n")
        for i in rng.sample(range(len(lines)), max(1, len(lines) // 2)):
            lines[i] = rng.choice(_NAMED_INDENTS) + lines[i]
        text = "\n".join(lines)
    elif kind == "entity:numeric":
        for plain, ent in _NUMERIC_SWAPS[: rng.randint(2, 4)]:
            text = text.replace(plain, ent)
        text = "&#12288;&#12288;" + text if "&#" not in text else text
    elif kind == "entity:double":
        # Escaped twice by a CMS: quotation marks and spacing come out as "&amp;quot;", "&amp;nbsp;".
        if "“" in text and rng.random() < 0.6:
            q = rng.choice(("&amp;quot;", "&amp;ldquo;"))
            text = text.replace("“", q).replace("”", q.replace("ldquo", "rdquo"))
        else:
            text = _quote_span(rng, text, rng.choice(("&amp;quot;", "&amp;#8220;")))
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        lines[i] = rng.choice(_DOUBLE[:1]) * rng.randint(1, 4) + lines[i]
        text = "\n".join(lines)
    elif kind == "entity_residue":
        # What is left when a cleaner strips "&", "#" and ";" from double-escaped entities: the
        # letters, glued to the Chinese around them.
        if "“" in text and rng.random() < 0.6:
            text = text.replace("“", "ampampquot").replace("”", "ampampquot")
        else:
            text = _quote_span(rng, text, rng.choice(("ampampquot", "ampampquot", "ampquot", "quot")))
            text = _insert_between_cjk(rng, text, _RESIDUE, rng.randint(0, 2))
        if "ampampquot" not in text:
            text = _quote_span(rng, text, "ampampquot")
    elif kind == "zero_width":
        text = _insert_between_cjk(rng, text, _ZERO_WIDTH, rng.randint(1, 6))
    elif kind == "bom":
        text = "\ufeff" + text
    elif kind == "control":
        text = _insert_between_cjk(rng, text, _CONTROLS, rng.randint(1, 3))
    elif kind == "crlf":
        text = text.replace("\n", "\r\n")
    elif kind.startswith("mojibake:"):
        text = _mojibake(text, kind)
    else:  # pragma: no cover - a kind in DEFECT_RATES without a branch here
        raise AssertionError(kind)
    doc.text = text
    doc.planted.append(kind)


def _eligible(doc: _Doc, kind: str) -> bool:
    text = doc.text
    long_enough = len(text) >= 40 and doc.genre != "short"
    if kind.startswith("mojibake:"):
        return long_enough and not doc.pii and not doc.planted_chars
    if doc.locked:
        return False
    if kind == "traditional":
        return long_enough and doc.genre in ("news", "weibo", "encyclopedia", "review", "novel")
    if kind == "ascii_punct":
        return _FULL_IN_CJK.search(text) is not None
    if kind == "fullwidth_ascii":
        return not doc.pii and any(c.isascii() and c.isalnum() for c in text)
    if kind in ("entity:named", "entity_residue"):
        return long_enough and doc.genre not in ("spam_seo", "spam_gambling")
    if kind == "crlf":
        return "\n" in text
    return long_enough


# The order character defects are applied in: script first, bytes-level damage last.
_CHAR_ORDER = ("traditional", "ascii_punct", "fullwidth_ascii", "entity:named", "entity:numeric", "entity:double",
               "entity_residue", "zero_width", "control", "crlf", "bom",
               "mojibake:latin1", "mojibake:cp1252", "mojibake:gbk")


def _plant_char_defects(rng: random.Random, docs: list[_Doc], n_docs: int) -> None:
    import opencc  # core dependency; imported here so that `import taosha.demo` stays light

    # Taiwan forms and vocabulary (軟體, 資訊) most often, then Hong Kong forms, then OpenCC's standard.
    converters = [opencc.OpenCC(c).convert for c in ("s2twp", "s2hk", "s2t")]

    def s2t(text: str) -> str:
        return rng.choices(converters, weights=(5, 3, 2))[0](text)
    chosen: dict[str, list[_Doc]] = {}
    # Mojibake is chosen first so that it lands on otherwise clean documents (see _eligible).
    selection_order = [k for k in _CHAR_ORDER if k.startswith("mojibake:")] + [
        k for k in _CHAR_ORDER if not k.startswith("mojibake:")]
    for kind in selection_order:
        pool = [d for d in docs if _eligible(d, kind) and kind not in d.planted_chars]
        picked = rng.sample(pool, min(len(pool), round(DEFECT_RATES[kind] * n_docs)))
        for d in picked:
            d.planted_chars.append(kind)
            if kind.startswith("mojibake:"):
                d.locked = True
        chosen[kind] = picked
    for kind in _CHAR_ORDER:
        for d in chosen[kind]:
            _apply_char_defect(rng, d, kind, s2t)


_EDIT_ORDER = ("drop_line", "char_edit", "punct", "prefix", "suffix", "spacing")


def _near_copy(rng: random.Random, src: _Doc) -> _Doc:
    """A light edit of ``src``: what reposting, re-templating or a careless copy does to a page.

    Edits that need line positions run first; they touch only the body (not the boilerplate lines
    or the personal data), so the copy still carries everything its ``planted`` list says.
    """
    lines = src.text.split("\n")
    first = sum(item.count("\n") + 1 for item in src.head)
    body = range(first, min(len(lines), first + len(src.body)))
    pii_texts = [p["text"] for p in src.pii]
    droppable = [i for i in body if not any(t in lines[i] for t in pii_texts) and len(lines[i]) <= 0.2 * len(src.text)]
    options = ["prefix", "suffix", "char_edit", "punct", "spacing"]
    if len(body) >= 3 and droppable:
        options.append("drop_line")
    edits = sorted(rng.sample(options, rng.randint(1, 2)), key=_EDIT_ORDER.index)
    for edit in edits:
        if edit == "drop_line":  # a paragraph lost in copying
            del lines[min(droppable, key=lambda i: len(lines[i]))]
            body = range(body.start, body.stop - 1)
        elif edit == "char_edit":  # a typo or two, or a different character chosen by an editor
            spots = [(i, j) for i in body for j, c in enumerate(lines[i]) if "\u4e00" <= c <= "\u9fff"]
            for i, j in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
                lines[i] = lines[i][:j] + rng.choice(V.GIVEN) + lines[i][j + 1:]
    text = "\n".join(lines)
    for edit in edits:
        if edit == "prefix":
            if src.genre == "weibo":
                # Reposted: the same words with someone's comment chain after them, or a call to spread.
                if rng.random() < 0.5:
                    text += f"//@{rng.choice(V.NICKS)}:{rng.choice(V.WEIBO_REPLIES)}"
                else:
                    text = rng.choice(("扩散！", "转：", "【转】", "求扩散 ", "转发：")) + text
            else:
                text = _fill(rng.choice(V.REPOST_PREFIXES), rng, {"site": rng.choice(V.NICKS)}) + text
        elif edit == "suffix":
            text += rng.choice(V.REPOST_SUFFIXES)
        elif edit == "punct":
            text = text.replace("，", rng.choice((",", "， ", "、")), rng.randint(1, 3))
        elif edit == "spacing":
            # Differs only in spacing: a whitespace-folding exact dedup should catch this one.
            text = text.replace("\n", "\n\n").replace("。", "。 ") if "\n" in text else text.replace("。", "。 ") + " "
    if text == src.text:  # the chosen edits found nothing to change (no comma to swap, say)
        text += rng.choice(V.REPOST_SUFFIXES)
        edits.append("suffix")
    pii = [p for p in src.pii if p["text"] in text]
    planted = [k for k in src.planted if not k.startswith("pii:") or any(p["kind"] == k[4:] for p in pii)]
    return _Doc(src.genre, [], [], [], src.url + f"?from={rng.choice(('share', 'timeline', 'qq', 'wechat'))}",
                planted + [f"near_dup_edit:{e}" for e in edits], pii, text=text, script=src.script,
                origin="near_copy", source_ref=src)


_LOOSE_DROP = re.compile(r"\[[^\[\]\n]{1,8}\]|#[^#\n]{1,20}#|https?://\S+|网页链接|//@[^:：\n]*[:：]|（来自[^）]*）")


_NON_WORD = re.compile(r"[\W_]+")


def _loose_key(text: str) -> str:
    """The text without social markup, punctuation, symbols, spaces and width or case differences."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", _LOOSE_DROP.sub("", text)).casefold())


NATURAL_NEAR_DUP_JACCARD = 0.8
"""Jaccard of character 5-grams (of :func:`_loose_key`) above which two originals are tagged as
near duplicates of each other; ``near_dedup``'s default threshold."""


def _natural_twin(d: _Doc, did: str, loose_first: dict[str, str],
                  groups: dict[str, list[tuple[str, set[str]]]]) -> str | None:
    """An earlier original that ``d`` nearly repeats, found among documents of the same template."""
    key = _loose_key(d.text)
    if len(key) < 10:
        return None
    twin = loose_first.setdefault(key, did)
    if twin != did:
        return twin
    group = d.ctx.get("group")
    if group is None:
        return None
    # Compare the post or review itself: star lines, spec lines and shop replies are boilerplate.
    core = _loose_key(max(d.text.split("\n"), key=len))
    grams = {core[i:i + 5] for i in range(len(core) - 4)}
    members = groups.setdefault(group, [])
    for other, other_grams in members:
        common = len(grams & other_grams)
        if common >= NATURAL_NEAR_DUP_JACCARD * (len(grams) + len(other_grams) - common):
            return other
    members.append((did, grams))
    return None


def generate_corpus(n_docs: int = 3000, seed: int = 0) -> list[dict[str, Any]]:
    """``n_docs`` JSONL-ready records ``{"id", "text", "source", "meta"}``, the same for the same seed.

    >>> a = generate_corpus(50, seed=7)
    >>> len(a), a == generate_corpus(50, seed=7), a == generate_corpus(50, seed=8)
    (50, True, False)
    >>> sorted(a[0])
    ['id', 'meta', 'source', 'text']
    """
    if n_docs < 1:
        raise ValueError(f"n_docs must be at least 1, got {n_docs}")
    rng = random.Random(f"taosha-demo:{seed}")
    n_exact = round(DUPLICATE_RATES["exact_copy"] * n_docs)
    n_near = round(DUPLICATE_RATES["near_copy"] * n_docs)
    n_base = n_docs - n_exact - n_near

    counts = {g: round(share * n_base) for g, share in GENRE_SHARES.items() if g != "weibo"}
    counts["weibo"] = max(0, n_base - sum(counts.values()))
    genres = [g for g in GENRE_SHARES for _ in range(counts[g])][:n_base]
    rng.shuffle(genres)
    docs = [_GENERATORS[g](rng) for g in genres]

    _plant_pii(rng, docs, n_docs)
    for d in docs:
        d.text = d.render()
    _plant_char_defects(rng, docs, n_docs)

    # Planted duplicates, each placed somewhere after its source.
    keyed: list[tuple[float, int, _Doc]] = [(float(i), 0, d) for i, d in enumerate(docs)]
    index = {id(d): i for i, d in enumerate(docs)}
    # Spam and social posts are copied most often on the real web.
    weights = [3.0 if d.genre.startswith("spam") else 2.0 if d.genre == "weibo" else 1.0 for d in docs]
    near_pool = [d for d in docs if len(d.text) >= 120 and not d.locked]
    # A tiny corpus may have too few long documents to copy nearly; exact copies make up the count.
    n_exact += max(0, n_near - len(near_pool))
    n_near = min(n_near, len(near_pool))
    for j, src in enumerate(rng.choices(docs, weights=weights, k=n_exact)):
        copy = _Doc(src.genre, [], [], [], src.url, list(src.planted), list(src.pii), text=src.text,
                    script=src.script, origin="exact_copy", source_ref=src)
        i = index[id(src)]
        keyed.append((i + rng.random() * (n_base - i), 1 + j, copy))
    for j, src in enumerate(rng.sample(near_pool, n_near)):
        i = index[id(src)]
        keyed.append((i + 0.5 + rng.random() * (n_base - i), 1 + n_exact + j, _near_copy(rng, src)))
    keyed.sort(key=lambda t: (t[0], t[1]))
    ordered = [d for _, _, d in keyed]

    ids = {id(d): f"demo-{i:05d}" for i, d in enumerate(ordered)}
    first_of: dict[str, str] = {}
    loose_first: dict[str, str] = {}
    groups: dict[str, list[tuple[str, set[str]]]] = {}
    records = []
    for d in ordered:
        did = ids[id(d)]
        planted = [k for k in d.planted if not k.startswith(("exact_dup_of:", "near_dup_of:"))]
        if d.origin == "near_copy" and d.source_ref is not None:
            planted.append(f"near_dup_of:{ids[id(d.source_ref)]}")
        first = first_of.setdefault(d.text, did)
        if first != did:
            planted.append(f"exact_dup_of:{first}")
        elif d.origin == "base":
            # Two posts built from the same templates can differ only in emoticons, tags, punctuation
            # or a short comment; say so rather than let a near-dedup step find an untagged pair.
            twin = _natural_twin(d, did, loose_first, groups)
            if twin is not None:
                planted += [f"near_dup_of:{twin}", "near_dup_edit:natural"]
        records.append({
            "id": did,
            "text": d.text,
            "source": f"demo:{d.genre}",
            "meta": {"genre": d.genre, "url": d.url, "lang": d.script, "origin": d.origin,
                     "planted": planted, "pii": d.pii},
        })
    return records


def _dump(records: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


ANSWER_KEY = ".answer-key.jsonl.gz"
"""Beside the shards: ``{"id", "pii": [{kind, value, text}]}`` per document that carries personal data."""


def write_corpus(dir: Path, n_docs: int = 3000, seed: int = 0, shards: int = 4) -> list[Path]:
    """Write the corpus as ``shards`` gzip JSONL files ``demo-00000-of-00004.jsonl.gz`` ... in ``dir``.

    Shard files of an earlier call with another shard count are removed; other files are left alone.
    Records are split into contiguous runs in id order.  The gzip header carries no file name and
    ``mtime=0``, so the same arguments give byte-identical files.  Returns the paths in order.
    """
    dir = Path(dir)
    dir.mkdir(parents=True, exist_ok=True)
    records = generate_corpus(n_docs, seed)
    # The planted numbers go to a hidden answer key (not read as input), not into the records: a
    # reader of OUT/data must not find valid-looking ID and card numbers beside a redacted text.
    key = [{"id": r["id"], "pii": r["meta"]["pii"]} for r in records if r["meta"]["pii"]]
    _atomic_write(dir / ANSWER_KEY, gzip.compress(_dump(key), mtime=0))
    records = [{**r, "meta": {**r["meta"], "pii": [p["kind"] for p in r["meta"]["pii"]]}} for r in records]
    shards = max(1, min(shards, len(records)))
    # Shards of an earlier call with another shard count would be read as part of this corpus.
    for stale in dir.glob("demo-*-of-*.jsonl.gz"):
        if not stale.name.endswith(f"-of-{shards:05d}.jsonl.gz"):
            stale.unlink()
    size, extra = divmod(len(records), shards)
    paths = []
    start = 0
    for s in range(shards):
        end = start + size + (1 if s < extra else 0)
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as gz:
            gz.write(_dump(records[start:end]))
        path = dir / f"demo-{s:05d}-of-{shards:05d}.jsonl.gz"
        _atomic_write(path, buf.getvalue())
        paths.append(path)
        start = end
    return paths


def write_samples(dir: Path, n_docs: int = 3000, seed: int = 0, jsonl_docs: int = 200, txt_docs: int = 50) -> list[Path]:
    """Write small readable samples of the same corpus: ``dir/sample.jsonl`` and ``dir/txt/<id>.txt``.

    Kept apart from :func:`write_corpus` on purpose: a directory input would otherwise read the
    sampled documents twice.  The text files hold the raw text, one document per file, as the
    ``--format txt`` reader expects.
    """
    dir = Path(dir)
    (dir / "txt").mkdir(parents=True, exist_ok=True)
    records = generate_corpus(n_docs, seed)
    paths = [dir / "sample.jsonl"]
    _atomic_write(paths[0], _dump(records[:jsonl_docs]))
    for r in records[:txt_docs]:
        path = dir / "txt" / f"{r['id']}.txt"
        _atomic_write(path, r["text"].encode("utf-8"))
        paths.append(path)
    return paths
