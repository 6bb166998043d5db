"""End-to-end runs on real data: the ledger, determinism across workers, resume after SIGKILL."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from conftest import data_path
from helpers import read_jsonl_dir, tree_digest, write_recipe

from taosha.errors import InputError
from taosha.recipe import load_recipe
from taosha.run import run

SOURCES = ["weibo_ced_posts.jsonl.gz", "news_thucnews_sample.jsonl.gz", "wiki_zhwiki_sample.jsonl.gz"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Real documents in several files, plain and compressed, with exact duplicates across files."""
    root = tmp_path_factory.mktemp("corpus")
    for name in SOURCES:
        shutil.copy(data_path(name), root / name)
    # The same Weibo posts again, uncompressed, so that duplicates cross shard boundaries.
    with gzip.open(data_path("weibo_ced_posts.jsonl.gz"), "rb") as src, open(root / "again.jsonl", "wb") as dst:
        for i, line in enumerate(src):
            if i % 3 == 0:
                record = orjson.loads(line)
                record["id"] = "again-" + record["id"]
                dst.write(orjson.dumps(record) + b"\n")
    return root


def ids_in(out: Path) -> tuple[list[str], list[str], list[dict]]:
    kept = [r["id"] for r in read_jsonl_dir(out / "data")]
    removed = [r["id"] for r in read_jsonl_dir(out / "removed")]
    quarantined = read_jsonl_dir(out / "quarantine")
    return kept, removed, quarantined


def input_ids(corpus: Path) -> list[str]:
    ids = []
    for path in sorted(corpus.iterdir()):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as fh:
            ids.extend(orjson.loads(line)["id"] for line in fh)
    return ids


def test_every_document_ends_exactly_once(corpus, tmp_path):
    recipe = load_recipe(write_recipe(tmp_path, shard_size="256KB"))
    stats = run(recipe, [str(corpus)], tmp_path / "out", workers=2, report=False)
    kept, removed, quarantined = ids_in(tmp_path / "out")
    assert not quarantined
    assert sorted(kept + removed) == sorted(input_ids(corpus))
    d = stats.documents
    assert d["in"] == len(kept) + len(removed) and d["kept"] == len(kept) and d["removed"] == len(removed)
    saved = orjson.loads((tmp_path / "out" / "stats.json").read_bytes())
    assert saved["documents"] == {"in": d["in"], "kept": d["kept"], "removed": d["removed"], "quarantined": 0}
    assert sum(s["in"] for s in saved["shards"].values()) == d["in"]
    # The large plain file was cut into byte ranges, and every copy made there was caught.
    assert sum("again.jsonl[bytes" in name for name in saved["shards"]) >= 2
    reasons = {r["removed_by"]["reason"] for r in read_jsonl_dir(tmp_path / "out" / "removed")}
    assert reasons == {"too_short", "exact_duplicate"}
    # Of each post and its copy in again.jsonl, exactly one survives (the first in input order),
    # unless both were too short.
    kept_set = set(kept)
    too_short = {r["id"] for r in read_jsonl_dir(tmp_path / "out" / "removed") if r["removed_by"]["reason"] == "too_short"}
    pairs = [(i.removeprefix("again-"), i) for i in input_ids(corpus) if i.startswith("again-")]
    assert len(pairs) > 1000
    candidates = [(o, c) for o, c in pairs if c not in too_short]
    assert all((o in kept_set) + (c in kept_set) <= 1 for o, c in candidates)
    # again.jsonl sorts first, so its copies are the first occurrences (bar posts duplicated in the source).
    assert sum(c in kept_set for _, c in candidates) >= 0.97 * len(candidates)
    manifest = orjson.loads((tmp_path / "out" / "manifest.json").read_bytes())
    assert {f["rel"] for f in manifest["inputs"]} == {p.name for p in corpus.iterdir()}
    assert all(len(f["xxh3_64"]) == 16 for f in manifest["inputs"])
    assert manifest["recipe"]["steps"][1] == {"length_filter": {"step": "length_filter", "min_chars": 20, "max_chars": 1000000}}


def test_one_worker_and_two_workers_write_identical_bytes(corpus, tmp_path):
    recipe = load_recipe(write_recipe(tmp_path, shard_size="256KB"))
    run(recipe, [str(corpus)], tmp_path / "w1", workers=1, report=False)
    run(recipe, [str(corpus)], tmp_path / "w2", workers=2, report=False)
    one, two = tree_digest(tmp_path / "w1"), tree_digest(tmp_path / "w2")
    assert one == two and len(one) > 5


def test_three_workers_share_tasks_with_the_driver_and_give_the_same_bytes(corpus, tmp_path, monkeypatch):
    # -w 3 is the driver and two worker processes; every task must run exactly once, wherever.
    import taosha.engines.local as local

    ran: list[tuple[str, int, int]] = []
    real = local._execute

    def execute(plan, batch, item, report):
        ran.append((batch.kind, batch.stage, item))
        return real(plan, batch, item, report)

    monkeypatch.setattr(local, "_execute", execute)  # the driver's own tasks only (workers are forked)
    recipe = load_recipe(write_recipe(tmp_path, shard_size="256KB"))
    run(recipe, [str(corpus)], tmp_path / "w1", workers=1, report=False)
    in_one = len([r for r in ran if r[0] == "shards"])
    ran.clear()
    run(recipe, [str(corpus)], tmp_path / "w3", workers=3, report=False)
    in_driver = len([r for r in ran if r[0] == "shards"])
    assert tree_digest(tmp_path / "w1") == tree_digest(tmp_path / "w3")
    assert 0 < in_driver < in_one and len(set(ran)) == len(ran)


def test_the_command_forks_its_workers_and_writes_the_same_bytes(corpus, tmp_path):
    # The CLI keeps the driver single-threaded, so its workers are forked from it directly; this
    # test process has BLAS threads, so the runs above went through the fork server instead.
    recipe_path = write_recipe(tmp_path, shard_size="256KB")
    cmd = [sys.executable, "-m", "taosha", "--debug", "run", str(recipe_path), "-i", str(corpus), "-q"]
    one = subprocess.run(cmd + ["-o", str(tmp_path / "w1"), "-w", "1"], capture_output=True, text=True)
    two = subprocess.run(cmd + ["-o", str(tmp_path / "w2"), "-w", "2"], capture_output=True, text=True)
    assert one.returncode == 0 and two.returncode == 0, two.stderr
    assert "the driver and 1 worker process(es), start method fork" in two.stderr
    assert tree_digest(tmp_path / "w1") == tree_digest(tmp_path / "w2")


def test_the_driver_carries_on_alone_when_workers_cannot_start(corpus, tmp_path, monkeypatch, caplog):
    import taosha.engines.local as local

    def broken(self, plan):
        raise OSError("no processes for you")

    monkeypatch.setattr(local.LocalEngine, "_ensure_pool", broken)
    recipe = load_recipe(write_recipe(tmp_path, shard_size="256KB"))
    run(recipe, [str(corpus)], tmp_path / "w1", workers=1, report=False)
    run(recipe, [str(corpus)], tmp_path / "w2", workers=2, report=False)
    assert tree_digest(tmp_path / "w1") == tree_digest(tmp_path / "w2")
    assert "could not start worker processes" in caplog.text


def test_rerun_after_success_changes_nothing_and_changed_recipe_is_refused(corpus, tmp_path):
    recipe_path = write_recipe(tmp_path, shard_size="256KB")
    run(load_recipe(recipe_path), [str(corpus)], tmp_path / "out", workers=1, report=False)
    before = tree_digest(tmp_path / "out")
    run(load_recipe(recipe_path), [str(corpus)], tmp_path / "out", workers=1, report=False)
    assert tree_digest(tmp_path / "out") == before
    other = load_recipe(write_recipe(tmp_path, shard_size="1MB"))
    with pytest.raises(InputError, match="--fresh"):
        run(other, [str(corpus)], tmp_path / "out", workers=1, report=False)
    run(other, [str(corpus)], tmp_path / "out", workers=1, report=False, fresh=True)


def test_a_run_left_by_an_older_work_format_is_not_resumed(corpus, tmp_path):
    recipe_path = write_recipe(tmp_path, shard_size="256KB")
    out = tmp_path / "out"
    run(load_recipe(recipe_path), [str(corpus)], out, workers=1, report=False)
    before = tree_digest(out)
    marker = out / ".taosha" / "fingerprint.json"
    record = orjson.loads(marker.read_bytes())
    marker.write_bytes(orjson.dumps({k: v for k, v in record.items() if k != "work_format"}))  # as 0.1.0 wrote it
    with pytest.raises(InputError, match="cannot resume.*--fresh"):
        run(load_recipe(recipe_path), [str(corpus)], out, workers=1, report=False)
    run(load_recipe(recipe_path), [str(corpus)], out, workers=1, report=False, fresh=True)
    assert tree_digest(out) == before


def test_killed_run_resumes_to_identical_output(corpus, tmp_path):
    recipe_path = write_recipe(tmp_path, shard_size="128KB")
    cmd = [sys.executable, "-m", "taosha", "run", str(recipe_path), "-i", str(corpus), "-w", "1", "-q"]
    subprocess.run(cmd + ["-o", str(tmp_path / "whole")], check=True)
    victim = subprocess.Popen(cmd + ["-o", str(tmp_path / "killed")])
    done = tmp_path / "killed" / ".taosha" / "done"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and victim.poll() is None:
        if done.is_dir() and len(list(done.glob("stage0-*.json"))) >= 3:
            victim.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert not (tmp_path / "killed" / "stats.json").exists()
    subprocess.run(cmd + ["-o", str(tmp_path / "killed")], check=True)
    assert tree_digest(tmp_path / "killed") == tree_digest(tmp_path / "whole")
    leftovers = [p for p in (tmp_path / "killed").rglob("*.tmp")]
    assert not leftovers


def test_ctrl_c_on_two_workers_stops_at_once_and_resumes_to_identical_output(corpus, tmp_path):
    recipe_path = write_recipe(tmp_path, shard_size="128KB")
    cmd = [sys.executable, "-m", "taosha", "run", str(recipe_path), "-i", str(corpus), "-w", "2", "-q"]
    subprocess.run(cmd + ["-o", str(tmp_path / "whole")], check=True)
    # A terminal's Ctrl-C goes to the whole process group: driver and workers.
    victim = subprocess.Popen(cmd + ["-o", str(tmp_path / "stopped")], start_new_session=True,
                              stderr=subprocess.PIPE, text=True)
    done = tmp_path / "stopped" / ".taosha" / "done"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and victim.poll() is None:
        if done.is_dir() and len(list(done.glob("stage0-*.json"))) >= 3:
            os.killpg(victim.pid, signal.SIGINT)
            break
        time.sleep(0.005)
    try:
        _, err = victim.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(victim.pid, signal.SIGKILL)
        raise AssertionError("the run did not stop after Ctrl-C") from None
    assert victim.returncode == 130, err
    assert "interrupted; rerun the same command to resume" in err
    assert not (tmp_path / "stopped" / "stats.json").exists()
    subprocess.run(cmd + ["-o", str(tmp_path / "stopped")], check=True)
    assert tree_digest(tmp_path / "stopped") == tree_digest(tmp_path / "whole")


def test_a_worker_killed_mid_run_fails_the_run_clearly_and_a_rerun_resumes(corpus, tmp_path):
    # The out-of-memory killer's way: SIGKILL to one worker process.  The run must not hang.
    recipe_path = write_recipe(tmp_path, shard_size="128KB")
    cmd = [sys.executable, "-m", "taosha", "run", str(recipe_path), "-i", str(corpus), "-w", "2", "-q"]
    subprocess.run(cmd + ["-o", str(tmp_path / "whole")], check=True)
    victim = subprocess.Popen(cmd + ["-o", str(tmp_path / "broken")], stderr=subprocess.PIPE, text=True)
    done = tmp_path / "broken" / ".taosha" / "done"
    deadline = time.monotonic() + 60
    killed = False
    while time.monotonic() < deadline and victim.poll() is None and not killed:
        if done.is_dir() and len(list(done.glob("stage0-*.json"))) >= 2:
            children = [int(c) for t in os.listdir(f"/proc/{victim.pid}/task")
                        for c in Path(f"/proc/{victim.pid}/task/{t}/children").read_text().split()]
            for child in children:
                if "resource_tracker" not in Path(f"/proc/{child}/cmdline").read_text():
                    os.kill(child, signal.SIGKILL)
                    killed = True
                    break
        time.sleep(0.005)
    assert killed, "no worker process to kill before the run ended"
    try:
        _, err = victim.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        victim.kill()
        raise AssertionError("the run hung after a worker was killed") from None
    if victim.returncode == 0:  # the worker was idle at the end of the run: nothing was lost
        assert tree_digest(tmp_path / "broken") == tree_digest(tmp_path / "whole")
        return
    assert victim.returncode == 1 and "a worker process died (killed by signal 9" in err, err
    subprocess.run(cmd + ["-o", str(tmp_path / "broken")], check=True)
    assert tree_digest(tmp_path / "broken") == tree_digest(tmp_path / "whole")


def test_workers_do_not_outlive_a_killed_driver(corpus, tmp_path):
    # A worker left running would finish its task while the rerun redoes it, both writing the same files.
    cmd = [sys.executable, "-m", "taosha", "run", "zh-web", "-i", str(corpus), "-w", "3", "-q"]
    victim = subprocess.Popen(cmd + ["-o", str(tmp_path / "out")], stderr=subprocess.DEVNULL)
    done = tmp_path / "out" / ".taosha" / "done"
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and victim.poll() is None and not workers:
        if done.is_dir() and list(done.glob("stage0-*.json")):
            workers = [int(c) for t in os.listdir(f"/proc/{victim.pid}/task")
                       for c in Path(f"/proc/{victim.pid}/task/{t}/children").read_text().split()
                       if "resource_tracker" not in Path(f"/proc/{c}/cmdline").read_text()]
            for pid in workers:  # frozen mid-task, so that none can finish on its own
                os.kill(pid, signal.SIGSTOP)
            victim.kill()
        time.sleep(0.005)
    victim.wait()
    assert workers, "no worker process seen before the run ended"
    time.sleep(0.5)

    def running(pid: int) -> bool:
        try:
            return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return False

    survivors = [pid for pid in workers if running(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_cli_exit_codes_and_one_line_errors(tmp_path, corpus):
    def taosha(*args):
        return subprocess.run([sys.executable, "-m", "taosha", *args], capture_output=True, text=True)

    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - lenght_filter: {min_chars: 5}\n", encoding="utf-8")
    result = taosha("run", str(bad), "-i", str(corpus), "-o", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "did you mean 'length_filter'" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    result = taosha("run", "-i", str(empty), "-o", str(tmp_path / "o"))
    assert result.returncode == 2 and "no input files found" in result.stderr
    result = taosha("run", "-i", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "o"))
    assert result.returncode == 2 and "no such file" in result.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_quiet_progress_and_env(workers, tmp_path, corpus):
    """The CLI runs the default recipe end to end and prints where things are."""
    env = dict(os.environ, PYTHONWARNINGS="error")
    out = tmp_path / "o"
    result = subprocess.run(
        [sys.executable, "-m", "taosha", "run", "-i", str(corpus / SOURCES[0]), "-o", str(out), "-w", str(workers)],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "kept" in result.stdout and str(out / "stats.json") in result.stdout
