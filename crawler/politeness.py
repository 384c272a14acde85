"""robots.txt ``Crawl-delay``, applied: the floor of the site's download slot, one request at a time.

Scrapy parses ``Crawl-delay`` (``crawl_delay()`` on its robots.txt parsers,
sent with the ``robots_parsed`` signal) but never applies it. Many news sites
set it, and it is the one pace their owners ask for, so:

- the host's download slot gets the delay as its delay, with no jitter (Scrapy's
  ±50% jitter would halve the gap the site asked for) and concurrency 1, and
  ``DOWNLOAD_SLOTS`` gets the same entry, so a slot created again after Scrapy's
  idle-slot clean-up starts that way;
- AutoThrottle keeps adjusting the slot's delay from latencies, but only above the
  floor: AutoThrottle (2.19) floors every slot at ``DOWNLOAD_DELAY`` alone, so
  this extension puts the floor back after each of its adjustments. It listens to
  ``response_downloaded`` after AutoThrottle does (extensions connect in priority
  order and AutoThrottle's is 0 in ``EXTENSIONS_BASE``), and again when a request
  reaches the downloader, before the slot's queue is looked at.

A delay above ``NEWS_CRAWL_DELAY_MAX`` (a site asking for one page an hour)
is capped there, with a warning, so one site cannot hold the run for days.
Stats: ``news/robots/crawl_delay_hosts`` (hosts that set one, per source too) and
``news/robots/crawl_delay/HOST`` (the seconds applied).
``NEWS_OBEY_CRAWL_DELAY = False`` switches it off.
"""

from __future__ import annotations

import logging
import math

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.stats import PREFIX, count

logger = logging.getLogger(__name__)

DEFAULT_MAX_CRAWL_DELAY = 30.0


def crawl_delay_of(parser, user_agent: str | bytes) -> float | None:
    """The Crawl-delay (seconds) robots.txt sets for ``user_agent``, or None (none, or not a usable number)."""
    try:
        delay = parser.crawl_delay(user_agent)
    except (AttributeError, TypeError, ValueError):
        return None  # a parser without crawl_delay(), or one that chokes on the value
    if delay is None:
        return None
    try:
        delay = float(delay)
    except (TypeError, ValueError):
        return None
    return delay if math.isfinite(delay) and delay > 0 else None


def applied_delay(crawl_delay: float, maximum: float) -> float:
    return min(crawl_delay, maximum)


def slot_settings(delay: float) -> dict:
    """The ``DOWNLOAD_SLOTS`` entry of a host with a Crawl-delay."""
    return {"concurrency": 1, "delay": delay, "jitter": 0.0}


def floored(slot, minimum: float) -> None:
    """Make ``slot`` (a downloader slot) wait at least ``minimum`` seconds between requests, one at a time."""
    slot.delay = max(slot.delay, minimum)
    slot.jitter = 0.0
    slot.concurrency = 1


class CrawlDelayExtension:
    """Applies robots.txt Crawl-delay to the downloader (see the module docstring)."""

    def __init__(self, crawler, maximum: float):
        self.crawler = crawler
        self.maximum = maximum
        settings = crawler.settings
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or None
        self.default_user_agent = settings.get("USER_AGENT")
        self.floors: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not (settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("NEWS_OBEY_CRAWL_DELAY", True)):
            raise NotConfigured
        extension = cls(crawler, settings.getfloat("NEWS_CRAWL_DELAY_MAX", DEFAULT_MAX_CRAWL_DELAY))
        crawler.signals.connect(extension.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(extension.keep_floor, signal=signals.response_downloaded)
        crawler.signals.connect(extension.keep_floor, signal=signals.request_reached_downloader)
        return extension

    def robots_parsed(self, robotparser, request):
        # The user agent robots.txt rules are matched against, as RobotsTxtMiddleware does.
        user_agent = self.user_agent or request.headers.get(b"User-Agent") or self.default_user_agent
        delay = crawl_delay_of(robotparser, user_agent)
        if delay is None:
            return
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        applied = applied_delay(delay, self.maximum)
        if applied < delay:
            logger.warning("%s asks for Crawl-delay %s s; using NEWS_CRAWL_DELAY_MAX = %s s", key, delay, applied)
        if key not in self.floors:
            count(self.crawler.stats, "robots/crawl_delay_hosts", request.meta.get("source"))
            logger.info("Crawl-delay %s s for %s (robots.txt): one request at a time", applied, key)
        self.floors[key] = applied
        self.crawler.stats.set_value(f"{PREFIX}/robots/crawl_delay/{key}", applied)
        downloader.per_slot_settings[key] = {**downloader.per_slot_settings.get(key, {}), **slot_settings(applied)}
        slot = downloader.slots.get(key)
        if slot is not None:
            floored(slot, applied)

    def keep_floor(self, request, **_):
        if not self.floors:
            return
        key = request.meta.get("download_slot")
        minimum = self.floors.get(key) if key is not None else None
        if minimum is None:
            return
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None and slot.delay < minimum:
            slot.delay = minimum
