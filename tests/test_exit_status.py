"""The exit status says what happened, the same for ``scrapy crawl news`` and ``python -m
crawler run`` (``crawler.cron.crawl_verdict``): 0 when discovery documents were fetched,
1 when nothing was reachable (on a fresh OUTPUT_DIR too). No network is needed: an
``.invalid`` host never resolves, and a port nobody listens on refuses connections."""

from __future__ import annotations

import pytest

from crawler.cron import EXIT_FAILED, EXIT_OK
from tests.cli import crawler_run, scrapy_crawl
from tests.servers import free_port

COMMANDS = {"scrapy crawl": scrapy_crawl, "python -m crawler run": crawler_run}
# One attempt per request: the verdict is the point, not the retries.
NO_RETRY = ("-s", "RETRY_TIMES=0")
ARTICLE = "/news/2025/03/03/algeria-exams-calendar.html"


@pytest.fixture(params=sorted(COMMANDS))
def command(request):
    return COMMANDS[request.param]


@pytest.mark.parametrize("unreachable", ["dns", "refused"])
def test_nothing_reachable_on_a_fresh_output_dir_fails(command, unreachable, tmp_path):
    feed = "http://nothing.invalid/rss" if unreachable == "dns" else f"http://127.0.0.1:{free_port()}/rss"

    completed = command(tmp_path / "fresh", "-a", f"feed={feed}", *NO_RETRY)

    assert completed.returncode == EXIT_FAILED, completed.stderr[-2000:]
    assert "crawl FAILED (nothing reachable: no sitemap, feed, section page or url= page could be fetched)" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_an_article_url_that_was_fetched_succeeds(command, sample_site, tmp_path):
    completed = command(tmp_path / "out", "-a", f"url={sample_site.url(ARTICLE)}", *NO_RETRY)

    assert completed.returncode == EXIT_OK, completed.stderr[-2000:]
    assert "crawl finished: 1 articles written" in completed.stdout + completed.stderr


def test_a_second_run_with_nothing_new_still_succeeds(sample_site, tmp_path):
    feed = ("-a", f"feed={sample_site.url('/feed.xml')}")
    assert crawler_run(tmp_path / "out", *feed).returncode == EXIT_OK

    again = scrapy_crawl(tmp_path / "out", *feed)

    assert again.returncode == EXIT_OK, again.stderr[-2000:]
    assert "crawl finished: 0 articles written" in again.stderr
