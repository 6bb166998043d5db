"""Compare taosha's NumPy hashed-n-gram logistic regression with fastText for the quality score.

    .venv/bin/python benchmarks/quality_model_compare.py [--per-class 6000]

Same task and split for both: positives are encyclopedia and news paragraphs (wiki_cmrc2018,
wiki_drcd, wiki_zhwiki >= 50 characters, news_thucnews), negatives are social posts, reviews and
app-store descriptions (weibo_ced_posts, weibo_checked_posts, reviews_sophonplus >= 50 characters,
fewclue iflytek).  This measures the learners, not a definition of quality.  As an out-of-domain
check, both models score the 20 clean/dirty pages of web_chinesewebtext_sample (ROC AUC).

fastText is not a taosha dependency: ``pip install --target DIR fasttext-wheel`` and set
``TAOSHA_FASTTEXT_PATH=DIR``.  Text is split into characters for fastText (it tokenises on
spaces) and trained with word 1-3-grams over characters, i.e. the same features.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

from taosha.filters.quality_model import _auc, evaluate, fit

DATA = Path(os.environ.get("TAOSHA_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def texts(name: str, min_chars: int = 50, task: str | None = None) -> list[str]:
    out = []
    with gzip.open(DATA / name, "rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            if task and (r.get("meta") or {}).get("task") != task:
                continue
            if len(r["text"]) >= min_chars:
                out.append(r["text"])
    return out


def sample(items: list[str], n: int, rng: np.random.Generator) -> list[str]:
    return [items[i] for i in rng.permutation(len(items))[:n]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-class", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    pos = texts("wiki_cmrc2018_contexts.jsonl.gz") + texts("wiki_drcd_traditional_contexts.jsonl.gz") \
        + texts("wiki_zhwiki_sample.jsonl.gz") + texts("news_thucnews_sample.jsonl.gz")
    neg = texts("weibo_ced_posts.jsonl.gz") + texts("weibo_checked_posts.jsonl.gz") \
        + texts("reviews_sophonplus.jsonl.gz") + texts("fewclue_mixed.jsonl.gz", task="iflytek")
    pos, neg = sample(pos, args.per_class, rng), sample(neg, args.per_class, rng)
    data = [(t, 1) for t in pos] + [(t, 0) for t in neg]
    order = rng.permutation(len(data))
    n_test = len(data) // 5
    test = [data[i] for i in order[:n_test]]
    train = [data[i] for i in order[n_test:]]
    tr_t, tr_y = [t for t, _ in train], np.array([y for _, y in train])
    te_t, te_y = [t for t, _ in test], np.array([y for _, y in test])
    web = []
    with gzip.open(DATA / "web_chinesewebtext_sample.jsonl.gz", "rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            if r.get("label") in ("clean", "dirty"):
                web.append((r["text"], 1 if r["label"] == "clean" else 0))
    mb = sum(len(t.encode()) for t in te_t) / 1e6
    print(f"train {len(train)} / test {len(test)} documents ({mb:.2f} MB of test text)\n")
    print("| learner | train s | holdout accuracy | holdout AUC | predict MB/s | clean/dirty AUC (20 pages) |")
    print("|---|---:|---:|---:|---:|---:|")

    start = time.perf_counter()
    model = fit(tr_t, tr_y)
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    metrics = evaluate(model, te_t, te_y)
    pred_s = time.perf_counter() - start
    web_auc = _auc(np.array([model.predict(t) for t, _ in web]), np.array([y for _, y in web]))
    print(f"| taosha numpy logistic, char 1-3-grams, 2^18 buckets | {train_s:.1f} | {metrics['accuracy']:.4f} | "
          f"{metrics['auc']:.4f} | {mb / pred_s:.2f} | {web_auc:.3f} |")

    extra = os.environ.get("TAOSHA_FASTTEXT_PATH")
    if extra:
        sys.path.insert(0, extra)
    try:
        import fasttext
    except ImportError:
        print("\nfastText not installed (set TAOSHA_FASTTEXT_PATH): skipped")
        return

    def chars(t: str) -> str:
        return " ".join(ch for ch in t if not ch.isspace())

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.txt"
        path.write_text("".join(f"__label__{y} {chars(t)}\n" for t, y in train), encoding="utf-8")
        start = time.perf_counter()
        ft = fasttext.train_supervised(str(path), wordNgrams=3, bucket=1 << 18, dim=16, epoch=5, lr=0.5,
                                       minn=0, maxn=0, thread=1, verbose=0)
        train_s = time.perf_counter() - start

    def ft_prob(t: str) -> float:
        # The binding's own predict: fasttext-wheel's Python wrapper breaks on NumPy 2 (copy=False).
        pairs = ft.f.predict(chars(t), 2, 0.0, "strict")
        return float(dict((label, prob) for prob, label in pairs).get("__label__1", 0.0))

    start = time.perf_counter()
    scores = np.array([ft_prob(t) for t in te_t])
    pred_s = time.perf_counter() - start
    acc = float(((scores >= 0.5) == (te_y == 1)).mean())
    web_auc = _auc(np.array([ft_prob(t) for t, _ in web]), np.array([y for _, y in web]))
    print(f"| fastText supervised, char 1-3-grams, 2^18 buckets, dim 16 | {train_s:.1f} | {acc:.4f} | "
          f"{_auc(scores, te_y):.4f} | {mb / pred_s:.2f} | {web_auc:.3f} |")


if __name__ == "__main__":
    main()
