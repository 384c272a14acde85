"""The shared ``StateStore``: PostgreSQL (psycopg 3), for several crawl processes or machines.

Selected with ``STATE_URL=postgresql://...``. Same tables, same semantics and the same
tests as ``crawler.state.sqlite`` (the suite runs against both). What differs:

- Times are kept as ISO 8601 text, as in SQLite, so an offset is read back as written
  (``timestamptz`` would normalize it to UTC).
- "The first article stored with a hash" is the lowest ``id`` (SQLite's rowid).
- Every multi-row write is one transaction with its rows in key order, so two nodes
  writing overlapping batches take row locks in the same order. A deadlock or a
  serialization failure is retried a few times from the start of the transaction.
- **Pending claims** (``SharedPending``): an article a node has accepted but not yet
  committed to a data file is claimed in ``pending_articles`` (key, content hash, MinHash
  bands), so that another node judging the same article, the same text or a near-copy
  sees it before any of them commits. Judging takes a transaction-level advisory lock, so
  two judgements never interleave; ``record_committed`` deletes the claims of the articles
  it records in the same transaction, so every article is either claimed or committed at
  any instant, never neither. A claim belongs to a store *session*, held as a
  session-level advisory lock for the life of the connection: PostgreSQL releases it when
  the process dies (also by SIGKILL, as the kernel closes its socket), and claims of
  sessions whose lock is gone are deleted when a store opens.
- Losing the server (``psycopg.OperationalError``, a closed connection) raises
  ``StateStoreUnavailable`` naming the server; nothing is retried, since a half-done
  commit is rolled back by the server and recovered by the next run.
"""

from __future__ import annotations

import logging
import random
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

import psycopg
from psycopg import errors

from crawler.state import (
    FETCH_QUERY_KEYS,
    ArticleState,
    StateStoreUnavailable,
    epoch_seconds,
    is_newer,
    redact_url,
    require_aware,
    should_refetch,
)
from crawler.state.sqlite import latest_signature_by_key

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 3

# Statements that bring a store of version N-1 to version N, run in the schema-creation
# transaction (under its lock) when an older store is opened. The numbers follow SQLite's
# (crawler/state/sqlite.py): 2 added the archive location there, which this store had from
# its schema 1. 3: when each signature was indexed, as in SQLite (issue 17).
MIGRATIONS = {
    2: (),
    3: (
        "ALTER TABLE minhash_signatures ADD COLUMN indexed_at BIGINT NOT NULL DEFAULT 0",
        "UPDATE minhash_signatures s SET indexed_at = COALESCE((SELECT EXTRACT(EPOCH FROM a.last_seen::timestamptz)::bigint "
        "FROM articles a WHERE a.key = s.key), 0)",
        "CREATE INDEX minhash_signatures_indexed_at ON minhash_signatures (indexed_at)",
    ),
}

# Advisory locks are per database, not per schema, and two-key ones have a 32-bit "class".
# Sessions are random keys in SESSION_LOCK_CLASS (taken with a try-lock, so never shared).
# Judging and schema creation lock a key of their class derived from the schema's name,
# so that crawls kept in two schemas of one database never wait for each other.
SESSION_LOCK_CLASS = 0x4E455753  # "NEWS"
JUDGE_LOCK_CLASS = SESSION_LOCK_CLASS + 1
SCHEMA_LOCK_CLASS = SESSION_LOCK_CLASS + 2
_SCHEMA_KEYED_LOCK = "SELECT pg_advisory_xact_lock(%s::integer, hashtext(current_schema()))"

# Transactions that lose a deadlock or a serialization conflict are run again this often.
WRITE_ATTEMPTS = 4

# The server drops the connection of a machine that vanished (power cut, network gone)
# after about this long, releasing its session lock: idle + interval x count seconds.
TCP_KEEPALIVES = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10, "tcp_keepalives_count": 3}
CONNECT_TIMEOUT_SECONDS = 10

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE articles (
    id BIGSERIAL NOT NULL UNIQUE,
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
    archive_offset BIGINT
);
CREATE INDEX articles_content_hash ON articles (content_hash, id);
CREATE TABLE aliases (
    url_key TEXT PRIMARY KEY,
    article_key TEXT NOT NULL
);
CREATE INDEX aliases_article_key ON aliases (article_key);
CREATE TABLE minhash_signatures (
    key TEXT PRIMARY KEY,
    signature BYTEA NOT NULL,
    indexed_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX minhash_signatures_indexed_at ON minhash_signatures (indexed_at);
CREATE TABLE minhash_bands (
    band INTEGER NOT NULL,
    band_hash BIGINT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (band, band_hash, key)
);
CREATE INDEX minhash_bands_key ON minhash_bands (key);
CREATE TABLE committed_files (
    file TEXT PRIMARY KEY
);
CREATE TABLE visited_pages (
    key TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    discovered_at TEXT,
    seen_at TEXT NOT NULL
);
CREATE TABLE pending_articles (
    id BIGSERIAL NOT NULL UNIQUE,
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    signature BYTEA,
    session INTEGER NOT NULL,
    node TEXT NOT NULL
);
CREATE INDEX pending_articles_content_hash ON pending_articles (content_hash, id);
CREATE INDEX pending_articles_session ON pending_articles (session);
CREATE TABLE pending_bands (
    band INTEGER NOT NULL,
    band_hash BIGINT NOT NULL,
    key TEXT NOT NULL REFERENCES pending_articles (key) ON DELETE CASCADE,
    PRIMARY KEY (band, band_hash, key)
);
CREATE INDEX pending_bands_key ON pending_bands (key);
"""

_ARTICLE_COLUMNS = (
    "key, url, first_seen, last_seen, content_hash, published_at, discovered_at, version, file, "
    "archive_file, archive_offset"
)

# As in SQLite: first_seen is kept, a dateless re-write keeps the stored dates, and the
# archive location is the one of the version last written (None: the archive was off).
_UPSERT_ARTICLE = f"""
INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
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

# The article stored under a key, or under the article the key is an alias of (one level).
_GET_ARTICLE = f"""
SELECT {_ARTICLE_COLUMNS} FROM (
    SELECT 0 AS rank, {_ARTICLE_COLUMNS} FROM articles WHERE key = %(key)s
    UNION ALL
    SELECT 1, a.key, a.url, a.first_seen, a.last_seen, a.content_hash, a.published_at,
           a.discovered_at, a.version, a.file, a.archive_file, a.archive_offset
    FROM aliases JOIN articles a ON a.key = aliases.article_key WHERE aliases.url_key = %(key)s
) found ORDER BY rank LIMIT 1
"""

# An alias always names a key that is not itself an alias, and never itself.
_INSERT_ALIAS = """
WITH target AS (
    SELECT COALESCE((SELECT article_key FROM aliases WHERE url_key = %(article)s), %(article)s) AS key
)
INSERT INTO aliases (url_key, article_key)
SELECT %(url)s, target.key FROM target WHERE target.key <> %(url)s
ON CONFLICT (url_key) DO UPDATE SET article_key = excluded.article_key
"""

# (key, rank, discovered_at, fallback date) of each wanted key, best rank first.
_FETCH_DATES = """
SELECT key, rank, discovered_at, fallback FROM (
    SELECT a.key, 0 AS rank, a.discovered_at, a.last_seen AS fallback FROM articles a WHERE a.key = ANY(%(keys)s)
    UNION ALL
    SELECT al.url_key, 1, a.discovered_at, a.last_seen FROM aliases al JOIN articles a ON a.key = al.article_key
    WHERE al.url_key = ANY(%(keys)s)
    UNION ALL
    SELECT v.key, 2, v.discovered_at, v.seen_at FROM visited_pages v WHERE v.key = ANY(%(keys)s)
) found ORDER BY rank
"""

_LIVE_SESSION = """
EXISTS (
    SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = {lock_class}::bigint::oid AND l.objid = {session}::bigint::oid
)
"""

T = TypeVar("T")


def connect(url: str) -> psycopg.Connection:
    """An autocommit connection with keepalives, or ``StateStoreUnavailable`` naming the server."""
    try:
        connection = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name=f"arabic-news-crawler@{socket.gethostname()}",
        )
    except psycopg.OperationalError as exc:
        raise StateStoreUnavailable(f"cannot connect to PostgreSQL at {redact_url(url)}: {first_line(exc)}") from exc
    try:
        for name, value in TCP_KEEPALIVES.items():
            connection.execute(f"SET {name} = {int(value)}")
    except psycopg.Error:
        connection.close()
        raise
    return connection


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class PostgresStateStore:
    """``StateStore`` in a PostgreSQL database shared by every node of a cluster."""

    def __init__(self, url: str, node: str = "") -> None:
        self.url = url
        self.node = node or socket.gethostname()
        self.server = redact_url(url)
        self._connection = connect(url)
        try:
            with self._unavailable_as_error():
                self._ensure_schema()
                self.session = self._open_session()
                self._delete_stale_claims()
        except BaseException:
            self._connection.close()
            raise

    def __enter__(self) -> PostgresStateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PostgresStateStore({self.server!r}, session={getattr(self, 'session', None)})"

    # --- articles and aliases ---------------------------------------------------------

    def get(self, key: str) -> ArticleState | None:
        row = self._fetchone(_GET_ARTICLE, {"key": key})
        return None if row is None else _article_from_row(row)

    def should_fetch(self, key: str, discovered_at: datetime | None) -> bool:
        stored = self.get(key)
        if stored is not None:
            return should_refetch(stored, discovered_at)
        visited = self._fetchone("SELECT discovered_at, seen_at FROM visited_pages WHERE key = %s", (key,))
        if visited is None:
            return True
        stored_date = _datetime_or_none(visited[0]) or _datetime_or_none(visited[1])
        return discovered_at is not None and discovered_at > stored_date

    def should_fetch_many(self, entries: Sequence[tuple[str, datetime | None]]) -> list[bool]:
        # One statement per FETCH_QUERY_KEYS keys; an article under the key itself wins
        # over one reached through an alias, which wins over a visited page (as should_fetch).
        dates: dict[str, tuple[str | None, str]] = {}
        keys = list(dict.fromkeys(key for key, _ in entries))
        for start in range(0, len(keys), FETCH_QUERY_KEYS):
            chunk = keys[start : start + FETCH_QUERY_KEYS]
            with self._unavailable_as_error():
                rows = self._connection.execute(_FETCH_DATES, {"keys": chunk}).fetchall()
            for key, _rank, discovered, fallback in rows:
                dates.setdefault(key, (discovered, fallback))
        return [
            True if key not in dates else is_newer(discovered_at, _datetime_or_none(dates[key][0]), datetime.fromisoformat(dates[key][1]))
            for key, discovered_at in entries
        ]

    def update_discovered(self, entries: Iterable[tuple[str, datetime]]) -> None:
        rows = sorted((key, discovered_at.isoformat()) for key, discovered_at in entries if discovered_at is not None)
        if rows:
            self._write(lambda cursor: cursor.executemany(
                "UPDATE articles SET discovered_at = %s WHERE key = %s", [(date, key) for key, date in rows]
            ))

    def record_visited(self, entries: Iterable[tuple[str, str, datetime | None]], seen_at: datetime) -> None:
        require_aware(seen_at, "seen_at")
        latest = {key: (key, reason, _iso_or_none(discovered_at), seen_at.isoformat()) for key, reason, discovered_at in entries}
        rows = [latest[key] for key in sorted(latest)]
        if rows:
            self._write(lambda cursor: cursor.executemany(
                "INSERT INTO visited_pages (key, reason, discovered_at, seen_at) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (key) DO UPDATE SET reason = excluded.reason, "
                "discovered_at = COALESCE(excluded.discovered_at, visited_pages.discovered_at), "
                "seen_at = excluded.seen_at",
                rows,
            ))

    def find_by_hash(self, content_hash: str) -> str | None:
        row = self._fetchone("SELECT key FROM articles WHERE content_hash = %s ORDER BY id LIMIT 1", (content_hash,))
        return None if row is None else row[0]

    def record_written(self, entries: Iterable[ArticleState]) -> None:
        rows = _article_rows(entries)
        if rows:
            self._write(lambda cursor: cursor.executemany(_UPSERT_ARTICLE, rows))
            logger.debug("Recorded %d written articles in %s", len(rows), self.server)

    def record_committed(
        self,
        file: str,
        entries: Iterable[ArticleState],
        aliases: Iterable[tuple[str, str]] = (),
        signatures: Iterable[tuple[str, Sequence[int], bytes]] = (),
    ) -> None:
        entries = list(entries)
        rows = _article_rows(entries)
        alias_rows = [{"url": url_key, "article": article_key} for url_key, article_key in aliases]
        latest = latest_signature_by_key(signatures)
        indexed_at = {entry.key: epoch_seconds(entry.last_seen) for entry in entries}

        def commit(cursor: psycopg.Cursor) -> None:
            if rows:
                cursor.executemany(_UPSERT_ARTICLE, rows)
            for alias in alias_rows:  # in order: a later alias may point through an earlier one
                cursor.execute(_INSERT_ALIAS, alias)
            _write_signatures(cursor, latest, indexed_at)
            # The articles are committed now: their claims go in the same transaction.
            cursor.execute("DELETE FROM pending_articles WHERE key = ANY(%s)", ([row[0] for row in rows],))
            cursor.execute("INSERT INTO committed_files (file) VALUES (%s) ON CONFLICT DO NOTHING", (file,))

        self._write(commit)
        logger.debug("Recorded %d articles of %s in %s", len(rows), file, self.server)

    def is_committed(self, file: str) -> bool:
        return self._fetchone("SELECT 1 FROM committed_files WHERE file = %s", (file,)) is not None

    def add_alias(self, url_key: str, article_key: str) -> None:
        self._write(lambda cursor: cursor.execute(_INSERT_ALIAS, {"url": url_key, "article": article_key}))

    def count(self) -> int:
        return self._fetchone("SELECT COUNT(*) FROM articles")[0]

    # --- near-duplicate storage -------------------------------------------------------

    def add_signature(self, key: str, band_hashes: Sequence[int], signature: bytes) -> None:
        self.add_signatures([(key, band_hashes, signature)])

    def add_signatures(self, entries: Iterable[tuple[str, Sequence[int], bytes]]) -> None:
        latest = latest_signature_by_key(entries)
        if latest:
            self._write(lambda cursor: _write_signatures(cursor, latest))

    def lsh_candidates(self, band_hashes: Sequence[int]) -> set[str]:
        if not band_hashes:
            return set()
        bands, hashes = list(range(len(band_hashes))), list(band_hashes)
        with self._unavailable_as_error():
            rows = self._connection.execute(
                "SELECT DISTINCT b.key FROM unnest(%s::integer[], %s::bigint[]) AS wanted (band, band_hash) "
                "JOIN minhash_bands b ON b.band = wanted.band AND b.band_hash = wanted.band_hash",
                (bands, hashes),
            ).fetchall()
        return {key for (key,) in rows}

    def near_candidates(self, band_hashes: Sequence[int], since: datetime | None = None) -> dict[str, bytes]:
        if not band_hashes:
            return {}
        params = (list(range(len(band_hashes))), list(band_hashes), _since_seconds(since))
        with self._unavailable_as_error():
            rows = self._connection.execute(_NEAR_CANDIDATES, params).fetchall()
        return {key: bytes(signature) for key, signature in rows}

    def prune_near_duplicates(self, before: datetime) -> int:
        cutoff = epoch_seconds(before)

        def prune(cursor: psycopg.Cursor) -> int:
            cursor.execute(
                "DELETE FROM minhash_bands WHERE key IN (SELECT key FROM minhash_signatures WHERE indexed_at < %s)",
                (cutoff,),
            )
            cursor.execute("DELETE FROM minhash_signatures WHERE indexed_at < %s", (cutoff,))
            return cursor.rowcount

        pruned = self._write(prune)
        if pruned:
            logger.info("Pruned the near-duplicate index of %d articles indexed before %s", pruned, before.isoformat())
        return pruned

    def stats(self) -> dict:
        counts = {
            table: self._fetchone(f"SELECT COUNT(*) FROM {table}")[0]
            for table in ("articles", "aliases", "minhash_signatures", "minhash_bands", "visited_pages", "committed_files")
        }
        first = self._fetchone("SELECT key, first_seen FROM articles ORDER BY id ASC LIMIT 1")
        last = self._fetchone("SELECT key, first_seen FROM articles ORDER BY id DESC LIMIT 1")
        indexed = self._fetchone("SELECT MIN(indexed_at), MAX(indexed_at) FROM minhash_signatures")
        (used,) = self._fetchone(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        )
        return {
            "store": self.server,
            "schema": SCHEMA_VERSION,
            "counts": counts,
            "first_recorded_article": None if first is None else {"key": first[0], "first_seen": first[1]},
            "last_recorded_article": None if last is None else {"key": last[0], "first_seen": last[1]},
            "signatures_indexed_range": [_iso_of_epoch(value) for value in indexed],
            "bytes": {"used": int(used)},
        }

    def compact(self) -> None:
        # The connection is in autocommit mode: VACUUM cannot run inside a transaction.
        with self._unavailable_as_error():
            for table in ("minhash_bands", "minhash_signatures", "articles", "aliases", "visited_pages"):
                self._connection.execute(f"VACUUM {table}")

    def get_signature(self, key: str) -> bytes | None:
        row = self._fetchone("SELECT signature FROM minhash_signatures WHERE key = %s", (key,))
        return None if row is None else bytes(row[0])

    # --- claims of articles judged but not yet committed -------------------------------

    def shared_pending(self, window_days: float | None = None) -> SharedPending:
        """The view of articles accepted by any live node and not yet committed (see module doc);
        near-copies are looked for among signatures indexed in the last *window_days* (all when None)."""
        return SharedPending(self, window_days)

    def close(self) -> None:
        self._connection.close()

    # --- internals --------------------------------------------------------------------

    @contextmanager
    def _unavailable_as_error(self) -> Iterator[None]:
        try:
            yield
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            if isinstance(exc, (errors.DeadlockDetected, errors.SerializationFailure)):
                raise
            raise StateStoreUnavailable(f"lost PostgreSQL at {self.server}: {first_line(exc)}") from exc

    def _fetchone(self, query: str, params=None) -> tuple | None:
        with self._unavailable_as_error():
            return self._connection.execute(query, params).fetchone()

    def _write(self, body: Callable[[psycopg.Cursor], T]) -> T:
        """Run *body* in one transaction, again from the start if it lost a lock conflict."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._unavailable_as_error(), self._connection.transaction(), self._connection.cursor() as cursor:
                    return body(cursor)
            except (errors.DeadlockDetected, errors.SerializationFailure) as exc:
                if attempt == WRITE_ATTEMPTS:
                    raise
                logger.info("State transaction retried after %s", type(exc).__name__)
                time.sleep(0.01 * attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def _judging(self) -> Iterator[psycopg.Cursor]:
        """A transaction holding the cluster-wide judging lock."""
        with self._unavailable_as_error(), self._connection.transaction(), self._connection.cursor() as cursor:
            cursor.execute(_SCHEMA_KEYED_LOCK, (JUDGE_LOCK_CLASS,))
            yield cursor

    def _ensure_schema(self) -> None:
        with self._connection.transaction(), self._connection.cursor() as cursor:
            # Nodes starting together must not create the tables twice.
            cursor.execute(_SCHEMA_KEYED_LOCK, (SCHEMA_LOCK_CLASS,))
            cursor.execute("SELECT to_regclass('schema_version') IS NOT NULL")
            if not cursor.fetchone()[0]:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        cursor.execute(statement)
                cursor.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION,))
                logger.info("Created state store tables in %s (schema %d)", self.server, SCHEMA_VERSION)
                return
            cursor.execute("SELECT version FROM schema_version")
            (version,) = cursor.fetchone()
            start = version
            while version < SCHEMA_VERSION and version + 1 in MIGRATIONS:
                version += 1
                for statement in MIGRATIONS[version]:
                    cursor.execute(statement)
            if version != start:
                cursor.execute("UPDATE schema_version SET version = %s", (version,))
                logger.info("Migrated state store %s from schema %d to %d", self.server, start, version)
        if version != SCHEMA_VERSION:
            raise RuntimeError(
                f"State store {self.server} has schema version {version}, this crawler reads version {SCHEMA_VERSION}"
            )

    def _open_session(self) -> int:
        # Session locks are released by the server when this connection ends, however it ends.
        while True:
            session = random.randint(1, 2**31 - 1)
            (taken,) = self._connection.execute(
                "SELECT pg_try_advisory_lock(%s::integer, %s::integer)", (SESSION_LOCK_CLASS, session)
            ).fetchone()
            if taken:
                return session

    def _delete_stale_claims(self) -> None:
        condition = _LIVE_SESSION.format(lock_class=SESSION_LOCK_CLASS, session="pending_articles.session")
        deleted = self._connection.execute(f"DELETE FROM pending_articles WHERE NOT {condition}").rowcount
        if deleted:
            logger.info("Released %d claims of crawl processes that ended before committing them", deleted)


class SharedPending:
    """Articles accepted by any node and not yet committed: the cluster's pending memory.

    Used by the dedup stage through ``judging()``: every lookup and the final ``add`` of one
    judgement run in one transaction under the judging lock. Each lookup is one statement
    (one snapshot) over the pending claims and the committed tables together, so an article
    committed meanwhile by another node is seen on one side or the other.
    """

    def __init__(self, store: PostgresStateStore, window_days: float | None = None) -> None:
        self.store = store
        self.window_days = window_days
        self._cursor: psycopg.Cursor | None = None
        # This node's own claims: their signatures go to the store with their data file.
        self.own: dict[str, tuple[list[int], bytes] | None] = {}

    @contextmanager
    def judging(self) -> Iterator[SharedPending]:
        with self.store._judging() as cursor:
            self._cursor = cursor
            try:
                yield self
            finally:
                self._cursor = None

    def _query(self, query: str, params) -> list[tuple]:
        if self._cursor is None:
            raise RuntimeError("SharedPending lookups run inside judging()")
        return self._cursor.execute(query, params).fetchall()

    def key_state(self, key: str) -> tuple[ArticleState | None, str | None]:
        """(the committed article stored under *key*, the content hash a node claimed it with)."""
        pending = self._query("SELECT content_hash FROM pending_articles WHERE key = %s", (key,))
        stored = self._query(_GET_ARTICLE, {"key": key})
        return (_article_from_row(stored[0]) if stored else None), (pending[0][0] if pending else None)

    def key_with_hash(self, content_hash: str) -> str | None:
        rows = self._query(
            "(SELECT 0, id, key FROM pending_articles WHERE content_hash = %(hash)s ORDER BY id LIMIT 1) "
            "UNION ALL (SELECT 1, id, key FROM articles WHERE content_hash = %(hash)s ORDER BY id LIMIT 1) "
            "ORDER BY 1 LIMIT 1",
            {"hash": content_hash},
        )
        return rows[0][2] if rows else None

    def candidates(self, key: str, band_hashes: Sequence[int]) -> dict[str, bytes]:
        """Signatures of the committed and claimed articles sharing an LSH band with these, but *key*."""
        from crawler.near_duplicates import window_start

        params = {
            "bands": list(range(len(band_hashes))), "hashes": list(band_hashes), "own": key,
            "since": _since_seconds(window_start(self.window_days)),
        }
        rows = self._query(
            "WITH wanted (band, band_hash) AS (SELECT * FROM unnest(%(bands)s::integer[], %(hashes)s::bigint[])) "
            "SELECT 0, b.key, s.signature FROM wanted JOIN minhash_bands b USING (band, band_hash) "
            "JOIN minhash_signatures s ON s.key = b.key WHERE b.key <> %(own)s AND s.indexed_at >= %(since)s "
            "UNION SELECT 1, p.key, p.signature FROM wanted JOIN pending_bands pb USING (band, band_hash) "
            "JOIN pending_articles p ON p.key = pb.key WHERE p.key <> %(own)s AND p.signature IS NOT NULL",
            params,
        )
        found: dict[str, bytes] = {}
        for pending_first, candidate, signature in sorted(rows, key=lambda row: -row[0]):
            found.setdefault(candidate, bytes(signature))  # a claim is newer than the committed text
        return found

    def near_match(self, key: str, entry: tuple[Sequence[int], bytes]) -> tuple[str, float] | None:
        """The most similar committed or claimed article at or above the threshold, but *key*."""
        from crawler.near_duplicates import best_match

        found = self.candidates(key, entry[0])
        return best_match(entry[1], ((candidate, found[candidate]) for candidate in sorted(found)))

    def url_of(self, key: str) -> str:
        rows = self._query(
            "SELECT url FROM articles WHERE key = %(key)s UNION ALL SELECT url FROM pending_articles WHERE key = %(key)s",
            {"key": key},
        )
        return rows[0][0] if rows else key

    def add(self, key: str, content_hash: str, url: str, entry: tuple[Sequence[int], bytes] | None) -> None:
        """Claim article *key* for this node until its data file is committed."""
        signature = entry[1] if entry is not None else None
        self._cursor.execute(
            "INSERT INTO pending_articles (key, url, content_hash, signature, session, node) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO UPDATE SET url = excluded.url, "
            "content_hash = excluded.content_hash, signature = excluded.signature, "
            "session = excluded.session, node = excluded.node",
            (key, url, content_hash, signature, self.store.session, self.store.node),
        )
        self._cursor.execute("DELETE FROM pending_bands WHERE key = %s", (key,))
        if entry is not None:
            self._cursor.execute(
                "INSERT INTO pending_bands (band, band_hash, key) "
                "SELECT band - 1, band_hash, %s FROM unnest(%s::bigint[]) WITH ORDINALITY AS b (band_hash, band) "
                "ON CONFLICT DO NOTHING",
                (key, list(entry[0])),
            )
        self.own[key] = None if entry is None else (list(entry[0]), entry[1])

    def take(self, keys: Iterable[str]) -> list[tuple[str, list[int], bytes]]:
        """This node's claimed signatures of *keys*, for ``record_committed`` (which ends the claims)."""
        taken = []
        for key in keys:
            entry = self.own.pop(key, None)
            if entry is not None:
                taken.append((key, *entry))
        return taken


def _write_signatures(
    cursor: psycopg.Cursor, latest: dict[str, tuple[Sequence[int], bytes]], indexed_at: dict[str, int] | None = None
) -> None:
    if not latest:
        return
    indexed_at = indexed_at or {}
    now = int(time.time())
    keys = sorted(latest)
    cursor.execute("DELETE FROM minhash_bands WHERE key = ANY(%s)", (keys,))
    bands = sorted((band, band_hash, key) for key in keys for band, band_hash in enumerate(latest[key][0]))
    # One statement per table however many rows: arrays in, unnest on the server.
    cursor.execute(
        "INSERT INTO minhash_bands (band, band_hash, key) "
        "SELECT * FROM unnest(%s::integer[], %s::bigint[], %s::text[]) ON CONFLICT DO NOTHING",
        ([row[0] for row in bands], [row[1] for row in bands], [row[2] for row in bands]),
    )
    cursor.execute(
        "INSERT INTO minhash_signatures (key, signature, indexed_at) SELECT * FROM unnest(%s::text[], %s::bytea[], %s::bigint[]) "
        "ON CONFLICT (key) DO UPDATE SET signature = excluded.signature, indexed_at = excluded.indexed_at",
        (keys, [latest[key][1] for key in keys], [indexed_at.get(key, now) for key in keys]),
    )


_NEAR_CANDIDATES = (
    "SELECT DISTINCT b.key, s.signature FROM unnest(%s::integer[], %s::bigint[]) AS wanted (band, band_hash) "
    "JOIN minhash_bands b ON b.band = wanted.band AND b.band_hash = wanted.band_hash "
    "JOIN minhash_signatures s ON s.key = b.key WHERE s.indexed_at >= %s"
)


def _since_seconds(since: datetime | None) -> int:
    return epoch_seconds(since) if since is not None else -(2**62)


def _iso_of_epoch(value: int | None) -> str | None:
    from datetime import timezone

    return None if value is None else datetime.fromtimestamp(value, timezone.utc).isoformat()


def _article_rows(entries: Iterable[ArticleState]) -> list[tuple]:
    # In the order given, as SQLite stores them (the first of a hash is the lowest id); a
    # deadlock with another node's overlapping batch is retried by _write.
    return [_row_from_article(entry) for entry in entries]


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
