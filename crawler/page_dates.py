"""A page's publication and modification dates, exactly as precise as the page states them.

Each date is read into a ``crawler.dates.StatedDate`` (the calendar date, the wall-clock
time if written, the UTC offset if written) and written to the item as three fields:
``*_date`` (the calendar date as the page states it), ``*_time`` (the local wall-clock
time, or null) and ``*_at`` (the instant with its offset, or null when the time or the
offset is not known). Sources, from the most to the least reliable:

1. machine-readable stamps: JSON-LD ``datePublished``/``dateModified``, then meta tags;
2. visible date lines, each read with its label ("نشر في ..." publishes, "آخر تحديث ..."
   updates): first the short elements right after the headline, then short elements
   named for a date anywhere (the site header's "today" and sidebar teasers are among
   those, so they only date a page that has nothing better);
3. the date in the URL (date only).

Rules, each for a kind of page rather than an outlet:

- The first source that dates the page gives the calendar date. A later source that
  agrees on the date (and on the time, if one is known) may add the time and the offset
  it states: a date-only JSON-LD value beside a "10:20" under the headline gives 10:20.
- A machine stamp at exactly 00:00:00 is a date-only value that the CMS padded with
  midnight (Drupal and WordPress date fields do), so only its date is kept.
- A date line labelled as an update dates the modification, never the publication.
- A URL date earlier than the stated publication date by ``MIN_UPDATE_GAP_DAYS`` or more
  means that stamp is a last update: URLs are minted when a story is first published.
  The URL then dates the publication (date only) and the stamp the modification.
- A time without an offset takes, in this order: the offset of the sitemap or feed entry
  that listed the same URL (``DateContext.discovered``), when that offset is not zero or
  its clock reads the same time (a "+00:00" feed written by a UTC server says nothing
  about the newsroom's clock); the source's IANA time zone (``DateContext.timezone``);
  else the time stays local and ``*_at`` is null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from lxml import etree

from crawler.dates import StatedDate, find_stated_date, stated_date_from_url, to_iso
from crawler.tree_scan import attribute, elements_where, following_elements, has_ancestor

# The publication date wins over an update stamp only with a gap below this: a one-day
# difference is a URL minted in UTC beside a stamp in local time (or the reverse).
MIN_UPDATE_GAP_DAYS = 2

PUBLISHED_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publisheddate",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
)
MODIFIED_META_KEYS = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
)

# Date elements outside the site's own header, navigation and footer, which
# often show today's date rather than the article's.
# The same elements as the XPath
#   (//time | //*[(@class and (contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'publish')
#       or contains(@class, 'posted') or contains(@class, 'meta'))) or (@id and contains(@id, 'date'))
#       or @itemprop='datePublished' or @itemprop='dateModified'][not(self::meta)])
#   [not(ancestor::nav) and not(ancestor::footer) and not(ancestor::header[not(ancestor::article)])]
# chosen in one Python pass (crawler.tree_scan).
DATE_CLASS_PARTS = ("date", "time", "publish", "posted", "meta")
DATE_ITEMPROPS = ("datePublished", "dateModified")


def is_date_element(element) -> bool:
    tag = element.tag
    if tag != "time":
        if tag == "meta":
            return False
        cls = attribute(element, "class")
        if not (
            any(part in cls for part in DATE_CLASS_PARTS)
            or "date" in attribute(element, "id")
            or element.get("itemprop") in DATE_ITEMPROPS
        ):
            return False
    for ancestor in element.iterancestors("nav", "footer", "header"):
        if ancestor.tag != "header" or not has_ancestor(ancestor, "article"):
            return False
    return True


# Visible date lines are short; longer elements are story text that may quote dates.
DATE_ELEMENT_MAX_CHARS = 120
# Date lines sit right under the headline on most templates, whatever their class.
HEADLINE_NEIGHBOURS = 20
# A date line is labelled and short, or holds little besides the date: a weekday, a Hijri
# date, a time zone ("الثلاثاء 07 ذو الحجة 1446 هـ - 03 يونيو 2025 م").
DATE_LINE_MAX_WORDS = 16
DATE_LINE_MAX_OTHER_WORDS = 6
# Captions quote other dates; sidebars date other stories.
# Compiled once: an XPath given as a string is compiled again on every call (7 against 3.4 us).
_NOT_THE_PAGES = etree.XPath(
    "ancestor-or-self::figure | ancestor-or-self::figcaption | ancestor-or-self::aside | ancestor::nav | ancestor::footer"
)

_NO_LETTER_BEFORE = r"(?<![^\W\d_])"
_NO_LETTER_AFTER = r"(?![^\W\d_])"
UPDATE_LABELS = ("آخر تحديث", "اخر تحديث", "آخر تعديل", "اخر تعديل", "تم التحديث", "تحديث", "محدث", "محدّث",
                 "last updated", "updated", "modified")  # fmt: skip
PUBLISH_LABELS = ("تاريخ النشر", "تم النشر", "نشر", "نُشر", "منشور", "published", "posted")
_UPDATE_LABEL_RE = re.compile(
    rf"{_NO_LETTER_BEFORE}(?:{'|'.join(map(re.escape, UPDATE_LABELS))}){_NO_LETTER_AFTER}", re.IGNORECASE
)
_PUBLISH_LABEL_RE = re.compile(
    rf"{_NO_LETTER_BEFORE}(?:{'|'.join(map(re.escape, PUBLISH_LABELS))}){_NO_LETTER_AFTER}", re.IGNORECASE
)

PUBLISHED, UPDATED = "published", "updated"
MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class DateContext:
    """What the crawl knows about a page's dates besides the page itself."""

    discovered: str | None = None  # the sitemap/feed date of this URL, as precise as it was stated
    timezone: str | None = None  # the source's IANA time zone (``Source.timezone``)
    now: datetime | None = None


def text_of(value) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return text_of(value.get("@value") or value.get("name"))
    if isinstance(value, list) and value:
        return text_of(value[0])
    return None


def machine_dates(values, now: datetime | None) -> list[StatedDate]:
    """Stamps from JSON-LD and meta tags; a midnight stamp is a padded date-only value."""
    found = []
    for raw in values:
        if raw and (stated := find_stated_date(raw, now=now)):
            found.append(stated.date_only() if stated.time == MIDNIGHT else stated)
    return found


def labelled_dates(text: str, now: datetime | None) -> list[tuple[str, StatedDate]]:
    """Every date of a date line with what it dates: the label before it decides.

    A line with an update label and no publish label is one update stamp, even when the
    label sits between the date and the time ("28 آب 2013، آخر تحديث 14:00 (GMT+0400)").
    """
    updates = list(_UPDATE_LABEL_RE.finditer(text))
    publishes = list(_PUBLISH_LABEL_RE.finditer(text))
    if updates and not publishes:
        # Blank the labels out (same length, so the raw text keeps its positions).
        blanked = _UPDATE_LABEL_RE.sub(lambda m: " " * len(m.group(0)), text)
        stated = find_stated_date(blanked, now=now)
        return [(UPDATED, _with_raw(stated, text, blanked))] if stated else []
    found = []
    position = 0
    while stated := find_stated_date(text[position:], now=now):
        start = text.find(stated.raw, position)
        labels = [(m.start(), kind) for kind, matches in ((UPDATED, updates), (PUBLISHED, publishes)) for m in matches]
        before = [label for label in labels if label[0] < start]
        kind = max(before)[1] if before else PUBLISHED
        found.append((kind, stated))
        position = start + len(stated.raw)
    return found


def _with_raw(stated: StatedDate, text: str, blanked: str) -> StatedDate:
    start = blanked.find(stated.raw)
    raw = text[start : start + len(stated.raw)] if start >= 0 else stated.raw
    return StatedDate(stated.date, stated.time, stated.utc_offset, " ".join(raw.split()))


def is_date_line(text: str, dated: list[tuple[str, StatedDate]]) -> bool:
    """A line that is there to date the page: labelled ("نشر في"), or little but the date."""
    if not dated:
        return False
    if _UPDATE_LABEL_RE.search(text) or _PUBLISH_LABEL_RE.search(text):
        return len(text.split()) <= DATE_LINE_MAX_WORDS
    rest = text
    for _, stated in dated:
        rest = rest.replace(stated.raw, " ")
    return len(rest.split()) <= DATE_LINE_MAX_OTHER_WORDS


def visible_dates(elements, now: datetime | None, date_lines_only: bool = False) -> dict[str, StatedDate]:
    """The first published and the first updated date written in these elements.

    ``date_lines_only`` keeps only lines shaped as date lines: among the elements after
    the headline, a caption or the story's first paragraph may quote another date.
    """
    found: dict[str, StatedDate] = {}
    for element in elements:
        text = " ".join(element.text_content().split())
        if len(text) > DATE_ELEMENT_MAX_CHARS or _NOT_THE_PAGES(element):
            continue
        dated = labelled_dates(text, now) if text else []
        if date_lines_only and not is_date_line(text, dated):
            dated = []
        stamp = element.get("datetime") or (element.get("content") if element.get("itemprop") else None)
        if stamp and (stated := find_stated_date(stamp, now=now)):
            kind = dated[0][0] if dated else (UPDATED if _UPDATE_LABEL_RE.search(text) else PUBLISHED)
            dated = [(kind, stated.date_only() if stated.time == MIDNIGHT else stated)]
        # Microdata says what the element dates, whatever its text.
        declared = (element.get("itemprop") or "").lower()
        if declared in ("datemodified", "datepublished"):
            dated = [(UPDATED if declared == "datemodified" else PUBLISHED, stated) for _, stated in dated[:1]]
        for kind, stated in dated:
            found.setdefault(kind, stated)
        if len(found) == 2:
            break
    return found


def enriched(primary: StatedDate | None, others: list[StatedDate]) -> StatedDate | None:
    """``primary`` with the time and offset of the first other source that agrees with it."""
    if primary is None:
        return None
    for other in others:
        if other.date != primary.date:
            continue
        if primary.time is None and other.time is not None:
            primary = StatedDate(primary.date, other.time, other.utc_offset, primary.raw)
        elif primary.utc_offset is None and other.utc_offset is not None and _same_minute(primary.time, other.time):
            primary = primary.with_offset(other.utc_offset)
        if primary.time is not None and primary.utc_offset is not None:
            break
    return primary


def first_enriched(machine: list[StatedDate], near: StatedDate | None, anywhere: StatedDate | None) -> StatedDate | None:
    """The first machine stamp, else the nearest visible date, with what agreeing sources add."""
    sources = [*machine, near] if near is not None else list(machine)
    if sources:
        return enriched(sources[0], sources[1:])
    return anywhere


def _same_minute(a: time | None, b: time | None) -> bool:
    return a is not None and b is not None and (a.hour, a.minute) == (b.hour, b.minute)


def with_known_offset(stated: StatedDate | None, context: DateContext) -> StatedDate | None:
    """A time without offset placed in time by the sitemap/feed entry, else the source's zone."""
    if stated is None or stated.time is None or stated.utc_offset is not None:
        return stated
    hint = find_stated_date(context.discovered, now=context.now) if context.discovered else None
    if hint is not None and hint.utc_offset is not None:
        if hint.utc_offset != timedelta(0) or _same_minute(hint.time, stated.time):
            return stated.with_offset(hint.utc_offset)
    if context.timezone:
        local = datetime.combine(stated.date, stated.time)
        return stated.with_offset(_zone(context.timezone).utcoffset(local))
    return stated


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def date_fields(prefix: str, stated: StatedDate | None) -> dict:
    """``PREFIX_at``, ``PREFIX_date`` and ``PREFIX_time`` of the item."""
    instant = stated.instant if stated else None
    return {
        f"{prefix}_at": to_iso(instant) if instant else None,
        f"{prefix}_date": stated.date.isoformat() if stated else None,
        f"{prefix}_time": stated.time.isoformat(timespec="seconds") if stated and stated.time else None,
    }


def extract_dates(
    tree, tags: dict[str, list[str]], article: dict, url: str, headline, context: DateContext, candidates=None
) -> dict:
    """The item's date fields (schema v2) and ``date_raw``, the publication date as written.

    ``candidates``: ``crawler.tree_scan.attribute_candidates(tree)``, when the caller has it.
    """
    now = context.now
    published_machine = machine_dates(
        [text_of(article.get("datePublished")), *(value for key in PUBLISHED_META_KEYS for value in tags.get(key, ()))], now
    )
    modified_machine = machine_dates(
        [text_of(article.get("dateModified")), *(value for key in MODIFIED_META_KEYS for value in tags.get(key, ()))], now
    )
    # The date line under the headline first; elsewhere a "date" element may be today's
    # date in the site header or a teaser's in a sidebar, so those only date a page that
    # has nothing better and never add a time to a stamp.
    neighbours = following_elements(headline, HEADLINE_NEIGHBOURS) if headline is not None else []
    near = visible_dates(neighbours, now, date_lines_only=True)
    anywhere = visible_dates(elements_where(tree, is_date_element, candidates), now)
    published = first_enriched(published_machine, near.get(PUBLISHED), anywhere.get(PUBLISHED))
    modified = first_enriched(modified_machine, near.get(UPDATED), anywhere.get(UPDATED))

    from_url = stated_date_from_url(url, now=now)
    if published is None:
        published = from_url
    elif from_url is not None and (published.date - from_url.date).days >= MIN_UPDATE_GAP_DAYS:
        if modified is None or modified.to_datetime() < published.to_datetime():
            modified = published
        published = from_url
    published, modified = with_known_offset(published, context), with_known_offset(modified, context)
    return {
        **date_fields("published", published),
        **date_fields("modified", modified),
        "date_raw": published.raw if published else None,
    }
