"""The demo scorecard: planted kinds against what a run removed, fixed or left."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import read_jsonl_dir

from taosha.demo import generate_corpus, write_corpus
from taosha.demo.generator import ANSWER_KEY
from taosha.demo.scorecard import format_scorecard, kind_of, scorecard, scorecard_from_run, still_visible
from taosha.document import Document
from taosha.pipeline import run_in_memory
from taosha.recipe import parse_recipe

N = 1500
FIRST_STEPS = {"steps": [{"unicode_cleanup": {}}, {"length_filter": {"min_chars": 20}}, {"exact_dedup": {}}]}


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return generate_corpus(N, seed=3)


def test_kind_of_folds_duplicate_targets():
    assert kind_of("exact_dup_of:demo-00012") == "exact_dup"
    assert kind_of("near_dup_of:demo-00001") == "near_dup"
    assert kind_of("pii:mobile") == "pii:mobile"


def test_raw_corpus_shows_every_planted_defect(corpus):
    """Nothing cleaned: every planted defect is still visible, nothing was removed."""
    gbk = sum("mojibake:gbk" in r["meta"]["planted"] for r in corpus)
    rows = {r.kind: r for r in scorecard(corpus, [])}
    assert {"exact_dup", "near_dup", "short", "pii:id_card", "entity_residue", "boilerplate:nav",
            "related_teaser", "traditional", "mojibake:latin1", "social:repost_chain"} <= set(rows)
    for row in rows.values():
        assert row.removed == 0 and row.kept == row.planted
        if row.expect == "remove":
            assert row.kept_visible is None
        else:
            assert row.kept_visible is not None, row.kind
            # GBK mojibake is undone lossily, so a boilerplate word inside one may stay unreadable.
            assert row.planted - gbk <= row.kept_visible <= row.planted, row.kind


def test_detectors_see_a_fix():
    record = {"meta": {"planted": ["entity_residue", "pii:mobile"], "lang": "zh-Hans",
                       "pii": [{"kind": "mobile", "value": "13812345678", "text": "138 1234 5678"}]}}
    assert still_visible("entity_residue", "他说ampampquot好ampampquot", record)
    assert not still_visible("entity_residue", "他说“好”", record)
    assert still_visible("pii:mobile", "电话138-1234-5678", record)
    assert not still_visible("pii:mobile", "电话<MOBILE>", record)
    assert still_visible("traditional", "這個東西還不錯，質量很好", record)
    assert not still_visible("traditional", "这个东西还不错，质量很好", record)
    assert still_visible("mojibake:latin1", "这个东西还不错".encode().decode("latin-1"), record)
    assert not still_visible("mojibake:latin1", "这个东西还不错", record)
    assert still_visible("no_such_kind", "text", record) is None


def test_first_steps_in_memory(corpus):
    docs = [Document(r["id"], r["text"], {"source": r["source"], "meta": r["meta"]}) for r in corpus]
    result = run_in_memory(parse_recipe(FIRST_STEPS), docs)
    kept = [{"id": d.id, "text": d.text, **d.meta} for d in result.kept]
    removed = [{"id": d.id, **d.meta, "removed_by": {"step": s, "reason": r}} for d, s, r, _ in result.removed]
    rows = {r.kind: r for r in scorecard(kept, removed)}
    assert rows["exact_dup"].removed == rows["exact_dup"].planted > 0
    assert rows["short"].removed == rows["short"].planted
    assert set(rows["short"].removed_by) == {"length_filter:too_short"}
    for kind in ("zero_width", "bom", "control", "crlf"):
        assert rows[kind].kept > 0 and rows[kind].kept_visible == 0, kind
    # Steps that do not touch entities leave them all in place.
    assert rows["entity:named"].kept_visible == rows["entity:named"].kept > 0
    text = format_scorecard(rows.values())
    assert text.splitlines()[0].startswith("planted defect")
    assert any(line.startswith("exact_dup") and "removed" in line for line in text.splitlines())


def test_scorecard_from_run_directory(tmp_path, corpus):
    from taosha.run import run

    inputs = write_corpus(tmp_path / "in", n_docs=N, seed=3, shards=2)
    assert len(inputs) == 2
    out = tmp_path / "out"
    stats = run(parse_recipe(FIRST_STEPS), [str(tmp_path / "in")], out, workers=1, fresh=True, report=False)
    assert stats.to_json()["documents"]["in"] == N
    key = tmp_path / "in" / ANSWER_KEY
    rows = {r.kind: r for r in scorecard_from_run(out, answer_key=key)}
    # This recipe redacts nothing, so every kept number is still visible: seen through the answer key,
    # since the records on disk name only the kinds of personal data.
    assert rows["pii:mobile"].kept and rows["pii:mobile"].kept_visible == rows["pii:mobile"].kept
    assert scorecard_from_run(out) != scorecard_from_run(out, answer_key=key)
    assert sum(r.planted for r in rows.values()) == sum(len({kind_of(t) for t in r["meta"]["planted"]}) for r in corpus)
    assert rows["exact_dup"].removed == rows["exact_dup"].planted
    assert rows["zero_width"].kept_visible == 0
    # The same rows as reading the records ourselves.
    kept = read_jsonl_dir(out / "data")
    assert kept
    assert rows["bom"].kept == sum("bom" in r["meta"]["planted"] for r in kept)
    # The module's command line prints the same table.
    done = subprocess.run([sys.executable, "-m", "taosha.demo.scorecard", str(out), str(key)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == format_scorecard(scorecard_from_run(out, answer_key=key))
    assert subprocess.run([sys.executable, "-m", "taosha.demo.scorecard", str(tmp_path)]).returncode == 2


def test_kinds_zh_web_keeps_by_policy_are_reported_as_kept_not_as_failures():
    from taosha.demo.scorecard import Row, expectation

    assert expectation("traditional") == "keep" and expectation("social:topic") == "keep"
    assert expectation("social:emote") == "clean"
    row = Row("traditional", "keep", planted=5, kept=4, kept_visible=4)
    assert row.verdict == "4/4 kept as written (policy)"
