"""The node's scheduler: shared work through scrapy-redis, the node's own work kept local.

A request that goes through the duplicate filter (an article, a listing page reached by a
link) is work any node can do: it goes to scrapy-redis' priority queue and fingerprint set
in Redis, so each is fetched once by whichever node pops it. A request that bypasses the
filter (``dont_filter``: the discovery documents the discovering node fetches fresh every
run, and retries) stays in this node's own Scrapy scheduler: a retry belongs to the node
that failed it, and discovery to the node that holds the lock.

The node joins the cluster run when this scheduler opens, before the pipelines open, so
that the writer knows which nodes are alive when it cleans up unfinished files. Any Redis
error stops the node through ``crawler.cluster.outage``; the request is then left to the
next run, which discovers it again.
"""

from __future__ import annotations

import logging

from scrapy.core.scheduler import BaseScheduler, Scheduler
from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue

from crawler.cluster.files import files_to_take_over, node_of_file
from crawler.cluster.node import cluster_of
from crawler.middlewares import count_redirect_loop

logger = logging.getLogger(__name__)


class ClusterDupeFilter(RFPDupeFilter):
    """scrapy-redis' fingerprint set, counting redirect loops as ``CountingDupeFilter`` does."""

    def __init__(self, server, key, stats, debug=False):
        super().__init__(server, key, debug)
        self.stats = stats

    def log(self, request, spider):
        count_redirect_loop(self.stats, request)
        super().log(request, spider)


class ClusterScheduler(BaseScheduler):
    def __init__(self, crawler, local: Scheduler):
        self.crawler = crawler
        self.local = local
        self.cluster = cluster_of(crawler)
        self.stats = crawler.stats
        self.queue: PriorityQueue | None = None
        self.dupefilter: ClusterDupeFilter | None = None
        self.spider = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, Scheduler.from_crawler(crawler))

    def open(self, spider):
        self.spider = spider
        self.cluster.join()
        own = self.cluster.name
        live = None if self.cluster.stopping else self.cluster.guard(self.cluster.coordinator.live_nodes, default=None)
        if self.cluster.coordinator.membership is None:
            # Not in the run (its name is taken, or Redis is gone): touch no file at all.
            self.crawler.news_files_to_take_over = lambda path: False
        elif live is None:
            self.crawler.news_files_to_take_over = lambda path: node_of_file(path) == own
        else:
            self.crawler.news_files_to_take_over = files_to_take_over(own, live)
        client = self.cluster.redis
        self.queue = PriorityQueue(client, spider, self.cluster.coordinator.key("requests"), serializer=picklecompat)
        self.dupefilter = ClusterDupeFilter(client, self.cluster.coordinator.key("dupefilter"), self.stats)
        queued = self.cluster.guard(self.queue.__len__, default=0)
        if queued:
            logger.info("%d requests already in the shared queue", queued)
        return self.local.open(spider)

    def close(self, reason):
        # The queue and the fingerprints belong to the run, not to this node: other nodes
        # go on with them, and the node that opens the next run empties them.
        return self.local.close(reason)

    def has_pending_requests(self) -> bool:
        if self.local.has_pending_requests():
            return True
        if self.cluster.stopping:
            return False
        return self.cluster.guard(lambda: len(self.queue) > 0, default=False)

    def enqueue_request(self, request) -> bool:
        if request.dont_filter:
            return self.local.enqueue_request(request)
        if self.cluster.stopping:
            return False  # not queued and not recorded: the next run discovers it again
        return self.cluster.guard(lambda: self._share(request), default=False)

    def _share(self, request) -> bool:
        if self.dupefilter.request_seen(request):
            self.dupefilter.log(request, self.spider)
            return False
        self.queue.push(request)
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        request = self.local.next_request()
        if request is not None or self.cluster.stopping:
            return request
        request = self.cluster.guard(self.queue.pop, default=None)
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def __len__(self) -> int:
        shared = 0 if self.cluster.stopping else self.cluster.guard(self.queue.__len__, default=0)
        return len(self.local) + shared
