"""The article item: one JSON line of the dataset.

``ARTICLE_FIELDS`` are written to JSONL, in this order, and are described by
``crawler/article.schema.json``. ``INTERNAL_FIELDS`` travel between the spider
and the pipelines (the raw page, discovery hints) and are never written.
"""

import scrapy

SCHEMA_VERSION = 1

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
    "modified_at",
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
    "discovered_date",  # sitemap lastmod / news date / feed date, if any
    "fingerprint_text",  # lossy-folded text, computed once for dedup
    "minhash",  # (band hashes, signature) of the folded text, for near-duplicates
    "content_type",  # the response's Content-Type header, for decoding the raw body
    "http_exchange",  # the request and response as received, for the WARC archive
    "archive_location",  # where the archive wrote the response record (file, offset)
    "reextract_order",  # (position, run id) of a page read back from an archive
)


class ArticleItem(scrapy.Item):
    locals().update({name: scrapy.Field() for name in ARTICLE_FIELDS + INTERNAL_FIELDS})
