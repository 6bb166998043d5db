"""The local engine never imports Ray: Ray is an optional extra and costs seconds to import."""

from __future__ import annotations

import subprocess
import sys

from conftest import data_path

PROBE = """
import sys
from taosha.run import run
stats = run("zh-web", [sys.argv[1]], sys.argv[2], workers=2, report=False)
assert stats.documents["kept"] > 0, stats.documents
loaded = sorted(m for m in sys.modules if m == "ray" or m.startswith(("ray.", "taosha.engines.ray")))
print("loaded:", loaded)
# The workers' fork server is stopped and reaped with the engine: nothing is left running (its
# workers' CPU time would otherwise be counted by no one).
import os
children = [c for t in os.listdir("/proc/self/task") for c in open(f"/proc/self/task/{t}/children").read().split()]
commands = [open(f"/proc/{c}/cmdline").read().replace("\\0", " ") for c in children]
# multiprocessing's resource tracker (semaphores of the progress queue) lives as long as the driver.
print("children:", [c for c in commands if "resource_tracker" not in c])
"""


def test_a_local_run_does_not_import_ray(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(data_path("weibo_ced_posts.jsonl.gz")), str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["loaded: []", "children: []"]
    assert (tmp_path / "out" / "stats.json").exists()
