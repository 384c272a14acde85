"""Dates as Arabic news sites write them, read by a table-driven parser.

One compiled regex (``DATE_PATTERN``) finds a Gregorian date expression, optionally led by a
weekday and followed by a time, an am/pm marker and a zone. It runs on a *folded* copy of
the input, in which:

- Arabic-Indic ٠-٩ and Eastern (Persian) ۰-۹ digits are ASCII digits;
- NFKC has folded presentation forms and odd spaces, and Latin is lowercased;
- tatweel, bidi controls, zero-width characters and diacritics are gone;
- أ إ آ ٱ are ا, ى is ي, ة is ه, Persian ی ک are ي ك.

So one table entry reads every spelling variant with or without hamza, ة/ه and ي/ى
("أبريل" = "إبريل" = "ابريل", "يونية" = "يونيه"). Each folded character remembers its
position in the original, so ``find_date_in_text`` can hand back the raw substring.

Date forms read (day-first wherever the order is numeric, as Arab sites write it):

- ``2024-05-20``, ``2024/5/20``, ``2024.05.20`` and ISO 8601 ``2024-05-20T13:05:00+03:00``;
- ``20/5/2024``, ``20-05-2024``, ``20.05.2024``; when the day-first reading is impossible
  but the month-first one is not (``05/20/2024``), the month-first one is taken;
- ``20 مايو 2024``, ``الإثنين، 20 مايو 2024``, ``Mon, 20 May 2024`` (RFC 2822 as in RSS);
- ``May 20, 2024``, ``2024 مايو 20``;
- double month names ``12 كانون الثاني/يناير 2024``, ``3 مارس/ آذار 2024``; both names must
  agree, or the expression is not a date.

Month names come from the Egyptian/Gulf, Levantine/Iraqi, Maghrebi (Tunisia, Algeria) and
Moroccan sets, plus English (full and abbreviated). A multi-word name such as
"كانون الثاني" is matched whole, so "12 كانون الثاني 2024" is 12 January (htmldate reads
it as 1 January).

A time ``HH:MM`` or ``HH:MM:SS`` may follow, after a space, comma, dash, "الساعة", "في",
"at" or ISO's "T". Markers: م / مساء / مساءً and PM are afternoon, ص / صباحا / صباحاً and
AM are morning; 12 م is noon and 12 ص is midnight. Zones honoured: numeric offsets
(``+03:00``, ``+0300``, ``GMT+4``, ``(GMT+0400)``), ``Z``/``GMT``/``UTC``, the RFC 2822
North American names, "بتوقيت مكة" (UTC+3, no daylight saving), "بتوقيت غرينتش" and
"بتوقيت <capital>" ("بتوقيت القاهرة", "بتوقيت أبوظبي"...), read in the capital's IANA zone at
the stated date.

``find_stated_date`` returns what the text states and nothing more (``StatedDate``): the
calendar date, the wall-clock time only if one is written, the UTC offset only if a zone is
written. ``parse_date`` and ``find_date_in_text`` turn that into an aware datetime for
comparisons (discovery dates, the state store), with midnight for a missing time and
``default_tz`` for a missing zone; item dates never take that shortcut.

Rejected (the search then goes on after the rejected start): impossible dates (31 فبراير),
years outside ``MIN_YEAR`` .. now.year + ``MAX_YEARS_AHEAD``, and dates later than now +
``FUTURE_TOLERANCE``. Hijri dates ("12 رمضان 1445 هـ") carry no month name of the tables
and a year below ``MIN_YEAR``, so they are never read; a Gregorian date beside them is.
"""

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone, tzinfo
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from crawler.arabic import (
    ALEF,
    ALEF_MAKSURA,
    ALEF_VARIANTS,
    ARABIC_DIACRITIC_RANGES,
    DIGITS_TO_ASCII,
    HEH,
    INVISIBLE_CHARACTERS,
    PERSIAN_TO_ARABIC_LETTERS,
    TEH_MARBUTA,
    YEH,
)

logger = logging.getLogger(__name__)

# A naive site-local time read as UTC can look up to 4 hours ahead (UAE and Oman are UTC+4,
# the largest offset in the Arab world), and some sites even stamp local time with "Z".
# Two more hours cover clock skew between their servers and ours.
FUTURE_TOLERANCE = timedelta(hours=6)

# No Arabic news site we crawl has articles online from before the web took off; an
# earlier year is a misread (an ID, a Hijri year, a street number).
MIN_YEAR = 1990
# Accept next year's date so that a late-December crawl still reads a site ahead of UTC.
MAX_YEARS_AHEAD = 1

# Real UTC offsets lie within -12:00 .. +14:00; anything larger is not an offset.
MAX_UTC_OFFSET = timedelta(hours=14)

# Saudi Arabia keeps UTC+3 all year, so "بتوقيت مكة" is a fixed offset.
MECCA_TIME = timezone(timedelta(hours=3))

EGYPTIAN_GULF_MONTHS = {
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "أبريل": 4,
    "إبريل": 4,
    "ابريل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يونية": 6,
    "يونيه": 6,
    "يوليو": 7,
    "يولية": 7,
    "يوليه": 7,
    "أغسطس": 8,
    "اغسطس": 8,
    "سبتمبر": 9,
    "أكتوبر": 10,
    "اكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
}

LEVANTINE_IRAQI_MONTHS = {
    "كانون الثاني": 1,
    "كانون ثاني": 1,
    "شباط": 2,
    "آذار": 3,
    "اذار": 3,
    "نيسان": 4,
    "أيار": 5,
    "ايار": 5,
    "حزيران": 6,
    "تموز": 7,
    "آب": 8,
    "اب": 8,
    "أيلول": 9,
    "ايلول": 9,
    "تشرين الأول": 10,
    "تشرين اول": 10,
    "تشرين الثاني": 11,
    "تشرين ثاني": 11,
    "كانون الأول": 12,
    "كانون اول": 12,
}

MAGHREBI_MONTHS = {  # Tunisia and Algeria, after the French names
    "جانفي": 1,
    "فيفري": 2,
    "مارس": 3,
    "أفريل": 4,
    "افريل": 4,
    "ماي": 5,
    "جوان": 6,
    "جويلية": 7,
    "جويليه": 7,
    "أوت": 8,
    "اوت": 8,
    "سبتمبر": 9,
    "أكتوبر": 10,
    "اكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
}

MOROCCAN_MONTHS = {
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "أبريل": 4,
    "ابريل": 4,
    "ماي": 5,
    "يونيو": 6,
    "يوليوز": 7,
    "غشت": 8,
    "شتنبر": 9,
    "أكتوبر": 10,
    "اكتوبر": 10,
    "نونبر": 11,
    "دجنبر": 12,
}

ENGLISH_MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}

MONTH_TABLES = {
    "egyptian_gulf": EGYPTIAN_GULF_MONTHS,
    "levantine_iraqi": LEVANTINE_IRAQI_MONTHS,
    "maghrebi": MAGHREBI_MONTHS,
    "moroccan": MOROCCAN_MONTHS,
    "english": ENGLISH_MONTHS,
}

# Only read so that a leading weekday belongs to the raw match; it is not checked.
WEEKDAY_NAMES = (
    "الأحد", "الإثنين", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
)  # fmt: skip

AM_MARKERS = ("ص", "صباحا", "صباحاً", "صباح", "am", "a.m.")
PM_MARKERS = ("م", "مساء", "مساءً", "مساءا", "pm", "p.m.")

# Words that may stand between a date and its time.
TIME_LEADS = ("الساعة", "في", "at")

# RFC 2822 section 4.3 zone names, in hours east of UTC.
NAMED_ZONE_HOURS = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0,
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
}  # fmt: skip

MECCA_ZONE_NAMES = ("توقيت مكة المكرمة", "توقيت مكة")
GREENWICH_ZONE_NAMES = ("توقيت غرينتش", "توقيت جرينتش", "توقيت غرينيتش", "توقيت جرينيتش")
# "بتوقيت <capital>": the capital's IANA zone, read at the stated date (Cairo and Beirut
# keep daylight saving). Amman is left out: folded, "عمان" is also Oman, an hour apart.
CITY_ZONE_NAMES = {
    "توقيت القاهرة": "Africa/Cairo",
    "توقيت الرياض": "Asia/Riyadh",
    "توقيت أبوظبي": "Asia/Dubai",
    "توقيت أبو ظبي": "Asia/Dubai",
    "توقيت دبي": "Asia/Dubai",
    "توقيت الإمارات": "Asia/Dubai",
    "توقيت الدوحة": "Asia/Qatar",
    "توقيت الكويت": "Asia/Kuwait",
    "توقيت المنامة": "Asia/Bahrain",
    "توقيت مسقط": "Asia/Muscat",
    "توقيت بيروت": "Asia/Beirut",
    "توقيت دمشق": "Asia/Damascus",
    "توقيت بغداد": "Asia/Baghdad",
    "توقيت القدس": "Asia/Jerusalem",
    "توقيت الرباط": "Africa/Casablanca",
    "توقيت الجزائر": "Africa/Algiers",
    "توقيت تونس": "Africa/Tunis",
    "توقيت طرابلس": "Africa/Tripoli",
    "توقيت الخرطوم": "Africa/Khartoum",
    "توقيت صنعاء": "Asia/Aden",
}


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = dict(DIGITS_TO_ASCII)
    table.update(dict.fromkeys(map(ord, INVISIBLE_CHARACTERS)))
    for low, high in ARABIC_DIACRITIC_RANGES:
        table.update(dict.fromkeys(range(low, high + 1)))
    table.update({ord(variant): ALEF for variant in ALEF_VARIANTS})
    table[ord(ALEF_MAKSURA)] = YEH
    table[ord(TEH_MARBUTA)] = HEH
    table.update({ord(persian): arabic for persian, arabic in PERSIAN_TO_ARABIC_LETTERS.items()})
    return table


_FOLD_TABLE = _build_fold_table()


class _CharacterFolds(dict):
    """``str.translate`` table of each character to its folded form (NFKC, ``_FOLD_TABLE``, lower
    case), filled in as characters are met: folding then runs in C, not a Python loop per
    character. It holds at most one entry per distinct character ever read."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = unicodedata.normalize("NFKC", chr(code)).translate(_FOLD_TABLE).lower()
        return folded


_CHARACTER_FOLDS = _CharacterFolds()


def _folded(text: str) -> str:
    """*text* folded for matching, character by character (a character may fold to none or several)."""
    return text.translate(_CHARACTER_FOLDS)


def _fold_origins(text: str) -> list[int]:
    """Per character of ``_folded(text)``, the index in *text* of the character it came from."""
    return [index for index, char in enumerate(text) for _ in range(len(_CHARACTER_FOLDS[ord(char)]))]


def _fold(text: str) -> str:
    return " ".join(_folded(text).split())


def _alternation(names) -> str:
    """Regex alternation of folded *names*, longest first, words joined by any whitespace."""
    folded = sorted({_fold(name) for name in names}, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, name.split())) for name in folded)


_MONTH_NUMBERS = {
    _fold(name): number for table in MONTH_TABLES.values() for name, number in table.items()
}
_AM_MARKERS = frozenset(map(_fold, AM_MARKERS))
_MECCA_ZONES = frozenset(map(_fold, MECCA_ZONE_NAMES))
_CITY_ZONES = {_fold(name): zone for name, zone in CITY_ZONE_NAMES.items()}

# A letter on either side of a word means we are inside a longer word ("اب" in "الشباب").
_NO_LETTER_BEFORE = r"(?<![^\W\d_])"
_NO_LETTER_AFTER = r"(?![^\W\d_])"
_DATE_PART_SEPARATOR = r"[\s,،.\-/]*"


def _month_group(prefix: str) -> str:
    name = rf"{_NO_LETTER_BEFORE}(?:{_alternation(_MONTH_NUMBERS)}){_NO_LETTER_AFTER}"
    return rf"(?P<{prefix}mon>{name})(?:\s*[/\\(|\-–]\s*(?P<{prefix}mon2>{name})\s*\)?)?"


def _build_date_pattern() -> re.Pattern[str]:
    sep = _DATE_PART_SEPARATOR
    day = r"\d{1,2}(?:st|nd|rd|th)?(?!\d)"
    year = r"\d{4}(?!\d)"
    numeric_ymd = r"(?P<ny>\d{4})(?P<nsep>[-/.])(?P<nm>\d{1,2})(?P=nsep)(?P<nd>\d{1,2})(?!\d)"
    numeric_dmy = r"(?P<dd>\d{1,2})(?P<dsep>[-/.])(?P<dm>\d{1,2})(?P=dsep)(?P<dy>\d{4})(?!\d)"
    day_month_year = rf"(?P<td>{day}){sep}{_month_group('t')}{sep}(?P<ty>{year})"
    year_month_day = rf"(?P<yy>{year}){sep}{_month_group('y')}{sep}(?P<yd>\d{{1,2}})(?!\d)"
    month_day_year = rf"{_month_group('m')}{sep}(?<!\d)(?P<md>{day}){sep}(?P<my>{year})"
    date = (
        rf"(?<!\d)(?:{numeric_ymd}|{numeric_dmy}|{day_month_year}|{year_month_day})"
        rf"|{month_day_year}"
    )
    # A Gregorian year may carry "م" (ميلادي, AD).
    year_mark = rf"(?:\s*م{_NO_LETTER_AFTER})?"
    weekday = (
        rf"(?:{_NO_LETTER_BEFORE}(?:{_alternation(WEEKDAY_NAMES)}){_NO_LETTER_AFTER}"
        r"[\s,،\-–]*)?"
    )
    lead_word = rf"(?:{_alternation(TIME_LEADS)}){_NO_LETTER_AFTER}"
    lead = rf"(?:\s*(?:[,،\-–—|@(]|{lead_word}|t(?=\d))){{0,3}}\s*"
    clock = r"(?<!\d)(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:[.,]\d{1,9})?)?(?!\d)"
    # "a.m." ends in a dot, so the end check is "no letter follows" rather than \b.
    meridiem = rf"(?:\s*(?P<ampm>{_alternation(AM_MARKERS + PM_MARKERS)}){_NO_LETTER_AFTER})?"
    arabic_zone = _alternation(MECCA_ZONE_NAMES + GREENWICH_ZONE_NAMES + tuple(CITY_ZONE_NAMES))
    zone = (
        r"(?:\s*\(?\s*(?:"
        r"(?:gmt|utc|ut)\s*(?P<zs1>[+-])\s*(?P<zh1>\d{1,2})(?::?(?P<zm1>\d{2}))?"
        r"|(?P<zs2>[+-])(?P<zh2>\d{2}):?(?P<zm2>\d{2})(?!\d)"
        rf"|(?P<zname>{_alternation(NAMED_ZONE_HOURS)})(?![a-z])"
        rf"|ب?(?P<zarabic>{arabic_zone}){_NO_LETTER_AFTER}"
        r")\s*\)?)?"
    )
    time = rf"(?:{lead}{clock}{meridiem}{zone})?"
    return re.compile(rf"{weekday}(?:{date}){year_mark}{time}")


DATE_PATTERN = _build_date_pattern()

_URL_DATE_PATTERN = re.compile(
    r"/(?P<y>\d{4})(?P<sep>[/\-_])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?=[/\-_.]|$)"
    # Eight digits only as a whole path segment: inside a longer number they are an ID.
    r"|/(?P<cy>\d{4})(?P<cm>\d{2})(?P<cd>\d{2})(?=/|$)"
    # Year, section, month, day: "/2013/middle_east/8/3/" (older portal URLs).
    r"|/(?P<sy>\d{4})/[^\W\d][\w\-]*/(?P<sm>\d{1,2})/(?P<sd>\d{1,2})(?=/)"
)


@dataclass(frozen=True)
class StatedDate:
    """A date exactly as precise as its source states it.

    ``time`` is the local wall-clock time, or None when only the date is written;
    ``utc_offset`` is the offset the source states (a numeric offset, "Z", "GMT",
    "بتوقيت مكة"), or None when it states none. Nothing is ever filled in by guessing.
    """

    date: dt.date
    time: dt.time | None = None
    utc_offset: timedelta | None = None
    raw: str = ""

    @property
    def instant(self) -> datetime | None:
        """The aware moment, when both the time and the offset are known."""
        if self.time is None or self.utc_offset is None:
            return None
        return datetime.combine(self.date, self.time, tzinfo=timezone(self.utc_offset))

    def to_datetime(self, default_tz: tzinfo = timezone.utc) -> datetime:
        """An aware datetime for comparisons: midnight when no time, ``default_tz`` when no offset."""
        zone = timezone(self.utc_offset) if self.utc_offset is not None else default_tz
        return datetime.combine(self.date, self.time or dt.time(0, 0), tzinfo=zone)

    def isoformat(self) -> str:
        """ISO 8601 with exactly the stated precision: ``2025-04-15``, ``2025-04-15T13:40:00``
        or ``2025-04-15T13:40:00+01:00`` (``parse_timestamp`` reads all three)."""
        if self.time is None:
            return self.date.isoformat()
        if self.utc_offset is None:
            return datetime.combine(self.date, self.time).isoformat(timespec="seconds")
        return self.to_datetime().isoformat(timespec="seconds")

    def with_offset(self, utc_offset: timedelta) -> "StatedDate":
        return replace(self, utc_offset=utc_offset)

    def date_only(self) -> "StatedDate":
        return replace(self, time=None, utc_offset=None)


def parse_date(
    raw: str, *, now: datetime | None = None, default_tz: tzinfo = timezone.utc
) -> datetime | None:
    """Parse the date in *raw* into an aware datetime, or return None if there is none.

    *raw* is one date string (a meta value, a feed date, a visible date line); the first
    plausible Gregorian date expression in it wins. See the module docstring for the forms.
    """
    found = find_date_in_text(raw, now=now, default_tz=default_tz)
    return found[0] if found else None


def find_date_in_text(
    text: str, *, now: datetime | None = None, default_tz: tzinfo = timezone.utc
) -> tuple[datetime, str] | None:
    """Return the first plausible Gregorian date in *text* and the raw substring it came from."""
    stated = find_stated_date(text, now=now, default_tz=default_tz)
    return (stated.to_datetime(default_tz), stated.raw) if stated else None


def find_stated_date(
    text: str, *, now: datetime | None = None, default_tz: tzinfo = timezone.utc
) -> StatedDate | None:
    """Return the first plausible Gregorian date in *text*, as precise as it is written.

    ``default_tz`` only places a date without a zone in time for the plausibility check.
    """
    if not text:
        return None
    now = _aware_now(now)
    if (iso := _ISO_DATE_TIME.fullmatch(text)) is not None and (stated := _stated_from_iso(iso, now, default_tz)):
        return stated
    return _search_stated_date(text, now, default_tz)


def _search_stated_date(text: str, now: datetime, default_tz: tzinfo) -> StatedDate | None:
    """``find_stated_date`` without the ISO 8601 shortcut: DATE_PATTERN over the folded text."""
    folded = _folded(text)
    position = 0
    while (match := DATE_PATTERN.search(folded, position)) is not None:
        stated = _stated_from_match(match)
        if stated is not None and is_plausible_date(stated.to_datetime(default_tz), now=now):
            origins = _fold_origins(text)  # only for the date found: most texts searched have none
            raw = text[origins[match.start()] : origins[match.end() - 1] + 1]
            return replace(stated, raw=raw.strip())
        position = match.start() + 1
    return None


# The W3C/ISO 8601 forms of sitemap <lastmod> and feed dates: 2024-05-20,
# 2024-05-20T13:05, 2024-05-20T13:05:00.123+03:00, 2024-05-20 13:05:00Z. A whole text in
# one of them is read without folding or DATE_PATTERN's search (about 25 µs a string
# less); ``_stated_from_iso`` returns exactly what that search would, or None to let it
# run (an impossible date or time, an offset beyond 14 hours, an implausible date).
_ISO_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?",
    re.ASCII,
)


def _stated_from_iso(match: re.Match[str], now: datetime, default_tz: tzinfo) -> StatedDate | None:
    year, month, day, hour, minute, second, utc, sign, zone_hours, zone_minutes = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
        clock = dt.time(int(hour), int(minute), int(second or 0)) if hour is not None else None
    except ValueError:
        return None
    offset = None
    if utc is not None:
        offset = timedelta(0)
    elif sign is not None:
        if int(zone_minutes) > 59:
            return None
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
        if offset > MAX_UTC_OFFSET:
            return None
        offset = -offset if sign == "-" else offset
    stated = StatedDate(date, clock, offset, match.group())
    moment = stated.to_datetime(default_tz)
    if not MIN_YEAR <= moment.year <= now.year + MAX_YEARS_AHEAD or moment > now + FUTURE_TOLERANCE:
        return None  # the search goes on past an implausible date, and logs why
    return stated


def date_from_url(url: str, *, now: datetime | None = None) -> datetime | None:
    """Return the date in the path of *url* (``/2020/8/24/``, ``/20240520/``...) at 00:00 UTC."""
    stated = stated_date_from_url(url, now=now)
    return stated.to_datetime() if stated else None


def stated_date_from_url(url: str, *, now: datetime | None = None) -> StatedDate | None:
    """The calendar date in the path of *url*, date only (a URL never states a time)."""
    path = unquote(urlsplit(url).path).translate(DIGITS_TO_ASCII)
    now = _aware_now(now)
    for match in _URL_DATE_PATTERN.finditer(path):
        for names in (("y", "m", "d"), ("cy", "cm", "cd"), ("sy", "sm", "sd")):
            if match.group(names[0]) is not None:
                fields = [int(match.group(name)) for name in names]
        parsed = _make_datetime(*fields, tz=timezone.utc)
        if parsed is not None and is_plausible_date(parsed, now=now):
            return StatedDate(parsed.date(), raw=url)
    return None


def parse_timestamp(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp we wrote ourselves (item fields, state, discovery dates as
    stated); naive means UTC and a bare date its midnight, for comparisons only."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def to_iso(dt: datetime) -> str:
    """Format an aware *dt* as ISO 8601 with its offset, to the second."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"to_iso needs a timezone-aware datetime, got {dt!r}")
    return dt.isoformat(timespec="seconds")


def is_plausible_date(dt: datetime, *, now: datetime) -> bool:
    """Tell whether the aware *dt* can be a news date seen at *now*."""
    if not MIN_YEAR <= dt.year <= now.year + MAX_YEARS_AHEAD:
        logger.debug("Date %s rejected: year out of range", dt)
        return False
    if dt > now + FUTURE_TOLERANCE:
        logger.debug("Date %s rejected: later than %s", dt, now)
        return False
    return True


def _aware_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)


def _stated_from_match(match: re.Match[str]) -> StatedDate | None:
    groups = match.groupdict()
    date = _date_fields(groups)
    time = _time_fields(groups)
    zone = _zone(groups)
    if date is None or time is None or zone is _INVALID_ZONE:
        return None
    day = _make_datetime(*date, tz=timezone.utc)
    if day is None:
        return None
    clock = dt.time(*time) if groups["hh"] is not None else None
    # A named zone (ZoneInfo) has the offset of the stated moment, daylight saving included.
    offset = zone.utcoffset(datetime.combine(day.date(), clock or dt.time(0, 0))) if zone is not None else None
    return StatedDate(day.date(), clock, offset)


def _make_datetime(year: int, month: int, day: int, *time: int, tz: tzinfo) -> datetime | None:
    try:
        return datetime(year, month, day, *time, tzinfo=tz)
    except ValueError:  # 31 February, month 13, hour 25...
        return None


def _date_fields(groups: dict[str, str | None]) -> tuple[int, int, int] | None:
    if groups["ny"]:
        return int(groups["ny"]), int(groups["nm"]), int(groups["nd"])
    if groups["dy"]:
        return _day_first(int(groups["dd"]), int(groups["dm"]), int(groups["dy"]))
    for prefix, day_group, year_group in (("t", "td", "ty"), ("m", "md", "my"), ("y", "yd", "yy")):
        if groups[year_group]:
            month = _month_number(groups[f"{prefix}mon"], groups[f"{prefix}mon2"])
            if month is None:
                return None
            return int(groups[year_group]), month, _leading_int(groups[day_group])
    return None


def _day_first(first: int, second: int, year: int) -> tuple[int, int, int]:
    """Read d/m/y; a second number above 12 can only be a day, so then it is m/d/y."""
    if second > 12 >= first:
        return year, first, second
    return year, second, first


def _month_number(name: str, second_name: str | None) -> int | None:
    month = _MONTH_NUMBERS[" ".join(name.split())]
    if second_name is not None and _MONTH_NUMBERS[" ".join(second_name.split())] != month:
        return None
    return month


def _leading_int(text: str) -> int:
    return int(re.match(r"\d+", text).group())


def _time_fields(groups: dict[str, str | None]) -> tuple[int, int, int] | None:
    if groups["hh"] is None:
        return 0, 0, 0
    hour, minute, second = int(groups["hh"]), int(groups["mi"]), int(groups["ss"] or 0)
    marker = groups["ampm"]
    if marker is not None and hour <= 12:
        if marker in _AM_MARKERS:
            hour = 0 if hour == 12 else hour
        else:
            hour = 12 if hour == 12 else hour + 12
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


# A zone that is written but impossible ("+25:00"): the whole expression is not a date.
_INVALID_ZONE = timezone(timedelta(0), "invalid")


def _zone(groups: dict[str, str | None]) -> tzinfo | None:
    """The zone the expression states, None when it states none, ``_INVALID_ZONE`` when it is impossible."""
    for sign_group, hours_group, minutes_group in (("zs1", "zh1", "zm1"), ("zs2", "zh2", "zm2")):
        if groups[sign_group]:
            offset = timedelta(
                hours=int(groups[hours_group]), minutes=int(groups[minutes_group] or 0)
            )
            if offset > MAX_UTC_OFFSET or int(groups[minutes_group] or 0) > 59:
                return _INVALID_ZONE
            return timezone(-offset if groups[sign_group] == "-" else offset)
    if groups["zname"]:
        return timezone(timedelta(hours=NAMED_ZONE_HOURS[groups["zname"]]))
    if groups["zarabic"]:
        name = " ".join(groups["zarabic"].split())
        if name in _CITY_ZONES:
            return ZoneInfo(_CITY_ZONES[name])
        return MECCA_TIME if name in _MECCA_ZONES else timezone.utc
    return None
