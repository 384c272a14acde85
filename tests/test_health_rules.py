"""Tests for the health report's parts one at a time: reading manifests (crawler.health.runs)
and the rules that flag a source (crawler.health.flags), on runs written by hand.

The whole report over real crawls is in tests/test_report.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crawler.health.flags import (
    BLOCKED_SHARE,
    COVERAGE_DROP,
    MIN_HISTORY_ITEMS,
    WORD_COUNT_DROP,
    source_flags,
    weighted_median,
)
from crawler.health.history import build_report
from crawler.health.runs import RunLog, SourceRun, run_from_manifest

START = datetime(2025, 8, 1, 6, tzinfo=UTC)


def source_run(index: int, *, articles=10, pages=None, errors=None, dropped=None, discovery="default", items="default",
               duplicates=0) -> SourceRun:
    if discovery == "default":
        discovery = {"sitemaps": 1, "feeds": 1, "article_urls": 20, "skipped_not_article": 2}
    if items == "default":
        items = {"checked": articles, "with_date": articles, "with_authors": articles, "with_image": articles,
                 "with_section": articles, "word_count_median": 300}
    return SourceRun(
        run_id=f"r{index}", started=START + timedelta(hours=index), articles=articles,
        pages=articles if pages is None else pages, duplicates=duplicates, dropped=dropped or {}, errors=errors or {},
        discovery=discovery, items=items,
    )


def history(count=6, **changes):
    return [source_run(i, **changes) for i in range(count)]


def kinds(runs, dark_runs=3, last_success=None) -> set[str]:
    return {flag.kind for flag in source_flags(runs, dark_runs, last_success)}


# --- dark --------------------------------------------------------------------------------------


def test_a_working_source_has_no_flag():
    assert kinds(history(9)) == set()


def test_dark_after_k_runs_without_articles_when_it_gave_some_before():
    runs = history(5) + [source_run(5 + i, articles=0, items={}) for i in range(3)]
    flags = source_flags(runs, 3, None)

    assert [flag.kind for flag in flags] == ["dark"]
    assert flags[0].message == "no articles in its last 3 runs; it gave 50 in the 5 runs before"


def test_not_dark_after_fewer_than_k_empty_runs_or_with_k_set_higher():
    runs = history(5) + [source_run(5 + i, articles=0, items={}) for i in range(2)]
    assert "dark" not in kinds(runs)
    assert "dark" not in kinds(history(5) + [source_run(5 + i, articles=0, items={}) for i in range(3)], dark_runs=4)


def test_a_source_that_never_gave_anything_is_not_dark_but_one_that_did_long_ago_is():
    never = [source_run(i, articles=0, items={}) for i in range(5)]
    assert "dark" not in kinds(never)
    long_ago = START - timedelta(days=60)
    flags = source_flags(never, 3, long_ago)
    assert [flag.kind for flag in flags] == ["dark"]
    assert "the last came on 2025-06-02 06:00 UTC" in flags[0].message


# --- blocked -----------------------------------------------------------------------------------


def test_blocked_when_most_recent_requests_are_refused():
    refused = [source_run(6 + i, articles=0, pages=0, items={}, discovery={}, errors={"http_403": 5, "http_429": 1})
               for i in range(3)]
    flags = source_flags(history(6) + refused, 3, None)

    assert {flag.kind for flag in flags} == {"blocked", "dark"}
    blocked = next(flag for flag in flags if flag.kind == "blocked")
    assert blocked.message == "100% of its 18 requests in the last 3 runs were refused (403: 15, 429: 3)"


def test_half_the_requests_refused_is_not_most():
    # 10 pages + 2 documents + 12 refused: exactly half
    even = [source_run(6 + i, articles=10, errors={"http_403": 12}) for i in range(3)]
    assert BLOCKED_SHARE == 0.5
    assert "blocked" not in kinds(history(6) + even)
    more = [source_run(6 + i, articles=10, errors={"http_403": 13}) for i in range(3)]
    assert "blocked" in kinds(history(6) + more)


def test_other_errors_are_not_blocking():
    failing = [source_run(6 + i, articles=1, errors={"http_503": 40, "TimeoutError": 9}) for i in range(3)]
    assert "blocked" not in kinds(history(6) + failing)


# --- pattern -----------------------------------------------------------------------------------


def test_pattern_flag_when_discovered_urls_stop_matching():
    moved = [source_run(6 + i, discovery={"sitemaps": 1, "article_urls": 2, "skipped_not_article": 20}) for i in range(3)]
    flags = source_flags(history(6) + moved, 3, None)

    assert [flag.kind for flag in flags] == ["pattern"]
    assert flags[0].message == (
        "9% of the URLs it discovered in the last 3 runs match its article patterns, against 91% before (6 of 66)"
    )


def test_listing_links_count_as_discovered_urls_too():
    sections = {"listings": 3, "article_urls": 30, "listing_links_other": 60}
    moved = {"listings": 3, "article_urls": 0, "listing_links_other": 90}
    runs = history(6, discovery=sections) + [source_run(6 + i, discovery=moved) for i in range(3)]
    assert "pattern" in kinds(runs)


def test_a_source_whose_entries_are_all_too_old_has_no_pattern_verdict():
    frozen = [source_run(6 + i, articles=0, discovery={"sitemaps": 1, "skipped_too_old": 40}) for i in range(3)]
    assert kinds(history(6) + frozen) == {"dark"}


def test_manifests_without_discovery_counters_give_no_pattern_verdict():
    old = history(6, discovery=None)
    moved = [source_run(6 + i, discovery={"article_urls": 0, "skipped_not_article": 30}) for i in range(3)]
    assert "pattern" not in kinds(old + moved)


# --- template change ---------------------------------------------------------------------------


def test_word_count_flag_at_the_threshold_and_not_above_it():
    def with_median(value):
        return [source_run(6 + i, items={"checked": 10, "with_date": 10, "with_authors": 10, "with_image": 10,
                                         "with_section": 10, "word_count_median": value}) for i in range(3)]

    assert WORD_COUNT_DROP == 0.6
    assert "word_count" in kinds(history(6) + with_median(180))  # 60 % of 300
    assert "word_count" not in kinds(history(6) + with_median(181))


def test_coverage_flag_names_the_fields_that_fell():
    lost = {"checked": 10, "with_date": 10, "with_authors": 8, "with_image": 1, "with_section": 10, "word_count_median": 290}
    flags = source_flags(history(6) + [source_run(6 + i, items=lost) for i in range(3)], 3, None)

    assert [flag.kind for flag in flags] == ["coverage"]
    # authors fell 20 points: within a working outlet's swings; image fell 90
    assert flags[0].message == "fewer items have image 100% -> 10% in the last 3 runs (a template change?)"
    assert COVERAGE_DROP == 0.3
    lost["with_authors"] = 7  # 30 points: flagged
    flags = source_flags(history(6) + [source_run(6 + i, items=lost) for i in range(3)], 3, None)
    assert "authors 100% -> 70%, image 100% -> 10%" in flags[0].message


def test_a_drop_of_exactly_the_threshold_counts_whatever_the_float_rounding():
    usual = {"checked": 10, "with_date": 7, "with_authors": 7, "with_image": 7, "with_section": 7, "word_count_median": 300}
    lower = {**usual, "with_image": 4}  # 0.7 - 0.4 is 0.29999999999999993 in binary floating point
    runs = history(6, items=usual) + [source_run(6 + i, items=lower) for i in range(3)]
    assert "coverage" in kinds(runs)


def test_too_few_items_decide_nothing():
    few = [source_run(i, articles=1) for i in range(MIN_HISTORY_ITEMS - 1)]
    short = [source_run(20 + i, articles=2, items={"checked": 2, "word_count_median": 20, "with_date": 0}) for i in range(3)]
    assert kinds(few + short) == set()


def test_schema_failures_of_recent_runs_are_flagged_with_their_fields():
    bad = {"checked": 10, "schema_invalid": 2, "schema_errors": {"published_at": 2}, "with_date": 10, "with_authors": 10,
           "with_image": 10, "with_section": 10, "word_count_median": 300}
    flags = source_flags(history(6) + [source_run(6, items=bad)], 3, None)

    assert [flag.message for flag in flags] == ["2 of 30 items of the last 3 runs fail the item schema (published_at: 2)"]


def test_weighted_median():
    assert weighted_median([(100, 1), (300, 1), (200, 1)]) == 200
    assert weighted_median([(100, 10), (900, 1)]) == 100
    assert weighted_median([(5, 0)]) is None
    assert weighted_median([]) is None


# --- reading manifests -------------------------------------------------------------------------


def write_manifest(output_dir, run_id, data):
    path = output_dir / "manifests" / f"{run_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_a_manifest_from_before_the_health_keys_reads_as_not_recorded(tmp_path):
    path = write_manifest(tmp_path, "20250801T060000Z", {
        "run_id": "20250801T060000Z", "started_at": "2025-08-01T06:00:00+00:00", "finish_reason": "finished",
        "sources": {"youm7": {"pages_fetched": 5, "articles_emitted": 4, "dropped": {"not_arabic": 1}, "errors": {}}},
    })

    run = run_from_manifest(json.loads(path.read_text()), path)
    youm7 = run.sources["youm7"]

    assert run.crawled is None and run.crawled_source("youm7") and not run.crawled_source("hespress")
    assert (youm7.articles, youm7.pages, youm7.dropped) == (4, 5, {"not_arabic": 1})
    assert youm7.discovery is None and youm7.items is None and youm7.documents is None
    assert youm7.word_count_median is None and youm7.items_checked == 0


def test_odd_values_in_a_manifest_are_ignored_not_fatal(tmp_path):
    path = write_manifest(tmp_path, "x", {"sources": {"a": {"articles_emitted": "many", "errors": {"http_403": True, "x": 2}},
                                                      "b": "broken"}, "started_at": "yesterday"})
    run = run_from_manifest(json.loads(path.read_text()), path)

    assert list(run.sources) == ["a"] and run.sources["a"].articles == 0 and run.sources["a"].errors == {"x": 2}
    assert run.started.tzinfo is not None  # from the file's time when neither the field nor the name tells


def test_run_log_reads_the_window_skips_broken_files_and_counts_them(tmp_path):
    for day in (1, 10, 20):
        write_manifest(tmp_path, f"202508{day:02d}T060000Z", {"run_id": f"202508{day:02d}T060000Z",
                                                               "started_at": f"2025-08-{day:02d}T06:00:00+00:00"})
    write_manifest(tmp_path, "20250815T060000Z", "{ not json")
    log = RunLog.of(tmp_path)

    runs = log.runs_since(datetime(2025, 8, 9, tzinfo=UTC))

    assert [run.run_id for run in runs] == ["20250810T060000Z", "20250820T060000Z"]
    assert log.skipped == 1


def test_report_with_no_run_in_the_window_is_not_ok(tmp_path):
    write_manifest(tmp_path, "20240101T000000Z", {"run_id": "20240101T000000Z", "started_at": "2024-01-01T00:00:00+00:00",
                                                  "sources": {"a": {"articles_emitted": 3}}})
    report = build_report(tmp_path, days=7, now=datetime(2025, 8, 25, tzinfo=UTC))

    assert report.runs == [] and report.sources == [] and not report.ok


@pytest.mark.parametrize("crawled, expected_runs", [(["a", "b"], 2), (None, 1)])
def test_a_source_crawled_without_any_counter_counts_as_a_run_only_when_the_manifest_says_so(tmp_path, crawled, expected_runs):
    first = {"run_id": "20250801T060000Z", "started_at": "2025-08-01T06:00:00+00:00",
             "sources": {"a": {"articles_emitted": 1}, "b": {"articles_emitted": 1}}}
    second = {"run_id": "20250802T060000Z", "started_at": "2025-08-02T06:00:00+00:00", "sources": {"a": {"articles_emitted": 2}}}
    if crawled is not None:
        second["sources_crawled"] = crawled
    write_manifest(tmp_path, first["run_id"], first)
    write_manifest(tmp_path, second["run_id"], second)

    report = build_report(tmp_path, days=30, now=datetime(2025, 8, 3, tzinfo=UTC))

    assert len(next(source for source in report.sources if source.name == "b").runs) == expected_runs
