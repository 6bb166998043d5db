"""The step contracts: what the base classes count, remove and record."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass

import pytest

from taosha import Context, Document, Drop, Filter, LineFilter, Mapper, ScoreFilter
from taosha.pipeline import chain


@dataclass(frozen=True, kw_only=True)
class NoDigits(Filter):
    name = "no_digits"

    def keep(self, doc):
        return Drop("has_digit", doc.text) if any(c.isdigit() for c in doc.text) else True


@dataclass(frozen=True, kw_only=True)
class Shout(Mapper):
    name = "shout"

    def map(self, doc):
        doc.text = doc.text.replace("！", "！！")
        return doc


@dataclass(frozen=True, kw_only=True)
class CjkShare(ScoreFilter):
    name = "cjk_share_test"
    min_value: float | None = 0.5

    def score(self, doc):
        return sum("\u4e00" <= c <= "\u9fff" for c in doc.text) / max(1, len(doc.text))


@dataclass(frozen=True, kw_only=True)
class NoEditorLines(LineFilter):
    name = "no_editor"
    min_chars_left: int = 5

    def keep_line(self, line):
        return Drop("editor") if line.startswith("责任编辑") else True


def run(steps, docs, trace=None):
    removed = []
    ctx = Context(on_remove=lambda d, s, r, x: removed.append((d.id, s, r)), trace=trace)
    kept = list(chain([(s.name, s) for s in steps], docs, ctx))
    return kept, removed, ctx.stats


def test_filter_removes_with_reason_and_counts():
    docs = [Document("a", "今天天气很好"), Document("b", "2023年9月3日")]
    kept, removed, stats = run([NoDigits()], docs)
    assert [d.id for d in kept] == ["a"]
    assert removed == [("b", "no_digits", "has_digit")]
    s = stats.steps["no_digits"]
    assert (s.docs_in, s.docs_out, dict(s.removed)) == (2, 1, {"has_digit": 1})
    assert s.chars_in == len("今天天气很好") + len("2023年9月3日")


def test_mapper_counts_changed_documents_and_traces_diff():
    trace = []
    kept, removed, stats = run([Shout()], [Document("a", "太好了！"), Document("b", "平静")], trace)
    assert [d.text for d in kept] == ["太好了！！", "平静"]
    assert stats.steps["shout"].changed == 1 and not removed
    assert trace == [{"step": "shout", "doc": "a", "kind": "changed", "before": "太好了！", "after": "太好了！！", "fixes": []}]


def test_score_filter_keeps_signal_and_histogram():
    docs = [Document("zh", "这是中文内容"), Document("en", "This is English text 中")]
    kept, removed, stats = run([CjkShare()], docs)
    assert [d.id for d in kept] == ["zh"] and kept[0].meta["signals"]["cjk_share_test"] == 1.0
    assert removed == [("en", "cjk_share_test", "cjk_share_test_low")]
    hist = stats.steps["cjk_share_test"].histograms["cjk_share_test"]
    assert hist.n == 2 and hist.counts[-1] == 1


def test_score_filter_tag_mode_keeps_everything():
    kept, removed, stats = run([CjkShare(action="tag")], [Document("en", "English only")])
    assert len(kept) == 1 and not removed
    assert kept[0].meta["flags"] == ["cjk_share_test_low"]


def test_line_filter_removes_lines_and_boilerplate_only_documents():
    docs = [
        Document("a", "新华社北京9月3日电 今天召开会议。\n责任编辑：张三"),
        Document("b", "好\n责任编辑：李四"),
    ]
    kept, removed, stats = run([NoEditorLines()], docs)
    assert [d.text for d in kept] == ["新华社北京9月3日电 今天召开会议。"]
    assert removed == [("b", "no_editor", "boilerplate_only")]
    assert stats.steps["no_editor"].counters["lines_removed:editor"] == 2


def test_steps_are_frozen():
    with pytest.raises(FrozenInstanceError):
        NoDigits().name_x = 1  # type: ignore[attr-defined]
