"""Load ``exact_dedup`` and ``near_dedup`` as they were at a git revision, beside the current ones.

Speed work must not change decisions: ``parity.py`` and ``bench_cpu.py --against REV`` run the old
classes and the new ones in one process.  The three modules are read with ``git show`` into a
temporary package (``taosha_dedup_<rev>``) whose imports point at each other, not at the current
``taosha.dedup``; everything else (``Document``, ``GlobalStep``) is today's.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
MODULES = ("exact", "minhash", "near")


def old_dedup(rev: str) -> tuple[ModuleType, ModuleType]:
    """``(exact, near)`` modules of ``rev``."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.strip()
    package = f"taosha_dedup_{sha}"
    root = Path(tempfile.mkdtemp(prefix="dd-old-"))
    (root / package).mkdir()
    (root / package / "__init__.py").write_text("")
    for name in MODULES:
        source = subprocess.run(["git", "show", f"{rev}:src/taosha/dedup/{name}.py"], cwd=REPO,
                                capture_output=True, text=True, check=True).stdout
        (root / package / f"{name}.py").write_text(source.replace("from taosha.dedup.", f"from {package}."))
    sys.path.insert(0, str(root))
    return importlib.import_module(f"{package}.exact"), importlib.import_module(f"{package}.near")
