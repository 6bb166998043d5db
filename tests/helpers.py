"""Helpers shared by the run-level tests: small recipes, output readers."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import orjson

from taosha.io.zstd import open_zstd

SMALL_RECIPE = """
name: small
input: {shard_size: %(shard_size)s}
output: {format: jsonl.gz}
steps:
  - unicode_cleanup: {}
  - length_filter: {min_chars: 20}
  - exact_dedup: {}
"""


def write_recipe(tmp: Path, shard_size: str = "64MB", body: str = SMALL_RECIPE) -> Path:
    path = tmp / "recipe.yaml"
    path.write_text(body % {"shard_size": shard_size}, encoding="utf-8")
    return path


def read_jsonl_dir(directory: Path) -> list[dict]:
    records = []
    for path in sorted(directory.glob("part-*")):
        if path.name.endswith(".zst"):
            with path.open("rb") as raw:
                records.extend(orjson.loads(line) for line in open_zstd(raw) if line.strip())
            continue
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            records.extend(orjson.loads(line) for line in fh if line.strip())
    return records


def tree_digest(out: Path) -> dict[str, str]:
    """Name -> sha256 of every output file, the byte-level identity of a run's output."""
    return {
        f"{d}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for d in ("data", "removed", "quarantine")
        for p in sorted((out / d).glob("part-*"))
    }
