"""Saved HTML pages to dataset records: what ``python -m crawler extract`` prints.

A saved page goes through the crawl's own code: the spider's item builder
(``crawler.items.article_item``), the extraction workers' stage
(``crawler.article.analyze_page``), the language stage, the extract pipeline's
finishing step and the writer's ``record_of``. So the record is the JSON line a
crawl would have written for the page the first time it saw it (``version`` 1,
``duplicate_of`` null: there is no earlier run to compare with), and it is valid
against ``crawler/article.schema.json``.

What a saved page lacks is where it came from: its URL is ``--url`` or the
page's own canonical link / ``og:url``, and its source the registry entry that
owns the URL's domain (or ``--source``), else the domain itself, as in an ad-hoc
crawl.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

from itemadapter import ItemAdapter

from crawler.article import analyze_page, extract_options_of, language_fields, with_extracted
from crawler.extract import MIN_ARTICLE_WORDS, NotAnArticle, decode_html, parse_html
from crawler.items import article_item
from crawler.metadata import first_meta, meta_tags
from crawler.sources import Source, registry_source_of, strip_www, url_host

HTML_SUFFIXES = frozenset({".html", ".htm"})
# A NUL byte in the first kilobytes: an image, an archive, a PDF, not markup.
BINARY_PROBE_BYTES = 4096
# More replacement characters than this share of the decoded text: the bytes are in no
# encoding the page declares or that detection finds, and the text would be mojibake.
MAX_REPLACEMENT_SHARE = 0.01
# The schema's pattern for ``source``.
SOURCE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


class PageProblem(Exception):
    """Why a saved file gives no record; ``reason`` is a short slug for the summary."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def html_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Each path given, and for a folder its ``*.html`` / ``*.htm`` files, recursively, in name order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                found for found in path.rglob("*") if found.suffix.lower() in HTML_SUFFIXES and found.is_file()
            )
        else:
            yield path


def declared_url(body: bytes) -> str | None:
    """The absolute http(s) URL the page says it has (rel=canonical, else og:url), or None."""
    try:
        tree = parse_html(body)
    except NotAnArticle:
        return None
    candidates = [link.get("href") for link in tree.xpath("//link[@rel='canonical'][@href]")]
    candidates.append(first_meta(meta_tags(tree), "og:url"))
    for candidate in candidates:
        candidate = (candidate or "").strip()
        if url_host(candidate) is not None:
            return candidate
    return None


def source_for(url: str, registry: Mapping[str, Source], name: str | None = None) -> Source:
    """The source of a page at ``url``: the registry entry called ``name``, or one with that name
    on the URL's domain, or else the registry entry owning the domain, or the domain itself."""
    host = url_host(url) or ""
    if name:
        return registry.get(name) or Source(name=name, domains=(strip_www(host),), outlet=strip_www(host))
    return registry_source_of(registry, host) or Source.adhoc([url])


def check_markup(body: bytes) -> None:
    """Refuse what is plainly no HTML page, before the extractor spends time on it."""
    if not body.strip():
        raise PageProblem("empty", "empty file")
    if b"\x00" in body[:BINARY_PROBE_BYTES]:
        raise PageProblem("not_html", "not HTML (binary data)")
    text = decode_html(body)
    replaced = text.count("\ufffd")
    if replaced > MAX_REPLACEMENT_SHARE * len(text):
        raise PageProblem("undecodable", f"undecodable: {replaced} of {len(text)} characters are not in the page's encoding")


def saved_page_record(
    body: bytes,
    url: str | None,
    registry: Mapping[str, Source],
    now: datetime,
    source_name: str | None = None,
    min_words: int = MIN_ARTICLE_WORDS,
) -> dict:
    """The JSON record the crawl would write for ``body`` fetched at ``now`` from ``url``
    (None: the page's own canonical link), for the source ``source_for`` finds.

    Raises ``PageProblem`` for a file that is no HTML page or has no URL, and
    ``NotAnArticle`` for a page the pipelines would drop (no article, not Arabic).
    """
    from pipelines.write import record_of  # the JSON line exactly as the writer makes it

    check_markup(body)
    url = url or declared_url(body)
    if url is None:
        raise PageProblem(
            "no_url", "no URL: the page has no absolute rel=canonical or og:url link; give it with --url (one file at a time)"
        )
    source = source_for(url, registry, source_name)
    item = ItemAdapter(article_item(url, source, body, None, now))
    html = item.pop("html")
    content_type = item.pop("content_type", None)
    fields = analyze_page(html, url, extract_options_of(item, min_words), content_type)
    fields.update(language_fields(fields["text"], (fields.get("language"), fields.get("language_score") or 0.0)))
    with_extracted(item, fields)
    return record_of(item.item)
