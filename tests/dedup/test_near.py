"""near_dedup on real Weibo posts and on near-duplicates we build from real text."""

from __future__ import annotations

import random

import numpy as np
import pytest
from conftest import load_records

from taosha.dedup.minhash import jaccard, permutations, shingle_hashes, signatures
from taosha.dedup.near import NearDedup, connected_components, node_id
from taosha.document import Document
from taosha.pipeline import run_in_memory
from taosha.recipe import Recipe, parse_recipe


def recipe(**params) -> Recipe:
    return Recipe(name="near", steps=(("near_dedup", NearDedup(**params)),))


# The step's folding, written the slow way: full-width ASCII to ASCII, ASCII case, no spaces.
FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {
    ord(c): None for c in "\t\n\x0b\x0c\r \xa0\u3000\u200b\u200c\u200d\u2060\ufeff"
}


def char_grams(text: str, n: int = 5) -> set[str]:
    text = "".join(c.lower() if c.isascii() else c for c in text.translate(FOLD))
    return {text[i : i + n] for i in range(len(text) - n + 1)} or {text}


def true_jaccard(a: str, b: str) -> float:
    x, y = char_grams(a), char_grams(b)
    return len(x & y) / len(x | y)


@pytest.fixture(scope="module")
def posts() -> list[dict]:
    # The CED rumour posts: 343 of them have a near-duplicate that is not identical.
    return load_records("weibo_ced_posts.jsonl.gz", 1500)


def docs_of(records: list[dict]) -> list[Document]:
    return [Document(r["id"], r["text"]) for r in records]


def test_real_posts_removed_documents_have_a_true_partner(posts):
    result = run_in_memory(recipe(), docs_of(posts))
    removed = [doc for doc, _, reason, _ in result.removed if reason == "near_duplicate"]
    assert 40 <= len(removed) <= 300
    texts = [r["text"] for r in posts]
    grams = [char_grams(t) for t in texts]
    for doc in removed:
        mine = char_grams(doc.text)
        best = max(len(mine & g) / len(mine | g) for g, t in zip(grams, texts, strict=True) if t is not doc.text)
        assert best >= 0.8, doc.text
    # No cluster loses every member: each removal names a survivor that was kept.
    kept_meta = [d.meta["dedup"] for d in result.kept if "dedup" in d.meta]
    survivors = {m["cluster"] for m in kept_meta}
    for _, _, _, detail in result.removed:
        position, shard = int(detail.split()[3]), int(detail.split()[6])
        assert node_id(shard, position) in survivors
    stats = result.stats.steps["near_dedup"]
    assert stats.removed["near_duplicate"] == len(removed)
    assert stats.histograms["cluster_size"].n == len(survivors)
    assert sum(m["cluster_size"] for m in kept_meta) == len(removed) + len(survivors)


def test_same_decisions_for_any_sharding_and_rerun(posts):
    one = run_in_memory(recipe(partitions=4), docs_of(posts))
    docs = docs_of(posts)
    three = run_in_memory(recipe(partitions=7), [docs[:400], docs[400:1100], docs[1100:]])
    again = run_in_memory(recipe(partitions=7), [docs[:400], docs[400:1100], docs[1100:]])
    assert [d.id for d in one.kept] == [d.id for d in three.kept] == [d.id for d in again.kept]
    assert sorted(one.removed_reasons()) == sorted(three.removed_reasons())
    # Round-robin shards change which of two equal-length copies is "first", not how many go.
    robin = run_in_memory(recipe(), [docs[i::3] for i in range(3)])
    assert len(robin.removed) == len(one.removed)


def test_collect_and_reduce_are_idempotent(tmp_path, posts):
    from taosha.pipeline import run_reduce
    from taosha.step import Context

    step = NearDedup(partitions=3)
    docs = docs_of(posts[:600])

    def collect_all():
        for shard, part in enumerate((docs[:250], docs[250:])):
            ctx = Context(shard_index=shard, n_shards=2, work_dir=tmp_path).for_step("nd")
            assert [d.id for d in step.collect(part, ctx)] == [d.id for d in part]

    collect_all()
    state = tmp_path / "state" / "nd"
    run_reduce(step, state, 2)
    first = {str(p.relative_to(state)): p.read_bytes() for p in sorted(state.rglob("*.bin"))}
    collect_all()  # a resumed run re-does tasks: same files
    run_reduce(step, state, 2)
    assert first == {str(p.relative_to(state)): p.read_bytes() for p in sorted(state.rglob("*.bin"))}
    assert not list(state.rglob("*.tmp"))


def edit(text: str, rate: float, rng: random.Random) -> str:
    chars = list(text)
    for i in range(len(chars)):
        if rng.random() < rate:
            chars[i] = rng.choice("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要")
    return "".join(chars)


def test_built_near_duplicates_found_and_unrelated_kept():
    rng = random.Random(5)
    news = [r["text"] for r in load_records("news_thucnews_sample.jsonl.gz", 60) if len(r["text"]) > 400]
    docs, pairs = [], []
    for i, text in enumerate(news[:40]):
        docs.append(Document(f"o{i}", text))
        variant = [
            edit(text, 0.01, rng),
            "【转载】" + text + "\n责任编辑：小王",
            "//@用户甲:转发 //@用户乙:" + text,
            text[: int(len(text) * 0.93)],
        ][i % 4]
        docs.append(Document(f"v{i}", variant))
        pairs.append((f"o{i}", f"v{i}", true_jaccard(text, variant)))
    result = run_in_memory(recipe(), docs)
    gone = result.removed_reasons()
    for a, b, j in pairs:
        if j >= 0.9:
            assert (a in gone) != (b in gone), (a, b, j)
    # Unrelated articles are never merged: everything kept is one per pair.
    assert len(result.kept) == len(docs) - len(gone)
    assert all(not (a in gone and b in gone) for a, b, _ in pairs)
    # The survivor is the longer document of the pair.
    lengths = {d.id: len(d.text) for d in docs}
    for a, b, _ in pairs:
        if b in gone:
            assert lengths[a] >= lengths[b]
        elif a in gone:
            assert lengths[b] >= lengths[a]


def test_giant_cluster_is_linear_and_one_survives():
    # Texts shorter than the n-gram are one shingle each, so 「转发微博」 and 「转发微博。」 differ.
    texts = ["转发微博"] * 3000 + ["转发微博。"] * 1000 + ["今天天气真好，出去走走吧"] * 3
    docs = [Document(str(i), t) for i, t in enumerate(texts)]
    result = run_in_memory(recipe(), [docs[:2000], docs[2000:]])
    kept = sorted((d.text, d.meta["dedup"]["cluster_size"], d.id) for d in result.kept)
    assert kept == [("今天天气真好，出去走走吧", 3, "4000"), ("转发微博", 3000, "0"), ("转发微博。", 1000, "3000")]


def test_fold_merges_width_case_and_spacing_variants():
    a = "ＡＩ绘画工具Ｍｉｄｊｏｕｒｎｅｙ发布第六版，画质大幅提升。"
    b = "AI 绘画工具 midjourney 发布第六版，画质大幅提升。"
    assert len(run_in_memory(recipe(), [Document("a", a), Document("b", b)]).kept) == 1
    assert len(run_in_memory(recipe(fold=False), [Document("a", a), Document("b", b)]).kept) == 2


def test_empty_and_short_documents_are_safe():
    docs = [Document("e1", ""), Document("e2", ""), Document("s1", "好"), Document("s2", "好"), Document("s3", "嗯嗯")]
    result = run_in_memory(recipe(), docs)
    assert sorted(d.id for d in result.kept) == ["e1", "e2", "s1", "s3"]


def test_signatures_estimate_real_jaccard():
    # The multiply-mod-2^32 permutations must behave like random ones: the MinHash estimate of real
    # near-duplicate pairs stays within a few standard errors of the exact Jaccard.
    rng = random.Random(3)
    base = [r["text"] for r in load_records("wiki_cmrc2018_contexts.jsonl.gz", 200)]
    texts, exact = [], []
    for text in base:
        other = edit(text, rng.choice([0.02, 0.05, 0.1, 0.2]), rng)
        texts += [text, other]
        exact.append(true_jaccard(text, other))
    h, starts = shingle_hashes(texts, 5, fold=True)
    sig = signatures(h, starts, permutations(128, 1))
    estimate = (sig[0::2] == sig[1::2]).mean(axis=1)
    error = estimate - np.array(exact)
    assert abs(error.mean()) < 0.01
    assert np.sqrt((error**2).mean()) < 0.05  # binomial s.e. at J=0.5 is 0.044
    assert jaccard(h[starts[0] : starts[1]], h[starts[1] : starts[2]]) == pytest.approx(exact[0], abs=1e-9)


def test_connected_components_match_python_union_find():
    rng = np.random.default_rng(0)
    n = 500
    u, v = rng.integers(0, n, 300), rng.integers(0, n, 300)
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    expected = [min(i for i in range(n) if find(i) == find(x)) for x in range(n)]
    assert connected_components(n, u, v).tolist() == expected


def test_parameters_checked_and_bands_derived():
    assert NearDedup().band_rows == (14, 9)  # verified: recall weighs 0.9
    assert NearDedup(verify=False).band_rows == (9, 13)  # equal weights, as datasketch
    assert NearDedup(bands=16, rows=8).band_rows == (16, 8)
    with pytest.raises(ValueError, match="both bands and rows"):
        NearDedup(bands=16)
    with pytest.raises(ValueError, match="at most num_perm"):
        NearDedup(bands=20, rows=8)
    with pytest.raises(ValueError, match="threshold"):
        NearDedup(threshold=1.0)


def test_recipe_names_the_step():
    parsed = parse_recipe({"name": "x", "steps": [{"near_dedup": {"threshold": 0.7, "verify": False}}]})
    ((label, step),) = parsed.steps
    assert label == "near_dedup" and step == NearDedup(threshold=0.7, verify=False)


def test_giant_bucket_costs_linear_edges(tmp_path):
    # k copies of one text share every band: star edges give k - 1 pairs, not k (k - 1) / 2.
    from taosha.dedup.exact import load_section
    from taosha.dedup.near import DECISION, EDGE, load_raw
    from taosha.pipeline import run_reduce
    from taosha.step import Context

    k = 3000
    step = NearDedup()
    ctx = Context(shard_index=0, n_shards=1, work_dir=tmp_path).for_step("nd")
    docs = [Document(str(i), "转发微博 //@某人:太可怕了，大家注意安全") for i in range(k)]
    assert len(list(step.collect(docs, ctx))) == k
    run_reduce(step, ctx.state_dir, 1)
    parts = step.reduce_plan(1)[0]
    edges = sum(len(load_raw(ctx.state_dir / "edges1" / f"{q:04d}.bin", EDGE)) for q in range(parts))
    assert edges == k - 1
    decided = load_section(ctx.state_dir / "decide.bin", 0, DECISION)
    assert int(decided["keep"].sum()) == 1 and set(decided["size"].tolist()) == {k}


def test_band_runs_spilled_every_batch_give_the_same_decisions(posts, monkeypatch):
    # Small batches, each written as its own run of the shard's band file: the reduce reads a
    # section of every run, and nothing may change.
    import taosha.dedup.near as near_module

    docs = docs_of(posts)
    default = run_in_memory(recipe(), [docs[:700], docs[700:]])
    monkeypatch.setattr(near_module, "_SPILL_BYTES", 1)
    docs = docs_of(posts)
    spilled = run_in_memory(recipe(batch_chars=3000), [docs[:700], docs[700:]])
    assert [d.id for d in default.kept] == [d.id for d in spilled.kept]
    assert [d.meta.get("dedup") for d in default.kept] == [d.meta.get("dedup") for d in spilled.kept]
    assert sorted((d.id, r) for d, _, _, r in default.removed) == sorted((d.id, r) for d, _, _, r in spilled.removed)


def test_one_state_file_per_task(tmp_path, posts):
    # Files created cost more than their bytes: near_dedup writes 2 S + 2 P + 1 files (S shards,
    # P partitions, capped by S), exact_dedup S + P.
    from taosha.dedup.exact import ExactDedup
    from taosha.pipeline import run_reduce
    from taosha.step import Context

    docs = docs_of(posts)
    shards = [docs[:500], docs[500:1000], docs[1000:]]
    for label, step in (("exact", ExactDedup()), ("near", NearDedup())):
        for index, shard in enumerate(shards):
            ctx = Context(shard_index=index, n_shards=3, work_dir=tmp_path).for_step(label)
            assert len(list(step.collect(shard, ctx))) == len(shard)
        run_reduce(step, tmp_path / "state" / label, 3)
    assert NearDedup().reduce_plan(3) == [3, 3, 1]
    assert len([p for p in (tmp_path / "state" / "near").rglob("*") if p.is_file()]) == 2 * 3 + 2 * 3 + 1
    assert len([p for p in (tmp_path / "state" / "exact").rglob("*") if p.is_file()]) == 3 + 3
    assert NearDedup().n_parts(2000) == 250 and NearDedup().n_parts(40) == 16
