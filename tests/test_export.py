"""The dataset export: ``python -m crawler export`` over OUTPUT_DIRs of real crawls.

The module's OUTPUT_DIR is built by three real crawls of a local site (``ChangingSite``):

1. eight articles, published in January, February and March 2025;
2. article 0 changed (version 2), article 8 new, article 50 a syndicated copy of
   article 1 (``duplicate_of``);
3. on a second machine (its own OUTPUT_DIR, whose files are then copied in): article 61,
   an exact copy of article 2's text under another URL, and article 5 again (version 1
   once more, fetched later).

Then a killed run's ``.part`` file is left beside them (whole lines and a cut one, with
an article that must never appear). Every export test copies nothing it changes: tests
that add input work on their own copy.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from crawler.export import ExportError, ExportOptions, Selection, export_dataset
from crawler.export.exporter import DATA_DIR
from crawler.export.state import STATE_FILE
from crawler.jsonl_writer import RotatingJsonlWriter, encode_record
from crawler.local_site import serve_directory
from tests.cli import run_in_pty
from tests.conftest import REPO
from tests.crawling import run_crawl
from tests.test_incremental import STORIES, SYNDICATION_INTRO, ChangingSite, sources_file

MONTHS = ("2025-01-10", "2025-02-10", "2025-03-10")
CHANGE = "وأضاف المتحدث أن اللجنة ستعقد اجتماعا جديدا الأسبوع المقبل لمتابعة تنفيذ القرارات."


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def crawl(output: Path, sources: Path):
    return run_crawl(output, source="testsite", sources_file=str(sources), since="2020-01-01")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """OUTPUT_DIR of three real crawls and a killed run's .part file (see the module docstring)."""
    tmp = tmp_path_factory.mktemp("crawled")
    root = tmp / "site"
    root.mkdir()
    site = ChangingSite(root)
    channels = ("sitemap", "news", "feed", "section")
    for number in range(8):
        site.add(number, channels[number % 4], lastmod=MONTHS[number % 3])
    output = tmp / "output"
    with serve_directory(root) as server:
        sources = sources_file(tmp, server.base_url)
        first = crawl(output, sources)
        assert len(first.items) == 8

        site.change("/article/0.html", CHANGE, "2025-01-20")
        site.add(8, "sitemap", lastmod=MONTHS[2])
        site.add(50, "sitemap", text=SYNDICATION_INTRO + "\n\n" + STORIES[1] + "\n\n(أ ف ب)", lastmod="2025-02-12")
        # A second machine, with its own OUTPUT_DIR, crawls a sitemap that lists an exact copy of
        # article 2 (linked from nowhere else) and article 5; its files are then copied in.
        site.add(61, "none", text=STORIES[2], lastmod="2025-03-15")
        (root / "sitemap-again.xml").write_text(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            "<url><loc>{{BASE_URL}}/article/61.html</loc></url><url><loc>{{BASE_URL}}/article/5.html</loc></url></urlset>",
            encoding="utf-8",
        )
        again = tmp / "again.toml"
        again.write_text(
            sources.read_text(encoding="utf-8").replace("/sitemap.xml", "/sitemap-again.xml").replace(
                f'feeds = ["{server.base_url}/feed.xml"]\nsections = ["{server.base_url}/section.html"]\n', ""
            ),
            encoding="utf-8",
        )
        with ThreadPoolExecutor(2) as pool:  # two independent crawl processes at once
            second_run = pool.submit(crawl, output, sources)
            third_run = pool.submit(crawl, tmp / "output-b", again)
            second, third = second_run.result(), third_run.result()
        assert sorted(path_of(item["url"]) for item in second.items) == ["/article/0.html", "/article/50.html", "/article/8.html"]
        assert sorted(path_of(item["url"]) for item in third.items) == ["/article/5.html", "/article/61.html"]
        assert third.items[0]["fetched_at"] > max(item["fetched_at"] for item in first.items)
        for path in (tmp / "output-b" / "data" / "testsite").glob("*.jsonl"):
            shutil.copy2(path, output / "data" / "testsite" / f"b-{path.name}")

    records = {path_of(r["url"]): r for r in first.items + second.items}
    # A killed run: two whole lines in a .part file, and a cut one.
    never = dict(records["/article/3.html"], version=9, text="نص لم يكتمل حفظه أبدا " * 20)
    new = dict(records["/article/4.html"], url=records["/article/4.html"]["url"].replace("/4.html", "/99.html"))
    new["canonical_url"] = new["url"]
    part = output / "data" / "testsite" / "20991231T000000Z-0001.jsonl.part"
    part.write_text(encode_record(never) + encode_record(new) + encode_record(never)[:80], encoding="utf-8")
    return {"output": output, "sources": sources, "first": first, "second": second, "third": third, "base": server.base_url}


def export(output: Path, dest: Path, sources_file: Path | None = None, **options):
    selection = {key: options.pop(key) for key in ("sources", "since", "until", "near_duplicates") if key in options}
    return export_dataset(
        ExportOptions(output_dir=output, dest=dest, selection=Selection(**selection), sources_file=sources_file, **options)
    )


def parquet_files(dest: Path) -> list[Path]:
    return sorted((dest / DATA_DIR).rglob("*.parquet"))


def read_rows(dest: Path) -> list[dict]:
    # pyarrow.parquet reads hive partition values as dictionaries, as the source column is stored.
    return pq.read_table(dest / DATA_DIR).to_pylist()


def rows_by_path(dest: Path) -> dict[str, dict]:
    rows = read_rows(dest)
    by_path = {path_of(row["url"]): row for row in rows}
    assert len(by_path) == len(rows), "an article appears twice"
    return by_path


def front_matter(card: str) -> dict:
    assert card.startswith("---\n")
    header, _, _body = card[4:].partition("\n---\n")
    return yaml.safe_load(header)


EXPECTED_PATHS = sorted(f"/article/{n}.html" for n in (*range(9), 50))


@pytest.fixture(scope="module")
def parquet_export(crawled, tmp_path_factory):
    dest = tmp_path_factory.mktemp("exports") / "dataset"
    summary = export(crawled["output"], dest, crawled["sources"])
    return dest, summary


# --- rows: latest versions, copies, the killed run -------------------------------------


def test_one_row_per_article_at_its_latest_version(crawled, parquet_export):
    dest, summary = parquet_export
    rows = rows_by_path(dest)
    assert sorted(rows) == EXPECTED_PATHS  # no .part article (99), no exact copy (61)
    assert rows["/article/0.html"]["version"] == 2
    assert rows["/article/0.html"]["text"].endswith(CHANGE)
    assert all(row["version"] == 1 for path, row in rows.items() if path != "/article/0.html")
    # Article 5 was emitted twice with version 1: the later fetch wins.
    fetched = {path_of(i["url"]): i["fetched_at"] for i in crawled["third"].items}
    assert rows["/article/5.html"]["fetched_at"] == pd.Timestamp(fetched["/article/5.html"]).to_pydatetime()
    assert not any("لم يكتمل" in row["text"] for row in rows.values())
    assert summary.lines_read == summary.lines == 13 and summary.files_read == summary.files == 3
    assert summary.part_files_ignored == 1
    assert summary.counts.superseded == 2  # article 0's version 1, article 5's first line
    assert summary.counts.exact_duplicates == 1
    assert summary.counts.selected == summary.rows_written == 10


def test_exact_duplicates_never_twice_the_first_copy_stays(parquet_export):
    dest, _summary = parquet_export
    rows = read_rows(dest)
    hashes = [row["content_hash"] for row in rows]
    assert len(hashes) == len(set(hashes))
    by_path = rows_by_path(dest)
    # Article 61 has article 2's text; article 2 was fetched two runs earlier.
    assert "/article/61.html" not in by_path
    assert by_path["/article/2.html"]["published_at"].date().isoformat() == "2025-03-10"


def test_near_duplicates_are_marked_by_default(parquet_export):
    dest, summary = parquet_export
    rows = rows_by_path(dest)
    assert rows["/article/50.html"]["duplicate_of"] == rows["/article/1.html"]["canonical_url"]
    assert [p for p, row in rows.items() if row["duplicate_of"]] == ["/article/50.html"]
    assert summary.counts.near_duplicates_marked == 1


@pytest.mark.parametrize("policy, expected_paths, marked", [
    ("drop", [p for p in EXPECTED_PATHS if p != "/article/50.html"], []),
    ("keep", EXPECTED_PATHS, []),
    ("mark", EXPECTED_PATHS, ["/article/50.html"]),
])
def test_near_duplicate_policies(crawled, tmp_path, policy, expected_paths, marked):
    summary = export(crawled["output"], tmp_path / "dataset", near_duplicates=policy)
    rows = rows_by_path(tmp_path / "dataset")
    assert sorted(rows) == sorted(expected_paths)
    assert sorted(p for p, row in rows.items() if row["duplicate_of"]) == marked
    assert summary.counts.near_duplicates_dropped == (1 if policy == "drop" else 0)


def test_partitions_by_source_and_month_of_publication(parquet_export):
    dest, summary = parquet_export
    folders = sorted(str(path.parent.relative_to(dest / DATA_DIR)) for path in parquet_files(dest))
    assert folders == ["source=testsite/month=2025-01", "source=testsite/month=2025-02", "source=testsite/month=2025-03"]
    assert [path.name for path in parquet_files(dest)] == ["part-0000.parquet"] * 3
    by_month = {}
    for path in parquet_files(dest):
        table = pq.read_table(path)
        months = {value.strftime("%Y-%m") for value in table.column("published_at").to_pylist()}
        by_month[path.parent.name] = months
    # Published at 08:00+03:00: the month of the stated date, which is also the UTC one here.
    assert by_month == {"month=2025-01": {"2025-01"}, "month=2025-02": {"2025-02"}, "month=2025-03": {"2025-03"}}
    assert summary.partitions == summary.partitions_written == 3


# --- readers and types -----------------------------------------------------------------


def test_arrow_types_come_from_the_json_schema(parquet_export):
    dest, _summary = parquet_export
    schema = pq.read_schema(parquet_files(dest)[0])
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("fetched_at").type == pa.timestamp("us", tz="UTC")
    assert not schema.field("fetched_at").nullable and schema.field("published_at").nullable
    assert schema.field("authors").type == pa.list_(pa.string())
    assert schema.field("tags").type == pa.list_(pa.string())
    assert schema.field("word_count").type == pa.int64()
    assert schema.field("language_score").type == pa.float64()
    assert schema.field("source").type == pa.dictionary(pa.int32(), pa.string())
    schema_file = json.loads((REPO / "crawler" / "article.schema.json").read_text(encoding="utf-8"))
    assert schema.names == list(schema_file["properties"])


def test_instants_are_the_written_ones_in_utc(crawled, parquet_export):
    dest, _summary = parquet_export
    rows = rows_by_path(dest)
    for item in crawled["first"].items:
        path = path_of(item["url"])
        if path in ("/article/0.html", "/article/5.html"):
            continue  # later versions
        assert rows[path]["published_at"] == pd.Timestamp(item["published_at"]).to_pydatetime()
        assert rows[path]["published_at"].utcoffset().total_seconds() == 0
    assert rows["/article/3.html"]["published_at"].isoformat() == "2025-01-10T05:00:00+00:00"


def test_pandas_and_duckdb_load_the_export(parquet_export):
    dest, _summary = parquet_export
    frame = pd.read_parquet(dest / DATA_DIR)
    assert len(frame) == 10
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    assert set(frame["month"].astype(str)) == {"2025-01", "2025-02", "2025-03"}
    assert set(frame["source"].astype(str)) == {"testsite"}
    connection = duckdb.connect()
    count = connection.execute(f"SELECT count(*) FROM '{dest}/**/*.parquet'").fetchone()[0]
    assert count == 10
    types = connection.execute(
        f"SELECT typeof(published_at), typeof(tags), typeof(authors), typeof(version) FROM '{dest}/**/*.parquet' LIMIT 1"
    ).fetchone()
    assert types == ("TIMESTAMP WITH TIME ZONE", "VARCHAR[]", "VARCHAR[]", "BIGINT")
    per_month = connection.execute(
        f"SELECT month, count(*) FROM '{dest}/**/*.parquet' GROUP BY month ORDER BY month"
    ).fetchall()
    assert per_month == [("2025-01", 3), ("2025-02", 4), ("2025-03", 3)]


def test_hugging_face_datasets_loads_the_export(parquet_export, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")  # not a requirement: checked where it is installed
    dest, _summary = parquet_export
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    loaded = datasets.load_dataset("parquet", data_dir=str(dest), cache_dir=str(tmp_path / "cache"))
    assert loaded["train"].num_rows == 10
    assert str(loaded["train"].features["published_at"]) == "Value('timestamp[us, tz=UTC]')"
    by_card = datasets.load_dataset(str(dest), cache_dir=str(tmp_path / "cache2"))
    assert by_card["train"].num_rows == 10


# --- the dataset card ------------------------------------------------------------------


def test_card_yaml_parses_and_its_globs_match_the_files(parquet_export):
    dest, _summary = parquet_export
    card = (dest / "README.md").read_text(encoding="utf-8")
    header = front_matter(card)
    assert header["language"] == ["ar"]
    assert "text-generation" in header["task_categories"]
    files = {str(path.relative_to(dest)) for path in parquet_files(dest)}
    (default,) = [config for config in header["configs"] if config["config_name"] == "default"]
    matched = {str(path.relative_to(dest)) for entry in default["data_files"] for path in dest.glob(entry["path"])}
    assert matched == files
    features = [feature["name"] for feature in header["dataset_info"]["features"]]
    assert features == pq.read_schema(parquet_files(dest)[0]).names
    by_name = {feature["name"]: feature for feature in header["dataset_info"]["features"]}
    assert by_name["published_at"] == {"name": "published_at", "dtype": "timestamp[us, tz=UTC]"}
    assert by_name["tags"] == {"name": "tags", "list": "string"}
    assert by_name["source"] == {"name": "source", "dtype": "string"}
    assert header["dataset_info"]["splits"][0]["num_examples"] == 10


def test_card_body_counts_policy_schema_version_and_sources(parquet_export):
    dest, _summary = parquet_export
    card = (dest / "README.md").read_text(encoding="utf-8")
    for month, rows in (("2025-01", 3), ("2025-02", 4), ("2025-03", 3)):
        assert f"| testsite | {month} | {rows} |" in card
    assert "| **all** | 2025-01 to 2025-03 | **10** |" in card
    assert "Dates range from **2025-01-10** to **2025-03-10**" in card
    assert "policy **`mark`**" in card and "(1 marked)" in card
    assert "the copy fetched first is kept (1 removed)" in card
    assert "| `published_at` | timestamp[us, tz=UTC] | yes |" in card
    assert "| testsite | أخبار الاختبار | 127.0.0.1 |" in card  # the outlet, from the registry
    import crawler

    assert f"arabic-news-crawler {crawler.__version__}" in card


def test_card_has_one_config_per_source_whose_glob_matches_its_files(crawled, tmp_path):
    output = tmp_path / "output"
    shutil.copytree(crawled["output"], output)
    other = output / "data" / "othersite"
    other.mkdir()
    record = json.loads((next((output / "data" / "testsite").glob("*.jsonl"))).read_text(encoding="utf-8").splitlines()[0])
    record.update(source="othersite", url="https://other.example/a/1", canonical_url="https://other.example/a/1", content_hash="f" * 32)
    (other / "20250401T000000Z-0001.jsonl").write_text(encode_record(record), encoding="utf-8")
    dest = tmp_path / "dataset"
    export(output, dest)
    header = front_matter((dest / "README.md").read_text(encoding="utf-8"))
    configs = {config["config_name"]: config for config in header["configs"]}
    assert set(configs) == {"default", "testsite", "othersite"}
    for name in ("testsite", "othersite"):
        (entry,) = configs[name]["data_files"]
        matched = sorted(dest.glob(entry["path"]))
        assert matched and all(f"source={name}" in str(path) for path in matched)
    all_files = {p for entry in configs["default"]["data_files"] for p in dest.glob(entry["path"])}
    assert all_files == set(parquet_files(dest))


# --- JSON Lines, filters, fields ------------------------------------------------------


def test_jsonl_export_is_gzipped_sharded_the_same_way_and_keeps_offsets(crawled, tmp_path):
    dest = tmp_path / "dataset"
    export(crawled["output"], dest, file_format="jsonl")
    files = sorted((dest / DATA_DIR).rglob("*.jsonl.gz"))
    assert [str(p.relative_to(dest / DATA_DIR)) for p in files] == [
        f"source=testsite/month={m}/part-0000.jsonl.gz" for m in ("2025-01", "2025-02", "2025-03")
    ]
    rows = []
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            raw = handle.read()
        assert "\\u06" not in raw  # real UTF-8 Arabic, no escapes
        rows.extend(json.loads(line) for line in raw.splitlines())
    assert sorted(path_of(r["url"]) for r in rows) == EXPECTED_PATHS
    by_path = {path_of(r["url"]): r for r in rows}
    assert by_path["/article/3.html"]["published_at"] == "2025-01-10T08:00:00+03:00"
    assert by_path["/article/0.html"]["version"] == 2
    header = front_matter((dest / "README.md").read_text(encoding="utf-8"))
    (entry,) = header["configs"][0]["data_files"]
    assert set(dest.glob(entry["path"])) == set(files)
    features = {f["name"]: f for f in header["dataset_info"]["features"]}
    assert features["published_at"]["dtype"] == "string"
    count = duckdb.connect().execute(f"SELECT count(*) FROM read_json('{dest}/**/*.jsonl.gz')").fetchone()[0]
    assert count == 10


def test_since_until_and_source_select_by_publication_date(crawled, tmp_path):
    summary = export(crawled["output"], tmp_path / "feb", since="2025-02-01", until="2025-02-28", sources=("testsite",))
    assert sorted(rows_by_path(tmp_path / "feb")) == ["/article/1.html", "/article/4.html", "/article/50.html", "/article/7.html"]
    assert summary.counts.filtered_out == 7  # 11 articles indexed (61 included), 4 in February
    export(crawled["output"], tmp_path / "from-march", since="2025-03-01")
    assert sorted(rows_by_path(tmp_path / "from-march")) == ["/article/2.html", "/article/5.html", "/article/8.html"]


def test_an_exact_copy_outside_the_selection_does_not_hide_the_other(crawled, tmp_path):
    # Article 61 (2025-03-15) is a copy of article 2 (2025-03-10); without article 2, it stays.
    export(crawled["output"], tmp_path / "late", since="2025-03-11")
    assert sorted(rows_by_path(tmp_path / "late")) == ["/article/61.html"]


def test_fields_selects_columns_in_the_order_given(crawled, tmp_path):
    dest = tmp_path / "dataset"
    export(crawled["output"], dest, fields=("title", "text", "published_at", "url"))
    schema = pq.read_schema(parquet_files(dest)[0])
    assert schema.names == ["title", "text", "published_at", "url"]
    header = front_matter((dest / "README.md").read_text(encoding="utf-8"))
    assert [f["name"] for f in header["dataset_info"]["features"]] == ["title", "text", "published_at", "url"]
    with pytest.raises(ExportError, match="unknown field"):
        export(crawled["output"], tmp_path / "other", fields=("title", "body"))


# --- incremental and atomic ------------------------------------------------------------


def shard_identity(dest: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(dest)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in parquet_files(dest)}


def commit_file(output: Path, source: str, run_id: str, records: list[dict]) -> None:
    """A run file committed by the crawler's own writer."""
    writer = RotatingJsonlWriter(output / "data" / source, run_id)
    for record in records:
        writer.write(record)
    writer.commit()


def test_incremental_rewrites_only_changed_partitions(crawled, tmp_path):
    output = tmp_path / "output"
    shutil.copytree(crawled["output"], output)
    dest = tmp_path / "dataset"
    export(output, dest, incremental=True)
    before = shard_identity(dest)
    rows = rows_by_path(dest)

    # A later run: article 3 (January) changed and is now dated in February.
    changed = dict(rows["/article/3.html"], version=2, text=rows["/article/3.html"]["text"] + "\n\n" + CHANGE)
    del changed["month"]  # the partition column, not a field
    changed.update(
        published_at="2025-02-20T05:00:00+00:00", published_date="2025-02-20", published_time="08:00:00",
        fetched_at="2026-01-01T00:00:00+00:00", content_hash="a" * 32,
        modified_at=None, modified_date=None, modified_time=None, source="testsite",
    )
    commit_file(output, "testsite", "20260101T000000Z", [changed])
    summary = export(output, dest, incremental=True)
    assert summary.files == 4 and summary.files_read == 1  # the other files' entries are in DEST's index
    assert summary.lines == 14 and summary.lines_read == 1
    assert summary.partitions_written == 2 and summary.partitions_unchanged == 1
    after = shard_identity(dest)
    march = "data/source=testsite/month=2025-03/part-0000.parquet"
    assert after[march] == before[march]  # untouched
    assert all(after[name] != before[name] for name in before if name != march)
    rows = rows_by_path(dest)
    assert rows["/article/3.html"]["version"] == 2
    january = pq.read_table(dest / "data/source=testsite/month=2025-01/part-0000.parquet").column("url").to_pylist()
    assert not any(url.endswith("/article/3.html") for url in january)  # moved out, not duplicated
    assert len(rows) == 10

    # Nothing new: nothing is read or written.
    again = export(output, dest, incremental=True)
    assert again.up_to_date and again.lines_read == 0
    assert shard_identity(dest) == after

    # Other options: only partitions whose rows differ are rewritten (February holds the copy).
    dropped = export(output, dest, incremental=True, near_duplicates="drop")
    assert dropped.partitions_written == 1 and dropped.partitions_unchanged == 2
    assert "/article/50.html" not in rows_by_path(dest)
    state = json.loads((dest / STATE_FILE).read_text(encoding="utf-8"))
    assert state["options"]["near_duplicates"] == "drop"


def test_the_index_in_dest_follows_removed_files_and_schema_changes(crawled, tmp_path):
    output = tmp_path / "output"
    shutil.copytree(crawled["output"], output)
    dest = tmp_path / "dataset"
    export(output, dest, incremental=True)
    for path in (output / "data" / "testsite").glob("b-*.jsonl"):  # the second machine's file
        path.unlink()
    summary = export(output, dest, incremental=True)
    assert summary.files == 2 and summary.files_read == 0 and summary.lines == 11
    rows = rows_by_path(dest)
    first_fetch = {path_of(i["url"]): i["fetched_at"] for i in crawled["first"].items}
    assert rows["/article/5.html"]["fetched_at"] == pd.Timestamp(first_fetch["/article/5.html"]).to_pydatetime()
    assert summary.partitions_written == 1  # March: article 5's line changed
    # Another item schema: every file is indexed again.
    changed_schema = export(output, dest, incremental=True, schema_path=schema_v1(tmp_path / "v1.schema.json"))
    assert changed_schema.files_read == 2 and changed_schema.partitions_written == 3


def test_incremental_repairs_a_partition_whose_files_changed(crawled, tmp_path):
    dest = tmp_path / "dataset"
    export(crawled["output"], dest, incremental=True)
    victim = dest / "data/source=testsite/month=2025-02/part-0000.parquet"
    victim.unlink()
    summary = export(crawled["output"], dest, incremental=True)
    assert not summary.up_to_date and summary.partitions_written == 1
    assert victim.exists() and len(read_rows(dest)) == 10


def test_full_export_into_a_previous_export_removes_stale_partitions(crawled, tmp_path):
    dest = tmp_path / "dataset"
    export(crawled["output"], dest)
    summary = export(crawled["output"], dest, since="2025-02-01")
    assert summary.partitions_removed == 1
    assert not (dest / "data/source=testsite/month=2025-01").exists()
    assert len(read_rows(dest)) == 7


def test_a_damaged_state_file_rewrites_everything_and_leaves_no_stale_partition(crawled, tmp_path):
    dest = tmp_path / "dataset"
    export(crawled["output"], dest, incremental=True)
    (dest / STATE_FILE).write_text("{damaged", encoding="utf-8")
    summary = export(crawled["output"], dest, incremental=True, since="2025-02-01")
    assert summary.partitions_written == 2 and summary.partitions_removed == 1
    assert sorted(p.parent.name for p in parquet_files(dest)) == ["month=2025-02", "month=2025-03"]
    assert json.loads((dest / STATE_FILE).read_text(encoding="utf-8"))["inputs"]


def test_export_into_the_current_folder(crawled, tmp_path, monkeypatch):
    dest = tmp_path / "dataset"
    dest.mkdir()
    monkeypatch.chdir(dest)
    export(crawled["output"], Path("."))
    assert len(read_rows(dest)) == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]  # the staging folder is gone


def synthetic_record(number: int, month: int, version: int) -> dict:
    url = f"https://kill.example/news/{number}"
    text = f"نص الخبر رقم {number} في نسخته {version}. " * 30
    return {
        "url": url, "canonical_url": url, "source": "killsite", "domain": "kill.example", "title": f"خبر {number}",
        "text": text, "authors": ["كاتب"], "agency": None,
        "published_at": f"2023-{month:02d}-05T10:00:00+02:00" if month <= 12 else f"2024-{month - 12:02d}-05T10:00:00+02:00",
        "modified_at": None, "date_raw": None, "description": None, "image": None, "section": None, "tags": ["أ", "ب"],
        "language": "ar", "language_score": 0.99, "word_count": len(text.split()),
        "fetched_at": f"2025-0{version}-01T00:00:00+00:00", "content_hash": f"{number:08x}{version:024x}",
        "version": version, "duplicate_of": None, "schema_version": 1,
    }


KILL_MONTHS, PER_MONTH = 24, 12
EXPORT_SCRIPT = """
import sys
from pathlib import Path
from crawler.export import ExportOptions, export_dataset
export_dataset(ExportOptions(output_dir=Path(sys.argv[1]), dest=Path(sys.argv[2]), incremental=True,
                             shard_bytes=1, row_group_rows=4))
"""


def check_partitions_whole(dest: Path) -> set[int]:
    """Every partition is all old rows or all new ones; returns the versions seen."""
    versions_seen = set()
    months = sorted((dest / DATA_DIR / "source=killsite").iterdir())
    assert [m.name for m in months] == [f"month={y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]
    for month in months:
        shards = sorted(month.iterdir())
        assert [s.name for s in shards] == [f"part-{n:04d}.parquet" for n in range(3)]  # 12 rows, 4 per shard
        versions = {v for shard in shards for v in pq.read_table(shard).column("version").to_pylist()}
        rows = sum(pq.read_metadata(shard).num_rows for shard in shards)
        assert rows == PER_MONTH and len(versions) == 1, f"{month.name} mixes versions {versions}"
        versions_seen |= versions
    count = duckdb.connect().execute(f"SELECT count(*), count(DISTINCT url) FROM '{dest}/**/*.parquet'").fetchone()
    assert count == (KILL_MONTHS * PER_MONTH,) * 2
    return versions_seen


def test_sigkill_leaves_every_partition_whole(tmp_path):
    output, dest = tmp_path / "output", tmp_path / "dataset"
    numbers = [(n, 1 + n % KILL_MONTHS) for n in range(KILL_MONTHS * PER_MONTH)]
    commit_file(output, "killsite", "20250101T000000Z", [synthetic_record(n, m, 1) for n, m in numbers])
    export(output, dest, incremental=True, shard_bytes=1, row_group_rows=4)
    assert check_partitions_whole(dest) == {1}
    commit_file(output, "killsite", "20250201T000000Z", [synthetic_record(n, m, 2) for n, m in numbers])

    rng = random.Random(14)
    state_file = dest / STATE_FILE
    mixed_seen = 0
    for trial in range(5):
        process = subprocess.Popen(
            [sys.executable, "-c", EXPORT_SCRIPT, str(output), str(dest)], cwd=REPO, start_new_session=True,
            stderr=subprocess.DEVNULL,
        )
        target = rng.randint(1, 6)
        before = json.loads(state_file.read_text(encoding="utf-8"))["partitions"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                now = json.loads(state_file.read_text(encoding="utf-8"))["partitions"]
            except (OSError, ValueError):
                continue
            if sum(now[k]["digest"] != before.get(k, {}).get("digest") for k in now) >= target:
                break
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.05))  # anywhere in the next partition's writing or swap
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        versions = check_partitions_whole(dest)
        mixed_seen += versions == {1, 2}
        if versions == {2}:
            break
    assert mixed_seen, "no kill landed in the middle of an export"
    finished = subprocess.run([sys.executable, "-c", EXPORT_SCRIPT, str(output), str(dest)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert check_partitions_whole(dest) == {2}
    assert not (tmp_path / ".dataset.staging").exists()


# --- schema versions -------------------------------------------------------------------


def schema_v1(path: Path) -> Path:
    """The item schema before issue 11: one published_at and one modified_at, schema_version 1."""
    schema = json.loads((REPO / "crawler" / "article.schema.json").read_text(encoding="utf-8"))
    dropped = {f"{prefix}_{part}" for prefix in ("published", "modified") for part in ("date", "time")}
    schema["properties"] = {name: spec for name, spec in schema["properties"].items() if name not in dropped}
    schema["properties"]["schema_version"] = {"const": 1}
    schema["required"] = [name for name in schema["required"] if name not in dropped]
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def v1_record(number: int, published_at: str | None) -> dict:
    record = synthetic_record(number, 1, 1)
    record.update(source="mixed", published_at=published_at, schema_version=1)
    return record


def test_v1_files_are_mapped_into_the_v2_schema(tmp_path):
    output = tmp_path / "output"
    # Written by hand: a v1 line (published_at only), then v2 lines (date without time or offset).
    v1 = v1_record(1, "2024-03-01T01:30:00+03:00")  # local date 1 March, UTC 29 February
    v2_dated = dict(v1_record(2, None), schema_version=2, published_date="2024-02-10", published_time=None,
                    modified_date=None, modified_time=None)
    v2_timed = dict(v1_record(3, "2024-02-11T09:15:00+00:00"), schema_version=2, published_date="2024-02-11",
                    published_time="11:15:00", modified_date=None, modified_time=None)
    folder = output / "data" / "mixed"
    folder.mkdir(parents=True)
    (folder / "20240301T000000Z-0001.jsonl").write_text(encode_record(v1), encoding="utf-8")
    (folder / "20260101T000000Z-0001.jsonl").write_text(encode_record(v2_dated) + encode_record(v2_timed), encoding="utf-8")
    dest = tmp_path / "dataset"
    summary = export(output, dest)

    schema = pq.read_schema(parquet_files(dest)[0])
    assert schema.field("published_date").type == pa.date32()
    assert schema.field("published_time").type == pa.time64("us")
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    rows = {row["url"].rsplit("/", 1)[1]: row for row in read_rows(dest)}
    assert str(rows["1"]["published_date"]) == "2024-03-01" and str(rows["1"]["published_time"]) == "01:30:00"
    assert rows["1"]["published_at"].isoformat() == "2024-02-29T22:30:00+00:00"
    assert str(rows["2"]["published_date"]) == "2024-02-10" and rows["2"]["published_time"] is None
    assert rows["2"]["published_at"] is None
    assert {row["schema_version"] for row in rows.values()} == {2}
    folders = sorted(str(p.parent.relative_to(dest / DATA_DIR)) for p in parquet_files(dest))
    assert folders == ["source=mixed/month=2024-02", "source=mixed/month=2024-03"]  # by the stated date
    assert summary.counts.upgraded == {1: 1}
    card = (dest / "README.md").read_text(encoding="utf-8")
    assert "Item schema version 2" in card and "1 from version 1" in card
    features = {f["name"]: f for f in front_matter(card)["dataset_info"]["features"]}
    assert features["published_date"]["dtype"] == "date32" and features["published_time"]["dtype"] == "time64[us]"
    assert duckdb.connect().execute(
        f"SELECT typeof(published_date), typeof(published_time) FROM '{dest}/**/*.parquet' LIMIT 1"
    ).fetchone() == ("DATE", "TIME")


def test_v2_lines_under_the_v1_schema_keep_their_stated_month(tmp_path):
    output = tmp_path / "output"
    folder = output / "data" / "mixed"
    folder.mkdir(parents=True)
    line = dict(v1_record(2, None), schema_version=2, published_date="2024-02-10", published_time=None)
    (folder / "20260101T000000Z-0001.jsonl").write_text(encode_record(line), encoding="utf-8")
    export(output, tmp_path / "dataset", schema_path=schema_v1(tmp_path / "v1.schema.json"))
    (path,) = parquet_files(tmp_path / "dataset")
    assert path.parent.name == "month=2024-02"
    assert "published_date" not in pq.read_schema(path).names


# --- bad input and arguments -----------------------------------------------------------


def test_bad_lines_are_counted_never_fatal(tmp_path):
    output = tmp_path / "output"
    folder = output / "data" / "mixed"
    folder.mkdir(parents=True)
    good = v1_record(1, "2024-03-01T10:00:00+03:00")
    bad_date = dict(v1_record(2, None), published_at=12, image=["not", "a", "url"])  # nullable: set to null
    no_hash = {k: v for k, v in v1_record(3, None).items() if k != "content_hash"}
    not_json = "{not json\n"
    array = "[1, 2]\n"
    (folder / "20240301T000000Z-0001.jsonl").write_text(
        encode_record(good) + encode_record(bad_date) + encode_record(no_hash) + not_json + array + "\n",
        encoding="utf-8",
    )
    (folder / "20240301T000000Z-0002.jsonl").write_bytes(b'{"url": "\xff\xfe"}\n')
    summary = export(output, tmp_path / "dataset")
    assert summary.invalid_lines == 4
    assert summary.values_nulled == 2
    rows = {row["url"].rsplit("/", 1)[1]: row for row in read_rows(tmp_path / "dataset")}
    assert sorted(rows) == ["1", "2"]
    assert rows["2"]["published_at"] is None and rows["2"]["image"] is None


def cli(*arguments: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "export", *arguments], cwd=REPO, capture_output=True, text=True, timeout=120, **kwargs
    )


def cli_in_process(capsys, *arguments: str) -> tuple[int, str, str]:
    from crawler.cli import main

    try:
        code = main(["export", *arguments])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_exit_codes_for_bad_arguments(crawled, tmp_path, capsys):
    output = str(crawled["output"])
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    cases = [
        (["--output-dir", output, "--to", str(foreign)], "not empty"),
        (["--output-dir", output, "--to", str(crawled["output"] / "data" / "x")], "must not be inside"),
        (["--output-dir", str(tmp_path / "nothing"), "--to", str(tmp_path / "d1")], "does not exist"),
        (["--output-dir", output, "--to", str(tmp_path / "d2"), "--source", "nosuch"], "no data for source"),
        (["--output-dir", output, "--to", str(tmp_path / "d3"), "--fields", "title,nosuch"], "unknown field"),
        (["--output-dir", output, "--to", str(tmp_path / "d4"), "--since", "2025-13-01"], "not a date"),
        (["--output-dir", output, "--to", str(tmp_path / "d5"), "--since", "2025-03-01", "--until", "2025-02-01"], "after"),
        (["--output-dir", output, "--to", str(tmp_path / "d6"), "--shard-size", "0"], "not a positive number"),
        (["--output-dir", output, "--to", str(tmp_path / "d7"), "--near-duplicates", "ignore"], "invalid choice"),
    ]
    for arguments, message in cases:
        code, _out, err = cli_in_process(capsys, *arguments)
        assert code == 2, (arguments, err)
        assert message in err, (arguments, err)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    assert not any((tmp_path / name).exists() for name in ("d1", "d2", "d3", "d4", "d5", "d6", "d7"))


def test_cli_exports_quietly_without_a_terminal_and_refuses_a_second_export(crawled, tmp_path):
    from crawler.cron import exclusive_lock

    dest = tmp_path / "dataset"
    done = cli("--output-dir", str(crawled["output"]), "--to", str(dest), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "10 articles" in done.stdout and "3 partitions" in done.stdout
    with exclusive_lock(dest) as locked:
        assert locked
        busy = cli("--output-dir", str(crawled["output"]), "--to", str(dest))
    assert busy.returncode == 75 and "another export" in busy.stderr


def test_progress_is_shown_on_a_terminal(crawled, tmp_path):
    status, shown = run_in_pty(
        [sys.executable, "-m", "crawler", "export", "--output-dir", str(crawled["output"]), "--to", str(tmp_path / "d")],
        stdout_on_terminal=False, columns=100, timeout=120,
    )
    assert status == 0
    assert "reading" in shown and "writing" in shown
    assert "10/10" in shown  # the rows bar reached its end
