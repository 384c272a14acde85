"""WARC/1.1 files of what the crawl fetched, written with warcio and committed atomically.

Layout: ``OUTPUT_DIR/warc/SOURCE/RUN_ID-NNNN.warc.gz``. Each file starts with a ``warcinfo``
record; an article then takes three records, each its own gzip member so that a reader can
seek straight to any of them:

- ``request``: the request line and headers as sent;
- ``response``: status line, headers and the exact body bytes (see ``crawler.archive.exchange``);
  its offset is what the state store keeps for the article;
- ``metadata`` (``application/warc-fields``, ``WARC-Refers-To`` the response): the item it
  became, as ``canonical-url``, ``content-hash``, ``run-id``, ``source``, the article's
  ``sequence`` number in the run (the order the dedup stage saw it) and, when known, the
  ``discovered-date`` and the ``site-name``\\s used to clean its title.

Each member is compressed with ISA-L (``isal``): standard gzip that every WARC reader reads,
at about a fifth of the CPU zlib needs at level 3, for 5 % more bytes (see ``DEFAULT_GZIP_LEVEL``).

A page kept only because every response is archived (``ARCHIVE_ALL_RESPONSES``) has no
metadata record. Files are written as ``….warc.gz.part`` and renamed once complete, like the
JSONL files; ``commit`` is called before any data file that refers to the WARC file is
committed, so a state entry never points into a file a reader cannot see.

Nothing here talks to Scrapy; ``crawler.archive.pipeline`` drives it from one thread.
"""

from __future__ import annotations

import io
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from isal import isal_zlib
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from crawler.archive.exchange import HttpExchange, request_block, response_header_block
from crawler.jsonl_writer import PART_SUFFIX, fsync_directory, safe_path_component

logger = logging.getLogger(__name__)

ARCHIVE_DIR = "warc"
WARC_SUFFIX = ".warc.gz"
WARC_VERSION = "WARC/1.1"
SOFTWARE_PREFIX = "arabic-news-crawler/"
METADATA_CONTENT_TYPE = "application/warc-fields"
# ISA-L's compression level (0-3) of each record. On the five pages of shared/eval/arabic-news
# (mean 264 kB), per page: ISA-L 2 gives 68.7 kB for 0.56 ms of CPU, 3 66.6 kB for 1.2 ms;
# zlib gave 65.4 kB for 2.7 ms at level 3 and 59.6 kB for 5.3 ms at its default 6. The crawl's
# cores are busy extracting, so the fast level wins (issue 17).
DEFAULT_GZIP_LEVEL = 2
GZIP_LEVELS = range(isal_zlib.ISAL_BEST_SPEED, isal_zlib.ISAL_BEST_COMPRESSION + 1)


def gzip_level_problem(value) -> str | None:
    """Why ``value`` is no ARCHIVE_GZIP_LEVEL, or None."""
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = None
    if level not in GZIP_LEVELS:
        return f"ARCHIVE_GZIP_LEVEL must be {GZIP_LEVELS.start} to {GZIP_LEVELS.stop - 1} (ISA-L's levels), not {value!r}"
    return None
# Common Crawl's file size; our files are usually committed long before (one per data file).
DEFAULT_MAX_FILE_BYTES = 1 << 30


@dataclass(frozen=True)
class ArchiveLocation:
    """Where an article's response record is: file relative to OUTPUT_DIR, gzip member offset."""

    file: str
    offset: int


class RawHttpHeaders(StatusAndHeaders):
    """An HTTP header block that warcio writes as the given bytes.

    warcio re-renders headers from parsed strings and %-encodes non-ASCII values; the
    archive must keep the bytes received.
    """

    def __init__(self, block: bytes):
        first, _, rest = block.partition(b"\r\n")
        pairs = []
        for line in rest.split(b"\r\n"):
            name, sep, value = line.partition(b":")
            if sep:
                pairs.append((name.decode("latin-1"), value.strip().decode("latin-1")))
        protocol, _, statusline = first.decode("latin-1").partition(" ")
        super().__init__(statusline, pairs, protocol=protocol)
        self.headers_buff = block

    def compute_headers_buffer(self, header_filter=None):
        pass  # keep the bytes given


def warc_date(moment: datetime) -> str:
    return datetime_to_iso_date(moment.astimezone(timezone.utc).replace(tzinfo=None))


def warc_fields(pairs: list[tuple[str, str]]) -> bytes:
    """``application/warc-fields``: one ``name: value`` line each, UTF-8."""
    return "".join(f"{name}: {' '.join(str(value).split())}\r\n" for name, value in pairs).encode("utf-8")


def article_fields(
    *,
    run_id: str,
    source: str,
    canonical_url: str,
    content_hash: str,
    sequence: int,
    discovered_date: str | None = None,
    site_names: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    """The metadata record's fields for one article (see the module docstring)."""
    pairs = [
        ("canonical-url", canonical_url),
        ("content-hash", content_hash),
        ("run-id", run_id),
        ("source", source),
        ("sequence", str(sequence)),
    ]
    if discovered_date:
        pairs.append(("discovered-date", discovered_date))
    pairs.extend(("site-name", name) for name in site_names)
    return pairs


class WarcFileWriter:
    """Numbered WARC files of one source in one directory, each committed atomically."""

    def __init__(
        self,
        directory: Path,
        stem: str,
        output_dir: Path,
        warcinfo: dict[str, str],
        *,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ):
        if problem := gzip_level_problem(gzip_level):
            raise ValueError(problem)
        self.directory = directory
        self.stem = safe_path_component(stem)
        self.output_dir = output_dir
        self.warcinfo = warcinfo
        self.gzip_level = gzip_level
        self.max_file_bytes = max_file_bytes
        self.committed_files: list[Path] = []
        self.records_written = 0
        self.bytes_written = 0
        self._sequence = 0
        self._handle = None
        self._part_path: Path | None = None
        self._name: str | None = None
        self._warcinfo_id: str | None = None
        self._buffer = io.BytesIO()
        self._builder = WARCWriter(self._buffer, gzip=False, warc_version=WARC_VERSION)

    @property
    def current_name(self) -> str | None:
        """The open file's final name relative to OUTPUT_DIR, or None."""
        return self._name

    # --- records -----------------------------------------------------------------------

    def write_article(self, exchange: HttpExchange, date: datetime, fields: list[tuple[str, str]]) -> ArchiveLocation:
        """Request, response and metadata records of one article; returns the response's location."""
        request_id, response_location, response_id = self._write_exchange(exchange, date)
        self._append(
            self._builder.create_warc_record(
                exchange.url,
                "metadata",
                payload=io.BytesIO(payload := warc_fields(fields)),
                length=len(payload),
                warc_content_type=METADATA_CONTENT_TYPE,
                warc_headers_dict=self._headers(date, {"WARC-Refers-To": response_id, "WARC-Concurrent-To": response_id}),
            )
        )
        self._rotate_if_full()
        return response_location

    def write_page(self, exchange: HttpExchange, date: datetime) -> ArchiveLocation:
        """Request and response records of a page that became no article."""
        _, location, _ = self._write_exchange(exchange, date)
        self._rotate_if_full()
        return location

    def _write_exchange(self, exchange: HttpExchange, date: datetime) -> tuple[str, ArchiveLocation, str]:
        if self._handle is None:
            self._open_next()
        response_id = self._builder._make_warc_id()
        extra = {"WARC-Record-ID": response_id}
        if exchange.ip_address:
            extra["WARC-IP-Address"] = exchange.ip_address
        response = self._builder.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=RawHttpHeaders(response_header_block(exchange)),
            warc_headers_dict=self._headers(date, extra),
        )
        request = self._builder.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=RawHttpHeaders(request_block(exchange)),
            warc_headers_dict=self._headers(date, {"WARC-Concurrent-To": response_id}),
        )
        request_id = request.rec_headers.get_header("WARC-Record-ID")
        self._append(request)
        location = ArchiveLocation(self._name, self._handle.tell())
        self._append(response)
        return request_id, location, response_id

    def _headers(self, date: datetime, extra: dict[str, str]) -> dict[str, str]:
        return {"WARC-Date": warc_date(date), "WARC-Warcinfo-ID": self._warcinfo_id, **extra}

    def _append(self, record) -> None:
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._builder.write_record(record)
        compressor = isal_zlib.compressobj(self.gzip_level, isal_zlib.DEFLATED, 16 + isal_zlib.MAX_WBITS)
        # The view is released here, not whenever it is collected: a view still alive (held by
        # anything that walks the heap, such as gc.get_objects) would make the next truncate() fail.
        with buffer.getbuffer() as view:
            member = compressor.compress(view) + compressor.flush()
        self._handle.write(member)
        self.records_written += 1
        self.bytes_written += len(member)

    # --- files -------------------------------------------------------------------------

    def _open_next(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._sequence += 1
            final = self.directory / f"{self.stem}-{self._sequence:04d}{WARC_SUFFIX}"
            part = final.with_name(final.name + PART_SUFFIX)
            if not final.exists() and not part.exists():  # never overwrite an earlier run's file
                break
        self._part_path = part
        self._name = str(final.relative_to(self.output_dir))
        self._handle = open(part, "wb")
        warcinfo = self._builder.create_warcinfo_record(final.name, self.warcinfo)
        self._warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
        self._append(warcinfo)

    def _rotate_if_full(self) -> None:
        if self._handle is not None and self._handle.tell() >= self.max_file_bytes:
            self.commit()

    def commit(self) -> Path | None:
        """Finish the open file (fsync, rename, fsync the folder); returns its path, or None."""
        if self._handle is None:
            return None
        handle, part = self._handle, self._part_path
        self._handle = self._part_path = self._name = self._warcinfo_id = None
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        final = part.with_name(part.name[: -len(PART_SUFFIX)])
        os.replace(part, final)
        fsync_directory(final.parent)
        self.committed_files.append(final)
        logger.info("Committed WARC file %s", final)
        return final

    def close(self) -> None:
        """Drop an open file without committing it (its records stay a ``.part`` file)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def default_warcinfo(run_id: str, software: str, user_agent: str | None, robots: bool) -> dict[str, str]:
    return {
        "software": software,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "isPartOf": run_id,
        "hostname": socket.gethostname(),
        "robots": "obey" if robots else "ignore",
        "http-header-user-agent": user_agent or "",
    }


class ArchiveWriter:
    """One ``WarcFileWriter`` per source below ``OUTPUT_DIR/warc``; used from one thread."""

    def __init__(
        self,
        output_dir: Path,
        run_id: str,
        warcinfo: dict[str, str],
        *,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ):
        self.output_dir = output_dir
        self.root = output_dir / ARCHIVE_DIR
        self.run_id = run_id
        self.warcinfo = warcinfo
        self.gzip_level = gzip_level
        self.max_file_bytes = max_file_bytes
        self.writers: dict[str, WarcFileWriter] = {}
        self.articles = 0

    def writer_for(self, source: str) -> WarcFileWriter:
        if source not in self.writers:
            directory = self.root / safe_path_component(source)
            self.writers[source] = WarcFileWriter(
                directory,
                self.run_id,
                self.output_dir,
                self.warcinfo,
                gzip_level=self.gzip_level,
                max_file_bytes=self.max_file_bytes,
            )
        return self.writers[source]

    def write_article(
        self,
        source: str,
        exchange: HttpExchange,
        date: datetime,
        *,
        canonical_url: str,
        content_hash: str,
        discovered_date: str | None = None,
        site_names: tuple[str, ...] = (),
    ) -> ArchiveLocation:
        self.articles += 1
        fields = article_fields(
            run_id=self.run_id,
            source=source,
            canonical_url=canonical_url,
            content_hash=content_hash,
            sequence=self.articles,
            discovered_date=discovered_date,
            site_names=site_names,
        )
        return self.writer_for(source).write_article(exchange, date, fields)

    def write_page(self, source: str, exchange: HttpExchange, date: datetime) -> ArchiveLocation:
        return self.writer_for(source).write_page(exchange, date)

    def commit_files(self, names) -> None:
        """Commit every open file named in *names* (relative to OUTPUT_DIR)."""
        wanted = set(names)
        for writer in self.writers.values():
            if writer.current_name in wanted:
                writer.commit()

    def commit_all(self) -> None:
        for writer in self.writers.values():
            writer.commit()

    @property
    def committed_files(self) -> list[Path]:
        return [path for writer in self.writers.values() for path in writer.committed_files]

    @property
    def records_written(self) -> int:
        return sum(writer.records_written for writer in self.writers.values())

    @property
    def bytes_written(self) -> int:
        return sum(writer.bytes_written for writer in self.writers.values())
