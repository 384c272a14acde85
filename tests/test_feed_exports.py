"""Scrapy's feed exports (``-O out.jsonl``, ``FEEDS``) get exactly the records the JSONL
writer writes: the schema's fields, valid against the schema, in real UTF-8, never the
internal fields (raw page bytes, dedup data) the pipelines pass along."""

from __future__ import annotations

import csv
import io
import json

import pytest

from crawler.health.item_checks import load_validator, schema_error_fields
from crawler.items import ARTICLE_FIELDS
from tests.cli import scrapy_crawl
from tests.crawling import run_crawl

FORMATS = ("jsonl", "json", "csv")


def written_records(output_dir) -> dict[str, dict]:
    """The writer's records by URL."""
    records = {}
    for path in sorted((output_dir / "data").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            records[record["url"]] = record
    return records


def exported(path) -> list[dict]:
    text = path.read_bytes().decode("utf-8")  # fails on anything but UTF-8
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines()]
    if path.suffix == ".json":
        return json.loads(text)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def as_csv_cell(value) -> str:
    """How Scrapy's CSV exporter writes a JSON value: lists joined by commas, null empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


@pytest.fixture(scope="module")
def command_exports(sample_site, tmp_path_factory):
    work = tmp_path_factory.mktemp("feeds")
    outputs = [work / f"items.{extension}" for extension in FORMATS]
    completed = scrapy_crawl(
        work / "out", "-a", f"sitemap={sample_site.url('/sitemap.xml')}",
        *[argument for path in outputs for argument in ("-O", str(path))],
    )
    return completed, written_records(work / "out"), {path.suffix.lstrip("."): path for path in outputs}, work / "out"


def test_feed_exports_report_no_error(command_exports):
    completed, written, _, output_dir = command_exports
    (run_log,) = (output_dir / "logs").glob("*.log")
    log = run_log.read_text(encoding="utf-8")
    assert completed.returncode == 0, completed.stderr[-3000:]
    for text in (completed.stderr, log):
        assert "Traceback" not in text and " ERROR: " not in text
    assert len(written) >= 5
    for extension in FORMATS:
        assert f"Stored {extension} feed ({len(written)} items)" in log


@pytest.mark.parametrize("extension", ["jsonl", "json"])
def test_json_exports_hold_the_written_records_valid_against_the_schema(command_exports, extension):
    _, written, paths, _ = command_exports
    items = exported(paths[extension])
    validator = load_validator()
    assert {item["url"]: item for item in items} == written
    for item in items:
        assert list(item) == list(ARTICLE_FIELDS)  # no internal field, schema order
        assert schema_error_fields(validator, item) == {}


def test_json_exports_are_real_utf8_not_escapes(command_exports):
    _, written, paths, _ = command_exports
    raw = paths["jsonl"].read_text(encoding="utf-8")
    assert "\\u06" not in raw
    assert any(record["title"] in raw for record in written.values())


def test_csv_export_has_the_schema_columns_and_the_written_values(command_exports):
    _, written, paths, _ = command_exports
    rows = exported(paths["csv"])
    assert list(rows[0]) == list(ARTICLE_FIELDS)
    assert {row["url"]: row for row in rows} == {
        url: {name: as_csv_cell(value) for name, value in record.items()} for url, record in written.items()
    }


def test_feeds_setting_gets_the_same_records(sample_site, tmp_path):
    feed = tmp_path / "feed.jsonl"
    result = run_crawl(
        tmp_path / "out",
        settings={"FEEDS": {str(feed): {"format": "jsonl"}}},
        url=",".join(sample_site.url(path) for path in ("/news/2025/01/12/beirut-storm-emergency-plan.html", "/news/2025/03/03/algeria-exams-calendar.html")),
    )
    items = exported(feed)
    assert items and {item["url"]: item for item in items} == written_records(result.output_dir)
