"""State at scale: what a crawl costs when the state store holds 10k, 100k and 1M articles.

    python bench/state_scale.py [--sizes 10000,100000,1000000] [--keep]

One SQLite state store (in a temporary OUTPUT_DIR) grows through the sizes. At each size:

1. **fill**: synthetic articles are added through the store's own ``record_committed``
   (500 per data file, as the writer commits them): canonical keys of news URLs, blake2b
   content hashes, 128-value MinHash signatures with their 32 LSH band hashes, and an
   alias (the mobile host's URL) for one article in five. Dates: ten
   thousand articles a day going back from today, so 1M spans 100 days (thirty outlets'
   output, issue 17). The 20,000 articles of the local sitemap index (below) are stored
   once, before the first size, with the lastmod their sitemap gives them. Then the
   signatures indexed before the near-duplicate window (DEDUP_WINDOW_DAYS) are pruned, as
   the first crawl on the filled store would do at its close; timed and reported apart,
   so that the runs below see a store as it is in use (``prune_to_window``). The
   signatures' recent band rows are merged into the band index then too (the store does it
   every RECENT_BANDS_MERGE_SIGNATURES signatures), and what one such merge costs is
   measured apart, in a copy of the store (step 6).
2. **no-change run**: ``scrapy crawl news -a sitemap=INDEX`` (the project's spider, settings
   and pipelines, politeness off for localhost) over a sitemap index of those 20,000 known
   URLs served from 127.0.0.1. Every URL is known with the same date, so pages fetched must
   be 0. Reported: wall time of the whole process, state lookups (``should_fetch`` calls)
   per second of the time spent in them and per second of wall time, peak RSS (VmHWM).
3. **new run**: the same over a sitemap of 1,000 new article pages (``sitegen``: real
   templates, distinct texts), which go through extraction, dedup and writing. Reported:
   the time spent inside state-store calls per page (``state_timing``, a proxy that times
   every store method in the crawl process), per method, and peak RSS.
4. **near-duplicate lookup**: ``NearDuplicateIndex.match_entry`` for 300 fresh signatures
   (no match) and 100 copies of stored ones (a match), in this process: ms per article.
5. **bytes per article**: state.sqlite and its band index file (after a WAL checkpoint) /
   articles stored, and per table (``dbstat``).
6. **band merge**: in a copy of the vacuumed store, RECENT_BANDS_MERGE_SIGNATURES fresh
   signatures, then the one merge they trigger: its seconds, and its share per article
   (seconds / signatures), which the state cost per page of the target includes.

Then the targets (issue 17) are printed as met/MISSED with the core count. Results also
go to bench/results/state_scale.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run  # noqa: E402
import sitegen  # noqa: E402

from crawler import settings as project_settings  # noqa: E402
from crawler.near_duplicates import NUM_PERM, NearDuplicateIndex, lsh_parameters, window_start  # noqa: E402
from crawler.state import STATE_FILE_NAME, ArticleState, open_state_store  # noqa: E402
from crawler.state.sqlite import CACHE_KIB, RECENT_BANDS_MERGE_SIGNATURES, band_index_path, parse_bands  # noqa: E402
from crawler.urls import canonicalize_url  # noqa: E402

logger = logging.getLogger(__name__)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results" / "state_scale.json"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
KNOWN_URLS = 20_000
NEW_ARTICLES = 1_000
ARTICLES_PER_DAY = 10_000
ARTICLES_PER_FILE = 500
ALIAS_SHARE = 5  # one article in five has an alias
OUTLETS = (
    "youm7.com", "hespress.com", "aljazeera.net", "alarabiya.net", "masrawy.com", "almasryalyoum.com",
    "elwatannews.com", "shorouknews.com", "akhbarelyom.com", "ahram.org.eg", "alwatan.com.sa", "okaz.com.sa",
    "alriyadh.com", "aawsat.com", "annahar.com", "alquds.co.uk", "alghad.com", "ammonnews.net",
    "elkhabar.com", "ennaharonline.com", "assabah.com.tn", "alyaum.com", "albayan.ae", "alkhaleej.ae",
    "emaratalyoum.com", "alraimedia.com", "alanba.com.kw", "alwasat.com.kw", "skynewsarabia.com", "bbc.com",
)
SECTIONS = ("news", "politics", "economy", "sports", "world", "culture", "local", "health")
KNOWN_LASTMOD = datetime(2026, 1, 1, 6, 0, tzinfo=timezone.utc)
NEAR_LOOKUPS_FRESH = 300
NEAR_LOOKUPS_COPIES = 100

# Issue 17's targets.
TARGET_COST_RATIO = 1.5
TARGET_NO_CHANGE_WALL = 10.0
TARGET_MAIN_RSS_MB = 300.0
# "Nothing in memory grows with the stored articles": peak RSS of the Scrapy process from
# the smallest to the largest size, at most this much more (allocator noise).
TARGET_RSS_GROWTH_PERCENT = 10.0

CRAWL_SETTINGS = {"LOG_LEVEL": "INFO", "ARCHIVE_ENABLED": "0", "HEALTH_ITEM_CHECKS": "0"}


# --- synthetic articles ------------------------------------------------------------


def synthetic_batch(rng: random.Random, start: int, count: int, now: datetime):
    """(entries, aliases, signatures) of articles start .. start+count-1, as the writer records them."""
    bands, _ = lsh_parameters()
    entries, aliases, signatures = [], [], []
    for number in range(start, start + count):
        outlet = OUTLETS[number % len(OUTLETS)]
        published = now - timedelta(days=number / ARTICLES_PER_DAY, seconds=rng.randrange(3600))
        slug = "-".join(rng.choice(("egypt", "gaza", "economy", "minister", "match", "oil", "election", "rain", "court", "summit")) for _ in range(5))
        url = f"https://www.{outlet}/{SECTIONS[number % len(SECTIONS)]}/{published:%Y/%m/%d}/{slug}-{7_000_000 + number}"
        key = canonicalize_url(url)
        seen = min(now, published + timedelta(minutes=rng.randrange(5, 120)))
        entries.append(ArticleState(
            key=key, url=url, first_seen=seen, last_seen=seen,
            content_hash=rng.getrandbits(128).to_bytes(16, "little").hex(),
            published_at=published, discovered_at=published, version=1,
            file=f"{outlet}/{seen:%Y/%m/%d}/{start // ARTICLES_PER_FILE:07d}.jsonl",
        ))
        if number % ALIAS_SHARE == 0:
            # The mobile host's copy declares the www page canonical (a tracking query
            # would not do: canonicalize_url drops it, so the alias would be the key itself).
            aliases.append((canonicalize_url(url.replace("https://www.", "https://m.", 1)), key))
        signature = rng.randbytes(4 * NUM_PERM)
        band_hashes = [rng.getrandbits(64) - 2**63 for _ in range(bands)]
        signatures.append((key, band_hashes, signature))
    return entries, aliases, signatures


def fill(store, rng: random.Random, start: int, stop: int, now: datetime) -> float:
    """Add synthetic articles start .. stop-1; returns the seconds it took."""
    started = time.perf_counter()
    with bulk_transactions(store) as commit:
        for first in range(start, stop, ARTICLES_PER_FILE):
            count = min(ARTICLES_PER_FILE, stop - first)
            entries, aliases, signatures = synthetic_batch(rng, first, count, now)
            store.record_committed(entries[0].file, entries, aliases, signatures)
            if (first + count - start) % FILL_ARTICLES_PER_TRANSACTION == 0:
                commit()
            if (first - start) % 100_000 == 0 and first > start:
                logger.info("filled %d / %d", first, stop)
    return time.perf_counter() - started


# The fill's connection only: record_committed's calls grouped FILL_ARTICLES_PER_TRANSACTION
# articles to a transaction, with a page cache large enough for the whole store at 1M
# (about 3.5 GB; the crawls' connections keep CACHE_KIB). One transaction per data file
# wrote most pages of the band table to the WAL at each commit (random band hashes dirty
# a page each), so the fill grew quadratically: measured on this machine (2 cores, load
# 2-3), 100,000 articles took 138 s of wall time that way, 37 s grouped by 50,000 with
# this cache (200,000: 82 s). The same rows are stored either way.
FILL_ARTICLES_PER_TRANSACTION = 50_000
FILL_CACHE_KIB = 4 * 1024 * 1024


@contextmanager
def bulk_transactions(store):
    """Within the block, record_committed calls share one transaction until ``commit()``."""
    connection = store._connection
    set_cache_kib(connection, FILL_CACHE_KIB)
    store._transaction = nullcontext
    connection.execute("BEGIN IMMEDIATE")

    def commit() -> None:
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")

    try:
        yield commit
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        del store._transaction  # the class's own again
        set_cache_kib(connection, CACHE_KIB)


def set_cache_kib(connection, kib: int) -> None:
    """SQLite's page cache for both files of the store (the band index is attached)."""
    for schema in ("main", "bands"):
        connection.execute(f"PRAGMA {schema}.cache_size=-{kib}")


def prune_to_window(store) -> tuple[int, float]:
    """Drop the signatures indexed before the near-duplicate window, as the first crawl
    after the fill does at its close (DedupPipeline): (signatures pruned, seconds).

    The fill indexes articles up to 100 days back and the known ones on their 2026 date,
    while a store in use holds DEDUP_WINDOW_DAYS of signatures, each run pruning the hour
    or so that left the window. Done here, the backlog (700,000 signatures at 1M) is
    timed apart from the no-change run, which then measures a run on such a store."""
    started = time.perf_counter()
    set_cache_kib(store._connection, FILL_CACHE_KIB)  # as for the fill
    try:
        pruned = store.prune_near_duplicates(window_start(project_settings.DEDUP_WINDOW_DAYS))
    finally:
        set_cache_kib(store._connection, CACHE_KIB)
    return pruned, time.perf_counter() - started


def known_url(base_url: str, number: int) -> str:
    return f"{base_url}/known/{KNOWN_LASTMOD:%Y/%m/%d}/story-{number:06d}.html"


def store_known(store, rng: random.Random, base_url: str) -> None:
    """The 20,000 articles of the no-change sitemap, stored with their sitemap date."""
    seen = KNOWN_LASTMOD + timedelta(hours=1)
    with bulk_transactions(store):
        _store_known(store, rng, base_url, seen)


def _store_known(store, rng: random.Random, base_url: str, seen: datetime) -> None:
    for first in range(0, KNOWN_URLS, ARTICLES_PER_FILE):
        _, _, signatures = synthetic_batch(rng, 10_000_000 + first, ARTICLES_PER_FILE, seen)
        entries = []
        for offset, (_, bands, signature) in enumerate(signatures):
            url = known_url(base_url, first + offset)
            entries.append(ArticleState(
                key=canonicalize_url(url), url=url, first_seen=seen, last_seen=seen,
                content_hash=rng.getrandbits(128).to_bytes(16, "little").hex(),
                published_at=KNOWN_LASTMOD, discovered_at=KNOWN_LASTMOD, version=1,
                file=f"local/known-{first:06d}.jsonl",
            ))
        renamed = [(entry.key, bands, signature) for entry, (_, bands, signature) in zip(entries, signatures)]
        store.record_committed(entries[0].file, entries, (), renamed)


def write_known_sitemaps(root: Path) -> str:
    """A sitemap index of the 20,000 known URLs (500 per part); returns its site path."""
    parts = []
    for number, first in enumerate(range(0, KNOWN_URLS, sitegen.SITEMAP_CHUNK), start=1):
        entries = "".join(
            f"<url><loc>{known_url(sitegen.BASE_URL, index)}</loc><lastmod>{KNOWN_LASTMOD.isoformat()}</lastmod></url>\n"
            for index in range(first, min(first + sitegen.SITEMAP_CHUNK, KNOWN_URLS))
        )
        path = f"/sitemaps/known/part-{number:03d}.xml"
        sitegen.write_file(root, path, '<?xml version="1.0" encoding="UTF-8"?>\n'
                           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")
        parts.append(sitegen.BASE_URL + path)
    sitegen.write_file(root, "/sitemaps/known/index.xml", sitegen.sitemap_index_xml(parts))
    return "/sitemaps/known/index.xml"


def write_new_sitemaps(root: Path, specs, rounds: int) -> list[str]:
    """One sitemap index per size, each of 1,000 pages nobody fetched yet."""
    paths = []
    for round_number in range(rounds):
        chunk = specs[round_number * NEW_ARTICLES : (round_number + 1) * NEW_ARTICLES]
        parts = []
        for number, first in enumerate(range(0, len(chunk), sitegen.SITEMAP_CHUNK), start=1):
            path = f"/sitemaps/new{round_number}/part-{number:03d}.xml"
            sitegen.write_file(root, path, sitegen.urlset_xml(chunk[first : first + sitegen.SITEMAP_CHUNK]))
            parts.append(sitegen.BASE_URL + path)
        sitegen.write_file(root, f"/sitemaps/new{round_number}/index.xml", sitegen.sitemap_index_xml(parts))
        paths.append(f"/sitemaps/new{round_number}/index.xml")
    return paths


# --- measurements --------------------------------------------------------------------


def crawl(sitemap_url: str, output_dir: Path, server_pid: int, label: str, work: Path) -> dict:
    timing_file = work / f"{label}.timing.json"
    extensions = {**_project_extensions(), "state_timing.StateTimingExtension": 5}
    settings = {**CRAWL_SETTINGS, "STATE_TIMING_FILE": str(timing_file), "EXTENSIONS": json.dumps(extensions)}
    os.environ["PYTHONPATH"] = os.pathsep.join([str(BENCH), str(REPO)])
    result = run.run_crawl(0, sitemap_url, output_dir, server_pid, settings, 0.2)
    log_text = Path(result.stderr_file).read_text(encoding="utf-8", errors="replace")
    stats = run.parse_stats_dump(log_text)
    shutil.move(result.stderr_file, work / f"{label}.log")
    timing = json.loads(timing_file.read_text()) if timing_file.exists() else {}
    return {"result": result, "stats": stats, "timing": timing}


def _project_extensions() -> dict:
    from crawler import settings

    return dict(settings.EXTENSIONS)


def article_pages_fetched(stats: dict) -> int:
    """Responses to article requests: those that are neither robots.txt nor a sitemap."""
    return int(stats.get("downloader/response_count", 0)) - int(stats.get("news/discovery/sitemaps", 0)) - int(stats.get("robotstxt/response_count", 0))


def near_lookup_ms(output_dir: Path, rng: random.Random, stored_keys: list[str]) -> dict:
    store = open_state_store(output_dir)
    try:
        index = NearDuplicateIndex(store)
        bands, _ = lsh_parameters()
        fresh = [([rng.getrandbits(64) - 2**63 for _ in range(bands)], rng.randbytes(4 * NUM_PERM)) for _ in range(NEAR_LOOKUPS_FRESH)]
        started = time.perf_counter()
        for number, entry in enumerate(fresh):
            index.match_entry(f"probe-{number}", entry)
        fresh_ms = (time.perf_counter() - started) * 1000 / len(fresh)
        connection = sqlite3.connect(output_dir / STATE_FILE_NAME)
        copies = []
        for key in rng.sample(stored_keys, min(NEAR_LOOKUPS_COPIES, len(stored_keys))):
            row = connection.execute("SELECT bands, signature FROM minhash_signatures WHERE key = ?", (key,)).fetchone()
            if row and row[0]:
                copies.append(([band_hash for _, band_hash in sorted(parse_bands(row[0]))], bytes(row[1])))
        connection.close()
        started = time.perf_counter()
        matched = sum(index.match_entry(f"copy-{number}", entry) is not None for number, entry in enumerate(copies))
        copy_ms = (time.perf_counter() - started) * 1000 / max(1, len(copies))
    finally:
        store.close()
    return {"fresh_ms": fresh_ms, "copy_ms": copy_ms, "copies": len(copies), "copies_matched": matched}


def state_bytes(output_dir: Path) -> dict:
    """Bytes of the store's two files (state.sqlite and its band index), in all and per table."""
    path = output_dir / STATE_FILE_NAME
    bands_path = band_index_path(path)
    connection = sqlite3.connect(path)
    try:
        connection.execute("ATTACH DATABASE ? AS bands", (str(bands_path),))
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        articles = connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        try:
            tables = {}
            for schema in ("main", "bands"):
                tables.update(connection.execute(
                    "SELECT name, SUM(pgsize) FROM dbstat WHERE schema = ? GROUP BY name", (schema,)
                ).fetchall())
        except sqlite3.OperationalError:  # SQLite built without dbstat
            tables = {}
    finally:
        connection.close()
    size = path.stat().st_size + bands_path.stat().st_size
    return {"file_bytes": size, "band_index_bytes": bands_path.stat().st_size, "articles": articles,
            "bytes_per_article": size / max(1, articles),
            "tables_bytes_per_article": {name: value / max(1, articles) for name, value in sorted(tables.items(), key=lambda item: -item[1])}}


def new_keys(specs, round_number: int, base_url: str) -> list[str]:
    """Keys of the articles the new run of this round wrote (their signatures are in the window)."""
    chunk = specs[round_number * NEW_ARTICLES : (round_number + 1) * NEW_ARTICLES]
    return [canonicalize_url(spec.url.replace(sitegen.BASE_URL, base_url)) for spec in chunk]


def run_vacuum(output_dir: Path) -> float:
    """``python -m crawler state vacuum``, as a user runs it between crawls; returns its wall time."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "crawler", "state", "vacuum", "--output-dir", str(output_dir)], cwd=REPO, check=True)
    return time.perf_counter() - started


def band_merge_cost(output_dir: Path, work: Path, rng: random.Random) -> dict:
    """Seconds of one merge of recent_bands into the band index, in a copy of the store
    (so the probe signatures do not stay in the measured one)."""
    copy = work / "merge-copy"
    copy.mkdir()
    try:
        for path in (output_dir / STATE_FILE_NAME, band_index_path(output_dir / STATE_FILE_NAME)):
            shutil.copyfile(path, copy / path.name)  # vacuum left no WAL
        store = open_state_store(copy)
        try:
            bands, _ = lsh_parameters()
            probes = [(f"https://merge.probe/{n}", [rng.getrandbits(64) - 2**63 for _ in range(bands)], rng.randbytes(4 * NUM_PERM))
                      for n in range(RECENT_BANDS_MERGE_SIGNATURES)]
            store.add_signatures(probes[:-1])
            started = time.perf_counter()
            store.add_signatures(probes[-1:])  # the one that reaches the threshold
            seconds = time.perf_counter() - started
        finally:
            store.close()
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    return {"seconds": seconds, "ms_per_article": seconds * 1000 / RECENT_BANDS_MERGE_SIGNATURES}


def cost_per_page(timing: dict, pages: int) -> float:
    return sum(entry["seconds"] for entry in timing.values()) / max(1, pages)


# --- report ------------------------------------------------------------------------


def targets(rows: list[dict]) -> list[tuple[str, bool]]:
    first, last = rows[0], rows[-1]
    checks = []
    ratio = state_cost_ms(last) / max(1e-9, state_cost_ms(first))
    checks.append((f"state cost per page (new run + band merge share) at {last['size']:,} within {TARGET_COST_RATIO}x of {first['size']:,}: {ratio:.2f}x ({state_cost_ms(last):.3f} / {state_cost_ms(first):.3f} ms)", ratio <= TARGET_COST_RATIO))
    worst_wall = max(row["no_change"]["wall_seconds"] for row in rows)
    checks.append((f"no-change run over {KNOWN_URLS:,} URLs under {TARGET_NO_CHANGE_WALL:.0f} s wall: worst {worst_wall:.1f} s", worst_wall < TARGET_NO_CHANGE_WALL))
    fetched = max(row["no_change"]["pages_fetched"] for row in rows)
    checks.append((f"no-change run fetches 0 article pages: worst {fetched}", fetched == 0))
    worst_rss = max(max(row["no_change"]["peak_main_rss_mb"], row["new"]["peak_main_rss_mb"]) for row in rows)
    checks.append((f"Scrapy process under {TARGET_MAIN_RSS_MB:.0f} MB: worst {worst_rss:.0f} MB", worst_rss < TARGET_MAIN_RSS_MB))
    for run_name in ("no_change", "new"):
        growth = run.growth_percent(first[run_name]["peak_main_rss_mb"], last[run_name]["peak_main_rss_mb"])
        checks.append((f"{run_name} run's Scrapy RSS grows at most {TARGET_RSS_GROWTH_PERCENT:.0f} % from {first['size']:,} to {last['size']:,} articles: {growth:+.1f} %", growth <= TARGET_RSS_GROWTH_PERCENT))
    written = min(row["new"]["items_written"] for row in rows)
    checks.append((f"every new page written: worst {written} of {NEW_ARTICLES}", written == NEW_ARTICLES))
    return checks


def state_cost_ms(row: dict) -> float:
    """State ms per page of the new run, plus each article's share of a band merge."""
    return row["new"]["state_ms_per_page"] + row.get("merge", {}).get("ms_per_article", 0.0)


def format_report(rows: list[dict], checks: list[tuple[str, bool]], machine: dict) -> str:
    lines = [
        f"{'articles':>10} {'fill s':>7} {'B/art':>6} {'B/art vac':>9} | {'nochg wall s':>12} {'lookups/s':>10} {'lookups/s wall':>14} {'fetched':>7} {'RSS MB':>6} | {'new wall s':>10} {'state ms/page':>13} {'written':>7} {'RSS MB':>6} | {'near ms':>7} {'copy ms':>7}",
    ]
    for row in rows:
        no_change, new, near = row["no_change"], row["new"], row["near"]
        lines.append(
            f"{row['articles']:>10,} {row['fill_seconds']:>7.1f} {row['bytes']['bytes_per_article']:>6.0f} {row.get('vacuumed', row['bytes'])['bytes_per_article']:>9.0f} | "
            f"{no_change['wall_seconds']:>12.1f} {no_change['lookups_per_second']:>10,.0f} {no_change['lookups_per_wall_second']:>14,.0f} {no_change['pages_fetched']:>7} {no_change['peak_main_rss_mb']:>6.0f} | "
            f"{new['wall_seconds']:>10.1f} {new['state_ms_per_page']:>13.3f} {new['items_written']:>7} {new['peak_main_rss_mb']:>6.0f} | "
            f"{near['fresh_ms']:>7.3f} {near['copy_ms']:>7.3f}"
        )
    lines.append("")
    for row in rows:
        top = ", ".join(f"{name} {entry['seconds'] * 1000 / NEW_ARTICLES:.3f} ms/{entry['calls']}" for name, entry in sorted(row["new"]["timing"].items(), key=lambda item: -item[1]["seconds"])[:6])
        lines.append(f"{row['articles']:>10,}: new run state time by method (ms per page / calls): {top}")
        slowest = max(row["new"]["timing"].items(), key=lambda item: item[1]["seconds"], default=None)
        if slowest is not None and "p50_ms" in slowest[1]:
            name, entry = slowest
            lines.append(
                f"{'':>10}  {name}: {entry['cpu_seconds'] * 1000 / max(1, entry['calls']):.3f} ms CPU of {entry['seconds'] * 1000 / max(1, entry['calls']):.3f} wall per call; "
                f"quartiles {entry['p25_ms']:.3f} / {entry['p50_ms']:.3f} / {entry['p75_ms']:.3f} ms, max {entry['max_ms']:.1f}; "
                f"first 100 calls {entry['first_100_mean_ms']:.3f} ms, last 100 {entry['last_100_mean_ms']:.3f}"
            )
        tables = ", ".join(f"{name} {value:.0f}" for name, value in list(row["bytes"]["tables_bytes_per_article"].items())[:6])
        lines.append(f"{'':>10}  bytes per article by table/index: {tables}")
        if "vacuumed" in row:
            tables = ", ".join(f"{name} {value:.0f}" for name, value in list(row["vacuumed"]["tables_bytes_per_article"].items())[:6])
            lines.append(f"{'':>10}  after `state vacuum` ({row['vacuum_seconds']:.1f} s; window DEDUP_WINDOW_DAYS): {tables}")
        if "merge" in row:
            lines.append(f"{'':>10}  one merge of {RECENT_BANDS_MERGE_SIGNATURES:,} signatures' recent bands: {row['merge']['seconds']:.2f} s, {row['merge']['ms_per_article']:.3f} ms per article")
        if "prune_seconds" in row:
            lines.append(f"{'':>10}  before the no-change run, {row['pruned_before']:,} signatures indexed before the window pruned in {row['prune_seconds']:.1f} s")
        lines.append(f"{'':>10}  other processes' CPU during the runs: no-change {row['no_change']['other_cpu_seconds']:.1f} s, new {row['new']['other_cpu_seconds']:.1f} s; load before {row['no_change']['load_average_before']:.2f}")
    lines.append("")
    lines.append("targets:")
    lines.extend(f"  {'met   ' if ok else 'MISSED'} {text}" for text, ok in checks)
    lines.append(f"cores: {machine['cores']}; load average at start {machine['load_start']:.2f}, at end {machine.get('load_end', float('nan')):.2f}")
    return "\n".join(lines)


def sizes_of(value: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in value.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive integers, e.g. 10000,100000")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=sizes_of, default=list(DEFAULT_SIZES))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (store, site, logs)")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="state-scale-"))
    output_dir, site_root = work / "output", work / "site"
    machine = {"cores": os.cpu_count(), "load_start": os.getloadavg()[0]}
    now = datetime.now(timezone.utc)
    rows = []
    try:
        known_index = write_known_sitemaps(site_root)
        _, specs = sitegen.build_site(site_root, [NEW_ARTICLES * len(args.sizes)])
        new_indexes = write_new_sitemaps(site_root, specs, len(args.sizes))
        server, base_url = run.start_server(site_root)
        try:
            store = open_state_store(output_dir)
            store_known(store, rng, base_url)
            filled = 0
            for round_number, size in enumerate(args.sizes):
                fill_seconds = fill(store, random.Random(args.seed + size), filled, size, now)
                filled = size
                pruned, prune_seconds = prune_to_window(store)
                store.merge_recent_bands()
                articles = store.count()
                store.close()
                logger.info("size %d: %d articles stored; no-change run", size, articles)
                no_change = crawl(base_url + known_index, output_dir, server.pid, f"nochange-{size}", work)
                logger.info("size %d: new run", size)
                new = crawl(base_url + new_indexes[round_number], output_dir, server.pid, f"new-{size}", work)
                near = near_lookup_ms(output_dir, rng, new_keys(specs, round_number, base_url))
                unpruned = state_bytes(output_dir)
                vacuum_seconds = run_vacuum(output_dir)
                row = row_of(size, articles, fill_seconds, no_change, new, near, unpruned)
                row["pruned_before"], row["prune_seconds"] = pruned, prune_seconds
                row["vacuumed"], row["vacuum_seconds"] = state_bytes(output_dir), vacuum_seconds
                row["merge"] = band_merge_cost(output_dir, work, rng)
                rows.append(row)
                print(format_report(rows, [], machine).split("\n\n")[0], flush=True)
                store = open_state_store(output_dir)
            store.close()
        finally:
            run.stop_server(server)
        machine["load_end"] = os.getloadavg()[0]
        checks = targets(rows)
        report = format_report(rows, checks, machine)
        print(report)
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps({"machine": machine, "rows": rows, "targets": checks}, indent=1, default=str), encoding="utf-8")
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def row_of(size, articles, fill_seconds, no_change, new, near, bytes_figures) -> dict:
    def figures(measured: dict, pages: int) -> dict:
        result, timing = measured["result"], measured["timing"]
        # URLs decided, one by one (should_fetch) or a sitemap at a time (should_fetch_many).
        lookups = {
            "calls": int(measured["stats"].get("news/discovery/article_urls", 0)),
            "seconds": sum(timing.get(name, {}).get("seconds", 0.0) for name in ("should_fetch", "should_fetch_many")),
        }
        return {
            "wall_seconds": result.wall_seconds,
            "exit_code": result.exit_code,
            "peak_main_rss_mb": result.peak_main_rss / 1e6,
            # This run's items (the data folder also holds the earlier runs' files).
            "items_written": int(measured["stats"].get("item_scraped_count", 0)),
            "pages_fetched": article_pages_fetched(measured["stats"]),
            "lookups": lookups["calls"],
            "lookups_per_second": lookups["calls"] / max(1e-9, lookups["seconds"]),
            "lookups_per_wall_second": lookups["calls"] / max(1e-9, result.wall_seconds),
            "state_ms_per_page": cost_per_page(timing, pages) * 1000,
            "timing": timing,
            "other_cpu_seconds": result.other_cpu_seconds,
            "load_average_before": result.load_average_before,
        }

    return {
        "size": size,
        "articles": articles,
        "fill_seconds": fill_seconds,
        "no_change": figures(no_change, KNOWN_URLS),
        "new": figures(new, NEW_ARTICLES),
        "near": near,
        "bytes": bytes_figures,
    }


if __name__ == "__main__":
    sys.exit(main())
