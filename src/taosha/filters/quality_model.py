"""A small, offline, model-based quality score: logistic regression on hashed character n-grams.

``train_quality(positive, negative, out)`` learns from JSONL files of good and bad examples that
the user provides and writes one ``.npz`` file (weights, bias and a JSON header; no pickle).  The
``quality_model`` step applies such a file: its score is the model's probability that a document
looks like the positive examples, in [0, 1], kept in ``meta.signals["quality_model"]``; it drops
below ``min_value`` (reason ``quality_model_low``; by default nothing is dropped, the score is only
recorded, and the recipe chooses a threshold).

Features: character 1-, 2- and 3-grams of the text (whitespace runs folded to one space), hashed
into ``2**bits`` buckets with a 64-bit multiplicative hash, counted, log-scaled (``1 + log tf``)
and L2-normalised.  Character n-grams need no word segmenter, cover simplified and traditional
Chinese alike and carry the style cues (punctuation, digits, markup) that separate clean text
from spam.  Training is mini-batch Adam on the logistic loss with L2 regularisation, classes
weighted equally, all in NumPy; a held-out share of the data measures accuracy and ROC AUC.

Why not fastText: ``benchmarks/quality_model_compare.py`` trains both on the same split.  The
accuracy was within noise of fastText with character n-grams, NumPy needs no compiled extension,
and a model is a plain array file that loads in milliseconds (figures in docs/quality.md).

No default model ships with taosha: the only openly licensed texts in the development corpus are
Wikipedia and LCQMC, which give positives but no realistic negatives.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from taosha.document import Document
from taosha.filters.signals import dyadic
from taosha.step import ScoreFilter

log = logging.getLogger(__name__)

FORMAT = "taosha-quality-model/1"
_MULT = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio: Fibonacci hashing
_P = np.uint64(0x100000001B3)
_SALT = {1: np.uint64(0x51ED2701), 2: np.uint64(0xA2C4F35B), 3: np.uint64(0x3B1D96C7), 4: np.uint64(0x7F4A7C15),
         5: np.uint64(0x1B873593)}


def featurize(text: str, ngrams: Sequence[int] = (1, 2, 3), bits: int = 18) -> tuple[np.ndarray, np.ndarray]:
    """``(bucket indices, values)`` of a text: hashed character n-gram counts, ``1 + log tf``, L2-normalised.

    >>> idx, val = featurize("好好学习", ngrams=(1, 2), bits=10)
    >>> len(idx), round(float((val ** 2).sum()), 6)
    (6, 1.0)
    """
    text = " ".join(text.split())
    if not text:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    shift = np.uint64(64 - bits)
    parts = []
    keys = cps
    for n in range(1, max(ngrams) + 1):
        if n > 1:
            if keys.size <= 1:
                break
            keys = keys[:-1] * _P + cps[n - 1:]
        if n in ngrams:
            parts.append(((keys ^ _SALT[n]) * _MULT) >> shift)
    idx, counts = np.unique(np.concatenate(parts), return_counts=True)
    val = 1.0 + np.log(counts)
    val /= np.sqrt((val ** 2).sum())
    return idx.astype(np.int64), val.astype(np.float32)


@dataclass(frozen=True)
class LinearModel:
    """Weights over ``2**bits`` hashed n-gram buckets, a bias, and the header it was saved with."""

    weights: np.ndarray
    bias: float
    ngrams: tuple[int, ...]
    bits: int
    header: dict[str, Any]

    def logit(self, text: str) -> float:
        idx, val = featurize(text, self.ngrams, self.bits)
        return float(val @ self.weights[idx]) + self.bias

    def predict(self, text: str) -> float:
        """Probability that ``text`` belongs with the positive examples."""
        z = self.logit(text)
        return float(1.0 / (1.0 + np.exp(-z))) if z > -500 else 0.0

    def save(self, path: str | Path) -> None:
        header = dict(self.header, format=FORMAT, ngrams=list(self.ngrams), bits=self.bits)
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                weights=self.weights.astype(np.float32),
                bias=np.float64(self.bias),
                header=np.array(json.dumps(header, ensure_ascii=False)),
            )


def load_model(path: str | Path) -> LinearModel:
    """Read a model file written by :func:`train_quality` (no pickle is ever loaded)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"quality model {path} does not exist (train one with `taosha train-quality`)")
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(str(data["header"]))
        if header.get("format") != FORMAT:
            raise ValueError(f"{path}: not a taosha quality model (format {header.get('format')!r})")
        weights = data["weights"].astype(np.float32)
        bias = float(data["bias"])
    return LinearModel(weights, bias, tuple(header["ngrams"]), int(header["bits"]), header)


@lru_cache(maxsize=4)
def _cached_model(path: str, mtime_ns: int) -> LinearModel:
    return load_model(path)


def read_texts(path: str | Path, text_field: str = "text", limit: int | None = None) -> Iterator[str]:
    """Texts from a JSONL file (``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst``) or a ``.txt`` file (one per line)."""
    path = Path(path)
    name = path.name
    if name.endswith(".gz"):
        raw: io.BufferedIOBase = gzip.open(path, "rb")  # type: ignore[assignment]
    elif name.endswith(".zst"):
        from taosha.io.zstd import open_zstd

        raw = open_zstd(open(path, "rb"))
    else:
        raw = open(path, "rb")
    plain = name.removesuffix(".gz").removesuffix(".zst").endswith(".txt")
    n = 0
    with raw as fh:
        for number, line in enumerate(fh, 1):
            if limit is not None and n >= limit:
                return
            if not line.strip():
                continue
            if plain:
                text = line.decode("utf-8").rstrip("\n")
            else:
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise ValueError(f"{path}, line {number}: not valid JSON ({exc})") from None
                value = record.get(text_field) if isinstance(record, dict) else None
                if not isinstance(value, str):
                    raise ValueError(f"{path}, line {number}: no string field {text_field!r}")
                text = value
            n += 1
            yield text


def _as_paths(value: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(value, (str, Path)):
        return [Path(value)]
    return [Path(v) for v in value]


def _auc(scores: np.ndarray, labels: np.ndarray) -> float:
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = labels == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def fit(
    texts: Sequence[str],
    labels: np.ndarray,
    *,
    ngrams: Sequence[int] = (1, 2, 3),
    bits: int = 18,
    epochs: int = 4,
    batch_size: int = 64,
    learning_rate: float = 0.02,
    l2: float = 1e-6,
    seed: int = 0,
) -> LinearModel:
    """Train a :class:`LinearModel` on ``texts`` with 0/1 ``labels`` (classes weighted equally)."""
    labels = np.asarray(labels, dtype=np.float64)
    feats = [featurize(t, ngrams, bits) for t in texts]
    dim = 1 << bits
    w = np.zeros(dim, dtype=np.float64)
    b = 0.0
    m_w = np.zeros(dim)
    v_w = np.zeros(dim)
    m_b = v_b = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    n_pos = max(1.0, labels.sum())
    n_neg = max(1.0, len(labels) - labels.sum())
    sample_weight = np.where(labels == 1, len(labels) / (2 * n_pos), len(labels) / (2 * n_neg))
    rng = np.random.default_rng(seed)
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(texts))
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            idx = np.concatenate([feats[i][0] for i in batch])
            val = np.concatenate([feats[i][1] for i in batch]).astype(np.float64)
            doc = np.repeat(np.arange(len(batch)), [feats[i][0].size for i in batch])
            z = np.bincount(doc, weights=val * w[idx], minlength=len(batch)) + b
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
            g = (p - labels[batch]) * sample_weight[batch] / len(batch)
            grad = np.bincount(idx, weights=val * g[doc], minlength=dim)
            touched = np.unique(idx)
            grad[touched] += l2 * w[touched]
            step += 1
            # Adam, applied lazily to the touched buckets only (the others have zero gradient).
            m_w[touched] = beta1 * m_w[touched] + (1 - beta1) * grad[touched]
            v_w[touched] = beta2 * v_w[touched] + (1 - beta2) * grad[touched] ** 2
            corr = np.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
            w[touched] -= learning_rate * corr * m_w[touched] / (np.sqrt(v_w[touched]) + eps)
            gb = float(g.sum())
            m_b = beta1 * m_b + (1 - beta1) * gb
            v_b = beta2 * v_b + (1 - beta2) * gb * gb
            b -= learning_rate * corr * m_b / (np.sqrt(v_b) + eps)
    return LinearModel(w.astype(np.float32), float(b), tuple(ngrams), bits, {})


def evaluate(model: LinearModel, texts: Sequence[str], labels: np.ndarray) -> dict[str, float]:
    """Accuracy at 0.5, ROC AUC, and precision/recall of the positive class."""
    labels = np.asarray(labels)
    scores = np.array([model.predict(t) for t in texts])
    pred = scores >= 0.5
    tp = int((pred & (labels == 1)).sum())
    return {
        "n": int(len(labels)),
        "accuracy": round(float((pred == (labels == 1)).mean()), 4) if len(labels) else float("nan"),
        "auc": round(_auc(scores, labels), 4),
        "precision": round(tp / max(1, int(pred.sum())), 4),
        "recall": round(tp / max(1, int((labels == 1).sum())), 4),
    }


def train_quality(
    positive: str | Path | Iterable[str | Path],
    negative: str | Path | Iterable[str | Path],
    out: str | Path,
    *,
    text_field: str = "text",
    ngrams: Sequence[int] = (1, 2, 3),
    bits: int = 18,
    epochs: int = 4,
    learning_rate: float = 0.02,
    l2: float = 1e-6,
    holdout: float = 0.1,
    max_per_class: int | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Train a quality model from JSONL files of positive and negative examples and save it to ``out``.

    A seeded ``holdout`` share of each class is kept out of training and measured; the model is
    then saved with the training settings and the held-out metrics in its header, which is also
    returned.
    """
    if not 0 <= holdout < 1:
        raise ValueError("holdout must be in [0, 1)")
    if not set(ngrams) <= set(_SALT) or not ngrams:
        raise ValueError(f"ngrams must be a non-empty subset of {sorted(_SALT)}")
    if not 10 <= bits <= 24:
        raise ValueError("bits must be between 10 and 24")
    pos_paths, neg_paths = _as_paths(positive), _as_paths(negative)
    pos = [t for p in pos_paths for t in read_texts(p, text_field, max_per_class)][:max_per_class]
    neg = [t for p in neg_paths for t in read_texts(p, text_field, max_per_class)][:max_per_class]
    if not pos or not neg:
        raise ValueError(f"need at least one positive and one negative example (got {len(pos)} and {len(neg)})")
    rng = np.random.default_rng(seed)
    train_t: list[str] = []
    train_y: list[int] = []
    test_t: list[str] = []
    test_y: list[int] = []
    for texts, label in ((pos, 1), (neg, 0)):
        order = rng.permutation(len(texts))
        n_test = int(round(holdout * len(texts))) if len(texts) > 1 else 0
        for rank, i in enumerate(order):
            (test_t if rank < n_test else train_t).append(texts[i])
            (test_y if rank < n_test else train_y).append(label)
    model = fit(train_t, np.array(train_y), ngrams=ngrams, bits=bits, epochs=epochs,
                learning_rate=learning_rate, l2=l2, seed=seed)
    header: dict[str, Any] = {
        "trained_on": {"positive": [str(p) for p in pos_paths], "negative": [str(p) for p in neg_paths],
                       "n_positive": len(pos), "n_negative": len(neg), "text_field": text_field},
        "settings": {"epochs": epochs, "learning_rate": learning_rate, "l2": l2, "holdout": holdout, "seed": seed},
        "train": evaluate(model, train_t, np.array(train_y)),
        "holdout": evaluate(model, test_t, np.array(test_y)) if test_t else None,
    }
    model = LinearModel(model.weights, model.bias, model.ngrams, model.bits, header)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    log.info("quality model written to %s: %s", out, header["holdout"])
    return dict(header, format=FORMAT, ngrams=list(ngrams), bits=bits, path=str(out))


@dataclass(frozen=True, kw_only=True)
class QualityModel(ScoreFilter):
    """``quality_model``: the probability, from a model trained by ``taosha train-quality``, that a
    document looks like the positive examples; drops below ``min_value`` (default: none, score only).
    See the module docstring."""

    name = "quality_model"
    model_path: str = ""

    def __post_init__(self) -> None:
        if not self.model_path:
            raise ValueError("quality_model needs model_path: a file written by `taosha train-quality`")

    def model(self) -> LinearModel:
        # Loaded lazily in each worker (the step itself stays small and picklable) and cached by
        # path and modification time, so a retrained file is picked up.
        path = os.path.abspath(self.model_path)
        return _cached_model(path, os.stat(path).st_mtime_ns if os.path.exists(path) else 0)

    def score(self, doc: Document) -> float:
        return dyadic(self.model().predict(doc.text))
