"""Run Data-Juicer's ``dj-process`` offline; run by the Data-Juicer virtualenv's Python.

Usage: ``python dj_run.py --config CONFIG.yaml`` (the arguments of ``dj-process``).

Data-Juicer 1.6.1 installs missing packages by itself at run time (its lazy loader calls ``uv pip
install`` then ``pip install``).  Every operator's ``run`` ends with ``free_models()``, which calls
``torch.cuda.empty_cache()``, so even a text-only recipe with no model makes it download torch and the
CUDA libraries (about 2.5 GB) on first run.  The benchmark forbids downloads at run time
(``PIP_NO_INDEX=1``, ``UV_OFFLINE=1``, ``HF_HUB_OFFLINE=1``), so here ``free_models`` is replaced by a
no-op: this recipe loads no model, so there is nothing for it to free.
"""

from __future__ import annotations

import sys

import data_juicer.ops.base_op as base_op
import data_juicer.utils.model_utils as model_utils


def _no_models_to_free(*args: object, **kwargs: object) -> None:
    return None


model_utils.free_models = _no_models_to_free
base_op.free_models = _no_models_to_free

from tools.process_data import main  # noqa: E402  (after the patch)

if __name__ == "__main__":
    sys.exit(main())
