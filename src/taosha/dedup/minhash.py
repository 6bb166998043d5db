"""Vectorised MinHash over character n-grams, LSH banding, and the band/row choice.

Everything works on a *batch* of texts at once and never builds a Python string per shingle:

1. :func:`shingle_hashes`: the batch is joined into one string, encoded once as UTF-32 and viewed
   as a numpy array of code points; the hash of every window of ``n`` code points is computed for
   all windows at once by ``n`` vector multiply-xor passes and murmur3's 32-bit finalizer.  Windows that would cross from one document into the next are never
   formed (each document is followed by ``n - 1`` NUL padding code points, and only windows that
   start inside the document and end inside it are kept).  A non-empty document shorter than ``n``
   gets exactly one shingle: itself padded with NULs, so two equal short texts still collide.
2. :func:`signatures`: ``num_perm`` hash functions ``h_k(x) = a_k x mod 2^32`` (``a_k`` odd, so
   each is a bijection of the 32-bit space) are applied to a block of shingle hashes as one
   ``(num_perm, block)`` array and reduced to per-document minima with ``np.minimum.reduceat`` along
   the contiguous axis (ten times faster than reducing the other way on this machine).  Each hash
   is a 32-bit value and 4M shingles x 128 permutations take about 0.1 s.  The usual ``+ b_k`` is
   left out: it costs a quarter of the time, and on 1,000 real pairs of edited Wikipedia paragraphs
   the Jaccard estimates had the same error with and without it (RMSE 0.039 against 0.039 expected
   of ideal random permutations; ``tests/dedup`` keeps checking this).
3. :func:`band_keys`: the signature is cut into ``bands`` bands of ``rows`` values; each band is
   hashed to a 64-bit key that also depends on the band index, so equal keys mean "equal band".

Throughput (``benchmarks/dedup/bench_speed.py``, one core, CPU time): the whole near_dedup pass at
69 MB/s of UTF-8 Chinese text on the long documents (0.166 CPU-s for 11.5 MB at 16 x 8 bands; 50 MB/s,
1.7x rensa and 21x datatrove, before the issue-10 changes) and 12 MB/s on short Weibo texts (not
re-measured).  Of the step's CPU on the long set, the signatures are about half (a multiply and a
segment minimum over 128 x 3.9 M values, near the speed of the L2 cache); shingling a fifth.

Characters, not words: a Chinese text has no spaces to split on, and segmenting it (jieba) made
datatrove 5 times slower in issue 5's measurements and makes the result depend on a dictionary; character 5-grams are what
the measured defaults use (see ``docs/dedup.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
_MAX32 = np.uint32(0xFFFFFFFF)
_H1 = np.uint32(0x9E3779B1)
_H2 = np.uint32(0x85EBCA6B)
_H3 = np.uint32(0xC2B2AE35)


def _mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, in place: every input bit reaches every output bit."""
    h ^= h >> np.uint64(30)
    h *= _M2
    h ^= h >> np.uint64(27)
    h *= _M3
    h ^= h >> np.uint64(31)
    return h


# Code points removed when folding: ASCII whitespace, NBSP, the ideographic space, zero-width marks
# and the BOM (they are invisible to a reader, so texts differing only in them are one text).
_SPACES = (9, 10, 11, 12, 13, 32, 0xA0, 0x3000, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)
_DROP = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """Code point -> folded code point (or ``_DROP``), built once per process (4.4 MB).

    One gather through a table is three times faster than the equivalent comparisons and masks.
    """
    table = np.arange(0x110000, dtype=np.uint32)
    table[0xFF01:0xFF5F] -= np.uint32(0xFEE0)
    table[ord("A") : ord("Z") + 1] += np.uint32(32)
    table[0xFF21:0xFF3B] += np.uint32(32)  # full-width capitals fold to small ASCII letters
    table[list(_SPACES)] = _DROP
    table.flags.writeable = False
    return table


def fold_codepoints(cp: np.ndarray) -> np.ndarray:
    """Width and case folding of a code-point array; whitespace and zero-width marks become
    ``0xFFFFFFFF`` (to be dropped).  No per-character Python work.

    Full-width forms U+FF01..U+FF5E become their ASCII counterparts and ASCII capitals become small
    letters: the cheap, vectorised part of ``exact_dedup``'s NFKC + casefold key (NFKC itself costs
    as much as the whole MinHash, and the rest of what it folds is rare in Chinese web text).

    >>> cp = np.array([ord(c) for c in "ＡＢｃ１ Hi"], dtype=np.uint32)
    >>> "".join(chr(c) for c in fold_codepoints(cp) if c != 0xFFFFFFFF)
    'abc1hi'
    """
    return _fold_table()[cp]


_HASH_CHUNK = 1 << 16
"""Windows hashed per pass of :func:`_window_hash`: 256 KB of ``uint32`` stays in the L2 cache
through its 17 passes; whole-array passes ran from memory and took twice as long."""


def _window_hash(cp: np.ndarray, n: int) -> np.ndarray:
    """32-bit hash of every window of ``n`` consecutive code points of ``cp``: a multiply-xor chain
    then murmur3's 32-bit finalizer.  32-bit lanes halve the memory traffic of 64-bit ones and made
    shingling 4-8x faster; on the 3.59 M distinct 5-grams of the long benchmark corpus it had 1,487
    collisions where an ideal 32-bit hash has 1,500 (the 64-bit splitmix variant: 1,489)."""
    full = len(cp) - n + 1
    out = np.empty(max(full, 0), dtype=np.uint32)
    tmp = np.empty(min(_HASH_CHUNK, len(out)), dtype=np.uint32)
    for lo in range(0, full, _HASH_CHUNK):
        hi = min(full, lo + _HASH_CHUNK)
        h, t = out[lo:hi], tmp[: hi - lo]
        np.multiply(cp[lo:hi], _H1, out=h)
        for k in range(1, n):
            np.bitwise_xor(h, cp[lo + k : hi + k], out=h)
            np.multiply(h, _H1, out=h)
        for shift, factor in ((16, _H2), (13, _H3), (16, None)):
            np.right_shift(h, np.uint32(shift), out=t)
            np.bitwise_xor(h, t, out=h)
            if factor is not None:
                np.multiply(h, factor, out=h)
    return out


def shingle_hashes(
    texts: Sequence[str], n: int, *, fold: bool = False, lengths: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of every character ``n``-gram of every text, and where each text's run starts.

    Returns ``(hashes, starts)``: ``hashes[starts[i]:starts[i + 1]]`` are the shingle hashes of
    ``texts[i]`` in text order (with repeats).  An empty text has none; a non-empty text shorter than
    ``n`` has one (itself, padded with NULs).  With ``fold``, width and case are folded
    (:func:`fold_codepoints`) and whitespace and zero-width characters are removed first.
    ``lengths`` (the texts' lengths, int64) saves a pass when the caller already has them.

    >>> h, starts = shingle_hashes(["今天天气很好", "天气很好", "", "好"], 3)
    >>> starts.tolist()
    [0, 4, 6, 6, 7]
    >>> bool(h[2] == h[4]) and bool(h[3] == h[5])   # 天气很, 气很好 in both texts
    True
    >>> len(set(h.tolist()))
    5
    >>> a, _ = shingle_hashes(["ＡＩ 绘画　工具"], 3, fold=True)
    >>> b, _ = shingle_hashes(["ai绘画工具"], 3, fold=True)
    >>> a.tolist() == b.tolist()
    True
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    count = len(texts)
    cp = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if lengths is None:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    ends = np.cumsum(lengths)
    if fold:
        cp = fold_codepoints(cp)
        # Dropped code points are few (spaces): locating them beats a running count of the kept
        # ones over the whole batch (a cumsum, 7 ms per 4 M characters).
        keep = cp != _DROP
        dropped = np.flatnonzero(~keep)
        if len(dropped):
            ends = ends - np.searchsorted(dropped, ends)
            lengths = np.diff(ends, prepend=0)
            cp = cp[keep]
    short = (lengths > 0) & (lengths < n)
    windows = np.where(lengths >= n, lengths - n + 1, short.astype(np.int64))
    starts = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(windows, out=starts[1:])
    total = int(starts[-1])
    if total == 0:
        return np.zeros(0, dtype=np.uint32), starts
    # Hash every window of the concatenation (contiguous, cheap), then drop with one boolean mask
    # those that do not lie inside one text: the last n - 1 windows of each text (fewer for a short
    # one), which start in it and end in the next.
    every = _window_hash(cp, n)
    inside = np.ones(len(every), dtype=bool)
    if n > 1:
        back = np.arange(1, n)
        tail = (ends[:, None] - back)[back <= lengths[:, None]]
        inside[tail[tail < len(every)]] = False
    out = every[inside]
    if short.any():
        at = starts[:-1][short]
        full = np.ones(total, dtype=bool)
        full[at] = False
        padded = np.zeros(total, dtype=np.uint32)
        padded[full] = out
        idx = (ends - lengths)[short][:, None] + np.arange(n)
        cols = np.where(np.arange(n) < lengths[short][:, None], cp[np.minimum(idx, len(cp) - 1)], 0)
        padded[at] = _window_hash(cols.astype(np.uint32).ravel(), n)[::n]
        out = padded
    return out, starts


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> np.ndarray:
    """The odd multipliers ``a`` of ``num_perm`` hash functions ``x -> a x mod 2^32`` (read-only:
    cached, because seeding a generator costs 0.4 ms and every collect task asks)."""
    rng = np.random.default_rng(seed)
    a = (rng.integers(0, 1 << 32, num_perm, dtype=np.uint64) | np.uint64(1)).astype(np.uint32)
    a.flags.writeable = False
    return a


def signatures(
    hashes: np.ndarray, starts: np.ndarray, a: np.ndarray, *, block: int = 4096
) -> np.ndarray:
    """MinHash signatures, shape ``(documents, num_perm)``, ``uint32``.

    A document without shingles gets all ``0xFFFFFFFF`` (callers skip it).  Memory: one
    ``num_perm x block`` work array (2 MB at the defaults) plus the output, 4 bytes per permutation
    per document.  Blocks are large because each numpy call costs microseconds: at 1,024 and 2,048
    shingles per block the calls, not the arithmetic, took half the time or more; 4,096 was 10 %
    faster than 8,192 (its work array stays in the L2 cache).

    >>> h, s = shingle_hashes(["今天天气很好啊", "今天天气很好啊", "完全不同的一句话"], 5)
    >>> sig = signatures(h, s, permutations(64, 1))
    >>> sig.shape, bool((sig[0] == sig[1]).all()), int((sig[0] == sig[2]).sum()) < 8
    ((3, 64), True, True)
    """
    count = len(starts) - 1
    num_perm = len(a)
    total = len(hashes)
    out = np.full((count, num_perm), _MAX32, dtype=np.uint32)
    if total == 0:
        return out
    nonempty = np.flatnonzero(starts[1:] > starts[:-1])
    doc_starts = starts[:-1][nonempty]
    # Segments: every document start and every block boundary, so no segment spans two of either.
    # (A sort of the two, not np.union1d: its hash-based unique cost 0.6 ms per batch.)
    cuts = np.concatenate([doc_starts, np.arange(0, total, block, dtype=np.int64)])
    cuts.sort()
    cuts = cuts[np.concatenate(([True], cuts[1:] != cuts[:-1]))]
    # The segments of block k are cuts[ends[k-1]:ends[k]]; each segment's minima go to a column of
    # seg_min, and one reduceat at the end merges the segments of a document that spans blocks.
    ends = np.searchsorted(cuts, np.minimum(np.arange(block, total + block, block), total)).tolist()
    seg_min = np.empty((num_perm, len(cuts)), dtype=np.uint32)
    # x | 1: an odd input never maps to 0, so no shingle hash is the minimum of every permutation at
    # once (costs one bit of the 32).
    odd = hashes | np.uint32(1)
    work = np.empty((num_perm, block), dtype=np.uint32)
    a_col = a[:, None]
    lo = 0
    for k, begin in enumerate(range(0, total, block)):
        x = odd[begin : begin + block]
        buf = work if len(x) == block else work[:, : len(x)]
        np.multiply(a_col, x, out=buf)
        hi = ends[k]
        np.minimum.reduceat(buf, cuts[lo:hi] - begin, axis=1, out=seg_min[:, lo:hi])
        lo = hi
    out[nonempty] = np.minimum.reduceat(seg_min, np.searchsorted(cuts, doc_starts), axis=1).T
    return out


def band_keys(sig: np.ndarray, bands: int, rows: int, seed: int = 0) -> np.ndarray:
    """64-bit keys, shape ``(documents, bands)``: equal keys mean an equal band (up to 2^-64).

    >>> sig = np.array([[1, 2, 3, 4], [1, 2, 9, 4], [1, 2, 3, 4]], dtype=np.uint32)
    >>> k = band_keys(sig, 2, 2)
    >>> bool(k[0, 0] == k[1, 0]), bool(k[0, 1] == k[1, 1]), bool((k[0] == k[2]).all())
    (True, False, True)
    >>> bool(k[0, 0] == k[0, 1])   # the band index is part of the key
    False
    """
    if bands * rows > sig.shape[1]:
        raise ValueError(f"{bands} bands x {rows} rows need {bands * rows} permutations, have {sig.shape[1]}")
    view = sig[:, : bands * rows].reshape(len(sig), bands, rows).astype(np.uint64)
    h = np.broadcast_to(
        (np.arange(bands, dtype=np.uint64) + np.uint64(seed) * np.uint64(1 << 20)) * _M3, view.shape[:2]
    ).copy()
    for r in range(rows):
        h ^= view[:, :, r]
        h *= _M1
        h ^= h >> np.uint64(29)
    return _mix64(h)


@lru_cache(maxsize=64)
def optimal_bands(
    threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5
) -> tuple[int, int]:
    """``(bands, rows)`` with ``bands * rows <= num_perm`` minimising the weighted error.

    The probability that two documents of Jaccard similarity ``s`` share at least one band is
    ``P(s) = 1 - (1 - s^rows)^bands``.  The false-positive area is the integral of ``P`` over
    ``[0, threshold]``, the false-negative area that of ``1 - P`` over ``[threshold, 1]``; the
    choice minimises ``fp_weight * FP + fn_weight * FN`` (the method of datasketch's
    ``optimal_param``, integrated here by the trapezoid rule on a 1001-point grid, all pairs at once).

    >>> optimal_bands(0.8, 128)
    (9, 13)
    >>> optimal_bands(0.8, 128, fp_weight=0.1, fn_weight=0.9)
    (14, 9)
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must be strictly between 0 and 1")
    pairs = np.array([(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)], dtype=np.float64)
    b, r = pairs[:, :1], pairs[:, 1:]
    lo = np.linspace(0.0, threshold, 1001)
    hi = np.linspace(threshold, 1.0, 1001)

    def area(y: np.ndarray, x: np.ndarray) -> np.ndarray:
        return ((y[:, 1:] + y[:, :-1]) * 0.5 * np.diff(x)).sum(axis=1)

    fp = area(1.0 - (1.0 - lo**r) ** b, lo)
    fn = area((1.0 - hi**r) ** b, hi)
    best = int(np.argmin(fp * fp_weight + fn * fn_weight))  # the first minimum: fewest bands
    return int(pairs[best, 0]), int(pairs[best, 1])


def collision_probability(similarity: float, bands: int, rows: int) -> float:
    """The chance that two documents of Jaccard ``similarity`` share at least one band.

    >>> round(collision_probability(0.9, 16, 8), 4), round(collision_probability(0.5, 16, 8), 4)
    (0.9999, 0.0607)
    """
    return float(1.0 - (1.0 - similarity**rows) ** bands)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle-hash arrays taken as sets.

    >>> jaccard(np.array([1, 2, 3, 3]), np.array([2, 3, 4]))
    0.5
    """
    ua = np.unique(a, return_inverse=True)[0]  # the sort-based path (see near._load_sets)
    ub = np.unique(b, return_inverse=True)[0]
    if len(ua) == 0 and len(ub) == 0:
        return 1.0
    inter = len(np.intersect1d(ua, ub, assume_unique=True))
    return inter / (len(ua) + len(ub) - inter)
