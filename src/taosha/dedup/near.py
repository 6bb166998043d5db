"""``near_dedup``: remove near-duplicates (MinHash-LSH over character n-grams), corpus-wide.

What is measured: the Jaccard similarity of two documents' sets of character ``ngram``-grams
(after folding width and case and removing whitespace, when ``fold``), estimated with ``num_perm``
MinHash permutations and found with LSH: two documents are candidates when they agree on every row
of at least one of ``bands`` bands.  ``bands`` and ``rows`` default to the pair that minimises the
weighted false-positive and false-negative probability at ``threshold``
(:func:`taosha.dedup.minhash.optimal_bands`).  With verification on, false positives cost only a
check, so false negatives weigh 0.9 and false positives 0.1: 14 bands x 9 rows for 0.8 and 128
permutations (a pair at Jaccard 0.8 becomes a candidate with probability 0.87, at 0.9 with 0.999);
without verification the weights are equal, as in datasketch: 9 x 13 (0.40 and 0.93).  With ``verify``
(the default) each candidate pair's exact Jaccard of shingle-hash sets is computed and pairs below
``threshold`` are discarded, which removes LSH's false positives.  Clusters are the connected
components of the remaining pairs (so similarity is transitive: A~B and B~C put A, B, C together).

Which direction drops: in each cluster one document survives — the longest (in characters of the
original text), ties broken by the smallest (shard index, position in shard) — and every other member
is removed with reason ``near_duplicate``; the detail names the survivor.  The survivor carries
``meta["dedup"] = {"cluster": id, "cluster_size": n}``, where ``id = shard * 2**32 + position`` of
the survivor, so that users can join it with the removed records or upsample.  Cluster sizes are
histogrammed as ``cluster_size`` (one count per cluster).

Where the defaults come from (``benchmarks/dedup/``, ``docs/dedup.md``): character 5-grams and 128
permutations measured on near-duplicate sets built from ../shared/data and the real Weibo repost
threads; threshold 0.8 as in the peers (datatrove, NeMo Curator, Data-Juicer's defaults are 0.7-0.8).

Stages, with files under ``ctx.state_dir`` between them (P = partitions, b = ``bands``, S = shards).
Each task writes ONE file, in sections that the next phase's tasks read by offset
(:class:`taosha.dedup.exact.SectionWriter`): creating a file costs more CPU than reading a slice, so
a run creates 2 S + 2 P + 1 files (25 on the 6-shard long set, where one file per section made 162).

=========================  ========================================================================
collect (per shard)        batches of ``batch_chars`` characters (at most 8,192 documents):
                           shingles -> signatures -> band keys: 24 bytes per band per document
                           (key, node, length, tie-break), buffered up to 4 MB and then written
                           as one run of ``bands/{shard}.bin`` in sections by ``key % P``.  With
                           ``verify``, the raw shingle hashes stream to ``shingles-{shard}.bin``
                           (4 bytes per character; each document's offset at the end).  Memory:
                           one batch, about 40 MB at the defaults, plus the 4 MB buffer, whatever
                           the shard size.
reduce phase 0 (P tasks)   one band partition (its section of every shard's file): sort the keys;
                           each run of equal keys becomes star edges from its centre (longest
                           member) to the others: k - 1 edges for k members, so 5,000 copies of
                           「转发微博」 cost 5,000 edges, not 12.5 million pairs.  Written to
                           ``edges0/{part}.bin`` in sections by ``u % P``.  Memory: the partition,
                           24 b N / P bytes, plus its sort.
reduce phase 1 (P tasks)   the edges of one ``u % P`` partition from every phase-0 task,
                           de-duplicated across bands; with ``verify``, each pair's exact Jaccard
                           (shingle files read through a memory map).  Written to
                           ``edges1/{part}.bin``.  Memory: 24 bytes per edge of the partition,
                           plus the shingle sets of its documents.
reduce phase 2 (1 task)    union-find over all verified edges (numpy label propagation with pointer
                           jumping: deterministic, the label of a component is its smallest node),
                           survivor per cluster, ``decide.bin`` in sections by shard.  Memory:
                           about 60 bytes per edge; edges exist only for documents that have a
                           near-duplicate, so a corpus without duplicates costs nothing here.
apply (per shard)          reads its section of the decisions (17 bytes per decided document) and
                           removes or annotates.
=========================  ========================================================================

Measured (``docs/dedup.md``): peak RSS of ``taosha run`` with one worker 67 MB on 9,224 long
documents, 77 MB on 200,000 short ones, 106 MB on all 609,462 documents of ../shared/data.

Every output depends only on the shard contents and shard indices, never on the number of workers
or on the order in which tasks finish; files are written atomically, so a resumed run re-does only
unfinished tasks and reaches the same decisions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from taosha.dedup.exact import (
    SectionWriter,
    apply_by_ordinal,
    capped_partitions,
    load_partition,
    load_section,
    save_sections,
)
from taosha.dedup.minhash import band_keys, optimal_bands, permutations, shingle_hashes, signatures
from taosha.document import Document
from taosha.step import GlobalStep, StepContext

BAND = np.dtype([("key", "<u8"), ("node", "<u8"), ("length", "<u4"), ("tie", "<u4")])
EDGE = np.dtype([("u", "<u8"), ("v", "<u8"), ("lu", "<u4"), ("lv", "<u4")])
DECISION = np.dtype([("ordinal", "<u4"), ("survivor", "<u8"), ("size", "<u4"), ("keep", "u1")])
_NODE_SHIFT = np.uint64(32)
_BATCH_DOCS = 8192
"""At most this many documents per collect batch: a batch's signatures take 4 x num_perm bytes per
document (4 MB here) whatever the documents' lengths, so short texts do not inflate the batch."""
_ORDINAL_MASK = np.uint64(0xFFFFFFFF)
_SPILL_BYTES = 1 << 22
"""A collect task buffers this many bytes of band records (about 12,000 documents at 14 bands)
before writing them as one run of its band file: few runs per shard (one on the long set), so a
reduce task reads a few slices per shard, and 4 MB more memory than writing every batch at once."""


def save_raw(path: Path, array: np.ndarray) -> None:
    """Write an array's bytes atomically.  Raw files, not ``.npy``: every reader knows the dtype,
    and parsing ``.npy`` headers cost a tenth of a small run."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    array.tofile(tmp)
    os.replace(tmp, path)


def load_raw(path: Path, dtype: np.dtype | type, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Items ``start:stop`` of a raw array file, reading only those bytes."""
    dtype = np.dtype(dtype)
    count = -1 if stop is None else stop - start
    return np.fromfile(path, dtype=dtype, count=count, offset=start * dtype.itemsize)


class ShingleWriter:
    """A shard's shingle hashes (``uint32``, streamed batch by batch), then each document's offset
    into them (``int64``, documents + 1) and the document count: one file, written atomically.  The
    offsets ride in the same file because a created file costs more CPU than its contents here."""

    def __init__(self, path: Path):
        self.path = path
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.fh = open(self.tmp, "wb")
        self.offsets: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]

    def write(self, hashes: np.ndarray, starts: np.ndarray) -> None:
        self.fh.write(hashes.data)
        self.offsets.append(self.offsets[-1][-1] + starts[1:])

    def close(self) -> None:
        offsets = np.concatenate(self.offsets)
        self.fh.write(offsets.tobytes())
        self.fh.write(np.array([len(offsets) - 1], dtype=np.int64).tobytes())
        self.fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


def read_shingles(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``(hashes, offsets)`` of a file written by :class:`ShingleWriter`; the hashes through a
    memory map, so only the pages of the documents looked at are read."""
    with open(path, "rb") as fh:
        fh.seek(-8, os.SEEK_END)
        count = int(np.frombuffer(fh.read(8), dtype=np.int64)[0])
        fh.seek(-8 - 8 * (count + 1), os.SEEK_END)
        offsets = np.frombuffer(fh.read(8 * (count + 1)), dtype=np.int64)
    total = int(offsets[-1])
    hashes = np.memmap(path, dtype=np.uint32, mode="r", shape=(total,)) if total else np.zeros(0, np.uint32)
    return np.asarray(hashes), offsets


def node_id(shard: int, ordinal: int) -> int:
    """The run-wide id of a document: its shard index and its position in the shard.

    >>> node_id(3, 7), split_node(node_id(3, 7))
    (12884901895, (3, 7))
    """
    return (shard << 32) | ordinal


def split_node(node: int) -> tuple[int, int]:
    return node >> 32, node & 0xFFFFFFFF


@dataclass(frozen=True, kw_only=True)
class NearDedup(GlobalStep):
    name = "near_dedup"

    threshold: float = 0.8
    """Jaccard similarity of character n-gram sets at or above which two documents are duplicates."""
    ngram: int = 5
    """Shingle size in characters (Unicode code points)."""
    num_perm: int = 128
    bands: int | None = None
    """LSH bands; with ``rows``, overrides the choice made from ``threshold``."""
    rows: int | None = None
    fp_weight: float | None = None
    """Weight of the false-positive area when choosing bands and rows: by default 0.1 with ``verify``
    (a false candidate costs only a check) and 0.5 without."""
    fn_weight: float | None = None
    """Weight of the false-negative area: by default 0.9 with ``verify``, 0.5 without."""
    verify: bool = True
    """Check candidate pairs' exact Jaccard (costs 4 bytes of disk per character)."""
    fold: bool = True
    """Fold full-width forms and ASCII case, drop whitespace and zero-width marks, before shingling."""
    partitions: int | None = None
    """Partitions of the band keys and of the edges; by default one per 8 shards, at least 16 and at
    most 256, and never more than the shards (like ``exact_dedup``: more partitions than shards
    hold less than a shard's worth of band records per task, and cost tasks and file reads).  A
    phase-0 task holds about 24 x bands x documents / partitions bytes; each phase-1 task reads
    one slice of each phase-0 file (168 partitions, when each was its own file, made the reduce
    phases of all ../shared/data take 6.3 s instead of 1.6 s)."""
    seed: int = 1
    batch_chars: int = 1 << 18

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError("threshold must be strictly between 0 and 1")
        if self.ngram < 1 or self.num_perm < 1:
            raise ValueError("ngram and num_perm must be at least 1")
        if (self.bands is None) != (self.rows is None):
            raise ValueError("give both bands and rows, or neither (they are then derived from threshold)")
        if self.bands is not None and self.rows is not None and (
            self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_perm
        ):
            raise ValueError(f"bands x rows must be at most num_perm ({self.num_perm})")
        if self.partitions is not None and not 1 <= self.partitions <= 4096:
            raise ValueError("partitions must be between 1 and 4096")
        if self.batch_chars < 1:
            raise ValueError("batch_chars must be positive")

    def n_parts(self, n_shards: int) -> int:
        if self.partitions is not None:
            return self.partitions
        return capped_partitions(min(256, max(16, n_shards // 8)), n_shards)

    @cached_property
    def band_rows(self) -> tuple[int, int]:
        if self.bands is not None and self.rows is not None:
            return self.bands, self.rows
        fp = self.fp_weight if self.fp_weight is not None else (0.1 if self.verify else 0.5)
        fn = self.fn_weight if self.fn_weight is not None else (0.9 if self.verify else 0.5)
        return optimal_bands(self.threshold, self.num_perm, fp, fn)

    # -- collect ----------------------------------------------------------------------------

    def collect(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        shard = ctx.shard_index
        root = ctx.state_dir
        (root / "bands").mkdir(exist_ok=True)
        parts = np.uint64(self.n_parts(ctx.n_shards))
        bands_out = SectionWriter(root / "bands" / f"{shard:06d}.bin", int(parts))
        shingles_out = ShingleWriter(root / f"shingles-{shard:06d}.bin") if self.verify else None
        # Band records of the batches since the last run, each sorted by partition.
        pending: list[tuple[np.ndarray, np.ndarray]] = []
        a = permutations(self.num_perm, self.seed)
        texts: list[str] = []
        chars = 0
        ordinal = 0
        try:
            for doc in docs:
                text = doc.text
                texts.append(text)
                chars += len(text)
                yield doc
                if chars >= self.batch_chars or len(texts) >= _BATCH_DOCS:
                    records = self._collect_batch(texts, shard, ordinal, a, shingles_out)
                    pending.append(bands_out.sort(records, records["key"] % parts))
                    ordinal += len(texts)
                    texts, chars = [], 0
                    if sum(len(chunk) for chunk, _ in pending) * BAND.itemsize >= _SPILL_BYTES:
                        bands_out.write_merged(pending)
                        pending.clear()
            if texts:
                records = self._collect_batch(texts, shard, ordinal, a, shingles_out)
                pending.append(bands_out.sort(records, records["key"] % parts))
            if pending:
                bands_out.write_merged(pending)
        except BaseException:
            bands_out.abort()
            if shingles_out is not None:
                shingles_out.abort()
            raise
        bands_out.close()
        if shingles_out is not None:
            shingles_out.close()

    def _collect_batch(self, texts, shard, first, a, shingles_out) -> np.ndarray:  # type: ignore[no-untyped-def]
        """The band records of one batch of texts (documents without shingles have none)."""
        bands, rows = self.band_rows
        length = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        hashes, starts = shingle_hashes(texts, self.ngram, fold=self.fold, lengths=length)
        if shingles_out is not None:
            shingles_out.write(hashes, starts)
        sig = signatures(hashes, starts, a)
        has = np.flatnonzero(starts[1:] > starts[:-1])
        keys = band_keys(sig[has], bands, rows, self.seed)
        records = np.empty(keys.shape, dtype=BAND)
        records["key"] = keys
        records["node"] = ((np.uint64(shard) << _NODE_SHIFT) | (has + first).astype(np.uint64))[:, None]
        records["length"] = length[has].astype(np.uint32)[:, None]
        records["tie"] = sig[has, -1][:, None]
        return records.ravel()

    # -- reduce -----------------------------------------------------------------------------

    def reduce_plan(self, n_shards: int) -> list[int]:
        parts = self.n_parts(n_shards)
        return [parts, parts, 1]

    def reduce(self, phase: int, part: int, state_dir: Path, n_shards: int) -> None:
        if phase == 0:
            self._bucket_edges(part, state_dir, n_shards)
        elif phase == 1:
            self._verify_edges(part, state_dir, n_shards)
        elif phase == 2:
            self._cluster(state_dir, n_shards)
        else:
            raise ValueError(f"near_dedup has no reduce phase {phase}")

    def _bucket_edges(self, part: int, state_dir: Path, n_shards: int) -> None:
        records = load_partition(state_dir / "bands", part, n_shards, BAND)
        # Most band keys are unique: find the shared ones with one sort of the 64-bit keys, and do
        # the finer work only on those (structured-array sorts are ten times slower).
        keys = np.ascontiguousarray(records["key"])
        order = np.argsort(keys)
        sorted_keys = keys[order]
        shared = np.zeros(len(keys), dtype=bool)
        equal = sorted_keys[1:] == sorted_keys[:-1]
        shared[1:] |= equal
        shared[:-1] |= equal
        sub = records[order[shared]]
        # Bucket order: longest first, then a content-derived tie-break (the last MinHash value),
        # then the node.  The star centre, and so what verification sees, then depends on the
        # documents' content, not on how the corpus was cut into shards (copies with equal sets
        # are interchangeable).
        sub = sub[np.lexsort((sub["node"], sub["tie"], np.uint32(0xFFFFFFFF) - sub["length"], sub["key"]))]
        first = np.ones(len(sub), dtype=bool)
        first[1:] = sub["key"][1:] != sub["key"][:-1]
        head = np.flatnonzero(first)[np.cumsum(first) - 1]
        member = ~first
        edges = unique_edges(
            sub["node"][head[member]], sub["node"][member], sub["length"][head[member]], sub["length"][member]
        )
        # One file in sections by target partition, not one file per target: the number of files
        # grows as P, not P^2.
        parts = self.n_parts(n_shards)
        out = state_dir / "edges0"
        out.mkdir(exist_ok=True)
        save_sections(out / f"{part:04d}.bin", edges, edges["u"] % np.uint64(parts), parts)

    def _verify_edges(self, part: int, state_dir: Path, n_shards: int) -> None:
        chunks = [np.empty(0, dtype=EDGE)]
        chunks += [load_section(state_dir / "edges0" / f"{p:04d}.bin", part, EDGE) for p in range(self.n_parts(n_shards))]
        edges = np.concatenate(chunks)
        edges = unique_edges(edges["u"], edges["v"], edges["lu"], edges["lv"])
        if self.verify and len(edges):
            edges = edges[exact_jaccard(edges["u"], edges["v"], state_dir) >= self.threshold]
        out = state_dir / "edges1"
        out.mkdir(exist_ok=True)
        save_raw(out / f"{part:04d}.bin", edges)

    def _cluster(self, state_dir: Path, n_shards: int) -> None:
        chunks = [load_raw(state_dir / "edges1" / f"{q:04d}.bin", EDGE) for q in range(self.n_parts(n_shards))]
        edges = np.concatenate(chunks) if chunks else np.empty(0, dtype=EDGE)
        nodes, inverse = np.unique(np.concatenate([edges["u"], edges["v"]]), return_inverse=True)
        lengths = np.zeros(len(nodes), dtype=np.uint32)
        lengths[inverse] = np.concatenate([edges["lu"], edges["lv"]])
        ui, vi = inverse[: len(edges)], inverse[len(edges) :]
        label = connected_components(len(nodes), ui, vi)
        # Survivor: longest, then smallest node (nodes are sorted, so the index breaks ties).
        order = np.lexsort((np.arange(len(nodes)), -lengths.astype(np.int64), label))
        first = np.ones(len(order), dtype=bool)
        first[1:] = label[order][1:] != label[order][:-1]
        survivor_of_label = np.zeros(len(nodes), dtype=np.int64)
        survivor_of_label[label[order][first]] = order[first]
        survivor = nodes[survivor_of_label[label]]
        size = np.bincount(label, minlength=len(nodes))[label]
        shard_of = (nodes >> _NODE_SHIFT).astype(np.int64)
        decisions = np.empty(len(nodes), dtype=DECISION)
        decisions["ordinal"] = (nodes & _ORDINAL_MASK).astype(np.uint32)
        decisions["survivor"] = survivor
        decisions["size"] = size
        decisions["keep"] = survivor == nodes
        save_sections(state_dir / "decide.bin", decisions, shard_of, n_shards)

    # -- apply ------------------------------------------------------------------------------

    def apply(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        decided = load_section(ctx.state_dir / "decide.bin", ctx.shard_index, DECISION)
        table = {
            ordinal: (survivor, size, keep)
            for ordinal, survivor, size, keep in zip(
                decided["ordinal"].tolist(), decided["survivor"].tolist(), decided["size"].tolist(),
                decided["keep"].tolist(), strict=True,
            )
        }
        stats = ctx.stats
        hist = stats.histogram("cluster_size", 2, 66, 64)

        def act(doc: Document, entry: tuple[int, int, bool]) -> bool:
            survivor, size, keep = entry
            if not keep:
                shard, position = split_node(survivor)
                ctx.remove(
                    doc, "near_duplicate",
                    f"near-duplicate of document {position} of shard {shard} (cluster of {size})",
                )
                return False
            doc.meta.setdefault("dedup", {}).update({"cluster": survivor, "cluster_size": size})
            hist.add(size)
            stats.counters["clusters"] += 1
            stats.counters["cluster_members"] += size
            return True

        return apply_by_ordinal(docs, ctx, table, act)


def unique_edges(u: np.ndarray, v: np.ndarray, lu: np.ndarray, lv: np.ndarray) -> np.ndarray:
    """Edges as an ``EDGE`` array, sorted by ``(u, v)``, each pair once."""
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    keep = np.ones(len(u), dtype=bool)
    keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    edges = np.empty(int(keep.sum()), dtype=EDGE)
    edges["u"], edges["v"] = u[keep], v[keep]
    edges["lu"], edges["lv"] = lu[order][keep], lv[order][keep]
    return edges


def _load_sets(nodes: np.ndarray, state_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The sorted, de-duplicated shingle hashes of each of ``nodes`` (sorted node ids), as one array
    and ``nodes + 1`` offsets; read from each shard's shingle file through a memory map."""
    shard_of = (nodes >> _NODE_SHIFT).astype(np.int64)
    ordinal = (nodes & _ORDINAL_MASK).astype(np.int64)
    pieces: list[np.ndarray] = [np.zeros(0, dtype=np.uint64)]
    firsts = shard_of[np.concatenate(([True], shard_of[1:] != shard_of[:-1]))] if len(shard_of) else shard_of
    bounds = np.searchsorted(shard_of, firsts.tolist() + [np.iinfo(np.int64).max])
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        shard = int(shard_of[lo])
        data, offsets = read_shingles(state_dir / f"shingles-{shard:06d}.bin")
        begin, end = offsets[ordinal[lo:hi]], offsets[ordinal[lo:hi] + 1]
        sizes = end - begin
        index = np.repeat(begin - np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes) + np.arange(int(sizes.sum()))
        owner = np.repeat(np.arange(lo, hi, dtype=np.uint64), sizes)
        pieces.append((owner << _NODE_SHIFT) | data[index].astype(np.uint64))
    # Sorted by (node index, hash), repeats dropped.  A sort and a mask: NumPy 2.4's np.unique
    # (hash-based when no inverse or counts are asked for) takes 0.6 s per million uint64 values,
    # a sort 5 ms.
    tagged = np.sort(np.concatenate(pieces))
    if len(tagged):
        tagged = tagged[np.concatenate(([True], tagged[1:] != tagged[:-1]))]
    starts = np.searchsorted(tagged >> _NODE_SHIFT, np.arange(len(nodes) + 1, dtype=np.uint64))
    return (tagged & _ORDINAL_MASK).astype(np.uint32), starts


def exact_jaccard(u: np.ndarray, v: np.ndarray, state_dir: Path, *, chunk: int = 1 << 22) -> np.ndarray:
    """Exact Jaccard of the shingle-hash sets of each pair ``(u[k], v[k])``, vectorised.

    Both sets of a pair are tagged with the pair's index and sorted together; since each set has no
    repeats, a value seen twice is in both, so the intersection sizes are counts of adjacent equal
    values.  Pairs are processed in chunks of about ``chunk`` values to bound memory.
    """
    nodes, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    values, starts = _load_sets(nodes, state_dir)
    ia, ib = inverse[: len(u)], inverse[len(u) :]
    size = np.diff(starts)
    sa, sb = size[ia], size[ib]
    inter = np.zeros(len(u), dtype=np.int64)
    work = np.cumsum(sa + sb)
    lo = 0
    while lo < len(u):
        hi = max(lo + 1, int(np.searchsorted(work, (work[lo - 1] if lo else 0) + chunk, side="right")))
        tagged = []
        for idx, sz in ((ia[lo:hi], sa[lo:hi]), (ib[lo:hi], sb[lo:hi])):
            begin = starts[idx]
            index = np.repeat(begin - np.concatenate(([0], np.cumsum(sz)[:-1])), sz) + np.arange(int(sz.sum()))
            pair = np.repeat(np.arange(hi - lo, dtype=np.uint64), sz)
            tagged.append((pair << _NODE_SHIFT) | values[index].astype(np.uint64))
        both = np.sort(np.concatenate(tagged))
        same = both[1:][both[1:] == both[:-1]] >> _NODE_SHIFT
        inter[lo:hi] = np.bincount(same.astype(np.int64), minlength=hi - lo)
        lo = hi
    union = sa + sb - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


def connected_components(count: int, ui: np.ndarray, vi: np.ndarray) -> np.ndarray:
    """Component label of each of ``count`` nodes given edges ``ui[k] -- vi[k]``: its smallest node.

    Min-label propagation along the edges alternated with pointer jumping (``label = label[label]``);
    whole-array numpy passes, deterministic, a few dozen rounds even for long chains.

    >>> connected_components(6, np.array([0, 4, 3]), np.array([2, 5, 5])).tolist()
    [0, 1, 0, 3, 3, 3]
    """
    label = np.arange(count, dtype=np.int64)
    if len(ui) == 0:
        return label
    while True:
        lu, lv = label[ui], label[vi]
        low = np.minimum(lu, lv)
        if np.array_equal(lu, lv):
            break
        np.minimum.at(label, lu, low)
        np.minimum.at(label, lv, low)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
    return label
