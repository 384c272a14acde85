"""The export's first pass: which line of which file holds each article's latest version.

Holding every record in memory to pick the latest versions would make memory grow with
the dataset. Instead every committed file is streamed once and, for each valid line, a
small entry (its article's key, version, fetch time, content hash, date, partition and
where the line is) goes into an SQLite file kept in DEST (``.export-index.sqlite``).
Committed data files never change, so the entries of a file already indexed are reused
by the next export: an incremental export parses only the files added since. The cache
is rebuilt when the item schema or the export's rules change (``fingerprint``), a file
is indexed again when its size changed, and a file is marked complete only in the
transaction that adds its last entry, so a killed export leaves no half-indexed file.

Each export then works on tables in a scratch database in its staging folder:

- ``latest``: per article, the winning line: the highest ``version``; equal versions by
  ``fetched_at``, then by file name and position (later wins), so the same bytes read
  twice (a copied file) count once;
- ``selected``: ``--source``, ``--since`` and ``--until`` on the winning versions (the date
  is the publication date, else the fetch date: ``records.article_day``); then exact
  duplicates: of the rows with one content hash only the one fetched first stays (the
  crawler's own rule: the first copy is the original); then the near-duplicate policy:
  ``mark`` keeps marked copies with ``duplicate_of``, ``drop`` removes them, ``keep``
  keeps them and clears the mark.

All of it is SQL over tables on disk, with a capped page cache: no record is held in
memory. The second pass (``crawler.export.exporter``) reads the selected lines back,
partition by partition, in file order.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

INDEX_FILE = ".export-index.sqlite"
BATCH_SIZE = 2_000
# Page cache of each database, in KiB (negative: a size, not a page count): enough for the
# B-trees being built to stay mostly in memory, small enough to keep the export flat.
CACHE_KIB = 32 * 1024

NEAR_DUPLICATE_POLICIES = ("mark", "drop", "keep")

_CACHE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0,
    lines INTEGER NOT NULL DEFAULT 0,
    invalid INTEGER NOT NULL DEFAULT 0,
    nulled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS lines (
    file_id INTEGER NOT NULL,
    line_offset INTEGER NOT NULL,
    line_length INTEGER NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    fetched_us INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    day TEXT NOT NULL,
    dated INTEGER NOT NULL,
    domain TEXT,
    partition_dir TEXT NOT NULL,
    duplicate_of TEXT,
    source_schema INTEGER,
    PRIMARY KEY (file_id, line_offset)
) WITHOUT ROWID;
"""

_LINE_COLUMNS = (
    "file_id, line_offset, line_length, key, version, fetched_us, content_hash, source, day, dated, domain, "
    "partition_dir, duplicate_of, source_schema"
)


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
class FileCounts:
    lines: int
    invalid: int
    nulled: int


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


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    db.execute("PRAGMA temp_store = FILE")
    return db


class ExportIndex:
    """The line cache in DEST and one export's scratch tables (see the module docstring)."""

    def __init__(self, path: Path, scratch: Path, fingerprint: str):
        self._db = _connect(path)
        try:
            # A cache of what the input files say: a crash may cost its last transaction,
            # never its consistency (the rollback journal survives a kill).
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(_CACHE_SCHEMA)
            stored = self._db.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
            if stored is None or stored[0] != fingerprint:
                with self._transaction():
                    self._db.execute("DELETE FROM lines")
                    self._db.execute("DELETE FROM files")
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
            incomplete = [row[0] for row in self._db.execute("SELECT id FROM files WHERE complete = 0")]
            for file_id in incomplete:
                self._forget(file_id)
            self._db.execute("ATTACH DATABASE ? AS scratch", (str(scratch),))
            self._db.execute("PRAGMA scratch.journal_mode = OFF")
            self._db.execute("PRAGMA scratch.synchronous = OFF")
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self):
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- the line cache -----------------------------------------------------------------

    def indexed_files(self) -> dict[str, int]:
        """{file name: size} of every completely indexed file."""
        return dict(self._db.execute("SELECT name, size FROM files WHERE complete = 1"))

    def _forget(self, file_id: int) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM lines WHERE file_id = ?", (file_id,))
            self._db.execute("DELETE FROM files WHERE id = ?", (file_id,))

    def forget(self, name: str) -> None:
        row = self._db.execute("SELECT id FROM files WHERE name = ?", (name,)).fetchone()
        if row is not None:
            self._forget(row[0])

    def prune(self, exists: Callable[[str], bool]) -> None:
        """Forget the files that are gone from OUTPUT_DIR."""
        for file_id, name in list(self._db.execute("SELECT id, name FROM files")):
            if not exists(name):
                self._forget(file_id)

    def add_file(self, name: str, size: int, entries: Iterable[IndexEntry], counts: Callable[[], FileCounts]) -> None:
        """Index one file: ``entries`` are its valid lines; ``counts()`` is called after them
        and returns its ``FileCounts``. Nothing of the file is kept unless all of it is."""
        self.forget(name)
        file_id = self._db.execute("INSERT INTO files (name, size) VALUES (?, ?)", (name, size)).lastrowid
        batch = []
        insert = f"INSERT OR REPLACE INTO lines ({_LINE_COLUMNS}) VALUES ({', '.join('?' * 14)})"
        for entry in entries:
            batch.append(
                (
                    file_id, entry.offset, entry.length, entry.key, entry.version, entry.fetched_us, entry.content_hash,
                    entry.source, entry.day, entry.dated, entry.domain, entry.partition, entry.duplicate_of,
                    entry.source_schema,
                )
            )
            if len(batch) >= BATCH_SIZE:
                with self._transaction():
                    self._db.executemany(insert, batch)
                batch = []
        done = counts()
        with self._transaction():
            self._db.executemany(insert, batch)
            self._db.execute(
                "UPDATE files SET complete = 1, lines = ?, invalid = ?, nulled = ? WHERE id = ?",
                (done.lines, done.invalid, done.nulled, file_id),
            )

    def file_totals(self, names: list[str]) -> FileCounts:
        """Lines, invalid lines and nulled values of these (indexed) files together."""
        self._current(names)
        lines, invalid, nulled = self._db.execute(
            "SELECT total(lines), total(invalid), total(nulled) FROM files JOIN scratch.current ON current.file_id = files.id"
        ).fetchone()
        return FileCounts(int(lines), int(invalid), int(nulled))

    def _current(self, names: list[str]) -> None:
        """scratch.current: the files of this export, ranked in name order."""
        db = self._db
        db.execute("DROP TABLE IF EXISTS scratch.current")
        db.execute("CREATE TABLE scratch.current (file_id INTEGER PRIMARY KEY, rank INTEGER NOT NULL)")
        ids = dict(db.execute("SELECT name, id FROM files"))
        db.executemany("INSERT INTO scratch.current VALUES (?, ?)", [(ids[name], rank) for rank, name in enumerate(names)])

    # --- one export's selection --------------------------------------------------------

    def select(self, names: list[str], selection: Selection, current_schema: int | None) -> SelectionCounts:
        """Build ``scratch.selected`` from the lines of the files ``names``."""
        db = self._db
        self._current(names)
        counts = SelectionCounts()
        db.execute("DROP TABLE IF EXISTS scratch.latest")
        db.execute(
            "CREATE TABLE scratch.latest AS SELECT * FROM ("
            f"SELECT lines.*, current.rank AS file_rank, row_number() OVER (PARTITION BY key ORDER BY version DESC, "
            "fetched_us DESC, current.rank DESC, line_offset DESC) AS position "
            "FROM lines JOIN scratch.current AS current ON current.file_id = lines.file_id) WHERE position = 1"
        )
        counts.indexed = db.execute("SELECT count(*) FROM scratch.latest").fetchone()[0]
        total_lines = db.execute(
            "SELECT count(*) FROM lines JOIN scratch.current AS current ON current.file_id = lines.file_id"
        ).fetchone()[0]
        counts.superseded = total_lines - counts.indexed
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
        db.execute("DROP TABLE IF EXISTS scratch.selected")
        db.execute(f"CREATE TABLE scratch.selected AS SELECT * FROM scratch.latest {where}", parameters)
        in_range = db.execute("SELECT count(*) FROM scratch.selected").fetchone()[0]
        counts.filtered_out = counts.indexed - in_range
        # One row per content hash: the copy fetched first (then the first in file order).
        db.execute("CREATE INDEX scratch.selected_hash ON selected (content_hash, fetched_us, file_rank, line_offset)")
        counts.exact_duplicates = db.execute(
            "DELETE FROM scratch.selected WHERE EXISTS (SELECT 1 FROM scratch.selected AS first "
            "WHERE first.content_hash = selected.content_hash AND (first.fetched_us, first.file_rank, first.line_offset) "
            "< (selected.fetched_us, selected.file_rank, selected.line_offset))"
        ).rowcount
        marked = db.execute("SELECT count(*) FROM scratch.selected WHERE duplicate_of IS NOT NULL").fetchone()[0]
        if selection.near_duplicates == "drop":
            db.execute("DELETE FROM scratch.selected WHERE duplicate_of IS NOT NULL")
            counts.near_duplicates_dropped = marked
        elif selection.near_duplicates == "keep":
            db.execute("UPDATE scratch.selected SET duplicate_of = NULL")
        else:
            counts.near_duplicates_marked = marked
        db.execute("CREATE INDEX scratch.selected_partition ON selected (partition_dir, file_rank, line_offset)")
        counts.selected = db.execute("SELECT count(*) FROM scratch.selected").fetchone()[0]
        for version, number in db.execute(
            "SELECT source_schema, count(*) FROM scratch.selected WHERE source_schema IS NOT ? GROUP BY source_schema",
            (current_schema,),
        ):
            counts.upgraded[version] = number
        return counts

    def partition_counts(self) -> list[tuple[str, str, str, int]]:
        """(partition, source, month, rows) of every selected partition, in order."""
        return list(
            self._db.execute(
                "SELECT partition_dir, min(source), substr(min(day), 1, 7), count(*) FROM scratch.selected "
                "GROUP BY partition_dir ORDER BY partition_dir"
            )
        )

    def date_range(self) -> tuple[str | None, str | None]:
        return tuple(self._db.execute("SELECT min(day), max(day) FROM scratch.selected").fetchone())

    def domains_of(self, source: str) -> list[str]:
        return [
            row[0]
            for row in self._db.execute(
                "SELECT DISTINCT domain FROM scratch.selected WHERE source = ? AND domain IS NOT NULL ORDER BY domain",
                (source,),
            )
        ]

    def count_where(self, condition: str) -> int:
        return self._db.execute(f"SELECT count(*) FROM scratch.selected WHERE {condition}").fetchone()[0]

    def partition_digests(self, salt: str) -> dict[str, str]:
        """A digest of each partition's rows (which line, and its mark) and ``salt`` (the
        export's options and schema): equal digests mean an identical partition."""
        digests: dict[str, str] = {}
        current, digest = None, None
        for partition, key, name, offset, duplicate_of in self._db.execute(
            "SELECT partition_dir, key, files.name, line_offset, duplicate_of FROM scratch.selected AS selected "
            "JOIN files ON files.id = selected.file_id ORDER BY partition_dir, key"
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
            "SELECT files.name, selected.line_offset, selected.line_length FROM scratch.selected AS selected "
            "JOIN files ON files.id = selected.file_id WHERE partition_dir = ? "
            "ORDER BY selected.file_rank, selected.line_offset",
            (partition,),
        )
