"""A pool of extraction worker processes driven from the asyncio reactor thread.

trafilatura is CPU work; run in the reactor thread it uses one core and
stalls downloads while it parses. This pool moves it to worker processes:
only the page goes in and only the result comes out, over one pipe per
worker, watched with ``loop.add_reader`` so the reactor thread never waits.

Unlike ``concurrent.futures.ProcessPoolExecutor``, one bad page cannot break
the pool:

- a task that runs longer than ``timeout`` has its worker killed and fails
  with ``TaskTimeout``; a fresh worker takes the dead one's place;
- a worker that dies (segfault, OOM kill) is replaced, and its task is tried
  once more before it fails with ``WorkerCrashed``.

Workers start through a forkserver that has already imported the task's
module, so a replacement is ready in milliseconds and never inherits the
reactor's threads or sockets.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

# One retry: a page that kills a worker twice is the page's fault.
MAX_ATTEMPTS = 2


class TaskTimeout(Exception):
    """The task ran longer than the pool's timeout; its worker was killed."""


class WorkerCrashed(Exception):
    """The worker process died while running the task, on every attempt."""


class TaskFailed(Exception):
    """The task raised an exception that could not be sent back as itself."""


class PoolBroken(Exception):
    """Workers die before they are ready (a broken environment); the pool gave up."""


# Workers that die before saying "ready" this many times in a row mean the
# environment is broken (unimportable module, no memory): stop restarting them.
MAX_START_FAILURES = 3


@dataclass
class _Task:
    args: tuple
    future: asyncio.Future
    attempts: int = 0


@dataclass
class _Worker:
    process: Any
    connection: Any
    task: _Task | None = None
    deadline: asyncio.TimerHandle | None = None
    ready: bool = False
    exit_fd: int | None = None
    finished: int = field(default=0)


def _worker_main(connection, function: Callable, initializer: Callable | None) -> None:
    # The parent decides when to stop: Ctrl-C or a SIGTERM sent to the whole
    # process group (cron's timeout, a shutdown) must let the parent finish the
    # pages in hand. A worker whose parent died exits on the closed pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if initializer is not None:
        initializer()
    # Warm-up time must not count against the first task's deadline.
    try:
        connection.send(("ready", None))
    except OSError:  # the pool closed while this worker was starting
        return
    while True:
        try:
            args = connection.recv()
        except (EOFError, OSError):
            return
        if args is None:
            return
        try:
            reply = ("ok", function(*args))
        except Exception as exc:  # sent back to the caller, who decides
            reply = ("error", exc)
        try:
            connection.send(reply)
        except OSError:  # the pool is gone
            return
        except Exception as exc:  # an unpicklable result or exception
            connection.send(("error", TaskFailed(f"{type(exc).__name__}: {exc}")))


class WorkerPool:
    """Runs ``function(*args)`` in ``workers`` processes; ``await pool.run(*args)``."""

    def __init__(
        self,
        function: Callable,
        workers: int,
        timeout: float,
        initializer: Callable | None = None,
        preload: tuple[str, ...] = (),
    ):
        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.function = function
        self.initializer = initializer
        self.size = workers
        self.timeout = timeout
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([function.__module__, *preload])
        # Finished tasks per worker are not tracked beyond a counter: no
        # per-page state accumulates in the parent.
        self._workers: list[_Worker] = []
        self._idle: collections.deque[_Worker] = collections.deque()
        self._queue: collections.deque[_Task] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._broken: PoolBroken | None = None
        self._start_failures = 0
        self._retired: list[_Worker] = []
        self.timeouts = 0
        self.crashes = 0
        self.restarts = 0

    # --- lifecycle ----------------------------------------------------------

    def _start_worker(self) -> _Worker:
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker_main, args=(child_end, self.function, self.initializer), daemon=True
        )
        process.start()
        child_end.close()
        worker = _Worker(process=process, connection=parent_end)
        self._workers.append(worker)  # idle once it says it is ready
        self._loop.add_reader(parent_end.fileno(), self._on_readable, worker)
        # The pipe alone may never report a death: another process (the
        # forkserver, a sibling forked meanwhile) can hold a copy of its other
        # end. A pidfd becomes readable exactly when this process exits (the
        # forkserver's sentinel would also fire if the forkserver itself died).
        try:
            worker.exit_fd = os.pidfd_open(process.pid)
        except ProcessLookupError:  # it died already
            self._loop.call_soon(self._on_exit, worker)
        else:
            self._loop.add_reader(worker.exit_fd, self._on_exit, worker)
        return worker

    def _ensure_started(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            for _ in range(self.size):
                self._start_worker()

    def close(self) -> None:
        """Stop every worker; pending tasks fail with ``CancelledError``."""
        self._closed = True
        for task in self._queue:
            if not task.future.done():
                task.future.cancel()
        self._queue.clear()
        for worker in list(self._workers):
            if worker.task is not None and not worker.task.future.done():
                worker.task.future.cancel()
            try:
                worker.connection.send(None)
            except OSError:
                pass
            self._retire(worker, kill=False)
        for worker in self._retired:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=2)
        self._retired.clear()

    def _retire(self, worker: _Worker, kill: bool) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        if worker.deadline is not None:
            worker.deadline.cancel()
        if self._loop is not None:
            for fd in (worker.connection.fileno(), worker.exit_fd):
                if fd is None:
                    continue
                try:
                    self._loop.remove_reader(fd)
                except (OSError, ValueError):
                    pass
        if worker.exit_fd is not None:
            os.close(worker.exit_fd)
            worker.exit_fd = None
        if kill and worker.process.is_alive():
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.join(timeout=5)
        worker.connection.close()
        if not kill:
            self._retired.append(worker)

    # --- tasks --------------------------------------------------------------

    async def run(self, *args):
        """The function's result for ``args``, computed in a worker process."""
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        if self._broken is not None:
            raise self._broken
        self._ensure_started()
        task = _Task(args=args, future=self._loop.create_future())
        self._queue.append(task)
        self._dispatch()
        return await task.future

    def _dispatch(self) -> None:
        while self._queue and self._idle:
            task = self._queue.popleft()
            if task.future.done():  # cancelled while queued
                continue
            worker = self._idle.popleft()
            task.attempts += 1
            worker.task = task
            try:
                worker.connection.send(task.args)
            except (OSError, EOFError):
                self._on_worker_death(worker)
                continue
            worker.deadline = self._loop.call_later(self.timeout, self._on_timeout, worker)

    def _on_exit(self, worker: _Worker) -> None:
        if worker not in self._workers:
            return
        # A reply it sent just before exiting is still read first.
        if worker.connection.poll():
            self._on_readable(worker)
            if worker not in self._workers:
                return
        self._on_worker_death(worker)

    def _on_readable(self, worker: _Worker) -> None:
        try:
            status, payload = worker.connection.recv()
        except (EOFError, OSError):
            self._on_worker_death(worker)
            return
        if status == "ready":
            worker.ready = True
            self._start_failures = 0
            self._idle.append(worker)
            self._dispatch()
            return
        task, worker.task = worker.task, None
        if worker.deadline is not None:
            worker.deadline.cancel()
            worker.deadline = None
        worker.finished += 1
        self._idle.append(worker)
        if task is not None and not task.future.done():
            if status == "ok":
                task.future.set_result(payload)
            else:
                task.future.set_exception(payload)
        self._dispatch()

    def _replace(self, worker: _Worker) -> None:
        self._retire(worker, kill=True)
        if not self._closed:
            self.restarts += 1
            self._start_worker()

    def _on_timeout(self, worker: _Worker) -> None:
        task, worker.task = worker.task, None
        worker.deadline = None
        self.timeouts += 1
        logger.warning("Extraction worker %s timed out after %.0fs; killing it", worker.process.pid, self.timeout)
        self._replace(worker)
        if task is not None and not task.future.done():
            task.future.set_exception(TaskTimeout(f"no result after {self.timeout:.0f}s"))
        self._dispatch()

    def _on_worker_death(self, worker: _Worker) -> None:
        if not worker.ready:
            self._on_start_failure(worker)
            return
        task, worker.task = worker.task, None
        self.crashes += 1
        logger.warning("Extraction worker %s died (exit code %s); starting another", worker.process.pid, worker.process.exitcode)
        self._replace(worker)
        if task is not None and not task.future.done():
            if task.attempts < MAX_ATTEMPTS:
                self._queue.appendleft(task)
            else:
                task.future.set_exception(WorkerCrashed(f"worker died {task.attempts} times on this task"))
        self._dispatch()

    def _on_start_failure(self, worker: _Worker) -> None:
        self._start_failures += 1
        self._retire(worker, kill=True)
        if self._start_failures < MAX_START_FAILURES:
            self._start_worker()
            return
        self._broken = PoolBroken(f"{self._start_failures} workers in a row died while starting")
        logger.error("Extraction workers cannot start (%s)", self._broken)
        if not any(w.ready for w in self._workers):
            while self._queue:
                task = self._queue.popleft()
                if not task.future.done():
                    task.future.set_exception(self._broken)

    @property
    def worker_pids(self) -> list[int]:
        return [worker.process.pid for worker in self._workers]
