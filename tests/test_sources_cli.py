"""Tests for ``python -m crawler sources list|check`` and the endpoint probe (crawler.health.probe).

The verdict rules are tested as pure functions; then one real ``sources check --online``
runs in a child process against local servers (tests/health_site.py builds the site):
one source per verdict, a second origin whose robots.txt declares a sitemap, and a server
that closes every connection without answering.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.discovery import SitemapEntry
from crawler.health.probe import (
    BLOCKED,
    EMPTY,
    ERROR,
    NOT_FOUND,
    OK,
    PATTERN_MISMATCH,
    STALE,
    Reading,
    endpoints_of,
    newest_child,
    read_listing,
    read_sitemap,
    verdict_of_failure,
    verdict_of_reading,
    verdict_of_status,
)
from crawler.local_site import serve_directory
from crawler.sources import Source
from tests.health_site import build_probe_site, listing, source_table, urlset, write

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 8, 25, 12, tzinfo=UTC)
SINCE = NOW - timedelta(days=2)
DEMO = Source(
    name="demo",
    domains=["example.com"],
    timezone="Africa/Cairo",
    lookback_days=1,
    sitemaps=["https://example.com/Sitemap/{y}/{m}/{d}", "https://example.com/sitemap.xml"],
    feeds=["https://feeds.example.com/rss"],
    sections=["https://example.com/politics"],
    article_patterns=[r"^https://example\.com/news/\d+"],
    unverified=["https://feeds.example.com/rss"],
)


# ---------------------------------------------------------------- verdict rules


@pytest.mark.parametrize("status, verdict", [(200, None), (301, None), (401, BLOCKED), (403, BLOCKED), (429, BLOCKED),
                                             (451, BLOCKED), (404, NOT_FOUND), (410, NOT_FOUND), (400, ERROR),
                                             (500, ERROR), (503, ERROR)])
def test_status_verdicts(status, verdict):
    result = verdict_of_status(status)
    assert (result[0] if result else None) == verdict


@pytest.mark.parametrize("reason, message, verdict", [
    ("IgnoreRequest", "Forbidden by robots.txt", BLOCKED),
    ("ResponseNeverReceived", "[<twisted.python.failure.Failure ConnectionDone>]", BLOCKED),
    ("ConnectionLost", "", BLOCKED),
    ("DownloadFailedError", "[<twisted.python.failure.Failure twisted.internet.error.ConnectionDone: closed>]", BLOCKED),
    ("DownloadFailedError", "[<twisted.python.failure.Failure OpenSSL.SSL.Error: ...>]", ERROR),
    ("DNSLookupError", "DNS lookup failed", ERROR),
    ("TimeoutError", "took longer than 30 seconds", ERROR),
    ("ConnectionRefusedError", "", ERROR),
    ("too_large", "", ERROR),
    ("IgnoreRequest", "Filtered offsite request", ERROR),
])
def test_failure_verdicts(reason, message, verdict):
    assert verdict_of_failure(reason, message)[0] == verdict


def test_reading_verdicts_in_order_of_precedence():
    recent, old = NOW - timedelta(hours=1), NOW - timedelta(days=30)
    assert verdict_of_reading("sitemap", Reading(valid=False, note="not a sitemap"), SINCE) == (NOT_FOUND, "not a sitemap")
    assert verdict_of_reading("feed", Reading(valid=True), SINCE)[0] == EMPTY
    assert verdict_of_reading("feed", Reading(valid=True, entries=9, newest=old, matched=1, checked=9), SINCE)[0] == PATTERN_MISMATCH
    assert verdict_of_reading("feed", Reading(valid=True, entries=9, newest=old, matched=9, checked=9), SINCE)[0] == STALE
    assert verdict_of_reading("feed", Reading(valid=True, entries=9, newest=recent, matched=5, checked=9), SINCE)[0] == OK
    # entries on other hosts are not the source's URLs: nothing to judge the patterns by
    assert verdict_of_reading("feed", Reading(valid=True, entries=3, newest=recent), SINCE)[0] == OK
    # sections link to more than stories: a lower share is still fine there
    assert verdict_of_reading("section", Reading(valid=True, entries=3, matched=3, checked=10), SINCE)[0] == OK
    assert verdict_of_reading("section", Reading(valid=True, entries=1, matched=1, checked=10), SINCE)[0] == PATTERN_MISMATCH


def test_a_sitemap_index_reading_lists_its_owned_children_and_the_newest_is_followed():
    body = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://example.com/s-1.xml</loc><lastmod>2025-08-01</lastmod></sitemap>"
        b"<sitemap><loc>https://example.com/s-3.xml</loc><lastmod>2025-08-24T10:00:00Z</lastmod></sitemap>"
        b"<sitemap><loc>https://cdn.other.org/s-9.xml</loc><lastmod>2025-08-25</lastmod></sitemap>"
        b"</sitemapindex>"
    )
    reading = read_sitemap(body, "https://example.com/sitemap.xml", DEMO)

    assert reading.valid and reading.entries == 3
    assert [child.loc for child in reading.children] == ["https://example.com/s-1.xml", "https://example.com/s-3.xml"]
    assert newest_child(reading.children).loc == "https://example.com/s-3.xml"
    assert newest_child([SitemapEntry("https://example.com/a.xml"), SitemapEntry("https://example.com/b.xml")]).loc.endswith("a.xml")


def test_a_urlset_reading_counts_the_source_urls_that_match():
    body = urlset([("https://example.com/news/1", NOW), ("https://example.com/news/2", None),
                   ("https://example.com/tag/x", None), ("https://other.org/news/3", None)]).encode()

    reading = read_sitemap(body, "https://example.com/sitemap.xml", DEMO)

    assert (reading.entries, reading.matched, reading.checked, reading.newest) == (4, 2, 3, NOW)


def test_an_html_page_is_not_a_sitemap():
    assert not read_sitemap(b"<!DOCTYPE html><html><body>home</body></html>", "https://example.com/s.xml", DEMO).valid


def test_a_listing_reading_judges_only_links_that_look_like_stories():
    hrefs = ["/news/123", "/news/124", "/about", "/2025/08/25/other-shape", "https://other.org/news/1", "#top"]

    reading = read_listing(hrefs, "https://example.com/politics", DEMO)

    assert (reading.matched, reading.checked) == (2, 3)


def test_endpoints_of_a_source_fill_templates_and_start_with_each_origin_robots():
    endpoints = endpoints_of(DEMO, NOW)

    assert [(e.kind, e.url) for e in endpoints] == [
        ("robots", "https://example.com/robots.txt"),
        ("robots", "https://feeds.example.com/robots.txt"),
        ("sitemap", "https://example.com/Sitemap/2025/8/25"),
        ("sitemap", "https://example.com/Sitemap/2025/8/24"),
        ("sitemap", "https://example.com/sitemap.xml"),
        ("feed", "https://feeds.example.com/rss"),
        ("section", "https://example.com/politics"),
    ]
    assert endpoints[2].written_as == "https://example.com/Sitemap/{y}/{m}/{d}"
    assert [e.unverified for e in endpoints] == [False] * 5 + [True, False]


# ---------------------------------------------------------------- list and offline check


def registry(tmp_path: Path, *tables: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


def run_cli(*args) -> int:
    return main(["sources", *args])


def test_list_prints_a_row_per_source_with_its_unverified_parts(tmp_path, capsys):
    path = registry(
        tmp_path,
        source_table("alpha", sitemaps=["/a/{y}/{m}/{d}"], feeds=["/a/rss"], sections=["/a/s1", "/a/s2"],
                     unverified=["/a/rss", "article_patterns"], base_url="https://alpha.example"),
        source_table("beta", feeds=["/b/rss"], base_url="https://beta.example").replace(
            'domains = ["127.0.0.1"]', 'domains = ["beta.example"]').replace("[[source]]", "[[source]]\nenabled = false"),
    )
    path.write_text(path.read_text().replace('domains = ["127.0.0.1"]', 'domains = ["alpha.example"]', 1))

    assert run_cli("list", "--sources-file", str(path)) == 0
    lines = capsys.readouterr().out.splitlines()

    assert lines[0].split() == ["NAME", "COUNTRY", "ENABLED", "TIME", "ZONE", "ENDPOINTS", "UNVERIFIED"]
    assert lines[1].split()[:4] == ["alpha", "EG", "yes", "Africa/Cairo"]
    assert "1 sitemap, 1 feed, 2 sections" in lines[1]
    assert lines[1].endswith("article patterns; feed https://alpha.example/a/rss")
    assert lines[2].split()[:3] == ["beta", "EG", "no"] and lines[2].endswith("-")
    assert lines[-1] == "2 sources, 1 enabled"

    assert run_cli("list", "--sources-file", str(path), "--urls") == 0
    text = capsys.readouterr().out
    assert "date template" in text and "https://alpha.example/a/{y}/{m}/{d}" in text
    assert re.search(r"feed +unverified +https://alpha\.example/a/rss", text)

    assert run_cli("list", "--sources-file", str(path), "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in listed] == ["alpha", "beta"]
    assert listed[0]["article_patterns_unverified"] is True
    assert [(e["kind"], e["date_template"], e["unverified"]) for e in listed[0]["endpoints"]] == [
        ("sitemap", True, False), ("feed", False, True), ("section", False, False), ("section", False, False)
    ]


def test_list_of_the_shipped_registry_names_every_source(capsys):
    from crawler.sources import load_sources

    assert run_cli("list") == 0
    out = capsys.readouterr().out
    for name in load_sources():
        assert f"\n{name} " in out


def test_check_validates_offline_and_warns_about_entries_that_would_crawl_badly(tmp_path, capsys):
    path = registry(
        tmp_path,
        source_table("alpha", feeds=["/alpha/news/1.html"], base_url="http://127.0.0.1:8000"),
        source_table("beta", sections=["/beta/"], unverified=["/beta/"], base_url="http://127.0.0.1:8000"),
    )

    assert run_cli("check", "--sources-file", str(path)) == 0
    out = capsys.readouterr().out

    assert "alpha: discovery URL http://127.0.0.1:8000/alpha/news/1.html matches the source's own article patterns" in out
    assert "alpha: owns beta's domain 127.0.0.1" in out
    assert "beta: enabled, but every discovery URL is marked unverified" in out
    assert out.splitlines()[-1].startswith("registry valid: 2 sources (2 enabled), 2 endpoints, 1 unverified mark(s)")


def test_check_of_the_shipped_registry_is_clean(capsys):
    assert run_cli("check") == 0
    out = capsys.readouterr().out
    assert not any(line.startswith("warning") for line in out.splitlines())
    assert out.startswith("registry valid: ") and out.rstrip().endswith("0 warnings")


def test_check_of_a_broken_registry_exits_2_naming_source_and_field(tmp_path, capsys):
    path = registry(tmp_path, source_table("alpha", sitemaps=["/a/{year}.xml"], base_url="https://alpha.example"))

    assert run_cli("check", "--sources-file", str(path)) == 2
    err = capsys.readouterr().err
    assert "source 'alpha': field 'sitemaps'" in err and "unknown placeholder {year}" in err


def test_names_are_for_the_online_check_only(capsys):
    assert run_cli("check", "youm7") == 2
    assert "--online" in capsys.readouterr().err


# ---------------------------------------------------------------- online, against local servers


@contextlib.contextmanager
def connection_dropper():
    """A server on 127.0.0.1 that accepts every connection and closes it without a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()


PROBE_SETTINGS = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=ERROR"]


@pytest.fixture(scope="module")
def probe_run(tmp_path_factory):
    """One ``sources check --online`` over a source per verdict; yields (exit code, stdout, rows)."""
    root = tmp_path_factory.mktemp("probe-site")
    other_root = tmp_path_factory.mktemp("probe-site-b")
    build_probe_site(root, datetime.now(UTC))
    now = datetime.now(UTC)
    with serve_directory(root) as site, serve_directory(other_root) as other, connection_dropper() as dropper:
        # A second origin, used by "fresh" only, whose robots.txt declares one more sitemap.
        write(other_root, "/robots.txt", f"Sitemap: {other.base_url}/declared.xml\n")
        write(other_root, "/declared.xml", urlset([(f"{other.base_url}/fresh/news/{i}.html", now) for i in range(3)]))
        write(other_root, "/fresh/section.html", listing([f"/fresh/news/{i}.html" for i in range(4)]))
        base = site.base_url
        tables = [
            source_table("fresh", sitemaps=["/fresh/sitemap.xml", "/fresh/index.xml", "/fresh/daily/{y}-{mm}-{dd}.xml"],
                         feeds=["/fresh/rss.xml"], sections=["/fresh/section.html", f"{other.base_url}/fresh/section.html"],
                         unverified=["/fresh/rss.xml"], timezone_name="Africa/Cairo", base_url=base),
            source_table("emptysrc", sitemaps=["/emptysrc/sitemap.xml"], feeds=["/emptysrc/rss.xml"],
                         sections=["/emptysrc/section.html"], base_url=base),
            source_table("oldsrc", sitemaps=["/oldsrc/sitemap.xml"], feeds=["/oldsrc/rss.xml"], base_url=base),
            source_table("walled", sitemaps=["/walled/sitemap.xml"], feeds=["/walled/rss.xml", f"{dropper}/feed"],
                         sections=["/walled/private/section.html"], base_url=base),
            source_table("gone", sitemaps=["/gone/sitemap.xml"], feeds=["/gone/rss.xml"], base_url=base),
            source_table("moved", sitemaps=["/moved/sitemap.xml"], sections=["/moved/section.html"], base_url=base),
            source_table("broken", feeds=["/broken/rss.xml"], base_url=base),
            source_table("quiet", feeds=["/quiet/rss.xml"], base_url=base).replace("[[source]]", "[[source]]\nenabled = false"),
        ]
        registry_path = root.parent / "probe-sources.toml"
        registry_path.write_text("\n".join(tables), encoding="utf-8")
        rows_path = root.parent / "rows.json"
        process = subprocess.run(
            [sys.executable, "-m", "crawler", "sources", "check", "--online", "--sources-file", str(registry_path),
             "--json", str(rows_path), *PROBE_SETTINGS],
            capture_output=True, text=True, cwd=REPO, timeout=120,
        )
    assert process.returncode in (0, 1), process.stderr
    document = json.loads(rows_path.read_text(encoding="utf-8"))
    return process.returncode, process.stdout, document, base, other.base_url, dropper


def test_online_check_gives_every_verdict(probe_run):
    code, _out, document, base, other, dropper = probe_run
    verdicts = {(row["source"], row["url"].replace(base, "").replace(other, "B").replace(dropper, "D")): row["verdict"]
                for row in document["rows"]}

    assert code == 1  # some endpoints are not ok
    assert document["sources"] == ["fresh", "emptysrc", "oldsrc", "walled", "gone", "moved", "broken"]  # enabled ones
    expected = {
        ("fresh", "/robots.txt"): OK,
        ("fresh", "B/robots.txt"): OK,
        ("fresh", "/fresh/sitemap.xml"): OK,
        ("fresh", "/fresh/index.xml"): OK,
        ("fresh", "/fresh/rss.xml"): OK,
        ("fresh", "/fresh/section.html"): OK,
        ("fresh", "B/fresh/section.html"): OK,
        ("fresh", "B/declared.xml"): OK,
        ("emptysrc", "/emptysrc/sitemap.xml"): EMPTY,
        ("emptysrc", "/emptysrc/rss.xml"): EMPTY,
        ("emptysrc", "/emptysrc/section.html"): EMPTY,
        ("oldsrc", "/oldsrc/sitemap.xml"): STALE,
        ("oldsrc", "/oldsrc/rss.xml"): STALE,
        ("walled", "/walled/sitemap.xml"): BLOCKED,
        ("walled", "/walled/rss.xml"): BLOCKED,
        ("walled", "/walled/private/section.html"): BLOCKED,
        ("walled", "D/robots.txt"): BLOCKED,
        ("walled", "D/feed"): BLOCKED,
        ("gone", "/gone/sitemap.xml"): NOT_FOUND,
        ("gone", "/gone/rss.xml"): NOT_FOUND,
        ("moved", "/moved/sitemap.xml"): PATTERN_MISMATCH,
        ("moved", "/moved/section.html"): PATTERN_MISMATCH,
        ("broken", "/broken/rss.xml"): ERROR,
    }
    for key, verdict in expected.items():
        assert verdicts.pop(key) == verdict, key
    daily = {key: verdict for key, verdict in verdicts.items() if "/fresh/daily/" in key[1]}
    # look-back 2 days in Cairo: three calendar days, each its own filled template
    assert len(daily) == 3 and set(daily.values()) == {OK}
    assert {key: v for key, v in verdicts.items() if key not in daily} == {
        (name, "/robots.txt"): OK for name in ("emptysrc", "oldsrc", "walled", "gone", "moved", "broken")
    }


def test_online_rows_carry_status_type_entries_dates_and_share(probe_run):
    _code, _out, document, base, other, _dropper = probe_run
    rows = {(row["source"], row["url"].replace(base, "")): row for row in document["rows"]}

    index = rows[("fresh", "/fresh/index.xml")]
    assert (index["status"], index["content_type"], index["entries"]) == (200, "application/xml", 2)
    assert index["article_share"] == 1.0 and "newest child" in index["detail"] and "new-part.xml" in index["detail"]
    assert rows[("fresh", "/fresh/rss.xml")]["unverified"] is True
    assert rows[("fresh", "/fresh/rss.xml")]["entries"] == 6
    assert datetime.fromisoformat(rows[("fresh", "/fresh/sitemap.xml")]["newest"]) > datetime.now(UTC) - timedelta(hours=4)
    assert rows[("oldsrc", "/oldsrc/rss.xml")]["newest"].startswith("2020-05-01")
    assert rows[("walled", "/walled/sitemap.xml")]["status"] == 403
    assert rows[("walled", "/walled/rss.xml")]["status"] == 429
    assert "robots.txt" in rows[("walled", "/walled/private/section.html")]["detail"]
    moved = rows[("moved", "/moved/sitemap.xml")]
    assert (moved["matched"], moved["checked"]) == (1, 7)
    assert rows[("gone", "/gone/rss.xml")]["content_type"] == "text/html"
    declared = next(row for row in document["rows"] if row["via"] == "robots.txt")
    assert declared["source"] == "fresh" and declared["url"] == f"{other}/declared.xml"
    daily = [row for row in document["rows"] if row["written_as"]]
    assert {row["written_as"] for row in daily} == {f"{base}/fresh/daily/{{y}}-{{mm}}-{{dd}}.xml"}


def test_online_check_prints_the_table_and_a_summary(probe_run):
    _code, out, document, base, _other, _dropper = probe_run
    lines = out.splitlines()

    assert lines[0].split() == ["SOURCE", "KIND", "STATUS", "TYPE", "ENTRIES", "NEWEST", "MATCH", "VERDICT", "URL"]
    assert any(line.startswith("moved ") and "pattern mismatch" in line and line.endswith("/moved/sitemap.xml") for line in lines)
    assert any(line.endswith("/fresh/rss.xml [unverified]") for line in lines)
    assert f"walled sitemap {base}/walled/sitemap.xml: blocked: HTTP 403" in out
    summary = lines[-1]
    assert summary.startswith(f"{len(document['rows'])} endpoints of 7 sources: ")
    assert "1 error" in summary and "rows written to" in summary


def test_online_check_of_named_sources_only_and_exit_0_when_all_ok(tmp_path):
    site_root = tmp_path / "site"
    build_probe_site(site_root, datetime.now(UTC))
    with serve_directory(site_root) as site:
        path = registry(tmp_path, source_table("fresh", sitemaps=["/fresh/sitemap.xml"], feeds=["/fresh/rss.xml"],
                                               base_url=site.base_url),
                        source_table("broken", feeds=["/broken/rss.xml"], base_url=site.base_url))
        process = subprocess.run(
            [sys.executable, "-m", "crawler", "sources", "check", "--online", "fresh", "--sources-file", str(path),
             "--output-dir", str(tmp_path / "out"), "-s", "NEWS_ROBOTS_SITEMAPS=False", *PROBE_SETTINGS],
            capture_output=True, text=True, cwd=REPO, timeout=120,
        )
    assert process.returncode == 0, process.stdout + process.stderr
    written = list((tmp_path / "out" / "probes").glob("*.json"))
    assert len(written) == 1
    rows = json.loads(written[0].read_text(encoding="utf-8"))["rows"]
    assert {row["source"] for row in rows} == {"fresh"} and {row["verdict"] for row in rows} == {OK}
    assert len(rows) == 3  # robots.txt, sitemap, feed: the declared sitemap was switched off
