"""Tests for crawler.bylines: people only in ``authors``, the agency apart.

Pages are small and hand-written, each holding the kind of byline a test is about.
"""

from __future__ import annotations

import json

import lxml.html
import pytest

from crawler.agencies import agency_of
from crawler.bylines import agency_from_body, is_person_name, split_people
from crawler.extract import extract_article
from crawler.metadata import page_metadata

URL = "https://www.masrawy.example/news/details/2025/11/9/2871934"
STORY = (
    "توقعت الهيئة العامة للأرصاد الجوية أن يسود غدا طقس مائل للبرودة في الصباح الباكر على أغلب الأنحاء "
    "مع شبورة مائية كثيفة على الطرق الزراعية والسريعة المؤدية من وإلى القاهرة الكبرى"
)


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def json_ld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def people(html: str, url: str = URL, site_names=()) -> tuple[list[str], str | None]:
    result = page_metadata(lxml.html.fromstring(html), url, site_names)
    return result["authors"], result["agency"]


def article_page(byline: str, head: str = "", header: str = "") -> str:
    """The site's header, a headline, the byline in its own element, then the story."""
    return page(head, f"{header}<h1>الأرصاد تتوقع شبورة مائية كثيفة صباح الغد</h1><div>{byline}</div><p>{STORY}</p><p>{STORY}</p>")


# --- visible bylines -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("كتبت أسماء نصار", ["أسماء نصار"]),
        ("كتب- محمد نصار:", ["محمد نصار"]),
        ("بقلم: وائل حمدان", ["وائل حمدان"]),
        ("حوار: آسيا العتروس", ["آسيا العتروس"]),
        ("إعداد: منى الشاذلي", ["منى الشاذلي"]),
        ("كتب: محمد علي و سارة أحمد", ["محمد علي", "سارة أحمد"]),
        ("Author, كايلا إبستين وأنجليكا كاساس", ["كايلا إبستين", "أنجليكا كاساس"]),
        ("مكة المكرمة: نواف العتيبي", ["نواف العتيبي"]),  # a dateline byline: place, colon, person
        ("ياسر الشمري (جدة)", ["ياسر الشمري"]),
        ('كتب وسام خير الله في "نداء الوطن":', ["وسام خير الله"]),  # the paper it first ran in
    ],
)
def test_visible_byline_above_the_body(byline, expected):
    assert people(article_page(byline)) == (expected, None)


def test_byline_as_the_first_line_of_the_body():
    html = page(body=f"<h1>الأرصاد تتوقع شبورة مائية كثيفة</h1><div><p><strong>حوار: آسيا العتروس</strong><br></p><p>{STORY}</p></div>")

    assert people(html)[0] == ["آسيا العتروس"]


def test_the_outlet_then_the_person_at_the_top_of_the_body():
    head = '<meta property="og:site_name" content="هبة بريس">'
    html = page(head, f"<h1>الأرصاد تتوقع شبورة مائية كثيفة</h1><div><p><strong>هبة بريس - يونس الودغيري</strong></p><p>{STORY}</p></div>")

    assert people(html)[0] == ["يونس الودغيري"]


def test_a_headline_word_without_its_colon_is_no_byline():
    assert people(article_page("تقرير الأرصاد الأسبوعي"))[0] == []


def test_a_byline_word_deep_in_the_story_is_not_the_byline():
    html = page(body=f"<h1>الأرصاد تتوقع شبورة</h1><p>{STORY}</p><p>{STORY}</p><div>كتب محمود سعد</div>")

    assert people(html)[0] == []


def test_a_place_and_colon_inside_the_story_opens_a_subheading_not_a_byline():
    html = page(body=f"<h1>الأرصاد تتوقع شبورة</h1><p>{STORY}</p><h3>القاهرة: طقس معتدل</h3><p>{STORY}</p>")

    assert people(html)[0] == []


def test_markup_person_wins_over_the_visible_byline():
    head = json_ld({"@type": "NewsArticle", "headline": "خبر", "author": {"@type": "Person", "name": "ليلى حداد"}})

    assert people(article_page("كتب محمد نصار", head))[0] == ["ليلى حداد"]


def test_visible_byline_when_the_markup_names_only_the_site():
    head = '<meta property="og:site_name" content="مصراوى.كوم">' + json_ld(
        {"@type": "NewsArticle", "headline": "خبر", "author": {"@type": "Person", "name": "مصراوي"}}
    )

    assert people(article_page("كتبت أسماء نصار", head))[0] == ["أسماء نصار"]


def test_class_named_author_element_is_the_last_resort_without_role_or_comments():
    body = (
        "<h1>الأرصاد تتوقع شبورة</h1>"
        '<div class="article-author"><a class="author-link" href="/a/1">محمد أمين الوزاني</a>'
        '<span class="author-role">مراسل الجزيرة نت</span><div class="author-location">الرباط</div></div>'
        f"<p>{STORY}</p>"
        '<ol class="comments"><li><span class="comment-author">أبو جورج</span></li></ol>'
        '<footer><span class="author">Developed By Web Studio</span></footer>'
    )

    assert people(page(body=body))[0] == ["محمد أمين الوزاني"]


# --- never a person ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "site_names"),
    [
        ("الخليج", ["صحيفة الخليج"]),  # part of the site's name
        ("سكاي نيوز عربية - أبوظبي", ["سكاي نيوز عربية"]),  # the site and a place
        ("Masrawy.com", ["masrawy"]),  # the domain
        ("Al Jazeera", ["aljazeera"]),  # the domain, in words
        ("Ahram Online", ["ahram"]),  # the domain and a generic word
        ("فريق التحرير", []),
        ("admin", []),
        ("تصميم وتطوير شركة النخبة", []),
        ("Developed By Web Studio", []),
        ("القاهرة", []),
        ("رويترز", []),
        ("أخبارك 24", []),
        ("https://www.facebook.com/bbcnews", []),
    ],
)
def test_not_a_person(name, site_names):
    assert not is_person_name(name, site_names)


def test_a_family_name_that_is_a_one_word_site_name_is_still_a_person():
    assert is_person_name("أحمد النهار", ["النهار"])


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("حسام أبو العلا - القاهرة", ["حسام أبو العلا"]),
        ("بيروت - رنا حداد", ["رنا حداد"]),
        ("هسبريس - رشيد أيت حمو", ["رشيد أيت حمو"]),  # the site beside the person
        ("محمد أمين الوزاني مراسل الجزيرة نت", ["محمد أمين الوزاني"]),  # a role after the name
        ("ياسر الشمري (جدة) yasser_okaz@", ["ياسر الشمري"]),
        ("كايلا إبستين وأنجليكا كاساس", ["كايلا إبستين", "أنجليكا كاساس"]),
        ("أحمد محمد وليد حسن", ["أحمد محمد وليد حسن"]),  # وليد is a name, not "و" + name
        ("محمد وليد الخطيب", ["محمد وليد الخطيب"]),
        ("سامر الخطيب، (رويترز)", ["(رويترز)", "سامر الخطيب"]),
        ("https://www.facebook.com/bbcnews", []),
        ("عربي21- الأناضول", ["عربي21", "الأناضول"]),  # a dash with a space on one side still splits
        ("أحمد عبد-الله", ["أحمد عبد-الله"]),  # a dash inside a word does not
    ],
)
def test_split_people(byline, names):
    assert split_people(byline) == names


def test_the_logo_names_the_site_in_another_script():
    head = '<meta property="og:site_name" content="Alwatan News">' + json_ld(
        {"@type": "NewsArticle", "author": {"@type": "Person", "name": "الوطن"}}
    )
    logo = '<a href="/"><img src="/logo.png" alt="الوطن"></a>'

    assert people(article_page("", head, header=logo))[0] == []


def test_a_site_title_suffix_is_an_alias_of_the_site():
    head = "<title>الأرصاد تتوقع شبورة مائية كثيفة صباح الغد - بوابة النيل</title>"
    head += json_ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "النيل"}})

    assert people(article_page("", head))[0] == []


# --- agency ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "agency"),
    [
        ([STORY, "(أ ف ب)"], "AFP"),
        ([STORY, "رويترز"], "Reuters"),
        ([STORY, "المصدر: وكالات"], "agencies"),
        ([f"{STORY} --(بترا)"], "Petra"),
        ([f"القاهرة (أ ش أ) - {STORY}"], "MENA"),
        ([f"عمان - بترا - {STORY}"], "Petra"),
        ([f"{STORY}.", "(أ.ف.ب)"], "AFP"),
        ([STORY, "المصدر : الجزيرة"], None),  # the outlet, not an agency
        (["معمل دير عمار لإنتاج الكهرباء في شمال لبنان. (رويترز)", STORY], None),  # a photo caption
        ([f"دمشق، سوريا (CNN) -- {STORY}"], None),
        (["شرناق/ زينب أوزتورك/ الأناضول", STORY], "Anadolu"),  # place/ reporter/ agency
        ([STORY, "المصدر: نوفوستي"], "RIA Novosti"),
        ([STORY, "المصدر: الميادين نت + الوكالة الوطنية للإعلام"], "NNA"),  # the outlet beside the agency
        ([STORY, "المصدر: وكالة الأنباء الليبية"], "وكالة الأنباء الليبية"),  # not in the table, but named an agency
        ([f"صنعاء - وكالة سبأ للأنباء - {STORY}"], "وكالة سبأ للأنباء"),
        ([STORY, "م.ع.ح/ ع.ج.م (د ب أ)"], "DPA"),  # the editors' initials before the agency
        (["الجزائر - واج", STORY], "APS"),  # a dateline on a line of its own above the story
        (["حماة-سانا", STORY], "SANA"),
        (["القاهرة - الأهرام", STORY], None),  # a place and the outlet
    ],
)
def test_agency_from_the_dateline_or_the_closing_credit(lines, agency):
    assert agency_from_body(lines, [line for line in lines if len(line.split()) > 10]) == agency


def test_closing_credit_found_past_widget_lines_the_cleanup_let_through():
    lines = [STORY, STORY + " أيضا", "المصدر: وكالات", "لا توجد تعليقات", "تنويه: جميع التعليقات تخضع للمراجعة قبل النشر ويحتفظ الموقع بحق حذف أي تعليق يتضمن إساءة"]

    assert agency_from_body(lines, [lines[0], lines[1], lines[4]]) == "agencies"


@pytest.mark.parametrize(
    ("beside_the_headline", "agency"),
    [
        ('<div class="source">المصدر: الميادين نت + الوكالة الوطنية للإعلام</div>', "NNA"),
        ("<div><span>المصدر:</span> <span>وكالة الأنباء الليبية</span></div>", "وكالة الأنباء الليبية"),
        ('<figure><img src="/a.jpg" alt=""><figcaption>رويترز</figcaption></figure>', None),  # a photo's credit
        ("<div>المصدر: الجزيرة</div>", None),  # the outlet, not an agency
    ],
)
def test_agency_from_a_labelled_source_line_outside_the_body(beside_the_headline, agency):
    lead = "الاتحاد يمهل الحكومة أسبوعا للتراجع عن الرسوم الإضافية ويحذر من انعكاسها على أجور النقل وأسعار السلع"
    html = page(
        '<meta name="description" content="' + lead + '">',
        f"<article><h1>الأرصاد تتوقع شبورة مائية كثيفة صباح الغد</h1><p>{lead}</p>{beside_the_headline}"
        f"<div><p>{STORY}.</p><p>{STORY} أيضا.</p><p>{STORY} كذلك.</p></div></article>",
    )

    assert extract_article(html, URL)["agency"] == agency


def test_the_outlets_desk_typed_a_person_is_no_author_when_the_publisher_names_it_in_the_other_script():
    head = json_ld(
        {
            "@type": "NewsArticle",
            "author": {"@type": "Person", "name": "رووداو ديجيتال"},
            "publisher": {"@type": "Organization", "name": "Rudaw Media Network", "alternateName": "شبكة رووداو الإعلامية"},
        }
    )

    assert people(page(head, f"<h1>عنوان</h1><p>{STORY}</p>"), "https://www.rudaw.net/arabic/kurdistan/230920261")[0] == []


def test_the_writer_beside_another_storys_bare_link_is_not_the_articles():
    # An opinion box: the column's title is a plain link, no heading around it.
    box = '<div class="opinion-item"><img src="/w.jpg" alt=""><a href="/articles/9">الكهرباء ليست ترفاً يا حكومة</a><span class="writer">نجيب الأشول</span></div>'
    own = '<div class="meta"><span class="writer">سارة أحمد</span><a href="/writers/3">سارة</a></div>'

    # in a plain <div>, as on the template it comes from: an <aside> would give it away
    assert people(page("", f"<h1>عنوان</h1><p>{STORY}</p><div>{box}</div>"))[0] == []
    assert people(page("", f"<h1>عنوان</h1>{own}<p>{STORY}</p><div>{box}</div>"))[0] == ["سارة أحمد"]


def test_a_desks_credit_names_no_person():
    assert not is_person_name("خاص")
    assert not is_person_name("مراسلنا")
    assert is_person_name("سلوى عبد الجليل")


def test_the_author_of_another_storys_card_is_not_the_articles():
    card = '<div class="report-card"><a href="/reports/1"><h4>تقرير | سوق العقارات في أربيل بين الركود والأسعار</h4></a><span class="report-card__author">كامران أحمد</span></div>'

    assert people(page("", f"<h1>عنوان</h1><p>{STORY}</p><aside>{card}</aside>"))[0] == []
    assert people(page("", f'<h1>عنوان</h1><span class="author">سارة أحمد</span><p>{STORY}</p><aside>{card}</aside>'))[0] == ["سارة أحمد"]


def test_agency_in_the_author_field():
    head = json_ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "وكالة الأناضول"}})

    assert people(page(head)) == ([], "Anadolu")


@pytest.mark.parametrize(("name", "agency"), [("وكالة الأنباء الأردنية", "Petra"), ("(وكالة الأنباء الليبية)", "وكالة الأنباء الليبية"), ("وكالة الفضاء الأوروبية", None), ("وكالة الأنباء", None)])
def test_an_agency_missing_from_the_table_is_known_by_its_own_name(name, agency):
    assert agency_of(name) == agency


@pytest.mark.parametrize("credit", ["أ ف ب", "أ.ف.ب", "(AFP)", "فرانس برس"])
def test_agency_spellings(credit):
    assert agency_of(credit) == "AFP"


def test_visible_text_with_a_word_limit_is_the_start_of_the_whole_text():
    from lxml import html as lxml_html

    from crawler.bylines import visible_text

    element = lxml_html.fromstring(
        f"<div><p>{STORY}</p><script>var hidden = 1;</script><p>كتب: <b>أحمد</b> علي</p>{'<p>فقرة أخرى من القصة</p>' * 50}</div>"
    )
    whole = visible_text(element)
    limited = visible_text(element, 25)

    assert "hidden" not in whole
    assert whole.startswith(limited) and len(limited) < len(whole)
    assert len(limited.split()) >= 25
    short = lxml_html.fromstring("<p>كتب: <b>أحمد</b> علي</p>")
    assert visible_text(short, 25) == visible_text(short) == "كتب: أحمد علي"
