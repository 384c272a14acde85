"""Shared fixtures: the bundled sample site, and real Redis and PostgreSQL servers.

``state_backend`` runs a test once per state store backend: SQLite in the test's
temporary folder, and PostgreSQL in a fresh schema of the session's server.

Some tests read ``../shared`` beside the checkout (the real evaluation pages and the
seed documents). Without it they are skipped with one message naming what is missing,
instead of erroring: mark such a test ``@pytest.mark.shared``, or call
``require_shared()`` in a fixture that reads it.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
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


@pytest.fixture(scope="session")
def postgres():
    from tests.servers import postgres_server

    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server():
    from tests.servers import redis_server

    with redis_server() as server:
        yield server


@dataclass
class StateBackend:
    """Where one test's state store lives, and how to open it again."""

    name: str
    directory: Path
    url: str | None = None
    postgres: object = None  # the server, for fresh()

    def open(self):
        from crawler.state import open_state_store

        return open_state_store(self.directory, self.url)

    def fresh(self) -> StateBackend:
        """Another, empty store of the same backend."""
        directory = Path(tempfile.mkdtemp(dir=self.directory))
        if self.url is None:
            return StateBackend(self.name, directory)
        return StateBackend(self.name, directory, self.postgres.new_schema(), self.postgres)

    @property
    def integrity_error(self) -> type[Exception]:
        if self.url is None:
            return sqlite3.IntegrityError
        import psycopg

        return psycopg.IntegrityError


@pytest.fixture(params=["sqlite", "postgres"])
def state_backend(request, tmp_path) -> StateBackend:
    if request.param == "sqlite":
        return StateBackend("sqlite", tmp_path)
    server = request.getfixturevalue("postgres")
    return StateBackend("postgres", tmp_path, server.new_schema(), server)
