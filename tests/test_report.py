"""``python -m crawler report`` over real crawls of a local site whose sources degrade.

Four crawls run one after another into one OUTPUT_DIR (tests/crawling.py
``run_crawl_series``), as cron runs would. Six sources publish new stories before each; after
the second crawl four of them go wrong, each in one way (tests/health_site.py):

- ``dimming`` stops publishing (dark);
- ``walled`` answers 403 to everything (blocked, and so dark);
- ``moved`` gives its new stories a URL shape its pattern does not know (pattern, and dark);
- ``redesigned`` changes template: a third of the text, no authors, no image (word count and
  coverage);
- ``steady`` and ``daily`` (whose sitemap is a date template, one file per day) keep working.

Their manifests then become a month of daily runs (the oldest five rewritten in the format
from before the health keys), and the report must flag exactly the degraded sources, say
why, exit 1, and render its HTML in a real headless Chromium.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.health.history import build_report
from crawler.local_site import serve_directory
from crawler.manifest import MANIFEST_DIR
from tests.browser import chromium_missing_reason, full_page_screenshot, headless_chromium
from tests.crawling import run_crawl_series
from tests.health_site import BLOCKED, DARK, ENGLISH_PER_RUN, MOVED, REDESIGNED, STORIES_PER_RUN, NewsSite

REPO = Path(__file__).resolve().parent.parent
NAMES = ["steady", "daily", "dimming", "walled", "moved", "redesigned"]
DEGRADE_AT = 2
RUNS = 4
DARK_RUNS = 2  # the crawled series is short: two runs before the change, two after
PLAN = {DEGRADE_AT: {"dimming": DARK, "walled": BLOCKED, "moved": MOVED, "redesigned": REDESIGNED}}
EXPECTED_FLAGS = {
    "dimming": {"dark"},
    "walled": {"blocked", "dark"},
    "moved": {"pattern", "dark"},
    "redesigned": {"word_count", "coverage"},
}
MONTH_DAYS = 30
OLD_FORMAT_DAYS = 5


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """(OUTPUT_DIR, per-run stats, request counts per path) of the four crawls."""
    base = tmp_path_factory.mktemp("degrading")
    site = NewsSite(base / "site", NAMES, daily=("daily",), plan=PLAN)
    output_dir = base / "output"
    with serve_directory(site.root) as server:
        registry = base / "sources.toml"
        registry.write_text(site.registry(server.base_url), encoding="utf-8")
        stats = run_crawl_series(output_dir, RUNS, site.edition, {"EXTRACT_WORKERS": 0}, sources_file=str(registry))
        hits = server.hits
    return output_dir, stats, hits


def flag_kinds(report) -> dict[str, set[str]]:
    return {source.name: {flag.kind for flag in source.flags} for source in report.sources if source.flags}


def manifests(output_dir: Path) -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted((output_dir / MANIFEST_DIR).glob("*.json"))]


# ---------------------------------------------------------------- the crawls and their manifests


def test_each_run_wrote_a_manifest_with_item_checks_for_every_written_item(crawled):
    output_dir, stats, _hits = crawled
    runs = manifests(output_dir)

    assert len(runs) == RUNS and len({run["run_id"] for run in runs}) == RUNS
    assert [s["news/items_written"] for s in stats] == [36, 36, 18, 18]
    for run in runs:
        assert run["sources_crawled"] == NAMES
        for name, summary in run["sources"].items():
            items = summary["items"]
            assert items.get("checked", 0) == summary["articles_emitted"], (run["run_id"], name)
            assert "schema_invalid" not in items, (run["run_id"], name, items)
            if summary["articles_emitted"]:
                assert items["with_date"] == items["with_section"] == summary["articles_emitted"]
                assert items["word_count_median"] > 40


def test_manifests_count_discovery_and_refusals_per_source(crawled):
    output_dir, _stats, _hits = crawled
    last = manifests(output_dir)[-1]["sources"]

    assert last["walled"]["errors"] == {"http_403": 2}  # its sitemap and its feed
    edition = STORIES_PER_RUN + ENGLISH_PER_RUN
    assert last["moved"]["discovery"]["skipped_not_article"] == 4 * edition  # sitemap + feed, two editions each
    assert last["moved"]["discovery"].get("article_urls", 0) == 0
    assert last["steady"]["discovery"]["article_urls"] == 4 * edition
    assert last["steady"]["dropped"] == {"not_arabic": ENGLISH_PER_RUN}
    assert last["steady"]["pages_fetched"] == edition
    assert last["redesigned"]["items"]["checked"] == STORIES_PER_RUN
    assert "with_authors" not in last["redesigned"]["items"] and "with_image" not in last["redesigned"]["items"]


def test_a_date_template_sitemap_is_fetched_for_every_day_of_the_window(crawled):
    _output_dir, _stats, hits = crawled
    today = datetime.now(UTC).date()
    # look-back 2 days in UTC: three calendar days (the crawls may straddle midnight)
    days = {(today - timedelta(days=offset)).isoformat() for offset in range(4)}
    daily = {path: count for path, count in hits.items() if path.startswith("/daily/daily/")}

    assert len(daily) in (3, 4) and all(path[len("/daily/daily/"):-4] in days for path in daily)
    assert sum(daily.values()) == 3 * RUNS


# ---------------------------------------------------------------- the report over the crawls


def test_report_flags_exactly_the_degraded_sources(crawled):
    output_dir, _stats, _hits = crawled

    report = build_report(output_dir, days=30, dark_runs=DARK_RUNS)

    assert flag_kinds(report) == EXPECTED_FLAGS
    assert not report.ok
    steady = next(source for source in report.sources if source.name == "steady")
    assert steady.articles == RUNS * STORIES_PER_RUN and steady.coverage == dict.fromkeys(steady.coverage, 1.0)
    assert steady.items_checked == steady.articles and steady.schema_invalid == 0
    assert steady.near_duplicate_rate == 0 and steady.word_count_median > 150
    assert steady.dropped == {"not_arabic": RUNS * ENGLISH_PER_RUN}


def test_with_the_default_three_runs_two_bad_runs_and_one_run_of_history_decide_nothing(crawled):
    output_dir, _stats, _hits = crawled

    # recent: runs 2-4, of which one was healthy; history: run 1 alone, too few items to compare
    report = build_report(output_dir, days=30)

    assert flag_kinds(report) == {}
    assert report.ok


def test_report_command_prints_the_summary_and_exits_1(crawled, capsys):
    output_dir, _stats, _hits = crawled

    code = main(["report", "--output-dir", str(output_dir), "--dark-runs", str(DARK_RUNS)])
    out = capsys.readouterr().out

    assert code == 1
    header = next(line for line in out.splitlines() if line.startswith("SOURCE"))
    assert header.split()[:4] == ["SOURCE", "RUNS", "ARTICLES", "LAST"]
    assert "Unhealthy sources (4):" in out
    assert "  walled: blocked: 100% of its 4 requests in the last 2 runs were refused (403: 4)" in out
    assert "  redesigned: coverage: fewer items have authors 100% -> 0%, image 100% -> 0%" in out
    assert "  walled: http_403* 4" in out
    assert f"  steady: not_arabic {RUNS * ENGLISH_PER_RUN}" in out
    rows = {line.split()[0]: line for line in out.splitlines()[3:9]}
    assert rows["steady"].endswith(" ok") and rows["daily"].endswith(" ok")
    assert rows["moved"].endswith("UNHEALTHY: dark, pattern")


def test_report_json(crawled, capsys):
    output_dir, _stats, _hits = crawled

    assert main(["report", "--output-dir", str(output_dir), "--dark-runs", str(DARK_RUNS), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)

    assert sorted(document["unhealthy"]) == sorted(EXPECTED_FLAGS)
    by_name = {source["name"]: source for source in document["sources"]}
    assert by_name["walled"]["blocking_errors"] == {"http_403": 4}
    assert [run["articles"] for run in by_name["dimming"]["per_run"]] == [6, 6, 0, 0]
    assert sum(by_name["steady"]["articles_per_day"].values()) == RUNS * STORIES_PER_RUN
    assert by_name["redesigned"]["coverage"]["authors"] == 0.5


def test_report_of_a_folder_without_manifests_is_a_usage_error(tmp_path, capsys):
    assert main(["report", "--output-dir", str(tmp_path)]) == 2
    assert "no run manifests under" in capsys.readouterr().err


# ---------------------------------------------------------------- a month of runs


def month_of_runs(real: list[dict], output_dir: Path, degraded: bool, now: datetime) -> Path:
    """Thirty daily runs from the real manifests: healthy editions, then (if ``degraded``)
    the two degraded ones and the last again; the oldest ones in the old format."""
    healthy, bad = real[:DEGRADE_AT], real[DEGRADE_AT:]
    schedule = [healthy[day % len(healthy)] for day in range(MONTH_DAYS)]
    if degraded:
        schedule[-3:] = [bad[0], bad[1], bad[1]]
    for day, manifest in enumerate(schedule):
        started = now - timedelta(days=MONTH_DAYS - 1 - day, hours=1)
        copied = copy.deepcopy(manifest)
        copied["run_id"] = f"{started:%Y%m%dT%H%M%SZ}"
        copied["started_at"] = started.isoformat()
        copied["finished_at"] = (started + timedelta(minutes=3)).isoformat()
        if day < OLD_FORMAT_DAYS:  # as written before the health keys existed
            copied.pop("sources_crawled")
            for summary in copied["sources"].values():
                summary.pop("discovery")
                summary.pop("items")
        path = output_dir / MANIFEST_DIR / f"{copied['run_id']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(copied, ensure_ascii=False), encoding="utf-8")
    return output_dir


@pytest.fixture(scope="module")
def month(crawled, tmp_path_factory):
    now = datetime.now(UTC)
    return month_of_runs(manifests(crawled[0]), tmp_path_factory.mktemp("month"), degraded=True, now=now)


def test_a_month_of_runs_flags_exactly_the_degraded_sources_with_the_default_settings(month):
    report = build_report(month, days=MONTH_DAYS)

    assert len(report.runs) == MONTH_DAYS
    assert flag_kinds(report) == EXPECTED_FLAGS
    dimming = next(source for source in report.sources if source.name == "dimming")
    assert len(dimming.articles_per_day()) == MONTH_DAYS
    assert dimming.last_success == report.runs[-4].started


def test_a_shorter_window_reads_fewer_runs(month):
    report = build_report(month, days=7)

    assert len(report.runs) == 7
    assert flag_kinds(report) == EXPECTED_FLAGS  # four healthy days are history enough


def test_a_healthy_month_exits_0(crawled, tmp_path, capsys):
    month_of_runs(manifests(crawled[0]), tmp_path, degraded=False, now=datetime.now(UTC))

    assert main(["report", "--output-dir", str(tmp_path)]) == 0
    assert "Every source is healthy." in capsys.readouterr().out


def test_report_without_html_never_imports_matplotlib_nor_does_the_crawl(month):
    script = (
        "import sys, os\n"
        "os.environ['SCRAPY_SETTINGS_MODULE'] = 'crawler.settings'\n"
        "from scrapy.utils.misc import load_object\n"
        "from scrapy.utils.project import get_project_settings\n"
        "settings = get_project_settings()\n"
        "for path in [*settings.getdict('EXTENSIONS'), *settings.getdict('ITEM_PIPELINES')]:\n"
        "    load_object(path)\n"
        "import spiders.news, crawler.cron, crawler.cli.run\n"
        "from crawler.cli import main\n"
        f"code = main(['report', '--output-dir', {str(month)!r}])\n"
        "assert code == 1, code\n"
        "assert 'matplotlib' not in sys.modules and 'jinja2' not in sys.modules, 'plotting libraries imported'\n"
        "print('clean')\n"
    )
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip().endswith("clean")


# ---------------------------------------------------------------- HTML, in a real browser


@pytest.fixture(scope="module")
def html_report(month, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "report.html"
    assert main(["report", "--output-dir", str(month), "--html", str(path)]) == 1
    return path


def test_html_report_is_self_contained(html_report):
    text = html_report.read_text(encoding="utf-8")

    assert "default-src 'none'" in text  # the page may load nothing
    assert text.count("<svg") == 4
    for reference in ("http://", "https://", "src=", "@import", "url("):
        outside_svg = "".join(part.split("</svg>", 1)[-1] for part in text.split("<svg"))
        assert reference not in outside_svg.replace("http://www.w3.org", ""), reference


def test_html_report_renders_in_headless_chromium_with_its_plots_and_nothing_failing(html_report, tmp_path):
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(f"no headless Chromium here: {reason}")
    with headless_chromium() as driver:
        driver.get(html_report.as_uri())
        plots = driver.execute_script(
            "return [...document.querySelectorAll('figure[data-plot]')].map(f => {"
            "  const svg = f.querySelector('svg'); const box = svg ? svg.getBoundingClientRect() : null;"
            "  return [f.dataset.plot, box ? box.width : 0, box ? box.height : 0,"
            "          svg ? svg.querySelectorAll('path, rect, text, use').length : 0]; })"
        )
        rows = driver.execute_script(
            "return [...document.querySelectorAll('#summary tbody tr')].map(r => [r.dataset.source, r.className])"
        )
        flags = driver.execute_script("return [...document.querySelectorAll('#flags tr[data-flag]')].map(r => [r.dataset.source, r.dataset.flag])")
        unhealthy = driver.execute_script("return document.getElementById('unhealthy-count').textContent")
        embedded = driver.execute_script("return JSON.parse(document.getElementById('report-data').textContent).unhealthy")
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        console = driver.get_log("browser")
        screenshot = full_page_screenshot(driver, tmp_path / "report.png")

    assert [plot[0] for plot in plots] == ["articles", "coverage", "words", "drops"]
    for name, width, height, marks in plots:
        assert width > 300 and height > 100 and marks > 20, (name, width, height, marks)
    assert {source: kind for source, kind in rows} == {
        **{name: "unhealthy" for name in EXPECTED_FLAGS}, "steady": "healthy", "daily": "healthy"
    }
    assert {(source, flag) for source, flag in flags} == {(s, k) for s, kinds in EXPECTED_FLAGS.items() for k in kinds}
    assert unhealthy == "4" and sorted(embedded) == sorted(EXPECTED_FLAGS)
    assert resources == [], resources  # nothing was fetched
    assert [entry for entry in console if entry["level"] in ("SEVERE", "WARNING")] == []
    assert screenshot.stat().st_size > 50_000
