"""Data files of several nodes in one OUTPUT_DIR: which ones this node may clean up.

A node's files are named ``RUN_ID-NODE-NNNN.jsonl`` (``crawler.run_log.run_id_of``), and
its WARC files ``RUN_ID-NODE-NNNN.warc.gz``. When
a node starts it removes the unfinished ``.part`` files and records the committed but
unrecorded files that a crash left behind; in a shared OUTPUT_DIR it must only touch
those of nodes that are not running, or it would delete a live node's file under its
feet. Files without a node name come from one-machine runs, which are not running either.
"""

from __future__ import annotations

import re
from pathlib import Path

# Data files (.jsonl) and WARC files (.warc.gz) of the archive are named alike.
_DATA_FILE_RE = re.compile(r"^\d{8}T\d{6}Z(?:-(?P<node>.+?))?-\d{4,}\.(?:jsonl|warc\.gz)(?:\.part)?$")


def node_of_file(path: Path) -> str | None:
    """The node named in a data file's name, or None (a one-machine file, or not ours)."""
    match = _DATA_FILE_RE.match(path.name)
    return match.group("node") if match else None


def files_to_take_over(own_node: str, live_nodes) -> callable:
    """A filter of the data files this node may clean up: its own (no other process can
    use its name) and those of nodes not alive."""
    others_alive = frozenset(live_nodes) - {own_node}

    def takes_over(path: Path) -> bool:
        return node_of_file(path) not in others_alive

    return takes_over
