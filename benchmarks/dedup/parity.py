"""Do ``exact_dedup`` and ``near_dedup`` decide exactly as they did at a git revision?

    .venv/bin/python benchmarks/dedup/parity.py [--rev 2f99ba1] [--files all|long]

Runs a recipe of the two steps, as of ``--rev`` (loaded by ``_old.py``) and as of the working tree,
in memory over the raw records of the 16 files of ../shared/data (every text as read: more
duplicates than after zh-web's filters), under three shardings: one shard per file (as ``taosha
run``), every file cut in three, and one shard per file with a tiny spill buffer for near_dedup's
band records (several runs per file).  Compared: which documents each step removes, with which
reason and detail (the original of an exact copy, the survivor and size of a near cluster), and the
``meta["dedup"]`` of every kept document.  Exit status 1 on any difference.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from collections import Counter
from pathlib import Path
from unittest import mock

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _old import old_dedup  # noqa: E402

import taosha.dedup.near as near_module  # noqa: E402
from taosha.dedup.exact import ExactDedup  # noqa: E402
from taosha.dedup.near import NearDedup  # noqa: E402
from taosha.document import Document  # noqa: E402
from taosha.pipeline import run_in_memory  # noqa: E402
from taosha.recipe import Recipe  # noqa: E402

DATA = HERE.parents[1].parent / "shared" / "data"
LONG = ("news_thucnews_sample", "web_chinesewebtext_sample", "web_cluecorpussmall_sample", "wiki_zhwiki_sample",
        "wiki_cmrc2018_contexts", "wiki_drcd_traditional_contexts")


def read(path: Path) -> list[Document]:
    docs = []
    with gzip.open(path, "rb") as fh:
        for line in fh:
            record = orjson.loads(line)
            text = record.get("text")
            if isinstance(text, str):
                docs.append(Document(str(record.get("id")), text))
    return docs


def decisions(exact, near, shards: list[list[Document]]) -> dict[str, tuple]:
    copies = [[Document(d.id, d.text) for d in shard] for shard in shards]
    recipe = Recipe(name="dedup", steps=(("exact_dedup", exact), ("near_dedup", near)))
    result = run_in_memory(recipe, copies)
    out: dict[str, tuple] = {doc.id: (step, reason, detail) for doc, step, reason, detail in result.removed}
    for doc in result.kept:
        if "dedup" in doc.meta:
            out[doc.id] = ("kept", orjson.dumps(doc.meta["dedup"], option=orjson.OPT_SORT_KEYS).decode())
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rev", default="2f99ba1")
    parser.add_argument("--files", choices=("all", "long"), default="all")
    args = parser.parse_args()
    old_exact, old_near = old_dedup(args.rev)
    names = sorted(p.name.removesuffix(".jsonl.gz") for p in DATA.glob("*.jsonl.gz"))
    if args.files == "long":
        names = list(LONG)
    files = [read(DATA / f"{name}.jsonl.gz") for name in names]
    print(f"{len(files)} files, {sum(map(len, files)):,} documents", flush=True)
    shardings = {
        "one shard per file": (files, None),
        "each file in three": ([f[i * len(f) // 3 : (i + 1) * len(f) // 3] for f in files for i in range(3)], None),
        "per file, 64 KB spill": (files, 1 << 16),
    }
    failed = False
    for label, (shards, spill) in shardings.items():
        start = time.perf_counter()
        before = decisions(old_exact.ExactDedup(), old_near.NearDedup(), shards)
        middle = time.perf_counter()
        with mock.patch.object(near_module, "_SPILL_BYTES", spill or near_module._SPILL_BYTES):
            after = decisions(ExactDedup(), NearDedup(), shards)
        end = time.perf_counter()
        differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        kinds = Counter(value[0] for value in before.values())
        print(f"{label}: {len(shards)} shards, {kinds}; differences: {len(differ)} "
              f"(old {middle - start:.1f} s, new {end - middle:.1f} s wall)", flush=True)
        for key in differ[:10]:
            print(f"  {key}: {before.get(key)} -> {after.get(key)}")
        failed |= bool(differ)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
