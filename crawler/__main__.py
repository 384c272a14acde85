"""Command line: ``python -m crawler demo | extract PATH | run``.

- ``demo`` serves the bundled sample site on 127.0.0.1 and crawls it with the
  real spider and pipelines, offline.
- ``extract PATH [--url URL]`` prints the item one saved page would produce.
- ``run [--output-dir DIR] [-a NAME=VALUE] [-s NAME=VALUE]`` is the cron
  entry point: a locked, checked crawl with a meaningful exit code
  (see ``crawler/cron.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_NOT_ARTICLE = 3


def command_extract(args) -> int:
    from crawler.article import article_from_html
    from crawler.extract import NotAnArticle, decode_html

    path = Path(args.path)
    try:
        body = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    url = args.url or path.resolve().as_uri()
    try:
        fields = article_from_html(decode_html(body), url)
    except NotAnArticle as exc:
        print(f"not an article: {exc}", file=sys.stderr)
        return EXIT_NOT_ARTICLE
    fields.pop("fingerprint_text", None)
    record = {"url": url, **fields}
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0


def command_demo(args) -> int:
    from datetime import datetime, timezone

    from crawler.demo import run_demo

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return run_demo(Path(args.output_dir or f"output/demo-{stamp}"))


def command_run(args) -> int:
    from crawler.cron import EXIT_CONFIG, parse_pairs, run

    try:
        spider_args = parse_pairs(args.spider_args, "-a")
        settings = parse_pairs(args.settings, "-s")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    output_dir = Path(args.output_dir or settings.pop("OUTPUT_DIR", "output"))
    return run(output_dir, spider_args, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crawler", description="Arabic news crawler tools")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="crawl the bundled sample site offline and show the result")
    demo.add_argument(
        "--output-dir",
        default=None,
        help="where the demo writes (default: a new output/demo-TIMESTAMP, so every demo starts fresh)",
    )
    demo.set_defaults(handler=command_demo)

    extract = commands.add_parser("extract", help="print the item a saved HTML page would produce")
    extract.add_argument("path", help="saved HTML file (raw bytes)")
    extract.add_argument("--url", help="the page's original URL (used for links, dates and canonical URL)")
    extract.set_defaults(handler=command_extract)

    run = commands.add_parser("run", help="one scheduled crawl: locked, logged, with a meaningful exit code")
    run.add_argument("--output-dir", help="OUTPUT_DIR for data, logs, state and manifests (default: output)")
    run.add_argument("-a", dest="spider_args", action="append", default=[], metavar="NAME=VALUE", help="spider argument")
    run.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting")
    run.set_defaults(handler=command_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
