"""Reading WARC files: decoding as the crawl did, HTTP blocks, damaged and odd records."""

from __future__ import annotations

import gzip
import zlib
from collections import Counter

import brotli
import pytest

from crawler.archive.reader import decode_content, dechunk, read_archive, split_http_block
from tests.warc_fixtures import Page, write_ccnews_file

HTML = "<html><body><p>خبر</p></body></html>".encode("utf-8")


@pytest.mark.parametrize("encoding, coded", [
    ("gzip", gzip.compress(HTML)), ("x-gzip", gzip.compress(HTML)), ("deflate", zlib.compress(HTML)),
    ("br", brotli.compress(HTML)), (None, HTML), ("identity", HTML),
])
def test_bodies_decode_with_scrapys_decoders(encoding, coded):
    assert decode_content(coded, encoding, 1 << 20) == HTML


def test_a_body_that_inflates_past_the_limit_is_refused():
    with pytest.raises(ValueError):
        decode_content(gzip.compress(b"a" * 100_000), "gzip", 1000)


def test_chunked_bodies_are_joined_and_plain_ones_left_alone():
    assert dechunk(b"4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n") == b"Wikipedia"
    assert dechunk(HTML) == HTML


def test_http_blocks_split_and_non_http_ones_refused():
    assert split_http_block(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>") == (200, [("Content-Type", "text/html")], b"<html>")
    assert split_http_block(b"not http at all") is None
    assert split_http_block(b"GET / HTTP/1.1\r\n\r\n") is None


@pytest.mark.parametrize("backend", ["fastwarc", "warcio"])
def test_a_file_cut_short_keeps_the_records_before_the_cut(tmp_path, backend):
    path = write_ccnews_file(tmp_path / "cut.warc.gz", [Page(f"https://www.youm7.com/story/{n}", HTML, with_request=False) for n in range(3)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 30])  # inside the last response record's gzip member
    stats = Counter()
    pages = list(read_archive(path, stats, backend=backend))
    assert [p.url for p in pages] == [f"https://www.youm7.com/story/{n}" for n in range(2)]
    assert stats["skipped/truncated"] == 1


@pytest.mark.parametrize("backend", ["fastwarc", "warcio"])
def test_uncompressed_warc_files_are_read_too(tmp_path, backend):
    path = write_ccnews_file(tmp_path / "plain.warc.gz", [Page("https://www.youm7.com/story/1", HTML)])
    plain = tmp_path / "plain.warc"
    with gzip.open(path) as handle:
        plain.write_bytes(handle.read())
    (page,) = read_archive(plain, Counter(), backend=backend)
    assert page.body == HTML and page.url == "https://www.youm7.com/story/1"
