"""repeated_lines: counted over the whole run, thresholded by documents, same result however sharded."""

from __future__ import annotations

import pytest
from conftest import load_records

from taosha import Document
from taosha.clean.repeated import RepeatedLines, line_key
from taosha.pipeline import run_in_memory
from taosha.recipe import parse_recipe

FOOTER = "本站部分内容来源于网络，如有侵权请联系删除"
STAMP = "发布时间：2023-09-{:02d} 10:{:02d}"


CITIES = "北京 上海 广州 深圳 杭州 南京 成都 重庆 武汉 西安 苏州 天津 长沙 郑州 青岛 沈阳 宁波 昆明 大连 厦门 合肥 福州 济南 哈尔滨 长春 石家庄 南宁 贵阳 南昌 太原".split()
TOPICS = "老街 公园 地铁 菜市场 学校 医院 图书馆 码头 夜市 博物馆".split()


def pages(n: int, with_footer: int, with_nine: int = 0) -> list[Document]:
    # Lines differ in words, not only in digits: the key folds digits, as CCNet does.
    docs = []
    for i in range(n):
        city, topic = CITIES[i % len(CITIES)], TOPICS[i % len(TOPICS)]
        lines = [f"{city}{topic}的新变化", f"记者走访了{city}的{topic}，看到居民生活的点滴改变。", STAMP.format(i % 28 + 1, i % 60)]
        if i < with_nine:
            lines.append("只在九篇文章里出现的一句话，不算模板")
        if i < with_footer:
            lines.append(FOOTER)
            lines.append(FOOTER)  # twice in one page: still one document
        docs.append(Document(f"p{i}", "\n".join(lines)))
    return docs


def recipe(**params):
    return parse_recipe({"name": "t", "steps": [{"repeated_lines": params}]})


def test_lines_in_many_documents_are_removed_by_reason():
    result = run_in_memory(recipe(min_docs=10), pages(12, with_footer=10, with_nine=9))
    s = result.stats.steps["repeated_lines"]
    kept = {d.id: d.text for d in result.kept}
    assert len(kept) == 12
    assert not any(FOOTER in t for t in kept.values())
    assert all("只在九篇" in kept[f"p{i}"] for i in range(9))  # 9 documents < 10
    # the date stamps differ only in digits: one key, 12 documents
    assert not any("发布时间" in t for t in kept.values())
    assert s.counters["lines_removed:repeated_line"] == 10 * 2 + 12
    assert s.changed == 12 and s.samples["line:repeated_line"]


def test_threshold_is_distinct_documents_not_occurrences():
    docs = pages(4, with_footer=4)  # footer appears 8 times, in 4 documents
    kept = run_in_memory(recipe(min_docs=5), docs).kept
    assert all(FOOTER in d.text for d in kept)
    kept = run_in_memory(recipe(min_docs=4), docs).kept
    assert not any(FOOTER in d.text for d in kept)


def test_same_decisions_whatever_the_sharding():
    docs = pages(30, with_footer=20, with_nine=9)
    one = run_in_memory(recipe(min_docs=10), [Document(d.id, d.text) for d in docs])
    three = run_in_memory(recipe(min_docs=10), [[Document(d.id, d.text) for d in docs[i::3]] for i in range(3)])
    assert sorted((d.id, d.text) for d in one.kept) == sorted((d.id, d.text) for d in three.kept)
    a, b = one.stats.steps["repeated_lines"], three.stats.steps["repeated_lines"]
    assert a.counters == b.counters


def test_single_line_documents_are_dedups_business():
    docs = [Document(f"d{i}", "转发微博，大家一起来关注这件事情吧") for i in range(20)]
    result = run_in_memory(recipe(min_docs=2), docs)
    assert len(result.kept) == 20 and result.stats.steps["repeated_lines"].changed == 0


def test_document_left_empty_is_dropped():
    docs = pages(10, with_footer=10)
    docs.append(Document("only-footer", f"{FOOTER}\n{STAMP.format(1, 1)}"))
    result = run_in_memory(recipe(min_docs=10), docs)
    assert result.removed_reasons() == {"only-footer": "repeated_lines:boilerplate_only"}


def test_parameters_are_checked():
    with pytest.raises(ValueError):
        RepeatedLines(min_docs=1)
    assert line_key(" ＡＢＣ 第3页 ") == line_key("abc第7页")


def test_real_pages():
    """ChineseWebText pages share little furniture with each other (different sites); at a low
    threshold what recurs is template text, never a page's longest paragraph."""
    records = load_records("web_chinesewebtext_sample.jsonl.gz", None)
    docs = [Document(r["id"], r["text"]) for r in records]
    result = run_in_memory(recipe(min_docs=3, min_chars_left=0), docs)
    s = result.stats.steps["repeated_lines"]
    removed = [x["text"] for x in s.samples.get("line:repeated_line", [])]
    assert s.counters["lines_removed:repeated_line"] >= 1
    longest = {r["id"]: max(r["text"].split("\n"), key=len) for r in records}
    for d in result.kept:
        assert longest[d.id] in d.text
    assert all(len(t) < 80 for t in removed)
