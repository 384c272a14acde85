"""Crashes and restarts: SIGKILL at random moments, SIGTERM, and output that cannot be written.

After every kill the dataset must be valid JSONL, the state store must open
and agree with the data files, and once a run finally completes the output
must hold every article of the site exactly once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.cron import EXIT_FAILED
from crawler.local_site import serve_directory
from crawler.state import STATE_FILE_NAME
from tests.conftest import REPO
from tests.golden_pages import all_pages
from tests.test_incremental import ChangingSite

KILL_TRIALS = 20
# Kill moments: from "still importing" to "most pages written" on this site.
KILL_AFTER_SECONDS = (0.3, 4.0)


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    files = ChangingSite(root)
    for number in range(len(all_pages())):
        files.add(number, "sitemap")
    with serve_directory(root) as server:
        yield files, server


def crawl_command(base_url: str, output: Path) -> list[str]:
    return [
        sys.executable, "-m", "scrapy", "crawl", "news",
        "-a", f"sitemap={base_url}/sitemap.xml",
        "-s", f"OUTPUT_DIR={output}",
        "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
        # Small files, so that kills land between, during and after commits.
        "-s", "OUTPUT_ROTATE_ITEMS=2", "-s", "LOG_LEVEL=WARNING",
    ]


def start_crawl(base_url: str, output: Path, stderr=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(
        crawl_command(base_url, output),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,  # its own process group: the workers die with it
    )


def data_records(output: Path) -> list[dict]:
    """Every line of every finished data file; fails on a partial or invalid line."""
    records = []
    for path in sorted((output / "data").rglob("*.jsonl")):
        raw = path.read_bytes()
        assert raw.endswith(b"\n"), f"{path} ends in a partial line"
        for number, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
            try:
                records.append(json.loads(line))
            except ValueError:
                pytest.fail(f"{path}:{number} is not valid JSON")
    return records


def check_state_store(output: Path) -> None:
    """The store opens, passes SQLite's integrity check and agrees with the data files."""
    database = output / STATE_FILE_NAME
    if not database.exists():
        return
    connection = sqlite3.connect(database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        committed = {row[0] for row in connection.execute("SELECT file FROM committed_files")}
        stored_articles = connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    finally:
        connection.close()
    on_disk = {str(p.relative_to(output / "data")) for p in (output / "data").rglob("*.jsonl")}
    # Every file the store calls committed is on disk, complete.
    assert committed <= on_disk
    # The store never claims more articles than the committed files hold.
    assert stored_articles <= len(data_records(output))


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(site, tmp_path):
    files, server = site
    output = tmp_path / "out"
    rng = random.Random(20261122)
    for trial in range(KILL_TRIALS):
        process = start_crawl(server.base_url, output)
        time.sleep(rng.uniform(*KILL_AFTER_SECONDS))
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it finished first: also a valid moment
        process.wait(timeout=30)
        data_records(output)
        check_state_store(output)

    final = subprocess.run(crawl_command(server.base_url, output), cwd=REPO, capture_output=True, text=True, timeout=180)
    assert final.returncode == 0, final.stderr[-2000:]
    records = data_records(output)
    check_state_store(output)
    paths = sorted(r["url"].split("/", 3)[3] for r in records)
    assert paths == sorted(p.lstrip("/") for p in files.articles)  # every article exactly once
    assert not list(output.rglob("*.part"))


def test_sigterm_finishes_items_in_hand_and_exits_with_the_failed_status(site, tmp_path):
    files, server = site
    output = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    # One page at a time, a quarter second apart: seconds of crawling are left when the
    # first data file appears, so the signal lands mid-crawl and not in the final close
    # (that case has its own test below).
    slow = ["-s", "DOWNLOAD_DELAY=0.25", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    with open(log, "wb") as stderr_file:
        process = subprocess.Popen(
            crawl_command(server.base_url, output) + slow,
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr_file, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while not list((output / "data").rglob("*.jsonl")) and time.monotonic() < deadline:
            time.sleep(0.05)  # wait until it is really crawling
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    stderr = log.read_text(encoding="utf-8", errors="replace")
    # A clean stop, but the crawl did not finish: cron must hear that (EXIT_FAILED).
    assert process.returncode == EXIT_FAILED, stderr[-2000:]
    assert "crawl FAILED (finish reason is 'shutdown', not 'finished')" in stderr
    (run_log,) = (output / "logs").glob("*.log")
    run_log_text = run_log.read_text(encoding="utf-8")
    assert "'finish_reason': 'shutdown'" in run_log_text
    assert "Traceback" not in stderr and "Traceback" not in run_log_text
    assert not list(output.rglob("*.part"))
    first = data_records(output)
    assert first
    check_state_store(output)

    rerun = subprocess.run(crawl_command(server.base_url, output), cwd=REPO, capture_output=True, text=True, timeout=180)
    assert rerun.returncode == 0
    paths = sorted(r["url"].split("/", 3)[3] for r in data_records(output))
    assert paths == sorted(p.lstrip("/") for p in files.articles)


def test_sigterm_while_the_run_is_closing_lets_the_close_finish(site, tmp_path):
    """A signal in the final close (the last commit, the manifest) must not cut it short:
    the run log still ends with the final stats, and the manifest is written."""
    files, server = site
    output = tmp_path / "out"
    marker = tmp_path / "closing"
    command = crawl_command(server.base_url, output) + [
        "-s", f"SLOW_CLOSE_MARKER={marker}", "-s", "SLOW_CLOSE_SECONDS=2",
    ]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "tests.slow_close"}
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 90
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the crawl never reached its close"
        os.killpg(process.pid, signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, stderr[-2000:]
    (run_log,) = (output / "logs").glob("*.log")
    run_log_text = run_log.read_text(encoding="utf-8")
    assert "Received SIGTERM" in run_log_text
    assert "'finish_reason': 'finished'" in run_log_text and "Spider closed (finished)" in run_log_text
    assert list((output / "manifests").glob("*.json"))
    assert not list(output.rglob("*.part"))
    check_state_store(output)
    assert len(data_records(output)) == len(files.articles)


def test_unwritable_output_dir_is_a_clear_error(site, tmp_path):
    files, server = site
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("in the way")
    done = subprocess.run(
        crawl_command(server.base_url, not_a_directory), cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "OUTPUT_DIR" in done.stderr and "not writable" in done.stderr
    assert server.hits == {}

    runner = subprocess.run(
        [sys.executable, "-m", "crawler", "run", "--output-dir", str(not_a_directory), "-a", f"sitemap={server.base_url}/sitemap.xml"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert runner.returncode != 0
    assert "not writable" in runner.stderr or "Not a directory" in runner.stderr
    assert "Traceback" not in runner.stderr
