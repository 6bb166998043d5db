"""Shared test helpers.

The real corpus lives in ``../shared/data`` beside the repository (CI lays a copy there too); it is
never copied into the repository.  ``TAOSHA_DATA`` overrides the location.
"""

from __future__ import annotations

import gzip
import itertools
import os
from pathlib import Path

import orjson
import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("TAOSHA_DATA", REPO.parent / "shared" / "data"))


def data_path(name: str) -> Path:
    path = DATA / name
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: the real corpus must sit in ../shared/data (or set TAOSHA_DATA)")
    return path


def load_records(name: str, limit: int | None = None) -> list[dict]:
    """The first ``limit`` records of a file of ../shared/data, parsed."""
    with gzip.open(data_path(name), "rb") as fh:
        return [orjson.loads(line) for line in itertools.islice(fh, limit)]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return data_path(".")
