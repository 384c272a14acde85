"""Tests for crawler.page_dates: a page's dates exactly as precise as the page states them.

Each page is a small hand-written one; ``now`` is fixed. The fields are those of item
schema v2: ``*_date`` (calendar date), ``*_time`` (local wall clock) and ``*_at`` (the
instant with its offset, null unless both are known).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import lxml.html
import pytest

from crawler.metadata import page_metadata
from crawler.page_dates import DateContext, labelled_dates

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
URL = "https://news.example/world/story-about-talks"


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def meta(name: str, value: str) -> str:
    return f'<meta property="{name}" content="{value}">'


def json_ld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def dates(html: str, url: str = URL, discovered: str | None = None, zone: str | None = None) -> dict:
    fields = page_metadata(lxml.html.fromstring(html), url, now=NOW, dates=DateContext(discovered, zone))
    return {key: value for key, value in fields.items() if key.startswith(("published_", "modified_")) or key == "date_raw"}


def published(result: dict) -> tuple:
    return result["published_date"], result["published_time"], result["published_at"]


def modified(result: dict) -> tuple:
    return result["modified_date"], result["modified_time"], result["modified_at"]


# --- precision as stated -----------------------------------------------------------------


def test_a_full_stamp_gives_date_time_and_instant():
    result = dates(page(meta("article:published_time", "2025-03-03T13:52:13.299Z")))

    assert published(result) == ("2025-03-03", "13:52:13", "2025-03-03T13:52:13+00:00")


def test_a_date_only_value_is_not_midnight_utc():
    result = dates(page(meta("article:published_time", "2025-03-03")))

    assert published(result) == ("2025-03-03", None, None)


def test_a_midnight_stamp_is_a_date_padded_by_the_cms():
    result = dates(page(json_ld({"@type": "NewsArticle", "datePublished": "2019-02-08T00:00:00+01:00"})))

    assert published(result) == ("2019-02-08", None, None)


def test_a_time_without_offset_is_not_utc():
    result = dates(page(meta("article:published_time", "2025-03-03T10:20:00")))

    assert published(result) == ("2025-03-03", "10:20:00", None)


def test_the_local_date_and_time_are_kept_as_stated_beside_the_instant():
    result = dates(page(meta("article:published_time", "2025-03-03T01:30:00+03:00")))

    # The calendar date is the outlet's (3 March), though the instant is 2 March in UTC.
    assert published(result) == ("2025-03-03", "01:30:00", "2025-03-03T01:30:00+03:00")


# --- offsets from the crawl --------------------------------------------------------------


def test_a_page_time_takes_the_offset_of_its_sitemap_entry():
    html = page(body='<div class="date">الأحد 12 كانون الثاني 2025 | 10:20</div>')

    result = dates(html, discovered="2025-01-12T10:20:00+02:00")

    assert published(result) == ("2025-01-12", "10:20:00", "2025-01-12T10:20:00+02:00")


def test_a_non_zero_sitemap_offset_applies_even_when_its_clock_differs():
    html = page(body='<div class="date">الأحد 12 كانون الثاني 2025 | 10:20</div>')

    result = dates(html, discovered="2025-01-12T18:45:00+03:00")  # a lastmod: a later edit

    assert result["published_at"] == "2025-01-12T10:20:00+03:00"


def test_a_utc_sitemap_stamp_with_another_clock_says_nothing_about_the_newsroom():
    html = page(body='<div class="date">الأحد 12 كانون الثاني 2025 | 10:20</div>')

    assert dates(html, discovered="2025-01-12T08:20:00+00:00")["published_at"] is None
    assert dates(html, discovered="2025-01-12T10:20:00Z")["published_at"] == "2025-01-12T10:20:00+00:00"


def test_the_source_time_zone_places_a_time_when_the_sitemap_gives_no_offset():
    html = page(body='<div class="date">الأحد 12 كانون الثاني 2025 | 10:20</div>')

    for discovered in (None, "2025-01-12", "2025-01-12T10:20:00"):
        assert dates(html, discovered=discovered, zone="Asia/Beirut")["published_at"] == "2025-01-12T10:20:00+02:00"


def test_the_time_zone_follows_daylight_saving():
    html = page(meta("article:published_time", "2025-04-15T13:40:00"))

    assert dates(html, zone="Asia/Beirut")["published_at"] == "2025-04-15T13:40:00+03:00"


def test_an_offset_the_page_states_wins_over_the_crawl():
    html = page(meta("article:published_time", "2025-01-12T10:20:00+00:00"))

    assert dates(html, discovered="2025-01-12T10:20:00+02:00", zone="Asia/Beirut")["published_at"] == (
        "2025-01-12T10:20:00+00:00"
    )


def test_a_date_only_page_gets_no_time_from_the_crawl():
    html = page(body='<div class="date">12 يناير 2025</div>')

    assert published(dates(html, discovered="2025-01-12T10:20:00+02:00", zone="Asia/Beirut")) == ("2025-01-12", None, None)


# --- several sources ---------------------------------------------------------------------


def test_a_date_line_under_the_headline_that_agrees_on_the_date_adds_the_time():
    head = json_ld({"@type": "NewsArticle", "datePublished": "2025-01-12"})
    body = '<h1>عنوان الخبر هنا</h1><span>نشر في: 12 يناير 2025 - 10:20 (بتوقيت مكة)</span>'

    assert published(dates(page(head, body))) == ("2025-01-12", "10:20:00", "2025-01-12T10:20:00+03:00")


def test_a_dated_teaser_elsewhere_adds_no_time_to_a_stamp():
    head = json_ld({"@type": "NewsArticle", "datePublished": "2025-01-12"})
    body = '<h1>عنوان الخبر هنا</h1><p>نص</p><aside><span class="date">12 يناير 2025 - 15:00</span></aside>'

    assert published(dates(page(head, body))) == ("2025-01-12", None, None)


def test_a_caption_quoting_a_date_under_the_headline_is_no_date_line():
    body = (
        "<h1>عنوان الخبر هنا</h1><figure><figcaption>متظاهرون في غلاسكو - 2 يناير 2025</figcaption></figure>"
        "<p>متظاهرة تحمل لافتة عليها صورة الطيار في مدينة غلاسكو البريطانية خلال وقفة - 2 يناير 2025</p>"
        '<time datetime="2025-01-03T13:52:00Z">3 يناير 2025</time>'
    )

    assert published(dates(page(body=body))) == ("2025-01-03", "13:52:00", "2025-01-03T13:52:00+00:00")


def test_a_later_source_that_agrees_on_the_time_adds_the_offset():
    head = meta("og:published_time", "2025-01-12T10:20:00") + meta("article:published_time", "2025-01-12T10:20:00+02:00")

    assert dates(page(head))["published_at"] == "2025-01-12T10:20:00+02:00"


def test_a_source_with_another_date_adds_nothing():
    head = json_ld({"@type": "NewsArticle", "datePublished": "2025-01-12"})
    body = '<span class="date">13 يناير 2025 - 10:20</span>'

    assert published(dates(page(head, body))) == ("2025-01-12", None, None)


# --- update stamps -----------------------------------------------------------------------


def test_a_line_labelled_as_an_update_dates_the_modification_only():
    html = page(body="<h1>عنوان الخبر هنا</h1><div>الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00 (GMT+0400)</div>")

    result = dates(html, url="http://arabic.news.example/2013/middle_east/8/3/story/index.html")

    assert modified(result) == ("2013-08-28", "14:00:00", "2013-08-28T14:00:00+04:00")
    # The URL dates the publication; it states no time.
    assert published(result) == ("2013-08-03", None, None)


def test_publish_and_update_labels_in_one_line():
    html = page(body='<div class="meta">نشر في: 12/1/2025 آخر تحديث: 13/1/2025 10:30 (بتوقيت مكة)</div>')

    result = dates(html)

    assert published(result) == ("2025-01-12", None, None)
    assert modified(result) == ("2025-01-13", "10:30:00", "2025-01-13T10:30:00+03:00")


def test_microdata_says_what_an_element_dates():
    body = '<span class="date" itemprop="dateModified" content="2025-01-13T10:30:00+02:00">13 يناير 2025</span>'

    result = dates(page(body=body))

    assert result["published_date"] is None
    assert result["modified_at"] == "2025-01-13T10:30:00+02:00"


def test_a_stamp_days_after_the_url_date_is_a_last_update():
    head = meta("article:published_time", "2025-01-20T09:00:00+02:00")

    result = dates(page(head), url="https://news.example/2025/01/05/story")

    assert published(result) == ("2025-01-05", None, None)
    assert result["date_raw"] == "https://news.example/2025/01/05/story"
    assert modified(result) == ("2025-01-20", "09:00:00", "2025-01-20T09:00:00+02:00")


def test_a_one_day_gap_to_the_url_date_is_a_time_zone_not_an_update():
    head = meta("article:published_time", "2025-01-06T01:00:00+03:00")

    result = dates(page(head), url="https://news.example/2025/01/05/story")

    assert result["published_at"] == "2025-01-06T01:00:00+03:00"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("نشر في 18/01/2025", [("published", "2025-01-18")]),
        ("آخر تحديث: 18/01/2025 12:40 م (توقيت مكة)", [("updated", "2025-01-18")]),
        ("تاريخ النشر: 24 أغسطس 2020 | آخر تحديث: 25 أغسطس 2020", [("published", "2020-08-24"), ("updated", "2020-08-25")]),
        ("24 أغسطس 2020", [("published", "2020-08-24")]),
        ("اشترك في النشرة 24 أغسطس 2020", [("published", "2020-08-24")]),  # "النشرة" is no label
    ],
)
def test_labelled_dates(line, expected):
    assert [(kind, stated.date.isoformat()) for kind, stated in labelled_dates(line, NOW)] == expected
