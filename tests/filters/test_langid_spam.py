"""lang_id and the spam/safety taggers, on written examples and samples of the real corpus."""

from __future__ import annotations

import json
import random
import re
from importlib import resources
from pathlib import Path

import pytest
from conftest import load_records

from taosha import Context, Document
from taosha.filters.langid import LangId, detect
from taosha.filters.spam import (
    AdSpamScore,
    GamblingScore,
    PornScore,
    SeoSpamScore,
    _trie_regex,
    load_lexicon,
    parse_lexicon,
)
from taosha.pipeline import chain

LABELS = json.loads((Path(__file__).parents[2] / "benchmarks" / "labels" / "chinesewebtext_spam.json").read_text())


def run(step, docs):
    removed = []
    ctx = Context(on_remove=lambda d, s, r, x: removed.append((d.id, r)))
    kept = list(chain([(step.name, step)], docs, ctx))
    return kept, removed, ctx.stats


def web_docs():
    out = []
    for r in load_records("web_chinesewebtext_sample.jsonl.gz"):
        meta = {"title": (r.get("meta") or {}).get("title"), "label": r.get("label")}
        out.append(Document(r["id"], r["text"], meta))
    return out


# --- lang_id ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "label"), [
    ("这家餐厅的菜很好吃，服务也很周到。", "zh-Hans"),
    ("這家餐廳的菜很好吃，服務也很周到。", "zh-Hant"),
    ("转发微博", "zh-Hans"),
    ("iPhone 15 Pro 的续航比上一代提升了不少", "zh-Hans"),
    ("ＯＫ，明天见！", "zh-Hans"),
    ("東京スカイツリーに行きました。", "other"),
    ("서울에서 만나요", "other"),
    ("See you tomorrow at the station.", "other"),
    ("2023-08-12 13:45:00", "other"),
])
def test_detect_written_examples(text, label):
    assert detect(text)[0] == label


def test_lang_id_step_records_label_and_drops_other():
    docs = [Document("zh", "今天天气不错。"), Document("hant", "今天天氣不錯，適合出門。"), Document("en", "Nice weather today.")]
    kept, removed, _ = run(LangId(), docs)
    assert [(d.id, d.meta["lang"]) for d in kept] == [("zh", "zh-Hans"), ("hant", "zh-Hant")]
    assert removed == [("en", "lang_id_low")]
    assert kept[1].meta["signals"]["zh_hant_share"] == 1.0


def test_real_traditional_and_simplified_wikipedia():
    hant = [detect(r["text"])[0] for r in load_records("wiki_drcd_traditional_contexts.jsonl.gz", 300)]
    hans = [detect(r["text"])[0] for r in load_records("wiki_cmrc2018_contexts.jsonl.gz", 300)]
    assert hant.count("zh-Hant") / len(hant) >= 0.99
    assert hans.count("zh-Hans") / len(hans) >= 0.99


def test_real_short_weibo_is_chinese():
    texts = [r["text"] for r in load_records("weibo_ced_reposts.jsonl.gz", 3000)
             if 5 <= len(r["text"]) <= 20 and len(re.findall(r"[\u4e00-\u9fff]", r["text"])) >= 3]
    labels = [detect(t)[0] for t in texts]
    assert sum(label.startswith("zh") for label in labels) / len(labels) >= 0.98


# --- lexicons ---------------------------------------------------------------------------------------


def test_parse_lexicon_weights_patterns_and_errors():
    lex = parse_lexicon("# comment\n现金网\t3\n投注\n re:\\d{2}贵宾会\t2\n")
    assert lex.weights == {"现金网": 3.0, "投注": 1.0}
    assert lex.score("现金网投注，88贵宾会") == 6.0
    with pytest.raises(ValueError, match="line 1"):
        parse_lexicon("现金网\tthree")


def test_trie_regex_matches_like_plain_alternation():
    rng = random.Random(4)
    alphabet = "赌博彩票现金网威尼斯人"
    words = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(40)})
    trie = re.compile(_trie_regex(words))
    plain = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    for _ in range(300):
        text = "".join(rng.choice(alphabet + "的了") for _ in range(30))
        assert trie.findall(text) == plain.findall(text)


def test_builtin_lexicons_load_and_have_provenance():
    folder = resources.files("taosha").joinpath("assets", "lexicons")
    assert "written by the taosha developers" in folder.joinpath("PROVENANCE.md").read_text(encoding="utf-8")
    for name in ("gambling", "porn", "seo", "ads"):
        lex = load_lexicon(name)
        assert lex.weights and all(w > 0 for w in lex.weights.values())


# --- taggers ----------------------------------------------------------------------------------------


def test_taggers_tag_by_default_and_density_not_single_hits():
    spam = Document("s", "加微信：abc12345，稳赚不赔，每天荐股，代开发票请联系")
    news = Document("n", "记者从警方获悉，这个以稳赚为诱饵的诈骗团伙已被抓获，" + "警方提醒市民提高警惕。" * 30)
    kept, removed, stats = run(AdSpamScore(), [spam, news])
    assert not removed and len(kept) == 2
    assert kept[0].meta["flags"] == ["ad_spam_score_high"] and "flags" not in kept[1].meta
    assert kept[0].meta["signals"]["ad_spam_score"] > 8 > kept[1].meta["signals"]["ad_spam_score"] > 0
    assert stats.steps["ad_spam_score"].counters["tagged:ad_spam_score_high"] == 1


def test_gambling_title_counts_and_drop_action():
    doc = Document("g", "今日天气晴朗，气温适宜，适合外出游玩。" * 10, {"title": "天气预报_华体会官网登录"})
    assert GamblingScore(fields=()).score(doc) == 0.0
    kept, removed, _ = run(GamblingScore(action="drop"), [doc])
    assert not kept and removed == [("g", "gambling_score_high")]


def test_full_width_and_case_insensitive_terms():
    doc = Document("a", "最新ＡＧ真人平台，Bet365 与 ag真人 同时上线")
    assert GamblingScore().score(doc) == 1000 * 3 * 3 / 500  # ＡＧ真人, Bet365, ag真人: weight 3 each
    assert PornScore().score(Document("b", "本店出售优质大米，欢迎选购。")) == 0.0
    assert SeoSpamScore().score(Document("c", "本文关键词：体育，足球，网站地图，友情链接")) > 4


def test_real_gambling_pages_dropped_and_wikipedia_kept():
    docs = web_docs()
    gambling = set(LABELS["spam"]) - {"cwt-cleared1-14", "cwt-cleared1-20"}  # the two spun pages are not gambling
    _, removed, _ = run(GamblingScore(action="drop"), docs)
    dropped = {doc_id for doc_id, _ in removed}
    assert gambling <= dropped
    assert len(dropped - gambling) <= 1
    for name in ("wiki_cmrc2018_contexts.jsonl.gz", "wiki_drcd_traditional_contexts.jsonl.gz"):
        wiki = [Document(r["id"], r["text"], {"title": (r.get("meta") or {}).get("title")}) for r in load_records(name, 500)]
        kept, _, _ = run(GamblingScore(action="drop"), wiki)
        assert len(kept) == len(wiki)


def test_zh_web_recipe_end_to_end_on_real_web_pages():
    from taosha.pipeline import run_in_memory
    from taosha.recipe import load_recipe

    recipe = load_recipe("zh-web")
    names = [step.name for _, step in recipe.steps]
    assert names.index("length_filter") < names.index("cjk_ratio") < names.index("zh_heuristics") \
        < names.index("gambling_score") < names.index("exact_dedup")
    result = run_in_memory(recipe, web_docs())
    reasons = result.removed_reasons()
    gambling = set(LABELS["spam"]) - {"cwt-cleared1-14", "cwt-cleared1-20"}
    assert gambling <= set(reasons), gambling - set(reasons)
    # a page that an earlier quality rule already removed (heavy repetition) is not scored again
    assert sum(reasons[i] == "gambling_score:gambling_score_high" for i in gambling) >= 14
    clean = {d.id for d in web_docs() if d.meta["label"] == "clean"}
    kept = {d.id: d for d in result.kept}
    assert clean <= set(kept)
    page = kept["cwt-clean-0"]
    assert page.meta["lang"] == "zh-Hans" and {"cjk_ratio", "lang_id", "dup_10gram", "ad_spam_score"} <= set(page.meta["signals"])
