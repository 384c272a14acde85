"""End-to-end crawls of the bundled sample site: spider, every pipeline, JSONL on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from crawler.local_site import SAMPLE_SITE
from tests.conftest import REPO
from tests.crawling import run_crawl

EXPECTED = json.loads((SAMPLE_SITE / "_expected.json").read_text(encoding="utf-8"))
ARTICLES = {path: info for path, info in EXPECTED.items() if info["kind"] == "article"}
WIDGETS = [line.strip() for line in (SAMPLE_SITE / "_widgets.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
SCHEMA = json.loads((REPO / "crawler" / "article.schema.json").read_text(encoding="utf-8"))


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sitemap_crawl(sample_site, tmp_path_factory):
    return run_crawl(tmp_path_factory.mktemp("sitemap-crawl"), sitemap=sample_site.url("/sitemap.xml"))


def test_sitemap_crawl_writes_one_item_per_article_page(sitemap_crawl):
    records = sitemap_crawl.records()
    assert sorted(path_of(r["url"]) for r in records) == sorted(ARTICLES)


def test_listing_and_non_arabic_pages_are_dropped_with_stats(sitemap_crawl):
    listings = [p for p, info in EXPECTED.items() if info["kind"] == "listing" and p != "/"]
    non_arabic = [p for p, info in EXPECTED.items() if info["kind"] == "non_arabic"]
    stats = sitemap_crawl.stats
    assert stats.get("news/dropped/not_arabic") == len(non_arabic)
    sitemap_listings = [p for p in listings if f"{{{{BASE_URL}}}}{p}" in (SAMPLE_SITE / "sitemap.xml").read_text()]
    home_in_sitemap = "<loc>{{BASE_URL}}/</loc>" in (SAMPLE_SITE / "sitemap.xml").read_text()
    # Counted under the true reason: a section or home page is a listing, not a page without a body.
    assert stats.get("news/dropped/listing_page", 0) == len(sitemap_listings) + int(home_in_sitemap)
    assert stats.get("news/dropped/no_article_body", 0) == 0
    assert stats.get("news/items_written") == len(ARTICLES)


@pytest.mark.parametrize("path", sorted(ARTICLES))
def test_article_fields_match_the_page(sitemap_crawl, path):
    record = next(r for r in sitemap_crawl.records() if path_of(r["url"]) == path)
    info = ARTICLES[path]
    assert record["title"] == info["title"]
    assert record["published_date"] == info["published"]
    # Pages without a machine date show a local time only: the sitemap's offset places it.
    assert record["published_at"] == info["published_at"]
    assert record["published_time"] == info["published_at"][11:19]
    assert record["authors"] == info["authors"]
    assert record["section"] == info["section"]
    text = collapse(record["text"])
    assert text.startswith(collapse(info["first_words"]))
    assert text.endswith(collapse(info["last_words"]))
    for widget in info["must_not_contain"]:
        assert collapse(widget) not in text, widget
    assert record["language"] == "ar"
    assert record["word_count"] > 40


def widget_leaks(text: str, widgets: list[str]) -> list[str]:
    """Widget lines found in a text: short ones ("جديد") as a whole paragraph, longer ones anywhere."""
    paragraphs = {collapse(p) for p in text.split("\n\n")}
    flat = collapse(text)
    return [w for w in widgets if (collapse(w) in paragraphs if len(w.split()) <= 2 else collapse(w) in flat)]


def test_no_seed_widget_line_in_any_text(sitemap_crawl):
    leaked = {r["url"]: widget_leaks(r["text"], WIDGETS) for r in sitemap_crawl.records()}
    assert {url: found for url, found in leaked.items() if found} == {}


def test_records_validate_against_the_json_schema(sitemap_crawl):
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for record in sitemap_crawl.records():
        errors = [error.message for error in validator.iter_errors(record)]
        assert errors == [], record["url"]


def test_jsonl_is_real_utf8_arabic_and_complete(sitemap_crawl):
    files = list((sitemap_crawl.output_dir / "data").rglob("*"))
    assert not [f for f in files if f.name.endswith(".part")]
    data_files = [f for f in files if f.suffix == ".jsonl"]
    assert data_files
    for path in data_files:
        raw = path.read_bytes()
        assert b"\\u06" not in raw  # no escaped Arabic
        assert "ال".encode("utf-8") in raw
        assert raw.endswith(b"\n")


def test_windows_1256_article_decodes_to_arabic(sitemap_crawl):
    headers = json.loads((SAMPLE_SITE / "_headers.json").read_text(encoding="utf-8"))
    cp1256_paths = [p for p, h in headers.items() if "1256" in str(h.get("Content-Type", ""))]
    assert cp1256_paths
    for relative in cp1256_paths:
        path = "/" + relative.lstrip("/")
        record = next(r for r in sitemap_crawl.records() if path_of(r["url"]) == path)
        assert record["title"] == ARTICLES[path]["title"]
        assert collapse(record["text"]).startswith(collapse(ARTICLES[path]["first_words"]))


def test_run_log_is_written_inside_output_dir(sitemap_crawl):
    logs = list((sitemap_crawl.output_dir / "logs").glob("*.log"))
    assert len(logs) == 1
    assert "Spider closed (finished)" in logs[0].read_text(encoding="utf-8")


def test_feed_crawl_finds_the_feed_articles(sample_site, tmp_path):
    result = run_crawl(tmp_path, feed=sample_site.url("/feed.xml"))
    feed = (SAMPLE_SITE / "feed.xml").read_text(encoding="utf-8")
    in_feed = {p for p in ARTICLES if p in feed}
    assert in_feed
    assert {path_of(r["url"]) for r in result.records()} == in_feed


def test_atom_feed_crawl(sample_site, tmp_path):
    result = run_crawl(tmp_path, feed=sample_site.url("/atom.xml"))
    atom = (SAMPLE_SITE / "atom.xml").read_text(encoding="utf-8")
    assert {path_of(r["url"]) for r in result.records()} == {p for p in ARTICLES if p in atom}


def test_url_of_a_section_page_follows_its_article_links(sample_site, tmp_path):
    result = run_crawl(tmp_path, url=sample_site.url("/section/politics.html"))
    section = (SAMPLE_SITE / "section" / "politics.html").read_text(encoding="utf-8")
    linked = {p for p in ARTICLES if p in section}
    assert linked
    assert linked <= {path_of(r["url"]) for r in result.records()}
    assert not [r for r in result.records() if "/section/" in r["url"]]


def test_url_of_an_article_page_extracts_it(sample_site, tmp_path):
    path = next(p for p, info in sorted(ARTICLES.items()) if not info["date_in_metadata"])
    result = run_crawl(tmp_path, url=sample_site.url(path))
    [record] = result.records()
    assert path_of(record["url"]) == path
    # The page shows a local time without an offset, and an ad-hoc crawl knows no sitemap
    # entry and no time zone for it: the time stays local and the instant unknown.
    assert record["published_time"] == ARTICLES[path]["published_at"][11:19]
    assert record["published_at"] is None


def test_registry_source_with_patterns(sample_site, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f"""
[[source]]
name = "sample"
outlet = "صدى الأخبار"
domains = ["127.0.0.1"]
sitemaps = ["{sample_site.url('/sitemap.xml')}"]
article_patterns = ['/news/\\d{{4}}/\\d{{2}}/\\d{{2}}/']
""",
        encoding="utf-8",
    )
    result = run_crawl(tmp_path / "out", source="sample", sources_file=str(sources), since="2020-01-01")
    records = result.records()
    assert sorted(path_of(r["url"]) for r in records) == sorted(ARTICLES)
    assert {r["source"] for r in records} == {"sample"}
    assert (tmp_path / "out" / "data" / "sample").is_dir()
    # Listing pages never match the article pattern, so they are not even fetched.
    assert result.stat("news/dropped/listing_page") == 0


def test_registry_time_zone_places_a_page_time_when_no_sitemap_gives_an_offset(sample_site, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f"""
[[source]]
name = "sample"
domains = ["127.0.0.1"]
sections = ["{sample_site.url('/section/politics.html')}", "{sample_site.url('/section/economy.html')}"]
article_patterns = ['/news/\\d{{4}}/\\d{{2}}/\\d{{2}}/']
timezone = "Asia/Beirut"
""",
        encoding="utf-8",
    )
    result = run_crawl(tmp_path / "out", source="sample", sources_file=str(sources), since="2020-01-01")
    records = {path_of(r["url"]): r for r in result.records()}
    undated = [p for p in records if not ARTICLES[p]["date_in_metadata"]]
    assert undated
    for path in undated:
        # Beirut is UTC+2 in January and UTC+3 in April: the zone, not a fixed offset.
        local = ARTICLES[path]["published_at"][:19]
        expected = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Asia/Beirut")).isoformat()
        assert records[path]["published_at"] == expected
    for path in set(records) - set(undated):
        assert records[path]["published_at"] == ARTICLES[path]["published_at"]  # the page's own offset wins


def test_since_skips_older_sitemap_entries(sample_site, tmp_path):
    result = run_crawl(tmp_path, sitemap=sample_site.url("/sitemap.xml"), since="2025-03-01")
    assert result.stat("news/discovery/skipped_too_old") > 0
    assert all((r["published_date"] or "9999") >= "2025-02-28" for r in result.records())


def test_scrapy_crawl_command_writes_jsonl(sample_site, tmp_path):
    """The real command line, as a user or cron runs it."""
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    completed = subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", "news",
            "-a", f"sitemap={sample_site.url('/sitemap.xml')}",
            "-s", f"OUTPUT_DIR={out}",
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        ],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    records = [json.loads(line) for path in (out / "data").rglob("*.jsonl") for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(path_of(r["url"]) for r in records) == sorted(ARTICLES)
    # The details are in the run log; the console has the summary.
    (run_log,) = (out / "logs").glob("*.log")
    assert "'finish_reason': 'finished'" in run_log.read_text(encoding="utf-8")
    assert f"crawl finished: {len(ARTICLES)} articles written" in completed.stderr


@pytest.mark.shared
def test_crawl_of_a_local_copy_of_real_pages(tmp_path):
    """The shared real pages behind a sitemap: one item per article, none for the home page."""
    from crawler.local_site import serve_directory
    from tests.conftest import SHARED

    eval_dir = SHARED / "eval" / "arabic-news"
    site = tmp_path / "site"
    (site / "pages").mkdir(parents=True)
    pages = sorted(eval_dir.glob("*.html")) + sorted((eval_dir / "negatives").glob("*.html"))
    for page in pages:
        (site / "pages" / page.name).write_bytes(page.read_bytes())
    locs = "".join(f"<url><loc>{{{{BASE_URL}}}}/pages/{page.name}</loc></url>" for page in pages)
    (site / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>',
        encoding="utf-8",
    )
    with serve_directory(site) as server:
        result = run_crawl(tmp_path / "out", sitemap=server.url("/sitemap.xml"))
    articles = sorted(page.name for page in eval_dir.glob("*.html"))
    assert sorted(r["url"].rsplit("/", 1)[1] for r in result.records()) == articles
    # Every real home page is counted as a listing: not as "not Arabic", not as an empty page.
    assert result.stat("news/dropped/listing_page") == len(pages) - len(articles)
