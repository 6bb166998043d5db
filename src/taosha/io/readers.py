"""Readers: input files -> shards -> documents, with bad records quarantined rather than lost.

A *shard* is the unit of work an engine schedules: a compressed file, a byte range of a large plain
JSON Lines file (cut at line starts, so one huge file is not one task), a range of Parquet row groups,
or a group of plain-text files.  The shard list depends only on the inputs and ``shard_size``, never
on the number of workers, so every engine and every worker count produces the same output files.

Every record read becomes either a :class:`~taosha.document.Document` or a :class:`Quarantined`
naming the file, line and reason:

===================  ===========================================================
reason               meaning
===================  ===========================================================
malformed_json       the line is not valid JSON
invalid_utf8         the bytes are not UTF-8
not_an_object        valid JSON but not an object
missing_text         the text field is absent or null
text_not_string      the text field holds a number, list, ...
bad_id               the id field is not a string or a whole number
too_large            the record is over ``max_record_size``; its first MiB is kept
truncated_file       a compressed stream ends early or is corrupt; what came before is kept
unreadable_file      the file cannot be opened as its format (e.g. a broken Parquet footer)
undecodable          an HTML page whose bytes fit no charset (:mod:`taosha.io.encoding`)
===================  ===========================================================

WARC files and raw HTML files are read by :mod:`taosha.io.warc` and :mod:`taosha.io.html`.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from taosha.document import Document
from taosha.errors import InputError
from taosha.io.files import InputFile, open_binary
from taosha.io.zstd import open_zstd
from taosha.recipe import InputSettings

QUARANTINE_HEAD = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass(frozen=True)
class Quarantined:
    file: str
    line: int
    reason: str
    error: str
    raw: bytes = b""
    raw_size: int = 0

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"file": self.file, "line": self.line, "reason": self.reason, "error": self.error}
        try:
            record["raw"] = self.raw.decode("utf-8")
        except UnicodeDecodeError:
            import base64

            record["raw_base64"] = base64.b64encode(self.raw).decode("ascii")
        if self.raw_size > len(self.raw):
            record["raw_size"] = self.raw_size
        return record


@dataclass(frozen=True)
class Shard:
    index: int
    kind: str
    """``jsonl``, ``parquet``, ``txt``, ``warc`` or ``html``."""
    files: tuple[InputFile, ...]
    compression: str | None = None
    start: int = 0
    end: int | None = None
    """Byte range for plain JSONL, line range (``first_line`` .. ``end`` exclusive) for compressed
    JSONL, row-group range for Parquet; ``None`` means to the end."""
    first_line: int = 1
    """Line (or row) number of the range's first record, for ids derived from file and line."""
    size: int = 0

    @property
    def name(self) -> str:
        first = self.files[0].rel
        if self.kind in ("txt", "html") and len(self.files) > 1:
            return f"{first} (+{len(self.files) - 1} files)"
        if self.end is not None or self.start:
            unit = "rows" if self.kind == "parquet" else "lines" if self.compression else "bytes"
            return f"{first}[{unit} {self.start}:{'' if self.end is None else self.end}]"
        return first


def detect_kind(f: InputFile, declared: str) -> str:
    if declared != "auto":
        return declared
    name = f.rel.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".txt"):
        return "txt"
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    if name.endswith((".html", ".htm")):
        return "html"
    return "jsonl"


def sniff_compression(f: InputFile) -> str | None:
    name = f.rel.lower()
    if name.endswith(".gz"):
        return "gz"
    if name.endswith((".zst", ".zstd")):
        return "zst"
    with open_binary(f.path) as fh:
        magic = fh.read(4)
    if magic.startswith(_GZIP_MAGIC):
        return "gz"
    if magic.startswith(_ZSTD_MAGIC):
        return "zst"
    return None


COMPRESSION_GUESS = 3
"""Chinese JSONL shrinks about 3x under gzip or zstd; used only to size shards before reading."""
MIN_SHARD_SIZE = 1 << 20


def target_shard_size(files: list[InputFile], settings: InputSettings) -> int:
    """Bytes of (uncompressed) JSONL per shard: ``shard_size``, or less so that a small corpus still
    makes about ``min_shards`` shards and every core has work.  Depends on the inputs only, never
    on the number of workers, so the output files are the same whatever runs them."""
    total = sum(
        f.size * (COMPRESSION_GUESS if f.rel.lower().endswith((".gz", ".zst", ".zstd")) else 1)
        for f in files
        if detect_kind(f, settings.format) == "jsonl"
    )
    return min(settings.shard_size, max(MIN_SHARD_SIZE, total // max(1, settings.min_shards)))


def plan_shards(files: list[InputFile], settings: InputSettings, *, txt_group: int = 256) -> list[Shard]:
    """Cut input files into shards of about :func:`target_shard_size` bytes."""
    target = target_shard_size(files, settings)
    shards: list[Shard] = []
    txt_batch: list[InputFile] = []
    batch_kind = "txt"

    def flush_txt() -> None:
        if txt_batch:
            shards.append(Shard(len(shards), batch_kind, tuple(txt_batch), size=sum(f.size for f in txt_batch)))
            txt_batch.clear()

    for f in files:
        kind = detect_kind(f, settings.format)
        if kind in ("txt", "html"):
            if kind != batch_kind:
                flush_txt()
                batch_kind = kind
            txt_batch.append(f)
            if len(txt_batch) >= txt_group or sum(x.size for x in txt_batch) >= settings.shard_size:
                flush_txt()
            continue
        flush_txt()
        if kind == "warc":
            # WARC records are not line-aligned and gzip members cannot be found cheaply: a file is a shard.
            shards.append(Shard(len(shards), "warc", (f,), size=f.size))
            continue
        if kind == "parquet":
            for start, end, first_row, size in _parquet_ranges(f, settings.shard_size):
                shards.append(Shard(len(shards), "parquet", (f,), None, start, end, first_row, size))
            continue
        compression = sniff_compression(f)
        if compression is None and f.size > target:
            for start, end, first_line in _line_ranges(f, target):
                shards.append(Shard(len(shards), "jsonl", (f,), None, start, end, first_line, end - start))
        elif compression is not None and f.size * COMPRESSION_GUESS > target:
            ranges = _compressed_line_ranges(f, compression, target)
            for first_line, end_line, share in ranges:
                size = max(1, int(f.size * share))
                shards.append(Shard(len(shards), "jsonl", (f,), compression, first_line, end_line, first_line, size))
        else:
            shards.append(Shard(len(shards), "jsonl", (f,), compression, size=f.size))
    flush_txt()
    return shards


def _open_decompressed(raw: IO[bytes], compression: str) -> Any:
    if compression == "gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    return open_zstd(raw)


def _compressed_line_ranges(f: InputFile, compression: str, shard_size: int) -> list[tuple[int, int | None, float]]:
    """Line ranges ``(first, end exclusive, share of the file)`` of about ``shard_size`` decompressed
    bytes.  Costs one decompression of the file at planning time (hundreds of MB/s, against a few
    MB/s to process it), which buys parallel work on one large compressed file.  A file that cannot
    be decompressed to its end keeps its last range open, so the reader reports where it breaks."""
    bounds: list[tuple[int, int | None]] = []
    sizes: list[int] = []
    first, line, size = 1, 1, 0
    try:
        with open_binary(f.path) as raw:
            for record in _open_decompressed(raw, compression):
                size += len(record)
                line += 1
                if size >= shard_size:
                    bounds.append((first, line))
                    sizes.append(size)
                    first, size = line, 0
    except Exception:  # truncated or corrupt: the reader of the last range will say so
        size += 1
    if size or not bounds:
        bounds.append((first, None))
        sizes.append(size)
    else:
        bounds[-1] = (bounds[-1][0], None)
    total = max(1, sum(sizes))
    return [(a, b, n / total) for (a, b), n in zip(bounds, sizes, strict=True)]


def _line_ranges(f: InputFile, shard_size: int) -> list[tuple[int, int, int]]:
    """Byte ranges of about ``shard_size`` that start at line starts, with their first line numbers."""
    ranges = []
    with open_binary(f.path) as fh:
        start, line = 0, 1
        while start < f.size:
            nominal = start + shard_size
            if nominal >= f.size:
                end = f.size
            else:
                fh.seek(nominal)
                fh.readline()
                end = min(fh.tell(), f.size)
            ranges.append((start, end, line))
            line += _count_newlines(fh, start, end)
            start = end
    return ranges


def _count_newlines(fh: IO[bytes], start: int, end: int) -> int:
    fh.seek(start)
    remaining, count = end - start, 0
    while remaining > 0:
        chunk = fh.read(min(remaining, 8 << 20))
        if not chunk:
            break
        count += chunk.count(b"\n")
        remaining -= len(chunk)
    return count


def _parquet_ranges(f: InputFile, shard_size: int) -> list[tuple[int, int | None, int, int]]:
    import pyarrow.parquet as pq

    try:
        with open_binary(f.path) as fh:
            meta = pq.ParquetFile(fh).metadata
    except Exception:
        # A broken file is one shard; reading it quarantines it with the reason.
        return [(0, None, 1, f.size)]
    ranges: list[tuple[int, int | None, int, int]] = []
    start, size, row, first_row = 0, 0, 1, 1
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        size += rg.total_byte_size
        row += rg.num_rows
        if size >= shard_size or g == meta.num_row_groups - 1:
            ranges.append((start, g + 1, first_row, size))
            start, size, first_row = g + 1, 0, row
    return ranges or [(0, None, 1, f.size)]


@dataclass
class ShardReader:
    """Iterates one shard's records; ``bytes_read`` tells progress in input bytes."""

    shard: Shard
    settings: InputSettings
    bytes_read: int = field(default=0, init=False)

    def __iter__(self) -> Iterator[Document | Quarantined]:
        kind = self.shard.kind
        if kind == "jsonl":
            return self._jsonl()
        if kind == "parquet":
            return self._parquet()
        if kind == "txt":
            return self._txt()
        if kind == "warc":
            from taosha.io.warc import read_warc

            return read_warc(self)
        if kind == "html":
            from taosha.io.html import read_html_files

            return read_html_files(self)
        raise InputError(f"{self.shard.name}: unknown input format {kind!r}")

    # -- JSON Lines -------------------------------------------------------------------------------
    def _jsonl(self) -> Iterator[Document | Quarantined]:
        shard = self.shard
        f = shard.files[0]
        limit = self.settings.max_record_size
        with open_binary(f.path) as raw:
            stream: Any
            by_lines = shard.compression is not None
            if by_lines:
                stream = _open_decompressed(raw, shard.compression)  # type: ignore[arg-type]
            else:
                raw.seek(shard.start)
                stream = raw
            end = shard.end
            position = shard.start
            lineno = shard.first_line - 1
            base = 0
            if by_lines and lineno:
                # A later range of a compressed file: decompress and step over the earlier lines.
                try:
                    for _ in range(lineno):
                        while True:
                            skipped = stream.readline(1 << 20)
                            if not skipped or skipped.endswith(b"\n"):
                                break
                except Exception as exc:
                    yield Quarantined(f.rel, lineno, "truncated_file", f"{type(exc).__name__}: {exc}")
                    return
                base = raw.tell()
            while True:
                if end is not None and (lineno + 1 >= end if by_lines else position >= end):
                    break
                try:
                    line = stream.readline(limit + 1)
                except (EOFError, OSError, zlib.error) as exc:
                    yield Quarantined(f.rel, lineno + 1, "truncated_file", f"{type(exc).__name__}: {exc}")
                    break
                except Exception as exc:  # zstandard.ZstdError and friends
                    if type(exc).__module__.startswith("zstandard"):
                        yield Quarantined(f.rel, lineno + 1, "truncated_file", f"{type(exc).__name__}: {exc}")
                        break
                    raise
                if not line:
                    break
                lineno += 1
                position += len(line)
                if len(line) > limit and not line.endswith(b"\n"):
                    head, size = line[:QUARANTINE_HEAD], len(line)
                    while True:
                        rest = stream.readline(1 << 20)
                        size += len(rest)
                        position += len(rest)
                        if not rest or rest.endswith(b"\n"):
                            break
                    yield Quarantined(f.rel, lineno, "too_large", f"record of {size} bytes > max_record_size {limit}", head, size)
                    self.bytes_read = raw.tell() - base if by_lines else position - shard.start
                    continue
                self.bytes_read = raw.tell() - base if by_lines else position - shard.start
                if not line.strip():
                    continue
                yield self._record(line, f.rel, lineno)

    def _record(self, line: bytes, rel: str, lineno: int) -> Document | Quarantined:
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as uexc:
                return Quarantined(rel, lineno, "invalid_utf8", str(uexc), line.rstrip(b"\r\n"))
            return Quarantined(rel, lineno, "malformed_json", str(exc), line.rstrip(b"\r\n"))
        if not isinstance(obj, dict):
            return Quarantined(rel, lineno, "not_an_object", f"a JSON {type(obj).__name__}, not an object", line.rstrip(b"\r\n"))
        return self._document(obj, rel, lineno, line)

    def _document(self, obj: dict[str, Any], rel: str, lineno: int, raw: bytes | None) -> Document | Quarantined:
        settings = self.settings
        text = obj.pop(settings.text_field, None)
        if not isinstance(text, str):
            if raw is None:
                raw = orjson.dumps({settings.text_field: text, **obj}, default=str)
            reason = "missing_text" if text is None else "text_not_string"
            what = "absent or null" if text is None else f"a {type(text).__name__}"
            return Quarantined(rel, lineno, reason, f"field {settings.text_field!r} is {what}", raw.rstrip(b"\r\n"))
        doc_id = obj.pop(settings.id_field, None)
        if doc_id is None:
            doc_id = f"{rel}:{lineno}"
        elif isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
            if raw is None:
                raw = orjson.dumps({settings.id_field: doc_id, settings.text_field: text, **obj}, default=str)
            return Quarantined(rel, lineno, "bad_id", f"field {settings.id_field!r} is a {type(doc_id).__name__}", raw.rstrip(b"\r\n"))
        return Document(str(doc_id), text, obj)

    # -- Parquet ----------------------------------------------------------------------------------
    def _parquet(self) -> Iterator[Document | Quarantined]:
        import pyarrow.parquet as pq

        shard = self.shard
        f = shard.files[0]
        with open_binary(f.path) as fh:
            try:
                pf = pq.ParquetFile(fh)
            except Exception as exc:
                yield Quarantined(f.rel, 0, "unreadable_file", f"not a readable Parquet file: {exc}")
                return
            end = pf.metadata.num_row_groups if shard.end is None else shard.end
            groups = list(range(shard.start, end))
            row = shard.first_line - 1
            total = max(1, sum(pf.metadata.row_group(g).total_byte_size for g in groups))
            done = 0
            for g in groups:
                try:
                    table = pf.read_row_group(g)
                except Exception as exc:
                    yield Quarantined(f.rel, row + 1, "truncated_file", f"row group {g}: {exc}")
                    row += pf.metadata.row_group(g).num_rows
                    continue
                for obj in table.to_pylist():
                    row += 1
                    yield self._document(obj, f.rel, row, None)
                done += pf.metadata.row_group(g).total_byte_size
                self.bytes_read = int(shard.size * done / total)

    # -- plain text -------------------------------------------------------------------------------
    def _txt(self) -> Iterator[Document | Quarantined]:
        for f in self.shard.files:
            with open_binary(f.path) as fh:
                data = fh.read()
            self.bytes_read += len(data)
            if len(data) > self.settings.max_record_size:
                yield Quarantined(f.rel, 1, "too_large", f"file of {len(data)} bytes > max_record_size", data[:QUARANTINE_HEAD], len(data))
                continue
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                yield Quarantined(f.rel, 1, "invalid_utf8", str(exc), data)
                continue
            yield Document(f.rel, text, {})
