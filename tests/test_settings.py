"""Tests for crawler.settings: values whose effect only shows in a running crawl."""

from __future__ import annotations

import asyncio

from crawler import settings as project_settings
from tests.crawling import run_crawl

# Long enough that items of responses downloaded together overlap in the pipelines.
PROBE_SECONDS = 0.3


class OverlapProbePipeline:
    """Counts how many items are inside the item pipelines at once (stat news_test/max_in_flight)."""

    def __init__(self, crawler):
        self.stats = crawler.stats
        self.in_flight = 0
        self.stats.set_value("news_test/concurrent_items", crawler.settings.getint("CONCURRENT_ITEMS"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item):
        self.in_flight += 1
        self.stats.max_value("news_test/max_in_flight", self.in_flight)
        try:
            await asyncio.sleep(PROBE_SECONDS)
        finally:
            self.in_flight -= 1
        return item


def test_items_of_different_responses_are_processed_concurrently(sample_site, tmp_path):
    """CONCURRENT_ITEMS bounds the items of ONE response (ours yield one each); items of
    different responses still go through the pipelines side by side."""
    pipelines = {**project_settings.ITEM_PIPELINES, f"{__name__}.OverlapProbePipeline": 50}
    result = run_crawl(tmp_path, {"ITEM_PIPELINES": pipelines}, sitemap=sample_site.url("/sitemap.xml"))
    assert result.stat("news_test/concurrent_items") == project_settings.CONCURRENT_ITEMS
    assert result.stat("item_scraped_count") + result.stat("item_dropped_count") >= 10
    assert result.stat("news_test/max_in_flight") > project_settings.CONCURRENT_ITEMS


def test_the_crawls_stats_collector_counts_like_scrapys():
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from crawler.stats import PlainStatsCollector, count

    crawler = get_crawler(settings_dict={"STATS_CLASS": project_settings.STATS_CLASS})
    stats = crawler.stats
    reference = MemoryStatsCollector(crawler)

    assert type(stats) is PlainStatsCollector
    for collector in (stats, reference):
        count(collector, "written", "site-a")
        count(collector, "written", "site-a", amount=2)
        collector.max_value("peak", 3)
        collector.max_value("peak", 2)
        collector.min_value("low", 3)
        collector.min_value("low", 1)
    assert stats.get_stats() == reference.get_stats()
    assert stats.get_value("news/source/site-a/written") == 3
    stats.inc_value("legacy", spider=None)  # the deprecated argument is still taken, without a warning
    assert stats.get_value("legacy") == 1
