"""The export's column types, derived from the item's JSON Schema (``crawler/article.schema.json``).

Nothing here names an item field: the columns, their order, their Arrow types and their
nullability all come from the schema's ``properties`` and ``required``, so a new schema
version changes the export without a code change. The rules:

- ``integer`` -> int64, ``number`` -> float64, ``boolean`` -> bool, ``array`` -> a list of
  its ``items``, ``object`` with ``properties`` -> a struct, ``const`` -> the constant's type;
- a string is a UTC timestamp, a date or a time of day when its ``format`` says so
  (``date-time``, ``date``, ``time``) or, failing that, when its ``pattern`` is one of
  ISO 8601: it accepts the sample instant, date or time of day below and rejects the other
  two and a plain word. Instants are stored in UTC (Arrow keeps one time zone per column);
  the offset the outlet used is not a column;
- ``null`` in ``type``, ``oneOf`` or ``anyOf`` makes the column nullable, and so does a
  property missing from ``required``;
- a column that is also a partition key of the dataset (``source``) is stored
  dictionary-encoded, the type that pyarrow, pandas and polars give a hive partition
  value: their readers then merge the two instead of failing on a type conflict.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

ITEM_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "article.schema.json"

TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")
DATE_TYPE = pa.date32()
TIME_TYPE = pa.time64("us")
PARTITION_KEY_TYPE = pa.dictionary(pa.int32(), pa.string())

SAMPLE_INSTANT = "2024-03-03T13:52:00+03:00"
SAMPLE_DATE = "2024-03-03"
SAMPLE_TIME = "13:52:00"
SAMPLE_WORD = "news"

# What a string column holds, beyond text.
TEXT, INSTANT, DAY, TIME_OF_DAY = "text", "instant", "date", "time"
FORMAT_KINDS = {"date-time": INSTANT, "date": DAY, "time": TIME_OF_DAY}
KIND_TYPES = {TEXT: pa.string(), INSTANT: TIMESTAMP_TYPE, DAY: DATE_TYPE, TIME_OF_DAY: TIME_TYPE}
SCALAR_TYPES = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}


class SchemaError(ValueError):
    """The item schema uses a construct the export cannot map to one column type."""


@dataclass(frozen=True)
class Column:
    """One exported field: its name, Arrow type, nullability and how to read JSON values into it."""

    name: str
    type: pa.DataType
    nullable: bool
    kind: str  # TEXT, INSTANT, DAY, TIME_OF_DAY for strings and lists of them; "" otherwise
    description: str = ""
    const: object = None  # the value every row has, when the schema fixes one

    @property
    def is_list(self) -> bool:
        return pa.types.is_list(self.type)

    def arrow_field(self) -> pa.Field:
        metadata = {"description": self.description} if self.description else None
        return pa.field(self.name, self.type, nullable=self.nullable, metadata=metadata)


def load_item_schema(path: Path | None = None) -> dict:
    return json.loads(Path(path or ITEM_SCHEMA_PATH).read_text(encoding="utf-8"))


def string_kind(spec: dict) -> str:
    """TEXT, INSTANT, DAY or TIME_OF_DAY for a string schema (see the module docstring)."""
    if spec.get("format") in FORMAT_KINDS:
        return FORMAT_KINDS[spec["format"]]
    pattern = spec.get("pattern")
    if not pattern:
        return TEXT
    accepts = re.compile(pattern).search
    if accepts(SAMPLE_WORD):
        return TEXT
    instant, day, time_of_day = accepts(SAMPLE_INSTANT), accepts(SAMPLE_DATE), accepts(SAMPLE_TIME)
    if instant and not day and not time_of_day:
        return INSTANT
    if day and not time_of_day:  # an unanchored date pattern also finds the date in an instant
        return DAY
    if time_of_day and not day:
        return TIME_OF_DAY
    return TEXT


class _Resolver:
    def __init__(self, root: dict):
        self.root = root

    def resolve(self, spec: dict) -> dict:
        """``spec`` with a local ``$ref`` followed (its own keys win, as in draft 2020-12)."""
        seen = set()
        while "$ref" in spec:
            ref = spec["$ref"]
            if not ref.startswith("#/") or ref in seen:
                raise SchemaError(f"unsupported or circular $ref {ref!r}")
            seen.add(ref)
            target = self.root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            spec = {**target, **{k: v for k, v in spec.items() if k != "$ref"}}
        return spec

    def type_of(self, spec: dict, where: str) -> tuple[pa.DataType, bool, str]:
        """(Arrow type, whether null is allowed, string kind) of one schema node."""
        spec = self.resolve(spec)
        for keyword in ("oneOf", "anyOf"):
            if keyword in spec:
                options = [self.resolve(option) for option in spec[keyword]]
                allows_null = any(option.get("type") == "null" for option in options)
                concrete = [option for option in options if option.get("type") != "null"]
                typed = {self.type_of(option, where)[::2] for option in concrete}
                if len(typed) != 1:
                    raise SchemaError(f"{where}: {keyword} of several types cannot be one column")
                arrow_type, kind = typed.pop()
                return arrow_type, allows_null or any(self.type_of(o, where)[1] for o in concrete), kind
        if "const" in spec:
            return _type_of_value(spec["const"], where), spec["const"] is None, TEXT if isinstance(spec["const"], str) else ""
        if "enum" in spec:
            types = {_type_of_value(value, where) for value in spec["enum"] if value is not None}
            if len(types) != 1:
                raise SchemaError(f"{where}: enum of several types cannot be one column")
            return types.pop(), None in spec["enum"], TEXT if pa.string() in types else ""
        declared = spec.get("type")
        names = declared if isinstance(declared, list) else [declared]
        allows_null = "null" in names
        names = [name for name in names if name != "null"]
        if len(names) != 1:
            raise SchemaError(f"{where}: type {declared!r} cannot be one column")
        name = names[0]
        if name == "string":
            kind = string_kind(spec)
            return KIND_TYPES[kind], allows_null, kind
        if name in SCALAR_TYPES:
            return SCALAR_TYPES[name], allows_null, ""
        if name == "array":
            item_type, _item_null, kind = self.type_of(spec.get("items", {"type": "string"}), f"{where}[]")
            return pa.list_(item_type), allows_null, kind
        if name == "object" and "properties" in spec:
            required = set(spec.get("required", ()))
            fields = []
            for key, child in spec["properties"].items():
                child_type, child_null, _kind = self.type_of(child, f"{where}.{key}")
                fields.append(pa.field(key, child_type, nullable=child_null or key not in required))
            return pa.struct(fields), allows_null, ""
        raise SchemaError(f"{where}: type {name!r} is not supported")


def _type_of_value(value, where: str) -> pa.DataType:
    if isinstance(value, bool):
        return pa.bool_()
    if isinstance(value, int):
        return pa.int64()
    if isinstance(value, float):
        return pa.float64()
    if isinstance(value, str):
        return pa.string()
    raise SchemaError(f"{where}: constant {value!r} has no column type")


def columns_from_schema(schema: dict, partition_keys: tuple[str, ...] = ()) -> list[Column]:
    """One ``Column`` per property of the item schema, in the schema's order."""
    resolver = _Resolver(schema)
    required = set(schema.get("required", ()))
    columns = []
    for name, spec in schema["properties"].items():
        arrow_type, allows_null, kind = resolver.type_of(spec, name)
        resolved = resolver.resolve(spec)
        if name in partition_keys and arrow_type == pa.string():
            arrow_type = PARTITION_KEY_TYPE
        columns.append(
            Column(
                name=name,
                type=arrow_type,
                nullable=allows_null or name not in required,
                kind=kind,
                description=resolved.get("description", ""),
                const=resolved.get("const"),
            )
        )
    return columns


def schema_version_of(schema: dict) -> int | None:
    """The ``schema_version`` constant the schema requires, if it has one."""
    spec = schema.get("properties", {}).get("schema_version", {})
    value = spec.get("const")
    return value if isinstance(value, int) else None


def arrow_schema(columns: list[Column], metadata: dict[str, str] | None = None) -> pa.Schema:
    return pa.schema([column.arrow_field() for column in columns], metadata=metadata)


def hf_feature(arrow_type: pa.DataType) -> dict:
    """The Hugging Face ``features`` entry (without its name) for an Arrow type."""
    if pa.types.is_dictionary(arrow_type):
        return hf_feature(arrow_type.value_type)
    if pa.types.is_list(arrow_type):
        inner = hf_feature(arrow_type.value_type)
        return {"list": inner["dtype"] if set(inner) == {"dtype"} else inner}
    if pa.types.is_struct(arrow_type):
        return {"struct": [{"name": field.name, **hf_feature(field.type)} for field in arrow_type]}
    if pa.types.is_date32(arrow_type) or pa.types.is_date64(arrow_type):
        return {"dtype": str(arrow_type).split("[")[0]}  # "date32[day]" is "date32" to datasets
    if pa.types.is_timestamp(arrow_type):
        return {"dtype": f"timestamp[{arrow_type.unit}, tz={arrow_type.tz}]" if arrow_type.tz else f"timestamp[{arrow_type.unit}]"}
    return {"dtype": {"double": "float64", "float": "float32", "bool": "bool"}.get(str(arrow_type), str(arrow_type))}


def json_columns(columns: list[Column]) -> list[Column]:
    """The same columns as JSON Lines carry them: instants, dates and times stay ISO strings."""

    def as_json(arrow_type: pa.DataType) -> pa.DataType:
        if pa.types.is_list(arrow_type):
            return pa.list_(as_json(arrow_type.value_type))
        if pa.types.is_dictionary(arrow_type) or arrow_type in (TIMESTAMP_TYPE, DATE_TYPE, TIME_TYPE):
            return pa.string()
        return arrow_type

    return [Column(c.name, as_json(c.type), c.nullable, c.kind, c.description, c.const) for c in columns]
