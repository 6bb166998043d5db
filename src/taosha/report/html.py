"""``OUT/report.html``: one self-contained page that shows what a run did and why.

The page needs no network: the CSS, the data (JSON), Chart.js and its annotation plugin (vendored
beside this module, see PROVENANCE.md) and the small script that draws the charts are all inlined.
Tables and samples are rendered here, in Python, so they read without JavaScript; the charts (the
funnel, removals per step, every score histogram with its thresholds, cluster sizes, PII, time) are
drawn by Chart.js on canvases.  Why a vendored JS library rather than server-side SVG: measured in
``benchmarks/report_plotting.py`` (docs/report.md has the figures): the page stays ~0.3 MB whatever
the number of histograms, builds in milliseconds, and needs no plotting dependency in Python.

Entry points: :func:`write_report` (called at the end of every run and by ``taosha report OUT``) and
:func:`render_report` (stats and manifest dicts -> HTML string).
"""

from __future__ import annotations

import gzip
import html
import logging
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from taosha.io.zstd import open_zstd
from taosha.report import model

log = logging.getLogger(__name__)

ASSETS = ("chart.umd.min.js", "chartjs-plugin-annotation.min.js")
SOURCES_SHOWN = 25
SOURCES_CHARTED = 15
MAX_DETAIL_RECORDS = 200_000
"""Removed records read at most to find the ``removed_by.detail`` of sampled documents; bounds the
time ``taosha report`` takes on a run with millions of removals (the samples are the first ones)."""


def _asset(name: str) -> str:
    return resources.files("taosha.report").joinpath(name).read_text(encoding="utf-8")


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _n(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{int(value):,}"


def _pct(x: float) -> str:
    return f"{100 * x:.3f}%" if 0 < x < 0.001 else f"{100 * x:.1f}%"


def _bar(x: float, width: int = 120, drop: bool = False) -> str:
    px = max(0, min(width, round(width * x)))
    return f'<span class="bar{" drop" if drop else ""}" style="width:{px}px"></span>'


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    th = "".join(f'<th{" class=n" if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{c}</td>' for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _json_script(data: Any) -> str:
    # No "<" at all inside the <script> element ("</script>", "<!--" would end or derail it);
    # "\u003c" is the same character to JSON.parse.
    text = orjson.dumps(data).decode("utf-8").replace("<", "\\u003c")
    return f'<script id="taosha-data" type="application/json">{text}</script>'


# -- sections ---------------------------------------------------------------------------------------


def _summary(r: dict[str, Any], manifest: dict[str, Any]) -> str:
    d, c = r["documents"], r["chars"]
    seconds = r["seconds"]
    cards = [
        ("documents in", _n(d["in"])),
        ("kept", f"{_n(d['kept'])} ({_pct(model.share(d['kept'], d['in']))})"),
        ("removed", f"{_n(d['removed'])} ({_pct(model.share(d['removed'], d['in']))})"),
        ("quarantined", _n(d["quarantined"])),
        ("characters in", _n(c["in"])),
        ("characters kept", f"{_n(c['kept'])} ({_pct(model.share(c['kept'], c['in']))})"),
        ("MB read", f"{r['bytes_read'] / 1e6:,.1f}"),
    ]
    if seconds:
        cards.append(("wall time", f"{seconds:,.1f} s"))
        cards.append(("throughput", f"{r['bytes_read'] / 1e6 / seconds:,.2f} MB/s, {d['in'] / seconds:,.0f} docs/s"))
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="v">{_e(v)}</div><div class="k">{_e(k)}</div></div>' for k, v in cards
    ) + "</div>"


def _funnel(r: dict[str, Any]) -> str:
    rows = [
        [_e(x["stage"]), _n(x["docs"]), _pct(x["docs_share"]) + " " + _bar(x["docs_share"]),
         _n(x["chars"]), _pct(x["chars_share"]) + " " + _bar(x["chars_share"])]
        for x in r["funnel"]
    ]
    return (
        '<section id="funnel"><h2>Funnel</h2>'
        '<p class="note">Documents and characters left after each step, as a share of the input. '
        "Mappers and line filters keep documents but can remove characters.</p>"
        '<div class="chart tall"><canvas id="chart-funnel" aria-label="funnel"></canvas></div>'
        + _table(["after", "documents", "share", "characters", "share"], rows, {1, 2, 3, 4})
        + "</section>"
    )


def _reasons(r: dict[str, Any]) -> str:
    rows = []
    for s in r["steps"]:
        for x in s["reasons"]:
            rows.append([
                _e(s["label"]), _e(x["reason"]), _n(x["count"]),
                _pct(x["share_of_step"]) + " " + _bar(x["share_of_step"], drop=True),
                _pct(x["share_of_removed"]), _pct(x["share_of_input"]),
            ])
    if not rows:
        return '<section id="reasons"><h2>Removal reasons</h2><p class="empty">No document was removed.</p></section>'
    return (
        '<section id="reasons"><h2>Removal reasons</h2>'
        '<div class="chart"><canvas id="chart-reasons" aria-label="removals by step"></canvas></div>'
        + _table(["step", "reason", "documents", "of the step's input", "of the step's removals", "of all input"],
                 rows, {2, 3, 4, 5})
        + "</section>"
    )


def _hist_box(h: dict[str, Any], canvas_id: str) -> str:
    bits = [f"n {_n(h['n'])}"]
    if h["mean"] is not None:
        bits.append(f"mean {h['mean']:.4g}")
    if h["min"] is not None:
        bits.append(f"min {h['min']:g}")
    if h["max"] is not None:
        bits.append(f"max {h['max']:g}")
    if h["under"] or h["over"]:
        bits.append(f"below range {_n(h['under'])}, above {_n(h['over'])}")
    if h["tag_only"]:
        bits.append("tag only")
    return (
        f'<div class="hist"><h3>{_e(h["title"])}</h3>'
        f'<div class="chart"><canvas id="{canvas_id}" aria-label="{_e(h["title"])}"></canvas></div>'
        f'<div class="meta">{_e(" · ".join(bits))}</div></div>'
    )


def _histograms(r: dict[str, Any]) -> str:
    if not r["histograms"]:
        return '<section id="scores"><h2>Score signals</h2><p class="empty">No step recorded a score.</p></section>'
    boxes = "".join(_hist_box(h, f"chart-hist-{i}") for i, h in enumerate(r["histograms"]))
    return (
        '<section id="scores"><h2>Score signals</h2>'
        '<p class="note">Every score a step measured, over the documents that reached it. Red bars and the '
        "shaded range are removed by the recipe's thresholds (orange shading: tagged only). "
        '<label><input type="checkbox" id="log-scale"> logarithmic counts</label></p>'
        f'<div class="grid">{boxes}</div></section>'
    )


def _duplicates(r: dict[str, Any]) -> str:
    parts = ['<section id="dedup"><h2>Duplicates</h2>']
    dedup_rows = [
        [_e(s["label"]), _e(x["reason"]), _n(x["count"]), _pct(x["share_of_step"])]
        for s in r["steps"] for x in s["reasons"] if "duplicate" in x["reason"]
    ]
    if dedup_rows:
        parts.append(_table(["step", "reason", "documents removed", "of the step's input"], dedup_rows, {2, 3}))
    if r["clusters"]:
        parts.append('<p class="note">Cluster sizes of near-duplicates (one count per cluster).</p><div class="grid">')
        parts.extend(_hist_box(h, f"chart-cluster-{i}") for i, h in enumerate(r["clusters"]))
        parts.append("</div>")
    if not dedup_rows and not r["clusters"]:
        parts.append('<p class="empty">No deduplication step removed anything or recorded cluster sizes.</p>')
    parts.append("</section>")
    return "".join(parts)


def _pii(r: dict[str, Any]) -> str:
    if not r["pii"]:
        return '<section id="pii"><h2>PII</h2><p class="empty">No step counted PII (counters <code>pii:TYPE</code>).</p></section>'
    rows = [[_e(x["step"]), _e(x["key"]), _n(x["count"])] for x in r["pii"]]
    return (
        '<section id="pii"><h2>PII</h2>'
        f'<div class="chart" style="height:{60 + 28 * len(rows)}px">'
        '<canvas id="chart-pii" aria-label="PII by type"></canvas></div>'
        + _table(["step", "type", "found"], rows, {2}) + "</section>"
    )


def _lines(r: dict[str, Any]) -> str:
    if not r["lines"]:
        return ""
    rows = [
        [_e(x["step"]), _e(x["reason"]), _n(x["lines"]), _n(x["chars"]), _pct(x["chars_share"])]
        for x in r["lines"]
    ]
    return (
        '<section id="lines"><h2>Lines removed</h2>'
        '<p class="note">Line filters remove lines and keep the document.</p>'
        + _table(["step", "reason", "lines", "characters", "of the step's characters"], rows, {2, 3, 4})
        + "</section>"
    )


def _sources(r: dict[str, Any]) -> str:
    src = r["sources"]
    if not src["rows"]:
        return ""

    def rows_of(items: list[dict[str, Any]]) -> list[list[str]]:
        return [
            [f'<span class="src">{_e(x["source"])}</span>', _n(x["in"]), _n(x["kept"]), _n(x["removed"]),
             _pct(x["kept_share"]) + " " + _bar(x["kept_share"])]
            for x in items
        ]

    head = ["source", "in", "kept", "removed", "kept share"]
    top, rest = src["rows"][:SOURCES_SHOWN], src["rows"][SOURCES_SHOWN:]
    parts = [
        '<section id="sources"><h2>Sources</h2><p class="note">Documents per value of the <code>source</code> '
        f"field, largest first (chart: the {min(len(top), SOURCES_CHARTED)} largest).</p>",
        f'<div class="chart" style="height:{60 + 26 * min(len(top), SOURCES_CHARTED)}px">'
        '<canvas id="chart-sources" aria-label="sources"></canvas></div>',
        _table(head, rows_of(top), {1, 2, 3, 4}),
    ]
    if rest:
        parts.append(f"<details><summary>{len(rest)} more sources</summary>"
                     + _table(head, rows_of(rest), {1, 2, 3, 4}) + "</details>")
    if src["hidden"]:
        parts.append(f'<p class="note">{_n(src["hidden"])} smaller sources with {_n(src["hidden_in"])} '
                     "documents are not listed.</p>")
    parts.append("</section>")
    return "".join(parts)


def _samples(r: dict[str, Any]) -> str:
    if not r["samples"]:
        return ""
    parts = ['<section id="samples"><h2>Removed samples</h2>'
             '<p class="note">The first removals of each reason; the removed text is highlighted '
             "(a whole document, or the removed lines). Texts are cut at 600 characters. To see why step by step: "
             "<code>taosha inspect --run OUT --id ID</code>.</p>"]
    for group in r["samples"]:
        kind = "lines" if group["kind"] == "line" else "documents"
        # A removed line is struck through; a whole removed document only tinted, so it stays readable.
        mark = "rm" if group["kind"] == "line" else "rm doc"
        parts.append(
            f"<details><summary>{_e(group['step'])} · {_e(group['reason'])} "
            f"<span class=note>({len(group['items'])} {kind})</span></summary>"
        )
        for item in group["items"]:
            detail = item.get("detail")
            parts.append(
                f'<div class="sample"><div class="id">{_e(item["doc"])}'
                + (f" · {_e(detail)}" if detail else "")
                + f'</div><div class="text"><mark class="{mark}">{_e(item["text"])}</mark></div></div>'
            )
        parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)


def _time(r: dict[str, Any]) -> str:
    rows = [
        [_e(s["label"]), _e(s["step"]), _n(s["docs_in"]), _n(s["docs_out"]), _n(s["changed"]),
         f"{s['seconds']:.3f}",
         _n(round(s["docs_per_s"])) if s["docs_per_s"] else "",
         f"{s['chars_per_s'] / 1e6:.2f}" if s["chars_per_s"] else ""]
        for s in r["steps"]
    ]
    return (
        '<section id="time"><h2>Steps: time and throughput</h2>'
        '<p class="note">Seconds are summed over workers and count only the step\'s own work '
        "(global steps time their phases separately, so they may show 0).</p>"
        '<div class="chart"><canvas id="chart-time" aria-label="time per step"></canvas></div>'
        + _table(["step", "catalog name", "docs in", "docs out", "changed", "seconds", "docs/s", "M chars/s"],
                 rows, {2, 3, 4, 5, 6, 7})
        + "</section>"
    )


def _counters(r: dict[str, Any]) -> str:
    if not r["counters"]:
        return ""
    rows = [[_e(x["step"]), _e(x["key"]), _n(x["count"])] for x in r["counters"]]
    return ('<section id="counters"><h2>Other counters</h2>'
            '<p class="note">Fixes applied by mappers (<code>fix:</code>), tagged rules (<code>tagged:</code>) '
            "and step-specific counts.</p>" + _table(["step", "counter", "count"], rows, {2}) + "</section>")


def _quarantine(r: dict[str, Any]) -> str:
    q = r["quarantined"]
    if not q:
        return ""
    rows = [[_e(k), _n(v)] for k, v in sorted(q.items(), key=lambda kv: -kv[1])]
    return ('<section id="quarantine"><h2>Quarantine</h2><p class="note">Records that could not be read; '
            "see OUT/quarantine/.</p>" + _table(["reason", "records"], rows, {1}) + "</section>")


def _record(r: dict[str, Any], stats: dict[str, Any], manifest: dict[str, Any]) -> str:
    parts = ['<section id="record"><h2>Recipe and manifest</h2>']
    if r["shards"]:
        rows = [[_e(name), _n(x["in"]), _n(x["kept"]), _n(x["removed"]), _n(x["quarantined"])]
                for name, x in r["shards"].items()]
        parts.append(f"<details><summary>Shards ({len(rows)})</summary>"
                     + _table(["shard", "in", "kept", "removed", "quarantined"], rows, {1, 2, 3, 4}) + "</details>")
    recipe = manifest.get("recipe")
    if recipe:
        parts.append("<details open><summary>Recipe</summary><pre>"
                     + _e(orjson.dumps(recipe, option=orjson.OPT_INDENT_2).decode()) + "</pre></details>")
    slim = {k: v for k, v in manifest.items() if k != "recipe"}
    parts.append("<details><summary>Manifest</summary><pre>"
                 + _e(orjson.dumps(slim, option=orjson.OPT_INDENT_2).decode()) + "</pre></details>")
    parts.append("</section>")
    return "".join(parts)


NAV = [("funnel", "Funnel"), ("reasons", "Reasons"), ("scores", "Scores"), ("dedup", "Duplicates"), ("pii", "PII"),
       ("lines", "Lines"), ("sources", "Sources"), ("samples", "Samples"), ("time", "Time"),
       ("counters", "Counters"), ("quarantine", "Quarantine"), ("record", "Recipe")]


def render_report(
    stats: dict[str, Any], manifest: dict[str, Any], details: dict[str, dict[str, Any]] | None = None
) -> str:
    """The report page for a run's ``stats.json`` and ``manifest.json`` (as dicts).

    ``details`` maps removed document ids to their ``removed_by`` record, to show why each sampled
    document went (e.g. the measured score against the threshold).
    """
    r = model.build(stats, manifest)
    if details:
        for group in r["samples"]:
            if group["kind"] == "document":
                for item in group["items"]:
                    found = details.get(item["doc"])
                    if found and found.get("detail"):
                        item["detail"] = found["detail"]
    body = [
        _summary(r, manifest), _funnel(r), _reasons(r), _histograms(r), _duplicates(r), _pii(r), _lines(r),
        _sources(r), _samples(r), _time(r), _counters(r), _quarantine(r), _record(r, stats, manifest),
    ]
    html_body = "".join(body)
    nav = "".join(f'<a href="#{key}">{_e(text)}</a>' for key, text in NAV if f'id="{key}"' in html_body)
    # The charts only need the numbers; samples and the record are already in the HTML.
    chart_data = {k: r[k] for k in ("funnel", "steps", "histograms", "clusters", "pii")}
    chart_data["sources"] = r["sources"]["rows"][:SOURCES_CHARTED]
    title = f"taosha report · {r['title']}"
    sub = " · ".join(x for x in (
        f"taosha {manifest.get('taosha_version', '?')}",
        f"started {manifest['started']}" if manifest.get("started") else "",
        f"{manifest.get('engine', '')} engine, {manifest.get('workers', '?')} workers" if manifest.get("engine") else "",
        f"{len(manifest.get('inputs', []))} input files" if manifest.get("inputs") else "",
    ) if x)
    scripts = "".join(f"<script>{_asset(name)}</script>" for name in ASSETS)
    return (
        '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_asset('report.css')}</style></head><body>"
        f"<header><h1>{_e(title)}</h1><div class=sub>{_e(sub)}</div></header><nav>{nav}</nav>"
        f"<main>{html_body}</main>{_json_script(chart_data)}{scripts}<script>{_asset('report.js')}</script>"
        "</body></html>"
    )


# -- from a run directory ---------------------------------------------------------------------------


def _open_text_lines(path: Path) -> Iterator[bytes]:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            yield from fh
    elif path.name.endswith(".zst"):
        with open(path, "rb") as raw:
            yield from open_zstd(raw)
    else:
        with open(path, "rb") as fh:
            yield from fh


def removal_details(out_dir: Path, wanted: set[str], id_field: str = "id",
                    max_records: int = MAX_DETAIL_RECORDS) -> dict[str, dict[str, Any]]:
    """``removed_by`` of the wanted document ids, read from ``OUT/removed`` (JSON Lines files only)."""
    found: dict[str, dict[str, Any]] = {}
    seen = 0
    # Writers put the id first, so most lines are skipped without parsing the whole record.
    prefix = orjson.dumps({id_field: ""})[:-3] + b'"'
    wanted_bytes = {orjson.dumps(doc_id)[1:-1] for doc_id in wanted}
    for path in sorted((out_dir / "removed").glob("part-*.jsonl*")):
        try:
            for line in _open_text_lines(path):
                seen += 1
                if seen > max_records or len(found) == len(wanted):
                    return found
                if line.startswith(prefix):
                    end = line.find(b'"', len(prefix))
                    key = line[len(prefix):end]
                    if b"\\" not in key and key not in wanted_bytes:
                        continue
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                doc_id = str(record.get(id_field, ""))
                if doc_id in wanted and isinstance(record.get("removed_by"), dict):
                    found[doc_id] = record["removed_by"]
        except (OSError, EOFError, ValueError) as exc:
            # The details are a nicety: a damaged or foreign file must not cost the report.
            log.warning("report: skipped %s while looking up removal details (%s)", path, exc)
    return found


def write_report(out_dir: str | Path, *, strict: bool = False) -> Path:
    """Write ``OUT/report.html`` for the finished run in ``out_dir``; returns its path.

    At the end of a run (``strict=False``) a failure to build the report is logged, not raised: the
    run's data and stats are already complete and must not be reported as a failed run.
    ``taosha report`` passes ``strict=True`` so that the error is shown.
    """
    out = Path(out_dir)
    if strict:
        return _write_report(out)
    try:
        return _write_report(out)
    except Exception as exc:  # any bug in the report: see the docstring
        log.warning("report: could not write %s (%s: %s); run `taosha --debug report %s` to see why",
                    out / "report.html", type(exc).__name__, exc, out)
        return out / "report.html"


def _write_report(out: Path) -> Path:
    stats_path, manifest_path = out / "stats.json", out / "manifest.json"
    if not stats_path.exists():
        from taosha.errors import InputError

        raise InputError(f"{out} holds no finished run (no stats.json); run `taosha run ... -o {out}` first")
    stats = orjson.loads(stats_path.read_bytes())
    manifest = orjson.loads(manifest_path.read_bytes()) if manifest_path.exists() else {}
    id_field = ((manifest.get("recipe") or {}).get("input") or {}).get("id_field", "id")
    wanted = {
        item["doc"]
        for step in stats["steps"].values()
        for reason, items in step.get("samples", {}).items()
        if not reason.startswith("line:")
        for item in items
    }
    details = removal_details(out, wanted, id_field) if wanted else {}
    page = render_report(stats, manifest, details)
    path = out / "report.html"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path
