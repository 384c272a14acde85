"""The one-machine ``StateStore``: a SQLite file inside OUTPUT_DIR, and its band index beside it.

Durability: the data file is committed first (fsynced and renamed, ``crawler.jsonl_writer``),
then ``record_committed`` stores its articles, aliases, signatures and the file's name in
one transaction. WAL with ``synchronous=NORMAL``: a commit survives a process crash (a
SIGKILL at any moment leaves the whole transaction or none of it); a power cut may lose
the last few, and then the next run finds their data files missing from
``committed_files`` and records them from the files (``recover_unrecorded_files`` in
pipelines/write.py), so nothing is fetched or written twice. FULL would fsync the WAL at
every commit: measured by bench/state_scale.py on this machine's disk, a commit then took
a few hundred ms under load, the largest state cost per page. One connection, used from one
thread (the Twisted reactor's); sqlite3's ``check_same_thread`` enforces it.

Memory: SQLite's page cache is capped (``CACHE_KIB``), so the process does not grow with
the file; every per-page lookup is one search of a primary key or index (the tests check
the query plans), so its cost grows with log(articles), not with the table.

The LSH band index lives in a file of its own beside the store (``band_index_path``,
attached to the same connection as ``bands``). Every new article probes it 32 times at
random, while the rest of the store is read by key, article by article; in one file its
pages were scattered among a million articles' rows, and at 1M stored articles a crawl
spent most of its state time reading them back from disk (bench/state_scale.py). On its
own, holding only the DEDUP_WINDOW_DAYS window with integer signature ids (about 22 bytes
a row instead of 60 and more with the key text), it stays a few hundred MB that the
kernel's readahead keeps together. It is derived data: the signatures in the store list
their bands, and a band index that does not match them is rebuilt from them when the
store is opened. A commit writes the two files one after the other, so a crash between
the two leaves them apart; both carry a generation number that each change of the bands
advances in the same transaction, and unequal numbers tell that it happened.

New band rows go to a small table of their own, ``recent_bands``, and are moved into
``minhash_bands`` in one sorted pass once RECENT_BANDS_MERGE_SIGNATURES signatures have
gathered there (and by ``compact``). Random band hashes put each of an article's 32 rows
on a different page, so a commit of 500 articles inserted straight into the window's index
dirtied about 14,000 of its pages and wrote them all to the WAL: at a million stored
articles that COMMIT alone took 0.72 s of the commit's 1.0 s. The small table's pages are
few and stay dirty together; the merge writes each page of the large one once for many
commits. Lookups search both tables.

Opening a store reads the band index file once from start to end in a background thread
(``read_into_page_cache``): a cold file costs a disk read per band probe, and this
machine's kernel reclaims page cache it sees unused within minutes, so an hourly run
meets a cold file. One sequential read of the window's index (175 MB vacuumed at a
million stored articles, about 0.2 s) is cheaper than its 32 random reads per article.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from crawler.state import FETCH_QUERY_KEYS, ArticleState, epoch_seconds, is_newer, require_aware, should_refetch

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 4

# Statements that bring a store of version N-1 to version N, run in one transaction when an
# older store is opened. 2: the archive location of each article (issue 13). 3: when each
# MinHash signature was indexed (UTC seconds), so that near-duplicate lookups consult only
# the DEDUP_WINDOW_DAYS window and older bands can be pruned (issue 17); an existing
# signature counts as indexed when its article was last written, one without an article as
# indexed at 0 (the first prune removes it: nothing can be marked a copy of it anyway).
# Also 3: each signature row lists its own bands ("band:hash,..."), so that replacing or
# pruning an article's bands searches the primary key instead of a (key) index over the
# band table, which took as many bytes as the band table itself (bench/state_scale.py).
# That makes a signature row about 1.3 kB, so the table is rebuilt as a rowid table: a
# WITHOUT ROWID table keeps at most about 1 kB of a row in its 4 kB page and puts the rest
# on an overflow page of its own, which measured 4.7 kB per row.
# 4: the band table moves to the band index file, its rows naming the signature by an
# integer id (an INTEGER PRIMARY KEY, which VACUUM keeps) instead of by the key text; the
# band index is then built when the store is opened (``_ensure_band_index``).
MIGRATIONS = {
    2: (
        "ALTER TABLE articles ADD COLUMN archive_file TEXT",
        "ALTER TABLE articles ADD COLUMN archive_offset INTEGER",
    ),
    3: (
        "CREATE TABLE minhash_signatures_3 (key TEXT PRIMARY KEY, signature BLOB NOT NULL, "
        "indexed_at INTEGER NOT NULL DEFAULT 0, bands TEXT NOT NULL DEFAULT '')",
        "INSERT INTO minhash_signatures_3 (key, signature, indexed_at, bands) SELECT s.key, s.signature, "
        "COALESCE((SELECT CAST(strftime('%s', a.last_seen) AS INTEGER) FROM articles a WHERE a.key = s.key), 0), "
        "COALESCE((SELECT group_concat(b.band || ':' || b.band_hash, ',') FROM minhash_bands b WHERE b.key = s.key), '') "
        "FROM minhash_signatures s",
        "DROP TABLE minhash_signatures",
        "ALTER TABLE minhash_signatures_3 RENAME TO minhash_signatures",
        "CREATE INDEX minhash_signatures_indexed_at ON minhash_signatures (indexed_at)",
        # Bands of a key without a signature can never be a candidate (lookups join the
        # signatures) and could no longer be found to delete.
        "DELETE FROM minhash_bands WHERE key NOT IN (SELECT key FROM minhash_signatures)",
        "DROP INDEX IF EXISTS minhash_bands_key",
    ),
    4: (
        "CREATE TABLE minhash_signatures_4 (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
        "signature BLOB NOT NULL, indexed_at INTEGER NOT NULL DEFAULT 0, bands TEXT NOT NULL DEFAULT '')",
        "INSERT INTO minhash_signatures_4 (key, signature, indexed_at, bands) "
        "SELECT key, signature, indexed_at, bands FROM minhash_signatures ORDER BY indexed_at",
        "DROP TABLE minhash_signatures",
        "ALTER TABLE minhash_signatures_4 RENAME TO minhash_signatures",
        "CREATE INDEX minhash_signatures_indexed_at ON minhash_signatures (indexed_at)",
        "DROP TABLE main.minhash_bands",
        "CREATE TABLE band_index_generation (value INTEGER NOT NULL)",
        "INSERT INTO band_index_generation (value) VALUES (0)",
    ),
}

# The band index file's name beside the store's: state.sqlite -> state-bands.sqlite.
BAND_INDEX_SUFFIX = "-bands"

# At most this much of the band index is read ahead when a store opens: a window of thirty
# outlets' articles (10,000 a day for DEDUP_WINDOW_DAYS=30) takes a fifth of it; a longer
# window gets its first GiB warm instead of evicting the rest of the page cache.
BAND_INDEX_READAHEAD_BYTES = 1 << 30
READAHEAD_CHUNK_BYTES = 1 << 20

# Signatures whose band rows gather in recent_bands before they are merged into
# minhash_bands: two days of thirty outlets (640,000 rows, a few MB, always in the cache).
RECENT_BANDS_MERGE_SIGNATURES = 20_000
_BAND_TABLES = ("bands.minhash_bands", "bands.recent_bands")

# SQLite's page cache per connection, in KiB (negative cache_size): enough for the upper
# levels of every index, and a bound, so a year of state does not become a year of RAM.
CACHE_KIB = 16 * 1024

# Signatures whose band rows are sorted and deleted together (32 rows each, about 70 MB
# of Python tuples at 20,000).
PRUNE_SORT_SIGNATURES = 20_000

# Seconds a writer waits for another process's transaction (an overlapping cron run)
# before giving up with "database is locked".
BUSY_TIMEOUT_SECONDS = 30.0

# Bands looked up per query: two parameters each, well under SQLite's oldest limit of 999
# parameters per statement, and more than the 32 bands near_duplicates uses.
LSH_QUERY_BANDS = 250

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE articles (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,
    discovered_at TEXT,
    version INTEGER NOT NULL,
    file TEXT NOT NULL,
    archive_file TEXT,
    archive_offset INTEGER
);
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE TABLE aliases (
    url_key TEXT PRIMARY KEY,
    article_key TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX aliases_article_key ON aliases (article_key);
CREATE TABLE minhash_signatures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    signature BLOB NOT NULL,
    indexed_at INTEGER NOT NULL DEFAULT 0,
    bands TEXT NOT NULL DEFAULT ''
);
CREATE INDEX minhash_signatures_indexed_at ON minhash_signatures (indexed_at);
CREATE TABLE band_index_generation (value INTEGER NOT NULL);
INSERT INTO band_index_generation (value) VALUES (0);
CREATE TABLE committed_files (
    file TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE visited_pages (
    key TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    discovered_at TEXT,
    seen_at TEXT NOT NULL
) WITHOUT ROWID;
"""

# The band index file (attached as "bands"). Its generation has no row until the index is
# built, so a new or emptied file is built from the store's signatures.
_BAND_INDEX_SCHEMA = tuple(
    f"CREATE TABLE IF NOT EXISTS {table} (band INTEGER NOT NULL, band_hash INTEGER NOT NULL, "
    "signature_id INTEGER NOT NULL, PRIMARY KEY (band, band_hash, signature_id)) WITHOUT ROWID"
    for table in _BAND_TABLES
) + ("CREATE TABLE IF NOT EXISTS bands.generation (value INTEGER NOT NULL, recent_signatures INTEGER NOT NULL DEFAULT 0)",)

_ARTICLE_COLUMNS = (
    "key, url, first_seen, last_seen, content_hash, published_at, discovered_at, version, file, "
    "archive_file, archive_offset"
)

# first_seen is the only column an update keeps. published_at and discovered_at keep the
# stored value when the new entry has none: a re-write reached through a dateless link
# must not forget the sitemap date that the next run compares against.
_UPSERT_ARTICLE = f"""
INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET
    url = excluded.url,
    last_seen = excluded.last_seen,
    content_hash = excluded.content_hash,
    published_at = COALESCE(excluded.published_at, articles.published_at),
    discovered_at = COALESCE(excluded.discovered_at, articles.discovered_at),
    version = excluded.version,
    file = excluded.file,
    archive_file = excluded.archive_file,
    archive_offset = excluded.archive_offset
"""


class SqliteStateStore:
    """``StateStore`` in a SQLite file and its band index file (WAL journal, synchronous=NORMAL)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.band_index_path = band_index_path(self.path)
        self._connection = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
        )
        try:
            self._configure()
            self._ensure_schema()
            self._ensure_band_index()
        except BaseException:
            self._connection.close()
            raise
        self._readahead = threading.Thread(
            target=read_into_page_cache, args=(self.band_index_path, BAND_INDEX_READAHEAD_BYTES),
            name="band-index-readahead", daemon=True,
        )
        self._readahead.start()

    def __enter__(self) -> SqliteStateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- articles and aliases ---------------------------------------------------------

    def get(self, key: str) -> ArticleState | None:
        row = self._article_row(key)
        if row is None:
            article_key = self._alias_target(key)
            if article_key is not None:
                row = self._article_row(article_key)
        return None if row is None else _article_from_row(row)

    def should_fetch(self, key: str, discovered_at: datetime | None) -> bool:
        stored = self.get(key)
        if stored is not None:
            return should_refetch(stored, discovered_at)
        visited = self._connection.execute(
            "SELECT discovered_at, seen_at FROM visited_pages WHERE key = ?", (key,)
        ).fetchone()
        if visited is None:
            return True
        # A page that held no article (a listing, another language) is fetched again
        # under the same rule as an article: only when its date moved past ours.
        stored_date = _datetime_or_none(visited[0]) or _datetime_or_none(visited[1])
        return discovered_at is not None and discovered_at > stored_date

    def should_fetch_many(self, entries: Sequence[tuple[str, datetime | None]]) -> list[bool]:
        # Three queries per FETCH_QUERY_KEYS keys: the articles, the aliases' articles, and
        # the visited pages, each a search of a primary key per key (no table scan).
        dates: dict[str, tuple[str | None, str]] = {}
        keys = list(dict.fromkeys(key for key, _ in entries))
        for start in range(0, len(keys), FETCH_QUERY_KEYS):
            chunk = keys[start : start + FETCH_QUERY_KEYS]
            marks = ", ".join("?" * len(chunk))
            for key, discovered, fallback in self._connection.execute(
                f"SELECT key, discovered_at, last_seen FROM articles WHERE key IN ({marks})", chunk
            ):
                dates[key] = (discovered, fallback)
            missing = [key for key in chunk if key not in dates]
            if missing:
                marks = ", ".join("?" * len(missing))
                for key, discovered, fallback in self._connection.execute(
                    "SELECT aliases.url_key, articles.discovered_at, articles.last_seen FROM aliases "
                    f"JOIN articles ON articles.key = aliases.article_key WHERE aliases.url_key IN ({marks})",
                    missing,
                ):
                    dates[key] = (discovered, fallback)
            missing = [key for key in chunk if key not in dates]
            if missing:
                marks = ", ".join("?" * len(missing))
                for key, discovered, fallback in self._connection.execute(
                    f"SELECT key, discovered_at, seen_at FROM visited_pages WHERE key IN ({marks})", missing
                ):
                    dates[key] = (discovered, fallback)
        return [
            True if key not in dates else is_newer(discovered_at, _datetime_or_none(dates[key][0]), datetime.fromisoformat(dates[key][1]))
            for key, discovered_at in entries
        ]

    def update_discovered(self, entries: Iterable[tuple[str, datetime]]) -> None:
        rows = [(_iso_or_none(discovered_at), key) for key, discovered_at in entries if discovered_at is not None]
        if not rows:
            return
        with self._transaction():
            self._connection.executemany("UPDATE articles SET discovered_at = ? WHERE key = ?", rows)

    def record_visited(self, entries: Iterable[tuple[str, str, datetime | None]], seen_at: datetime) -> None:
        require_aware(seen_at, "seen_at")
        rows = [(key, reason, _iso_or_none(discovered_at), seen_at.isoformat()) for key, reason, discovered_at in entries]
        if not rows:
            return
        with self._transaction():
            self._connection.executemany(
                "INSERT INTO visited_pages (key, reason, discovered_at, seen_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET reason = excluded.reason, "
                "discovered_at = COALESCE(excluded.discovered_at, visited_pages.discovered_at), "
                "seen_at = excluded.seen_at",
                rows,
            )

    def find_by_hash(self, content_hash: str) -> str | None:
        row = self._connection.execute(
            "SELECT key FROM articles WHERE content_hash = ? ORDER BY rowid LIMIT 1",
            (content_hash,),
        ).fetchone()
        return None if row is None else row[0]

    def record_written(self, entries: Iterable[ArticleState]) -> None:
        rows = [_row_from_article(entry) for entry in entries]
        if not rows:
            return
        with self._transaction():
            self._connection.executemany(_UPSERT_ARTICLE, rows)
        logger.debug("Recorded %d written articles in %s", len(rows), self.path)

    def record_committed(
        self,
        file: str,
        entries: Iterable[ArticleState],
        aliases: Iterable[tuple[str, str]] = (),
        signatures: Iterable[tuple[str, Sequence[int], bytes]] = (),
    ) -> None:
        entries = list(entries)
        rows = [_row_from_article(entry) for entry in entries]
        # A signature is indexed when its article is written: the crawl's clock, not the
        # site's (a wrong or missing publication date must not move it out of the window).
        indexed_at = {entry.key: epoch_seconds(entry.last_seen) for entry in entries}
        with self._transaction():
            self._connection.executemany(_UPSERT_ARTICLE, rows)
            for url_key, article_key in aliases:
                self._insert_alias(url_key, article_key)
            self._insert_signatures(signatures, indexed_at)
            self._connection.execute("INSERT OR IGNORE INTO committed_files (file) VALUES (?)", (file,))
        logger.debug("Recorded %d articles of %s in %s", len(rows), file, self.path)

    def is_committed(self, file: str) -> bool:
        return self._connection.execute("SELECT 1 FROM committed_files WHERE file = ?", (file,)).fetchone() is not None

    def add_alias(self, url_key: str, article_key: str) -> None:
        with self._transaction():
            self._insert_alias(url_key, article_key)

    def _insert_alias(self, url_key: str, article_key: str) -> None:
        # One level only: an alias always names a key that is not itself an alias.
        target = self._alias_target(article_key) or article_key
        if url_key == target:
            return
        self._connection.execute(
            "INSERT INTO aliases (url_key, article_key) VALUES (?, ?) "
            "ON CONFLICT (url_key) DO UPDATE SET article_key = excluded.article_key",
            (url_key, target),
        )

    def count(self) -> int:
        return self._connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    # --- near-duplicate storage -------------------------------------------------------

    def add_signature(self, key: str, band_hashes: Sequence[int], signature: bytes) -> None:
        self.add_signatures([(key, band_hashes, signature)])

    def add_signatures(self, entries: Iterable[tuple[str, Sequence[int], bytes]]) -> None:
        entries = list(entries)
        if not entries:
            return
        with self._transaction():
            self._insert_signatures(entries)

    def _insert_signatures(
        self, entries: Iterable[tuple[str, Sequence[int], bytes]], indexed_at: dict[str, int] | None = None
    ) -> None:
        # Three statements for the whole batch instead of three per article. A key given
        # twice ends with its last entry only, as replacing one entry after another would.
        latest = latest_signature_by_key(entries)
        if not latest:
            return
        indexed_at = indexed_at or {}
        now = int(time.time())
        self._delete_bands(self._stored_bands(list(latest)))
        # One upsert per signature: RETURNING gives the id its band rows name, which an
        # executemany cannot return.
        upsert = (
            "INSERT INTO minhash_signatures (key, signature, indexed_at, bands) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET signature = excluded.signature, indexed_at = excluded.indexed_at, "
            "bands = excluded.bands RETURNING id"
        )
        ids = {
            key: self._connection.execute(
                upsert, (key, signature, indexed_at.get(key, now), bands_text(band_hashes))
            ).fetchone()[0]
            for key, (band_hashes, signature) in latest.items()
        }
        self._connection.executemany(
            "INSERT OR IGNORE INTO bands.recent_bands (band, band_hash, signature_id) VALUES (?, ?, ?)",
            band_rows_in_table_order((ids[key], enumerate(band_hashes)) for key, (band_hashes, _) in latest.items()),
        )
        self._advance_band_generation()
        (recent,) = self._connection.execute(
            "UPDATE bands.generation SET recent_signatures = recent_signatures + ? RETURNING recent_signatures", (len(latest),)
        ).fetchone()
        if recent >= RECENT_BANDS_MERGE_SIGNATURES:
            self._merge_recent_bands()

    def _merge_recent_bands(self) -> None:
        """Move the rows of recent_bands into minhash_bands, in their key order (see the
        module docstring); inside the caller's transaction."""
        self._connection.execute(
            "INSERT OR IGNORE INTO bands.minhash_bands (band, band_hash, signature_id) "
            "SELECT band, band_hash, signature_id FROM bands.recent_bands ORDER BY band, band_hash, signature_id"
        )
        self._connection.execute("DELETE FROM bands.recent_bands")
        self._connection.execute("UPDATE bands.generation SET recent_signatures = 0")

    def _stored_bands(self, keys: list[str]) -> list[tuple[int, str]]:
        """(signature id, bands text) of the stored signatures of *keys*."""
        found = []
        for start in range(0, len(keys), FETCH_QUERY_KEYS):
            chunk = keys[start : start + FETCH_QUERY_KEYS]
            found.extend(self._connection.execute(
                f"SELECT id, bands FROM minhash_signatures WHERE key IN ({', '.join('?' * len(chunk))})", chunk
            ))
        return found

    def _delete_bands(self, rows: Iterable[tuple[int, str]]) -> None:
        """Delete the band rows listed in (signature id, bands text) rows: a primary-key
        search each, PRUNE_SORT_SIGNATURES signatures at a time (so a backlog of a million
        does not sort 32 million rows in memory at once)."""
        rows = list(rows)
        for start in range(0, len(rows), PRUNE_SORT_SIGNATURES):
            doomed = band_rows_in_table_order((id_, parse_bands(text)) for id_, text in rows[start : start + PRUNE_SORT_SIGNATURES])
            for table in _BAND_TABLES:
                self._connection.executemany(
                    f"DELETE FROM {table} WHERE band = ? AND band_hash = ? AND signature_id = ?", doomed
                )

    def _advance_band_generation(self) -> None:
        """Count one more change of the bands in both files (see the module docstring)."""
        self._connection.execute("UPDATE band_index_generation SET value = value + 1")
        self._connection.execute("UPDATE bands.generation SET value = (SELECT value FROM main.band_index_generation)")

    def _ensure_band_index(self) -> None:
        """Create the band index file's tables, and rebuild its rows from the signatures when
        its generation is not the store's: a new or replaced file, a crash between the two
        files' commits, or a store migrated from schema 3. Under the write lock, so that a
        run committing at this moment is seen with both of its files or neither."""
        with self._transaction():
            for statement in _BAND_INDEX_SCHEMA:
                self._connection.execute(statement)
            (expected,) = self._connection.execute("SELECT value FROM main.band_index_generation").fetchone()
            found = self._connection.execute("SELECT value FROM bands.generation").fetchone()
            if found is not None and found[0] == expected:
                return
            signatures = self._rebuild_band_index()
            self._connection.execute("DELETE FROM bands.generation")
            self._connection.execute("INSERT INTO bands.generation (value) VALUES (?)", (expected,))
        if signatures:
            logger.warning(
                "Rebuilt the near-duplicate band index %s from %d signatures (it did not match the store)",
                self.band_index_path, signatures,
            )

    def _rebuild_band_index(self) -> int:
        """Replace every band row by those the stored signatures list; returns the signatures."""
        for table in _BAND_TABLES:
            self._connection.execute(f"DELETE FROM {table}")
        done, last_id = 0, -1
        while True:
            rows = self._connection.execute(
                "SELECT id, bands FROM minhash_signatures WHERE id > ? ORDER BY id LIMIT ?", (last_id, PRUNE_SORT_SIGNATURES)
            ).fetchall()
            if not rows:
                return done
            self._connection.executemany(
                "INSERT OR IGNORE INTO bands.minhash_bands (band, band_hash, signature_id) VALUES (?, ?, ?)",
                band_rows_in_table_order((id_, parse_bands(text)) for id_, text in rows),
            )
            done, last_id = done + len(rows), rows[-1][0]

    def lsh_candidates(self, band_hashes: Sequence[int]) -> set[str]:
        # One query per LSH_QUERY_BANDS bands (one for the usual 32) instead of one per band.
        candidates: set[str] = set()
        pairs = list(enumerate(band_hashes))
        for start in range(0, len(pairs), LSH_QUERY_BANDS):
            chunk = pairs[start : start + LSH_QUERY_BANDS]
            rows = self._connection.execute(
                lsh_candidates_query(len(chunk)), [value for pair in chunk for value in pair]
            )
            candidates.update(key for (key,) in rows)
        return candidates

    def near_candidates(self, band_hashes: Sequence[int], since: datetime | None = None) -> dict[str, bytes]:
        # Keys and signatures in one query per LSH_QUERY_BANDS bands, instead of a
        # get_signature round trip per candidate; only signatures indexed since *since*.
        since_seconds = epoch_seconds(since) if since is not None else None
        found: dict[str, bytes] = {}
        pairs = list(enumerate(band_hashes))
        for start in range(0, len(pairs), LSH_QUERY_BANDS):
            chunk = pairs[start : start + LSH_QUERY_BANDS]
            params = [value for pair in chunk for value in pair]
            rows = self._connection.execute(
                near_candidates_query(len(chunk)), [*params, since_seconds if since_seconds is not None else -(2**62)]
            )
            found.update((key, bytes(signature)) for key, signature in rows)
        return found

    def prune_near_duplicates(self, before: datetime) -> int:
        cutoff = epoch_seconds(before)
        with self._transaction():
            # A list, not the cursor: rows of the table being read are deleted just after.
            self._delete_bands(
                self._connection.execute("SELECT id, bands FROM minhash_signatures WHERE indexed_at < ?", (cutoff,)).fetchall()
            )
            pruned = self._connection.execute(
                "DELETE FROM minhash_signatures WHERE indexed_at < ?", (cutoff,)
            ).rowcount
            if pruned:
                self._advance_band_generation()
        if pruned:
            logger.info("Pruned the near-duplicate index of %d articles indexed before %s", pruned, before.isoformat())
        return pruned

    def stats(self) -> dict:
        execute = self._connection.execute
        counts = {
            table: execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("articles", "aliases", "minhash_signatures", "visited_pages", "committed_files")
        }
        # Both band tables together: where a row is is a detail of the index.
        counts["minhash_bands"] = sum(execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in _BAND_TABLES)
        indexed = execute("SELECT MIN(indexed_at), MAX(indexed_at) FROM minhash_signatures").fetchone()
        sizes = {"file": 0, "wal": 0, "free": 0, "used": 0}
        # Both files: the store's and its band index's (see the module docstring).
        for schema, path in (("main", self.path), ("bands", self.band_index_path)):
            page_size = execute(f"PRAGMA {schema}.page_size").fetchone()[0]
            pages, free_pages = execute(f"PRAGMA {schema}.page_count").fetchone()[0], execute(f"PRAGMA {schema}.freelist_count").fetchone()[0]
            wal = path.with_name(path.name + "-wal")
            sizes["file"] += path.stat().st_size
            sizes["wal"] += wal.stat().st_size if wal.exists() else 0
            sizes["free"] += free_pages * page_size
            sizes["used"] += (pages - free_pages) * page_size
        return {
            "store": str(self.path),
            "band_index": str(self.band_index_path),
            "schema": SCHEMA_VERSION,
            "counts": counts,
            "first_recorded_article": _first_or_last(execute, "ASC"),
            "last_recorded_article": _first_or_last(execute, "DESC"),
            "signatures_indexed_range": [_iso_of_epoch(value) for value in indexed],
            "bytes": sizes,
        }

    def compact(self) -> None:
        with self._transaction():
            self._merge_recent_bands()
        # VACUUM rewrites a file without its free pages; it cannot run in a transaction.
        self._connection.execute("VACUUM main")
        self._connection.execute("VACUUM bands")
        self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def get_signature(self, key: str) -> bytes | None:
        row = self._connection.execute(
            "SELECT signature FROM minhash_signatures WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else bytes(row[0])

    def close(self) -> None:
        self._connection.close()

    # --- internals --------------------------------------------------------------------

    def _configure(self) -> None:
        journal_mode = self._connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if journal_mode.lower() != "wal":
            # Some network file systems refuse WAL; the rollback journal is still crash-safe.
            logger.warning(
                "State store %s runs in %s journal mode, not WAL", self.path, journal_mode
            )
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        # ATTACH cannot run inside a transaction, so before the schema is looked at.
        self._connection.execute("ATTACH DATABASE ? AS bands", (str(self.band_index_path),))
        self._connection.execute("PRAGMA bands.journal_mode=WAL")
        self._connection.execute("PRAGMA bands.synchronous=NORMAL")
        self._connection.execute(f"PRAGMA bands.cache_size=-{CACHE_KIB}")

    def _ensure_schema(self) -> None:
        with self._transaction():
            has_schema = self._connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            ).fetchone()
            if not has_schema:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._connection.execute(statement)
                self._connection.execute(
                    "INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,)
                )
                logger.info("Created state store %s (schema %d)", self.path, SCHEMA_VERSION)
                return
            (version,) = self._connection.execute("SELECT version FROM schema_version").fetchone()
            if version < SCHEMA_VERSION:
                version = self._migrate(version)
        if version != SCHEMA_VERSION:
            raise RuntimeError(
                f"State store {self.path} has schema version {version}, this crawler "
                f"reads version {SCHEMA_VERSION}"
            )

    def _migrate(self, version: int) -> int:
        """Bring an older store up to SCHEMA_VERSION inside the caller's transaction."""
        start = version
        while version < SCHEMA_VERSION and version + 1 in MIGRATIONS:
            version += 1
            for statement in MIGRATIONS[version]:
                self._connection.execute(statement)
        if version != start:
            self._connection.execute("UPDATE schema_version SET version = ?", (version,))
            logger.info("Migrated state store %s from schema %d to %d", self.path, start, version)
        return version

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, so a concurrent writer waits for the
        # busy timeout instead of failing half-way through the transaction.
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._connection.execute("COMMIT")
        except BaseException:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
            raise

    def _article_row(self, key: str) -> tuple | None:
        return self._connection.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE key = ?", (key,)
        ).fetchone()

    def _alias_target(self, url_key: str) -> str | None:
        row = self._connection.execute(
            "SELECT article_key FROM aliases WHERE url_key = ?", (url_key,)
        ).fetchone()
        return None if row is None else row[0]


def read_into_page_cache(path: Path, limit: int) -> int:
    """Read the first *limit* bytes of *path* and drop them, so that the kernel keeps them in
    its page cache; returns the bytes read. Only an optimisation: a file that cannot be read
    costs nothing but a debug line. (posix_fadvise WILLNEED read 8 MB of 175 here.)"""
    done = 0
    try:
        with open(path, "rb", buffering=0) as file:
            while done < limit:
                chunk = file.read(min(READAHEAD_CHUNK_BYTES, limit - done))
                if not chunk:
                    break
                done += len(chunk)
    except OSError as error:
        logger.debug("Could not read %s ahead: %s", path, error)
    return done


def band_index_path(store_path: Path) -> Path:
    """Where the band index of the store at *store_path* lives (see the module docstring)."""
    return store_path.with_name(store_path.stem + BAND_INDEX_SUFFIX + store_path.suffix)


def bands_text(band_hashes: Sequence[int]) -> str:
    """The bands of one signature as stored beside it: "band:hash,band:hash,..."."""
    return ",".join(f"{band}:{band_hash}" for band, band_hash in enumerate(band_hashes))


def band_rows_in_table_order(signatures: Iterable[tuple[int, Iterable[tuple[int, int]]]]) -> list[tuple[int, int, int]]:
    """(band, band_hash, signature id) rows of (signature id, (band, band_hash) pairs),
    sorted as the band table's primary key: consecutive inserts or deletes then go to the same or the next
    page of the table instead of a random one each. Pruning a backlog of 20,000 signatures
    (640,000 rows): 7.0 s of CPU in signature order, 3.9-4.4 s sorted."""
    return sorted((band, band_hash, id_) for id_, pairs in signatures for band, band_hash in pairs)


def parse_bands(text: str) -> list[tuple[int, int]]:
    """(band, band_hash) pairs of a ``bands_text``."""
    pairs = []
    for item in filter(None, text.split(",")):
        band, _, band_hash = item.partition(":")
        pairs.append((int(band), int(band_hash)))
    return pairs


def latest_signature_by_key(
    entries: Iterable[tuple[str, Sequence[int], bytes]],
) -> dict[str, tuple[Sequence[int], bytes]]:
    """(band_hashes, signature) per key; a key given more than once keeps its last entry."""
    return {key: (band_hashes, signature) for key, band_hashes, signature in entries}


def _band_search(columns: str, bands: int) -> str:
    """SELECT *columns* over the minhash_bands rows matching *bands* (band, band_hash) pairs.

    The pairs are a VALUES list joined to each band table; CROSS JOIN keeps them the outer
    loop, so each pair is one search of each table's (band, band_hash, signature_id)
    primary key, and each band row found one search of the signatures' integer primary
    key. A row value ``(band, band_hash) IN (VALUES ...)`` would instead scan the table.
    """
    if bands < 1:
        raise ValueError("an LSH lookup needs at least one band")
    values = ", ".join(["(?, ?)"] * bands)
    searches = " UNION ALL ".join(
        f"SELECT {name}.signature_id FROM wanted CROSS JOIN {table} AS {name} "
        f"ON {name}.band = wanted.band AND {name}.band_hash = wanted.band_hash"
        for table in _BAND_TABLES
        for name in [table.removeprefix("bands.")]
    )
    return (
        f"WITH wanted (band, band_hash) AS (VALUES {values}), found (signature_id) AS ({searches}) "
        f"SELECT {columns} FROM found JOIN minhash_signatures ON minhash_signatures.id = found.signature_id"
    )


@lru_cache(maxsize=8)
def lsh_candidates_query(bands: int) -> str:
    """SQL for the keys sharing a band hash with any of *bands* (band, band_hash) pairs."""
    return _band_search("minhash_signatures.key", bands)


@lru_cache(maxsize=8)
def near_candidates_query(bands: int) -> str:
    """``lsh_candidates_query`` of the signatures indexed at or after the last parameter."""
    return (
        _band_search("DISTINCT minhash_signatures.key, minhash_signatures.signature", bands)
        + " WHERE minhash_signatures.indexed_at >= ?"
    )


def _first_or_last(execute, order: str) -> dict | None:
    # rowid order is the order articles were first recorded, and an index search; ISO
    # text with offsets would not sort as time anyway.
    row = execute(f"SELECT key, first_seen FROM articles ORDER BY rowid {order} LIMIT 1").fetchone()
    return None if row is None else {"key": row[0], "first_seen": row[1]}


def _iso_of_epoch(value: int | None) -> str | None:
    from datetime import timezone

    return None if value is None else datetime.fromtimestamp(value, timezone.utc).isoformat()


def _row_from_article(entry: ArticleState) -> tuple:
    return (
        entry.key,
        entry.url,
        entry.first_seen.isoformat(),
        entry.last_seen.isoformat(),
        entry.content_hash,
        _iso_or_none(entry.published_at),
        _iso_or_none(entry.discovered_at),
        entry.version,
        entry.file,
        entry.archive_file,
        entry.archive_offset,
    )


def _article_from_row(row: tuple) -> ArticleState:
    key, url, first_seen, last_seen, content_hash, published_at, discovered_at, version, file, archive_file, archive_offset = row
    return ArticleState(
        key=key,
        url=url,
        first_seen=datetime.fromisoformat(first_seen),
        last_seen=datetime.fromisoformat(last_seen),
        content_hash=content_hash,
        published_at=_datetime_or_none(published_at),
        discovered_at=_datetime_or_none(discovered_at),
        version=version,
        file=file,
        archive_file=archive_file,
        archive_offset=archive_offset,
    )


def _iso_or_none(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _datetime_or_none(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
