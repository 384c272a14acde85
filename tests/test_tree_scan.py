"""The Python element scans of crawler.tree_scan select exactly what their XPaths selected.

Each predicate replaced an XPath of the metadata stage (for speed); on every saved page
of the evaluation sets, the negatives, the sample site and the bad-input site, under
every markup variant, both must give the same elements in the same order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.bylines import may_name_the_author
from crawler.extract import parse_html
from crawler.markup_variants import VARIANTS
from crawler.page_dates import is_date_element
from crawler.sections import is_breadcrumb_container
from crawler.tree_scan import (
    CURRENT_MARKED_XPATH,
    attribute_candidates,
    attribute_scan,
    elements_where,
    following_elements,
    preceding_elements,
)

REPO = Path(__file__).resolve().parent.parent
PAGE_FOLDERS = (
    REPO.parent / "shared" / "eval" / "arabic-news",
    REPO.parent / "shared" / "eval" / "arabic-news" / "negatives",
    REPO / "tests" / "eval_pages",
    REPO / "tests" / "eval_pages" / "negatives",
    REPO / "crawler" / "sample_site",
    REPO / "tests" / "bad_site",
)
PAGES = sorted(path for folder in PAGE_FOLDERS for path in folder.rglob("*.html"))

# The XPaths the predicates replaced, kept here as their specification.
BYLINE_XPATH = (
    "//*[@rel='author' or @itemprop='author' or contains(@class, 'uthor') or contains(@class, 'yline') "
    "or contains(@class, 'riter') or contains(@class, 'riteBy') or contains(@id, 'uthor')]"
    "[not(ancestor::footer) and not(ancestor::aside) and not(ancestor::*[contains(@class, 'omment')])]"
)
DATE_ELEMENT_XPATH = (
    "(//time | //*[(@class and (contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'publish') or "
    "contains(@class, 'posted') or contains(@class, 'meta'))) or (@id and contains(@id, 'date')) "
    "or @itemprop='datePublished' or @itemprop='dateModified'][not(self::meta)])"
    "[not(ancestor::nav) and not(ancestor::footer) and not(ancestor::header[not(ancestor::article)])]"
)
BREADCRUMB_XPATH = (
    "//*[contains(@class, 'bread') or contains(@class, 'Bread') or contains(@id, 'bread') "
    "or @aria-label='breadcrumb' or @aria-label='Breadcrumb' or contains(@itemtype, 'BreadcrumbList')]"
)
SCANS = {
    "byline": (may_name_the_author, BYLINE_XPATH),
    "date": (is_date_element, DATE_ELEMENT_XPATH),
    "breadcrumb": (is_breadcrumb_container, BREADCRUMB_XPATH),
}


def trees():
    for path in PAGES:
        html = path.read_bytes().decode("utf-8", "replace")
        for variant, rewrite in VARIANTS.items():
            try:
                yield f"{path.relative_to(REPO.parent)} [{variant}]", parse_html(rewrite(html))
            except Exception:  # pages the extractor refuses to parse have no metadata either
                continue


def test_there_are_pages_to_compare_on():
    assert len(PAGES) >= 40


@pytest.mark.parametrize("scan", sorted(SCANS))
def test_scan_selects_what_the_xpath_selected(scan):
    predicate, xpath = SCANS[scan]
    compared = found = 0
    for name, tree in trees():
        expected = tree.xpath(xpath)
        assert elements_where(tree, predicate) == expected, name
        assert elements_where(tree, predicate, attribute_candidates(tree)) == expected, name
        compared += 1
        found += len(expected)
    assert compared >= 100 and found > 0


def test_scan_selects_what_the_section_xpaths_selected():
    """attribute_scan's second list is CURRENT_MARKED_XPATH's elements, and its candidates
    hold every microdata articleSection element (crawler.sections)."""
    compared = found = 0
    for name, tree in trees():
        candidates, marked = attribute_scan(tree)
        assert candidates == attribute_candidates(tree), name
        assert marked == tree.xpath(CURRENT_MARKED_XPATH), name
        microdata = [e for e in candidates if e.get("itemprop") == "articleSection" and e.tag != "meta"]
        assert microdata == tree.xpath("//*[@itemprop='articleSection'][not(self::meta)]"), name
        compared += 1
        found += len(marked)
    assert compared >= 100 and found > 0


@pytest.mark.parametrize("limit", [1, 6, 20, 40, 60])
def test_axis_walks_select_what_the_xpaths_selected(limit):
    """following_elements / preceding_elements give the XPath axes' first ``limit`` elements,
    from every headline, paragraph and link of the pages (crawler.bylines, page_dates, sections)."""
    compared = 0
    for name, tree in trees():
        for element in tree.xpath("//h1 | //h2 | //p | //a")[:30]:
            assert following_elements(element, limit) == element.xpath(f"following::*[position() <= {limit}]"), name
            assert preceding_elements(element, limit) == element.xpath(f"preceding::*[position() <= {limit}]"), name
            compared += 1
    assert compared >= 1000


def test_candidates_keep_document_order_and_skip_plain_elements():
    tree = parse_html(
        "<html><body><div class='box'><time>1</time></div><p id='x-date'>2</p><span rel='author'>3</span>"
        "<i class='plain'>4</i></body></html>"
    )
    assert [e.text for e in attribute_candidates(tree)] == ["1", "2", "3"]


def test_scan_covers_the_whole_document_from_any_element():
    tree = parse_html("<html><body><div class='date'>1</div><p><span class='date'>2</span></p></body></html>")
    span = tree.xpath("//span")[0]
    assert [e.text for e in elements_where(span, is_date_element)] == ["1", "2"]
