"""CPU time and memory of a whole process tree, read from /proc (no psutil needed).

``TreeSampler`` polls every process below a root pid (found through the parent pid in
``/proc/PID/stat``, since this kernel has no ``/proc/PID/task/TID/children``) in a
background thread. It keeps, per process, the last CPU time seen and, per sample, the
sum of the tree's resident sets, so it reports:

- ``cpu_seconds``: the tree's CPU time as sampled (each process's last reading; the time
  a process spends after its last sample is missed, at most one interval per process);
- ``peak_tree_rss``: the highest sum of RSS over the tree's processes in one sample
  (shared pages, e.g. copy-on-write after fork, are counted once per process);
- ``peak_main_rss``: the root's own peak, from the kernel's high-water mark ``VmHWM``.

The exact CPU time comes from the kernel instead: make the sampling process a child
subreaper (``become_child_subreaper``), so that descendants orphaned when the root exits
(the multiprocessing forkserver and its workers) are re-parented to it, reap them
(``reap``), and read ``getrusage(RUSAGE_CHILDREN)``, which then includes every process
of the tree (``children_cpu_seconds`` before and after).
"""

from __future__ import annotations

import ctypes
import os
import resource
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PR_SET_CHILD_SUBREAPER = 36
DEFAULT_INTERVAL = 0.2  # a /proc scan of ~75 processes costs ~3-4 ms: 0.1 s would take 4 % of a core


@dataclass(frozen=True)
class ProcStat:
    pid: int
    ppid: int
    state: str
    start_ticks: int  # with the pid, identifies a process even if the pid is reused
    cpu_ticks: int  # utime + stime of the process itself, not of its children
    rss_bytes: int

    @property
    def key(self) -> tuple[int, int]:
        return (self.pid, self.start_ticks)


def parse_stat(text: str) -> ProcStat:
    """One ``/proc/PID/stat`` line; the command name may hold spaces and parentheses."""
    pid_part, _, rest = text.rpartition(")")
    fields = rest.split()
    # fields[0] is field 3 of proc(5): state, ppid, ..., utime (14), stime (15), starttime (22), rss (24)
    return ProcStat(
        pid=int(pid_part.split("(", 1)[0]),
        ppid=int(fields[1]),
        state=fields[0],
        start_ticks=int(fields[19]),
        cpu_ticks=int(fields[11]) + int(fields[12]),
        rss_bytes=int(fields[21]) * PAGE_SIZE,
    )


def read_stat(pid: int) -> ProcStat | None:
    try:
        return parse_stat((PROC / str(pid) / "stat").read_text())
    except (OSError, ValueError, IndexError):
        return None  # gone between listing and reading


def all_stats() -> dict[int, ProcStat]:
    stats = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = read_stat(int(entry.name))
            if stat is not None:
                stats[stat.pid] = stat
    return stats


def descendants(root: int, stats: dict[int, ProcStat]) -> set[int]:
    """``root`` and every process below it, by parent pid."""
    children: dict[int, list[int]] = {}
    for stat in stats.values():
        children.setdefault(stat.ppid, []).append(stat.pid)
    found, stack = set(), [root]
    while stack:
        pid = stack.pop()
        if pid in found or pid not in stats:
            continue
        found.add(pid)
        stack.extend(children.get(pid, ()))
    return found


def high_water_rss(pid: int) -> int | None:
    """The process's peak resident set (``VmHWM``) in bytes, or None once it is gone."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


class TreeSampler:
    """Samples the tree below ``root`` every ``interval`` seconds in a daemon thread."""

    def __init__(self, root: int, interval: float = DEFAULT_INTERVAL):
        self.root = root
        self.interval = interval
        self.cpu_ticks: dict[tuple[int, int], int] = {}
        self.tracked: dict[int, int] = {}  # pid -> start ticks of every process seen in the tree
        self.peak_tree_rss = 0
        self.peak_main_rss = 0
        self.max_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"tree-sampler-{root}", daemon=True)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample_once()
            self._stop.wait(self.interval)

    def members(self, stats: dict[int, ProcStat]) -> list[ProcStat]:
        """The tree now: the root's descendants plus tracked processes re-parented elsewhere."""
        pids = descendants(self.root, stats)
        pids.update(
            pid for pid, start in self.tracked.items() if pid in stats and stats[pid].start_ticks == start
        )
        return [stats[pid] for pid in pids]

    def sample_once(self) -> None:
        members = [stat for stat in self.members(all_stats()) if stat.state != "Z"]
        if not members:
            return
        for stat in members:
            self.tracked[stat.pid] = stat.start_ticks
            self.cpu_ticks[stat.key] = stat.cpu_ticks
        self.peak_tree_rss = max(self.peak_tree_rss, sum(stat.rss_bytes for stat in members))
        main = next((stat for stat in members if stat.pid == self.root), None)
        if main is not None:
            self.peak_main_rss = max(self.peak_main_rss, main.rss_bytes, high_water_rss(self.root) or 0)
        self.max_processes = max(self.max_processes, len(members))
        self.samples += 1

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu_ticks.values()) / CLOCK_TICKS

    @property
    def main_cpu_seconds(self) -> float:
        """The root process alone (its last sample)."""
        return sum(ticks for (pid, _), ticks in self.cpu_ticks.items() if pid == self.root) / CLOCK_TICKS

    @property
    def process_count(self) -> int:
        return len(self.cpu_ticks)


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (``/proc/stat``: all but idle and iowait)."""
    fields = [int(value) for value in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def become_child_subreaper() -> bool:
    """Adopt orphaned descendants (Linux >= 3.4), so their CPU time reaches our rusage."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def is_alive(pid: int, start_ticks: int) -> bool:
    """The process exists (zombie included) and is the one that had this start time."""
    stat = read_stat(pid)
    return stat is not None and stat.start_ticks == start_ticks


def reap(processes: Iterable[tuple[int, int]], timeout: float = 15.0) -> list[int]:
    """Wait for the given (pid, start ticks) to disappear, reaping those re-parented to us.

    Returns the pids still there after ``timeout``. A process that is not our child is
    left to its own parent; it disappears when that one reaps it.
    """
    pending = {pid: start for pid, start in processes}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for pid in list(pending):
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            if not is_alive(pid, pending[pid]):
                del pending[pid]
        if pending:
            time.sleep(0.05)
    return sorted(pending)
