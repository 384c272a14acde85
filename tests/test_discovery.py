"""Tests for crawler.discovery: sitemaps, robots.txt, feeds and the links of listing pages.

Every body is written out here, so each test shows the markup it feeds the parser.
"""

import gzip
import time
import zlib
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from crawler.discovery import (
    MAX_SITEMAP_BYTES,
    DecompressionError,
    SitemapEntry,
    looks_like_article_url,
    maybe_gunzip,
    page_links,
    parse_feed,
    parse_sitemap,
    sitemaps_from_robots,
)

UTC = timezone.utc
PLUS_3 = timezone(timedelta(hours=3))
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

URLSET_OPEN = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
NEWS_URLSET_OPEN = (
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
)


def urlset(*locs: str) -> bytes:
    urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{URLSET_OPEN}{urls}</urlset>'.encode()


def locs_of(sitemap) -> list[str]:
    return [entry.loc for entry in sitemap.entries]


def gzip_of_size(prefix: bytes, size: int) -> bytes:
    """A gzip stream that inflates to ``size`` bytes (``prefix`` then zeros), built in chunks."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    pieces = [compressor.compress(prefix)]
    remaining = size - len(prefix)
    chunk = b"\0" * (1 << 20)
    while remaining > 0:
        pieces.append(compressor.compress(chunk[:remaining]))
        remaining -= len(chunk)
    pieces.append(compressor.flush())
    return b"".join(pieces)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://news.example/first-story</loc></url>
<url><loc>https://news.example/&lol9;</loc></url>
<url><loc>https://news.example/last-story</loc></url>
</urlset>"""


# --- sitemaps -------------------------------------------------------------------------------


def test_urlset_entries_keep_order_and_parse_lastmod():
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
{URLSET_OPEN}
  <url><loc>https://news.example/politics/1001</loc><lastmod>2025-01-12T10:00:00+03:00</lastmod></url>
  <url><loc> https://news.example/economy/1002 </loc></url>
</urlset>""".encode()

    sitemap = parse_sitemap(body, now=NOW)

    assert sitemap.kind == "urlset"
    assert locs_of(sitemap) == ["https://news.example/politics/1001", "https://news.example/economy/1002"]
    assert sitemap.entries[0].lastmod == datetime(2025, 1, 12, 10, 0, tzinfo=PLUS_3)
    assert sitemap.entries[1].lastmod is None


def test_sitemap_index_lists_child_sitemaps():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemap-2025-01.xml</loc><lastmod>2025-01-31</lastmod></sitemap>
  <sitemap><loc>https://news.example/sitemap-2025-02.xml.gz</loc></sitemap>
</sitemapindex>"""

    sitemap = parse_sitemap(body, now=NOW)

    assert sitemap.kind == "index"
    assert locs_of(sitemap) == [
        "https://news.example/sitemap-2025-01.xml",
        "https://news.example/sitemap-2025-02.xml.gz",
    ]
    assert sitemap.entries[0].lastmod == datetime(2025, 1, 31, tzinfo=UTC)


def test_google_news_sitemap_fields():
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
{NEWS_URLSET_OPEN}
  <url>
    <loc>https://news.example/2025/01/12/port-blast</loc>
    <news:news>
      <news:publication><news:name>أخبار المثال</news:name><news:language>ar</news:language></news:publication>
      <news:publication_date>2025-01-12T09:30:00+03:00</news:publication_date>
      <news:title>انفجار في مرفأ المدينة يوقع جرحى</news:title>
    </news:news>
  </url>
</urlset>""".encode()

    (entry,) = parse_sitemap(body, now=NOW).entries

    assert entry.loc == "https://news.example/2025/01/12/port-blast"
    assert entry.news_title == "انفجار في مرفأ المدينة يوقع جرحى"
    assert entry.news_publication_date == datetime(2025, 1, 12, 9, 30, tzinfo=PLUS_3)
    assert entry.news_language == "ar"
    assert entry.lastmod is None


def test_best_date_is_the_later_of_lastmod_and_news_date():
    published = datetime(2025, 1, 12, 9, 30, tzinfo=UTC)
    updated = datetime(2025, 1, 13, 8, 0, tzinfo=UTC)

    assert SitemapEntry("https://a.example/1", lastmod=updated, news_publication_date=published).best_date == updated
    assert SitemapEntry("https://a.example/1", lastmod=None, news_publication_date=published).best_date == published
    assert SitemapEntry("https://a.example/1").best_date is None


@pytest.mark.parametrize(
    ("lastmod", "as_stated", "as_compared"),
    [
        ("2025-01-12T10:20:00+02:00", "2025-01-12T10:20:00+02:00", datetime(2025, 1, 12, 8, 20, tzinfo=UTC)),
        # No offset written: the entry keeps it unknown; comparisons read it as UTC.
        ("2025-01-12T10:20:00", "2025-01-12T10:20:00", datetime(2025, 1, 12, 10, 20, tzinfo=UTC)),
        ("2025-01-12", "2025-01-12", datetime(2025, 1, 12, tzinfo=UTC)),
    ],
)
def test_lastmod_is_kept_as_precise_as_the_sitemap_states_it(lastmod, as_stated, as_compared):
    body = f"{URLSET_OPEN}<url><loc>https://news.example/a</loc><lastmod>{lastmod}</lastmod></url></urlset>".encode()

    (entry,) = parse_sitemap(body, now=NOW).entries

    assert (entry.lastmod, entry.lastmod_as_stated, entry.best_date_as_stated) == (as_compared, as_stated, as_stated)


def test_best_date_as_stated_is_the_one_best_date_chose():
    body = f"""{NEWS_URLSET_OPEN}<url><loc>https://news.example/a</loc><lastmod>2025-01-13T08:00:00+03:00</lastmod>
<news:news><news:publication_date>2025-01-12</news:publication_date></news:news></url></urlset>""".encode()

    (entry,) = parse_sitemap(body, now=NOW).entries

    assert entry.best_date_as_stated == "2025-01-13T08:00:00+03:00"
    assert entry.news_publication_date_as_stated == "2025-01-12"


def test_lastmod_later_than_now_is_dropped():
    body = f"""{URLSET_OPEN}
  <url><loc>https://news.example/a/1</loc><lastmod>2025-06-01</lastmod></url>
</urlset>""".encode()

    (entry,) = parse_sitemap(body, now=NOW).entries

    assert entry.lastmod is None


def test_gzipped_sitemap_is_decompressed():
    body = gzip.compress(urlset("https://news.example/a/1001", "https://news.example/a/1002"))

    sitemap = parse_sitemap(body)

    assert sitemap.kind == "urlset"
    assert locs_of(sitemap) == ["https://news.example/a/1001", "https://news.example/a/1002"]


def test_truncated_gzip_raises_decompression_error():
    body = gzip.compress(urlset(*(f"https://news.example/a/{n}" for n in range(200))))

    with pytest.raises(DecompressionError, match="truncated"):
        parse_sitemap(body[: len(body) // 2])


def test_corrupt_gzip_raises_decompression_error():
    body = bytearray(gzip.compress(urlset("https://news.example/a/1001")))
    body[12:20] = b"\xff" * 8

    with pytest.raises(DecompressionError, match="corrupt"):
        parse_sitemap(bytes(body))


def test_gzip_up_to_max_size_is_accepted_and_one_byte_more_is_refused():
    assert maybe_gunzip(gzip.compress(b"x" * 1024), max_size=1024) == b"x" * 1024

    with pytest.raises(DecompressionError, match="exceeds 1024 bytes"):
        maybe_gunzip(gzip.compress(b"x" * 1025), max_size=1024)


def test_gzip_bomb_over_the_sitemap_limit_is_refused():
    bomb = gzip_of_size(URLSET_OPEN.encode(), MAX_SITEMAP_BYTES + 1)
    assert len(bomb) < MAX_SITEMAP_BYTES // 500  # really a bomb: tiny on the wire

    with pytest.raises(DecompressionError, match="exceeds"):
        parse_sitemap(bomb)


def test_plain_body_passes_through_maybe_gunzip_unchanged():
    body = urlset("https://news.example/a/1")

    assert maybe_gunzip(body) is body


def test_billion_laughs_is_not_expanded_and_returns_quickly():
    started = time.monotonic()
    sitemap = parse_sitemap(BILLION_LAUGHS)
    elapsed = time.monotonic() - started

    locs = locs_of(sitemap)
    assert elapsed < 2.0
    assert locs[0] == "https://news.example/first-story"
    assert locs[-1] == "https://news.example/last-story"
    assert all("lollol" not in loc and len(loc) < 100 for loc in locs)


def test_undefined_entity_does_not_lose_the_readable_entries():
    body = f"""<?xml version="1.0"?>
{URLSET_OPEN}
  <url><loc>https://news.example/a/1001</loc></url>
  <url><loc>https://news.example/a/&bogus;1002</loc></url>
  <url><loc>https://news.example/a/1003</loc></url>
</urlset>""".encode()

    locs = locs_of(parse_sitemap(body))

    assert "https://news.example/a/1001" in locs
    assert "https://news.example/a/1003" in locs


def test_undefined_entity_never_turns_a_loc_into_a_shorter_different_url():
    body = f"""<?xml version="1.0"?>
{NEWS_URLSET_OPEN}
  <url><loc>https://news.example/a/&bogus;1002</loc></url>
  <url><loc>https://news.example/a/1003</loc>
    <news:news><news:title>أخبار&nbsp;اليوم</news:title></news:news></url>
</urlset>""".encode()

    sitemap = parse_sitemap(body)

    assert "https://news.example/a/" not in locs_of(sitemap)
    assert "https://news.example/a/1003" in locs_of(sitemap)
    assert sitemap.entries[-1].news_title == "أخبار\u00a0اليوم"  # the HTML entity is decoded


def test_raw_ampersand_in_loc_keeps_the_query():
    locs = locs_of(parse_sitemap(urlset("https://news.example/view.php?id=7&page=2")))

    assert locs == ["https://news.example/view.php?id=7&page=2"]


def test_escaped_ampersands_and_character_references_are_decoded_once():
    body = urlset("https://news.example/view.php?id=7&amp;page=2", "https://news.example/s?q=a&#38;b&#x26;c")

    assert locs_of(parse_sitemap(body)) == [
        "https://news.example/view.php?id=7&page=2",
        "https://news.example/s?q=a&b&c",
    ]


def test_non_http_locs_are_ignored_and_relative_locs_resolved():
    body = urlset(
        "/politics/2025/01/12/story",
        "story-2",
        "ftp://files.news.example/a.pdf",
        "javascript:alert(1)",
        "mailto:desk@news.example",
        "https://news.example/a/1001",
    )

    locs = locs_of(parse_sitemap(body, base_url="https://news.example/sitemaps/news.xml"))

    assert locs == [
        "https://news.example/politics/2025/01/12/story",
        "https://news.example/sitemaps/story-2",
        "https://news.example/a/1001",
    ]


def test_url_without_loc_is_skipped():
    body = f"{URLSET_OPEN}<url><lastmod>2025-01-01</lastmod></url><url><loc>https://news.example/a/1</loc></url></urlset>"

    assert locs_of(parse_sitemap(body.encode())) == ["https://news.example/a/1"]


def test_truncated_xml_yields_the_entries_it_holds():
    body = urlset("https://news.example/a/1", "https://news.example/a/2")[:-len(b"</url></urlset>")]

    assert body.endswith(b"<loc>https://news.example/a/2</loc>")

    assert locs_of(parse_sitemap(body)) == ["https://news.example/a/1", "https://news.example/a/2"]


@pytest.mark.parametrize("body", [b"", b"not xml at all", b"<html><body>Not found</body></html>"])
def test_unreadable_or_foreign_documents_are_invalid_and_empty(body):
    sitemap = parse_sitemap(body)

    assert sitemap.kind == "invalid"
    assert sitemap.entries == ()


def test_sitemap_with_byte_order_mark_and_leading_whitespace():
    body = b"\xef\xbb\xbf" + urlset("https://news.example/a/1")
    padded = b"\n\n   " + urlset("https://news.example/a/2")

    assert locs_of(parse_sitemap(body)) == ["https://news.example/a/1"]
    assert locs_of(parse_sitemap(padded)) == ["https://news.example/a/2"]


# --- robots.txt -----------------------------------------------------------------------------


def test_sitemaps_from_robots_reads_every_sitemap_line():
    robots = """User-agent: *
Disallow: /admin/
Sitemap: https://news.example/sitemap.xml
sitemap:/news-sitemap.xml
  SITEMAP :  https://news.example/archive.xml.gz
# Sitemap: https://news.example/commented-out.xml
Sitemap:
Allow: /
"""

    found = sitemaps_from_robots(robots, "https://news.example/robots.txt")

    assert found == [
        "https://news.example/sitemap.xml",
        "https://news.example/news-sitemap.xml",
        "https://news.example/archive.xml.gz",
    ]


def test_robots_without_sitemap_lines_gives_nothing():
    assert sitemaps_from_robots("User-agent: *\nDisallow: /sitemap.xml\n", "https://news.example/robots.txt") == []


# --- feeds ----------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>أخبار المثال</title><link>https://news.example/</link>
  <item><title>انفجار في المرفأ</title><link>https://news.example/2025/01/12/port-blast</link>
    <pubDate>Sun, 12 Jan 2025 08:15:00 +0300</pubDate></item>
  <item><title>بلا رابط</title><description>خبر بلا رابط</description></item>
  <item><title>رابط نسبي</title><link>/politics/123456</link><pubDate>Mon, 13 Jan 2025 10:00:00 GMT</pubDate></item>
  <item><title>بريد</title><link>mailto:editor@news.example</link></item>
  <item><title>بلا تاريخ</title><link>https://news.example/economy/oil-prices-rise-again</link></item>
</channel></rss>""".encode()


def test_rss_items_with_pub_date():
    entries = parse_feed(RSS, base_url="https://news.example/feed.xml", now=NOW)

    assert [(e.link, e.title, e.published) for e in entries] == [
        (
            "https://news.example/2025/01/12/port-blast",
            "انفجار في المرفأ",
            datetime(2025, 1, 12, 8, 15, tzinfo=PLUS_3),
        ),
        ("https://news.example/politics/123456", "رابط نسبي", datetime(2025, 1, 13, 10, 0, tzinfo=UTC)),
        ("https://news.example/economy/oil-prices-rise-again", "بلا تاريخ", None),
    ]


def test_feed_dates_are_kept_as_precise_as_the_feed_states_them():
    entries = parse_feed(RSS, base_url="https://news.example/feed.xml", now=NOW)

    assert [e.published_as_stated for e in entries] == ["2025-01-12T08:15:00+03:00", "2025-01-13T10:00:00+00:00", None]


def test_atom_entries_use_updated_and_skip_entries_without_link():
    atom = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>أتوم</title>
  <entry><title>خبر أتوم</title><link rel="alternate" href="https://atom.example/news/2025/02/03/story"/>
    <id>tag:atom.example,2025:1</id><updated>2025-02-03T07:45:00Z</updated></entry>
  <entry><title>بلا رابط</title><id>tag:atom.example,2025:2</id><updated>2025-02-03T08:00:00Z</updated></entry>
</feed>""".encode()

    entries = parse_feed(atom, now=NOW)

    assert [(e.link, e.title, e.published) for e in entries] == [
        ("https://atom.example/news/2025/02/03/story", "خبر أتوم", datetime(2025, 2, 3, 7, 45, tzinfo=UTC)),
    ]


def test_broken_feed_still_yields_its_items():
    broken = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>موقع</title>
  <item><title>الأول</title><link>https://news.example/a/1001</link><pubDate>Sun, 12 Jan 2025 08:15:00 +0300</pubDate></item>
  <item><title>الثاني & الثالث</title><link>https://news.example/a/1002</link></item>
  <item><title>الرابع</title><link>https://news.example/a/1003</link>""".encode()

    entries = parse_feed(broken, now=NOW)

    assert [e.link for e in entries] == [
        "https://news.example/a/1001",
        "https://news.example/a/1002",
        "https://news.example/a/1003",
    ]
    assert entries[0].published == datetime(2025, 1, 12, 8, 15, tzinfo=PLUS_3)
    assert entries[1].title == "الثاني & الثالث"


@pytest.mark.parametrize("body", [b"", b"<html><body><p>Not a feed</p></body></html>"])
def test_empty_or_non_feed_body_gives_no_entries(body):
    assert parse_feed(body, base_url="https://news.example/feed") == []


def test_rss_guid_permalink_serves_as_link():
    rss = b"""<rss version="2.0"><channel><title>x</title>
  <item><title>guid</title><guid>https://news.example/p/555555</guid></item>
</channel></rss>"""

    assert [e.link for e in parse_feed(rss)] == ["https://news.example/p/555555"]


def test_rss_item_with_non_permalink_guid_and_no_link_is_skipped():
    rss = b"""<rss version="2.0"><channel><title>x</title><link>https://news.example/</link>
  <item><title>no link</title><guid isPermaLink="false">98765</guid></item>
</channel></rss>"""

    assert parse_feed(rss, base_url="https://news.example/feed.xml") == []


# --- links of listing pages -----------------------------------------------------------------


def test_page_links_drops_non_http_schemes_and_bare_fragments():
    hrefs = [
        "javascript:void(0)",
        "JavaScript:openMenu()",
        "mailto:desk@news.example",
        "tel:+9611234567",
        "file:///etc/passwd",
        "data:text/html,hi",
        "whatsapp://send?text=x",
        "#comments",
        "",
        None,
        "https://news.example/a/1001",
    ]

    assert page_links(hrefs, "https://news.example/") == ["https://news.example/a/1001"]


def test_page_links_resolves_relative_links_and_strips_fragments():
    hrefs = ["  /2025/01/12/story  ", "story-two#top", "../about", "//cdn.example/x", "?page=2", "https://other.example/a#b"]

    links = page_links(hrefs, "https://news.example/section/politics/")

    assert links == [
        "https://news.example/2025/01/12/story",
        "https://news.example/section/politics/story-two",
        "https://news.example/section/about",
        "https://cdn.example/x",
        "https://news.example/section/politics/?page=2",
        "https://other.example/a",
    ]


def test_page_links_removes_duplicates_keeping_first_position():
    hrefs = ["/a/2", "/a/1", "https://news.example/a/2#comments", "/a/1", "/a/3"]

    links = page_links(hrefs, "https://news.example/")

    assert links == ["https://news.example/a/2", "https://news.example/a/1", "https://news.example/a/3"]


ARABIC_SLUG = quote("انفجار-في-مرفأ-بيروت-يوقع-ضحايا")


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/2025/01/12/blast",
        "https://news.example/politics/2025-1-12/blast",
        "https://news.example/news/123456",
        "https://news.example/article.php?id=98765",
        "https://news.example/world/oil-prices-rise-again-today",
        f"https://news.example/news/{ARABIC_SLUG}",
        f"https://news.example/news/{ARABIC_SLUG}/",
    ],
)
def test_article_urls_are_recognised(url):
    assert looks_like_article_url(url) is True


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example",
        "https://news.example/",
        "https://news.example/politics",
        "https://news.example/politics/",
        "https://news.example/category/world-news",
        "https://news.example/page/2",
        "https://news.example/section/economy?page=3",
        f"https://news.example/ar/{quote('سياسة')}",
        f"https://news.example/{quote('العالم-العربي')}",
        f"https://news.example/tag/{quote('لبنان')}",
    ],
)
def test_home_and_section_urls_are_not_articles(url):
    assert looks_like_article_url(url) is False
