"""The Ray engine: the same tasks as the local engine, scheduled on a Ray cluster.

``taosha run ... --engine ray [--address HOST:PORT]``.  Each task of a batch (stage ``k`` of one
shard, or one partition of a reduce phase) is one Ray *task* calling the very functions the local
engine calls, :func:`taosha.pipeline.run_shard_stage` and :func:`taosha.pipeline.run_reduce_task`,
so the output files are byte-identical to a local run of the same recipe over the same inputs
(tested in ``tests/engines/test_ray.py``).

Why plain tasks rather than actors or Ray Data (measured, see docs/scaling.md):

* a shard task is seconds to minutes of work, so Ray's per-task cost (about a millisecond of
  scheduling, a worker process reused between tasks) is noise, and tasks are what Ray retries by
  itself when a worker process or a node dies (``max_retries``);
* Ray Data would move every document through the object store and decide its own block
  boundaries, which breaks the shard-level done markers (resume) and the shard-numbered output
  files (byte-identical results); taosha's documents never leave the task that reads them.

The corpus-wide passes are not funnelled through one node: a global step's ``collect`` writes its
keys (hashes, signatures) split into partitions by key, one file per shard and partition; each
reduce partition is an independent task that reads only its own key range, so the shuffle is by key
and clusters are resolved in parallel.  That state, the intermediates and the outputs all live under
``OUT``, which must therefore be a filesystem every node sees at the same path (NFS, Lustre, a
FUSE-mounted bucket...): the driver checks the done markers there and the tasks write there.

Failures:

* a worker process dies (OOM killer, preempted node): Ray reruns the task, up to ``max_retries``
  times; the task cleans whatever the dead attempt left before starting again;
* a task raises :class:`~taosha.errors.RetryableError`: retried by Ray the same way;
* any other error in a task: recorded, the batch goes on, then :class:`~taosha.errors.ShardError`
  names the failed tasks (as the local engine does) and a rerun redoes only those;
* the driver dies: Ray ends the job's tasks; rerunning the command skips every task whose done
  marker exists;
* the cluster cannot be reached: :class:`~taosha.errors.FatalError` in one line, before any work
  (Ray itself would wait forever on an address where nothing listens).

Progress: tasks send ``(docs, bytes)`` deltas about every half second to a small tally actor
(zero CPUs) that the driver drains between task completions.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
import traceback
from typing import Any

from taosha import __version__
from taosha.engines.base import Batch, Progress
from taosha.errors import FatalError, RetryableError, ShardError
from taosha.pipeline import RunPlan, run_reduce_task, run_shard_stage
from taosha.stats import Stats

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a TCP connection to the cluster's address before giving up."""

DRAIN_INTERVAL = 0.5
"""Seconds between two reads of the progress tally (tasks report about every 0.5 s)."""

TaskResult = tuple[int, dict[str, Any] | None, str | None]


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise FatalError("the Ray engine needs Ray: pip install 'taosha[ray]' (or use --engine local)") from None
    return ray


_worker_plan: dict[str, RunPlan] = {}
"""On a worker: the run's plan, deserialised once per process rather than once per task.  At 20,000
shards the pickled plan is 3.3 MB and takes 0.7 s to load; steps that load a model on first use also
keep it between tasks this way.  Holds one plan: a worker serves one run at a time."""


def _plan_of(ref: Any) -> RunPlan:
    import ray

    key = ref.hex()
    plan = _worker_plan.get(key)
    if plan is None:
        _worker_plan.clear()
        plan = _worker_plan[key] = ray.get(ref)
    return plan


def _run_task(plan_box: list[Any], batch: Batch, item: int, tally: Any, driver_version: str) -> TaskResult:
    """One task, on a Ray worker.  Errors come back as text except retryable ones, which Ray retries.

    ``plan_box`` holds the plan's object ref inside a list, so that Ray passes the ref rather than
    deserialising the plan for every task (see :func:`_plan_of`).
    """
    import ray

    if __version__ != driver_version:
        # Another version may decide differently (or fail on the driver's pickled steps): refuse.
        node = socket.gethostname()
        return item, None, (
            f"VersionMismatch: taosha {driver_version} on the driver but {__version__} on worker node {node}; "
            "install the same taosha version on every node"
        )
    plan = _plan_of(plan_box[0])
    last: list[Any] = []

    def report(docs: int, nbytes: int) -> None:
        try:
            last[:] = [tally.add.remote(docs, nbytes)]
        except ray.exceptions.RayError:  # progress is best effort; it never fails a task
            last.clear()

    try:
        if batch.kind == "shards":
            stats = run_shard_stage(plan, batch.stage, item, report)
            if last:
                # Calls from one caller run in order: once the last delta is counted, all are, so
                # the driver's next read after this task sees every document of it.
                try:
                    ray.get(last[0])
                except ray.exceptions.RayError:
                    pass
            return item, stats.to_json(), None
        run_reduce_task(plan, batch.stage, batch.phase, item)
        return item, None, None
    except RetryableError:
        raise
    except Exception as exc:  # reported per task; the batch goes on
        return item, None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"


class _Tally:
    """Progress deltas from every task of the run, summed until the driver takes them."""

    def __init__(self) -> None:
        self.docs = 0
        self.nbytes = 0

    def add(self, docs: int, nbytes: int) -> None:
        self.docs += docs
        self.nbytes += nbytes

    def take(self) -> tuple[int, int]:
        taken = (self.docs, self.nbytes)
        self.docs = self.nbytes = 0
        return taken


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Raise :class:`FatalError` unless something accepts TCP connections at ``HOST:PORT``.

    ``ray.init`` retries an unreachable address for minutes; a plain connect fails in seconds.
    ``auto`` and ``local`` are left to Ray.
    """
    if address in ("auto", "local"):
        return
    target = address.removeprefix("ray://")
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        raise FatalError(f"Ray address {address!r} is not HOST:PORT (e.g. 10.0.0.5:6379, or ray://HOST:10001)")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise FatalError(
            f"cannot reach the Ray cluster at {address} ({reason}); start one with `ray start --head` "
            "or pass the head node's address as --address HOST:PORT"
        ) from None


class RayEngine:
    """Runs batches as Ray tasks, at most ``workers`` at a time (default: the cluster's CPUs).

    With ``address`` (or ``RAY_ADDRESS``) it joins that cluster; without, it starts a private
    single-machine Ray with ``workers`` CPUs.  If Ray is already initialised in this process (a
    notebook, a test session) that connection is used and left open.
    """

    name = "ray"

    def __init__(self, workers: int | None = None, *, address: str | None = None, max_retries: int = 3):
        ray = self._ray = _import_ray()
        self.max_retries = max_retries
        self.version = __version__
        """Every worker must run this taosha version; a task on another one fails with both named."""
        self._owns_ray = False
        if ray.is_initialized():
            if address:
                log.debug("Ray is already initialised in this process; --address %s is not used", address)
        else:
            target = address or os.environ.get("RAY_ADDRESS")
            if target:
                check_reachable(target)
            kwargs: dict[str, Any] = {"logging_level": logging.WARNING, "configure_logging": False}
            if target:
                kwargs["address"] = target
            else:
                # "local": a private instance even when `ray start` left a cluster on this machine
                # (plain ray.init() would join that one).
                kwargs.update(address="local", num_cpus=workers, include_dashboard=False)
            try:
                ray.init(**kwargs)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise FatalError(f"cannot start or join a Ray cluster ({target or 'local'}): {first}") from None
            self._owns_ray = True
        cpus = int(ray.cluster_resources().get("CPU", 0))
        self.workers = workers or max(1, cpus)
        # Created now (asynchronously): its worker process starts while the driver plans.
        self._tally: Any = ray.remote(num_cpus=0)(_Tally).remote()
        self._take: Any = None
        self._remote: Any = None
        self._plan: RunPlan | None = None
        self._plan_ref: Any = None

    def _prepare(self, plan: RunPlan) -> None:
        ray = self._ray
        if self._remote is None:
            self._remote = ray.remote(num_cpus=1, max_retries=self.max_retries, retry_exceptions=[RetryableError])(
                _run_task
            )
        if self._plan is not plan:
            # Put once: every task of the run shares one copy of the recipe and the shard list.
            self._plan, self._plan_ref = plan, ray.put(plan)

    def run_batch(self, plan: RunPlan, batch: Batch, progress: Progress) -> dict[int, Stats | None]:
        ray = self._ray
        self._prepare(plan)
        items = list(batch.items)
        if batch.kind == "shards":
            # Biggest shards first: the last tasks of a batch are then short, which trims the
            # straggler tail (same output whatever the order).
            items.sort(key=lambda i: -plan.shards[i].size)
        results: dict[int, Stats | None] = {}
        failures: list[tuple[int, str]] = []
        in_flight: dict[Any, int] = {}
        queue = iter(items)
        last_drain = time.monotonic()
        try:
            while True:
                while len(in_flight) < self.workers:
                    item = next(queue, None)
                    if item is None:
                        break
                    ref = self._remote.remote([self._plan_ref], batch, item, self._tally, self.version)
                    in_flight[ref] = item
                if not in_flight:
                    break
                ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=DRAIN_INTERVAL)
                if time.monotonic() - last_drain >= DRAIN_INTERVAL:
                    self._drain(progress)
                    last_drain = time.monotonic()
                for ref in ready:
                    item = in_flight.pop(ref)
                    try:
                        _, stats, error = ray.get(ref)
                    except ray.exceptions.RayError as exc:
                        # Retries exhausted, node lost, out of memory...: Ray's own account.
                        stats, error = None, _describe(exc)
                    if error is not None:
                        failures.append((item, error))
                    else:
                        results[item] = Stats.from_json(stats) if stats is not None else None
                    progress.task_done()
        except BaseException:
            for ref in in_flight:
                ray.cancel(ref, force=True)
            raise
        self._drain(progress, final=True)
        if failures:
            failures.sort()
            for item, error in failures:
                log.debug("task %s %s failed:\n%s", batch.kind, item, error)
            names = [_task_name(plan, batch, item) for item, _ in failures]
            raise ShardError(
                names[0] if len(names) == 1 else f"{len(names)} tasks ({', '.join(names[:5])})",
                failures[0][1].splitlines()[0] + " — finished shards are kept; rerun the same command to retry",
            )
        return results

    def _drain(self, progress: Progress, *, final: bool = False) -> None:
        """Pass on the documents and bytes counted since the last drain; never waits unless ``final``.

        At the end of a batch every task has returned, and each waited for its own last delta, so a
        read issued then sees the whole batch.
        """
        ray = self._ray
        if self._take is None:
            self._take = self._tally.take.remote()
        ready, _ = ray.wait([self._take], timeout=None if final else 0)
        docs = nbytes = 0
        if ready:
            docs, nbytes = ray.get(self._take)
            self._take = None
            if final:
                more_docs, more_bytes = ray.get(self._tally.take.remote())
                docs, nbytes = docs + more_docs, nbytes + more_bytes
        if docs or nbytes:
            progress.update(docs, nbytes)

    def close(self) -> None:
        ray = self._ray
        if self._tally is not None and ray.is_initialized():
            ray.kill(self._tally)
        self._tally = self._take = self._remote = self._plan = self._plan_ref = None
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()
            self._owns_ray = False


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _describe(exc: Exception) -> str:
    """``Type: message`` of a failed Ray task, the task's own exception first, without colour codes."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        first = f"{type(cause).__name__}: {cause}"
    else:
        first = f"{type(exc).__name__}: {exc}"
    return _ANSI.sub("", first).strip() + "\n" + _ANSI.sub("", str(exc))


def _task_name(plan: RunPlan, batch: Batch, item: int) -> str:
    if batch.kind == "shards":
        return f"{plan.shards[item].name} (stage {batch.stage})"
    return f"reduce partition {item} of stage {batch.stage} phase {batch.phase}"
