"""Reading crawls: WARC files (``.warc``, ``.warc.gz``) -> one document per HTML page.

Read with fastwarc (about 4x faster than warcio on gzipped WARC and 10x on plain WARC in
``benchmarks/extraction.py``; either is small next to extraction).  Each ``response`` record with
an HTTP status of 200 and an HTML content type (``text/html``, ``application/xhtml+xml``, or none
given), and each ``resource`` record of an HTML type, becomes a document:

- ``id``: the ``WARC-Record-ID`` without its angle brackets (``urn:uuid:...``);
- ``text``: the main text (:mod:`taosha.io.html`), one paragraph per line;
- ``meta``: ``url`` (``WARC-Target-URI``), ``title``, ``date`` (publication date, ``YYYY-MM-DD``,
  when the page gives one) and ``crawl``: ``warc_date``, ``encoding``, ``charset_from`` (see
  :class:`taosha.io.encoding.Decoded`) and ``extractor``.

Other records (``warcinfo``, ``request``, ``metadata``, redirects, errors, images, PDFs) are not
documents and are passed over; their number is logged at debug level.  HTTP transfer and content
encodings (chunked, gzip, brotli) are undone before decoding.

Quarantine reasons (the record number in the file stands in for the line number):

===================  ===========================================================
reason               meaning
===================  ===========================================================
undecodable          the page's bytes fit no charset (:func:`~taosha.io.encoding.decode_html`)
too_large            the HTTP payload is over ``max_record_size``; its first MiB is kept
truncated_file       the WARC stream ends early or is corrupt; the records before it are kept
===================  ===========================================================

A page whose main text is empty is still a document, with an empty text: the length filter
removes it with its reason, so it is counted where the other removals are.
"""

from __future__ import annotations

import gzip
import io
import logging
import zlib
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from taosha.document import Document
from taosha.io.html import page_document, require

if TYPE_CHECKING:
    from taosha.io.readers import Quarantined, ShardReader

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml", "")


def _is_html(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in _HTML_TYPES


class _Guarded(io.RawIOBase):
    """A stream that ends, instead of raising, where its source turns out cut or corrupt.

    fastwarc reads ahead in large blocks: an exception from the source would lose the records
    already in its buffer.  Ending the stream lets it hand them over; ``error`` says why it ended.
    """

    def __init__(self, source: IO[bytes]):
        self.source = source
        self.error: str | None = None
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # fastwarc asks where it is, and may rewind: pass both on to the source.
        if whence == io.SEEK_CUR and offset == 0:
            return self.position
        self.position = self.source.seek(offset, whence)
        return self.position

    def read(self, size: int = -1) -> bytes:
        if self.error:
            return b""
        try:
            # read1: what one step of decompression gives; read(size) would lose it on an early end.
            read1 = getattr(self.source, "read1", None)
            data = read1(size) if read1 is not None else self.source.read(size)
        except (EOFError, OSError, zlib.error) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            return b""
        self.position += len(data)
        return data

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_warc(reader: ShardReader) -> Iterator[Document | Quarantined]:
    """The documents of one WARC file (a shard is always one whole file)."""
    from taosha.io.files import open_binary
    from taosha.io.readers import Quarantined

    warc = require("fastwarc.warc")
    require("trafilatura")
    f = reader.shard.files[0]
    wanted = warc.WarcRecordType.response | warc.WarcRecordType.resource
    skipped = 0
    number = 0
    pending: Document | Quarantined | None = None
    with open_binary(f.path) as fh:
        # Python's gzip rather than fastwarc's own: it reports a cut or corrupt stream (EOFError,
        # BadGzipFile) where fastwarc stops silently; it costs ~0.03 s per 1,000 pages.
        gzipped = fh.read(2) == b"\x1f\x8b"
        fh.seek(0)
        source: IO[bytes] = gzip.GzipFile(fileobj=fh, mode="rb") if gzipped else fh  # type: ignore[assignment]
        stream = _Guarded(source)
        records = warc.ArchiveIterator(stream, record_types=wanted, parse_http=True, auto_decode="all")
        cut_exactly = False
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except (OSError, ValueError) as exc:
                stream.error = stream.error or f"{type(exc).__name__}: {exc}"
                break
            number += 1
            if not gzipped and f.size and record.stream_pos + record.content_length > f.size:
                # A plain WARC cut inside this record: what is left of it is not the page.
                stream.error = (f"record {number} is cut: it needs {record.content_length} bytes from offset "
                                f"{record.stream_pos}, the file has {f.size}")
                cut_exactly = True
                break
            try:
                reader.bytes_read = fh.tell()
            except (OSError, ValueError):
                pass
            item = _page_item(warc, record, number, f.rel, reader.settings.max_record_size)
            if item is None:
                skipped += 1
                continue
            # Held back one record: a compressed stream that ends early hands over the record it
            # was in as if whole, and only the end of the stream tells.
            if pending is not None:
                yield pending
            pending = item
        if pending is not None:
            if stream.error and not cut_exactly:
                lost = pending.id if isinstance(pending, Document) else f"record {number}"
                yield Quarantined(f.rel, number, "truncated_file", f"{lost}: the stream ends in or after it: {stream.error}")
            else:
                yield pending
        elif stream.error:
            yield Quarantined(f.rel, number + 1, "truncated_file", f"after record {number}: {stream.error}")
        if stream.error and cut_exactly:
            yield Quarantined(f.rel, number, "truncated_file", stream.error)
        try:
            reader.bytes_read = max(reader.bytes_read, fh.tell())
        except (OSError, ValueError):
            pass
    if skipped:
        log.debug("%s: %d records that are not HTML pages passed over", f.rel, skipped)


def _page_item(warc: Any, record: Any, number: int, rel: str, limit: int) -> Document | Quarantined | None:
    """One record as a document, a quarantined record, or ``None`` when it is not an HTML page."""
    from taosha.io.encoding import DecodeFailure
    from taosha.io.readers import QUARANTINE_HEAD, Quarantined

    if record.record_type == warc.WarcRecordType.response:
        http = record.http_headers
        if http is None or http.status_code != 200 or not _is_html(record.http_content_type):
            return None
        charset = record.http_charset
    else:
        if not _is_html(record.headers.get("Content-Type")):
            return None
        charset = None
    url = record.headers.get("WARC-Target-URI") or None
    try:
        body = record.reader.read(limit + 1)
    except Exception as exc:  # a payload whose content encoding is broken
        return Quarantined(rel, number, "truncated_file", f"{url}: {type(exc).__name__}: {exc}")
    if len(body) > limit:
        size = len(body)
        while chunk := record.reader.read(1 << 20):
            size += len(chunk)
        return Quarantined(
            rel, number, "too_large", f"{url}: HTTP payload of {size} bytes > max_record_size {limit}",
            body[:QUARANTINE_HEAD], size,
        )
    rid = (record.record_id or f"{rel}:{number}").strip("<>")
    try:
        return page_document(
            body, doc_id=rid, http_charset=charset, url=url, extra={"warc_date": record.headers.get("WARC-Date")},
        )
    except DecodeFailure as exc:
        return Quarantined(rel, number, exc.reason, f"{url}: {exc}", body[:QUARANTINE_HEAD], len(body))
