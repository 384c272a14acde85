"""Politeness across the cluster: a site sees no more than one machine would give it.

Each node's Scrapy downloader keeps its own per-site limits (``CONCURRENT_REQUESTS_PER_DOMAIN``
or a ``DOWNLOAD_SLOTS`` entry, and the delay that ``DOWNLOAD_DELAY`` or AutoThrottle
sets). Without more, N nodes would give a site N times that. ``PoliteClusterDownloadHandler``
wraps the HTTP handler: right before a request goes on the wire it takes a *lease* for its
download slot in Redis (``gate:SLOT``, a sorted set of leases by expiry), granted only
while fewer leases than the slot's concurrency are out and the slot's delay has passed
since the last grant anywhere in the cluster (``gate-next:SLOT``); the lease is returned
when the download ends. One Lua script grants or refuses atomically, on Redis' clock.

The gate sits inside the downloader slot, after Scrapy's own delay, so the moment of the
grant is the moment the request starts: the delay holds between the starts that the site
sees, whichever nodes send them. A lease outlives its node by at most
``DOWNLOAD_TIMEOUT`` + ``LEASE_MARGIN_SECONDS`` (a killed node cannot return it).

Waiting requests of one slot queue up locally behind one poller, so a blocked site
costs Redis one call per ``POLL_SECONDS`` per node, not one per request.
"""

from __future__ import annotations

import asyncio
import itertools
import logging

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest

from crawler.cluster.node import cluster_of

logger = logging.getLogger(__name__)

LEASE_MARGIN_SECONDS = 30
# How often a blocked slot asks again when its leases are all out.
POLL_SECONDS = 0.02

# KEYS: leases, next-start; ARGV: token, concurrency, lease ms, delay ms.
# Returns 0 (granted), -1 (all leases out) or the milliseconds until the delay has passed.
_ACQUIRE = """
local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < next_start then return next_start - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local delay = tonumber(ARGV[4])
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000) end
return 0
"""


class ClusterUnavailable(IgnoreRequest):
    """The request was not sent: the cluster's Redis is gone and the node is stopping."""


class PolitenessGate:
    def __init__(self, crawler):
        self.crawler = crawler
        self.node = cluster_of(crawler)
        self.lease_ms = int((crawler.settings.getfloat("DOWNLOAD_TIMEOUT") + LEASE_MARGIN_SECONDS) * 1000)
        self._acquire = self.node.redis.register_script(_ACQUIRE)
        self._tokens = itertools.count()
        self._waiting: dict[str, asyncio.Lock] = {}

    def _slot(self, request):
        downloader = self.crawler.engine.downloader
        key = request.meta.get(downloader.DOWNLOAD_SLOT) or downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    async def acquire(self, request) -> tuple[str, str]:
        """Wait for a lease of the request's slot; returns (leases key, token)."""
        slot_key, slot = self._slot(request)
        concurrency = slot.concurrency if slot is not None else self.crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        keys = [self.node.coordinator.key(f"gate:{slot_key}"), self.node.coordinator.key(f"gate-next:{slot_key}")]
        token = f"{self.node.name}:{next(self._tokens)}"
        lock = self._waiting.setdefault(slot_key, asyncio.Lock())
        async with lock:
            waited = False
            while True:
                if self.node.stopping:
                    raise ClusterUnavailable("the cluster node is stopping")
                # The delay of this grant: as Scrapy draws it for the slot (jitter included).
                delay_ms = int((slot.download_delay() if slot is not None else 0) * 1000)
                answer = self.node.guard(
                    lambda: self._acquire(keys=keys, args=[token, concurrency, self.lease_ms, delay_ms]), default=None
                )
                if answer is None:
                    raise ClusterUnavailable("the cluster's Redis is unavailable")
                if answer == 0:
                    if waited:
                        self.crawler.stats.inc_value("news/cluster/politeness_waits")
                    return keys[0], token
                waited = True
                await asyncio.sleep(POLL_SECONDS if answer < 0 else answer / 1000)

    def release(self, lease: tuple[str, str]) -> None:
        leases_key, token = lease
        self.node.guard(lambda: self.node.redis.zrem(leases_key, token))


class PoliteClusterDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler behind the cluster-wide politeness gate."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.gate = PolitenessGate(crawler)

    async def download_request(self, request):
        lease = await self.gate.acquire(request)
        try:
            return await super().download_request(request)
        finally:
            self.gate.release(lease)
