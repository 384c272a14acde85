"""Tests for crawler.dates, with a fixed ``now`` everywhere so the results never drift."""

from datetime import date, datetime, time, timedelta, timezone

import pytest

from crawler.dates import (
    MONTH_TABLES,
    StatedDate,
    date_from_url,
    find_date_in_text,
    find_stated_date,
    parse_date,
    stated_date_from_url,
    to_iso,
)

UTC = timezone.utc
PLUS_3 = timezone(timedelta(hours=3))
MINUS_4_30 = timezone(-timedelta(hours=4, minutes=30))
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)

# The expected month of every spelling, written out here rather than read from the module.
EXPECTED_MONTHS = {
    "egyptian_gulf": [
        ("يناير", 1), ("فبراير", 2), ("مارس", 3), ("أبريل", 4), ("إبريل", 4), ("ابريل", 4),
        ("مايو", 5), ("يونيو", 6), ("يونية", 6), ("يونيه", 6), ("يوليو", 7), ("يولية", 7),
        ("يوليه", 7), ("أغسطس", 8), ("اغسطس", 8), ("سبتمبر", 9), ("أكتوبر", 10),
        ("اكتوبر", 10), ("نوفمبر", 11), ("ديسمبر", 12),
    ],
    "levantine_iraqi": [
        ("كانون الثاني", 1), ("كانون ثاني", 1), ("شباط", 2), ("آذار", 3), ("اذار", 3),
        ("نيسان", 4), ("أيار", 5), ("ايار", 5), ("حزيران", 6), ("تموز", 7), ("آب", 8),
        ("اب", 8), ("أيلول", 9), ("ايلول", 9), ("تشرين الأول", 10), ("تشرين اول", 10),
        ("تشرين الثاني", 11), ("تشرين ثاني", 11), ("كانون الأول", 12), ("كانون اول", 12),
    ],
    "maghrebi": [
        ("جانفي", 1), ("فيفري", 2), ("مارس", 3), ("أفريل", 4), ("افريل", 4), ("ماي", 5),
        ("جوان", 6), ("جويلية", 7), ("جويليه", 7), ("أوت", 8), ("اوت", 8), ("سبتمبر", 9),
        ("أكتوبر", 10), ("اكتوبر", 10), ("نوفمبر", 11), ("ديسمبر", 12),
    ],
    "moroccan": [
        ("يناير", 1), ("فبراير", 2), ("مارس", 3), ("أبريل", 4), ("ابريل", 4), ("ماي", 5),
        ("يونيو", 6), ("يوليوز", 7), ("غشت", 8), ("شتنبر", 9), ("أكتوبر", 10),
        ("اكتوبر", 10), ("نونبر", 11), ("دجنبر", 12),
    ],
    "english": [
        ("January", 1), ("Jan", 1), ("February", 2), ("Feb", 2), ("March", 3), ("Mar", 3),
        ("April", 4), ("Apr", 4), ("May", 5), ("June", 6), ("Jun", 6), ("July", 7),
        ("Jul", 7), ("August", 8), ("Aug", 8), ("September", 9), ("Sep", 9), ("Sept", 9),
        ("October", 10), ("Oct", 10), ("November", 11), ("Nov", 11), ("December", 12),
        ("Dec", 12),
    ],
}  # fmt: skip

EXPECTED_SPELLINGS = [
    (region, name, month) for region, names in EXPECTED_MONTHS.items() for name, month in names
]
MODULE_SPELLINGS = [(region, name) for region, table in MONTH_TABLES.items() for name in table]


def at(*fields, tz=UTC):
    return datetime(*fields, tzinfo=tz)


# --- month names ------------------------------------------------------------------


@pytest.mark.parametrize(("region", "name", "month"), EXPECTED_SPELLINGS)
def test_every_month_spelling_day_month_year(region, name, month):
    assert parse_date(f"15 {name} 2023", now=NOW) == at(2023, month, 15)


@pytest.mark.parametrize(("region", "name", "month"), EXPECTED_SPELLINGS)
def test_every_month_spelling_with_weekday_and_time(region, name, month):
    assert parse_date(f"الأحد، 9 {name} 2022 - 08:05 م", now=NOW) == at(2022, month, 9, 20, 5)


@pytest.mark.parametrize(("region", "name"), MODULE_SPELLINGS)
def test_module_table_entry_reads_as_the_independently_expected_month(region, name):
    expected = {spelling.casefold(): month for spelling, month in EXPECTED_MONTHS[region]}
    key = name.casefold()
    assert key in expected, f"{name!r} in the {region} table has no expectation in this test"
    assert parse_date(f"3 {name} 2021", now=NOW) == at(2021, expected[key], 3)


@pytest.mark.parametrize("region", sorted(EXPECTED_MONTHS))
def test_each_regional_table_has_all_twelve_months(region):
    assert sorted(set(MONTH_TABLES[region].values())) == list(range(1, 13))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5 جانفى 2020", at(2020, 1, 5)),  # ى for ي
        ("5 فيفرى 2020", at(2020, 2, 5)),
        ("5 مـايـو 2020", at(2020, 5, 5)),  # tatweel
        ("5 مَايُو 2020", at(2020, 5, 5)),  # harakat
        ("5 ﻣﺎﻳﻮ 2020", at(2020, 5, 5)),  # presentation forms
        ("5 آيار 2020", at(2020, 5, 5)),  # madda instead of hamza
        ("5 كانون   الثاني 2020", at(2020, 1, 5)),  # several spaces inside the name
        ("5 MAY 2020", at(2020, 5, 5)),
        ("5 sept. 2020", at(2020, 9, 5)),
    ],
)
def test_spelling_variants_outside_the_tables(raw, expected):
    assert parse_date(raw, now=NOW) == expected


def test_kanun_al_thani_is_january_twelfth_not_first():
    # htmldate reads this as 2024-01-01, taking "الثاني" (second) for the day.
    assert parse_date("12 كانون الثاني 2024", now=NOW) == at(2024, 1, 12)
    assert parse_date("الأحد 12 كانون الثاني 2024", now=NOW) == at(2024, 1, 12)


@pytest.mark.parametrize(
    ("raw", "month"),
    [
        ("1 كانون الأول 2023", 12),
        ("1 كانون الثاني 2023", 1),
        ("1 تشرين الأول 2023", 10),
        ("1 تشرين الثاني 2023", 11),
    ],
)
def test_two_word_months_are_told_apart(raw, month):
    assert parse_date(raw, now=NOW) == at(2023, month, 1)


@pytest.mark.parametrize(
    "raw",
    [
        "12 كانون الثاني/يناير 2024",
        "12 يناير/ كانون الثاني 2024",
        "12 يناير (كانون الثاني) 2024",
        "12 جانفي - يناير 2024",
    ],
)
def test_double_month_names(raw):
    assert parse_date(raw, now=NOW) == at(2024, 1, 12)


def test_double_month_names_that_disagree_are_no_date():
    assert parse_date("10 مارس/أبريل 2024", now=NOW) is None


def test_month_name_inside_a_longer_word_is_not_a_month():
    # "اب" (August) and "ماي" (May) hide inside these words.
    assert parse_date("12 الشباب 2024", now=NOW) is None
    assert parse_date("12 مايكروفون 2024", now=NOW) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("May 20, 2024", at(2024, 5, 20)),
        ("May 20th, 2024", at(2024, 5, 20)),
        ("20th May 2024", at(2024, 5, 20)),
        ("مايو 20، 2024", at(2024, 5, 20)),
        ("2024 مايو 20", at(2024, 5, 20)),
        ("20-مايو-2024", at(2024, 5, 20)),
    ],
)
def test_text_date_orders(raw, expected):
    assert parse_date(raw, now=NOW) == expected


# --- digits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "١٢ يناير ٢٠٢٤ ١٠:٣٠ ص",
        "۱۲ يناير ۲۰۲۴ ۱۰:۳۰ ص",
        "٢٠٢٤-٠١-١٢ ١٠:٣٠",
        "۱۲/۰۱/۲۰۲۴ 10:30",
        "12 يناير ٢٠٢٤ 10:30",  # mixed digit sets
    ],
)
def test_arabic_indic_and_persian_digits(raw):
    assert parse_date(raw, now=NOW) == at(2024, 1, 12, 10, 30)


# --- times and am/pm --------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "hour", "minute"),
    [
        ("01:00 م", 13, 0),
        ("03:15 م", 15, 15),
        ("12:00 م", 12, 0),  # noon
        ("12:40 م", 12, 40),
        ("12:00 ص", 0, 0),  # midnight
        ("12:30 ص", 0, 30),
        ("09:23 ص", 9, 23),
        ("10:15 مساء", 22, 15),
        ("10:15 مساءً", 22, 15),
        ("6:05 صباحا", 6, 5),
        ("6:05 صباحاً", 6, 5),
        ("7:45 PM", 19, 45),
        ("7:45 pm", 19, 45),
        ("7:45 AM", 7, 45),
        ("12:00 AM", 0, 0),
        ("12:00 PM", 12, 0),
        ("14:00", 14, 0),
        ("14:00 م", 14, 0),  # redundant marker on a 24-hour clock
        ("10:30م", 22, 30),  # no space before the marker
    ],
)
def test_times_with_am_pm_markers(clock, hour, minute):
    assert parse_date(f"24 أغسطس 2020 {clock}", now=NOW) == at(2020, 8, 24, hour, minute)


def test_seconds_are_read():
    assert parse_date("24/08/2020 09:23:13", now=NOW) == at(2020, 8, 24, 9, 23, 13)


@pytest.mark.parametrize("lead", [" - ", "، ", " الساعة ", " | ", ", at ", " في "])
def test_words_between_date_and_time(lead):
    assert parse_date(f"20 مايو 2024{lead}10:30 ص", now=NOW) == at(2024, 5, 20, 10, 30)


def test_pm_marker_after_year_without_time_is_gregorian_mark():
    assert parse_date("20 مايو 2024م", now=NOW) == at(2024, 5, 20)


# --- ISO 8601 and RFC 2822 --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-20T13:05:00+03:00", at(2024, 5, 20, 13, 5, tz=PLUS_3)),
        ("2024-05-20T13:05:00-04:30", at(2024, 5, 20, 13, 5, tz=MINUS_4_30)),
        ("2024-05-20T13:05:00Z", at(2024, 5, 20, 13, 5)),
        ("2024-03-03T13:52:13.299Z", at(2024, 3, 3, 13, 52, 13)),
        ("2024-05-20 13:05", at(2024, 5, 20, 13, 5)),
        ("2024-05-20", at(2024, 5, 20)),
        ("Mon, 20 May 2024 10:00:00 GMT", at(2024, 5, 20, 10)),
        ("Mon, 20 May 2024 10:00:00 +0300", at(2024, 5, 20, 10, tz=PLUS_3)),
        ("Mon, 20 May 2024 10:00:00 EST", at(2024, 5, 20, 10, tz=timezone(-timedelta(hours=5)))),
        ("Mon, 20 May 2024 10:00:00 UTC", at(2024, 5, 20, 10)),
    ],
)
def test_iso_8601_and_rfc_2822(raw, expected):
    parsed = parse_date(raw, now=NOW)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20/5/2024", at(2024, 5, 20)),
        ("20-05-2024", at(2024, 5, 20)),
        ("20.05.2024", at(2024, 5, 20)),
        ("2024/05/20", at(2024, 5, 20)),
        ("2024/5/20", at(2024, 5, 20)),
        ("05/04/2024", at(2024, 4, 5)),  # day first
        ("05/20/2024", at(2024, 5, 20)),  # only month-first is possible
    ],
)
def test_numeric_dates_are_day_first(raw, expected):
    assert parse_date(raw, now=NOW) == expected


def test_mixed_numeric_separators_are_no_date():
    assert parse_date("20/05-2024", now=NOW) is None


# --- zones ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "offset_hours"),
    [
        ("28 آب 2013 14:00 (GMT+0400)", 4),
        ("28 آب 2013 14:00 GMT+3", 3),
        ("28 آب 2013 14:00 GMT-2", -2),
        ("28 آب 2013 14:00 UTC", 0),
        ("28 آب 2013 14:00 (بتوقيت مكة)", 3),
        ("28 آب 2013 14:00 بتوقيت مكة المكرمة", 3),
        ("28 آب 2013 14:00 بتوقيت غرينتش", 0),
        ("28 آب 2013 02:00 م توقيت جرينتش", 0),
    ],
)
def test_explicit_zones_are_honoured(raw, offset_hours):
    parsed = parse_date(raw, now=NOW, default_tz=timezone(timedelta(hours=9)))
    assert parsed.utcoffset() == timedelta(hours=offset_hours)
    assert (parsed.hour, parsed.minute) == (14, 0)


def test_naive_result_gets_default_tz():
    cairo_winter = timezone(timedelta(hours=2))
    parsed = parse_date("12 يناير 2024 10:30 ص", now=NOW, default_tz=cairo_winter)
    assert parsed == at(2024, 1, 12, 10, 30, tz=cairo_winter)
    assert parsed.tzinfo is cairo_winter


def test_impossible_offset_is_no_date():
    assert parse_date("2024-05-20T13:05:00+23:00", now=NOW) is None


# --- rejections -------------------------------------------------------------------


def test_date_after_now_is_rejected():
    assert parse_date("2024-06-02T12:00:00Z", now=NOW) is None
    assert parse_date("5 يوليو 2024", now=NOW) is None


def test_site_local_time_a_few_hours_ahead_is_accepted():
    # 17:00 read as UTC is 5 hours after NOW: a naive UTC+3/+4 site time, not a future date.
    assert parse_date("2024-06-01 17:00", now=NOW) == at(2024, 6, 1, 17)


def test_time_beyond_the_tolerance_is_rejected():
    assert parse_date("2024-06-01 19:00", now=NOW) is None


def test_explicit_offset_is_compared_in_utc():
    # 20:00+03:00 is 17:00 UTC, 5 hours ahead; 08:00+03:00 next day is 17 hours ahead.
    assert parse_date("2024-06-01T20:00:00+03:00", now=NOW) == at(2024, 6, 1, 17)
    assert parse_date("2024-06-02T08:00:00+03:00", now=NOW) is None


def test_naive_now_is_taken_as_utc():
    assert parse_date("2024-06-01 13:00", now=datetime(2024, 6, 1, 12)) == at(2024, 6, 1, 13)


def test_default_now_rejects_far_future():
    assert parse_date("1 يناير 2999") is None
    assert parse_date("1 يناير 2001") == at(2001, 1, 1)


@pytest.mark.parametrize(
    "raw",
    [
        "31 فبراير 2024",
        "29 فبراير 2023",
        "31 نيسان 2024",
        "2024-13-01",
        "32/01/2024",
        "2024-02-30T10:00:00Z",
        "12 يناير 2024 25:10",
        "12 يناير 2024 10:75",
    ],
)
def test_impossible_dates_are_rejected(raw):
    assert parse_date(raw, now=NOW) is None


def test_leap_day_is_accepted():
    assert parse_date("29 فبراير 2024", now=NOW) == at(2024, 2, 29)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 يناير 1989", None),
        ("1 يناير 1990", at(1990, 1, 1)),
        ("31/12/1989", None),
    ],
)
def test_year_lower_bound(raw, expected):
    assert parse_date(raw, now=NOW) == expected


def test_year_upper_bound_is_next_year():
    late_december = at(2024, 12, 31, 23)
    assert parse_date("2025-01-01 02:00", now=late_december) == at(2025, 1, 1, 2)
    assert parse_date("2026-01-01", now=at(2024, 12, 31, 23)) is None


@pytest.mark.parametrize(
    "raw",
    [
        "12 رمضان 1445 هـ",
        "١٢ رمضان ١٤٤٥ هـ",
        "الجمعة 12 ربيع الأول 1445هـ",
        "1445/09/12 هـ",
        "12/09/1445",
    ],
)
def test_hijri_dates_are_ignored(raw):
    assert parse_date(raw, now=NOW) is None


def test_gregorian_beside_hijri_is_read():
    raw = "الجمعة 12 رمضان 1445 هـ الموافق 22 مارس 2024م"
    assert find_date_in_text(raw, now=NOW) == (at(2024, 3, 22), "22 مارس 2024م")


@pytest.mark.parametrize("raw", ["", "   ", "لا يوجد تاريخ هنا", "مايو 2024", "20 مايو", "2024"])
def test_no_date(raw):
    assert parse_date(raw, now=NOW) is None


# --- find_date_in_text on real date lines -----------------------------------------


@pytest.mark.parametrize(
    ("line", "expected", "raw"),
    [
        (  # youm7.com, 2020
            "الإثنين، 24 أغسطس 2020 09:23 ص",
            at(2020, 8, 24, 9, 23),
            "الإثنين، 24 أغسطس 2020 09:23 ص",
        ),
        (  # youm7.com, 2024
            "كتبت آية دعبس الإثنين، 20 مايو 2024 07:00 ص",
            at(2024, 5, 20, 7),
            "الإثنين، 20 مايو 2024 07:00 ص",
        ),
        (  # arabic.cnn.com: the time is the update time, not read as the publication time
            "الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00 (GMT+0400)",
            at(2013, 8, 28),
            "الأربعاء، 28 آب/اغسطس 2013",
        ),
        (  # bbc.com/arabic
            "آخر تحديث 3 يناير/ كانون الثاني 2024",
            at(2024, 1, 3),
            "3 يناير/ كانون الثاني 2024",
        ),
        (  # assabah.com.tn
            "المـــؤســـس : الحــبـيـب شــيـخ روحه - \nالجمعة 8 فيفري 2019",
            at(2019, 2, 8),
            "الجمعة 8 فيفري 2019",
        ),
        (
            "نشر في: الأحد 12 كانون الثاني 2024 - 10:30 ص",
            at(2024, 1, 12, 10, 30),
            "الأحد 12 كانون الثاني 2024 - 10:30 ص",
        ),
        (
            "نشر في: 12/1/2024 آخر تحديث: 13/1/2024 10:30 (بتوقيت مكة)",
            at(2024, 1, 12),
            "12/1/2024",
        ),
        (
            "تاريخ النشر: 24 أغسطس 2020 03:15 م | آخر تحديث: 25 أغسطس 2020",
            at(2020, 8, 24, 15, 15),
            "24 أغسطس 2020 03:15 م",
        ),
        (
            "آخر تحديث: 2024/1/12 10:30 (بتوقيت مكة)",
            at(2024, 1, 12, 10, 30, tz=PLUS_3),
            "2024/1/12 10:30 (بتوقيت مكة)",
        ),
    ],
)
def test_find_date_in_realistic_lines(line, expected, raw):
    found = find_date_in_text(line, now=NOW)
    assert found == (expected, raw)
    assert raw in line


def test_find_date_returns_raw_text_with_invisible_characters_and_arabic_digits():
    line = "نشر \u200fالخميس ١٦ مـايو ٢٠٢٤ - ٠٤:٣٠ م\u200f تعليقات"
    found = find_date_in_text(line, now=NOW)
    assert found == (at(2024, 5, 16, 16, 30), "الخميس ١٦ مـايو ٢٠٢٤ - ٠٤:٣٠ م")


def test_find_date_skips_rejected_expressions():
    text = "الجمعة 31 فبراير 2024 ثم الأحد 12 مايو 2024"
    assert find_date_in_text(text, now=NOW) == (at(2024, 5, 12), "الأحد 12 مايو 2024")


def test_find_date_skips_future_expressions():
    text = "موعد المباراة 20 يوليو 2024، نشر 10 مايو 2024"
    assert find_date_in_text(text, now=NOW) == (at(2024, 5, 10), "10 مايو 2024")


def test_find_date_none_without_gregorian_date():
    assert find_date_in_text("نشر منذ 3 ساعات، 12 رمضان 1445 هـ", now=NOW) is None


# --- dates in URLs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youm7.com/story/2020/8/24/وزير-الرى-يشهد/4943459", at(2020, 8, 24)),
        (
            "https://www.youm7.com/story/2024/5/20/"
            "%D9%88%D8%B2%D8%A7%D8%B1%D8%A9-%D8%A7%D9%84%D8%B9%D9%85%D9%84/6574622",
            at(2024, 5, 20),
        ),
        ("https://example.com/news/2024/05/20/slug.html", at(2024, 5, 20)),
        ("https://example.com/news/2024/05/20", at(2024, 5, 20)),
        ("https://example.com/news/2024-05-20/slug", at(2024, 5, 20)),
        ("https://example.com/news/2024-05-20-slug", at(2024, 5, 20)),
        ("https://example.com/news/20240520/slug", at(2024, 5, 20)),
        (  # year, section, month, day (arabic.cnn.com, 2013)
            "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html",
            at(2013, 8, 3),
        ),
        (  # the date itself in percent-encoded Arabic-Indic digits
            "https://example.com/%D9%A2%D9%A0%D9%A2%D9%A4/%D9%A0%D9%A5/%D9%A2%D9%A0/x",
            at(2024, 5, 20),
        ),
    ],
)
def test_date_from_url(url, expected):
    assert date_from_url(url, now=NOW) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/news/2024/05/slug",  # no day
        "https://example.com/article/164913/slug",
        "https://example.com/news/202405201/slug",  # nine digits: an ID
        "https://example.com/news/20241320/slug",  # month 13
        "https://example.com/news/2024/02/30/slug",
        "https://example.com/news/2024/07/01/slug",  # after NOW
        "https://example.com/news/1985/07/01/slug",
        "https://example.com/news?date=2024/05/20",  # query, not path
        "http://arabic.cnn.com/2013/middle_east/8/syria.clashes/index.html",  # no day
        "https://example.com/2013/1234/8/3/story",  # a number, not a section, after the year
    ],
)
def test_no_date_from_url(url):
    assert date_from_url(url, now=NOW) is None


# --- to_iso -----------------------------------------------------------------------


def test_to_iso_utc():
    assert to_iso(at(2024, 1, 12, 10, 30)) == "2024-01-12T10:30:00+00:00"


def test_to_iso_keeps_offset_and_drops_microseconds():
    dt = datetime(2024, 1, 12, 10, 30, 5, 999999, tzinfo=PLUS_3)
    assert to_iso(dt) == "2024-01-12T10:30:05+03:00"


def test_to_iso_rejects_naive_datetime():
    with pytest.raises(ValueError):
        to_iso(datetime(2024, 1, 12))


def test_to_iso_of_parsed_date():
    parsed = parse_date("الإثنين، 20 مايو 2024 01:00 م", now=NOW)
    assert to_iso(parsed) == "2024-05-20T13:00:00+00:00"


def test_parse_timestamp_reads_our_own_iso_strings():
    from crawler.dates import parse_timestamp

    assert parse_timestamp("2025-03-01T08:00:00+03:00") == datetime(2025, 3, 1, 5, 0, tzinfo=timezone.utc)
    assert parse_timestamp("2025-03-01T08:00:00") == datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)
    assert parse_timestamp("") is None
    assert parse_timestamp("not a date") is None


# --- stated precision -------------------------------------------------------------


def stated(text):
    found = find_stated_date(text, now=NOW)
    return None if found is None else (found.date, found.time, found.utc_offset)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20 مايو 2024", (date(2024, 5, 20), None, None)),  # no time, no zone
        ("2024-05-20", (date(2024, 5, 20), None, None)),
        ("2024-05-20T13:05:00", (date(2024, 5, 20), time(13, 5), None)),  # a time, no zone: not UTC
        ("الإثنين، 20 مايو 2024 01:00 م", (date(2024, 5, 20), time(13, 0), None)),
        ("2024-05-20T13:05:09Z", (date(2024, 5, 20), time(13, 5, 9), timedelta(0))),
        ("2024-05-20T13:05:00.299+0300", (date(2024, 5, 20), time(13, 5), timedelta(hours=3))),
        ("20/5/2024 10:30 (بتوقيت مكة)", (date(2024, 5, 20), time(10, 30), timedelta(hours=3))),
        ("Mon, 20 May 2024 10:30:00 GMT", (date(2024, 5, 20), time(10, 30), timedelta(0))),
    ],
)
def test_stated_date_keeps_only_the_precision_written(raw, expected):
    assert stated(raw) == expected


def test_stated_date_with_an_impossible_zone_is_no_date():
    assert find_stated_date("2024-05-20T13:05:00+25:00", now=NOW) is None


def test_stated_date_instant_needs_both_time_and_offset():
    assert StatedDate(date(2024, 5, 20)).instant is None
    assert StatedDate(date(2024, 5, 20), time(10, 0)).instant is None
    assert StatedDate(date(2024, 5, 20), time(10, 0), timedelta(hours=2)).instant == at(2024, 5, 20, 8)


def test_parse_date_still_fills_midnight_and_the_default_zone_for_comparisons():
    assert parse_date("2024-05-20T13:05:00", now=NOW, default_tz=PLUS_3) == at(2024, 5, 20, 13, 5, tz=PLUS_3)
    assert parse_date("20 مايو 2024", now=NOW) == at(2024, 5, 20)


def test_url_date_is_a_date_only():
    found = stated_date_from_url("https://example.com/news/2024/05/20/slug.html", now=NOW)
    assert (found.date, found.time, found.utc_offset) == (date(2024, 5, 20), None, None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05 مايو 2025 - 10:12 ص بتوقيت أبوظبي", (date(2025, 5, 5), time(10, 12), timedelta(hours=4))),
        # Cairo keeps daylight saving again since 2023: +03:00 in May, +02:00 in January.
        ("5 مايو 2024 - 10:12 بتوقيت القاهرة", (date(2024, 5, 5), time(10, 12), timedelta(hours=3))),
        ("5 يناير 2024 - 10:12 بتوقيت القاهرة", (date(2024, 1, 5), time(10, 12), timedelta(hours=2))),
    ],
)
def test_capital_time_zones_are_read_at_the_stated_date(raw, expected):
    found = find_stated_date(raw, now=datetime(2025, 6, 1, tzinfo=UTC))
    assert (found.date, found.time, found.utc_offset) == expected


# --- the ISO 8601 shortcut ---------------------------------------------------------


def _iso_forms() -> list[str]:
    """Every combination of the shapes the shortcut reads, valid or not, around NOW."""
    days = ["1989-12-31", "1990-01-01", "2024-02-29", "2023-02-29", "2024-06-01", "2024-06-02", "2025-12-31",
            "2026-01-01", "2024-13-01", "2024-00-10", "2024-04-31", "0000-01-01"]
    times = ["", "T00:00", "T12:00", "t17:59:59", " 18:00:00", "T18:00:01", "T23:59:59.123456789", "T24:00:00",
             "T12:60", "T12:00:60", "T12:00:00.1234567890"]
    zones = ["", "Z", "z", "+00:00", "-00:00", "+03:00", "+0300", "-04:30", "+14:00", "+14:01", "-14:00", "+15:00",
             "+03:60", "+03:99", "+03"]
    forms = [day + clock + (zone if clock else "") for day in days for clock in times for zone in zones]
    return forms + [f" {forms[0]}", f"{forms[-1]} ", "2024-06-01T10:00:00+03:00 (Cairo)", "2024-6-1", "20240601"]


@pytest.mark.parametrize("default_tz", [UTC, PLUS_3, MINUS_4_30])
def test_the_iso_shortcut_returns_what_the_full_search_returns(default_tz):
    from crawler.dates import _search_stated_date

    for text in _iso_forms():
        assert find_stated_date(text, now=NOW, default_tz=default_tz) == _search_stated_date(text, NOW, default_tz), text


def test_sitemap_lastmods_are_read_by_the_shortcut_as_before():
    assert find_stated_date("2024-06-01T10:00:00.5+03:00", now=NOW) == StatedDate(
        date(2024, 6, 1), time(10, 0), timedelta(hours=3), "2024-06-01T10:00:00.5+03:00"
    )
    assert find_stated_date("2024-05-20", now=NOW) == StatedDate(date(2024, 5, 20), raw="2024-05-20")
    # Later than NOW + 6 hours: not a date, as the full search says.
    assert find_stated_date("2024-06-01T18:00:01Z", now=NOW) is None


@pytest.mark.parametrize(
    "text",
    [
        "نُشِرَ في ١٢ يَنايِر ٢٠٢٥ - ١٠:٣٠ صباحاً",  # diacritics fold to nothing, digits to ASCII
        "ﻻ تاريخ هنا ﷲ",  # presentation forms expand under NFKC
        "İstanbul, 3 Mart 2025",  # lower-casing İ gives two characters
        "آخر تحديث: الأحد ١٥ كانون الثاني ٢٠٢٣\u200f",
        "",
    ],
)
def test_folding_and_its_origins_are_per_character(text):
    import unicodedata

    from crawler.dates import _FOLD_TABLE, _fold_origins, _folded

    pieces = [unicodedata.normalize("NFKC", char).translate(_FOLD_TABLE).lower() for char in text]

    assert _folded(text) == "".join(pieces)
    assert _fold_origins(text) == [index for index, piece in enumerate(pieces) for _ in piece]
    assert len(_fold_origins(text)) == len(_folded(text))


def test_the_raw_date_is_cut_from_the_original_text_around_folded_characters():
    stated = find_stated_date("نُشِرَ في ﻻ ١٢ يَنايِر ٢٠٢٥ ثم", now=datetime(2025, 6, 1, tzinfo=timezone.utc))

    assert stated is not None
    assert stated.raw == "١٢ يَنايِر ٢٠٢٥"
