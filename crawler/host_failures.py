"""A host that cannot be reached is said once, with its reason, and then only counted.

Without network a crawl fails every request the same way: Scrapy logs each give-up of the
retry middleware and each robots.txt failure (with a full traceback), and the spider one
line per request, thousands of lines that say one thing. Here a failed download gets a
short reason (``dns``, ``refused``, ``timeout``, ``tls``, ``connection``; ``http_404``
and the like come from the spider), counted as ``news/errors/REASON`` per source; the
first failure of a host for a reason is logged at WARNING, every failure at INFO (the
run log keeps them; the console shows WARNING and up by default).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
)
from twisted.internet import error as twisted_errors

# reason -> exception types, checked in this order.
FAILURE_KINDS = (
    ("dns", (CannotResolveHostError, twisted_errors.DNSLookupError)),
    ("refused", (DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError, ConnectionRefusedError)),
    ("timeout", (DownloadTimeoutError, twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError, TimeoutError)),
)
# Words by which a failed TLS handshake shows in the exception text (OpenSSL and Twisted
# wrap it in ResponseFailed / DownloadFailedError or a plain ConnectionLost).
TLS_WORDS = ("ssl", "tls", "certificate", "handshake")
CONNECTION_ERRORS = (
    DownloadFailedError,
    twisted_errors.ConnectError,
    twisted_errors.ConnectionLost,
    twisted_errors.ConnectionDone,
    ConnectionError,
)
WHAT = {
    "dns": "its name does not resolve",
    "refused": "it refuses connections",
    "timeout": "it does not answer in time",
    "tls": "the TLS handshake failed",
    "connection": "the connection failed",
}


def failure_kind(exception: BaseException) -> str | None:
    """The short reason of a network failure, or None when the exception is not one."""
    for kind, types in FAILURE_KINDS:
        if isinstance(exception, types):
            return kind
    text = f"{type(exception).__name__} {exception}".lower()
    if any(word in text for word in TLS_WORDS) and (isinstance(exception, CONNECTION_ERRORS) or "ssl" in type(exception).__module__.lower()):
        return "tls"
    if isinstance(exception, CONNECTION_ERRORS):
        return "connection"
    return None


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url


class HostFailures:
    """Remembers which (host, reason) pairs were logged already, for one crawl."""

    def __init__(self):
        self.reported: set[tuple[str, str]] = set()

    def is_first(self, url: str, kind: str) -> bool:
        key = (host_of(url), kind)
        if key in self.reported:
            return False
        self.reported.add(key)
        return True

    def log(self, logger: logging.Logger, url: str, reason: str, detail: object) -> None:
        """Every failure at INFO (the run log); a host's first failure for a reason at WARNING."""
        if self.is_first(url, reason):
            what = WHAT.get(reason, f"request failed ({reason})")
            logger.warning(
                "Host %s: %s (%s); its further failures are only counted, as news/errors/%s",
                host_of(url), what, detail, reason,
            )
        logger.info("Request failed (%s): %s", reason, url)


def host_failures_of(crawler) -> HostFailures:
    if not hasattr(crawler, "news_host_failures"):
        crawler.news_host_failures = HostFailures()
    return crawler.news_host_failures
