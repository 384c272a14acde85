"""Publishing a partition atomically: a reader sees its old shards or its new ones, never a mix.

A partition (``source=NAME/month=YYYY-MM/``) can hold several shards, so renaming shard
files one by one would leave a moment, and after a kill a lasting state, where old and
new shards are both visible. Instead the whole folder is written in a staging area and
swapped in:

- a new partition: one ``rename`` of the staged folder to its place;
- a replaced partition: one ``renameat2(RENAME_EXCHANGE)`` of the staged folder and the
  published one (Linux 3.15+; ext4, xfs, btrfs, tmpfs), after which the old shards sit in
  the staging area and are deleted. Where the kernel or file system cannot exchange, the
  old folder is renamed away and the new one renamed in: the partition is then missing
  for the moment between the two renames, and after a kill in that moment until the
  next export (which sees it missing and writes it again);
- a partition that has no rows any more: renamed into the staging area, then deleted.

The staging area is a hidden sibling of DEST (``.DESTNAME.staging``), not a folder
inside it: DuckDB's ``DEST/**/*.parquet`` also descends into hidden folders, so staged
shards inside DEST would be read as part of the dataset.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
from pathlib import Path

from crawler.jsonl_writer import fsync_directory

logger = logging.getLogger(__name__)

AT_FDCWD = -100
RENAME_EXCHANGE = 2
STAGING_SUFFIX = ".staging"


def staging_dir_for(dest: Path) -> Path:
    return dest.parent / f".{dest.name}{STAGING_SUFFIX}"


def _load_renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step; False when the system cannot (nothing changed)."""
    if _renameat2 is None:
        return False
    result = _renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(first), None, str(second))


def publish(staged: Path, final: Path, trash: Path) -> None:
    """Put the staged partition folder at ``final``, then delete the folder it replaced.

    ``trash`` (in the staging area) is used only where folders cannot be exchanged.
    """
    fsync_directory(staged)  # the shards' names, before the folder becomes visible
    final.parent.mkdir(parents=True, exist_ok=True)
    previous = None
    if not final.exists():
        os.rename(staged, final)
    elif exchange(staged, final):
        previous = staged
    else:
        os.rename(final, trash)
        os.rename(staged, final)
        previous = trash
    fsync_directory(final.parent)
    if previous is not None:
        shutil.rmtree(previous)


def withdraw(final: Path, trash: Path) -> None:
    """Remove a published partition in one step (then delete it from the staging area)."""
    if not final.exists():
        return
    os.rename(final, trash)
    fsync_directory(final.parent)
    shutil.rmtree(trash)
    parent = final.parent
    try:
        parent.rmdir()  # the source=NAME folder, once its last month is gone
    except OSError:
        pass


def clear_staging(staging: Path) -> None:
    """Delete what a killed export left in the staging area (the caller holds DEST's lock)."""
    if staging.exists():
        logger.info("Removing leftovers of an interrupted export: %s", staging)
        shutil.rmtree(staging)
