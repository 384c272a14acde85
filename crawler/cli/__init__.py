"""Command line: ``python -m crawler COMMAND``, one module per command.

Each module in ``COMMANDS`` defines ``register(commands)``, which adds its
sub-parser to the ``argparse`` sub-parsers action and sets ``handler`` to a
function taking the parsed arguments and returning the exit status. Modules
are imported only to build the parser; each defers its heavy imports to its
handler, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

# Order is the order of ``--help``.
COMMANDS = (
    "run",
    "demo",
    "serve",
    "extract",
    "reextract",
    "sources",
    "report",
    "export",
    "state",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crawler", description="Arabic news crawler tools")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"crawler.cli.{name}").register(commands)
    return parser


# The status of a process killed by SIGPIPE, as ``| head`` leaves the tools of a shell pipeline.
CLOSED_PIPE_STATUS = 128 + signal.SIGPIPE


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:
        # The reader (``| head``) has all it wanted: stop quietly. stdout is pointed at
        # /dev/null so the interpreter's final flush does not fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return CLOSED_PIPE_STATUS
