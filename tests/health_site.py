"""Local news sites for the health tests: outlets that work, and outlets that degrade.

Everything is written as plain files into a folder that ``crawler.local_site`` serves, with
the ``{{BASE_URL}}`` placeholder wherever an absolute URL belongs, and ``_headers.json`` for
the answers a file cannot give (403, 429, 500). Dates are written relative to the moment the
site is built, so "fresh" and "stale" mean what they say whenever the tests run.

- :func:`build_probe_site` gives one source per verdict of ``sources check --online``.
- :class:`NewsSite` is an outlet group for many crawls: each call of :meth:`NewsSite.publish`
  adds new stories to every source that still publishes, and each source has a state that
  says how it misbehaves from then on (``healthy``, ``dark``, ``blocked``, ``moved``,
  ``redesigned``).

Article text is drawn, seeded, from the Arabic words of ``tests/eval_pages``, so every
story is Arabic, long enough to be an article, and shares no run of words with any other
(no exact or near duplicates).
"""

from __future__ import annotations

import html
import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

BASE = "{{BASE_URL}}"
EVAL_PAGES = Path(__file__).resolve().parent / "eval_pages"
ARABIC_WORD_RE = re.compile(r"[\u0621-\u064A]{3,}")

HEALTHY = "healthy"
DARK = "dark"  # stops publishing: its sitemap and feed only list what is already known
BLOCKED = "blocked"  # answers 403 to everything
MOVED = "moved"  # new stories get a URL shape its article pattern does not know
REDESIGNED = "redesigned"  # a template change: a third of the text, no authors, no image
STATES = (HEALTHY, DARK, BLOCKED, MOVED, REDESIGNED)

STORIES_PER_RUN = 6
# Each edition also carries one wire story in English, which the crawl drops as not Arabic:
# the drops every real outlet has.
ENGLISH_PER_RUN = 1
ENGLISH_WORDS = ("the", "minister", "said", "on", "monday", "that", "talks", "with", "regional", "partners", "would",
                 "continue", "next", "week", "after", "a", "meeting", "in", "the", "capital", "officials", "expect",
                 "new", "measures", "to", "support", "trade", "and", "investment", "across", "borders")
FULL_PARAGRAPHS = 6
REDESIGNED_PARAGRAPHS = 2
SENTENCES_PER_PARAGRAPH = 3
SENTENCE_WORDS = (9, 14)
AUTHORS = ("سعاد العلي", "خالد المنصوري", "ليلى حداد", "يوسف بن علي")
SECTIONS = ("سياسة", "اقتصاد", "مجتمع", "رياضة")


def vocabulary() -> list[str]:
    words = set()
    for path in sorted(EVAL_PAGES.glob("*.expected.txt")):
        words.update(ARABIC_WORD_RE.findall(path.read_text(encoding="utf-8")))
    return sorted(words)


WORDS = vocabulary()


def sentence(rng: random.Random, words=None) -> str:
    return " ".join(rng.choices(words or WORDS, k=rng.randint(*SENTENCE_WORDS))) + "."


def paragraphs(rng: random.Random, count: int, words=None) -> list[str]:
    return [" ".join(sentence(rng, words) for _ in range(SENTENCES_PER_PARAGRAPH)) for _ in range(count)]


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def article_page(url: str, title: str, body: list[str], published: datetime, *, author: str | None,
                 image: str | None, section: str | None) -> str:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": iso(published),
        "mainEntityOfPage": url,
    }
    metas = [
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{html.escape(title)}">',
        f'<meta property="article:published_time" content="{iso(published)}">',
    ]
    if author:
        ld["author"] = [{"@type": "Person", "name": author}]
        metas.append(f'<meta name="author" content="{html.escape(author)}">')
    if image:
        ld["image"] = [image]
        metas.append(f'<meta property="og:image" content="{image}">')
    if section:
        ld["articleSection"] = section
        metas.append(f'<meta property="article:section" content="{html.escape(section)}">')
    paragraphs_html = "\n".join(f"<p>{html.escape(p)}</p>" for p in body)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{html.escape(title)}</title>
<link rel="canonical" href="{url}">
{chr(10).join(metas)}
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body>
<header><nav><a href="/">الرئيسية</a> <a href="/about.html">من نحن</a></nav></header>
<main><article><h1>{html.escape(title)}</h1>
{paragraphs_html}
</article></main>
<footer><p>جميع الحقوق محفوظة</p></footer>
</body></html>
"""


def urlset(entries: list[tuple[str, datetime | None]]) -> str:
    rows = "\n".join(
        f"  <url><loc>{loc}</loc>" + (f"<lastmod>{iso(date)}</lastmod>" if date else "") + "</url>" for loc, date in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}\n</urlset>\n'


def sitemap_index(entries: list[tuple[str, datetime | None]]) -> str:
    rows = "\n".join(
        f"  <sitemap><loc>{loc}</loc>" + (f"<lastmod>{iso(date)}</lastmod>" if date else "") + "</sitemap>" for loc, date in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}\n</sitemapindex>\n'


def rss(title: str, items: list[tuple[str, str, datetime]]) -> str:
    rows = "\n".join(
        f"<item><title>{html.escape(t)}</title><link>{link}</link>"
        f"<pubDate>{date.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for link, t, date in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{html.escape(title)}</title>\n{rows}\n</channel></rss>\n'


def listing(links: list[str]) -> str:
    anchors = "\n".join(f'<li><a href="{link}">خبر</a></li>' for link in links)
    return (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>قسم</title></head><body>'
        '<nav><a href="/">الرئيسية</a> <a href="/about.html">من نحن</a></nav>'
        f"<ul>{anchors}</ul></body></html>\n"
    )


def write(root: Path, path: str, text: str) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def pattern_for(name: str) -> str:
    """The article pattern of a test source: ``/NAME/news/ID.html`` on the loopback host."""
    return rf"^http://127\.0\.0\.1(:\d+)?/{name}/news/\d+\.html$"


def source_table(name: str, *, sitemaps=(), feeds=(), sections=(), unverified=(), lookback_days: int = 2,
                 timezone_name: str = "Africa/Cairo", base_url: str) -> str:
    def urls(paths):
        return json.dumps([base_url + p if p.startswith("/") else p for p in paths], ensure_ascii=False)

    lines = [
        "[[source]]",
        f'name = "{name}"',
        'country = "EG"',
        f'timezone = "{timezone_name}"',
        'domains = ["127.0.0.1"]',
        f"lookback_days = {lookback_days}",
        f"article_patterns = [{json.dumps(pattern_for(name))}]",
    ]
    for key, paths in (("sitemaps", sitemaps), ("feeds", feeds), ("sections", sections), ("unverified", unverified)):
        if paths:
            lines.append(f"{key} = {urls(paths)}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the probe site


def build_probe_site(root: Path, now: datetime) -> None:
    """One source per verdict (see tests/test_sources_cli.py for what each should get)."""
    recent = now - timedelta(hours=3)
    old = datetime(2020, 5, 1, 8, tzinfo=timezone.utc)
    headers = {}

    def stories(name: str, count: int, date: datetime) -> list[tuple[str, datetime]]:
        return [(f"{BASE}/{name}/news/{1000 + i}.html", date - timedelta(minutes=i)) for i in range(count)]

    write(root, "/robots.txt", "User-agent: *\nDisallow: /walled/private/\n")
    # fresh: every kind of endpoint works
    write(root, "/fresh/sitemap.xml", urlset(stories("fresh", 5, recent)))
    write(root, "/fresh/index.xml", sitemap_index([
        (f"{BASE}/fresh/old-part.xml", old),
        (f"{BASE}/fresh/new-part.xml", recent),
    ]))
    write(root, "/fresh/old-part.xml", urlset([(f"{BASE}/fresh/2019/story-{i}", old) for i in range(3)]))
    write(root, "/fresh/new-part.xml", urlset(stories("fresh", 4, recent)))
    # Daily sitemaps around today, whatever the outlet's time zone makes of "today".
    for offset in range(-1, 4):
        day = (now - timedelta(days=offset)).date()
        write(root, f"/fresh/daily/{day:%Y-%m-%d}.xml", urlset(stories("fresh", 2, recent)))
    write(root, "/fresh/rss.xml", rss("fresh", [(link, "عنوان", date) for link, date in stories("fresh", 6, recent)]))
    write(root, "/fresh/section.html", listing([link for link, _ in stories("fresh", 8, recent)]))
    # emptysrc: readable documents without entries
    write(root, "/emptysrc/sitemap.xml", urlset([]))
    write(root, "/emptysrc/rss.xml", rss("empty", []))
    write(root, "/emptysrc/section.html", listing([]))
    # oldsrc: nothing within the look-back window
    write(root, "/oldsrc/sitemap.xml", urlset(stories("oldsrc", 4, old)))
    write(root, "/oldsrc/rss.xml", rss("old", [(link, "عنوان", date) for link, date in stories("oldsrc", 4, old)]))
    # walled: refused, rate-limited, or disallowed by robots.txt
    write(root, "/walled/sitemap.xml", urlset(stories("walled", 3, recent)))
    write(root, "/walled/rss.xml", rss("walled", []))
    write(root, "/walled/private/section.html", listing([link for link, _ in stories("walled", 3, recent)]))
    headers["walled/sitemap.xml"] = {"_status": 403}
    headers["walled/rss.xml"] = {"_status": 429}
    # gone: no such file, or an HTML page where the feed should be
    write(root, "/gone/rss.xml", listing([]))
    headers["gone/rss.xml"] = {"Content-Type": "text/html; charset=utf-8"}
    # moved: the stories' URLs no longer have the shape the pattern knows
    moved = [(f"{BASE}/moved/2025/08/25/story-{i}.html", recent) for i in range(6)]
    write(root, "/moved/sitemap.xml", urlset(moved + stories("moved", 1, recent)))
    write(root, "/moved/section.html", listing([loc for loc, _ in moved]))
    # broken: a server error
    write(root, "/broken/rss.xml", rss("broken", []))
    headers["broken/rss.xml"] = {"_status": 500}
    write(root, "/_headers.json", json.dumps(headers))


# ---------------------------------------------------------------- the degrading site


@dataclass
class Story:
    number: int
    path: str
    published: datetime
    title: str


@dataclass
class SiteSource:
    name: str
    state: str = HEALTHY
    daily_sitemaps: bool = False  # /NAME/daily/YYYY-MM-DD.xml instead of /NAME/sitemap.xml
    stories: list[Story] = field(default_factory=list)


class NewsSite:
    """Sources on one loopback site; :meth:`publish` writes the next edition into ``root``."""

    def __init__(self, root: Path, names: list[str], daily: tuple[str, ...] = (), seed: int = 12,
                 plan: dict[int, dict[str, str]] | None = None):
        self.root = root
        self.plan = plan or {}  # crawl index -> {source name: state from then on}
        self.sources = {name: SiteSource(name, daily_sitemaps=name in daily) for name in names}
        self.rng = random.Random(seed)
        self.next_number = 100000
        write(root, "/robots.txt", "User-agent: *\nAllow: /\n")
        write(root, "/index.html", listing([]))

    def registry(self, base_url: str) -> str:
        tables = []
        for source in self.sources.values():
            sitemaps = [f"/{source.name}/daily/{{y}}-{{mm}}-{{dd}}.xml"] if source.daily_sitemaps else [f"/{source.name}/sitemap.xml"]
            tables.append(source_table(source.name, sitemaps=sitemaps, feeds=[f"/{source.name}/feed.xml"], base_url=base_url,
                                       timezone_name="UTC"))
        return "\n".join(tables)

    def edition(self, index: int) -> None:
        """Before crawl ``index``: apply the states ``plan`` gives for it, then publish."""
        for name, state in self.plan.get(index, {}).items():
            self.set_state(name, state)
        self.publish(datetime.now(timezone.utc))

    def set_state(self, name: str, state: str) -> None:
        assert state in STATES, state
        self.sources[name].state = state

    def publish(self, now: datetime) -> None:
        for source in self.sources.values():
            if source.state != DARK:
                for offset in range(STORIES_PER_RUN + ENGLISH_PER_RUN):
                    self.add_story(source, now - timedelta(minutes=offset), english=offset >= STORIES_PER_RUN)
            self.write_discovery(source, now)
        self.write_headers()

    def add_story(self, source: SiteSource, published: datetime, english: bool = False) -> None:
        self.next_number += 1
        number = self.next_number
        if source.state == MOVED:
            path = f"/{source.name}/{published:%Y/%m/%d}/story-{number}.html"
        else:
            path = f"/{source.name}/news/{number}.html"
        words = ENGLISH_WORDS if english else WORDS
        title = " ".join(self.rng.choices(words, k=7))
        redesigned = source.state == REDESIGNED
        body = paragraphs(self.rng, REDESIGNED_PARAGRAPHS if redesigned else FULL_PARAGRAPHS, words)
        page = article_page(
            BASE + path, title, body, published,
            author=None if redesigned else AUTHORS[number % len(AUTHORS)],
            image=None if redesigned else f"{BASE}/img/{number}.jpg",
            section=SECTIONS[number % len(SECTIONS)],
        )
        write(self.root, path, page)
        source.stories.append(Story(number, path, published, title))

    def write_discovery(self, source: SiteSource, now: datetime) -> None:
        # A news sitemap lists the last two days or so: here, the last two editions.
        latest = source.stories[-2 * (STORIES_PER_RUN + ENGLISH_PER_RUN):]
        entries = [(BASE + story.path, story.published) for story in latest]
        if source.daily_sitemaps:
            for offset in range(3):
                day = (now - timedelta(days=offset)).date()
                todays = [(loc, date) for loc, date in entries if date.date() == day]
                write(self.root, f"/{source.name}/daily/{day:%Y-%m-%d}.xml", urlset(todays))
        else:
            write(self.root, f"/{source.name}/sitemap.xml", urlset(entries))
        write(self.root, f"/{source.name}/feed.xml", rss(source.name, [(BASE + s.path, s.title, s.published) for s in latest]))

    def write_headers(self) -> None:
        headers = {}
        for source in self.sources.values():
            if source.state == BLOCKED:
                for path in self.root.joinpath(source.name).rglob("*"):
                    if path.is_file():
                        headers[path.relative_to(self.root).as_posix()] = {"_status": 403}
        write(self.root, "/_headers.json", json.dumps(headers))
