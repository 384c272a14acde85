"""The offline demo: serve the bundled sample site and crawl it with the real spider.

Same spider, same pipelines, same settings as a real crawl; only politeness
delays are off, because the "site" is a thread in this process.
"""

from __future__ import annotations

import json
import logging
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
    with serve_directory(SAMPLE_SITE) as site:
        sitemap = site.url("/sitemap.xml")
        print(f"Serving the sample site at {site.url('/')}; crawling {sitemap}")
        process = CrawlerProcess(crawl_settings(output_dir))
        crawler = process.create_crawler("news")
        process.crawl(crawler, sitemap=sitemap)
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
    print(f"Log: {crawler.news_log_path}")
    return 0 if records else 1
