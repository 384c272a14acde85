"""Finding an article's records again when a crash left its data file out of the state.

The writer commits the WARC files before the data file that refers to them, and records
both in the state afterwards. A crash between the data file's rename and that transaction
leaves a committed data file that the next run records (``recover_unrecorded_files``); the
archive locations it needs are read back from the metadata records of the same run's WARC
files of the same source.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from crawler.archive.reader import raw_records, parse_warc_fields
from crawler.archive.writer import ARCHIVE_DIR, WARC_SUFFIX, ArchiveLocation

logger = logging.getLogger(__name__)


def archived_articles(path: Path, output_dir: Path) -> dict[tuple[str, str], ArchiveLocation]:
    """(canonical URL, content hash) -> location of the response record, for one of our files."""
    name = str(path.relative_to(output_dir))
    responses: dict[str, int] = {}
    found: dict[tuple[str, str], ArchiveLocation] = {}
    for record in raw_records(path, Counter()):
        if record.kind == "response" and record.record_id:
            responses[record.record_id] = record.offset
        elif record.kind == "metadata" and record.refers_to in responses:
            fields = parse_warc_fields(record.block or b"")
            key = ((fields.get("canonical-url") or [""])[0], (fields.get("content-hash") or [""])[0])
            found[key] = ArchiveLocation(name, responses[record.refers_to])
    return found


def archive_locator(output_dir: Path) -> Callable[[Path, list[dict]], list[ArchiveLocation | None]]:
    """A function giving, for the records of a committed data file, where each one's page is archived."""

    def locate(data_file: Path, records: list[dict]) -> list[ArchiveLocation | None]:
        run_stem = data_file.name.rsplit("-", 1)[0]
        warc_dir = output_dir / ARCHIVE_DIR / data_file.parent.name
        index: dict[tuple[str, str], ArchiveLocation] = {}
        for path in sorted(warc_dir.glob(f"{run_stem}-*{WARC_SUFFIX}")):
            index.update(archived_articles(path, output_dir))
        return [index.get((record.get("canonical_url") or record.get("url"), record.get("content_hash"))) for record in records]

    return locate
