"""Tests for crawler.article_detection and crawler.page_blocks: article or not, from what the page shows.

Hand-built pages, each holding what its test is about, every one run under
every markup change of ``crawler.markup_variants`` as well: the verdict must
not depend on class names, og:type or JSON-LD. Then the sample site's pages.
"""

from __future__ import annotations

import json

import pytest

from crawler.article_detection import (
    LABEL_SHIFT,
    LINK,
    LISTING_TEASER_SHARE,
    OTHER_KIND_MIN_WORDS,
    PROSE,
    TEASER,
    BodyEvidence,
    BodyLine,
    body_evidence,
    count_words,
    classify_lines,
    is_date_heading,
    judge_body,
    page_label,
)
from crawler.cleanup import without_bullet
from crawler.extract import NotAnArticle, decode_html, extract_article, main_text_lines, parse_html, with_lost_subheadings
from crawler.local_site import SAMPLE_SITE
from crawler.markup_variants import VARIANTS, hashed_classes
from crawler.page_blocks import PageBlocks
from tests.conftest import REPO

URL = "https://news.example/2025/03/01/story"
EVAL_PAGES = REPO / "tests" / "eval_pages"
STORY = [
    "أعلنت وزارة المالية، اليوم الأحد، عن خطة جديدة لخفض العجز في الموازنة العامة خلال العام المالي المقبل، وفق بيان رسمي نشرته على موقعها.",
    "وقال وزير المالية في مؤتمر صحفي إن الحكومة تستهدف زيادة الإيرادات الضريبية دون فرض أعباء جديدة على محدودي الدخل.",
]
HEADLINES = [
    "زلزال بقوة ست درجات يضرب جنوب تركيا",
    "البرلمان يقر قانون الإيجار القديم بعد جدل طويل",
    "ارتفاع أسعار الذهب في السوق المحلية",
    "المنتخب يتأهل إلى نهائي كأس العرب",
    "أمطار غزيرة تغرق شوارع الإسكندرية",
    "الحكومة تعلن خطة جديدة للدعم النقدي",
    "وزير الخارجية يزور واشنطن الأسبوع المقبل",
    "افتتاح معرض القاهرة الدولي للكتاب",
]
SNIPPET = "قالت مصادر مطلعة إن الاجتماع المقبل سيبحث الملفات العالقة بين الجانبين، وسط توقعات بالتوصل إلى اتفاق مبدئي قبل نهاية الشهر [...]"
ARTICLE_LABELS = (
    '<meta property="og:type" content="article">'
    '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"x"}</script>'
)


def page(title: str, body: str, head: str = "") -> str:
    return (
        f'<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title} | الأخبار</title>{head}</head>'
        f"<body>{body}</body></html>"
    )


def sidebar(count: int) -> str:
    """Linked headlines, as the sidebars of ordinary article pages carry them."""
    links = "".join(f'<div><h4><a href="/news/{n}">{HEADLINES[n % len(HEADLINES)]} {n}</a></h4></div>' for n in range(count))
    return f"<div><h3>الأكثر قراءة</h3>{links}</div>"


def story_page(paragraphs=STORY, extra_body: str = "", head: str = "", sidebar_links: int = 30) -> str:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return page(
        "الحكومة تعلن خطة لخفض العجز",
        f"<div><h1>الحكومة تعلن خطة لخفض العجز</h1><div>{body}{extra_body}</div></div>{sidebar(sidebar_links)}",
        head,
    )


def teaser_cards(count: int = 8) -> str:
    return "".join(
        f'<div><h2><a href="/news/{n}">{HEADLINES[n % len(HEADLINES)]}</a></h2><span>2 يونيو 2025</span>'
        f'<p>{SNIPPET}</p><a href="/news/{n}">اقرأ المزيد</a></div>'
        for n in range(count)
    )


def outcome(html: str, variant: str = "unchanged") -> str:
    """"article" or the drop reason."""
    try:
        extract_article(VARIANTS[variant](html), URL)
    except NotAnArticle as exc:
        return exc.reason
    return "article"


@pytest.fixture(params=sorted(VARIANTS))
def variant(request):
    return request.param


# --- Articles --------------------------------------------------------------------------------


def test_a_short_article_beside_a_sidebar_of_headline_links_is_an_article(variant):
    html = story_page(sidebar_links=60)

    assert outcome(html, variant) == "article"
    assert extract_article(VARIANTS[variant](html), URL)["text"] == "\n\n".join(STORY)


def test_an_article_written_as_text_runs_between_breaks_beside_headline_links_is_an_article(variant):
    # No <p>, and a read-also link inside the run: precision mode finds no body, and the
    # sidebars' headline links alone make no listing.
    story = [*STORY, "وأوضح الوزير أن الخطة تشمل مراجعة شاملة للنفقات الجارية وترشيد الدعم الموجه للطاقة خلال السنوات الثلاث المقبلة."]
    read_also = '<span>اقرأ أيضاً : </span><a href="/news/1">رابط نتائج التوجيهي 2026 حسب الاسم</a>'
    run = "<br />".join([*story[:2], read_also, *story[2:]])
    html = page("الحكومة تعلن خطة لخفض العجز", f"<div><h1>الحكومة تعلن خطة لخفض العجز</h1><div>{run}</div></div>{sidebar(45)}")

    assert outcome(html, variant) == "article"
    assert extract_article(VARIANTS[variant](html), URL)["text"] == "\n\n".join(story)


def test_an_article_labelled_a_website_is_an_article(variant):
    html = story_page(head='<meta property="og:type" content="website"><script type="application/ld+json">{"@type":"WebPage"}</script>')

    assert outcome(html, variant) == "article"


def test_an_in_body_list_of_linked_headlines_is_dropped_from_the_text():
    # A real template with its classes hashed: no class name and no known heading gives the list away.
    html = hashed_classes(decode_html((EVAL_PAGES / "20_aljazeera.html").read_bytes()))
    related = ["سدود المغرب عند أدنى مستوياتها.. هل تكفي محطات التحلية؟", "الجفاف يربك أسواق المواشي في المغرب قبيل عيد الأضحى"]
    extracted = "\n".join(main_text_lines(parse_html(html), URL, None))
    assert all(headline in extracted for headline in related)  # trafilatura keeps them

    text = extract_article(html, URL)["text"]

    assert not any(headline in text for headline in related)
    assert "تراجع حاد في الإنتاج" in text  # the story's subheadings stay


def test_a_standfirst_beside_the_headline_is_kept_without_a_description():
    standfirst = "قررت الحكومة رفع أسعار الوقود بنسبة عشرة في المئة اعتباراً من صباح الجمعة، في خطوة قالت إنها ضرورية لخفض العجز."
    body = "".join(f"<p>{text}</p>" for text in STORY)
    html = page(
        "الحكومة تعلن خطة لخفض العجز",
        f'<header><h1>الحكومة تعلن خطة لخفض العجز</h1><p>{standfirst}</p><div>بقلم <a href="/a/1">أحمد محمد علي</a></div></header>'
        f"<section><div>{body}</div></section>{sidebar(10)}",
    )

    assert extract_article(html, URL)["text"] == "\n\n".join([standfirst, *STORY])


def test_subheadings_lost_between_two_kept_paragraphs_are_put_back():
    tree = parse_html(
        f"<html><body><h1>عنوان</h1><div><p>{STORY[0]}</p><h2>تفاصيل الخطة</h2><span>إعلان</span><p>{STORY[1]}</p></div>"
        f"<div><p>{STORY[1]} نهاية</p></div><h2>الأكثر قراءة</h2><p>{STORY[0]} أيضا</p></body></html>"
    )
    blocks = PageBlocks(tree, ["عنوان"])
    lines = classify_lines([STORY[0], STORY[1], f"{STORY[1]} نهاية", f"{STORY[0]} أيضا"], blocks)

    # "الأكثر قراءة" is a widget heading, and nothing else lies between the paragraphs around it.
    assert with_lost_subheadings(lines, blocks, ["عنوان"]) == [STORY[0], "تفاصيل الخطة", STORY[1], f"{STORY[1]} نهاية", f"{STORY[0]} أيضا"]



def test_a_heading_inside_a_teaser_card_between_two_paragraphs_is_not_put_back():
    card = f'<div><span>اقرأ أيضاً</span><a href="/news/7"><img src="/7.jpg" alt=""><h4>{HEADLINES[2]}</h4></a></div>'
    tree = parse_html(f"<html><body><h1>عنوان</h1><div><p>{STORY[0]}</p>{card}<p>{STORY[1]}</p></div></body></html>")
    blocks = PageBlocks(tree, ["عنوان"])

    assert with_lost_subheadings(classify_lines(STORY, blocks), blocks, ["عنوان"]) == STORY


def test_a_list_and_a_subheading_the_extractor_dropped_between_two_paragraphs_are_put_back():
    items = ["رفع جاهزية 41 محطة لضخ مياه الأمطار وتشغيلها على مدار الساعة", "تنظيف أكثر من 4200 كيلومتر من خطوط التصريف"]
    tags = '<ul><li><a href="/tag/1">الأمطار</a></li><li><a href="/tag/2">الطرق</a></li></ul>'
    listed = "".join(f"<li>{item}</li>" for item in items)
    tree = parse_html(
        f"<html><body><h1>عنوان</h1><div><p>{STORY[0]}</p><ul>{listed}</ul><h2>غرامات وضمانات</h2><p>{STORY[1]}</p>{tags}</div></body></html>"
    )
    blocks = PageBlocks(tree, ["عنوان"])

    assert with_lost_subheadings(classify_lines(STORY, blocks), blocks, ["عنوان"]) == [
        STORY[0],
        *(f"- {item}" for item in items),
        "غرامات وضمانات",
        STORY[1],
    ]


def test_a_subheading_after_a_figure_written_as_divs_is_put_back():
    figure = '<div><img src="/map.jpg" alt=""><div><span>خريطة الأحياء المشمولة بالمرحلة الأولى</span> <span>أمانة المنطقة</span></div></div>'
    tree = parse_html(
        f"<html><body><h1>عنوان</h1><div><div><p>{STORY[0]}</p></div>{figure}<div><h2>مشاركة السكان</h2><p>{STORY[1]}</p></div></div></body></html>"
    )
    blocks = PageBlocks(tree, ["عنوان"])

    assert with_lost_subheadings(classify_lines(STORY, blocks), blocks, ["عنوان"]) == [STORY[0], "مشاركة السكان", STORY[1]]


def test_an_uncredited_caption_beside_an_image_is_dropped_but_a_sentence_beside_one_is_kept():
    caption = "وزير المالية خلال جولته في مقر مصلحة الضرائب بوسط العاصمة"
    sentence = "وأكد الوزير أن الحكومة ستعلن تفاصيل الخطة الكاملة خلال أيام."
    html = story_page(
        paragraphs=STORY,
        extra_body=f'<div><img src="/b.jpg" alt=""><p>{sentence}</p></div><p>{STORY[0]} مرة أخرى</p>',
    ).replace("<div><p>", f'<div><div><img src="/a.jpg" alt=""><p>{caption}</p></div><p>', 1)

    text = extract_article(html, URL)["text"]

    assert caption not in text
    assert sentence in text and text.startswith(STORY[0])


def test_a_video_cards_title_between_paragraphs_is_dropped_and_not_put_back(variant):
    card = (
        '<div><div><button aria-label="تشغيل"></button><img src="/v.jpg" alt=""></div>'
        "<div><span>فيديو</span> <h3>الجفاف يدفع آلاف العائلات إلى هجرة قرى الأهوار</h3> <span>02:41</span></div></div>"
    )
    html = story_page(extra_body=card + "<h2>شروط الرقابة</h2><p>" + STORY[0].replace("أعلنت", "وأكدت") + "</p>")

    text = extract_article(VARIANTS[variant](html), URL)["text"]

    assert "الجفاف يدفع" not in text
    assert "شروط الرقابة" in text


def test_the_lead_pictures_caption_is_no_standfirst():
    caption = "عائلات سورية تستعد للمغادرة من ساحة التجمع في بر الياس، 14 يونيو 2026 (حسين بيضون)"
    body = "".join(f"<p>{text}</p>" for text in STORY)
    html = page(
        "الحكومة تعلن خطة لخفض العجز",
        f'<div><h1>الحكومة تعلن خطة لخفض العجز</h1><div><div><img src="/a.jpg" alt=""></div><div>{caption}</div></div>'
        f"<div>{body}</div></div>{sidebar(10)}",
    )

    assert extract_article(html, URL)["text"] == "\n\n".join(STORY)


def test_the_date_line_beside_the_headline_is_no_standfirst():
    dates = "14 أبريل 2026, 10:45 ص آخر تحديث 14 أبريل 2026, 12:10 م 3 دقائق قراءة"
    body = "".join(f"<p>{text}</p>" for text in STORY)
    html = page(
        "الحكومة تعلن خطة لخفض العجز",
        f"<div><h1>الحكومة تعلن خطة لخفض العجز</h1><div>{dates}</div><div>{body}</div></div>{sidebar(10)}",
    )

    assert extract_article(html, URL)["text"] == "\n\n".join(STORY)



HIGHLIGHTS = [
    "رفع سعر البنزين بنسبة عشرة في المئة اعتباراً من الجمعة",
    "إعفاء وسائل النقل العام من الزيادة حتى نهاية العام",
    "مراجعة الأسعار كل ثلاثة أشهر وفق الأسعار العالمية",
]


def test_a_list_of_highlights_under_the_headline_is_kept_and_a_list_of_tag_links_is_not(variant):
    items = "".join(f"<li>{text}</li>" for text in HIGHLIGHTS)
    tags = "".join(f'<li><a href="/tag/{n}">{HEADLINES[n]}</a></li>' for n in range(3))
    body = "".join(f"<p>{text}</p>" for text in STORY)
    html = page(
        "الحكومة تعلن خطة لخفض العجز",
        f'<div class="article"><h1>الحكومة تعلن خطة لخفض العجز</h1><ul class="highlights">{items}</ul><ul>{tags}</ul>'
        f'<div class="meta">بقلم <a href="/a/1">أحمد محمد علي</a></div><div class="body">{body}</div></div>{sidebar(10)}',
        '<meta name="description" content="قررت الحكومة رفع أسعار الوقود ضمن خطة لخفض العجز.">',
    )

    text = extract_article(VARIANTS[variant](html), URL)["text"]

    # trafilatura writes list items as "- item" when it keeps the list itself.
    assert [without_bullet(line) for line in text.split("\n\n")] == [*HIGHLIGHTS, *STORY]


# --- Not articles ----------------------------------------------------------------------------


def test_a_section_page_labelled_an_article_is_a_listing(variant):
    html = page("اقتصاد", f"<main><h1>اقتصاد</h1>{teaser_cards()}<div>الصفحة 1 من 12</div></main>{sidebar(5)}", ARTICLE_LABELS)

    assert outcome(html, variant) == "listing_page"


def test_a_headline_ticker_is_a_listing(variant):
    ticker = "".join(f'<li><a href="/news/{n}">{HEADLINES[n % len(HEADLINES)]} رقم {n}</a></li>' for n in range(40))
    html = page("الموقع", f"<div><ul>{ticker}</ul></div>")

    assert outcome(html, variant) == "listing_page"


def test_chrome_lines_without_running_prose_are_no_article_body():
    lines = [
        "شارع الجامعة، عمارة 12، الطابق الثالث، عمان",
        "هاتف 0096265001234 فاكس 0096265001235",
        "البريد الإلكتروني للتحرير والإعلانات والاشتراكات",
        "جميع المقالات تعبر عن آراء كتابها فقط ولا تمثل الموقع",
        "يمنع نسخ المواد أو إعادة نشرها دون إذن خطي مسبق",
    ]
    html = page("الموقع", "<div>" + "<br>".join(lines) + "</div>")

    assert outcome(html) == "no_article_body"


def test_a_gallery_page_with_one_caption_line_is_no_article_body(variant):
    caption = "توافد آلاف الزوار على مهرجان الزيتون السنوي لليوم الثالث على التوالي حيث عرض المزارعون زيت الموسم الجديد."
    related = "".join(f'<li><a href="/photos/{n}">{HEADLINES[n]}</a></li>' for n in range(5))
    html = page("بالصور.. مهرجان الزيتون", f"<div><h1>بالصور.. مهرجان الزيتون</h1><span>24 صورة</span><p>{caption}</p></div><ul>{related}</ul>", ARTICLE_LABELS)

    assert outcome(html, variant) == "no_article_body"


READERS_COMMENTS = [
    "مقال يلامس الجرح، نحن في المنطقة نعيش هذا الواقع منذ ثلاث سنوات ولم يزرنا أي مسؤول من الوزارة.",
    "الحل ليس في المنع فقط، بل في محاسبة من أهدر الأموال على مشاريع لم تنفذ منذ سنوات طويلة.",
]
MORE_STORY = [
    "وأضاف الوزير أن الخطة تشمل مراجعة الإعفاءات الجمركية وتحسين كفاءة التحصيل في المنافذ الحدودية خلال الأشهر المقبلة.",
    "ومن المنتظر أن يناقش البرلمان مشروع الموازنة المعدل في جلسة عامة مطلع الشهر المقبل قبل التصويت عليه.",
]


def page_with_comments(heading: str) -> str:
    comments = "".join(
        f'<li class="comment-item"><div><strong>قارئ {n}</strong> <span>2026/05/24 - 08:1{n}</span></div><p class="comment-text">{text}</p></li>'
        for n, text in enumerate(READERS_COMMENTS)
    )
    box = f'<div class="comments-box" id="comments"><h3>{heading}</h3><ul>{comments}</ul></div>'
    return story_page([*STORY, *MORE_STORY], extra_body=box, head=ARTICLE_LABELS)


def body_text(html: str, variant: str) -> str:
    return extract_article(VARIANTS[variant](html), URL)["text"]


def test_readers_comments_whose_heading_the_extractor_dropped_are_cut(variant):
    text = body_text(page_with_comments("التعليقات (2)"), variant)

    assert MORE_STORY[-1] in text
    assert not any(comment in text for comment in READERS_COMMENTS)


def test_paragraphs_after_a_heading_that_opens_no_comments_are_kept():
    text = body_text(page_with_comments("آراء المزارعين في القرار").replace("comment", "note"), "hashed_classes")

    assert all(comment in text for comment in READERS_COMMENTS)


# --- The verdict on measured evidence --------------------------------------------------------


def evidence(share: float, declared: bool | None, prose_words: int = 200) -> BodyEvidence:
    teaser_words = round(share * 1000)
    return BodyEvidence(
        words=1000, prose_words=1000 - teaser_words, teaser_words=teaser_words, teasers=10, longest_prose_line=40, declared_article=declared
    )


@pytest.mark.parametrize(
    ("share", "declared", "listing"),
    [
        (LISTING_TEASER_SHARE - 0.01, None, False),
        (LISTING_TEASER_SHARE, None, True),
        (LISTING_TEASER_SHARE + LABEL_SHIFT - 0.01, True, False),
        (LISTING_TEASER_SHARE + LABEL_SHIFT, True, True),
        (LISTING_TEASER_SHARE - LABEL_SHIFT - 0.01, False, False),
        (LISTING_TEASER_SHARE - LABEL_SHIFT, False, True),
    ],
)
def test_the_page_label_only_moves_the_teaser_share_of_a_listing(share, declared, listing):
    verdict = judge_body(evidence(share, declared), min_words=40)

    assert (verdict is not None and verdict[0] == "listing_page") is listing


def kind_evidence(prose_words: int, kind: str | None) -> BodyEvidence:
    return BodyEvidence(
        words=prose_words, prose_words=prose_words, teaser_words=0, teasers=0, longest_prose_line=40, declared_article=False, declared_kind=kind
    )


@pytest.mark.parametrize("kind", ["index", "media"])
def test_a_page_declared_an_index_or_a_media_item_needs_a_long_body_to_be_an_article(kind):
    short, long = kind_evidence(OTHER_KIND_MIN_WORDS - 1, kind), kind_evidence(OTHER_KIND_MIN_WORDS, kind)

    assert judge_body(short, min_words=40) == ("no_article_body", f"{OTHER_KIND_MIN_WORDS - 1} words after cleanup on a page declared a {kind} page")
    assert judge_body(long, min_words=40) is None
    assert judge_body(kind_evidence(OTHER_KIND_MIN_WORDS - 1, None), min_words=40) is None


VIDEO_DESCRIPTION = [
    "تحتاج ألمانيا إلى مئات الآلاف من العمال المهرة سنويا لسد النقص في قطاعات الرعاية الصحية والحرف والتقنية، وقد أطلقت منصة رقمية للتأشيرات وخففت شروط الاعتراف بالشهادات.",
    "يناقش ضيوف الحلقة ما إذا كانت هذه الخطوات تكفي لإقناع الكفاءات العربية بالقدوم والبقاء، وما الذي يواجهه القادمون الجدد في سوق العمل والسكن واللغة خلال سنواتهم الأولى.",
]


def labelled(json_ld_type: str) -> str:
    data = {"@context": "https://schema.org", "@type": json_ld_type, "name": "مسائية: العمال المهرة"}
    return f'<meta property="og:type" content="article"><script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize("json_ld_type", ["VideoObject", "PodcastEpisode", "ProfilePage"])
def test_the_description_of_a_page_declared_a_video_a_podcast_or_a_profile_is_no_article(json_ld_type):
    assert outcome(story_page(VIDEO_DESCRIPTION, head=labelled(json_ld_type))) == "no_article_body"


def test_the_same_description_declared_a_news_article_or_declared_nothing_is_one():
    assert outcome(story_page(VIDEO_DESCRIPTION, head=labelled("NewsArticle"))) == "article"
    assert outcome(story_page(VIDEO_DESCRIPTION)) == "article"


COLUMN_LEAD = [
    "حين نتحدث عن أمن المملكة الاقتصادي على المدى الطويل ينصرف الذهن عادة إلى النفط وأسعاره وتقلبات أسواقه، غير أن المورد الذي سيحدد شكل التنمية في العقود المقبلة هو الماء.",
    "فالمياه الجوفية التي تراكمت عبر آلاف السنين تستنزف اليوم بوتيرة تفوق قدرتنا على تعويضها، وجزء كبير من هذا الاستنزاف يذهب إلى زراعة محاصيل لا تناسب مناخنا ولا مواردنا.",
    "ولذلك فإن ترشيد الاستهلاك في المنازل والمزارع والمصانع ليس ترفا بيئيا ولا شعارا موسميا، بل هو خيار اقتصادي قبل أن يكون عادة متوارثة...",
]


@pytest.mark.parametrize(
    ("last_line", "breaks_off"),
    [("بل هو خيار اقتصادي قبل أن...", True), ("ما نحاول أن نلتقطه قبل أن…", True), ("وقال: «سنرى ما سيحدث...»", False), ("ولا نعرف ما يعنيه..", False), ("وانتهى الاجتماع.", False)],
)
def test_a_body_breaks_off_when_its_last_prose_line_ends_in_an_ellipsis(last_line, breaks_off):
    lines = [BodyLine(STORY[0], PROSE), BodyLine(last_line, PROSE), BodyLine("اقرأ المزيد", LINK, 1)]

    assert body_evidence(lines, None).breaks_off is breaks_off


def test_a_short_body_that_breaks_off_is_an_excerpt_and_a_long_one_an_article():
    excerpt = BodyEvidence(words=155, prose_words=155, teaser_words=0, teasers=0, longest_prose_line=40, declared_article=True, breaks_off=True)
    long = BodyEvidence(words=OTHER_KIND_MIN_WORDS, prose_words=OTHER_KIND_MIN_WORDS, teaser_words=0, teasers=0, longest_prose_line=40, declared_article=True, breaks_off=True)

    assert judge_body(excerpt, min_words=40) == ("no_article_body", "155 words of an excerpt that breaks off")
    assert judge_body(long, min_words=40) is None


def writer_index(lead: list[str]) -> str:
    """A writer's index: their name as the headline, the newest column's lead in a featured card, then teasers."""
    featured = "".join(f"<p>{text}</p>" for text in lead)
    return page(
        "سلمان العتيبي",
        f'<div><h1>سلمان العتيبي</h1><p>كاتب اقتصادي</p><h2>مقالات الكاتب</h2>'
        f'<div><h2><a href="/article/900">الماء قبل النفط</a></h2><span>2 يونيو 2025</span>{featured}'
        f'<a href="/article/900">أكمل القراءة</a></div>{teaser_cards()}</div>{sidebar(30)}',
    )


def test_a_writer_index_whose_featured_lead_breaks_off_is_a_listing_without_any_label(variant):
    # No JSON-LD calls it a profile page and og:type says article: the lead alone reads like a short column.
    html = writer_index(COLUMN_LEAD).replace("<head>", '<head><meta property="og:type" content="article">')

    assert outcome(html, variant) == "listing_page"


def test_the_same_lead_ending_its_sentence_is_a_short_article():
    whole = [*COLUMN_LEAD[:-1], COLUMN_LEAD[-1].removesuffix("...") + "."]

    assert outcome(story_page(whole)) == "article"
    assert outcome(story_page(COLUMN_LEAD)) == "no_article_body"


def test_an_agency_credited_by_its_initials_in_a_link_is_no_headline_link():
    blocks = PageBlocks(parse_html('<div><a href="/author/3">أ ش أ</a></div><div><a href="/news/1">وزير الري يتفقد الترع</a></div>'))

    assert blocks.headline_link_count() == 1


def test_an_article_of_div_paragraphs_under_an_agency_link_byline_is_an_article_beside_related_cards(variant):
    # Precision mode finds no body in the div soup; the agency's initials under the headline
    # must not pass for a teaser's headline link, or the related cards would make a listing.
    body = "".join(f"<div>{text}</div>" for text in [*STORY, *COLUMN_LEAD[:2]])
    html = page(
        "الحكومة تعلن خطة لخفض العجز",
        f'<div><h1>الحكومة تعلن خطة لخفض العجز</h1><div><a href="/author/3">أ ش أ</a><span>12 نوفمبر 2026</span></div>'
        f"<div>{body}</div>{teaser_cards(4)}</div>",
    )

    assert outcome(html, variant) == "article"


def market_page(rows: int) -> str:
    """A lead of two sentences, then a table of prices."""
    cells = "".join(f"<tr><td>شركة الساحل للتطوير {n}</td><td>{17 + n}.32</td><td>{n % 5}.44%</td><td>{n * 3}.1</td></tr>" for n in range(rows))
    table = f"<table><tr><th>الشركة</th><th>السعر</th><th>التغير %</th><th>القيمة</th></tr>{cells}</table>"
    return story_page(STORY, extra_body=table)


def test_a_page_made_mostly_of_a_price_table_is_no_article_but_a_story_with_a_table_is_one(variant):
    assert outcome(market_page(rows=40), variant) == "no_article_body"
    assert outcome(market_page(rows=3), variant) == "article"


def test_the_words_of_table_rows_are_counted_apart():
    lines = [BodyLine(STORY[0], PROSE), BodyLine("| تاسي | 11,462.18 | 95.41 | 0.84% |", PROSE), BodyLine("| الشركة | السعر |", LINK, 1)]

    assert body_evidence(lines, None).table_words == count_words(lines[1].text) == 8


def test_one_teaser_is_never_a_listing():
    one = BodyEvidence(words=100, prose_words=50, teaser_words=50, teasers=1, longest_prose_line=40, declared_article=None)

    assert judge_body(one, min_words=40) is None


def test_a_days_archive_with_a_story_like_intro_is_a_listing_but_a_story_beside_cards_is_an_article(variant):
    # The intro is running prose, as long as a short story, and the page is labelled an article.
    intro = "".join(f"<p>{text}</p>" for text in STORY)
    archive = page("أرشيف يوم الثلاثاء 20 أكتوبر 2026", f"<div><h1>أرشيف يوم الثلاثاء 20 أكتوبر 2026</h1>{intro}{teaser_cards(8)}</div>", ARTICLE_LABELS)
    story = story_page(extra_body=teaser_cards(8))

    assert outcome(archive, variant) == "listing_page"
    assert outcome(story, variant) == "article"


@pytest.mark.parametrize(
    ("heading", "is_date"),
    [
        ("أرشيف يوم الثلاثاء 20 أكتوبر 2026", True),
        ("أخبار 2026-10-20", True),
        ("الثلاثاء 20 أكتوبر 2026", True),
        ("الحكومة تعلن في 20 أكتوبر 2026 خطة لخفض العجز", False),
        ("أرشيف الكاتب محمد علي", False),
    ],
)
def test_a_date_heading_is_a_date_perhaps_labelled_an_archive(heading, is_date):
    assert is_date_heading(heading) is is_date


def test_a_body_of_one_card_beside_another_card_is_a_listing_but_two_cards_alone_are_not():
    # A section page with two cards: the extractor took one of them as the body.
    tree = parse_html(f"<html><body><h1>سياسة - الصفحة 2</h1>{teaser_cards(2)}</body></html>")
    blocks = PageBlocks(tree, ["سياسة - الصفحة 2"])
    card_body = BodyEvidence(words=25, prose_words=0, teaser_words=25, teasers=1, longest_prose_line=0, declared_article=None)
    nothing = BodyEvidence(words=0, prose_words=0, teaser_words=0, teasers=0, longest_prose_line=0, declared_article=None)

    assert blocks.snippet_cards() == 2
    assert judge_body(card_body, min_words=40, blocks=blocks)[0] == "listing_page"
    assert judge_body(nothing, min_words=40, blocks=blocks)[0] == "no_article_body"


@pytest.mark.parametrize(
    ("html", "declared", "label"),
    [
        ('<html itemscope itemtype="https://schema.org/NewsArticle"><body></body></html>', None, True),
        ('<html><body itemscope itemtype="http://schema.org/CollectionPage"></body></html>', None, False),
        ('<html><body><article itemscope itemtype="https://schema.org/BlogPosting"></article></body></html>', None, True),
        ('<html itemscope itemtype="https://schema.org/NewsArticle"><body></body></html>', False, False),
        ("<html><body><p>نص</p></body></html>", None, None),
    ],
)
def test_the_page_label_comes_from_og_type_and_json_ld_then_microdata(html, declared, label):
    assert page_label(parse_html(html), declared) is label


def test_lines_are_classed_by_where_they_sit():
    tree = parse_html(
        "<html><body><h1>العنوان الرئيسي للخبر</h1>"
        f"<div><p>{STORY[0]}</p></div>"
        f'<ul><li><a href="/1">{HEADLINES[0]}</a></li></ul>'
        f'<div><h3><a href="/2">{HEADLINES[1]}</a></h3><p>{SNIPPET}</p></div>'
        "</body></html>"
    )
    blocks = PageBlocks(tree, ["العنوان الرئيسي للخبر"])

    lines = classify_lines([STORY[0], HEADLINES[0], SNIPPET, "سطر لا وجود له في الصفحة إطلاقا"], blocks)

    assert [line.kind for line in lines] == [PROSE, LINK, TEASER, PROSE]
    assert [line.teasers for line in lines] == [0, 1, 1, 0]


# --- The sample site --------------------------------------------------------------------------

SAMPLE_PAGES = json.loads((SAMPLE_SITE / "_expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(SAMPLE_PAGES))
def test_every_sample_site_page_keeps_its_verdict_under_every_markup_change(path, variant):
    file = SAMPLE_SITE / ("index.html" if path == "/" else path.lstrip("/"))
    expected = "listing_page" if SAMPLE_PAGES[path]["kind"] == "listing" else "article"

    assert outcome(decode_html(file.read_bytes()), variant) == expected
