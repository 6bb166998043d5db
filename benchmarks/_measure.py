"""Run a command and measure wall time and the peak RSS of its whole process tree (Linux /proc)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                children = Path(f"/proc/{p}/task/{task}/children").read_text().split()
                todo.extend(int(c) for c in children)
        except OSError:
            continue
    return pids


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kib(pid: int) -> int:
    """Proportional set size: pages shared by several processes (a forked worker and the process it
    was forked from) counted once in all, where summed RSS counts them once per process."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory_kib(pid: int, pss: bool = True) -> tuple[int, int]:
    """Summed RSS and summed PSS (0 unless ``pss``) of ``pid`` and its descendants."""
    pids = _tree(pid)
    return sum(_rss_kib(p) for p in pids), sum(_pss_kib(p) for p in pids) if pss else 0


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Seconds and peak MiB of the summed RSS of the process tree, sampled every 20 ms."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_rss_kib(p) for p in _tree(proc.pid)))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return seconds, peak / 1024
