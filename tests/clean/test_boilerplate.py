"""boilerplate_lines: golden page layouts, reason counts, the boilerplate_only drop, real pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import load_records

from taosha import Context, Document
from taosha.clean.boilerplate import BoilerplateLines, classify_line
from taosha.pipeline import chain

CASES = json.loads((Path(__file__).parents[1] / "cases" / "boilerplate.json").read_text(encoding="utf-8"))["cases"]
GOOD = [c for c in CASES if not c.get("known_failure")]
KNOWN = [c for c in CASES if c.get("known_failure")]


def run(step, texts):
    removed = []
    ctx = Context(on_remove=lambda d, s, r, x: removed.append((d.id, r)))
    docs = [Document(str(i), t) for i, t in enumerate(texts)]
    kept = list(chain([(step.name, step)], docs, ctx))
    return kept, removed, ctx.stats.steps[step.name]


@pytest.mark.parametrize("case", GOOD, ids=[c["note"][:50] for c in GOOD])
def test_golden(case):
    kept, removed, stats = run(BoilerplateLines(**case.get("params", {})), ["\n".join(case["input"])])
    if case["expected"] is None:
        assert kept == [] and removed == [("0", "boilerplate_only")]
    else:
        assert [d.text for d in kept] == ["\n".join(case["expected"])]
    lines = {k.split(":", 1)[1]: v for k, v in stats.counters.items() if k.startswith("lines_removed:")}
    assert lines == case["reasons"]


@pytest.mark.parametrize("case", KNOWN, ids=[c["note"][:50] for c in KNOWN])
def test_known_failures_still_fail(case):
    kept, _, _ = run(BoilerplateLines(), ["\n".join(case["input"])])
    expected = None if case["expected"] is None else "\n".join(case["expected"])
    assert [d.text for d in kept] != [expected]


def test_switches():
    page = "\n".join(GOOD[3]["input"])  # the related-news block
    kept, _, _ = run(BoilerplateLines(related_blocks=False), [page])
    assert "江西凤凰沟鲜花盛开" in kept[0].text and "相关新闻" in kept[0].text
    teaser = "\n".join(GOOD[4]["input"])
    kept, _, _ = run(BoilerplateLines(teaser_blocks=False), [teaser])
    assert kept[0].text == teaser
    furniture_only = next(c for c in GOOD if c["expected"] is None)
    kept, removed, _ = run(BoilerplateLines(min_chars_left=0), ["\n".join(furniture_only["input"])])
    assert removed == [] and kept[0].text == ""


def test_every_reason_has_a_length_cap():
    body = "据新华社报道，" + "今年全市经济运行稳中向好，各项指标保持增长。" * 12
    for lead in ["来源：", "责任编辑：", "上一篇：", "分享到", "版权所有", "首页 > ", "相关新闻："]:
        assert classify_line(lead + body) is None, lead


def test_real_pages_lines_removed_and_articles_kept():
    """ChineseWebText pages: furniture lines go, and every page keeps its first body paragraph."""
    records = load_records("web_chinesewebtext_sample.jsonl.gz", None)
    texts = [r["text"] for r in records if r["text"].count("\n") >= 3]
    kept, removed, stats = run(BoilerplateLines(min_chars_left=0), texts)
    total = sum(v for k, v in stats.counters.items() if k.startswith("lines_removed:"))
    assert total > 100
    assert stats.counters["lines_removed:prev_next"] >= 20
    assert not any("上一篇：" in line for d in kept for line in d.text.split("\n") if len(line) < 60)
    for before, after in zip(texts, kept, strict=True):
        longest = max(before.split("\n"), key=len)
        assert longest in after.text.split("\n")


def test_no_line_of_news_or_wikipedia_removed():
    step = BoilerplateLines()
    for name in ["news_thucnews_sample.jsonl.gz", "wiki_cmrc2018_contexts.jsonl.gz", "wiki_zhwiki_sample.jsonl.gz"]:
        texts = [r["text"] for r in load_records(name, 1000)]
        kept, removed, stats = run(step, texts)
        assert removed == [] and stats.changed == 0, name


def _page_lines(html: str) -> str:
    """Visible text of a page, one block element per line (a crude extractor, stdlib only)."""
    from html.parser import HTMLParser

    blocks = {"p", "div", "li", "h1", "h2", "h3", "tr", "br", "header", "footer", "section", "aside", "ul", "ol"}

    class Lines(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.out: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style", "title"):
                self.skip += 1
            elif tag in blocks:
                self.out.append("\n")
            elif tag == "td":
                self.out.append(" ")

        def handle_endtag(self, tag):
            if tag in ("script", "style", "title"):
                self.skip -= 1
            elif tag in blocks:
                self.out.append("\n")

        def handle_data(self, data):
            if not self.skip:
                self.out.append(data)

    parser = Lines()
    parser.feed(html)
    return "\n".join(line.strip() for line in "".join(parser.out).split("\n") if line.strip())


def test_generated_pages_lose_their_furniture_and_keep_the_article():
    """Pages built by taosha.demo.warc_sample (another author's layouts) around real THUCNews
    paragraphs: every article paragraph survives, and most furniture goes."""
    import random
    import re

    from taosha.demo.warc_sample import build_page, score_extraction

    texts = [r["text"] for r in load_records("news_thucnews_sample.jsonl.gz", 40)]
    rng = random.Random(11)
    step = BoilerplateLines(min_chars_left=0)
    for i, text in enumerate(texts[:12]):
        sentences = re.findall(r"[^。！？]+[。！？]+[”」』]?", text)
        paras = ["".join(sentences[j : j + 3]) for j in range(0, min(len(sentences), 12), 3)]
        page = build_page(rng, index=i, layout=("portal", "blog", "table")[i % 3], article=paras)
        extracted = _page_lines(page.html)
        lines = extracted.split("\n")
        verdicts = step.keep_lines(lines)
        after = "\n".join(line for line, v in zip(lines, verdicts, strict=True) if v is True)
        kept_before, left_before = score_extraction(extracted, page)
        kept_after, left_after = score_extraction(after, page)
        assert kept_after == kept_before == 1.0
        assert left_before > 0.9 and left_after < 0.3, (page.url, left_after)

