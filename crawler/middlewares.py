"""Scrapy components that make failures visible and polite.

- ``RetryAfterMiddleware``: a 429 or 503 with ``Retry-After`` is retried only
  after the delay the server asked for (capped), not at once.
- ``CountingDupeFilter``: a redirect that leads back to an already fetched URL
  (a redirect loop) is counted and logged, not dropped in silence.
"""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.dupefilters import RFPDupeFilter

from crawler.stats import count

logger = logging.getLogger(__name__)

# Longer waits are capped: a cron run has a time budget, and the retry
# middleware gives up after RETRY_TIMES anyway.
RETRY_AFTER_MAX_SECONDS = 60.0
RETRY_AFTER_STATUSES = (429, 503)


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
    @classmethod
    def from_crawler(cls, crawler):
        dupefilter = super().from_crawler(crawler)
        dupefilter.stats = crawler.stats
        return dupefilter

    def log(self, request, spider):
        redirects = request.meta.get("redirect_urls")
        if redirects:
            source = request.meta.get("source")
            count(self.stats, "errors/redirect_loop", source)
            logger.warning("Redirect loop: %s redirects back to %s; giving up", redirects[0], request.url)
        super().log(request, spider)
