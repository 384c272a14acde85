"""The project's command lines run as a user or cron runs them: a child process in the
checkout, its exit status and console output handed back."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.conftest import REPO

# Local sites answer at once: no politeness waits in tests.
FAST = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0")
COMMAND_TIMEOUT_SECONDS = 180


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])), **extra}


def scrapy_crawl(output_dir: Path, *arguments: str, timeout: float = COMMAND_TIMEOUT_SECONDS) -> subprocess.CompletedProcess:
    """``scrapy crawl news ARGUMENTS`` into ``output_dir``."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", *arguments, "-s", f"OUTPUT_DIR={output_dir}", *FAST],
        cwd=REPO, env=environment(), capture_output=True, text=True, timeout=timeout,
    )


def crawler_run(output_dir: Path, *arguments: str, timeout: float = COMMAND_TIMEOUT_SECONDS) -> subprocess.CompletedProcess:
    """``python -m crawler run ARGUMENTS`` into ``output_dir``."""
    return subprocess.run(
        [sys.executable, "-m", "crawler", "run", "--output-dir", str(output_dir), *arguments, *FAST],
        cwd=REPO, env=environment(), capture_output=True, text=True, timeout=timeout,
    )


def run_in_pty(command: list[str], stdout_on_terminal: bool = True, columns: int | None = None, timeout: float = COMMAND_TIMEOUT_SECONDS) -> tuple[int, str]:
    """Run ``command`` in the checkout with stderr (and stdin and stdout, unless
    ``stdout_on_terminal`` is false: then stdout goes nowhere) on a new pseudo-terminal of
    ``columns`` columns; returns (exit status, what the terminal showed)."""
    leader, follower = pty.openpty()
    if columns:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    terminal_or_nowhere = follower if stdout_on_terminal else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            command, cwd=REPO, env=environment(), stdin=terminal_or_nowhere, stdout=terminal_or_nowhere, stderr=follower,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        return process.wait(timeout=timeout), b"".join(chunks).decode("utf-8", "replace")
    finally:
        os.close(leader)
