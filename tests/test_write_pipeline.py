"""Tests for pipelines.write: the JSON line of an item, safe source folders, and a full disk.

The pipeline is built through ``from_crawler`` on a minimal crawler stand-in: real Scrapy
settings and stats, and an engine that records the shutdown it is asked for. The disk
error comes from the file object the real ``RotatingJsonlWriter`` opens, so the whole
write path runs. ``stop_on_output_error`` schedules the shutdown with
``asyncio.ensure_future``, so those tests run inside ``asyncio.run``.
"""

import asyncio
import errno
import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from crawler import jsonl_writer
from crawler.items import ARTICLE_FIELDS, SCHEMA_VERSION, ArticleItem
from crawler.urls import canonicalize_url
from pipelines.write import JsonlWriterPipeline, record_of, source_data_dir

RUN_ID = "20250301T030000Z"


class RecordingEngine:
    """Stands in for the execution engine: remembers every shutdown requested."""

    def __init__(self):
        self.close_reasons: list[str] = []

    async def close_spider_async(self, *, reason: str) -> None:
        self.close_reasons.append(reason)


def fake_crawler(output_dir: Path) -> SimpleNamespace:
    settings = Settings({"OUTPUT_DIR": str(output_dir), "OUTPUT_ROTATE_ITEMS": 500, "OUTPUT_ROTATE_SECONDS": 0})
    crawler = SimpleNamespace(settings=settings, engine=RecordingEngine(), news_run_id=RUN_ID)
    crawler.stats = MemoryStatsCollector(crawler)
    return crawler


def article(number: int, source: str = "youm7") -> ArticleItem:
    url = f"https://www.youm7.com/story/2025/3/1/{number}"
    return ArticleItem(
        url=url,
        canonical_url=url,
        source=source,
        domain="www.youm7.com",
        title=f"الحكومة تعلن خطة لخفض العجز رقم {number}",
        text="أعلنت وزارة المالية المصرية عن خطة جديدة لخفض العجز في الموازنة العامة.",
        content_hash=f"hash-{number}",
        language="ar",
        html="<html>raw page</html>",
        prune_xpath="//div[@class='x']",
    )


class FullDiskFile:
    """A data file on a full disk: every write fails like the kernel's ENOSPC."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def full_disk(monkeypatch):
    opened = []

    def open_on_full_disk(path, mode="r", **kwargs):
        opened.append(Path(path))
        return FullDiskFile()

    # Module globals shadow builtins: the writer's own open() now hits a full disk.
    monkeypatch.setattr(jsonl_writer, "open", open_on_full_disk, raising=False)
    return opened


def run_items(pipeline: JsonlWriterPipeline, items) -> list:
    """Feed items inside an event loop; returns each item or the DropItem it raised."""

    async def feed():
        outcomes = []
        for item in items:
            try:
                outcomes.append(pipeline.process_item(item))
            except DropItem as dropped:
                outcomes.append(dropped)
        await asyncio.sleep(0)  # let the scheduled engine shutdown run
        await asyncio.sleep(0)
        return outcomes

    return asyncio.run(feed())


def error_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "pipelines.write" and record.levelno >= logging.ERROR]


# --- The write path -------------------------------------------------------------------------


class RecordingStore:
    """Stands in for the state store: remembers each committed file and its articles."""

    def __init__(self):
        self.committed: list[tuple[str, list[str]]] = []

    def record_committed(self, name, states, aliases, signatures) -> None:
        self.committed.append((name, [state.key for state in states]))


def test_healthy_disk_writes_the_item_counts_it_and_records_it_at_close(tmp_path):
    crawler = fake_crawler(tmp_path)
    pipeline = JsonlWriterPipeline.from_crawler(crawler)
    pipeline.store = RecordingStore()  # open_spider would open the real one
    item = article(1)

    [passed_on] = run_items(pipeline, [item])
    # What exporters and item_scraped get: the written record, the pipelines' item behind it.
    assert passed_on == record_of(item) and list(passed_on) == list(ARTICLE_FIELDS)
    assert passed_on.article is item
    final = tmp_path / "data" / "youm7" / f"{RUN_ID}-0001.jsonl"
    assert [path.name for path in final.parent.iterdir()] == [f"{RUN_ID}-0001.jsonl.part"]

    pipeline.close_spider()

    assert [path.name for path in final.parent.iterdir()] == [final.name]
    assert json.loads(final.read_text(encoding="utf-8")) == record_of(item)
    assert pipeline.committed_files == [final.resolve()]
    assert pipeline.store.committed == [(f"youm7/{RUN_ID}-0001.jsonl", [canonicalize_url(item["canonical_url"])])]
    assert crawler.stats.get_value("news/items_written") == 1
    assert crawler.stats.get_value("news/source/youm7/items_written") == 1
    assert crawler.stats.get_value("news/output/files_committed") == 1
    assert crawler.engine.close_reasons == []
    assert crawler.news_writer is pipeline


def test_disk_full_drops_the_item_with_an_output_error_stat(tmp_path, full_disk, caplog):
    crawler = fake_crawler(tmp_path)
    pipeline = JsonlWriterPipeline.from_crawler(crawler)

    [outcome] = run_items(pipeline, [article(1)])

    assert isinstance(outcome, DropItem)
    assert outcome.reason == "output_error"
    assert full_disk == [tmp_path / "data" / "youm7" / f"{RUN_ID}-0001.jsonl.part"]
    assert crawler.stats.get_value("news/dropped/output_error") == 1
    assert crawler.stats.get_value("news/source/youm7/dropped/output_error") == 1
    assert crawler.stats.get_value("news/items_written") is None
    assert pipeline.output_error == f"cannot write under {tmp_path / 'data'}: No space left on device"


def test_disk_full_is_logged_once_and_stops_the_crawl_once_however_many_items_follow(tmp_path, full_disk, caplog):
    crawler = fake_crawler(tmp_path)
    pipeline = JsonlWriterPipeline.from_crawler(crawler)
    items = [article(number, source) for number, source in enumerate(["youm7", "youm7", "hespress", "youm7", "hespress"])]

    with caplog.at_level(logging.INFO, logger="pipelines.write"):
        outcomes = run_items(pipeline, items)

    assert [getattr(outcome, "reason", None) for outcome in outcomes] == ["output_error"] * 5
    assert crawler.stats.get_value("news/dropped/output_error") == 5
    assert crawler.stats.get_value("news/source/youm7/dropped/output_error") == 3
    assert crawler.stats.get_value("news/source/hespress/dropped/output_error") == 2
    [logged] = error_records(caplog)
    assert "No space left on device" in logged.getMessage()
    assert "stopping the crawl" in logged.getMessage()
    assert crawler.engine.close_reasons == ["output_error"]
    assert len(full_disk) == 1  # later items never touch the disk again


class ReadOnlyWriter:
    """A writer whose pending file can no longer be committed."""

    committed_files: list = []

    def __init__(self):
        self.commits = 0

    def commit(self):
        self.commits += 1
        raise OSError(errno.EROFS, "Read-only file system")


def test_commit_failure_on_the_timer_and_at_close_is_reported_once(tmp_path, caplog):
    crawler = fake_crawler(tmp_path)
    pipeline = JsonlWriterPipeline.from_crawler(crawler)
    writer = ReadOnlyWriter()
    pipeline.writers["youm7"] = writer

    async def timer_then_close():
        pipeline.commit_all()
        pipeline.close_spider()
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    with caplog.at_level(logging.INFO, logger="pipelines.write"):
        asyncio.run(timer_then_close())

    assert writer.commits == 2
    assert len(error_records(caplog)) == 1
    assert pipeline.output_error.endswith("Read-only file system")
    assert crawler.engine.close_reasons == ["output_error"]


# --- record_of ------------------------------------------------------------------------------


def test_record_keeps_only_schema_fields_in_schema_order():
    record = record_of(article(7))

    assert tuple(record) == ARTICLE_FIELDS
    assert "html" not in record and "prune_xpath" not in record
    assert record["title"] == "الحكومة تعلن خطة لخفض العجز رقم 7"
    assert record["authors"] is None  # absent fields are null, not missing
    assert record["version"] == 1
    assert record["schema_version"] == SCHEMA_VERSION


def test_record_keeps_a_later_version_and_ignores_unknown_keys_of_a_dict_item():
    record = record_of({"url": "https://a.example/1", "version": 3, "schema_version": 99, "extra": "x"})

    assert tuple(record) == ARTICLE_FIELDS
    assert record["version"] == 3
    assert record["schema_version"] == SCHEMA_VERSION
    assert "extra" not in record


# --- source_data_dir ------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", ["../../etc", "..", "/etc/passwd", "a/../../b", "~root"])
def test_hostile_source_names_stay_inside_the_data_dir(tmp_path, hostile):
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    directory = source_data_dir(data_dir, hostile)

    assert directory.parent == data_dir.resolve()
    assert directory.name not in ("", ".", "..")
    assert "/" not in directory.name


def test_source_folder_linked_outside_the_data_dir_is_refused(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (data_dir / "youm7").symlink_to(outside, target_is_directory=True)

    with pytest.raises(ValueError, match="maps outside the data folder"):
        source_data_dir(data_dir, "youm7")


def test_ordinary_source_name_maps_to_its_own_folder(tmp_path):
    assert source_data_dir(tmp_path, "al-masry_alyoum") == tmp_path.resolve() / "al-masry_alyoum"
