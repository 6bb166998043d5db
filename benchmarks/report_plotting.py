"""Which plotting approach for OUT/report.html: size, build time and browser render time, measured.

The same charts (the funnel and every histogram of a real run, thresholds marked) are built four ways
into a self-contained page each:

* ``chartjs``     Chart.js 4 + chartjs-plugin-annotation, vendored and inlined; drawn on canvases by
                  the report's own script (what taosha ships);
* ``uplot``       uPlot 1.6 inlined, bars and threshold lines drawn with its paths/hooks API;
* ``matplotlib``  server-side SVG (``svg.fonttype: none`` so the browser draws the Chinese text);
* ``pygal``       server-side SVG (no threshold line: pygal has no annotation; its tooltips' JS is
                  fetched from a CDN, so it is switched off).

Measured: page size, Python build time (median of 5), and Chromium's loadEventEnd for the page
opened from disk (median of 5, charts drawn synchronously before the load event).

Usage (from the repository root; a finished run in OUT; uPlot from ``npm pack uplot``)::

    .venv/bin/pip install matplotlib pygal websocket-client
    .venv/bin/python benchmarks/report_plotting.py OUT [--uplot path/to/uPlot.iife.min.js]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from html import escape
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "report"))

from taosha.report import model  # noqa: E402
from taosha.report.html import ASSETS, _asset, _json_script, render_report  # noqa: E402

KEPT, DROPPED = "#3674b5", "#d64541"


def charts(stats: dict[str, Any], manifest: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    r = model.build(stats, manifest)
    return r["funnel"], r["histograms"] + r["clusters"]


def bins(h: dict[str, Any]) -> tuple[list[float], list[int], list[bool]]:
    w = (h["hi"] - h["lo"]) / h["bins"]
    lefts = [h["lo"] + i * w for i in range(h["bins"])]
    dropped = [(h["min"] is not None and a + w <= h["min"]) or (h["max"] is not None and a >= h["max"]) for a in lefts]
    return lefts, h["counts"], dropped


def page(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{{font-family:"Noto Sans CJK SC",'
            f"sans-serif}}.c{{display:inline-block;width:420px;height:220px;margin:4px}}</style>{head}</head>"
            f"<body>{body}</body></html>")


def build_chartjs(stats: dict[str, Any], manifest: dict[str, Any]) -> str:
    r = model.build(stats, manifest)
    data = {k: r[k] for k in ("funnel", "steps", "histograms", "clusters", "pii")}
    data["sources"] = []
    canvases = ['<div class="c" style="width:900px;height:380px"><canvas id="chart-funnel"></canvas></div>']
    canvases += [f'<div class="c"><canvas id="chart-hist-{i}"></canvas></div>' for i in range(len(r["histograms"]))]
    canvases += [f'<div class="c"><canvas id="chart-cluster-{i}"></canvas></div>' for i in range(len(r["clusters"]))]
    scripts = "".join(f"<script>{_asset(a)}</script>" for a in ASSETS)
    return page("".join(canvases) + _json_script(data) + scripts + f"<script>{_asset('report.js')}</script>")


UPLOT_JS = """
const D = JSON.parse(document.getElementById("d").textContent);
function bars(el, xs, ys, colors, lines, w, h) {
  const opts = { width: w, height: h, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: false } },
    series: [{}, { fill: "KEPT", stroke: "KEPT", paths: uPlot.paths.bars({ size: [1, Infinity], gap: 0 }) }],
    hooks: { draw: [u => { const c = u.ctx; c.save(); c.strokeStyle = "#b03a2e"; c.lineWidth = 2;
      for (const t of lines) { const x = u.valToPos(t, "x", true); c.beginPath();
        c.moveTo(x, u.bbox.top); c.lineTo(x, u.bbox.top + u.bbox.height); c.stroke(); }
      c.restore(); }] } };
  new uPlot(opts, [xs, ys], el);
}
const f = D.funnel;
bars(document.getElementById("funnel"), f.map((r, i) => i), f.map(r => r.docs), null, [], 900, 380);
D.hists.forEach((h, i) => {
  const w = (h.hi - h.lo) / h.bins, xs = h.counts.map((_, k) => h.lo + (k + 0.5) * w);
  const lines = [h.min, h.max].filter(x => x != null);
  bars(document.getElementById("h" + i), xs, h.counts, null, lines, 420, 220);
});
document.documentElement.setAttribute("data-charts-drawn", String(D.hists.length + 1));
""".replace("KEPT", KEPT)


def build_uplot(stats: dict[str, Any], manifest: dict[str, Any], uplot_js: str) -> str:
    funnel, hists = charts(stats, manifest)
    divs = '<div id="funnel"></div>' + "".join(f'<div class="c" id="h{i}"></div>' for i in range(len(hists)))
    data = orjson.dumps({"funnel": funnel, "hists": hists}).decode().replace("<", "\\u003c")
    return page(divs + f'<script id="d" type="application/json">{data}</script>'
                f"<script>{uplot_js}</script><script>{UPLOT_JS}</script>")


def build_matplotlib(stats: dict[str, Any], manifest: dict[str, Any]) -> str:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"  # text stays text: the browser draws Chinese with its fonts
    plt.rcParams["font.family"] = ["Noto Sans CJK SC", "sans-serif"]
    funnel, hists = charts(stats, manifest)
    svgs = []
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.barh([r["stage"] for r in funnel][::-1], [100 * r["docs_share"] for r in funnel][::-1], color=KEPT)
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svgs.append(buf.getvalue())
    for h in hists:
        lefts, counts, dropped = bins(h)
        fig, ax = plt.subplots(figsize=(4.2, 2.2))
        ax.bar(lefts, counts, width=(h["hi"] - h["lo"]) / h["bins"], align="edge",
               color=[DROPPED if d else KEPT for d in dropped])
        for t in (h["min"], h["max"]):
            if t is not None:
                ax.axvline(t, color="#b03a2e")
        ax.set_title(h["title"], fontsize=8)
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
        svgs.append(buf.getvalue())
    return page("".join(f'<div class="c">{s[s.index("<svg"):]}</div>' for s in svgs))


def build_pygal(stats: dict[str, Any], manifest: dict[str, Any]) -> str:
    import pygal

    funnel, hists = charts(stats, manifest)
    svgs = []
    chart = pygal.HorizontalBar(js=[], disable_xml_declaration=True, width=900, height=380, show_legend=False)
    chart.x_labels = [r["stage"] for r in funnel]
    chart.add("documents", [r["docs"] for r in funnel])
    svgs.append(chart.render(is_unicode=True))
    for h in hists:
        lefts, counts, dropped = bins(h)
        chart = pygal.Bar(js=[], disable_xml_declaration=True, width=420, height=220, show_legend=False,
                          title=h["title"], show_x_labels=False)
        chart.add("kept", [c if not d else None for c, d in zip(counts, dropped, strict=True)])
        chart.add("dropped", [c if d else None for c, d in zip(counts, dropped, strict=True)])
        svgs.append(chart.render(is_unicode=True))
    return page("".join(f'<div class="c">{s}</div>' for s in svgs))


def median_time(fn: Any, n: int = 5) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a finished run (stats.json, manifest.json)")
    parser.add_argument("--uplot", type=Path, help="uPlot.iife.min.js from `npm pack uplot`")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    stats = orjson.loads((args.out / "stats.json").read_bytes())
    manifest = orjson.loads((args.out / "manifest.json").read_bytes())
    _, hists = charts(stats, manifest)
    builders: dict[str, Any] = {
        "chartjs (full report)": lambda: render_report(stats, manifest),
        "chartjs": lambda: build_chartjs(stats, manifest),
    }
    if args.uplot:
        uplot_js = args.uplot.read_text(encoding="utf-8")
        builders["uplot"] = lambda: build_uplot(stats, manifest, uplot_js)
    for name, fn in (("matplotlib", build_matplotlib), ("pygal", build_pygal)):
        try:
            __import__(name)
        except ImportError:
            print(f"({name} not installed: skipped)")
            continue
        builders[name] = lambda fn=fn: fn(stats, manifest)

    from cdp import Browser

    rows = []
    with tempfile.TemporaryDirectory() as tmp, Browser() as browser:
        for name, build in builders.items():
            html_text = build()
            build_s = median_time(build, args.repeat)
            path = Path(tmp) / f"{name.split()[0]}-{len(rows)}.html"
            path.write_text(html_text, encoding="utf-8")
            loads = []
            for _ in range(args.repeat):
                browser.open(path)
                loads.append(browser.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
            errors = browser.errors()
            rows.append((name, len(html_text.encode()), build_s, statistics.median(loads), len(errors)))
    print(f"{len(hists)} histograms + the funnel; {args.repeat} repeats; medians")
    print("| approach | page KB | build ms (Python) | Chromium loadEventEnd ms | console errors |")
    print("|---|---|---|---|---|")
    for name, size, build_s, load_ms, n_err in rows:
        print(f"| {escape(name)} | {size / 1024:,.0f} | {1000 * build_s:,.1f} | {load_ms:,.0f} | {n_err} |")


if __name__ == "__main__":
    main()
