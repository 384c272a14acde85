"""The writability check of OUTPUT_DIR, as several processes run it on one folder."""

from __future__ import annotations

import threading

import pytest

from crawler.run_log import OutputDirError, ensure_writable_dir

CHECKERS = 8
CHECKS_EACH = 300


def test_checks_running_at_once_on_one_folder_all_pass_and_leave_nothing(tmp_path):
    # Cluster nodes sharing an OUTPUT_DIR check it at the same moment; with one shared probe
    # name they removed each other's probe and a node stopped with "not writable".
    start = threading.Barrier(CHECKERS)
    failures = []

    def check() -> None:
        start.wait()
        for _ in range(CHECKS_EACH):
            try:
                ensure_writable_dir(tmp_path)
            except OutputDirError as exc:
                failures.append(str(exc))

    threads = [threading.Thread(target=check) for _ in range(CHECKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_created_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OutputDirError, match="is not writable"):
        ensure_writable_dir(blocker / "out")
