"""Remembers fetched pages that produced no item, so later runs skip them too.

A cron run should fetch almost nothing when nothing changed. Articles are
remembered by the writer once committed; this extension covers the rest:
listing pages, pages in another language, exact copies of stored articles
(all dropped for good reasons that a re-fetch would not change), and
articles re-fetched for a newer sitemap date whose text did not change
(their stored date moves forward; the URL they were fetched under, when it is
not the article's own, becomes an alias of it). Failed requests are not
remembered, so they are tried again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from itemadapter import ItemAdapter
from scrapy import signals

from crawler.crawl_state import state_store_of
from crawler.dates import parse_timestamp
from crawler.urls import canonicalize_url

logger = logging.getLogger(__name__)

REMEMBERED_DROPS = frozenset({"listing_page", "no_article_body", "not_arabic", "duplicate_exact", "empty_page"})
# Entries are written to the store in batches of this size, and at the end.
FLUSH_EVERY = 200


class VisitedPagesExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.visited: list[tuple[str, str, datetime | None]] = []
        self.unchanged: list[tuple[str, datetime]] = []
        self.aliases: list[tuple[str, str]] = []

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.flush, signal=signals.spider_closed)
        return extension

    def item_dropped(self, item, exception, **kwargs):
        reason = getattr(exception, "reason", None)
        adapter = ItemAdapter(item)
        discovered = parse_timestamp(adapter.get("discovered_date"))
        if reason in REMEMBERED_DROPS:
            self.visited.append((canonicalize_url(adapter["url"]), reason, discovered))
        elif reason == "unchanged":
            key = canonicalize_url(adapter.get("canonical_url") or adapter["url"])
            if discovered is not None:
                self.unchanged.append((key, discovered))
            url_key = canonicalize_url(adapter["url"])
            if url_key != key:
                # Another URL of a stored article (reached after it): remember it leads there.
                self.aliases.append((url_key, key))
        if len(self.visited) + len(self.unchanged) + len(self.aliases) >= FLUSH_EVERY:
            self.flush()

    def flush(self, **kwargs):
        if not (self.visited or self.unchanged or self.aliases):
            return
        store = state_store_of(self.crawler)
        store.record_visited(self.visited, datetime.now(timezone.utc))
        store.update_discovered(self.unchanged)
        for url_key, key in self.aliases:
            store.add_alias(url_key, key)
        self.visited, self.unchanged, self.aliases = [], [], []
