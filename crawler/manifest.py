"""The run manifest: what one run did, as JSON inside OUTPUT_DIR.

``OUTPUT_DIR/manifests/RUN_ID.json`` holds the start and end times, the
finish reason, the data files written, the WARC files archived
(``archive_files``), the sources the run crawled and, per source, pages
fetched, articles emitted, duplicates, drops by reason, request errors, the
discovery counters (``discovery``: documents fetched, URLs that matched the
article patterns and URLs that did not) and the item checks (``items``:
schema failures, field coverage, median word count; see
``crawler.health.item_checks``). ``node`` names the node (null for a one-machine
crawl) and, in a cluster, ``cluster`` describes the cluster run: its nodes, and the
totals of those that had finished. It is written atomically (temporary name,
then rename) when the spider closes, so a cron wrapper or a monitoring job
(``python -m crawler report``) can read the last one safely.

Keys are only ever added, never renamed: readers must take a missing key
as "not recorded by that version", not as zero.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals

from crawler.run_log import node_name_of, output_dir_of, run_id_of
from crawler.stats import PREFIX, count

logger = logging.getLogger(__name__)

MANIFEST_DIR = "manifests"


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else (str(value) if value else None)


def empty_summary() -> dict:
    """The summary of a source that did nothing."""
    return {
        "pages_fetched": 0,
        "articles_emitted": 0,
        "duplicates_marked": 0,
        "updated": 0,
        "skipped_known": 0,
        "dropped": {},
        "errors": {},
        "discovery": {},
        "items": {},
    }


def source_summaries(stats: dict) -> dict[str, dict]:
    """Per-source counters from the ``news/source/NAME/...`` stats."""
    prefix = f"{PREFIX}/source/"
    sources: dict[str, dict] = {}
    for key, value in stats.items():
        if not key.startswith(prefix):
            continue
        name, _, counter = key[len(prefix):].partition("/")
        summary = sources.setdefault(name, empty_summary())
        if counter == "pages_fetched":
            summary["pages_fetched"] = value
        elif counter == "items_written":
            summary["articles_emitted"] = value
        elif counter == "marked_near_duplicate":
            summary["duplicates_marked"] = value
        elif counter == "updated":
            summary["updated"] = value
        elif counter == "discovery/skipped_known":
            summary["skipped_known"] = value
        elif counter.startswith("dropped/"):
            summary["dropped"][counter.removeprefix("dropped/")] = value
        elif counter.startswith("errors/"):
            summary["errors"][counter.removeprefix("errors/")] = value
        if counter.startswith("discovery/"):
            summary["discovery"][counter.removeprefix("discovery/")] = value
        elif counter.startswith("items/schema_errors/"):
            summary["items"].setdefault("schema_errors", {})[counter.removeprefix("items/schema_errors/")] = value
        elif counter.startswith("items/"):
            summary["items"][counter.removeprefix("items/")] = value
    return sources


# Documents that tell a crawl what to fetch: sitemaps, feeds, section pages, and the pages
# given with -a url= (each is an article or a listing, and was reached).
DISCOVERY_KINDS = ("sitemaps", "feeds", "listings", "url_pages")


def discovery_documents(stats: dict) -> int:
    return sum(stats.get(f"{PREFIX}/discovery/{kind}", 0) for kind in DISCOVERY_KINDS)


def exception_count(stats: dict) -> int:
    """Exceptions in our code: spider callbacks, pipelines, extraction; not failed downloads."""
    return (
        stats.get("spider_exceptions/count", 0)
        + stats.get(f"{PREFIX}/item_errors", 0)
        + stats.get(f"{PREFIX}/dropped/extract_error", 0)
        + stats.get("log_count/CRITICAL", 0)
    )


def relative_name(path: Path, output_dir: Path) -> str:
    """A data file's name relative to OUTPUT_DIR (the writer's paths are resolved)."""
    resolved = output_dir.resolve()
    return str(path.relative_to(resolved)) if path.is_relative_to(resolved) else str(path)


def build_manifest(
    run_id: str,
    stats: dict,
    files: list[Path],
    output_dir: Path,
    finish_reason: str | None,
    archive_files: list[Path] = (),
    sources_crawled: list[str] | None = None,
) -> dict:
    manifest = {
        "run_id": run_id,
        "started_at": _iso(stats.get("start_time")),
        "finished_at": _iso(stats.get("finish_time")) or datetime.now(timezone.utc).isoformat(),
        "finish_reason": finish_reason,
        "data_files": [relative_name(path, output_dir) for path in files],
        "archive_files": [relative_name(path, output_dir) for path in archive_files],
        "totals": {
            "pages_fetched": stats.get(f"{PREFIX}/pages_fetched", 0),
            "articles_emitted": stats.get(f"{PREFIX}/items_written", 0),
            "duplicates_marked": stats.get(f"{PREFIX}/marked_near_duplicate", 0),
            "discovery_documents": discovery_documents(stats),
            "exceptions": exception_count(stats),
            "errors_logged": stats.get("log_count/ERROR", 0),
        },
        "sources": source_summaries(stats),
    }
    if sources_crawled is not None:
        # A source that gave no stat at all still ran: the report counts it as a dark run.
        manifest["sources_crawled"] = list(sources_crawled)
        for name in sources_crawled:
            manifest["sources"].setdefault(name, empty_summary())
    return manifest


# A manifest's .part lives for the milliseconds of one write. On one machine a single run
# holds OUTPUT_DIR, so any other .part was left by a run killed mid-write; in a cluster a
# node may be writing its own at this moment, and only one older than this is left over.
STALE_PART_SECONDS = 600


def discard_stale_parts(directory: Path, older_than: float = 0.0, now: float | None = None) -> int:
    """Delete the ``*.part`` files of killed runs in ``directory`` (older than ``older_than``
    seconds); returns how many."""
    now = time.time() if now is None else now
    removed = 0
    for part in directory.glob("*.part"):
        try:
            if now - part.stat().st_mtime >= older_than:
                part.unlink()
                removed += 1
        except FileNotFoundError:  # renamed or removed meanwhile
            continue
    if removed:
        logger.warning("Discarded %d unfinished manifest file(s) of interrupted runs in %s", removed, directory)
    return removed


def write_json_atomically(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def latest_manifest(output_dir: Path) -> dict | None:
    """The newest readable manifest (a damaged newest one falls back to the one before)."""
    for path in sorted((output_dir / MANIFEST_DIR).glob("*.json"), reverse=True):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            logger.warning("Unreadable run manifest skipped: %s", path)
            continue
        if isinstance(manifest, dict):
            return manifest
    return None


class ManifestExtension:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        # After the pipelines' close_spider, so the last data file is listed.
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        return extension

    def item_error(self, item, response, spider, failure):
        # An exception in a pipeline (not a DropItem): Scrapy logs it but keeps no stat.
        count(self.crawler.stats, "item_errors")

    def engine_stopped(self):
        output_dir = output_dir_of(self.crawler)
        stats = self.crawler.stats.get_stats()
        writer = getattr(self.crawler, "news_writer", None)
        files = writer.committed_files if writer is not None else []
        archive = getattr(self.crawler, "news_archive", None)
        archive_files = archive.committed_files if archive is not None else []
        spider = getattr(self.crawler, "spider", None)
        crawled = [source.name for source in getattr(spider, "sources", None) or []]
        manifest = build_manifest(
            run_id_of(self.crawler), stats, files, output_dir, stats.get("finish_reason"), archive_files,
            sources_crawled=crawled or None,
        )
        manifest["node"] = node_name_of(self.crawler)
        cluster_section = getattr(self.crawler, "news_cluster_manifest", None)
        if cluster_section is not None:
            manifest["cluster"] = cluster_section()
        path = output_dir / MANIFEST_DIR / f"{manifest['run_id']}.json"
        if path.parent.is_dir():
            in_cluster = getattr(self.crawler, "news_files_to_take_over", None) is not None
            discard_stale_parts(path.parent, STALE_PART_SECONDS if in_cluster else 0.0)
        write_json_atomically(path, manifest)
        self.crawler.news_manifest_path = path
        logger.info("Run manifest written to %s", path)
