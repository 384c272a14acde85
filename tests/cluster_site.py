"""A news site of many small article pages for the cluster tests and benchmark.

Pages are small (2-3 kB), so that a crawl's cost is the cluster's machinery, not the
extraction of large pages: 600 articles of 5 paragraphs of random words drawn from the
real Arabic texts of the evaluation set (distinct texts: shingle overlap near zero),
listed in a sitemap index of several sitemaps, plus:

- ``syndicated``: near-copies of some articles under other URLs (the story with an
  agency's introduction added), which must come out with ``duplicate_of``;
- ``exact``: word-for-word copies under other URLs, of which one must come out;
- ``aliases``: the same article under a second URL with a query string, whose page
  declares the article's URL canonical, which must come out once.

Everything is drawn from one seeded generator, so a site is the same on every run.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL_TEXTS = sorted((REPO.parent / "shared" / "eval" / "arabic-news").glob("*.expected.txt")) + sorted(
    (REPO / "tests" / "eval_pages").glob("*.expected.txt")
)
ARABIC_WORD = re.compile(r"[\u0621-\u064A]{3,}")
SITEMAP_CHUNK = 200
INTRO = (
    "نقلت وكالات الأنباء العربية والدولية خلال الساعات الماضية تفاصيل هذا الخبر الذي أثار اهتماما "
    "واسعا بين المتابعين في المنطقة، وفيما يلي ننشر النص كما ورد من مصادره الأصلية دون تعديل."
)

PAGE = """<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{title} | شبكة الأخبار</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="شبكة الأخبار">
<meta property="article:published_time" content="2025-03-{day:02d}T08:00:00+03:00">
<link rel="canonical" href="{{{{BASE_URL}}}}{canonical}"></head>
<body><nav><a href="/">الرئيسية</a></nav><article><h1>{title}</h1>
{paragraphs}
</article><footer>© 2025 شبكة الأخبار</footer></body></html>"""


@dataclass
class ClusterSite:
    root: Path
    articles: dict[str, str] = field(default_factory=dict)  # path -> text
    syndicated: dict[str, str] = field(default_factory=dict)  # copy path -> original path
    exact: dict[str, str] = field(default_factory=dict)  # copy path -> original path
    aliases: dict[str, str] = field(default_factory=dict)  # alias URL path+query -> article path

    @property
    def sitemap_index(self) -> str:
        return "/sitemap-index.xml"

    def expected_keys(self) -> set[str]:
        """Paths that must each be written exactly once (exact copies: one of each pair)."""
        return set(self.articles) | set(self.syndicated)


def vocabulary() -> list[str]:
    words = set()
    for path in EVAL_TEXTS:
        words.update(ARABIC_WORD.findall(path.read_text(encoding="utf-8")))
    return sorted(words)


def paragraphs_html(text: str) -> str:
    return "\n".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n\n"))


def build_cluster_site(
    root: Path, articles: int = 600, syndicated: int = 20, exact: int = 10, aliases: int = 10, seed: int = 15
) -> ClusterSite:
    rng = random.Random(seed)
    words = vocabulary()
    site = ClusterSite(root)

    def write(path: str, title: str, text: str, canonical: str | None = None) -> None:
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            PAGE.format(title=html.escape(title), day=1 + len(site.articles) % 28, canonical=canonical or path,
                        paragraphs=paragraphs_html(text)),
            encoding="utf-8",
        )

    for number in range(articles):
        text = "\n\n".join(" ".join(rng.choice(words) for _ in range(rng.randint(16, 24))) + "." for _ in range(5))
        path = f"/news/{number // 100}/story-{number}.html"
        site.articles[path] = text
        write(path, f"خبر رقم {number}: " + " ".join(rng.sample(words, 5)), text)
    originals = list(site.articles)
    for number, original in enumerate(rng.sample(originals, syndicated)):
        path = f"/wire/copy-{number}.html"
        site.syndicated[path] = original
        write(path, f"نقلا عن الوكالات {number}", INTRO + "\n\n" + site.articles[original])
    for number, original in enumerate(rng.sample(originals, exact)):
        path = f"/mirror/same-{number}.html"
        site.exact[path] = original
        write(path, f"نسخة {number}", site.articles[original])
    for original in rng.sample(originals, aliases):
        alias = f"{original}?from=home"
        site.aliases[alias] = original
    listed = originals + list(site.syndicated) + list(site.exact) + list(site.aliases)
    rng.shuffle(listed)
    chunks = [listed[start : start + SITEMAP_CHUNK] for start in range(0, len(listed), SITEMAP_CHUNK)]
    entries = []
    for number, chunk in enumerate(chunks):
        urls = "".join(
            f"<url><loc>{{{{BASE_URL}}}}{html.escape(path)}</loc><lastmod>2025-03-01T08:00:00+00:00</lastmod></url>"
            for path in chunk
        )
        (root / f"sitemap-{number}.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
            encoding="utf-8",
        )
        entries.append(f"<sitemap><loc>{{{{BASE_URL}}}}/sitemap-{number}.xml</loc></sitemap>")
    (root / "sitemap-index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(entries) + "</sitemapindex>",
        encoding="utf-8",
    )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return site
