"""Tests for crawler.health.item_checks: schema failures and field coverage per source, per run.

Records are built from ``ARTICLE_FIELDS`` and ``SCHEMA_VERSION``, so they follow whatever
item schema version is current; the whole-crawl check (every written item checked, none
invalid) is in tests/test_report.py.
"""

from __future__ import annotations

import logging

import pytest
from scrapy.utils.test import get_crawler

from crawler.health.item_checks import (
    WHOLE_ITEM,
    ItemChecksExtension,
    SchemaCheck,
    coverage_of,
    has_date,
    load_validator,
    schema_error_fields,
)
from crawler.items import ARTICLE_FIELDS, SCHEMA_VERSION, ArticleItem
from crawler.manifest import source_summaries

KNOWN_VALUES = {
    "url": "https://www.example.com/news/2025/03/01/story.html",
    "canonical_url": "https://www.example.com/news/2025/03/01/story.html",
    "source": "demo",
    "domain": "example.com",
    "title": "عنوان الخبر",
    "text": "نص الخبر الكامل في فقرة أولى.\n\nوفقرة ثانية.",
    "authors": ["سعاد العلي"],
    "agency": None,
    "published_at": "2025-03-01T10:00:00+01:00",
    "modified_at": None,
    "date_raw": "السبت 1 مارس 2025",
    "description": None,
    "image": "https://www.example.com/img/a.jpg",
    "section": "سياسة",
    "tags": [],
    "language": "ar",
    "language_score": 0.99,
    "word_count": 12,
    "fetched_at": "2025-03-01T10:05:00+00:00",
    "content_hash": "0123456789abcdef0123456789abcdef",
    "version": 1,
    "duplicate_of": None,
}


def record(**changes) -> dict:
    base = {name: KNOWN_VALUES.get(name) for name in ARTICLE_FIELDS}
    base["schema_version"] = SCHEMA_VERSION
    if "published_date" in base:  # item schema v2
        base["published_date"] = "2025-03-01"
    base.update(changes)
    return base


@pytest.fixture(scope="module")
def validator():
    return load_validator()


# --- pure functions -------------------------------------------------------------------------


def test_a_complete_record_is_valid_and_fully_covered(validator):
    assert schema_error_fields(validator, record()) == {}
    assert coverage_of(record()) == {"date": True, "authors": True, "image": True, "section": True}


def test_coverage_counts_what_is_missing():
    bare = record(authors=[], image=None, section="", published_at=None, published_date=None)

    assert coverage_of(bare) == {"date": False, "authors": False, "image": False, "section": False}


def test_a_date_is_the_v2_calendar_date_when_there_is_one_else_the_v1_instant():
    assert has_date({"published_date": "2025-03-01", "published_at": None})  # v2: date without time
    assert has_date({"published_at": "2025-03-01T10:00:00+01:00"})  # v1
    assert not has_date({"published_date": None, "published_at": None})
    assert not has_date({})


def test_schema_errors_are_named_by_field(validator):
    problems = schema_error_fields(validator, record(published_at="1 March 2025", word_count=0, language="fa"))

    assert set(problems) == {"published_at", "word_count", "language"}
    assert all(isinstance(message, str) and message for message in problems.values())


def test_missing_and_unknown_keys_are_named_too(validator):
    missing = record()
    del missing["title"]
    assert set(schema_error_fields(validator, missing)) == {"title"}

    assert set(schema_error_fields(validator, record(html="<p>raw</p>"))) == {WHOLE_ITEM}


def schema_variants() -> list[dict]:
    """Records the two validators must judge alike: valid ones and one fault of each kind the schema has."""
    missing = record()
    del missing["title"]
    return [
        record(),
        record(published_at=None, published_time=None, image=None, section=None, authors=[]),
        missing,
        record(html="<p>raw</p>"),  # additionalProperties
        record(language="fa"),  # const
        record(published_at="1 March 2025"),  # oneOf over a pattern and null
        record(published_date="2025-3-1"),
        record(word_count=0),  # minimum
        record(word_count=3.5),  # integer
        record(language_score=1.5),
        record(text=""),  # minLength
        record(authors=[""]),  # items
        record(url="ftp://example.com/x"),  # pattern through $ref
        record(content_hash="XYZ"),
        record(source="has space"),
        record(schema_version=1),
        record(tags="one"),  # type
        record(duplicate_of="https://www.example.com/a", image="not a url"),
    ]


def test_the_fast_check_reports_exactly_what_jsonschema_reports(validator):
    check = SchemaCheck()
    variants = schema_variants()

    verdicts = [check.errors(variant) for variant in variants]

    assert verdicts == [schema_error_fields(validator, variant) for variant in variants]
    assert verdicts[0] == verdicts[1] == {}
    assert all(verdict for verdict in verdicts[2:])


# --- the extension --------------------------------------------------------------------------


def item(**changes) -> ArticleItem:
    values = record(**changes)
    values.pop("schema_version")  # the write pipeline adds it
    values["prune_xpath"] = "//aside"  # internal fields never reach the record
    return ArticleItem(**values)


@pytest.fixture
def extension():
    crawler = get_crawler(settings_dict={"HEALTH_ITEM_CHECKS": True})
    crawler.stats.open_spider()
    checks = ItemChecksExtension.from_crawler(crawler)
    checks.spider_opened()
    return checks


def test_extension_counts_per_source_and_the_manifest_keeps_it(extension, caplog):
    caplog.set_level(logging.WARNING, logger="crawler.health.item_checks")
    extension.item_scraped(item(word_count=100))
    extension.item_scraped(item(word_count=300, authors=[], image=None))
    extension.item_scraped(item(word_count=200, published_at="yesterday"))
    extension.item_scraped(item(word_count=50, published_at="last week"))
    extension.item_scraped(item(source="other", word_count=80))
    extension.spider_closed()

    summaries = source_summaries(extension.crawler.stats.get_stats())

    assert summaries["demo"]["items"] == {
        "checked": 4,
        "schema_invalid": 2,
        "schema_errors": {"published_at": 2},
        "with_date": 4,  # a date string is present, though not a valid instant
        "with_authors": 3,
        "with_image": 3,
        "with_section": 4,
        "word_count_median": 150,
    }
    assert summaries["other"]["items"]["checked"] == 1
    assert summaries["other"]["items"]["word_count_median"] == 80
    assert "schema_invalid" not in summaries["other"]["items"]
    warnings = [r for r in caplog.records if "fails the schema" in r.getMessage()]
    assert len(warnings) == 1  # logged once per source and field, then only counted
    assert "published_at" in warnings[0].getMessage()


def test_extension_can_be_switched_off():
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        ItemChecksExtension.from_crawler(get_crawler(settings_dict={"HEALTH_ITEM_CHECKS": False}))
