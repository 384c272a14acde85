"""The offline demo: serve the bundled sample site and crawl it with the real spider.

Same spider, same pipelines, same settings as a real crawl; only politeness
delays are off, because the "site" is a thread in this process.

The site is crawled as a registry source named ``sample`` (a one-entry registry
written for the run, since the server's port is only known then), not as an
ad-hoc crawl, whose source would be named after the random port: so every demo
writes to ``data/sample/`` and a second demo into the same folder is an
incremental run of the same source.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.local_site import SAMPLE_SITE, serve_directory

logger = logging.getLogger(__name__)

LOCALHOST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}


DEMO_SOURCE = "sample"
# The sample site's own name (its og:site_name), stripped from titles as a real outlet's is.
SAMPLE_OUTLET = "صدى الأخبار"
# The sample articles are from 2025: a registry source looks back only a few days by default.
DEMO_SINCE = "2000-01-01"


def sample_registry(base_url: str) -> str:
    """A sources.toml with one entry, ``sample``, for the sample site served at ``base_url``."""
    return (
        "[[source]]\n"
        f'name = "{DEMO_SOURCE}"\n'
        f'outlet = "{SAMPLE_OUTLET}"\n'
        f'domains = ["{base_url.split("://", 1)[1].rsplit(":", 1)[0]}"]\n'
        f'sitemaps = ["{base_url}/sitemap.xml"]\n'
    )


def crawl_settings(output_dir: Path, **overrides):
    settings = get_project_settings()
    settings.setdict({**LOCALHOST_SETTINGS, "OUTPUT_DIR": str(output_dir), **overrides}, priority="cmdline")
    return settings


def read_jsonl_files(paths) -> list[dict]:
    records = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def run_demo(output_dir: Path) -> int:
    with serve_directory(SAMPLE_SITE) as site, tempfile.TemporaryDirectory(prefix="demo-sources-") as folder:
        sources_file = Path(folder) / "sources.toml"
        sources_file.write_text(sample_registry(site.base_url), encoding="utf-8")
        print(f"Serving the sample site at {site.url('/')}; crawling it as source {DEMO_SOURCE!r}")
        process = CrawlerProcess(crawl_settings(output_dir))
        crawler = process.create_crawler("news")
        process.crawl(crawler, source=DEMO_SOURCE, sources_file=str(sources_file), since=DEMO_SINCE)
        process.start()
    files = sorted(crawler.news_writer.committed_files)
    records = read_jsonl_files(files)
    stats = crawler.stats.get_stats()
    dropped = {key.removeprefix("news/dropped/"): value for key, value in stats.items() if key.startswith("news/dropped/")}
    print(f"\nWrote {len(records)} articles to {len(files)} file(s):")
    for path in files:
        print(f"  {path}")
    for record in records:
        when = record.get("published_at") or record.get("published_date") or "no date"
        print(f"  - {when:25}  {record['title']}")
    if dropped:
        print("Dropped pages: " + ", ".join(f"{reason}={n}" for reason, n in sorted(dropped.items())))
    # A demo into a folder that already holds the sample is an incremental run with nothing
    # new: its articles are known, or (the server's port, so their URLs, changed) copies.
    known = stats.get("news/discovery/skipped_known", 0) + dropped.get("duplicate_exact", 0) + dropped.get("unchanged", 0)
    if not records and known:
        print(f"Nothing new: the {known} articles of the sample site are already in {output_dir}")
    print(f"Log: {crawler.news_log_path}")
    return 0 if records or known else 1
