"""Discovery once per run across the cluster: only the node holding the lock discovers.

``DiscoveryLockMiddleware.process_start`` lets the spider's start requests (robots.txt,
sitemaps, feeds, section pages, ad-hoc URLs) through on the one node that takes the
run's discovery lock, and swallows them on every other node, which then only works
through the shared queue. The discovering node's own requests stay local (see
``crawler.cluster.scheduler``), so it can tell when discovery is finished: its start
requests are exhausted and no request of its own is queued, downloading or being parsed.
"""

from __future__ import annotations

import logging

from crawler.cluster.node import cluster_of

logger = logging.getLogger(__name__)


class DiscoveryLockMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        node = cluster_of(self.crawler)
        if node.stopping or not node.guard(node.coordinator.claim_discovery, default=False):
            state, holder = node.guard(node.coordinator.discovery_state, default=("unknown", None))
            logger.info(
                "Discovery of this run is %s%s; this node fetches from the shared queue",
                state, f" by node {holder}" if holder else "",
            )
            self.crawler.stats.set_value("news/cluster/discovered_elsewhere", 1)
            return
        logger.info("Node %s discovers for the cluster run", node.name)
        self.crawler.stats.set_value("news/cluster/discovered_here", 1)
        async for request in start:
            yield request
        node.start_exhausted = True


def own_work_in_flight(crawler) -> bool:
    """Whether this node still has requests of its own (``dont_filter``) queued or in hand."""
    engine = crawler.engine
    scheduler = engine._slot.scheduler if engine._slot is not None else None
    if scheduler is not None and scheduler.local.has_pending_requests():
        return True
    in_download = getattr(engine.downloader, "active", ())
    in_parse = getattr(getattr(engine.scraper, "slot", None), "active", ())
    return any(request.dont_filter for request in (*in_download, *in_parse))


async def rediscover(crawler) -> None:
    """Take over discovery mid-run (its node died or gave up): schedule the start requests."""
    node = cluster_of(crawler)
    async for request in crawler.spider.start():
        if node.stopping:
            return
        crawler.engine.crawl(request)
    node.start_exhausted = True
