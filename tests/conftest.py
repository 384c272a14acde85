"""Shared fixtures: the bundled sample site served on 127.0.0.1 for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.local_site import SAMPLE_SITE, serve_directory

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def sample_site():
    with serve_directory(SAMPLE_SITE) as site:
        yield site
