"""The export's first pass: which line of which file holds each article's latest version.

Holding every record in memory to pick the latest versions would make memory grow with
the dataset, so the first pass streams every committed file once and keeps, per
article, only where its winning line is, in a temporary SQLite file (one upsert per
line, batched; SQLite's page cache is capped). The winner is the highest ``version``;
equal versions are ordered by ``fetched_at``, then by file and line (later wins), so the
same bytes read twice (a copied file) count once.

``select`` then applies the user's choices in SQL, with no record in memory:

1. ``--source``, ``--since`` and ``--until`` on the winning versions (the date is the
   publication date, else the fetch date: ``records.article_day``);
2. exact duplicates: of the selected rows with one content hash, only the one fetched
   first is kept (the crawler's own rule: the first copy is the original);
3. near-duplicates: ``mark`` keeps marked copies with ``duplicate_of``, ``drop`` removes
   them, ``keep`` keeps them and clears the mark.

The second pass (``crawler.export.exporter``) reads the selected lines back partition by
partition, in file order.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BATCH_SIZE = 2_000
# Page cache of the index, in KiB (negative: a size, not a page count): enough for the
# primary key's B-tree to stay mostly in memory, small enough to keep the export flat.
CACHE_KIB = 64 * 1024

NEAR_DUPLICATE_POLICIES = ("mark", "drop", "keep")

_SCHEMA = """
CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE latest (
    key TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    fetched_us INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    file_id INTEGER NOT NULL,
    line_offset INTEGER NOT NULL,
    line_length INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    day TEXT NOT NULL,
    dated INTEGER NOT NULL,
    domain TEXT,
    partition_dir TEXT NOT NULL,
    duplicate_of TEXT,
    source_schema INTEGER
) WITHOUT ROWID;
"""

# The newest line wins: higher version, then later fetch, then later position.
_UPSERT = """
INSERT INTO latest VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET
    version = excluded.version, fetched_us = excluded.fetched_us, seq = excluded.seq,
    file_id = excluded.file_id, line_offset = excluded.line_offset, line_length = excluded.line_length,
    content_hash = excluded.content_hash, source = excluded.source, day = excluded.day,
    dated = excluded.dated, domain = excluded.domain,
    partition_dir = excluded.partition_dir,
    duplicate_of = excluded.duplicate_of, source_schema = excluded.source_schema
WHERE (excluded.version, excluded.fetched_us, excluded.seq) > (latest.version, latest.fetched_us, latest.seq)
"""


@dataclass(frozen=True)
class IndexEntry:
    key: str
    version: int
    fetched_us: int
    content_hash: str
    source: str
    day: str  # YYYY-MM-DD
    dated: bool  # day is the publication date (else the fetch date)
    domain: str | None
    partition: str  # its folder in the dataset: source=NAME/month=YYYY-MM
    duplicate_of: str | None
    source_schema: int | None
    offset: int
    length: int


@dataclass(frozen=True)
class Selection:
    """What the user asked for; ``sources`` None means every source."""

    sources: tuple[str, ...] | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive
    near_duplicates: str = "mark"


@dataclass
class SelectionCounts:
    indexed: int = 0  # articles (distinct canonical URLs) in the input
    superseded: int = 0  # lines that an article's later version replaced
    filtered_out: int = 0
    exact_duplicates: int = 0
    near_duplicates_marked: int = 0
    near_duplicates_dropped: int = 0
    selected: int = 0
    upgraded: dict[int, int] = field(default_factory=dict)  # older schema version -> rows


class LatestVersionIndex:
    """The temporary SQLite index of one export (see the module docstring)."""

    def __init__(self, path: Path):
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None)
        # A scratch file rebuilt by every export: no journal, no fsync.
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("PRAGMA temp_store = FILE")
        self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self._db.executescript(_SCHEMA)
        self._pending: list[tuple] = []
        self._seq = 0
        self.lines = 0

    def close(self) -> None:
        self._db.close()

    def add_file(self, name: str) -> int:
        self.flush()
        return self._db.execute("INSERT INTO files (name) VALUES (?)", (name,)).lastrowid

    def add(self, file_id: int, entry: IndexEntry) -> None:
        self._seq += 1
        self.lines += 1
        self._pending.append(
            (
                entry.key, entry.version, entry.fetched_us, self._seq, file_id, entry.offset, entry.length,
                entry.content_hash, entry.source, entry.day, entry.dated, entry.domain, entry.partition, entry.duplicate_of, entry.source_schema,
            )
        )
        if len(self._pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        self._db.execute("BEGIN")
        self._db.executemany(_UPSERT, self._pending)
        self._db.execute("COMMIT")
        self._pending = []

    def sources(self) -> list[str]:
        self.flush()
        return [row[0] for row in self._db.execute("SELECT DISTINCT source FROM latest ORDER BY source")]

    def select(self, selection: Selection, current_schema: int | None) -> SelectionCounts:
        """Build the ``selected`` table; returns what each step kept and removed."""
        self.flush()
        db = self._db
        counts = SelectionCounts()
        counts.indexed = db.execute("SELECT count(*) FROM latest").fetchone()[0]
        counts.superseded = self.lines - counts.indexed
        conditions, parameters = [], []
        if selection.sources is not None:
            conditions.append(f"source IN ({', '.join('?' * len(selection.sources))})")
            parameters.extend(selection.sources)
        if selection.since:
            conditions.append("day >= ?")
            parameters.append(selection.since)
        if selection.until:
            conditions.append("day <= ?")
            parameters.append(selection.until)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        db.execute("DROP TABLE IF EXISTS selected")
        db.execute(
            f"CREATE TABLE selected AS SELECT * FROM latest {where}",
            parameters,
        )
        in_range = db.execute("SELECT count(*) FROM selected").fetchone()[0]
        counts.filtered_out = counts.indexed - in_range
        # One row per content hash: the copy fetched first (then the first in file order).
        db.execute("CREATE INDEX selected_hash ON selected (content_hash, fetched_us, seq)")
        counts.exact_duplicates = db.execute(
            "DELETE FROM selected WHERE EXISTS (SELECT 1 FROM selected AS first WHERE first.content_hash = "
            "selected.content_hash AND (first.fetched_us, first.seq) < (selected.fetched_us, selected.seq))"
        ).rowcount
        marked = db.execute("SELECT count(*) FROM selected WHERE duplicate_of IS NOT NULL").fetchone()[0]
        if selection.near_duplicates == "drop":
            db.execute("DELETE FROM selected WHERE duplicate_of IS NOT NULL")
            counts.near_duplicates_dropped = marked
        elif selection.near_duplicates == "keep":
            db.execute("UPDATE selected SET duplicate_of = NULL")
        else:
            counts.near_duplicates_marked = marked
        db.execute("CREATE INDEX selected_partition ON selected (partition_dir, file_id, line_offset)")
        counts.selected = db.execute("SELECT count(*) FROM selected").fetchone()[0]
        for version, number in db.execute(
            "SELECT source_schema, count(*) FROM selected WHERE source_schema IS NOT ? GROUP BY source_schema",
            (current_schema,),
        ):
            counts.upgraded[version] = number
        return counts

    def partition_counts(self) -> list[tuple[str, str, str, int]]:
        """(partition, source, month, rows) of every selected partition, in order."""
        return list(
            self._db.execute(
                "SELECT partition_dir, min(source), substr(min(day), 1, 7), count(*) FROM selected "
                "GROUP BY partition_dir ORDER BY partition_dir"
            )
        )

    def date_range(self) -> tuple[str | None, str | None]:
        return tuple(self._db.execute("SELECT min(day), max(day) FROM selected").fetchone())

    def domains_of(self, source: str) -> list[str]:
        return [
            row[0]
            for row in self._db.execute(
                "SELECT DISTINCT domain FROM selected WHERE source = ? AND domain IS NOT NULL ORDER BY domain", (source,)
            )
        ]

    def count_where(self, condition: str) -> int:
        return self._db.execute(f"SELECT count(*) FROM selected WHERE {condition}").fetchone()[0]

    def partition_digests(self, salt: str) -> dict[str, str]:
        """A digest of each partition's rows (which line, and its mark) and ``salt`` (the
        export's options and schema): equal digests mean an identical partition."""
        digests: dict[str, str] = {}
        current, digest = None, None
        for partition, key, name, offset, duplicate_of in self._db.execute(
            "SELECT partition_dir, key, files.name, line_offset, duplicate_of FROM selected JOIN files ON files.id = file_id "
            "ORDER BY partition_dir, key"
        ):
            if partition != current:
                if current is not None:
                    digests[current] = digest.hexdigest()
                current, digest = partition, hashlib.sha256(salt.encode())
            digest.update(f"{key}\x1f{name}\x1f{offset}\x1f{duplicate_of or ''}\x1e".encode())
        if current is not None:
            digests[current] = digest.hexdigest()
        return digests

    def rows_of(self, partition: str) -> Iterator[tuple[str, int, int]]:
        """(file name, offset, length) of a partition's rows, in file order."""
        return self._db.execute(
            "SELECT files.name, selected.line_offset, selected.line_length FROM selected JOIN files ON files.id = selected.file_id "
            "WHERE partition_dir = ? ORDER BY selected.file_id, selected.line_offset",
            (partition,),
        )

