"""Looking after a state store between runs: what it holds, and pruning and compacting it.

``state_stats`` is what ``python -m crawler state stats`` prints; ``vacuum`` is what
``python -m crawler state vacuum`` does: prune the near-duplicate index to the
DEDUP_WINDOW_DAYS window (``StateStore.prune_near_duplicates``; articles, content hashes
and aliases stay), then give the freed space back (``StateStore.compact``). The command
runs it only while it holds OUTPUT_DIR's run lock (``crawler.cron.exclusive_lock``), so a
cron run never starts while the file is rewritten, nor is it rewritten under a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from crawler.near_duplicates import window_start


@dataclass(frozen=True)
class VacuumResult:
    pruned_articles: int
    bytes_before: int | None
    bytes_after: int | None
    window_start: datetime | None


def store_bytes(stats: dict) -> int | None:
    """The bytes the store takes on disk (SQLite: file and WAL; PostgreSQL: its tables)."""
    sizes = stats.get("bytes", {})
    if "file" in sizes:
        return sizes["file"] + sizes.get("wal", 0)
    return sizes.get("used")


def vacuum(store, window_days: float | None, now: datetime | None = None) -> VacuumResult:
    """Prune signatures indexed before the window (none when *window_days* is None), then compact."""
    before = store_bytes(store.stats())
    start = window_start(window_days, now or datetime.now(timezone.utc))
    pruned = store.prune_near_duplicates(start) if start is not None else 0
    store.compact()
    return VacuumResult(pruned, before, store_bytes(store.stats()), start)


def format_stats(stats: dict) -> str:
    """The stats as aligned text lines."""
    counts = stats["counts"]
    articles = counts.get("articles", 0)
    total = store_bytes(stats)
    lines = [f"store: {stats['store']} (schema {stats['schema']})"]
    if stats.get("band_index"):
        lines.append(f"band index: {stats['band_index']}")
    lines += [f"  {name:<20} {value:>12,}" for name, value in counts.items()]
    if total is not None:
        per_article = f", {total / articles:,.0f} bytes per article" if articles else ""
        lines.append(f"  {'size':<20} {total:>12,} bytes{per_article}")
    if "free" in stats.get("bytes", {}):
        lines.append(f"  {'free (vacuum frees)':<20} {stats['bytes']['free']:>12,} bytes")
    for label, name in (("first recorded", "first_recorded_article"), ("last recorded", "last_recorded_article")):
        entry = stats.get(name)
        lines.append(f"  {label:<20} {entry['first_seen']} {entry['key']}" if entry else f"  {label:<20} -")
    oldest, newest = stats.get("signatures_indexed_range") or (None, None)
    lines.append(f"  {'signatures indexed':<20} {oldest or '-'} .. {newest or '-'}")
    return "\n".join(lines)
