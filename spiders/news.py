"""The ``news`` spider: discovers article pages and hands their HTML to the pipelines.

Usage::

    scrapy crawl news                              # every enabled source in crawler/sources.toml
    scrapy crawl news -a source=youm7,hespress     # some of them
    scrapy crawl news -a sitemap=URL[,URL...]      # ad hoc, no registry entry
    scrapy crawl news -a feed=URL[,URL...]
    scrapy crawl news -a url=URL[,URL...]          # article pages, or listings to follow
    ... -a since=2025-01-31                        # skip entries dated earlier

The spider only discovers and fetches. Extraction, language, normalization,
dedup and writing are item pipelines, so one saved page and one crawled page
go through the same code.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawler import discovery
from crawler.crawl_state import state_store_of
from crawler.host_failures import failure_kind, host_failures_of
from crawler.items import article_item
from crawler.metadata import is_article_page, json_ld_objects, meta_tags
from crawler.sources import Source, SourceConfigError, load_sources, select_sources
from crawler.stats import count
from crawler.urls import canonicalize_url
from spiders.news_arguments import parse_news_arguments

logger = logging.getLogger(__name__)

HTML_CONTENT_TYPES = (b"text/html", b"application/xhtml+xml")


def robots_urls(source: Source) -> list[str]:
    """robots.txt of each site the source's discovery URLs are on."""
    origins = {}
    for url in (*source.sitemaps, *source.feeds, *source.sections):
        parts = urlsplit(url)
        origins.setdefault(f"{parts.scheme}://{parts.netloc}", None)
    return [f"{origin}/robots.txt" for origin in origins]


def is_html(response: Response) -> bool:
    content_type = response.headers.get(b"Content-Type", b"").lower()
    if content_type:
        return content_type.split(b";")[0].strip() in HTML_CONTENT_TYPES
    return isinstance(response, TextResponse) and b"<html" in response.body[:2048].lower()


def failure_reason(failure, shutting_down: bool = False) -> str:
    """A stat-friendly name for why a request failed."""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    # Scrapy ignores a response past DOWNLOAD_MAXSIZE (also a compressed body
    # that inflates past it) with a message naming the max size, and cancels a
    # streamed body that passes it; outside a shutdown nothing else cancels.
    message = str(failure.value).lower()
    if "max size" in message or "maxsize" in message or (failure.check(DownloadCancelledError) and not shutting_down):
        return "too_large"
    # dns, refused, timeout, tls, connection: one name per cause, whichever layer raised it.
    return failure_kind(failure.value) or type(failure.value).__name__


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, *args, **kwargs):
        # Every -a argument is checked here (and by the commands, before they start a
        # crawl): an unknown name or a bad value raises SpiderArgumentError in one line.
        arguments = parse_news_arguments(kwargs)
        super().__init__(*args)
        self.since = arguments.since
        self.listing_depth = arguments.listing_depth
        self.adhoc_sitemaps = list(arguments.sitemaps)
        self.adhoc_feeds = list(arguments.feeds)
        self.adhoc_pages = list(arguments.pages)
        adhoc_urls = arguments.adhoc_urls
        self.is_adhoc = bool(adhoc_urls)
        if self.is_adhoc:
            self.sources = [Source.adhoc(adhoc_urls)]
        else:
            self.sources = select_sources(load_sources(arguments.sources_file), arguments.source)
        if not self.sources:
            raise SourceConfigError("no enabled source to crawl", field="source")
        self.allowed_domains = sorted({domain for s in self.sources for domain in s.domains})
        self._sources_by_name = {s.name: s for s in self.sources}

    # --- start -----------------------------------------------------------

    async def start(self):
        if self.is_adhoc:
            source = self.sources[0]
            for url in self.adhoc_sitemaps:
                yield self._request(url, self.parse_sitemap, source)
            for url in self.adhoc_feeds:
                yield self._request(url, self.parse_feed, source)
            for url in self.adhoc_pages:
                yield self._request(url, self.parse_page, source, listing_depth=0)
            return
        now = datetime.now(timezone.utc)
        for source in self.sources:
            if self.settings.getbool("NEWS_ROBOTS_SITEMAPS", True):
                for url in robots_urls(source):
                    yield self._request(url, self.parse_robots, source, errback=self.on_robots_error)
            # Date templates (/Sitemap/{y}/{m}/{d}) become one sitemap per day of the window.
            for url in source.sitemap_urls(self.since_for(source), now):
                yield self._request(url, self.parse_sitemap, source)
            for url in source.feeds:
                yield self._request(url, self.parse_feed, source)
            for url in source.sections:
                yield self._request(url, self.parse_listing, source, listing_depth=0)

    def _request(self, url: str, callback, source: Source, errback=None, **meta) -> scrapy.Request:
        # Discovery documents are always fetched fresh and never deduplicated
        # away: they are how a cron run learns what is new.
        return scrapy.Request(
            url,
            callback=callback,
            errback=errback or self.on_error,
            dont_filter=True,
            meta={"source": source.name, **meta},
        )

    def _article_request(
        self, url: str, source: Source, discovered: datetime | None, discovered_as_stated: str | None = None
    ) -> scrapy.Request | None:
        """A request for an article page, or None when an earlier run already has it.

        A known article is fetched again only when its sitemap or feed date is
        newer than the one stored with it (``StateStore.should_fetch``). The item
        gets the date as the document stated it: its UTC offset places a page time
        written without one.
        """
        if not state_store_of(self.crawler).should_fetch(canonicalize_url(url), discovered):
            self.count("discovery/skipped_known", source)
            return None
        return self._new_article_request(url, source, discovered, discovered_as_stated)

    def _article_requests(self, entries: list, source: Source) -> list[scrapy.Request]:
        """``_article_request`` for many (url, discovered, discovered_as_stated) at once: one
        batched state lookup (``should_fetch_many``) for a whole sitemap instead of one per URL."""
        wanted = state_store_of(self.crawler).should_fetch_many(
            [(canonicalize_url(url), discovered) for url, discovered, _ in entries]
        )
        requests = []
        for (url, discovered, as_stated), fetch in zip(entries, wanted):
            if fetch:
                requests.append(self._new_article_request(url, source, discovered, as_stated))
        if skipped := len(entries) - len(requests):
            self.count("discovery/skipped_known", source, skipped)
        return requests

    def _new_article_request(
        self, url: str, source: Source, discovered: datetime | None, discovered_as_stated: str | None
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            meta={
                "source": source.name,
                "discovered_date": discovered_as_stated or (discovered.isoformat() if discovered else None),
            },
        )

    def source_of(self, response: Response) -> Source:
        return self._sources_by_name[response.meta["source"]]

    def since_for(self, source: Source) -> datetime | None:
        if self.since is not None or self.is_adhoc:
            return self.since
        if source.lookback_days:
            return datetime.now(timezone.utc) - timedelta(days=source.lookback_days)
        return None

    def is_too_old(self, source: Source, date: datetime | None) -> bool:
        since = self.since_for(source)
        return bool(since and date and date < since)

    def count(self, key: str, source: Source | None = None, times: int = 1) -> None:
        count(self.crawler.stats, key, source.name if source is not None else None, times)

    def wants_article(self, source: Source, url: str, from_listing: bool = False) -> bool:
        """Whether to fetch ``url`` as an article candidate.

        Sources with article patterns use them. Without patterns (ad-hoc
        crawls), sitemap and feed entries are all candidates, since those
        documents list content pages; links found on listing pages must also
        look like article URLs, or every navigation link would be fetched.
        """
        if not source.owns_url(url):
            return False
        if source.article_patterns:
            return source.is_article_url(url)
        return not from_listing or discovery.looks_like_article_url(url)

    # --- discovery callbacks ----------------------------------------------

    def parse_sitemap(self, response: Response):
        source = self.source_of(response)
        try:
            sitemap = discovery.parse_sitemap(response.body, response.url)
        except discovery.DecompressionError as exc:
            logger.warning("Unreadable sitemap %s: %s", response.url, exc)
            self.count("discovery/sitemap_unreadable", source)
            return
        if sitemap.kind == "invalid":
            logger.warning("Not a sitemap (no urlset or sitemapindex): %s", response.url)
            self.count("discovery/sitemap_unreadable", source)
            return
        self.count("discovery/sitemaps", source)
        articles, counts = [], Counter()
        for entry in sitemap.entries:
            best_date = entry.best_date
            if self.is_too_old(source, best_date):
                counts["discovery/skipped_too_old"] += 1
                continue
            if sitemap.kind == "index":
                if source.owns_url(entry.loc):
                    yield self._request(entry.loc, self.parse_sitemap, source)
            elif self.wants_article(source, entry.loc):
                counts["discovery/article_urls"] += 1
                articles.append((entry.loc, best_date, entry.best_date_as_stated))
            else:
                counts["discovery/skipped_not_article"] += 1
        # One stats update per counter for the whole sitemap, not four per URL.
        for key, times in counts.items():
            self.count(key, source, times)
        if articles:
            yield from self._article_requests(articles, source)

    def parse_robots(self, response: Response):
        """Sitemaps a site declares in robots.txt, beyond those in the registry."""
        source = self.source_of(response)
        known = set(source.sitemap_urls(self.since_for(source), datetime.now(timezone.utc)))
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        for url in discovery.sitemaps_from_robots(text, response.url):
            if url not in known and source.owns_url(url):
                self.count("discovery/robots_sitemaps", source)
                yield self._request(url, self.parse_sitemap, source)

    def parse_feed(self, response: Response):
        source = self.source_of(response)
        entries = discovery.parse_feed(response.body, response.url)
        self.count("discovery/feeds", source)
        if not entries:
            logger.warning("Feed without readable entries: %s", response.url)
        for entry in entries:
            if self.is_too_old(source, entry.published):
                self.count("discovery/skipped_too_old", source)
            elif self.wants_article(source, entry.link):
                self.count("discovery/article_urls", source)
                if request := self._article_request(entry.link, source, entry.published, entry.published_as_stated):
                    yield request
            else:
                self.count("discovery/skipped_not_article", source)

    def parse_listing(self, response: Response):
        """A section or home page: follow article links, and listing links up to a depth."""
        source = self.source_of(response)
        if not isinstance(response, TextResponse):
            return
        depth = response.meta.get("listing_depth", 0)
        self.count("discovery/listings", source)
        for link in discovery.page_links(response.xpath("//a/@href").getall(), response.url):
            if not source.owns_url(link):
                continue
            if self.wants_article(source, link, from_listing=True):
                self.count("discovery/article_urls", source)
                if request := self._article_request(link, source, None):
                    yield request
                continue
            # Navigation, tags, pagination: how many links do not look like stories tells
            # the health report when a site's story URLs stop matching its patterns.
            self.count("discovery/listing_links_other", source)
            if depth < self.listing_depth:
                yield scrapy.Request(
                    link,
                    callback=self.parse_listing,
                    errback=self.on_error,
                    meta={"source": source.name, "listing_depth": depth + 1},
                )

    def parse_page(self, response: Response):
        """An ad-hoc ``url=`` page: extract it if it is an article, follow it if it is a listing.

        A page given by URL and reached is what the crawl was asked to discover: it counts
        as a discovery document (``discovery/url_pages``; a listing counts as ``listings``
        instead), so an article URL that was fetched makes a successful run.
        """
        if not is_html(response) or not isinstance(response, TextResponse):
            self.count("discovery/url_pages", self.source_of(response))
            yield from self.parse_article(response)
            return
        tree_says = is_article_page(meta_tags(response.selector.root), json_ld_objects(response.selector.root))
        if tree_says is True:
            self.count("discovery/url_pages", self.source_of(response))
        if tree_says is not False:
            yield from self.parse_article(response)
        if tree_says is not True:
            yield from self.parse_listing(response)

    # --- articles ----------------------------------------------------------

    def parse_article(self, response: Response):
        source = self.source_of(response)
        self.count("pages_fetched", source)
        if not is_html(response) or not isinstance(response, TextResponse):
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or "none"
            logger.info("Dropped %s: not HTML (Content-Type %s)", response.url, content_type)
            self.count("dropped/not_html", source)
            return
        yield article_item(
            response.url,
            source,
            response.body,
            response.headers.get(b"Content-Type", b"").decode("latin-1") or None,
            datetime.now(timezone.utc),
            discovered_date=response.meta.get("discovered_date"),
        )

    def on_robots_error(self, failure):
        # Many sites have no robots.txt; that is not a crawl error.
        logger.debug("No robots.txt sitemaps from %s: %s", failure.request.url, failure.value)

    def on_error(self, failure):
        request = failure.request
        source = self._sources_by_name.get(request.meta.get("source"))
        engine = getattr(self.crawler, "engine", None)
        reason = failure_reason(failure, shutting_down=bool(engine and not engine.running))
        host_failures_of(self.crawler).log(logger, request.url, reason, failure.value)
        self.count(f"errors/{reason}", source)
