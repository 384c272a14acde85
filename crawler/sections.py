"""The section of the site an article belongs to, as the page declares or shows it.

Sources, in order; the first that gives a section name wins:

1. the markup: JSON-LD ``articleSection``, ``article:section``, the section/category
   meta tags and microdata ``itemprop="articleSection"``. CMS flags are not sections ("featured", "خاص", "slider": placement and
   promotion labels that WordPress and Drupal sites publish as categories). Of a list
   (WordPress writes every category) the value the breadcrumb also shows wins, the deepest
   crumb of them when it shows several;
2. the breadcrumb trail: JSON-LD or microdata ``BreadcrumbList``, an element named
   breadcrumb, or, whatever its class, the nearest trail before the headline of two to
   ``TRAIL_MAX_LINKS`` links that starts at the home page and is joined only by
   direction marks (">", "/", "›", "»", or arrows drawn as images; bars and dots join
   menus). Its deepest crumb that is not the home page, the site or the headline;
3. the site menu's entry for the page: a menu link marked current (``active``,
   ``current``, ``selected``, ``nav-on``, ``aria-current``) whose path segment is also in
   the article's URL: the mark alone is often stale or on a tab ("الأكثر قراءة");
4. a section kicker: the link just above the headline to one of the site menu's targets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import unquote, urlsplit

from crawler.arabic import fold_for_fingerprint
from crawler.site_names import is_site_name
from crawler.tree_scan import CURRENT_MARKED_XPATH, attribute, elements_where, preceding_elements

HOME_CRUMBS = frozenset(
    fold_for_fingerprint(name) for name in ("الرئيسية", "الرئيسيه", "الصفحة الرئيسية", "الرئيسة", "home", "homepage", "accueil")
)
# Placement and promotion labels that CMSs publish as categories; never a section.
CMS_FLAGS = frozenset(
    fold_for_fingerprint(flag)
    for flag in (
        "featured", "feature", "featured posts", "exclusive", "slider", "main slider", "top", "top story",
        "top stories", "headline", "headlines", "main", "home", "homepage", "uncategorized", "trending", "popular",
        "editors picks", "editor's picks", "breaking", "خاص", "حصري", "حصريا", "مميز", "مميزة", "سلايدر", "الرئيسية",
        "غير مصنف", "عاجل", "اختيارات المحرر", "اخترنا لك", "الأكثر قراءة",
    )
)  # fmt: skip
# Section names are short; a longer crumb is the headline itself.
SECTION_MAX_WORDS = 5
TRAIL_MAX_LINKS = 5
# How far before the headline a breadcrumb trail or a kicker may sit (elements).
TRAIL_SCOPE = 40
KICKER_SCOPE = 6


# The same elements as the XPath
#   //*[contains(@class, 'bread') or contains(@class, 'Bread') or contains(@id, 'bread')
#       or @aria-label='breadcrumb' or @aria-label='Breadcrumb' or contains(@itemtype, 'BreadcrumbList')]
# chosen in one Python pass (crawler.tree_scan).
def is_breadcrumb_container(element) -> bool:
    cls = attribute(element, "class")
    return (
        "bread" in cls
        or "Bread" in cls
        or "bread" in attribute(element, "id")
        or element.get("aria-label") in ("breadcrumb", "Breadcrumb")
        or "BreadcrumbList" in attribute(element, "itemtype")
    )


# A trail's links are joined by direction marks, or by arrows drawn as images or CSS;
# bars and dots join the items of a menu.
_TRAIL_SEPARATORS = re.compile(r"^[\s>/\\›»«<→←]*$")
_CURRENT_TOKENS = frozenset(
    "active current selected on is-active current-menu-item current-menu-parent current-menu-ancestor "
    "current-post-ancestor current-category-ancestor current_page_item current-cat".split()
)
_CURRENT_SUFFIXES = ("-on", "_on", "-active", "_active", "--active", "-current", "-selected")
MENU_XPATH = "//nav//a[@href] | //header//a[@href] | //*[@role='navigation']//a[@href] | //ul[contains(@class, 'menu')]//a[@href]"


def collapse(text: str) -> str:
    return " ".join(text.split())


def is_cms_flag(name: str) -> bool:
    return fold_for_fingerprint(name) in CMS_FLAGS


def markup_sections(tree, tags: dict[str, list[str]], article: dict, candidates=None) -> list[str]:
    values = article.get("articleSection")
    found = [v for v in (values if isinstance(values, list) else [values]) if isinstance(v, str)]
    for key in ("article:section", "articlesection", "section", "category"):
        found += tags.get(key, [])
    # Microdata on a visible element: <a itemprop="articleSection">سياسة</a>.
    # ``candidates`` (crawler.tree_scan) holds every element with an itemprop: filtering
    # it costs nothing where the XPath cost 0.5 ms a page.
    microdata = (
        tree.xpath("//*[@itemprop='articleSection'][not(self::meta)]") if candidates is None
        else [element for element in candidates if element.get("itemprop") == "articleSection" and element.tag != "meta"]
    )
    found += [element.get("content") or element.text_content() for element in microdata]
    names = (collapse(value) for value in found)
    # A CMS id ("12") or a flag is no section name.
    return [name for name in dict.fromkeys(names) if any(c.isalpha() for c in name) and not is_cms_flag(name)]


def _path_of(href: str | None) -> str:
    return unquote(urlsplit(href or "").path)


def _is_home_link(href: str | None) -> bool:
    return _path_of(href) in ("", "/") and not (href or "").startswith("#")


def json_ld_crumbs(objects: Iterable[dict]) -> list[str]:
    for obj in objects:
        types = obj.get("@type", [])
        types = types if isinstance(types, list) else [types]
        if "breadcrumblist" not in {str(t).lower() for t in types}:
            continue
        names = []
        for item in obj.get("itemListElement", []):
            if not isinstance(item, dict):
                continue
            name = item.get("name")
            if not isinstance(name, str) and isinstance(item.get("item"), dict):
                name = item["item"].get("name")
            if isinstance(name, str) and not name.startswith("http"):
                names.append(collapse(name))
        if names:
            return names
    return []


def _link_crumbs(container) -> list[str]:
    names = [collapse(a.text_content()) for a in container.iter("a")]
    # The current page often closes the trail as plain text.
    current = container.xpath(".//*[@aria-current or contains(@class, 'current') or contains(@class, 'active')][not(self::a)]")
    names += [collapse(element.text_content()) for element in current[-1:]]
    return [name for name in names if name]


def is_link_trail(element, title: str | None = None) -> bool:
    """Two to TRAIL_MAX_LINKS links from the home page, joined by nothing but separators
    (and closed, maybe, by the headline as plain text)."""
    links = element.xpath(".//a[@href]")
    if not 2 <= len(links) <= TRAIL_MAX_LINKS or not _is_home_link(links[0].get("href")):
        return False
    rest = collapse(element.text_content())
    for link in links:
        rest = rest.replace(collapse(link.text_content()), " ", 1)
    if title:
        rest = rest.replace(collapse(title), " ")
    return bool(_TRAIL_SEPARATORS.match(rest)) and all(len(link.text_content().split()) <= SECTION_MAX_WORDS for link in links)


def visible_crumbs(tree, headline, title: str | None = None, candidates=None) -> list[str]:
    for container in elements_where(tree, is_breadcrumb_container, candidates):
        if crumbs := _link_crumbs(container):
            return crumbs
    if headline is None:
        return []
    for element in preceding_elements(headline, TRAIL_SCOPE)[::-1]:
        if element.tag not in ("a", "script", "style") and is_link_trail(element, title):
            return _link_crumbs(element)
    return []


def section_crumbs(crumbs: Sequence[str], site_names: Sequence[str], title: str | None) -> list[str]:
    """The crumbs that name sections: not home, not the site, not the headline."""
    title_key = fold_for_fingerprint(title or "")
    kept = []
    for crumb in crumbs:
        key = fold_for_fingerprint(crumb)
        if not key or key in HOME_CRUMBS or is_cms_flag(crumb) or is_site_name(crumb, site_names):
            continue
        # The trail often ends with the story itself, whole or cut short.
        is_headline = key == title_key or (title_key.startswith(key) and len(key.split()) >= 3)
        if len(crumb.split()) > SECTION_MAX_WORDS or is_headline:
            continue
        kept.append(crumb)
    return kept


def _is_current(element) -> bool:
    if element.get("aria-current") not in (None, "false"):
        return True
    tokens = (element.get("class") or "").lower().split()
    return any(token in _CURRENT_TOKENS or token.endswith(_CURRENT_SUFFIXES) for token in tokens)


def current_menu_section(tree, url: str, marked=None) -> str | None:
    """The menu entry marked current whose link path is a segment of the article's URL.

    ``marked``: the elements of ``CURRENT_MARKED_XPATH``, when the caller has them
    (``crawler.tree_scan.attribute_scan``)."""
    segments = {segment for segment in _path_of(url).lower().split("/") if segment}
    for element in tree.xpath(CURRENT_MARKED_XPATH) if marked is None else marked:
        if not _is_current(element):
            continue
        links = [element] if element.tag == "a" else element.xpath(".//a[@href]")[:1]
        for link in links:
            link_segments = [segment for segment in _path_of(link.get("href")).lower().split("/") if segment]
            name = collapse(link.text_content())
            if link_segments and link_segments[-1] in segments and name and len(name.split()) <= SECTION_MAX_WORDS:
                return name
    return None


def kicker_section(tree, headline) -> str | None:
    """The link just above the headline that leads to an entry of the site menu."""
    if headline is None:
        return None
    # The menu's paths are read only once a link could use them: MENU_XPATH over the whole
    # page cost 0.4 ms, and most pages have no short link just above the headline.
    menu = None
    for element in preceding_elements(headline, KICKER_SCOPE)[::-1]:
        if element.tag != "a" or element.xpath("ancestor::nav | ancestor::header"):
            continue
        name = collapse(element.text_content())
        if not name or len(name.split()) > SECTION_MAX_WORDS:
            continue
        if menu is None:
            menu = {_path_of(a.get("href")).rstrip("/") for a in tree.xpath(MENU_XPATH)}
            menu.discard("")
        if _path_of(element.get("href")).rstrip("/") in menu:
            return name
    return None


def extract_section(tree, tags, article: dict, objects: list[dict], url: str, headline, title: str | None,
                    site_names: Sequence[str], candidates=None, current_marked=None) -> str | None:  # fmt: skip
    """The article's section; see the module docstring for the order of the sources.

    ``candidates, current_marked``: ``crawler.tree_scan.attribute_scan(tree)``, when the caller has it."""
    declared = [name for name in markup_sections(tree, tags, article, candidates) if not is_site_name(name, site_names)]
    crumbs = section_crumbs(json_ld_crumbs(objects), site_names, title) or section_crumbs(
        visible_crumbs(tree, headline, title, candidates), site_names, title
    )
    if declared:
        depth = {fold_for_fingerprint(crumb): index for index, crumb in enumerate(crumbs)}
        shown = [name for name in declared if fold_for_fingerprint(name) in depth]
        return max(shown, key=lambda name: depth[fold_for_fingerprint(name)]) if shown else declared[0]
    if crumbs:
        return crumbs[-1]
    return current_menu_section(tree, url, current_marked) or kicker_section(tree, headline)
