"""A failing step fails its shard, not the run's finished work; a rerun redoes only what failed."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
import pytest
from conftest import load_records

from taosha import Document, Filter
from taosha.errors import ShardError
from taosha.filters.length import LengthFilter
from taosha.recipe import InputSettings, Recipe
from taosha.run import run


@dataclass(frozen=True, kw_only=True)
class ExplodeOn(Filter):
    """Fails on documents whose text contains ``needle``, as a buggy user step would."""

    name = "explode_on"
    needle: str = ""

    def keep(self, doc: Document) -> bool:
        if self.needle and self.needle in doc.text:
            raise ValueError(f"cannot handle {doc.id}")
        return True


def test_failed_shard_is_reported_and_others_are_kept(tmp_path):
    records = load_records("weibo_ced_posts.jsonl.gz", 300)
    inputs = []
    for i in range(3):
        path = tmp_path / f"in{i}.jsonl"
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records[i * 100:(i + 1) * 100]))
        inputs.append(str(path))
    needle = records[150]["text"][:12]
    steps = (("explode_on", ExplodeOn(needle=needle)), ("length_filter", LengthFilter()))
    recipe = Recipe(name="t", input=InputSettings(), steps=steps)
    out = tmp_path / "out"
    with pytest.raises(ShardError) as info:
        run(recipe, inputs, out, workers=1, report=False)
    assert "in1.jsonl" in str(info.value) and "rerun" in str(info.value)
    done = sorted(p.name for p in (out / ".taosha" / "done").iterdir())
    assert done == ["stage0-00000.json", "stage0-00002.json"]
    assert not (out / "stats.json").exists()
    assert not list((out / "data").glob("part-00001-*")), "the failed shard left no output under a final name"
