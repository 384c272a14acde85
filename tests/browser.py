"""Headless Chromium for tests, driven by Selenium through Debian's chromedriver.

``.ci/run`` installs Debian's ``chromium`` and ``chromium-driver`` when they are missing;
Selenium is told where both are, so it never tries to download a browser. The flags are
the ones that work on a machine without a network: without the background-networking
ones, Chromium keeps trying to reach Google's hosts.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def first_existing(candidates) -> str | None:
    return next((path for path in candidates if Path(path).exists()), None)


def chromium_missing_reason() -> str | None:
    """Why no headless Chromium can run here, or None when it can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -r requirements.txt)"
    if first_existing(CHROMIUM_CANDIDATES) is None:
        return "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium chromium-driver)"
    if first_existing(CHROMEDRIVER_CANDIDATES) is None:
        return "Debian's chromium-driver is not installed (.ci/run installs it: apt-get install chromium-driver)"
    return None


@contextlib.contextmanager
def headless_chromium(width: int = 1400, height: int = 1000) -> Iterator:
    """A Selenium Chrome driver on a fresh profile, with the browser's console log kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = first_existing(CHROMIUM_CANDIDATES)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(first_existing(CHROMEDRIVER_CANDIDATES)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def full_page_screenshot(driver, path: Path) -> Path:
    """A PNG of the whole page: the window is stretched to the document's height first."""
    width = driver.execute_script("return document.documentElement.scrollWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(max(width, 1200), min(height + 120, 16000))
    driver.save_screenshot(str(path))
    return path
