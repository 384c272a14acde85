"""The project's command lines run as a user or cron runs them: a child process in the
checkout, its exit status and console output handed back."""

from __future__ import annotations

import os
import subprocess
import sys
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
