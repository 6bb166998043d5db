"""``import taosha`` stays light: heavy dependencies load only where a step or reader uses them."""

from __future__ import annotations

import subprocess
import sys

HEAVY = {"numpy", "pyarrow", "ftfy", "opencc", "ray", "zstandard", "fsspec", "tqdm", "yaml", "click", "xxhash"}


def modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return {name.split(".")[0] for name in out.split()}


def test_import_taosha_loads_no_heavy_dependency():
    loaded = modules_after("import taosha")
    assert not loaded & HEAVY, f"import taosha pulled in {sorted(loaded & HEAVY)}"


def test_the_budget_test_can_see_heavy_imports():
    assert "numpy" in modules_after("import taosha.dedup.exact")
