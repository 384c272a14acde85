"""Per-run item checks: schema validity and field coverage of every written item, per source.

Spidermon's ``ItemValidationPipeline`` does the validation half of this, but it validates the
whole Scrapy item (our internal fields included, which the schema forbids) and counts for
the run as a whole, not per source; its monitors run inside one run, while the trend across
runs is what ``python -m crawler report`` is for. So this is a small extension of our own on
``jsonschema``, which is what Spidermon uses underneath. Every item is first checked with a
validator that ``fastjsonschema`` compiles from the same schema (0.02 ms against jsonschema's
0.6 ms per item, measured on 500 crawled items); only an item it rejects goes through
jsonschema, whose errors name each field at fault.

It listens to ``item_scraped`` (the item got through every pipeline and was written) and
counts, with ``crawler.stats.count``, under ``news/source/NAME/items/``:

- ``checked``: items seen;
- ``schema_invalid``: items that fail ``crawler/article.schema.json``, and
  ``schema_errors/FIELD`` for each field at fault (``_item`` for the object itself);
- ``with_date``, ``with_authors``, ``with_image``, ``with_section``: field coverage;
- ``word_count_median``: set when the spider closes.

The manifest (``crawler.manifest``) turns these into each source's ``items`` summary. An
invalid item is still written: it is counted and logged once per source and field, and
losing the article would be worse than a field of the wrong shape.
"""

from __future__ import annotations

import json
import logging
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.stats import PREFIX, count

logger = logging.getLogger(__name__)

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "article.schema.json"
# The coverage the report tracks: the fields a template change tends to lose.
COVERAGE_FIELDS = ("date", "authors", "image", "section")
# Errors about the record as a whole (a missing or an unexpected key) have no field path.
WHOLE_ITEM = "_item"


def has_date(record: Mapping) -> bool:
    """Whether the item states when it was published: ``published_date`` (item schema v2) when
    the record has that field, else ``published_at`` (v1, and v2 items with a time)."""
    return bool(record.get("published_date") or record.get("published_at"))


def coverage_of(record: Mapping) -> dict[str, bool]:
    """Which of ``COVERAGE_FIELDS`` the record has a value for."""
    return {
        "date": has_date(record),
        "authors": bool(record.get("authors")),
        "image": bool(record.get("image")),
        "section": bool(record.get("section")),
    }


def load_validator(path: Path = SCHEMA_PATH):
    import jsonschema

    schema = json.loads(path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


class SchemaCheck:
    """The fields at fault in a record: fastjsonschema says whether there are any, jsonschema which."""

    def __init__(self, path: Path = SCHEMA_PATH):
        import fastjsonschema

        self.validator = load_validator(path)
        self._accepts = fastjsonschema.compile(self.validator.schema)
        self._rejection = fastjsonschema.JsonSchemaValueException

    def errors(self, record: Mapping) -> dict[str, str]:
        try:
            self._accepts(record)
        except self._rejection:
            return schema_error_fields(self.validator, record)
        return {}


def schema_error_fields(validator, record: Mapping) -> dict[str, str]:
    """The fields at fault in ``record`` with the first message for each; empty when valid."""
    problems: dict[str, str] = {}
    for error in validator.iter_errors(record):
        path = list(error.absolute_path)
        if path:
            field = str(path[0])
        elif error.validator == "required":
            missing = [name for name in error.validator_value if name not in error.instance]
            field = missing[0] if missing else WHOLE_ITEM
        else:
            field = WHOLE_ITEM
        problems.setdefault(field, error.message)
    return problems


def median_or_none(values: Iterable[int]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


class ItemChecksExtension:
    """Counts schema failures and field coverage of written items per source (see module doc)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.schema_check = None
        self.record_of = None
        self.word_counts: dict[str, list[int]] = defaultdict(list)
        self.reported: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("HEALTH_ITEM_CHECKS", True):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self):
        from pipelines.write import record_of  # the JSON line exactly as it is written

        self.schema_check = SchemaCheck()
        self.record_of = record_of

    def item_scraped(self, item):
        record = self.record_of(item)
        self.check(record, record.get("source") or "unknown")

    def check(self, record: Mapping, source: str) -> None:
        stats = self.crawler.stats
        count(stats, "items/checked", source)
        problems = self.schema_check.errors(record)
        if problems:
            count(stats, "items/schema_invalid", source)
        for field, message in problems.items():
            count(stats, f"items/schema_errors/{field}", source)
            if (source, field) not in self.reported:
                self.reported.add((source, field))
                logger.warning(
                    "Item of %s fails the schema at %s: %s (%s); further failures like it are only counted",
                    source, field, message, record.get("url"),
                )
        for field, present in coverage_of(record).items():
            if present:
                count(stats, f"items/with_{field}", source)
        word_count = record.get("word_count")
        if isinstance(word_count, int) and not isinstance(word_count, bool):
            self.word_counts[source].append(word_count)

    def spider_closed(self):
        stats = self.crawler.stats
        for source, values in self.word_counts.items():
            stats.set_value(f"{PREFIX}/source/{source}/items/word_count_median", median_or_none(values))
        everything = [value for values in self.word_counts.values() for value in values]
        if everything:
            stats.set_value(f"{PREFIX}/items/word_count_median", median_or_none(everything))
