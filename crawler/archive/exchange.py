"""One HTTP exchange as the crawl received it: the request sent and the response's raw bytes.

``HttpExchange`` is plain data, captured by ``crawler.archive.pipeline`` from Scrapy's request
and response before Scrapy decompresses the body, so the archive keeps the body bytes exactly
as the server sent them (with their ``Content-Encoding``). Two things cannot be kept as they
were on the wire, and the header blocks say so in the Common Crawl way:

- Scrapy has already removed the chunked framing, so ``Transfer-Encoding`` is renamed
  ``X-Crawler-Transfer-Encoding``, and a ``Content-Length`` that does not match the stored
  body is renamed ``X-Crawler-Content-Length`` and followed by the right one;
- header names come title-cased (``Content-Type``), as Scrapy stores them; values are the
  bytes received. The status line's reason phrase is the standard one for the code.
"""

from __future__ import annotations

import http
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

HeaderList = tuple[tuple[bytes, bytes], ...]

# Headers about the framing on the wire, which the stored body no longer has.
RENAMED_PREFIX = b"X-Crawler-"


@dataclass(frozen=True)
class HttpExchange:
    url: str
    method: str
    request_headers: HeaderList
    protocol: str  # "HTTP/1.1"
    status: int
    response_headers: HeaderList
    body: bytes  # as received: content-coded, de-chunked
    fetched_at: datetime
    ip_address: str | None = None

    @property
    def content_type(self) -> str | None:
        value = header_value(self.response_headers, b"Content-Type")
        return value.decode("latin-1") if value is not None else None


def header_value(headers: HeaderList, name: bytes) -> bytes | None:
    """The first value of header *name* (case-insensitive), or None."""
    wanted = name.lower()
    for key, value in headers:
        if key.lower() == wanted:
            return value
    return None


def scrapy_header_list(headers) -> HeaderList:
    """Scrapy ``Headers`` as (name, value) pairs, one pair per value, in received order."""
    return tuple((bytes(name), bytes(value)) for name, values in headers.items() for value in values)


def exchange_from_scrapy(request, response, fetched_at: datetime) -> HttpExchange:
    """Capture a Scrapy request/response pair; ``response.body`` must not be decoded yet."""
    return HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=scrapy_header_list(request.headers),
        protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        status=response.status,
        response_headers=scrapy_header_list(response.headers),
        body=response.body,
        fetched_at=fetched_at,
        ip_address=str(response.ip_address) if getattr(response, "ip_address", None) else None,
    )


def request_block(exchange: HttpExchange) -> bytes:
    """The request line and headers as sent (``Host`` first, as the HTTP client adds it)."""
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{exchange.method} {target} HTTP/1.1".encode("latin-1", "replace")]
    if header_value(exchange.request_headers, b"Host") is None:
        lines.append(b"Host: " + parts.netloc.encode("idna" if not parts.netloc.isascii() else "ascii"))
    lines.extend(name + b": " + value for name, value in exchange.request_headers)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def status_line(exchange: HttpExchange) -> bytes:
    try:
        reason = http.HTTPStatus(exchange.status).phrase
    except ValueError:
        reason = ""
    return f"{exchange.protocol} {exchange.status} {reason}".rstrip().encode("ascii") + b"\r\n"


def stored_response_headers(exchange: HttpExchange) -> HeaderList:
    """The response headers with the framing headers renamed (see the module docstring)."""
    length = str(len(exchange.body)).encode("ascii")
    headers = []
    for name, value in exchange.response_headers:
        lowered = name.lower()
        if lowered == b"transfer-encoding":
            headers.append((RENAMED_PREFIX + name, value))
        elif lowered == b"content-length" and value.strip() != length:
            headers.append((RENAMED_PREFIX + name, value))
            headers.append((b"Content-Length", length))
        else:
            headers.append((name, value))
    return tuple(headers)


def response_header_block(exchange: HttpExchange) -> bytes:
    """Status line and headers of the stored response, ending with the blank line."""
    lines = b"".join(name + b": " + value + b"\r\n" for name, value in stored_response_headers(exchange))
    return status_line(exchange) + lines + b"\r\n"
