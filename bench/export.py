"""Export benchmark: ``python -m crawler export`` over a synthetic OUTPUT_DIR of 100,000 articles.

    python bench/export.py [--items 100000] [--sources 10] [--keep DIR]

1. Builds OUTPUT_DIR/data/SOURCE/RUN_ID-NNNN.jsonl files of 500 lines, as the crawler
   writes them: ``--items`` distinct articles over ``--sources`` sources and the 12
   months of 2025, plus older versions of 5 % of them (written in earlier runs) and
   exact copies of 1 % under another URL (a later run). Each text is the paragraphs of
   the evaluation pages (``sitegen.paragraph_pool``) drawn in random order until it is
   as long as a randomly chosen real evaluation text, so rows are realistic in size;
   1 % of the articles are marked as near-duplicates.
2. Runs the real command in a child process for Parquet and for JSON Lines, and reads
   the child's peak RSS from ``wait4``: rows per second (articles exported / wall time,
   start-up included), peak RSS (target: under 500 MB), bytes per row of each format.
3. Adds one run file (new articles and new versions of old ones in three months) and
   runs ``--incremental``: the partitions rewritten and the time, then once more with
   nothing new (the no-op path).

Figures are printed, nothing is asserted: CPU timings are noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sitegen

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
LINES_PER_FILE = 500
VERSION_SHARE = 0.05
EXACT_COPY_SHARE = 0.01
NEAR_DUPLICATE_SHARE = 0.01
RSS_TARGET_MB = 500
OFFSETS = (timezone(timedelta(hours=2)), timezone(timedelta(hours=3)), timezone.utc)
YEAR_START = datetime(2025, 1, 1, tzinfo=timezone.utc)


@dataclass
class Corpus:
    pieces: list[str]
    lengths: list[int]  # character lengths of the real evaluation texts
    words: list[str]


def load_corpus() -> Corpus:
    files = sitegen.expected_files((sitegen.SHARED_EVAL, sitegen.LOCAL_EVAL))
    texts = [path.read_text(encoding="utf-8").strip() for path in files]
    return Corpus(sitegen.paragraph_pool(files), [len(text) for text in texts if text], sitegen.vocabulary(texts))


def article_text(rng: random.Random, corpus: Corpus) -> str:
    target = rng.choice(corpus.lengths)
    paragraphs, length = [], 0
    while length < target:
        piece = rng.choice(corpus.pieces)
        paragraphs.append(piece)
        length += len(piece) + 2
    paragraphs.append(sitegen.random_sentence(rng, corpus.words, (12, 20)))  # no two texts alike
    return "\n\n".join(paragraphs)


def make_record(rng: random.Random, corpus: Corpus, source: str, number: int, version: int = 1) -> dict:
    text = article_text(rng, corpus)
    offset = rng.choice(OFFSETS)
    published = (YEAR_START + timedelta(minutes=rng.randrange(365 * 24 * 60))).astimezone(offset)
    fetched = published + timedelta(hours=rng.randint(1, 48), days=version - 1)
    url = f"https://www.{source}.example/news/{published:%Y/%m/%d}/{number}"
    return {
        "url": url,
        "canonical_url": url,
        "source": source,
        "domain": f"{source}.example",
        "title": sitegen.random_sentence(rng, corpus.words, (6, 12)).rstrip("."),
        "text": text,
        "authors": rng.sample(corpus.words, rng.randint(0, 2)),
        "agency": rng.choice((None, None, None, "أ ف ب", "رويترز")),
        "published_at": published.isoformat(timespec="seconds"),
        "modified_at": None,
        "date_raw": published.strftime("%d/%m/%Y"),
        "description": text[:200],
        "image": f"https://www.{source}.example/img/{number}.jpg",
        "section": rng.choice(("سياسة", "اقتصاد", "رياضة", "ثقافة")),
        "tags": rng.sample(corpus.words, rng.randint(0, 4)),
        "language": "ar",
        "language_score": round(rng.uniform(0.9, 1.0), 6),
        "word_count": len(text.split()),
        "fetched_at": fetched.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "content_hash": hashlib.md5(text.encode()).hexdigest(),
        "version": version,
        "duplicate_of": None,
        "schema_version": 1,
    }


class RunFiles:
    """Writes one source's lines into RUN_ID-NNNN.jsonl files of LINES_PER_FILE lines."""

    def __init__(self, data_dir: Path, source: str, run_id: str):
        self.folder = data_dir / source
        self.folder.mkdir(parents=True, exist_ok=True)
        self.run_id = run_id
        self.number = 0
        self.lines = 0
        self.handle = None

    def write(self, record: dict) -> None:
        if self.handle is None or self.lines >= LINES_PER_FILE:
            self.close()
            self.number += 1
            self.handle = open(self.folder / f"{self.run_id}-{self.number:04d}.jsonl", "w", encoding="utf-8")
            self.lines = 0
        self.handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.lines += 1

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def build_output_dir(output_dir: Path, items: int, sources: int, seed: int) -> dict:
    """Write the synthetic OUTPUT_DIR; returns what it holds."""
    rng = random.Random(seed)
    corpus = load_corpus()
    data_dir = output_dir / "data"
    names = [f"source{index:02d}" for index in range(sources)]
    earlier = {name: RunFiles(data_dir, name, "20250101T000000Z") for name in names}  # older versions
    main = {name: RunFiles(data_dir, name, "20250601T000000Z") for name in names}
    later = {name: RunFiles(data_dir, name, "20251201T000000Z") for name in names}  # exact copies
    versions = copies = marked = 0
    first_urls: dict[str, str] = {}
    for number in range(items):
        source = names[number % sources]
        versioned = rng.random() < VERSION_SHARE
        record = make_record(rng, corpus, source, number, version=2 if versioned else 1)
        if versioned:
            old = dict(record, version=1, text=record["text"].rsplit("\n\n", 1)[0])
            old["content_hash"] = hashlib.md5(old["text"].encode()).hexdigest()
            earlier[source].write(old)
            versions += 1
        if first_urls and rng.random() < NEAR_DUPLICATE_SHARE:
            record["duplicate_of"] = rng.choice(list(first_urls.values()))
            marked += 1
        elif len(first_urls) < 1000:
            first_urls[record["url"]] = record["url"]
        main[source].write(record)
        if rng.random() < EXACT_COPY_SHARE:
            copy_url = record["url"] + "-copy"
            later[source].write(dict(record, url=copy_url, canonical_url=copy_url))
            copies += 1
    for writer in (*earlier.values(), *main.values(), *later.values()):
        writer.close()
    files = list(data_dir.rglob("*.jsonl"))
    return {
        "articles": items,
        "lines": items + versions + copies,
        "older_versions": versions,
        "exact_copies": copies,
        "near_duplicates_marked": marked,
        "files": len(files),
        "bytes": sum(path.stat().st_size for path in files),
    }


def add_run(output_dir: Path, seed: int, new_items: int = 1000) -> None:
    """One more run: new articles dated in three months, written by one source."""
    rng = random.Random(seed + 1)
    corpus = load_corpus()
    writer = RunFiles(output_dir / "data", "source00", "20260101T000000Z")
    for number in range(new_items):
        record = make_record(rng, corpus, "source00", 10_000_000 + number)
        month = 1 + number % 3
        published = datetime(2025, month, 15, 12, tzinfo=timezone.utc) + timedelta(minutes=number)
        record["published_at"] = published.isoformat(timespec="seconds")
        writer.write(record)
    writer.close()


@dataclass
class Measured:
    seconds: float
    cpu_seconds: float  # user + system of the export process
    peak_rss_mb: float
    output: str


def run_export(output_dir: Path, dest: Path, *extra: str) -> Measured:
    command = [sys.executable, "-m", "crawler", "export", "--output-dir", str(output_dir), "--to", str(dest), *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    output = process.stdout.read() + process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"export failed ({process.returncode}):\n{output}")
    return Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output.strip())


def dataset_bytes(dest: Path, suffix: str) -> int:
    return sum(path.stat().st_size for path in (dest / "data").rglob(f"*{suffix}"))


def duckdb_count(dest: Path) -> int | None:
    try:
        import duckdb
    except ImportError:
        return None
    return duckdb.sql(f"SELECT count(*) FROM '{dest}/**/*.parquet'").fetchall()[0][0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        output_dir = root / "output"
        if output_dir.exists():
            shutil.rmtree(output_dir)
        started = time.perf_counter()
        built = build_output_dir(output_dir, args.items, args.sources, args.seed)
        print(
            f"OUTPUT_DIR: {built['lines']:,} lines in {built['files']:,} files, {built['bytes'] / 1e6:,.1f} MB "
            f"({built['articles']:,} articles, {built['older_versions']:,} older versions, {built['exact_copies']:,} exact copies, "
            f"{built['near_duplicates_marked']:,} marked near-duplicates; built in {time.perf_counter() - started:.1f} s)"
        )
        rows = built["articles"]
        results = {}
        for file_format, suffix in (("parquet", ".parquet"), ("jsonl", ".jsonl.gz")):
            dest = root / f"dataset-{file_format}"
            shutil.rmtree(dest, ignore_errors=True)
            measured = run_export(output_dir, dest, "--format", file_format)
            size = dataset_bytes(dest, suffix)
            results[file_format] = (measured, size)
            print(
                f"{file_format:8s} {measured.seconds:7.1f} s  {rows / measured.seconds:8,.0f} rows/s  "
                f"CPU {measured.cpu_seconds:6.1f} s ({rows / measured.cpu_seconds:6,.0f} rows per CPU-second)  "
                f"peak RSS {measured.peak_rss_mb:6.1f} MB ({'ok' if measured.peak_rss_mb < RSS_TARGET_MB else 'MISSED'}: "
                f"< {RSS_TARGET_MB} MB)  {size / 1e6:8.1f} MB  {size / rows:7.0f} bytes/row"
            )
        parquet_size, jsonl_size = results["parquet"][1], results["jsonl"][1]
        print(
            f"bytes/row: input JSONL {built['bytes'] / built['lines']:.0f}, Parquet {parquet_size / rows:.0f}, "
            f"JSONL.gz {jsonl_size / rows:.0f} (Parquet/JSONL.gz = {parquet_size / jsonl_size:.2f})"
        )
        count = duckdb_count(root / "dataset-parquet")
        if count is not None:
            print(f"DuckDB: SELECT count(*) FROM 'DEST/**/*.parquet' = {count:,} ({'ok' if count == rows else 'WRONG'})")

        add_run(output_dir, args.seed)
        dest = root / "dataset-parquet"
        incremental = run_export(output_dir, dest, "--incremental")
        print(
            f"incremental, 1,000 new articles in 3 months: {incremental.seconds:.1f} s (CPU {incremental.cpu_seconds:.1f} s), "
            f"peak RSS {incremental.peak_rss_mb:.0f} MB"
        )
        print("  " + incremental.output.replace("\n", "\n  "))
        nothing = run_export(output_dir, dest, "--incremental")
        print(f"incremental, nothing new: {nothing.seconds:.1f} s (CPU {nothing.cpu_seconds:.1f} s): {nothing.output}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
