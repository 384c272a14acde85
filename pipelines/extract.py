"""Extract pipeline: raw HTML in the item becomes article fields, or the item is dropped.

Extraction runs in a pool of worker processes (EXTRACT_WORKERS, one per core
by default; 0 runs it in the reactor thread), so parsing never stalls
downloads and every core works. A page that takes longer than
EXTRACT_TIMEOUT seconds, or that kills its worker twice, is dropped with a
stat.
"""

from __future__ import annotations

import logging
import os

from itemadapter import ItemAdapter

from crawler.article import analyze_page, extract_options_of, warm_up_worker, with_extracted
from crawler.extract import ExtractOptions, NotAnArticle
from crawler.pool import PoolBroken, TaskTimeout, WorkerCrashed, WorkerPool, boot_forkserver
from crawler.stats import count, drop

logger = logging.getLogger(__name__)


# Imported by the forkserver before it forks any worker (see crawler.worker_warmup).
WORKER_PRELOAD = ("crawler.worker_warmup",)


def worker_count(settings) -> int:
    """EXTRACT_WORKERS, with -1 (the default) meaning one per core."""
    workers = settings.getint("EXTRACT_WORKERS", -1)
    return (os.cpu_count() or 1) if workers < 0 else workers


def start_workers_early(settings) -> None:
    """Boot the workers' forkserver before Scrapy starts, when this crawl will use it.

    Its imports (about 1.5 s of CPU) then overlap Scrapy's own start-up instead
    of stalling the reactor thread when the first page arrives.
    """
    pipelines = settings.getwithbase("ITEM_PIPELINES")
    if worker_count(settings) > 0 and pipelines.get(f"{__name__}.{ExtractPipeline.__name__}") is not None:
        boot_forkserver(analyze_page, WORKER_PRELOAD)


class ExtractPipeline:
    def __init__(self, crawler, min_words: int, workers: int, timeout: float):
        self.crawler = crawler
        self.min_words = min_words
        self.pool = (
            WorkerPool(analyze_page, workers, timeout, initializer=warm_up_worker, preload=WORKER_PRELOAD)
            if workers > 0
            else None
        )

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(crawler, settings.getint("EXTRACT_MIN_WORDS"), worker_count(settings), settings.getfloat("EXTRACT_TIMEOUT"))

    async def analyze(self, html: str | bytes, url: str, options: ExtractOptions, content_type: str | None) -> dict:
        pool = self.pool
        if pool is not None:
            try:
                return await pool.run(html, url, options, content_type)
            except PoolBroken as exc:
                # Slower, but the crawl goes on and loses nothing. Every page in
                # flight lands here; the first one retires the pool.
                if self.pool is pool:
                    logger.error("Extraction pool unusable (%s); extracting in the main process from now on", exc)
                    count(self.crawler.stats, "extract/pool_broken")
                    self.pool = None
                    pool.close()
        return analyze_page(html, url, options, content_type)

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        html = adapter.pop("html", None) or ""
        content_type = adapter.pop("content_type", None)
        source = adapter.get("source")
        stats = self.crawler.stats
        options = extract_options_of(adapter, self.min_words)
        try:
            fields = await self.analyze(html, adapter["url"], options, content_type)
        except NotAnArticle as exc:
            raise drop(stats, exc.reason, source, exc.detail) from None
        except TaskTimeout as exc:
            raise drop(stats, "extract_timeout", source, str(exc)) from None
        except WorkerCrashed as exc:
            raise drop(stats, "extract_crashed", source, str(exc)) from None
        except Exception as exc:  # a page must never stop the crawl
            logger.exception("Extraction failed on %s", adapter["url"])
            raise drop(stats, "extract_error", source, f"{type(exc).__name__}: {exc}") from None
        with_extracted(adapter, fields)
        count(stats, "extracted", source)
        return item

    def open_spider(self):
        if self.pool is not None:
            self.pool.boot()

    def close_spider(self):
        if self.pool is not None:
            count(self.crawler.stats, "extract/worker_restarts", amount=self.pool.restarts)
            self.pool.close()
