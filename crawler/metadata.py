"""Article metadata from a parsed page: title, people, dates, section, tags, links.

Sources are tried from the most to the least reliable: JSON-LD, then meta
tags, then visible page elements (h1, bylines, the date line, breadcrumbs),
then the URL. All functions are pure and read the tree without changing it,
so they run before the widget pruning that extraction does.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from crawler.dates import date_from_url, find_date_in_text, parse_date, to_iso
from crawler.urls import same_site

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "blogposting",
        "liveblogposting",
        "report",
        "webpage",
    }
)

# Known agencies: credited in `agency`, never listed as authors.
AGENCIES = {
    "أ ف ب": "AFP",
    "ا ف ب": "AFP",
    "فرانس برس": "AFP",
    "وكالة فرانس برس": "AFP",
    "afp": "AFP",
    "رويترز": "Reuters",
    "وكالة رويترز": "Reuters",
    "reuters": "Reuters",
    "أسوشيتد برس": "AP",
    "اسوشيتد برس": "AP",
    "ap": "AP",
    "د ب أ": "DPA",
    "dpa": "DPA",
    "أ ش أ": "MENA",
    "وكالة أنباء الشرق الأوسط": "MENA",
    "mena": "MENA",
    "الأناضول": "Anadolu",
    "وكالة الأناضول": "Anadolu",
    "بترا": "Petra",
    "وكالة الأنباء الأردنية": "Petra",
    "واس": "SPA",
    "وام": "WAM",
    "قنا": "QNA",
    "كونا": "KUNA",
    "سانا": "SANA",
    "وكالات": "agencies",
}

# Words that, in an author field, mean "the newsroom" rather than a person.
NON_PERSON_WORDS = ("فريق", "هيئة التحرير", "التحرير", "المحرر", "newsroom", "staff", "editorial", "desk", "بوابة", "موقع", "صحيفة", "جريدة", "قناة", "شبكة")

BYLINE_PREFIX_RE = re.compile(
    r"^\s*(?:كتب|كتبت|بقلم|إعداد|اعداد|تقرير|تحرير|حوار|ترجمة|by|author|الكاتب)\s*[:،,]?\s*", re.IGNORECASE
)
TITLE_SEPARATORS_RE = re.compile(r"\s+[|\-–—:«»/]\s+|\s*\|\s*|\s+::\s+")

# Cheap substring tests guard the costly whole-token test: XPath string
# functions run on every element of a page of a thousand or more.
BYLINE_XPATH = (
    "//*[@rel='author' or @itemprop='author' or "
    "(contains(@class, 'author') and (contains(concat(' ', normalize-space(@class), ' '), ' author ') or "
    "contains(@class, 'author-name'))) or contains(@class, 'byline')]"
)
# Date elements outside the site's own header, navigation and footer, which
# often show today's date rather than the article's.
DATE_ELEMENT_XPATH = (
    "(//time | //*[(@class and (contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'publish') or "
    "contains(@class, 'posted') or contains(@class, 'meta'))) or (@id and contains(@id, 'date'))])"
    "[not(ancestor::nav) and not(ancestor::footer) and not(ancestor::header[not(ancestor::article)])]"
)
BREADCRUMB_XPATH = (
    "//*[contains(@class, 'breadcrumb') or contains(@id, 'breadcrumb') or @aria-label='breadcrumb']"
)
HOME_CRUMBS = {"الرئيسية", "الرئيسيه", "الصفحة الرئيسية", "home", "الرئيسة"}
# Visible date lines are short; longer elements are story text that may quote dates.
DATE_ELEMENT_MAX_CHARS = 120


def json_ld_objects(tree) -> list[dict]:
    """Every JSON-LD object on the page, with @graph lists flattened."""
    objects: list[dict] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            logger.debug("Unparseable JSON-LD block skipped")
            continue
        objects.extend(_flatten_json_ld(data))
    return objects


def _flatten_json_ld(data) -> Iterator[dict]:
    if isinstance(data, list):
        for entry in data:
            yield from _flatten_json_ld(entry)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten_json_ld(data["@graph"])


def _types(obj: dict) -> set[str]:
    value = obj.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {str(v).lower() for v in values}


def article_json_ld(objects: Iterable[dict]) -> dict:
    """The page's article object, preferring real article types over WebPage."""
    candidates = [obj for obj in objects if _types(obj) & ARTICLE_TYPES]
    candidates.sort(key=lambda obj: "webpage" in _types(obj))
    return candidates[0] if candidates else {}


def meta_tags(tree) -> dict[str, list[str]]:
    """``<meta>`` values keyed by lower-cased name/property/itemprop."""
    tags: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            tags.setdefault(key.strip().lower(), []).append(content.strip())
    return tags


def first_meta(tags: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if tags.get(key):
            return tags[key][0]
    return None


def _text_of(value) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _text_of(value.get("name") or value.get("@value") or value.get("url"))
    if isinstance(value, list) and value:
        return _text_of(value[0])
    return None


def _collapse(text: str) -> str:
    return " ".join(text.split())


def site_names_of(tags: dict[str, list[str]], objects: list[dict], extra: Iterable[str] = ()) -> list[str]:
    names = list(extra)
    names += tags.get("og:site_name", []) + tags.get("application-name", [])
    for obj in objects:
        if _types(obj) & {"organization", "newsmediaorganization", "website"}:
            if name := _text_of(obj.get("name")):
                names.append(name)
        if publisher := obj.get("publisher"):
            if name := _text_of(publisher):
                names.append(name)
    return [name for name in dict.fromkeys(_collapse(n) for n in names) if name]


def strip_site_suffix(title: str, site_names: Iterable[str], host: str = "") -> str:
    """Remove " | Site name" (or a prefix "Site - ") from a page title."""
    title = _collapse(title)
    parts = [part for part in TITLE_SEPARATORS_RE.split(title) if part.strip()]
    if len(parts) < 2:
        return title
    keys = {_site_key(name) for name in site_names if name}
    host_key = _site_key(host.removeprefix("www.").split(".")[0]) if host else ""

    def is_site(part: str) -> bool:
        # Equality only: a headline part that merely contains the site's name
        # ("اللغة العربية" on Al Arabiya) is part of the headline.
        key = _site_key(part)
        return bool(key) and (key in keys or key == host_key)

    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
    if len(parts) == len(TITLE_SEPARATORS_RE.split(title)):
        return title
    # Rebuild from the original so separators inside the headline are kept.
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 else " ".join(parts)


def _site_key(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.lower().replace("www.", "").removesuffix(".com"))


def extract_title(tree, tags, article: dict, site_names: list[str], host: str) -> str | None:
    h1 = next((_collapse(h.text_content()) for h in tree.iter("h1") if h.text_content().strip()), None)
    candidates = [
        _text_of(article.get("headline")),
        first_meta(tags, "og:title", "twitter:title"),
        _collapse(tree.findtext(".//title") or "") or None,
    ]
    for candidate in candidates:
        if not candidate:
            continue
        title = strip_site_suffix(candidate, site_names, host)
        # A page's <h1> is often the clean headline inside a suffixed <title>.
        if h1 and h1 != title and h1 in title:
            return h1
        return title
    return h1


def split_people(value) -> list[str]:
    """Names from a JSON-LD author value or a byline string."""
    if isinstance(value, list):
        return [name for entry in value for name in split_people(entry)]
    if isinstance(value, dict):
        name = _text_of(value.get("name"))
        if _types(value) & {"organization", "newsmediaorganization"}:
            # An organization is never a person, but an agency is still credited.
            return [name] if name and agency_of(name) else []
        return split_people(name)
    if not isinstance(value, str):
        return []
    value = BYLINE_PREFIX_RE.sub("", _collapse(value))
    # A standalone "و" joins two names; an attached one may begin a name (وليد).
    parts = re.split(r"\s*(?:[,،;|]|\s+و\s+|\s+and\s+|\s+&\s+)\s*", value)
    return [part.strip(" .-–—:") for part in parts if part.strip(" .-–—:")]


def agency_of(name: str) -> str | None:
    key = _collapse(name.strip("()[] ")).lower()
    return AGENCIES.get(key)


def is_person_name(name: str, site_names: Iterable[str]) -> bool:
    if not 2 <= len(name) <= 60 or name.startswith("http") or "@" in name:
        return False
    if len(name.split()) > 5:
        return False
    lowered = name.lower()
    if any(word in lowered for word in NON_PERSON_WORDS):
        return False
    key = _site_key(name)
    return not any(key and (key == _site_key(site) or _site_key(site) in key) for site in site_names if _site_key(site))


def extract_people(tree, tags, article: dict, site_names: list[str]) -> tuple[list[str], str | None]:
    """(authors, agency): people only; an agency found among them is returned apart."""
    raw: list[str] = []
    raw += split_people(article.get("author"))
    for key in ("author", "article:author", "dc.creator", "sailthru.author", "parsely-author"):
        for value in tags.get(key, []):
            raw += split_people(value)
    if not raw:
        for element in tree.xpath(BYLINE_XPATH)[:3]:
            text = _collapse(element.text_content())
            if 0 < len(text) <= 80:
                raw += split_people(text)
    authors: list[str] = []
    agency = None
    for name in raw:
        if found := agency_of(name):
            agency = agency or found
        elif is_person_name(name, site_names) and name not in authors:
            authors.append(name)
    return authors, agency


def _parse_first(values: Iterable[str | None], now: datetime | None) -> tuple[datetime, str] | None:
    for raw in values:
        if raw and (parsed := parse_date(raw, now=now)):
            return parsed, raw
    return None


def visible_date(tree, now: datetime | None) -> tuple[datetime, str] | None:
    """The first date written in a short date/time element of the page."""
    for element in tree.xpath(DATE_ELEMENT_XPATH):
        if (stamp := element.get("datetime")) and (parsed := parse_date(stamp, now=now)):
            return parsed, stamp
        text = _collapse(element.text_content())
        if text and len(text) <= DATE_ELEMENT_MAX_CHARS and (found := find_date_in_text(text, now=now)):
            return found
    return None


# Date lines sit right under the headline on most templates, whatever their class.
HEADLINE_NEIGHBOURS = 20


def headline_element(tree):
    """The page's headline: the h1 with the most text (a logo is often an h1 too)."""
    candidates = [(len(_collapse(h.text_content())), h) for h in tree.iter("h1")]
    return max(candidates, key=lambda pair: pair[0])[1] if candidates else None


def date_near_headline(tree, now: datetime | None) -> tuple[datetime, str] | None:
    """A short dated element among the first elements after the page's headline."""
    headline = headline_element(tree)
    if headline is None:
        return None
    for element in headline.xpath(f"following::*[position() <= {HEADLINE_NEIGHBOURS}]"):
        text = _collapse(element.text_content())
        if text and len(text) <= DATE_ELEMENT_MAX_CHARS and (found := find_date_in_text(text, now=now)):
            return found
    return None


def extract_dates(tree, tags, article: dict, url: str, now: datetime | None = None) -> dict:
    """published_at / modified_at (ISO 8601 with offset) and the raw published string."""
    published = _parse_first(
        [
            _text_of(article.get("datePublished")),
            first_meta(
                tags,
                "article:published_time",
                "og:published_time",
                "datepublished",
                "pubdate",
                "publishdate",
                "publish-date",
                "date",
                "dc.date",
                "dc.date.issued",
                "dcterms.created",
                "sailthru.date",
                "parsely-pub-date",
                "article.published",
            ),
        ],
        now,
    )
    if published is None:
        published = visible_date(tree, now) or date_near_headline(tree, now)
    if published is None and (from_url := date_from_url(url, now=now)):
        published = (from_url, url)
    modified = _parse_first(
        [
            _text_of(article.get("dateModified")),
            first_meta(tags, "article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified"),
        ],
        now,
    )
    return {
        "published_at": to_iso(published[0]) if published else None,
        "date_raw": published[1] if published else None,
        "modified_at": to_iso(modified[0]) if modified else None,
    }


def extract_section(tree, tags, article: dict, objects: list[dict]) -> str | None:
    section = _text_of(article.get("articleSection")) or first_meta(tags, "article:section", "section", "category")
    if section:
        return _collapse(section)
    for obj in objects:
        if "breadcrumblist" in _types(obj):
            names = [_text_of(item.get("name") or item.get("item")) for item in obj.get("itemListElement", []) if isinstance(item, dict)]
            names = [n for n in names if n and n.lower() not in HOME_CRUMBS and not n.startswith("http")]
            if len(names) >= 2:
                return _collapse(names[-2])
            if names:
                return _collapse(names[0])
    for crumbs in tree.xpath(BREADCRUMB_XPATH)[:1]:
        names = [_collapse(a.text_content()) for a in crumbs.iter("a")]
        names = [n for n in names if n and n.lower() not in HOME_CRUMBS]
        if names:
            return names[-1]
    return None


# Longer "keywords" are a headline or a sentence pasted by the CMS, not tags.
MAX_TAG_WORDS = 6


def extract_tags(tags, article: dict) -> list[str]:
    found: list[str] = list(tags.get("article:tag", []))
    keywords = article.get("keywords")
    if isinstance(keywords, list):
        found += [k for k in keywords if isinstance(k, str)]
    elif isinstance(keywords, str):
        found += re.split(r"[,،]", keywords)
    if not found:
        for key in ("news_keywords", "keywords"):
            for value in tags.get(key, []):
                found += re.split(r"[,،]", value)
    cleaned = [_collapse(tag) for tag in found if tag and tag.strip()]
    return list(dict.fromkeys(tag for tag in cleaned if tag and len(tag.split()) <= MAX_TAG_WORDS))


def extract_canonical(tree, tags, url: str) -> str | None:
    """rel=canonical or og:url, when it is absolute-able and on the same site."""
    candidates = [link.get("href") for link in tree.xpath("//link[@rel='canonical'][@href]")]
    candidates.append(first_meta(tags, "og:url"))
    for candidate in candidates:
        if not candidate or not candidate.strip():
            continue
        absolute = urljoin(url, candidate.strip())
        if absolute.startswith(("http://", "https://")) and same_site(absolute, url):
            return absolute
    return None


def extract_image(tags, article: dict, url: str) -> str | None:
    image = first_meta(tags, "og:image", "og:image:url", "twitter:image") or _text_of(article.get("image"))
    return urljoin(url, image) if image else None


def is_article_page(tags, objects: list[dict]) -> bool | None:
    """True/False when the page says what it is (og:type, JSON-LD), None when it does not."""
    og_type = (first_meta(tags, "og:type") or "").lower()
    if any(_types(obj) & (ARTICLE_TYPES - {"webpage"}) for obj in objects):
        return True
    if og_type:
        return og_type == "article" or og_type.startswith("article")
    return None


def page_metadata(tree, url: str, site_names: Iterable[str] = (), now: datetime | None = None) -> dict:
    """Every metadata field of the item, read from the unmodified tree."""
    objects = json_ld_objects(tree)
    article = article_json_ld(objects)
    tags = meta_tags(tree)
    names = site_names_of(tags, objects, site_names)
    host = urlsplit(url).hostname or ""
    authors, agency = extract_people(tree, tags, article, names)
    description = _text_of(article.get("description")) or first_meta(tags, "og:description", "description", "twitter:description")
    return {
        "title": extract_title(tree, tags, article, names, host),
        "authors": authors,
        "agency": agency,
        **extract_dates(tree, tags, article, url, now),
        "description": _collapse(description) if description else None,
        "image": extract_image(tags, article, url),
        "section": extract_section(tree, tags, article, objects),
        "tags": extract_tags(tags, article),
        "canonical_url": extract_canonical(tree, tags, url),
        "site_names": names,
        "declares_article": is_article_page(tags, objects),
    }
