"""A node that loses Redis or PostgreSQL stops cleanly: one clear log line, exit status 1.

What is committed stays committed: a data file is renamed into place before the state
records it, and a file whose record never reached PostgreSQL is recorded by the next run
(``pipelines.write.recover_unrecorded_files``). What the node had not committed (items in
its pipelines, requests it had taken from the queue) was never recorded as done, so the
next run fetches it again. ``GuardedStore`` makes the state store's failures follow
those rules instead of raising in the middle of the crawl's components.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy.exceptions import DropItem

from crawler.state import StateStoreUnavailable
from crawler.stats import count

logger = logging.getLogger(__name__)

# The finish reason of a node stopped because its configuration conflicts with the
# cluster's (a node name in use): the crawl command exits with status 2 for it.
EXIT_CONFIG_REASON = "cluster_config_error"
FAILURE_REASONS = ("redis_unavailable", "state_unavailable", EXIT_CONFIG_REASON)


def report_outage(crawler, reason: str, message: str) -> None:
    """Log *message* once, remember why the node stops, and close the spider with *reason*."""
    if getattr(crawler, "news_cluster_failure", None) is not None:
        return
    crawler.news_cluster_failure = reason
    if reason == EXIT_CONFIG_REASON:
        logger.error("%s; this node does not start", message)
    else:
        logger.error(
            "%s; stopping this node. Committed data files are kept; what the node had not "
            "committed is fetched again by the next run",
            message,
        )
    crawler.stats.set_value("news/cluster/failure", reason)
    engine = getattr(crawler, "engine", None)
    if engine is not None and engine.running:
        asyncio.ensure_future(engine.close_spider_async(reason=reason))


class StateUnavailableDrop(DropItem):
    """An item dropped because the shared state store is gone (not recorded: fetched next run)."""

    reason = "state_unavailable"


class GuardedStore:
    """A shared state store whose loss stops the node instead of failing each component.

    Once the server is gone: ``should_fetch`` says no (nothing new is started), lookups
    drop the item being judged, writes of what is already safe elsewhere are skipped
    (``record_committed``: the file is recorded by the next run; visited pages and dates:
    those pages are only fetched again).
    """

    _SKIPPED_WRITES = frozenset({"record_committed", "record_visited", "update_discovered", "add_alias", "add_signature", "add_signatures", "record_written", "prune_near_duplicates"})

    def __init__(self, store, crawler):
        self._store = store
        self._crawler = crawler

    def _lost(self, exc: StateStoreUnavailable) -> None:
        report_outage(self._crawler, "state_unavailable", str(exc))

    def _drop(self, exc: StateStoreUnavailable) -> StateUnavailableDrop:
        self._lost(exc)
        count(self._crawler.stats, "dropped/state_unavailable")
        return StateUnavailableDrop(f"state_unavailable: {exc}", log_level="INFO")

    def should_fetch(self, key, discovered_at) -> bool:
        try:
            return self._store.should_fetch(key, discovered_at)
        except StateStoreUnavailable as exc:
            self._lost(exc)
            return False

    def should_fetch_many(self, entries) -> list[bool]:
        try:
            return self._store.should_fetch_many(entries)
        except StateStoreUnavailable as exc:
            self._lost(exc)
            return [False] * len(entries)

    def shared_pending(self, window_days=None):
        return GuardedPending(self._store.shared_pending(window_days), self)

    def close(self) -> None:
        try:
            self._store.close()
        except Exception:  # closing a connection the server already dropped
            logger.debug("Closing the lost state store failed", exc_info=True)

    def __getattr__(self, name):
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def guarded(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except StateStoreUnavailable as exc:
                if name in self._SKIPPED_WRITES:
                    self._lost(exc)
                    if name == "record_committed":
                        logger.warning("%s is committed but not recorded in the state; the next run records it", args[0] if args else "a data file")
                    return None
                raise self._drop(exc) from None

        return guarded


class GuardedPending:
    def __init__(self, claims, store: GuardedStore):
        self._claims = claims
        self._store = store

    def judging(self):
        return _Judging(self._claims, self._store)

    def take(self, keys):
        return self._claims.take(keys)


class _Judging:
    def __init__(self, claims, store: GuardedStore):
        self._context = claims.judging()
        self._store = store

    def __enter__(self):
        try:
            return self._context.__enter__()
        except StateStoreUnavailable as exc:
            raise self._store._drop(exc) from None

    def __exit__(self, *exc_info):
        try:
            return self._context.__exit__(*exc_info)
        except StateStoreUnavailable as exc:
            raise self._store._drop(exc) from None
