"""Tests for crawler.local_site and the bundled sample news site it serves."""

from __future__ import annotations

import http.client
import importlib.util
import json
import re
import sys
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import lxml.html
import pytest

from crawler.local_site import SAMPLE_SITE, serve_directory

ARTICLE_URL = re.compile(r"/news/\d{4}/\d{2}/\d{2}/")
SITE_SUFFIX = " | صدى الأخبار"
PLACEHOLDER = "{{BASE_URL}}"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM_NS = {"atom": "http://www.w3.org/2005/Atom"}
EXPECTED = json.loads((SAMPLE_SITE / "_expected.json").read_text(encoding="utf-8"))
HEADER_OVERRIDES = json.loads((SAMPLE_SITE / "_headers.json").read_text(encoding="utf-8"))
SEED_WIDGETS = (SAMPLE_SITE / "_widgets.txt").read_text(encoding="utf-8").splitlines()
STORY_PAGES = {path: entry for path, entry in EXPECTED.items() if entry["kind"] != "listing"}
LISTING_PAGES = {path: entry for path, entry in EXPECTED.items() if entry["kind"] == "listing"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, method: str = "GET") -> tuple[int, http.client.HTTPMessage, bytes]:
    """Status, headers and body of one request, without following redirects or raising on 4xx."""
    request = urllib.request.Request(url, method=method)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def fetch_raw_target(base_url: str, target: str) -> tuple[int, bytes]:
    """Send ``target`` verbatim as the request line's path (urllib might normalize it)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest("GET", target, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def collapse(text: str) -> str:
    return " ".join(text.split())


def visible_text(page: str) -> str:
    tree = lxml.html.fromstring(page)
    for element in tree.xpath("//script | //style"):
        element.drop_tree()
    return collapse(tree.text_content())


def page_charset(entry: dict) -> str:
    return entry.get("encoding", "utf-8")


@pytest.fixture(scope="module")
def sample_site():
    with serve_directory(SAMPLE_SITE) as site:
        yield site


@pytest.fixture(scope="module")
def sample_pages(sample_site) -> dict[str, str]:
    """Every page of _expected.json, fetched once and decoded with its declared charset."""
    pages = {}
    for path, entry in EXPECTED.items():
        status, _headers, body = fetch(sample_site.url(path))
        assert status == 200, path
        pages[path] = body.decode(page_charset(entry))
    return pages


@pytest.fixture
def site_dir(tmp_path):
    root = tmp_path / "site"
    (root / "dir").mkdir(parents=True)
    (root / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    (root / "dir" / "index.html").write_text("<h1>dir index</h1>", encoding="utf-8")
    (root / "page.html").write_text('<link rel="canonical" href="{{BASE_URL}}/page.html">', encoding="utf-8")
    (root / "data.bin").write_bytes(b"\x00{{BASE_URL}}\xff")
    (root / "style.css").write_text("a { background: url({{BASE_URL}}/x.png) }", encoding="utf-8")
    (root / "gone.html").write_text("<p>removed</p>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    for name in ("a.xml", "a.rss", "a.gz", "a.txt", "a.atom", "a.json"):
        (root / name).write_bytes(b"{{BASE_URL}}")
    return root


# --- The server -----------------------------------------------------------------------------


def test_base_url_is_loopback_with_a_real_port(site_dir):
    with serve_directory(site_dir) as site:
        parts = urlsplit(site.base_url)
        assert (parts.scheme, parts.hostname, parts.path) == ("http", "127.0.0.1", "")
        assert parts.port and parts.port > 0
        assert site.url("/page.html") == site.base_url + "/page.html"
        assert site.url("page.html") == site.base_url + "/page.html"


def test_placeholder_replaced_in_text_formats_only(site_dir):
    with serve_directory(site_dir) as site:
        _status, _headers, html_body = fetch(site.url("/page.html"))
        _status, _headers, binary = fetch(site.url("/data.bin"))
        _status, _headers, css = fetch(site.url("/style.css"))
        other_text_formats = {name: fetch(site.url(name))[2] for name in ("a.xml", "a.rss", "a.txt", "a.atom", "a.json")}
        _status, _headers, gzip_body = fetch(site.url("/a.gz"))
    assert html_body.decode() == f'<link rel="canonical" href="{site.base_url}/page.html">'
    assert all(body.decode() == site.base_url for body in other_text_formats.values())
    assert binary == b"\x00{{BASE_URL}}\xff"
    assert gzip_body == b"{{BASE_URL}}"
    assert b"{{BASE_URL}}" in css


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("page.html", "text/html; charset=utf-8"),
        ("a.xml", "application/xml"),
        ("a.rss", "application/rss+xml"),
        ("a.gz", "application/x-gzip"),
        ("a.txt", "text/plain; charset=utf-8"),
    ],
)
def test_content_type_by_extension(site_dir, name, content_type):
    with serve_directory(site_dir) as site:
        status, headers, body = fetch(site.url(name))
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert headers["Content-Length"] == str(len(body))


def test_headers_file_overrides_removes_and_sets_status(site_dir):
    (site_dir / "_headers.json").write_text(
        json.dumps(
            {
                "page.html": {"Content-Type": "text/html; charset=windows-1256", "X-Robots-Tag": "noarchive"},
                "/a.txt": {"Content-Type": None},
                "gone.html": {"_status": 410},
                "old.html": {"_status": 301, "Location": "{{BASE_URL}}/page.html"},
                "dir/index.html": {"X-Section": "dir"},
            }
        ),
        encoding="utf-8",
    )
    with serve_directory(site_dir) as site:
        _status, page_headers, _body = fetch(site.url("/page.html"))
        _status, txt_headers, _body = fetch(site.url("/a.txt"))
        gone_status, _headers, gone_body = fetch(site.url("/gone.html"))
        moved_status, moved_headers, _body = fetch(site.url("/old.html"))
        _status, dir_headers, _body = fetch(site.url("/dir/"))
        hidden_status, _headers, _body = fetch(site.url("/_headers.json"))
    assert page_headers["Content-Type"] == "text/html; charset=windows-1256"
    assert page_headers["X-Robots-Tag"] == "noarchive"
    assert "Content-Type" not in txt_headers
    assert (gone_status, gone_body) == (410, b"<p>removed</p>")
    assert moved_status == 301
    assert moved_headers["Location"] == site.base_url + "/page.html"
    assert dir_headers["X-Section"] == "dir"
    assert hidden_status == 404


def test_headers_file_is_read_again_when_it_changes(site_dir):
    headers_file = site_dir / "_headers.json"
    with serve_directory(site_dir) as site:
        before, _headers, _body = fetch(site.url("/page.html"))
        headers_file.write_text(json.dumps({"page.html": {"_status": 403}}), encoding="utf-8")
        blocked, _headers, _body = fetch(site.url("/page.html"))
        headers_file.write_text(json.dumps({"page.html": {"_status": 429, "Retry-After": "5"}}), encoding="utf-8")
        limited, limited_headers, _body = fetch(site.url("/page.html"))
        headers_file.unlink()
        after, _headers, _body = fetch(site.url("/page.html"))
    assert (before, blocked, limited, after) == (200, 403, 429, 200)
    assert limited_headers["Retry-After"] == "5"


def test_missing_file_is_404_with_small_html_body(site_dir):
    with serve_directory(site_dir) as site:
        status, headers, body = fetch(site.url("/no/such/page.html"))
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert b"Not Found" in body and len(body) < 1024


@pytest.mark.parametrize(
    "target",
    ["/../secret.txt", "/dir/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/dir/%2E%2E/%2E%2E/secret.txt", "/..\\secret.txt"],
)
def test_path_traversal_is_refused(site_dir, target):
    with serve_directory(site_dir) as site:
        status, body = fetch_raw_target(site.base_url, target)
    assert status == 404
    assert b"TOP SECRET" not in body


def test_symlink_leaving_the_root_is_refused(site_dir):
    (site_dir / "link.txt").symlink_to(site_dir.parent / "secret.txt")
    with serve_directory(site_dir) as site:
        status, _headers, body = fetch(site.url("/link.txt"))
    assert status == 404
    assert b"TOP SECRET" not in body


def test_directories_serve_their_index(site_dir):
    with serve_directory(site_dir) as site:
        root_status, _headers, root_body = fetch(site.url("/"))
        dir_status, _headers, dir_body = fetch(site.url("/dir/"))
        bare_status, bare_headers, _body = fetch(site.url("/dir"))
    assert (root_status, root_body) == (200, b"<h1>home</h1>")
    assert (dir_status, dir_body) == (200, b"<h1>dir index</h1>")
    assert bare_status == 301
    assert bare_headers["Location"] == site.base_url + "/dir/"


def test_head_sends_the_get_headers_without_a_body(site_dir):
    with serve_directory(site_dir) as site:
        _status, get_headers, get_body = fetch(site.url("/page.html"))
        head_status, head_headers, head_body = fetch(site.url("/page.html"), method="HEAD")
    assert head_status == 200
    assert head_body == b""
    assert head_headers["Content-Length"] == str(len(get_body))
    assert head_headers["Content-Type"] == get_headers["Content-Type"]


def test_hits_count_every_request_per_path(site_dir):
    with serve_directory(site_dir) as site:
        fetch(site.url("/page.html"))
        fetch(site.url("/page.html?utm_source=feed"))
        fetch(site.url("/page.html"), method="HEAD")
        fetch(site.url("/missing.html"))
        snapshot = site.hits
        fetch(site.url("/"))
        after = site.hits
        site.reset_hits()
        reset = site.hits
    assert snapshot == {"/page.html": 3, "/missing.html": 1}
    assert after["/"] == 1 and "/" not in snapshot
    assert reset == {}


def test_hits_are_exact_under_concurrent_requests(site_dir):
    requests = 40
    with serve_directory(site_dir) as site:
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda _: fetch(site.url("/page.html"))[0], range(requests)))
        hits = site.hits
    assert statuses == [200] * requests
    assert hits == {"/page.html": requests}


def test_requests_are_not_logged_to_stderr(site_dir, capfd):
    with serve_directory(site_dir) as site:
        fetch(site.url("/page.html"))
        fetch(site.url("/missing.html"))
    assert capfd.readouterr().err == ""


def test_server_stops_when_the_block_ends(site_dir):
    threads_before = set(threading.enumerate())
    with serve_directory(site_dir) as site:
        assert fetch(site.url("/page.html"))[0] == 200
        server_threads = set(threading.enumerate()) - threads_before
        assert any(thread.name.startswith("fixture-http-") for thread in server_threads)
    assert not any(thread.is_alive() for thread in server_threads if thread.name.startswith("fixture-http-"))
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(site.url("/page.html"), timeout=2)


def test_server_stops_when_the_block_raises(site_dir):
    with pytest.raises(RuntimeError, match="boom"):
        with serve_directory(site_dir) as site:
            raise RuntimeError("boom")
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(site.url("/page.html"), timeout=2)


def test_root_must_be_a_directory(tmp_path):
    with pytest.raises(NotADirectoryError):
        with serve_directory(tmp_path / "nope"):
            pass


def test_invalid_headers_file_is_rejected(site_dir):
    (site_dir / "_headers.json").write_text('{"page.html": "text/html"}', encoding="utf-8")
    with pytest.raises(ValueError, match="_headers.json"):
        with serve_directory(site_dir):
            pass


# --- The sample site --------------------------------------------------------------------------


def test_sample_site_is_exactly_what_its_build_script_writes(tmp_path, monkeypatch):
    # Pages and truth files are generated together; a hand edit to one of them
    # would let _expected.json drift from the pages it describes.
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    spec = importlib.util.spec_from_file_location("sample_site_build", SAMPLE_SITE / "_build_site.py")
    build_script = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, build_script)  # dataclasses look their module up there
    spec.loader.exec_module(build_script)
    build_script.build(tmp_path)

    def files(root):
        return {
            path.relative_to(root).as_posix()
            for path in root.rglob("*")
            if path.is_file() and path.name != "_build_site.py" and "__pycache__" not in path.parts
        }

    assert files(tmp_path) == files(SAMPLE_SITE)
    changed = [name for name in files(tmp_path) if (tmp_path / name).read_bytes() != (SAMPLE_SITE / name).read_bytes()]
    assert changed == []


def test_sample_site_serves_no_placeholder_in_any_text_file(sample_site):
    text_files = [
        path
        for path in SAMPLE_SITE.rglob("*")
        if path.is_file()
        and path.suffix in {".html", ".xml", ".txt", ".rss", ".atom"}
        and not any(part.startswith("_") for part in path.relative_to(SAMPLE_SITE).parts)
    ]
    assert len(text_files) >= len(EXPECTED) + 4  # pages + robots, sitemap, RSS, Atom
    for path in text_files:
        status, _headers, body = fetch(sample_site.url(path.relative_to(SAMPLE_SITE).as_posix()))
        assert status == 200, path
        assert PLACEHOLDER.encode() not in body, path
        if PLACEHOLDER.encode() in path.read_bytes():
            assert sample_site.base_url.encode() in body, path


def test_robots_allows_all_and_points_to_the_sitemap(sample_site):
    _status, headers, body = fetch(sample_site.url("/robots.txt"))
    lines = body.decode().splitlines()
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "User-agent: *" in lines and "Allow: /" in lines
    assert not any(line.startswith("Disallow: /") and line.strip() != "Disallow:" for line in lines)
    assert f"Sitemap: {sample_site.base_url}/sitemap.xml" in lines


def test_windows_1256_page_is_served_byte_for_byte(sample_site):
    cp1256_pages = [path for path, entry in STORY_PAGES.items() if page_charset(entry) == "windows-1256"]
    assert len(cp1256_pages) == 1
    path = cp1256_pages[0]
    entry = EXPECTED[path]
    on_disk = (SAMPLE_SITE / path.lstrip("/")).read_bytes()
    _status, headers, body = fetch(sample_site.url(path))

    assert headers["Content-Type"] == "text/html; charset=windows-1256"
    assert HEADER_OVERRIDES[path.lstrip("/")]["Content-Type"] == headers["Content-Type"]
    assert body == on_disk.replace(PLACEHOLDER.encode(), sample_site.base_url.encode())
    assert b'<meta charset="windows-1256">' in body[:1024]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    decoded = body.decode("cp1256")
    assert f"<h1 class=\"article-title\">{entry['title']}</h1>" in decoded
    assert entry["first_words"] in decoded
    assert entry["last_words"] in decoded


def test_sitemap_lists_every_page_with_lastmod(sample_site):
    _status, headers, body = fetch(sample_site.url("/sitemap.xml"))
    assert headers["Content-Type"] == "application/xml"
    urls = ET.fromstring(body).findall("sm:url", SITEMAP_NS)
    locs = [url.findtext("sm:loc", namespaces=SITEMAP_NS) for url in urls]
    assert sorted(locs) == sorted(sample_site.url(path) for path in EXPECTED)
    for url in urls:
        lastmod = url.findtext("sm:lastmod", namespaces=SITEMAP_NS)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", lastmod)
    lastmods = {url.findtext("sm:loc", namespaces=SITEMAP_NS): url.findtext("sm:lastmod", namespaces=SITEMAP_NS) for url in urls}
    for path, entry in STORY_PAGES.items():
        assert lastmods[sample_site.url(path)].startswith(entry["published"]), path


def test_rss_feed_has_every_arabic_article_with_its_pub_date(sample_site):
    _status, headers, body = fetch(sample_site.url("/feed.xml"))
    assert headers["Content-Type"] == "application/xml"
    items = ET.fromstring(body).findall("channel/item")
    dates = {item.findtext("link"): parsedate_to_datetime(item.findtext("pubDate")).date().isoformat() for item in items}
    arabic = {sample_site.url(path): entry["published"] for path, entry in STORY_PAGES.items() if entry["kind"] == "article"}
    assert dates == arabic


def test_atom_feed_lists_a_few_articles(sample_site):
    _status, _headers, body = fetch(sample_site.url("/atom.xml"))
    entries = ET.fromstring(body).findall("atom:entry", ATOM_NS)
    assert 2 <= len(entries) < len(STORY_PAGES)
    for entry in entries:
        link = entry.find("atom:link", ATOM_NS).get("href")
        path = urlsplit(link).path
        assert EXPECTED[path]["kind"] == "article"
        assert entry.findtext("atom:published", namespaces=ATOM_NS).startswith(EXPECTED[path]["published"])


def test_page_kinds_follow_the_article_url_pattern():
    assert {entry["kind"] for entry in EXPECTED.values()} == {"article", "listing", "non_arabic"}
    assert sum(entry["kind"] == "article" for entry in EXPECTED.values()) == 6
    assert {entry["language"] for entry in STORY_PAGES.values() if entry["kind"] == "non_arabic"} == {"en", "fa"}
    for path, entry in EXPECTED.items():
        assert bool(ARTICLE_URL.search(path)) == (entry["kind"] != "listing"), path
    for path, entry in STORY_PAGES.items():
        assert path.startswith("/" + entry["published"].replace("-", "/"), path.index("/news/") + 5), path


@pytest.mark.parametrize("path", sorted(STORY_PAGES))
def test_story_truth_matches_the_page(sample_pages, sample_site, path):
    entry = EXPECTED[path]
    page = sample_pages[path]
    tree = lxml.html.fromstring(page)
    text = visible_text(page)
    paragraphs = entry["text"].split("\n\n")

    assert tree.findtext(".//title") == entry["title"] + SITE_SUFFIX
    assert tree.xpath("string(//link[@rel='canonical']/@href)") == sample_site.url(path)
    assert tree.xpath("string(//meta[@property='og:url']/@content)") == sample_site.url(path)
    assert tree.get("lang") == entry["language"]
    assert len(paragraphs) == entry["paragraph_count"] >= 5
    assert all(collapse(paragraph) in text for paragraph in paragraphs)
    assert entry["text"].split()[:8] == entry["first_words"].split()
    assert entry["text"].split()[-8:] == entry["last_words"].split()
    assert entry["date_line"] in text
    for widget in entry["must_not_contain"]:
        assert collapse(widget) in text, widget
        assert widget not in entry["text"], widget
    for widget in entry["must_not_contain_lines"]:
        assert collapse(widget) in text, widget
        assert widget not in paragraphs, widget


def test_seed_pages_keep_the_seed_paragraphs_and_widgets():
    seeds = {path: entry for path, entry in STORY_PAGES.items() if entry["first_words"].startswith(("أجرى وفدان", "التقى الدبلوماسيون"))}
    assert len(seeds) == 2
    wordpress = next(entry for entry in seeds.values() if entry["template"] == "wordpress")
    assert "“العودة إلى التواصل المتحضر”" in wordpress["text"].split("\n\n")
    page = (SAMPLE_SITE / next(p for p, e in seeds.items() if e is wordpress).lstrip("/")).read_text(encoding="utf-8")
    assert "<h2>“استعادة العلاقات والحوار”</h2>" in page
    entry_content = lxml.html.fromstring(page).xpath("//div[@class='entry-content']")[0]
    promo = collapse(entry_content.xpath("string(.//section[@class='app-promo'])"))
    assert promo.startswith("جديد تطبيق Le Monde") and promo.endswith("تحميل")
    content_text = collapse(entry_content.text_content())
    assert content_text.index("[ad_1]") < content_text.index("تراجعت العلاقات") < content_text.index("جديد تطبيق")
    assert content_text.index("أعد استخدام هذا المحتوى") < content_text.index("[ad_2]") < content_text.index("المصدر")


def test_every_seed_widget_appears_on_a_page_and_never_as_a_story_line(sample_pages):
    assert len(SEED_WIDGETS) >= 14 and all(SEED_WIDGETS)
    all_text = {path: visible_text(page) for path, page in sample_pages.items()}
    story_lines = {line for entry in STORY_PAGES.values() for line in entry["text"].split("\n\n")}
    for widget in SEED_WIDGETS:
        assert any(widget in text for text in all_text.values()), widget
        assert widget not in story_lines, widget


def test_some_pages_date_only_in_the_visible_date_line(sample_pages):
    visible_only = {path: entry for path, entry in STORY_PAGES.items() if not entry["date_in_metadata"]}
    date_lines = " ".join(entry["date_line"] for entry in visible_only.values())
    assert "كانون الثاني" in date_lines and "أفريل" in date_lines
    assert re.search(r"[٠-٩]+ مارس [٠-٩]{4}م .* ص", date_lines)
    for path in visible_only:
        tree = lxml.html.fromstring(sample_pages[path])
        assert not tree.xpath("//meta[contains(@property, 'published_time')] | //time[@datetime]"), path
        assert "datePublished" not in sample_pages[path], path
    dated = [path for path, entry in STORY_PAGES.items() if entry["date_in_metadata"]]
    assert dated and all("article:published_time" in sample_pages[path] for path in dated)
    assert any('"@type": "NewsArticle"' in sample_pages[path] for path in dated)


def test_listing_pages_link_to_their_stories_and_carry_no_body(sample_pages):
    for path, entry in LISTING_PAGES.items():
        tree = lxml.html.fromstring(sample_pages[path])
        hrefs = set(tree.xpath("//main//a/@href"))
        assert set(entry["links"]) <= hrefs, path
        assert not tree.xpath("//*[@itemprop='articleBody'] | //article"), path
        for story_path in entry["links"]:
            assert EXPECTED[story_path]["text"].split("\n\n")[1] not in sample_pages[path]
    politics = lxml.html.fromstring(sample_pages["/section/politics.html"])
    assert politics.xpath("//a[@rel='next']/@href") == ["/section/politics-2.html"]


def test_every_same_site_link_resolves(sample_site, sample_pages):
    targets = set()
    for page in sample_pages.values():
        tree = lxml.html.fromstring(page)
        for url in tree.xpath("//a/@href | //link/@href | //img/@src | //script/@src"):
            if url.startswith("/") or url.startswith(sample_site.base_url):
                targets.add(urlsplit(url).path)
    assert len(targets) > len(EXPECTED)
    broken = [target for target in sorted(targets) if fetch(sample_site.url(target))[0] != 200]
    assert broken == []
