"""Elements of a page chosen by their attributes, in one Python pass instead of XPaths.

An XPath like ``//*[contains(@class, 'date') or contains(@class, 'time') or ...]`` makes
libxml2 build a string for every attribute test of every element: 1.5 to 2.5 ms on an
ordinary 60-120 kB page, whatever the size of its article, and the metadata stage ran
three of them per page (bylines, date elements, breadcrumbs). ``attribute_candidates``
walks the elements once and keeps those whose attributes could satisfy any of the three
(a superset, in document order); each stage's exact predicate then runs on that short
list. ``tests/test_tree_scan.py`` holds each predicate to the XPath it replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from lxml import etree

# Every substring of a class or id that a predicate below looks for (bylines: uthor,
# yline, riter, riteBy; dates: date, time, publish, posted, meta; breadcrumbs: bread, Bread).
_CANDIDATE_CLASS_OR_ID = re.compile("uthor|yline|riter|riteBy|date|time|publish|posted|meta|bread|Bread")
# Attributes a predicate reads whatever their value.
_CANDIDATE_ATTRIBUTES = frozenset({"rel", "itemprop", "aria-label", "itemtype"})
_CANDIDATE_TAGS = frozenset({"time"})
# The menu entries that may be marked current (crawler.sections.current_menu_section), as
# this XPath selects them; ``attribute_scan`` returns the same elements in the same order.
CURRENT_MARKED_XPATH = (
    "//*[@aria-current or contains(@class, 'active') or contains(@class, 'current')"
    " or contains(@class, 'selected') or contains(@class, 'on')]"
)
_CURRENT_MARK_IN_CLASS = re.compile("active|current|selected|on")


def attribute_candidates(tree) -> list:
    """The elements of ``tree``'s document that any predicate of the metadata stage may choose, in document order."""
    return attribute_scan(tree)[0]


def attribute_scan(tree) -> tuple[list, list]:
    """``attribute_candidates(tree)``, and the elements that ``CURRENT_MARKED_XPATH`` selects, in one pass.

    The second list is for ``crawler.sections.current_menu_section``: its XPath's five
    ``contains()`` tests on every element cost 1.7 ms on an ordinary page, and the
    attribute values are at hand here anyway (``element.items()`` is most of this pass's cost).
    """
    search = _CANDIDATE_CLASS_OR_ID.search
    marks_current = _CURRENT_MARK_IN_CLASS.search
    found, current = [], []
    for element in tree.getroottree().getroot().iter(etree.Element):
        chosen = element.tag in _CANDIDATE_TAGS
        marked = False
        for name, value in element.items():
            if not chosen and (name in _CANDIDATE_ATTRIBUTES or ((name == "class" or name == "id") and search(value))):
                chosen = True
            if name == "aria-current" or (name == "class" and marks_current(value)):
                marked = True
        if chosen:
            found.append(element)
        if marked:
            current.append(element)
    return found, current


def elements_where(tree, predicate: Callable, candidates: Sequence | None = None) -> list:
    """Every element of ``tree``'s document, in document order, for which ``predicate(element)`` holds (as ``//*[...]``).

    ``candidates`` is ``attribute_candidates(tree)`` when the caller has it already.
    """
    if candidates is None:
        candidates = attribute_candidates(tree)
    return [element for element in candidates if predicate(element)]


def has_ancestor(element, tags: Iterable[str] | str) -> bool:
    """``ancestor::TAG`` for any of ``tags``."""
    return any(True for _ in element.iterancestors(tags))


def attribute(element, name: str) -> str:
    """The attribute's value, "" when it is missing (as XPath's ``contains(@name, ...)`` sees it)."""
    return element.get(name) or ""


def following_elements(element, limit: int) -> list:
    """``element.xpath("following::*[position() <= LIMIT]")``: the first ``limit`` elements
    after ``element``'s subtree, in document order.

    libxml2 collects the whole following axis before it applies the position test (0.2 ms
    a call on an ordinary page, whatever the limit); this walk stops at ``limit``.
    """
    found = []
    node = element
    while node is not None:
        for sibling in node.itersiblings():
            for descendant in sibling.iter(etree.Element):
                found.append(descendant)
                if len(found) >= limit:
                    return found
        node = node.getparent()
    return found


def preceding_elements(element, limit: int) -> list:
    """``element.xpath("preceding::*[position() <= LIMIT]")``: the ``limit`` elements nearest
    before ``element`` that are not its ancestors, in document order (as the XPath returns them)."""
    found = []
    node = element
    while node is not None:
        for sibling in node.itersiblings(preceding=True):
            for descendant in reversed(list(sibling.iter(etree.Element))):
                found.append(descendant)
                if len(found) >= limit:
                    return found[::-1]
        node = node.getparent()
    return found[::-1]

