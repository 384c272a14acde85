"""SIGTERM and Ctrl-C that never cut a closing run short.

Scrapy's handler for the first SIGTERM or SIGINT stops the engine. The engine's
stop closes the spider, but when the spider is already closing (the crawl ran
out of work, and the pipelines are committing the last data file) it waits only
for the downloads to end and then fires ``engine_stopped`` at once: the run log
is detached, the state store is closed and the reactor stops while the rest of
the close is still under way. The run's final stats, its manifest and possibly
its last commit are lost, which is exactly what an operator reads after a cron
run was stopped.

This extension takes over that handler once the crawl is running. The first
signal closes the spider with the reason ``shutdown`` through the engine's
ordinary close, which ends in the ordinary stop; if the spider is closing
already, that close simply goes on. A second signal is handed to Scrapy's own
"forcing unclean shutdown" path.

It only replaces a handler that Scrapy's ``CrawlerProcess`` installed, so a
crawl run in-process by other code (tests, ``CrawlerRunner``) keeps its
process's signal handlers as they were.
"""

from __future__ import annotations

import logging
import signal

from scrapy import signals
from scrapy.crawler import CrawlerProcessBase
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.ossignal import install_shutdown_handlers, signal_names

logger = logging.getLogger(__name__)


def scrapy_shutdown_handler():
    """The ``CrawlerProcess`` whose shutdown handler holds SIGTERM now, or None."""
    handler = signal.getsignal(signal.SIGTERM)
    if getattr(handler, "__func__", None) is CrawlerProcessBase._signal_shutdown:
        return handler.__self__
    return None


class GracefulShutdownExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.process = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self) -> None:
        from twisted.internet import reactor

        # Scrapy installs its handler when the reactor has started, which can be
        # after the engine has: take over on the next turn of the loop.
        reactor.callLater(0, self._take_over_signals)

    def _take_over_signals(self) -> None:
        self.process = scrapy_shutdown_handler()
        if self.process is not None:
            install_shutdown_handlers(self._on_first_signal)

    def _on_first_signal(self, signum: int, frame) -> None:
        from twisted.internet import reactor

        install_shutdown_handlers(self.process._signal_kill)
        reactor.callFromThread(self._close_spider, signum)

    def _close_spider(self, signum: int) -> None:
        # Runs in the reactor thread: logging is safe here, not in the handler.
        logger.info("Received %s, shutting down gracefully. Send again to force", signal_names[signum])
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return  # already closed: the stop under way ends the run
        closing = deferred_from_coro(engine.close_spider_async(reason="shutdown"))
        closing.addErrback(lambda failure: logger.error("Closing the spider failed: %s", failure.value))
