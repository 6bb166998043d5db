"""Accuracy of near_dedup against the exact Jaccard of character 5-gram sets.

    .venv/bin/python benchmarks/dedup/bench_accuracy.py [--configs default,16x8,...]

Two test sets, built at run time from ../shared/data (nothing is stored):

* ``built``: 2,000 base documents (news, wiki, web, Weibo posts; at least 60 characters), each with
  two variants made by one of: character edits at 1/3/5/10/20 % (substitution, insertion, deletion),
  a header and footer added, truncation to 90 % or 70 %, a ``//@user:`` repost prefix chain, two
  sentences swapped.  6,000 documents.
* ``threads``: every repost text of the first 600 threads of weibo_ced_reposts (about 20,000 real
  short texts, most of them exact or near copies of 「转发微博」-like phrases).

The truth is computed exactly, not estimated: identical shingle sets are grouped, and every pair of
groups with Jaccard >= 0.5 is found with an exact prefix-filtered similarity join (the result of
brute force over all pairs, without comparing pairs that cannot reach 0.5).  Shingles are
character 5-grams after the same folding as the step (full-width and ASCII case folded, whitespace
dropped).

Reported, for each configuration (taosha's clusters from one in-memory run):
* recall@0.9: the share of document pairs with exact Jaccard >= 0.9 that taosha put in one cluster;
* recall@0.8, and the share of pairs in [0.7, 0.8) merged (the soft edge of the threshold);
* precision: the share of removed documents that have a true partner (Jaccard >= 0.8) in their
  own cluster, and ``precision (any)``: a true partner anywhere in the corpus;
* lost clusters: clusters in which no member was kept (must be 0);
* per-variant recall on ``built`` (share of base-variant pairs put in one cluster).
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import records  # noqa: E402

from taosha.dedup.near import NearDedup, node_id  # noqa: E402
from taosha.document import Document  # noqa: E402
from taosha.pipeline import run_in_memory  # noqa: E402
from taosha.recipe import Recipe  # noqa: E402

FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {
    ord(c): None for c in "\t\n\x0b\x0c\r \xa0\u3000\u200b\u200c\u200d\u2060\ufeff"
}
FILLER = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要以会可也对能好都"
HEADERS = ["【来源：新华网】", "原标题：", "本文转载自微信公众号", "（记者 王某 报道）", "【独家】"]
FOOTERS = ["责任编辑：李某", "点击关注，获取更多资讯", "（完）", "本文来源于网络，如有侵权请联系删除", "更多精彩内容请下载客户端"]
VARIANTS = [
    "edit_1", "edit_3", "edit_5", "edit_10", "edit_20", "header_footer", "truncate_90", "truncate_70",
    "repost", "sentence_swap",
]


def grams(text: str, n: int = 5) -> frozenset[str]:
    text = "".join(c.lower() if c.isascii() else c for c in text.translate(FOLD))
    if not text:
        return frozenset()
    return frozenset(text[i : i + n] for i in range(max(1, len(text) - n + 1)))


def make_variant(text: str, kind: str, rng: random.Random) -> str:
    if kind.startswith("edit_"):
        rate = int(kind[5:]) / 100
        out = []
        for c in text:
            r = rng.random()
            if r < rate / 3:
                continue  # deletion
            if r < 2 * rate / 3:
                out.append(rng.choice(FILLER))  # substitution
                continue
            out.append(c)
            if r < rate:
                out.append(rng.choice(FILLER))  # insertion
        return "".join(out)
    if kind == "header_footer":
        return rng.choice(HEADERS) + "\n" + text + "\n" + rng.choice(FOOTERS)
    if kind.startswith("truncate_"):
        return text[: int(len(text) * int(kind[9:]) / 100)]
    if kind == "repost":
        chain = "".join(f"//@用户{rng.randint(1, 999)}:{rng.choice(['转发', '顶', '是真的吗', ''])}" for _ in range(rng.randint(1, 3)))
        return rng.choice(["转发微博", "", "太可怕了"]) + chain + "//@" + "原博主:" + text
    if kind == "sentence_swap":
        parts = [p for p in re.split(r"(?<=[。！？!?])", text) if p]
        if len(parts) >= 2:
            i, j = rng.sample(range(len(parts)), 2)
            parts[i], parts[j] = parts[j], parts[i]
        return "".join(parts)
    raise ValueError(kind)


def built_set(seed: int = 7) -> tuple[list[str], list[tuple[int, int, str]]]:
    rng = random.Random(seed)
    sources = ["news_thucnews_sample", "wiki_cmrc2018_contexts", "web_cluecorpussmall_sample",
               "weibo_ced_posts", "weibo_checked_posts"]
    texts: list[str] = []
    pairs: list[tuple[int, int, str]] = []
    for name in sources:
        pool = [r["text"] for r in records(name) if len(r["text"]) >= 60]
        for base in rng.sample(pool, 400):
            b = len(texts)
            texts.append(base)
            for kind in rng.sample(VARIANTS, 2):
                pairs.append((b, len(texts), kind))
                texts.append(make_variant(base, kind, rng))
    return texts, pairs


def threads_set(threads: int = 600) -> list[str]:
    seen: dict[str, None] = {}
    texts = []
    for r in records("weibo_ced_reposts"):
        thread = r["meta"]["thread"]
        if thread not in seen:
            if len(seen) == threads:
                break
            seen[thread] = None
        texts.append(r["text"])
    return texts


def similar_groups(sets: list[frozenset[str]], t: float) -> list[tuple[int, int, float]]:
    """Every pair of distinct sets with Jaccard >= t, exactly (prefix filtering, AllPairs)."""
    freq = Counter(g for s in sets for g in s)
    rank = {g: i for i, (g, _) in enumerate(sorted(freq.items(), key=lambda kv: (kv[1], kv[0])))}
    ordered = [sorted(rank[g] for g in s) for s in sets]
    by_size = sorted(range(len(sets)), key=lambda i: len(ordered[i]))
    index: dict[int, list[int]] = defaultdict(list)
    out = []
    for x in by_size:
        tokens = ordered[x]
        size = len(tokens)
        if size == 0:
            continue
        prefix = size - math.ceil(t * size) + 1
        candidates = set()
        for tok in tokens[:prefix]:
            for y in index[tok]:
                if len(ordered[y]) >= t * size:
                    candidates.add(y)
            index[tok].append(x)
        for y in candidates:
            inter = len(sets[x] & sets[y])
            j = inter / (len(sets[x]) + len(sets[y]) - inter)
            if j >= t:
                out.append((min(x, y), max(x, y), j))
    return out


class Truth:
    def __init__(self, texts: list[str]):
        sets = [grams(t) for t in texts]
        group_of: dict[frozenset[str], int] = {}
        self.group = [group_of.setdefault(s, len(group_of)) for s in sets]
        unique = [None] * len(group_of)
        for s, g in group_of.items():
            unique[g] = s
        self.sizes = Counter(self.group)
        start = time.perf_counter()
        self.edges = similar_groups(unique, 0.5)  # type: ignore[arg-type]
        self.seconds = time.perf_counter() - start
        self.neighbours: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for a, b, j in self.edges:
            self.neighbours[a].append((b, j))
            self.neighbours[b].append((a, j))


def clusters(texts: list[str], step: NearDedup) -> tuple[list[int], list[bool]]:
    docs = [Document(str(i), t) for i, t in enumerate(texts)]
    result = run_in_memory(Recipe(name="acc", steps=(("near_dedup", step),)), docs)
    cluster = list(range(len(texts)))
    kept = [True] * len(texts)
    for doc, _, _, detail in result.removed:
        words = detail.split()
        cluster[int(doc.id)] = node_id(int(words[6]), int(words[3]))
        kept[int(doc.id)] = False
    for doc in result.kept:
        if "dedup" in doc.meta:
            cluster[int(doc.id)] = doc.meta["dedup"]["cluster"]
    return cluster, kept


def score(truth: Truth, cluster: list[int], kept: list[bool]) -> dict[str, float]:
    members: dict[int, Counter[int]] = defaultdict(Counter)  # group -> cluster -> count
    for doc, g in enumerate(truth.group):
        members[g][cluster[doc]] += 1

    def pairs(lo: float, hi: float) -> tuple[int, int]:
        total = merged = 0
        if lo <= 1.0 <= hi:
            for g, k in truth.sizes.items():
                total += k * (k - 1) // 2
                merged += sum(c * (c - 1) // 2 for c in members[g].values())
        for a, b, j in truth.edges:
            if lo <= j < hi:
                total += truth.sizes[a] * truth.sizes[b]
                merged += sum(n * members[b][c] for c, n in members[a].items())
        return merged, total

    removed = [d for d in range(len(kept)) if not kept[d]]
    own = anywhere = 0
    for d in removed:
        g, c = truth.group[d], cluster[d]
        partners = [(h, j) for h, j in truth.neighbours[g] if j >= 0.8]
        if truth.sizes[g] > 1 or partners:
            anywhere += 1
        if members[g][c] > 1 or any(members[h][c] for h, _ in partners):
            own += 1
    kept_per_cluster = Counter(cluster[d] for d in range(len(kept)) if kept[d])
    lost = len({cluster[d] for d in removed} - set(kept_per_cluster))
    m9, t9 = pairs(0.9, 2.0)
    m8, t8 = pairs(0.8, 2.0)
    m7, t7 = pairs(0.7, 0.8)
    return {
        "removed": len(removed), "recall@0.9": m9 / max(t9, 1), "pairs@0.9": t9,
        "recall@0.8": m8 / max(t8, 1), "merged[0.7,0.8)": m7 / max(t7, 1),
        "precision": own / max(len(removed), 1), "precision(any)": anywhere / max(len(removed), 1),
        "lost_clusters": lost,
    }


CONFIGS = {
    "default": {},
    "16x8": {"bands": 16, "rows": 8},
    "16x8-noverify": {"bands": 16, "rows": 8, "verify": False},
    "noverify": {"verify": False},
    "3-gram": {"ngram": 3},
    "7-gram": {"ngram": 7},
    "64-perm": {"num_perm": 64},
    "256-perm": {"num_perm": 256},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--configs", default=",".join(CONFIGS))
    args = parser.parse_args()
    built, variant_pairs = built_set()
    sets = {"built": built, "threads": threads_set()}
    truths = {name: Truth(texts) for name, texts in sets.items()}
    for name, truth in truths.items():
        print(f"# {name}: {len(sets[name]):,} documents, {len(truth.sizes):,} distinct 5-gram sets, "
              f"{len(truth.edges):,} similar set pairs (J >= 0.5), exact join {truth.seconds:.1f} s")
    print()
    print("| set | config | removed | recall@0.9 | recall@0.8 | merged in [0.7,0.8) | precision | precision (any) | lost clusters | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    per_variant: dict[str, dict[str, float]] = {}
    for config in args.configs.split(","):
        step = NearDedup(**CONFIGS[config])
        for name, texts in sets.items():
            start = time.perf_counter()
            cluster, kept = clusters(texts, step)
            seconds = time.perf_counter() - start
            s = score(truths[name], cluster, kept)
            print(f"| {name} | {config} | {s['removed']:,} | {s['recall@0.9']:.4f} | {s['recall@0.8']:.4f} | "
                  f"{s['merged[0.7,0.8)']:.3f} | {s['precision']:.4f} | {s['precision(any)']:.4f} | "
                  f"{s['lost_clusters']} | {seconds:.2f} |", flush=True)
            if name == "built":
                hits: dict[str, list[int]] = defaultdict(list)
                for a, b, kind in variant_pairs:
                    hits[kind].append(cluster[a] == cluster[b])
                per_variant[config] = {k: sum(v) / len(v) for k, v in hits.items()}
    print()
    jac: dict[str, list[float]] = defaultdict(list)
    for a, b, kind in variant_pairs:
        x, y = grams(built[a]), grams(built[b])
        jac[kind].append(len(x & y) / len(x | y))
    print("| variant | mean exact J | " + " | ".join(per_variant) + " |")
    print("|---|---|" + "---|" * len(per_variant))
    for kind in VARIANTS:
        print(f"| {kind} | {sum(jac[kind]) / len(jac[kind]):.3f} | "
              + " | ".join(f"{per_variant[c][kind]:.3f}" for c in per_variant) + " |")


if __name__ == "__main__":
    main()
