"""Run ids: one per run, never shared by two runs of one OUTPUT_DIR."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from crawler.run_log import free_run_id

START = datetime(2026, 12, 2, 1, 43, 58, 400_000, tzinfo=timezone.utc)


def test_a_run_is_named_after_its_utc_start_second():
    local = START.astimezone(timezone(timedelta(hours=3)))
    assert free_run_id(local, None, lambda run_id: False) == "20261202T014358Z"
    assert free_run_id(START, "node-a", lambda run_id: False) == "20261202T014358Z-node-a"


def test_a_second_run_in_the_same_second_takes_the_next_free_second():
    taken = {"20261202T014358Z", "20261202T014359Z"}
    assert free_run_id(START, None, taken.__contains__) == "20261202T014400Z"


def test_runs_started_back_to_back_in_one_folder_never_share_an_id(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    ids = []
    for _ in range(3):  # three runs within the same second
        run_id = free_run_id(START, None, lambda candidate: (logs / f"{candidate}.log").exists())
        (logs / f"{run_id}.log").write_text("", encoding="utf-8")
        ids.append(run_id)
    assert ids == ["20261202T014358Z", "20261202T014359Z", "20261202T014400Z"]
