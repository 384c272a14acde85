"""Language pipeline: keep Arabic, drop everything else (Persian and Urdu included) with a stat."""

from __future__ import annotations

from itemadapter import ItemAdapter

from crawler.article import language_fields
from crawler.extract import NotAnArticle
from crawler.stats import drop


class LanguagePipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        detected = (adapter.get("language"), adapter.get("language_score") or 0.0)
        try:
            fields = language_fields(adapter.get("text") or "", detected)
        except NotAnArticle as exc:
            raise drop(self.crawler.stats, exc.reason, adapter.get("source"), exc.detail) from None
        adapter.update(fields)
        return item
