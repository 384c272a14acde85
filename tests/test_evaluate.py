"""Tests for the metadata scoring of crawler.evaluate: what counts as a match."""

from __future__ import annotations

import pytest

from crawler.evaluate import date_and_time_match, metadata_marks

FULL = {"date": "2025-11-18", "time": "09:40", "utc_offset": "+00:00"}


def item(**fields):
    base = {"title": "عنوان", "published_date": None, "published_time": None, "published_at": None,
            "authors": [], "agency": None, "section": None}  # fmt: skip
    return {**base, **fields}


@pytest.mark.parametrize(
    ("expected", "result", "match"),
    [
        (FULL, item(published_date="2025-11-18", published_time="09:40:11", published_at="2025-11-18T09:40:11+00:00"), True),
        # The same moment in the outlet's offset.
        (FULL, item(published_date="2025-11-18", published_time="12:40:11", published_at="2025-11-18T12:40:11+03:00"), True),
        (FULL, item(published_date="2025-11-18", published_time="09:40:00", published_at=None), False),
        ({"date": "2019-02-08", "time": None, "utc_offset": None}, item(published_date="2019-02-08"), True),
        # Midnight UTC for a date-only page is invented precision.
        ({"date": "2019-02-08", "time": None, "utc_offset": None},
         item(published_date="2019-02-08", published_time="00:00:00", published_at="2019-02-08T00:00:00+00:00"), False),
        ({"date": "2025-01-12", "time": "10:20", "utc_offset": None}, item(published_date="2025-01-12", published_time="10:20:00"), True),
        ({"date": "2025-01-12", "time": "10:20", "utc_offset": None},
         item(published_date="2025-01-12", published_time="10:20:00", published_at="2025-01-12T10:20:00+00:00"), False),
        (None, item(), True),
        (None, item(published_date="2025-01-12"), False),
    ],
)  # fmt: skip
def test_date_and_time_match_only_at_the_precision_stated(expected, result, match):
    assert date_and_time_match(expected, result) is match


def test_metadata_marks_compare_as_displayed():
    expected = {"title": "ماسا لـ«الصباح»", "published": None, "authors": ["أنجليكا كاساس", "كايلا إبستين"],
                "agency": "أ ف ب", "section": "اقتصاد"}  # fmt: skip
    result = item(title="ماسا ل«الصباح»", authors=["كايلا إبستين", "أنجليكا كاساس"], agency="AFP", section="اقتصاد\u200f")

    marks = metadata_marks(expected, result)

    assert marks["title"] is False  # the tatweel is part of the headline as displayed
    assert marks["authors"] is True  # order does not matter
    assert marks["agency"] is True  # "أ ف ب" is AFP
    assert marks["section"] is True  # invisible marks do not count
