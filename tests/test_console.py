"""What a person sees on the console: a failing host said once with its reason, one summary
line per source, progress only on a terminal (a real pty), and a short cron.log."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from scrapy.utils.project import get_project_settings

from crawler.cron import EXIT_FAILED, EXIT_OK
from tests.cli import FAST, environment, run_in_pty, scrapy_crawl
from tests.conftest import REPO
from tests.servers import free_port
from tests.test_incremental import cron_command, news_site  # noqa: F401 (fixture)

PROGRESS = re.compile(r"^\[\d\d:\d\d\] \d+ pages, \d+ items, [\d.]+ pages/s", re.MULTILINE)
CRON_LOG_MAX_LINES = 30


def test_healthy_cron_log_is_short_and_ends_with_the_summary(news_site, tmp_path):  # noqa: F811
    site_files, _, sources = news_site
    # As cron runs it: python -m crawler run >> cron.log 2>&1
    done = subprocess.run(
        cron_command(tmp_path / "out", sources), cwd=REPO, env=environment(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=180,
    )
    cron_log = done.stdout.splitlines()

    assert done.returncode == EXIT_OK, done.stdout[-3000:]
    assert len(cron_log) < CRON_LOG_MAX_LINES, done.stdout
    articles = len(site_files.articles)
    (manifest,) = (tmp_path / "out" / "manifests").glob("*.json")
    documents = json.loads(manifest.read_text(encoding="utf-8"))["totals"]["discovery_documents"]
    assert documents >= 3  # sitemaps, the feed, the section page
    assert (
        f"testsite: {documents} discovery documents, {articles} pages fetched, {articles} written, dropped 0, errors 0"
        in cron_log
    ), done.stdout
    assert cron_log[-1].startswith(f"crawl finished: {articles} articles written")
    assert not PROGRESS.search(done.stdout)  # not a terminal: no progress lines
    # The details are in the run log.
    (run_log,) = (tmp_path / "out" / "logs").glob("*.log")
    assert "Dumping Scrapy stats" in run_log.read_text(encoding="utf-8")


def test_unreachable_hosts_are_said_once_with_their_reason(tmp_path):
    refused = f"127.0.0.1:{free_port()}"
    urls = ",".join(f"http://{host}/news/{n}.html" for host in ("nothing.invalid", refused) for n in range(3))

    done = scrapy_crawl(tmp_path / "out", "-a", "feed=http://nothing.invalid/rss", "-a", f"url={urls}")

    console = done.stderr
    assert done.returncode == EXIT_FAILED
    assert "Traceback" not in console and " ERROR: " not in console
    assert console.count("Host nothing.invalid: its name does not resolve") == 1
    assert console.count(f"Host {refused}: it refuses connections") == 1
    assert len(console.splitlines()) <= 5, console
    assert re.search(r": 0 discovery documents, 0 pages fetched, 0 written, dropped 0, errors 7 \(dns 4, refused 3\)$", console, re.MULTILINE)
    # Every failed request is still in the run log.
    (run_log,) = (tmp_path / "out" / "logs").glob("*.log")
    failed = re.findall(r"Request failed \((\w+)\): (\S+)", run_log.read_text(encoding="utf-8"))
    assert sorted(url for reason, url in failed if reason in ("dns", "refused") and "robots" not in url) == sorted(
        ["http://nothing.invalid/rss", *urls.split(",")]
    )


def test_a_terminal_gets_progress_lines(sample_site, tmp_path):
    # One page every 0.3 s, progress every second: a few seconds of crawling, several lines.
    status, output = run_in_pty([
        sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"sitemap={sample_site.url('/sitemap.xml')}",
        "-s", f"OUTPUT_DIR={tmp_path / 'out'}", *FAST, "-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        "-s", "CONSOLE_PROGRESS_SECONDS=1",
    ])

    assert status == EXIT_OK, output[-3000:]
    lines = PROGRESS.findall(output)
    assert len(lines) >= 2, output
    assert re.search(r"pages/s \| 127\.0\.0\.1-\d+ \d+ fetched/\d+ written", output)


def test_progress_comes_at_least_every_10_seconds_by_default():
    assert 0 < get_project_settings().getfloat("CONSOLE_PROGRESS_SECONDS") <= 10


def test_summary_lines_name_every_source_with_drops_and_errors_by_reason():
    from crawler.console import source_summary_lines

    stats = {
        "news/source/youm7/discovery/sitemaps": 2, "news/source/youm7/discovery/feeds": 1,
        "news/source/youm7/pages_fetched": 40, "news/source/youm7/items_written": 35,
        "news/source/youm7/dropped/not_arabic": 1, "news/source/youm7/dropped/listing_page": 4,
        "news/source/youm7/errors/http_404": 2, "news/source/youm7/discovery/article_urls": 50,
        "news/source/youm7/discovery/skipped_known": 10,
    }

    assert source_summary_lines(stats, ["youm7", "hespress"]) == [
        "youm7: 3 discovery documents, 10 known articles skipped, 40 pages fetched, 35 written, dropped 5 (listing_page 4, not_arabic 1), errors 2 (http_404 2)",
        "hespress: 0 discovery documents, 0 pages fetched, 0 written, dropped 0, errors 0",
    ]


def test_progress_line_gives_pages_items_rate_and_sources():
    from crawler.console import progress_line

    stats = {"response_received_count": 30, "news/items_written": 12, "news/source/a/pages_fetched": 20,
             "news/source/a/items_written": 12, "news/source/b/pages_fetched": 5}

    assert progress_line(stats, elapsed=75, pages_before=10, interval=5) == (
        "[01:15] 30 pages, 12 items, 4.0 pages/s | a 20 fetched/12 written; b 5 fetched/0 written"
    )
