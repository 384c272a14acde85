"""Scrapy components that make failures visible and polite.

- ``RetryAfterMiddleware``: a 429 or 503 with ``Retry-After`` is retried only
  after the delay the server asked for (capped), not at once.
- ``CountingDupeFilter``: a redirect that leads back to an already fetched URL
  (a redirect loop) is counted and logged, not dropped in silence.
- ``HeadMetaRefreshMiddleware``: Scrapy's meta-refresh redirects, without decoding
  the whole page to read its first 4096 characters.
- ``QuietRobotsTxtMiddleware``: Scrapy's robots.txt middleware, with a robots.txt that
  cannot be downloaded said once per host and reason (``crawler.host_failures``), not
  as an ERROR with a full traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.httpobj import urlparse_cached
from w3lib import html
from w3lib.encoding import html_to_unicode

from crawler.host_failures import failure_kind, host_failures_of
from crawler.request_fingerprints import FingerprintSet
from crawler.stats import count

logger = logging.getLogger(__name__)

# Longer waits are capped: a cron run has a time budget, and the retry
# middleware gives up after RETRY_TIMES anyway.
RETRY_AFTER_MAX_SECONDS = 60.0
RETRY_AFTER_STATUSES = (429, 503)

# Scrapy looks for <meta http-equiv="refresh"> and <base href> in this many characters
# of the decoded page (scrapy.utils.response.get_meta_refresh and get_base_url).
META_REFRESH_SCAN_CHARACTERS = 4096
# Bytes decoded to get those characters: no encoding Scrapy decodes pages with spends
# more than 4 bytes on a character, so 4 x 4096 is enough unless the page is odd
# (escape sequences, say), and then the whole body is decoded as before.
HEAD_BYTES = 4 * META_REFRESH_SCAN_CHARACTERS
# A body cut mid-character ends in a few replacement characters that the whole body
# would decode differently; characters this far before the cut are decoded exactly.
CUT_MARGIN_CHARACTERS = 16
WEB_SCHEMES = frozenset({"http", "https"})


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        seconds = float(text)
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_MAX_SECONDS)


class RetryAfterMiddleware(RetryMiddleware):
    async def process_response(self, request, response, spider=None):
        if response.status in RETRY_AFTER_STATUSES and not request.meta.get("dont_retry", False):
            delay = retry_after_seconds(response.headers.get(b"Retry-After"))
            if delay:
                logger.info("%s answered %d; waiting %.0fs as Retry-After asks", request.url, response.status, delay)
                await asyncio.sleep(delay)
        return super().process_response(request, response)


class CountingDupeFilter(RFPDupeFilter):
    """Scrapy's dupefilter with its fingerprints on disk (``FingerprintSet``), not in a
    set that grows with every request, and filtered redirect loops counted. With JOBDIR,
    the fingerprints of the paused job are read from its requests.seen as before."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        loaded, self._fingerprints = self._fingerprints, FingerprintSet()
        self._fingerprints.update(loaded)

    def close(self, reason: str) -> None:
        super().close(reason)
        self._fingerprints.close()

    @classmethod
    def from_crawler(cls, crawler):
        dupefilter = super().from_crawler(crawler)
        dupefilter.stats = crawler.stats
        return dupefilter

    def log(self, request, spider):
        count_redirect_loop(self.stats, request)
        super().log(request, spider)


def count_redirect_loop(stats, request) -> None:
    """A filtered request reached by redirects is a redirect loop: count it and say so."""
    redirects = request.meta.get("redirect_urls")
    if redirects:
        count(stats, "errors/redirect_loop", request.meta.get("source"))
        logger.warning("Redirect loop: %s redirects back to %s; giving up", redirects[0], request.url)


def head_text(response: TextResponse, characters: int = META_REFRESH_SCAN_CHARACTERS) -> str:
    """``response.text[:characters]``, decoding only the head of the body when that suffices.

    The head is decoded exactly as ``TextResponse.text`` decodes the whole body (same
    w3lib call, same encoding: BOM, Content-Type charset, or the one a meta tag in the
    first 4096 bytes declares), so the characters are the same.
    """
    body = response.body
    head_bytes = max(HEAD_BYTES, 4 * characters)
    if len(body) > head_bytes:
        head = html_to_unicode(f"charset={response.encoding}", body[:head_bytes])[1]
        if len(head) >= characters + CUT_MARGIN_CHARACTERS:
            return head[:characters]
    return response.text[:characters]


def meta_refresh_of(response: TextResponse, ignore_tags: Iterable[str]) -> tuple[None, None] | tuple[float, str]:
    """(interval, absolute URL) of the page's meta refresh, or (None, None); as Scrapy's
    ``get_meta_refresh``, which reads the same characters after decoding the whole page."""
    text = head_text(response)
    # Whether a refresh is declared does not depend on the base URL, which only
    # resolves the one found; most pages have none, so skip working it out for them.
    if html.get_meta_refresh(text, "", response.encoding, ignore_tags=ignore_tags) == (None, None):
        return None, None
    base_url = html.get_base_url(text, response.url, response.encoding)
    return html.get_meta_refresh(text, base_url, response.encoding, ignore_tags=ignore_tags)


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's ``MetaRefreshMiddleware`` (same settings, stats and redirects) that
    decodes a few kB of each page instead of all of it: most article pages are
    50-600 kB and have no meta refresh, and the crawl never needs their text here."""

    def process_response(self, request, response, spider=None):
        if (
            request.meta.get("dont_redirect", False)
            or request.method == "HEAD"
            or not isinstance(response, HtmlResponse)
            or urlparse_cached(request).scheme not in WEB_SCHEMES
        ):
            return response
        interval, url = meta_refresh_of(response, self._ignore_tags)
        if not url:
            return response
        redirected = self._redirect_request_using_get(request, response, url)
        if urlparse_cached(redirected).scheme not in WEB_SCHEMES:
            return response
        if interval < self._maxdelay:
            return self._redirect(redirected, request, "meta refresh")
        return response


class QuietRobotsTxtMiddleware(RobotsTxtMiddleware):
    """``RobotsTxtMiddleware.robot_parser`` as in Scrapy 2.19, but a failed robots.txt
    download is reported through ``crawler.host_failures`` (one WARNING per host and
    reason, counted as ``robots_txt/errors/REASON``) instead of an ERROR with a traceback,
    and every request that waited for the download is checked against its rules."""

    async def robot_parser(self, request):
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robotsurl = f"{url.scheme}://{url.netloc}/robots.txt"
            robotsreq = Request(robotsurl, priority=self.DOWNLOAD_PRIORITY, meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
            try:
                resp = await self.crawler.engine.download_async(robotsreq)
                await self._parse_robots(resp, netloc, request)
            except Exception as e:
                self.report_failure(robotsreq, e, request.meta.get("source"))
                self._robots_error(e, netloc)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            # Scrapy returns what the shared Deferred gives, but each waiter's asFuture
            # callback returns None to the next one: the second request waiting on a
            # robots.txt download got the rules, the third and later ones got "no rules"
            # and were fetched even where robots.txt disallows them. The parser is in
            # _parsers before the Deferred fires, so every waiter reads it from there.
            await maybe_deferred_to_future(parser)
            return self._parsers[netloc]
        return parser

    def report_failure(self, robots_request, exception: Exception, source: str | None) -> None:
        if isinstance(exception, IgnoreRequest):
            return
        # Whatever failed the download (the network, or a URL Scrapy's handler refuses) is
        # about the host, not a bug of ours: no traceback.
        kind = failure_kind(exception) or type(exception).__name__
        # Not under errors/: the pages of a host without robots.txt may still be fetched.
        count(self.crawler.stats, f"robots_txt/errors/{kind}", source)
        host_failures_of(self.crawler).log(logger, robots_request.url, kind, exception)
