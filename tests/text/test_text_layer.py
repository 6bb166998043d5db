"""The pure text functions on real data: script detection, idempotence, no damage to clean prose."""

from __future__ import annotations

import pytest
from conftest import load_records

from taosha.text import cjk, debris, entities, punct, social, width

FIXES = [
    entities.fix_entities, entities.fix_entity_residue, width.fold_width, punct.cjk_punctuation,
    debris.fix_mojibake, debris.strip_private_use, debris.strip_replacement, debris.strip_ansi,
    debris.literal_newlines, debris.fix_cjk_spaces, debris.collapse_blank_lines, social.strip_emoticons,
    debris.strip_furniture_tails,
]


def test_traditional_share_separates_the_scripts():
    trad = [r["text"] for r in load_records("wiki_drcd_traditional_contexts.jsonl.gz", 300)]
    simp = [r["text"] for r in load_records("wiki_cmrc2018_contexts.jsonl.gz", 300)]
    assert min(cjk.traditional_share(t) for t in trad) >= 0.05
    shares = sorted(cjk.traditional_share(t) for t in simp)
    assert shares[len(shares) // 2] == 0.0 and shares[-1] < 0.05


def test_traditional_table_comes_from_opencc():
    table = cjk.traditional_chars()
    assert 4000 < len(table) < 7000
    assert {"發", "髮", "後", "臺", "麼"} <= table
    assert not {"发", "后", "台", "么", "的"} & table


@pytest.mark.parametrize("fix", FIXES, ids=lambda f: f.__name__)
def test_idempotent_on_real_text(fix):
    texts = [r["text"] for r in load_records("weibo_smp2020_ewect.jsonl.gz", 1500)]
    texts += [r["text"] for r in load_records("fewclue_mixed.jsonl.gz", 1500)]
    for t in texts:
        once = fix(t)
        assert fix(once) == once, (fix.__name__, t)


def test_clean_wikipedia_paragraphs_keep_their_sentences():
    """CMRC paragraphs are edited prose: the fixes may touch punctuation and spacing, but no Han
    character is ever removed or added."""
    for r in load_records("wiki_cmrc2018_contexts.jsonl.gz", 400):
        text = r["text"]
        out = text
        for fix in FIXES:
            out = fix(out)
        assert cjk.count_cjk(out) == cjk.count_cjk(text)


def test_punctuation_leaves_english_and_numbers_alone():
    for r in load_records("fewclue_mixed.jsonl.gz", 3000):
        text = r["text"]
        if text.isascii():
            assert punct.cjk_punctuation(text) == text
    assert punct.cjk_punctuation("1,000 3.14 10:30 a(b) x?y!") == "1,000 3.14 10:30 a(b) x?y!"


def test_linear_time_on_long_and_adversarial_input():
    import time

    nasty = ("ampampamp" * 2000 + "中" + "(" * 3000 + ",?" * 3000 + " 中" * 3000 + "\\n" * 2000) * 3
    start = time.perf_counter()
    for fix in FIXES:
        fix(nasty)
    social.repost_chain("//@a:" * 5000, "own")
    social.topics("#话" * 5000, "strip")
    assert time.perf_counter() - start < 5.0  # generous: quadratic behaviour would take minutes


def test_furniture_tails_on_flattened_news_cut_only_after_the_last_sentence():
    """THUCNews articles (line breaks flattened): a tail is cut in a few percent of them, what is
    kept is a prefix ending a sentence, and the cut part holds no sentence of the article."""
    cut = 0
    for r in load_records("news_thucnews_sample.jsonl.gz", 1000):
        text = r["text"]
        out = debris.strip_furniture_tails(text)
        if out == text:
            continue
        cut += 1
        assert text.startswith(out) and out.rstrip()[-1] in "。！？!?”」』"
        tail = text[len(out):]
        assert tail.count("。") <= 1, tail
    assert 10 <= cut <= 60
