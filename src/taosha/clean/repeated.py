"""``repeated_lines``: remove lines that appear in many different documents of the run (CCNet-style).

A line that recurs across many pages of a crawl is template text (menus, footers, disclaimers,
"本文来源于网络，如有侵权请联系删除"), whatever its wording; counting is the one rule that needs no word
list.  What is measured: for each line, the number of *distinct documents* of the whole run that
contain it (a line repeated inside one document counts once).  A line is removed when that number is
``>= min_docs`` (default 10).  Reason code: ``repeated_line``; a document left with fewer than
``min_chars_left`` visible characters is dropped with reason ``boilerplate_only``.

Line key: the line with whitespace removed, case and full-width folded, and every digit replaced by
``0`` (as CCNet does), so "2008-04-28 05:20" stamps and "第3页" counters group together; hashed with
64-bit xxh3.  Lines shorter than ``min_line_chars`` (default 2) key characters are neither counted
nor removed.

Only documents with at least ``min_doc_lines`` non-blank lines (default 2) take part: a one-line
document that recurs is a duplicate document, which is ``exact_dedup``'s business (and removing its
only line would delete every copy, including the one dedup keeps).

The default of 10 documents follows the usual practice for CCNet-like line dedup on web crawls
(CCNet removes any line seen before within a shard of ~5 GB; we count across the whole run instead,
so the result does not depend on sharding).  On small runs raise it or leave the step out.

Corpus-wide pass, memory-bounded like :mod:`taosha.dedup.exact`: ``collect`` writes the distinct
line hashes of each document (8 bytes each) into partitions by hash; ``reduce`` counts one partition
at a time with ``np.unique`` and keeps the hashes with count ``>= min_docs``; ``apply`` loads those
(only the repeated lines: small) and filters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xxhash

from taosha.dedup.exact import capped_partitions, load_array, load_partition, save_array, save_partitioned
from taosha.document import Document
from taosha.step import Drop, GlobalStep, StepContext, drop_lines
from taosha.text.keys import dedup_key

_REPEATED = Drop("repeated_line")


def line_key(line: str) -> str:
    """The normalized form two lines must share to count as the same line.

    >>> line_key("  2008-04-28 05:20 ") == line_key("2011-12-29 11:32")
    True
    >>> line_key("ＡＢＣ 首页") == line_key("abc首页")
    True
    """
    return dedup_key(line, whitespace=True, punctuation=False, width=True, case=True, digits=True)


def line_hash(key: str) -> int:
    return xxhash.xxh3_64_intdigest(key.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True, kw_only=True)
class RepeatedLines(GlobalStep):
    name = "repeated_lines"

    min_docs: int = 10
    min_line_chars: int = 2
    min_doc_lines: int = 2
    min_chars_left: int = 20
    partitions: int = 16

    def __post_init__(self) -> None:
        if self.min_docs < 2:
            raise ValueError("min_docs must be at least 2 (a line is always in its own document)")
        if not 1 <= self.partitions <= 4096:
            raise ValueError("partitions must be between 1 and 4096")

    def _doc_hashes(self, text: str) -> dict[int, None] | None:
        """Distinct line hashes of a document in line order, or None when it does not take part."""
        if "\n" not in text:
            return None
        lines = [line for line in text.split("\n") if line.strip()]
        if len(lines) < self.min_doc_lines:
            return None
        hashes: dict[int, None] = {}
        for line in lines:
            key = line_key(line)
            if len(key) >= self.min_line_chars:
                hashes[line_hash(key)] = None
        return hashes

    def collect(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        chunks: list[np.ndarray] = []
        for doc in docs:
            hashes = self._doc_hashes(doc.text)
            if hashes:
                chunks.append(np.fromiter(hashes, dtype=np.uint64, count=len(hashes)))
            yield doc
        allh = np.concatenate(chunks) if chunks else np.empty(0, dtype=np.uint64)
        save_partitioned(ctx.state_dir / "collect", ctx.shard_index, allh, allh, self.n_partitions(ctx.n_shards))

    def n_partitions(self, n_shards: int) -> int:
        return capped_partitions(self.partitions, n_shards)

    def reduce_plan(self, n_shards: int) -> list[int]:
        return [self.n_partitions(n_shards)]

    def reduce(self, phase: int, part: int, state_dir: Path, n_shards: int) -> None:
        allh = load_partition(state_dir / "collect", part, n_shards, np.uint64)
        values, counts = np.unique(allh, return_counts=True)
        frequent = np.stack([values, counts.astype(np.uint64)], axis=1)[counts >= self.min_docs]
        out = state_dir / "decide"
        out.mkdir(exist_ok=True)
        save_array(out / f"{part:04d}.npy", frequent.astype(np.uint64))

    def repeated(self, state_dir: Path, n_shards: int) -> dict[int, int]:
        """Line hash -> number of documents, for every line at or over the threshold."""
        table: dict[int, int] = {}
        for part in range(self.n_partitions(n_shards)):
            for h, n in load_array(state_dir / "decide" / f"{part:04d}.npy").tolist():
                table[h] = n
        return table

    def _verdict(self, line: str, table: dict[int, int]) -> bool | Drop:
        key = line_key(line) if line.strip() else ""
        if len(key) >= self.min_line_chars and line_hash(key) in table:
            return _REPEATED
        return True

    def apply(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        table = self.repeated(ctx.state_dir, ctx.n_shards)
        stats = ctx.stats
        for doc in docs:
            stats.docs_in += 1
            stats.chars_in += len(doc.text)
            if table and self._doc_hashes(doc.text) is not None:
                lines = doc.text.split("\n")
                verdicts = [self._verdict(line, table) for line in lines]
                if not drop_lines(doc, lines, verdicts, ctx, "repeated_line", self.min_chars_left):
                    continue
            stats.docs_out += 1
            stats.chars_out += len(doc.text)
            yield doc
