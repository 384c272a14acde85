"""Scheduled runs: discovery through every channel, incremental state, dedup, the cron runner.

The test site is built in a temporary folder and changed between runs, as a
real site changes between two cron runs. Article bodies are the expected texts
of the evaluation pages, so every article is a distinct real story.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.cron import EXIT_LOCKED, EXIT_OK
from crawler.local_site import serve_directory
from tests.conftest import REPO
from tests.crawling import run_crawl
from tests.golden_pages import all_pages

STORIES = [page.expected for page in all_pages()]

ARTICLE = """<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{title} | أخبار الاختبار</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="أخبار الاختبار">
<meta property="article:published_time" content="{date}T08:00:00+03:00">
<link rel="canonical" href="{{{{BASE_URL}}}}{path}"></head>
<body><header><nav><a href="/">الرئيسية</a> <a href="/section.html">سياسة</a></nav></header>
<article><h1>{title}</h1><div class="share">مشاركة طباعة</div>
{paragraphs}
</article><footer>© 2025 أخبار الاختبار</footer></body></html>"""


class ChangingSite:
    """A news site on disk: articles, a sitemap index with a news sitemap, a feed, a section page."""

    def __init__(self, root: Path):
        self.root = root
        self.articles: dict[str, dict] = {}  # path -> {"title", "text", "lastmod", "channel"}
        (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")

    def add(self, number: int, channel: str, text: str | None = None, lastmod: str = "2025-03-01") -> str:
        path = f"/article/{number}.html"
        story = text if text is not None else STORIES[number % len(STORIES)]
        self.articles[path] = {"title": f"خبر رقم {number}", "text": story, "lastmod": lastmod, "channel": channel}
        self.write()
        return path

    def change(self, path: str, extra_paragraph: str, lastmod: str) -> None:
        self.articles[path]["text"] += "\n\n" + extra_paragraph
        self.articles[path]["lastmod"] = lastmod
        self.write()

    def write(self) -> None:
        for path, article in self.articles.items():
            paragraphs = "\n".join(f"<p>{p}</p>" for p in article["text"].split("\n\n") if p.strip())
            html = ARTICLE.format(title=article["title"], date=article["lastmod"], path=path, paragraphs=paragraphs)
            target = self.root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
        urls = "".join(
            f"<url><loc>{{{{BASE_URL}}}}{p}</loc><lastmod>{a['lastmod']}T08:00:00+00:00</lastmod></url>"
            for p, a in self.articles.items()
            if a["channel"] == "sitemap"
        )
        (self.root / "sitemap-articles.xml").write_text(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
            encoding="utf-8",
        )
        news = "".join(
            f"<url><loc>{{{{BASE_URL}}}}{p}</loc><news:news><news:publication><news:name>أخبار</news:name>"
            f"<news:language>ar</news:language></news:publication>"
            f"<news:publication_date>{a['lastmod']}T08:00:00+00:00</news:publication_date>"
            f"<news:title>{a['title']}</news:title></news:news></url>"
            for p, a in self.articles.items()
            if a["channel"] == "news"
        )
        (self.root / "news-sitemap.xml").write_text(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{news}</urlset>',
            encoding="utf-8",
        )
        (self.root / "sitemap.xml").write_text(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            "<sitemap><loc>{{BASE_URL}}/sitemap-articles.xml</loc></sitemap>"
            "<sitemap><loc>{{BASE_URL}}/news-sitemap.xml</loc></sitemap></sitemapindex>",
            encoding="utf-8",
        )
        items = "".join(
            f"<item><title>{a['title']}</title><link>{{{{BASE_URL}}}}{p}</link>"
            f"<pubDate>{time.strftime('%a, %d %b %Y 08:00:00 +0000', time.strptime(a['lastmod'], '%Y-%m-%d'))}</pubDate></item>"
            for p, a in self.articles.items()
            if a["channel"] == "feed"
        )
        (self.root / "feed.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>أخبار</title>{items}</channel></rss>', encoding="utf-8"
        )
        links = "".join(
            f'<li><h3><a href="{p}">{a["title"]}</a></h3></li>' for p, a in self.articles.items() if a["channel"] == "section"
        )
        (self.root / "section.html").write_text(
            f'<html lang="ar"><head><meta charset="utf-8"><meta property="og:type" content="website"></head>'
            f"<body><ul>{links}</ul></body></html>",
            encoding="utf-8",
        )


def sources_file(tmp_path: Path, base_url: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        f"""
[[source]]
name = "testsite"
outlet = "أخبار الاختبار"
domains = ["127.0.0.1"]
sitemaps = ["{base_url}/sitemap.xml"]
feeds = ["{base_url}/feed.xml"]
sections = ["{base_url}/section.html"]
article_patterns = ['/article/\\d+\\.html$']
""",
        encoding="utf-8",
    )
    return path


def article_hits(site) -> dict[str, int]:
    return {path: n for path, n in site.hits.items() if path.startswith("/article/")}


@pytest.fixture
def news_site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    site_files = ChangingSite(root)
    channels = ["sitemap", "news", "feed", "section"]
    for number in range(8):
        site_files.add(number, channels[number % 4])
    with serve_directory(root) as server:
        yield site_files, server, sources_file(tmp_path, server.base_url)


def crawl(output: Path, sources: Path, **settings):
    return run_crawl(output, settings=settings, source="testsite", sources_file=str(sources), since="2020-01-01")


def test_second_run_fetches_only_new_and_changed_articles(news_site, tmp_path):
    site_files, server, sources = news_site
    output = tmp_path / "out"

    first = crawl(output, sources)
    assert sorted(r["url"].split("127.0.0.1:")[1].split("/", 1)[1] for r in first.items) == sorted(
        p.lstrip("/") for p in site_files.articles
    )
    assert {r["version"] for r in first.records()} == {1}

    server.reset_hits()
    new_paths = [site_files.add(number, channel) for number, channel in ((8, "sitemap"), (9, "news"), (10, "feed"))]
    changed = "/article/0.html"  # listed in the sitemap
    site_files.change(changed, "وأضاف المتحدث أن اللجنة ستعقد اجتماعا جديدا الأسبوع المقبل لمتابعة تنفيذ القرارات.", "2025-03-05")

    second = crawl(output, sources)
    emitted = {r["url"].split("/", 3)[3]: r for r in second.items}
    assert sorted(emitted) == sorted(p.lstrip("/") for p in [*new_paths, changed])
    assert emitted[changed.lstrip("/")]["version"] == 2
    assert all(emitted[p.lstrip("/")]["version"] == 1 for p in new_paths)
    # No other article page was downloaded again: only the new and the changed one.
    assert sorted(article_hits(server)) == sorted([*new_paths, changed])
    assert second.stat("news/discovery/skipped_known") >= 7
    # The output of both runs holds every article once per version: 8 + 3 new + 1 update.
    records = second.records()
    assert len(records) == 12
    assert len({(r["url"], r["version"]) for r in records}) == 12


def test_discovery_reaches_every_channel(news_site, tmp_path):
    site_files, server, sources = news_site
    result = crawl(tmp_path / "out", sources)
    channels_found = {site_files.articles["/" + r["url"].split("/", 3)[3]]["channel"] for r in result.items}
    assert channels_found == {"sitemap", "news", "feed", "section"}
    assert result.stat("news/discovery/sitemaps") == 3  # the index and its two sitemaps
    assert result.stat("news/discovery/feeds") == 1
    assert result.stat("news/discovery/listings") >= 1


def test_a_run_with_nothing_new_fetches_no_article_page(news_site, tmp_path):
    site_files, server, sources = news_site
    crawl(tmp_path / "out", sources)
    server.reset_hits()
    again = crawl(tmp_path / "out", sources)
    assert again.items == []
    assert article_hits(server) == {}
    assert again.stat("news/pages_fetched") == 0


SYNDICATION_INTRO = "نشرت وكالة الأنباء الرسمية اليوم تفاصيل جديدة حول الخبر الذي تناقلته وسائل الإعلام المحلية والعربية."


def test_syndicated_copy_in_a_later_run_gets_duplicate_of(news_site, tmp_path):
    site_files, server, sources = news_site
    first_run = crawl(tmp_path / "out", sources)
    first = next(r for r in first_run.items if r["url"].endswith("/article/1.html"))
    assert first["duplicate_of"] is None
    copy_text = SYNDICATION_INTRO + "\n\n" + STORIES[1] + "\n\n(أ ف ب)"
    copy_path = site_files.add(50, "sitemap", text=copy_text, lastmod="2025-03-02")
    second_run = crawl(tmp_path / "out", sources)
    (copy,) = second_run.items
    assert copy["url"].endswith(copy_path)
    assert copy["duplicate_of"] == first["canonical_url"]
    assert second_run.stat("news/marked_near_duplicate") == 1


def test_syndicated_copies_in_one_run_are_marked_once(news_site, tmp_path):
    site_files, server, sources = news_site
    site_files.add(50, "sitemap", text=SYNDICATION_INTRO + "\n\n" + STORIES[1] + "\n\n(أ ف ب)", lastmod="2025-03-02")
    result = crawl(tmp_path / "out", sources)
    pair = [r for r in result.items if r["url"].endswith(("/article/1.html", "/article/50.html"))]
    marked = [r for r in pair if r["duplicate_of"]]
    assert len(marked) == 1
    other = next(r for r in pair if r is not marked[0])
    assert marked[0]["duplicate_of"] == other["canonical_url"]
    assert result.stat("news/marked_near_duplicate") == 1


def test_exact_copy_under_another_url_is_emitted_once(news_site, tmp_path):
    site_files, server, sources = news_site
    site_files.add(60, "sitemap", text=STORIES[2], lastmod="2025-03-02")  # /article/2.html has the same story
    result = crawl(tmp_path / "out", sources)
    assert result.stat("news/dropped/duplicate_exact") == 1
    texts = [r["text"] for r in result.records()]
    assert len(texts) == len(set(texts))


@pytest.mark.shared
def test_different_outlets_on_the_same_event_are_not_duplicates(news_site, tmp_path):
    site_files, server, sources = news_site
    seeds = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
    assert len(seeds) == 2
    for number, seed in enumerate(seeds, start=70):
        lines = [line for line in seed.read_text(encoding="utf-8").splitlines() if len(line.split()) > 12]
        site_files.add(number, "sitemap", text="\n\n".join(lines), lastmod="2025-03-02")
    result = crawl(tmp_path / "out", sources)
    seed_items = [r for r in result.items if "/article/7" in r["url"] and r["url"].split("/")[-1] in ("70.html", "71.html")]
    assert len(seed_items) == 2
    assert [r["duplicate_of"] for r in seed_items] == [None, None]


def cron_command(output: Path, sources: Path) -> list[str]:
    return [
        sys.executable, "-m", "crawler", "run", "--output-dir", str(output),
        "-a", f"sources_file={sources}", "-a", "source=testsite", "-a", "since=2020-01-01",
        "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
    ]


def test_cron_runner_writes_manifest_and_log(news_site, tmp_path):
    site_files, server, sources = news_site
    output = tmp_path / "out"
    done = subprocess.run(cron_command(output, sources), cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == EXIT_OK, done.stderr[-2000:]
    manifests = list((output / "manifests").glob("*.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text(encoding="utf-8"))
    assert manifest["finish_reason"] == "finished"
    assert manifest["sources"]["testsite"]["articles_emitted"] == len(site_files.articles)
    assert manifest["sources"]["testsite"]["pages_fetched"] == len(site_files.articles)
    assert manifest["data_files"] and all((output / f).exists() for f in manifest["data_files"])
    assert len(list((output / "logs").glob("*.log"))) == 1


def test_overlapping_cron_run_exits_with_the_lock_code_and_writes_nothing(news_site, tmp_path):
    site_files, server, sources = news_site
    output = tmp_path / "out"
    output.mkdir()
    from crawler.cron import exclusive_lock

    with exclusive_lock(output) as locked:  # the first run, still going
        assert locked
        before = sorted(p.relative_to(output) for p in output.rglob("*"))
        done = subprocess.run(cron_command(output, sources), cwd=REPO, capture_output=True, text=True, timeout=60)
        after = sorted(p.relative_to(output) for p in output.rglob("*"))
    assert done.returncode == EXIT_LOCKED
    assert "lock" in done.stderr
    assert after == before
    assert server.hits == {}


def test_cron_runner_fails_when_sources_become_unreachable(news_site, tmp_path):
    site_files, server, sources = news_site
    output = tmp_path / "out"
    assert subprocess.run(cron_command(output, sources), cwd=REPO, capture_output=True, timeout=180).returncode == EXIT_OK
    for name in ("sitemap.xml", "feed.xml", "section.html", "robots.txt"):
        os.remove(site_files.root / name)
    done = subprocess.run(cron_command(output, sources), cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode != EXIT_OK
    assert "FAILED" in done.stderr
