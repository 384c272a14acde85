"""Golden files: each saved page must still produce exactly its reviewed item.

Regenerate with ``python tests/golden_pages.py`` after a deliberate change.
"""

from __future__ import annotations

import json

import pytest

from tests.golden_pages import PAGE_DIRS, all_pages, golden_path, item_for

PAGES = all_pages()


@pytest.mark.shared
def test_every_page_directory_has_pages():
    assert all(directory.is_dir() for directory in PAGE_DIRS)
    assert len(PAGES) >= 15


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_page_matches_its_golden_item(page):
    expected = json.loads(golden_path(page).read_text(encoding="utf-8"))
    assert item_for(page) == expected
