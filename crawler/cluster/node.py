"""This process as a node of the cluster: its name, its Redis connection, its coordinator.

One ``ClusterNode`` per crawl (``cluster_of(crawler)``), shared by the scheduler, the
politeness gate, the discovery middleware and the extension. Every Redis call goes
through ``guard``, so that losing Redis stops the node once, cleanly (``outage``).
"""

from __future__ import annotations

import logging

import redis

from crawler.cluster.coordinator import Coordinator, NodeNameTaken
from crawler.cluster.outage import EXIT_CONFIG_REASON, report_outage
from crawler.cluster.settings import DEFAULT_HEARTBEAT_SECONDS, DEFAULT_KEY_PREFIX, node_name
from crawler.run_log import run_id_of
from crawler.state import redact_url

logger = logging.getLogger(__name__)

REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)
# A Redis call that takes longer than this means the server is gone or hung.
REDIS_SOCKET_TIMEOUT_SECONDS = 10
REDIS_CONNECT_TIMEOUT_SECONDS = 5


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS
    )


def key_prefix(settings, spider_name: str) -> str:
    return f"{settings.get('CLUSTER_KEY_PREFIX') or DEFAULT_KEY_PREFIX}:{spider_name}"


class ClusterNode:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.name = node_name(settings)
        self.redis_url = settings["CLUSTER_REDIS_URL"]
        self.redis_server = redact_url(self.redis_url)
        self.redis = redis_client(self.redis_url)
        self.coordinator = Coordinator(
            self.redis,
            key_prefix(settings, crawler.spidercls.name),
            self.name,
            settings.getfloat("CLUSTER_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS),
            run_id_of(crawler),
        )

    @property
    def stopping(self) -> bool:
        return getattr(self.crawler, "news_cluster_failure", None) is not None

    def join(self) -> None:
        try:
            self.guard(self.coordinator.join, default=None, reraise=True)
        except NodeNameTaken as exc:
            report_outage(self.crawler, EXIT_CONFIG_REASON, str(exc))
        except REDIS_ERRORS:
            pass  # reported by guard

    def guard(self, call, default=None, reraise: bool = False):
        """``call()``, or *default* once Redis is gone (reported once, and the node stops)."""
        try:
            return call()
        except REDIS_ERRORS as exc:
            self.redis_lost(exc)
            if reraise:
                raise
            return default


    def redis_lost(self, exc: BaseException) -> None:
        report_outage(self.crawler, "redis_unavailable", f"lost Redis at {self.redis_server}: {exc}")


def cluster_of(crawler) -> ClusterNode:
    node = getattr(crawler, "news_cluster", None)
    if node is None:
        node = crawler.news_cluster = ClusterNode(crawler)
    return node
