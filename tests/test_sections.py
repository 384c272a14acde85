"""Tests for crawler.sections: the section from the markup, the breadcrumb or the site menu."""

from __future__ import annotations

import json

import lxml.html
import pytest

from crawler.metadata import page_metadata

URL = "https://news.example/economy/2025/03/03/story-1234"
HEADLINE = "<h1>الحكومة تقر الموازنة العامة للعام المقبل</h1>"


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def json_ld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def section(html: str, url: str = URL, site_names=()) -> str | None:
    return page_metadata(lxml.html.fromstring(html), url, site_names)["section"]


CRUMBS = '<ol class="breadcrumb"><li><a href="/">الرئيسية</a></li><li><a href="/gulf">الخليج</a></li></ol>'


@pytest.mark.parametrize("flag", ["featured", "Featured", "خاص", "مميز", "slider", "Uncategorized"])
def test_a_cms_flag_is_never_the_section(flag):
    head = f'<meta property="article:section" content="{flag}">'

    assert section(page(head, CRUMBS + HEADLINE)) == "الخليج"
    assert section(page(head, HEADLINE)) is None


def test_of_several_categories_the_one_the_breadcrumb_shows_wins():
    head = json_ld({"@type": "NewsArticle", "headline": "خبر", "articleSection": ["featured", "عاجل", "سياسة", "الخليج"]})

    assert section(page(head, CRUMBS + HEADLINE)) == "الخليج"
    assert section(page(head, HEADLINE)) == "سياسة"


def test_microdata_article_section():
    body = HEADLINE + '<a itemprop="articleSection" href="/sport">رياضة</a>'

    assert section(page(body=body)) == "رياضة"


def test_json_ld_breadcrumb_skips_home_site_and_headline():
    crumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "الجزيرة نت", "item": "https://news.example/"},
            {"@type": "ListItem", "position": 2, "name": "اقتصاد", "item": "https://news.example/ebusiness/"},
            {"@type": "ListItem", "position": 3, "name": "الحكومة تقر الموازنة العامة للعام المقبل"},
        ],
    }
    head = '<meta property="og:site_name" content="الجزيرة نت">' + json_ld(crumbs)

    assert section(page(head, HEADLINE)) == "اقتصاد"


def test_the_deepest_crumb_is_the_section():
    crumbs = '<div class="breadcumb"><a href="/">الرئيسية</a> &gt; <a href="/news">أخبار</a> &gt; <a href="/news/egypt">أخبار مصر</a></div>'

    assert section(page(body=crumbs + HEADLINE)) == "أخبار مصر"


@pytest.mark.parametrize(
    "trail",
    [
        '<td><a href="/">إيلاف</a> &gt; <a href="/Web/Culture/">ثقافات</a></td>',
        '<nav><a href="https://news.example/">الرئيسية</a><em>/</em><a href="/category/misc/">منوعات</a>'
        "<em>/</em><span>الحكومة تقر الموازنة العامة للعام المقبل</span></nav>",
    ],
)
def test_a_trail_of_links_from_home_is_a_breadcrumb_whatever_its_class(trail):
    assert section(page(body=f"<div>{trail}</div>" + HEADLINE), site_names=["إيلاف"]) in ("ثقافات", "منوعات")


def test_a_trail_joined_by_arrow_images_is_a_breadcrumb():
    trail = '<div><a href="/">الرئيسية</a> <img src="/arrow.png"> <a href="/تقارير-مصرية-97">تقارير مصرية</a></div>'

    assert section(page(body=trail + HEADLINE), url="https://news.example/story/2025/3/3/slug/4943459") == "تقارير مصرية"


def test_a_menu_with_a_home_link_is_not_a_trail():
    menu = " | ".join(f'<a href="/{slug}">{name}</a>' for slug, name in [("", "الرئيسية"), ("news", "أخبار"), ("politics", "سياسة"),
                                                                         ("economy", "اقتصاد"), ("sport", "رياضة"), ("opinion", "آراء")])  # fmt: skip

    assert section(page(body=f"<div>{menu}</div>" + HEADLINE), url="https://news.example/story-1234") is None


def test_the_current_menu_entry_when_its_path_is_in_the_url():
    menu = (
        '<ul><li><a href="/world/">العالم</a></li><li><a class="nav-on" href="/economy/">اقتصاد</a></li>'
        '<li class="active"><a href=".most-read">الأكثر قراءة</a></li></ul>'
    )

    assert section(page(body=menu + HEADLINE)) == "اقتصاد"
    assert section(page(body=menu + HEADLINE), url="https://news.example/2025/03/03/story-1234") is None


def test_a_kicker_link_above_the_headline_to_a_menu_section():
    menu = "".join(f'<li><a href="/{name}">{name}</a></li>' for name in ("سياسة", "اقتصاد", "ثقافة", "منوعات", "رياضة", "آراء"))
    body = f'<nav><a href="/">الرئيسية</a><ul>{menu}</ul></nav><div><a href="/اقتصاد">اقتصاد</a> <span>تقارير</span></div>' + HEADLINE

    assert section(page(body=body), url="https://news.example/node/638412") == "اقتصاد"


def test_declared_section_beats_the_breadcrumb():
    head = '<meta property="article:section" content="رياضة">'

    assert section(page(head, CRUMBS + HEADLINE)) == "رياضة"


def test_of_declared_sections_the_breadcrumb_shows_the_deepest_wins():
    # WordPress lists every category, parent first; the breadcrumb shows both.
    head = json_ld({"@type": "NewsArticle", "articleSection": ["أخبار", "عربي"]})
    crumbs = '<div class="breadcrumbs"><a href="/">الرئيسية</a> &gt; <a href="/news/">أخبار</a> &gt; <a href="/news/arab/">عربي</a></div>'

    assert section(page(head, crumbs + HEADLINE)) == "عربي"


def test_no_section_anywhere():
    assert section(page(body=HEADLINE + "<p>نص</p>"), url="https://news.example/story-1234") is None
