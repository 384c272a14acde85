"""Finding article URLs: sitemaps (incl. Google News), RSS/Atom feeds, listing pages.

Pure parsers over bodies Scrapy fetched. Sitemaps are parsed with lxml in a
hardened mode (no entity expansion, no network, recover from broken markup)
because Scrapy's own sitemap parser drops the ``news:`` fields we need.
Feeds go through feedparser, which copes with the broken XML feeds are
known for.
"""

from __future__ import annotations

import html
import io
import logging
import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

from crawler.dates import find_stated_date

logger = logging.getLogger(__name__)

# A sitemap may hold 50,000 URLs and 50 MB uncompressed (sitemaps.org); allow
# some slack but refuse decompression bombs.
MAX_SITEMAP_BYTES = 64 * 1024 * 1024

_NON_HTTP_SCHEMES = ("javascript:", "mailto:", "tel:", "file:", "data:", "ftp:", "whatsapp:", "sms:")


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None = None
    news_title: str | None = None
    news_publication_date: datetime | None = None
    news_language: str | None = None
    # The same two dates as precise as the sitemap states them (no time, no offset
    # when it gives none): extraction takes a page's missing UTC offset from them.
    lastmod_as_stated: str | None = None
    news_publication_date_as_stated: str | None = None

    @property
    def best_date(self) -> datetime | None:
        """The date that says when the article last changed, for incremental runs."""
        dates = [d for d in (self.lastmod, self.news_publication_date) if d]
        return max(dates) if dates else None

    @property
    def best_date_as_stated(self) -> str | None:
        """``best_date`` as the sitemap wrote it (see ``StatedDate.isoformat``)."""
        best = self.best_date
        if best is None:
            return None
        return self.lastmod_as_stated if best == self.lastmod else self.news_publication_date_as_stated


@dataclass(frozen=True)
class Sitemap:
    kind: str  # "index" or "urlset" ("invalid" when nothing could be read)
    entries: tuple[SitemapEntry, ...]


@dataclass(frozen=True)
class FeedEntry:
    link: str
    title: str | None
    published: datetime | None
    published_as_stated: str | None = None  # as precise as the feed states it


class DecompressionError(ValueError):
    """A gzipped body that is truncated, corrupt or too large."""


def maybe_gunzip(body: bytes, max_size: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress gzip bodies (``sitemap.xml.gz``), refusing more than ``max_size`` bytes."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(body, max_size + 1)
    except zlib.error as exc:
        raise DecompressionError(f"corrupt gzip data: {exc}") from exc
    if len(data) > max_size:
        raise DecompressionError(f"decompressed size exceeds {max_size} bytes")
    if not decompressor.eof:
        raise DecompressionError("truncated gzip data")
    return data


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, recover=True, huge_tree=False, load_dtd=False, remove_comments=True
    )


def _local(tag) -> str:
    # "{namespace}name" or "name" (what etree.QName(tag).localname gives, without building
    # a QName per element); comments, processing instructions and entities have no str tag.
    return tag.rpartition("}")[2].lower() if isinstance(tag, str) else ""


def decode_html_entities(text: str) -> str:
    """"&nbsp;" and the like, written into XML by HTML-minded CMSs; unknown names stay as written."""
    return _NAMED_REFERENCE.sub(lambda match: html.unescape(match.group(0)), text)


def _child_text(element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _find_news(element):
    for child in element:
        if _local(child.tag) == "news":
            return child
    return None


# Every "&" that does not start one of XML's five predefined entities or a
# character reference is escaped before parsing. Broken sitemaps carry bare
# "&" in query strings and HTML entities such as "&nbsp;"; libxml2's recovery
# drops text after them (and after one undefined entity it stops decoding
# even "&amp;"). Escaping also means no declared entity is ever expanded.
_NON_XML_AMPERSAND = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)")
_NAMED_REFERENCE = re.compile(r"&[A-Za-z][A-Za-z0-9]*;")
# An absolute http(s) URL that urljoin would give back unchanged whatever the base
# (printable ASCII, no params, fragment, empty query or IPv6 brackets): the usual sitemap
# <loc>, kept without urljoin's parse and rebuild (about 10 µs an entry).
_URL_CHARACTER = r"[A-Za-z0-9\-._~!$&'()*+,=:@%]"
_PLAIN_ABSOLUTE_URL = re.compile(
    rf"https?://{_URL_CHARACTER}+(?:/(?:{_URL_CHARACTER}|/)*)?(?:\?(?:{_URL_CHARACTER}|[/?])+)?", re.ASCII
)


def parse_sitemap(body: bytes, base_url: str = "", now: datetime | None = None) -> Sitemap:
    """Entries of a sitemap index or urlset; broken documents yield what could be read."""
    body = _NON_XML_AMPERSAND.sub(b"&amp;", maybe_gunzip(body))
    try:
        root = etree.fromstring(body.lstrip(), parser=_xml_parser())
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return Sitemap("invalid", ())
    kind = {"sitemapindex": "index", "urlset": "urlset"}.get(_local(root.tag), "invalid")
    entries = []
    for element in root:
        if _local(element.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(element, "loc")
        if not loc:
            continue
        loc = loc if _PLAIN_ABSOLUTE_URL.fullmatch(loc) else urljoin(base_url, loc)
        if not loc.startswith(("http://", "https://")):
            continue
        lastmod = _child_text(element, "lastmod")
        news = _find_news(element)
        news_date = news_title = news_language = None
        if news is not None:
            news_date = _child_text(news, "publication_date")
            news_title = _child_text(news, "title")
            news_title = decode_html_entities(news_title) if news_title else None
            publication = next((c for c in news if _local(c.tag) == "publication"), None)
            if publication is not None:
                news_language = _child_text(publication, "language")
        lastmod_stated = find_stated_date(lastmod, now=now) if lastmod else None
        news_stated = find_stated_date(news_date, now=now) if news_date else None
        entries.append(
            SitemapEntry(
                loc=loc,
                lastmod=lastmod_stated.to_datetime() if lastmod_stated else None,
                news_title=news_title,
                news_publication_date=news_stated.to_datetime() if news_stated else None,
                news_language=news_language,
                lastmod_as_stated=lastmod_stated.isoformat() if lastmod_stated else None,
                news_publication_date_as_stated=news_stated.isoformat() if news_stated else None,
            )
        )
    return Sitemap(kind, tuple(entries))


def sitemaps_from_robots(body: str, base_url: str) -> list[str]:
    """``Sitemap:`` lines of a robots.txt."""
    found = []
    for line in body.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            found.append(urljoin(base_url, value.strip()))
    return found


def parse_feed(body: bytes, base_url: str = "", now: datetime | None = None) -> list[FeedEntry]:
    """Entries of an RSS or Atom feed; feedparser tolerates broken XML."""
    return read_feed(body, base_url, now).entries


@dataclass(frozen=True)
class Feed:
    # feedparser's name of the format ("rss20", "atom10", "rdf"...), "" when the body was
    # not recognized as a feed at all (an HTML page, say)
    version: str
    entries: list[FeedEntry]


def read_feed(body: bytes, base_url: str = "", now: datetime | None = None) -> Feed:
    """The format and the entries of an RSS or Atom feed."""
    # feedparser would fetch a URL if handed a str that looks like one; give it bytes.
    parsed = feedparser.parse(io.BytesIO(body), resolve_relative_uris=False, sanitize_html=False)
    entries = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link and str(entry.get("id", "")).startswith(("http://", "https://")):
            link = entry["id"]  # Atom ids are often the permalink; opaque guids are not
        if not link:
            continue
        link = urljoin(base_url, link.strip())
        if not link.startswith(("http://", "https://")):
            continue
        raw_date = entry.get("published") or entry.get("updated") or entry.get("created")
        stated = find_stated_date(raw_date, now=now) if raw_date else None
        entries.append(
            FeedEntry(
                link=link,
                title=entry.get("title"),
                published=stated.to_datetime() if stated else None,
                published_as_stated=stated.isoformat() if stated else None,
            )
        )
    return Feed(version=parsed.get("version") or "", entries=entries)


def is_followable_link(href: str | None) -> bool:
    if not href:
        return False
    href = href.strip().lower()
    return bool(href) and not href.startswith("#") and not href.startswith(_NON_HTTP_SCHEMES)


def page_links(hrefs, base_url: str) -> list[str]:
    """Absolute http(s) URLs of a page's links, fragment-free and unique, in page order."""
    links = []
    for href in hrefs:
        if not is_followable_link(href):
            continue
        absolute = urljoin(base_url, href.strip()).split("#", 1)[0]
        if urlsplit(absolute).scheme in ("http", "https"):
            links.append(absolute)
    return list(dict.fromkeys(links))


# Without a source's own patterns, a URL "looks like an article" when its path
# has a date, a long numeric id or a long multi-word slug: listing and section
# URLs rarely do.
_DATE_PATH = re.compile(r"/(?:19|20)\d{2}[/-]\d{1,2}[/-]\d{1,2}(?:/|$)")
_NUMERIC_ID = re.compile(r"(?:/|-|_|=)\d{4,}(?:[/.?_-]|$)")
_SLUG_SEPARATORS = re.compile(r"[-_]")


def looks_like_article_url(url: str) -> bool:
    parts = urlsplit(url)
    path = parts.path
    if path in ("", "/"):
        return False
    if _DATE_PATH.search(path) or _NUMERIC_ID.search(path + ("?" + parts.query if parts.query else "")):
        return True
    last_segment = path.rstrip("/").rsplit("/", 1)[-1]
    return len(_SLUG_SEPARATORS.findall(last_segment)) >= 3
