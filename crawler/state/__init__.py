"""The incremental state store: what earlier runs fetched, so each run fetches only news.

``StateStore`` is the interface the crawl talks to. ``crawler.state.sqlite.SqliteStateStore``
is the one-machine implementation, a SQLite file inside OUTPUT_DIR (``STATE_FILE_NAME``,
with its near-duplicate band index beside it), and the default.
``crawler.state.postgres.PostgresStateStore`` is the shared one for a cluster, chosen with
``STATE_URL=postgresql://...``; both pass the same tests. Nothing else in the project talks to a database.

What is stored:

- one ``ArticleState`` per article, keyed by its canonical URL (``crawler.urls``);
- aliases: a fetched URL whose page declared another canonical URL points to that
  article, and ``get`` / ``should_fetch`` follow it;
- MinHash band hashes and signatures for ``crawler.near_duplicates``, each with the time it
  was indexed (the article's ``last_seen``): lookups consult only the DEDUP_WINDOW_DAYS
  window, and ``prune_near_duplicates`` deletes what is older (articles, hashes and
  aliases are kept forever);
- where each article's page is archived (``ArticleState.archive_file`` and
  ``archive_offset``, see ``crawler.archive``): the WARC file, relative to OUTPUT_DIR, and
  the offset of its response record's gzip member, or None when the archive was off. They
  describe the version last written: a re-write without the archive clears them. A backend
  stores them with the rest of the entry, in the same transaction.

Times are timezone-aware ``datetime`` objects everywhere in the interface; a naive one is
a programming error and raises ``ValueError``. They are stored as ISO 8601 text with their
offset and read back unchanged.

The re-fetch rule (``should_fetch``): an unknown URL is fetched; a known article is fetched
again ONLY when the date it is now discovered with (sitemap lastmod, feed date) is newer
than the one stored with it. Comparing the site's date with the site's date keeps a site
whose clock or offset is wrong from looking changed on every run. Only when no date was
stored (the article was first reached by a dateless link) is the new date compared with
our own ``last_seen``: a change after our fetch means our copy is stale. That comparison
can suffer a skewed site clock once, after which a date is stored. A known article seen
without any date is not fetched again: nothing says it changed.

Durability and the SQLite details: ``crawler/state/sqlite.py``; the PostgreSQL ones, and
how nodes of a cluster claim articles before they commit them: ``crawler/state/postgres.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

STATE_FILE_NAME = "state.sqlite"
# STATE_URL schemes of the shared store.
POSTGRES_SCHEMES = ("postgresql", "postgres")


class StateStoreUnavailable(RuntimeError):
    """The store's server cannot be reached (a shared store only; SQLite is a local file)."""


@dataclass(frozen=True)
class ArticleState:
    """What the store remembers of one written article. All datetimes are timezone-aware."""

    key: str
    url: str
    first_seen: datetime
    last_seen: datetime
    content_hash: str
    published_at: datetime | None
    discovered_at: datetime | None
    version: int
    file: str
    archive_file: str | None = None
    archive_offset: int | None = None

    def __post_init__(self) -> None:
        for name in ("first_seen", "last_seen", "published_at", "discovered_at"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name)


class StateStore(Protocol):
    """The crawl's view of its incremental state; see the module docstring for the rules."""

    def get(self, key: str) -> ArticleState | None:
        """Return the article stored under *key*, or under the article *key* is an alias of."""

    def should_fetch(self, key: str, discovered_at: datetime | None) -> bool:
        """Tell whether to fetch the URL with canonical *key*, found dated *discovered_at*."""

    def should_fetch_many(self, entries: Sequence[tuple[str, datetime | None]]) -> list[bool]:
        """``should_fetch`` for each (key, discovered_at), in a few queries for the whole batch
        (a sitemap's 500 URLs) instead of one to three per URL."""

    def find_by_hash(self, content_hash: str) -> str | None:
        """Return the key of the first article stored with exactly this content hash."""

    def record_written(self, entries: Iterable[ArticleState]) -> None:
        """Upsert *entries*, all or none, after their data file was committed."""

    def record_committed(
        self,
        file: str,
        entries: Iterable[ArticleState],
        aliases: Iterable[tuple[str, str]] = (),
        signatures: Iterable[tuple[str, Sequence[int], bytes]] = (),
    ) -> None:
        """Everything one committed data file means, in one transaction: its articles,
        their URL aliases and MinHash signatures, and the file's name (``is_committed``)."""

    def is_committed(self, file: str) -> bool:
        """Whether ``record_committed`` ran for this data file."""

    def add_alias(self, url_key: str, article_key: str) -> None:
        """Make *url_key* (a fetched URL's key) lead to the article *article_key*."""

    def add_signature(self, key: str, band_hashes: Sequence[int], signature: bytes) -> None:
        """Store (or replace) the MinHash *signature* and LSH *band_hashes* of article *key*."""

    def add_signatures(self, entries: Iterable[tuple[str, Sequence[int], bytes]]) -> None:
        """``add_signature`` for many (key, band_hashes, signature) entries, in one transaction."""

    def record_visited(self, entries: Iterable[tuple[str, str, datetime | None]], seen_at: datetime) -> None:
        """Remember pages that held no article to keep: (key, reason, discovered_at)."""

    def update_discovered(self, entries: Iterable[tuple[str, datetime]]) -> None:
        """Store newer discovery dates of articles re-fetched with unchanged content."""

    def lsh_candidates(self, band_hashes: Sequence[int]) -> set[str]:
        """Return the keys that share at least one band hash (same band index) with these."""

    def get_signature(self, key: str) -> bytes | None:
        """Return the MinHash signature stored for *key*, or None."""

    def near_candidates(self, band_hashes: Sequence[int], since: datetime | None = None) -> dict[str, bytes]:
        """Key -> signature of the articles sharing a band hash with these (``lsh_candidates``)
        whose signature was indexed at or after *since* (all when None), in one round trip."""

    def prune_near_duplicates(self, before: datetime) -> int:
        """Delete the bands and signatures indexed before *before*; returns how many articles.
        Articles, their content hashes and aliases stay: exact duplicates and known URLs
        are recognised forever."""

    def stats(self) -> dict:
        """Counts per table, sizes in bytes, the first and last recorded article and the
        range of the signatures' index times (see ``crawler.state.maintenance``)."""

    def compact(self) -> None:
        """Give the space of deleted rows back (SQLite VACUUM, PostgreSQL VACUUM)."""

    def count(self) -> int:
        """Return the number of articles stored (aliases not counted)."""

    def close(self) -> None:
        """Release the store; no method may be called afterwards."""


def open_state_store(output_dir: Path, url: str | None = None, node: str = "") -> StateStore:
    """Open (creating if needed) the state store: the SQLite file in *output_dir*, or the
    PostgreSQL database at *url* (``STATE_URL``) when one is given. *node* names this crawl
    process in a shared store's claims."""
    if url:
        from crawler.state.postgres import PostgresStateStore

        return PostgresStateStore(url, node)
    output_dir.mkdir(parents=True, exist_ok=True)
    from crawler.state.sqlite import SqliteStateStore

    return SqliteStateStore(output_dir / STATE_FILE_NAME)


def redact_url(url: str) -> str:
    """*url* without its password, for logs and error messages."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<unparsable URL>"
    if not password:
        return url
    netloc = parts.netloc.replace(f":{password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def should_refetch(stored: ArticleState, discovered_at: datetime | None) -> bool:
    """Apply the re-fetch rule to a known article (see the module docstring)."""
    return is_newer(discovered_at, stored.discovered_at, stored.last_seen)


def is_newer(discovered_at: datetime | None, stored_date: datetime | None, fallback: datetime) -> bool:
    """The re-fetch rule for a known page: *discovered_at* is after its stored date, or after
    *fallback* (our last_seen, or when a page without an article was seen) when none was stored."""
    if discovered_at is None:
        return False
    require_aware(discovered_at, "discovered_at")
    return discovered_at > (stored_date if stored_date is not None else fallback)


# Keys per batched lookup: one parameter each, under SQLite's oldest limit of 999.
FETCH_QUERY_KEYS = 500


def next_version(stored: ArticleState | None, content_hash: str) -> int:
    """Return the version a newly written text gets: 1 when new, +1 when its hash changed."""
    if stored is None:
        return 1
    return stored.version if stored.content_hash == content_hash else stored.version + 1


def epoch_seconds(value: datetime) -> int:
    """Whole UTC seconds since 1970 of an aware datetime: how index times are stored,
    so that they compare as times whatever offset they were written with."""
    require_aware(value, "time")
    return int(value.timestamp())


def require_aware(value: datetime, name: str) -> None:
    """Raise ValueError unless *value* is a timezone-aware datetime."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
