"""Tests for crawler.extract.extract_article on small hand-built pages.

Each page holds only what its test is about: an article container, a lead outside it,
a listing of linked headlines, a "div soup" template, a legacy windows-1256 encoding.
``now`` is fixed so date reading is deterministic.
"""

import codecs
import pickle
from datetime import datetime, timezone

import lxml.html
import pytest

from crawler.extract import (
    FALLBACK_OPTIONS,
    ExtractOptions,
    NotAnArticle,
    decode_html,
    extract_article,
    main_text_lines,
    markup_for_parsing,
    parse_html,
    repaired_html_bytes,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
URL = "https://news.example/economy/2025/02/fuel-prices"

HEADLINE = "الحكومة ترفع أسعار الوقود"
PARAGRAPHS = [
    "أعلنت وزارة المالية المصرية، اليوم الأحد، عن خطة جديدة لخفض العجز في الموازنة العامة "
    "خلال العام المالي المقبل، وفق بيان رسمي نشرته الوزارة على موقعها.",
    "وقال وزير المالية في مؤتمر صحفي بالقاهرة إن الحكومة تستهدف زيادة الإيرادات الضريبية "
    "دون فرض أعباء جديدة على محدودي الدخل.",
    "وأضاف أن المفاوضات مع صندوق النقد الدولي مستمرة، مشيراً إلى أن الشريحة المقبلة من "
    "القرض ستصرف قبل نهاية العام الجاري.",
    "ويتوقع خبراء اقتصاديون أن تنعكس الخطة على أسعار السلع الأساسية خلال الأشهر الستة "
    "المقبلة، خاصة مع تراجع قيمة الجنيه.",
]
LEAD = (
    "قررت الحكومة المصرية رفع أسعار الوقود بنسبة عشرة في المئة اعتباراً من صباح الجمعة، "
    "في خطوة قالت إنها ضرورية لخفض عجز الموازنة."
)
TEASER_HEADLINES = [
    "زلزال بقوة ست درجات يضرب جنوب تركيا",
    "البرلمان يقر قانون الإيجار القديم",
    "ارتفاع أسعار الذهب في السوق المحلية",
    "المنتخب يتأهل إلى نهائي كأس العرب",
    "أمطار غزيرة تغرق شوارع الإسكندرية",
    "الحكومة تعلن خطة جديدة للدعم النقدي",
    "وزير الخارجية يزور واشنطن الأسبوع المقبل",
    "افتتاح معرض القاهرة الدولي للكتاب",
    "انخفاض معدل التضخم خلال يناير",
]
ARTICLE_HEAD = f'<title>{HEADLINE} | الأخبار</title><meta property="og:type" content="article">'


def page(head: str = "", body: str = "") -> str:
    return f'<html lang="ar" dir="rtl"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def paragraphs(texts=PARAGRAPHS, tag: str = "p") -> str:
    return "".join(f"<{tag}>{text}</{tag}>" for text in texts)


def extract(html: str, options: ExtractOptions = ExtractOptions()) -> dict:
    return extract_article(html, URL, options, now=NOW)


def reason_for(html: str) -> str:
    with pytest.raises(NotAnArticle) as caught:
        extract(html)
    return caught.value.reason


# --- Articles -------------------------------------------------------------------------------


def test_article_page_gives_its_paragraphs_and_title():
    html = page(ARTICLE_HEAD, f'<nav><a href="/">الرئيسية</a></nav><article><h1>{HEADLINE}</h1>{paragraphs()}</article>')

    article = extract(html)

    assert article["title"] == HEADLINE
    assert article["text"] == "\n\n".join(PARAGRAPHS)
    assert article["word_count"] == sum(len(text.split()) for text in PARAGRAPHS)
    assert "declares_article" not in article and "declared_kind" not in article and "site_names" not in article


def test_the_options_place_a_page_time_written_without_an_offset():
    html = page(ARTICLE_HEAD, f'<article><h1>{HEADLINE}</h1><div class="date">1 فبراير 2025 - 10:20</div>{paragraphs()}</article>')

    unplaced = extract(html)
    by_sitemap = extract(html, ExtractOptions(discovered_date="2025-02-01T11:00:00+02:00", timezone="Asia/Riyadh"))
    by_zone = extract(html, ExtractOptions(timezone="Asia/Riyadh"))

    assert (unplaced["published_date"], unplaced["published_time"], unplaced["published_at"]) == ("2025-02-01", "10:20:00", None)
    assert by_sitemap["published_at"] == "2025-02-01T10:20:00+02:00"
    assert by_zone["published_at"] == "2025-02-01T10:20:00+03:00"


def test_the_agency_of_a_closing_credit_is_kept_though_the_credit_leaves_the_text():
    html = page(ARTICLE_HEAD, f"<article><h1>{HEADLINE}</h1>{paragraphs()}<p>(أ ف ب)</p></article>")

    result = extract(html)

    assert result["agency"] == "AFP"
    assert "أ ف ب" not in result["text"]


def test_widget_lines_inside_the_article_are_cleaned_away():
    body = (
        f"<article><h1>{HEADLINE}</h1><p>24 0 تعليق ارسل طباعة تبليغ حذف</p>{paragraphs(PARAGRAPHS[:2])}"
        f"<p>اقرأ أيضًا: البنك المركزي يرفع أسعار الفائدة</p>{paragraphs(PARAGRAPHS[2:])}</article>"
    )

    assert extract(page(ARTICLE_HEAD, body))["text"] == "\n\n".join(PARAGRAPHS)


# --- Not an article -------------------------------------------------------------------------


@pytest.mark.parametrize("html", ["", "   \n\t  "])
def test_empty_page_is_not_an_article(html):
    assert reason_for(html) == "empty_page"


def test_short_page_has_no_article_body():
    with pytest.raises(NotAnArticle) as caught:
        extract(page(ARTICLE_HEAD, f"<article><h1>{HEADLINE}</h1><p>{PARAGRAPHS[0]}</p></article>"))

    assert caught.value.reason == "no_article_body"
    assert caught.value.detail == f"{len(PARAGRAPHS[0].split())} words after cleanup"


def test_min_words_option_sets_the_threshold():
    html = page(ARTICLE_HEAD, f"<article><h1>{HEADLINE}</h1><p>{PARAGRAPHS[0]}</p></article>")

    assert extract(html, ExtractOptions(min_words=10))["text"] == PARAGRAPHS[0]


def test_a_page_declaring_itself_a_website_is_judged_by_what_it_shows():
    # og:type is evidence, not a verdict: running prose makes an article whatever the label.
    html = page('<meta property="og:type" content="website">', f"<article>{paragraphs()}</article>")

    assert extract(html)["text"] == "\n\n".join(PARAGRAPHS)


def teaser_listing(head: str) -> str:
    teasers = "".join(
        f'<div><h3><a href="/news/{number}">{headline}</a></h3><p>{PARAGRAPHS[number % 4]}</p></div>'
        for number, headline in enumerate(TEASER_HEADLINES)
    )
    return page(head, f"<main><h1>آخر الأخبار</h1>{teasers}</main>")


@pytest.mark.parametrize("head", ["", '<meta property="og:type" content="article">'], ids=["unlabelled", "labelled-article"])
def test_teaser_cards_make_a_listing_whatever_the_page_declares(head):
    with pytest.raises(NotAnArticle) as caught:
        extract(teaser_listing(head))

    assert caught.value.reason == "listing_page"
    assert caught.value.detail.endswith("teasers")


# --- The lead outside the body container ------------------------------------------------------


def lead_page(description: str) -> str:
    head = f'<title>{HEADLINE}</title><meta property="og:type" content="article"><meta name="description" content="{description}">'
    body = (
        f'<header class="article-header"><h1>{HEADLINE}</h1><p class="standfirst">{LEAD}</p></header>'
        f'<div class="article-body">{paragraphs()}</div>'
    )
    return page(head, body)


def test_lead_outside_the_body_is_restored_when_it_repeats_the_description():
    article = extract(lead_page(LEAD))

    assert article["text"] == "\n\n".join([LEAD, *PARAGRAPHS])
    assert article["description"] == LEAD


def test_lead_in_a_div_with_inline_markup_is_restored():
    # Templates without <p> ("div soup") wrap the standfirst in a div, often around <em> or <strong>.
    head = f'<title>{HEADLINE}</title><meta property="og:type" content="article"><meta name="description" content="{LEAD}">'
    body = (
        f'<div class="article-header"><h1>{HEADLINE}</h1><div class="standfirst"><em>{LEAD}</em></div></div>'
        f'<div class="article-body">{paragraphs()}</div>'
    )

    assert extract(page(head, body))["text"] == "\n\n".join([LEAD, *PARAGRAPHS])


def test_lead_outside_the_body_is_not_restored_when_the_description_differs():
    description = "موقع إخباري مصري يقدم آخر الأخبار العاجلة على مدار الساعة من مصر والعالم العربي"

    article = extract(lead_page(description))

    assert LEAD not in article["text"]
    assert article["text"] == "\n\n".join(PARAGRAPHS)


def test_lead_already_in_the_body_is_not_repeated():
    head = f'{ARTICLE_HEAD}<meta name="description" content="{LEAD}">'
    html = page(head, f"<article><h1>{HEADLINE}</h1><p>{LEAD}</p>{paragraphs()}</article>")

    assert extract(html)["text"].count(LEAD) == 1


# --- Fallback for "div soup" templates --------------------------------------------------------


def div_soup_page() -> str:
    divs = "".join(f"<div>{text}</div><br>" for text in PARAGRAPHS)
    return page(ARTICLE_HEAD, f'<div id="wrap"><div class="c">{divs}</div></div>')


def test_div_soup_page_is_extracted_by_the_fallback():
    html = div_soup_page()
    assert main_text_lines(parse_html(html), URL, None) == []  # precision mode alone finds nothing

    article = extract(html)

    assert article["text"] == "\n\n".join(PARAGRAPHS)
    assert main_text_lines(parse_html(html), URL, None, FALLBACK_OPTIONS) == PARAGRAPHS


# --- Decoding -------------------------------------------------------------------------------

CP1256_TEXT = "قررت الحكومة رفع أسعار الوقود"


def test_windows_1256_bytes_are_decoded_from_the_meta_charset():
    html = f'<html><head><meta charset="windows-1256"><title>{HEADLINE}</title></head><body><p>{CP1256_TEXT}</p></body></html>'

    decoded = decode_html(html.encode("cp1256"))

    assert decoded == html


def test_windows_1256_bytes_are_decoded_from_the_content_type_header():
    html = f"<html><head><title>{HEADLINE}</title></head><body><p>{CP1256_TEXT}</p></body></html>"
    raw = html.encode("cp1256")

    assert decode_html(raw, "text/html; charset=windows-1256") == html
    # Undeclared, Scrapy's detection still finds the charset: the same as in a crawl.
    assert CP1256_TEXT in decode_html(raw)


def test_windows_1256_page_extracts_to_real_arabic():
    html = page(ARTICLE_HEAD, f"<article><h1>{HEADLINE}</h1>{paragraphs()}</article>").replace(
        '<meta charset="utf-8">', '<meta charset="windows-1256">'
    )

    article = extract(decode_html(html.encode("cp1256")))

    assert article["text"] == "\n\n".join(PARAGRAPHS)


# --- NotAnArticle ---------------------------------------------------------------------------


def test_not_an_article_survives_pickling():
    original = NotAnArticle("no_article_body", "12 words after cleanup")

    copy = pickle.loads(pickle.dumps(original))

    assert type(copy) is NotAnArticle
    assert (copy.reason, copy.detail, str(copy)) == ("no_article_body", "12 words after cleanup", "no_article_body: 12 words after cleanup")


def test_not_an_article_without_detail_survives_pickling():
    copy = pickle.loads(pickle.dumps(NotAnArticle("empty_page")))

    assert (copy.reason, copy.detail, str(copy)) == ("empty_page", "", "empty_page")


def test_parse_drops_characters_libxml2_rejects_and_keeps_the_arabic():
    html = f"<html><body><p>{PARAGRAPHS[0][:40]}\x00\x08\ufffe\uffff{PARAGRAPHS[1][:40]}</p></body></html>"

    data = repaired_html_bytes(html)
    text = parse_html(html).text_content()

    assert data.decode("utf-8") == html.translate(dict.fromkeys([0x00, 0x08, 0xFFFE, 0xFFFF]))
    assert text == PARAGRAPHS[0][:40] + PARAGRAPHS[1][:40]


def test_parse_repairs_a_self_closing_html_tag_and_a_slashed_doctype():
    html = (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        f'<html lang="ar"/>\n<body><p>{PARAGRAPHS[0]}</p></body></html>'
    )

    tree = parse_html(html)

    assert tree.findtext(".//p") == PARAGRAPHS[0]
    assert tree.get("lang") == "ar"


@pytest.mark.parametrize("text", ["just a line of text", "{\"json\": true}"])
def test_parse_rejects_text_that_is_not_html(text):
    with pytest.raises(NotAnArticle) as raised:
        parse_html(text)
    assert raised.value.reason == "unparseable_html"


def test_utf8_bodies_go_to_the_parser_as_they_are_and_others_as_scrapy_decodes_them():
    html = f"<html><body><p>{PARAGRAPHS[0]}</p></body></html>"
    utf8 = html.encode("utf-8")

    assert markup_for_parsing(utf8, "text/html; charset=utf-8") is utf8
    assert markup_for_parsing(codecs.BOM_UTF8 + utf8) == utf8
    cp1256 = html.replace("<body>", '<head><meta charset="windows-1256"></head><body>').encode("cp1256")
    assert markup_for_parsing(cp1256) == decode_html(cp1256)
    broken = utf8[:40] + b"\xff\xfe" + utf8[40:]
    assert markup_for_parsing(broken, "text/html; charset=utf-8") == decode_html(broken, "text/html; charset=utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "cp1256"])
def test_a_page_parses_the_same_from_its_bytes_as_from_its_decoded_text(encoding):
    html = f'<html><head><meta charset="{encoding}"></head><body><h1>{HEADLINE}</h1><p>{PARAGRAPHS[1]}</p></body></html>'
    body = html.encode(encoding)

    from_bytes = parse_html(markup_for_parsing(body))
    from_text = parse_html(decode_html(body))

    assert lxml.html.tostring(from_bytes, encoding="unicode") == lxml.html.tostring(from_text, encoding="unicode")
    assert from_bytes.findtext(".//h1") == HEADLINE
