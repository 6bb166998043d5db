"""The model-based quality score: features, training on real data, the model file, the step and
the `taosha train-quality` command."""

from __future__ import annotations

import gzip

import numpy as np
import orjson
import pytest
from click.testing import CliRunner
from conftest import data_path, load_records

from taosha import Context, Document
from taosha.filters.quality_cli import train_quality_command
from taosha.filters.quality_model import QualityModel, featurize, load_model, read_texts, train_quality
from taosha.pipeline import chain
from taosha.recipe import parse_recipe


def write_jsonl(path, texts, field="text"):
    with gzip.open(path, "wb") as fh:
        for t in texts:
            fh.write(orjson.dumps({field: t}) + b"\n")
    return path


@pytest.fixture(scope="module")
def train_files(tmp_path_factory):
    """Encyclopedia paragraphs as positives, short social posts and app descriptions as negatives."""
    tmp = tmp_path_factory.mktemp("quality")
    pos = [r["text"] for r in load_records("wiki_cmrc2018_contexts.jsonl.gz", 400)]
    neg = [r["text"] for r in load_records("weibo_ced_posts.jsonl.gz", 400)]
    return write_jsonl(tmp / "pos.jsonl.gz", pos), write_jsonl(tmp / "neg.jsonl.gz", neg), tmp


@pytest.fixture(scope="module")
def trained(train_files):
    pos, neg, tmp = train_files
    header = train_quality(pos, neg, tmp / "model.npz", epochs=3, bits=16)
    return tmp / "model.npz", header


def test_featurize_is_normalised_and_deterministic():
    idx, val = featurize("今天天气很好，我们去公园散步。")
    assert np.isclose((val ** 2).sum(), 1.0) and idx.dtype == np.int64
    assert (np.diff(idx) > 0).all()
    idx2, val2 = featurize("今天天气很好，我们去公园散步。")
    assert (idx == idx2).all() and (val == val2).all()
    assert featurize("  \n ")[0].size == 0
    # whitespace runs fold to one space: layout does not change the features
    assert (featurize("今天 天气")[0] == featurize("今天\n\n   天气")[0]).all()


def test_training_on_real_data_separates_held_out_examples(trained):
    _, header = trained
    assert header["holdout"]["n"] == 80
    assert header["holdout"]["auc"] > 0.95 and header["holdout"]["accuracy"] > 0.9
    assert header["trained_on"]["n_positive"] == 400


def test_model_file_round_trip_and_no_pickle(trained, tmp_path):
    path, _ = trained
    model = load_model(path)
    text = load_records("wiki_drcd_traditional_contexts.jsonl.gz", 1)[0]["text"]
    assert 0.0 <= model.predict(text) <= 1.0
    model.save(tmp_path / "copy.npz")
    assert load_model(tmp_path / "copy.npz").predict(text) == pytest.approx(model.predict(text))
    np.savez(tmp_path / "other.npz", weights=np.zeros(4), bias=np.float64(0), header=np.array('{"format": "x"}'))
    with pytest.raises(ValueError, match="not a taosha quality model"):
        load_model(tmp_path / "other.npz")
    with pytest.raises(FileNotFoundError, match="train-quality"):
        load_model(tmp_path / "missing.npz")


def test_step_scores_and_thresholds(trained):
    path, _ = trained
    recipe = parse_recipe({"name": "t", "steps": [{"quality_model": {"model_path": str(path), "min_value": 0.5}}]})
    label, step = recipe.steps[0]
    docs = [Document(r["id"], r["text"]) for r in load_records("wiki_cmrc2018_contexts.jsonl.gz", 1000)[900:950]]
    docs += [Document(r["id"], r["text"]) for r in load_records("weibo_ced_posts.jsonl.gz", 1000)[900:950]]
    removed = []
    ctx = Context(on_remove=lambda d, s, r, x: removed.append((d.id, r)))
    kept = list(chain([(label, step)], docs, ctx))
    # documents 900-950 of each file were not among the 400 the model was trained on
    assert all(r == "quality_model_low" for _, r in removed)
    assert sum(d.id.startswith("cmrc") for d in kept) >= 45
    assert sum(doc_id.startswith("ced-post") for doc_id, _ in removed) >= 45
    assert all(d.meta["signals"]["quality_model"] >= 0.5 for d in kept)
    with pytest.raises(ValueError, match="model_path"):
        QualityModel()


def test_read_texts_formats_and_errors(tmp_path):
    (tmp_path / "a.txt").write_text("第一行\n\n第二行\n", encoding="utf-8")
    assert list(read_texts(tmp_path / "a.txt")) == ["第一行", "第二行"]
    (tmp_path / "b.jsonl").write_text('{"content": "你好"}\n{"text": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: no string field 'content'"):
        list(read_texts(tmp_path / "b.jsonl", "content"))
    assert list(read_texts(data_path("weibo_ner_spans.jsonl.gz"), limit=2))


def test_cli_trains_and_reports(train_files, tmp_path):
    pos, neg, _ = train_files
    out = tmp_path / "cli.npz"
    result = CliRunner().invoke(train_quality_command, ["-p", str(pos), "-n", str(neg), "-o", str(out),
                                                        "--epochs", "1", "--bits", "14", "--max-per-class", "200"])
    assert result.exit_code == 0, result.output
    assert "trained on 200 positive and 200 negative examples" in result.output and "holdout:" in result.output
    assert load_model(out).bits == 14
    bad = CliRunner().invoke(train_quality_command, ["-p", str(pos), "-n", str(neg), "-o", str(out), "--ngrams", "a"])
    assert bad.exit_code == 2 and "--ngrams" in bad.output
    wrong = CliRunner().invoke(train_quality_command, ["-p", str(pos), "-n", str(neg), "-o", str(out),
                                                       "--text-field", "body"])
    assert wrong.exit_code == 1 and "no string field 'body'" in wrong.output
