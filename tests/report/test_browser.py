"""The report in a real browser: headless Chromium opens it from disk with no network, the page logs
no error, the funnel and the histograms are drawn (pixels on their canvases), and a screenshot is
saved (to $TAOSHA_ARTIFACTS when set, for CI to keep; a person should look at it).

Needs the Debian packages ``chromium`` and ``fonts-noto-cjk`` and the dev package ``websocket-client``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from cdp import Browser
from report_steps import make_run

# Non-blank pixels of a canvas, read back from the page.
INK = """(id => {
  const c = document.getElementById(id);
  if (!c) return -1;
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
})(%r)"""


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("browser")) / "report.html"


def test_report_renders_in_chromium(browser: Browser, report: Path, tmp_path: Path):
    browser.open(report)
    assert browser.errors() == []
    canvases = browser.evaluate("document.querySelectorAll('canvas').length")
    drawn = browser.evaluate("Number(document.documentElement.getAttribute('data-charts-drawn'))")
    assert canvases >= 5 and drawn == canvases
    # Each chart left ink on its canvas (a chart that failed silently leaves it blank).
    for canvas in ("chart-funnel", "chart-hist-0", "chart-reasons", "chart-pii", "chart-time"):
        assert browser.evaluate(INK % canvas) > 2000, canvas
    # The threshold of the histogram is drawn by the annotation plugin.
    assert browser.evaluate(
        "Object.keys(Chart.getChart('chart-hist-0').options.plugins.annotation.annotations).sort().join()"
    ) == "minBox,minLine"
    # Chinese text is drawn with a real CJK font, not tofu boxes: ask the renderer which fonts it used.
    browser.evaluate("document.querySelectorAll('#samples details').forEach(d => d.open = true)")
    browser.call("DOM.enable")
    browser.call("CSS.enable")
    root = browser.call("DOM.getDocument")["root"]["nodeId"]
    node = browser.call("DOM.querySelector", nodeId=root, selector="#samples mark.rm")["nodeId"]
    # The opened <details> are laid out asynchronously; until then the renderer reports no fonts
    # (seen once in CI).  Force a layout and ask again for up to two seconds.
    for _ in range(20):
        browser.evaluate("document.body.getBoundingClientRect().height")
        fonts = browser.call("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]
        if fonts:
            break
        time.sleep(0.1)
    assert any("CJK" in f["familyName"] and f["glyphCount"] > 0 for f in fonts), fonts
    shot = tmp_path / "report.png"
    browser.screenshot(shot)
    assert shot.stat().st_size > 50_000
    if os.environ.get("TAOSHA_ARTIFACTS"):
        target = Path(os.environ["TAOSHA_ARTIFACTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, target / "report.png")


def test_log_scale_switch(browser: Browser, report: Path):
    browser.open(report)
    browser.evaluate("document.getElementById('log-scale').click()")
    assert browser.evaluate("Chart.getChart('chart-hist-0').options.scales.y.type") == "logarithmic"
    assert browser.evaluate(INK % "chart-hist-0") > 2000
    assert browser.errors() == []
