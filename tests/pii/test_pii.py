"""pii_redact: golden cases, policies, counts and spans, linear time, real Weibo text."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from conftest import load_records

from taosha import Context, Document
from taosha.errors import RecipeError
from taosha.pii.detect import TYPES, find_pii
from taosha.pii.redact import PiiRedact
from taosha.pii.validators import bank_card_ok, id18_ok, mobile_ok, uscc_ok
from taosha.pipeline import chain, run_in_memory
from taosha.recipe import load_recipe, parse_recipe

CASES = json.loads((Path(__file__).parent.parent / "cases" / "pii.json").read_text(encoding="utf-8"))["cases"]


def redact(text: str, **params) -> str:
    step = PiiRedact(**params)
    return step.redact(text, find_pii(text), step.policies())[0]


def run(step: PiiRedact, docs: list[Document]):
    removed = []
    ctx = Context(on_remove=lambda d, s, r, x: removed.append((d, r, x)))
    kept = list(chain([(step.name, step)], docs, ctx))
    return kept, removed, ctx.stats.steps[step.name]


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c["note"][:60], marks=[pytest.mark.xfail(strict=True, reason=c["note"])] if c.get("known_failure") else [])
        for c in CASES
    ],
)
def test_golden(case):
    assert redact(case["input"]) == case["expected"]


def test_golden_cases_cover_every_type_and_the_negatives_the_issue_lists():
    found = {m.type for c in CASES if not c.get("known_failure") for m in find_pii(c["input"])}
    assert found == set(TYPES)
    notes = " ".join(c["note"] for c in CASES if c["input"] == c["expected"])
    for kind in ("date", "time", "amount", "order", "ISBN", "stock", "version", "11-digit", "URL"):
        assert kind.lower() in notes.lower(), kind


def test_mask_keeps_the_shape():
    text = "手机 +86 138-1234-5678，邮箱 zhang.san@qq.com，车牌京A·12345，身份证11010820000229876X"
    assert redact(text, default_policy="mask") == "手机 +** ***-****-****，邮箱 *****.***@qq.com，车牌京*·*****，身份证******************"


def test_hash_is_a_stable_pseudonym_across_formats_and_depends_on_the_salt():
    text = "A：13812345678；B：138-1234-5678；C：+86 138 1234 5678；D：13912345678"
    out = redact(text, default_policy="hash", salt="k1")
    tokens = re.findall(r"<MOBILE:[0-9a-f]{10}>", out)
    assert len(tokens) == 4 and len(set(tokens[:3])) == 1 and tokens[3] != tokens[0]
    assert redact(text, default_policy="hash", salt="k2") != out
    assert "138" not in out and "1234" not in out


def test_drop_policy_removes_the_document_without_leaking_the_values():
    step = PiiRedact(policy={"ID_CARD": "drop"})
    docs = [Document("a", "身份证11010820000229876X，电话13812345678"), Document("b", "电话13812345678"), Document("c", "无")]
    kept, removed, stats = run(step, docs)
    assert [d.id for d in kept] == ["b", "c"] and kept[0].text == "电话<MOBILE>"
    (doc, reason, detail), = removed
    assert (doc.id, reason, detail) == ("a", "pii", "ID_CARD")
    assert doc.text == "身份证<ID_CARD>，电话<MOBILE>"
    assert stats.samples["pii"][0]["text"] == "身份证<ID_CARD>，电话<MOBILE>"
    assert dict(stats.removed) == {"pii": 1} and (stats.docs_in, stats.docs_out) == (3, 2)
    assert stats.counters["pii:ID_CARD"] == 1 and stats.counters["pii:MOBILE"] == 2


def test_service_numbers_are_kept_by_default_and_configurable():
    text = "客服 400-123-4567，手机 13812345678"
    kept, _, stats = run(PiiRedact(), [Document("a", text)])
    assert kept[0].text == "客服 400-123-4567，手机 <MOBILE>"
    assert stats.counters["pii_kept:SERVICE_NUMBER"] == 1 and stats.counters["pii:MOBILE"] == 1
    assert "pii:SERVICE_NUMBER" not in stats.counters
    assert redact(text, policy={"SERVICE_NUMBER": "placeholder", "MOBILE": "keep"}) == "客服 <SERVICE_NUMBER>，手机 13812345678"


def test_counts_and_spans_point_at_the_replacements():
    step = PiiRedact(spans=True, policy={"EMAIL": "mask"})
    docs = [Document("a", "QQ：12345678，邮箱 ab@qq.com，电话 010-62345678"), Document("b", "今天天气不错")]
    kept, _, stats = run(step, docs)
    a, b = kept
    assert [(s["type"], a.text[s["start"]:s["end"]], s["policy"]) for s in a.meta["pii"]] == [
        ("QQ", "<QQ>", "placeholder"), ("EMAIL", "**@qq.com", "mask"), ("LANDLINE", "<LANDLINE>", "placeholder"),
    ]
    assert b.meta["pii"] == [] and b.text == "今天天气不错"
    assert stats.changed == 1 and stats.counters["docs_with_pii"] == 1
    assert {k: v for k, v in stats.counters.items() if k.startswith("pii:")} == {"pii:QQ": 1, "pii:EMAIL": 1, "pii:LANDLINE": 1}
    assert stats.chars_out == len(a.text) + len(b.text)


def test_recipe_parameters_are_checked():
    with pytest.raises(RecipeError, match="did you mean 'MOBILE'"):
        parse_recipe({"steps": [{"pii_redact": {"policy": {"MOBIL": "mask"}}}]})
    with pytest.raises(RecipeError, match="did you mean 'mask'"):
        parse_recipe({"steps": [{"pii_redact": {"policy": {"EMAIL": "maks"}}}]})
    with pytest.raises(RecipeError, match="salt"):
        parse_recipe({"steps": [{"pii_redact": {"default_policy": "hash"}}]})
    recipe = parse_recipe({"steps": [{"pii_redact": {"default_policy": "hash", "salt": "x", "spans": True}}]})
    assert recipe.steps[0][1] == PiiRedact(default_policy="hash", salt="x", spans=True)


def test_zh_web_ends_with_pii_redact():
    recipe = load_recipe("zh-web")
    label, step = recipe.steps[-1]
    assert label == "pii_redact" and isinstance(step, PiiRedact)
    result = run_in_memory(recipe, [Document("a", "走失儿童，身高一米二，穿红色外套。家长电话 13812345678，请大家帮忙转发扩散。")])
    (doc,) = result.kept
    assert "<MOBILE>" in doc.text and "13812345678" not in doc.text
    assert result.stats.steps["pii_redact"].counters["pii:MOBILE"] == 1


ADVERSARIAL = {
    "digits": "1" * 1_000_000,
    "digits and dashes": "1-" * 500_000,
    "digits and spaces": "6222 " * 200_000,
    "a@a.a": "a@a.a" * 200_000,
    "letters then @": "a" * 999_999 + "@",
    "dotted numbers": "1.2." * 250_000,
    "colon hex": "a:" * 500_000,
    "plate prefixes": "京A" * 500_000,
    "context words": "微信QQ护照" * 200_000,
    "url": "http://" * 150_000,
    "mobiles glued": "13812345678" * 90_000,
    # valid matches everywhere: overlap resolution must stay linear in the number of matches
    "short e-mails then mobiles": "a@b.cn " * 70_000 + "13812345678 " * 40_000,
    "mobiles inside e-mails": "a@b.cn 13812345678@qq.com " * 30_000,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_linear_time_on_adversarial_megabyte(name):
    # A quadratic pattern takes minutes on 1 MB; a linear one well under a second.  The bound is
    # generous because the machine is shared.
    text = ADVERSARIAL[name]
    start = time.perf_counter()
    find_pii(text)
    assert time.perf_counter() - start < 10.0


def test_all_real_mobiles_of_weibo_posts_are_redacted():
    # The 60 missing-person and charity posts of weibo_ced_posts give real mobile numbers in the
    # forms people actually type.  Every 11-digit run with an assigned prefix must be gone.
    naive = re.compile(r"(?<!\d)1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
    records = load_records("weibo_ced_posts.jsonl.gz")
    docs = [Document(r["id"], r["text"]) for r in records if naive.search(r["text"])]
    assert len(docs) >= 40
    kept, _, stats = run(PiiRedact(), docs)
    left = [m.group() for d in kept for m in naive.finditer(d.text) if mobile_ok(re.sub(r"\D", "", m.group()))]
    assert left == []
    assert stats.counters["pii:MOBILE"] >= 60


def test_no_detections_in_encyclopedia_paragraphs():
    # Wikipedia paragraphs are full of dates, years, amounts, coordinates and codes but hold no PII:
    # whatever is found there is a false positive.
    records = load_records("wiki_cmrc2018_contexts.jsonl.gz", 600) + load_records("wiki_zhwiki_sample.jsonl.gz", 1500)
    hits = [(r["id"], m.type) for r in records for m in find_pii(r["text"])]
    assert hits == []


def test_validators_reject_what_the_regexes_would_take():
    assert id18_ok("440305198802151238") and not id18_ok("440305198802151239")
    assert bank_card_ok("6225880123456783") and not bank_card_ok("6225880123456784")
    assert uscc_ok("9144030071526726XG") and not uscc_ok("9144030071526726XH")
    assert mobile_ok("16612345678") and not mobile_ok("16012345678")
