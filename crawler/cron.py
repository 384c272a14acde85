"""``python -m crawler run``: one scheduled crawl, safe to call from cron.

- Takes an exclusive ``flock`` on ``OUTPUT_DIR/.lock``: a run that overlaps
  the previous one exits at once with ``EXIT_LOCKED`` and a clear message,
  and touches nothing else.
- Checks the sources registry before starting, so a bad config fails with
  ``EXIT_CONFIG`` and names the source and field.
- Runs the ``news`` spider in this process; its log goes to
  ``OUTPUT_DIR/logs/RUN_ID.log`` and its manifest to ``OUTPUT_DIR/manifests/``.
- Exits ``EXIT_FAILED`` when the crawl failed: an exception in our code
  (spider, pipelines, extraction), a finish reason other than ``finished``
  (a SIGTERM gives ``shutdown``), or no sitemap, feed, section page or ``url=``
  page could be fetched at all (nothing reachable, on a fresh OUTPUT_DIR too).
  One site being down is not a failure of the run: its errors are counted per
  source in the manifest. ``scrapy crawl news`` exits by the same rule
  (``crawl_verdict``; ``EXIT_CODES`` is the text both ``--help`` show).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later
LOCK_FILE = ".lock"

# For --help of both commands, and the README.
EXIT_CODES = """\
exit status (the same for scrapy crawl news and python -m crawler run):
  0   the crawl finished and at least one sitemap, feed, section page or url= page
      was fetched (a run that found nothing new is still 0)
  1   the crawl failed: nothing reachable (no discovery document fetched, even on a
      fresh OUTPUT_DIR), an exception in our code, a finish reason other than
      'finished' (a SIGTERM gives 'shutdown'), or the sources went dark since the
      previous run
  2   bad configuration or arguments, found before any request is made
  75  another crawl holds the lock on OUTPUT_DIR (python -m crawler run only)"""


@contextmanager
def exclusive_lock(output_dir: Path, lock_file: str = LOCK_FILE):
    """Yields True while this process holds OUTPUT_DIR's lock, False if another does."""
    output_dir.mkdir(parents=True, exist_ok=True)
    handle = open(output_dir / lock_file, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield True
    finally:
        handle.close()  # releases the lock


def crawl_verdict(stats: dict, previous: dict | None) -> tuple[int, str]:
    """(exit code, reason) for a finished crawl's stats and the previous run's manifest.

    The one rule for both ``scrapy crawl`` and ``python -m crawler run`` (see EXIT_CODES).
    """
    reason = stats.get("finish_reason")
    if reason != "finished":
        return EXIT_FAILED, f"finish reason is {reason!r}, not 'finished'"
    # Imported here: crawler.manifest imports Scrapy, and exclusive_lock is used without it
    # (python -m crawler export locks DEST with it).
    from crawler.manifest import discovery_documents, exception_count

    exceptions = exception_count(stats)
    if exceptions:
        return EXIT_FAILED, f"{exceptions} exception(s) in the crawl; see the run log"
    # A cluster node that left discovery to another node has nothing to compare.
    if discovery_documents(stats) == 0 and not stats.get("news/cluster/discovered_elsewhere"):
        if (previous or {}).get("totals", {}).get("discovery_documents", 0):
            return EXIT_FAILED, "no sitemap, feed or section page could be fetched, though the previous run fetched some"
        return EXIT_FAILED, "nothing reachable: no sitemap, feed, section page or url= page could be fetched"
    return EXIT_OK, "ok"


def crawl_outcome(crawler, bootstrap_failed: bool, previous: dict | None) -> tuple[int, str]:
    """(exit code, reason) of a crawl run by either command, from its crawler."""
    # Crawler.stats raises until the crawl starts; _stats is how Scrapy reads it before.
    if bootstrap_failed or getattr(crawler, "_stats", None) is None:
        return EXIT_FAILED, "the crawl could not start; see the log above"
    code, reason = crawl_verdict(crawler._stats.get_stats(), previous)
    failure = getattr(crawler, "news_cluster_failure", None)
    if failure == "cluster_config_error":
        return EXIT_CONFIG, "this node's configuration conflicts with the cluster's"
    if failure is not None and code == EXIT_OK:
        return EXIT_FAILED, f"the cluster node stopped: {failure}"
    return code, reason


def parse_pairs(pairs: list[str], flag: str) -> dict[str, str]:
    parsed = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"{flag} {pair!r}: expected NAME=VALUE")
        parsed[name] = value
    return parsed


def check_sources(spider_args: dict[str, str]) -> None:
    """Fail early on bad spider arguments (``SpiderArgumentError``) or a bad registry
    (``SourceConfigError``; ad hoc crawls do not use the registry)."""
    from spiders.news_arguments import parse_news_arguments

    arguments = parse_news_arguments(spider_args)
    if arguments.is_adhoc:
        return
    from crawler.sources import load_sources, select_sources

    select_sources(load_sources(arguments.sources_file), arguments.source)


def crawl_settings(output_dir: Path, settings_overrides: dict[str, str]):
    """The project's settings with the command line's ``-s`` values and OUTPUT_DIR on top."""
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict({**settings_overrides, "OUTPUT_DIR": str(output_dir)}, priority="cmdline")
    return settings


def run_crawl(output_dir: Path, spider_args: dict[str, str], settings_overrides: dict[str, str]):
    from scrapy.crawler import CrawlerProcess

    settings = crawl_settings(output_dir, settings_overrides)
    from pipelines.extract import start_workers_early

    start_workers_early(settings)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("news")
    if settings.get("CLUSTER_REDIS_URL"):
        from crawler.cluster.settings import apply_cluster_settings

        apply_cluster_settings(crawler.settings)
    process.crawl(crawler, **spider_args)
    process.start()
    return crawler, process.bootstrap_failed


def run(output_dir: Path, spider_args: dict[str, str], settings_overrides: dict[str, str]) -> int:
    from crawler.manifest import latest_manifest
    from crawler.run_log import OutputDirError, ensure_writable_dir
    from crawler.sources import SourceConfigError
    from spiders.news_arguments import SpiderArgumentError

    try:
        check_sources(spider_args)
        ensure_writable_dir(output_dir)
    except (SpiderArgumentError, SourceConfigError, OutputDirError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    from crawler.archive.pipeline import settings_problem as archive_settings_problem

    if problem := archive_settings_problem(crawl_settings(output_dir, settings_overrides)):
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    lock_file = LOCK_FILE
    if settings_overrides.get("CLUSTER_REDIS_URL") or settings_overrides.get("STATE_URL"):
        from crawler.cluster.preflight import preflight
        from crawler.cluster.settings import node_name
        from scrapy.settings import Settings

        cluster_settings = Settings(settings_overrides)
        if problem := preflight(cluster_settings):
            print(f"error: {problem[1]}", file=sys.stderr)
            return problem[0]
        # Nodes may share OUTPUT_DIR: each one guards against its own overlapping runs.
        lock_file = f"{LOCK_FILE}-{node_name(cluster_settings)}"
    with exclusive_lock(output_dir, lock_file) as locked:
        if not locked:
            print(
                f"another crawl holds the lock on {output_dir / lock_file}; exiting without crawling",
                file=sys.stderr,
            )
            return EXIT_LOCKED
        previous = latest_manifest(output_dir)
        crawler, bootstrap_failed = run_crawl(output_dir, spider_args, settings_overrides)
        return report_outcome(crawler, bootstrap_failed, previous)


def report_outcome(crawler, bootstrap_failed: bool, previous: dict | None, ok_stream=None) -> int:
    """Print the crawl's verdict (to ``ok_stream``, stdout by default, when it succeeded;
    stderr when not); return its exit code."""
    code, reason = crawl_outcome(crawler, bootstrap_failed, previous)
    stats = crawler._stats.get_stats() if getattr(crawler, "_stats", None) is not None else {}
    manifest = getattr(crawler, "news_manifest_path", None)
    summary = f"{stats.get('news/items_written', 0)} articles written; manifest {manifest}"
    if code == EXIT_OK:
        print(f"crawl finished: {summary}", file=ok_stream or sys.stdout)
    else:
        print(f"crawl FAILED ({reason}): {summary}", file=sys.stderr)
    return code
