"""``export_dataset``: OUTPUT_DIR's committed JSON lines -> one clean dataset in DEST.

1. **Index** (first pass): every committed data file not indexed by an earlier export is
   streamed once; each line is mapped into the current schema (``records.Conformer``)
   and a small entry with its position goes into DEST's SQLite index
   (``index.ExportIndex``). Lines that are not valid articles are skipped and counted,
   one warning per file.
2. **Select**: each article's latest version, filters, exact duplicates and the
   near-duplicate policy, in SQL.
3. **Plan**: a digest per partition is compared with DEST's state file
   (``state.ExportState``); only partitions that differ are written (all of them without
   ``--incremental``), partitions without rows any more are removed.
4. **Write** (second pass), one partition at a time: its lines are read back in file
   order and written in row groups into shards in the staging area, and the partition
   is published atomically (``partitions.publish``), then recorded in the state.
5. **Card**: ``README.md`` in DEST, rewritten (temporary name, rename) at the end.

Memory holds one row group and SQLite's capped page caches, whatever the dataset's size.
DEST is locked (``DEST/.lock``) for the whole export; a second export exits at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from crawler.cron import exclusive_lock, LOCK_FILE
from crawler.export import card as cards
from crawler.export.index import INDEX_FILE, ExportIndex, FileCounts, IndexEntry, Selection, SelectionCounts
from crawler.export.partitions import clear_staging, publish, staging_dir_for, withdraw
from crawler.export.records import (
    CONTENT_HASH, DOMAIN, DUPLICATE_OF, FETCHED_AT, SOURCE, VERSION, Conformer, RecordError,
    article_day, article_key, committed_files, epoch_microseconds, parse_line, read_line_at, read_lines,
    unfinished_files,
)
from crawler.export.schema import (
    Column, arrow_schema, columns_from_schema, json_columns, load_item_schema, schema_version_of,
)
from crawler.export.state import STATE_FILE, ExportState, PartitionState, load_state, save_state
from crawler.export.writers import (
    DEFAULT_ROW_GROUP_BYTES, DEFAULT_ROW_GROUP_ROWS, DEFAULT_SHARD_BYTES, JSONL, PARQUET, SUFFIXES,
    JsonlShardWriter, ParquetShardWriter,
)
from crawler.jsonl_writer import safe_path_component

logger = logging.getLogger(__name__)

# Bump when the same input and options would give different output (a new mapping rule,
# another column type): the next incremental export then rewrites every partition.
EXPORT_FORMAT = 1
PARTITION_KEYS = (SOURCE,)
SCRATCH_FILE = "scratch.sqlite"
# The partitions live below DEST/data, apart from the card: pandas and pyarrow read a folder
# as a dataset only when every file in it is one (README.md at DEST's top is not).
DATA_DIR = "data"
# Files in DEST that are the export's own, besides the partitions and the card.
OWN_FILES = {
    LOCK_FILE, STATE_FILE, STATE_FILE + ".part", cards.CARD_FILE, cards.CARD_FILE + ".part", INDEX_FILE, INDEX_FILE + "-journal",
}
DEFAULT_PRETTY_NAME = "Arabic news articles"


class ExportError(Exception):
    """A problem with the arguments or the folders, reported to the user as it is."""


class ExportLocked(ExportError):
    """Another export into the same DEST is running."""


@dataclass
class ExportOptions:
    output_dir: Path
    dest: Path
    file_format: str = PARQUET
    selection: Selection = field(default_factory=Selection)
    fields: tuple[str, ...] | None = None  # None: every field of the schema
    incremental: bool = False
    schema_path: Path | None = None  # the item schema; default crawler/article.schema.json
    sources_file: Path | None = None  # the registry, for the card's outlet names
    shard_bytes: int = DEFAULT_SHARD_BYTES
    row_group_bytes: int = DEFAULT_ROW_GROUP_BYTES
    row_group_rows: int = DEFAULT_ROW_GROUP_ROWS
    progress: bool = False
    pretty_name: str = DEFAULT_PRETTY_NAME
    command_options: str = ""  # for the card: how the export was called

    def as_state(self) -> dict:
        """The options that decide the output, as recorded in DEST's state file."""
        selection = self.selection
        return {
            "format": self.file_format,
            "fields": list(self.fields) if self.fields else None,
            "sources": list(selection.sources) if selection.sources else None,
            "since": selection.since,
            "until": selection.until,
            "near_duplicates": selection.near_duplicates,
        }


@dataclass
class ExportSummary:
    files: int = 0  # committed data files of the selection
    files_read: int = 0  # of which parsed by this export (the others' entries were cached)
    lines_read: int = 0
    lines: int = 0  # in all the files
    invalid_lines: int = 0
    values_nulled: int = 0
    part_files_ignored: int = 0
    counts: SelectionCounts = field(default_factory=SelectionCounts)
    partitions: int = 0
    partitions_written: int = 0
    partitions_unchanged: int = 0
    partitions_removed: int = 0
    rows_written: int = 0
    dataset_bytes: int = 0  # the shards on disk
    data_bytes: int = 0  # the same rows uncompressed (Arrow buffers, or JSON text)
    up_to_date: bool = False


class _Progress:
    """A tqdm bar on a terminal, nothing otherwise."""

    def __init__(self, enabled: bool, **kwargs):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(file=sys.stderr, dynamic_ncols=True, leave=True, **kwargs)

    def update(self, amount: int = 1, **postfix) -> None:
        if self.bar is not None:
            if postfix:
                self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(amount)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def export_dataset(options: ExportOptions) -> ExportSummary:
    item_schema = load_item_schema(options.schema_path)
    all_columns = columns_from_schema(item_schema, partition_keys=PARTITION_KEYS)
    columns = output_columns(all_columns, options.fields, options.file_format)
    input_dir = options.output_dir / "data"
    # Resolved: the staging folder goes beside DEST's real folder ("." has no name to put beside).
    options = dataclasses.replace(options, dest=options.dest.resolve())
    dest = options.dest
    check_folders(input_dir, dest)
    source_dirs = None
    if options.selection.sources is not None:
        source_dirs = {safe_path_component(name) for name in options.selection.sources}
        missing = sorted(name for name in source_dirs if not (input_dir / name).is_dir())
        if missing:
            known = ", ".join(sorted(p.name for p in input_dir.iterdir() if p.is_dir())) or "none"
            raise ExportError(f"no data for source(s) {', '.join(missing)} in {input_dir} (sources with data: {known})")
    with exclusive_lock(dest) as locked:
        if not locked:
            raise ExportLocked(f"another export into {dest} is running (lock: {dest / LOCK_FILE})")
        staging = staging_dir_for(dest)
        clear_staging(staging)
        staging.mkdir(parents=True)
        try:
            return _export_locked(options, item_schema, all_columns, columns, input_dir, source_dirs, staging)
        finally:
            clear_staging(staging)


def output_columns(all_columns: list[Column], fields: tuple[str, ...] | None, file_format: str) -> list[Column]:
    if file_format not in SUFFIXES:
        raise ExportError(f"unknown format {file_format!r}; choose {', '.join(SUFFIXES)}")
    by_name = {column.name: column for column in all_columns}
    if fields:
        unknown = [name for name in fields if name not in by_name]
        if unknown:
            raise ExportError(f"unknown field(s) {', '.join(unknown)}; the schema has: {', '.join(by_name)}")
        if len(set(fields)) != len(fields):
            raise ExportError("a field is named twice in --fields")
        chosen = [by_name[name] for name in fields]
    else:
        chosen = list(all_columns)
    return json_columns(chosen) if file_format == JSONL else chosen


def check_folders(input_dir: Path, dest: Path) -> None:
    if not input_dir.is_dir():
        raise ExportError(f"{input_dir} does not exist: no crawl has written data there")
    resolved_dest, resolved_data = dest.resolve(), input_dir.resolve()
    if resolved_dest == resolved_data or resolved_data in resolved_dest.parents or resolved_dest in resolved_data.parents:
        raise ExportError(f"DEST {dest} must not be inside OUTPUT_DIR/data, nor contain it")
    if dest.exists() and not dest.is_dir():
        raise ExportError(f"DEST {dest} exists and is not a folder")
    if dest.is_dir() and not (dest / STATE_FILE).exists():
        foreign = sorted(p.name for p in dest.iterdir() if p.name not in OWN_FILES)
        if foreign:
            raise ExportError(
                f"DEST {dest} is not empty and holds no export ({', '.join(foreign[:5])}...); choose an empty or new folder"
            )


def _fingerprint(all_columns: list[Column]) -> str:
    """What decides the index entries of a line: the schema it is mapped into, and the rules."""
    described = [[column.name, str(column.type), column.nullable, column.kind] for column in all_columns]
    return hashlib.sha256(json.dumps([EXPORT_FORMAT, described]).encode()).hexdigest()


def _salt(columns: list[Column], file_format: str) -> str:
    """What, besides the rows, decides a partition's bytes: the format and the columns' types."""
    described = [[column.name, str(column.type), column.nullable] for column in columns]
    return hashlib.sha256(json.dumps([EXPORT_FORMAT, file_format, described]).encode()).hexdigest()


def _inputs_digest(input_dir: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.relative_to(input_dir).as_posix()}\x1f{path.stat().st_size}\x1e".encode())
    return digest.hexdigest()


def _export_locked(options, item_schema, all_columns, columns, input_dir, source_dirs, staging) -> ExportSummary:
    dest = options.dest
    summary = ExportSummary()
    salt = _salt(columns, options.file_format)
    files = committed_files(input_dir, source_dirs)
    summary.part_files_ignored = len(unfinished_files(input_dir))
    inputs = _inputs_digest(input_dir, files)
    previous = load_state(dest)
    if options.incremental and previous is not None and _up_to_date(previous, options, salt, inputs, dest):
        summary.up_to_date = True
        summary.partitions = summary.partitions_unchanged = len(previous.partitions)
        summary.counts.selected = sum(p.rows for p in previous.partitions.values())
        return summary

    dest.mkdir(parents=True, exist_ok=True)
    state = ExportState(options=options.as_state(), salt=salt, partitions=dict(previous.partitions) if previous else {})
    save_state(dest, state)  # from here on DEST is known as an export, even if this one is killed
    index = ExportIndex(dest / INDEX_FILE, staging / SCRATCH_FILE, _fingerprint(all_columns))
    try:
        names = [path.relative_to(input_dir).as_posix() for path in files]
        _index_files(index, input_dir, files, names, Conformer(all_columns), summary, options.progress)
        index.prune(lambda name: (input_dir / name).is_file())
        totals = index.file_totals(names)
        summary.lines, summary.invalid_lines, summary.values_nulled = totals.lines, totals.invalid, totals.nulled
        summary.counts = index.select(names, options.selection, schema_version_of(item_schema))
        digests = index.partition_digests(salt)

        def unchanged(name: str) -> bool:
            known = state.partitions.get(name)
            return options.incremental and known is not None and known.digest == digests[name] and known.is_intact(dest / DATA_DIR / name)

        to_write = [name for name in digests if not unchanged(name)]
        # Partitions without rows any more: those the state knows, and any other on disk (a
        # state file that was lost or damaged must not leave old rows in the dataset).
        stale = sorted((set(state.partitions) | published_partitions(dest)) - set(digests))
        summary.partitions = len(digests)
        summary.partitions_unchanged = len(digests) - len(to_write)
        partition_rows = {name: rows for name, _source, _month, rows in index.partition_counts()}
        _write_partitions(index, options, columns, to_write, partition_rows, digests, state, staging, input_dir, summary)
        for name in stale:
            withdraw(dest / DATA_DIR / name, staging / "withdrawn")
            state.partitions.pop(name, None)
            save_state(dest, state)
            summary.partitions_removed += 1
        summary.dataset_bytes = sum(size for p in state.partitions.values() for size in p.files.values())
        summary.data_bytes = sum(p.data_bytes for p in state.partitions.values())
        _write_card(index, options, columns, summary)
        state.inputs = inputs
        state.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        save_state(dest, state)
        return summary
    finally:
        index.close()


def published_partitions(dest: Path) -> set[str]:
    """The partition folders (``source=NAME/month=YYYY-MM``) present in DEST."""
    root = dest / DATA_DIR
    if not root.is_dir():
        return set()
    return {
        f"{source.name}/{month.name}"
        for source in root.glob(f"{SOURCE}=*")
        if source.is_dir()
        for month in source.glob("month=*")
        if month.is_dir()
    }


def _up_to_date(previous: ExportState, options: ExportOptions, salt: str, inputs: str, dest: Path) -> bool:
    return (
        previous.inputs == inputs
        and previous.salt == salt
        and previous.options == options.as_state()
        and (dest / cards.CARD_FILE).exists()
        and published_partitions(dest) == set(previous.partitions)
        and all(p.is_intact(dest / DATA_DIR / name) for name, p in previous.partitions.items())
    )


def _index_files(index: ExportIndex, input_dir: Path, files: list[Path], names: list[str], conformer: Conformer,
                 summary: ExportSummary, progress: bool) -> None:
    """Index every file the cache does not hold yet (new, or changed in size)."""
    known = index.indexed_files()
    sizes = [path.stat().st_size for path in files]
    summary.files = len(files)
    bar = _Progress(progress, total=sum(sizes), unit="B", unit_scale=True, desc="reading")
    try:
        for number, (path, name, size) in enumerate(zip(files, names, sizes), start=1):
            if known.get(name) != size:
                _index_file(index, path, name, size, conformer, summary)
                summary.files_read += 1
            bar.update(size, files=f"{number}/{len(files)}", lines=summary.lines_read)
    finally:
        bar.close()


def _index_file(index: ExportIndex, path: Path, name: str, size: int, conformer: Conformer, summary: ExportSummary) -> None:
    seen = {"lines": 0, "invalid": 0, "nulled": 0, "first_error": None}

    def entries():
        for line in read_lines(path, name):
            seen["lines"] += 1
            try:
                entry, nulled = _index_entry(conformer, line.data, line.offset)
            except RecordError as exc:
                seen["invalid"] += 1
                seen["first_error"] = seen["first_error"] or f"line {line.number}: {exc}"
                continue
            seen["nulled"] += nulled
            yield entry

    index.add_file(name, size, entries(), lambda: FileCounts(seen["lines"], seen["invalid"], seen["nulled"]))
    summary.lines_read += seen["lines"]
    if seen["invalid"]:
        logger.warning("%s: %d line(s) skipped, not valid articles (first at %s)", path, seen["invalid"], seen["first_error"])


def _index_entry(conformer: Conformer, data: bytes, offset: int) -> tuple[IndexEntry, int]:
    raw = parse_line(data)
    conformed = conformer.conform(raw)
    values = conformed.values
    for name in (VERSION, CONTENT_HASH, FETCHED_AT, SOURCE):
        if values.get(name) is None:
            raise RecordError(f"{name} is missing")
    day, dated = article_day(values, raw)
    return (
        IndexEntry(
            key=article_key(values),
            version=values[VERSION],
            fetched_us=epoch_microseconds(values[FETCHED_AT]),
            content_hash=values[CONTENT_HASH],
            source=values[SOURCE],
            day=day,
            dated=dated,
            domain=values.get(DOMAIN),
            partition=f"{SOURCE}={safe_path_component(values[SOURCE])}/month={day[:7]}",
            duplicate_of=values.get(DUPLICATE_OF),
            source_schema=conformed.source_schema_version,
            offset=offset,
            length=len(data),
        ),
        conformed.nulled,
    )


def _write_partitions(index, options, columns, to_write, partition_rows, digests, state, staging, input_dir, summary) -> None:
    dest = options.dest
    conformer = Conformer(columns_from_schema(load_item_schema(options.schema_path), partition_keys=PARTITION_KEYS))
    schema = arrow_schema(columns, metadata=_arrow_metadata())
    clear_marks = options.selection.near_duplicates == "keep"
    bar = _Progress(options.progress, total=sum(partition_rows[name] for name in to_write), unit=" rows", desc="writing")
    try:
        for name in to_write:
            folder = staging / "partitions" / name
            sizes = dict(shard_bytes=options.shard_bytes, row_group_bytes=options.row_group_bytes, row_group_rows=options.row_group_rows)
            if options.file_format == PARQUET:
                writer = ParquetShardWriter(folder, columns, schema, **sizes)
            else:
                writer = JsonlShardWriter(folder, columns, **sizes)
            try:
                _fill_partition(writer, index.rows_of(name), input_dir, conformer, clear_marks, bar, summary)
                shard_sizes = writer.close()
            except BaseException:
                writer.abort()
                raise
            publish(folder, dest / DATA_DIR / name, staging / "replaced")
            state.partitions[name] = PartitionState(digests[name], writer.rows, shard_sizes, writer.data_bytes)
            save_state(dest, state)
            summary.partitions_written += 1
            summary.rows_written += writer.rows
    finally:
        bar.close()


def _fill_partition(writer, rows, input_dir: Path, conformer: Conformer, clear_marks: bool, bar, summary) -> None:
    handle, handle_name = None, None
    try:
        for name, offset, length in rows:
            if name != handle_name:
                if handle is not None:
                    handle.close()
                handle, handle_name = open(input_dir / name, "rb"), name
            data = read_line_at(handle, offset, length)
            try:
                values = conformer.conform(parse_line(data)).values
            except RecordError as exc:  # the file changed since it was indexed
                logger.warning("%s at byte %d: skipped (%s)", input_dir / name, offset, exc)
                summary.invalid_lines += 1
                continue
            if clear_marks and DUPLICATE_OF in values:
                values[DUPLICATE_OF] = None
            writer.add(values, length)
            bar.update(1)
    finally:
        if handle is not None:
            handle.close()


def _arrow_metadata() -> dict[str, str]:
    return {"arabic_news_crawler.export": json.dumps({"export_format": EXPORT_FORMAT, "crawler_version": cards.crawler_version()})}


def _registry(sources_file: Path | None) -> dict:
    from crawler.sources import SourceConfigError, load_sources

    try:
        return load_sources(sources_file)
    except (SourceConfigError, OSError) as exc:
        logger.warning("The sources registry could not be read (%s); the card names no outlets", exc)
        return {}


def _write_card(index: ExportIndex, options: ExportOptions, columns: list[Column], summary: ExportSummary) -> None:
    counts = index.partition_counts()
    suffix = SUFFIXES[options.file_format]
    registry = _registry(options.sources_file)
    rows_by_source: dict[str, int] = {}
    for _name, source, _month, rows in counts:
        rows_by_source[source] = rows_by_source.get(source, 0) + rows
    sources = []
    for source, rows in sorted(rows_by_source.items()):
        known = registry.get(source)
        sources.append(
            cards.SourceInfo(
                name=source,
                outlet=known.outlet if known else "",
                domains=tuple(known.domains) if known else tuple(index.domains_of(source)),
                country=known.country if known else None,
                rows=rows,
            )
        )
    source_dirs = sorted({safe_path_component(source) for source in rows_by_source})
    total_rows = sum(rows_by_source.values())
    header = cards.yaml_header(
        pretty_name=options.pretty_name,
        total_rows=total_rows,
        columns=columns,
        data_dir=DATA_DIR,
        suffix=suffix,
        source_dirs=source_dirs,
        total_bytes=summary.dataset_bytes,
        data_bytes=summary.data_bytes,
    )
    exported_at = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    context = cards.card_context(
        header=header,
        columns=columns,
        partitions=[{"source": source, "month": month, "rows": rows} for _name, source, month, rows in counts],
        sources=sources,
        total_rows=total_rows,
        date_range=index.date_range(),
        undated_rows=index.count_where("NOT dated"),
        updated_rows=index.count_where("version > 1"),
        counts=summary.counts,
        selection=options.selection,
        upgraded=sorted((str(v) if v is not None else "unknown", n) for v, n in summary.counts.upgraded.items()),
        schema_version=schema_version_of(load_item_schema(options.schema_path)),
        file_format=options.file_format,
        suffix=suffix,
        shard_mb=round(options.shard_bytes / 1_000_000),
        dest_name=options.dest.name,
        data_dir=DATA_DIR,
        exported_at=exported_at,
        crawler_version=cards.crawler_version(),
        citation_key=f"arabic_news_{exported_at.replace('-', '')}",
        command_options=options.command_options,
        files_read=summary.files,
        invalid_lines=summary.invalid_lines,
    )
    path = options.dest / cards.CARD_FILE
    temporary = path.with_name(path.name + ".part")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(cards.render_card(context))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
