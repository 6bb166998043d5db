"""OUT/report.html: written by every run, self-contained, showing every section from the real stats."""

from __future__ import annotations

import html
import re
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from report_steps import make_run

from taosha.errors import InputError
from taosha.report import model
from taosha.report.html import removal_details, render_report, write_report


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def page(run_dir: Path) -> str:
    return (run_dir / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def stats(run_dir: Path) -> dict:
    return orjson.loads((run_dir / "stats.json").read_bytes())


def embedded(page: str) -> dict:
    match = re.search(r'<script id="taosha-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, "chart data missing"
    return orjson.loads(match.group(1))


def test_run_writes_a_self_contained_report(page: str):
    # Nothing is loaded from elsewhere: no external scripts, styles, images or fonts.
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", page)
    assert not re.search(r"<link[^>]*stylesheet", page)
    assert "@import" not in page and "url(http" not in page
    assert "Chart.js v4" in page  # the vendored library is inlined
    assert '<meta charset="utf-8">' in page


def test_funnel_matches_the_ledger(page: str, stats: dict):
    funnel = embedded(page)["funnel"]
    assert [row["stage"] for row in funnel] == ["read", "parsed", *stats["steps"], "kept"]
    assert funnel[0]["docs"] == stats["documents"]["in"]
    assert funnel[-1]["docs"] == stats["documents"]["kept"]
    assert funnel[-1]["chars"] == stats["chars"]["kept"]
    for row, step in zip(funnel[2:-1], stats["steps"].values(), strict=True):
        assert row["docs"] == step["docs_out"]
    docs = [row["docs"] for row in funnel]
    assert docs == sorted(docs, reverse=True)  # a funnel never widens


def test_reasons_with_counts_and_shares(page: str, stats: dict):
    removed = stats["steps"]["length_filter"]["removed"]["too_short"]
    docs_in = stats["steps"]["length_filter"]["docs_in"]
    row = re.search(r"<td>length_filter</td><td>too_short</td><td class=n>([\d,]+)</td><td class=n>([\d.]+)%", page)
    assert row, "too_short row missing"
    assert int(row.group(1).replace(",", "")) == removed
    assert float(row.group(2)) == pytest.approx(100 * removed / docs_in, abs=0.05)
    for reason in ("han_share_low", "exact_duplicate"):
        assert f"<td>{reason}</td>" in page


def test_histogram_carries_its_threshold(page: str, stats: dict):
    hists = {h["id"]: h for h in embedded(page)["histograms"]}
    h = hists["han_share/han_share"]
    assert h["min"] == 0.3 and h["max"] is None
    assert sum(h["counts"]) + h["under"] + h["over"] == stats["steps"]["han_share"]["docs_in"]


def test_pii_lines_and_counters_sections(page: str, stats: dict):
    pii = embedded(page)["pii"]
    assert pii == [{"step": "mask_mobile", "key": "MOBILE", "count": stats["steps"]["mask_mobile"]["counters"]["pii:MOBILE"]}]
    assert pii[0]["count"] > 0
    lines = stats["steps"]["editor_lines"]["counters"]
    assert lines.get("lines_removed:editor_credit", 0) > 0  # the sample holds such lines
    assert re.search(r'<section id="lines">.*<td>editor_credit</td><td class=n>'
                     + f"{lines['lines_removed:editor_credit']:,}", page, re.S)
    assert "<td>fix:mobile</td>" in page and "<td>groups</td>" in page


def test_sources_and_samples(page: str, stats: dict):
    biggest = max(stats["by_source"].items(), key=lambda kv: kv[1]["in"])
    assert html.escape(biggest[0]) in page
    # Samples: the removed text itself, in Chinese, highlighted, with the detail from OUT/removed.
    sample = stats["steps"]["han_share"]["samples"]["han_share_low"][0]
    assert f'<mark class="rm doc">{html.escape(sample["text"])}</mark>' in page
    assert re.search(re.escape(html.escape(sample["doc"])) + r" · [\d.e-]+ &lt; 0\.3", page)
    line_sample = stats["steps"]["editor_lines"]["samples"]["line:editor_credit"][0]["text"]
    assert "责任编辑" in line_sample and f'<mark class="rm">{html.escape(line_sample)}</mark>' in page


def test_recipe_and_manifest_are_shown(page: str, run_dir: Path):
    manifest = orjson.loads((run_dir / "manifest.json").read_bytes())
    assert html.escape(manifest["inputs"][0]["xxh3_64"]) in page
    assert "&quot;min_value&quot;: 0.3" in page


def test_text_cannot_break_out_of_the_page(stats: dict, run_dir: Path):
    manifest = orjson.loads((run_dir / "manifest.json").read_bytes())
    hostile = orjson.loads(orjson.dumps(stats))
    evil = "</script><script>alert(1)</script><b>粗体</b>"
    hostile["steps"]["han_share"]["samples"]["han_share_low"][0]["text"] = evil
    hostile["by_source"][evil] = {"in": 10**9, "kept": 0, "removed": 10**9}
    page = render_report(hostile, manifest)
    assert evil not in page
    assert page.count("<script") == page.count("</script>") == 4  # data, two libraries, ours
    data = embedded(page)
    assert data["sources"][0]["source"] == evil  # escaped in the JSON, intact after parsing


def test_report_command_rewrites_the_page(run_dir: Path):
    from taosha.cli import main

    (run_dir / "report.html").unlink()
    result = CliRunner().invoke(main, ["report", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert (run_dir / "report.html").stat().st_size > 100_000


def test_report_needs_a_finished_run(tmp_path: Path):
    with pytest.raises(InputError, match="no finished run"):
        write_report(tmp_path, strict=True)
    from taosha.cli import main

    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "no finished run" in result.output


def test_a_failing_report_does_not_fail_the_run(run_dir: Path, monkeypatch, caplog):
    # The run's outputs are complete when the report is written; a report bug is logged, not raised.
    import taosha.report.html as report_html

    def broken(*args, **kwargs):
        raise KeyError("histograms")

    monkeypatch.setattr(report_html, "render_report", broken)
    with caplog.at_level("WARNING", logger="taosha.report.html"):
        report_html.write_report(run_dir)
    assert "could not write" in caplog.text and "KeyError" in caplog.text
    with pytest.raises(KeyError):
        report_html.write_report(run_dir, strict=True)


def test_damaged_removed_file_costs_only_the_details(run_dir: Path, tmp_path: Path, caplog):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    for path in (copy / "removed").glob("part-*"):
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # truncated gzip
    with caplog.at_level("WARNING", logger="taosha.report.html"):
        page = write_report(copy, strict=True).read_text(encoding="utf-8")
    assert "skipped" in caplog.text
    assert '<section id="samples">' in page


def test_removal_details_stop_at_the_bound(run_dir: Path, stats: dict):
    ids = {s["doc"] for s in stats["steps"]["length_filter"]["samples"]["too_short"]}
    assert set(removal_details(run_dir, ids)) == ids
    assert removal_details(run_dir, ids, max_records=1).keys() <= ids
    assert len(removal_details(run_dir, ids, max_records=1)) <= 1


def test_thresholds_for_multi_signal_steps():
    # A step that histograms several signals as "<label>:<signal>" with min_/max_ parameters.
    params = {"step": "zh_heuristics", "min_cjk_ratio": 0.2, "max_top_2gram": 0.25, "max_dup_5gram": None}
    assert model.thresholds("q:cjk_ratio", "q", params) == (0.2, None)
    assert model.thresholds("q:top_2gram", "q", params) == (None, 0.25)
    assert model.thresholds("q:dup_5gram", "q", params) == (None, None)
    assert model.thresholds("other", "q", params) == (None, None)


def test_quarantined_records_are_reported(tmp_path: Path):
    from conftest import load_records
    from report_steps import test_recipe

    from taosha.run import QuietProgress, run

    lines = [orjson.dumps(r) for r in load_records("weibo_checked_posts.jsonl.gz", 30)]
    lines.insert(7, b'{"id": "broken", "text": "\xe4\xbb\x8a\xe5\xa4')  # cut mid-character and mid-record
    (tmp_path / "in.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    run(test_recipe(), [str(tmp_path / "in.jsonl")], tmp_path / "out", workers=1, progress=QuietProgress())
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    funnel = embedded(page)["funnel"]
    assert (funnel[0]["docs"], funnel[1]["docs"]) == (31, 30)
    assert '<section id="quarantine">' in page and '<a href="#quarantine">' in page
