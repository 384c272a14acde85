"""Tests for crawler.metadata.page_metadata on small hand-written pages.

Each page holds only the markup a test is about, so a failure points at one source of
metadata (JSON-LD, meta tags, visible elements or the URL). ``now`` is fixed everywhere.
"""

import json
from datetime import datetime, timezone

import lxml.html
import pytest

from crawler.bylines import split_people
from crawler.metadata import is_article_page, meta_tags, page_metadata

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
ARTICLE_URL = "https://www.news.example/politics/budget-approved"


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def json_ld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def metadata(html: str, url: str = ARTICLE_URL, site_names=()) -> dict:
    return page_metadata(lxml.html.fromstring(html), url, site_names, now=NOW)


# --- JSON-LD --------------------------------------------------------------------------------

NEWS_ARTICLE = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "الحكومة تقر الموازنة العامة",
    "author": [
        {"@type": "Person", "name": "سامر الخطيب"},
        {"@type": "Organization", "name": "الأخبار"},
    ],
    "datePublished": "2025-01-12T09:30:00+02:00",
    "dateModified": "2025-01-12T11:05:00+02:00",
    "articleSection": "سياسة",
    "keywords": ["موازنة", "لبنان"],
}


def test_json_ld_news_article_fields():
    result = metadata(page(json_ld(NEWS_ARTICLE)))

    assert result["title"] == "الحكومة تقر الموازنة العامة"
    assert result["authors"] == ["سامر الخطيب"]  # the Organization is not a person
    assert result["agency"] is None
    assert result["published_at"] == "2025-01-12T09:30:00+02:00"
    assert result["date_raw"] == "2025-01-12T09:30:00+02:00"
    assert result["modified_at"] == "2025-01-12T11:05:00+02:00"
    assert result["section"] == "سياسة"
    assert result["tags"] == ["موازنة", "لبنان"]
    assert result["declares_article"] is True


def test_json_ld_graph_is_searched_for_the_article_and_breadcrumbs():
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "الأخبار"},
            {"@type": "WebPage", "name": "صفحة الخبر"},
            {
                "@type": "NewsArticle",
                "headline": "أسعار النفط ترتفع",
                "author": {"@type": "Person", "name": "ليلى حداد"},
                "datePublished": "2025-01-10T08:00:00Z",
                "keywords": "نفط, أسعار",
            },
            {
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": "الرئيسية", "item": "https://news.example/"},
                    {"@type": "ListItem", "position": 2, "name": "اقتصاد", "item": "https://news.example/eco"},
                    {"@type": "ListItem", "position": 3, "name": "أسعار النفط ترتفع"},
                ],
            },
        ],
    }

    result = metadata(page(json_ld(graph)))

    assert result["title"] == "أسعار النفط ترتفع"
    assert result["authors"] == ["ليلى حداد"]
    assert result["published_at"] == "2025-01-10T08:00:00+00:00"
    assert result["tags"] == ["نفط", "أسعار"]
    assert result["section"] == "اقتصاد"  # the crumb before the headline, home skipped
    assert result["site_names"] == ["الأخبار"]


def test_real_article_type_wins_over_webpage():
    objects = [
        {"@context": "https://schema.org", "@type": "WebPage", "headline": "عنوان الصفحة العامة"},
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "عنوان الخبر"},
    ]

    assert metadata(page(json_ld(objects)))["title"] == "عنوان الخبر"


def test_unparseable_json_ld_is_skipped_for_meta_tags():
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    head += '<meta property="og:title" content="عنوان من الوسوم">'

    assert metadata(page(head))["title"] == "عنوان من الوسوم"


def test_agency_credited_as_json_ld_organization_goes_to_agency():
    article = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "خبر",
               "author": {"@type": "Organization", "name": "رويترز"}}  # fmt: skip

    result = metadata(page(json_ld(article)))

    assert result["agency"] == "Reuters"
    assert result["authors"] == []


def test_json_ld_keywords_string_is_split_on_the_arabic_comma():
    article = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "خبر", "keywords": "نفط، أسعار، أوبك"}

    assert metadata(page(json_ld(article)))["tags"] == ["نفط", "أسعار", "أوبك"]


# --- meta tags ------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["|", "-"])
def test_og_title_loses_the_site_suffix(separator):
    head = (
        f'<meta property="og:title" content="ارتفاع أسعار النفط {separator} الشرق نيوز">'
        '<meta property="og:site_name" content="الشرق نيوز">'
    )

    result = metadata(page(head), url="https://alsharq.example/a/1")

    assert result["title"] == "ارتفاع أسعار النفط"
    assert result["site_names"] == ["الشرق نيوز"]


def test_site_suffix_from_the_caller_site_names_is_stripped_and_inner_dashes_kept():
    head = '<meta property="og:title" content="لبنان - إسرائيل: مفاوضات الحدود تتعثر - الأخبار">'

    result = metadata(page(head), site_names=["الأخبار"])

    assert result["title"] == "لبنان - إسرائيل: مفاوضات الحدود تتعثر"


def test_headline_part_that_contains_the_site_name_is_kept():
    head = '<meta property="og:title" content="اللغة العربية - لغة الضاد في يومها العالمي | العربية">'

    result = metadata(page(head), url="https://www.alarabiya.example/culture/123456", site_names=["العربية"])

    assert result["title"] == "اللغة العربية - لغة الضاد في يومها العالمي"


def test_h1_inside_a_suffixed_title_is_preferred():
    html = page("<title>مقتل 3 في غارة على الجنوب - موقع المدن</title>", "<h1>مقتل 3 في غارة على الجنوب</h1>")

    assert metadata(html)["title"] == "مقتل 3 في غارة على الجنوب"


def test_displayed_h1_is_the_title_even_when_og_title_words_it_differently():
    head = '<meta property="og:title" content="آرون بوشنيل: أصدقاء الطيار الأمريكي يكافحون لاستيعاب حرقه لنفسه - BBC News عربي">'
    body = "<header><h1>BBC</h1></header><h1>أصدقاء الطيار الأمريكي آرون بوشنيل يكافحون لاستيعاب حرقه لنفسه</h1>"

    assert metadata(page(head, body))["title"] == "أصدقاء الطيار الأمريكي آرون بوشنيل يكافحون لاستيعاب حرقه لنفسه"


def test_an_h1_that_is_a_logo_or_a_section_name_is_not_the_title():
    head = '<meta property="og:title" content="ارتفاع أسعار النفط مع تراجع المخزونات الأميركية">'
    body = '<h1><a href="/">الشرق نيوز</a></h1><h1>اقتصاد</h1><h2>ارتفاع أسعار النفط مع تراجع المخزونات الأميركية</h2>'

    assert metadata(page(head, body))["title"] == "ارتفاع أسعار النفط مع تراجع المخزونات الأميركية"


def test_the_one_content_h1_is_the_title_of_a_page_that_declares_none():
    body = "<header><h1>الشرق نيوز</h1></header><article><h1>ارتفاع أسعار النفط مع تراجع المخزونات</h1></article>"

    assert metadata(page(body=body))["title"] == "ارتفاع أسعار النفط مع تراجع المخزونات"


def test_entities_escaped_twice_are_decoded_in_every_text_value():
    head = (
        '<meta property="og:title" content="الوزير: &amp;quot;لا زيادة في الأسعار&amp;quot;">'
        '<meta name="description" content="قال الوزير &amp;quot;لا زيادة&amp;quot;">'
        '<meta name="author" content="سامر &amp;amp; ليلى">'
    )
    body = "<h1>الوزير: &amp;quot;لا زيادة في الأسعار&amp;quot;</h1>"

    result = metadata(page(head, body))

    assert result["title"] == 'الوزير: "لا زيادة في الأسعار"'
    assert result["description"] == 'قال الوزير "لا زيادة"'
    assert result["authors"] == ["سامر", "ليلى"]


def test_entities_in_json_ld_strings_are_decoded():
    article = {"@type": "NewsArticle", "headline": "الوزير: &quot;لا زيادة&quot;", "keywords": ["نفط &amp; غاز"],
               "articleSection": "اقتصاد &amp; أعمال"}  # fmt: skip

    result = metadata(page(json_ld(article)))

    assert (result["title"], result["tags"], result["section"]) == ('الوزير: "لا زيادة"', ["نفط & غاز"], "اقتصاد & أعمال")


def test_json_ld_wrapped_in_cdata_is_read():
    data = json.dumps({"@type": "NewsArticle", "headline": "خبر", "author": {"@type": "Person", "name": "ليلى حداد"}}, ensure_ascii=False)
    head = f'<script type="application/ld+json">//<![CDATA[\n{data}\n//]]></script>'

    assert metadata(page(head))["authors"] == ["ليلى حداد"]


def test_the_title_suffix_names_the_site():
    head = "<title>مقتل 3 في غارة على الجنوب - موقع المدن</title>"
    result = metadata(page(head, "<h1>مقتل 3 في غارة على الجنوب</h1>"))

    assert result["title"] == "مقتل 3 في غارة على الجنوب"
    assert "موقع المدن" in result["site_names"]


def test_meta_tags_give_date_tags_and_declared_type():
    head = (
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2025-02-01T10:00:00+03:00">'
        '<meta property="article:modified_time" content="2025-02-01T12:30:00+03:00">'
        '<meta property="article:tag" content="نفط">'
        '<meta property="article:tag" content="أوبك">'
        '<meta name="keywords" content="مهمل، لا يقرأ">'
    )

    result = metadata(page(head))

    assert result["published_at"] == "2025-02-01T10:00:00+03:00"
    assert result["modified_at"] == "2025-02-01T12:30:00+03:00"
    assert result["tags"] == ["نفط", "أوبك"]  # keywords only when there are no article tags
    assert result["declares_article"] is True


def test_meta_keywords_split_on_latin_and_arabic_commas():
    head = '<meta name="keywords" content="نفط، أوبك, طاقة ,نفط">'

    assert metadata(page(head))["tags"] == ["نفط", "أوبك", "طاقة"]


# --- people ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("author", "agency"),
    [("أ ف ب", "AFP"), ("(رويترز)", "Reuters"), ("وكالة الأناضول", "Anadolu"), ("Reuters", "Reuters")],
)
def test_agency_in_the_author_field_goes_to_agency(author, agency):
    head = f'<meta name="author" content="{author}">'

    result = metadata(page(head))

    assert result["agency"] == agency
    assert result["authors"] == []


def test_person_and_agency_in_one_byline_are_told_apart():
    head = '<meta name="author" content="سامر الخطيب، رويترز">'

    result = metadata(page(head))

    assert result["authors"] == ["سامر الخطيب"]
    assert result["agency"] == "Reuters"


def test_site_name_is_never_an_author():
    head = (
        '<meta property="og:site_name" content="الشرق نيوز">'
        '<meta name="author" content="الشرق نيوز">'
        '<meta property="article:author" content="هدى يوسف">'
    )

    assert metadata(page(head))["authors"] == ["هدى يوسف"]


def test_site_name_from_the_caller_is_never_an_author():
    article = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "خبر",
               "author": [{"@type": "Person", "name": "Al Akhbar"}, {"@type": "Person", "name": "Rami Haddad"}]}  # fmt: skip

    result = metadata(page(json_ld(article)), site_names=["Al-Akhbar"])

    assert result["authors"] == ["Rami Haddad"]


def test_visible_byline_is_read_without_its_prefix():
    html = page(body='<span class="byline">بقلم: هدى يوسف</span><p>نص الخبر</p>')

    assert metadata(html)["authors"] == ["هدى يوسف"]


@pytest.mark.parametrize(
    ("byline", "people"),
    [
        ("سامر الخطيب، ليلى حداد", ["سامر الخطيب", "ليلى حداد"]),
        ("By Ahmad Said and Rania Tamer", ["Ahmad Said", "Rania Tamer"]),
        ("بقلم: وائل حمدان", ["وائل حمدان"]),
        ("كتب: محمد علي و سارة أحمد", ["محمد علي", "سارة أحمد"]),
        ("محمد وليد الخطيب", ["محمد وليد الخطيب"]),  # a name that starts with و is not split
    ],
)
def test_split_people(byline, people):
    assert split_people(byline) == people


# --- dates ----------------------------------------------------------------------------------


def test_visible_date_line_with_levantine_month_when_no_meta_date():
    html = page(body='<div class="date">الأحد 12 كانون الثاني 2025</div><p>نص الخبر</p>')

    result = metadata(html, url="https://news.example/world/story-about-talks")

    # A date without a time is a date: no midnight, no UTC.
    assert (result["published_date"], result["published_time"], result["published_at"]) == ("2025-01-12", None, None)
    assert result["date_raw"] == "الأحد 12 كانون الثاني 2025"


def test_time_element_datetime_attribute_is_read():
    html = page(body='<time datetime="2025-01-05T10:00:00+03:00">منذ ساعتين</time>')

    assert metadata(html)["published_at"] == "2025-01-05T10:00:00+03:00"


def test_long_paragraph_quoting_a_date_is_not_a_date_line():
    story = "قال المتحدث إن الاتفاق الموقع في 12 كانون الثاني 2020 ما زال ساريا " * 3
    html = page(body=f'<div class="meta-content">{story}</div>')

    assert metadata(html, url="https://news.example/world/story-about-talks")["published_at"] is None


def test_date_from_the_url_is_the_last_resort():
    result = metadata(page(body="<p>نص بلا تاريخ</p>"), url="https://news.example/2024/11/05/story-9")

    assert (result["published_date"], result["published_time"], result["published_at"]) == ("2024-11-05", None, None)
    assert result["date_raw"] == "https://news.example/2024/11/05/story-9"


def test_meta_date_beats_visible_date():
    url = "https://news.example/world/story-9"
    visible = '<div class="date">الأحد 12 كانون الثاني 2025</div>'
    meta = '<meta property="article:published_time" content="2025-01-11T22:00:00+02:00">'

    assert metadata(page(meta, visible), url=url)["published_at"] == "2025-01-11T22:00:00+02:00"
    assert metadata(page("", visible), url=url)["published_date"] == "2025-01-12"


def test_no_date_anywhere_gives_none():
    result = metadata(page(body="<p>نص</p>"), url="https://news.example/world/story-about-talks")

    fields = ("published_at", "published_date", "published_time", "date_raw", "modified_at", "modified_date", "modified_time")
    assert [result[field] for field in fields] == [None] * len(fields)


# --- section --------------------------------------------------------------------------------


def test_html_breadcrumb_gives_the_section():
    crumbs = '<ol class="breadcrumb"><li><a href="/">الرئيسية</a></li><li><a href="/world">عالم</a></li><li>عنوان الخبر</li></ol>'

    assert metadata(page(body=crumbs))["section"] == "عالم"


def test_article_section_beats_breadcrumbs():
    head = '<meta property="article:section" content="رياضة">'
    crumbs = '<ol class="breadcrumb"><li><a href="/">الرئيسية</a></li><li><a href="/world">عالم</a></li></ol>'

    assert metadata(page(head, crumbs))["section"] == "رياضة"


# --- canonical URL --------------------------------------------------------------------------


def test_relative_canonical_on_the_same_site_is_made_absolute():
    html = page('<link rel="canonical" href="/world/story-9">')

    assert metadata(html, url="https://www.news.example/world/story-9?utm_source=x")["canonical_url"] == (
        "https://www.news.example/world/story-9"
    )


def test_off_site_canonical_is_ignored():
    html = page('<link rel="canonical" href="https://aggregator.example/copied/story-9">')

    assert metadata(html, url="https://news.example/world/story-9")["canonical_url"] is None


def test_off_site_canonical_falls_back_to_a_same_site_og_url():
    head = (
        '<link rel="canonical" href="https://aggregator.example/copied/story-9">'
        '<meta property="og:url" content="https://news.example/world/story-9">'
    )

    assert metadata(page(head), url="https://m.news.example/world/story-9")["canonical_url"] == (
        "https://news.example/world/story-9"
    )


# --- page type ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("og_type", "declared"),
    [("article", True), ("ARTICLE", True), ("website", False), (None, None)],
)
def test_is_article_page_from_og_type(og_type, declared):
    head = f'<meta property="og:type" content="{og_type}">' if og_type else ""
    tree = lxml.html.fromstring(page(head, "<p>نص</p>"))

    assert is_article_page(meta_tags(tree), []) is declared
    assert metadata(page(head, "<p>نص</p>"))["declares_article"] is declared


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        (["ProfilePage", "BreadcrumbList"], "index"),
        (["CollectionPage"], "index"),
        (["VideoObject", "Organization"], "media"),
        (["PodcastEpisode"], "media"),
        (["VideoObject", "NewsArticle"], None),
        (["WebSite", "Organization", "ImageObject"], None),
    ],
)
def test_json_ld_can_declare_an_index_or_a_media_page_over_og_type_article(types, kind):
    head = '<meta property="og:type" content="article">' + "".join(json_ld({"@type": name, "name": "x"}) for name in types)
    result = metadata(page(head))

    assert result["declared_kind"] == kind
    assert result["declares_article"] is (kind is None)


def test_json_ld_article_declares_an_article_even_with_og_type_website():
    head = '<meta property="og:type" content="website">' + json_ld({"@type": "NewsArticle", "headline": "خبر"})

    assert metadata(page(head))["declares_article"] is True
