"""The saved pages with golden items: shared eval pages and our own under tests/eval_pages/.

``python tests/golden_pages.py`` rewrites every ``tests/golden/NAME.json`` from
the current extraction, after a deliberate change; review the diff before
committing it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crawler.article import article_from_html  # noqa: E402
from crawler.evaluate import EvalPage, find_pages  # noqa: E402
from crawler.extract import decode_html  # noqa: E402

PAGE_DIRS = (REPO.parent / "shared" / "eval" / "arabic-news", REPO / "tests" / "eval_pages")
GOLDEN_DIR = REPO / "tests" / "golden"
# Internal to the crawl, never written to JSONL.
NOT_IN_GOLDEN = ("fingerprint_text",)


def all_pages() -> list[EvalPage]:
    return [page for directory in PAGE_DIRS for page in find_pages(directory)]


def item_for(page: EvalPage) -> dict:
    url = page.info.get("url") or f"http://example.invalid/{page.name}"
    fields = article_from_html(decode_html(page.html), url)
    for name in NOT_IN_GOLDEN:
        fields.pop(name, None)
    return {"url": url, **fields}


def golden_path(page: EvalPage) -> Path:
    return GOLDEN_DIR / f"{page.name}.json"


def regenerate() -> int:
    GOLDEN_DIR.mkdir(exist_ok=True)
    for page in all_pages():
        golden_path(page).write_text(json.dumps(item_for(page), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {golden_path(page).relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(regenerate())
