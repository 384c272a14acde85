"""robots.txt Crawl-delay and Disallow: measured at a local server, with AutoThrottle on as in production.

A site whose robots.txt says ``Crawl-delay: 2`` must see its requests at least 2 s apart
(AutoThrottle, started at 0.1 s here, would otherwise go down towards the server's
millisecond latency); a site without one is crawled as fast as before.
"""

from __future__ import annotations

import pytest

from crawler.local_site import serve_directory
from crawler.politeness import crawl_delay_of, floored, slot_settings
from scrapy.core.downloader import Slot
from scrapy.robotstxt import ProtegoRobotParser, PythonRobotParser
from tests.crawling import run_crawl

PAGES = ("a.html", "b.html", "c.html")
# The slot times a request when it leaves the queue, the server when it arrives: the robots.txt
# request opens a new connection, so the gap after it can look some ms short at the server.
TOLERANCE = 0.15
USER_AGENT = "arabic-news-crawler/1.0"
FAST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 0.1,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


def site(tmp_path, robots: str):
    for name in PAGES:
        (tmp_path / name).write_text(
            f"<html><head><title>{name}</title></head><body><p>page {name}</p></body></html>", encoding="utf-8"
        )
    (tmp_path / "robots.txt").write_text(robots, encoding="utf-8")
    return serve_directory(tmp_path)


def page_gaps(arrivals) -> list[float]:
    times = [when for when, _path in arrivals]
    return [later - earlier for earlier, later in zip(times, times[1:])]


def test_crawl_delay_spaces_requests_to_the_host(tmp_path):
    with site(tmp_path, "User-agent: *\nCrawl-delay: 2\nAllow: /\n") as server:
        result = run_crawl(tmp_path / "out", FAST_SETTINGS, url=",".join(server.url(p) for p in PAGES))
        arrivals = server.arrivals
    assert [path for _when, path in arrivals][0] == "/robots.txt"
    assert sorted(path for _when, path in arrivals[1:]) == [f"/{p}" for p in PAGES]
    gaps = page_gaps(arrivals)
    assert len(gaps) == len(PAGES)
    assert min(gaps) >= 2 - TOLERANCE, gaps
    assert result.stat("news/robots/crawl_delay_hosts") == 1
    assert result.stats["news/robots/crawl_delay/127.0.0.1"] == 2.0


def test_a_huge_crawl_delay_is_capped_at_the_maximum(tmp_path):
    settings = {**FAST_SETTINGS, "NEWS_CRAWL_DELAY_MAX": 1.0}
    with site(tmp_path, "User-agent: *\nCrawl-delay: 3600\n") as server:
        result = run_crawl(tmp_path / "out", settings, url=",".join(server.url(p) for p in PAGES))
        gaps = page_gaps(server.arrivals)
    assert len(gaps) == len(PAGES)
    assert min(gaps) >= 1 - TOLERANCE and max(gaps) < 30, gaps
    assert result.stats["news/robots/crawl_delay/127.0.0.1"] == 1.0


def test_site_without_crawl_delay_is_crawled_as_before(tmp_path):
    settings = {**FAST_SETTINGS, "AUTOTHROTTLE_ENABLED": False}
    with site(tmp_path, "User-agent: *\nAllow: /\n") as server:
        result = run_crawl(tmp_path / "out", settings, url=",".join(server.url(p) for p in PAGES))
        arrivals = server.arrivals
    assert len(arrivals) == 1 + len(PAGES)
    # The three pages are requested together: nothing holds them apart.
    assert max(page_gaps(arrivals)[1:]) < 1.0, page_gaps(arrivals)
    assert result.stat("news/robots/crawl_delay_hosts") == 0
    assert not any(key.startswith("news/robots/crawl_delay/") for key in result.stats)


def test_disallow_holds_for_every_request_that_waited_for_robots_txt(tmp_path):
    # All the start requests reach the robots.txt middleware while robots.txt is still being
    # downloaded: each of them, not only the first, must be checked against the rules.
    settings = {**FAST_SETTINGS, "AUTOTHROTTLE_ENABLED": False}
    with site(tmp_path, "User-agent: *\nDisallow: /\n") as server:
        result = run_crawl(tmp_path / "out", settings, url=",".join(server.url(p) for p in PAGES))
        fetched = [path for _when, path in server.arrivals]
    assert fetched == ["/robots.txt"]
    assert result.stat("robotstxt/forbidden") == len(PAGES)
    assert result.items == []


@pytest.mark.parametrize("parser_class", [ProtegoRobotParser, PythonRobotParser])
@pytest.mark.parametrize(
    ("robots", "expected"),
    [
        ("User-agent: *\nCrawl-delay: 2\n", 2.0),
        ("User-agent: *\nCrawl-delay: 0.5\n", 0.5),
        ("User-agent: *\nDisallow: /private\n", None),
        ("User-agent: *\nCrawl-delay: 0\n", None),
        ("User-agent: *\nCrawl-delay: soon\n", None),
        ("User-agent: other-bot\nCrawl-delay: 9\n", None),
    ],
)
def test_crawl_delay_of_reads_only_usable_delays_for_our_agent(parser_class, robots, expected):
    parser = parser_class(robots.encode(), None)
    if parser_class is PythonRobotParser and expected == 0.5:
        expected = None  # the standard library's parser reads whole seconds only
    assert crawl_delay_of(parser, USER_AGENT) == expected


def test_floor_keeps_a_longer_delay_and_drops_jitter_and_concurrency():
    slot = Slot(concurrency=4, delay=0.1, jitter=0.5)
    floored(slot, 2.0)
    assert (slot.delay, slot.jitter, slot.concurrency) == (2.0, 0.0, 1)
    slower = Slot(concurrency=4, delay=5.0, jitter=0.5)
    floored(slower, 2.0)
    assert slower.delay == 5.0
    assert slot_settings(2.0) == {"concurrency": 1, "delay": 2.0, "jitter": 0.0}
