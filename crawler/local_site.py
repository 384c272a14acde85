"""A tiny local HTTP server for fixture sites (standard library only).

``serve_directory(root)`` serves a folder on 127.0.0.1 on a port the OS picks,
in a daemon thread, for the length of a ``with`` block::

    with serve_directory(SAMPLE_SITE) as site:
        urlopen(site.url("/robots.txt"))
        assert site.hits["/robots.txt"] == 1

What it adds to a plain static server, so that fixture sites behave like real
ones:

- the ASCII placeholder ``{{BASE_URL}}`` in text files (and in header values)
  becomes the server's base URL, so sitemaps, feeds and canonical links can
  hold absolute URLs although the port is only known at run time. The
  replacement is done on bytes, so a windows-1256 page keeps its encoding;
- ``_headers.json`` at the root overrides response headers per file
  (``{"path.html": {"Content-Type": "...", "X-Gone": null, "_status": 410}}``;
  ``null`` removes a default header, ``_status`` sets the status code and may
  describe a path that has no file, e.g. a redirect with a ``Location``). It is
  read again whenever it changes, so a test can change how a site answers
  between two crawls without a new port;
- every request is counted per path, so tests can assert what was fetched, and
  its arrival time kept (``arrivals``), so they can measure the crawl's pace.

Files and folders whose name starts with ``_`` or ``.`` (the header file, a
site's expected-results files) are never served.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import logging
import mimetypes
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

SAMPLE_SITE = Path(__file__).with_name("sample_site")

BASE_URL_PLACEHOLDER = b"{{BASE_URL}}"
HEADERS_FILE = "_headers.json"
STATUS_KEY = "_status"
INDEX_FILE = "index.html"

# Only text formats that can hold links get the placeholder replaced: doing it
# in images or archives could corrupt them.
TEMPLATED_SUFFIXES = frozenset({".html", ".xml", ".txt", ".json", ".rss", ".atom"})

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".gz": "application/x-gzip",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
FALLBACK_CONTENT_TYPE = "application/octet-stream"
# How often serve_forever checks for shutdown: the default 0.5 s would make
# every ``with serve_directory(...)`` block last at least that long.
SHUTDOWN_POLL_SECONDS = 0.05

NOT_FOUND_BODY = (
    b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>404 Not Found</title></head>"
    b"<body><h1>Not Found</h1><p>The requested page does not exist.</p></body></html>\n"
)

HeaderOverrides = Mapping[str, Mapping[str, object]]


@dataclass(frozen=True)
class Response:
    """What the handler sends: status, headers in order, and the body (sent for GET only)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class LocalSite:
    """The running server as tests see it: its base URL and the per-path request counts."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._hits: dict[str, int] = {}
        self._arrivals: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def url(self, path: str = "/") -> str:
        """The absolute URL of a site path such as ``/news/a.html``."""
        return self.base_url + "/" + path.lstrip("/")

    @property
    def hits(self) -> dict[str, int]:
        """A snapshot of how many requests (GET and HEAD, any status) each path received."""
        with self._lock:
            return dict(self._hits)

    @property
    def arrivals(self) -> list[tuple[float, str]]:
        """(``time.monotonic()``, path) of every request, in order of arrival."""
        with self._lock:
            return list(self._arrivals)

    def reset_hits(self) -> None:
        with self._lock:
            self._hits.clear()
            self._arrivals.clear()

    def record_hit(self, path: str) -> None:
        with self._lock:
            self._hits[path] = self._hits.get(path, 0) + 1
            self._arrivals.append((time.monotonic(), path))


def request_path(raw_target: str) -> str:
    """The decoded path of a request target, without query or fragment: the key of ``hits``."""
    return urllib.parse.unquote(urllib.parse.urlsplit(raw_target).path) or "/"


def path_segments(path: str) -> list[str] | None:
    """The path's segments, or None when it tries to leave the root or reach a hidden file."""
    if "\x00" in path or "\\" in path:
        return None
    segments = [segment for segment in path.split("/") if segment not in ("", ".")]
    if any(segment == ".." or segment[0] in "_." for segment in segments):
        return None
    return segments


def resolve_file(root: Path, path: str) -> Path | None:
    """The file under ``root`` that serves ``path`` ("/" and "/dir/" mean index.html), or None.

    ``root`` must already be resolved. A symlink pointing outside the root is refused
    like a ``..`` segment.
    """
    segments = path_segments(path)
    if segments is None:
        return None
    candidate = root.joinpath(*segments).resolve()
    if not candidate.is_relative_to(root):
        return None
    if candidate.is_dir():
        candidate = candidate / INDEX_FILE
    return candidate if candidate.is_file() else None


def relative_key(path: str) -> str:
    """The key of ``path`` in ``_headers.json``: relative to the root, no leading slash."""
    return path.lstrip("/")


def default_content_type(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _encoding = mimetypes.guess_type(file_name)
    return guessed or FALLBACK_CONTENT_TYPE


def fill_base_url(data: bytes, base_url: str) -> bytes:
    return data.replace(BASE_URL_PLACEHOLDER, base_url.encode("ascii"))


def is_templated(file_name: str) -> bool:
    return Path(file_name).suffix.lower() in TEMPLATED_SUFFIXES


def load_header_overrides(root: Path) -> dict[str, dict[str, object]]:
    """Read ``_headers.json`` (missing file: no overrides), keyed by path without leading slash."""
    headers_file = root / HEADERS_FILE
    if not headers_file.is_file():
        return {}
    raw = json.loads(headers_file.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not all(isinstance(value, dict) for value in raw.values()):
        raise ValueError(f"{headers_file}: expected an object of objects")
    return {relative_key(path): dict(headers) for path, headers in raw.items()}


def apply_overrides(
    status: int, headers: dict[str, str], overrides: Mapping[str, object], base_url: str
) -> int:
    """Apply one path's overrides to ``headers`` in place and return the status to send."""
    for name, value in overrides.items():
        if name == STATUS_KEY:
            status = int(value)
            continue
        existing = next((key for key in headers if key.lower() == name.lower()), None)
        if existing is not None:
            del headers[existing]
        if value is not None:
            headers[name] = fill_base_url(str(value).encode("latin-1"), base_url).decode("latin-1")
    return status


def build_response(root: Path, path: str, overrides: HeaderOverrides, base_url: str) -> Response:
    """The whole response for ``path``: pure apart from reading the file."""
    file = resolve_file(root, path)
    key = relative_key(path)
    if file is not None and key not in overrides and path.endswith("/"):
        # "/dir/" is configured under the name of the file that serves it.
        key = file.relative_to(root).as_posix()
    path_overrides = overrides.get(key, {}) if path_segments(path) is not None else {}

    if file is None and STATUS_KEY not in path_overrides:
        status, headers, body = 404, {"Content-Type": CONTENT_TYPES[".html"]}, NOT_FOUND_BODY
    elif file is None:
        status, headers, body = 200, {}, b""
    else:
        body = file.read_bytes()
        if is_templated(file.name):
            body = fill_base_url(body, base_url)
        status, headers = 200, {"Content-Type": default_content_type(file.name)}
    status = apply_overrides(status, headers, path_overrides, base_url)
    headers["Content-Length"] = str(len(body))
    return Response(status, tuple(headers.items()), body)


def directory_redirect(root: Path, path: str) -> str | None:
    """The "/dir/" to redirect to when ``path`` names a folder without its trailing slash."""
    if path.endswith("/"):
        return None
    segments = path_segments(path)
    if not segments:
        return None
    candidate = root.joinpath(*segments).resolve()
    if candidate.is_relative_to(root) and candidate.is_dir():
        return path + "/"
    return None


class FixtureHTTPServer(http.server.ThreadingHTTPServer):
    """A threading server that knows its root, its header overrides and its ``LocalSite``."""

    daemon_threads = True
    # A crawler opens many connections at once; the default backlog of 5 makes
    # the kernel drop SYNs and the client retry a second later.
    request_queue_size = 128

    def __init__(self, address, root: Path, overrides: HeaderOverrides):
        super().__init__(address, FixtureRequestHandler)
        self.root = root
        self.overrides = overrides
        self._overrides_stamp = headers_stamp(root)
        self._overrides_lock = threading.Lock()
        host, port = self.server_address[:2]
        self.site = LocalSite(f"http://{host}:{port}")

    def current_overrides(self) -> HeaderOverrides:
        """The header overrides, read again if ``_headers.json`` changed since last time."""
        stamp = headers_stamp(self.root)
        with self._overrides_lock:
            if stamp != self._overrides_stamp:
                self.overrides = load_header_overrides(self.root)
                self._overrides_stamp = stamp
            return self.overrides


def headers_stamp(root: Path) -> tuple[int, int] | None:
    """(mtime in ns, size) of ``_headers.json``, or None when there is none."""
    try:
        status = (root / HEADERS_FILE).stat()
    except FileNotFoundError:
        return None
    return status.st_mtime_ns, status.st_size


class FixtureRequestHandler(http.server.BaseHTTPRequestHandler):
    server: FixtureHTTPServer
    server_version = "FixtureHTTP/1.1"
    # Persistent connections, as news sites keep them: a crawl then pays for one
    # TCP connection per concurrent request slot, not one per page. Every
    # response carries a Content-Length, which keep-alive requires.
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        path = request_path(self.path)
        site = self.server.site
        site.record_hit(path)
        redirect = directory_redirect(self.server.root, path)
        if redirect is not None:
            response = Response(301, (("Location", site.url(redirect)), ("Content-Length", "0")), b"")
        else:
            response = build_response(self.server.root, path, self.server.current_overrides(), site.base_url)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args) -> None:
        # The default writes every request to stderr, which drowns test output.
        logger.debug("%s - " + format, self.address_string(), *args)


@contextlib.contextmanager
def serve_directory(root: Path | str, port: int = 0) -> Iterator[LocalSite]:
    """Serve ``root`` on http://127.0.0.1:<port> until the ``with`` block ends (port 0: one the OS picks).

    Yields a ``LocalSite`` with ``.base_url`` ("http://127.0.0.1:PORT", no trailing
    slash), ``.url(path)``, ``.hits`` and ``.reset_hits()``. On exit the server is shut
    down, its socket closed and its thread joined.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"not a directory: {root}")
    server = FixtureHTTPServer(("127.0.0.1", port), root, load_header_overrides(root))
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
        name=f"fixture-http-{root.name}",
        daemon=True,
    )
    thread.start()
    logger.debug("serving %s at %s", root, server.site.base_url)
    try:
        yield server.site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
