"""The ``news`` spider's arguments (``-a NAME=VALUE``), checked before anything is fetched.

One pure function, ``parse_news_arguments``, turns the strings given on the command line
into typed values or raises ``SpiderArgumentError`` with one line naming the argument and
what was expected. The spider uses it, and so do ``scrapy crawl`` and ``python -m crawler
run`` before they start a crawl, so a typo or a bad value ends with exit status 2 and
that line, not a traceback after the crawl has started (or, for an unknown name, a crawl
of every source that ignored it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

# Listing pages (sections, pagination) are followed this many links deep.
DEFAULT_LISTING_DEPTH = 2

# name -> what it takes, as ``--help`` and the error for an unknown name show it.
ARGUMENTS = {
    "source": "registry source names, comma-separated (default: every enabled source)",
    "sources_file": "path of the sources registry (default: crawler/sources.toml)",
    "sitemap": "sitemap URLs, comma-separated: an ad hoc crawl without the registry",
    "feed": "RSS/Atom feed URLs, comma-separated: an ad hoc crawl",
    "url": "article or listing page URLs, comma-separated: an ad hoc crawl",
    "since": "a date YYYY-MM-DD: skip sitemap and feed entries dated earlier",
    "listing_depth": f"how many links deep listing pages are followed (a whole number >= 0, default {DEFAULT_LISTING_DEPTH})",
}
URL_ARGUMENTS = ("sitemap", "feed", "url")


class SpiderArgumentError(ValueError):
    """A spider argument that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class NewsArguments:
    source: str | None = None
    sources_file: str | None = None
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    since: datetime | None = None
    listing_depth: int = DEFAULT_LISTING_DEPTH

    @property
    def is_adhoc(self) -> bool:
        return bool(self.sitemaps or self.feeds or self.pages)

    @property
    def adhoc_urls(self) -> list[str]:
        return [*self.sitemaps, *self.feeds, *self.pages]


def split_arg(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def help_text() -> str:
    """The arguments, one per line, for ``--help``."""
    return "\n".join(f"  {f'-a {name}=...':<22}{meaning}" for name, meaning in ARGUMENTS.items())


def parse_urls(name: str, value) -> tuple[str, ...]:
    urls = split_arg(str(value))
    if not urls:
        raise SpiderArgumentError(f"-a {name}: expected one or more absolute http(s) URLs, comma-separated; got {value!r}")
    for url in urls:
        try:
            parts = urlsplit(url)
            scheme_ok, host = parts.scheme in ("http", "https"), parts.hostname
            parts.port  # raises on a port that is not a number
        except ValueError:
            scheme_ok, host = False, None
        if not (scheme_ok and host):
            raise SpiderArgumentError(f"-a {name}: expected an absolute http(s) URL; got {url!r}")
    return tuple(urls)


def parse_since(value, option: str = "-a since") -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    try:
        return datetime.strptime(str(value), "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        raise SpiderArgumentError(f"{option}: expected a date in YYYY-MM-DD form; got {value!r}") from None


def parse_listing_depth(value) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise SpiderArgumentError(f"-a listing_depth: expected a whole number >= 0; got {value!r}")
    return int(text)


def parse_news_arguments(given: Mapping[str, object]) -> NewsArguments:
    """Typed arguments from ``-a`` strings; raises ``SpiderArgumentError`` on the first problem."""
    unknown = sorted(set(given) - set(ARGUMENTS))
    if unknown:
        names = ", ".join(unknown)
        raise SpiderArgumentError(
            f"unknown spider argument{'s' if len(unknown) > 1 else ''} {names}; known: {', '.join(ARGUMENTS)}"
        )
    urls = {name: parse_urls(name, given[name]) for name in URL_ARGUMENTS if given.get(name) is not None}
    return NewsArguments(
        source=given.get("source"),
        sources_file=given.get("sources_file"),
        sitemaps=urls.get("sitemap", ()),
        feeds=urls.get("feed", ()),
        pages=urls.get("url", ()),
        since=parse_since(given.get("since")),
        listing_depth=parse_listing_depth(given.get("listing_depth", DEFAULT_LISTING_DEPTH)),
    )
