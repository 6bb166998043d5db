"""The Ray engine on a real two-CPU Ray cluster started on 127.0.0.1 by this test session.

"Same output" means: every file under OUT/data, OUT/removed and OUT/quarantine has the same name and
the same bytes as after a local run of the same recipe over the same inputs, and stats.json is equal
once the timings (``seconds``) are taken out.
"""

from __future__ import annotations

import gzip
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
import ray
import ray_steps
from conftest import data_path
from helpers import tree_digest
from ray_steps import DieOnce, FailOn

import taosha
from taosha.engines.base import Batch
from taosha.engines.ray import RayEngine
from taosha.errors import ShardError
from taosha.filters.length import LengthFilter
from taosha.recipe import InputSettings, Recipe, load_recipe
from taosha.run import run

GZ_SOURCES = ["weibo_ced_posts.jsonl.gz", "weibo_checked_posts.jsonl.gz", "wiki_zhwiki_sample.jsonl.gz"]

OWN_RECIPE = """
name: ray-test
input: {shard_size: 192KB}
output: {format: jsonl.gz, max_file_size: 256KB}
steps:
  - unicode_cleanup: {}
  - exact_dedup: {partitions: 4}
  - length_filter: {min_chars: 10}
  - near_dedup: {partitions: 4}
"""
"""Three stages (two global steps, one with three reduce phases), many small shards, rolled files."""

LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
"""Ray's switch for a single-machine cluster: it then binds 127.0.0.1 instead of the host's address."""


@pytest.fixture(scope="session")
def ray_cluster():
    """One local cluster for the whole session (starting Ray costs seconds): 2 CPUs, no dashboard."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in LOOPBACK_ENV.items():
            mp.setenv(key, value)
        mp.delenv("RAY_ADDRESS", raising=False)
        # Ray reads the switch when it is imported; this process may have imported it already.
        mp.setattr(ray._private.ray_constants, "ENABLE_RAY_CLUSTER", False)
        context = ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", configure_logging=False)
        # tests/ is not importable on the workers; ship the test-only step by value.
        ray.cloudpickle.register_pickle_by_value(ray_steps)
        try:
            address = context.address_info["address"]
            assert address.startswith("127.0.0.1:")
            yield address
        finally:
            ray.cloudpickle.unregister_pickle_by_value(ray_steps)
            ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Real documents: whole compressed files, and one plain file cut into byte-range shards that
    repeats every third Weibo post under a new id, so duplicates cross shard boundaries."""
    root = tmp_path_factory.mktemp("corpus")
    with open(root / "mixed.jsonl", "wb") as dst:
        for name, limit in (("weibo_smp2020_ewect.jsonl.gz", 4000), ("weibo_ced_posts.jsonl.gz", None)):
            with gzip.open(data_path(name), "rb") as src:
                for i, line in enumerate(itertools.islice(src, limit)):
                    dst.write(line)
                    if name.startswith("weibo_ced") and i % 3 == 0:
                        record = orjson.loads(line)
                        record["id"] = "again-" + record["id"]
                        dst.write(orjson.dumps(record) + b"\n")
        dst.write(b'{"id": "broken", "text": \n')  # one record for the quarantine
    return root


def own_recipe(tmp: Path) -> Path:
    path = tmp / "recipe.yaml"
    path.write_text(OWN_RECIPE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def local_reference(corpus, tmp_path_factory) -> Path:
    """The local engine's run of OWN_RECIPE over ``corpus``: what every Ray run must reproduce."""
    root = tmp_path_factory.mktemp("local")
    run(load_recipe(own_recipe(root)), [str(corpus)], root / "out", workers=1, report=False)
    return root / "out"


def stats_without_timings(out: Path, drop_step: str = "") -> dict:
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("seconds", drop_step)}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(orjson.loads((out / "stats.json").read_bytes()))


def assert_same_run(out: Path, reference: Path, extra_step: str = "") -> None:
    """Same files, same bytes, same stats; ``extra_step`` is a no-op step only ``out``'s recipe had."""
    digest = tree_digest(out)
    assert digest == tree_digest(reference)
    assert any(name.startswith("data/") for name in digest) and any(name.startswith("removed/") for name in digest)
    stats = stats_without_timings(out, drop_step=extra_step)
    if extra_step:
        assert orjson.loads((out / "stats.json").read_bytes())["steps"][extra_step]["changed"] == 0
    assert stats == stats_without_timings(reference)


class RecordingProgress:
    def __init__(self) -> None:
        self.docs: dict[tuple[str, int], int] = {}
        self.tasks: dict[tuple[str, int, int], int] = {}
        self.batch: Batch | None = None

    def start(self, batch: Batch) -> None:
        self.batch = batch
        self.tasks[(batch.kind, batch.stage, batch.phase)] = 0

    def update(self, docs: int, nbytes: int) -> None:
        assert self.batch is not None
        key = (self.batch.kind, self.batch.stage)
        self.docs[key] = self.docs.get(key, 0) + docs

    def task_done(self) -> None:
        assert self.batch is not None
        self.tasks[(self.batch.kind, self.batch.stage, self.batch.phase)] += 1

    def close(self) -> None: ...


def test_builtin_recipe_gives_the_same_bytes_as_the_local_engine(ray_cluster, tmp_path):
    inputs = [str(data_path(name)) for name in GZ_SOURCES]
    run("zh-web", inputs, tmp_path / "local", workers=1, report=False)
    run("zh-web", inputs, tmp_path / "ray", engine="ray", report=False)
    assert_same_run(tmp_path / "ray", tmp_path / "local")
    manifest = orjson.loads((tmp_path / "ray" / "manifest.json").read_bytes())
    assert manifest["engine"] == "ray" and manifest["workers"] == 2


def test_own_recipe_same_bytes_and_progress_from_tasks(ray_cluster, corpus, local_reference, tmp_path):
    recipe = load_recipe(own_recipe(tmp_path))
    progress = RecordingProgress()
    stats = run(recipe, [str(corpus)], tmp_path / "ray", engine=RayEngine(2), progress=progress, report=False)
    assert_same_run(tmp_path / "ray", local_reference)
    assert stats.documents["quarantined"] == 1
    n_shards = len(orjson.loads((tmp_path / "ray" / "manifest.json").read_bytes())["shards"])
    assert n_shards >= 4
    # Every task reported its completion: one per shard and stage, one per reduce partition.
    assert all(progress.tasks[("shards", stage, 0)] == n_shards for stage in range(3))
    assert {key[:2] for key in progress.tasks if key[0] == "reduce"} == {("reduce", 0), ("reduce", 1)}
    assert [key[2] for key in progress.tasks if key[:2] == ("reduce", 1)] == [0, 1, 2]
    # Later stages report every carried document exactly, through the tally actor.
    done = tmp_path / "ray" / ".taosha" / "done"
    carried = 0
    for stage in (0, 1, 2):
        if stage:
            assert progress.docs[("shards", stage)] == carried > 0
        for marker in done.glob(f"stage{stage}-*.json"):
            d = orjson.loads(marker.read_bytes())["documents"]
            carried += d["in"] - d["removed"] - d["quarantined"]


def test_a_killed_worker_process_is_retried_and_the_output_is_unchanged(ray_cluster, corpus, local_reference, tmp_path):
    base = load_recipe(own_recipe(tmp_path))
    marker = tmp_path / "worker-killed"
    # A Weibo post deep inside a shard: the dead attempt leaves partly written files for the retry.
    with gzip.open(data_path("weibo_ced_posts.jsonl.gz"), "rb") as fh:
        target = orjson.loads(next(itertools.islice(fh, 1500, None)))["id"]
    killer = DieOnce(marker=str(marker), doc_id=target, spare_pid=os.getpid())
    recipe = Recipe(base.name, base.description, base.input, base.output, (("die_once", killer), *base.steps))
    run(recipe, [str(corpus)], tmp_path / "ray", engine="ray", report=False)
    assert marker.exists(), "no worker was killed: the test step never reached its document"
    killed_pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(killed_pid, 0)
    assert_same_run(tmp_path / "ray", local_reference, extra_step="die_once")
    assert not list((tmp_path / "ray").rglob("*.tmp"))


def test_failing_tasks_are_named_retryable_ones_retried_and_the_others_finish(ray_cluster, tmp_path):
    inputs = [str(data_path(name)) for name in GZ_SOURCES]
    first_ids = {}
    for name in GZ_SOURCES[:2]:
        with gzip.open(data_path(name), "rb") as fh:
            first_ids[name] = orjson.loads(next(itertools.islice(fh, 100, None)))["id"]
    flaky, broken = tmp_path / "flaky.log", tmp_path / "broken.log"
    # One shard per file (min_shards=1), so that each failing document fails a whole file's task.
    recipe = Recipe("failing", input=InputSettings(min_shards=1), steps=(
        ("flaky", FailOn(doc_id=first_ids[GZ_SOURCES[0]], log=str(flaky), retryable=True)),
        ("broken", FailOn(doc_id=first_ids[GZ_SOURCES[1]], log=str(broken))),
    ))
    with pytest.raises(ShardError) as caught:
        run(recipe, inputs, tmp_path / "out", engine=RayEngine(2, max_retries=2), report=False)
    message = str(caught.value)
    assert message.startswith(f"shard 2 tasks ({GZ_SOURCES[0]} (stage 0), {GZ_SOURCES[1]} (stage 0)): RetryableError: ")
    assert "\x1b[" not in message and "rerun the same command" in message
    assert len(flaky.read_text().splitlines()) == 3  # the first attempt and two retries
    assert len(broken.read_text().splitlines()) == 1  # a plain error is not retried
    done = tmp_path / "out" / ".taosha" / "done"
    assert sorted(p.name for p in done.iterdir()) == ["stage0-00002.json"]


def test_a_worker_with_another_taosha_version_is_refused(ray_cluster, tmp_path):
    engine = RayEngine(2)
    engine.version = "0.0.0+driver"  # as if the driver ran another release than the workers
    recipe = Recipe("tiny", steps=(("length_filter", LengthFilter()),))
    with pytest.raises(ShardError) as caught:
        run(recipe, [str(data_path("weibo_ner_spans.jsonl.gz"))], tmp_path / "out", engine=engine, report=False)
    assert f"VersionMismatch: taosha 0.0.0+driver on the driver but {taosha.__version__} on worker node" in str(caught.value)
    assert not list((tmp_path / "out" / ".taosha" / "done").glob("*"))


def test_a_killed_driver_resumes_from_the_done_markers(ray_cluster, corpus, local_reference, tmp_path):
    recipe_path = own_recipe(tmp_path)
    out = tmp_path / "ray"
    cmd = [sys.executable, "-m", "taosha", "run", str(recipe_path), "-i", str(corpus), "-o", str(out),
           "--engine", "ray", "--address", ray_cluster, "-q"]
    env = {**os.environ, **LOOPBACK_ENV}
    env.pop("RAY_ADDRESS", None)
    victim = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE)
    done = out / ".taosha" / "done"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and victim.poll() is None:
        if done.is_dir() and any(done.glob("stage0-*.json")):
            victim.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    _, stderr = victim.communicate()
    assert victim.returncode == -signal.SIGKILL, f"the run ended before it could be killed: {stderr.decode()[-500:]}"
    assert not (out / "stats.json").exists()
    time.sleep(0.5)  # Ray ends the dead driver's tasks; a straggler may still finish its shard
    before = {p.name: p.stat().st_mtime_ns for p in done.iterdir()}
    n_markers = len(list((local_reference / ".taosha" / "done").iterdir()))
    assert 0 < len(before) < n_markers
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert_same_run(out, local_reference)
    # Finished tasks were skipped, not redone.
    assert {name: (done / name).stat().st_mtime_ns for name in before} == before
    assert not list(out.rglob("*.tmp"))


def test_without_an_address_the_cli_starts_a_private_ray(tmp_path):
    """The path a user trying the engine takes: no cluster, ``--engine ray -w 1``."""
    source = str(data_path("weibo_ner_spans.jsonl.gz"))
    run("zh-web", [source], tmp_path / "local", workers=1, report=False)
    env = {**os.environ, **LOOPBACK_ENV}
    env.pop("RAY_ADDRESS", None)
    result = subprocess.run(
        [sys.executable, "-m", "taosha", "run", "zh-web", "-i", source, "-o", str(tmp_path / "ray"),
         "--engine", "ray", "-w", "1", "-q"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    manifest = orjson.loads((tmp_path / "ray" / "manifest.json").read_bytes())
    assert (manifest["engine"], manifest["workers"]) == ("ray", 1)
    assert_same_run(tmp_path / "ray", tmp_path / "local")


def test_an_unreachable_address_is_one_clear_line(tmp_path, corpus):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free once closed: nothing listens there
    env = {**os.environ, **LOOPBACK_ENV}
    env.pop("RAY_ADDRESS", None)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "taosha", "run", "zh-web", "-i", str(corpus), "-o", str(tmp_path / "out"),
         "--engine", "ray", "--address", f"127.0.0.1:{port}", "-q"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"taosha: error: cannot reach the Ray cluster at 127.0.0.1:{port} (Connection refused); "
                     "start one with `ray start --head` or pass the head node's address as --address HOST:PORT"]
    assert time.monotonic() - started < 30


def test_a_malformed_address_is_refused_before_connecting(tmp_path, corpus):
    result = subprocess.run(
        [sys.executable, "-m", "taosha", "run", "-i", str(corpus), "-o", str(tmp_path / "out"),
         "--engine", "ray", "--address", "headnode", "-q"],
        env={k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "taosha: error: Ray address 'headnode' is not HOST:PORT (e.g. 10.0.0.5:6379, or ray://HOST:10001)"
