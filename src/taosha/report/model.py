"""What the report shows, derived from a run's ``stats.json`` and ``manifest.json`` (pure data, no HTML).

The report is generic over the steps of the recipe: every step's ledger, removal reasons, counters
and histograms are shown whatever the step is.  A few counter prefixes and histogram names get their
own section because they mean the same thing whichever step produced them:

``pii:<TYPE>``              PII found, by type (section "PII")
``lines_removed:<reason>``  lines removed by a line filter; ``chars_removed:<reason>`` their characters
``cluster_size``            near-duplicate cluster sizes (section "Duplicates")

Thresholds are read back from the recipe in the manifest: a histogram named ``<label>`` belongs to a
score filter whose ``min_value`` / ``max_value`` drop; one named ``<label>:<signal>`` belongs to a
multi-signal step whose ``min_<signal>`` / ``max_<signal>`` drop.
"""

from __future__ import annotations

from typing import Any

SPECIAL_HISTOGRAMS = ("cluster_size",)
PII_PREFIX = "pii:"
LINES_PREFIX = "lines_removed:"
LINE_CHARS_PREFIX = "chars_removed:"


def recipe_params(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Step label -> its parameters (with ``step``: the catalog name), from the manifest's recipe."""
    out: dict[str, dict[str, Any]] = {}
    for item in (manifest.get("recipe") or {}).get("steps", []):
        for label, params in item.items():
            out[label] = dict(params or {})
    return out


def thresholds(hist_name: str, label: str, params: dict[str, Any]) -> tuple[float | None, float | None]:
    """``(min, max)`` that drop documents for histogram ``hist_name`` of step ``label``.

    >>> thresholds("cjk_ratio", "cjk_ratio", {"min_value": 0.2, "max_value": None})
    (0.2, None)
    >>> thresholds("zh_heuristics:top_2gram", "zh_heuristics", {"max_top_2gram": 0.25})
    (None, 0.25)
    >>> thresholds("cluster_size", "near_dedup", {"threshold": 0.8})
    (None, None)
    """
    if hist_name == label:
        return _num(params.get("min_value")), _num(params.get("max_value"))
    prefix = label + ":"
    if hist_name.startswith(prefix):
        signal = hist_name[len(prefix):]
        return _num(params.get(f"min_{signal}")), _num(params.get(f"max_{signal}"))
    return None, None


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def funnel(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Documents and characters at each point of the run: read, parsed, after each step, kept.

    Characters are not known for quarantined records (they never became documents), so the first
    two rows share the character count.
    """
    docs = stats["documents"]
    chars = stats["chars"]
    rows = [
        {"stage": "read", "docs": docs["in"], "chars": chars["in"]},
        {"stage": "parsed", "docs": docs["in"] - docs["quarantined"], "chars": chars["in"]},
    ]
    for label, step in stats["steps"].items():
        rows.append({"stage": label, "docs": step["docs_out"], "chars": step["chars_out"]})
    rows.append({"stage": "kept", "docs": docs["kept"], "chars": chars["kept"]})
    base_docs, base_chars = docs["in"], chars["in"]
    for row in rows:
        row["docs_share"] = share(row["docs"], base_docs)
        row["chars_share"] = share(row["chars"], base_chars)
    return rows


def step_rows(stats: dict[str, Any], params: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per step: ledger, removals by reason with shares, time and throughput."""
    rows = []
    total_in = stats["documents"]["in"] or 0
    for label, step in stats["steps"].items():
        removed_total = sum(step["removed"].values())
        seconds = step["seconds"]
        reasons = [
            {
                "reason": reason,
                "count": n,
                "share_of_step": share(n, step["docs_in"]),
                "share_of_removed": share(n, removed_total),
                "share_of_input": share(n, total_in),
            }
            for reason, n in sorted(step["removed"].items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        rows.append({
            "label": label,
            "step": params.get(label, {}).get("step", label),
            "docs_in": step["docs_in"],
            "docs_out": step["docs_out"],
            "removed": removed_total,
            "removed_share": share(removed_total, step["docs_in"]),
            "changed": step["changed"],
            "chars_in": step["chars_in"],
            "chars_out": step["chars_out"],
            "seconds": seconds,
            "docs_per_s": step["docs_in"] / seconds if seconds > 0 else None,
            "chars_per_s": step["chars_in"] / seconds if seconds > 0 else None,
            "reasons": reasons,
            "counters": step.get("counters", {}),
        })
    return rows


def histograms(stats: dict[str, Any], params: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every score histogram with the thresholds that apply to it, in step order."""
    out = []
    for label, step in stats["steps"].items():
        for name, hist in step.get("histograms", {}).items():
            if name in SPECIAL_HISTOGRAMS:
                continue
            lo_t, hi_t = thresholds(name, label, params.get(label, {}))
            out.append({
                "id": f"{label}/{name}",
                "step": label,
                "name": name,
                "title": name if name.startswith(label) else f"{label}: {name}",
                "lo": hist["lo"], "hi": hist["hi"], "bins": hist["bins"], "counts": hist["counts"],
                "under": hist["under"], "over": hist["over"], "n": hist["n"],
                "mean": hist["total"] / hist["n"] if hist["n"] else None,
                "min": lo_t, "max": hi_t,
                "tag_only": params.get(label, {}).get("action") == "tag",
            })
    return out


def special_histograms(stats: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """Histograms called ``name`` (e.g. ``cluster_size``), one per step that records one."""
    out = []
    for label, step in stats["steps"].items():
        hist = step.get("histograms", {}).get(name)
        if hist:
            out.append({"id": f"{label}/{name}", "step": label, "name": name, "title": f"{label}: {name}",
                        "lo": hist["lo"], "hi": hist["hi"], "bins": hist["bins"], "counts": hist["counts"],
                        "under": hist["under"], "over": hist["over"], "n": hist["n"],
                        "mean": hist["total"] / hist["n"] if hist["n"] else None, "min": None, "max": None,
                        "tag_only": False})
    return out


def prefixed_counters(stats: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """``[{step, key, count}]`` for counters starting with ``prefix`` (prefix stripped), largest first."""
    rows = [
        {"step": label, "key": key[len(prefix):], "count": n}
        for label, step in stats["steps"].items()
        for key, n in step.get("counters", {}).items()
        if key.startswith(prefix)
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["step"], r["key"]))


def line_removals(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Lines and characters removed by line filters, per step and reason."""
    rows = []
    for label, step in stats["steps"].items():
        counters = step.get("counters", {})
        for key, n in counters.items():
            if key.startswith(LINES_PREFIX):
                reason = key[len(LINES_PREFIX):]
                chars = counters.get(LINE_CHARS_PREFIX + reason, 0)
                rows.append({"step": label, "reason": reason, "lines": n, "chars": chars,
                             "chars_share": share(chars, step["chars_in"])})
    return sorted(rows, key=lambda r: (-r["chars"], -r["lines"], r["step"], r["reason"]))


def other_counters(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Counters without a section of their own (``fix:``, ``tagged:``, ``groups`` ...)."""
    special = (PII_PREFIX, LINES_PREFIX, LINE_CHARS_PREFIX)
    return [
        {"step": label, "key": key, "count": n}
        for label, step in stats["steps"].items()
        for key, n in step.get("counters", {}).items()
        if not key.startswith(special)
    ]


def sources(stats: dict[str, Any], limit: int = 200) -> dict[str, Any]:
    """The per-source ledger, largest sources first, with keep rates; the rest summed as one row."""
    items = [
        {"source": name, "in": c.get("in", 0), "kept": c.get("kept", 0), "removed": c.get("removed", 0)}
        for name, c in stats.get("by_source", {}).items()
    ]
    items.sort(key=lambda r: (-r["in"], r["source"]))
    shown, rest = items[:limit], items[limit:]
    for row in shown:
        row["kept_share"] = share(row["kept"], row["in"])
    return {
        "rows": shown,
        "hidden": len(rest),
        "hidden_in": sum(r["in"] for r in rest),
    }


def samples(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Sampled removals per step and reason; ``line:<reason>`` samples are removed lines."""
    out = []
    for label, step in stats["steps"].items():
        for reason, items in step.get("samples", {}).items():
            is_line = reason.startswith("line:")
            out.append({
                "step": label,
                "reason": reason[5:] if is_line else reason,
                "kind": "line" if is_line else "document",
                "items": [dict(item) for item in items],
            })
    return out


def build(stats: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """Everything the page shows, as one JSON-able dict."""
    params = recipe_params(manifest)
    return {
        "title": (manifest.get("recipe") or {}).get("name", "run"),
        "documents": stats["documents"],
        "chars": stats["chars"],
        "bytes_read": stats.get("bytes_read", 0),
        "seconds": stats.get("seconds"),
        "quarantined": stats.get("quarantined", {}),
        "funnel": funnel(stats),
        "steps": step_rows(stats, params),
        "histograms": histograms(stats, params),
        "clusters": special_histograms(stats, "cluster_size"),
        "pii": prefixed_counters(stats, PII_PREFIX),
        "lines": line_removals(stats),
        "counters": other_counters(stats),
        "sources": sources(stats),
        "samples": samples(stats),
        "shards": stats.get("shards", {}),
    }
