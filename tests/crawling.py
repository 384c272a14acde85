"""Run a real crawl in a child process and bring back its items and stats.

Twisted's reactor cannot be restarted inside one process, so each crawl in
the test suite runs in a fresh interpreter: the same code, settings and
pipelines as ``scrapy crawl``, with the results handed back through a pipe.
The child is spawned, not forked, so it inherits no reactor, threads or
multiprocessing state (such as a running forkserver) from the test process.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import traceback
from dataclasses import dataclass
from pathlib import Path

from crawler.items import ARTICLE_FIELDS

CRAWL_TIMEOUT_SECONDS = 120

LOCALHOST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "LOG_LEVEL": "WARNING",
    "OUTPUT_ROTATE_SECONDS": 0,
    "LOG_INSTALL_ROOT_HANDLER": False,
}


@dataclass
class CrawlResult:
    items: list[dict]
    stats: dict
    output_dir: Path

    def stat(self, key: str) -> int:
        return self.stats.get(key, 0)

    def records(self) -> list[dict]:
        """Every JSON line the run committed under OUTPUT_DIR/data."""
        found = []
        for path in sorted((self.output_dir / "data").rglob("*.jsonl")):
            with open(path, encoding="utf-8") as handle:
                found.extend(json.loads(line) for line in handle)
        return found


def _crawl_in_child(connection, output_dir: str, settings: dict, spider_kwargs: dict) -> None:
    try:
        os.environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
        from scrapy import signals
        from scrapy.crawler import CrawlerProcess
        from scrapy.utils.project import get_project_settings

        project_settings = get_project_settings()
        project_settings.setdict({**LOCALHOST_SETTINGS, "OUTPUT_DIR": output_dir, **settings}, priority="cmdline")
        process = CrawlerProcess(project_settings)
        crawler = process.create_crawler("news")
        items = []
        crawler.signals.connect(
            lambda item, **_: items.append({k: item.get(k) for k in ARTICLE_FIELDS}),
            signal=signals.item_scraped,
            weak=False,
        )
        process.crawl(crawler, **spider_kwargs)
        process.start()
        stats = {key: (value if isinstance(value, (int, float, str)) else str(value)) for key, value in crawler.stats.get_stats().items()}
        connection.send(("ok", items, stats))
    except BaseException:  # report anything back to the test instead of hanging it
        connection.send(("error", traceback.format_exc(), None))
    finally:
        connection.close()


def _in_child(target, args: tuple, timeout: float, what: str):
    """Run ``target(connection, *args)`` in a spawned child and return what it sent."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(child, *args))
    process.start()
    child.close()
    if not parent.poll(timeout):
        process.kill()
        raise TimeoutError(f"{what} did not finish in {timeout}s")
    status, first, second = parent.recv()
    process.join(10)
    if status != "ok":
        raise AssertionError(f"{what} failed in the child process:\n{first}")
    return first, second


def run_crawl(output_dir: Path, settings: dict | None = None, **spider_kwargs) -> CrawlResult:
    items, stats = _in_child(_crawl_in_child, (str(output_dir), settings or {}, spider_kwargs), CRAWL_TIMEOUT_SECONDS, "crawl")
    return CrawlResult(items=items, stats=stats, output_dir=Path(output_dir))


def _crawl_series_in_child(connection, output_dir: str, settings: dict, spider_kwargs: dict, runs: int, before_each) -> None:
    try:
        os.environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
        from scrapy.crawler import CrawlerRunner
        from scrapy.utils.project import get_project_settings
        from scrapy.utils.reactor import install_reactor

        project_settings = get_project_settings()
        project_settings.setdict({**LOCALHOST_SETTINGS, "OUTPUT_DIR": output_dir, **settings}, priority="cmdline")
        install_reactor(project_settings["TWISTED_REACTOR"])
        from twisted.internet import defer, reactor

        runner = CrawlerRunner(project_settings)
        outcome = []

        @defer.inlineCallbacks
        def one_after_another():
            try:
                all_stats = []
                for index in range(runs):
                    before_each(index)
                    crawler = runner.create_crawler("news")
                    yield runner.crawl(crawler, **spider_kwargs)
                    all_stats.append({k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in crawler.stats.get_stats().items()})
                outcome.append(("ok", all_stats, None))
            except BaseException:
                outcome.append(("error", traceback.format_exc(), None))
            finally:
                reactor.stop()

        reactor.callWhenRunning(one_after_another)
        reactor.run()
        connection.send(outcome[0] if outcome else ("error", "the reactor stopped before the crawls ended", None))
    except BaseException:
        connection.send(("error", traceback.format_exc(), None))
    finally:
        connection.close()


def run_crawl_series(output_dir: Path, runs: int, before_each, settings: dict | None = None, **spider_kwargs) -> list[dict]:
    """``runs`` crawls one after another in one child process, into the same OUTPUT_DIR, as
    cron runs would; ``before_each(index)`` runs in the child before each crawl (it must be
    picklable: a module-level function or a bound method of a picklable object). Returns
    each run's stats. One process saves the interpreter and Scrapy start-up of every run."""
    stats, _ = _in_child(
        _crawl_series_in_child, (str(output_dir), settings or {}, spider_kwargs, runs, before_each),
        CRAWL_TIMEOUT_SECONDS * runs, f"{runs} crawls",
    )
    return stats
