"""Article metadata from a parsed page: title, people, dates, section, tags, links.

Sources are tried from the most to the least reliable: JSON-LD, then meta
tags, then visible page elements (h1, bylines, the date line, breadcrumbs),
then the URL. All functions are pure and read the tree without changing it,
so they run before the widget pruning that extraction does.

This module reads the markup and the headline; people and agency are in
``crawler.bylines``, dates in ``crawler.page_dates``, the section in
``crawler.sections``. Every text value is read with its HTML entities decoded
(CMSs escape twice: ``&amp;quot;`` in a meta tag is a quote on the page).

The title is the headline the page displays: the ``<h1>`` that shares most of its
words with the declared title (og:title, JSON-LD headline, ``<title>``), even when
they differ in wording; else the declared title without its " | Site name" part;
on a page that declares no title, its one content ``<h1>``.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.arabic import fold_for_fingerprint
from crawler.bylines import extract_people
from crawler.page_dates import DateContext, extract_dates
from crawler.sections import extract_section
from crawler.tree_scan import attribute_scan
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

# What a page's own JSON-LD can say it is besides an article. A CMS gives every page
# og:type=article; the JSON-LD type is written per template, so it says more.
# ImageObject, Organization, Person, WebSite and BreadcrumbList describe parts of any page.
OTHER_PAGE_KINDS = {
    "index": frozenset({"profilepage", "collectionpage", "searchresultspage", "itemlist"}),
    "media": frozenset(
        {"videoobject", "audioobject", "podcastepisode", "podcastseries", "tvepisode", "tvseries", "radioepisode", "episode", "clip", "imagegallery", "mediagallery"}
    ),
}

TITLE_SEPARATORS_RE = re.compile(r"\s+[|\-–—:«»/]\s+|\s*\|\s*|\s+::\s+")

# The <h1> is the displayed headline when it shares this share of words with the
# declared title (of the longer of the two): BBC's h1 "أصدقاء الطيار ... آرون بوشنيل ..."
# beside og:title "آرون بوشنيل: أصدقاء الطيار ..." shares 0.9; a logo or section h1 under 0.3.
HEADLINE_MIN_OVERLAP = 0.5
# A lone content <h1> without a declared title to compare with is a headline from this length.
HEADLINE_MIN_WORDS = 4
_CHROME_ANCESTORS = etree.XPath("ancestor::header | ancestor::nav | ancestor::footer | ancestor::aside")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


def decode_entities(text: str) -> str:
    """HTML entities a CMS left in a value (escaped twice: ``&amp;quot;`` arrives as ``&quot;``)."""
    for _ in range(2):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = _ENTITY.sub(lambda match: html.unescape(match.group(0)), text)
    return text


def json_ld_objects(tree) -> list[dict]:
    """Every JSON-LD object on the page, with @graph lists flattened."""
    objects: list[dict] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        # Old templates wrap the block in CDATA markers ("//<![CDATA[ ... //]]>").
        raw = _CDATA.sub("", (script.text or "").strip())
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            logger.debug("Unparseable JSON-LD block skipped")
            continue
        objects.extend(_flatten_json_ld(_decoded(data)))
    return objects


def _decoded(data):
    """JSON-LD with the HTML entities in its strings decoded (JSON itself never needs them)."""
    if isinstance(data, str):
        return decode_entities(data)
    if isinstance(data, list):
        return [_decoded(entry) for entry in data]
    if isinstance(data, dict):
        return {key: _decoded(value) for key, value in data.items()}
    return data


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
            tags.setdefault(key.strip().lower(), []).append(decode_entities(content.strip()))
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
    """The outlet's names: the caller's, the declared ones, and its social handle ("@BBCArabic")."""
    names = list(extra)
    names += tags.get("og:site_name", []) + tags.get("application-name", []) + tags.get("apple-mobile-web-app-title", [])
    names += [handle.lstrip("@") for handle in tags.get("twitter:site", []) if handle.startswith("@")]
    for obj in objects:
        if _types(obj) & {"organization", "newsmediaorganization", "website"}:
            names += [name for key in ("name", "alternateName") if (name := _text_of(obj.get(key)))]
        if publisher := obj.get("publisher"):
            if name := _text_of(publisher):
                names.append(name)
            # its name in the other script: "Rudaw Media Network" is also "شبكة رووداو الإعلامية"
            if isinstance(publisher, dict) and (alternate := _text_of(publisher.get("alternateName"))):
                names.append(alternate)
    return [name for name in dict.fromkeys(_collapse(n) for n in names) if name]


# A logo's alt text names the outlet, often in the other script than og:site_name.
LOGO_NAME_MAX_WORDS = 4


def logo_names(tree, url: str) -> list[str]:
    """Alt texts of images that link to the site's home page (its logo)."""
    parts = urlsplit(url)
    homes = {"/", f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{parts.netloc}/"}
    names = []
    for image in tree.xpath("//a[@href]//img[@alt]")[:50]:
        link = next(image.iterancestors("a"))
        alt = _collapse(image.get("alt") or "")
        if link.get("href", "").strip() in homes and alt and len(alt.split()) <= LOGO_NAME_MAX_WORDS:
            names += [part for part in (p.strip() for p in TITLE_SEPARATORS_RE.split(alt)) if part]
    return list(dict.fromkeys(names))


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


def declared_title(tags, article: dict, tree) -> str | None:
    """The title the markup declares, suffix and all: JSON-LD headline, og:title, <title>."""
    for candidate in (
        _text_of(article.get("headline")),
        first_meta(tags, "og:title", "twitter:title"),
        decode_entities(_collapse(tree.findtext(".//title") or "")) or None,
    ):
        if candidate:
            return _collapse(candidate)
    return None


def _folded_words(text: str) -> set[str]:
    return set(fold_for_fingerprint(text).split())


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(len(a), len(b)) if a and b else 0.0


def headline_of(tree, declared: str | None, site_names: list[str], host: str):
    """(the headline ``<h1>`` element or None, the title): see the module docstring."""
    h1s = [(h1, decode_entities(_collapse(h1.text_content()))) for h1 in tree.iter("h1")]
    h1s = [(h1, text) for h1, text in h1s if text]
    stripped = strip_site_suffix(declared, site_names, host) if declared else None
    if stripped:
        declared_words = _folded_words(stripped)
        scored = [(_overlap(_folded_words(text), declared_words), index) for index, (_, text) in enumerate(h1s)]
        best = max(scored, default=(0.0, -1))
        if best[0] >= HEADLINE_MIN_OVERLAP:
            return h1s[best[1]]
    if stripped is None:
        content = [
            (h1, text) for h1, text in h1s
            if not _CHROME_ANCESTORS(h1) and len(text.split()) >= HEADLINE_MIN_WORDS
            and not is_site_title(text, site_names)
        ]  # fmt: skip
        if len(content) == 1:
            return content[0]
    return (headline_element(tree), stripped or (h1s[0][1] if h1s else None))


def is_site_title(text: str, site_names: list[str]) -> bool:
    key = _site_key(text)
    return any(key == _site_key(name) for name in site_names)


def headline_element(tree):
    """The page's most likely headline when no title says which: the h1 with the most text."""
    candidates = [(len(_collapse(h.text_content())), h) for h in tree.iter("h1")]
    return max(candidates, key=lambda pair: pair[0])[1] if candidates else None


def title_aliases(declared: str | None, headline: str | None) -> list[str]:
    """The site's name as the declared title adds it around the headline ("Headline - اليوم السابع")."""
    if not declared or not headline or declared == headline:
        return []
    parts = [part.strip() for part in TITLE_SEPARATORS_RE.split(declared) if part.strip()]
    if len(parts) < 2:
        return []
    headline_words = _folded_words(headline)
    outer = [parts[-1]] if _overlap(_folded_words(parts[0]), headline_words) >= HEADLINE_MIN_OVERLAP else []
    if not outer and _overlap(_folded_words(parts[-1]), headline_words) >= HEADLINE_MIN_OVERLAP:
        outer = [parts[0]]
    return [name for name in outer if len(name.split()) <= 4 and not _folded_words(name) <= headline_words]


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


def declared_other_kind(objects: list[dict]) -> str | None:
    """"index" or "media" when the page's JSON-LD declares it one of those and no article."""
    types = set().union(*(_types(obj) for obj in objects))
    if types & (ARTICLE_TYPES - {"webpage"}):
        return None
    return next((kind for kind, kind_types in OTHER_PAGE_KINDS.items() if types & kind_types), None)


def is_article_page(tags, objects: list[dict]) -> bool | None:
    """True/False when the page says what it is (og:type, JSON-LD), None when it does not."""
    og_type = (first_meta(tags, "og:type") or "").lower()
    if any(_types(obj) & (ARTICLE_TYPES - {"webpage"}) for obj in objects):
        return True
    if declared_other_kind(objects):
        return False
    if og_type:
        return og_type == "article" or og_type.startswith("article")
    return None


def page_metadata(
    tree, url: str, site_names: Iterable[str] = (), now: datetime | None = None, dates: DateContext | None = None
) -> dict:
    """Every metadata field of the item, read from the unmodified tree.

    ``dates`` carries what the crawl knows about the page's dates (the sitemap or feed
    date of the URL, the source's time zone); ``now`` overrides its clock.
    """
    objects = json_ld_objects(tree)
    # One pass over the elements for the attribute scans of bylines, dates, breadcrumbs and sections.
    candidates, current_marked = attribute_scan(tree)
    article = article_json_ld(objects)
    tags = meta_tags(tree)
    names = site_names_of(tags, objects, site_names)
    names += [alias for alias in logo_names(tree, url) if alias not in names]
    host = urlsplit(url).hostname or ""
    declared = declared_title(tags, article, tree)
    headline, title = headline_of(tree, declared, names, host)
    names += [alias for alias in title_aliases(declared, title) if alias not in names]
    people_names = [*names, host.removeprefix("www.").split(".")[0]] if host else names
    authors, agency = extract_people(tree, tags, article, people_names, headline, candidates)
    description = _text_of(article.get("description")) or first_meta(tags, "og:description", "description", "twitter:description")
    context = dates or DateContext()
    if now is not None:
        context = DateContext(context.discovered, context.timezone, now)
    return {
        "title": title,
        "authors": authors,
        "agency": agency,
        **extract_dates(tree, tags, article, url, headline, context, candidates),
        "description": _collapse(description) if description else None,
        "image": extract_image(tags, article, url),
        "section": extract_section(tree, tags, article, objects, url, headline, title, people_names, candidates, current_marked),
        "tags": extract_tags(tags, article),
        "canonical_url": extract_canonical(tree, tags, url),
        "site_names": names,
        "declares_article": is_article_page(tags, objects),
        "declared_kind": declared_other_kind(objects),
    }
