"""``python -m crawler report``: which sources work, over the last N days of runs.

Reads ``OUTPUT_DIR/manifests/`` (``crawler.health``), prints a summary per source and the
reasons any source is unhealthy, and exits 1 when one is (or when no run happened in the
window), so cron mails it. ``--html FILE`` also writes a self-contained page with plots
(matplotlib is imported only then), ``--json`` prints the report as JSON instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_UNHEALTHY = 1
EXIT_USAGE = 2
DEFAULT_DAYS = 30


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def register(commands) -> None:
    report = commands.add_parser("report", help="source health across runs; exit 1 when a source is unhealthy")
    report.add_argument("--output-dir", default="output", help="the OUTPUT_DIR whose manifests to read (default: output)")
    report.add_argument("--days", type=positive_int, default=DEFAULT_DAYS, help=f"look at the last N days (default: {DEFAULT_DAYS})")
    report.add_argument("--dark-runs", type=positive_int, default=3, metavar="K",
                        help="flag a source with no articles in its last K runs, and compare its last K runs with its history (default: 3)")
    report.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report with plots")
    report.add_argument("--json", action="store_true", help="print the report as JSON instead of the summary")
    report.set_defaults(handler=command_report)


def command_report(args) -> int:
    from crawler.health.history import build_report
    from crawler.health.render_text import render_text, report_as_json
    from crawler.manifest import MANIFEST_DIR

    output_dir = Path(args.output_dir)
    if not (output_dir / MANIFEST_DIR).is_dir():
        print(f"error: no run manifests under {output_dir / MANIFEST_DIR} (is --output-dir the crawl's OUTPUT_DIR?)", file=sys.stderr)
        return EXIT_USAGE
    report = build_report(output_dir, args.days, args.dark_runs)
    if args.json:
        print(json.dumps(report_as_json(report), ensure_ascii=False, indent=2))
    else:
        print(render_text(report))
    if args.html:
        from crawler.health.render_html import write_html

        path = write_html(report, Path(args.html))
        if not args.json:
            print(f"\nHTML report written to {path}")
    return EXIT_OK if report.ok else EXIT_UNHEALTHY
