"""The request fingerprints a run has seen, on disk: memory stays flat however many it makes.

Scrapy's ``RFPDupeFilter`` keeps every request fingerprint of a run in a Python set
(about 100 bytes each with the set's overhead), so a run's memory grows with the requests
it makes. ``FingerprintSet`` has the two operations the dupefilter uses (``in`` and
``add``) over a private temporary SQLite database: SQLite deletes its file when the
connection closes (or the process dies), and its page cache is capped at
``CACHE_KIB``. Each operation is one search of a primary key, a few microseconds; the
dupefilter only sees article requests (discovery documents are ``dont_filter``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

# Page cache of the temporary database: a bound, not a working set (one fingerprint is
# about 30 bytes on disk, so 2 MiB caches the upper levels of millions of them).
CACHE_KIB = 2 * 1024


class FingerprintSet:
    """A set of bytes kept in a temporary SQLite file (``""``: private, deleted on close)."""

    def __init__(self) -> None:
        self._connection = sqlite3.connect("", isolation_level=None)
        self._connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        # Nothing here outlives the run: no journal, no fsync.
        self._connection.execute("PRAGMA journal_mode=OFF")
        self._connection.execute("PRAGMA synchronous=OFF")
        self._connection.execute("CREATE TABLE seen (fingerprint BLOB PRIMARY KEY) WITHOUT ROWID")

    def __contains__(self, fingerprint: bytes) -> bool:
        return self._connection.execute("SELECT 1 FROM seen WHERE fingerprint = ?", (fingerprint,)).fetchone() is not None

    def add(self, fingerprint: bytes) -> None:
        self._connection.execute("INSERT OR IGNORE INTO seen (fingerprint) VALUES (?)", (fingerprint,))

    def update(self, fingerprints: Iterable[bytes]) -> None:
        self._connection.executemany("INSERT OR IGNORE INTO seen (fingerprint) VALUES (?)", ((fp,) for fp in fingerprints))

    def __len__(self) -> int:
        return self._connection.execute("SELECT COUNT(*) FROM seen").fetchone()[0]

    def close(self) -> None:
        self._connection.close()
