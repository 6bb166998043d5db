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

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from taosha.document import Document
from taosha.io.html import page_document, require

if TYPE_CHECKING:
    from taosha.io.readers import Quarantined, ShardReader

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml", "")


def _is_html(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in _HTML_TYPES


def read_warc(reader: ShardReader) -> Iterator[Document | Quarantined]:
    """The documents of one WARC file (a shard is always one whole file)."""
    from taosha.io.encoding import DecodeFailure
    from taosha.io.files import open_binary
    from taosha.io.readers import QUARANTINE_HEAD, Quarantined

    warc = require("fastwarc.warc")
    require("trafilatura")
    f = reader.shard.files[0]
    limit = reader.settings.max_record_size
    wanted = warc.WarcRecordType.response | warc.WarcRecordType.resource
    skipped = 0
    number = 0
    with open_binary(f.path) as fh:
        records = warc.ArchiveIterator(fh, record_types=wanted, parse_http=True, auto_decode="all")
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as exc:  # fastwarc reports a cut or corrupt stream as OSError / ValueError
                yield Quarantined(f.rel, number + 1, "truncated_file", f"{type(exc).__name__}: {exc}")
                break
            number += 1
            try:
                reader.bytes_read = fh.tell()
            except (OSError, ValueError):
                pass
            is_response = record.record_type == warc.WarcRecordType.response
            if is_response:
                http = record.http_headers
                if http is None or http.status_code != 200 or not _is_html(record.http_content_type):
                    skipped += 1
                    continue
                charset = record.http_charset
            else:
                if not _is_html(record.headers.get("Content-Type")):
                    skipped += 1
                    continue
                charset = None
            try:
                body = record.reader.read(limit + 1)
            except Exception as exc:
                yield Quarantined(f.rel, number, "truncated_file", f"record {number}: {type(exc).__name__}: {exc}")
                break
            rid = (record.record_id or f"{f.rel}:{number}").strip("<>")
            url = record.headers.get("WARC-Target-URI") or None
            if len(body) > limit:
                yield Quarantined(
                    f.rel, number, "too_large", f"{url}: HTTP payload over max_record_size {limit}",
                    body[:QUARANTINE_HEAD], len(body),
                )
                continue
            try:
                doc = page_document(
                    body, doc_id=rid, http_charset=charset, url=url,
                    extra={"warc_date": record.headers.get("WARC-Date")},
                )
            except DecodeFailure as exc:
                yield Quarantined(f.rel, number, exc.reason, f"{url}: {exc}", body[:QUARANTINE_HEAD], len(body))
                continue
            yield doc
        try:
            reader.bytes_read = max(reader.bytes_read, fh.tell())
        except (OSError, ValueError):
            pass
    if skipped:
        log.debug("%s: %d records that are not HTML pages passed over", f.rel, skipped)
