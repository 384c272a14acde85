"""Namespaced crawl counters, global and per source.

Every counter lives under ``news/KEY`` and, when the source is known, also
under ``news/source/NAME/KEY``, so the run manifest can report each source.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

PREFIX = "news"


def count(stats, key: str, source: str | None = None, amount: int = 1) -> None:
    stats.inc_value(f"{PREFIX}/{key}", amount)
    if source:
        stats.inc_value(f"{PREFIX}/source/{source}/{key}", amount)


def drop(stats, reason: str, source: str | None, detail: str = "") -> DropItem:
    """Count a dropped item under ``dropped/REASON`` and return the exception to raise."""
    count(stats, f"dropped/{reason}", source)
    error = DropItem(f"{reason}: {detail}" if detail else reason, log_level="INFO")
    error.reason = reason
    return error
