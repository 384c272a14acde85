"""Write pipeline: finished items become JSON lines in atomically committed files.

Layout: ``OUTPUT_DIR/data/SOURCE/RUN_ID-NNNN.jsonl``. Files are committed
every OUTPUT_ROTATE_ITEMS items, every OUTPUT_ROTATE_SECONDS seconds and at
close; until then they exist only as ``.part`` files that no reader picks up.

Only once a file is committed are its articles recorded in the state store,
in one transaction with the file's name: a crash before the rename leaves
them unrecorded, so the next run fetches them again; a crash between the
rename and the transaction is repaired when the next run starts
(``recover_unrecorded_files``), so no article is ever written twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from itemadapter import ItemAdapter
from twisted.internet import task

from crawler.arabic import fold_for_fingerprint
from crawler.crawl_state import state_store_of
from crawler.dates import parse_timestamp
from crawler.near_duplicates import NearDuplicateIndex
from crawler.items import ARTICLE_FIELDS, SCHEMA_VERSION, PublicRecord
from crawler.jsonl_writer import RotatingJsonlWriter, discard_unfinished, safe_path_component
from crawler.run_log import ensure_writable_dir, output_dir_of, run_id_of
from crawler.state import ArticleState
from crawler.stats import count, drop
from crawler.urls import canonicalize_url

logger = logging.getLogger(__name__)


def record_of(item) -> dict:
    """The JSON line for an item: the schema's fields, in schema order."""
    adapter = ItemAdapter(item)
    record = {name: adapter.get(name) for name in ARTICLE_FIELDS}
    record["version"] = record["version"] or 1
    record["schema_version"] = SCHEMA_VERSION
    return record


def receipt_of(item) -> dict:
    """What the state store must remember once the item's file is committed."""
    adapter = ItemAdapter(item)
    return {
        "key": canonicalize_url(adapter["canonical_url"]),
        "url_key": canonicalize_url(adapter["url"]),
        "canonical_url": adapter["canonical_url"],
        "content_hash": adapter["content_hash"],
        "published_at": adapter.get("published_at"),
        "discovered_at": adapter.get("discovered_date"),
        "version": adapter.get("version") or 1,
        "source": adapter.get("source"),
        **archive_receipt(adapter.get("archive_location")),
    }


def archive_receipt(location) -> dict:
    """The archive location (``crawler.archive.writer.ArchiveLocation``) as receipt fields."""
    return {
        "archive_file": location.file if location is not None else None,
        "archive_offset": location.offset if location is not None else None,
    }


def article_states(receipts: list[dict], path: Path, now: datetime) -> list[ArticleState]:
    return [
        ArticleState(
            key=receipt["key"],
            url=receipt["canonical_url"],
            first_seen=now,
            last_seen=now,
            content_hash=receipt["content_hash"],
            published_at=parse_timestamp(receipt["published_at"]),
            discovered_at=parse_timestamp(receipt["discovered_at"]),
            version=receipt["version"],
            file=str(path),
            archive_file=receipt.get("archive_file"),
            archive_offset=receipt.get("archive_offset"),
        )
        for receipt in receipts
    ]


@dataclass
class CommitBatch:
    """One committed data file: what the state store records about it, in one transaction."""

    path: Path
    name: str  # relative to the data folder, so OUTPUT_DIR can move
    receipts: list[dict]
    signatures: list = field(default_factory=list)


def aliases_of(receipts: list[dict]) -> list[tuple[str, str]]:
    return [(r["url_key"], r["key"]) for r in receipts if r["url_key"] != r["key"]]


def receipt_of_record(record: dict) -> dict:
    """A receipt rebuilt from a written line (recovery has no discovery date)."""
    canonical = record.get("canonical_url") or record["url"]
    return {
        "key": canonicalize_url(canonical),
        "url_key": canonicalize_url(record["url"]),
        "canonical_url": canonical,
        "content_hash": record["content_hash"],
        "published_at": record.get("published_at"),
        "discovered_at": None,
        "version": record.get("version") or 1,
        "source": record.get("source"),
    }


def read_records(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def recover_unrecorded_files(data_dir: Path, store, locate=None, takes_over=None) -> int:
    """Record committed data files that a crash left out of the state; returns how many.

    ``locate(path, records)``, when given, finds each record's archived page
    (``crawler.archive.recovery.archive_locator``). *takes_over* limits it to the files
    it accepts (see ``discard_unfinished``).
    """
    recovered = 0
    index = NearDuplicateIndex(store)
    for path in sorted(data_dir.rglob("*.jsonl")):
        name = str(path.relative_to(data_dir))
        if (takes_over is not None and not takes_over(path)) or store.is_committed(name):
            continue
        records = read_records(path)
        receipts = [receipt_of_record(record) for record in records]
        if locate is not None:
            for receipt, location in zip(receipts, locate(path, records)):
                receipt.update(archive_receipt(location))
        signatures = [
            entry
            for record, receipt in zip(records, receipts)
            if (entry := index.signature_entry(receipt["key"], fold_for_fingerprint(record["text"])))
        ]
        now = datetime.now(timezone.utc)
        store.record_committed(name, article_states(receipts, path, now), aliases_of(receipts), signatures)
        logger.warning("Recorded %d articles of %s, committed by an interrupted run", len(records), path)
        recovered += 1
    return recovered


def source_data_dir(data_dir: Path, source: str) -> Path:
    """The folder for one source's files; a hostile name can never leave ``data_dir``."""
    directory = (data_dir / safe_path_component(source)).resolve()
    if data_dir.resolve() not in directory.parents:
        raise ValueError(f"source name {source!r} maps outside the data folder")
    return directory


class JsonlWriterPipeline:
    def __init__(self, crawler, data_dir: Path, run_id: str, rotate_items: int, rotate_seconds: float):
        self.crawler = crawler
        self.data_dir = data_dir
        self.run_id = run_id
        self.rotate_items = rotate_items
        self.rotate_seconds = rotate_seconds
        self.writers: dict[str, RotatingJsonlWriter] = {}
        self.store = None
        self.output_error: str | None = None
        self._timer: task.LoopingCall | None = None
        # Other components add to each commit before it is recorded (dedup: signatures).
        self.commit_listeners = []
        # Called with a file's receipts before it is renamed (the archive commits its WARC files).
        self.before_commit_listeners = []
        # Finds archived pages of a data file recovered after a crash (set by the archive).
        self.archive_locator = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipeline = cls(
            crawler,
            output_dir_of(crawler) / "data",
            run_id_of(crawler),
            settings.getint("OUTPUT_ROTATE_ITEMS"),
            settings.getfloat("OUTPUT_ROTATE_SECONDS"),
        )
        crawler.news_writer = pipeline
        return pipeline

    def open_spider(self):
        self.store = state_store_of(self.crawler)
        ensure_writable_dir(self.data_dir)
        # In a cluster sharing OUTPUT_DIR, only files of nodes that are not running.
        takes_over = getattr(self.crawler, "news_files_to_take_over", None)
        discarded = discard_unfinished(self.data_dir, takes_over)
        if discarded:
            count(self.crawler.stats, "output/discarded_part_files", amount=discarded)
        recovered = recover_unrecorded_files(self.data_dir, self.store, self.archive_locator, takes_over)
        if recovered:
            count(self.crawler.stats, "output/recovered_files", amount=recovered)
        if self.rotate_seconds > 0:
            self._timer = task.LoopingCall(self.commit_all)
            self._timer.start(self.rotate_seconds, now=False)

    def writer_for(self, source: str) -> RotatingJsonlWriter:
        if source not in self.writers:
            self.writers[source] = RotatingJsonlWriter(
                source_data_dir(self.data_dir, source),
                self.run_id,
                max_items=self.rotate_items,
                on_commit=self._committed,
                before_commit=self._before_commit,
            )
        return self.writers[source]

    def process_item(self, item):
        adapter = ItemAdapter(item)
        source = adapter.get("source") or "unknown"
        if self.output_error is not None:
            raise drop(self.crawler.stats, "output_error", source, self.output_error)
        record = record_of(item)
        try:
            self.writer_for(source).write(record, receipt_of(item))
        except OSError as exc:
            self.stop_on_output_error(exc)
            raise drop(self.crawler.stats, "output_error", source, self.output_error) from None
        count(self.crawler.stats, "items_written", source)
        return PublicRecord(record, item)

    def stop_on_output_error(self, exc: OSError) -> None:
        """Disk full, or OUTPUT_DIR gone read-only: say so once and stop the crawl.

        Items still in flight are dropped with a stat; nothing is recorded in
        the state for them, so the next run fetches them again.
        """
        self.output_error = f"cannot write under {self.data_dir}: {exc.strerror or exc}"
        logger.error("%s; stopping the crawl", self.output_error)
        asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="output_error"))

    def _before_commit(self, receipts: list[dict]) -> None:
        for listener in self.before_commit_listeners:
            listener(receipts)

    def _committed(self, path: Path, receipts: list[dict]) -> None:
        batch = CommitBatch(path=path, name=str(path.relative_to(self.data_dir.resolve())), receipts=receipts)
        for listener in self.commit_listeners:
            listener(batch)
        states = article_states(receipts, path, datetime.now(timezone.utc))
        self.store.record_committed(batch.name, states, aliases_of(receipts), batch.signatures)
        count(self.crawler.stats, "output/files_committed")

    def commit_all(self) -> None:
        for writer in self.writers.values():
            try:
                writer.commit()
            except OSError as exc:
                if self.output_error is None:
                    self.stop_on_output_error(exc)

    @property
    def committed_files(self) -> list[Path]:
        return [path for writer in self.writers.values() for path in writer.committed_files]

    def close_spider(self):
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.commit_all()
        logger.info("Wrote %d data files under %s", len(self.committed_files), self.data_dir)
