"""The crawl's one state store, shared by the spider and the pipelines.

The spider asks it what to fetch, the dedup stage what is already known, and
the writer tells it what is safely on disk. One store per crawl, opened on
first use inside OUTPUT_DIR and closed when the engine stops.
"""

from __future__ import annotations

import logging

from scrapy import signals

from crawler.run_log import output_dir_of
from crawler.state import StateStore, open_state_store

logger = logging.getLogger(__name__)


def state_store_of(crawler) -> StateStore:
    store = getattr(crawler, "news_state_store", None)
    if store is None:
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
