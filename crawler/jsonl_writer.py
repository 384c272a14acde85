"""Atomic JSONL files: a reader never sees a half-written file.

Records go to ``NAME.jsonl.part``. ``commit`` flushes, fsyncs and renames it
to ``NAME.jsonl``, then fsyncs the directory so the rename survives a power
cut. A crash therefore leaves only ``.part`` files, which hold records that
were never reported as committed; ``discard_unfinished`` removes them on the
next start (their articles are fetched again, as the state never saw them).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def safe_path_component(name: str) -> str:
    """A file-name-safe form of a source name or host; never empty, never '..'."""
    cleaned = _UNSAFE_CHARS.sub("-", name).strip(".-") or "unnamed"
    return cleaned[:80]


def encode_record(record: dict) -> str:
    """One JSON line with real UTF-8 Arabic, not \\uXXXX escapes."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def discard_unfinished(root: Path, takes_over: Callable[[Path], bool] | None = None) -> int:
    """Delete ``.part`` files a crashed run left below ``root``; returns how many.

    *takes_over* limits it to the files it accepts (in a cluster's shared OUTPUT_DIR:
    not those of nodes still running)."""
    removed = 0
    for part in root.rglob(f"*{PART_SUFFIX}"):
        if takes_over is not None and not takes_over(part):
            continue
        logger.warning("Discarding unfinished data file from an interrupted run: %s", part)
        part.unlink()
        removed += 1
    return removed


class RotatingJsonlWriter:
    """Writes records to numbered JSONL files in one directory, committing each atomically.

    A file is committed after ``max_items`` records or when ``commit`` is
    called (the pipeline calls it on a timer and at close). ``on_commit`` gets
    the final path and, for each record it holds, the receipt given to
    ``write`` (the record itself by default), after the rename: that is the
    moment they are safely on disk. ``before_commit`` gets the same receipts
    before the rename; whatever the file refers to (the WARC archive) is made
    durable there, and an exception leaves the file uncommitted.
    """

    def __init__(
        self,
        directory: Path,
        stem: str,
        *,
        max_items: int = 500,
        on_commit: Callable[[Path, list], None] | None = None,
        before_commit: Callable[[list], None] | None = None,
    ):
        self.directory = directory
        self.stem = safe_path_component(stem)
        self.max_items = max_items
        self.on_commit = on_commit
        self.before_commit = before_commit
        self.committed_files: list[Path] = []
        self._sequence = 0
        self._handle = None
        self._part_path: Path | None = None
        self._pending: list = []
        self.opened_at = 0.0

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def _open_next(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._sequence += 1
        final = self.directory / f"{self.stem}-{self._sequence:04d}.jsonl"
        while final.exists():  # a previous run with the same stem; never overwrite
            self._sequence += 1
            final = self.directory / f"{self.stem}-{self._sequence:04d}.jsonl"
        self._part_path = final.with_name(final.name + PART_SUFFIX)
        self._handle = open(self._part_path, "w", encoding="utf-8")
        self.opened_at = time.monotonic()

    def write(self, record: dict, receipt=None) -> None:
        line = encode_record(record)  # first: a record that cannot be encoded opens no file
        if self._handle is None:
            self._open_next()
        self._handle.write(line)
        self._pending.append(record if receipt is None else receipt)
        if len(self._pending) >= self.max_items:
            self.commit()

    def commit(self) -> Path | None:
        """Finish the current file; returns its final path, or None if nothing was pending."""
        if self._handle is None:
            return None
        if self.before_commit is not None:
            self.before_commit(self._pending)
        handle, part_path, records = self._handle, self._part_path, self._pending
        self._handle, self._part_path, self._pending = None, None, []
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        final = part_path.with_name(part_path.name[: -len(PART_SUFFIX)])
        os.replace(part_path, final)
        fsync_directory(final.parent)
        self.committed_files.append(final)
        logger.info("Committed %d items to %s", len(records), final)
        if self.on_commit is not None:
            self.on_commit(final, records)
        return final
