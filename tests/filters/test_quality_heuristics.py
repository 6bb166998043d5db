"""zh_heuristics and the single-signal steps: golden cases (one per drop reason), tag mode, recipe
parameters, and checks on samples of the real corpus."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import load_records

from taosha import Context, Document
from taosha.errors import RecipeError
from taosha.filters import charclass as cc
from taosha.filters.heuristics import (
    CjkRatio,
    DupLineFrac,
    DupNgramCoverage,
    SymbolRatio,
    TopNgramCoverage,
    ZhHeuristics,
)
from taosha.filters.signals import all_signals, char_signals, line_signals, ngram_signals
from taosha.pipeline import chain
from taosha.recipe import parse_recipe

CASES = json.loads((Path(__file__).parents[1] / "cases" / "quality.json").read_text(encoding="utf-8"))["cases"]


def run(step, docs, label=None):
    removed = []
    ctx = Context(on_remove=lambda d, s, r, x: removed.append((d.id, r)))
    kept = list(chain([(label or step.name, step)], docs, ctx))
    return kept, removed, ctx.stats


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case(case):
    kept, removed, _ = run(ZhHeuristics(), [Document("d", case["input"])])
    if case["expected"] == "keep":
        assert [d.id for d in kept] == ["d"] and not removed
    else:
        assert removed == [("d", case["expected"])], case["note"]


def test_every_default_rule_has_a_golden_case():
    expected = {c["expected"] for c in CASES}
    for signal, lo, _hi in ZhHeuristics().rules():
        reason = f"{signal}_low" if lo is not None else f"{signal}_high"
        if signal == "cjk_ratio":
            continue  # cjk_ratio_low is covered (the grouped step checks it first)
        assert reason in expected, f"no golden case for {reason}"


def test_char_classes_full_width_and_scripts():
    counts = cc.class_counts("ＡＢＣａｂｃ１２３\u3000漢字汉字かなカナ한국")
    assert counts[cc.LATIN] == 6 and counts[cc.DIGIT] == 3 and counts[cc.SPACE] == 1
    assert counts[cc.HAN_TRAD] == 1 and counts[cc.HAN_SIMP] == 1 and counts[cc.HAN] == 2
    assert counts[cc.KANA] == 4 and counts[cc.HANGUL] == 2


def test_char_signals_by_hand():
    s = char_signals("我的猫１２３！！")  # 3 Han (我 and 的 are function characters), 3 digits, 2 punct
    assert s["cjk_ratio"] == pytest.approx(3 / 8, abs=1e-3)
    assert s["digit_ratio"] == pytest.approx(3 / 8, abs=1e-3)
    assert s["function_ratio"] == pytest.approx(2 / 3, abs=1e-3)
    assert char_signals("")["cjk_ratio"] == 0.0 and char_signals("  \n")["char_entropy"] == 0.0


def test_line_signals_by_hand():
    s = line_signals("他说：「好。」\n\n还有呢\n太好了……\n还有呢\n")
    assert s["n_lines"] == 4
    assert s["terminal_punct_lines"] == 0.5  # 」 and … end sentences; 还有呢 twice does not
    assert s["ellipsis_line_frac"] == 0.25
    assert s["dup_line_frac"] == 0.25
    assert s["short_line_frac"] == 1.0


def test_ngram_signals_ignore_whitespace_and_measure_coverage():
    text = "甲乙丙丁戊己庚辛壬癸" * 2 + "子丑寅卯辰巳午未申酉戌亥"
    s = ngram_signals(text)
    assert s["dup_10gram"] == 20 / 32
    assert ngram_signals(" ".join(text)) == s
    assert ngram_signals("短")["top_2gram"] == 0.0


def test_tag_mode_keeps_everything_and_flags():
    case = next(c for c in CASES if c["expected"] == "dup_line_frac_high")
    kept, removed, stats = run(ZhHeuristics(action="tag"), [Document("d", case["input"])])
    assert not removed and len(kept) == 1
    assert kept[0].meta["flags"][0] == "dup_line_frac_high"
    assert stats.steps["zh_heuristics"].counters["tagged:dup_line_frac_high"] == 1


def test_signals_recorded_and_histogrammed():
    kept, _, stats = run(ZhHeuristics(), [Document("d", CASES[0]["input"])])
    signals = kept[0].meta["signals"]
    assert signals["cjk_ratio"] > 0.8 and signals["terminal_punct_lines"] == 1.0
    hist = stats.steps["zh_heuristics"].histograms["zh_heuristics:cjk_ratio"]
    assert hist.n == 1


def test_none_switches_a_rule_off_and_recipe_validates():
    case = next(c for c in CASES if c["expected"] == "top_2gram_high")
    step = ZhHeuristics(max_top_2gram=None, max_top_3gram=None, max_top_4gram=None, max_dup_10gram=None)
    assert step.keep(Document("d", case["input"])) is True
    recipe = parse_recipe({"name": "t", "steps": [{"zh_heuristics": {"max_dup_line_frac": 0.2, "action": "tag"}}]})
    assert recipe.steps[0][1].max_dup_line_frac == 0.2
    with pytest.raises(RecipeError, match="max_dup_line_frac"):
        parse_recipe({"name": "t", "steps": [{"zh_heuristics": {"max_dup_lines_frac": 0.2}}]})
    with pytest.raises(RecipeError):
        parse_recipe({"name": "t", "steps": [{"zh_heuristics": {"action": "keep"}}]})


def test_single_signal_steps_agree_with_grouped_step():
    docs = [Document(r["id"], r["text"]) for r in load_records("web_chinesewebtext_sample.jsonl.gz", 60)]
    grouped = {d.id: all_signals(d.text) for d in docs}
    for step, key in ((CjkRatio(min_value=None), "cjk_ratio"), (SymbolRatio(max_value=None), "symbol_ratio"),
                      (DupLineFrac(max_value=None), "dup_line_frac"), (TopNgramCoverage(n=3, max_value=None), "top_3gram"),
                      (DupNgramCoverage(n=7, max_value=None), "dup_7gram")):
        for doc in docs:
            assert step.score(doc) == grouped[doc.id][key], (step.name, doc.id)
    with pytest.raises(ValueError):
        TopNgramCoverage(n=5)


def test_cjk_ratio_step_drops_non_chinese():
    docs = [Document("zh", "今天的会议讨论了明年的预算安排。"), Document("en", "Meeting notes: budget for next year."),
            Document("mixed", "使用Ｐｙｔｈｏｎ和NumPy做数据分析")]
    kept, removed, _ = run(CjkRatio(), docs)
    assert [d.id for d in kept] == ["zh", "mixed"] and removed == [("en", "cjk_ratio_low")]


@pytest.mark.parametrize("name", ["wiki_cmrc2018_contexts.jsonl.gz", "wiki_drcd_traditional_contexts.jsonl.gz",
                                  "news_thucnews_sample.jsonl.gz"])
def test_real_encyclopedia_and_news_mostly_kept(name):
    docs = [Document(r["id"], r["text"]) for r in load_records(name, 400)]
    kept, removed, _ = run(ZhHeuristics(), docs)
    assert len(kept) / len(docs) >= 0.95, removed[:5]


def test_real_spun_spam_page_dropped_for_repetition():
    # cwt-cleared1-14 stitches the same sentences again and again (hand-labelled SEO spam).
    doc = next(Document(r["id"], r["text"]) for r in load_records("web_chinesewebtext_sample.jsonl.gz", 20)
               if r["id"] == "cwt-cleared1-14")
    assert ZhHeuristics().keep(doc).reason == "dup_10gram_high"


def test_real_short_weibo_not_judged_on_repetition():
    docs = [Document(r["id"], r["text"]) for r in load_records("weibo_ced_reposts.jsonl.gz", 3000)
            if 20 <= len(r["text"]) < 100]
    kept, removed, _ = run(ZhHeuristics(), docs)
    reasons = {r for _, r in removed}
    assert not reasons & {"char_entropy_low", "top_2gram_high", "dup_10gram_high", "mean_line_chars_low"}
    assert len(kept) / len(docs) > 0.95


def test_class_table_is_read_only():
    table = cc.class_table()
    with pytest.raises(ValueError):
        table[0] = 1
    assert table.dtype == np.uint8


def test_histogram_totals_merge_exactly_in_any_order():
    from taosha.stats import Stats

    docs = [Document(r["id"], r["text"]) for r in load_records("web_cluecorpussmall_sample.jsonl.gz", 300)]
    shards = []
    for i in range(3):
        ctx = Context()
        list(chain([("zh_heuristics", ZhHeuristics(action="tag"))], docs[i::3], ctx))
        shards.append(ctx.stats)

    def merged(order):
        hists = sum((shards[i] for i in order), Stats()).steps["zh_heuristics"].histograms
        return {k: (h.total, h.counts) for k, h in hists.items()}

    assert merged([0, 1, 2]) == merged([2, 0, 1]) == merged([1, 2, 0])


def test_batched_histograms_match_one_by_one():
    from taosha.filters.heuristics import _flush
    from taosha.stats import Histogram

    rng = np.random.default_rng(3)
    # signals are on the 1/1024 grid, where sums are exact in any order (see signals.dyadic)
    values = [round(float(x) * 1024) / 1024 for x in rng.uniform(-0.2, 1.2, 500)]
    values += [0.0, 1.0, 0.5, 0.025 * 1024 // 1 / 1024, float("nan"), 1 + 1 / 1024]
    one = Histogram(0.0, 1.0)
    for v in values:
        one.add(v)
    batched = {"s": Histogram(0.0, 1.0)}
    _flush(batched, {"s": list(values)})
    assert batched["s"] == one
