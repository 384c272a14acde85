"""Committed JSON lines, read and mapped into the current item schema.

The crawler's data files are immutable once committed (``RUN_ID-NNNN.jsonl``; a killed
run leaves only ``.jsonl.part`` files, which are never read here). They can predate a
schema change, so every record goes through ``conform`` before it is indexed or
written:

- a field the current schema has and the record lacks is derived when it can be: a
  date column ``X_date`` or time column ``X_time`` from the record's ``X_at`` instant,
  as the outlet's local date and wall-clock time (the offset written with it), which is
  how schema 1's ``published_at`` becomes schema 2's ``published_date`` and
  ``published_time``; otherwise a list is empty and anything else null;
- a field the schema fixes (``const``, such as ``schema_version``) takes the schema's
  value: the row now follows that schema;
- fields the current schema no longer has are left out;
- a value of the wrong type is set to null where the column allows null (and counted),
  and the whole record is refused when a required column cannot be filled.

Only the export's own semantics name fields here: the identity of an article
(``canonical_url``), its version, its copies and its date (``IDENTITY_FIELDS``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path

from crawler.export.schema import DAY, INSTANT, TIME_OF_DAY, Column
from crawler.urls import canonicalize_url

DATA_SUFFIX = ".jsonl"
# Fields whose meaning the export relies on: identity, versions, copies, partitions.
CANONICAL_URL, URL, VERSION, FETCHED_AT = "canonical_url", "url", "version", "fetched_at"
CONTENT_HASH, SOURCE, DUPLICATE_OF, SCHEMA_VERSION = "content_hash", "source", "duplicate_of", "schema_version"
DOMAIN = "domain"
PUBLISHED_DATE, PUBLISHED_AT = "published_date", "published_at"
IDENTITY_FIELDS = (CANONICAL_URL, URL, VERSION, FETCHED_AT, CONTENT_HASH, SOURCE)
INSTANT_SUFFIX, DATE_SUFFIX, TIME_SUFFIX = "_at", "_date", "_time"


class RecordError(ValueError):
    """A line that cannot become a row: not JSON, or a required field missing or invalid."""


@dataclass(frozen=True)
class Line:
    """One line of a committed data file: where it is, and its bytes."""

    file: str  # relative to OUTPUT_DIR/data
    number: int  # 1 for the file's first line
    offset: int
    data: bytes


def committed_files(data_dir: Path, sources: set[str] | None = None) -> list[Path]:
    """Every committed data file under ``data_dir``, in name order (a run's id is its start time).

    ``sources`` (folder names) limits the walk to those sources' folders.
    """
    if not data_dir.is_dir():
        return []
    found = []
    for folder in sorted(data_dir.iterdir()):
        if not folder.is_dir() or folder.name.startswith(".") or (sources is not None and folder.name not in sources):
            continue
        found.extend(path for path in folder.rglob(f"*{DATA_SUFFIX}") if path.is_file() and not path.name.startswith("."))
    return sorted(found, key=lambda path: path.relative_to(data_dir).as_posix())


def unfinished_files(data_dir: Path) -> list[Path]:
    """``.part`` files a killed run left: never read, only reported."""
    return sorted(data_dir.rglob(f"*{DATA_SUFFIX}.part")) if data_dir.is_dir() else []


def read_lines(path: Path, name: str) -> Iterator[Line]:
    with open(path, "rb") as handle:
        offset = 0
        for number, data in enumerate(handle, start=1):
            if data.strip():
                yield Line(name, number, offset, data)
            offset += len(data)


def read_line_at(handle, offset: int, length: int) -> bytes:
    handle.seek(offset)
    return handle.read(length)


def parse_line(data: bytes) -> dict:
    try:
        record = json.loads(data)
    except ValueError as exc:  # also a UnicodeDecodeError
        raise RecordError(f"not a JSON line ({exc})") from None
    if not isinstance(record, dict):
        raise RecordError("not a JSON object")
    return record


def _instant(value) -> datetime | None:
    """An aware datetime keeping the offset it was written with; naive or unparseable: None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else None


def _day(value) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _time_of_day(value) -> time | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is None else None


def _text(value) -> str | None:
    return value if type(value) is str else None


def _integer(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _boolean(value) -> bool | None:
    return value if isinstance(value, bool) else None


KIND_PARSERS = {INSTANT: _instant, DAY: _day, TIME_OF_DAY: _time_of_day}


def _scalar_parser(column: Column):
    import pyarrow as pa

    value_type = column.type.value_type if column.is_list else column.type
    if column.kind in KIND_PARSERS:
        return KIND_PARSERS[column.kind]
    if pa.types.is_integer(value_type):
        return _integer
    if pa.types.is_floating(value_type):
        return _number
    if pa.types.is_boolean(value_type):
        return _boolean
    if pa.types.is_struct(value_type):
        return lambda value: value if isinstance(value, dict) else None
    return _text


def _derived(column: Column, record: dict):
    """A date or time column missing from an older record, from the record's ``X_at`` instant."""
    for suffix, kind in ((DATE_SUFFIX, DAY), (TIME_SUFFIX, TIME_OF_DAY)):
        if column.kind == kind and column.name.endswith(suffix) and not column.is_list:
            instant = _instant(record.get(column.name[: -len(suffix)] + INSTANT_SUFFIX))
            if instant is not None:
                return instant.date() if kind == DAY else instant.time().replace(tzinfo=None)
    return None


@dataclass
class Conformed:
    """A record mapped into the current schema: typed values in column order."""

    values: dict  # column name -> Python value (aware datetime, date, time, list, ...)
    nulled: int  # values of the wrong type set to null
    source_schema_version: int | None  # what the file said before the mapping


class Conformer:
    """Maps raw records into the given columns (see the module docstring)."""

    def __init__(self, columns: list[Column]):
        self.columns = columns
        # Per column, what ``conform`` needs, looked up once: this runs for every line twice.
        self._plan = [
            (column.name, _scalar_parser(column), column.is_list, column.nullable, column.const, column)
            for column in columns
        ]

    def conform(self, record: dict) -> Conformed:
        values = {}
        nulled = 0
        for name, parse, is_list, nullable, const, column in self._plan:
            if const is not None:
                values[name] = const
                continue
            if name not in record:
                value = _derived(column, record)
                if value is None and is_list:
                    value = []
                if value is None and not nullable:
                    raise RecordError(f"required field {name!r} is missing")
                values[name] = value
                continue
            raw = record[name]
            if raw is None:
                if not nullable and not is_list:
                    raise RecordError(f"required field {name!r} is null")
                values[name] = None if nullable else []
                continue
            if is_list:
                value = [parse(item) for item in raw] if isinstance(raw, list) else None
                if value is not None and None in value:
                    value = None
            else:
                value = parse(raw)
            if value is None:
                if not nullable:
                    raise RecordError(f"field {name!r} has an invalid value {str(raw)[:60]!r}")
                nulled += 1
            values[name] = value
        original = record.get(SCHEMA_VERSION)
        return Conformed(values, nulled, original if isinstance(original, int) else None)


def article_key(values: dict) -> str:
    """The identity of an article across runs: its canonicalized canonical URL."""
    url = values.get(CANONICAL_URL) or values.get(URL)
    if not url:
        raise RecordError("neither canonical_url nor url is set")
    return canonicalize_url(url)


def article_day(values: dict, raw: dict) -> tuple[str, bool]:
    """The article's date as YYYY-MM-DD, and whether it is its publication date.

    The publication date as the outlet states it (local to the outlet) when there is
    one, else the UTC date it was fetched.
    """
    stated = values.get(PUBLISHED_DATE) or _day(raw.get(PUBLISHED_DATE))
    if stated is not None:
        return stated.isoformat(), True
    published = values.get(PUBLISHED_AT) or _instant(raw.get(PUBLISHED_AT))
    if published is not None:
        return published.date().isoformat(), True
    fetched = values.get(FETCHED_AT) or _instant(raw.get(FETCHED_AT))
    if fetched is None:
        raise RecordError("no publication or fetch date")
    return fetched.astimezone(timezone.utc).date().isoformat(), False


def epoch_microseconds(value: datetime | None) -> int:
    if value is None:
        return 0
    delta = value - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def json_value(value):
    """A typed value back in its JSON form (instants keep the offset they were written with)."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return [json_value(item) for item in value]
    return value
