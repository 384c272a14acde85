"""Tests for crawler.cron: the exit verdict of a crawl (shared by scrapy crawl and python -m crawler run), the run lock, and -a/-s pair parsing.

The lock is checked across processes (``flock`` is what cron overlaps are about): the test
holds it and a child ``python -c`` tries to take it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cron import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, LOCK_FILE, crawl_outcome, crawl_verdict, exclusive_lock, parse_pairs

REPO = Path(__file__).resolve().parent.parent

HEALTHY_STATS = {
    "finish_reason": "finished",
    "log_count/INFO": 120,
    "log_count/WARNING": 3,
    "news/discovery/sitemaps": 2,
    "news/discovery/feeds": 1,
    "news/items_written": 40,
}
PREVIOUS_MANIFEST = {"run_id": "20250228T030000Z", "totals": {"discovery_documents": 5, "articles_emitted": 37}}


def stats(**changes) -> dict:
    merged = {**HEALTHY_STATS, **changes}
    return {key: value for key, value in merged.items() if value is not None}


# --- crawl_verdict --------------------------------------------------------------------------


def test_finished_crawl_without_errors_is_ok():
    assert crawl_verdict(stats(), PREVIOUS_MANIFEST) == (EXIT_OK, "ok")


def test_shutdown_crawl_fails_and_names_the_reason():
    assert crawl_verdict(stats(finish_reason="shutdown"), PREVIOUS_MANIFEST) == (
        EXIT_FAILED,
        "finish reason is 'shutdown', not 'finished'",
    )


def test_crawl_without_a_finish_reason_fails():
    code, reason = crawl_verdict(stats(finish_reason=None), None)

    assert code == EXIT_FAILED
    assert reason == "finish reason is None, not 'finished'"


def test_exceptions_in_our_code_fail_the_crawl():
    exceptions = {"spider_exceptions/count": 1, "news/item_errors": 1, "news/dropped/extract_error": 1, "log_count/CRITICAL": 1}
    code, reason = crawl_verdict(stats(**exceptions), PREVIOUS_MANIFEST)

    assert code == EXIT_FAILED
    assert reason == "4 exception(s) in the crawl; see the run log"


def test_download_errors_of_one_site_do_not_fail_the_run():
    # Scrapy logs a site's DNS or robots.txt failures at ERROR; they are counted per source instead.
    assert crawl_verdict(stats(**{"log_count/ERROR": 6, "news/errors/DNSLookupError": 3}), PREVIOUS_MANIFEST)[0] == EXIT_OK


def test_warnings_alone_do_not_fail_the_crawl():
    assert crawl_verdict(stats(**{"log_count/WARNING": 50}), PREVIOUS_MANIFEST)[0] == EXIT_OK


def test_unreachable_sources_fail_when_the_previous_run_reached_some():
    unreachable = stats(**{"news/discovery/sitemaps": None, "news/discovery/feeds": None})

    code, reason = crawl_verdict(unreachable, PREVIOUS_MANIFEST)

    assert code == EXIT_FAILED
    assert "no sitemap, feed or section page could be fetched" in reason


def test_one_listing_page_reached_is_enough():
    only_listing = stats(**{"news/discovery/sitemaps": None, "news/discovery/feeds": None, "news/discovery/listings": 1})

    assert crawl_verdict(only_listing, PREVIOUS_MANIFEST) == (EXIT_OK, "ok")


@pytest.mark.parametrize(
    "previous",
    [None, {}, {"totals": {}}, {"totals": {"discovery_documents": 0}}],
    ids=["first-run", "empty-manifest", "no-counter", "nothing-before-either"],
)
def test_nothing_reachable_fails_even_when_nothing_was_reached_before(previous):
    # A new deployment without network must alert someone on its very first run.
    nothing = stats(**{"news/discovery/sitemaps": None, "news/discovery/feeds": None, "news/items_written": None})

    assert crawl_verdict(nothing, previous) == (
        EXIT_FAILED, "nothing reachable: no sitemap, feed, section page or url= page could be fetched",
    )


def test_a_fetched_url_page_counts_as_discovery():
    only_page = stats(**{"news/discovery/sitemaps": None, "news/discovery/feeds": None, "news/discovery/url_pages": 1})

    assert crawl_verdict(only_page, None) == (EXIT_OK, "ok")


def test_a_run_with_nothing_new_is_ok():
    assert crawl_verdict(stats(**{"news/items_written": None, "news/discovery/skipped_known": 40}), PREVIOUS_MANIFEST) == (EXIT_OK, "ok")


def test_a_cluster_node_that_left_discovery_to_another_is_ok():
    elsewhere = stats(**{"news/discovery/sitemaps": None, "news/discovery/feeds": None, "news/cluster/discovered_elsewhere": 1})

    assert crawl_verdict(elsewhere, PREVIOUS_MANIFEST) == (EXIT_OK, "ok")


class FinishedCrawler:
    """What crawl_outcome reads of a crawler: its stats (``_stats``) and cluster failure."""

    def __init__(self, crawl_stats: dict | None, cluster_failure: str | None = None):
        self._stats = None if crawl_stats is None else MemoryStats(crawl_stats)
        self.news_cluster_failure = cluster_failure


class MemoryStats:
    def __init__(self, values: dict):
        self.values = values

    def get_stats(self) -> dict:
        return self.values


def test_a_crawl_that_could_not_start_fails():
    assert crawl_outcome(FinishedCrawler(None), False, None)[0] == EXIT_FAILED
    assert crawl_outcome(FinishedCrawler(stats()), True, None) == (EXIT_FAILED, "the crawl could not start; see the log above")


def test_a_cluster_configuration_conflict_is_a_configuration_error():
    assert crawl_outcome(FinishedCrawler(stats(), "cluster_config_error"), False, None)[0] == EXIT_CONFIG
    assert crawl_outcome(FinishedCrawler(stats(), "redis_unavailable"), False, None) == (
        EXIT_FAILED, "the cluster node stopped: redis_unavailable",
    )
    assert crawl_outcome(FinishedCrawler(stats()), False, None) == (EXIT_OK, "ok")


def test_finish_reason_is_checked_before_errors():
    code, reason = crawl_verdict(stats(finish_reason="output_error", **{"log_count/ERROR": 1}), None)

    assert (code, reason) == (EXIT_FAILED, "finish reason is 'output_error', not 'finished'")


# --- exclusive_lock -------------------------------------------------------------------------

TRY_LOCK = (
    "import sys; from pathlib import Path; from crawler.cron import exclusive_lock\n"
    "with exclusive_lock(Path(sys.argv[1])) as locked:\n"
    "    print(locked)\n"
)


def lock_from_another_process(output_dir: Path) -> str:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    finished = subprocess.run(
        [sys.executable, "-c", TRY_LOCK, str(output_dir)],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return finished.stdout.strip()


def test_second_process_is_refused_while_the_lock_is_held_and_gets_it_after_release(tmp_path):
    output_dir = tmp_path / "out"

    with exclusive_lock(output_dir) as locked:
        assert locked is True
        assert lock_from_another_process(output_dir) == "False"

    assert lock_from_another_process(output_dir) == "True"


def test_lock_file_names_the_holder_and_a_refused_process_leaves_it_alone(tmp_path):
    with exclusive_lock(tmp_path) as locked:
        assert locked is True
        assert (tmp_path / LOCK_FILE).read_text() == f"{os.getpid()}\n"

        assert lock_from_another_process(tmp_path) == "False"
        assert (tmp_path / LOCK_FILE).read_text() == f"{os.getpid()}\n"


def test_lock_creates_the_output_dir(tmp_path):
    output_dir = tmp_path / "does" / "not" / "exist"

    with exclusive_lock(output_dir) as locked:
        assert locked is True
        assert (output_dir / LOCK_FILE).is_file()


# --- parse_pairs ----------------------------------------------------------------------------


def test_pairs_are_split_at_the_first_equals_sign():
    pairs = ["source=youm7,hespress", "since=2025-01-31", "prune_xpath=//div[@class='x']", "empty="]

    assert parse_pairs(pairs, "-a") == {
        "source": "youm7,hespress",
        "since": "2025-01-31",
        "prune_xpath": "//div[@class='x']",
        "empty": "",
    }


@pytest.mark.parametrize("pair", ["OUTPUT_DIR", "=value", ""])
def test_malformed_pairs_raise_with_the_flag_and_the_pair(pair):
    with pytest.raises(ValueError) as caught:
        parse_pairs(["LOG_LEVEL=INFO", pair], "-s")

    assert str(caught.value) == f"-s {pair!r}: expected NAME=VALUE"
