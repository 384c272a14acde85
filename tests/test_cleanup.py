"""Tests for crawler.cleanup: widget containers pruned from the DOM, widget lines dropped from the text.

The story lines are ordinary Arabic news prose; the widget lines are the kind a poor
extractor leaves behind (see ``shared/seeds``). Every "kept" test uses a sentence that
contains a widget word (تعليق, طباعة, المصدر, رويترز, اقرأ) so a rule that matched on the
word alone would fail it.
"""

import lxml.html
import pytest

from crawler.cleanup import (
    PageLinkTexts,
    attribute_tokens,
    clean_body_lines,
    comparable,
    link_texts_of,
    prune_widget_elements,
    strip_invisible_elements,
)

# --- Story prose ----------------------------------------------------------------------------

HEADLINE = "الحكومة المصرية تعلن خطة لخفض عجز الموازنة"
LEAD = (
    "أعلنت وزارة المالية المصرية، اليوم الأحد، عن خطة جديدة لخفض العجز في الموازنة العامة "
    "خلال العام المالي المقبل، وفق بيان رسمي نشرته الوزارة على موقعها."
)
QUOTE = (
    "وقال وزير المالية في مؤتمر صحفي بالقاهرة إن الحكومة تستهدف زيادة الإيرادات الضريبية "
    "دون فرض أعباء جديدة على محدودي الدخل."
)
TALKS = (
    "وأضاف أن المفاوضات مع صندوق النقد الدولي مستمرة، مشيراً إلى أن الشريحة المقبلة من "
    "القرض ستصرف قبل نهاية العام الجاري."
)
CLOSING = (
    "ويتوقع خبراء اقتصاديون أن تنعكس الخطة على أسعار السلع الأساسية خلال الأشهر الستة "
    "المقبلة، خاصة مع تراجع قيمة الجنيه."
)
STORY = [LEAD, QUOTE, TALKS, CLOSING]

# Sentences that contain a widget word and are still story text.
REFUSED_COMMENT = (
    "ورفض المتحدث باسم الوزارة التعليق على التقارير التي تحدثت عن تعليق المفاوضات مع "
    "الجانب الأوروبي حتى إشعار آخر."
)
PRINTING_COSTS = (
    "وارتفعت تكاليف طباعة الكتب المدرسية بنسبة ثلاثين في المئة بسبب ارتفاع أسعار الورق "
    "المستورد هذا العام."
)
ANONYMOUS_SOURCE = "وقال المصدر، الذي طلب عدم الكشف عن هويته، إن الاجتماع سيعقد الأسبوع المقبل في الرياض."
REUTERS_REPORTED = "وذكرت وكالة رويترز نقلاً عن مسؤولين أن الشحنة الأولى من القمح وصلت إلى ميناء الإسكندرية."
READ_THE_DEAL = "اقرأ الاتفاق كاملاً قبل أن تحكم عليه، قال الوزير للصحفيين الذين سألوه عن تفاصيل القرض الجديد."
REUTERS_DATELINE_LEAD = (
    "القاهرة (رويترز) - قال مسؤولون مصريون اليوم الأحد إن الحكومة ستعرض خطة خفض العجز "
    "على البرلمان الأسبوع المقبل."
)


def words(count: int) -> str:
    """A long run of story prose (more than any widget size guard allows)."""
    sentence = QUOTE.split()
    return " ".join(sentence[i % len(sentence)] for i in range(count))


# --- Pass 1: prune_widget_elements ------------------------------------------------------------


def parse(body: str):
    return lxml.html.document_fromstring(f"<html><body>{body}</body></html>")


def pruned(body: str, extra_xpath: str | None = None):
    tree = parse(body)
    removed = prune_widget_elements(tree, extra_xpath)
    return tree, removed


def ids_left(tree) -> set[str]:
    return {element.get("id") for element in tree.iter() if element.get("id")}


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("class", "social-share"),  # hyphenated
        ("class", "post_comments"),  # underscored
        ("class", "relatedNews"),  # camelCase
        ("class", "most-read box"),  # hyphenated phrase
        ("class", "newsletter"),
        ("class", "adUnit top"),
        ("class", "taboola-feed"),
    ],
)
def test_small_containers_named_as_widgets_are_pruned(attribute, value):
    tree, removed = pruned(f'<p id="story">{LEAD}</p><div id="w" {attribute}="{value}"><a href="/x">شارك</a> تويتر</div>')

    assert ids_left(tree) == {"story"}
    assert removed == 1


@pytest.mark.parametrize("value", ["mostRead", "readMore", "most_read", "tagList"])
def test_compound_widget_names_in_camel_case_or_with_underscores_are_pruned(value):
    tree, removed = pruned(f'<p id="story">{LEAD}</p><div id="w" class="{value}"><a href="/x">الأكثر قراءة</a></div>')

    assert ids_left(tree) == {"story"}
    assert removed == 1


def test_attribute_tokens_split_camel_case_hyphens_and_underscores():
    assert attribute_tokens("relatedNews-box") == {"related", "news", "box", "relatednews", "newsbox"}
    assert attribute_tokens("post_share  Buttons") == {"post", "share", "buttons", "postshare", "sharebuttons"}


@pytest.mark.parametrize("value", ["download-box", "badge", "loading", "shareholders-report", "headline"])
def test_class_names_that_only_contain_a_widget_word_are_kept(value):
    # "ad" inside "download"/"badge"/"loading", "share" inside "shareholders"
    tree, removed = pruned(f'<div id="keep" class="{value}">{LEAD}</div>')

    assert "keep" in ids_left(tree)
    assert removed == 0


def test_big_article_container_with_an_unlucky_class_keeps_its_text():
    body = words(120)
    tree, removed = pruned(f'<div id="article" class="article-body share-enabled"><p>{body}</p></div>')

    assert "article" in ids_left(tree)
    assert body in tree.text_content()
    assert removed == 0


def test_same_unlucky_class_on_a_small_container_is_pruned():
    tree, removed = pruned(f'<p id="story">{LEAD}</p><div id="bar" class="share-enabled">شارك الخبر على فيسبوك</div>')

    assert ids_left(tree) == {"story"}
    assert removed == 1


def test_big_widget_container_that_is_mostly_links_is_pruned():
    teasers = "".join(f'<li><a href="/news/{n}">{words(10)}</a></li>' for n in range(12))
    tree, removed = pruned(f'<p id="story">{LEAD}</p><ul id="related" class="related-posts">{teasers}</ul>')

    assert ids_left(tree) == {"story"}
    assert removed == 1


def test_figure_and_figcaption_are_always_pruned_even_when_long():
    caption = words(150)
    tree, removed = pruned(
        f'<p id="story">{LEAD}</p><figure id="fig"><img src="a.jpg"><figcaption>{caption}</figcaption></figure>'
        f'<figcaption id="loose">{caption}</figcaption>'
    )

    assert ids_left(tree) == {"story"}
    assert caption not in tree.text_content()
    assert tree.find(".//img") is None
    assert removed >= 2  # the figure and the loose figcaption (the nested one may be counted too)


def test_aspnet_form_wrapping_the_whole_article_is_kept():
    body = words(200)
    tree, removed = pruned(
        f'<form id="aspnetForm" method="post" action="./news.aspx"><h1>{HEADLINE}</h1><p id="story">{body}</p></form>'
    )

    assert {"aspnetForm", "story"} <= ids_left(tree)
    assert body in tree.text_content()
    assert removed == 0


def test_aspnet_form_wrapping_a_whole_home_page_of_links_is_kept():
    # Pruned as one link-dense widget, it would leave nothing to tell the listing by.
    teasers = "".join(f'<div class="card"><a href="/news/{n}">{words(10)}</a></div>' for n in range(20))
    tree, removed = pruned(f'<form id="aspnetForm" method="post" action="./">{teasers}</form>')

    assert "aspnetForm" in ids_left(tree)
    assert removed == 0


def test_outlet_blurb_after_the_story_is_dropped():
    blurb = "عنب بلدي مؤسسة إعلامية سورية مستقلة، تأسست في داريا عام 2011، وتصدر جريدة أسبوعية وموقعا إلكترونيا."

    assert clean_body_lines([*STORY, blurb], [HEADLINE], ["عنب بلدي"]) == STORY
    assert clean_body_lines([LEAD, blurb, CLOSING], [HEADLINE], ["عنب بلدي"]) == [LEAD, blurb, CLOSING]  # not at the end


def test_an_outlets_blurb_by_its_full_name_and_founding_is_dropped_with_the_sign_off_above_it():
    blurb = "الوكالة العربية السورية للأنباء، تأسست عام 1965، وتقدم خدماتها الإخبارية باللغة العربية وبعدة لغات أجنبية."

    # no credit names the agency in full: its founding gives the blurb away
    assert clean_body_lines([*STORY, "رحاب السعيد", blurb], [HEADLINE]) == STORY
    assert clean_body_lines([LEAD, blurb, QUOTE, TALKS, CLOSING], [HEADLINE]) == [LEAD, blurb, QUOTE, TALKS, CLOSING]


@pytest.mark.parametrize("label", ["أكمل القراءة", "تابع القراءة »", "واصل القراءة..."])
def test_a_continue_reading_label_is_dropped_but_a_sentence_about_reading_is_kept(label):
    sentence = "تابع القراءة في المكتبات العامة آلاف الطلاب خلال معرض الكتاب هذا العام."

    assert clean_body_lines([*STORY, label], [HEADLINE], []) == STORY
    assert clean_body_lines([LEAD, sentence, CLOSING], [HEADLINE], []) == [LEAD, sentence, CLOSING]


@pytest.mark.parametrize(
    "chrome",
    [
        '<form id="c"><input name="email"> اشترك في نشرتنا البريدية</form>',
        '<aside id="c">الأكثر قراءة اليوم</aside>',
        '<footer id="c">جميع الحقوق محفوظة</footer>',
    ],
)
def test_small_chrome_elements_are_pruned(chrome):
    tree, removed = pruned(f'<p id="story">{LEAD}</p>{chrome}')

    assert ids_left(tree) == {"story"}
    assert removed == 1


def test_big_link_dense_nav_is_pruned_but_a_big_prose_aside_is_kept():
    menu = "".join(f'<a href="/section/{n}">{words(8)}</a> ' for n in range(15))
    sidebar_story = words(100)
    tree, removed = pruned(f'<nav id="menu">{menu}</nav><aside id="box"><p>{sidebar_story}</p></aside>')

    assert ids_left(tree) == {"box"}
    assert sidebar_story in tree.text_content()
    assert removed == 1


def test_article_and_main_elements_are_never_pruned_by_class():
    tree, removed = pruned(f'<main id="m" class="comments"><article id="a" class="share">{LEAD}</article></main>')

    assert {"m", "a"} <= ids_left(tree)
    assert removed == 0


def test_pruning_keeps_the_tail_text_that_follows_a_widget():
    tree, removed = pruned('<p id="story">ارتفعت الأسعار<span class="share-icons">شارك</span> في الأسواق المحلية</p>')

    assert " ".join(tree.get_element_by_id("story").text_content().split()) == "ارتفعت الأسعار في الأسواق المحلية"
    assert removed == 1


def test_invisible_elements_go_but_the_text_after_them_stays():
    tree = lxml.html.fromstring(
        "<html><head><title>t</title><script>var x = 1;</script></head><body>"
        f'<p id="story">{LEAD}<script>track()</script> {QUOTE}</p>'
        "<style>p {}</style><noscript>enable js</noscript><svg><text>icon</text></svg></body></html>"
    )

    strip_invisible_elements(tree)

    assert tree.find("head") is None
    assert not tree.xpath("//script|//style|//noscript|//svg")
    assert " ".join(tree.get_element_by_id("story").text_content().split()) == f"{LEAD} {QUOTE}"


def test_extra_xpath_prunes_a_site_specific_widget():
    tree, removed = pruned(f'<p id="story">{LEAD}</p><div id="promo-x" class="x9f">{words(120)}</div>', "//div[@class='x9f']")

    assert ids_left(tree) == {"story"}
    assert removed == 1


def test_link_texts_of_keeps_multi_word_links_in_comparable_form():
    tree = parse('<a href="/a">الرئيس يستقبل وفداً أميركياً</a><a href="/b">رياضة</a><a href="/c">  سعر   الذهب اليوم </a>')

    links = link_texts_of(tree)
    assert comparable("الرئيس يستقبل وفداً أميركياً") in links
    assert "سعر الذهب اليوم" in links
    assert "رياضة" not in links  # one word: a section link, never a teaser


# --- Pass 2: clean_body_lines -----------------------------------------------------------------


def test_clean_story_passes_through_unchanged():
    assert clean_body_lines(STORY, [HEADLINE]) == STORY


@pytest.mark.parametrize(
    "share_bar",
    [
        "24 0 تعليق ارسل طباعة تبليغ حذف",
        "play icon",
        "شارك عبر فيسبوك تويتر واتساب",
        "نسخ الرابط",
    ],
)
def test_share_bars_and_counters_are_dropped(share_bar):
    assert clean_body_lines([LEAD, share_bar, QUOTE, TALKS, CLOSING]) == STORY


def test_ad_shortcodes_are_removed_even_when_glued_to_text():
    lines = ["[ad_1]", LEAD, "0 تعليق[ad_1]", "[ad_2]" + QUOTE, TALKS, CLOSING + "[/ad]"]

    assert clean_body_lines(lines) == STORY


def test_read_also_line_with_diacritics_is_dropped():
    lines = [LEAD, QUOTE, "اقرأ أيضًا: البنك المركزي يرفع أسعار الفائدة للمرة الثالثة", TALKS, "إقرأ أيضاً: سعر الذهب اليوم", CLOSING]

    assert clean_body_lines(lines) == STORY


def test_teaser_block_drops_linked_teasers_and_ends_at_a_subheading_that_is_no_link():
    teaser_a = "البنك المركزي يرفع أسعار الفائدة"
    teaser_b = "ارتفاع جديد في أسعار الذهب بالسوق المحلية"
    subheading = "مخاوف من موجة غلاء جديدة"
    links = frozenset({comparable(teaser_a), comparable(teaser_b)})
    lines = [LEAD, QUOTE, "اخترنا لك", teaser_a, teaser_b, subheading, TALKS, CLOSING]

    assert clean_body_lines(lines, [HEADLINE], link_texts=links) == [LEAD, QUOTE, subheading, TALKS, CLOSING]


@pytest.mark.parametrize("heading", ["إخترنا لك", "مقالات ذات صلة", "قد يعجبك", "روابط ذات صلة", "شارك المقال"])
def test_every_listed_teaser_heading_opens_a_block(heading):
    teaser = "البنك المركزي يرفع أسعار الفائدة"
    lines = [LEAD, QUOTE, heading, teaser, TALKS, CLOSING]

    assert clean_body_lines(lines, [HEADLINE], link_texts=frozenset({comparable(teaser)})) == STORY


def test_teaser_block_without_known_links_runs_until_prose():
    lines = [LEAD, QUOTE, "أخبار ذات صلة", "البنك المركزي يرفع أسعار الفائدة", "مخاوف من موجة غلاء جديدة", TALKS, CLOSING]

    assert clean_body_lines(lines, [HEADLINE]) == STORY


def test_bulleted_teasers_after_related_heading_are_dropped():
    lines = [LEAD, QUOTE, "أخبار ذات صلة:", "- البنك المركزي يرفع أسعار الفائدة", "- سعر الذهب اليوم في مصر", TALKS, CLOSING]

    assert clean_body_lines(lines, [HEADLINE]) == STORY


def test_table_teasers_after_most_read_heading_are_dropped():
    lines = [LEAD, QUOTE, "الأكثر قراءة", "| البنك المركزي يرفع أسعار الفائدة |", "| سعر الذهب اليوم | مصر |", TALKS, CLOSING]

    assert clean_body_lines(lines, [HEADLINE]) == STORY


def test_plain_line_after_bulleted_teasers_ends_the_block():
    subheading = "مخاوف من موجة غلاء جديدة"
    lines = [LEAD, QUOTE, "اقرأ أيضاً", "- البنك المركزي يرفع أسعار الفائدة", subheading, TALKS, CLOSING]

    assert clean_body_lines(lines, [HEADLINE]) == [LEAD, QUOTE, subheading, TALKS, CLOSING]


def test_prose_right_after_a_teaser_heading_is_kept():
    lines = [LEAD, "اقرأ أيضا", QUOTE, TALKS, CLOSING]

    assert clean_body_lines(lines, [HEADLINE]) == STORY


@pytest.mark.parametrize(
    "promotion",
    [
        "حمّل تطبيق سكاي نيوز عربية للاطلاع على آخر الأخبار",
        "اشترك في النشرة البريدية لتصلك أهم الأخبار يومياً",
        "تابعونا على فيسبوك وتويتر",
        "انضم إلى قناتنا على تيليجرام",
        "التطبيق متاح على Google Play",
    ],
)
def test_app_and_newsletter_promotions_are_dropped(promotion):
    assert clean_body_lines([LEAD, QUOTE, promotion, TALKS, CLOSING]) == STORY


def test_comment_policy_notice_is_dropped_however_long():
    notice = (
        "ترحب شبكة CNN بالنقاش الحيوي والمفيد، وكي لا تضطر إدارة الموقع في المستقبل إلى تقييد "
        "التعليقات، نرجو منكم الالتزام بسياسة النشر واحترام آراء الآخرين وعدم الإساءة لأي طرف"
    )
    lines = [LEAD, QUOTE, TALKS, CLOSING, notice, "الآراء الواردة في التعليقات لا تعبر عن رأي الموقع"]

    assert clean_body_lines(lines) == STORY


def test_copyright_line_is_dropped():
    assert clean_body_lines([*STORY, "© 2025 جميع الحقوق محفوظة لموقع اليوم السابع"]) == STORY


def test_caption_ending_in_an_agency_credit_is_dropped():
    lines = [LEAD, "علما روسيا والولايات المتحدة. (رويترز)", QUOTE, "وزير المالية خلال المؤتمر الصحفي (أرشيفية)", TALKS, CLOSING]

    assert clean_body_lines(lines) == STORY


def test_top_matter_headline_byline_date_and_dateline_are_dropped():
    lines = [HEADLINE, "كتب محمد عبد الله", "أبوظبي - سكاي نيوز عربية", *STORY]

    assert clean_body_lines(lines, [HEADLINE], credits=["سكاي نيوز عربية"]) == STORY


def test_date_lines_at_the_top_are_dropped():
    lines = ["نشر في: الأحد 12 يناير 2025 - 10:30 ص", "الإثنين، 13 يناير 2025", *STORY]

    assert clean_body_lines(lines, [HEADLINE]) == STORY


def test_dateline_with_an_unknown_credit_is_kept():
    lines = ["أبوظبي - سكاي نيوز عربية", *STORY]

    assert clean_body_lines(lines, [HEADLINE], credits=["الجزيرة نت"]) == lines


def test_dateline_with_an_agency_or_exclusive_credit_needs_no_credits():
    assert clean_body_lines(["القاهرة (أ ش أ)", *STORY]) == STORY
    assert clean_body_lines(["بيروت - خاص", *STORY]) == STORY


def test_a_dateline_of_place_outlet_and_reporter_split_by_dashes_is_dropped():
    dateline = "عمان - الدستور - سامر خليل العبادي"

    assert clean_body_lines([dateline, *STORY], [HEADLINE], credits=["جريدة الدستور الأردنية", "سامر خليل العبادي"]) == STORY
    assert clean_body_lines([dateline, *STORY], [HEADLINE], credits=["جريدة الدستور الأردنية"]) == [dateline, *STORY]


def test_headline_with_diacritics_is_recognised_as_repeated():
    assert clean_body_lines(["الحكومةُ المصريةُ تعلنُ خطةً لخفضِ عجزِ الموازنةِ", *STORY], [HEADLINE]) == STORY


def test_top_matter_deep_in_the_body_is_kept():
    byline = "كتب محمد عبد الله"
    dateline = "أبوظبي - سكاي نيوز عربية"
    lines = [LEAD, QUOTE, TALKS, HEADLINE, byline, dateline, CLOSING, REFUSED_COMMENT, PRINTING_COSTS, ANONYMOUS_SOURCE]

    assert clean_body_lines(lines, [HEADLINE], credits=["سكاي نيوز عربية"]) == lines


def test_reuters_dateline_inside_a_long_lead_is_kept():
    lines = [REUTERS_DATELINE_LEAD, QUOTE, TALKS, CLOSING]

    assert clean_body_lines(lines, [HEADLINE], credits=["رويترز"]) == lines


@pytest.mark.parametrize("credit", ["(أ ف ب)", "المصدر: وكالات", "رويترز", "المصدر: وكالة الأنباء الرسمية", "(د ب أ، رويترز)"])
def test_trailing_agency_and_source_lines_are_dropped(credit):
    assert clean_body_lines([*STORY, credit]) == STORY


def test_several_trailing_credit_lines_are_dropped_together():
    assert clean_body_lines([*STORY, "كتب محمد عبد الله", "المصدر: وكالات"]) == STORY


def test_source_line_in_the_middle_of_the_body_is_kept():
    note = "المصدر: تقرير البنك الدولي لعام 2024"
    lines = [LEAD, QUOTE, note, TALKS, CLOSING, REFUSED_COMMENT, PRINTING_COSTS]

    assert clean_body_lines(lines) == lines


def test_trailing_tag_list_is_dropped():
    lines = [*STORY, "- مصر", "- صندوق النقد الدولي", "- الموازنة العامة"]

    assert clean_body_lines(lines, [HEADLINE]) == STORY


def test_one_trailing_bullet_and_bullets_inside_the_story_are_kept():
    measures = ["- خفض الدعم تدريجياً", "- توسيع القاعدة الضريبية", "- ترشيد الإنفاق الحكومي"]
    lines = [LEAD, QUOTE, *measures, TALKS, CLOSING, "- ترشيد الإنفاق"]

    assert clean_body_lines(lines, [HEADLINE]) == lines


def test_story_sentences_containing_widget_words_are_kept():
    lines = [READ_THE_DEAL, LEAD, REFUSED_COMMENT, PRINTING_COSTS, QUOTE, ANONYMOUS_SOURCE, REUTERS_REPORTED]

    assert clean_body_lines(lines, [HEADLINE], credits=["رويترز"]) == lines


def test_everything_at_once_on_a_seed_like_body():
    lines = [
        HEADLINE,
        "24 0 تعليق ارسل طباعة تبليغ حذف",
        "play icon",
        "علما روسيا والولايات المتحدة. (رويترز)",
        LEAD,
        "اقرأ أيضًا: البنك المركزي يرفع أسعار الفائدة",
        QUOTE,
        REFUSED_COMMENT,
        "أخبار ذات صلة",
        "- سعر الذهب اليوم في مصر",
        "- البنك المركزي يرفع أسعار الفائدة",
        TALKS,
        "0 تعليق[ad_1]",
        CLOSING,
        "(أ ف ب)",
        "- مصر",
        "- اقتصاد",
    ]

    assert clean_body_lines(lines, [HEADLINE]) == [LEAD, QUOTE, REFUSED_COMMENT, TALKS, CLOSING]


# --- End matter and notices found under plainer markup (crawler.markup_variants) -----------


def test_the_outlets_contact_details_are_dropped():
    contact = [
        "الهاتف : 222 238 71",
        "فاكس رئاسة التحرير : 693 753 71",
        "البريد الإلكتروني : redaction@example.com.tn",
        "المقر : شارع الحبيب بورقيبة - تونس",
    ]

    assert clean_body_lines([*STORY, *contact], [HEADLINE]) == STORY


def test_a_sentence_that_gives_a_phone_number_is_kept():
    hotline = "وخصصت الوزارة خطا ساخنا لتلقي الشكاوى على الرقم 15335 طوال أيام الأسبوع، بحسب البيان."

    assert clean_body_lines([LEAD, hotline, CLOSING]) == [LEAD, hotline, CLOSING]


def test_a_comment_policy_addressed_to_readers_is_dropped():
    policy = "المرجو عدم تضمين تعليقاتكم عبارات تسيء إلى الأشخاص أو المقدسات أو مهاجمة الأديان."

    assert clean_body_lines([*STORY, policy], [HEADLINE]) == STORY


def test_a_short_heading_after_the_story_is_dropped_but_a_short_last_sentence_is_kept():
    assert clean_body_lines([*STORY, "الأحوال الجوية", "يومية إخبارية سياسية"], [HEADLINE]) == STORY
    assert clean_body_lines([*STORY, "وتستمر المفاوضات غدا."], [HEADLINE]) == [*STORY, "وتستمر المفاوضات غدا."]


def test_cookie_notices_are_dropped_but_a_sentence_about_cookies_is_kept():
    notices = [
        "لقد أدخلنا تغييرات مهمة على سياستنا المتعلقة بالخصوصية وعلى الشروط الخاصة بملفات الارتباط Cookies، ويهمنا أن تكونوا ملمين بها",
        "باستمرارك في تصفح الموقع فإنك توافق على استخدام الكوكيز",
    ]
    news = "وتلزم اللائحة الأوروبية لحماية الخصوصية المواقع بطلب موافقة المستخدم قبل استخدام ملفات تعريف الارتباط."

    assert clean_body_lines([*notices, *STORY]) == STORY
    assert clean_body_lines([LEAD, news, CLOSING]) == [LEAD, news, CLOSING]


def test_an_image_credit_and_the_caption_after_it_are_dropped():
    # BBC's figure: the credit, then the caption (its label is hidden from view).
    figure = ["صدر الصورة، EPA-EFE/REX/Shutterstock", "متظاهرة تحمل لافتة في مدينة غلاسكو البريطانية - 2 مارس/آذار 2024"]

    assert clean_body_lines([LEAD, *figure, QUOTE, TALKS, CLOSING]) == STORY


def test_a_paragraph_after_an_image_credit_is_kept():
    short = "وقال الوزير إن الخطة ستطبق على مراحل."

    assert clean_body_lines([LEAD, "مصدر الصورة، Getty Images", short, CLOSING]) == [LEAD, short, CLOSING]


def test_slash_datelines_and_closing_credit_lists_are_dropped():
    lines = ["شرناق/ زينب أوزتورك/ الأناضول", *STORY, "فرانس24/ أ ف ب"]

    assert clean_body_lines(lines, [HEADLINE], ["فرانس 24", "زينب أوزتورك"]) == STORY


def test_captions_credited_after_a_dash_or_with_two_credits_are_dropped():
    captions = ["محطة لقياس جودة الهواء على طريق الملك فهد في الرياض (أرشيفية - رويترز)", "شاحنات تنتظر دورها عند البوابة الحدودية أوغوز يلماز - الأناضول"]

    assert clean_body_lines([LEAD, *captions, QUOTE, TALKS, CLOSING]) == STORY


def test_a_sentence_signed_off_with_an_agency_is_not_a_caption():
    signed = "وقال المتحدث إن المحادثات ستستأنف الأسبوع المقبل. - الأناضول"

    assert clean_body_lines([LEAD, signed, CLOSING]) == [LEAD, signed, CLOSING]


def test_video_titles_reading_times_and_subscription_notices_are_dropped():
    widgets = [
        "فيديو | كيف تقرأ مؤشر جودة الهواء قبل الخروج من المنزل؟",
        "قراءة 3 دقائق",
        "يعرض الموقع جزءا فقط من الأخبار المقدمة للمشتركين. للاشتراك يرجى التواصل معنا.",
    ]

    assert clean_body_lines([LEAD, widgets[0], QUOTE, widgets[1], TALKS, CLOSING, widgets[2]]) == STORY


def test_contact_lines_with_an_email_and_newsletter_signups_are_dropped():
    widgets = [
        "العنوان: 10 شارع عباس العقاد - القاهرة | تليفون: 0222685241 | البريد الإلكتروني: info@example.com",
        "سجّل بريدك الإلكتروني لتصلك النشرة الأسبوعية بأبرز التقارير",
    ]

    assert clean_body_lines([*STORY, *widgets], [HEADLINE]) == STORY


def test_an_embedded_posts_attribution_is_dropped():
    attribution = "— T.C. Tarım ve Orman Bakanlığı (@TCTarimOrman) November 4, 2025"

    assert clean_body_lines([LEAD, QUOTE, attribution, TALKS, CLOSING]) == STORY


def test_captions_with_a_slash_credit_or_a_photographer_and_a_merged_reading_time_are_dropped():
    lines = [
        "21 تشرين الأول 2025 مدة القراءة: 4 دقائق",
        LEAD,
        "سيدة تشتري الخبز من أحد الأفران في مدينة إدلب - 19 تشرين الأول 2025 (عنب بلدي/ يزن الأحمد)",
        QUOTE,
        "جانب من أعمال تبطين إحدى الترع - صورة أرشيفية تصوير : محمد حسام",
        TALKS,
        CLOSING,
    ]

    assert clean_body_lines(lines) == STORY


def test_bare_date_lines_are_dropped_but_a_sentence_with_a_date_is_kept():
    dates = ["19 يناير 2026", "14 أبريل 2026, 10:45 ص آخر تحديث 14 أبريل 2026, 12:10 م 3 دقائق قراءة"]
    dated = "وفي 19 يناير 2026 أعلنت الوزارة بدء المرحلة الثانية من الخطة."

    assert clean_body_lines([dates[1], LEAD, QUOTE, dates[0], TALKS, CLOSING]) == STORY
    assert clean_body_lines([LEAD, dated, CLOSING]) == [LEAD, dated, CLOSING]


def test_how_long_ago_and_the_words_around_a_date_and_its_time_make_no_story_line():
    chrome = [
        "قبل 3 ساعات",
        "منذ يومين",
        "الأربعاء ١٨ نوفمبر ٢٠٢٦ - ٠٩:١٥ صباحاً قبل 3 ساعات 4,712 مشاهدة",
        # the Moroccan month names, and the labels glued where two spans touch
        "22 شتنبر 2026 على الساعة 14:05تم التحديث في 22 شتنبر 2026 على الساعة 16:48",
    ]
    sentences = [
        "ووصل الوفد إلى العاصمة قبل يومين لبدء جولة جديدة من المحادثات.",
        "وقال المتحدث إن الاجتماع انتهى قبل 3 ساعات دون اتفاق.",
        "منذ 2011 والبلاد تعيش أزمة اقتصادية متواصلة.",
    ]

    assert clean_body_lines([chrome[0], LEAD, chrome[2], QUOTE, chrome[1], TALKS, chrome[3], CLOSING]) == STORY
    assert clean_body_lines([LEAD, *sentences, CLOSING]) == [LEAD, *sentences, CLOSING]


def test_a_prices_box_after_the_story_goes_but_a_table_of_what_the_story_names_stays():
    prices = ["أسعار العملات والذهب", "| الدولار الأمريكي | 0.709 |", "| اليورو | 0.771 |", "| غرام الذهب عيار 21 | 70.40 دينار |"]
    # CLOSING names the pound: a table of the pound's rates is the story's own
    own = ["| الجنيه مقابل الدولار | 48.6 |", "| الجنيه مقابل اليورو | 52.1 |"]

    assert clean_body_lines([*STORY, *prices]) == STORY
    assert clean_body_lines([*STORY, *prices[1:]]) == STORY
    assert clean_body_lines([*STORY, *own]) == [*STORY, *own]
    # one row is no box: a story may close on a single line of figures
    assert clean_body_lines([*STORY, prices[1]]) == [*STORY, prices[1]]


def test_related_boxes_by_any_of_their_names_and_a_newsletter_pitch_are_dropped():
    teasers = ["موضوعات متعلقة", "- وزير المالية يلتقي بعثة صندوق النقد", "- البنك المركزي يثبت أسعار الفائدة"]
    pitch = "اشترك الآن ليصلك أهم أخبار اليوم على بريدك الإلكتروني"

    assert clean_body_lines([*STORY, *teasers, pitch]) == STORY


def test_a_call_to_follow_the_outlets_channel_is_dropped_but_a_sentence_about_one_is_kept():
    calls = ["تابعوا أخبار سانا على تلغرام https://t.me/SyrianArabNewsAgency", "تابعوا قناة المصدر أونلاين على تيليجرام"]
    sentence = "تابع الوزير على تلغرام ردود المعارضة على الاتفاق الذي وقع أمس في الدوحة."

    assert clean_body_lines([LEAD, QUOTE, calls[1], TALKS, CLOSING, calls[0]]) == STORY
    assert clean_body_lines([LEAD, sentence, CLOSING]) == [LEAD, sentence, CLOSING]


def test_a_caption_with_its_photographer_after_a_dash_and_a_plea_for_civil_comments_are_dropped():
    caption = "جانب من أعمال التبطين بقرية الكوم الأخضر - تصوير: أيمن عبد الهادي"
    plea = "يرجى الالتزام بآداب الحوار، وتتحفظ الصحيفة على نشر أي تعليق يتضمن إساءة."

    assert clean_body_lines([LEAD, caption, QUOTE, TALKS, CLOSING, plea]) == STORY


def test_comment_disclaimers_and_a_plea_to_comment_first_are_dropped():
    disclaimer = "الآراء الواردة في التعليقات تعبر عن أصحابها وليس عن بوابة الأهرام"
    plea = "كن أول من يعلق على الخبر"
    about_views = "وقال إن الآراء الواردة في التقرير تستند إلى شهادات ميدانية جمعها فريق المنظمة خلال ستة أشهر."

    assert clean_body_lines([*STORY, plea, disclaimer]) == STORY
    assert clean_body_lines([LEAD, about_views, CLOSING]) == [LEAD, about_views, CLOSING]


def test_a_caption_with_its_photographer_in_brackets_is_dropped_but_a_sentence_with_a_bracket_is_kept():
    caption = "جانب من عمليات تحميل الخضار المعدة للتصدير في السوق المركزي بعمان (تصوير: محمد القرالة)"
    sentence = "وقال المدير العام للسوق (المهندس خالد الرواشدة) إن الصادرات ارتفعت بنسبة 12 بالمئة."

    assert clean_body_lines([LEAD, caption, QUOTE, TALKS, CLOSING]) == STORY
    assert clean_body_lines([LEAD, sentence, CLOSING]) == [LEAD, sentence, CLOSING]


def test_a_caption_credited_to_the_source_is_dropped():
    captions = [
        "جانب من محطة تحلية تجريبية تعمل بالطاقة الشمسية في المنطقة الغربية ■ من المصدر",
        "وزير المالية خلال المؤتمر الصحفي (من المصدر)",
    ]

    assert clean_body_lines([LEAD, captions[0], QUOTE, TALKS, captions[1], CLOSING]) == STORY


def test_the_bylines_name_with_the_dates_and_the_comment_count_at_the_top_is_dropped():
    # trafilatura joins the time and the next date without a space, as the page's inline elements touch.
    top = "سكينة بنعيسى الثلاثاء 12 ماي 2026 - 18:0512 ماي 2026 0 تعليق"

    assert clean_body_lines([top, *STORY], credits=["سكينة بنعيسى"]) == STORY
    # Without the name among the credits, a name of a few words before the dates is still top matter;
    # a sentence before a date is not.
    assert clean_body_lines([top, *STORY]) == STORY
    sentence = "وأعلنت الوزارة أن الامتحانات تبدأ يوم الثلاثاء 12 ماي 2026 في كل المحافظات."
    assert clean_body_lines([sentence, *STORY]) == [sentence, *STORY]


def test_a_byline_after_a_list_of_highlights_is_still_top_matter():
    highlights = ["- إزالة 37 بسطة عشوائية ومصادرة بضائع", "- إغلاق 9 محال تجارية لعدم حيازتها تراخيص"]

    assert clean_body_lines([HEADLINE, *highlights, "| كتب ناصر المطيري |", *STORY], titles=[HEADLINE]) == [*highlights, *STORY]


def test_readers_comments_after_the_comment_policy_are_dropped():
    policy = "يرجى الالتزام بآداب الحوار، وتتحفظ الخبر على نشر أي تعليق يتضمن إساءة أو تشهيرا."
    comments = ["كل عام نفس القصة، الوعود قبل رمضان والأسعار تبقى مرتفعة حتى العيد.", "يجب مراقبة غرف التبريد قبل الأسواق."]

    assert clean_body_lines([*STORY, policy, *comments]) == STORY


def test_a_comment_prompt_in_the_first_half_of_the_body_cuts_nothing():
    assert clean_body_lines([LEAD, "أضف تعليق", QUOTE, TALKS, CLOSING]) == STORY


@pytest.mark.parametrize(
    "sentence",
    [
        "التعليقات على القرار جاءت متباينة، إذ رحب به رجال الأعمال وانتقده نواب في البرلمان.",
        "لا توجد تعليقات رسمية من وزارة التموين على هذه الأرقام حتى اللحظة.",
    ],
)
def test_a_story_sentence_that_opens_with_comments_is_kept_and_cuts_nothing(sentence):
    lines = [LEAD, QUOTE, TALKS, sentence, CLOSING]

    assert clean_body_lines(lines) == [LEAD, QUOTE, TALKS, sentence, CLOSING]


@pytest.mark.parametrize("label", ["التعليقات", "التعليقات (0)", "عدد التعليقات: 4", "لا توجد تعليقات على هذا الخبر", "لا توجد تعليقات بعد، كن أول من يعلق", "أضف تعليقك"])
def test_the_comment_sections_label_and_prompt_cut_the_comments(label):
    assert clean_body_lines([*STORY, label, "كل عام نفس القصة والأسعار تبقى مرتفعة حتى العيد."]) == STORY


def test_a_pull_quote_repeating_a_sentence_of_the_story_and_its_attribution_are_dropped():
    said = "وأضافت المتحدثة أن شح المياه لم يعد قضية بيئية فحسب، بل أصبح مسألة أمن واستقرار في المنطقة كلها."
    pull_quote = "«شح المياه لم يعد قضية بيئية فحسب، بل مسألة أمن واستقرار»"
    attribution = "كارين والدمان، المتحدثة باسم الخارجية الأميركية"

    assert clean_body_lines([LEAD, said, pull_quote, attribution, TALKS, CLOSING]) == [LEAD, said, TALKS, CLOSING]


def test_a_pull_quote_touching_its_attribution_in_one_line_is_dropped():
    said = "وأضافت المتحدثة أن شح المياه لم يعد قضية بيئية فحسب، بل أصبح مسألة أمن واستقرار في المنطقة كلها."
    glued = "«شح المياه لم يعد قضية بيئية فحسب، بل مسألة أمن واستقرار»كارين والدمان، المتحدثة باسم الخارجية الأميركية"

    assert clean_body_lines([LEAD, said, glued, TALKS, CLOSING]) == [LEAD, said, TALKS, CLOSING]


def test_a_quote_the_story_repeats_with_a_sentence_after_it_is_kept():
    said = "وأضافت المتحدثة أن شح المياه لم يعد قضية بيئية فحسب، بل أصبح مسألة أمن واستقرار في المنطقة كلها."
    line = "«شح المياه لم يعد قضية بيئية فحسب، بل مسألة أمن واستقرار»، بهذه العبارة افتتحت المتحدثة مؤتمرها الصحفي أمس."

    assert clean_body_lines([LEAD, said, line, TALKS, CLOSING]) == [LEAD, said, line, TALKS, CLOSING]


def test_a_quoted_paragraph_of_its_own_is_kept():
    quoted = "«لن نقبل بأي اتفاق لا يضمن عودة النازحين إلى قراهم قبل نهاية العام»"

    assert clean_body_lines([LEAD, quoted, QUOTE, TALKS, CLOSING]) == [LEAD, quoted, QUOTE, TALKS, CLOSING]


@pytest.mark.parametrize(
    "top_line",
    [
        "حمد السلامة 22 نوفمبر 202610:15 م1,842 مشاهدة3 دقائق قراءة",  # spans glued, a name no markup gave
        "الثلاثاء ٢٠ أكتوبر ٢٠٢٦ م - ٩ جمادى الأولى ١٤٤٨ ه ١٠:٣٥ صآخر تحديث: ١٢:١٠ م١٬٢٤٥ مشاهدة",
    ],
)
def test_a_top_line_of_dates_views_and_reading_time_is_dropped(top_line):
    assert clean_body_lines([top_line, *STORY]) == STORY


def test_a_top_line_of_touching_source_author_and_date_spans_is_dropped():
    # The outlet's and the author's names touch their neighbours ("نيوزهشام", "رزق14"): only the credits part them.
    top = "المصدر: دبي - إرم نيوزهشام رزق14 سبتمبر 2026، 16:35آخر تحديث: 14 سبتمبر 2026، 18:02"

    assert clean_body_lines([top, *STORY], credits=["إرم نيوز", "هشام رزق"]) == STORY
    sentence = "وقال هشام رزق لـ\"إرم نيوز\" إن الدراسة نشرت في 14 سبتمبر 2026."
    assert clean_body_lines([sentence, *STORY], credits=["إرم نيوز", "هشام رزق"]) == [sentence, *STORY]


def test_a_sentence_with_a_date_and_views_is_kept():
    sentence = "وارتفع عدد المشاهدات إلى 10 ملايين مشاهدة في 22 نوفمبر 2026 وفق بيانات المنصة."

    assert clean_body_lines([sentence, *STORY]) == [sentence, *STORY]


def test_the_outlets_desk_as_the_top_line_is_dropped():
    assert clean_body_lines(["رووداو ديجيتال", *STORY], credits=["Rudaw", "شبكة رووداو الإعلامية"]) == STORY


def test_a_link_alone_between_paragraphs_is_dropped_but_a_sentence_that_is_a_link_is_kept():
    teaser = "رابط نتائج التوجيهي 2026 حسب الاسم ورقم الجلوس"
    links = PageLinkTexts([teaser, QUOTE])

    assert clean_body_lines([LEAD, teaser, QUOTE, TALKS, CLOSING], link_texts=links) == STORY


@pytest.mark.parametrize(
    "widget",
    ["كل مقالات الكاتب (214)", "* أكاديمي وباحث في شؤون المياه"],
)
def test_a_columns_archive_link_and_writer_note_are_dropped(widget):
    assert clean_body_lines([*STORY, widget]) == STORY


def test_a_dateline_crediting_the_outlet_without_its_kind_is_dropped():
    assert clean_body_lines(["أبوظبي (الاتحاد)", *STORY], credits=["صحيفة الاتحاد"]) == STORY


def test_a_caption_with_an_archive_credit_naming_its_source_is_dropped():
    caption = "أنابيب خط النهر الصناعي قرب غريان. (أرشيفية: الإنترنت)"

    assert clean_body_lines([LEAD, QUOTE, caption, TALKS, CLOSING]) == STORY
