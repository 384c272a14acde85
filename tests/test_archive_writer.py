"""The WARC writer: exact bytes, one gzip member per record, atomic files, readable by both readers."""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from datetime import datetime, timezone

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.exchange import HttpExchange, request_block, response_header_block
from crawler.archive.reader import read_archive
from crawler.archive.writer import ArchiveWriter, default_warcinfo

MOMENT = datetime(2025, 3, 11, 9, 30, 5, tzinfo=timezone.utc)
BODY = "<html><body><p>نص عربي</p></body></html>".encode("utf-8")


def exchange(body: bytes = BODY, headers=((b"Content-Type", b"text/html; charset=utf-8"),), url="http://127.0.0.1:8080/news/1.html?a=1"):
    return HttpExchange(
        url=url, method="GET", request_headers=((b"User-Agent", b"test-agent"), (b"Accept-Encoding", b"gzip, br")),
        protocol="HTTP/1.1", status=200, response_headers=tuple(headers), body=body, fetched_at=MOMENT, ip_address="127.0.0.1",
    )


def writer(tmp_path, **kwargs) -> ArchiveWriter:
    return ArchiveWriter(tmp_path, "20250311T093000Z", default_warcinfo("20250311T093000Z", "arabic-news-crawler/test", "ua", True), **kwargs)


def test_framing_headers_are_renamed_and_other_header_bytes_kept():
    coded = gzip.compress(BODY)
    raw_value = "قيمة".encode("utf-8")
    block = response_header_block(exchange(coded, [
        (b"Content-Type", b"text/html"), (b"Content-Encoding", b"gzip"), (b"Transfer-Encoding", b"chunked"),
        (b"Content-Length", b"99999"), (b"X-Custom", raw_value),
    ]))
    assert block.startswith(b"HTTP/1.1 200 OK\r\n") and block.endswith(b"\r\n\r\n")
    assert b"\r\nContent-Encoding: gzip\r\n" in block  # the body is stored as sent
    assert b"\r\nX-Crawler-Transfer-Encoding: chunked\r\n" in block
    assert b"\r\nX-Crawler-Content-Length: 99999\r\n" in block
    assert f"\r\nContent-Length: {len(coded)}\r\n".encode() in block
    assert b"X-Custom: " + raw_value in block  # not %-encoded
    assert request_block(exchange()).startswith(b"GET /news/1.html?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n")


def test_records_are_separate_gzip_members_and_the_location_is_the_response(tmp_path):
    archive = writer(tmp_path)
    location = archive.write_article("src", exchange(), MOMENT, canonical_url="http://127.0.0.1:8080/news/1.html", content_hash="h1")
    assert location.file == "warc/src/20250311T093000Z-0001.warc.gz"
    assert (tmp_path / (location.file + ".part")).exists() and not (tmp_path / location.file).exists()
    archive.commit_files({location.file})
    data = (tmp_path / location.file).read_bytes()
    member = zlib.decompressobj(16 + zlib.MAX_WBITS)
    record = member.decompress(data[location.offset:])
    assert member.eof and record.startswith(b"WARC/1.1\r\n") and b"WARC-Type: response" in record
    assert record.endswith(BODY + b"\r\n\r\n")
    with open(tmp_path / location.file, "rb") as handle:
        types = [(r.rec_type, r.rec_headers.get_header("WARC-Date")) for r in ArchiveIterator(handle)]
    assert [t for t, _ in types] == ["warcinfo", "request", "response", "metadata"]
    assert all(date == "2025-03-11T09:30:05Z" for kind, date in types if kind != "warcinfo")


@pytest.mark.parametrize("backend", ["fastwarc", "warcio"])
def test_both_readers_get_the_body_and_the_metadata(tmp_path, backend):
    archive = writer(tmp_path)
    coded = gzip.compress(BODY)
    archive.write_article("src", exchange(coded, [(b"Content-Type", b"text/html"), (b"Content-Encoding", b"gzip")]), MOMENT,
                          canonical_url="http://x/1", content_hash="h1", discovered_date="2025-03-10", site_names=("موقع",))
    archive.write_page("src", exchange(url="http://127.0.0.1:8080/section.html"), MOMENT)
    archive.commit_all()
    (path,) = archive.committed_files
    stats = Counter()
    first, second = read_archive(path, stats, backend=backend)
    assert first.body == BODY and first.written_by_us and first.date == MOMENT
    assert first.metadata == {
        "canonical-url": ["http://x/1"], "content-hash": ["h1"], "run-id": ["20250311T093000Z"], "source": ["src"],
        "sequence": ["1"], "discovered-date": ["2025-03-10"], "site-name": ["موقع"],
    }
    assert second.url.endswith("/section.html") and second.metadata == {}
    assert stats == Counter({"records": 6, "responses": 2})


def test_files_rotate_at_the_size_limit_and_never_overwrite(tmp_path):
    (tmp_path / "warc" / "src").mkdir(parents=True)
    (tmp_path / "warc" / "src" / "20250311T093000Z-0001.warc.gz").write_bytes(b"earlier run")
    archive = writer(tmp_path, max_file_bytes=1)
    first = archive.write_article("src", exchange(), MOMENT, canonical_url="a", content_hash="1")
    second = archive.write_article("src", exchange(), MOMENT, canonical_url="b", content_hash="2")
    assert (first.file, second.file) == ("warc/src/20250311T093000Z-0002.warc.gz", "warc/src/20250311T093000Z-0003.warc.gz")
    assert len(archive.committed_files) == 2 and not list(tmp_path.rglob("*.part"))


def test_recovery_finds_the_archived_pages_of_an_unrecorded_data_file(tmp_path):
    from crawler.archive.recovery import archive_locator
    from crawler.state.sqlite import SqliteStateStore
    from pipelines.write import recover_unrecorded_files

    archive = writer(tmp_path)
    location = archive.write_article("src", exchange(), MOMENT, canonical_url="http://127.0.0.1:8080/news/1.html", content_hash="h1")
    archive.commit_all()
    data = tmp_path / "data" / "src"
    data.mkdir(parents=True)
    line = '{"url": "http://127.0.0.1:8080/news/1.html?a=1", "canonical_url": "http://127.0.0.1:8080/news/1.html", "content_hash": "h1", "text": "نص", "version": 1}'
    (data / "20250311T093000Z-0001.jsonl").write_text(line + "\n", encoding="utf-8")
    with SqliteStateStore(tmp_path / "state.sqlite") as store:
        assert recover_unrecorded_files(tmp_path / "data", store, archive_locator(tmp_path)) == 1
        stored = store.get("http://127.0.0.1:8080/news/1.html")
    assert (stored.archive_file, stored.archive_offset) == (location.file, location.offset)
