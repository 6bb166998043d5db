"""Main text out of an HTML page: extraction, title, date, and the ``html_extract`` step.

The extractor is trafilatura (``favor_precision``, comments and tables left out), with resiliparse's
``main_content`` text as the fallback when trafilatura finds no article (pages built from nested
layout tables, where it returns nothing).  resiliparse keeps the whole of such a page, so the
fallback keeps only its densest run of long lines (:func:`densest_block`).
``benchmarks/extraction.py`` measured them on generated Chinese news pages (``docs/ingestion.md``
has the figures and the reasons): on portal and blog pages trafilatura keeps the same article
characters as resiliparse and leaves 0-1.4% of the furniture characters where resiliparse leaves
11-13%; resiliparse is 10-40x faster.  On table layouts the fallback keeps 99.8-100% of the article
and none of the furniture.  What the extractor leaves behind (bylines, "责任编辑") is for the
``boilerplate_lines`` step that runs after it.

The extracted text has one paragraph per line (``\\n``), no blank lines, and no indentation
(the full-width ``\\u3000\\u3000`` that starts Chinese paragraphs is layout, not text).

Metadata: ``title`` (``og:title``, else ``<title>`` without a trailing ``_site`` / `` - site``
part), ``date`` (``YYYY-MM-DD`` from ``article:published_time`` and similar meta tags, a
``<time datetime>``, or the first date written in the page before its main text) and ``url`` (the
crawl's target URI, else ``<link rel=canonical>`` or ``og:url``).
"""

from __future__ import annotations

import html as _html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from taosha.document import Document
from taosha.errors import RecipeError
from taosha.step import Mapper

if TYPE_CHECKING:
    from taosha.io.readers import Quarantined, ShardReader

log = logging.getLogger(__name__)

EXTRA_HINT = "install the 'warc' extra: pip install 'taosha[warc]'"


def require(module: str) -> Any:
    """Import an optional dependency of the ``warc`` extra, or fail saying how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise RecipeError(f"reading HTML and WARC needs {module.split('.')[0]} ({exc}); {EXTRA_HINT}") from None


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None
    date: str | None
    url: str | None
    extractor: str
    """``trafilatura``, ``resiliparse`` (the fallback) or ``none`` (nothing found)."""

    def meta(self) -> dict[str, Any]:
        return {k: v for k, v in (("url", self.url), ("title", self.title), ("date", self.date)) if v}


_WS_LINE = " \t\r\f\v\u3000\xa0"


def tidy_paragraphs(text: str) -> str:
    """One paragraph per line: lines stripped of spaces and full-width indentation, blank ones dropped.

    >>> tidy_paragraphs("\\u3000\\u3000第一段。\\n\\n\\n\\u3000\\u3000第二段。 \\n")
    '第一段。\\n第二段。'
    """
    lines = (line.strip(_WS_LINE) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def extract(html: str, url: str | None = None) -> Extracted:
    """The main text of a page, with its title, date and URL."""
    text, extractor = _main_text(html, url)
    return Extracted(text, page_title(html), page_date(html), url or page_url(html), extractor)


def _main_text(html: str, url: str | None) -> tuple[str, str]:
    if not html.strip():
        return "", "none"
    trafilatura = require("trafilatura")
    try:
        text = trafilatura.extract(
            html, url=url, favor_precision=True, include_comments=False, include_tables=False,
            include_images=False, include_links=False, deduplicate=False, with_metadata=False,
        )
    except Exception as exc:  # a parser failure on one page must not end the shard
        log.debug("trafilatura failed on %s: %s", url, exc)
        text = None
    if text and text.strip():
        return tidy_paragraphs(text), "trafilatura"
    html2text = require("resiliparse.extract.html2text")
    parse = require("resiliparse.parse.html")
    text = html2text.extract_plain_text(
        parse.HTMLTree.parse(html), main_content=True, alt_texts=False, links=False, comments=False,
        list_bullets=False, form_fields=False, noscript=False,
    )
    # resiliparse joins table cells and inline blocks on one line with tabs; one cell a line lets the
    # line steps drop a sidebar cell without the paragraph beside it.
    text = densest_block(tidy_paragraphs(re.sub(r"\t{2,}", "\n", text or "")))
    return text, ("resiliparse" if text else "none")


BLOCK_FLOOR = 30
"""Visible characters a line needs to count for, not against, a block (:func:`densest_block`).

Calibrated with ``benchmarks/extraction.py`` on table-layout pages: floor 20 leaves 6% of the
furniture characters, 30 and 40 leave none; 30 keeps 99.5% of real news article characters, 40
keeps 99.2%."""


def densest_block(text: str, floor: int = BLOCK_FLOOR) -> str:
    r"""The run of consecutive lines with the most characters beyond ``floor`` per line.

    Each line weighs its visible characters minus ``floor``: paragraphs count for the block,
    navigation words, teaser headlines and comment lines against it; the best run is found in one
    pass (maximum subarray).  Text without any line longer than ``floor`` is returned whole.  Used
    on the fallback extractor's output, which is the whole page.

    >>> page = "首页\n新闻\n标题\n" + "这是正文的一段，写得足够长，长到超过了三十个字符的门槛，所以算数。\n" * 2 + "相关阅读\n另一篇文章的标题"
    >>> densest_block(page).split("\n")
    ['这是正文的一段，写得足够长，长到超过了三十个字符的门槛，所以算数。', '这是正文的一段，写得足够长，长到超过了三十个字符的门槛，所以算数。']
    >>> densest_block("短行\n也是短行")
    '短行\n也是短行'
    """
    lines = text.split("\n")
    best, span, run, start = 0, None, 0, 0
    for i, line in enumerate(lines):
        weight = len(line) - sum(line.count(c) for c in " \t\u3000") - floor
        if run <= 0:
            run, start = weight, i
        else:
            run += weight
        if run > best:
            best, span = run, (start, i + 1)
    return text if span is None else "\n".join(lines[span[0] : span[1]])


_TAG = re.compile(r"<[^>]+>")
_LOOKS_LIKE_HTML = re.compile(r"<(?:!doctype|html|head|body|div|p|br|table|article)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_META = re.compile(r"<meta\s[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_LINK_CANONICAL = re.compile(r"""<link\s[^>]*rel\s*=\s*["']?canonical[^>]*>""", re.IGNORECASE)
_TIME = re.compile(r"""<time\s[^>]*datetime\s*=\s*["']?([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})""", re.IGNORECASE)
_DATE_IN_TEXT = re.compile(r"((?:19|20)\d\d)\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})")
_SITE_SUFFIX = re.compile(r"\s*(?:_|\||｜|--|——| - | – )\s*[^_|｜]{1,30}$")
_DATE_KEYS = (
    "article:published_time", "og:published_time", "pubdate", "publishdate", "publish_date", "publication_date",
    "date", "dc.date", "dc.date.issued", "dcterms.date", "sailthru.date", "datepublished", "og:release_date",
)


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): _html.unescape(m.group(2) or m.group(3) or m.group(4) or "") for m in _ATTR.finditer(tag)}


def _metas(html: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in _META.findall(html[:200_000]):
        attrs = _attrs(tag)
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key and "content" in attrs:
            out.setdefault(key, attrs["content"].strip())
    return out


def _clean(fragment: str) -> str:
    return " ".join(_html.unescape(_TAG.sub(" ", fragment)).split())


def page_title(html: str) -> str | None:
    """The page's headline: ``og:title``, else ``<title>`` minus a trailing site name, else ``<h1>``.

    >>> page_title("<title>新线路开通首日客流平稳_星河新闻网</title>")
    '新线路开通首日客流平稳'
    >>> page_title("<title>湖人-马刺 - 体育频道</title>")
    '湖人-马刺'
    """
    og = _metas(html).get("og:title")
    if og:
        return og
    match = _TITLE.search(html[:200_000])
    if match:
        title = _clean(match.group(1))
        short = _SITE_SUFFIX.sub("", title)
        return short if len(short) >= 4 else title or None
    match = _H1.search(html)
    return (_clean(match.group(1)) or None) if match else None


def _iso(year: str, month: str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    if 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def page_date(html: str) -> str | None:
    """The publication date as ``YYYY-MM-DD``, or ``None``.

    >>> page_date('<meta property="article:published_time" content="2024-03-05T08:00:00+08:00">')
    '2024-03-05'
    >>> page_date("<body><h1>标题</h1><span>2024年3月5日 08:00 来源：本报</span>")
    '2024-03-05'
    """
    metas = _metas(html)
    for key in _DATE_KEYS:
        value = metas.get(key)
        if value:
            match = _DATE_IN_TEXT.search(value)
            if match and (iso := _iso(*match.groups())):
                return iso
    match = _TIME.search(html)
    if match:
        return _iso(*re.split(r"-", match.group(1)))
    body = html.find("<body")
    start = html.find("<h1", max(body, 0))
    text = _clean(html[start if start >= 0 else max(body, 0):][:20_000])
    match = _DATE_IN_TEXT.search(text)
    return _iso(*match.groups()) if match else None


def page_url(html: str) -> str | None:
    """``<link rel=canonical href>`` or ``og:url``.

    >>> page_url('<link rel="canonical" href="https://news.example.cn/a/1.html">')
    'https://news.example.cn/a/1.html'
    """
    match = _LINK_CANONICAL.search(html[:200_000])
    if match:
        href = _attrs(match.group(0)).get("href")
        if href:
            return href
    return _metas(html).get("og:url") or None


@dataclass(frozen=True, kw_only=True)
class HtmlExtract(Mapper):
    """Replace a document's text by the main text of the HTML it carries.

    For JSON Lines (or Parquet) records that hold a page's HTML: ``field`` names the record field
    with the HTML (default ``html``); ``field: text`` means the document text itself is the HTML (use
    it with ``input: {text_field: html}`` when the records have no other text; a text with no HTML
    tag in its first 64 KiB is then left as it is).  Documents without that field, or whose field
    is not a string, pass unchanged.  The page's ``url``, ``title`` and
    ``date`` are added to ``meta`` where the record has no value of its own; the HTML field is
    removed from ``meta`` unless ``keep_html``.  A page with no main text gets an empty text: the
    length filter after it removes it with its reason (a mapper never drops documents).

    Fixes counted: ``fix:extracted:trafilatura``, ``fix:extracted:resiliparse``, ``fix:extracted:none``.
    Needs the ``warc`` extra.
    """

    name = "html_extract"
    field: str = "html"
    keep_html: bool = False

    def __post_init__(self) -> None:
        # Fail when the recipe is built, not in the middle of the run.
        import importlib.util

        for module in ("trafilatura", "resiliparse"):
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                raise RecipeError(f"step html_extract needs {module}; {EXTRA_HINT}")

    def map_noted(self, doc: Document) -> tuple[Document, tuple[str, ...]]:
        if self.field == "text":
            if not _LOOKS_LIKE_HTML.search(doc.text[:65536]):
                return doc, ()
            html = doc.text
        else:
            value = doc.meta.get(self.field)
            if not isinstance(value, str):
                return doc, ()
            html = value
            if not self.keep_html:
                del doc.meta[self.field]
        url = doc.meta.get("url")
        found = extract(html, url if isinstance(url, str) else None)
        for key, value in found.meta().items():
            if doc.meta.get(key) in (None, ""):
                doc.meta[key] = value
        doc.text = found.text
        return doc, (f"extracted:{found.extractor}",)


# -- raw HTML files ----------------------------------------------------------------------------------


def page_document(
    data: bytes, *, doc_id: str, http_charset: str | None = None, url: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Document:
    """Decode and extract one page; raises :class:`~taosha.io.encoding.DecodeFailure`."""
    from taosha.io.encoding import decode_html

    decoded = decode_html(data, http_charset)
    found = extract(decoded.text, url)
    meta: dict[str, Any] = found.meta()
    meta["crawl"] = {
        **(extra or {}), "encoding": decoded.encoding, "charset_from": decoded.source, "extractor": found.extractor,
    }
    if decoded.replaced:
        meta["crawl"]["replaced_chars"] = decoded.replaced
    return Document(doc_id, found.text, meta)


def read_html_files(reader: ShardReader) -> Iterator[Document | Quarantined]:
    """One document per ``.html`` / ``.htm`` file of the shard; its id is the file's relative name."""
    from taosha.io.encoding import DecodeFailure
    from taosha.io.files import open_binary
    from taosha.io.readers import QUARANTINE_HEAD, Quarantined

    require("trafilatura")
    limit = reader.settings.max_record_size
    for f in reader.shard.files:
        with open_binary(f.path) as fh:
            data = fh.read()
        reader.bytes_read += len(data)
        if len(data) > limit:
            yield Quarantined(f.rel, 1, "too_large", f"file of {len(data)} bytes > max_record_size {limit}", data[:QUARANTINE_HEAD], len(data))
            continue
        try:
            yield page_document(data, doc_id=f.rel)
        except DecodeFailure as exc:
            yield Quarantined(f.rel, 1, exc.reason, str(exc), data[:QUARANTINE_HEAD], len(data))
