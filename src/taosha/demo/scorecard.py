"""What the demo planted and what a run did with it: one row per planted kind.

Every demo record lists its planted defects in ``meta["planted"]`` and its personal data in
``meta["pii"]`` (see :mod:`taosha.demo.generator`).  After a run, a planted document is either
removed (by which step, for which reason) or kept; for a kept one this module checks whether the
defect can still be seen in the output text, with detectors of its own (regular expressions, OpenCC
for script, a re-encoding for mojibake).  That gives, per kind, what a user wants to know:

- duplicates, very short posts, spam: how many were *removed*, and by which step;
- character defects, boilerplate lines, social-media markup: how many kept documents are *clean*;
- personal data: how many kept documents still show the number or address (*not redacted*).

``scorecard_from_run(OUT)`` reads ``OUT/data`` and ``OUT/removed`` (JSON Lines, plain, gzip or zstd);
:func:`format_scorecard` renders the rows as a plain-text table for the terminal;
``python -m taosha.demo.scorecard OUT`` prints it for a finished run.
"""

from __future__ import annotations

import gzip
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from taosha.demo import vocab as V
from taosha.io.zstd import open_zstd

__all__ = ["Row", "format_scorecard", "kind_of", "scorecard", "scorecard_from_run", "still_visible"]

_CJK = "\u4e00-\u9fff"
_NAV_WORDS = re.compile("|".join(V.NAV_ITEMS))


def kind_of(tag: str) -> str:
    """The row a planted tag counts in: ``exact_dup_of:demo-00012`` -> ``exact_dup``."""
    if tag.startswith("exact_dup_of:"):
        return "exact_dup"
    if tag.startswith("near_dup_of:"):
        return "near_dup"
    return tag


# What a cleaning run should do with each kind; the prefix decides for families.
_EXPECT = (
    ("exact_dup", "remove"), ("near_dup", "remove"), ("short", "remove"), ("spam:", "remove"),
    ("social:bare_repost", "remove"), ("pii:", "redact"), ("near_dup_edit:", "remove"),
    # zh-web keeps these on purpose: #话题# tags are kept (topics: keep) and traditional script is
    # not converted (t2s is off); the row shows that they came through as written.
    ("social:topic", "keep"), ("traditional", "keep"),
)


def expectation(kind: str) -> str:
    """``remove``, ``redact``, ``clean`` (keep the document, lose the defect) or ``keep`` (keep both:
    the default recipe's policy)."""
    for prefix, expect in _EXPECT:
        if kind.startswith(prefix):
            return expect
    return "clean"


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


def _shows_traditional(text: str) -> bool:
    converted = _t2s()(text)
    changed = sum(a != b for a, b in zip(text, converted, strict=False))
    # OpenCC rewrites the odd simplified word too ("沈思"), so one character is not evidence.
    return changed >= max(2, len(re.findall(f"[{_CJK}]", text)) // 100)


def _undo_single_byte(text: str) -> str | None:
    """UTF-8 read as latin-1 or windows-1252, read back; ``None`` if ``text`` is not that."""
    out = bytearray()
    for ch in text:
        if ord(ch) < 256:
            out.append(ord(ch))
        else:
            try:
                out += ch.encode("cp1252")
            except UnicodeEncodeError:
                return None
    try:
        fixed = out.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return fixed if fixed != text and len(re.findall(f"[{_CJK}]", fixed)) >= 4 else None


def _undo_gbk(text: str) -> str | None:
    """UTF-8 read as GBK, read back (lossy); ``None`` if ``text`` does not look like that."""
    undone = text.encode("gbk", errors="ignore").decode("utf-8", errors="replace")
    if undone == text or undone.count("\ufffd") >= len(undone) / 3:
        return None
    chars = [c for c in undone if not c.isspace()]
    return undone if len(re.findall(f"[{_CJK}]", undone)) > 0.25 * max(1, len(chars)) else None


_UNDO = {"mojibake:latin1": _undo_single_byte, "mojibake:cp1252": _undo_single_byte, "mojibake:gbk": _undo_gbk}
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FOLD_WIDTH = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_ENTITY_NOISE = re.compile(r"&(amp;)*#?\w+;|ampampquot|ampquot|ampnbsp|nbspnbsp|nbsp|quot|ldquo|rdquo|hellip")
# Kinds looked for in the text as it is; the others are looked for through the other defects.
_RAW_KINDS = ("entity:", "entity_residue", "zero_width", "bom", "control", "crlf", "fullwidth_ascii", "mojibake:")


def _prepare(kind: str, text: str, record: Mapping[str, Any] | None) -> str:
    """See through the other defects a document carries, so that one hides no other."""
    meta = (record or {}).get("meta") or {}
    for other in meta.get("planted", ()):
        if other in _UNDO and other != kind:
            undone = _UNDO[other](text)
            text = undone if undone is not None else text
    if not kind.startswith(_RAW_KINDS):
        text = _ENTITY_NOISE.sub("", _INVISIBLE.sub("", text)).translate(_FOLD_WIDTH)
        if meta.get("lang") == "zh-Hant" and kind.startswith(_SIMPLIFIED_KINDS):
            text = _t2s()(text)  # the patterns are written in simplified characters
    return text


def _nav_line(text: str) -> bool:
    return any(len(line) < 100 and len(_NAV_WORDS.findall(line)) >= 5 for line in text.split("\n"))


_PATTERNS: dict[str, re.Pattern[str]] = {
    "entity:named": re.compile(r"&(nbsp|emsp|ldquo|rdquo|hellip|middot|mdash);"),
    "entity:numeric": re.compile(r"&#\d+;"),
    "entity:double": re.compile(r"&amp;"),
    "entity_residue": re.compile(
        rf"ampampquot|ampquot|ampnbsp|nbspnbsp|(?<=[{_CJK}])(quot|nbsp|ldquo|rdquo|hellip)|(quot|nbsp|ldquo|rdquo|hellip)(?=[{_CJK}])"
    ),
    "zero_width": re.compile("[\u200b\u200c\u200d\u2060]|(?<=.)\ufeff", re.S),
    "bom": re.compile("^\ufeff"),
    "control": re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"),
    "crlf": re.compile("\r"),
    "fullwidth_ascii": re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"),
    "boilerplate:breadcrumb": re.compile(r"(当前位置|您的位置|位置)[：:]|首页 ?[>»]"),
    "boilerplate:meta_line": re.compile(r"\d{4}-\d{2}-\d{2}.{0,40}(来源|阅读|字体)|时间[：:]\d{4}"),
    "boilerplate:share": re.compile(r"分享到|扫一扫|朋友圈|打印本页|我要纠错|点赞 \d+"),
    "boilerplate:source": re.compile(r"(^|\n)\s*[（(]?(文章|本文)?来源[：:]"),
    "boilerplate:editor": re.compile(r"责任编辑|责编[：:]|编辑[：:].{1,4} 校对"),
    "boilerplate:prev_next": re.compile(r"[上下]一篇[：:]"),
    "boilerplate:copyright": re.compile(r"Copyright|版权所有|ICP备|本网站所刊载|关于我们 \|"),
    "related_teaser": re.compile(r"相关阅读|相关新闻|延伸阅读|推荐阅读|猜你喜欢|热点推荐"),
    "social:emote": re.compile(r"\[[^\[\]\n]{1,8}\]"),
    "social:topic": re.compile(r"#(?!\d+;)[^#\n]{1,20}#"),
    "social:tcn_link": re.compile(r"t\.cn/\w+|网页链接"),
    "social:repost_chain": re.compile(r"//@"),
}
_ASCII_PUNCT = re.compile(rf"[{_CJK}][,?!:]|(?<!\d)[,?!:][{_CJK}]")
_WEIBO_MARKUP = re.compile(r"//@[^:：/]+[:：]")
_NOT_DIGIT = re.compile(r"[\s\-+()]")
_SIMPLIFIED_KINDS = ("boilerplate:", "related_teaser", "social:")


def still_visible(kind: str, text: str, record: Mapping[str, Any] | None = None) -> bool | None:
    """Whether ``text`` still shows a defect of ``kind``; ``None`` when this module cannot tell.

    ``record`` (the document's record, for its ``meta["pii"]``) is needed for the ``pii:*`` kinds.
    """
    text = _prepare(kind, text, record)
    if kind.startswith("pii:"):
        items = ((record or {}).get("meta") or {}).get("pii") or []
        if not all(isinstance(p, Mapping) for p in items):
            return None  # kinds only: the values are in the answer key
        digits = _NOT_DIGIT.sub("", text)
        wanted = kind.split(":", 1)[1]
        return any(p["kind"] == wanted and (p["text"] in text or p["value"] in digits) for p in items)
    if kind == "traditional":
        return _shows_traditional(text)
    if kind in _UNDO:
        return _UNDO[kind](text) is not None
    if kind == "ascii_punct":
        return _ASCII_PUNCT.search(_WEIBO_MARKUP.sub("", text)) is not None
    if kind == "boilerplate:nav":
        return _nav_line(text)
    pattern = _PATTERNS.get(kind)
    return None if pattern is None else pattern.search(text) is not None


@dataclass
class Row:
    """One planted kind: how many documents carried it and what became of them."""

    kind: str
    expect: str
    planted: int = 0
    removed: int = 0
    kept: int = 0
    kept_visible: int | None = None  # kept documents still showing the defect; None: not measured
    removed_by: Counter[str] = field(default_factory=Counter)

    @property
    def verdict(self) -> str:
        if self.expect == "remove":
            return f"{self.removed}/{self.planted} removed"
        if self.kept_visible is None:
            return f"{self.kept} kept (not measured)"
        if self.expect == "keep":
            return f"{self.kept_visible}/{self.kept} kept as written (policy)"
        word = "redacted" if self.expect == "redact" else "clean"
        return f"{self.kept - self.kept_visible}/{self.kept} kept {word}"


def _text(record: Mapping[str, Any], text_field: str) -> str:
    value = record.get(text_field)
    return value if isinstance(value, str) else ""


def scorecard(kept: Iterable[Mapping[str, Any]], removed: Iterable[Mapping[str, Any]],
              *, text_field: str = "text", pii_key: Mapping[str, list[dict[str, str]]] | None = None) -> list[Row]:
    """Rows by planted kind, from the kept and the removed output records of a run.

    A removed record names its step in ``removed_by`` (``{"step", "reason"}``, as ``OUT/removed``
    holds it) or in a ``"step:reason"`` string.  Records without ``meta["planted"]`` (not from the
    demo) are ignored.  ``pii_key`` (document id -> planted personal data, the answer key that
    :func:`~taosha.demo.generator.write_corpus` writes) replaces the records' ``meta["pii"]``.
    """
    rows: dict[str, Row] = {}

    def row(kind: str) -> Row:
        if kind not in rows:
            rows[kind] = Row(kind, expectation(kind))
        return rows[kind]

    for record in removed:
        by = record.get("removed_by")
        label = f"{by.get('step')}:{by.get('reason')}" if isinstance(by, Mapping) else str(by)
        for kind in {kind_of(t) for t in (record.get("meta") or {}).get("planted", ())}:
            r = row(kind)
            r.planted += 1
            r.removed += 1
            r.removed_by[label] += 1
    for record in kept:
        if pii_key is not None:
            record = {**record, "meta": {**(record.get("meta") or {}), "pii": pii_key.get(str(record.get("id")), [])}}
        text = _text(record, text_field)
        for kind in {kind_of(t) for t in (record.get("meta") or {}).get("planted", ())}:
            r = row(kind)
            r.planted += 1
            r.kept += 1
            if r.expect == "remove":
                continue
            visible = still_visible(kind, text, record)
            if visible is not None:
                r.kept_visible = (r.kept_visible or 0) + visible
    order = {"remove": 0, "redact": 1, "clean": 2, "keep": 3}
    return sorted(rows.values(), key=lambda r: (order[r.expect], r.kind))


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    elif path.name.endswith(".zst"):
        raw = open_zstd(io.BytesIO(raw)).read()
    for line in raw.splitlines():
        if line.strip():
            yield orjson.loads(line)


def _records(directory: Path) -> Iterator[dict[str, Any]]:
    if not directory.is_dir():
        return
    for path in sorted(directory.iterdir()):
        if path.name.endswith((".jsonl", ".jsonl.gz", ".jsonl.zst")) and not path.name.startswith("."):
            yield from _read_jsonl(path)


def scorecard_from_run(out_dir: str | Path, *, text_field: str = "text", answer_key: str | Path | None = None) -> list[Row]:
    """:func:`scorecard` of a finished run directory (``OUT/data`` and ``OUT/removed``), with the
    personal data taken from ``answer_key`` (the corpus directory's ``.answer-key.jsonl.gz``)."""
    out = Path(out_dir)
    pii_key = None
    if answer_key is not None:
        pii_key = {r["id"]: r["pii"] for r in _read_jsonl(Path(answer_key))}
    return scorecard(_records(out / "data"), _records(out / "removed"), text_field=text_field, pii_key=pii_key)


def format_scorecard(rows: Iterable[Row], *, top: int = 2) -> str:
    """A plain-text table: kind, planted, verdict, and the steps that removed most."""
    lines = [f"{'planted defect':<26}{'docs':>6}  {'outcome':<28}removed by"]
    for r in rows:
        by = ", ".join(f"{label} {n}" for label, n in r.removed_by.most_common(top))
        lines.append(f"{r.kind:<26}{r.planted:>6}  {r.verdict:<28}{by}".rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m taosha.demo.scorecard OUT``: print the scorecard of a finished demo run."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2) or not (Path(args[0]) / "data").is_dir():
        print("usage: python -m taosha.demo.scorecard OUT [ANSWER_KEY]  (a run directory holding data/ and removed/;"
              " the corpus's .answer-key.jsonl.gz)", file=sys.stderr)
        return 2
    print(format_scorecard(scorecard_from_run(args[0], answer_key=args[1] if len(args) == 2 else None)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
