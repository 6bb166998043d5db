"""Imported once by the local engine's fork server, so that its worker processes start warm.

Workers are forked from a server process that has already imported the step modules and built the
character-class table; a ``spawn`` worker paid 0.3-0.5 CPU-s for that before its first document,
on every run and in every worker.  Steps whose modules are not imported here still work: a
worker imports them on first use, as a spawned one would.
"""

from __future__ import annotations

import importlib

from taosha.catalog import STEPS

_HEAVY = ("taosha.io.html",)
"""Left to the steps that need them: trafilatura and friends are not used by most recipes."""

for _target in sorted({target.partition(":")[0] for target in STEPS.values()} - set(_HEAVY)):
    importlib.import_module(_target)

importlib.import_module("taosha.pipeline")
importlib.import_module("taosha.filters.charclass").class_table()
