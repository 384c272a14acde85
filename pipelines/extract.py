"""Extract pipeline: raw HTML in the item becomes article fields, or the item is dropped."""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from crawler.extract import ExtractOptions, NotAnArticle, extract_article
from crawler.stats import count, drop

logger = logging.getLogger(__name__)


class ExtractPipeline:
    def __init__(self, crawler, min_words: int):
        self.crawler = crawler
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getint("EXTRACT_MIN_WORDS"))

    def process_item(self, item):
        adapter = ItemAdapter(item)
        html = adapter.pop("html", None) or ""
        options = ExtractOptions(
            prune_xpath=adapter.get("prune_xpath"),
            site_names=tuple(adapter.get("site_names") or ()),
            min_words=self.min_words,
        )
        try:
            fields = extract_article(html, adapter["url"], options)
        except NotAnArticle as exc:
            raise drop(self.crawler.stats, exc.reason, adapter.get("source"), exc.detail) from None
        for name, value in fields.items():
            adapter[name] = value
        if not adapter.get("canonical_url"):
            adapter["canonical_url"] = adapter["url"]
        count(self.crawler.stats, "extracted", adapter.get("source"))
        return item
