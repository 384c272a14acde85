"""The export's Arrow schema, derived from JSON Schema, and the mapping of old records into it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pyarrow as pa
import pytest

from crawler.export.records import Conformer, RecordError, article_day, article_key, json_value
from crawler.export.schema import (
    DAY, INSTANT, PARTITION_KEY_TYPE, TEXT, TIME_OF_DAY, SchemaError, columns_from_schema, hf_feature,
    json_columns, load_item_schema, string_kind,
)
from crawler.items import ARTICLE_FIELDS

ISO_INSTANT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$"


@pytest.mark.parametrize("spec, kind", [
    ({"type": "string"}, TEXT),
    ({"type": "string", "format": "date-time"}, INSTANT),
    ({"type": "string", "format": "date"}, DAY),
    ({"type": "string", "format": "time"}, TIME_OF_DAY),
    ({"type": "string", "pattern": ISO_INSTANT}, INSTANT),
    ({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, DAY),
    ({"type": "string", "pattern": r"\d{4}-\d{2}-\d{2}"}, DAY),  # unanchored: still a date
    ({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$"}, TIME_OF_DAY),
    ({"type": "string", "pattern": r"^[A-Za-z0-9._-]+$"}, TEXT),  # also matches a date: and a word
    ({"type": "string", "pattern": r"^https?://[^\s]+$"}, TEXT),
    ({"type": "string", "pattern": r"^[0-9a-f]{32}$"}, TEXT),
    ({"type": "string", "pattern": r"^\d"}, TEXT),  # matches all three samples: no kind
])
def test_string_kinds_from_format_or_pattern(spec, kind):
    assert string_kind(spec) == kind


def schema_of(properties: dict, required: list[str] | None = None, defs: dict | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or list(properties), "$defs": defs or {}}


def test_types_nullability_refs_and_partition_keys():
    schema = schema_of(
        {
            "id": {"type": "integer"},
            "score": {"type": ["number", "null"]},
            "flag": {"type": "boolean"},
            "when": {"oneOf": [{"$ref": "#/$defs/instant"}, {"type": "null"}]},
            "day": {"anyOf": [{"type": "null"}, {"type": "string", "format": "date"}]},
            "names": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "times": {"type": "array", "items": {"$ref": "#/$defs/instant"}},
            "place": {"type": "object", "properties": {"city": {"type": "string"}, "lat": {"type": "number"}}, "required": ["city"]},
            "kind": {"enum": ["a", "b"]},
            "version": {"const": 2},
            "source": {"type": "string"},
            "optional": {"type": "string"},
        },
        required=["id", "score", "flag", "when", "day", "names", "times", "place", "kind", "version", "source"],
        defs={"instant": {"type": "string", "pattern": ISO_INSTANT}},
    )
    columns = {c.name: c for c in columns_from_schema(schema, partition_keys=("source",))}
    assert list(columns) == list(schema["properties"])
    expected = {
        "id": (pa.int64(), False), "score": (pa.float64(), True), "flag": (pa.bool_(), False),
        "when": (pa.timestamp("us", tz="UTC"), True), "day": (pa.date32(), True),
        "names": (pa.list_(pa.string()), False), "times": (pa.list_(pa.timestamp("us", tz="UTC")), False),
        "place": (pa.struct([pa.field("city", pa.string(), nullable=False), pa.field("lat", pa.float64())]), False),
        "kind": (pa.string(), False), "version": (pa.int64(), False), "source": (PARTITION_KEY_TYPE, False),
        "optional": (pa.string(), True),
    }
    assert {name: (c.type, c.nullable) for name, c in columns.items()} == expected
    assert columns["version"].const == 2


@pytest.mark.parametrize("spec", [
    {"type": ["string", "integer"]},
    {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    {"$ref": "https://example.com/other.json"},
    {"type": "object"},  # no properties: nothing to make columns of
    {"enum": ["a", 1]},
])
def test_what_cannot_be_one_column_is_refused(spec):
    with pytest.raises(SchemaError):
        columns_from_schema(schema_of({"field": spec}))


def test_the_item_schema_maps_every_field_in_order():
    columns = columns_from_schema(load_item_schema(), partition_keys=("source",))
    assert tuple(c.name for c in columns) == ARTICLE_FIELDS
    by_name = {c.name: c for c in columns}
    assert by_name["published_at"].type == pa.timestamp("us", tz="UTC") and by_name["published_at"].nullable
    assert by_name["url"].type == pa.string() and not by_name["url"].nullable
    assert by_name["tags"].type == pa.list_(pa.string())


def test_hugging_face_features_and_json_columns():
    assert hf_feature(pa.timestamp("us", tz="UTC")) == {"dtype": "timestamp[us, tz=UTC]"}
    assert hf_feature(pa.date32()) == {"dtype": "date32"}
    assert hf_feature(pa.time64("us")) == {"dtype": "time64[us]"}
    assert hf_feature(pa.list_(pa.string())) == {"list": "string"}
    assert hf_feature(PARTITION_KEY_TYPE) == {"dtype": "string"}
    assert hf_feature(pa.float64()) == {"dtype": "float64"}
    assert hf_feature(pa.list_(pa.struct([pa.field("a", pa.int64())]))) == {"list": {"struct": [{"name": "a", "dtype": "int64"}]}}
    columns = columns_from_schema(load_item_schema(), partition_keys=("source",))
    as_json = {c.name: c.type for c in json_columns(columns)}
    assert as_json["published_at"] == pa.string() and as_json["source"] == pa.string()
    assert as_json["tags"] == pa.list_(pa.string()) and as_json["version"] == pa.int64()


V2 = schema_of(
    {
        "url": {"type": "string"},
        "published_at": {"oneOf": [{"type": "string", "pattern": ISO_INSTANT}, {"type": "null"}]},
        "published_date": {"oneOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
        "published_time": {"oneOf": [{"type": "string", "format": "time"}, {"type": "null"}]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "word_count": {"type": "integer"},
        "schema_version": {"const": 2},
    }
)


def test_an_old_record_gets_the_new_fields_derived_and_the_current_version():
    conformer = Conformer(columns_from_schema(V2))
    conformed = conformer.conform(
        {"url": "https://a.example/1", "published_at": "2024-03-04T01:30:00+03:00", "word_count": 5, "schema_version": 1,
         "removed_field": "x"}
    )
    values = conformed.values
    assert values["published_date"] == date(2024, 3, 4)  # the outlet's date, not the UTC one
    assert values["published_time"] == time(1, 30)
    assert values["published_at"].utcoffset() == timedelta(hours=3)
    assert values["tags"] == []  # a list missing from an old record is empty
    assert values["schema_version"] == 2 and conformed.source_schema_version == 1
    assert "removed_field" not in values
    assert json_value(values["published_at"]) == "2024-03-04T01:30:00+03:00"


def test_values_of_the_wrong_type_are_nulled_or_refuse_the_record():
    conformer = Conformer(columns_from_schema(V2))
    base = {"url": "https://a.example/1", "published_at": None, "published_date": None, "published_time": None,
            "tags": [], "word_count": 5}
    nulled = conformer.conform(dict(base, published_at="2024-03-04T01:30:00", published_date="4 March"))
    assert nulled.values["published_at"] is None  # no offset: not an instant
    assert nulled.values["published_date"] is None
    assert nulled.nulled == 2
    with pytest.raises(RecordError, match="tags"):
        conformer.conform(dict(base, tags=["a", 3]))  # not nullable
    with pytest.raises(RecordError, match="word_count"):
        conformer.conform(dict(base, word_count="5"))
    with pytest.raises(RecordError, match="word_count"):
        conformer.conform({k: v for k, v in base.items() if k != "word_count"})
    assert conformer.conform(dict(base, word_count=5.0)).values["word_count"] == 5
    assert conformer.conform(dict(base, tags=None)).values["tags"] == []


def test_article_day_prefers_the_stated_date_then_the_instant_then_the_fetch():
    fetched = datetime(2024, 5, 1, 23, 0, tzinfo=timezone.utc)
    assert article_day({"published_date": date(2024, 3, 4)}, {}) == ("2024-03-04", True)
    local = datetime(2024, 3, 4, 1, 30, tzinfo=timezone(timedelta(hours=3)))
    assert article_day({"published_at": local, "fetched_at": fetched}, {}) == ("2024-03-04", True)
    assert article_day({"published_at": None, "fetched_at": fetched.astimezone(timezone(timedelta(hours=2)))}, {}) == (
        "2024-05-01", False)  # fetch dates are UTC dates
    assert article_day({}, {"published_date": "2024-02-10"}) == ("2024-02-10", True)  # a field this schema lacks
    with pytest.raises(RecordError):
        article_day({}, {})


def test_article_key_is_the_crawlers_canonical_key():
    assert article_key({"canonical_url": "https://www.a.example/news/1/?utm_source=x", "url": "https://a.example/x"}) == (
        "https://a.example/news/1")
    assert article_key({"canonical_url": None, "url": "https://a.example/news/2"}) == "https://a.example/news/2"
    with pytest.raises(RecordError):
        article_key({"canonical_url": None, "url": None})
