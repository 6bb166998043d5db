"""The demo corpus generator: determinism, planted defects at their stated rates, valid PII, duplicates.

Every defect is checked twice, with detection code written here and not shared with the generator:
a document tagged with a kind shows it, and a document not tagged with it does not.  PII numbers are
validated by this file's own GB 11643, Luhn and prefix checks.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from collections import Counter

import opencc
import orjson
import pytest

from taosha.demo import generate_corpus, write_corpus, write_samples
from taosha.demo.generator import (
    ANSWER_KEY,
    DEFECT_RATES,
    DUPLICATE_RATES,
    GENRE_SHARES,
    NEWS_BOILERPLATE_P,
    WEIBO_FEATURE_P,
)
from taosha.document import Document
from taosha.pipeline import run_in_memory
from taosha.recipe import parse_recipe

N = 3000
SEED = 0


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return generate_corpus(N, seed=SEED)


@pytest.fixture(scope="module")
def base(corpus) -> list[dict]:
    return [r for r in corpus if r["meta"]["origin"] == "base"]


def kinds(record: dict) -> set[str]:
    return set(record["meta"]["planted"])


def is_mojibake(record: dict) -> bool:
    return any(k.startswith("mojibake:") for k in kinds(record))


# -- independent detectors ---------------------------------------------------------------------------

_T2S = opencc.OpenCC("t2s").convert
_CJK = re.compile(r"[\u4e00-\u9fff]")


def cjk_share(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    return sum(1 for c in chars if _CJK.match(c)) / max(1, len(chars))


def undo_sloppy_cp1252(text: str) -> str:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out += ch.encode("latin-1")
    return out.decode("utf-8")


def shows_latin1(text: str) -> bool:
    try:
        return cjk_share(text.encode("latin-1").decode("utf-8")) > 0.3
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False


def shows_cp1252(text: str) -> bool:
    try:
        return cjk_share(undo_sloppy_cp1252(text)) > 0.3 and not shows_latin1(text)
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False


def shows_gbk(text: str) -> bool:
    # GBK mojibake of UTF-8 re-encodes to bytes that are mostly valid UTF-8 Chinese again.
    try:
        undone = text.encode("gbk", errors="ignore").decode("utf-8", errors="replace")
    except UnicodeEncodeError:
        return False
    return undone != text and cjk_share(undone) > 0.25 and undone.count("\ufffd") < len(undone) / 3


_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def invisible_out(text: str) -> str:
    return _INVISIBLE.sub("", text)


_ENTITY_NOISE = re.compile(r"&(amp;)*#?\w+;|ampampquot|ampquot|ampnbsp|nbspnbsp|nbsp|quot|ldquo|rdquo|hellip")


def readable(text: str) -> str:
    """The text with invisible characters, entities and entity residue taken out."""
    return _ENTITY_NOISE.sub("", invisible_out(text))


def shows_traditional(text: str) -> bool:
    # One changed character is not enough: OpenCC's t2s also rewrites a few simplified words
    # (the surname in "沈思" becomes "沉思").
    changed = sum(a != b for a, b in zip(text, _T2S(text), strict=False))
    return changed >= max(2, len(_CJK.findall(text)) // 100)


DETECT = {
    "traditional": shows_traditional,
    # Weibo's own markup ("//@who:") and scores cut by a teaser ("117:") use an ASCII colon legitimately.
    "ascii_punct": lambda t: re.search(
        r"[\u4e00-\u9fff][,?!:]|(?<!\d)[,?!:][\u4e00-\u9fff]", re.sub(r"//@[^:：/]+[:：]", "", invisible_out(t))),
    "fullwidth_ascii": re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]").search,
    "entity:named": re.compile(r"&(nbsp|emsp|ldquo|rdquo|hellip|middot|mdash);").search,
    "entity:numeric": re.compile(r"&#\d+;").search,
    "entity:double": lambda t: "&amp;" in t,
    "entity_residue": lambda t: "ampampquot" in t,
    "zero_width": re.compile("[\u200b\u200c\u200d\u2060]|(?<=.)\ufeff", re.S).search,
    "bom": lambda t: t.startswith("\ufeff"),
    "control": re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]").search,
    "crlf": lambda t: "\r\n" in t,
    "mojibake:latin1": shows_latin1,
    "mojibake:cp1252": shows_cp1252,
    "mojibake:gbk": shows_gbk,
}
# Kinds whose detector also fires on mojibake (C1 controls, GBK mojibake looking traditional).
_MOJIBAKE_LOOKS_LIKE = {"control", "traditional", "fullwidth_ascii", "ascii_punct"}


# -- determinism and files -------------------------------------------------------------------------


def test_same_seed_same_records_other_seed_other_records(corpus):
    assert generate_corpus(N, seed=SEED) == corpus
    other = generate_corpus(N, seed=SEED + 1)
    assert len(other) == N
    assert sum(a["text"] == b["text"] for a, b in zip(corpus, other, strict=True)) < N // 10


@pytest.mark.parametrize("n", [1, 2, 10, 31, 120])
def test_small_corpora_have_the_asked_size(n):
    records = generate_corpus(n, seed=SEED)
    assert [r["id"] for r in records] == [f"demo-{i:05d}" for i in range(n)]
    with pytest.raises(ValueError):
        generate_corpus(0)


def test_write_corpus_is_byte_stable(tmp_path, corpus):
    a = write_corpus(tmp_path / "a", n_docs=N, seed=SEED, shards=4)
    b = write_corpus(tmp_path / "b", n_docs=N, seed=SEED, shards=4)
    c = write_corpus(tmp_path / "c", n_docs=N, seed=SEED + 1, shards=4)
    assert [p.name for p in a] == [f"demo-{i:05d}-of-00004.jsonl.gz" for i in range(4)]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert [p.read_bytes() for p in a] != [p.read_bytes() for p in c]
    for path in a:
        raw = path.read_bytes()
        assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0", "gzip mtime must be 0"
        assert not raw[3] & 0x08, "no file name in the gzip header"
    records = [orjson.loads(line) for p in a for line in gzip.decompress(p.read_bytes()).splitlines()]
    # On disk the records name the kinds of personal data only; the values sit in the answer key.
    key = {r["id"]: r["pii"] for r in map(orjson.loads, gzip.decompress((tmp_path / "a" / ANSWER_KEY).read_bytes()).splitlines())}
    assert [{**r, "meta": {**r["meta"], "pii": key.get(r["id"], [])}} for r in records] == corpus
    assert all(r["meta"]["pii"] == [p["kind"] for p in key.get(r["id"], [])] for r in records)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted([p.name for p in a] + [ANSWER_KEY])
    # Rewriting with fewer shards leaves no stale shard to be read twice.
    (tmp_path / "a" / "notes.txt").write_text("mine")
    two = write_corpus(tmp_path / "a", n_docs=N, seed=SEED, shards=2)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted([p.name for p in two] + ["notes.txt", ANSWER_KEY])


def test_write_samples(tmp_path, corpus):
    paths = write_samples(tmp_path, n_docs=N, seed=SEED, jsonl_docs=30, txt_docs=5)
    lines = paths[0].read_bytes().splitlines()
    assert [orjson.loads(line) for line in lines] == corpus[:30]
    assert [p.name for p in paths[1:]] == [f"{r['id']}.txt" for r in corpus[:5]]
    assert [p.read_bytes().decode("utf-8") for p in paths[1:]] == [r["text"] for r in corpus[:5]]


# -- shape and plausibility ------------------------------------------------------------------------


def test_records_are_jsonl_ready(corpus):
    assert [r["id"] for r in corpus] == [f"demo-{i:05d}" for i in range(N)]
    for r in corpus:
        assert list(r) == ["id", "text", "source", "meta"]
        assert r["source"] == f"demo:{r['meta']['genre']}"
        assert r["meta"]["origin"] in ("base", "exact_copy", "near_copy")
        assert r["meta"]["lang"] in ("zh-Hans", "zh-Hant")
        assert isinstance(r["text"], str) and r["text"]
        orjson.dumps(r)


def test_text_is_filled_chinese_of_the_intended_size(base):
    assert not [r["id"] for r in base if re.search(r"\{\w+\}", r["text"])], "unfilled template slots"
    size = sum(len(r["text"].encode("utf-8")) for r in base)
    assert 1_000_000 < size < 2_500_000
    clean = [r for r in base if not is_mojibake(r) and r["meta"]["genre"] not in ("short", "spam_gambling")]
    by_genre: dict[str, list[float]] = {}
    for r in clean:
        by_genre.setdefault(r["meta"]["genre"], []).append(cjk_share(r["text"]))
    for genre, shares in by_genre.items():
        # Contact spam is half phone numbers, QQ and WeChat ids, as it is in the wild.
        assert sum(shares) / len(shares) > (0.45 if genre.startswith("spam") else 0.6), genre
    # Variety: original documents rarely coincide by accident.
    texts = Counter(r["text"] for r in base if r["meta"]["genre"] != "short")
    assert sum(n - 1 for n in texts.values()) < 0.01 * N


def test_genre_counts(base):
    n_base = len(base)
    assert n_base == N - round(DUPLICATE_RATES["exact_copy"] * N) - round(DUPLICATE_RATES["near_copy"] * N)
    counts = Counter(r["meta"]["genre"] for r in base)
    for genre, share in GENRE_SHARES.items():
        if genre != "weibo":
            assert counts[genre] == round(share * n_base), genre
    assert counts["weibo"] == n_base - sum(counts[g] for g in GENRE_SHARES if g != "weibo")
    assert all(len(r["text"]) < 20 for r in base if r["meta"]["genre"] == "short")


# -- planted character defects ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(DETECT))
def test_defect_planted_at_stated_rate_and_visible(kind, base):
    tagged = [r for r in base if kind in kinds(r)]
    assert len(tagged) == round(DEFECT_RATES[kind] * N) > 0
    missing = [r["id"] for r in tagged if not DETECT[kind](r["text"])]
    assert not missing, f"{kind} tagged but not visible in {missing[:5]}"


@pytest.mark.parametrize("kind", sorted(DETECT))
def test_defect_absent_where_not_planted(kind, corpus):
    untagged = [r for r in corpus if kind not in kinds(r)]
    if kind in _MOJIBAKE_LOOKS_LIKE or kind.startswith("mojibake:"):
        untagged = [r for r in untagged if not is_mojibake(r)]
    if kind == "zero_width":
        untagged = [r for r in untagged if "bom" not in kinds(r)]  # a prefix pushes the BOM inward
    if kind == "ascii_punct":
        untagged = [r for r in untagged if "near_dup_edit:punct" not in kinds(r)]  # a reposter's commas
    found = [r["id"] for r in untagged if DETECT[kind](r["text"])]
    assert not found, f"{kind} visible but not tagged in {found[:5]}"


def test_mojibake_stands_alone(base):
    for r in base:
        if is_mojibake(r):
            assert not r["meta"]["pii"]
            assert not kinds(r) & set(DETECT) - {k for k in DETECT if k.startswith("mojibake:")}


def test_traditional_documents_are_marked(base):
    for r in base:
        assert (r["meta"]["lang"] == "zh-Hant") == ("traditional" in kinds(r))


# -- genre features --------------------------------------------------------------------------------


def _within_binomial(hits: int, n: int, p: float) -> bool:
    return abs(hits - n * p) <= 5 * (n * p * (1 - p)) ** 0.5 + 1


def test_news_boilerplate_rates_and_content(base):
    news = [r for r in base if r["meta"]["genre"] == "news"]
    for kind, p in NEWS_BOILERPLATE_P.items():
        assert _within_binomial(sum(kind in kinds(r) for r in news), len(news), p), kind
    readable_news = [r for r in news if r["meta"]["lang"] == "zh-Hans" and not is_mojibake(r)]
    for r in readable_news:
        text = readable(r["text"])
        has_prev_next = re.search("上一篇[：:]", text) and re.search("下一篇[：:]", text)
        assert bool(has_prev_next) == ("boilerplate:prev_next" in kinds(r)), r["id"]
        if "related_teaser" in kinds(r):
            assert re.search("相关阅读|相关新闻|延伸阅读|推荐阅读|猜你喜欢|热点推荐", text), r["id"]


def test_weibo_feature_rates_and_content(base):
    weibo = [r for r in base if r["meta"]["genre"] == "weibo"]
    # Appeals with personal data are rewritten as posts of their own, so compare on the others.
    plain = [r for r in weibo if not r["meta"]["pii"]]
    p_bare = WEIBO_FEATURE_P["social:bare_repost"]
    assert _within_binomial(sum("social:bare_repost" in kinds(r) for r in plain), len(plain), p_bare)
    own = [r for r in plain if "social:bare_repost" not in kinds(r)]
    for kind, p in WEIBO_FEATURE_P.items():
        if kind != "social:bare_repost":
            assert _within_binomial(sum(kind in kinds(r) for r in own), len(own), p), kind
    shows = {
        "social:emote": re.compile(r"\[[^\[\]]{1,16}\]").search,
        "social:topic": re.compile(r"#(?!\d+;)[^#\n]{1,20}#").search,
        "social:tcn_link": re.compile(r"t\.cn/\w{7,8}|网页链接").search,
        "social:repost_chain": re.compile(r"//@[^:：]+[:：]").search,
    }
    for r in weibo:
        if r["meta"]["lang"] == "zh-Hans" and not is_mojibake(r) and "fullwidth_ascii" not in kinds(r):
            for kind, found in shows.items():
                assert bool(found(readable(r["text"]))) == (kind in kinds(r)), (kind, r["id"])


# -- personal data ---------------------------------------------------------------------------------

_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_MOBILE = re.compile(r"^1(3\d|4[57]|5[0-35-9]|6[6]|7[35-8]|8\d|9[1358-9])\d{8}$")
_PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
              53, 54, 61, 62, 63, 64, 65}


def gb11643_ok(number: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    check = (12 - sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True)) % 11) % 11
    return number[17] == ("X" if check == 10 else str(check))


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits)) % 10 == 0


def test_independent_checksums_agree_with_known_values():
    assert gb11643_ok("11010519491231002X")
    assert not gb11643_ok("110105194912310021")
    assert luhn_ok("4539578763621486") and not luhn_ok("4539578763621487")


@pytest.mark.parametrize("kind", ["pii:mobile", "pii:email", "pii:id_card", "pii:bank_card"])
def test_pii_planted_at_stated_rate(kind, base):
    tagged = [r for r in base if kind in kinds(r)]
    assert len(tagged) == round(DEFECT_RATES[kind] * N)
    for r in tagged:
        assert kind.split(":")[1] in {p["kind"] for p in r["meta"]["pii"]}, r["id"]


def test_pii_values_are_valid_and_in_the_text(corpus):
    seen = Counter()
    for r in corpus:
        for item in r["meta"]["pii"]:
            value, written = item["value"], item["text"]
            assert written in r["text"], r["id"]
            assert f"pii:{item['kind']}" in kinds(r)
            digits = re.sub(r"\D", "", written)
            if item["kind"] == "mobile":
                assert _MOBILE.match(value), value
                assert digits in (value, "86" + value), written
            elif item["kind"] == "id_card":
                assert gb11643_ok(value), value
                assert int(value[:2]) in _PROVINCES
                born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
                assert dt.date(1940, 1, 1) < born < dt.date(2010, 1, 1)
                text = readable(r["text"])
                if "出生" in text and r["meta"]["lang"] == "zh-Hans" and r["meta"]["origin"] == "base":
                    assert f"{born.year}年{born.month}月{born.day}日出生" in text
            elif item["kind"] == "bank_card":
                assert value.startswith("62") and 16 <= len(value) <= 19 and luhn_ok(value), value
                assert digits == value
            else:
                assert re.fullmatch(r"[a-z0-9._]+@[a-z0-9-]+(\.[a-z]+)+", value), value
            seen[item["kind"]] += 1
    assert set(seen) == {"mobile", "email", "id_card", "bank_card"}
    assert Counter(
        p["text"] for r in corpus for p in r["meta"]["pii"] if p["kind"] == "mobile" and "+86" in p["text"]
    ), "some mobiles are written with +86"
    assert any(" " in p["text"] for r in corpus for p in r["meta"]["pii"] if p["kind"] == "bank_card")


def test_no_unplanted_valid_pii(corpus):
    for r in corpus:
        text = r["text"]
        if "pii:mobile" not in kinds(r):
            assert not [m for m in re.findall(r"(?<!\d)1\d{10}(?!\d)", text) if _MOBILE.match(m)], r["id"]
        if "pii:id_card" not in kinds(r):
            assert not [m for m in re.findall(r"(?<!\d)\d{17}[\dX](?!\d)", text) if gb11643_ok(m)], r["id"]
        if "pii:bank_card" not in kinds(r):
            # Gansu identity numbers start with 62 too, and one in ten passes Luhn by chance.
            ids = {p["value"] for p in r["meta"]["pii"] if p["kind"] == "id_card"}
            found = [m for m in re.findall(r"(?<!\d)62\d{14,17}(?![\dX])", text) if luhn_ok(m) and m not in ids]
            assert not found, r["id"]


# -- duplicates ------------------------------------------------------------------------------------


def test_exact_duplicates_are_exact_and_all_tagged(corpus):
    by_id = {r["id"]: r for r in corpus}
    first: dict[str, str] = {}
    for r in corpus:
        tags = [k for k in kinds(r) if k.startswith("exact_dup_of:")]
        if r["text"] in first:
            assert tags == [f"exact_dup_of:{first[r['text']]}"], r["id"]
        else:
            assert not tags, r["id"]
            first[r["text"]] = r["id"]
        for tag in tags:
            src = by_id[tag.split(":", 1)[1]]
            assert src["text"] == r["text"] and src["id"] < r["id"]
    copies = [r for r in corpus if r["meta"]["origin"] == "exact_copy"]
    assert len(copies) == round(DUPLICATE_RATES["exact_copy"] * N)
    assert all(any(k.startswith("exact_dup_of:") for k in kinds(r)) for r in copies)


def shingles(text: str, k: int = 5) -> set[str]:
    return {text[i:i + k] for i in range(len(text) - k + 1)}


def test_near_duplicates_are_near(corpus):
    by_id = {r["id"]: r for r in corpus}
    near = [r for r in corpus if r["meta"]["origin"] == "near_copy"]
    assert len(near) == round(DUPLICATE_RATES["near_copy"] * N)
    edits = Counter()
    for r in near:
        (tag,) = [k for k in kinds(r) if k.startswith("near_dup_of:")]
        src = by_id[tag.split(":", 1)[1]]
        assert src["text"] != r["text"] and src["meta"]["genre"] == r["meta"]["genre"]
        a, b = shingles(src["text"]), shingles(r["text"])
        assert len(a & b) / len(a | b) >= 0.5, (r["id"], src["id"])
        edits.update(k for k in kinds(r) if k.startswith("near_dup_edit:"))
    assert len(edits) >= 5, edits


def _loose(text: str) -> str:
    line = max(text.split("\n"), key=len)
    line = re.sub(r"\[[^\[\]\n]{1,8}\]|#[^#\n]{1,20}#|https?://\S+|网页链接|//@[^:：\n]*[:：]|（来自[^）]*）", "", line)
    return re.sub(r"[\W_]+", "", line)


def test_natural_near_duplicates_are_tagged_and_rare(corpus):
    """Originals that happen to nearly repeat an earlier one (same template) say so."""
    by_id = {r["id"]: r for r in corpus}
    natural = [r for r in corpus if "near_dup_edit:natural" in kinds(r)]
    assert all(r["meta"]["origin"] == "base" for r in natural)
    assert 0 < len(natural) < 0.03 * N
    for r in natural:
        (tag,) = [k for k in kinds(r) if k.startswith("near_dup_of:")]
        twin = by_id[tag.split(":", 1)[1]]
        assert twin["id"] < r["id"] and twin["meta"]["genre"] == r["meta"]["genre"]
        a, b = shingles(_loose(twin["text"])), shingles(_loose(r["text"]))
        assert len(a & b) / len(a | b) >= 0.7, (r["id"], twin["id"])


# -- the lead's first steps see what was planted -----------------------------------------------------


def test_first_steps_catch_what_they_should(corpus):
    recipe = parse_recipe({"steps": [{"unicode_cleanup": {}}, {"length_filter": {"min_chars": 20}}, {"exact_dedup": {}}]})
    docs = [Document(r["id"], r["text"], dict(r["meta"])) for r in corpus]
    result = run_in_memory(recipe, docs)
    reasons = result.removed_reasons()
    by_id = {r["id"]: r for r in corpus}
    assert all(reasons.get(r["id"], "").startswith("length_filter") for r in corpus if "short" in kinds(r))
    for r in corpus:
        if any(k.startswith("exact_dup_of:") for k in kinds(r)):
            assert r["id"] in reasons, r["id"]
    for doc in result.kept:
        if kinds(by_id[doc.id]) & {"zero_width", "bom"}:
            assert not re.search("[\u200b-\u200d\u2060\ufeff]", doc.text), doc.id
