"""The export's memory between runs: a small JSON file in DEST, ``.export-state.json``.

It records, per published partition, a digest of the rows it holds (which line of which
input file, and its duplicate mark, salted with the export's options and schema), its
row count and its shard files with their sizes. ``--incremental`` compares the digests
of a new selection with these and rewrites only the partitions that differ or whose
files are no longer as recorded. The file is rewritten (temporary name, then rename)
after every partition that is published, so a killed export leaves a state that
describes exactly the partitions on disk.

``inputs`` is a digest of the list of input files (names and sizes), written only when
an export completes: when neither it nor the options changed and every partition is
intact, an incremental export has nothing to do and does not even read the input.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

STATE_FILE = ".export-state.json"
STATE_FORMAT = 1


@dataclass
class PartitionState:
    digest: str
    rows: int
    files: dict[str, int]  # shard name -> size in bytes
    data_bytes: int = 0  # the rows uncompressed, for the card's split size

    def is_intact(self, folder: Path) -> bool:
        """Whether the folder holds exactly the recorded shards, with their recorded sizes."""
        try:
            present = {path.name: path.stat().st_size for path in folder.iterdir() if path.is_file()}
        except OSError:
            return False
        return present == self.files


@dataclass
class ExportState:
    options: dict = field(default_factory=dict)
    salt: str = ""
    inputs: str | None = None
    partitions: dict[str, PartitionState] = field(default_factory=dict)
    finished_at: str | None = None

    def to_json(self) -> dict:
        return {
            "format": STATE_FORMAT,
            "options": self.options,
            "salt": self.salt,
            "inputs": self.inputs,
            "finished_at": self.finished_at,
            "partitions": {
                name: {"digest": p.digest, "rows": p.rows, "files": p.files, "data_bytes": p.data_bytes} for name, p in sorted(self.partitions.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> ExportState:
        return cls(
            options=data.get("options") or {},
            salt=data.get("salt") or "",
            inputs=data.get("inputs"),
            finished_at=data.get("finished_at"),
            partitions={
                name: PartitionState(
                    p["digest"], int(p["rows"]), {str(k): int(v) for k, v in p["files"].items()}, int(p.get("data_bytes", 0))
                )
                for name, p in (data.get("partitions") or {}).items()
            },
        )


def state_path(dest: Path) -> Path:
    return dest / STATE_FILE


def load_state(dest: Path) -> ExportState | None:
    """The state of the export in ``dest``; None when there is none or it is unreadable."""
    path = state_path(dest)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != STATE_FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        return ExportState.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.warning("Export state %s is unreadable (%s): every partition will be written again", path, exc)
        return ExportState()


def save_state(dest: Path, state: ExportState) -> None:
    """Replace the state file in one rename.

    Not fsynced: it is written after the partitions it describes were published and
    fsynced, so whatever version of it survives a power cut describes partitions that
    are on disk; an older one only makes the next export rewrite a few partitions, and
    an unreadable one all of them.
    """
    path = state_path(dest)
    temporary = path.with_name(path.name + ".part")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(state.to_json(), handle, ensure_ascii=False, indent=1)
    os.replace(temporary, path)
