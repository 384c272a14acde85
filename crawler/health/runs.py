"""The run manifests of an OUTPUT_DIR, read as what each run did for each source.

Manifests written by older versions lack keys (``sources_crawled``, a source's ``discovery``
and ``items``); they read as "not recorded" (None), never as zero, so the report judges only
what was measured. A manifest that cannot be read is skipped and counted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.manifest import MANIFEST_DIR

logger = logging.getLogger(__name__)

RUN_ID_FORMAT = "%Y%m%dT%H%M%SZ"
# 401 Unauthorized, 403 Forbidden, 429 Too Many Requests, 451 Unavailable For Legal Reasons:
# the site answers, but not to us.
BLOCKING_STATUSES = (401, 403, 429, 451)
BLOCKING_ERRORS = frozenset(f"http_{status}" for status in BLOCKING_STATUSES)
DOCUMENT_COUNTERS = ("sitemaps", "feeds", "listings")


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _counts(value) -> dict[str, int]:
    if not isinstance(value, Mapping):
        return {}
    return {str(key): _int(count) for key, count in value.items() if _int(count)}


@dataclass(frozen=True)
class SourceRun:
    """One source in one run, from the manifest's ``sources[NAME]``."""

    run_id: str
    started: datetime
    articles: int
    pages: int
    duplicates: int
    dropped: dict[str, int]
    errors: dict[str, int]
    discovery: dict[str, int] | None  # None: the manifest predates the key
    items: dict | None

    @classmethod
    def from_summary(cls, run_id: str, started: datetime, summary: Mapping) -> SourceRun:
        discovery = summary.get("discovery")
        items = summary.get("items")
        return cls(
            run_id=run_id,
            started=started,
            articles=_int(summary.get("articles_emitted")),
            pages=_int(summary.get("pages_fetched")),
            duplicates=_int(summary.get("duplicates_marked")),
            dropped=_counts(summary.get("dropped")),
            errors=_counts(summary.get("errors")),
            discovery=_counts(discovery) if isinstance(discovery, Mapping) else None,
            items=dict(items) if isinstance(items, Mapping) else None,
        )

    @property
    def documents(self) -> int | None:
        """Sitemaps, feeds and listing pages fetched and read."""
        if self.discovery is None:
            return None
        return sum(self.discovery.get(name, 0) for name in DOCUMENT_COUNTERS)

    @property
    def blocked(self) -> int:
        return sum(count for reason, count in self.errors.items() if reason in BLOCKING_ERRORS)

    @property
    def requests(self) -> int:
        """Requests that got an answer the crawl could use, plus those that failed."""
        return self.pages + (self.documents or 0) + sum(self.errors.values())

    @property
    def items_checked(self) -> int:
        return _int((self.items or {}).get("checked"))

    def item_count(self, key: str) -> int:
        return _int((self.items or {}).get(key))

    @property
    def word_count_median(self) -> float | None:
        value = (self.items or {}).get("word_count_median")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Run:
    run_id: str
    started: datetime
    finish_reason: str | None
    path: Path
    sources: dict[str, SourceRun]
    crawled: tuple[str, ...] | None  # None: the manifest predates ``sources_crawled``

    def crawled_source(self, name: str) -> bool:
        """Whether the run crawled ``name``; older manifests only tell by its counters."""
        return name in self.crawled if self.crawled is not None else name in self.sources

    def source_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*(self.crawled or ()), *self.sources)))


def parse_instant(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def run_id_time(run_id: str) -> datetime | None:
    try:
        return datetime.strptime(run_id, RUN_ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def run_from_manifest(manifest: Mapping, path: Path) -> Run:
    run_id = str(manifest.get("run_id") or path.stem)
    started = (
        parse_instant(manifest.get("started_at"))
        or run_id_time(run_id)
        or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    )
    sources = manifest.get("sources") if isinstance(manifest.get("sources"), Mapping) else {}
    crawled = manifest.get("sources_crawled")
    return Run(
        run_id=run_id,
        started=started,
        finish_reason=manifest.get("finish_reason") if isinstance(manifest.get("finish_reason"), str) else None,
        path=path,
        sources={
            str(name): SourceRun.from_summary(run_id, started, summary)
            for name, summary in sources.items()
            if isinstance(summary, Mapping)
        },
        crawled=tuple(str(name) for name in crawled) if isinstance(crawled, list) else None,
    )


@dataclass
class RunLog:
    """The manifests of one OUTPUT_DIR, newest last."""

    output_dir: Path
    paths: list[Path]
    skipped: int = 0

    @classmethod
    def of(cls, output_dir: Path) -> RunLog:
        paths = sorted((output_dir / MANIFEST_DIR).glob("*.json"))
        return cls(output_dir, paths)

    def read(self, path: Path) -> Run | None:
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("Unreadable run manifest skipped: %s (%s)", path, exc)
            self.skipped += 1
            return None
        if not isinstance(manifest, dict):
            logger.warning("Run manifest is not a JSON object, skipped: %s", path)
            self.skipped += 1
            return None
        return run_from_manifest(manifest, path)

    def runs_since(self, since: datetime) -> list[Run]:
        """The runs that started at or after ``since``, oldest first."""
        runs = []
        for path in self.paths:
            named = run_id_time(path.stem)
            # A run id is the start time: skip old files unread, with a day's slack for
            # manifests whose start time says otherwise.
            if named is not None and named < since - timedelta(days=1):
                continue
            run = self.read(path)
            if run is not None and run.started >= since:
                runs.append(run)
        return sorted(runs, key=lambda run: run.started)

    def newest_first_before(self, before: datetime) -> Iterator[Run]:
        """Runs that started before ``before``, newest first (for last successes)."""
        for path in reversed(self.paths):
            named = run_id_time(path.stem)
            if named is not None and named >= before + timedelta(days=1):
                continue
            run = self.read(path)
            if run is not None and run.started < before:
                yield run
