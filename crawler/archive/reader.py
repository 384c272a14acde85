"""Reading WARC files: every HTML response, with the metadata our crawl wrote beside it.

``read_archive(path)`` yields one ``ArchivedPage`` per usable response record of a WARC/1.0
or 1.1 file (gzipped per record, gzipped whole, or plain), ours or anyone's (Common Crawl,
CC-NEWS, Heritrix, wget). The body comes back exactly as Scrapy would have handed it to the
spider: transfer framing removed and ``Content-Encoding`` decoded by Scrapy's own decoders,
so a page re-extracted from the archive is the page the crawl extracted.

Bad records never stop the reading; each is counted in ``stats`` (a ``Counter``) under
``skipped/REASON`` and skipped:

- ``truncated``: a gzip member or record cut short or corrupt. Reading resumes at the next
  gzip member, so one damaged record costs only itself;
- ``no_http_response``: a record that is not an HTTP response (``resource``, ``revisit``,
  ``dns:`` responses, a block that does not parse as HTTP);
- ``http_status``: a response that is not 2xx (redirects, errors);
- ``not_html``: the Content-Type (or, without one, the first bytes) is not HTML;
- ``too_large``: the body is over ``max_bytes`` (``DOWNLOAD_MAXSIZE``), before or after
  decompression;
- ``bad_encoding``: the body does not decode with its ``Content-Encoding``.

Two backends read the same records: ``fastwarc`` (resiliparse's, in Rust) and ``warcio``.
``DEFAULT_BACKEND`` is the faster one as measured by ``bench/archive.py``.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from crawler.archive.writer import SOFTWARE_PREFIX

logger = logging.getLogger(__name__)

BACKENDS = ("fastwarc", "warcio")
# bench/archive.py on the eval pages: fastwarc 1265 records/s, warcio 761 (loaded 2-core machine).
DEFAULT_BACKEND = "fastwarc"
HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # DOWNLOAD_MAXSIZE
GZIP_MAGIC = b"\x1f\x8b\x08"
# Read this much at a time when looking for the next gzip member after a damaged one.
RESYNC_CHUNK = 1 << 16


@dataclass
class ArchivedPage:
    url: str
    date: datetime  # WARC-Date, timezone-aware
    status: int
    content_type: str | None
    body: bytes  # as the spider would get it: de-chunked and content-decoded
    file: str
    offset: int  # of the response record's gzip member (or record, when not gzipped)
    record_id: str | None
    metadata: dict[str, list[str]] = field(default_factory=dict)  # our metadata record's fields
    written_by_us: bool = False  # the file's warcinfo names this crawler

    def field(self, name: str) -> str | None:
        values = self.metadata.get(name)
        return values[0] if values else None


@dataclass
class _RawRecord:
    """What both backends give: one WARC record, payload still content-coded."""

    kind: str
    record_id: str | None
    refers_to: str | None
    target_uri: str | None
    date: str | None
    offset: int
    content_type: str | None
    content_length: int
    block: bytes | None  # the whole record block; None when not read (too large, not needed)


class TruncatedRecord(Exception):
    """A gzip member or record ends early or is corrupt; carries where reading may resume."""

    def __init__(self, resume_at: int | None):
        super().__init__(f"damaged record, resuming at {resume_at}")
        self.resume_at = resume_at


def parse_warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parse_warc_fields(payload: bytes) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in payload.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            fields.setdefault(name.strip(), []).append(value.strip())
    return fields


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers:
        if key.lower() == wanted:
            return value
    return None


def is_html_content(content_type: str | None, body: bytes) -> bool:
    """The crawl's rule (``spiders.news.is_html``): an HTML type, or no type and ``<html`` early on."""
    if content_type:
        return content_type.split(";")[0].strip().lower() in HTML_CONTENT_TYPES
    return b"<html" in body[:2048].lower()


def decode_content(body: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """Undo ``Content-Encoding`` with Scrapy's own decoders, as HttpCompressionMiddleware does.

    Using the crawl's decoders is what makes re-extraction byte-identical; they are
    private static methods of Scrapy's middleware (Scrapy is pinned in requirements.txt,
    and tests/test_archive_reader.py checks them on gzip, deflate and br bodies).
    """
    if not content_encoding:
        return body
    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware

    to_decode, _ = HttpCompressionMiddleware._split_encodings([content_encoding.encode("latin-1")])
    for encoding in to_decode:
        body = HttpCompressionMiddleware._decode(body, encoding, max_bytes)
    return body


def dechunk(body: bytes) -> bytes:
    """Remove chunked transfer framing; a body that is not really chunked is returned as is."""
    out, position = bytearray(), 0
    while True:
        line_end = body.find(b"\r\n", position)
        if line_end < 0:
            return body
        try:
            size = int(body[position:line_end].split(b";")[0].strip(), 16)
        except ValueError:
            return body
        if size == 0:
            return bytes(out)
        start = line_end + 2
        if start + size > len(body):
            return body
        out += body[start : start + size]
        position = start + size + 2


# --- backends -------------------------------------------------------------------------
# Both only frame records and read their whole block; the HTTP part is parsed by
# ``split_http_block`` for both, so they cannot disagree on it, and a block shorter
# than its Content-Length is recognized as truncated.

_KNOWN_KINDS = ("warcinfo", "response", "request", "metadata", "revisit", "resource")
# Blocks read for these kinds; the others are only framed and skipped.
_READ_KINDS = ("warcinfo", "response", "metadata")


def _fastwarc_records(path: Path, start: int, max_bytes: int) -> Iterator[_RawRecord]:
    from fastwarc import ArchiveIterator, GzipReader, WarcRecordType

    kinds = {int(getattr(WarcRecordType, name)): name for name in _KNOWN_KINDS}
    with open(path, "rb") as handle:
        handle.seek(start)
        gzipped = handle.read(3) == GZIP_MAGIC
        handle.seek(start)
        records = ArchiveIterator(GzipReader(handle) if gzipped else handle, parse_http=False, stream_detect=False)
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except Exception as exc:  # fastwarc raises its own errors on damaged input
                raise TruncatedRecord(None) from exc
            kind = kinds.get(int(record.record_type), "other")
            headers = record.headers
            length = record.content_length
            block = None
            if kind in _READ_KINDS and length <= max_bytes:
                try:
                    block = record.reader.read()
                except Exception as exc:
                    raise TruncatedRecord(None) from exc
                if len(block) != length:
                    raise TruncatedRecord(None)
            yield _RawRecord(
                kind=kind,
                record_id=headers.get("WARC-Record-ID"),
                refers_to=headers.get("WARC-Refers-To") or headers.get("WARC-Concurrent-To"),
                target_uri=headers.get("WARC-Target-URI"),
                date=headers.get("WARC-Date"),
                content_type=headers.get("Content-Type"),
                offset=start + record.stream_pos,
                content_length=length,
                block=block,
            )


def _warcio_records(path: Path, start: int, max_bytes: int) -> Iterator[_RawRecord]:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as handle:
        handle.seek(start)
        records = ArchiveIterator(handle, no_record_parse=True)
        iterator = iter(records)
        while True:
            try:
                record = next(iterator)
            except StopIteration:
                return
            except Exception as exc:  # ArchiveLoadFailed, zlib.error, EOFError...
                raise TruncatedRecord(None) from exc
            headers = record.rec_headers
            kind = record.rec_type if record.rec_type in _KNOWN_KINDS else "other"
            length = record.length or 0
            block = None
            if kind in _READ_KINDS and length <= max_bytes:
                try:
                    block = record.raw_stream.read()
                except Exception as exc:
                    raise TruncatedRecord(None) from exc
                if len(block) != length:
                    raise TruncatedRecord(None)
            yield _RawRecord(
                kind=kind,
                record_id=headers.get_header("WARC-Record-ID"),
                refers_to=headers.get_header("WARC-Refers-To") or headers.get_header("WARC-Concurrent-To"),
                target_uri=headers.get_header("WARC-Target-URI"),
                date=headers.get_header("WARC-Date"),
                content_type=headers.get_header("Content-Type"),
                offset=start + records.get_record_offset(),
                content_length=length,
                block=block,
            )


def split_http_block(block: bytes) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """(status, headers, body) of an HTTP response block, or None if it is not one."""
    end = block.find(b"\r\n\r\n")
    separator = 4
    if end < 0:
        end, separator = block.find(b"\n\n"), 2
        if end < 0:
            return None
    lines = block[:end].decode("latin-1").replace("\r\n", "\n").split("\n")
    parts = lines[0].split(None, 2)
    if len(parts) < 2 or not parts[0].upper().startswith("HTTP/") or not parts[1].isdigit():
        return None
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep and name.strip():
            headers.append((name.strip(), value.strip()))
    return int(parts[1]), headers, block[end + separator :]


_BACKENDS = {"fastwarc": _fastwarc_records, "warcio": _warcio_records}


def next_member_start(path: Path, after: int) -> int | None:
    """The offset of the next gzip member header past *after*, or None."""
    with open(path, "rb") as handle:
        handle.seek(after + 1)
        position, carry = after + 1, b""
        while chunk := handle.read(RESYNC_CHUNK):
            data = carry + chunk
            found = data.find(GZIP_MAGIC)
            if found >= 0:
                return position - len(carry) + found
            carry = data[-2:]
            position += len(chunk)
    return None


def raw_records(path: Path, stats: Counter, backend: str = DEFAULT_BACKEND, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[_RawRecord]:
    """Every record of *path*; a damaged stretch is counted once and skipped."""
    read = _BACKENDS[backend]
    start, last_good, resyncing = 0, -1, False
    while True:
        try:
            for record in read(path, start, max_bytes):
                last_good, resyncing = record.offset, False
                yield record
            return
        except TruncatedRecord:
            if not resyncing:  # one count per damaged stretch, however many members it spans
                stats["skipped/truncated"] += 1
                logger.warning("Damaged WARC record in %s after offset %d; skipping to the next gzip member", path, max(start, last_good))
            resume = next_member_start(path, max(start, last_good))
            if resume is None or resume <= start:
                return
            start, last_good, resyncing = resume, resume, True


# --- pages ------------------------------------------------------------------------------


def _page_or_skip(record: _RawRecord, file: str, written_by_us: bool, stats: Counter, max_bytes: int) -> ArchivedPage | None:
    if record.block is None:
        stats["skipped/too_large"] += 1
        return None
    http = split_http_block(record.block) if (record.content_type or "").startswith("application/http") else None
    if http is None:
        stats["skipped/no_http_response"] += 1
        return None
    status, headers, body = http
    if not 200 <= status < 300:
        stats["skipped/http_status"] += 1
        return None
    url = (record.target_uri or "").strip().strip("<>")
    if not url.startswith(("http://", "https://")):
        stats["skipped/no_http_response"] += 1
        return None
    if "chunked" in (header(headers, "Transfer-Encoding") or "").lower():
        body = dechunk(body)
    try:
        body = decode_content(body, header(headers, "Content-Encoding"), max_bytes)
    except ValueError as exc:  # Scrapy's max-size error is a ValueError
        stats["skipped/too_large" if "exceeded" in str(exc) else "skipped/bad_encoding"] += 1
        return None
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        logger.debug("Undecodable body of %s: %s", url, exc)
        stats["skipped/bad_encoding"] += 1
        return None
    except Exception as exc:  # brotli and zstd raise their own error types
        logger.debug("Undecodable body of %s: %s", url, exc)
        stats["skipped/bad_encoding"] += 1
        return None
    content_type = header(headers, "Content-Type")
    if not is_html_content(content_type, body):
        stats["skipped/not_html"] += 1
        return None
    date = parse_warc_date(record.date) or datetime.now(timezone.utc)
    return ArchivedPage(
        url=url,
        date=date,
        status=status,
        content_type=content_type,
        body=body,
        file=file,
        offset=record.offset,
        record_id=record.record_id,
        written_by_us=written_by_us,
    )


def read_archive(
    path: str | Path,
    stats: Counter | None = None,
    *,
    backend: str = DEFAULT_BACKEND,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[ArchivedPage]:
    """The HTML responses of one WARC file, in file order, each with its metadata record."""
    path = Path(path)
    stats = stats if stats is not None else Counter()
    written_by_us = False
    pending: ArchivedPage | None = None
    for record in raw_records(path, stats, backend, max_bytes):
        stats["records"] += 1
        if record.kind == "warcinfo":
            fields = parse_warc_fields(record.block or b"")
            written_by_us = any(value.startswith(SOFTWARE_PREFIX) for value in fields.get("software", []))
            continue
        if record.kind == "metadata":
            if pending is not None and record.refers_to and record.refers_to == pending.record_id:
                pending.metadata = parse_warc_fields(record.block or b"")
            continue
        if record.kind == "request":
            continue
        if pending is not None:
            yield pending
            pending = None
        if record.kind != "response":
            stats["skipped/no_http_response"] += 1
            continue
        pending = _page_or_skip(record, str(path), written_by_us, stats, max_bytes)
        if pending is not None:
            stats["responses"] += 1
    if pending is not None:
        yield pending


def warc_files(paths) -> list[Path]:
    """The WARC files named or found (recursively) below *paths*, in name order per folder."""
    found: list[Path] = []
    for given in paths:
        given = Path(given)
        if given.is_dir():
            found.extend(sorted(p for p in given.rglob("*") if p.is_file() and _is_warc_name(p.name)))
        else:
            found.append(given)
    return list(dict.fromkeys(found))


def _is_warc_name(name: str) -> bool:
    return name.endswith((".warc", ".warc.gz"))
