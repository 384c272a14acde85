"""Probe each registry endpoint the way a crawl would, and give it a verdict.

``python -m crawler sources check --online [NAME...]`` runs :func:`probe_sources`: a small
Scrapy spider with the project's settings (User-Agent, robots.txt obeyed, retries, timeouts,
size limits) fetches, for each source, the robots.txt of every origin it uses, the sitemaps
(date templates filled for each day of the look-back window), the sitemaps robots.txt
declares, the feeds and the section pages. A sitemap index is followed to its newest child
(by ``lastmod``, else the first listed), twice at most, to see real article URLs.

Each endpoint gives one :class:`ProbeRow`: HTTP status, content type, entries found, the
newest entry date, the share of the source's URLs found there that match its article
patterns, and a verdict:

- ``ok``;
- ``empty``: a readable document with no entries (a section page with no story links);
- ``stale``: the newest entry is older than the source's look-back window, so a crawl
  would find nothing new there;
- ``blocked``: 401, 403, 429 or 451, robots.txt disallows the URL, or the server closed
  the connection without answering (how some sites refuse datacentre addresses);
- ``not found``: 404 or 410, or a document that is not what the endpoint should serve (an
  HTML page where a sitemap or feed belongs: a soft 404 or a moved endpoint);
- ``pattern mismatch``: most of the URLs found there do not match the article patterns;
- ``error``: anything else that failed (5xx, other 4xx, DNS, timeouts, refused connections).

The judging is done by pure functions (:func:`read_sitemap`, :func:`read_feed_document`,
:func:`read_listing`, :func:`verdict_of_reading`, :func:`verdict_of_status`,
:func:`verdict_of_failure`) so that each rule is tested on its own; the spider only fetches.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler import discovery
from crawler.sources import Source, fill_date_template, is_date_template

logger = logging.getLogger(__name__)

OK = "ok"
EMPTY = "empty"
STALE = "stale"
BLOCKED = "blocked"
NOT_FOUND = "not found"
PATTERN_MISMATCH = "pattern mismatch"
ERROR = "error"
VERDICTS = (OK, EMPTY, STALE, BLOCKED, NOT_FOUND, PATTERN_MISMATCH, ERROR)

BLOCKING_STATUSES = frozenset({401, 403, 429, 451})
GONE_STATUSES = frozenset({404, 410})
# Every status the callbacks want to see rather than have Scrapy drop; redirects are still
# followed (handle_httpstatus_all would turn them off).
REPORTED_STATUSES = tuple(range(400, 600))
# Failures where the server took the connection and closed it without a response. Scrapy
# wraps Twisted's ResponseNeverReceived in its own DownloadFailedError, whose message
# still names the cause.
CONNECTION_DROPPED = ("ResponseNeverReceived", "ConnectionLost", "ConnectionDone")

# Below this share of a sitemap's or feed's URLs matching the patterns, the patterns no
# longer describe the site: those documents list stories, and little else.
MIN_ARTICLE_SHARE = 0.5
# Section pages also link videos, galleries, author and tag pages that look like stories
# to the generic test, so a lower share is normal there; below this one, hardly any
# story link is taken.
MIN_SECTION_ARTICLE_SHARE = 0.2
# Nested sitemap indexes are followed this deep to reach article URLs.
MAX_INDEX_DEPTH = 2


@dataclass(frozen=True)
class Endpoint:
    """One URL to probe. ``written_as`` is the registry's form (a date template, say)."""

    source: str
    kind: str  # robots, sitemap, feed, section
    url: str
    written_as: str | None = None
    unverified: bool = False
    via: str | None = None  # "robots.txt" for the sitemaps it declares


@dataclass
class Reading:
    """What a fetched document held, for the verdict."""

    valid: bool  # the body is the kind of document the endpoint should serve
    entries: int = 0
    newest: datetime | None = None
    matched: int = 0  # the source's URLs found that match its article patterns
    checked: int = 0  # the source's URLs found that were tested against them
    children: tuple[discovery.SitemapEntry, ...] = ()  # of a sitemap index
    declared: tuple[str, ...] = ()  # sitemaps a robots.txt declares
    note: str = ""

    @property
    def article_share(self) -> float | None:
        return self.matched / self.checked if self.checked else None


@dataclass
class ProbeRow:
    source: str
    kind: str
    url: str
    verdict: str
    detail: str = ""
    status: int | None = None
    content_type: str | None = None
    entries: int | None = None
    newest: str | None = None
    article_share: float | None = None
    matched: int | None = None
    checked: int | None = None
    final_url: str | None = None
    written_as: str | None = None
    unverified: bool = False
    via: str | None = None

    def as_json(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- endpoints


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def endpoints_of(source: Source, now: datetime) -> list[Endpoint]:
    """What a crawl of ``source`` at ``now`` fetches first: robots.txt, sitemaps, feeds, sections."""
    days = source.window_days(None, now)
    sitemaps = []
    for written in source.sitemaps:
        unverified = source.is_unverified(written)
        if is_date_template(written):
            filled = dict.fromkeys(fill_date_template(written, day) for day in days)
            sitemaps.extend(Endpoint(source.name, "sitemap", url, written, unverified) for url in filled)
        else:
            sitemaps.append(Endpoint(source.name, "sitemap", written, None, unverified))
    listed = [
        *sitemaps,
        *(Endpoint(source.name, "feed", url, None, source.is_unverified(url)) for url in source.feeds),
        *(Endpoint(source.name, "section", url, None, source.is_unverified(url)) for url in source.sections),
    ]
    origins = dict.fromkeys(robots_url(endpoint.url) for endpoint in listed)
    return [Endpoint(source.name, "robots", url) for url in origins] + listed


# ---------------------------------------------------------------- reading documents


def owned_match_counts(source: Source, urls: Iterable[str]) -> tuple[int, int]:
    """(matching the article patterns, owned by the source) among ``urls``."""
    owned = [url for url in urls if source.owns_url(url)]
    return sum(source.is_article_url(url) for url in owned), len(owned)


def read_sitemap(body: bytes, url: str, source: Source) -> Reading:
    try:
        sitemap = discovery.parse_sitemap(body, url)
    except discovery.DecompressionError as exc:
        return Reading(valid=False, note=f"unreadable: {exc}")
    if sitemap.kind == "invalid":
        return Reading(valid=False, note="not a sitemap (no urlset or sitemapindex)")
    dates = [entry.best_date for entry in sitemap.entries if entry.best_date]
    newest = max(dates) if dates else None
    if sitemap.kind == "index":
        children = tuple(entry for entry in sitemap.entries if source.owns_url(entry.loc))
        return Reading(valid=True, entries=len(sitemap.entries), newest=newest, children=children)
    matched, checked = owned_match_counts(source, (entry.loc for entry in sitemap.entries))
    return Reading(valid=True, entries=len(sitemap.entries), newest=newest, matched=matched, checked=checked)


def read_feed_document(body: bytes, url: str, source: Source) -> Reading:
    feed = discovery.read_feed(body, url)
    if not feed.version and not feed.entries:
        return Reading(valid=False, note="not an RSS or Atom feed")
    dates = [entry.published for entry in feed.entries if entry.published]
    matched, checked = owned_match_counts(source, (entry.link for entry in feed.entries))
    return Reading(valid=True, entries=len(feed.entries), newest=max(dates) if dates else None, matched=matched, checked=checked)


def read_listing(hrefs: Sequence[str], url: str, source: Source) -> Reading:
    """A section page: its story links are those that match the patterns or look like stories."""
    links = [link for link in discovery.page_links(hrefs, url) if source.owns_url(link)]
    candidates = [link for link in links if source.is_article_url(link) or discovery.looks_like_article_url(link)]
    matched = sum(source.is_article_url(link) for link in candidates) if source.article_patterns else len(candidates)
    return Reading(valid=True, entries=matched, matched=matched, checked=len(candidates))


def read_robots(text: str, url: str) -> Reading:
    declared = tuple(discovery.sitemaps_from_robots(text, url))
    return Reading(valid=True, entries=len(declared), declared=declared)


def newest_child(children: Sequence[discovery.SitemapEntry]) -> discovery.SitemapEntry | None:
    """The child sitemap with the latest ``lastmod``; the first one when none is dated."""
    dated = [child for child in children if child.best_date]
    if dated:
        return max(dated, key=lambda child: child.best_date)
    return children[0] if children else None


# ---------------------------------------------------------------- verdicts


def verdict_of_status(status: int) -> tuple[str, str] | None:
    """The verdict for an HTTP status that is not a success, or None for 2xx/3xx."""
    if status < 400:
        return None
    if status in BLOCKING_STATUSES:
        return BLOCKED, f"HTTP {status}: the site refuses this client"
    if status in GONE_STATUSES:
        return NOT_FOUND, f"HTTP {status}"
    return ERROR, f"HTTP {status}"


def verdict_of_failure(reason: str, message: str = "") -> tuple[str, str]:
    """The verdict for a request that got no response (``reason`` is the exception's name)."""
    if reason == "IgnoreRequest" and "robots.txt" in message.lower():
        return BLOCKED, "robots.txt disallows it: a crawl will not fetch it"
    dropped = next((name for name in CONNECTION_DROPPED if name == reason or name in message), None)
    if dropped is not None:
        return BLOCKED, f"the server closed the connection without answering ({dropped})"
    if reason == "too_large":
        return ERROR, "larger than DOWNLOAD_MAXSIZE"
    return ERROR, f"{reason}: {message}" if message else reason


def verdict_of_reading(kind: str, reading: Reading, since: datetime | None) -> tuple[str, str]:
    """The verdict for a document that was fetched (2xx) and read."""
    if not reading.valid:
        return NOT_FOUND, reading.note or f"not a {kind}"
    if kind == "robots":
        return OK, reading.note
    if reading.entries == 0 and reading.checked == 0:
        return EMPTY, reading.note or ("no story links" if kind == "section" else "no entries")
    share = reading.article_share
    minimum = MIN_SECTION_ARTICLE_SHARE if kind == "section" else MIN_ARTICLE_SHARE
    if share is not None and share < minimum:
        return PATTERN_MISMATCH, (
            f"{reading.matched} of {reading.checked} URLs match the article patterns"
            + (f"; {reading.note}" if reading.note else "")
        )
    if reading.newest is not None and since is not None and reading.newest < since:
        return STALE, f"newest entry {reading.newest:%Y-%m-%d %H:%M} is older than the look-back window" + (
            f"; {reading.note}" if reading.note else ""
        )
    return OK, reading.note


def row_from_reading(endpoint: Endpoint, response: Response, reading: Reading, since: datetime | None) -> ProbeRow:
    verdict, detail = verdict_of_reading(endpoint.kind, reading, since)
    return replace(
        base_row(endpoint, verdict, detail),
        status=response.status,
        content_type=content_type_of(response),
        entries=reading.entries,
        newest=reading.newest.isoformat() if reading.newest else None,
        article_share=reading.article_share,
        matched=reading.matched if reading.checked else None,
        checked=reading.checked if endpoint.kind != "robots" else None,
        final_url=response.url if response.url != endpoint.url else None,
    )


def base_row(endpoint: Endpoint, verdict: str, detail: str = "") -> ProbeRow:
    return ProbeRow(
        source=endpoint.source,
        kind=endpoint.kind,
        url=endpoint.url,
        verdict=verdict,
        detail=detail,
        written_as=endpoint.written_as,
        unverified=endpoint.unverified,
        via=endpoint.via,
    )


def content_type_of(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1").split(";")[0].strip() if value else None


# ---------------------------------------------------------------- the spider


@dataclass
class PendingIndex:
    """A sitemap index whose row waits for its newest child to be read."""

    endpoint: Endpoint
    response_status: int
    content_type: str | None
    entries: int
    newest: datetime | None
    chain: list[str] = field(default_factory=list)


class ProbeSpider(scrapy.Spider):
    """Fetches the endpoints of ``sources`` and fills ``rows`` (one per endpoint, in order)."""

    name = "sources-probe"

    def __init__(self, sources: Sequence[Source], now: datetime | None = None, robots_sitemaps: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.now = now or datetime.now(timezone.utc)
        self.sources = {source.name: source for source in sources}
        self.robots_sitemaps = robots_sitemaps
        self.endpoints: list[Endpoint] = [e for source in sources for e in endpoints_of(source, self.now)]
        self.rows: dict[Endpoint, ProbeRow] = {}
        self.allowed_domains = sorted({domain for source in sources for domain in source.domains})

    async def start(self):
        for endpoint in self.endpoints:
            yield self.request_for(endpoint)

    def request_for(self, endpoint: Endpoint, url: str | None = None, **meta) -> scrapy.Request:
        return scrapy.Request(
            url or endpoint.url,
            callback=self.parse_endpoint,
            errback=self.on_error,
            dont_filter=True,
            meta={
                "endpoint": endpoint,
                "handle_httpstatus_list": REPORTED_STATUSES,
                # robots.txt itself is what is being probed
                "dont_obey_robotstxt": endpoint.kind == "robots",
                **meta,
            },
        )

    def since_for(self, endpoint: Endpoint) -> datetime:
        return self.sources[endpoint.source].lookback_start(self.now)

    def parse_endpoint(self, response: Response):
        endpoint: Endpoint = response.meta["endpoint"]
        pending: PendingIndex | None = response.meta.get("index")
        failed = verdict_of_status(response.status)
        if endpoint.kind == "robots" and response.status in GONE_STATUSES:
            failed = OK, "no robots.txt: everything may be fetched"
        if failed is not None:
            verdict, detail = failed
            status, content_type = response.status, content_type_of(response)
            if pending is not None:
                detail = f"newest child sitemap {response.url}: {detail}"
                status, content_type = pending.response_status, pending.content_type
            self.rows[endpoint] = replace(base_row(endpoint, verdict, detail), status=status, content_type=content_type)
            return
        source = self.sources[endpoint.source]
        if endpoint.kind == "robots":
            text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
            reading = read_robots(text, response.url)
            self.rows[endpoint] = row_from_reading(endpoint, response, reading, None)
            if self.robots_sitemaps:
                yield from self.declared_sitemaps(endpoint, reading.declared)
        elif endpoint.kind == "sitemap":
            reading = read_sitemap(response.body, response.url, source)
            if reading.children and (pending is None or len(pending.chain) < MAX_INDEX_DEPTH):
                yield from self.follow_index(endpoint, response, reading, pending)
                return
            self.rows[endpoint] = self.row_for(endpoint, response, reading, pending)
        elif endpoint.kind == "feed":
            reading = read_feed_document(response.body, response.url, source)
            self.rows[endpoint] = self.row_for(endpoint, response, reading, None)
        else:
            if isinstance(response, TextResponse) and _is_html(response):
                reading = read_listing(response.xpath("//a/@href").getall(), response.url, source)
            else:
                reading = Reading(valid=False, note=f"not an HTML page ({content_type_of(response) or 'no content type'})")
            self.rows[endpoint] = self.row_for(endpoint, response, reading, None)

    def row_for(self, endpoint: Endpoint, response: Response, reading: Reading, pending: PendingIndex | None) -> ProbeRow:
        if pending is None:
            return row_from_reading(endpoint, response, reading, self.since_for(endpoint))
        # The index's row: its own status and size, the newest child's URLs and dates.
        dates = [d for d in (pending.newest, reading.newest) if d]
        reading.note = "; ".join(filter(None, [
            f"index of {pending.entries} sitemaps; newest child {response.url}: {reading.entries} entries",
            reading.note,
        ]))
        reading.newest = max(dates) if dates else None
        row = row_from_reading(endpoint, response, reading, self.since_for(endpoint))
        row.status, row.content_type, row.entries, row.final_url = pending.response_status, pending.content_type, pending.entries, None
        return row

    def follow_index(self, endpoint: Endpoint, response: Response, reading: Reading, pending: PendingIndex | None):
        child = newest_child(reading.children)
        if pending is None:
            pending = PendingIndex(endpoint, response.status, content_type_of(response), reading.entries, reading.newest)
        pending.chain.append(child.loc)
        yield self.request_for(endpoint, child.loc, index=pending)

    def declared_sitemaps(self, robots: Endpoint, declared: Iterable[str]):
        known = {e.url for e in self.endpoints if e.source == robots.source}
        source = self.sources[robots.source]
        for url in declared:
            if url in known or not source.owns_url(url):
                continue
            known.add(url)
            endpoint = Endpoint(robots.source, "sitemap", url, via="robots.txt")
            self.endpoints.append(endpoint)
            yield self.request_for(endpoint)

    def on_error(self, failure):
        from spiders.news import failure_reason

        request = failure.request
        endpoint: Endpoint = request.meta["endpoint"]
        verdict, detail = verdict_of_failure(failure_reason(failure), str(failure.value))
        if request.meta.get("index") is not None:
            detail = f"newest child sitemap {request.url}: {detail}"
        self.rows[endpoint] = base_row(endpoint, verdict, detail)

    def ordered_rows(self) -> list[ProbeRow]:
        """One row per endpoint, source by source; sitemaps from robots.txt after the source's others."""
        order = {name: index for index, name in enumerate(self.sources)}
        rows = []
        for endpoint in sorted(self.endpoints, key=lambda e: order[e.source]):
            row = self.rows.get(endpoint)
            rows.append(row if row is not None else base_row(endpoint, ERROR, "no response (the probe was stopped)"))
        return rows


def _is_html(response: Response) -> bool:
    from spiders.news import is_html

    return is_html(response)


# ---------------------------------------------------------------- running it


# The crawl's own extensions, pipelines and archive write into OUTPUT_DIR and open the state
# store: a probe does neither, and its "items" are rows. Scrapy's own extensions stay.
PROBE_SETTINGS = {
    "ITEM_PIPELINES": {},
    "ARCHIVE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
}


def probe_settings(settings, overrides: dict | None):
    """The project's settings with the crawl's writers switched off, then ``overrides``."""
    project_extensions = {name: None for name in settings.getdict("EXTENSIONS")}
    settings.setdict({**PROBE_SETTINGS, "EXTENSIONS": project_extensions, **(overrides or {})}, priority="cmdline")
    return settings


def probe_sources(sources: Sequence[Source], settings_overrides: dict | None = None, now: datetime | None = None) -> list[ProbeRow]:
    """Probe every endpoint of ``sources`` in this process (it runs the Twisted reactor once)."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = probe_settings(get_project_settings(), settings_overrides)
    robots_sitemaps = settings.getbool("NEWS_ROBOTS_SITEMAPS", True)
    # "Gave up retrying" is logged at ERROR for every endpoint that fails: the rows say it.
    logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ProbeSpider)
    process.crawl(crawler, sources=list(sources), now=now, robots_sitemaps=robots_sitemaps)
    process.start()
    return crawler.spider.ordered_rows()
