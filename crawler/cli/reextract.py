"""``python -m crawler reextract --from PATH... --to NEWDIR``: rebuild a dataset from WARC files
(see ``crawler/archive/reextract.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def register(commands) -> None:
    command = commands.add_parser(
        "reextract",
        help="run the extraction pipelines again on WARC files (our archive, CC-NEWS, any WARC)",
    )
    command.add_argument("--from", dest="inputs", nargs="+", required=True, metavar="PATH",
                         help="WARC files (.warc, .warc.gz) or folders searched for them, e.g. OUTPUT_DIR/warc")
    command.add_argument("--to", dest="output_dir", required=True, metavar="NEWDIR", help="OUTPUT_DIR of the rebuilt dataset")
    command.add_argument("--source", help="only these sources (comma-separated registry or archive names)")
    command.add_argument("--domain", help="only these hosts and their subdomains (comma-separated); "
                         "pages of other archives are kept only on the registry's domains unless this is given")
    command.add_argument("--since", help="only pages fetched on or after this date (YYYY-MM-DD, WARC-Date)")
    command.add_argument("--sources-file", help="sources registry (default: crawler/sources.toml)")
    command.add_argument("--backend", choices=("fastwarc", "warcio"), default=None, help="WARC reader (default: the faster, fastwarc)")
    command.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting")
    command.set_defaults(handler=command_reextract)


def split_names(value: str | None) -> list[str] | None:
    names = [part.strip() for part in (value or "").split(",") if part.strip()]
    return names or None


def command_reextract(args) -> int:
    from crawler.archive.reader import DEFAULT_BACKEND, warc_files
    from crawler.archive.reextract import Filters, run_reextract
    from crawler.cron import EXIT_LOCKED, exclusive_lock, parse_pairs
    from crawler.run_log import OutputDirError, ensure_writable_dir
    from spiders.news_arguments import parse_since

    try:
        settings = parse_pairs(args.settings, "-s")
        since = parse_since(args.since, "--since")
        missing = [path for path in args.inputs if not Path(path).exists()]
        if missing:
            raise ValueError(f"no such file or folder: {', '.join(missing)}")
        files = warc_files(args.inputs)
        if not files:
            raise ValueError(f"no WARC files (*.warc, *.warc.gz) in {', '.join(args.inputs)}")
        output_dir = ensure_writable_dir(Path(args.output_dir))
    except (ValueError, OutputDirError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    sources, domains = split_names(args.source), split_names(args.domain)
    filters = Filters(
        sources=frozenset(name.lower() for name in sources) if sources else None,
        domains=tuple(domains) if domains else None,
        since=since,
    )
    with exclusive_lock(output_dir) as locked:
        if not locked:
            print(f"another run holds the lock on {output_dir}; exiting", file=sys.stderr)
            return EXIT_LOCKED
        crawler = run_reextract(files, output_dir, filters, settings, args.backend or DEFAULT_BACKEND, args.sources_file)
    return report(crawler, len(files))


def report(crawler, file_count: int) -> int:
    from crawler.manifest import exception_count

    stats = crawler.stats.get_stats()
    read = {key.removeprefix("news/reextract/read/"): value for key, value in stats.items() if key.startswith("news/reextract/read/")}
    records, seconds = read.get("records", 0), read.pop("seconds", 0.0) or 0.0
    wall = getattr(crawler, "news_wall_seconds", 0.0) or 0.0
    written = stats.get("news/items_written", 0)
    skipped = {key.removeprefix("skipped/"): value for key, value in read.items() if key.startswith("skipped/")}
    filtered = {key.removeprefix("news/reextract/filtered/"): value for key, value in stats.items() if key.startswith("news/reextract/filtered/")}
    dropped = {key.removeprefix("news/dropped/"): value for key, value in stats.items() if key.startswith("news/dropped/")}
    print(f"read {records} records from {file_count} WARC files: {read.get('responses', 0)} HTML responses")
    if skipped:
        print("  skipped records: " + ", ".join(f"{k}={v}" for k, v in sorted(skipped.items())))
    if filtered:
        print("  filtered pages: " + ", ".join(f"{k}={v}" for k, v in sorted(filtered.items())))
    if dropped:
        print("  dropped pages: " + ", ".join(f"{k}={v}" for k, v in sorted(dropped.items())))
    print(f"{written} articles written; manifest {getattr(crawler, 'news_manifest_path', None)}")
    if wall:
        reading = f"{records / seconds:.0f} records/s reading alone, " if seconds else ""
        print(f"{reading}{records / wall:.1f} records/s and {written / wall:.1f} articles/s over the whole run ({wall:.1f} s)")
    if stats.get("finish_reason") != "finished" or exception_count(stats):
        print("re-extraction FAILED; see the run log", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
