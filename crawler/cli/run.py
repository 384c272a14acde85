"""``python -m crawler run``: the cron entry point, a locked, checked crawl with a meaningful
exit code (see ``crawler/cron.py``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(commands) -> None:
    from crawler.cron import EXIT_CODES
    from spiders.news_arguments import help_text

    run = commands.add_parser(
        "run", help="one scheduled crawl: locked, logged, with a meaningful exit code",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"spider arguments (-a NAME=VALUE; any other name is refused):\n{help_text()}\n\n{EXIT_CODES}",
    )
    run.add_argument("--output-dir", help="OUTPUT_DIR for data, logs, state and manifests (default: output)")
    run.add_argument("-a", dest="spider_args", action="append", default=[], metavar="NAME=VALUE", help="spider argument")
    run.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting")
    run.add_argument(
        "--cluster", metavar="REDIS_URL",
        help="run as a node of a cluster coordinated in this Redis (CLUSTER_REDIS_URL); needs --state",
    )
    run.add_argument("--state", metavar="POSTGRES_URL", help="the shared state store (STATE_URL), postgresql://...")
    run.add_argument("--node", metavar="NAME", help="this node's name (CLUSTER_NODE_NAME; default: the host name)")
    run.set_defaults(handler=command_run)


def command_run(args) -> int:
    from crawler.cron import EXIT_CONFIG, parse_pairs, run

    try:
        spider_args = parse_pairs(args.spider_args, "-a")
        settings = parse_pairs(args.settings, "-s")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for option, setting in ((args.cluster, "CLUSTER_REDIS_URL"), (args.state, "STATE_URL"), (args.node, "CLUSTER_NODE_NAME")):
        if option:
            settings[setting] = option
    output_dir = Path(args.output_dir or settings.pop("OUTPUT_DIR", "output"))
    return run(output_dir, spider_args, settings)
