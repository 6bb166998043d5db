"""``taosha inspect``: one document through a recipe, step by step."""

from __future__ import annotations

import gzip
import random

import orjson
import pytest
from click.testing import CliRunner
from conftest import data_path, load_records
from report_steps import test_recipe

from taosha.cli import main
from taosha.document import Document
from taosha.pipeline import run_in_memory
from taosha.recipe import load_recipe
from taosha.report.inspect import char_diff, inspect_document, render_text

NEWS = (
    "原标题：某地发生3.2级地震\n"
    "今天\u200b上午，某地发生了3.2级地震，暂无人员伤亡报告。如有线索请联系13812345678。\n"
    "责任编辑：张三"
)


def steps_by_label(report: dict) -> dict:
    return {s["label"]: s for s in report["steps"]}


def test_kept_document_step_by_step():
    report = inspect_document(test_recipe(), Document("n1", NEWS))
    steps = steps_by_label(report)
    assert report["verdict"] == "kept" and report["removed_by"] is None
    # The zero-width space is shown as a one-character deletion.
    assert ("-", "\u200b") in steps["unicode_cleanup"]["changes"][0]["diff"]
    assert [(x["reason"], x["line"]) for x in steps["editor_lines"]["lines_removed"]] == [
        ("original_title", "原标题：某地发生3.2级地震"), ("editor_credit", "责任编辑：张三")]
    assert steps["mask_mobile"]["pii"] == {"MOBILE": 1}
    assert ("+", "<MOBILE>") in steps["mask_mobile"]["changes"][0]["diff"]
    (score,) = steps["han_share"]["scores"]
    assert score["min"] == 0.3 and score["verdict"] == "ok" and 0.5 < score["value"] < 1
    # The text after the last step is the kept document's text, and each step starts where the last ended.
    assert report["text"] == "今天上午，某地发生了3.2级地震，暂无人员伤亡报告。如有线索请联系<MOBILE>。"
    for before, after in zip(report["steps"], report["steps"][1:], strict=False):
        assert after["chars_in"] == before["chars_out"]
    assert report["steps"][-1]["chars_out"] == len(report["text"])


def test_removed_document_names_step_reason_and_detail():
    text = "Breaking news: the market rallied today, 3 percent up 今天"
    report = inspect_document(test_recipe(), Document("en", text))
    assert report["verdict"] == "removed"
    assert report["removed_by"]["step"] == "han_share"
    assert report["removed_by"]["reason"] == "han_share_low"
    assert "< 0.3" in report["removed_by"]["detail"]
    steps = steps_by_label(report)
    assert steps["han_share"]["scores"][0]["verdict"] == "low"
    assert steps["exact_dedup"]["reached"] is False
    view = render_text(report)
    assert "REMOVED han_share_low" in view and "not reached" in view
    assert view.splitlines()[-1].startswith("verdict: REMOVED by han_share: han_share_low")


def test_terminal_view_shows_invisible_characters_and_lines():
    view = render_text(inspect_document(test_recipe(), Document("n1", NEWS)))
    assert "[-⟨U+200B⟩-]" in view
    assert "- [editor_credit] 责任编辑：张三" in view
    assert "[-13812345678-]{+<MOBILE>+}" in view
    assert "score 0." in view and "(min 0.3) ok" in view
    assert view.splitlines()[-1] == f"verdict: KEPT ({len('今天上午，某地发生了3.2级地震，暂无人员伤亡报告。如有线索请联系<MOBILE>。')} characters)"


def test_verdicts_agree_with_a_run_on_real_documents():
    # Whatever the default recipe holds today, inspect must reach the same verdict and text as a run.
    recipe = load_recipe("zh-web")
    for record in load_records("weibo_ced_posts.jsonl.gz", 10):
        doc_id, text = record.pop("id"), record.pop("text")
        expected = run_in_memory(recipe, [Document(doc_id, text, dict(record))])
        report = inspect_document(recipe, Document(doc_id, text, dict(record)))
        if expected.kept:
            assert report["verdict"] == "kept" and report["text"] == expected.kept[0].text
            # The per-step texts rebuilt from the trace end at the kept text.
            assert report["steps"][-1]["chars_out"] == len(expected.kept[0].text)
        else:
            assert report["verdict"] == "removed"
            assert f"{report['removed_by']['step']}:{report['removed_by']['reason']}" == expected.removed_reasons()[doc_id]


def apply(diff, side):
    return "".join(text for op, text in diff if op in ("=", side))


def test_char_diff_reconstructs_both_texts_on_real_text():
    rng = random.Random(7)
    for record in load_records("web_cluecorpussmall_sample.jsonl.gz", 150):
        before = record["text"]
        chars = list(before)
        for _ in range(rng.randint(1, 5)):  # delete, insert and replace a few characters or lines
            k = rng.randrange(len(chars) + 1)
            chars[k:k + rng.randint(0, 3)] = rng.choice(["", "\u200b", "广告", "\n"])
        after = "".join(chars)
        diff = char_diff(before, after)
        assert apply(diff, "-") == before and apply(diff, "+") == after
        assert all(text for _, text in diff)


# -- the command ------------------------------------------------------------------------------------


def invoke(*args, input=None, run_dir=None):
    recipe = ["--run", str(run_dir)] if run_dir else ["--recipe", "zh-web"]
    return CliRunner().invoke(main, ["inspect", *recipe, *args], input=input)


def test_cli_text_file_and_stdin(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(NEWS, encoding="utf-8")
    from_file = invoke(str(path), "--no-color")
    assert from_file.exit_code == 0, from_file.output
    assert from_file.output.startswith("document doc.txt")
    assert "verdict:" in from_file.output
    from_stdin = invoke("--json", input=NEWS)
    assert from_stdin.exit_code == 0, from_stdin.output
    result = orjson.loads(from_stdin.output)
    assert result["id"] == "stdin" and result["chars"] == len(NEWS)
    assert [s["label"] for s in result["steps"]] == [label for label, _ in load_recipe("zh-web").steps]


def test_cli_jsonl_line_from_real_data(tmp_path):
    path = data_path("weibo_ced_posts.jsonl.gz")
    with gzip.open(path, "rb") as fh:
        third = orjson.loads(fh.readlines()[2])
    out = invoke(str(path), "--line", "3", "--json")
    assert out.exit_code == 0, out.output
    result = orjson.loads(out.output)
    assert result["id"] == third["id"] and result["chars"] == len(third["text"])
    if result["verdict"] == "kept":
        assert result["meta"]["label"] == third["label"]  # the record's other fields travel along


def test_cli_errors_are_one_line_with_exit_code_2(tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text('{"id": "a", "text": "甲"}\n{"id": "b", "body": "乙"}\n', encoding="utf-8")
    beyond = invoke(str(path), "--line", "5")
    assert beyond.exit_code == 2 and "fewer than 5 lines" in beyond.output
    no_text = invoke(str(path), "--line", "2")
    assert no_text.exit_code == 2 and "no string field 'text'" in no_text.output and "body" in no_text.output
    assert invoke(str(path), "--line", "2", "--text-field", "body").exit_code == 0


@pytest.mark.parametrize("color", [True, False])
def test_cli_colour_is_optional(tmp_path, color):
    out = invoke("--color" if color else "--no-color", input=NEWS)
    assert out.exit_code == 0
    assert ("\x1b[" in out.output) is color


def test_inspect_with_the_recipe_of_a_run_reproduces_its_removals(tmp_path):
    # A real run of the default recipe plus a score filter; then documents it removed in
    # per-document steps (one per reason, then more), inspected from their original records with
    # --run OUT, are removed by the same step for the same reason.
    from helpers import read_jsonl_dir

    from taosha.run import QuietProgress, run
    from taosha.step import GlobalStep

    body = load_recipe("zh-web").to_yaml().replace("steps:\n", "steps:\n- cjk_ratio: {min_value: 0.6}\n", 1)
    (tmp_path / "recipe.yaml").write_text(body.replace("name: zh-web", "name: zh-web-strict"), encoding="utf-8")
    records = load_records("weibo_ced_posts.jsonl.gz", 300) + load_records("web_chinesewebtext_sample.jsonl.gz", 120)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    out = tmp_path / "out"
    run(str(tmp_path / "recipe.yaml"), [str(source)], out, workers=1, progress=QuietProgress())
    recipe = load_recipe(str(tmp_path / "recipe.yaml"))
    global_steps = {label for label, step in recipe.steps if isinstance(step, GlobalStep)}
    removed = [r for r in read_jsonl_dir(out / "removed") if r["removed_by"]["step"] not in global_steps]
    by_reason = {}
    for record in removed:
        by_reason.setdefault((record["removed_by"]["step"], record["removed_by"]["reason"]), record)
    assert ("cjk_ratio", "cjk_ratio_low") in by_reason and ("length_filter", "too_short") in by_reason
    chosen = list(by_reason.values()) + [r for r in removed if r not in by_reason.values()][:3]
    ids = [r["id"] for r in records]
    report_of_first = None
    for record in chosen:
        result = invoke(str(source), "--line", str(ids.index(record["id"]) + 1), "--json", run_dir=out)
        assert result.exit_code == 0, result.output
        report = orjson.loads(result.output)
        report_of_first = report_of_first or report["removed_by"]
        assert report["recipe"] == "zh-web-strict"
        assert report["removed_by"]["step"] == record["removed_by"]["step"]
        assert report["removed_by"]["reason"] == record["removed_by"]["reason"]
        assert report["removed_by"]["detail"] == record["removed_by"]["detail"]
    # The same document found by its id in the run's inputs, as the report's samples name it.
    by_id = CliRunner().invoke(main, ["inspect", "--run", str(out), "--id", chosen[0]["id"], "--json"])
    assert by_id.exit_code == 0, by_id.output
    assert orjson.loads(by_id.output)["removed_by"] == report_of_first
    unknown = CliRunner().invoke(main, ["inspect", "--run", str(out), "--id", "no-such-id"])
    assert unknown.exit_code == 2 and "no document 'no-such-id'" in unknown.output


def test_run_and_recipe_are_exclusive(tmp_path):
    out = CliRunner().invoke(main, ["inspect", "--run", str(tmp_path), "-r", "zh-web"], input="今天")
    assert out.exit_code == 2 and "not both" in out.output
    missing = CliRunner().invoke(main, ["inspect", "--run", str(tmp_path)], input="今天")
    assert missing.exit_code == 2 and "no manifest.json" in missing.output
