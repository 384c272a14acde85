"""``python -m crawler demo``: crawl the bundled sample site offline (see ``crawler/demo.py``)."""

from __future__ import annotations

from pathlib import Path


def register(commands) -> None:
    demo = commands.add_parser("demo", help="crawl the bundled sample site offline and show the result")
    demo.add_argument(
        "--output-dir",
        default=None,
        help="where the demo writes (default: a new output/demo-TIMESTAMP, so every demo starts fresh)",
    )
    demo.set_defaults(handler=command_demo)


def command_demo(args) -> int:
    from datetime import datetime, timezone

    from crawler.demo import run_demo

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return run_demo(Path(args.output_dir or f"output/demo-{stamp}"))
