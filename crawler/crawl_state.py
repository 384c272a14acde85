"""The crawl's one state store, shared by the spider and the pipelines.

The spider asks it what to fetch, the dedup stage what is already known, and
the writer tells it what is safely on disk. One store per crawl, opened on
first use (inside OUTPUT_DIR, or at ``STATE_URL`` when that is set) and closed
when the engine stops. A shared store is wrapped so that losing its server
stops the node cleanly (``crawler.cluster.outage``).
"""

from __future__ import annotations

import logging

from scrapy import signals

from crawler.run_log import node_name_of, output_dir_of
from crawler.state import StateStore, open_state_store

logger = logging.getLogger(__name__)


def state_store_of(crawler) -> StateStore:
    store = getattr(crawler, "news_state_store", None)
    if store is None:
        url = crawler.settings.get("STATE_URL")
        if url:
            from crawler.cluster.outage import GuardedStore

            store = GuardedStore(open_state_store(output_dir_of(crawler), url, node_name_of(crawler)), crawler)
        else:
            store = open_state_store(output_dir_of(crawler))
        crawler.news_state_store = store
        # After every component's close_spider, so the writer's last commit is recorded.
        crawler.signals.connect(lambda: _close(crawler), signal=signals.engine_stopped, weak=False)
    return store


def _close(crawler) -> None:
    store = getattr(crawler, "news_state_store", None)
    if store is not None:
        store.close()
        crawler.news_state_store = None
