"""The archive in a real crawl, and a rebuild of the dataset from it.

Two cron-like runs of a changing local site (a syndicated copy, an exact copy, an updated
article) write WARC files; ``python -m crawler reextract`` then rebuilds the dataset from
them in a fresh OUTPUT_DIR, and every JSON line must come out byte for byte as the crawl
wrote it, in the same order. The comparison is over whole lines, so it holds whatever
fields the item schema has.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.reader import parse_warc_date, read_archive
from crawler.state import STATE_FILE_NAME
from tests.conftest import REPO
from crawler.local_site import serve_directory
from tests.test_incremental import STORIES, SYNDICATION_INTRO, ChangingSite, crawl, news_site, sources_file  # noqa: F401


def lines_by_source(output: Path) -> dict[str, list[bytes]]:
    """Every JSON line under OUTPUT_DIR/data, per source folder, in file and line order."""
    found: dict[str, list[bytes]] = {}
    for path in sorted((output / "data").rglob("*.jsonl")):
        found.setdefault(path.parent.name, []).extend(path.read_bytes().splitlines())
    return found


def reextract(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "reextract", *args, "-s", "LOG_LEVEL=WARNING"],
        cwd=REPO, capture_output=True, text=True, timeout=180,
    )


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two runs into one OUTPUT_DIR (made once for the module: the tests only read it)."""
    tmp_path = tmp_path_factory.mktemp("archive")
    root = tmp_path / "site"
    root.mkdir()
    site_files = ChangingSite(root)
    for number in range(8):
        site_files.add(number, ("sitemap", "news", "feed", "section")[number % 4])
    with serve_directory(root) as server:
        yield run_two_crawls(site_files, sources_file(tmp_path, server.base_url), tmp_path / "crawl")


def run_two_crawls(site_files, sources, output):
    site_files.add(50, "sitemap", text=SYNDICATION_INTRO + "\n\n" + STORIES[1] + "\n\n(أ ف ب)", lastmod="2025-03-02")
    site_files.add(60, "sitemap", text=STORIES[2], lastmod="2025-03-02")  # exact copy of article 2
    first = crawl(output, sources)
    site_files.change("/article/0.html", "وأضاف المتحدث أن اللجنة ستعقد اجتماعا جديدا الأسبوع المقبل لمتابعة التنفيذ.", "2025-03-05")
    site_files.add(8, "news")
    second = crawl(output, sources)
    return output, sources, first, second


def test_crawl_archives_every_article_and_reextract_rebuilds_it_byte_for_byte(two_runs, tmp_path):
    output, sources, first, second = two_runs
    crawled = lines_by_source(output)
    records = [json.loads(line) for lines in crawled.values() for line in lines]
    assert {r["version"] for r in records} == {1, 2}
    assert any(r["duplicate_of"] for r in records)
    assert first.stat("news/dropped/duplicate_exact") == 1
    assert first.stat("news/archive/articles") + second.stat("news/archive/articles") == len(records)

    rebuilt_dir = tmp_path / "rebuilt"
    result = reextract("--from", str(output / "warc"), "--to", str(rebuilt_dir), "--sources-file", str(sources))
    assert result.returncode == 0, result.stderr
    assert lines_by_source(rebuilt_dir) == crawled
    manifests = list((rebuilt_dir / "manifests").glob("*.json"))
    assert len(manifests) == 1
    assert json.loads(manifests[0].read_text(encoding="utf-8"))["totals"]["articles_emitted"] == len(records)


def test_every_recorded_article_points_at_its_response_record_in_a_committed_file(two_runs):
    output, *_ = two_runs
    connection = sqlite3.connect(output / STATE_FILE_NAME)
    rows = connection.execute("SELECT url, archive_file, archive_offset FROM articles").fetchall()
    connection.close()
    assert rows and all(file and offset is not None for _, file, offset in rows)
    for url, file, offset in rows:
        assert not file.endswith(".part") and (output / file).is_file()
        with open(output / file, "rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)))
        assert record.rec_type == "response"
        body = record.content_stream().read()
        assert b"<html" in body.lower()
        # The state's key is the canonical URL; the test site's pages declare themselves canonical.
        assert record.rec_headers.get_header("WARC-Target-URI") == url
    assert not list(output.rglob("*.part"))


def test_warcio_and_fastwarc_read_the_same_records_and_fetched_at_is_the_warc_date(two_runs):
    output, *_ = two_runs
    files = sorted((output / "warc").rglob("*.warc.gz"))
    assert files
    manifest_files = set()
    for path in sorted((output / "manifests").glob("*.json")):
        manifest_files.update(json.loads(path.read_text(encoding="utf-8"))["archive_files"])
    assert manifest_files == {str(path.relative_to(output)) for path in files}
    records = [json.loads(line) for lines in lines_by_source(output).values() for line in lines]
    for path in files:
        stats = {backend: Counter() for backend in ("fastwarc", "warcio")}
        pages = {backend: list(read_archive(path, stats[backend], backend=backend)) for backend in stats}
        assert stats["fastwarc"] == stats["warcio"]
        assert not any(key.startswith("skipped/") for key in stats["warcio"])
        assert [(p.url, p.offset, p.body, p.metadata) for p in pages["fastwarc"]] == [
            (p.url, p.offset, p.body, p.metadata) for p in pages["warcio"]
        ]
        for page in pages["warcio"]:
            # Each record carries the item it became; fetched_at is its WARC-Date.
            assert page.field("run-id") == path.name.split("-")[0]
            record = next(r for r in records if r["url"] == page.url and r["content_hash"] == page.field("content-hash"))
            assert parse_warc_date(record["fetched_at"]) == page.date
            assert page.field("canonical-url") == record["canonical_url"]


def test_archive_off_writes_no_warc_and_stores_no_location(news_site, tmp_path):  # noqa: F811
    _, _, sources = news_site
    output = tmp_path / "out"
    result = crawl(output, sources, ARCHIVE_ENABLED=False)
    assert result.records()
    assert not (output / "warc").exists()
    connection = sqlite3.connect(output / STATE_FILE_NAME)
    assert connection.execute("SELECT COUNT(*) FROM articles WHERE archive_file IS NOT NULL").fetchone() == (0,)
    connection.close()


def test_all_responses_setting_archives_discovery_documents_and_dropped_pages(news_site, tmp_path):  # noqa: F811
    site_files, _, sources = news_site
    site_files.add(60, "sitemap", text=STORIES[2], lastmod="2025-03-02")  # an exact copy: dropped
    output = tmp_path / "out"
    result = crawl(output, sources, ARCHIVE_ALL_RESPONSES=True)
    pages = [page for path in sorted((output / "warc").rglob("*.warc.gz")) for page in read_archive(path)]
    articles = {page.url for page in pages if page.metadata}
    others = {page.url.split("/", 3)[3] for page in pages if not page.metadata}
    assert articles == {record["url"] for record in result.records()}
    # A listing, and the copy that lost the race: which of the two same texts arrives
    # first and becomes the article depends on the download order.
    copies = {"article/2.html", "article/60.html"}
    assert "section.html" in others and len(copies & others) == 1
    assert len({url.split("/", 3)[3] for url in articles} & copies) == 1
    assert result.stat("news/archive/records") > 3 * len(articles)
