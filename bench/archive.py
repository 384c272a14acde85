"""The archive's cost and the reading speed, measured on the real eval pages.

    python bench/archive.py [--copies 40]

1. Writing: each page of shared/eval/arabic-news (28-588 kB, real markup) is archived
   ``--copies`` times with ``crawler.archive.writer`` at gzip levels 1, 6 and 9: CPU per
   article (request + response + metadata record) and bytes per article on disk.
2. Reading the file back, records per second for fastwarc and for warcio (best of three):
   the rate that decides ``crawler.archive.reader.DEFAULT_BACKEND``.

The whole re-extraction rate (reading, the worker pool, every pipeline) is printed by
``python -m crawler reextract`` itself; bench/run.py --archive compares crawl throughput
with the archive on and off.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from crawler.archive.exchange import HttpExchange  # noqa: E402
from crawler.archive.reader import BACKENDS, read_archive  # noqa: E402
from crawler.archive.writer import ArchiveWriter, default_warcinfo  # noqa: E402

EVAL = REPO.parent / "shared" / "eval" / "arabic-news"


def pages() -> list[bytes]:
    return [path.read_bytes() for path in sorted(EVAL.glob("*.html"))]


def write_archive(root: Path, bodies: list[bytes], copies: int, level: int) -> tuple[float, int, int, Path]:
    archive = ArchiveWriter(root, "20250101T000000Z", default_warcinfo("20250101T000000Z", "arabic-news-crawler/bench", "bench", True), gzip_level=level)
    now = datetime.now(timezone.utc)
    started = time.process_time()
    articles = 0
    for copy in range(copies):
        for number, body in enumerate(bodies):
            exchange = HttpExchange(
                url=f"https://www.example.com/news/{copy}/{number}.html", method="GET",
                request_headers=((b"User-Agent", b"arabic-news-crawler/bench"), (b"Accept-Encoding", b"gzip, deflate, br")),
                protocol="HTTP/1.1", status=200,
                response_headers=((b"Content-Type", b"text/html; charset=utf-8"), (b"Content-Length", str(len(body)).encode())),
                body=body, fetched_at=now,
            )
            archive.write_article("bench", exchange, now, canonical_url=exchange.url, content_hash=f"{copy}-{number}")
            articles += 1
    archive.commit_all()
    cpu = time.process_time() - started
    (path,) = archive.committed_files
    return cpu, articles, path.stat().st_size, path


def read_rate(path: Path, backend: str) -> tuple[float, int]:
    best = float("inf")
    for _ in range(3):
        stats = Counter()
        started = time.perf_counter()
        for _page in read_archive(path, stats, backend=backend):
            pass
        best = min(best, time.perf_counter() - started)
    return stats["records"] / best, stats["records"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=40)
    args = parser.parse_args(argv)
    bodies = pages()
    mean_kb = sum(map(len, bodies)) / len(bodies) / 1024
    work = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    try:
        print(f"{len(bodies)} eval pages, mean {mean_kb:.0f} kB, {args.copies} copies each")
        kept = None
        for level in (1, 6, 9):
            cpu, articles, size, path = write_archive(work / f"level{level}", bodies, args.copies, level)
            print(f"write, gzip level {level}: {cpu / articles * 1000:.2f} ms CPU and {size / articles / 1024:.1f} kB per article "
                  f"({size / (articles * mean_kb * 1024):.0%} of the page)")
            if level == 6:
                kept = path
        for backend in BACKENDS:
            rate, records = read_rate(kept, backend)
            print(f"read with {backend}: {rate:.0f} records/s ({records} records, HTML bodies decoded)")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
