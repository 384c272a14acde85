"""What a person at the console sees of a crawl: progress on a terminal, one line per source at the end.

The console shows WARNING and up by default (``LOG_LEVEL``); the details stay in the run
log (``OUTPUT_DIR/logs/RUN_ID.log``, ``OUTPUT_LOG_LEVEL``). So that a quiet console still
says what is going on:

- while crawling, when stdout and stderr are both terminals, a progress line every
  ``CONSOLE_PROGRESS_SECONDS`` (pages, items, rate, per source) goes to stderr; nothing
  when either is redirected (cron, pipes, ``-O -``);
- when the crawl ends, one line per source goes to stderr: discovery documents, pages
  fetched, articles written, drops by reason and errors by reason.

Both are printed, not logged, so that they show whatever LOG_LEVEL says, and stderr
keeps stdout free for a feed export to ``-``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.stats import PREFIX

DEFAULT_PROGRESS_SECONDS = 5.0


def by_reason(counts: Mapping[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "0"
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))
    return f"{total} ({reasons})"


def source_summary_lines(stats: Mapping, sources: list[str] = ()) -> list[str]:
    """One line per source: what it gave and what went wrong, from the ``news/source/...`` stats."""
    from crawler.manifest import DISCOVERY_KINDS, empty_summary, source_summaries

    summaries = source_summaries(dict(stats))
    for name in sources:
        summaries.setdefault(name, empty_summary())
    lines = []
    for name in [*sources, *sorted(set(summaries) - set(sources))]:
        summary = summaries[name]
        documents = sum(summary["discovery"].get(kind, 0) for kind in DISCOVERY_KINDS)
        lines.append(
            f"{name}: {documents} discovery documents, "
            + (f"{summary['skipped_known']} known articles skipped, " if summary["skipped_known"] else "")
            + f"{summary['pages_fetched']} pages fetched, "
            f"{summary['articles_emitted']} written, dropped {by_reason(summary['dropped'])}, "
            f"errors {by_reason(summary['errors'])}"
        )
    return lines


def progress_line(stats: Mapping, elapsed: float, pages_before: int, interval: float) -> str:
    """Pages fetched (all responses), items written, the rate since the last line, per source."""
    pages = stats.get("response_received_count", 0)
    items = stats.get(f"{PREFIX}/items_written", 0)
    rate = (pages - pages_before) / interval if interval > 0 else 0.0
    per_source = {}
    prefix = f"{PREFIX}/source/"
    for key, value in stats.items():
        if key.startswith(prefix):
            name, _, counter = key[len(prefix):].partition("/")
            if counter in ("pages_fetched", "items_written"):
                per_source.setdefault(name, {"pages_fetched": 0, "items_written": 0})[counter] = value
    sources = "; ".join(
        f"{name} {counts['pages_fetched']} fetched/{counts['items_written']} written" for name, counts in sorted(per_source.items())
    )
    minutes, seconds = divmod(int(elapsed), 60)
    return f"[{minutes:02d}:{seconds:02d}] {pages} pages, {items} items, {rate:.1f} pages/s" + (f" | {sources}" if sources else "")


def is_terminal() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


class ConsoleExtension:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.pages_before = 0
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("CONSOLE_SUMMARY", True):
            raise NotConfigured
        extension = cls(crawler, crawler.settings.getfloat("CONSOLE_PROGRESS_SECONDS", DEFAULT_PROGRESS_SECONDS))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self):
        self.started = time.monotonic()
        if self.interval > 0 and is_terminal():
            self.loop = task.LoopingCall(self.show_progress)
            self.loop.start(self.interval, now=False)

    def show_progress(self):
        stats = self.crawler.stats.get_stats()
        print(progress_line(stats, time.monotonic() - self.started, self.pages_before, self.interval), file=sys.stderr, flush=True)
        self.pages_before = stats.get("response_received_count", 0)

    def spider_closed(self, spider):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        sources = [getattr(source, "name", str(source)) for source in getattr(spider, "sources", None) or []]
        for line in source_summary_lines(self.crawler.stats.get_stats(), sources):
            print(line, file=sys.stderr, flush=True)
