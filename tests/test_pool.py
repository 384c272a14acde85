"""The extraction worker pool: same results as in-process, and it survives bad pages and dead workers."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from crawler.article import analyze_page, warm_up_worker
from crawler.extract import ExtractOptions, NotAnArticle, decode_html
from crawler.jsonl_writer import encode_record
from crawler.pool import MAX_START_FAILURES, PIPE_SLACK_BYTES, PoolBroken, TaskTimeout, WorkerCrashed, WorkerPool, _Task, _Worker
from pipelines.write import record_of
from tests import pool_tasks
from tests.golden_pages import all_pages


def run(coroutine):
    return asyncio.run(coroutine)


async def with_pool(function, coroutine_factory, workers=2, timeout=30.0, initializer=None, **options):
    pool = WorkerPool(function, workers=workers, timeout=timeout, initializer=initializer, **options)
    try:
        return await coroutine_factory(pool)
    finally:
        pool.close()


def test_pool_gives_byte_identical_items_to_in_process_extraction():
    pages = all_pages()[:6]
    jobs = [(decode_html(page.html), page.info.get("url", "http://example.invalid/x"), ExtractOptions()) for page in pages]

    async def extract_all(pool):
        return await asyncio.gather(*(pool.run(*job) for job in jobs))

    pooled = run(with_pool(analyze_page, extract_all))
    in_process = [analyze_page(*job) for job in jobs]
    assert pooled == in_process
    # And the JSON lines the writer makes of them are the same bytes.
    assert [encode_record(record_of({**item, "url": url})).encode() for item, (_, url, _) in zip(pooled, jobs)] == [
        encode_record(record_of({**item, "url": url})).encode() for item, (_, url, _) in zip(in_process, jobs)
    ]


def test_not_an_article_crosses_the_process_boundary_intact():
    async def listing(pool):
        return await pool.run("<html><body><p>قصيرة</p></body></html>", "http://example.invalid/", ExtractOptions())

    with pytest.raises(NotAnArticle) as raised:
        run(with_pool(analyze_page, listing, workers=1))
    assert raised.value.reason == "no_article_body"


def test_task_exceptions_are_returned_to_the_caller():
    async def failing(pool):
        return await pool.run("boom")

    with pytest.raises(ValueError, match="boom"):
        run(with_pool(pool_tasks.raise_value_error, failing, workers=1))


def test_a_worker_killed_mid_task_is_replaced_and_the_task_retried(tmp_path):
    async def kill_during_task(pool):
        task = asyncio.ensure_future(pool.run("done", 2.0))
        await asyncio.sleep(0.5)
        victim = pool.worker_pids[0]
        os.kill(victim, signal.SIGKILL)
        result = await task
        return result, victim, pool.worker_pids, pool.restarts

    result, victim, pids_after, restarts = run(with_pool(pool_tasks.echo_after, kill_during_task, workers=1))
    assert result == "done"
    assert restarts == 1
    assert victim not in pids_after and len(pids_after) == 1


def test_a_task_that_kills_its_worker_once_succeeds_on_retry(tmp_path):
    marker = tmp_path / "crashed"

    async def crash_once(pool):
        return await pool.run(str(marker), "second try"), pool.crashes

    result, crashes = run(with_pool(pool_tasks.crash_first_time, crash_once, workers=1))
    assert result == "second try"
    assert crashes == 1


def test_a_task_that_always_kills_its_worker_fails_after_one_retry():
    async def crash_always(pool):
        with pytest.raises(WorkerCrashed):
            await pool.run()
        return pool.crashes, len(pool.worker_pids)

    crashes, workers = run(with_pool(pool_tasks.always_crash, crash_always, workers=1))
    assert crashes == 2
    assert workers == 1  # the pool is whole again


def test_a_pathological_page_times_out_and_the_pool_keeps_working():
    # About 3 MB of paragraphs: several seconds of extraction work.
    paragraph = "<p>" + " ".join(["وقال المتحدث باسم الوزارة إن المحادثات ستستمر"] * 3) + "</p>"
    huge = "<html><body><article>" + paragraph * 20_000 + "</article></body></html>"
    normal = decode_html(all_pages()[0].html)

    async def huge_then_normal(pool):
        with pytest.raises(TaskTimeout):
            await pool.run(huge, "http://example.invalid/huge", ExtractOptions())
        item = await pool.run(normal, "http://example.invalid/normal", ExtractOptions())
        return item, pool.timeouts

    item, timeouts = run(with_pool(analyze_page, huge_then_normal, workers=1, timeout=1.0, initializer=warm_up_worker))
    assert timeouts == 1
    assert item["word_count"] > 100


def test_tasks_spread_over_all_workers():
    async def four_slow_tasks(pool):
        return await asyncio.gather(*(pool.run(index, 0.5) for index in range(4)))

    async def pids_of_busy_workers(pool):
        return set(await asyncio.gather(*(pool.run() for _ in range(8))))

    assert run(with_pool(pool_tasks.echo_after, four_slow_tasks, workers=2)) == [0, 1, 2, 3]
    worker_pids = run(with_pool(pool_tasks.own_pid, pids_of_busy_workers, workers=2))
    assert 1 <= len(worker_pids) <= 2 and os.getpid() not in worker_pids


def test_a_worker_starts_its_reserve_task_while_the_event_loop_is_busy():
    async def two_tasks_then_block_the_loop(pool):
        await pool.run(0.0)  # the worker is up
        first = asyncio.ensure_future(pool.run(0.3))
        second = asyncio.ensure_future(pool.run(0.0))
        await asyncio.sleep(0)  # both are sent
        time.sleep(1.5)  # the reactor thread is busy elsewhere; the worker is not idle meanwhile
        return await first, await second

    (first_start, first_end), (second_start, _) = run(with_pool(pool_tasks.timed_sleep, two_tasks_then_block_the_loop, workers=1))
    assert first_end <= second_start < first_start + 1.0


def test_a_reserve_task_is_held_only_when_it_fits_in_the_pipe_beside_the_running_one():
    worker = _Worker(process=None, tasks_out=None, results_in=None, pipe_bytes=1 << 20, ready=True)

    def task(size: int) -> _Task:
        return _Task(payload=memoryview(bytes(size)), future=None)

    assert worker.can_take(task(5 << 20))  # an idle worker takes any page
    worker.tasks.append(task(600_000))
    assert not worker.can_take(task(600_000))
    assert worker.can_take(task((1 << 20) - 600_000 - PIPE_SLACK_BYTES))
    worker.tasks.append(task(1000))
    assert not worker.can_take(task(10))  # one running, one in reserve: full
    assert not _Worker(process=None, tasks_out=None, results_in=None, pipe_bytes=1 << 20).can_take(task(10))  # not ready


def test_a_reserve_task_is_unharmed_when_the_task_ahead_of_it_crashes_or_times_out():
    async def crash_then_echo(pool):
        crashing = asyncio.ensure_future(pool.run(None))
        behind = asyncio.ensure_future(pool.run("behind"))
        with pytest.raises(WorkerCrashed):
            await crashing
        return await behind, pool.crashes

    assert run(with_pool(pool_tasks.crash_or_echo, crash_then_echo, workers=1)) == ("behind", 2)

    async def slow_then_quick(pool):
        slow = asyncio.ensure_future(pool.run(5.0))
        quick = asyncio.ensure_future(pool.run(0.0))
        with pytest.raises(TaskTimeout):
            await slow
        return await quick

    started, ended = run(with_pool(pool_tasks.timed_sleep, slow_then_quick, workers=1, timeout=1.0))
    assert ended - started < 0.5


def test_workers_that_cannot_start_break_the_pool_instead_of_looping(monkeypatch):
    async def run_one(pool):
        with pytest.raises(PoolBroken):
            await pool.run("x", 0)
        return pool._start_failures

    failures = run(with_pool(pool_tasks.echo_after, run_one, workers=1, initializer=pool_tasks.always_crash))
    assert failures == MAX_START_FAILURES


def test_a_worker_already_gone_when_it_is_killed_is_still_replaced(monkeypatch):
    """A dead worker can be reaped between the pool's is_alive() check and its kill
    (the forkserver reports an exit only after reaping): the kill then finds no
    process. The pool must still replace the worker and retry its task, not stall."""
    from crawler import pool as pool_module

    real_kill = os.kill

    def kill_after_the_process_is_gone(pid, signum):
        if signum == signal.SIGKILL:
            try:
                real_kill(pid, signum)
            except ProcessLookupError:
                pass
            raise ProcessLookupError(3, "No such process")
        real_kill(pid, signum)

    monkeypatch.setattr(pool_module.os, "kill", kill_after_the_process_is_gone)

    async def crash_then_echo(pool):
        crashing = asyncio.ensure_future(pool.run(None))
        behind = asyncio.ensure_future(pool.run("behind"))
        with pytest.raises(WorkerCrashed):
            await crashing
        return await asyncio.wait_for(behind, 60), pool.crashes, len(pool.worker_pids)

    assert run(with_pool(pool_tasks.crash_or_echo, crash_then_echo, workers=1)) == ("behind", 2, 1)


def test_workers_that_hang_while_starting_break_the_pool_in_bounded_time():
    async def run_one(pool):
        started = time.monotonic()
        with pytest.raises(PoolBroken):
            await pool.run("x", 0)
        return pool._start_failures, time.monotonic() - started, pool.worker_pids

    failures, waited, left = run(
        with_pool(pool_tasks.echo_after, run_one, workers=1, initializer=pool_tasks.hang, start_timeout=0.5)
    )
    assert failures == MAX_START_FAILURES
    # Three start deadlines of 0.5 s, not the hour the initializer sleeps.
    assert waited < 60
    assert left == []  # every stuck worker was killed


def test_workers_are_born_with_the_forkserver_warm_up_already_done():
    # A fresh interpreter: the forkserver (and its preload list) is started once per process.
    script = (
        "import asyncio\n"
        "from crawler.pool import WorkerPool\n"
        "from tests import pool_tasks\n"
        "async def main(preload):\n"
        "    pool = WorkerPool(pool_tasks.langdetect_profiles_loaded, workers=1, timeout=30.0, preload=preload)\n"
        "    try:\n"
        "        return await pool.run()\n"
        "    finally:\n"
        "        pool.close()\n"
        "import sys\n"
        "print(asyncio.run(main(tuple(sys.argv[1:]))))\n"
    )
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def loaded_in_worker(*preload: str) -> str:
        result = subprocess.run([sys.executable, "-c", script, *preload], cwd=repo, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert loaded_in_worker() == "False"
    assert loaded_in_worker("crawler.worker_warmup") == "True"


def test_pages_in_flight_when_the_pool_breaks_are_extracted_in_the_main_process():
    from scrapy.utils.test import get_crawler

    from pipelines.extract import ExtractPipeline

    crawler = get_crawler(settings_dict={"EXTRACT_WORKERS": 0})
    crawler.stats.open_spider()
    pipeline = ExtractPipeline.from_crawler(crawler)
    pipeline.pool = WorkerPool(analyze_page, workers=1, timeout=30.0, initializer=pool_tasks.always_crash)
    pages = all_pages()[:3]
    items = [{"url": page.info.get("url", f"http://example.invalid/{index}"), "html": page.html, "source": "golden"} for index, page in enumerate(pages)]

    async def extract_all():
        return await asyncio.gather(*(pipeline.process_item(dict(item)) for item in items))

    extracted = run(extract_all())
    assert [item["text"] for item in extracted] == [analyze_page(item["html"], item["url"])["text"] for item in items]
    assert pipeline.pool is None
    assert crawler.stats.get_value("news/extract/pool_broken") == 1


def test_boot_starts_the_forkserver_before_any_task():
    script = (
        "from crawler.pool import WorkerPool\n"
        "from tests import pool_tasks\n"
        "pool = WorkerPool(pool_tasks.own_pid, workers=1, timeout=30.0)\n"
        "before = pool_tasks.runs_forkserver_child('tests.pool_tasks', wait=0)\n"
        "pool.boot()\n"
        "print(before, pool_tasks.runs_forkserver_child('tests.pool_tasks', wait=10))\n"
    )
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "True"),
        ({"EXTRACT_WORKERS": 0}, "False"),
        ({"ITEM_PIPELINES": {"pipelines.extract.ExtractPipeline": None}}, "False"),
    ],
)
def test_a_crawl_boots_the_forkserver_before_scrapy_starts_only_when_it_will_use_workers(settings, expected):
    script = (
        "import json, sys\n"
        "from scrapy.utils.project import get_project_settings\n"
        "from pipelines.extract import start_workers_early\n"
        "settings = get_project_settings()\n"
        "settings.setdict(json.loads(sys.argv[1]), priority='cmdline')\n"
        "start_workers_early(settings)\n"
        "from tests import pool_tasks\n"
        # Long enough for a started forkserver to have exec'd: the False cases wait it out.
        "print(pool_tasks.runs_forkserver_child('crawler.worker_warmup', wait=3))\n"
    )
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(settings)], cwd=repo, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
