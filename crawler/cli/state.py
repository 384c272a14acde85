"""``python -m crawler state stats|vacuum``: what the state store holds, and keeping it small.

``stats`` prints counts per table, the size on disk and per article, the first and last
recorded article and the range of the near-duplicate index (``--json`` for JSON).
``vacuum`` prunes the near-duplicate index to DEDUP_WINDOW_DAYS (``--window-days``
overrides it) and compacts the store, only while no run holds OUTPUT_DIR/.lock: it exits
75 (EX_TEMPFAIL, as ``run`` does) when one does, and 1 with one line when the disk cannot
take it (compacting writes a copy of the store). Logic: ``crawler.state.maintenance``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def register(commands) -> None:
    state = commands.add_parser("state", help="inspect (stats) or prune and compact (vacuum) the state store")
    actions = state.add_subparsers(dest="state_command", required=True)
    stats = actions.add_parser("stats", help="counts, sizes, first and last entries")
    stats.add_argument("--output-dir", default="output", help="the crawl's OUTPUT_DIR (default: output)")
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")
    stats.set_defaults(handler=command_stats)
    vacuum = actions.add_parser("vacuum", help="prune near-duplicate bands older than the window, then compact; exit 75 while a run holds the lock")
    vacuum.add_argument("--output-dir", default="output", help="the crawl's OUTPUT_DIR (default: output)")
    vacuum.add_argument("--window-days", type=non_negative_float, default=None,
                        help="keep the near-duplicate index of this many days (default: DEDUP_WINDOW_DAYS; 0 prunes nothing)")
    vacuum.set_defaults(handler=command_vacuum)


def existing_store(output_dir: Path):
    """The store of *output_dir*, or None (with a message) when it has none: stats must not create one."""
    from crawler.state import STATE_FILE_NAME, open_state_store

    if not (output_dir / STATE_FILE_NAME).is_file():
        print(f"error: no state store at {output_dir / STATE_FILE_NAME} (is --output-dir the crawl's OUTPUT_DIR?)", file=sys.stderr)
        return None
    return open_state_store(output_dir)


def command_stats(args) -> int:
    from crawler.state.maintenance import format_stats

    store = existing_store(Path(args.output_dir))
    if store is None:
        return EXIT_USAGE
    try:
        stats = store.stats()
    finally:
        store.close()
    print(json.dumps(stats, ensure_ascii=False, indent=2) if args.json else format_stats(stats))
    return EXIT_OK


def command_vacuum(args) -> int:
    from crawler.cron import EXIT_LOCKED, exclusive_lock
    from crawler.state.maintenance import vacuum

    output_dir = Path(args.output_dir)
    window_days = args.window_days if args.window_days is not None else configured_window_days()
    if not output_dir.is_dir():
        print(f"error: {output_dir} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    with exclusive_lock(output_dir) as locked:
        if not locked:
            print(f"{output_dir} is locked by a running crawl; try again later", file=sys.stderr)
            return EXIT_LOCKED
        store = existing_store(output_dir)
        if store is None:
            return EXIT_USAGE
        try:
            result = vacuum(store, window_days or None)
        except (sqlite3.Error, OSError) as exc:
            # SQLite rolls the interrupted step back: the store is as it was before that step.
            free = shutil.disk_usage(output_dir).free
            print(f"error: vacuum of {output_dir} stopped, nothing lost: {exc} "
                  f"(compacting needs free space about the size of the store; {free:,} bytes free)", file=sys.stderr)
            return EXIT_FAILED
        finally:
            store.close()
    window = f"indexed before {result.window_start.isoformat()}" if result.window_start else "none (no window)"
    print(f"pruned the near-duplicate index of {result.pruned_articles:,} articles ({window})")
    print(f"size: {result.bytes_before:,} -> {result.bytes_after:,} bytes")
    return EXIT_OK


def configured_window_days() -> float:
    from scrapy.utils.project import get_project_settings

    return get_project_settings().getfloat("DEDUP_WINDOW_DAYS", 0.0)
