"""HTML ingestion: charset detection, main-text extraction quality, metadata, the html_extract step.

Every page is built here (``taosha.demo.warc_sample.build_page``): Chinese news pages with
navigation, breadcrumbs, teaser lists, comment blocks and footers, in UTF-8, GBK and Big5, with
right, wrong and missing charset declarations.  Some pages carry real article text from
``../shared/data`` (read at test time, never stored).
"""

from __future__ import annotations

import json
import random
import re
import statistics
from pathlib import Path

import pytest
from conftest import load_records

from taosha.demo.warc_sample import Page, build_page, score_extraction
from taosha.document import Document
from taosha.io.encoding import DecodeFailure, common_han_share, decode_html, normalize_charset
from taosha.io.files import expand_inputs
from taosha.io.html import HtmlExtract, extract, page_date, page_title, page_url, tidy_paragraphs
from taosha.io.readers import Quarantined, ShardReader, plan_shards
from taosha.pipeline import run_in_memory
from taosha.recipe import InputSettings, parse_recipe

ENCODINGS = ("utf-8", "gbk", "big5")
CASES = json.loads((Path(__file__).parent.parent / "cases" / "html_extract.json").read_text(encoding="utf-8"))["cases"]
# (HTTP header charset, <meta charset> present): True = the true charset.
DECLARATIONS = {
    "right": (True, True),
    "header_says_utf8": ("utf-8", True),
    "header_says_latin1_no_meta": ("iso-8859-1", False),
    "nothing_declared": (False, False),
    "meta_only": (False, True),
    "header_says_gb2312": ("gb2312", False),
    "header_says_big5": ("big5", False),
}


def _page(seed: int, **kw) -> Page:
    return build_page(random.Random(seed), index=seed, **kw)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("declaration", sorted(DECLARATIONS))
def test_pages_decode_whatever_their_charset_declarations_say(encoding, declaration):
    declared, meta = DECLARATIONS[declaration]
    for seed in range(4):
        page = _page(seed, encoding=encoding, declared=declared, meta_charset=meta)
        decoded = decode_html(page.body(), page.declared)
        assert decoded.text == page.html.encode(page.encoding, "xmlcharrefreplace").decode(page.encoding)
        assert decoded.replaced == 0
        assert normalize_charset(encoding) == decoded.encoding or decoded.encoding == "utf-8" == encoding


def test_a_meta_charset_that_lies_is_overruled():
    page = _page(1, encoding="big5", declared=False, meta_charset=False)
    lying = page.html.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=gbk">')
    decoded = decode_html(lying.encode("big5", "xmlcharrefreplace"), None)
    assert decoded.encoding == "big5hkscs" and decoded.source == "guess"
    assert "網友評論" in decoded.text


def test_real_news_under_crossed_declarations_decodes_right():
    """Real news text (simplified, and converted to traditional) on pages whose header names the
    other Chinese codec: the common-Han share of the right reading beats the crossed one."""
    from taosha.demo.warc_sample import _to_traditional

    texts = [r["text"][:300] for r in load_records("news_thucnews_sample.jsonl.gz", 40)]
    right, crossed, wrong = [], [], []
    for text in texts:
        for body, codec, lie in ((text, "gbk", "big5"), (_to_traditional(text), "big5", "gbk")):
            html = f"<html><body><p>{body}</p></body></html>"
            data = html.encode(codec, "xmlcharrefreplace")
            decoded = decode_html(data, lie)
            if decoded.text != data.decode(codec):
                wrong.append((codec, body[:30], decoded.encoding))
            right.append(common_han_share(body)[0])
            crossed.append(common_han_share(data.decode("big5hkscs" if codec == "gbk" else "gb18030", "ignore"))[0])
    assert wrong == []
    assert min(right) >= 0.9, min(right)
    assert max(crossed) < min(right) - 0.15, (max(crossed), min(right))


def test_korean_and_japanese_pages_are_not_read_as_chinese():
    """EUC-KR Hangul lands on common GB2312 characters when read as GBK; the frequent-character
    check sends such pages on to the detector, even under a header that says gbk."""
    korean = "<html><body><p>서울시는 오늘 새로운 지하철 노선의 운행을 시작했다고 밝혔습니다. 시민들은 출퇴근이 편리해졌다고 말했습니다.</p></body></html>"
    japanese = "<html><body><p>東京都は今日、新しい地下鉄路線の運行を開始したと発表しました。利用者からは便利になったという声が聞かれます。</p></body></html>"
    for text, codec in ((korean, "euc_kr"), (japanese, "shift_jis")):
        for header in (None, "gbk", codec):
            assert decode_html(text.encode(codec), header).text == text, (codec, header)


def test_a_page_cut_inside_a_character_decodes_with_one_replacement():
    page = _page(3, encoding="gbk", declared="gbk")
    body = page.body()
    cut = body[: body.index("。".encode("gbk"), len(body) // 2) + 1]  # the first byte of a two-byte character
    decoded = decode_html(cut, "gbk")
    assert decoded.encoding == "gb18030" and decoded.source == "lenient"
    assert decoded.replaced == 1
    assert decoded.text[:-1] == cut[:-1].decode("gbk")


def test_bytes_that_fit_no_charset_fail_with_a_reason():
    rng = random.Random(7)
    noise = b"<html><body>" + bytes(rng.randrange(0x80, 0x100) for _ in range(3000)) + b"</body></html>"
    with pytest.raises(DecodeFailure) as info:
        decode_html(noise, "utf-8")
    assert info.value.reason == "undecodable"
    assert "no charset fits" in str(info.value)


def test_an_ascii_page_and_a_bom_page():
    assert decode_html(b"<p>plain</p>", "gbk").source == "ascii"
    bom = decode_html(b"\xef\xbb\xbf<p>\xe4\xb8\xad\xe6\x96\x87</p>", "gbk")
    assert (bom.text, bom.source) == ("<p>中文</p>", "bom")


# -- extraction -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c["note"][:50], marks=[pytest.mark.xfail(strict=True, reason=c["note"])] if c.get("known_failure") else [])
        for c in CASES
    ],
)
def test_golden_cases(case):
    found = extract(case["input"])
    assert (found.text, found.title, found.date) == (case["expected"], case["title"], case["date"])



def _quality(pages: list[Page]) -> tuple[float, float, float]:
    kept, left, as_lines = [], [], []
    for page in pages:
        text = extract(page.html, page.url).text
        k, f = score_extraction(text, page)
        kept.append(k)
        left.append(f)
        lines = set(text.split("\n"))
        as_lines.append(sum(p in lines for p in page.article) / len(page.article))
    return statistics.mean(kept), statistics.mean(left), statistics.mean(as_lines)


@pytest.mark.parametrize("layout", ["portal", "blog"])
def test_extraction_keeps_the_article_and_drops_the_furniture(layout):
    pages = [_page(s, layout=layout, encoding=ENCODINGS[s % 3]) for s in range(12)]
    kept, left, as_lines = _quality(pages)
    assert kept >= 0.99, kept
    assert left <= 0.05, left
    assert as_lines >= 0.99, as_lines  # paragraph breaks survive: each paragraph is one line


def test_table_layout_falls_back_to_the_densest_block():
    """On nested layout tables trafilatura finds no article; the resiliparse fallback keeps the
    page's densest run of long lines."""
    pages = [_page(s, layout="table", encoding=ENCODINGS[s % 3]) for s in range(9)]
    kept, left, as_lines = _quality(pages)
    assert kept >= 0.99 and as_lines >= 0.99, (kept, as_lines)
    assert left <= 0.02, left  # the whole page (left 0.99) before the densest-block cut
    assert {extract(p.html).extractor for p in pages} == {"resiliparse"}


def _real_paragraphs(text: str) -> list[str]:
    sentences = re.findall(r"[^。！？]+[。！？]+[”」』]?", text)
    return ["".join(sentences[i : i + 3]).strip() for i in range(0, min(len(sentences), 18), 3)]


def test_extraction_quality_on_real_news_text():
    records = load_records("news_thucnews_sample.jsonl.gz", 60)
    pages = []
    for i, record in enumerate(records):
        paras = [p for p in _real_paragraphs(record["text"]) if p]
        if len(paras) >= 2:
            pages.append(_page(i, layout=("portal", "blog")[i % 2], article=paras, encoding=("utf-8", "gbk")[i % 2]))
    assert len(pages) >= 30
    kept, left, _ = _quality(pages[:30])
    assert kept >= 0.95, kept
    assert left <= 0.08, left


def test_tidy_paragraphs_one_paragraph_a_line():
    assert tidy_paragraphs("\u3000\u3000甲。\n\n  \n\u3000乙。\xa0\n") == "甲。\n乙。"


def test_title_date_and_url():
    page = _page(5, layout="portal")
    assert page_title(page.html) == page.title
    assert page_date(page.html) == page.date
    found = extract(page.html, page.url)
    assert (found.title, found.date, found.url) == (page.title, page.date, page.url)
    # The table layout has no date meta tag: the byline under the headline gives it.
    table = _page(6, layout="table")
    no_meta = re.sub(r'<meta property="article:published_time"[^>]*>', "", table.html)
    assert page_date(no_meta) == table.date
    assert page_url('<meta property="og:url" content="https://a.example.cn/x">') == "https://a.example.cn/x"
    assert page_title("<h1>只有大标题</h1>") == "只有大标题"


# -- the html_extract step --------------------------------------------------------------------------


def test_html_extract_step_replaces_text_and_fills_meta():
    page = _page(8, layout="blog")
    docs = [
        Document("a", "", {"html": page.html, "url": page.url}),
        Document("b", "已经是纯文本的记录。", {"source": "x"}),
        Document("c", page.html, {"title": "记录自带的标题"}),
    ]
    recipe = parse_recipe({"steps": [{"html_extract": {}}, {"html_extract": {"field": "text"}}]})
    step = HtmlExtract()
    a = step.map_noted(Document("a", "", {"html": page.html, "url": page.url}))[0]
    assert "html" not in a.meta and a.meta["title"] == page.title and a.meta["date"] == page.date
    assert score_extraction(a.text, page)[0] == 1.0
    kept_html = HtmlExtract(keep_html=True).map_noted(Document("a", "", {"html": page.html}))[0]
    assert kept_html.meta["html"] == page.html
    b = step.map_noted(Document("b", "已经是纯文本的记录。", {"source": "x"}))
    assert b[0].text == "已经是纯文本的记录。" and b[1] == ()
    c = HtmlExtract(field="text").map_noted(Document("c", page.html, {"title": "记录自带的标题"}))[0]
    assert c.meta["title"] == "记录自带的标题"  # the record's own value wins
    assert score_extraction(c.text, page)[0] == 1.0
    result = run_in_memory(recipe, docs)
    assert [d.id for d in result.kept] == ["a", "b", "c"]
    # "a" is extracted by the first step, "c" by the second; "b" is plain text and passes both.
    assert result.kept[1].text == "已经是纯文本的记录。"
    assert result.stats.steps["html_extract"].counters["fix:extracted:trafilatura"] == 1
    assert result.stats.steps["html_extract_2"].counters["fix:extracted:trafilatura"] == 1


def test_html_extract_unknown_parameter_is_a_recipe_error():
    from taosha.errors import RecipeError

    with pytest.raises(RecipeError, match="fild"):
        parse_recipe({"steps": [{"html_extract": {"fild": "html"}}]})


# -- raw HTML files ---------------------------------------------------------------------------------


def test_html_files_are_read_as_documents(tmp_path):
    pages = [
        _page(10, encoding="gbk", declared=False, meta_charset=True),
        _page(11, encoding="big5", declared=False, meta_charset=False),
        _page(12, encoding="utf-8", declared=False, meta_charset=False),
    ]
    for i, page in enumerate(pages):
        (tmp_path / f"p{i}.html").write_bytes(page.body())
    rng = random.Random(1)
    (tmp_path / "broken.htm").write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(2000)))
    files = expand_inputs([str(tmp_path)])
    shards = plan_shards(files, InputSettings())
    assert [s.kind for s in shards] == ["html"]
    items = list(ShardReader(shards[0], InputSettings()))
    docs = [x for x in items if isinstance(x, Document)]
    bad = [x for x in items if isinstance(x, Quarantined)]
    assert [d.id for d in docs] == ["p0.html", "p1.html", "p2.html"]
    assert [(b.file, b.reason) for b in bad] == [("broken.htm", "undecodable")]
    for doc, page in zip(docs, pages, strict=True):
        assert score_extraction(doc.text, page)[0] == 1.0
        assert doc.meta["title"] == page.title
        assert doc.meta["crawl"]["encoding"] == normalize_charset(page.encoding)
