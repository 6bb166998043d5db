"""Calibrate the quality steps on the real corpus in ../shared/data.

    .venv/bin/python benchmarks/calibrate.py [--limit N] [--hist SIGNAL ...] [--recipe zh-web]

Runs every quality signal (zh_heuristics, lang_id, the spam scores, cjk_ratio) over every file and
prints, per source file:

* the keep rate of each quality step of the recipe, alone and all together, at the recipe's
  thresholds (the steps and parameters are read from the recipe; if it has none yet, the defaults);
* the removal reasons;
* percentiles of every signal, and text histograms of the signals named with ``--hist``;
* the acceptance checks of issue 4: Wikipedia and news keep >= 95 %; >= 90 % of the gambling/SEO
  spam pages of web_chinesewebtext_sample dropped (ids in benchmarks/labels/); agreement with its
  20 clean/dirty labels; keep rate per topic (THUCNews label, fewclue tnews label).

Nothing here is timed; see benchmarks/quality_speed.py for throughput.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import orjson

from taosha.document import Document
from taosha.filters.signals import SIGNAL_RANGES
from taosha.pipeline import chain
from taosha.recipe import load_recipe
from taosha.step import Context, GlobalStep

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("TAOSHA_DATA", HERE.parents[1] / "shared" / "data"))
QUALITY_STEPS = (
    "cjk_ratio", "lang_id", "zh_heuristics", "gambling_score", "porn_score", "seo_spam_score",
    "ad_spam_score", "quality_model",
)
FALLBACK = [
    {"cjk_ratio": {}}, {"lang_id": {}}, {"zh_heuristics": {}},
    {"gambling_score": {"action": "drop"}}, {"porn_score": {}}, {"seo_spam_score": {}}, {"ad_spam_score": {}},
]
WIKI_NEWS = ("wiki_zhwiki_sample", "wiki_cmrc2018_contexts", "wiki_drcd_traditional_contexts", "news_thucnews_sample")


def load(name: str, limit: int | None) -> list[Document]:
    docs = []
    with gzip.open(DATA / name, "rb") as fh:
        for line in itertools.islice(fh, limit):
            rec = orjson.loads(line)
            meta = {k: v for k, v in rec.items() if k not in ("id", "text")}
            inner = rec.get("meta")
            if isinstance(inner, dict) and "title" in inner:
                meta["title"] = inner["title"]  # the spam scorers read the page title
            docs.append(Document(str(rec["id"]), rec["text"], meta))
    return docs


def before_quality(recipe_name: str):
    """The recipe's per-document steps that run before its first quality step (cleaning, length)."""
    recipe = load_recipe(recipe_name)
    pre = []
    for label, step in recipe.steps:
        if step.name in QUALITY_STEPS:
            break
        if not isinstance(step, GlobalStep):
            pre.append((label, step))
    if not any(step.name in QUALITY_STEPS for _, step in recipe.steps):
        pre = [(label, step) for label, step in pre if step.name != "exact_dedup"]
    return pre


pre_removed: dict[str, str] = {}


def prepare(pre, docs: list[Document]) -> list[Document]:
    """What the quality steps see: the documents after the recipe's earlier steps (the ones those
    steps remove are noted in ``pre_removed``)."""
    ctx = Context(on_remove=lambda d, s, r, x: pre_removed.__setitem__(d.id, f"{s}:{r}"))
    return list(chain(pre, docs, ctx))


def quality_steps(recipe_name: str):
    from taosha.recipe import parse_recipe

    recipe = load_recipe(recipe_name)
    steps = [(label, step) for label, step in recipe.steps if step.name in QUALITY_STEPS]
    if steps:
        return steps, f"recipe {recipe_name}"
    fallback = parse_recipe({"name": "calibrate", "steps": FALLBACK})
    return list(fallback.steps), "built-in defaults (the recipe has no quality step yet)"


def run_steps(steps, docs):
    """Each step alone over copies of ``docs`` (tag nothing: drop by the thresholds)."""
    alone: dict[str, dict[str, str]] = {}
    for label, step in steps:
        removed: dict[str, str] = {}
        ctx = Context(on_remove=lambda d, s, r, x, removed=removed: removed.__setitem__(d.id, r))
        copies = [Document(d.id, d.text, dict(d.meta)) for d in docs]
        kept = list(chain([(label, step)], copies, ctx))
        if getattr(step, "action", "drop") == "tag":
            for d in kept:
                flags = d.meta.get("flags") or []
                if flags:
                    removed[d.id] = "tag:" + flags[0]
        alone[label] = removed
        for d in kept:
            orig = by_id[d.id]
            orig.meta.setdefault("signals", {}).update(d.meta.get("signals", {}))
    return alone


by_id: dict[str, Document] = {}


def bar_hist(values: np.ndarray, lo: float, hi: float, bins: int = 20, width: int = 40) -> list[str]:
    counts, edges = np.histogram(np.clip(values, lo, hi), bins=bins, range=(lo, hi))
    top = max(1, counts.max())
    return [f"  {edges[i]:8.3f} {'#' * int(round(width * c / top)):<{width}} {c}" for i, c in enumerate(counts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="records per file (default: all)")
    parser.add_argument("--recipe", default="zh-web")
    parser.add_argument("--hist", nargs="*", default=[], help="signals to draw histograms of")
    parser.add_argument("--percentiles", action="store_true", help="print signal percentiles per source")
    args = parser.parse_args()

    steps, where = quality_steps(args.recipe)
    pre = before_quality(args.recipe)
    print(f"# calibration of the quality steps ({where}) on {DATA}")
    print(f"# population: documents after the recipe's earlier steps ({', '.join(label for label, _ in pre)})\n")
    for label, step in steps:
        print(f"- {label}: {step.params()}")
    files = sorted(p.name for p in DATA.glob("*.jsonl.gz"))
    spam_ids = set(json.loads((HERE / "labels" / "chinesewebtext_spam.json").read_text())["spam"])
    table = []
    reasons_by_source: dict[str, Counter] = {}
    signals_by_source: dict[str, dict[str, list[float]]] = {}
    final_removed: dict[str, str] = {}
    docs_by_source: dict[str, list[Document]] = {}
    for name in files:
        docs = prepare(pre, load(name, args.limit))
        source = name.removesuffix(".jsonl.gz")
        docs_by_source[source] = docs
        by_id.clear()
        by_id.update({d.id: d for d in docs})
        alone = run_steps(steps, docs)
        drop_labels = [label for label, step in steps if getattr(step, "action", "drop") != "tag"]
        removed_all: dict[str, str] = {}
        for label in drop_labels:
            for doc_id, reason in alone[label].items():
                removed_all.setdefault(doc_id, f"{label}:{reason}")
        final_removed.update(removed_all)
        n = len(docs)
        row = [source, str(n)]
        for label, _ in steps:
            row.append(f"{100 * (1 - len(alone[label]) / n):.1f}")
        row.append(f"{100 * (1 - len(removed_all) / n):.1f}")
        table.append(row)
        reasons_by_source[source] = Counter(removed_all.values())
        sig: dict[str, list[float]] = defaultdict(list)
        for d in docs:
            for k, v in d.meta.get("signals", {}).items():
                sig[k].append(v)
        signals_by_source[source] = sig

    labels = [label for label, _ in steps]
    print("\n## keep rate (%) per source: each step alone (tag-only steps: % not tagged), and the recipe\n")
    print("| source | docs | " + " | ".join(labels) + " | recipe |")
    print("|---|---:|" + "---:|" * (len(labels) + 1))
    for row in table:
        print("| " + " | ".join(row) + " |")

    print("\n## removal reasons (recipe, first reason per document)\n")
    for source, reasons in reasons_by_source.items():
        if reasons:
            print(f"- {source}: " + ", ".join(f"{r} {c}" for r, c in reasons.most_common(8)))

    if args.percentiles:
        print("\n## signal percentiles per source (p1 / p5 / p50 / p95 / p99)\n")
        names = sorted({k for s in signals_by_source.values() for k in s})
        for k in names:
            print(f"\n{k}")
            for source, sig in signals_by_source.items():
                v = np.asarray(sig.get(k, []), dtype=float)
                if v.size:
                    p = np.percentile(v, [1, 5, 50, 95, 99])
                    print(f"  {source:38s} " + " ".join(f"{x:8.3f}" for x in p))
    for k in args.hist:
        lo, hi = SIGNAL_RANGES.get(k, (0.0, 20.0 if k.endswith("_score") else 1.0))
        for source, sig in signals_by_source.items():
            v = np.asarray(sig.get(k, []), dtype=float)
            if v.size:
                print(f"\n### {k} on {source} ({v.size} docs)")
                print("\n".join(bar_hist(v, lo, hi)))

    print("\n## acceptance checks\n")
    for source in WIKI_NEWS:
        row = next(r for r in table if r[0] == source)
        ok = float(row[-1]) >= 95
        print(f"- keep {source}: {row[-1]} % ({'ok' if ok else 'FAIL'}, need >= 95)")
    web = docs_by_source["web_chinesewebtext_sample"]
    web_all = load("web_chinesewebtext_sample.jsonl.gz", None)
    # for the page-level checks, a page the earlier steps removed counts as removed by the recipe
    final_removed.update({i: f"(before quality) {r}" for i, r in pre_removed.items() if i not in final_removed})
    web = [d for d in web_all if d.id in pre_removed] + web
    spam_dropped = sorted(i for i in spam_ids if i in final_removed)
    rate = 100 * len(spam_dropped) / len(spam_ids)
    print(f"- gambling/SEO spam pages dropped: {len(spam_dropped)}/{len(spam_ids)} = {rate:.1f} % "
          f"({'ok' if rate >= 90 else 'FAIL'}, need >= 90); missed: {sorted(spam_ids - set(spam_dropped))}")
    others = [d for d in web if d.id.startswith("cwt-cleared1") and d.id not in spam_ids]
    print(f"- other web_chinesewebtext pages (not in the spam list) kept: "
          f"{sum(d.id not in final_removed for d in others)}/{len(others)}")
    labelled = [d for d in web if d.meta.get("label") in ("clean", "dirty")]
    agree = sum((d.id in final_removed) == (d.meta["label"] == "dirty") for d in labelled)
    print(f"- agreement with the 20 clean/dirty labels: {agree}/{len(labelled)}")
    for d in labelled:
        verdict = final_removed.get(d.id, "kept")
        print(f"    {d.id:14s} {d.meta['label']:5s} -> {verdict}")
    for source, key in (("news_thucnews_sample", None), ("fewclue_mixed", "tnews")):
        docs = docs_by_source[source]
        if key:
            docs = [d for d in docs if (d.meta.get("meta") or {}).get("task") == key]
        by_label: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for d in docs:
            c = by_label[str(d.meta.get("label"))]
            c[0] += 1
            c[1] += d.id not in final_removed
        if not by_label:
            print(f"- topic keep rates, {source}: no labelled documents in this sample (raise --limit)")
            continue
        worst = min(kept / n for n, kept in by_label.values())
        print(f"- topic keep rates, {source}{' ' + key if key else ''} (lowest {100 * worst:.1f} %): "
              + ", ".join(f"{lab} {100 * k / n:.0f}%" for lab, (n, k) in sorted(by_label.items())))


if __name__ == "__main__":
    main()
