"""Tests for crawler.manifest: per-source summaries, the manifest dict, atomic JSON, the latest manifest.

The stats dicts are written by hand in the shape ``crawler.stats.count`` produces:
``news/KEY`` globally and ``news/source/NAME/KEY`` per source.
"""

import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.manifest import (
    MANIFEST_DIR,
    STALE_PART_SECONDS,
    build_manifest,
    discard_stale_parts,
    latest_manifest,
    source_summaries,
    write_json_atomically,
)

START = datetime(2025, 3, 1, 3, 0, 0, tzinfo=timezone.utc)
FINISH = datetime(2025, 3, 1, 3, 42, 10, tzinfo=timezone.utc)

STATS = {
    "start_time": START,
    "finish_time": FINISH,
    "finish_reason": "finished",
    "log_count/ERROR": 2,
    "log_count/INFO": 300,
    "downloader/request_count": 97,
    "news/pages_fetched": 80,
    "news/items_written": 61,
    "news/marked_near_duplicate": 3,
    "news/discovery/sitemaps": 4,
    "news/discovery/feeds": 2,
    "news/discovery/listings": 1,
    "news/discovery/robots_sitemaps": 9,  # found in robots.txt, not fetched documents
    "news/source/youm7/pages_fetched": 50,
    "news/source/youm7/items_written": 41,
    "news/source/youm7/marked_near_duplicate": 3,
    "news/source/youm7/updated": 2,
    "news/source/youm7/discovery/skipped_known": 120,
    "news/source/youm7/discovery/sitemaps": 4,
    "news/source/youm7/discovery/article_urls": 130,
    "news/source/youm7/discovery/skipped_not_article": 7,
    "news/source/youm7/items/checked": 41,
    "news/source/youm7/items/schema_invalid": 2,
    "news/source/youm7/items/schema_errors/published_at": 2,
    "news/source/youm7/items/schema_errors/_item": 1,
    "news/source/youm7/items/with_date": 40,
    "news/source/youm7/items/with_authors": 31,
    "news/source/youm7/items/word_count_median": 412.5,
    "news/source/youm7/dropped/not_arabic": 1,
    "news/source/youm7/dropped/listing_page": 5,
    "news/source/youm7/errors/timeout": 2,
    "news/source/hespress/pages_fetched": 30,
    "news/source/hespress/items_written": 20,
    "news/source/hespress/dropped/duplicate_exact": 4,
    "news/source/hespress/errors/http_503": 6,
}

EMPTY_SUMMARY = {
    "pages_fetched": 0,
    "articles_emitted": 0,
    "duplicates_marked": 0,
    "updated": 0,
    "skipped_known": 0,
    "dropped": {},
    "errors": {},
    "discovery": {},
    "items": {},
}


# --- source_summaries -----------------------------------------------------------------------


def test_source_summaries_map_each_counter_of_each_source():
    assert source_summaries(STATS) == {
        "youm7": {
            "pages_fetched": 50,
            "articles_emitted": 41,
            "duplicates_marked": 3,
            "updated": 2,
            "skipped_known": 120,
            "dropped": {"not_arabic": 1, "listing_page": 5},
            "errors": {"timeout": 2},
            "discovery": {"skipped_known": 120, "sitemaps": 4, "article_urls": 130, "skipped_not_article": 7},
            "items": {
                "checked": 41,
                "schema_invalid": 2,
                "schema_errors": {"published_at": 2, "_item": 1},
                "with_date": 40,
                "with_authors": 31,
                "word_count_median": 412.5,
            },
        },
        "hespress": {
            **EMPTY_SUMMARY,
            "pages_fetched": 30,
            "articles_emitted": 20,
            "dropped": {"duplicate_exact": 4},
            "errors": {"http_503": 6},
        },
    }


def test_a_source_with_only_unknown_counters_still_gets_a_zero_summary():
    assert source_summaries({"news/source/alahram/extract/retries": 3}) == {"alahram": EMPTY_SUMMARY}


def test_discovery_counters_of_a_source_are_kept_by_name():
    summary = source_summaries({"news/source/alahram/discovery/feeds": 3, "news/source/alahram/discovery/listing_links_other": 9})

    assert summary == {"alahram": {**EMPTY_SUMMARY, "discovery": {"feeds": 3, "listing_links_other": 9}}}


def test_global_counters_make_no_source():
    assert source_summaries({"news/items_written": 5, "news/dropped/not_arabic": 2, "newsletter/x": 1}) == {}


# --- build_manifest -------------------------------------------------------------------------


def test_build_manifest_reports_times_files_totals_and_sources(tmp_path):
    files = [tmp_path / "data" / "youm7" / "20250301T030000Z-0001.jsonl", tmp_path / "data" / "hespress" / "20250301T030000Z-0001.jsonl"]

    manifest = build_manifest("20250301T030000Z", STATS, files, tmp_path, "finished")

    assert manifest == {
        "run_id": "20250301T030000Z",
        "started_at": "2025-03-01T03:00:00+00:00",
        "finished_at": "2025-03-01T03:42:10+00:00",
        "finish_reason": "finished",
        "data_files": ["data/youm7/20250301T030000Z-0001.jsonl", "data/hespress/20250301T030000Z-0001.jsonl"],
        "archive_files": [],
        "totals": {
            "pages_fetched": 80,
            "articles_emitted": 61,
            "duplicates_marked": 3,
            "discovery_documents": 7,
            "exceptions": 0,
            "errors_logged": 2,
        },
        "sources": source_summaries(STATS),
    }


def test_sources_crawled_are_listed_and_a_silent_one_gets_a_zero_summary(tmp_path):
    manifest = build_manifest("r1", STATS, [], tmp_path, "finished", sources_crawled=["youm7", "hespress", "alahram"])

    assert manifest["sources_crawled"] == ["youm7", "hespress", "alahram"]
    assert manifest["sources"]["alahram"] == EMPTY_SUMMARY
    assert manifest["sources"]["youm7"] == source_summaries(STATS)["youm7"]


def test_a_manifest_without_a_source_list_has_no_sources_crawled_key(tmp_path):
    assert "sources_crawled" not in build_manifest("r1", STATS, [], tmp_path, "finished")


def test_files_outside_the_output_dir_are_listed_as_given(tmp_path):
    elsewhere = Path("/srv/archive/youm7-0001.jsonl")

    manifest = build_manifest("r1", STATS, [elsewhere], tmp_path / "out", "finished")

    assert manifest["data_files"] == ["/srv/archive/youm7-0001.jsonl"]


def test_resolved_files_under_a_relative_output_dir_are_listed_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    written = (tmp_path / "output" / "data" / "youm7" / "r1-0001.jsonl").resolve()

    manifest = build_manifest("r1", STATS, [written], Path("output"), "finished")

    assert manifest["data_files"] == ["data/youm7/r1-0001.jsonl"]


def test_manifest_of_a_run_without_counters_has_zero_totals_and_a_finish_time(tmp_path):
    before = datetime.now(timezone.utc)

    manifest = build_manifest("r0", {}, [], tmp_path, "shutdown")

    assert manifest["started_at"] is None
    assert manifest["finish_reason"] == "shutdown"
    assert manifest["data_files"] == [] and manifest["sources"] == {}
    assert set(manifest["totals"].values()) == {0}
    assert datetime.fromisoformat(manifest["finished_at"]) >= before


# --- write_json_atomically ------------------------------------------------------------------


def test_write_json_atomically_leaves_only_the_final_file_with_real_arabic(tmp_path):
    path = tmp_path / MANIFEST_DIR / "20250301T030000Z.json"
    data = {"run_id": "20250301T030000Z", "sources": {"اليوم السابع": {"dropped": {"ليست عربية": 1}}}}

    write_json_atomically(path, data)

    assert sorted(p.name for p in path.parent.iterdir()) == ["20250301T030000Z.json"]
    raw = path.read_bytes()
    assert "اليوم السابع".encode("utf-8") in raw
    assert b"\\u" not in raw
    assert json.loads(raw.decode("utf-8")) == data


def test_write_json_atomically_replaces_an_existing_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"old": true}', encoding="utf-8")

    write_json_atomically(path, {"new": "جديد"})

    assert json.loads(path.read_text(encoding="utf-8")) == {"new": "جديد"}
    assert not (tmp_path / "m.json.part").exists()


# --- latest_manifest ------------------------------------------------------------------------


def write_manifest(output_dir: Path, run_id: str, text: str | None = None) -> None:
    path = output_dir / MANIFEST_DIR / f"{run_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text is not None else json.dumps({"run_id": run_id}), encoding="utf-8")


def test_no_manifest_dir_means_no_previous_manifest(tmp_path):
    assert latest_manifest(tmp_path) is None


def test_latest_manifest_is_the_newest_run(tmp_path):
    for run_id in ("20250301T030000Z", "20241231T230000Z", "20250215T120000Z"):
        write_manifest(tmp_path, run_id)

    assert latest_manifest(tmp_path) == {"run_id": "20250301T030000Z"}


def test_an_older_corrupt_manifest_does_not_matter(tmp_path):
    write_manifest(tmp_path, "20250201T030000Z", '{"run_id": "20250201T03')
    write_manifest(tmp_path, "20250301T030000Z")

    assert latest_manifest(tmp_path) == {"run_id": "20250301T030000Z"}


def test_a_corrupt_newest_manifest_falls_back_to_the_one_before(tmp_path):
    write_manifest(tmp_path, "20250201T030000Z")
    write_manifest(tmp_path, "20250301T030000Z", "\x00\x00 not json")

    assert latest_manifest(tmp_path) == {"run_id": "20250201T030000Z"}


def test_only_corrupt_or_non_object_manifests_give_none(tmp_path):
    write_manifest(tmp_path, "20250201T030000Z", "[]")
    write_manifest(tmp_path, "20250301T030000Z", "\x00\x00 not json")

    assert latest_manifest(tmp_path) is None


def test_an_unfinished_part_file_is_not_a_manifest(tmp_path):
    write_manifest(tmp_path, "20250201T030000Z")
    (tmp_path / MANIFEST_DIR / "20250301T030000Z.json.part").write_text('{"run_id": "20250301', encoding="utf-8")

    assert latest_manifest(tmp_path) == {"run_id": "20250201T030000Z"}


def test_a_manifest_left_half_written_by_a_killed_run_is_discarded(tmp_path):
    left_over = tmp_path / "20261203T184112Z.json.part"
    in_flight = tmp_path / "20261203T190000Z-node2.json.part"
    done = tmp_path / "20261203T170000Z.json"
    for path in (left_over, in_flight, done):
        path.write_text("{", encoding="utf-8")
    now = time.time()
    os.utime(left_over, (now - STALE_PART_SECONDS - 1, now - STALE_PART_SECONDS - 1))

    # In a cluster, another node may be writing its own: only an old one goes.
    assert discard_stale_parts(tmp_path, STALE_PART_SECONDS, now=now) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [done.name, in_flight.name]
    # On one machine, no other run can be writing.
    assert discard_stale_parts(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == [done.name]
