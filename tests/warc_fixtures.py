"""Small WARC files built in a test, in the layout of Common Crawl's CC-NEWS files.

CC-NEWS files are WARC/1.0, one gzip member per record: a ``warcinfo`` record, then for
each page a ``request`` and a ``response`` record whose ``WARC-Target-URI`` is the page's
URL and whose block is the HTTP response, framing headers renamed ``X-Crawler-...``.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


@dataclass
class Page:
    url: str
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "text/html; charset=utf-8")])
    status: str = "200 OK"
    with_request: bool = True


def write_ccnews_file(path: Path, pages: list[Page], version: str = "1.0", date: str = "2024-05-20T10:11:12Z") -> Path:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True, warc_version=version)
        writer.write_record(
            writer.create_warcinfo_record(path.name, {"software": "StormCrawler 2.10 https://stormcrawler.net/", "isPartOf": "CC-NEWS"})
        )
        for page in pages:
            http = StatusAndHeaders(page.status, page.headers + [("Content-Length", str(len(page.body)))], protocol="HTTP/1.1")
            response = writer.create_warc_record(
                page.url, "response", payload=io.BytesIO(page.body), length=len(page.body), http_headers=http,
                warc_headers_dict={"WARC-Date": date},
            )
            if page.with_request:
                request = writer.create_warc_record(
                    page.url, "request", payload=io.BytesIO(b""), length=0,
                    http_headers=StatusAndHeaders(f"GET {page.url} HTTP/1.1", [("User-Agent", "CCBot/2.0")], is_http_request=True),
                )
                writer.write_request_response_pair(request, response)
            else:
                writer.write_record(response)
    return path


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)
