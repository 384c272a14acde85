"""``python -m crawler export``: the whole dataset, one row per article, as Parquet or JSON Lines
with a dataset card (see ``crawler/export/``)."""

from __future__ import annotations

import logging
import shlex
import sys
from datetime import date
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL, as ``run``: another export into DEST is running

MEGABYTE = 1_000_000


def register(commands) -> None:
    export = commands.add_parser(
        "export",
        help="export OUTPUT_DIR's articles as one dataset (Parquet or JSON Lines) with a dataset card",
        description=(
            "Read the committed data files of OUTPUT_DIR (never .part files), keep the latest version of "
            "each article and write it to DEST, partitioned as source=NAME/month=YYYY-MM/part-NNNN, with a "
            "Hugging Face dataset card in DEST/README.md. Each partition is replaced atomically; staging "
            "files go to a hidden folder beside DEST (.DESTNAME.staging)."
        ),
    )
    export.add_argument("--output-dir", default="output", help="the crawl's OUTPUT_DIR (default: output)")
    export.add_argument("--to", dest="dest", required=True, metavar="DEST", help="folder of the dataset")
    export.add_argument("--format", choices=("parquet", "jsonl"), default="parquet", help="parquet (zstd, default) or jsonl (gzip)")
    export.add_argument("--since", type=_day, metavar="DATE", help="only articles dated on or after YYYY-MM-DD")
    export.add_argument("--until", type=_day, metavar="DATE", help="only articles dated on or before YYYY-MM-DD")
    export.add_argument("--source", type=_names, metavar="NAME,...", help="only these sources")
    export.add_argument(
        "--near-duplicates",
        choices=("mark", "drop", "keep"),
        default="mark",
        help="syndicated copies: mark (kept, with duplicate_of; default), drop (removed), keep (kept, mark cleared)",
    )
    export.add_argument("--fields", type=_names, metavar="A,B,...", help="only these fields, in this order")
    export.add_argument("--incremental", action="store_true", help="rewrite only the partitions that changed since the last export")
    export.add_argument("--sources-file", help="the sources registry, for outlet names in the card (default: crawler/sources.toml)")
    export.add_argument("--shard-size", type=_positive, default=128, metavar="MB", help="target size of a shard in MB (default: 128)")
    export.add_argument("--title", default=None, help="the dataset's name in its card")
    export.set_defaults(handler=command_export)


def _day(value: str) -> str:
    import argparse

    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD") from None


def _names(value: str) -> tuple[str, ...]:
    import argparse

    names = tuple(name.strip() for name in value.split(",") if name.strip())
    if not names:
        raise argparse.ArgumentTypeError("expected one or more names separated by commas")
    return names


def _positive(value: str) -> float:
    import argparse

    try:
        number = float(value)
    except ValueError:
        number = 0
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number")
    return number


def _command_line(args) -> str:
    parts = ["--to", Path(args.dest).name or args.dest, "--format", args.format, "--near-duplicates", args.near_duplicates]
    for flag, value in (("--since", args.since), ("--until", args.until)):
        if value:
            parts += [flag, value]
    for flag, names in (("--source", args.source), ("--fields", args.fields)):
        if names:
            parts += [flag, ",".join(names)]
    if args.incremental:
        parts.append("--incremental")
    return " ".join(shlex.quote(part) for part in parts)


def command_export(args) -> int:
    from crawler.export import ExportError, ExportLocked, ExportOptions, Selection, export_dataset
    from crawler.export.exporter import DEFAULT_PRETTY_NAME

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s", stream=sys.stderr)
    if args.since and args.until and args.since > args.until:
        print(f"error: --since {args.since} is after --until {args.until}", file=sys.stderr)
        return EXIT_USAGE
    options = ExportOptions(
        output_dir=Path(args.output_dir),
        dest=Path(args.dest),
        file_format=args.format,
        selection=Selection(sources=args.source, since=args.since, until=args.until, near_duplicates=args.near_duplicates),
        fields=args.fields,
        incremental=args.incremental,
        sources_file=Path(args.sources_file) if args.sources_file else None,
        shard_bytes=int(args.shard_size * MEGABYTE),
        progress=sys.stderr.isatty(),
        pretty_name=args.title or DEFAULT_PRETTY_NAME,
        command_options=_command_line(args),
    )
    try:
        summary = export_dataset(options)
    except ExportLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: export failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(describe(summary, options.dest))
    return EXIT_OK


def describe(summary, dest: Path) -> str:
    if summary.up_to_date:
        return f"{dest} is up to date: no data file was added since the last export ({summary.counts.selected:,} rows)."
    counts = summary.counts
    lines = [
        f"{summary.files:,} data file{'' if summary.files == 1 else 's'}, {summary.lines:,} lines ({summary.files_read:,} "
        f"file{'' if summary.files_read == 1 else 's'} read, the others indexed by an earlier export"
        + (f"; {summary.invalid_lines:,} invalid lines skipped" if summary.invalid_lines else "")
        + (f"; {summary.part_files_ignored:,} unfinished .part files ignored" if summary.part_files_ignored else "")
        + ").",
        f"{counts.selected:,} articles: {counts.superseded:,} older versions left out, {counts.filtered_out:,} outside "
        f"the selection, {counts.exact_duplicates:,} exact duplicates removed, "
        + (
            f"{counts.near_duplicates_dropped:,} near-duplicates dropped."
            if counts.near_duplicates_dropped
            else f"{counts.near_duplicates_marked:,} near-duplicates marked."
        ),
        f"{summary.partitions:,} partitions in {dest}: {summary.partitions_written:,} written, "
        f"{summary.partitions_unchanged:,} unchanged, {summary.partitions_removed:,} removed "
        f"({summary.rows_written:,} rows written; dataset {summary.dataset_bytes / MEGABYTE:,.1f} MB).",
    ]
    return "\n".join(lines)
