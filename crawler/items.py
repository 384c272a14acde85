"""The article item: one JSON line of the dataset.

``ARTICLE_FIELDS`` are written to JSONL, in this order, and are described by
``crawler/article.schema.json``. ``INTERNAL_FIELDS`` travel between the spider
and the pipelines (the raw page, discovery hints) and are never written: the
last pipeline (the writer) hands on a ``PublicRecord`` instead of the item.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy

# 2: the date fields split by precision (published_date/_time beside published_at, same
# for modified); *_at is null unless both the time and the UTC offset are known.
SCHEMA_VERSION = 2

ARTICLE_FIELDS = (
    "url",
    "canonical_url",
    "source",
    "domain",
    "title",
    "text",
    "authors",
    "agency",
    "published_at",
    "published_date",
    "published_time",
    "modified_at",
    "modified_date",
    "modified_time",
    "date_raw",
    "description",
    "image",
    "section",
    "tags",
    "language",
    "language_score",
    "word_count",
    "fetched_at",
    "content_hash",
    "version",
    "duplicate_of",
    "schema_version",
)

INTERNAL_FIELDS = (
    "html",  # decoded page text, dropped once extracted
    "prune_xpath",  # per-source widget XPath, from the registry
    "site_names",  # the outlet's names: stripped from titles, never authors
    "timezone",  # the source's IANA time zone, for page times written without an offset
    "discovered_date",  # sitemap lastmod / news date / feed date, if any, as precise as stated
    "fingerprint_text",  # lossy-folded text, computed once for dedup
    "minhash",  # (band hashes, signature) of the folded text, for near-duplicates
    "content_type",  # the response's Content-Type header, for decoding the raw body
    "http_exchange",  # the request and response as received, for the WARC archive
    "archive_location",  # where the archive wrote the response record (file, offset)
    "reextract_order",  # (position, run id) of a page read back from an archive
)


class ArticleItem(scrapy.Item):
    locals().update({name: scrapy.Field() for name in ARTICLE_FIELDS + INTERNAL_FIELDS})


def article_item(url: str, source, body: bytes, content_type: str | None, fetched_at: datetime, **internal) -> ArticleItem:
    """The item for one fetched page, as the pipelines expect it: the crawl fields and the raw body.

    One builder for the spider, the re-extraction and ``python -m crawler extract``, so a
    page gets the same fields whichever way it came in. ``source`` is a
    ``crawler.sources.Source``; ``internal`` holds more ``INTERNAL_FIELDS``
    (``discovered_date``, ``archive_location``...).
    """
    return ArticleItem(
        url=url,
        source=source.name,
        domain=(urlsplit(url).hostname or "").removeprefix("www."),
        # Raw bytes: the extraction worker decodes them exactly as
        # response.text would, off the crawl's thread.
        html=body,
        content_type=content_type,
        prune_xpath=source.prune_xpath,
        site_names=source.names,
        timezone=source.timezone,
        fetched_at=fetched_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
        **internal,
    )


class PublicRecord(dict):
    """What leaves the last pipeline: the item's JSON line, the schema's fields only.

    Feed exports (``-O out.jsonl``, ``FEEDS``) and ``item_scraped`` handlers get exactly
    what the JSONL writer wrote, never the raw page bytes or dedup data. The pipelines'
    item stays reachable as the ``article`` attribute, which no exporter reads, for our
    own handlers that track an item by its internal fields (re-extraction order).
    """

    __slots__ = ("article",)

    def __init__(self, record: dict, article=None):
        super().__init__(record)
        self.article = article


def internal_item_of(item):
    """The pipelines' item behind a ``PublicRecord`` (or the item itself)."""
    return getattr(item, "article", None) or item
