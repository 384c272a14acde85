"""Re-extraction: WARC files in, a normal OUTPUT_DIR out, through the crawl's own pipelines.

``reextract(inputs, output_dir)`` runs a Scrapy crawl whose spider (``ArchiveSpider``)
downloads nothing: it reads HTML responses from WARC files (ours, Common Crawl's CC-NEWS,
any WARC/1.0-1.1 file) and yields one item per page, as the news spider does for a fetched
page. The items go through the same pipelines (extract in the worker pool, language,
normalize, dedup, write) and extensions (run log, visited pages, manifest), so the result
is a normal OUTPUT_DIR with data files, state and manifest.

Rebuilding from our own archive gives the items the crawl wrote, byte for byte:

- ``fetched_at`` is the WARC-Date, which our archive takes from the item;
- the source, discovery date and outlet names come from our metadata records (a registry
  source with that name is taken from the current registry);
- items reach the dedup stage in the order the crawl's dedup stage saw them: records are
  merged across sources by their ``sequence`` numbers, run after run, and
  ``InputOrderPipeline`` holds back an item until every earlier one has left the pipelines.
  At each run boundary the data files are committed, so the state knows the earlier run's
  articles when the next run's arrive, as it did in the crawl (``version`` then matches).

Pages of other archives are matched to registry sources by domain; ``--domain`` widens that
to any host given. ``--source`` and ``--since`` filter further, and the language stage keeps
only Arabic.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import scrapy
from itemadapter import ItemAdapter
from scrapy import signals

from crawler.archive.reader import DEFAULT_BACKEND, DEFAULT_MAX_BYTES, ArchivedPage, read_archive, warc_files
from crawler.archive.writer import ArchiveLocation
from crawler.items import ArticleItem, article_item, internal_item_of
from crawler.sources import (
    Source,
    adhoc_name,
    host_within,
    load_sources,
    normalize_host,
    registry_source_of,
    strip_www,
    url_host,
)
from crawler.stats import count

logger = logging.getLogger(__name__)

SPIDER_NAME = "reextract"
# Items read ahead of the slowest one still in the pipelines: enough to keep every
# extraction worker busy with one page in reserve, little enough to bound memory.
MAX_IN_FLIGHT = 32
# Between normalize (300) and dedup (400): extraction stays parallel, decisions ordered.
ORDER_PIPELINE_PRIORITY = 350
OUR_FILE_NAME = re.compile(r"^(?P<run>\d{8}T\d{6}Z)-\d{4}\.warc(\.gz)?$")
READ_STAT_PREFIX = "reextract/read/"


@dataclass(frozen=True)
class Filters:
    sources: frozenset[str] | None = None  # source names
    domains: tuple[str, ...] | None = None  # hosts; None: the registry's, for other archives
    since: datetime | None = None  # WARC-Date at or after


# --- which pages, in which order -------------------------------------------------------


def run_of(path: Path) -> str | None:
    match = OUR_FILE_NAME.match(path.name)
    return match.group("run") if match else None


def ordered_pages(files: list[Path], stats: Counter, backend: str = DEFAULT_BACKEND, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[tuple[str | None, ArchivedPage]]:
    """(run id, page) for every page of *files*, in the order the crawl processed them.

    Files named like ours are grouped by run (oldest first); within a run, each source
    folder's files are read in order and the sources are merged by the metadata's
    ``sequence`` (a page without one keeps its place after the page before it). Other
    files follow, in the order given.
    """
    runs: dict[str, dict[Path, list[Path]]] = {}
    others: list[Path] = []
    for path in files:
        run = run_of(path)
        if run is None:
            others.append(path)
        else:
            runs.setdefault(run, {}).setdefault(path.parent, []).append(path)
    for run in sorted(runs):
        streams = [_sequenced(sorted(paths), stats, backend, max_bytes) for paths in runs[run].values()]
        for _, _, page in heapq.merge(*streams, key=lambda entry: entry[:2]):
            yield run, page
    for path in others:
        for page in read_archive(path, stats, backend=backend, max_bytes=max_bytes):
            yield None, page


def _sequenced(paths: list[Path], stats: Counter, backend: str, max_bytes: int) -> Iterator[tuple[int, int, ArchivedPage]]:
    last, position = 0, itertools.count()
    for path in paths:
        for page in read_archive(path, stats, backend=backend, max_bytes=max_bytes):
            sequence = page.field("sequence")
            if sequence and sequence.isdigit():
                last = int(sequence)
            yield last, next(position), page


class SourceResolver:
    """Which source a page belongs to, from our metadata or from the registry's domains."""

    def __init__(self, registry: dict[str, Source], filters: Filters):
        self.registry = registry
        self.filters = filters
        self.domains = tuple(normalize_host(d) for d in filters.domains) if filters.domains else None
        self._by_host: dict[str, Source | None] = {}

    def registry_source(self, host: str) -> Source | None:
        if host not in self._by_host:
            self._by_host[host] = registry_source_of(self.registry, host)
        return self._by_host[host]

    def resolve(self, page: ArchivedPage) -> tuple[Source | None, str]:
        """(source, "") for a page to process, or (None, reason) for one to skip."""
        host = url_host(page.url)
        if host is None:
            return None, "filtered/not_http"
        if self.domains is not None and not any(host_within(host, d) for d in self.domains):
            return None, "filtered/domain"
        recorded = page.field("source")
        if recorded:
            source = self.registry.get(recorded) or Source(
                name=recorded, domains=(strip_www(host),), aliases=tuple(page.metadata.get("site-name", ()))
            )
        else:
            source = self.registry_source(host)
            if source is None:
                if self.domains is None:
                    return None, "filtered/domain"
                source = Source(name=adhoc_name(page.url), domains=(strip_www(host),), outlet=strip_www(host))
        if self.filters.sources is not None and source.name not in self.filters.sources:
            return None, "filtered/source"
        if self.filters.since is not None and page.date < self.filters.since:
            return None, "filtered/since"
        return source, ""


def item_for(page: ArchivedPage, source: Source, order: int, run: str | None) -> ArticleItem:
    """The item the news spider would have made of this page when it fetched it."""
    return article_item(
        page.url,
        source,
        page.body,
        page.content_type,
        page.date,
        discovered_date=page.field("discovered-date"),
        archive_location=ArchiveLocation(str(Path(page.file).resolve()), page.offset),
        reextract_order=(order, run),
    )


# --- Scrapy components -------------------------------------------------------------------


class ItemOrder:
    """Tracks the items of a re-extraction from the spider until they leave the pipelines."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.issued = 0
        self.lowest_unfinished = 0
        self.finished: set[int] = set()
        self.waiting: dict[int, asyncio.Future] = {}
        self.room = asyncio.Event()
        self.room.set()
        self.released_run: str | None = None
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_left, signal=signal)

    def issue(self) -> int:
        order = self.issued
        self.issued += 1
        if self.in_flight >= MAX_IN_FLIGHT:
            self.room.clear()
        return order

    @property
    def in_flight(self) -> int:
        return self.issued - self.lowest_unfinished - len(self.finished)

    def item_left(self, item, **kwargs):
        # A written item arrives as the writer's public record; its order is on the item behind it.
        item = internal_item_of(item)
        entry = ItemAdapter(item).get("reextract_order") if isinstance(item, ArticleItem) else None
        if entry is None:
            return
        self.finished.add(entry[0])
        while self.lowest_unfinished in self.finished:
            self.finished.discard(self.lowest_unfinished)
            self.lowest_unfinished += 1
        waiter = self.waiting.pop(self.lowest_unfinished, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self.in_flight < MAX_IN_FLIGHT:
            self.room.set()

    async def turn(self, order: int) -> None:
        """Wait until every item issued before *order* has left the pipelines."""
        if order != self.lowest_unfinished:
            waiter = asyncio.get_running_loop().create_future()
            self.waiting[order] = waiter
            await waiter


class InputOrderPipeline:
    """Lets items into dedup and the writer one at a time, in the order they were read."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item):
        # The field stays on the item until it leaves the pipelines, for ItemOrder.item_left.
        order, run = ItemAdapter(item).get("reextract_order") or (None, None)
        tracker: ItemOrder = self.crawler.spider.order
        if order is None:
            return item
        await tracker.turn(order)
        if run is not None and tracker.released_run not in (None, run):
            # Everything of the earlier run has left the pipelines: commit it, as its crawl did.
            self.crawler.news_writer.commit_all()
        tracker.released_run = run if run is not None else tracker.released_run
        return item


class ArchiveSpider(scrapy.Spider):
    """Yields one item per archived HTML page; downloads nothing."""

    name = SPIDER_NAME

    def __init__(
        self,
        inputs: Iterable[str | Path] = (),
        filters: Filters = Filters(),
        backend: str = DEFAULT_BACKEND,
        sources_file: str | None = None,
        *args,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.inputs = [Path(p) for p in inputs]
        self.filters = filters
        self.backend = backend
        self.resolver = SourceResolver(load_sources(sources_file), filters)
        self.read_stats: Counter = Counter()
        self.read_seconds = 0.0
        self.order: ItemOrder | None = None

    async def start(self):
        self.order = ItemOrder(self.crawler)
        stats = self.crawler.stats
        max_bytes = self.settings.getint("DOWNLOAD_MAXSIZE", DEFAULT_MAX_BYTES)
        files = warc_files(self.inputs)
        logger.info("Re-extracting %d WARC files with %s", len(files), self.backend)
        pages = ordered_pages(files, self.read_stats, self.backend, max_bytes)
        while True:
            started = time.perf_counter()
            entry = next(pages, None)
            self.read_seconds += time.perf_counter() - started
            if entry is None:
                break
            run, page = entry
            source, skipped = self.resolver.resolve(page)
            if source is None:
                count(stats, f"reextract/{skipped}")
                continue
            count(stats, "pages_fetched", source.name)
            await self.order.room.wait()
            yield item_for(page, source, self.order.issue(), run)
        for key, value in self.read_stats.items():
            count(stats, READ_STAT_PREFIX + key, amount=value)
        stats.set_value(f"news/{READ_STAT_PREFIX}seconds", round(self.read_seconds, 3))


# --- running it ----------------------------------------------------------------------------


def reextract_settings(output_dir: Path, overrides: dict[str, str]):
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    pipelines[f"{__name__}.{InputOrderPipeline.__name__}"] = ORDER_PIPELINE_PRIORITY
    settings.setdict(
        {
            **overrides,
            "OUTPUT_DIR": str(output_dir),
            "ITEM_PIPELINES": pipelines,
            # The input is an archive already; nothing is downloaded.
            "ARCHIVE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
        },
        priority="cmdline",
    )
    return settings


def run_reextract(
    inputs,
    output_dir: Path,
    filters: Filters = Filters(),
    overrides: dict[str, str] | None = None,
    backend: str = DEFAULT_BACKEND,
    sources_file: str | None = None,
):
    """Run the re-extraction crawl in this process (the reactor cannot be restarted after)."""
    from scrapy.crawler import CrawlerProcess

    from pipelines.extract import start_workers_early

    settings = reextract_settings(output_dir, overrides or {})
    start_workers_early(settings)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ArchiveSpider)
    process.crawl(crawler, inputs=list(inputs), filters=filters, backend=backend, sources_file=sources_file)
    started = time.perf_counter()
    process.start()
    crawler.news_wall_seconds = time.perf_counter() - started
    return crawler
