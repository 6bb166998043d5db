"""``taosha inspect``: run a recipe on one document and explain, step by step, what happened to it.

:func:`inspect_document` runs the recipe in memory with tracing on
(:func:`taosha.pipeline.run_in_memory`) and folds the trace into one entry per step: the text
before and after with a character diff, the fixes a mapper reported, the lines a line filter removed
and why, every score against its thresholds, PII counted, and the removal that ended the document's
way, if any.  :func:`render_text` turns that into the terminal view; the dict itself is the
``--json`` output.
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import Any

from taosha.document import Document
from taosha.recipe import Recipe

Segment = tuple[str, str]
"""``("=", text)`` unchanged, ``("-", text)`` deleted, ``("+", text)`` inserted."""

CHAR_DIFF_LIMIT = 20_000
"""Above this many characters in a changed block, the block is shown as deleted + inserted instead of
diffed by character: difflib's matching is quadratic in the worst case."""


def char_diff(before: str, after: str) -> list[Segment]:
    """A character-level diff, lines first (so long texts stay fast), then characters within lines.

    Chinese has no spaces between words, so a word diff would show whole sentences as changed.

    >>> char_diff("今天\\u200b天气很好。", "今天天气很好。")
    [('=', '今天'), ('-', '\\u200b'), ('=', '天气很好。')]
    >>> char_diff("第一行\\n广告：加微信\\n第三行", "第一行\\n第三行")
    [('=', '第一行\\n'), ('-', '广告：加微信\\n'), ('=', '第三行')]
    """
    a_lines = before.splitlines(keepends=True)
    b_lines = after.splitlines(keepends=True)
    out: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = "".join(a_lines[i1:i2]), "".join(b_lines[j1:j2])
        if op == "equal":
            _push(out, "=", a)
        elif op == "delete":
            _push(out, "-", a)
        elif op == "insert":
            _push(out, "+", b)
        elif len(a) + len(b) > CHAR_DIFF_LIMIT:
            _push(out, "-", a)
            _push(out, "+", b)
        else:
            chars = difflib.SequenceMatcher(None, a, b, autojunk=False)
            for cop, k1, k2, m1, m2 in chars.get_opcodes():
                if cop == "equal":
                    _push(out, "=", a[k1:k2])
                else:
                    _push(out, "-", a[k1:k2])
                    _push(out, "+", b[m1:m2])
    return out


def _push(out: list[Segment], op: str, text: str) -> None:
    if not text:
        return
    if out and out[-1][0] == op:
        out[-1] = (op, out[-1][1] + text)
    else:
        out.append((op, text))


def visible(text: str) -> str:
    """Make invisible and control characters visible as ``⟨U+XXXX⟩`` (newlines and tabs stay).

    >>> visible("a\\u200bb\\u3000c\\ufeff")
    'a⟨U+200B⟩b⟨U+3000⟩c⟨U+FEFF⟩'
    """
    out = []
    for ch in text:
        if ch in "\n\t ":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp", "Co", "Cn"):
            out.append(f"⟨U+{ord(ch):04X}⟩")
        else:
            out.append(ch)
    return "".join(out)


def _drop_lines(text: str, removed: list[str]) -> str:
    """``text`` without the ``removed`` lines, matched in order.

    >>> _drop_lines("标题\\n责任编辑：张三\\n正文", ["责任编辑：张三"])
    '标题\\n正文'
    """
    kept, j = [], 0
    for line in text.split("\n"):
        if j < len(removed) and line == removed[j]:
            j += 1
        else:
            kept.append(line)
    return "\n".join(kept)


def _score_rows(event: dict[str, Any], params: dict[str, Any]) -> list[dict[str, Any]]:
    """Scores of a trace ``score`` event with their thresholds and verdicts."""
    value = event.get("value")
    rows = []
    if isinstance(value, dict):
        broken = set(event.get("broken", []))
        for signal, v in value.items():
            lo, hi = params.get(f"min_{signal}"), params.get(f"max_{signal}")
            verdict = "low" if f"{signal}_low" in broken else "high" if f"{signal}_high" in broken else "ok"
            rows.append({"signal": signal, "value": v, "min": lo, "max": hi, "verdict": verdict})
    else:
        lo, hi = event.get("min"), event.get("max")
        v = float(value) if value is not None else float("nan")
        verdict = "low" if lo is not None and v < lo else "high" if hi is not None and v > hi else "ok"
        rows.append({"signal": event["step"], "value": v, "min": lo, "max": hi, "verdict": verdict})
    return rows


def inspect_document(recipe: Recipe, doc: Document) -> dict[str, Any]:
    """Run ``recipe`` on ``doc`` alone and return what each step did to it (JSON-able)."""
    from taosha.pipeline import run_in_memory

    original = doc.text
    result = run_in_memory(recipe, [doc], trace=True)
    trace = result.trace or []
    steps_out = []
    removal: dict[str, Any] | None = None
    text = original
    for label, step in recipe.steps:
        stats = result.stats.steps.get(label)
        events = [e for e in trace if e["step"] == label]
        params = step.params()
        entry: dict[str, Any] = {
            "label": label,
            "step": step.name,
            # Steps run in recipe order, so every step before the removing one saw the document.
            "reached": removal is None,
            "chars_in": len(text),
            "changes": [],
            "lines_removed": [],
            "scores": [],
            "pii": {},
            "fixes": [],
            "removed": None,
        }
        for event in events:
            kind = event["kind"]
            if kind == "changed":
                entry["changes"].append({
                    "fixes": event.get("fixes", []),
                    "diff": char_diff(event["before"], event["after"]),
                })
                entry["fixes"].extend(event.get("fixes", []))
                text = event["after"]
            elif kind == "line_removed":
                entry["lines_removed"].append({"line": event["line"], "reason": event["reason"]})
            elif kind == "score":
                entry["scores"].extend(_score_rows(event, params))
            elif kind == "removed":
                entry["removed"] = {"reason": event["reason"], "detail": event.get("detail", "")}
                removal = {"step": label, **entry["removed"]}
            else:
                entry.setdefault("other", []).append({k: v for k, v in event.items() if k not in ("step", "doc")})
        if entry["lines_removed"] and not entry["changes"]:
            # A line filter edits the text in place and traces only the removed lines (in order),
            # so the text after it is rebuilt by dropping them in order.  With several identical
            # lines the first copies are taken as the removed ones, which gives the same text
            # unless the identical lines were not adjacent; the trace carries no line numbers.
            new_text = _drop_lines(text, [x["line"] for x in entry["lines_removed"]])
            entry["changes"].append({"fixes": [], "diff": char_diff(text, new_text)})
            text = new_text
        if stats is not None:
            entry["pii"] = {k[4:]: n for k, n in sorted(stats.counters.items()) if k.startswith("pii:")}
            entry["counters"] = dict(sorted(stats.counters.items()))
        entry["chars_out"] = len(text)
        steps_out.append(entry)
    kept_docs = result.kept
    final = kept_docs[0] if kept_docs else None
    return {
        "id": doc.id,
        "recipe": recipe.name,
        "chars": len(original),
        "verdict": "kept" if final is not None else "removed",
        "removed_by": removal,
        "text": final.text if final is not None else None,
        "meta": final.meta if final is not None else None,
        "steps": steps_out,
    }


# -- terminal view ----------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def render_diff(diff: list[Segment], color: bool, context: int = 30) -> str:
    r"""Changed parts with up to ``context`` unchanged characters of their lines around them;
    ``[-deleted-]{+inserted+}`` without colour, invisible characters shown as ``⟨U+XXXX⟩``.

    >>> render_diff(char_diff("第一行\n今天\u200b天气\n第三行", "第一行\n今天天气\n第三行"), color=False)
    '今天[-⟨U+200B⟩-]天气'
    """
    out = []
    last = len(diff) - 1
    for k, (op, text) in enumerate(diff):
        if op == "=":
            if "\n" not in text and len(text) <= 2 * context and 0 < k < last:
                out.append(visible(text))
                continue
            head = text[:context].split("\n")[0] if k > 0 else ""
            tail = text[-context:].split("\n")[-1] if k < last else ""
            if head and tail:
                out.append(visible(head) + " … " + visible(tail))
            elif head or tail:
                out.append(visible(head or tail))
            if k > 0 and k < last and "\n" in text:
                out[-1] = visible(head) + "\n" + visible(tail)
        else:
            shown = visible(text).replace("\n", "↵\n")
            if op == "-":
                out.append(_style(shown, "red", color, strike=True) if color else f"[-{shown}-]")
            else:
                out.append(_style(shown, "green", color) if color else f"{{+{shown}+}}")
    return "".join(out).strip("\n")


def _style(text: str, fg: str, color: bool, strike: bool = False, bold: bool = False) -> str:
    if not color:
        return text
    import click

    return click.style(text, fg=fg, strikethrough=strike, bold=bold)


def render_text(report: dict[str, Any], color: bool = False, all_signals: bool = False) -> str:
    """The terminal view of :func:`inspect_document`'s result."""
    lines = [f"document {report['id']}  ({report['chars']:,} characters)  recipe {report['recipe']}"]
    width = max((len(s["label"]) for s in report["steps"]), default=10)
    for step in report["steps"]:
        head = f"  {step['label']:<{width}}  "
        if not step["reached"]:
            lines.append(head + _style("not reached", "bright_black", color))
            continue
        notes = []
        if step["removed"]:
            r = step["removed"]
            notes.append(_style(f"REMOVED {r['reason']}" + (f" ({r['detail']})" if r["detail"] else ""), "red", color, bold=True))
        if step["changes"]:
            delta = step["chars_out"] - step["chars_in"]
            notes.append(_style(f"changed ({delta:+,} chars)", "yellow", color))
        if step["fixes"]:
            notes.append("fixes: " + ", ".join(dict.fromkeys(step["fixes"])))
        if step["lines_removed"]:
            notes.append(f"{len(step['lines_removed'])} lines removed")
        if step["pii"]:
            notes.append("PII: " + ", ".join(f"{k} {n}" for k, n in step["pii"].items()))
        scores = step["scores"]
        shown_scores = [s for s in scores if all_signals or s["min"] is not None or s["max"] is not None or len(scores) == 1]
        if len(scores) == 1:
            s = scores[0]
            notes.append(_score_text(s, color, name=False))
            shown_scores = []
        lines.append(head + ("; ".join(notes) if notes else _style("ok", "green", color)))
        for s in shown_scores:
            lines.append(" " * (width + 6) + _score_text(s, color))
        if len(scores) > 1 and not all_signals and len(shown_scores) < len(scores):
            lines.append(" " * (width + 6) + f"(+{len(scores) - len(shown_scores)} signals without a threshold; --all-signals)")
        for item in step["lines_removed"]:
            lines.append(" " * (width + 6) + _style(f"- [{item['reason']}] {visible(item['line'])}", "red", color))
        for change in step["changes"]:
            if step["lines_removed"] and not change["fixes"]:
                continue  # already listed line by line
            indent = " " * (width + 6)
            lines.append(indent + render_diff(change["diff"], color).replace("\n", "\n" + indent))
    if report["verdict"] == "kept":
        lines.append(_style(f"verdict: KEPT ({len(report['text']):,} characters)", "green", color, bold=True))
    else:
        r = report["removed_by"] or {}
        detail = f" ({r.get('detail')})" if r.get("detail") else ""
        lines.append(_style(f"verdict: REMOVED by {r.get('step')}: {r.get('reason')}{detail}", "red", color, bold=True))
    return "\n".join(lines)


def _score_text(s: dict[str, Any], color: bool, name: bool = True) -> str:
    bounds = []
    if s["min"] is not None:
        bounds.append(f"min {_fmt(s['min'])}")
    if s["max"] is not None:
        bounds.append(f"max {_fmt(s['max'])}")
    mark = {"ok": "ok", "low": "too low", "high": "too high"}[s["verdict"]]
    text = (f"{s['signal']} " if name else "score ") + _fmt(s["value"])
    if bounds:
        text += f" ({', '.join(bounds)})"
    text += f" {mark}"
    return _style(text, "green" if s["verdict"] == "ok" else "red", color)
