"""Shared fixtures: the bundled sample site served on 127.0.0.1 for the whole session.

Some tests read ``../shared`` beside the checkout (the real evaluation pages and the
seed documents). Without it they are skipped with one message naming what is missing,
instead of erroring: mark such a test ``@pytest.mark.shared``, or call
``require_shared()`` in a fixture that reads it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.local_site import SAMPLE_SITE, serve_directory

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SHARED_PARTS = ("eval/arabic-news", "seeds")
SKIP_REASON = "needs ../shared beside the checkout"
SHARED_MISSING = (
    f"../shared is not beside the checkout ({SHARED} has no "
    + " or ".join(SHARED_PARTS)
    + "): the tests that read the real evaluation pages and seeds were skipped"
)


def shared_available() -> bool:
    return all((SHARED / part).is_dir() for part in SHARED_PARTS)


def require_shared() -> None:
    if not shared_available():
        pytest.skip(SKIP_REASON)


def pytest_collection_modifyitems(config, items):
    if shared_available():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.get_closest_marker("shared"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if not shared_available():
        skipped = [report for report in terminalreporter.stats.get("skipped", []) if SKIP_REASON in str(report.longrepr)]
        terminalreporter.write_sep("-", f"{len(skipped)} skipped: {SHARED_MISSING}", yellow=True)


@pytest.fixture(scope="session")
def sample_site():
    with serve_directory(SAMPLE_SITE) as site:
        yield site
