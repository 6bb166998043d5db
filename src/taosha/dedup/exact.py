"""``exact_dedup``: remove documents whose normalized text appeared earlier in the run.

"Earlier" is the run's fixed document order (input order, then position within the input), so the
survivor of every duplicate group is its first copy, whatever the number of workers.  The survivor
records the group size in ``meta["dedup"]["exact_copies"]`` so that users can upsample.

Normalization before hashing, each switchable: width folding (full-width forms and U+3000 to ASCII),
case folding (ASCII and full-width letters) and whitespace removal (with zero-width marks) on by
default; punctuation/symbol removal and digit folding off (they merge texts that differ in meaning,
such as prices).  Done on a code-point array through one lookup table per setting, a batch of
documents at a time.  Hash: 64-bit xxh3 of the folded code points (UTF-32); at 10^9 documents the
chance of one false merge is about 3 %, so a collision costs at most one document per billion.

Corpus-wide pass, memory-bounded: ``collect`` writes 16 bytes per document (hash, shard, ordinal)
into one file per shard, in sections by ``hash % P``; ``reduce`` task ``p`` loads section ``p`` of
every shard's file (1/P of the run) and writes one decision file, in sections by shard; ``apply``
loads its shard's section of each.  P is ``partitions`` capped by the shard count, so a small run
creates 2 S files (S shards), not 2 S P.  Reason code: ``exact_duplicate``.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import xxhash

from taosha.document import Document
from taosha.step import GlobalStep, StepContext

_DROP = np.uint32(0xFFFFFFFF)
_TABLE_TOP = 0x10000
_SPACES = (9, 10, 11, 12, 13, 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F,
           0x3000, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)


@lru_cache(maxsize=8)
def _key_table(whitespace: bool, punctuation: bool, width: bool, case: bool, digits: bool) -> np.ndarray:
    """Code point -> folded code point, or ``_DROP`` for what the key leaves out.  Only the basic
    plane folds; beyond it every code point is kept as it is.  The table spans all of Unicode
    (4.4 MB) so that one gather needs no clipping and no second pass for astral characters."""
    table = np.arange(0x110000, dtype=np.uint32)
    if width:
        table[0xFF01:0xFF5F] -= np.uint32(0xFEE0)
        table[0x3000] = 0x20
    if case:
        upper = np.arange(ord("A"), ord("Z") + 1)
        table[upper] += np.uint32(32)
        if width:
            table[0xFF21:0xFF3B] += np.uint32(32)
    if digits or punctuation:
        categories = [unicodedata.category(chr(cp)) for cp in range(_TABLE_TOP)]
        folded = table[:_TABLE_TOP].copy()
        for cp, cat in enumerate(categories):
            target = int(folded[cp])
            tcat = categories[target] if target < _TABLE_TOP else cat
            if digits and tcat == "Nd":
                table[cp] = ord("0")
            elif punctuation and tcat[0] in "PS":
                table[cp] = _DROP
    if whitespace:
        table[list(_SPACES)] = _DROP
    table.flags.writeable = False
    return table


RECORD = np.dtype([("hash", "<u8"), ("shard", "<u4"), ("ordinal", "<u4")])
DECISION = np.dtype([("ordinal", "<u4"), ("copies", "<u4"), ("of_shard", "<u4"), ("of_ordinal", "<u4")])
_BATCH_CHARS = 1 << 18
"""Characters keyed per NumPy pass in ``collect``: a batch costs about 12 bytes per character."""


def save_array(path: Path, array: np.ndarray) -> None:
    """Write atomically, so a killed task never leaves a half-written state file behind."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.save(fh, array, allow_pickle=False)
    os.replace(tmp, path)


def load_array(path: Path) -> np.ndarray:
    return np.load(path, allow_pickle=False)


def capped_partitions(partitions: int, n_shards: int) -> int:
    """More partitions than shards buy only small files (each opened twice); decisions that are
    made per key never depend on how the keys are partitioned."""
    return max(1, min(partitions, n_shards))


# -- sectioned state files ----------------------------------------------------------------------
#
# Creating a file is what a small state file costs: 40-200 us of CPU for the temporary file and the
# rename, against 15 us to open and read one (benchmarks/dedup/bench_cpu.py).  So a task writes
# ONE file holding all its sections (partitions, or shards), and each reader reads only its
# section's bytes: the same memory bound as one file per section, with S + P files created per
# global step instead of 2 S P.  Layout: the items of one or more runs (each run sorted by section,
# so a section of a run is contiguous), then a trailer: ``int64[runs, sections + 1]`` item offsets,
# then ``int64 runs, int64 sections``.  Several runs let a streaming writer spill a bounded buffer.


class SectionWriter:
    """Writes a sectioned file run by run; :meth:`close` adds the trailer and renames into place."""

    def __init__(self, path: Path, sections: int):
        self.path = path
        self.sections = sections
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.fh = open(self.tmp, "wb")
        self.items = 0
        self.index: list[np.ndarray] = []

    def sort(self, items: np.ndarray, section_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``items`` sorted by section (stable), and the bounds of each section in the result."""
        # As uint16 (sections are at most 4,096), so that the stable sort is NumPy's radix sort:
        # linear, and a third of the time of sorting the int64 partition numbers.
        section_of = np.asarray(section_of).astype(np.uint16 if self.sections <= 1 << 16 else np.int64)
        order = np.argsort(section_of, kind="stable")
        return items[order], np.searchsorted(section_of[order], np.arange(self.sections + 1))

    def write_run(self, items: np.ndarray, section_of: np.ndarray) -> None:
        """Append ``items``, whose section numbers are ``section_of``, as one run."""
        self.write_merged([self.sort(items, section_of)])

    def write_merged(self, chunks: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Append several ``(items, bounds)`` chunks, each sorted by section (see :meth:`sort`), as
        one run: section by section, so nothing is concatenated (no copy of the buffer in memory)."""
        sizes = np.zeros(self.sections, dtype=np.int64)
        for _, bounds in chunks:
            sizes += np.diff(bounds)
        for section in range(self.sections):
            for items, bounds in chunks:
                lo, hi = int(bounds[section]), int(bounds[section + 1])
                if hi > lo:
                    self.fh.write(items[lo:hi].data)
        bounds = np.zeros(self.sections + 1, dtype=np.int64)
        np.cumsum(sizes, out=bounds[1:])
        self.index.append(bounds + self.items)
        self.items += int(bounds[-1])

    def close(self) -> None:
        index = np.stack(self.index) if self.index else np.zeros((0, self.sections + 1), dtype=np.int64)
        self.fh.write(index.tobytes())
        self.fh.write(np.array([len(self.index), self.sections], dtype=np.int64).tobytes())
        self.fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


def save_sections(path: Path, items: np.ndarray, section_of: np.ndarray, sections: int) -> None:
    """``items`` as a one-run sectioned file, section ``k`` being the items with ``section_of == k``."""
    writer = SectionWriter(path, sections)
    try:
        writer.write_run(items, section_of)
    except BaseException:
        writer.abort()
        raise
    writer.close()


def load_section(path: Path, section: int, dtype: np.dtype | type) -> np.ndarray:
    """Section ``section`` of a sectioned file (of every run, in run order), reading only its bytes."""
    dtype = np.dtype(dtype)
    with open(path, "rb") as fh:
        fh.seek(-16, os.SEEK_END)
        runs, sections = np.frombuffer(fh.read(16), dtype=np.int64).tolist()
        if not 0 <= section < sections:
            raise ValueError(f"{path} has {sections} sections, not {section + 1}")
        fh.seek(-16 - 8 * runs * (sections + 1), os.SEEK_END)
        index = np.frombuffer(fh.read(8 * runs * (sections + 1)), dtype=np.int64).reshape(runs, sections + 1)
        begin, end = index[:, section], index[:, section + 1]
        out = np.empty(int((end - begin).sum()), dtype=dtype)
        view = out.view(np.uint8).data  # a memoryview of the array
        at = 0
        for b, e in zip(begin.tolist(), end.tolist(), strict=True):
            if e > b:
                fh.seek(b * dtype.itemsize)
                fh.readinto(view[at : at + (e - b) * dtype.itemsize])
                at += (e - b) * dtype.itemsize
    return out


def save_partitioned(directory: Path, shard_index: int, records: np.ndarray, keys: np.ndarray, parts: int) -> None:
    """One shard's collected ``records`` split by ``keys % parts``, as one sectioned file."""
    directory.mkdir(parents=True, exist_ok=True)
    save_sections(directory / f"{shard_index:06d}.bin", records, keys % np.uint64(parts), parts)


def load_partition(directory: Path, part: int, n_shards: int, dtype: np.dtype | type) -> np.ndarray:
    """Partition ``part`` of every shard, concatenated in shard order."""
    collected = [load_section(directory / f"{s:06d}.bin", part, dtype) for s in range(n_shards)]
    return np.concatenate(collected) if collected else np.empty(0, dtype=dtype)


@dataclass(frozen=True, kw_only=True)
class ExactDedup(GlobalStep):
    name = "exact_dedup"

    whitespace: bool = True
    punctuation: bool = False
    width: bool = True
    case: bool = True
    digits: bool = False
    partitions: int = 16

    def __post_init__(self) -> None:
        if not 1 <= self.partitions <= 4096:
            raise ValueError("partitions must be between 1 and 4096")

    def key_hash(self, text: str) -> int:
        """The key of one text (see :meth:`key_hashes`).

        >>> step = ExactDedup()
        >>> step.key_hash("ＡＩ 绘画") == step.key_hash("ai绘画") != step.key_hash("ai绘画！")
        True
        """
        return int(self.key_hashes([text])[0])

    def key_hashes(self, texts: list[str]) -> np.ndarray:
        """xxh3 of each text's folded code points, ``uint64``.

        The whole batch is encoded and folded at once (one table gather, no per-character Python
        work), then each text's slice of the folded bytes is hashed: one encode and one gather per
        batch instead of per document took collect from 0.077 to 0.03 CPU-s on the long set.  Case
        folding covers ASCII and full-width letters only.
        """
        table = _key_table(self.whitespace, self.punctuation, self.width, self.case, self.digits)
        cps = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        folded = np.take(table, cps)
        ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
        keep = folded != _DROP
        dropped = np.flatnonzero(~keep)
        if len(dropped):
            ends -= np.searchsorted(dropped, ends)  # each text's end among the kept code points
            folded = folded[keep]
        data = folded.view(np.uint8).data  # a memoryview of the array
        bounds = (4 * ends).tolist()
        digest = xxhash.xxh3_64_intdigest
        hashes = [digest(data[b:e]) for b, e in zip([0, *bounds[:-1]], bounds, strict=True)]
        return np.array(hashes, dtype=np.uint64)

    def collect(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        hashes: list[np.ndarray] = [np.empty(0, dtype=np.uint64)]
        texts: list[str] = []
        chars = 0
        for doc in docs:
            texts.append(doc.text)
            chars += len(doc.text)
            yield doc
            if chars >= _BATCH_CHARS:
                hashes.append(self.key_hashes(texts))
                texts, chars = [], 0
        if texts:
            hashes.append(self.key_hashes(texts))
        keys = np.concatenate(hashes)
        records = np.empty(len(keys), dtype=RECORD)
        records["hash"] = keys
        records["shard"] = ctx.shard_index
        records["ordinal"] = np.arange(len(keys), dtype=np.uint32)
        save_partitioned(ctx.state_dir / "collect", ctx.shard_index, records, keys, self.n_partitions(ctx.n_shards))

    def n_partitions(self, n_shards: int) -> int:
        return capped_partitions(self.partitions, n_shards)

    def reduce_plan(self, n_shards: int) -> list[int]:
        return [self.n_partitions(n_shards)]

    def reduce(self, phase: int, part: int, state_dir: Path, n_shards: int) -> None:
        records = load_partition(state_dir / "collect", part, n_shards, RECORD)
        order = np.lexsort((records["ordinal"], records["shard"], records["hash"]))
        records = records[order]
        first = np.ones(len(records), dtype=bool)
        first[1:] = records["hash"][1:] != records["hash"][:-1]
        group = np.cumsum(first) - 1
        sizes = np.bincount(group)
        keeper = np.flatnonzero(first)[group]
        # Decided: every copy after the first (copies = 0, with its original), and every first copy
        # of a group of two or more (with the group size).  One file for all shards, by shard.
        dropped = ~first
        kept_multi = first & (sizes[group] > 1)
        decided = dropped | kept_multi
        decision = np.zeros(int(decided.sum()), dtype=DECISION)
        decision["ordinal"] = records["ordinal"][decided]
        decision["copies"] = np.where(dropped, 0, sizes[group])[decided]
        decision["of_shard"] = np.where(dropped, records["shard"][keeper], 0)[decided]
        decision["of_ordinal"] = np.where(dropped, records["ordinal"][keeper], 0)[decided]
        out = state_dir / "decide"
        out.mkdir(exist_ok=True)
        save_sections(out / f"{part:04d}.bin", decision, records["shard"][decided], n_shards)

    def apply(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        decide = ctx.state_dir / "decide"
        parts = [load_section(decide / f"{p:04d}.bin", ctx.shard_index, DECISION)
                 for p in range(self.n_partitions(ctx.n_shards))]
        decided = np.concatenate(parts) if parts else np.empty(0, dtype=DECISION)
        table = dict(zip(decided["ordinal"].tolist(),
                         zip(decided["copies"].tolist(), decided["of_shard"].tolist(),
                             decided["of_ordinal"].tolist(), strict=True), strict=True))
        counters = ctx.stats.counters

        def act(doc: Document, entry: tuple[int, int, int]) -> bool:
            n_copies, of_shard, of_ordinal = entry
            if not n_copies:
                ctx.remove(doc, "exact_duplicate", f"copy of document {of_ordinal} of shard {of_shard}")
                return False
            doc.meta.setdefault("dedup", {})["exact_copies"] = n_copies
            counters["groups"] += 1
            return True

        return apply_by_ordinal(docs, ctx, table, act)


def apply_by_ordinal(
    docs: Iterable[Document], ctx: StepContext, table: dict[int, Any], act: Callable[[Document, Any], bool]
) -> Iterator[Document]:
    """A global step's ``apply``: the documents in the order ``collect`` saw them, each whose ordinal
    has a decision in ``table`` handed to ``act(doc, decision)``, which returns ``False`` when it has
    removed the document.  Counts in and out are kept locally and added once: per-document updates
    of the stats were a third of the time of an ``apply``."""
    stats = ctx.stats
    n_in = n_out = chars_in = chars_out = 0
    try:
        for ordinal, doc in enumerate(docs):
            n = len(doc.text)
            n_in += 1
            chars_in += n
            entry = table.get(ordinal)
            if entry is not None and not act(doc, entry):
                continue
            n_out += 1
            chars_out += n
            yield doc
    finally:
        stats.docs_in += n_in
        stats.chars_in += chars_in
        stats.docs_out += n_out
        stats.chars_out += chars_out
