"""Tests for crawler.state: the state stores, their re-fetch rule and their crash safety.

Every test that takes ``store`` or ``state_backend`` runs against both backends, SQLite
and PostgreSQL (a real server, see tests/servers.py); the SQLite specifics and the
PostgreSQL specifics follow at the end.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.state import STATE_FILE_NAME, ArticleState, next_version, open_state_store
from crawler.state.sqlite import LSH_QUERY_BANDS, SCHEMA_VERSION, SqliteStateStore, band_index_path, lsh_candidates_query

REPO = Path(__file__).resolve().parent.parent

UTC = timezone.utc
CAIRO = timezone(timedelta(hours=2))
T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def article(key: str = "https://ex.com/a", **changes) -> ArticleState:
    values = dict(
        key=key,
        url=key + "?utm_source=x",
        first_seen=T0,
        last_seen=T0,
        content_hash="hash-" + key,
        published_at=datetime(2024, 5, 31, 22, 15, tzinfo=CAIRO),
        discovered_at=T0 - timedelta(hours=1),
        version=1,
        file="articles-0001.jsonl",
    )
    values.update(changes)
    return ArticleState(**values)


@pytest.fixture
def store(state_backend):
    with state_backend.open() as opened:
        yield opened


@pytest.fixture
def sqlite_store(tmp_path):
    with SqliteStateStore(tmp_path / STATE_FILE_NAME) as opened:
        yield opened


# --- records --------------------------------------------------------------------------------


def test_record_roundtrip_keeps_every_field_and_offset(store):
    entry = article()
    store.record_written([entry])
    loaded = store.get(entry.key)
    assert loaded == entry
    assert loaded.published_at.utcoffset() == timedelta(hours=2)


def test_unknown_key_is_none_and_count_counts_articles(store):
    assert store.get("https://ex.com/missing") is None
    assert store.count() == 0
    store.record_written([article("https://ex.com/a"), article("https://ex.com/b")])
    assert store.count() == 2


def test_records_survive_reopening(state_backend):
    entry = article(discovered_at=None, published_at=None)
    with state_backend.open() as first:
        first.record_written([entry])
    with state_backend.open() as second:
        assert second.get(entry.key) == entry


def test_open_state_store_creates_the_output_dir_and_the_file(tmp_path):
    output_dir = tmp_path / "output" / "nested"
    store = open_state_store(output_dir)
    try:
        assert isinstance(store, SqliteStateStore)
        assert store.path == output_dir / STATE_FILE_NAME
        assert store.path.exists()
    finally:
        store.close()


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="last_seen"):
        article(last_seen=datetime(2024, 6, 1, 8, 0))
    with pytest.raises(ValueError, match="discovered_at"):
        article(discovered_at="2024-06-01T08:00:00+00:00")


def test_record_written_upsert_keeps_first_seen_and_updates_the_rest(store):
    store.record_written([article()])
    later = T0 + timedelta(days=2)
    update = article(
        url="https://www.ex.com/a",
        first_seen=later,
        last_seen=later,
        content_hash="hash-new",
        published_at=datetime(2024, 6, 2, tzinfo=UTC),
        discovered_at=later - timedelta(hours=1),
        version=2,
        file="articles-0002.jsonl",
    )
    store.record_written([update])
    stored = store.get(update.key)
    assert stored == dataclasses.replace(update, first_seen=T0)
    assert store.count() == 1


def test_an_update_without_dates_keeps_the_stored_dates(store):
    original = article()
    store.record_written([original])
    store.record_written([article(published_at=None, discovered_at=None, version=2)])
    stored = store.get(original.key)
    assert stored.published_at == original.published_at
    assert stored.discovered_at == original.discovered_at
    assert stored.version == 2


def test_record_written_is_one_transaction(store, state_backend):
    good = article("https://ex.com/good")
    broken = article("https://ex.com/broken", file=None)  # violates NOT NULL
    with pytest.raises(state_backend.integrity_error):
        store.record_written([good, broken])
    assert store.get(good.key) is None
    assert store.count() == 0
    store.record_written([good])  # the store is usable after the rollback
    assert store.count() == 1


def test_record_written_accepts_a_generator_and_an_empty_batch(store):
    store.record_written([])
    store.record_written(article(f"https://ex.com/{n}") for n in range(3))
    assert store.count() == 3


# --- should_fetch ---------------------------------------------------------------------------


def test_unknown_articles_are_fetched(store):
    assert store.should_fetch("https://ex.com/new", None)
    assert store.should_fetch("https://ex.com/new", T0)


@pytest.mark.parametrize(
    ("discovered_at", "expected"),
    [
        (None, False),  # no date: nothing says it changed
        (T0 - timedelta(hours=2), False),  # older than the stored lastmod
        (T0 - timedelta(hours=1), False),  # the same lastmod
        (T0 - timedelta(minutes=59), True),  # newer lastmod
        # the same instant written with another offset is not newer
        ((T0 - timedelta(hours=1)).astimezone(CAIRO), False),
    ],
)
def test_known_article_is_refetched_only_for_a_newer_discovery_date(store, discovered_at, expected):
    store.record_written([article(discovered_at=T0 - timedelta(hours=1))])
    assert store.should_fetch("https://ex.com/a", discovered_at) is expected


@pytest.mark.parametrize(
    ("discovered_at", "expected"),
    [
        (None, False),
        (T0 - timedelta(minutes=1), False),  # changed before we fetched it
        (T0 + timedelta(minutes=1), True),  # changed after we fetched it
    ],
)
def test_without_a_stored_date_the_discovery_date_is_compared_with_last_seen(
    store, discovered_at, expected
):
    store.record_written([article(discovered_at=None, last_seen=T0)])
    assert store.should_fetch("https://ex.com/a", discovered_at) is expected


def test_should_fetch_refuses_a_naive_date(store):
    store.record_written([article()])
    with pytest.raises(ValueError):
        store.should_fetch("https://ex.com/a", datetime(2030, 1, 1))


def test_next_version():
    stored = article(version=3, content_hash="h")
    assert next_version(None, "h") == 1
    assert next_version(stored, "h") == 3
    assert next_version(stored, "other") == 4


# --- aliases and hashes --------------------------------------------------------------------


def test_alias_leads_to_the_article_for_get_and_should_fetch(store):
    canonical = article("https://ex.com/story/1", discovered_at=T0)
    store.record_written([canonical])
    store.add_alias("https://ex.com/index.php?id=1", canonical.key)
    assert store.get("https://ex.com/index.php?id=1") == canonical
    assert not store.should_fetch("https://ex.com/index.php?id=1", T0)
    assert store.should_fetch("https://ex.com/index.php?id=1", T0 + timedelta(seconds=1))
    assert store.count() == 1


def test_alias_of_an_alias_points_at_the_article(store):
    canonical = article("https://ex.com/story/1")
    store.record_written([canonical])
    store.add_alias("https://ex.com/amp-ish/1", canonical.key)
    store.add_alias("https://ex.com/short/1", "https://ex.com/amp-ish/1")
    assert store.get("https://ex.com/short/1") == canonical


def test_alias_to_an_article_not_yet_recorded(store):
    store.add_alias("https://ex.com/old", "https://ex.com/new")
    assert store.get("https://ex.com/old") is None
    assert store.should_fetch("https://ex.com/old", None)
    store.record_written([article("https://ex.com/new")])
    assert store.get("https://ex.com/old").key == "https://ex.com/new"


def test_alias_to_itself_is_ignored_and_a_key_stays_its_own_article(store):
    first, second = article("https://ex.com/1"), article("https://ex.com/2")
    store.record_written([first, second])
    store.add_alias(first.key, first.key)
    store.add_alias(second.key, first.key)
    assert store.get(first.key) == first
    assert store.get(second.key) == second  # a stored article wins over an alias


def test_aliases_survive_reopening(state_backend):
    with state_backend.open() as store:
        store.record_written([article("https://ex.com/1")])
        store.add_alias("https://ex.com/x", "https://ex.com/1")
    with state_backend.open() as store:
        assert store.get("https://ex.com/x").key == "https://ex.com/1"


def test_find_by_hash(store):
    store.record_written([article("https://ex.com/1", content_hash="aaa")])
    store.record_written([article("https://ex.com/2", content_hash="aaa")])
    assert store.find_by_hash("aaa") == "https://ex.com/1"
    assert store.find_by_hash("bbb") is None
    store.record_written([article("https://ex.com/1", content_hash="ccc")])
    assert store.find_by_hash("ccc") == "https://ex.com/1"
    assert store.find_by_hash("aaa") == "https://ex.com/2"


# --- near-duplicate storage ----------------------------------------------------------------


def test_signatures_and_band_candidates(store):
    store.add_signature("k1", [10, 20, 30], b"\x01\x02")
    store.add_signature("k2", [11, 20, 31], b"\x03")
    store.add_signature("k3", [20, 21, 30], b"\x04")  # 20 and 30 in other bands
    assert store.lsh_candidates([10, 99, 99]) == {"k1"}
    assert store.lsh_candidates([0, 20, 0]) == {"k1", "k2"}
    assert store.lsh_candidates([0, 0, 30]) == {"k1", "k3"}
    assert store.lsh_candidates([1, 2, 3]) == set()
    assert store.get_signature("k1") == b"\x01\x02"
    assert store.get_signature("nope") is None


def test_add_signature_replaces_the_old_bands(store):
    store.add_signature("k1", [10, 20], b"old")
    store.add_signature("k1", [15, 25], b"new")
    assert store.lsh_candidates([10, 20]) == set()
    assert store.lsh_candidates([15, 0]) == {"k1"}
    assert store.get_signature("k1") == b"new"


def test_signed_64_bit_band_hashes_roundtrip(store):
    extremes = [-(2**63), 2**63 - 1]
    store.add_signature("k", extremes, b"s")
    assert store.lsh_candidates(extremes) == {"k"}


def per_band_candidates(stored: dict[str, list[int]], band_hashes: list[int]) -> set[str]:
    """The candidates by the definition: keys with the same hash as the probe in some band."""
    return {key for key, bands in stored.items() if any(a == b for a, b in zip(bands, band_hashes))}


def test_batched_lsh_lookup_finds_what_per_band_lookups_find(store):
    rng = random.Random(11)
    # Few distinct hash values per band, so keys share bands in many combinations.
    stored = {f"k{n}": [rng.randrange(6) for _ in range(32)] for n in range(300)}
    store.add_signatures((key, bands, b"sig") for key, bands in stored.items())
    probes = [[rng.randrange(8) for _ in range(32)] for _ in range(40)] + list(stored.values())[:5]
    for probe in probes:
        assert store.lsh_candidates(probe) == per_band_candidates(stored, probe)
    assert any(per_band_candidates(stored, probe) for probe in probes)


def test_lsh_lookup_is_one_query_for_32_bands(sqlite_store):
    store = sqlite_store
    store.add_signature("k1", list(range(32)), b"s")
    statements = []
    store._connection.set_trace_callback(statements.append)
    try:
        assert store.lsh_candidates([99] * 31 + [31]) == {"k1"}
    finally:
        store._connection.set_trace_callback(None)
    assert len(statements) == 1


def test_lsh_lookup_searches_the_band_index_and_scans_no_table(sqlite_store):
    plan = [
        row[-1]
        for row in sqlite_store._connection.execute(
            "EXPLAIN QUERY PLAN " + lsh_candidates_query(32), [0] * 64
        )
    ]
    assert "SEARCH minhash_bands USING PRIMARY KEY (band=? AND band_hash=?)" in plan
    assert not any(step.startswith("SCAN minhash_bands") for step in plan)


def test_lsh_lookup_of_more_bands_than_one_query_takes(store):
    bands = LSH_QUERY_BANDS + 7
    store.add_signature("first", [1] * bands, b"a")
    store.add_signature("last", [2] * bands, b"b")
    probe = [1] + [0] * (bands - 2) + [2]  # band 0 matches "first", the last band "last"
    assert store.lsh_candidates(probe) == {"first", "last"}
    assert store.lsh_candidates([]) == set()


def test_a_key_given_twice_in_one_batch_keeps_its_last_signature(store):
    store.add_signatures([("k", [1, 2], b"old"), ("other", [1, 5], b"o"), ("k", [3, 4], b"new")])
    assert store.lsh_candidates([1, 2]) == {"other"}
    assert store.lsh_candidates([3, 0]) == {"k"}
    assert store.get_signature("k") == b"new"


def signature_tables(store) -> tuple[list, list]:
    """The near-duplicate tables of either backend (both answer ``_connection.execute``);
    SQLite's band rows name their signature by id, in the band index file."""
    bands = (
        "SELECT b.band, b.band_hash, s.key FROM (SELECT * FROM bands.minhash_bands UNION ALL SELECT * FROM bands.recent_bands) b "
        "JOIN minhash_signatures s ON s.id = b.signature_id"
        if isinstance(store, SqliteStateStore)
        else "SELECT band, band_hash, key FROM minhash_bands"
    )
    return (
        [tuple(row) for row in store._connection.execute(bands + " ORDER BY 1, 2, 3").fetchall()],
        [(key, bytes(signature)) for key, signature in store._connection.execute("SELECT key, signature FROM minhash_signatures ORDER BY 1").fetchall()],
    )


def test_batched_signature_writes_equal_one_by_one_writes(state_backend):
    rng = random.Random(3)
    entries = [(f"k{rng.randrange(40)}", [rng.randrange(5) for _ in range(8)], bytes([n % 256])) for n in range(120)]
    with state_backend.open() as batched, state_backend.fresh().open() as single:
        batched.add_signatures(entries)
        for entry in entries:
            single.add_signature(*entry)
        tables = [signature_tables(batched), signature_tables(single)]
    assert tables[0] == tables[1]
    assert len(tables[0][1]) == len({key for key, _, _ in entries})


# --- SQLite specifics ----------------------------------------------------------------------


def test_the_file_is_in_wal_mode(tmp_path):
    with open_state_store(tmp_path):
        pass
    connection = sqlite3.connect(tmp_path / STATE_FILE_NAME)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()


def test_a_newer_schema_is_refused(tmp_path):
    with open_state_store(tmp_path):
        pass
    connection = sqlite3.connect(tmp_path / STATE_FILE_NAME)
    with connection:
        connection.execute("UPDATE schema_version SET version = 99")
    connection.close()
    with pytest.raises(RuntimeError, match="schema version 99"):
        open_state_store(tmp_path)


def test_the_store_refuses_use_from_another_thread(sqlite_store):
    errors = []

    def use_store():
        try:
            sqlite_store.count()
        except sqlite3.ProgrammingError as error:
            errors.append(error)

    thread = threading.Thread(target=use_store)
    thread.start()
    thread.join()
    assert len(errors) == 1


# --- crash safety --------------------------------------------------------------------------

BATCH_SIZE = 7

WRITER_SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from pathlib import Path

    from crawler.state import ArticleState, open_state_store

    store = open_state_store(Path(sys.argv[1]), sys.argv[2] or None)
    now = datetime.now(timezone.utc)
    batch = store.count() // {batch_size}
    while True:
        keys = [f"https://ex.com/{{batch}}/{{n}}" for n in range({batch_size})]
        store.record_written(
            ArticleState(key, key, now, now, f"h{{batch}}-{{n}}", None, now, 1, f"f{{batch}}")
            for n, key in enumerate(keys)
        )
        print(batch, flush=True)
        store.add_signature(keys[0], list(range(32)), bytes(512))
        batch += 1
    """
).format(batch_size=BATCH_SIZE)


def run_writer_and_kill_it(backend, batches_before_kill: int) -> list[int]:
    """Start a writer process, SIGKILL it after it reported *batches_before_kill* commits."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER_SCRIPT, str(backend.directory), backend.url or ""],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    committed = []
    try:
        while len(committed) < batches_before_kill:
            line = writer.stdout.readline()
            assert line, "the writer died before it was killed"
            committed.append(int(line))
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    return committed


@pytest.mark.parametrize("batches_before_kill", [1, 17, 60])
def test_store_reopens_after_sigkill_with_every_committed_batch(state_backend, batches_before_kill):
    committed = run_writer_and_kill_it(state_backend, batches_before_kill)
    # a second writer continues the same store after the kill, and is killed too
    committed += run_writer_and_kill_it(state_backend, 5)

    if state_backend.url is None:
        connection = sqlite3.connect(state_backend.directory / STATE_FILE_NAME)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            connection.close()
    with state_backend.open() as store:
        assert store.count() % BATCH_SIZE == 0  # batches are all or nothing
        assert store.count() >= len(committed) * BATCH_SIZE
        for batch in committed:
            for n in range(BATCH_SIZE):
                stored = store.get(f"https://ex.com/{batch}/{n}")
                assert stored is not None and stored.content_hash == f"h{batch}-{n}"
        store.record_written([article("https://ex.com/after-the-crash")])
        assert store.get("https://ex.com/after-the-crash") is not None


# --- archive locations (schema 2) -------------------------------------------------------------

SCHEMA_1_ARTICLES = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
CREATE TABLE articles (key TEXT PRIMARY KEY, url TEXT NOT NULL, first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL, content_hash TEXT NOT NULL, published_at TEXT, discovered_at TEXT,
    version INTEGER NOT NULL, file TEXT NOT NULL);
CREATE TABLE aliases (url_key TEXT PRIMARY KEY, article_key TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE minhash_signatures (key TEXT PRIMARY KEY, signature BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE minhash_bands (band INTEGER NOT NULL, band_hash INTEGER NOT NULL, key TEXT NOT NULL,
    PRIMARY KEY (band, band_hash, key)) WITHOUT ROWID;
CREATE TABLE committed_files (file TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE visited_pages (key TEXT PRIMARY KEY, reason TEXT NOT NULL, discovered_at TEXT,
    seen_at TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO articles VALUES ('https://ex.com/old', 'https://ex.com/old', '2024-06-01T08:00:00+00:00',
    '2024-06-01T08:00:00+00:00', 'h-old', NULL, NULL, 1, 'data-0001.jsonl');
"""


def store_from_script(directory: Path, script: str) -> Path:
    """A state file in *directory* made by an SQL *script* (an older schema); returns its path."""
    path = directory / STATE_FILE_NAME
    connection = sqlite3.connect(path)
    connection.executescript(script)
    connection.close()
    return path


def test_the_archive_location_round_trips_and_a_rewrite_without_archive_clears_it(store):
    located = article(archive_file="warc/src/20240601T080000Z-0001.warc.gz", archive_offset=1014)
    store.record_committed("data-0001.jsonl", [located])
    assert store.get(located.key) == located
    store.record_written([article(version=2, content_hash="changed")])
    assert (store.get(located.key).archive_file, store.get(located.key).archive_offset) == (None, None)


def test_a_schema_1_store_is_migrated_and_keeps_its_articles(tmp_path):
    path = store_from_script(tmp_path, SCHEMA_1_ARTICLES)
    with SqliteStateStore(path) as migrated:
        old = migrated.get("https://ex.com/old")
        assert old.content_hash == "h-old" and (old.archive_file, old.archive_offset) == (None, None)
        migrated.record_written([article(archive_file="warc/a.warc.gz", archive_offset=7)])
        assert migrated.get(article().key).archive_offset == 7
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT version FROM schema_version").fetchone() == (SCHEMA_VERSION,)
    connection.close()


def test_a_schema_2_sqlite_store_upgrades_and_its_signatures_get_their_index_time(tmp_path):
    path = store_from_script(tmp_path, SCHEMA_2_WITH_SIGNATURES)
    with SqliteStateStore(path) as migrated:
        assert migrated.get("https://ex.com/old").content_hash == "h-old"
        # Indexed when its article was last written (08:00 Cairo = 06:00 UTC).
        assert migrated.near_candidates([5], since=datetime(2024, 6, 1, 6, 0, tzinfo=UTC)) == {"https://ex.com/old": b"sig"}
        assert migrated.near_candidates([5], since=datetime(2024, 6, 1, 6, 0, 1, tzinfo=UTC)) == {}
        # Bands without a signature are gone; the signature rows list their bands.
        assert migrated.lsh_candidates([5]) == {"https://ex.com/old", "https://ex.com/gone"}
        # The orphan signature (no article) counts as indexed at 0, and goes first, bands too.
        assert migrated.prune_near_duplicates(datetime(2000, 1, 1, tzinfo=UTC)) == 1
        assert migrated.lsh_candidates([5]) == {"https://ex.com/old"}
        # Replacing the migrated signature replaces both of its migrated bands.
        migrated.add_signature("https://ex.com/old", [7, 8], b"new")
        assert migrated.lsh_candidates([5, 6]) == set() and migrated.lsh_candidates([7, 8]) == {"https://ex.com/old"}
        assert migrated.stats()["counts"]["minhash_bands"] == 2
        indexes = {name for (name,) in migrated._connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "minhash_bands_key" not in indexes
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT version FROM schema_version").fetchone() == (SCHEMA_VERSION,)
    connection.close()


SCHEMA_2_WITH_SIGNATURES = SCHEMA_1_ARTICLES.replace("VALUES (1)", "VALUES (2)").replace(
    "version INTEGER NOT NULL, file TEXT NOT NULL);",
    "version INTEGER NOT NULL, file TEXT NOT NULL, archive_file TEXT, archive_offset INTEGER);",
).replace(
    "NULL, NULL, 1, 'data-0001.jsonl');",
    "NULL, NULL, 1, 'data-0001.jsonl', NULL, NULL);",
).replace("'2024-06-01T08:00:00+00:00', 'h-old'", "'2024-06-01T08:00:00+02:00', 'h-old'") + """
INSERT INTO minhash_signatures VALUES ('https://ex.com/old', X'736967'), ('https://ex.com/gone', X'676f6e65');
INSERT INTO minhash_bands VALUES (0, 5, 'https://ex.com/old'), (1, 6, 'https://ex.com/old'),
    (0, 5, 'https://ex.com/gone'), (0, 5, 'https://ex.com/no-signature');
CREATE INDEX minhash_bands_key ON minhash_bands (key);
"""


SCHEMA_3_WITH_SIGNATURES = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (3);
CREATE TABLE articles (key TEXT PRIMARY KEY, url TEXT NOT NULL, first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL, content_hash TEXT NOT NULL, published_at TEXT, discovered_at TEXT,
    version INTEGER NOT NULL, file TEXT NOT NULL, archive_file TEXT, archive_offset INTEGER);
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE TABLE aliases (url_key TEXT PRIMARY KEY, article_key TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX aliases_article_key ON aliases (article_key);
CREATE TABLE minhash_signatures (key TEXT PRIMARY KEY, signature BLOB NOT NULL,
    indexed_at INTEGER NOT NULL DEFAULT 0, bands TEXT NOT NULL DEFAULT '');
CREATE INDEX minhash_signatures_indexed_at ON minhash_signatures (indexed_at);
CREATE TABLE minhash_bands (band INTEGER NOT NULL, band_hash INTEGER NOT NULL, key TEXT NOT NULL,
    PRIMARY KEY (band, band_hash, key)) WITHOUT ROWID;
CREATE TABLE committed_files (file TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE visited_pages (key TEXT PRIMARY KEY, reason TEXT NOT NULL, discovered_at TEXT,
    seen_at TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO minhash_signatures VALUES ('https://ex.com/new', X'6e6577', 2000, '0:5,1:-6'),
    ('https://ex.com/old', X'6f6c64', 1000, '0:5,1:7');
INSERT INTO minhash_bands VALUES (0, 5, 'https://ex.com/new'), (1, -6, 'https://ex.com/new'),
    (0, 5, 'https://ex.com/old'), (1, 7, 'https://ex.com/old');
"""


def test_a_schema_3_store_moves_its_bands_to_the_band_index_file(tmp_path):
    path = store_from_script(tmp_path, SCHEMA_3_WITH_SIGNATURES)
    with SqliteStateStore(path) as migrated:
        assert migrated.band_index_path == band_index_path(path) == tmp_path / "state-bands.sqlite"
        assert migrated.band_index_path.is_file()
        since = datetime.fromtimestamp(1500, UTC)
        assert migrated.near_candidates([5, -6], since=since) == {"https://ex.com/new": b"new"}
        assert migrated.lsh_candidates([5]) == {"https://ex.com/new", "https://ex.com/old"}
        assert migrated.stats()["counts"]["minhash_bands"] == 4
        tables = {name for (name,) in migrated._connection.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}
        assert "minhash_bands" not in tables
        assert migrated.prune_near_duplicates(since) == 1
        assert migrated.lsh_candidates([5, 7]) == {"https://ex.com/new"}
        assert migrated.stats()["counts"]["minhash_bands"] == 2
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT version FROM schema_version").fetchone() == (SCHEMA_VERSION,)
    connection.close()


def signed_store(directory: Path) -> Path:
    """A store in *directory* with three signatures of two bands each; returns its path."""
    path = directory / STATE_FILE_NAME
    with SqliteStateStore(path) as store:
        store.add_signatures([(f"https://ex.com/{n}", [n, 100 + n], bytes([n])) for n in range(3)])
    return path


def test_a_lost_band_index_file_is_rebuilt_from_the_signatures(tmp_path, caplog):
    path = signed_store(tmp_path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{band_index_path(path)}{suffix}").unlink(missing_ok=True)
    with caplog.at_level("WARNING", logger="crawler.state.sqlite"), SqliteStateStore(path) as store:
        assert store.near_candidates([2, 0]) == {"https://ex.com/2": bytes([2])}
        assert store.lsh_candidates([0, 101]) == {"https://ex.com/0", "https://ex.com/1"}
        assert store.stats()["counts"]["minhash_bands"] == 6
    assert "Rebuilt the near-duplicate band index" in caplog.text and "from 3 signatures" in caplog.text


def test_band_index_files_apart_after_a_crash_are_rebuilt_and_only_then(tmp_path, caplog):
    path = signed_store(tmp_path)
    # As if a crash came between the two commits: the store's change of the bands is
    # committed (a signature replaced), the band index's is not.
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE minhash_signatures SET bands = '0:50,1:150' WHERE key = 'https://ex.com/0'")
        connection.execute("UPDATE band_index_generation SET value = value + 1")
    connection.close()
    with caplog.at_level("WARNING", logger="crawler.state.sqlite"), SqliteStateStore(path) as store:
        assert store.lsh_candidates([50]) == {"https://ex.com/0"} and store.lsh_candidates([0]) == set()
    assert caplog.text.count("Rebuilt") == 1
    caplog.clear()
    with caplog.at_level("WARNING", logger="crawler.state.sqlite"), SqliteStateStore(path) as store:
        assert store.lsh_candidates([50, 101]) == {"https://ex.com/0", "https://ex.com/1"}
    assert "Rebuilt" not in caplog.text


def test_the_band_index_file_is_in_wal_mode_and_its_cache_bounded(sqlite_store):
    from crawler.state.sqlite import CACHE_KIB

    assert sqlite_store._connection.execute("PRAGMA bands.journal_mode").fetchone() == ("wal",)
    assert sqlite_store._connection.execute("PRAGMA bands.synchronous").fetchone() == (1,)
    assert sqlite_store._connection.execute("PRAGMA bands.cache_size").fetchone() == (-CACHE_KIB,)


def band_rows(store, table: str) -> int:
    return store._connection.execute(f"SELECT COUNT(*) FROM bands.{table}").fetchone()[0]


def test_new_bands_gather_in_recent_bands_and_are_merged_in_one_pass(tmp_path, monkeypatch):
    from crawler.state import sqlite as sqlite_module

    monkeypatch.setattr(sqlite_module, "RECENT_BANDS_MERGE_SIGNATURES", 5)
    with SqliteStateStore(tmp_path / STATE_FILE_NAME) as store:
        store.add_signatures([(f"k{n}", [n, 100 + n], bytes([n])) for n in range(4)])
        assert (band_rows(store, "minhash_bands"), band_rows(store, "recent_bands")) == (0, 8)
        assert store.near_candidates([2, 103]) == {"k2": bytes([2]), "k3": bytes([3])}
        store.add_signature("k4", [4, 104], b"4")  # the fifth: merged
        assert (band_rows(store, "minhash_bands"), band_rows(store, "recent_bands")) == (10, 0)
        # replacing a merged signature removes its merged rows; the new ones are recent
        store.add_signature("k1", [41, 141], b"one")
        assert store.lsh_candidates([1, 101]) == set() and store.near_candidates([41]) == {"k1": b"one"}
        assert (band_rows(store, "minhash_bands"), band_rows(store, "recent_bands")) == (8, 2)
        assert store.prune_near_duplicates(datetime.now(UTC) + timedelta(days=1)) == 5
        assert (band_rows(store, "minhash_bands"), band_rows(store, "recent_bands")) == (0, 0)
        store.add_signature("k9", [9, 109], b"9")
        store.compact()
        assert (band_rows(store, "minhash_bands"), band_rows(store, "recent_bands")) == (2, 0)
        assert store.lsh_candidates([9]) == {"k9"} and store.stats()["counts"]["minhash_bands"] == 2


def test_read_into_page_cache_reads_the_file_up_to_the_limit(tmp_path):
    from crawler.state.sqlite import READAHEAD_CHUNK_BYTES, read_into_page_cache

    path = tmp_path / "f"
    path.write_bytes(b"x" * (READAHEAD_CHUNK_BYTES * 2 + 5))
    assert read_into_page_cache(path, 10**9) == READAHEAD_CHUNK_BYTES * 2 + 5
    assert read_into_page_cache(path, READAHEAD_CHUNK_BYTES + 3) == READAHEAD_CHUNK_BYTES + 3
    assert read_into_page_cache(tmp_path / "missing", 10**9) == 0


def test_opening_a_store_reads_its_band_index_ahead_in_the_background(tmp_path, monkeypatch):
    from crawler.state import sqlite as sqlite_module

    read = []
    monkeypatch.setattr(sqlite_module, "read_into_page_cache", lambda path, limit: read.append((path, limit)))
    with SqliteStateStore(tmp_path / STATE_FILE_NAME) as store:
        store._readahead.join(timeout=30)
        assert store._readahead.daemon and not store._readahead.is_alive()
    assert read == [(tmp_path / "state-bands.sqlite", sqlite_module.BAND_INDEX_READAHEAD_BYTES)]


def test_a_schema_1_postgres_store_upgrades_to_schema_3(postgres):
    """PostgreSQL's schema 1 is SQLite's schema 2 (it had the archive columns from the start)."""
    import psycopg

    from crawler.state.postgres import _SCHEMA, PostgresStateStore

    url = postgres.new_schema()
    old_schema = _SCHEMA.replace(",\n    indexed_at BIGINT NOT NULL DEFAULT 0", "").replace(
        "CREATE INDEX minhash_signatures_indexed_at ON minhash_signatures (indexed_at);", ""
    )
    assert "indexed_at" not in old_schema
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in old_schema.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute("INSERT INTO schema_version (version) VALUES (1)")
        connection.execute(
            "INSERT INTO articles (key, url, first_seen, last_seen, content_hash, version, file) VALUES "
            "('https://ex.com/old', 'https://ex.com/old', '2024-06-01T08:00:00+02:00', '2024-06-01T08:00:00+02:00', 'h-old', 1, 'd.jsonl')"
        )
        connection.execute("INSERT INTO minhash_signatures VALUES ('https://ex.com/old', 'sig'), ('https://ex.com/gone', 'gone')")
        connection.execute("INSERT INTO minhash_bands VALUES (0, 5, 'https://ex.com/old'), (0, 5, 'https://ex.com/gone')")
    with PostgresStateStore(url) as migrated:
        assert migrated.get("https://ex.com/old").content_hash == "h-old"
        assert migrated.near_candidates([5], since=datetime(2024, 6, 1, 6, 0, tzinfo=UTC)) == {"https://ex.com/old": b"sig"}
        assert migrated.near_candidates([5], since=datetime(2024, 6, 1, 6, 0, 1, tzinfo=UTC)) == {}
        assert migrated.prune_near_duplicates(datetime(2000, 1, 1, tzinfo=UTC)) == 1
        assert migrated._connection.execute("SELECT version FROM schema_version").fetchone() == (3,)


# --- the near-duplicate window -------------------------------------------------------------


def test_pruning_many_signatures_removes_every_band_row_of_each(store, monkeypatch):
    # Band rows are sorted and deleted a few signatures at a time (PRUNE_SORT_SIGNATURES).
    monkeypatch.setattr("crawler.state.sqlite.PRUNE_SORT_SIGNATURES", 2)
    old = [article(f"https://ex.com/old-{n}", last_seen=T0) for n in range(5)]
    recent = article("https://ex.com/recent", last_seen=T0 + timedelta(days=40))
    store.record_committed("d1.jsonl", old, (), [(entry.key, [n, 7, 100 - n], b"sig") for n, entry in enumerate(old)])
    store.record_committed("d2.jsonl", [recent], (), [(recent.key, [0, 7, 3], b"recent-sig")])
    assert store.prune_near_duplicates(T0 + timedelta(days=10)) == 5
    assert store.lsh_candidates([0, 7, 100]) == {recent.key}
    assert store.stats()["counts"]["minhash_bands"] == 3


def test_near_candidates_give_signatures_in_the_window_only(store):
    old, recent = article("https://ex.com/old", last_seen=T0), article("https://ex.com/recent", last_seen=T0 + timedelta(days=40))
    store.record_committed("d1.jsonl", [old], (), [(old.key, [1, 2], b"old-sig")])
    store.record_committed("d2.jsonl", [recent], (), [(recent.key, [1, 3], b"recent-sig")])
    assert store.near_candidates([1, 9]) == {old.key: b"old-sig", recent.key: b"recent-sig"}
    assert store.near_candidates([1, 9], since=T0 + timedelta(days=10)) == {recent.key: b"recent-sig"}
    assert store.near_candidates([7, 2], since=T0 + timedelta(days=10)) == {}
    assert store.near_candidates([7, 2]) == {old.key: b"old-sig"}


def test_pruning_removes_old_bands_and_signatures_but_keeps_articles_hashes_and_aliases(store):
    old, recent = article("https://ex.com/old", last_seen=T0), article("https://ex.com/recent", last_seen=T0 + timedelta(days=40))
    store.record_committed("d1.jsonl", [old], [("https://ex.com/old-amp", old.key)], [(old.key, [1, 2], b"old-sig")])
    store.record_committed("d2.jsonl", [recent], (), [(recent.key, [1, 3], b"recent-sig")])
    assert store.prune_near_duplicates(T0 + timedelta(days=10)) == 1
    assert store.lsh_candidates([1, 2]) == {recent.key}
    assert store.get_signature(old.key) is None and store.get_signature(recent.key) == b"recent-sig"
    assert store.get("https://ex.com/old-amp") == old
    assert store.find_by_hash(old.content_hash) == old.key
    assert store.prune_near_duplicates(T0 + timedelta(days=10)) == 0
    stats = store.stats()
    assert stats["counts"]["articles"] == 2 and stats["counts"]["minhash_signatures"] == 1
    assert stats["counts"]["minhash_bands"] == 2 and stats["counts"]["aliases"] == 1
    assert stats["first_recorded_article"]["key"] == old.key and stats["last_recorded_article"]["key"] == recent.key
    store.compact()
    assert store.count() == 2


def test_the_window_lookup_searches_indexes_and_scans_no_table(sqlite_store):
    from crawler.state.sqlite import near_candidates_query

    plan = [row[-1] for row in sqlite_store._connection.execute("EXPLAIN QUERY PLAN " + near_candidates_query(32), [0] * 65)]
    assert "SEARCH minhash_bands USING PRIMARY KEY (band=? AND band_hash=?)" in plan
    assert "SEARCH recent_bands USING PRIMARY KEY (band=? AND band_hash=?)" in plan
    assert "SEARCH minhash_signatures USING INTEGER PRIMARY KEY (rowid=?)" in plan
    assert not any(step.startswith("SCAN minhash_") for step in plan)


def test_replacing_and_pruning_bands_search_the_primary_key_only(sqlite_store):
    sqlite_store.record_committed("d.jsonl", [article(last_seen=T0)], (), [(article().key, list(range(32)), b"s")])
    statements = []
    sqlite_store._connection.set_trace_callback(statements.append)
    try:
        sqlite_store.add_signature(article().key, list(range(100, 132)), b"t")
        sqlite_store.prune_near_duplicates(datetime.now(UTC) + timedelta(days=1))
    finally:
        sqlite_store._connection.set_trace_callback(None)
    assert sqlite_store.stats()["counts"]["minhash_bands"] == 0
    for statement in statements:
        if statement.startswith(("BEGIN", "COMMIT")):
            continue
        steps = [row[-1] for row in sqlite_store._connection.execute("EXPLAIN QUERY PLAN " + statement)]
        assert not any(step.startswith(("SCAN minhash_bands", "SCAN recent_bands")) for step in steps), (statement, steps)


def test_commits_are_crash_safe_without_an_fsync_each(sqlite_store):
    # WAL + NORMAL: a power cut is covered by recovering committed files (see sqlite.py).
    assert sqlite_store._connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert sqlite_store._connection.execute("PRAGMA synchronous").fetchone() == (1,)


def test_the_page_cache_is_bounded(sqlite_store):
    from crawler.state.sqlite import CACHE_KIB

    assert sqlite_store._connection.execute("PRAGMA cache_size").fetchone() == (-CACHE_KIB,)


# --- PostgreSQL specifics: claims of articles judged by several nodes ----------------------


@pytest.fixture
def shared(postgres):
    """Two stores on one database, as two nodes of a cluster hold them."""
    from crawler.state.postgres import PostgresStateStore

    url = postgres.new_schema()
    first, second = PostgresStateStore(url, "node-a"), PostgresStateStore(url, "node-b")
    yield url, first, second
    first.close()
    second.close()


def words_text(offset: int, count: int = 80) -> str:
    return " ".join(f"كلمة{n}" for n in range(offset, offset + count))


def claim(store, key: str, text: str, content_hash: str | None = None):
    from crawler.near_duplicates import minhash_entry
    from pipelines.dedup import judge

    with store.shared_pending().judging() as view:
        return judge(view, key, key, content_hash or f"hash-of-{text[:40]}-{len(text)}", minhash_entry(text), False)


def test_a_claim_by_one_node_is_seen_by_another_before_any_commit(shared):
    _url, first, second = shared
    original = words_text(0)
    assert claim(first, "https://ex.com/original", original, "h1").drop_reason is None
    # The same article, the same text under another URL, and a near-copy, on the other node.
    assert claim(second, "https://ex.com/original", original, "h1").drop_reason == "unchanged"
    assert claim(second, "https://ex.com/mirror", original, "h1").drop_reason == "duplicate_exact"
    copy = claim(second, "https://ex.com/copy", words_text(0, 76) + " وكالة الانباء", "h2")
    assert copy.drop_reason is None and copy.duplicate_of == "https://ex.com/original"
    assert claim(second, "https://ex.com/other", words_text(5000), "h3").duplicate_of is None


def test_record_committed_ends_the_claims_in_its_transaction(shared):
    _url, first, second = shared
    pending = first.shared_pending()
    from crawler.near_duplicates import minhash_entry
    from pipelines.dedup import judge

    with pending.judging() as view:
        judge(view, "https://ex.com/a", "https://ex.com/a", "ha", minhash_entry(words_text(0)), False)
    signatures = pending.take(["https://ex.com/a"])
    first.record_committed("a.jsonl", [article("https://ex.com/a", content_hash="ha")], (), signatures)
    assert first._connection.execute("SELECT COUNT(*) FROM pending_articles").fetchone()[0] == 0
    assert first.get_signature("https://ex.com/a") == signatures[0][2]
    # Seen as committed now, by the other node.
    assert claim(second, "https://ex.com/mirror", words_text(0), "ha").drop_reason == "duplicate_exact"
    assert claim(second, "https://ex.com/near", words_text(0, 78), "hb").duplicate_of == article("https://ex.com/a").url


def test_claims_of_a_process_that_ended_are_released_when_a_store_opens(shared):
    from crawler.state.postgres import PostgresStateStore

    url, first, second = shared
    claim(first, "https://ex.com/dead", words_text(0), "h-dead")
    claim(second, "https://ex.com/alive", words_text(9000), "h-alive")
    first.close()  # its session lock goes with its connection, as with a SIGKILL
    with PostgresStateStore(url, "node-c") as third:
        keys = {key for (key,) in third._connection.execute("SELECT key FROM pending_articles")}
        assert keys == {"https://ex.com/alive"}
        assert claim(third, "https://ex.com/dead-again", words_text(0), "h-dead").drop_reason is None


def test_postgres_schema_version_is_checked(postgres):
    from crawler.state.postgres import PostgresStateStore

    url = postgres.new_schema()
    with PostgresStateStore(url) as store:
        store._connection.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(RuntimeError, match="schema version 99"):
        PostgresStateStore(url)


def test_a_lost_server_is_state_store_unavailable_naming_it(postgres):
    from crawler.state import StateStoreUnavailable
    from crawler.state.postgres import PostgresStateStore
    from tests.servers import free_port

    with pytest.raises(StateStoreUnavailable, match=r"cannot connect to PostgreSQL at postgresql://u:\*\*\*@127\.0\.0\.1"):
        PostgresStateStore(f"postgresql://u:secret@127.0.0.1:{free_port()}/db")
    with PostgresStateStore(postgres.new_schema()) as store:
        killer = PostgresStateStore(postgres.url)
        killer._connection.execute("SELECT pg_terminate_backend(%s)", (store._connection.info.backend_pid,))
        killer.close()
        with pytest.raises(StateStoreUnavailable, match="lost PostgreSQL at"):
            store.count()


# --- batched re-fetch decisions -------------------------------------------------------------


def test_should_fetch_many_decides_as_should_fetch_does_for_every_kind_of_key(store):
    store.record_written([article("https://ex.com/dated"), article("https://ex.com/dateless", discovered_at=None)])
    store.add_alias("https://ex.com/amp", "https://ex.com/dated")
    store.record_visited([("https://ex.com/listing", "not_article", T0), ("https://ex.com/undated-listing", "not_article", None)], T0)
    keys = ["https://ex.com/dated", "https://ex.com/dateless", "https://ex.com/amp", "https://ex.com/listing",
            "https://ex.com/undated-listing", "https://ex.com/unknown"]
    dates = [None, T0 - timedelta(days=1), T0 - timedelta(hours=1), T0, T0 + timedelta(seconds=1),
             (T0 + timedelta(hours=3)).astimezone(CAIRO)]
    entries = [(key, date) for key in keys for date in dates]
    random.Random(3).shuffle(entries)
    entries.append(entries[0])  # a key twice in one batch
    expected = [store.should_fetch(key, date) for key, date in entries]
    assert store.should_fetch_many(entries) == expected
    assert True in expected and False in expected
    assert store.should_fetch_many([]) == []


def test_should_fetch_many_takes_more_keys_than_one_query_holds(store):
    from crawler.state import FETCH_QUERY_KEYS

    known = [article(f"https://ex.com/{n}") for n in range(0, FETCH_QUERY_KEYS + 50, 2)]
    store.record_written(known)
    entries = [(f"https://ex.com/{n}", None) for n in range(FETCH_QUERY_KEYS + 50)]
    assert store.should_fetch_many(entries) == [n % 2 == 1 for n in range(FETCH_QUERY_KEYS + 50)]


def test_should_fetch_many_searches_primary_keys_only(sqlite_store):
    sqlite_store.record_written([article("https://ex.com/a")])
    plans = []
    sqlite_store._connection.set_trace_callback(plans.append)
    try:
        sqlite_store.should_fetch_many([("https://ex.com/a", None), ("https://ex.com/b", None)])
    finally:
        sqlite_store._connection.set_trace_callback(None)
    assert len(plans) == 3
    for statement in plans:
        steps = [row[-1] for row in sqlite_store._connection.execute("EXPLAIN QUERY PLAN " + statement)]
        assert not any(step.startswith("SCAN") for step in steps), (statement, steps)
