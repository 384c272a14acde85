"""The node's life in the cluster run: heartbeat, when to close, leaving, the manifest's part.

- Every ``CLUSTER_HEARTBEAT_SECONDS`` the node renews its lease in Redis (and the
  discovery lock if it holds it), from a thread of its own, and the discovering node
  checks whether discovery is finished, so that the others know no more work is coming.
- When this node has nothing to do (``spider_idle``), it stays open while discovery is
  still running on a live node, takes discovery over if its node died or gave up, and
  otherwise closes once the shared queue has stayed empty for
  ``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds, so that cron runs end.
- On close it leaves the run, leaving a summary of its part for the run manifests: the
  manifest of each node names the node and lists every node of the run, with the totals
  of those that have finished (the last node's manifest covers the whole cluster).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from crawler.cluster.discovery import own_work_in_flight, rediscover
from crawler.cluster.node import REDIS_ERRORS, cluster_of
from crawler.cluster.settings import DEFAULT_MAX_IDLE_SECONDS, cluster_enabled
from crawler.manifest import discovery_documents
from crawler.state import redact_url
from crawler.stats import PREFIX

logger = logging.getLogger(__name__)

# While idle and waiting for work, look at the shared queue this often, so that a request
# queued by another node is taken at once rather than at the engine's next 5 s heartbeat.
WAKE_SECONDS = 0.5


class ClusterExtension:
    def __init__(self, crawler, max_idle_seconds: float):
        self.crawler = crawler
        self.node = cluster_of(crawler)
        self.max_idle_seconds = max_idle_seconds
        self.idle_since: float | None = None
        self.waiting = False
        self._heartbeat: task.LoopingCall | None = None
        self._beater: threading.Thread | None = None
        self._wake: task.LoopingCall | None = None
        self._finish_checks = 0
        self.run_id: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not cluster_enabled(crawler.settings):
            raise NotConfigured
        extension = cls(crawler, crawler.settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", DEFAULT_MAX_IDLE_SECONDS))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.news_cluster_manifest = extension.manifest_section
        return extension

    def spider_opened(self, spider):
        membership = self.node.coordinator.membership
        self.run_id = membership.run_id if membership else None
        # The heartbeat has a thread of its own: a reactor busy parsing a large sitemap
        # must not make a live node look dead (and its discovery lock free to take).
        self._stop_beating = threading.Event()
        self._beater = threading.Thread(target=self.beat_until_stopped, name="cluster-heartbeat", daemon=True)
        self._beater.start()
        self._heartbeat = task.LoopingCall(self.check_discovery_finished)
        self._heartbeat.start(self.node.coordinator.heartbeat_seconds, now=False)
        self._wake = task.LoopingCall(self.wake_if_work)
        self._wake.start(WAKE_SECONDS, now=False)

    def beat_until_stopped(self) -> None:
        from twisted.internet import reactor

        coordinator = self.node.coordinator
        while not self._stop_beating.wait(coordinator.heartbeat_seconds):
            if self.node.stopping:
                return
            try:
                alive = coordinator.heartbeat()
            except REDIS_ERRORS as exc:
                reactor.callFromThread(self.node.redis_lost, exc)
                return
            if not alive:
                reactor.callFromThread(self.rejoin)

    def rejoin(self) -> None:
        logger.warning("Node %s's heartbeat had lapsed (was the process paused?); joining again", self.node.name)
        self.node.coordinator.membership = None
        self.node.join()

    def check_discovery_finished(self) -> None:
        """The discovering node releases the lock as done once its own work has run out
        (checked twice in a row: a response between download and parse is in neither set)."""
        if not (self.node.coordinator.discovering and getattr(self.node, "start_exhausted", False)):
            return
        if own_work_in_flight(self.crawler):
            self._finish_checks = 0
            return
        self._finish_checks += 1
        if self._finish_checks >= 2:
            self.node.guard(lambda: self.node.coordinator.end_discovery(done=True))
            logger.info("Discovery finished; node %s goes on with the shared queue", self.node.name)

    def wake_if_work(self) -> None:
        if not self.waiting or self.node.stopping:
            return
        if self.node.guard(self.node.coordinator.queue_length, default=0) > 0:
            self.waiting = False
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()

    def spider_idle(self, spider):
        if self.node.stopping:
            return
        coordinator = self.node.coordinator
        if coordinator.discovering:
            self._finish_checks = max(self._finish_checks, 1)
            self.check_discovery_finished()
        state, holder = self.node.guard(coordinator.discovery_state, default=("done", None))
        if self.node.stopping:
            return
        if state != "done":
            if holder is None and self.node.guard(coordinator.claim_discovery, default=False):
                logger.warning("Discovery of this run was left unfinished; node %s takes it over", self.node.name)
                self.crawler.stats.inc_value("news/cluster/discovery_taken_over")
                asyncio.ensure_future(rediscover(self.crawler))
            self.idle_since = None
            self.wait()
        if self.node.guard(coordinator.queue_length, default=0) > 0:
            self.idle_since = None
            self.wait()
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.max_idle_seconds:
            self.wait()
        logger.info("Shared queue empty for %.0fs and discovery done; node %s closes", now - self.idle_since, self.node.name)

    def wait(self):
        self.waiting = True
        raise DontCloseSpider

    def spider_closed(self, spider, reason):
        if self._beater is not None:
            self._stop_beating.set()
            self._beater.join(timeout=30)
        for loop in (self._heartbeat, self._wake):
            if loop is not None and loop.running:
                loop.stop()
        if self.node.coordinator.membership is None or getattr(self.crawler, "news_cluster_failure", None) == "redis_unavailable":
            return
        remaining = self.node.guard(lambda: self.node.coordinator.leave(self.summary(reason)), default=None)
        if remaining is not None:
            logger.info("Node %s left the cluster run (%d nodes still running)", self.node.name, remaining)

    def summary(self, reason: str | None) -> dict:
        stats = self.crawler.stats.get_stats()
        return {
            "run_id": getattr(self.crawler, "news_run_id", None),
            "finish_reason": reason,
            "discovered": bool(stats.get("news/cluster/discovered_here") or stats.get("news/cluster/discovery_taken_over")),
            "pages_fetched": stats.get(f"{PREFIX}/pages_fetched", 0),
            "articles_emitted": stats.get(f"{PREFIX}/items_written", 0),
            "duplicates_marked": stats.get(f"{PREFIX}/marked_near_duplicate", 0),
            "discovery_documents": discovery_documents(stats),
        }

    def manifest_section(self) -> dict:
        """The ``cluster`` section of this node's run manifest."""
        coordinator = self.node.coordinator
        section = {
            "node": self.node.name,
            "run": self.run_id,
            "redis": self.node.redis_server,
            "state": redact_url(self.crawler.settings.get("STATE_URL") or ""),
            "failure": getattr(self.crawler, "news_cluster_failure", None),
        }
        redis_gone = section["failure"] == "redis_unavailable"
        finished = {} if redis_gone else self.node.guard(coordinator.node_summaries, default={})
        running = {} if redis_gone else self.node.guard(coordinator.live_nodes, default={})
        nodes = {name: {"state": "finished", **summary} for name, summary in finished.items()}
        for name in running:
            nodes.setdefault(name, {"state": "running"})
        section["nodes"] = dict(sorted(nodes.items()))
        totals = {key: 0 for key in ("pages_fetched", "articles_emitted", "duplicates_marked", "discovery_documents")}
        for summary in finished.values():
            for key in totals:
                totals[key] += summary.get(key, 0)
        section["finished_nodes_totals"] = totals
        return section
