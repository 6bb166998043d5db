"""zh_normalize: golden cases, fix reporting, the traditional-share signal, recipe wiring, real data."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from conftest import load_records

from taosha import Context, Document
from taosha.errors import RecipeError
from taosha.normalize.zh import ZhNormalize
from taosha.pipeline import chain, run_in_memory
from taosha.recipe import load_recipe, parse_recipe

CASES = json.loads((Path(__file__).parents[1] / "cases" / "normalize.json").read_text(encoding="utf-8"))["cases"]
GOOD = [c for c in CASES if not c.get("known_failure")]
KNOWN = [c for c in CASES if c.get("known_failure")]


@pytest.mark.parametrize("case", GOOD, ids=[c["note"][:50] for c in GOOD])
def test_golden(case):
    step = ZhNormalize(**case.get("params", {}))
    doc, fixes = step.map_noted(Document("x", case["input"]))
    assert doc.text == case["expected"]
    assert list(fixes) == case["fixes"]


@pytest.mark.parametrize("case", KNOWN, ids=[c["note"][:50] for c in KNOWN])
def test_known_failures_still_fail(case):
    # Listed, not deleted: when one starts passing, move it to the good cases.
    doc, _ = ZhNormalize(**case.get("params", {})).map_noted(Document("x", case["input"]))
    assert doc.text != case["expected"]


def test_every_fix_can_be_switched_off():
    text = "他说ampampquot好ampampquot走,ＡＢＣ [哈哈] http://t.cn/Abcd123\\n第二行\ue40c�"
    off = ZhNormalize(
        mojibake=False, entities=False, entity_residue=False, ansi=False, literal_newlines=False,
        private_use=False, replacement_chars=False, width=False, punctuation=False, cjk_spaces=False,
        blank_lines=False, short_links="keep", repost_chains="keep", repost_text="keep", emoticons="keep",
    )
    doc, fixes = off.map_noted(Document("x", text))
    assert doc.text == text and list(fixes) == []
    doc, fixes = ZhNormalize().map_noted(Document("x", text))
    assert set(fixes) == {"entity_residue", "width", "punctuation", "emoticons", "short_links",
                          "literal_newline", "private_use", "replacement_char"}


def test_traditional_share_always_recorded():
    step = ZhNormalize()
    trad, _ = step.map_noted(Document("t", "臺灣的經濟發展很快"))
    simp, _ = step.map_noted(Document("s", "台湾的经济发展很快"))
    latin, _ = step.map_noted(Document("l", "hello world"))
    assert trad.meta["signals"]["traditional_share"] == pytest.approx(5 / 9, abs=1e-4)
    assert simp.meta["signals"]["traditional_share"] == 0.0
    assert latin.meta["signals"]["traditional_share"] == 0.0
    converted, fixes = ZhNormalize(t2s=True).map_noted(Document("t", "臺灣的經濟發展很快"))
    assert converted.text == "台湾的经济发展很快" and "t2s" in fixes
    # measured before conversion, so the signal says what the source was
    assert converted.meta["signals"]["traditional_share"] > 0.5


def test_mapper_counts_fixes_and_traces():
    trace: list = []
    ctx = Context(trace=trace)
    docs = [Document("a", "停运,铁路"), Document("b", "干净的文本。")]
    out = list(chain([("zh_normalize", ZhNormalize())], docs, ctx))
    s = ctx.stats.steps["zh_normalize"]
    assert [d.text for d in out] == ["停运，铁路", "干净的文本。"]
    assert s.changed == 1 and s.counters["fix:punctuation"] == 1
    assert trace[0]["fixes"] == ["punctuation"] and trace[0]["before"] == "停运,铁路"


def test_picklable_and_recipe_validation():
    step = ZhNormalize(topics="strip")
    assert pickle.loads(pickle.dumps(step)).normalize("#话题#你好")[0] == "你好"
    recipe = parse_recipe({"name": "t", "steps": [{"zh_normalize": {"t2s": True, "mentions": "strip"}}]})
    assert recipe.steps[0][1].t2s is True
    with pytest.raises(RecipeError, match="replace"):
        parse_recipe({"name": "t", "steps": [{"zh_normalize": {"mentions": "replac"}}]})


def test_default_recipe_runs_the_new_steps_in_order():
    names = [label for label, _ in load_recipe("zh-web").steps]
    i = names.index("unicode_cleanup")
    assert names[i + 1 : i + 4] == ["zh_normalize", "boilerplate_lines", "repeated_lines"]


def test_whole_recipe_on_weibo_reposts():
    records = load_records("weibo_checked_comments.jsonl.gz", 3000)
    docs = [Document(r["id"], r["text"]) for r in records]
    result = run_in_memory(load_recipe("zh-web"), docs)
    s = result.stats.steps["zh_normalize"]
    assert s.docs_in == len(docs) == s.docs_out
    # "转发微博" is the commonest repost text of this file; none survives normalization
    assert s.counters["fix:repost_text"] > 100
    assert not any("转发微博" in d.text for d in result.kept)
    assert not any("//@" in d.text for d in result.kept)


def test_real_data_is_left_readable():
    """On real reviews: normalization changes punctuation and width only in Chinese context and
    never grows a text by more than a few characters (it only folds, decodes or removes)."""
    records = load_records("reviews_sophonplus.jsonl.gz", 4000)
    step = ZhNormalize()
    changed = 0
    for r in records:
        text, fixes, _ = step.normalize(r["text"])
        changed += bool(fixes)
        assert len(text) <= len(r["text"]) + 2
        assert "。" not in r["text"] or "。" in text
    assert 200 < changed < 4000


@pytest.mark.parametrize("name", ["weibo_smp2020_ewect.jsonl.gz", "fewclue_mixed.jsonl.gz", "reviews_sophonplus.jsonl.gz"])
def test_gates_never_skip_a_fix_that_would_change_the_text(name):
    """The gates and the trigger scan are an optimization only: calling every enabled fix in order,
    ungated, gives the same text and the same fix names on real data."""
    step = ZhNormalize(topics="unwrap", mentions="replace")
    for r in load_records(name, 3000):
        text = r["text"]
        expected, names = text, []
        for fix_name, fix, _gate in step._fixes:
            new = fix(expected)
            if new != expected:
                names.append(fix_name)
                expected = new
        got, fixes, _ = step.normalize(text)
        assert (got, fixes) == (expected, names), text
