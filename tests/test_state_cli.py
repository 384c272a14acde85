"""``python -m crawler state stats|vacuum``, run as a user runs them: in a subprocess."""

from __future__ import annotations

import fcntl
import json
import resource
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler.cron import EXIT_LOCKED, LOCK_FILE
from crawler.state import ArticleState, open_state_store
from crawler.state.sqlite import SCHEMA_VERSION

REPO = Path(__file__).resolve().parent.parent
NOW = datetime.now(timezone.utc)


def run_state(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "state", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def article(key: str, seen: datetime) -> ArticleState:
    return ArticleState(key=key, url=key, first_seen=seen, last_seen=seen, content_hash=f"h-{key}",
                        published_at=seen, discovered_at=seen, version=1, file="d.jsonl")


def fill(output_dir: Path) -> None:
    """Forty articles indexed 100 days ago and ten indexed today, each with 32 bands."""
    with open_state_store(output_dir) as store:
        for number in range(50):
            seen = NOW - timedelta(days=100) if number < 40 else NOW - timedelta(hours=1)
            entry = article(f"https://ex.com/{number}", seen)
            bands = [number * 100 + band for band in range(32)]
            store.record_committed(f"d{number}.jsonl", [entry], [(entry.key + "?amp", entry.key)], [(entry.key, bands, b"s" * 512)])


def test_stats_prints_counts_sizes_and_the_first_and_last_entries(tmp_path):
    fill(tmp_path)
    result = run_state("stats", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "articles                       50" in result.stdout
    assert "minhash_bands               1,600" in result.stdout
    assert "first recorded" in result.stdout and "https://ex.com/0" in result.stdout
    assert "last recorded" in result.stdout and "https://ex.com/49" in result.stdout
    figures = json.loads(run_state("stats", "--json", "--output-dir", str(tmp_path)).stdout)
    assert figures["counts"]["aliases"] == 50 and figures["schema"] == SCHEMA_VERSION
    assert figures["bytes"]["file"] > 0
    assert f"band index: {tmp_path / 'state-bands.sqlite'}" in result.stdout


def test_stats_of_a_folder_without_a_store_is_a_clear_error_and_creates_nothing(tmp_path):
    result = run_state("stats", "--output-dir", str(tmp_path))
    assert result.returncode == 2
    assert "no state store" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_vacuum_prunes_the_old_index_keeps_articles_and_shrinks_the_file(tmp_path):
    fill(tmp_path)
    before = json.loads(run_state("stats", "--json", "--output-dir", str(tmp_path)).stdout)
    result = run_state("vacuum", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "pruned the near-duplicate index of 40 articles" in result.stdout
    after = json.loads(run_state("stats", "--json", "--output-dir", str(tmp_path)).stdout)
    assert after["counts"]["articles"] == 50 and after["counts"]["aliases"] == 50
    assert after["counts"]["minhash_signatures"] == 10 and after["counts"]["minhash_bands"] == 320
    assert after["bytes"]["file"] + after["bytes"]["wal"] < before["bytes"]["file"] + before["bytes"]["wal"]
    with open_state_store(tmp_path) as store:
        assert store.find_by_hash("h-https://ex.com/0") == "https://ex.com/0"
        assert store.get("https://ex.com/0?amp").key == "https://ex.com/0"


def test_vacuum_with_window_zero_prunes_nothing(tmp_path):
    fill(tmp_path)
    result = run_state("vacuum", "--window-days", "0", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "of 0 articles" in result.stdout


def test_vacuum_refuses_while_a_run_holds_the_lock(tmp_path):
    fill(tmp_path)
    with open(tmp_path / LOCK_FILE, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_state("vacuum", "--output-dir", str(tmp_path))
    assert result.returncode == EXIT_LOCKED
    assert "locked by a running crawl" in result.stderr
    with open_state_store(tmp_path) as store:
        assert store.stats()["counts"]["minhash_signatures"] == 50


def without_disk_beyond(max_bytes: int):
    """A child's ``preexec_fn``: no file may grow past ``max_bytes`` (a full disk, as the child sees it)."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failing write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return limit


def test_vacuum_on_a_full_disk_is_a_clear_error_and_loses_nothing(tmp_path):
    fill(tmp_path)
    store_size = (tmp_path / "state.sqlite").stat().st_size
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "state", "vacuum", "--output-dir", str(tmp_path), "--window-days", "30"],
        cwd=REPO, capture_output=True, text=True, timeout=120, preexec_fn=without_disk_beyond(store_size // 2),
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "vacuum of" in result.stderr and "nothing lost" in result.stderr and "bytes free" in result.stderr
    with open_state_store(tmp_path) as store:
        counts = store.stats()["counts"]
    # The known articles all stay; the prune of the 40 old signatures happened or did not.
    assert counts["articles"] == 50 and counts["aliases"] == 50
    assert counts["minhash_signatures"] in (10, 50)
