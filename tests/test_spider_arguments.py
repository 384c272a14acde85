"""The ``news`` spider's arguments are checked before any request: unknown names are
rejected with the known ones, each bad value gets one line naming the argument and what
was expected, and both commands exit with status 2 without a traceback."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from crawler.cron import EXIT_CONFIG
from spiders.news_arguments import ARGUMENTS, DEFAULT_LISTING_DEPTH, SpiderArgumentError, parse_news_arguments
from tests.cli import crawler_run, scrapy_crawl

# argument -> bad value -> what the one line must say
BAD_VALUES = {
    "since=garbage": "-a since: expected a date in YYYY-MM-DD form; got 'garbage'",
    "since=2025-02-30": "-a since: expected a date in YYYY-MM-DD form; got '2025-02-30'",
    "sitemap=notaurl": "-a sitemap: expected an absolute http(s) URL; got 'notaurl'",
    "feed=notaurl": "-a feed: expected an absolute http(s) URL; got 'notaurl'",
    "url=ftp://x/y": "-a url: expected an absolute http(s) URL; got 'ftp://x/y'",
    "url=http://127.0.0.1:port/": "-a url: expected an absolute http(s) URL; got 'http://127.0.0.1:port/'",
    "url=,": "-a url: expected one or more absolute http(s) URLs, comma-separated; got ','",
    "listing_depth=two": "-a listing_depth: expected a whole number >= 0; got 'two'",
    "listing_depth=-1": "-a listing_depth: expected a whole number >= 0; got '-1'",
}
KNOWN = "known: " + ", ".join(ARGUMENTS)


def pairs(argument: str) -> dict[str, str]:
    name, _, value = argument.partition("=")
    return {name: value}


# --- the pure parser --------------------------------------------------------------------------


def test_good_arguments_are_typed():
    parsed = parse_news_arguments({
        "sitemap": "https://a.example/s.xml, https://a.example/t.xml", "feed": "http://a.example/rss",
        "url": "https://a.example/news/1", "since": "2025-01-31", "listing_depth": "0", "source": "youm7",
    })

    assert parsed.sitemaps == ("https://a.example/s.xml", "https://a.example/t.xml")
    assert parsed.feeds == ("http://a.example/rss",) and parsed.pages == ("https://a.example/news/1",)
    assert parsed.since == datetime(2025, 1, 31, tzinfo=timezone.utc)
    assert parsed.listing_depth == 0 and parsed.source == "youm7" and parsed.is_adhoc


def test_no_arguments_is_a_registry_crawl_with_defaults():
    parsed = parse_news_arguments({})

    assert not parsed.is_adhoc and parsed.since is None and parsed.listing_depth == DEFAULT_LISTING_DEPTH


@pytest.mark.parametrize("argument", sorted(BAD_VALUES))
def test_each_bad_value_gets_one_line_naming_the_argument(argument):
    with pytest.raises(SpiderArgumentError) as caught:
        parse_news_arguments(pairs(argument))

    assert str(caught.value) == BAD_VALUES[argument]


def test_unknown_names_are_rejected_with_the_known_ones():
    with pytest.raises(SpiderArgumentError) as caught:
        parse_news_arguments({"bogus": "1", "sorce": "youm7", "since": "2025-01-01"})

    assert str(caught.value) == f"unknown spider arguments bogus, sorce; {KNOWN}"


# --- both commands, before any request -------------------------------------------------------

COMMANDS = {"scrapy crawl": scrapy_crawl, "python -m crawler run": crawler_run}


@pytest.fixture(params=sorted(COMMANDS))
def command(request):
    return COMMANDS[request.param]


@pytest.mark.parametrize("argument", ["since=garbage", "sitemap=notaurl", "url=ftp://x/y", "listing_depth=two"])
def test_a_bad_value_stops_the_command_with_status_2_and_one_line(command, argument, sample_site, tmp_path):
    # A reachable feed beside the bad value: nothing may be fetched from it.
    completed = command(tmp_path / "out", "-a", f"feed={sample_site.url('/feed.xml')}", "-a", argument)

    assert completed.returncode == EXIT_CONFIG
    assert completed.stderr == f"error: {BAD_VALUES[argument]}\n"
    assert completed.stdout == ""
    assert not (tmp_path / "out" / "data").exists()


def test_an_unknown_name_stops_the_command_before_any_request(command, tmp_path):
    from crawler.local_site import serve_directory

    site = tmp_path / "site"
    site.mkdir()
    (site / "feed.xml").write_text("<rss/>", encoding="utf-8")
    with serve_directory(site) as server:
        completed = command(tmp_path / "out", "-a", f"feed={server.url('/feed.xml')}", "-a", "bogus=1")

    assert completed.returncode == EXIT_CONFIG
    assert completed.stderr == f"error: unknown spider argument bogus; {KNOWN}\n"
    assert server.hits == {}


@pytest.mark.parametrize("level", ["6", "fast"])
def test_a_bad_archive_level_stops_the_command_with_status_2_and_one_line(command, level, sample_site, tmp_path):
    completed = command(tmp_path / "out", "-a", f"feed={sample_site.url('/feed.xml')}", "-s", f"ARCHIVE_GZIP_LEVEL={level}")

    assert completed.returncode == EXIT_CONFIG
    assert completed.stderr == f"error: ARCHIVE_GZIP_LEVEL must be 0 to 3 (ISA-L's levels), not {level!r}\n"
    assert not (tmp_path / "out" / "data").exists()
