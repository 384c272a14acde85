"""Task functions for the worker-pool tests (importable by the forkserver)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def echo_after(value, delay: float):
    time.sleep(delay)
    return value


def crash_first_time(marker: str, value):
    """Dies like a segfault the first time (no marker yet), succeeds on the retry."""
    path = Path(marker)
    if not path.exists():
        path.write_text("crashed once")
        os._exit(1)
    return value


def always_crash():
    os._exit(1)


def raise_value_error(message: str):
    raise ValueError(message)


def own_pid():
    return os.getpid()


def langdetect_profiles_loaded() -> bool:
    """Whether this process has langdetect's profiles without having detected anything itself."""
    from langdetect import detector_factory

    return detector_factory._factory is not None


def timed_sleep(delay: float) -> tuple[float, float]:
    """(start, end) on the system-wide monotonic clock, comparable across processes."""
    started = time.monotonic()
    time.sleep(delay)
    return started, time.monotonic()


def crash_or_echo(value):
    """Dies on ``None`` (a page that kills its worker every time), else returns ``value``."""
    if value is None:
        os._exit(1)
    return value


def runs_forkserver_child(preloaded: str, wait: float) -> bool:
    """Whether a child of this process is a forkserver that preloads ``preloaded``.

    A freshly spawned child may not have exec'd yet (its command line is then
    empty or its parent's), so this looks again for up to ``wait`` seconds.
    """
    deadline = time.monotonic() + wait
    while True:
        with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as listing:
            pids = listing.read().split()
        for pid in pids:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:  # exited meanwhile
                continue
            if "multiprocessing.forkserver import main" in command and preloaded in command:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def hang():
    """A worker initializer that never returns (a deadlocked child, a hung import)."""
    time.sleep(3600)
