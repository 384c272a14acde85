"""Bad input, end to end: broken pages, documents, servers and configs, crawled for real.

Every case is served on 127.0.0.1 and crawled with the real spider and pipelines
(``tests.crawling.run_crawl``). Each must end as a correct item or as a counted
drop (``news/dropped/REASON``, ``news/errors/REASON``, ``news/discovery/...``),
and never stop the crawl. Static cases live in ``tests/bad_site`` (rebuilt by
its ``_build_site.py``); what a folder cannot express (a server that never
answers, a reply that changes between hits, a second host name, a body without
Content-Length) is served by the small servers at the top of this module.

One crawl per category (module-scoped fixtures) keeps the module fast; each
test then checks one case of its category. Tests marked ``xfail(strict=True)``
describe a bug of the crawler: they assert the correct behaviour, and turn
into failures the day the bug is fixed, so the mark can be removed.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from crawler import settings as project_settings
from crawler.local_site import serve_directory
from tests.bad_site import _build_site as fixture_site
from tests.conftest import REPO
from tests.crawling import CrawlResult, run_crawl

FIXTURE_ROOT = Path(__file__).with_name("bad_site")
STORIES = fixture_site.STORIES
# Scrapy logs these at ERROR level for failures the spider counts itself (the
# robots.txt one with a traceback of Scrapy's own frames).
EXPECTED_SCRAPY_ERROR_LINES = (
    "[scrapy.downloadermiddlewares.retry] ERROR: Gave up retrying",
    "[scrapy.downloadermiddlewares.robotstxt] ERROR: Error downloading",
)
# A traceback frame in the project's own code: an exception we did not handle.
OUR_CODE_FRAME = re.compile(r'File "' + re.escape(str(REPO)) + r'/[^"]+"')
# A crawl of a handful of local pages takes 2-3 s; an expanded entity bomb or a
# hung request would take minutes.
# A crawl's own elapsed time, for cases whose failure is a hang or a runaway (an entity
# bomb expanded, a silent server waited for): seconds on an idle machine, and a
# margin wide enough for one that is several times oversubscribed.
FAST_CRAWL_SECONDS = 90
_WORD_RE = re.compile(r"\w+")
# Latin letters with accents and U+FFFD: what Arabic bytes become when decoded
# with the wrong charset (windows-1252, latin-1, a failed UTF-8 decode).
_MOJIBAKE_RE = re.compile("[\u00c0-\u024f\ufffd]")


# --- small servers for what a static folder cannot express --------------------------


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html; charset=utf-8"),)
    body: bytes = b""
    # False sends the body without Content-Length and closes the connection after it,
    # as streaming servers do: the client learns the size only while reading.
    send_length: bool = True


# A path's replies, one per hit; the last one repeats.
Script = dict[str, list[Reply]]


class ScriptedHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, fallback: Callable[[str], Reply] | None):
        super().__init__(("127.0.0.1", 0), ScriptedRequestHandler)
        self.script: Script = {}
        self.fallback = fallback
        self.hit_log: list[tuple[str, float]] = []
        self.lock = threading.Lock()

    def next_reply(self, path: str) -> Reply:
        with self.lock:
            seen = sum(1 for hit_path, _ in self.hit_log if hit_path == path)
            self.hit_log.append((path, time.monotonic()))
        replies = self.script.get(path)
        if replies:
            return replies[min(seen, len(replies) - 1)]
        if self.fallback is not None:
            return self.fallback(path)
        return Reply(404, body=b"<html><body>not found</body></html>")

    def handle_error(self, request, client_address) -> None:
        # A client that hangs up mid-body (a cancelled download) is part of the test.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ScriptedRequestHandler(http.server.BaseHTTPRequestHandler):
    server: ScriptedHTTPServer

    def do_GET(self) -> None:
        reply = self.server.next_reply(unquote(urlsplit(self.path).path) or "/")
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.send_length:
            self.send_header("Content-Length", str(len(reply.body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            for start in range(0, len(reply.body), 16 * 1024):
                self.wfile.write(reply.body[start : start + 16 * 1024])
        except ConnectionError:
            pass
        self.close_connection = True

    def log_message(self, format: str, *args) -> None:
        pass


class ScriptedSite:
    """What a test sees of a scripted server: URLs under either host name, the script, the hits."""

    def __init__(self, server: ScriptedHTTPServer):
        self._server = server
        self.port = server.server_address[1]
        self.script = server.script

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def hits(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for path, _ in list(self._server.hit_log):
            counts[path] = counts.get(path, 0) + 1
        return counts

    def hit_times(self, path: str) -> list[float]:
        return [at for hit_path, at in list(self._server.hit_log) if hit_path == path]


@contextlib.contextmanager
def serve_script(fallback: Callable[[str], Reply] | None = None) -> Iterator[ScriptedSite]:
    """A loopback server answering from ``site.script`` (and ``fallback`` for other paths)."""
    server = ScriptedHTTPServer(fallback)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield ScriptedSite(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class SilentSite:
    port: int
    connections: list[socket.socket]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextlib.contextmanager
def serve_silence() -> Iterator[SilentSite]:
    """A server that accepts every connection and never sends a byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    site = SilentSite(listener.getsockname()[1], [])
    stop = threading.Event()

    def accept_forever() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            site.connections.append(connection)

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        stop.set()
        thread.join()
        listener.close()
        for connection in site.connections:
            connection.close()


# --- pages and results ---------------------------------------------------------------


def article_reply(story_key: str) -> Reply:
    page = fixture_site.article_page(STORIES[story_key], '<meta charset="utf-8">\n')
    return Reply(body=page.encode("utf-8"))


def html_reply(html: str) -> Reply:
    return Reply(body=html.encode("utf-8"))


def redirect_reply(location: str, status: int = 301) -> Reply:
    return Reply(status, (("Location", location),))


def path_of(url: str) -> str:
    return urlsplit(url).path


def collapse(text: str) -> str:
    return " ".join(text.split())


def paragraphs_of(text: str) -> list[str]:
    return [collapse(block) for block in text.split("\n\n") if block.strip()]


def words_of(text: str) -> set[str]:
    return set(_WORD_RE.findall(text))


def record_at(result: CrawlResult, path: str) -> dict | None:
    """The committed record whose URL has ``path`` (query ignored), or None."""
    found = [record for record in result.records() if path_of(record["url"]) == path]
    assert len(found) <= 1, f"{len(found)} records for {path}"
    return found[0] if found else None


def run_log_of(result: CrawlResult) -> str:
    logs = list((result.output_dir / "logs").glob("*.log"))
    assert len(logs) == 1, logs
    return logs[0].read_text(encoding="utf-8")


def stats_under(result: CrawlResult, prefix: str) -> dict[str, int]:
    """Global counters below ``prefix`` (e.g. "news/errors/"), keyed by the rest of their name."""
    return {key[len(prefix) :]: value for key, value in result.stats.items() if key.startswith(prefix)}


def failure_reason(result: CrawlResult, url: str) -> str | None:
    """The reason the spider logged for a failed request of ``url`` ("http_404", "TimeoutError" ...)."""
    match = re.search(r"Request failed \((\w+)\): " + re.escape(url) + r"\s*$", run_log_of(result), re.MULTILINE)
    return match.group(1) if match else None


def drop_reason(result: CrawlResult, url: str) -> str | None:
    """The reason logged for a page of ``url`` that did not become an item."""
    match = re.search(r"Dropped " + re.escape(url) + r": (.*)$", run_log_of(result), re.MULTILINE)
    if not match:
        return None
    message = match.group(1)
    return "not_html" if message.startswith("not HTML") else message.split(":", 1)[0].strip()


def unexpected_error_lines(log: str) -> list[str]:
    errors = [line for line in log.splitlines() if "] ERROR: " in line]
    return [line for line in errors if not any(known in line for known in EXPECTED_SCRAPY_ERROR_LINES)]


def assert_finished_cleanly(result: CrawlResult) -> None:
    assert result.stats.get("finish_reason") == "finished"
    assert [key for key in result.stats if key.startswith("spider_exceptions/")] == []
    log = run_log_of(result)
    assert OUR_CODE_FRAME.findall(log) == []
    assert unexpected_error_lines(log) == []


def assert_is_story(record: dict | None, story_key: str) -> None:
    story = STORIES[story_key]
    assert record is not None, f"no item for the {story_key!r} story"
    assert record["title"] == story.title
    assert set(story.words) <= words_of(record["text"])
    assert paragraphs_of(record["text"]) == list(story.paragraphs)


@pytest.fixture(scope="module")
def bad_site():
    with serve_directory(FIXTURE_ROOT) as site:
        yield site


def test_fixture_files_match_their_builder(tmp_path):
    """The served files are what ``_build_site.py`` writes: no case was edited by hand and lost."""
    fixture_site.build(tmp_path)
    built = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    shipped = {
        p.relative_to(FIXTURE_ROOT): p.read_bytes()
        for p in FIXTURE_ROOT.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.name != "_build_site.py"
    }
    assert sorted(map(str, built)) == sorted(map(str, shipped))
    assert [name for name, data in built.items() if shipped[name] != data] == []


# --- charsets and malformed HTML -------------------------------------------------------

CHARSET_CASES = {page.path: page.story for page in fixture_site.charset_pages()}
MALFORMED_CASES = {page.path: page.story for page in fixture_site.malformed_pages()}


@pytest.fixture(scope="module")
def decoding_crawl(bad_site, tmp_path_factory):
    """Charset pages found through a sitemap; malformed pages given as ``url=`` (the listing-or-article path)."""
    return run_crawl(
        tmp_path_factory.mktemp("decoding"),
        sitemap=bad_site.url("/charset-sitemap.xml"),
        url=",".join(bad_site.url(path) for path in MALFORMED_CASES),
    )


def test_decoding_crawl_finishes_cleanly(decoding_crawl):
    assert_finished_cleanly(decoding_crawl)
    assert decoding_crawl.stat("news/items_written") == len(CHARSET_CASES) + len(MALFORMED_CASES)


@pytest.mark.parametrize("path", sorted(CHARSET_CASES))
def test_charset_page_becomes_the_exact_arabic_story(decoding_crawl, path):
    record = record_at(decoding_crawl, path)
    assert_is_story(record, CHARSET_CASES[path])
    assert not _MOJIBAKE_RE.search(record["title"] + record["text"])




@pytest.mark.parametrize("path", sorted(MALFORMED_CASES))
def test_malformed_page_still_becomes_the_story(decoding_crawl, path):
    record = record_at(decoding_crawl, path)
    assert_is_story(record, MALFORMED_CASES[path])
    assert "\x00" not in record["title"] + record["text"]
    assert "|" not in record["text"]


# --- not HTML on article URLs -------------------------------------------------------------

# Acceptable drop reasons per page: the stat must name why no item came out.
NOT_HTML_CASES = {
    "/not-html/empty.html": {"empty_page", "no_article_body"},
    "/not-html/statement.pdf": {"not_html"},
    "/not-html/photo.png": {"not_html"},
    "/not-html/story.json": {"not_html"},
    "/not-html/image-as-html.html": {"not_html", "unparseable_html", "no_article_body", "not_arabic"},
}


@pytest.fixture(scope="module")
def not_html_crawl(bad_site, tmp_path_factory):
    return run_crawl(tmp_path_factory.mktemp("not-html"), sitemap=bad_site.url("/not-html-sitemap.xml"))


def test_not_html_crawl_finishes_without_items(not_html_crawl):
    assert_finished_cleanly(not_html_crawl)
    assert not_html_crawl.records() == []
    assert not_html_crawl.stat("item_scraped_count") == 0


@pytest.mark.parametrize("path", sorted(NOT_HTML_CASES))
def test_not_html_article_url_is_a_counted_drop(not_html_crawl, bad_site, path):
    reason = drop_reason(not_html_crawl, bad_site.url(path))
    assert reason in NOT_HTML_CASES[path]
    assert not_html_crawl.stat(f"news/dropped/{reason}") >= 1


def test_every_fetched_non_html_page_is_counted_once(not_html_crawl):
    drops = stats_under(not_html_crawl, "news/dropped/")
    assert sum(drops.values()) == len(NOT_HTML_CASES) == not_html_crawl.stat("news/pages_fetched")


# --- size limits ---------------------------------------------------------------------------

STREAMED_PATH = "/news/2025/06/01/streamed-page-without-length"


@pytest.fixture(scope="module")
def size_crawl(bad_site, tmp_path_factory):
    """DOWNLOAD_MAXSIZE set low; one more page is streamed by a server that sends no Content-Length."""
    with serve_script() as streaming:
        oversized = fixture_site.big_page(STORIES["gold"], fixture_site.BIG_PAGE_BYTES).encode("utf-8")
        streaming.script[STREAMED_PATH] = [Reply(body=oversized, send_length=False)]
        limit = fixture_site.SIZE_LIMIT_BYTES
        result = run_crawl(
            tmp_path_factory.mktemp("size"),
            settings={"DOWNLOAD_MAXSIZE": limit, "DOWNLOAD_WARNSIZE": limit // 2},
            sitemap=bad_site.url("/size-sitemap.xml"),
            url=streaming.url(STREAMED_PATH),
        )
        yield result, streaming


def test_size_crawl_finishes_cleanly(size_crawl):
    result, _ = size_crawl
    assert_finished_cleanly(result)


def test_page_under_the_size_limit_is_kept(size_crawl):
    result, _ = size_crawl
    assert_is_story(record_at(result, "/size/normal.html"), "buses")


@pytest.mark.parametrize("path", ["/size/too-big.html", "/size/gzip-bomb.html", STREAMED_PATH])
def test_oversized_response_is_a_counted_error(size_crawl, bad_site, path):
    result, streaming = size_crawl
    url = streaming.url(path) if path == STREAMED_PATH else bad_site.url(path)
    reason = failure_reason(result, url)
    assert reason is not None
    assert result.stat(f"news/errors/{reason}") >= 1
    assert record_at(result, path) is None


def test_oversized_responses_are_each_counted_once(size_crawl):
    result, _ = size_crawl
    assert sum(stats_under(result, "news/errors/").values()) == 3
    assert result.stat("news/pages_fetched") == 1


def test_oversized_response_reason_names_the_size_limit(size_crawl, bad_site):
    result, streaming = size_crawl
    urls = [bad_site.url("/size/too-big.html"), bad_site.url("/size/gzip-bomb.html"), streaming.url(STREAMED_PATH)]
    reasons = [failure_reason(result, url) or "" for url in urls]
    assert all(re.search("size|large|big", reason, re.IGNORECASE) for reason in reasons), reasons


def test_gzip_bomb_would_also_exceed_the_production_limit():
    """The bomb is a real one: it inflates past the shipped DOWNLOAD_MAXSIZE, not only the test's."""
    assert fixture_site.BOMB_INFLATED_BYTES > project_settings.DOWNLOAD_MAXSIZE
    assert (FIXTURE_ROOT / "size" / "gzip-bomb.html").stat().st_size < fixture_site.SIZE_LIMIT_BYTES


# --- sitemaps and feeds ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def discovery_crawl(bad_site, tmp_path_factory):
    sitemaps = ["/discovery/billion-laughs.xml", "/discovery/bad-entities.xml", "/discovery/truncated.xml.gz"]
    return run_crawl(
        tmp_path_factory.mktemp("discovery"),
        sitemap=",".join(bad_site.url(path) for path in sitemaps),
        feed=bad_site.url("/discovery/broken.rss"),
    )


def test_discovery_crawl_finishes_cleanly(discovery_crawl):
    assert_finished_cleanly(discovery_crawl)


def test_billion_laughs_sitemap_is_read_without_expanding_entities(discovery_crawl, bad_site):
    assert discovery_crawl.stats["elapsed_time_seconds"] < FAST_CRAWL_SECONDS
    assert_is_story(record_at(discovery_crawl, "/discovery/after-laughs.html"), "wheat")
    assert [path for path in bad_site.hits if "lollol" in path] == []


@pytest.mark.parametrize(
    ("path", "story"),
    [
        ("/discovery/entity-first.html", "vaccination"),
        ("/discovery/entity-second.html", "gold"),
        ("/discovery/entity-third.html", "heat"),
    ],
)
def test_sitemap_with_bad_entities_still_yields_its_entries(discovery_crawl, path, story):
    assert_is_story(record_at(discovery_crawl, path), story)


def test_entry_with_a_bare_ampersand_keeps_its_whole_query(discovery_crawl):
    record = record_at(discovery_crawl, "/discovery/entity-second.html")
    assert urlsplit(record["url"]).query == "id=7&ref=home&section=local"


def test_truncated_gzip_sitemap_is_counted_unreadable(discovery_crawl, bad_site):
    assert discovery_crawl.stat("news/discovery/sitemap_unreadable") == 1
    assert re.search(
        r"Unreadable sitemap " + re.escape(bad_site.url("/discovery/truncated.xml.gz")), run_log_of(discovery_crawl)
    )


@pytest.mark.parametrize(
    ("path", "story"),
    [("/discovery/feed-first.html", "old_markets"), ("/discovery/feed-second.html", "admissions")],
)
def test_broken_feed_entries_before_the_break_are_crawled(discovery_crawl, path, story):
    assert discovery_crawl.stat("news/discovery/feeds") == 1
    assert_is_story(record_at(discovery_crawl, path), story)


# --- HTTP errors, retries and redirects ---------------------------------------------------

ERROR_STATUS_CASES = {
    "/http/missing.html": 404,
    "/http/gone.html": 410,
    "/http/server-error.html": 500,
    "/http/unavailable.html": 503,
}
BUSY_PATH = "/news/2025/06/02/busy-then-ready-article"
RETRY_AFTER_SECONDS = 1
LOOP_PATHS = ("/http/loop-a.html", "/http/self-loop.html")


@pytest.fixture(scope="module")
def http_crawl(bad_site, tmp_path_factory):
    """The fixture site's status codes and loops, plus a page that answers 503 once, then the article."""
    with serve_script() as busy:
        busy.script[BUSY_PATH] = [
            Reply(503, (("Retry-After", str(RETRY_AFTER_SECONDS)), ("Content-Type", "text/html"))),
            article_reply("vegetables"),
        ]
        result = run_crawl(
            tmp_path_factory.mktemp("http"), sitemap=bad_site.url("/http-sitemap.xml"), url=busy.url(BUSY_PATH)
        )
        yield result, busy


def test_http_crawl_finishes_cleanly(http_crawl):
    result, _ = http_crawl
    assert_finished_cleanly(result)
    assert_is_story(record_at(result, "/http/ok.html"), "wheat")


@pytest.mark.parametrize("path", sorted(ERROR_STATUS_CASES))
def test_error_status_is_counted_and_yields_no_item(http_crawl, bad_site, path):
    result, _ = http_crawl
    status = ERROR_STATUS_CASES[path]
    assert failure_reason(result, bad_site.url(path)) == f"http_{status}"
    assert result.stat(f"news/errors/http_{status}") == 1
    assert record_at(result, path) is None


def test_server_errors_are_retried_before_being_counted(http_crawl, bad_site):
    result, _ = http_crawl
    assert result.stat("retry/reason_count/500 Internal Server Error") >= 1
    assert bad_site.hits["/http/server-error.html"] > 1
    assert bad_site.hits["/http/missing.html"] == 1  # a 404 is final


def test_503_then_success_is_retried_into_an_item(http_crawl):
    result, busy = http_crawl
    assert busy.hits[BUSY_PATH] == 2
    # One retry for the busy page, the rest for the page that stays unavailable.
    assert result.stat("retry/reason_count/503 Service Unavailable") >= 1
    assert_is_story(record_at(result, BUSY_PATH), "vegetables")


def test_503_retry_waits_for_retry_after(http_crawl):
    _, busy = http_crawl
    first, second = busy.hit_times(BUSY_PATH)[:2]
    assert second - first >= RETRY_AFTER_SECONDS * 0.9


def test_redirect_loop_is_counted(http_crawl):
    result, _ = http_crawl
    other_errors = {
        reason: n for reason, n in stats_under(result, "news/errors/").items()
        if reason not in {f"http_{status}" for status in ERROR_STATUS_CASES.values()}
    }
    assert sum(other_errors.values()) == len(LOOP_PATHS)


def test_redirect_loop_ends_without_an_item(http_crawl, bad_site):
    result, _ = http_crawl
    for path in (*LOOP_PATHS, "/http/loop-b.html"):
        assert record_at(result, path) is None
        # Followed a bounded number of times (REDIRECT_MAX_TIMES), not forever.
        assert 1 <= bad_site.hits.get(path, 0) <= project_settings.REDIRECT_MAX_TIMES + 1


# --- scope: link schemes, other hosts, off-site redirects ---------------------------------

ARTICLE_PATH = "/news/2025/06/03/city-council-approves-bus-plan"
MOVED_AWAY_PATH = "/news/2025/06/03/story-moved-to-another-site"
MOVED_TO_FILE_PATH = "/news/2025/06/03/story-moved-to-a-local-file"
LISTING_PATH = "/section/world"


def listing_page(other_port: int, secret_file: Path) -> str:
    """A section page whose links are every kind a crawler must not follow, plus one article."""
    other = f"localhost:{other_port}"
    hrefs = [
        "javascript:void(0)",
        "JavaScript:window.location='/news/2025/06/03/javascript-target-article-page'",
        " javascript:alert('news-2025-06-03-article')",
        "java\tscript:alert(1)",
        "mailto:desk@example.com?subject=news-2025-06-03-story",
        "tel:+9611234567",
        f"file://{secret_file}",
        "file:///etc/passwd",
        "data:text/html;base64,PGh0bWw+PC9odG1sPg==",
        f"http://{other}/news/2025/06/03/other-site-article-page",
        f"//{other}/news/2025/06/03/protocol-relative-article-page",
        f"http://{other}/section/politics",
        f"https://{other}/news/2025/06/03/other-site-secure-article",
        ARTICLE_PATH,
        MOVED_AWAY_PATH,
        MOVED_TO_FILE_PATH,
    ]
    links = "\n".join(f'<li><a href="{href}">رابط رقم {n}</a></li>' for n, href in enumerate(hrefs))
    return (
        '<!DOCTYPE html>\n<html lang="ar"><head><meta charset="utf-8"><title>أخبار العالم</title>\n'
        '<meta property="og:type" content="website"></head>\n'
        f"<body><h1>أخبار العالم</h1><ul>\n{links}\n</ul></body></html>\n"
    )


@pytest.fixture(scope="module")
def scope_crawl(tmp_path_factory):
    """A listing on 127.0.0.1 linking to (and redirecting to) a second server reached as localhost."""
    work = tmp_path_factory.mktemp("scope")
    secret = work / "secret-article.html"
    secret.write_text(fixture_site.article_page(STORIES["gold"], '<meta charset="utf-8">\n'), encoding="utf-8")
    with serve_script() as site, serve_script(fallback=lambda path: article_reply("heat")) as other:
        site.script[LISTING_PATH] = [html_reply(listing_page(other.port, secret))]
        site.script[ARTICLE_PATH] = [article_reply("buses")]
        site.script[MOVED_AWAY_PATH] = [redirect_reply(other.url("/news/2025/06/03/moved-here", host="localhost"))]
        site.script[MOVED_TO_FILE_PATH] = [redirect_reply(secret.as_uri(), status=302)]
        result = run_crawl(work / "out", url=site.url(LISTING_PATH))
        yield result, site, other


def test_scope_crawl_finishes_cleanly(scope_crawl):
    result, _, _ = scope_crawl
    assert_finished_cleanly(result)


def test_listing_follows_only_its_same_site_http_links(scope_crawl):
    result, site, _ = scope_crawl
    fetched = set(site.hits) - {"/robots.txt"}
    assert fetched == {LISTING_PATH, ARTICLE_PATH, MOVED_AWAY_PATH, MOVED_TO_FILE_PATH}
    assert_is_story(record_at(result, ARTICLE_PATH), "buses")
    assert [record["url"] for record in result.records()] == [site.url(ARTICLE_PATH)]


def test_links_and_redirects_to_another_host_are_never_requested(scope_crawl):
    _, _, other = scope_crawl
    assert other.hits == {}


def test_non_http_links_and_redirects_are_never_downloaded(scope_crawl):
    result, site, _ = scope_crawl
    # robots.txt, the listing and its three same-site links: nothing with another scheme.
    assert result.stat("downloader/request_count") == sum(site.hits.values())
    assert result.stat("news/pages_fetched") == 1
    assert result.stat("news/errors/NotSupported") == 0


def test_off_site_redirect_is_counted(scope_crawl):
    result, site, _ = scope_crawl
    assert failure_reason(result, site.url(MOVED_AWAY_PATH)) is not None or result.stat("offsite/filtered") >= 1
    assert failure_reason(result, site.url(MOVED_TO_FILE_PATH)) is not None


# --- a server that accepts and never answers ------------------------------------------------


@pytest.fixture(scope="module")
def timeout_crawl(tmp_path_factory):
    with serve_silence() as silent:
        result = run_crawl(
            tmp_path_factory.mktemp("timeout"),
            settings={"DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 0},
            url=silent.url("/news/2025/06/04/a-story-that-never-comes"),
        )
        yield result, silent


def test_silent_server_is_a_counted_timeout(timeout_crawl):
    result, silent = timeout_crawl
    assert result.stats.get("finish_reason") == "finished"
    # The crawl's own time, not the child interpreter's start-up, which a busy machine
    # can stretch past any bound: a 2 s download timeout, not a wait for the server.
    assert result.stats["elapsed_time_seconds"] < FAST_CRAWL_SECONDS
    assert len(silent.connections) >= 1
    timeouts = {reason: n for reason, n in stats_under(result, "news/errors/").items() if "timeout" in reason.lower()}
    assert sum(timeouts.values()) == 1
    assert result.records() == []


def test_timeout_crawl_finishes_cleanly(timeout_crawl):
    result, _ = timeout_crawl
    assert_finished_cleanly(result)


# --- config: a broken sources file ------------------------------------------------------------

# name -> (sources.toml text, -a source=..., the source and the field the error must name)
CONFIG_CASES = {
    "unknown_key": (
        '[[source]]\nname = "typo_site"\ndomains = ["example.com"]\n'
        'sitemaps = ["https://example.com/sitemap.xml"]\nsitemap_url = "https://example.com/news.xml"\n',
        "typo_site", "typo_site", "sitemap_url",
    ),
    "missing_field": (
        '[[source]]\nname = "no_domains"\nsitemaps = ["https://example.com/sitemap.xml"]\n',
        "no_domains", "no_domains", "domains",
    ),
    "bad_url": (
        '[[source]]\nname = "bad_url"\ndomains = ["example.com"]\nsitemaps = ["https//example.com/sitemap.xml"]\n',
        "bad_url", "bad_url", "sitemaps",
    ),
    "path_traversal_name": (
        '[[source]]\nname = "../../escape"\ndomains = ["example.com"]\n'
        'sitemaps = ["https://example.com/sitemap.xml"]\n',
        "../../escape", "../../escape", "name",
    ),
}


@dataclass(frozen=True)
class CommandRun:
    case: str
    completed: subprocess.CompletedProcess
    work: Path
    sources_file: Path
    output_dir: Path


@pytest.fixture(scope="module", params=sorted(CONFIG_CASES))
def rejected_config(request, tmp_path_factory):
    """``scrapy crawl news -a sources_file=... -a source=...`` on a broken registry, run once per case."""
    text, selection, _, _ = CONFIG_CASES[request.param]
    work = tmp_path_factory.mktemp(f"config-{request.param}")
    sources_file = work / "sources.toml"
    sources_file.write_text(text, encoding="utf-8")
    # Deep enough that "../../escape" below data/ would still land inside ``work``.
    output_dir = work / "run" / "out"
    completed = subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", "news",
            "-a", f"sources_file={sources_file}", "-a", f"source={selection}",
            "-s", f"OUTPUT_DIR={output_dir}",
        ],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120,
    )
    return CommandRun(request.param, completed, work, sources_file, output_dir)


def test_broken_registry_stops_the_command(rejected_config):
    assert rejected_config.completed.returncode != 0


def test_broken_registry_error_names_the_source_and_the_field(rejected_config):
    _, _, source, field = CONFIG_CASES[rejected_config.case]
    stderr = rejected_config.completed.stderr
    assert re.search(r"source '?" + re.escape(source) + r"'?: field '" + re.escape(field) + "'", stderr), stderr[-2000:]


def test_broken_registry_writes_nothing(rejected_config):
    written = [path for path in rejected_config.work.rglob("*") if path != rejected_config.sources_file]
    assert written == []


def test_broken_registry_error_has_no_python_traceback(rejected_config):
    assert "Traceback" not in rejected_config.completed.stderr


# --- output paths: hostile URLs and names stay inside OUTPUT_DIR ------------------------------

# Tricks in the user-info (first URL: it names the ad-hoc source) and in the path;
# each URL serves a story of its own.
USERINFO_SLUG = "userinfo-trick"
TRICK_STORIES = {USERINFO_SLUG: "admissions", "dot-segments": "football", "encoded-dots": "old_markets"}


def trick_urls(port: int) -> list[str]:
    return [
        f"http://..%2F..%2F..%2Fescape:..%2F..@127.0.0.1:{port}/news/2025/06/05/{USERINFO_SLUG}",
        f"http://127.0.0.1:{port}/../../../escape/news/2025/06/05/dot-segments",
        f"http://127.0.0.1:{port}/%2e%2e/%2E%2E/escape%2F..%2F..%2Fnews/2025/06/05/encoded-dots",
    ]


def story_for_trick_path(path: str) -> Reply:
    slug = path.rstrip("/").rsplit("/", 1)[-1]
    return article_reply(TRICK_STORIES[slug]) if slug in TRICK_STORIES else Reply(404)


@pytest.fixture(scope="module")
def trick_crawl(tmp_path_factory):
    work = tmp_path_factory.mktemp("paths")
    with serve_script(fallback=story_for_trick_path) as site:
        urls = trick_urls(site.port)
        result = run_crawl(work / "run" / "out", url=",".join(urls))
        yield result, work, urls


def records_ending_with(result: CrawlResult, slug: str) -> list[dict]:
    return [record for record in result.records() if record["url"].endswith("/" + slug)]


def test_hostile_url_crawl_writes_only_inside_output_dir(trick_crawl):
    result, work, _ = trick_crawl
    assert_finished_cleanly(result)
    output_dir = result.output_dir
    outside = [p for p in work.rglob("*") if not p.is_relative_to(output_dir) and p not in output_dir.parents]
    assert outside == []
    source_dirs = list((output_dir / "data").iterdir())
    assert len(source_dirs) == 1 and source_dirs[0].is_dir()
    assert re.fullmatch(r"127\.0\.0\.1-\d+", source_dirs[0].name)
    assert list(source_dirs[0].glob("*.jsonl"))


@pytest.mark.parametrize("slug", sorted(set(TRICK_STORIES) - {USERINFO_SLUG}))
def test_dot_segment_url_still_becomes_its_story(trick_crawl, slug):
    result, _, _ = trick_crawl
    found = records_ending_with(result, slug)
    assert len(found) == 1
    assert found[0]["title"] == STORIES[TRICK_STORIES[slug]].title


def test_userinfo_url_is_an_item_or_a_counted_error(trick_crawl):
    """Scrapy's HTTP handler refuses any URL with user-info ("invalid hostname"); that must be counted."""
    result, _, urls = trick_crawl
    reason = failure_reason(result, urls[0])
    if reason is None:
        assert len(records_ending_with(result, USERINFO_SLUG)) == 1
    else:
        assert result.stat(f"news/errors/{reason}") == 1
        assert records_ending_with(result, USERINFO_SLUG) == []
