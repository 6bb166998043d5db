"""The local engine: a pool of worker processes on this machine (default: one per core).

Workers are forked warm.  The ``taosha`` command keeps its driver single-threaded, so the workers
are forked from the driver itself once it has loaded the recipe's steps (a few milliseconds each).
A driver with other threads (a library caller with a BLAS pool, say) must not fork, so its workers
come from a fork server (``forkserver``) that imported the step modules once
(:mod:`taosha.engines.warm`), started when the engine is made so that its imports overlap the
driver's recipe loading and planning; where there is no fork server (Windows) they are spawned.
Workers are kept for the whole run.  Progress comes back over a queue as ``(docs, bytes)`` deltas.
The driver runs tasks too, so ``-w N`` means the driver and ``N - 1`` worker processes; with one
worker every task runs in the driver's own process, which is simplest to debug.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any

from taosha.engines.base import Batch, Progress
from taosha.errors import FatalError, ShardError
from taosha.pipeline import RunPlan, run_reduce_task, run_shard_stage
from taosha.stats import Stats

log = logging.getLogger(__name__)

_progress_queue: Any = None
_worker_plan: RunPlan | None = None
"""Set in each worker process by the pool initializer, the worker's only process-wide state: the
plan travels once per worker, not once per task (it holds every shard of the run)."""


def _init_worker(queue: Any, plan: RunPlan) -> None:
    global _progress_queue, _worker_plan
    # Ctrl-C reaches the whole process group; only the driver acts on it (it stops the pool, and
    # the run resumes from its done markers), so a worker never dies half-way through a task.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    _progress_queue = queue
    _worker_plan = plan


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies.

    Without it, a driver killed with SIGKILL leaves its workers running: each finishes its task,
    writing files that a rerun is writing too, then waits for work for ever (a forked worker holds
    the write end of its own task pipe, so it never sees the end of it)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl: the old behaviour
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _report(docs: int, nbytes: int) -> None:
    if _progress_queue is not None:
        _progress_queue.put((docs, nbytes))


def _execute(plan: RunPlan, batch: Batch, item: int, report: Any) -> tuple[int, dict[str, Any] | None, str | None]:
    try:
        if batch.kind == "shards":
            stats = run_shard_stage(plan, batch.stage, item, report)
            return item, stats.to_json(), None
        run_reduce_task(plan, batch.stage, batch.phase, item)
        return item, None, None
    except Exception as exc:  # reported per task; the batch goes on
        return item, None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"


def _task(args: tuple[Batch, int]) -> tuple[int, dict[str, Any] | None, str | None]:
    assert _worker_plan is not None, "worker started without a plan"
    return _execute(_worker_plan, *args, _report)


def _start_context() -> Any:
    """``forkserver`` with the step modules preloaded where the OS has it, else ``spawn``.

    Measured on the benchmark corpus (2 workers): a spawned worker spent 0.3-0.5 CPU-s importing
    and building tables before its first document, while the driver waited; a worker forked from
    the warm server starts in about 10 ms.
    """
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["taosha.engines.warm"])
        return ctx
    return mp.get_context("spawn")  # pragma: no cover - not POSIX


def _fork_is_safe() -> bool:
    """Whether this process may fork its workers directly: only when it runs a single thread.

    A forked child gets a copy of the calling thread only; a lock that another thread held at that
    moment (logging, a BLAS pool, a progress bar) would stay locked in the child forever.  The CLI
    keeps the driver single-threaded (it asks OpenBLAS for no thread pool), so its workers are
    forked warm in a few milliseconds; a library caller with threads gets the fork server instead.
    """
    if "fork" not in mp.get_all_start_methods() or threading.active_count() != 1:
        return False
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Threads:"):
                    return int(line.split()[1]) == 1
    except OSError:
        pass
    return False


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class LocalEngine:
    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers or default_workers()
        self._pool: Any = None
        self._pool_plan: RunPlan | None = None
        self._queue: Any = None
        self._context: Any = None
        self._starter: threading.Thread | None = None
        self._pool_failed = False
        self._processes: list[Any] = []
        if self.workers > 1:
            self._choose_context()

    def _choose_context(self) -> None:
        if _fork_is_safe():
            self._context = mp.get_context("fork")  # checked again when the workers are made
        else:
            self._start_server()

    def _start_server(self) -> None:
        self._context = _start_context()
        if self._context.get_start_method() == "forkserver":
            # Start it now: its imports run while the driver loads the recipe and plans.
            from multiprocessing import forkserver

            forkserver.ensure_running()

    def _ensure_pool(self, plan: RunPlan) -> None:
        if self._pool is not None and self._pool_plan is not plan:
            self.close()
        if self._pool is None:
            ctx = self._context or _start_context()
            self._queue = ctx.Queue()
            # The driver is one of the workers (see run_batch): the pool has one process fewer.
            self._pool = ctx.Pool(self.workers - 1, initializer=_init_worker, initargs=(self._queue, plan))
            self._pool_plan = plan
            # Pool replaces a worker that dies but loses its task without a word: keep our own list
            # so that the driver can notice (see _check_workers).
            self._processes = list(self._pool._pool)
            log.debug("local engine: the driver and %d worker process(es), start method %s",
                      self.workers - 1, ctx.get_start_method())

    def run_batch(self, plan: RunPlan, batch: Batch, progress: Progress) -> dict[int, Stats | None]:
        results: dict[int, Stats | None] = {}
        failures: list[tuple[int, str]] = []
        items = list(batch.items)
        if batch.kind == "shards":
            # Largest shard first (LPT): the pool hands tasks out in this order, so a large shard
            # started last cannot leave one worker busy while the other idles at the stage barrier.
            # On the 6 files of benchmarks/compare the bound on 2 workers goes from 1.64x to 1.83x.
            # Outputs do not depend on the order in which tasks run.
            items.sort(key=lambda i: -plan.shards[i].size)
        if self.workers == 1 or len(items) == 1 and batch.kind == "reduce":
            for item in items:
                item, stats, error = _execute(plan, batch, item, progress.update)
                self._collect(batch, item, stats, error, results, failures, progress)
        else:
            self._share(plan, batch, items, progress, results, failures)
        if failures:
            for item, error in failures:
                log.debug("task %s %s failed:\n%s", batch.kind, item, error)
            first_item, first_error = failures[0]
            names = [_task_name(plan, batch, item) for item, _ in failures]
            raise ShardError(
                names[0] if len(names) == 1 else f"{len(names)} tasks ({', '.join(names[:5])})",
                first_error.splitlines()[0] + " — finished shards are kept; rerun the same command to retry",
            )
        return results

    def _share(self, plan: RunPlan, batch: Batch, items: list[int], progress: Progress,
               results: dict[int, Stats | None], failures: list[tuple[int, str]]) -> None:
        """Run ``items`` on the pool and in the driver itself, one task at a time each, in order.

        The driver works rather than waits: it starts on the largest shard at once, while the pool's
        workers are still being forked, and a run on two cores uses both with one worker process.
        Each pool worker has one task in flight and gets the next when it returns it (a callback in
        the pool's result thread), so tasks go out in LPT order to whoever is free.
        """
        todo = deque(items)
        lock = threading.Lock()
        finished: queue.SimpleQueue[tuple[int, dict[str, Any] | None, str | None]] = queue.SimpleQueue()

        def take() -> int | None:
            with lock:
                return todo.popleft() if todo else None

        def feed_pool() -> None:
            item = take()
            if item is None:
                return

            # Both run in the pool's result thread: hand the result over, then give the worker more.
            def done(result: tuple[int, dict[str, Any] | None, str | None]) -> None:
                finished.put(result)
                feed_pool()

            def failed(exc: BaseException, item: int = item) -> None:
                finished.put((item, None, f"{type(exc).__name__}: {exc}"))
                feed_pool()

            try:
                self._pool.apply_async(_task, ((batch, item),), callback=done, error_callback=failed)
            except ValueError:  # the pool was stopped (the run is being interrupted)
                return

        def start_pool_and_feed() -> None:
            try:
                self._ensure_pool(plan)
            except Exception:  # the driver carries on alone, for the rest of the run
                log.warning("could not start worker processes; running every task in the driver", exc_info=True)
                self._pool_failed = True
                return
            for _ in range(self.workers - 1):
                feed_pool()

        if self._pool is not None and self._pool_plan is not plan:
            self.close()
        if self._pool is not None:
            for _ in range(self.workers - 1):
                feed_pool()
        elif not self._pool_failed:
            if self._context is None:
                self._choose_context()
            if self._context.get_start_method() == "fork" and not _fork_is_safe():
                self._start_server()  # a thread appeared since the engine was made
            if self._context.get_start_method() == "fork":
                # Forked from the driver as it is now (step modules loaded): a few milliseconds.
                start_pool_and_feed()
            elif self._starter is None:
                # Forking the first workers waits for the fork server's imports: in a thread, so
                # that the driver starts on the first task meanwhile.
                self._starter = threading.Thread(target=start_pool_and_feed, name="taosha-pool-start", daemon=True)
                self._starter.start()
            else:  # the thread of an earlier batch is still forking: wait for it, then feed
                self._starter.join()
                if self._pool is not None:
                    for _ in range(self.workers - 1):
                        feed_pool()
        try:
            self._run_shared(plan, batch, items, take, finished, progress, results, failures)
        except BaseException:
            # Interrupted (Ctrl-C) or broken: stop the workers now rather than let them finish, and
            # hand nothing more out; a rerun redoes the unfinished tasks from scratch.
            with lock:
                todo.clear()
            self.terminate()
            raise

    def _run_shared(self, plan: RunPlan, batch: Batch, items: list[int], take: Callable[[], int | None],
                    finished: queue.SimpleQueue[tuple[int, dict[str, Any] | None, str | None]], progress: Progress,
                    results: dict[int, Stats | None], failures: list[tuple[int, str]]) -> None:
        """The driver's loop: run the next task itself, or wait for a worker's result."""
        collected = 0
        while collected < len(items):
            item = take()
            if item is not None:
                self._collect(batch, *_execute(plan, batch, item, progress.update), results, failures, progress)
                collected += 1
            else:
                try:
                    result = finished.get(timeout=0.2)
                except queue.Empty:
                    self._drain(progress)
                    self._check_workers()
                    continue
                self._collect(batch, *result, results, failures, progress)
                collected += 1
            self._drain(progress)
            while collected < len(items):
                try:
                    result = finished.get_nowait()
                except queue.Empty:
                    break
                self._collect(batch, *result, results, failures, progress)
                collected += 1
        self._drain(progress)

    def _check_workers(self) -> None:
        """Raise if a worker process has died (killed, out of memory): its task would never return."""
        for process in self._processes:
            code = process.exitcode
            if code is not None:
                how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
                raise FatalError(
                    f"a worker process died ({how}, out of memory?) while running a task; finished shards"
                    " are kept: rerun the same command to resume"
                )

    def _collect(self, batch: Batch, item: int, stats: dict[str, Any] | None, error: str | None,
                 results: dict[int, Stats | None], failures: list[tuple[int, str]], progress: Progress) -> None:
        if error is not None:
            failures.append((item, error))
        else:
            results[item] = Stats.from_json(stats) if stats is not None else None
        progress.task_done()

    def _drain(self, progress: Progress) -> None:
        if self._queue is None:
            return
        docs = nbytes = 0
        while True:
            try:
                d, b = self._queue.get_nowait()
            except Exception:
                break
            docs += d
            nbytes += b
        if docs or nbytes:
            progress.update(docs, nbytes)

    def terminate(self) -> None:
        """Stop the workers at once (tasks in flight are abandoned) and release everything."""
        if self._starter is not None:
            self._starter.join()
            self._starter = None
        if self._pool is not None:
            for process in [*self._pool._pool, *self._processes]:
                if process.exitcode is None:
                    process.kill()
            # Pool.terminate() takes the task queue's lock, which a killed worker may hold for
            # ever: let it run where it cannot hold up the driver, and give it a few seconds.
            stopper = threading.Thread(target=self._pool.terminate, name="taosha-pool-stop", daemon=True)
            stopper.start()
            stopper.join(timeout=5)
            self._pool = None
        self.close()

    def close(self) -> None:
        if self._starter is not None:
            self._starter.join()
            self._starter = None
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None
        self._processes = []
        if self._context is not None and self._context.get_start_method() == "forkserver":
            # Stop the server and reap it: a server left running would hold this run's modules for
            # the next one, and the CPU time of its workers would be counted nowhere (they are its
            # children, not the driver's).  The method is private but present since Python 3.7.
            from multiprocessing import forkserver

            stop = getattr(forkserver._forkserver, "_stop", None)
            if stop is not None:
                stop()
        self._context = None


def _task_name(plan: RunPlan, batch: Batch, item: int) -> str:
    if batch.kind == "shards":
        return f"{plan.shards[item].name} (stage {batch.stage})"
    return f"reduce partition {item} of stage {batch.stage} phase {batch.phase}"
