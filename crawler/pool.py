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

Each worker also holds one task in reserve in its pipe: the moment it sends
a result it starts the next page, instead of idling until the busy reactor
thread gets round to reading the result and sending more work. The pipe that
carries tasks is enlarged so that sending the reserve never blocks the reactor.

Workers start through a forkserver that has already imported the task's
module, so a replacement is ready in milliseconds and never inherits the
reactor's threads or sockets.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import fcntl
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.reduction import ForkingPickler
from typing import Any

logger = logging.getLogger(__name__)

# One retry: a page that kills a worker twice is the page's fault.
MAX_ATTEMPTS = 2
# Tasks a worker holds at once: the running one and one in reserve.
TASKS_PER_WORKER = 2
# Linux's default limit for an unprivileged pipe size (/proc/sys/fs/pipe-max-size).
TASK_PIPE_BYTES = 1 << 20
# Room kept free in the task pipe for message headers and partly filled pages.
PIPE_SLACK_BYTES = 8192


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
# Seconds a started worker has to say "ready". Forking from the warm forkserver and
# running the initializer take well under a second; a worker that is silent this
# long is stuck (a deadlock in the forked child, a hung import) and counts as a
# start failure, so a pool whose workers cannot start breaks in bounded time
# instead of waiting for a "ready" that never comes.
START_TIMEOUT_SECONDS = 30.0


@dataclass
class _Task:
    payload: memoryview  # the pickled arguments, as the worker's ``recv`` reads them
    future: asyncio.Future
    attempts: int = 0


@dataclass
class _Worker:
    process: Any
    tasks_out: Any  # the pool writes tasks here
    results_in: Any  # and reads results here
    pipe_bytes: int  # what the task pipe holds without blocking the writer
    # Sent and unanswered, oldest first: the first is running, the next waits in the pipe.
    tasks: collections.deque[_Task] = field(default_factory=collections.deque)
    deadline: asyncio.TimerHandle | None = None  # of the running task, or of the start
    ready: bool = False
    exit_fd: int | None = None
    finished: int = field(default=0)

    def can_take(self, task: _Task) -> bool:
        """Idle, or able to hold ``task`` in reserve without the send blocking.

        Counted as if the running task were still unread in the pipe, so a
        reserve never waits on the worker; a page too big for that waits for
        an idle worker instead.
        """
        if not self.ready or len(self.tasks) >= TASKS_PER_WORKER:
            return False
        queued = sum(len(held.payload) for held in self.tasks)
        return not self.tasks or queued + len(task.payload) + PIPE_SLACK_BYTES <= self.pipe_bytes


def _enlarge_pipe(connection) -> int:
    """Grow the pipe behind ``connection`` as far as the system allows; return its size."""
    try:
        return fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, TASK_PIPE_BYTES)
    except OSError:  # a lower system limit: keep the default size
        return fcntl.fcntl(connection.fileno(), fcntl.F_GETPIPE_SZ)


def _use_forkserver(function: Callable, preload: Sequence[str]):
    """The forkserver context, set to import ``function``'s module and ``preload``."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([function.__module__, *preload])
    return context


def boot_forkserver(function: Callable, preload: Sequence[str] = ()) -> None:
    """Start the forkserver that workers of ``WorkerPool(function, preload=preload)`` fork from.

    Starting a worker waits until the forkserver has imported its modules
    (over a second for trafilatura and friends), and that wait blocks the
    reactor thread. Booted early, while Scrapy itself is still starting, the
    imports run on another core in the meantime. A forkserver already running
    is kept.
    """
    from multiprocessing import forkserver

    _use_forkserver(function, preload)
    forkserver.ensure_running()


def _worker_main(tasks_in, results_out, function: Callable, initializer: Callable | None) -> None:
    # The parent decides when to stop: Ctrl-C or a SIGTERM sent to the whole
    # process group (cron's timeout, a shutdown) must let the parent finish the
    # pages in hand. A worker whose parent died exits on the closed pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if initializer is not None:
        initializer()
    # Warm-up time must not count against the first task's deadline.
    try:
        results_out.send(("ready", None))
    except OSError:  # the pool closed while this worker was starting
        return
    while True:
        try:
            args = tasks_in.recv()
        except (EOFError, OSError):
            return
        if args is None:
            return
        try:
            reply = ("ok", function(*args))
        except Exception as exc:  # sent back to the caller, who decides
            reply = ("error", exc)
        try:
            results_out.send(reply)
        except OSError:  # the pool is gone
            return
        except Exception as exc:  # an unpicklable result or exception
            results_out.send(("error", TaskFailed(f"{type(exc).__name__}: {exc}")))


class WorkerPool:
    """Runs ``function(*args)`` in ``workers`` processes; ``await pool.run(*args)``."""

    def __init__(
        self,
        function: Callable,
        workers: int,
        timeout: float,
        initializer: Callable | None = None,
        preload: tuple[str, ...] = (),
        start_timeout: float = START_TIMEOUT_SECONDS,
    ):
        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.function = function
        self.initializer = initializer
        self.size = workers
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.preload = tuple(preload)
        self._context = _use_forkserver(function, self.preload)
        # Finished tasks per worker are not tracked beyond a counter: no
        # per-page state accumulates in the parent.
        self._workers: list[_Worker] = []
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
        tasks_in, tasks_out = self._context.Pipe(duplex=False)
        results_in, results_out = self._context.Pipe(duplex=False)
        pipe_bytes = _enlarge_pipe(tasks_out)
        process = self._context.Process(
            target=_worker_main, args=(tasks_in, results_out, self.function, self.initializer), daemon=True
        )
        process.start()
        tasks_in.close()
        results_out.close()
        worker = _Worker(process=process, tasks_out=tasks_out, results_in=results_in, pipe_bytes=pipe_bytes)
        self._workers.append(worker)  # takes tasks once it says it is ready
        worker.deadline = self._loop.call_later(self.start_timeout, self._on_start_timeout, worker)
        self._loop.add_reader(results_in.fileno(), self._on_readable, worker)
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

    def boot(self) -> None:
        """Start the forkserver now (if ``boot_forkserver`` has not already): it imports
        the task's modules while the crawl fetches robots.txt and sitemaps. Workers
        still start with the first task."""
        boot_forkserver(self.function, self.preload)

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
            for task in worker.tasks:
                if not task.future.done():
                    task.future.cancel()
            try:
                worker.tasks_out.send(None)
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
        if worker.deadline is not None:
            worker.deadline.cancel()
        if self._loop is not None:
            for fd in (worker.results_in.fileno(), worker.exit_fd):
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
            # is_alive() asks the forkserver, which reports an exit only after reaping it:
            # a worker that has just died can be gone by the time of the kill. Letting that
            # ProcessLookupError out would abort the caller half-way (no replacement, its
            # task never answered) and leave the pool waiting forever.
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.join(timeout=5)
        worker.tasks_out.close()
        worker.results_in.close()
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
        task = _Task(payload=ForkingPickler.dumps(args), future=self._loop.create_future())
        self._queue.append(task)
        self._dispatch()
        return await task.future

    def _dispatch(self) -> None:
        while self._queue:
            task = self._queue[0]
            if task.future.done():  # cancelled while queued
                self._queue.popleft()
                continue
            worker = self._worker_for(task)
            if worker is None:
                return
            self._queue.popleft()
            worker.tasks.append(task)
            if len(worker.tasks) == 1:
                self._start_clock(worker)
            try:
                worker.tasks_out.send_bytes(task.payload)
            except (OSError, EOFError):
                self._on_worker_death(worker)

    def _worker_for(self, task: _Task) -> _Worker | None:
        """An idle worker first; else one that can hold the task in reserve."""
        candidates = [worker for worker in self._workers if worker.can_take(task)]
        return min(candidates, key=lambda worker: len(worker.tasks), default=None)

    def _start_clock(self, worker: _Worker) -> None:
        """The worker's first task has started: count the attempt and its deadline."""
        worker.tasks[0].attempts += 1
        worker.deadline = self._loop.call_later(self.timeout, self._on_timeout, worker)

    def _on_exit(self, worker: _Worker) -> None:
        if worker not in self._workers:
            return
        # A reply it sent just before exiting is still read first.
        if worker.results_in.poll():
            self._on_readable(worker)
            if worker not in self._workers:
                return
        self._on_worker_death(worker)

    def _on_readable(self, worker: _Worker) -> None:
        try:
            status, payload = worker.results_in.recv()
        except (EOFError, OSError):
            self._on_worker_death(worker)
            return
        if status == "ready":
            worker.ready = True
            worker.deadline.cancel()
            worker.deadline = None
            self._start_failures = 0
            self._dispatch()
            return
        task = worker.tasks.popleft() if worker.tasks else None
        if worker.deadline is not None:
            worker.deadline.cancel()
            worker.deadline = None
        worker.finished += 1
        if worker.tasks:  # the reserve task is running from now on
            self._start_clock(worker)
        if task is not None and not task.future.done():
            if status == "ok":
                task.future.set_result(payload)
            else:
                task.future.set_exception(payload)
        self._dispatch()

    def _replace(self, worker: _Worker) -> _Task | None:
        """Kill ``worker`` and start another; return its running task. Its reserve goes back to the queue, unharmed."""
        running = worker.tasks.popleft() if worker.tasks else None
        self._queue.extendleft(reversed(worker.tasks))
        worker.tasks.clear()
        self._retire(worker, kill=True)
        if not self._closed:
            self.restarts += 1
            self._start_worker()
        return running

    def _on_timeout(self, worker: _Worker) -> None:
        worker.deadline = None
        self.timeouts += 1
        logger.warning("Extraction worker %s timed out after %.0fs; killing it", worker.process.pid, self.timeout)
        task = self._replace(worker)
        if task is not None and not task.future.done():
            task.future.set_exception(TaskTimeout(f"no result after {self.timeout:.0f}s"))
        self._dispatch()

    def _on_worker_death(self, worker: _Worker) -> None:
        if not worker.ready:
            self._on_start_failure(worker)
            return
        self.crashes += 1
        logger.warning("Extraction worker %s died (exit code %s); starting another", worker.process.pid, worker.process.exitcode)
        task = self._replace(worker)
        if task is not None and not task.future.done():
            if task.attempts < MAX_ATTEMPTS:
                self._queue.appendleft(task)
            else:
                task.future.set_exception(WorkerCrashed(f"worker died {task.attempts} times on this task"))
        self._dispatch()

    def _on_start_timeout(self, worker: _Worker) -> None:
        worker.deadline = None
        logger.warning(
            "Extraction worker %s did not start within %.0fs; killing it", worker.process.pid, self.start_timeout
        )
        self._on_start_failure(worker)

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
