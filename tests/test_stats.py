"""Stats merge by addition, whatever the split, and round-trip through JSON."""

from __future__ import annotations

import random

from taosha.stats import SAMPLES_PER_REASON, Histogram, Stats


def shard_stats(values: list[float], removed: int) -> Stats:
    stats = Stats()
    stats.documents["in"] += len(values)
    stats.documents["removed"] += removed
    stats.documents["kept"] += len(values) - removed
    step = stats.step("cjk")
    hist = step.histogram("cjk", 0.0, 1.0, 10)
    for v in values:
        hist.add(v)
    step.removed["cjk_low"] += removed
    for i in range(removed):
        step.sample("cjk_low", f"doc{i}", "English only text")
    stats.source("weibo")["in"] += len(values)
    return stats


def test_sum_equals_single_and_json_round_trip():
    values = [0.05, 0.5, 0.95, 1.0, 0.3, 0.31, 0.99, -0.1, 1.5]
    whole = shard_stats(values, 3)
    parts = [shard_stats(values[:4], 1), shard_stats(values[4:], 2)]
    merged = sum(parts, Stats())
    assert merged.to_json()["documents"] == whole.to_json()["documents"]
    assert merged.steps["cjk"].histograms["cjk"].counts == whole.steps["cjk"].histograms["cjk"].counts
    h = whole.steps["cjk"].histograms["cjk"]
    assert (h.under, h.over, sum(h.counts), h.counts[-1]) == (1, 1, 7, 3)
    assert Stats.from_json(merged.to_json()).to_json() == merged.to_json()
    assert merged.ledger_balanced() and merged.by_source["weibo"]["in"] == len(values)


def test_samples_are_capped():
    stats = sum((shard_stats([0.1] * 30, 30) for _ in range(3)), Stats())
    assert len(stats.steps["cjk"].samples["cjk_low"]) == SAMPLES_PER_REASON


def test_histograms_with_other_bins_do_not_add():
    try:
        Histogram(0, 1, 10) + Histogram(0, 2, 10)
    except ValueError as exc:
        assert "different bins" in str(exc)
    else:
        raise AssertionError("adding histograms with different bins must fail")


def test_add_many_equals_adding_one_by_one():
    # Real score shapes: shares in [0, 1] on the 1/1024 grid, exact edges, out of range, NaN.
    rng = random.Random(7)
    values = [round(rng.random() * 1024) / 1024 for _ in range(5000)]
    values += [0.0, 1.0, 1.0, -0.5, 1.5, 1e9, -1e9, float("nan"), 0.999999999, 1 / 3]
    values += [rng.uniform(-0.2, 1.2) for _ in range(3000)]
    rng.shuffle(values)
    one, many = Histogram(0.0, 1.0, 40), Histogram(0.0, 1.0, 40)
    for v in values:
        one.add(v)
    for start in range(0, len(values), 777):
        many.add_many(values[start:start + 777])
    assert many.to_json() == one.to_json()
    assert one.under and one.over and one.counts[-1]
