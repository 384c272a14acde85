"""Tests for crawler.markup_variants: each change rewrites one kind of markup hint and nothing a reader sees."""

from __future__ import annotations

import json

import lxml.html
import pytest

from crawler.extract import decode_html
from crawler.markup_variants import (
    VARIANTS,
    div_paragraphs,
    hashed_classes,
    no_hints,
    no_structured_data,
    opaque_token,
    plain_tags,
    website_labels,
)
from tests.golden_pages import all_pages

PAGE = """<!DOCTYPE html>
<html lang="ar"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>عنوان الخبر | الموقع</title>
<meta name="description" content="وصف الخبر">
<meta property="og:type" content="article"><meta property="og:title" content="عنوان الخبر">
<meta name="twitter:description" content="وصف قصير">
<meta property="article:published_time" content="2025-03-01T10:00:00+02:00">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"NewsArticle","headline":"عنوان الخبر","author":{"@type":"Person","name":"سارة"}},
 {"@type":"Organization","name":"الموقع"}]}</script>
<script>var x = '<div class="keep-in-script">';</script>
<style>.article-body { color: red }</style>
</head>
<body class="rtl article-page">
<!-- <div class="in-comment"> -->
<div id="main" class="article-body share-enabled" itemscope itemtype="https://schema.org/NewsArticle">
<h1 class='headline'>عنوان الخبر</h1>
<p class=lead data-x="a>b">نص الفقرة الأولى من الخبر.</p>
<div class="share-bar"><a href="#">شارك</a></div>
</div>
</body></html>"""


def visible_text(html: str) -> str:
    tree = lxml.html.fromstring(html.encode("utf-8"))
    for hidden in tree.xpath("//script | //style | //head"):
        hidden.drop_tree()
    return " ".join(tree.text_content().split())


def json_ld(html: str) -> list:
    tree = lxml.html.fromstring(html.encode("utf-8"))
    return [json.loads(script.text) for script in tree.xpath("//script[@type='application/ld+json']")]


def test_hashed_classes_replace_every_class_and_id_with_stable_tokens():
    changed = hashed_classes(PAGE)
    tree = lxml.html.fromstring(changed.encode("utf-8"))

    classes = [value for element in tree.iter() for value in (element.get("class") or "").split()]
    ids = [element.get("id") for element in tree.iter() if element.get("id")]
    assert classes and ids
    assert all(value.startswith("x") and len(value) == 9 for value in classes + ids)
    assert tree.xpath("//body/@class") == [f"{opaque_token('rtl')} {opaque_token('article-page')}"]
    assert tree.xpath("//p/@data-x") == ["a>b"]  # other attributes, even with ">" in a value, stay


def test_hashed_classes_leave_scripts_styles_comments_and_text_alone():
    changed = hashed_classes(PAGE)

    assert "var x = '<div class=\"keep-in-script\">';" in changed
    assert ".article-body { color: red }" in changed
    assert '<!-- <div class="in-comment"> -->' in changed
    assert visible_text(changed) == visible_text(PAGE)


def test_website_labels_turn_article_types_into_web_pages():
    changed = website_labels(PAGE)
    tree = lxml.html.fromstring(changed.encode("utf-8"))

    assert tree.xpath("//meta[@property='og:type']/@content") == ["website"]
    graph = json_ld(changed)[0]["@graph"]
    assert [node["@type"] for node in graph] == ["WebPage", "Organization"]
    assert graph[0]["author"] == {"@type": "Person", "name": "سارة"}
    assert tree.xpath("//div/@itemtype") == ["https://schema.org/WebPage"]
    assert visible_text(changed) == visible_text(PAGE)


def test_website_labels_add_og_type_where_the_page_has_none():
    changed = website_labels("<html><head><title>t</title></head><body><p>نص</p></body></html>")

    assert '<head><meta property="og:type" content="website">' in changed


def test_website_labels_keep_broken_json_ld_broken_but_relabelled():
    page = '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "x",}</script></head></html>'

    changed = website_labels(page)

    assert '"@type": "WebPage"' in changed and '"headline": "x",}' in changed


def test_website_labels_never_let_a_json_ld_string_close_its_script():
    page = '<html><head><script type="application/ld+json">{"@type": "Article", "text": "<\\/script><b>"}</script></head></html>'

    changed = website_labels(page)

    assert changed.count("</script>") == 1


def test_no_structured_data_removes_json_ld_open_graph_article_and_description_meta():
    changed = no_structured_data(PAGE)
    tree = lxml.html.fromstring(changed.encode("utf-8"))

    assert not tree.xpath("//script[@type='application/ld+json']")
    keys = [meta.get("property") or meta.get("name") for meta in tree.iter("meta")]
    assert keys == [None, "viewport"]  # the charset meta and the viewport stay
    assert tree.findtext(".//title") == "عنوان الخبر | الموقع"
    assert "var x" in changed
    assert visible_text(changed) == visible_text(PAGE)


SECTIONED = (
    '<body><header class="top"><nav>قائمة</nav></header><main><article id="story"><section><p>فقرة</p></section>'
    "<figure><img src=a.jpg><figcaption>تعليق</figcaption></figure></ARTICLE></main><aside>جانبي</aside><footer>تذييل</footer>"
    '<script>var t = "</article><p>";</script><!-- <article> --></body>'
)


def test_plain_tags_write_html5_elements_as_divs_keeping_their_attributes():
    changed = plain_tags(SECTIONED)
    tree = lxml.html.fromstring(changed)

    assert not tree.xpath("//header | //nav | //main | //article | //section | //aside | //footer | //figure | //figcaption")
    assert tree.xpath("//div[@id='story']/div/p")[0].text == "فقرة"
    assert '<div class="top">' in changed
    assert 'var t = "</article><p>";' in changed and "<!-- <article> -->" in changed
    assert changed.count("<div") == changed.count("</div>") == 9


def test_div_paragraphs_write_every_paragraph_as_a_div():
    changed = div_paragraphs('<div><p class="lead">أول</p><P>ثان</P></div><script>"<p>"</script>')

    assert changed == '<div><div class="lead">أول</div><div>ثان</div></div><script>"<p>"</script>'


def test_no_hints_removes_every_hint_at_once():
    changed = no_hints(PAGE)
    tree = lxml.html.fromstring(changed.encode("utf-8"))

    assert not tree.xpath("//script[@type='application/ld+json'] | //meta[@property]")
    assert not tree.xpath("//*[contains(@class, 'article') or @id='main']")
    assert "NewsArticle" not in changed
    assert visible_text(changed) == visible_text(PAGE)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_variant_keeps_what_a_reader_sees_on_every_evaluation_page(variant):
    for page in all_pages():
        html = decode_html(page.html)
        assert visible_text(VARIANTS[variant](html)) == visible_text(html), page.name
