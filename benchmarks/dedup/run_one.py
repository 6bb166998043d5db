"""One timed near-duplicate pass of one tool over one corpus, in a fresh process.

    python run_one.py TOOL CORPUS

Prints one JSON line: wall and CPU seconds (the dedup pass only: loading the corpus is excluded), documents
removed, peak RSS of the process (MB, ``ru_maxrss``) and the RSS after loading the corpus.
Every tool: character 5-grams, 128 permutations, 16 bands x 8 rows, threshold 0.8, one core;
each removes all but one member of each connected cluster of candidate pairs.
taosha tools run under the project's .venv; peers under benchmarks/_work/peers.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time

from corpora import WORK, corpus

N_GRAM, NUM_PERM, BANDS, ROWS, THRESHOLD = 5, 128, 16, 8, 0.8


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children: on a shared machine it
    moves far less than wall time, which counts the time spent waiting for a core."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def shingles(text: str) -> list[str]:
    return [text[i : i + N_GRAM] for i in range(max(1, len(text) - N_GRAM + 1))]


def clusters_removed(n: int, pairs) -> int:  # type: ignore[no-untyped-def]
    """Union-find over candidate pairs; every cluster keeps one member."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return sum(1 for i in range(n) if find(i) != i)


def run_taosha(texts: list[str], verify: bool, bands: int | None) -> int:
    from taosha.dedup.near import NearDedup
    from taosha.document import Document
    from taosha.pipeline import run_reduce
    from taosha.step import Context

    if bands is None:
        step = NearDedup(verify=verify)
    else:
        step = NearDedup(verify=verify, bands=BANDS, rows=ROWS)
    removed = 0

    def on_remove(doc, step, reason, detail):  # type: ignore[no-untyped-def]
        nonlocal removed
        removed += 1

    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        ctx = Context(shard_index=0, n_shards=1, work_dir=__import__("pathlib").Path(tmp), on_remove=on_remove)
        docs = (Document(str(i), t) for i, t in enumerate(texts))
        for _ in step.collect(docs, ctx.for_step("near_dedup")):
            pass
        run_reduce(step, ctx.for_step("near_dedup").state_dir, 1)
        docs = (Document(str(i), t) for i, t in enumerate(texts))
        kept = sum(1 for _ in step.apply(docs, ctx.for_step("near_dedup")))
    assert kept + removed == len(texts)
    return removed


def run_rensa(texts: list[str]) -> int:
    from rensa import RMinHash, RMinHashLSH

    mhs = RMinHash.from_token_sets((shingles(t) for t in texts), NUM_PERM, 42)
    lsh = RMinHashLSH(THRESHOLD, NUM_PERM, BANDS)
    for i, mh in enumerate(mhs):
        lsh.insert(i, mh)
    pairs = ((i, j) for i, found in enumerate(lsh.query_all(mhs)) for j in found if j != i)
    return clusters_removed(len(texts), pairs)


def run_datasketch(texts: list[str]) -> int:
    import xxhash
    from datasketch import MinHash, MinHashLSH

    mhs = MinHash.bulk(
        ([s.encode("utf-8") for s in shingles(t)] for t in texts), num_perm=NUM_PERM, hashfunc=xxhash.xxh32_intdigest
    )
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=(BANDS, ROWS))
    with lsh.insertion_session() as session:
        for i, mh in enumerate(mhs):
            session.insert(i, mh, check_duplication=False)
    pairs = ((i, j) for i, mh in enumerate(mhs) for j in lsh.query(mh) if j != i)
    return clusters_removed(len(texts), pairs)


def run_datatrove(texts: list[str]) -> int:
    from datatrove.data import Document
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashBuildIndex,  # noqa: F401  (not used: no index across runs)
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.utils.word_tokenizers import WordTokenizer

    class Chars(WordTokenizer):
        """Character tokens: datatrove's language="zh" splits on whitespace only."""

        def word_tokenize(self, text: str) -> list[str]:
            return list(text)

        def sent_tokenize(self, text: str) -> list[str]:
            return [text]

        def span_tokenize(self, text: str) -> list[tuple[int, int]]:
            return [(0, len(text))]

    config = MinhashConfig(n_grams=N_GRAM, num_buckets=BANDS, hashes_per_bucket=ROWS)
    docs = [Document(text=t, id=str(i)) for i, t in enumerate(texts)]
    kept = [0]

    def count(data, rank, world_size):  # type: ignore[no-untyped-def]
        for doc in data:
            kept[0] += 1
            yield doc

    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        common = {"tasks": 1, "workers": 1, "logging_dir": f"{tmp}/logs", "skip_completed": False}
        LocalPipelineExecutor(
            [docs, MinhashDedupSignature(output_folder=f"{tmp}/sigs", config=config, language=Chars())], **common
        ).run()
        LocalPipelineExecutor(
            [MinhashDedupBuckets(input_folder=f"{tmp}/sigs", output_folder=f"{tmp}/buckets", config=config)],
            **{**common, "tasks": config.num_buckets, "logging_dir": f"{tmp}/logs2"},
        ).run()
        LocalPipelineExecutor(
            [MinhashDedupCluster(input_folder=f"{tmp}/buckets", output_folder=f"{tmp}/remove_ids", config=config)],
            **{**common, "logging_dir": f"{tmp}/logs3"},
        ).run()
        LocalPipelineExecutor(
            [docs, MinhashDedupFilter(input_folder=f"{tmp}/remove_ids"), count], **{**common, "logging_dir": f"{tmp}/logs4"}
        ).run()
    return len(texts) - kept[0]


def warm_up(tool: str) -> None:
    if tool.startswith("taosha"):
        import taosha.dedup.near  # noqa: F401
        import taosha.pipeline  # noqa: F401
    elif tool == "datatrove":
        import datatrove.executor  # noqa: F401
        import datatrove.pipeline.dedup.minhash  # noqa: F401
    else:
        __import__(tool)


def main() -> None:
    tool, name = sys.argv[1], sys.argv[2]
    import logging

    logging.disable(logging.WARNING)
    os.environ.setdefault("LOGURU_LEVEL", "ERROR")
    texts = corpus(name)
    warm_up(tool)  # imports are not timed, for any tool
    base = rss_mb()
    cpu = cpu_seconds()
    start = time.perf_counter()
    if tool == "taosha":
        removed = run_taosha(texts, verify=True, bands=BANDS)
    elif tool == "taosha-noverify":
        removed = run_taosha(texts, verify=False, bands=BANDS)
    elif tool == "taosha-default":
        removed = run_taosha(texts, verify=True, bands=None)
    elif tool == "rensa":
        removed = run_rensa(texts)
    elif tool == "datasketch":
        removed = run_datasketch(texts)
    elif tool == "datatrove":
        removed = run_datatrove(texts)
    else:
        raise SystemExit(f"unknown tool {tool}")
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(json.dumps({
        "tool": tool, "corpus": name, "docs": len(texts), "mb": round(mb, 2), "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
        "removed": removed, "peak_rss_mb": round(rss_mb(), 1), "rss_after_load_mb": round(base, 1),
    }))


if __name__ == "__main__":
    main()
