"""Arabic boilerplate cleanup: what trafilatura lets through, removed by general rules.

Two passes, both site-independent:

1. ``prune_widget_elements`` works on the parsed page before extraction. It
   removes containers that are widgets by structure: ``figure``/``aside``
   elements, and elements whose class or id names a widget (share, comments,
   related, newsletter, ad ...), provided they are small or link-dense so that
   an article container with an unlucky class name survives.
2. ``clean_body_lines`` works on the extracted paragraphs. It drops lines by
   Arabic phrase patterns (share verbs, counters, "read also", promotions,
   comment policies, copyright, ad shortcodes) and by position (the headline
   repeated as the first line, a byline or date line at the top, a source or
   agency credit at the end).

Every rule is written for the kind of widget, never for one site's markup.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from lxml import etree
from lxml import html as lxml_html

from crawler.agencies import AGENCY_PATTERN
from crawler.dates import find_date_in_text
from crawler.site_names import is_site_name

# --- Pass 1: widget containers in the DOM -----------------------------------

# Class/id tokens (split on "-", "_", spaces and camelCase) that name widgets.
WIDGET_TOKENS = frozenset(
    """
    share sharing sharer social socials addthis sharethis
    comment comments disqus fb-comments
    related relatedposts relatednews readmore read-more readalso alsoread
    mostread most-read popular trending recommended recommendations
    newsletter subscribe subscription signup
    ad ads adv advert adverts advertisement advertising adsense dfp gpt adunit sponsored sponsor promo
    outbrain taboola mgid
    breadcrumb breadcrumbs byline author authors writer
    caption figcaption credit credits photo-credit
    tags tag-list taglist keywords
    print rating counter views
    cookie cookies consent gdpr
    sidebar widget widgets
    """.split()
)
# Multi-word tokens are checked on the raw attribute, as they are split by tokenizing.
WIDGET_PHRASES = ("read-more", "most-read", "photo-credit", "tag-list", "fb-comments", "also-read")

# A matching container is pruned only when it is small or mostly links:
# an article body that happens to carry "share-enabled" keeps its text.
WIDGET_MAX_WORDS = 80
WIDGET_MIN_LINK_DENSITY = 0.5

# Captions are never story text.
ALWAYS_PRUNED_TAGS = ("figure", "figcaption")
# Chrome by its tag, pruned under the same size guard as class-named widgets:
# ASP.NET sites wrap the whole page, article included, in one <form>.
CHROME_TAGS = frozenset({"aside", "nav", "footer", "form", "button", "noscript"})

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")


def attribute_tokens(value: str) -> set[str]:
    """Lower-case tokens of a class or id value: ``relatedNews-box`` -> {related, news, box},
    plus each adjacent pair joined (``mostRead`` -> also ``mostread``), so compound
    widget names match however they are cased or separated."""
    value = _CAMEL_BOUNDARY.sub(" ", value)
    tokens = [token for token in _TOKEN_SPLIT.split(value.lower()) if token]
    return {*tokens, *(a + b for a, b in zip(tokens, tokens[1:]))}


def names_a_widget(element) -> bool:
    class_name, element_id = element.get("class"), element.get("id")
    if not class_name and not element_id:
        return False
    return attribute_names_widget(f"{class_name or ''} {element_id or ''}".strip())


@lru_cache(maxsize=8192)
def attribute_names_widget(raw: str) -> bool:
    """Cached: a page repeats the same few class names on hundreds of elements."""
    lowered = raw.lower()
    if any(phrase in lowered for phrase in WIDGET_PHRASES):
        return True
    return not attribute_tokens(raw).isdisjoint(WIDGET_TOKENS)


def link_density(element) -> float:
    text_length = len(element.text_content().strip())
    if not text_length:
        return 1.0
    link_length = sum(len(link.text_content().strip()) for link in element.iter("a"))
    return link_length / text_length


def has_more_words_than(element, limit: int) -> bool:
    """Stops reading at the limit: widget candidates are often large containers."""
    words = 0
    for text in element.itertext():
        words += len(text.split())
        if words > limit:
            return True
    return False


def is_page_wrapper(element) -> bool:
    """ASP.NET WebForms wrap the whole page in one big <form>, a child of <body>: a link-dense
    home page then looks like one big widget, and pruning it would leave nothing to judge."""
    parent = element.getparent()
    return element.tag == "form" and parent is not None and parent.tag == "body" and has_more_words_than(element, WIDGET_MAX_WORDS)


def is_small_or_link_dense(element) -> bool:
    return not has_more_words_than(element, WIDGET_MAX_WORDS) or link_density(element) >= WIDGET_MIN_LINK_DENSITY


# A table holding paragraphs or headings is page layout, not data.
LAYOUT_TABLE_BLOCKS = "p|h1|h2|h3|ul|ol|article|section|blockquote"
_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption")


def unwrap_layout_tables(tree) -> int:
    """Turn layout tables into plain blocks, so the story is not read as table rows.

    Old Arabic news templates lay the whole page out in nested tables; data
    tables inside an article (results, prices) hold no paragraphs and stay.
    """
    unwrapped = 0
    for table in tree.xpath("//table"):
        if not table.xpath(f".//*[{' or '.join(f'self::{tag}' for tag in LAYOUT_TABLE_BLOCKS.split('|'))}]"):
            continue
        for part in [table, *table.iter(*_TABLE_PARTS[1:])]:
            # Only this table's own rows and cells; a nested table decides for itself.
            owner = part if part is table else next(part.iterancestors("table"), None)
            if owner is table:
                part.tag = "div"
        unwrapped += 1
    return unwrapped


# Never shown as text; trafilatura deletes them as well, but only after several
# whole-tree passes and copies that they would make several times slower.
INVISIBLE_TAGS = ("head", "script", "style", "noscript", "template", "svg", "iframe", "link", "meta")


def strip_invisible_elements(tree) -> None:
    """Remove elements that hold no readable text (their tails stay)."""
    etree.strip_elements(tree, *INVISIBLE_TAGS, with_tail=False)


def prune_widget_elements(tree, extra_xpath: str | None = None) -> int:
    """Remove widget containers from ``tree`` in place; returns how many were removed."""
    unwrap_layout_tables(tree)
    doomed = list(tree.iter(*ALWAYS_PRUNED_TAGS))
    # Elements inside a doomed container go with it: no need to judge them.
    inside_doomed = set(doomed)
    for element in tree.iter():
        parent = element.getparent()
        if parent is not None and parent in inside_doomed:
            inside_doomed.add(element)
            continue
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "article", "main"):
            continue
        if (element.tag in CHROME_TAGS or names_a_widget(element)) and not is_page_wrapper(element) and is_small_or_link_dense(element):
            doomed.append(element)
            inside_doomed.add(element)
    if extra_xpath:
        doomed.extend(tree.xpath(extra_xpath))
    removed = 0
    for element in doomed:
        parent = element.getparent()
        if parent is None:
            continue
        _drop_keeping_tail(element)
        removed += 1
    return removed


def _drop_keeping_tail(element) -> None:
    """Remove ``element`` but keep its tail text, which belongs to the parent."""
    if isinstance(element, lxml_html.HtmlElement):
        element.drop_tree()
    else:  # pragma: no cover - plain etree elements
        element.getparent().remove(element)


# --- Pass 2: widget lines in the extracted text ------------------------------

# Words that make up share bars and counters. A line made only of these (and
# numbers and punctuation) is a widget, e.g. "24 0 تعليق ارسل طباعة تبليغ حذف".
SHARE_BAR_WORDS = frozenset(
    """
    تعليق تعليقات التعليقات ارسل أرسل إرسال ارسال طباعة طباعه اطبع تبليغ حذف مشاركة مشاركه شارك شاركها
    المشاركة نسخ الرابط انسخ حفظ إعجاب اعجاب أعجبني مشاهدة مشاهدات قراءة قراءات زيارة زيارات
    فيسبوك فيس بوك تويتر تويتير إكس واتساب واتس آب اب تيليجرام تلغرام تليجرام لينكدإن لينكد إن انستغرام
    انستجرام يوتيوب ماسنجر البريد الإلكتروني الالكتروني بريد عبر على
    play icon share print email mail facebook twitter whatsapp telegram linkedin copy link x comments comment
    views tweet pin pinterest reddit messenger sms
    """.split()
)

# Headings that open a block of teasers ("read also", "related", "most read").
TEASER_BLOCK_HEADINGS = tuple(
    _h.strip()
    for _h in """
    إخترنا لك|اخترنا لك|إخترنا لكم|اخترنا لكم|أخبار ذات صلة|اخبار ذات صلة|مواضيع ذات صلة|موضوعات ذات صلة|مقالات ذات صلة
    |الموضوعات المتعلقة|أخبار متعلقة|اخبار متعلقة|الأكثر قراءة|الاكثر قراءة|الأكثر تصفحا|الأكثر تصفحاً|الأكثر مشاهدة|الأكثر تداولا
    |الأكثر تداولاً|اقرأ أيضا|اقرأ أيضاً|إقرأ أيضا|إقرأ أيضاً|اقرأ ايضا|إقرأ ايضا|اقرأ كذلك|شاهد أيضا|شاهد أيضاً|شاهد ايضا|قد يعجبك
    |قد يهمك|ننصحك بقراءة|مختارات|قصص مقترحة|المزيد من الأخبار|آخر الأخبار|اخر الاخبار|أخبار ذات علاقة|روابط ذات صلة
    |تابع أيضا|تابع أيضاً|يستحق الانتباه|موضوعات قد تهمك|أخبار قد تهمك|المزيد حول هذه القصة|المزيد عن هذه القصة
    |الكلمات المفتاحية|كلمات مفتاحية|الوسوم|وسوم|الكلمات الدالة|مواضيع ذات علاقة|شارك هذا الخبر|شارك المقال
    |فيديوهات أخرى|فيديوهات ذات صلة|المزيد من الفيديوهات|مقاطع أخرى|صور أخرى|ألبومات أخرى
    """.replace("\n", "").split("|")
) + tuple(
    # "موضوعات متعلقة", "الأخبار المرتبطة", "مقالات مشابهة": what each outlet calls the box
    f"{article}{kind} {article}{relation}"
    for kind in ("أخبار", "اخبار", "موضوعات", "مواضيع", "مقالات", "قصص")
    for relation in ("متعلقة", "مرتبطة", "مشابهة", "مقترحة")
    for article in ("", "ال")
)
# A teaser block ends at the first line that reads like story prose.
TEASER_MAX_WORDS = 18

# What opens an image caption or credit ("التعليق على الصورة، ..."); BBC writes "صدر الصورة".
CAPTION_LABELS = (
    "التعليق على الصورة", "مصدر الصورة", "صدر الصورة", "حقوق الصورة", "صورة أرشيفية", "صورة ارشيفية",
    "صورة تعبيرية", "الصورة",
)  # fmt: skip

_SITE_TO_READER = r"نستخدم|حدثنا|حدّثنا|أدخلنا|سياستنا|وشركاؤنا|موافقتك|توافق على|باستمرارك|بمتابعتك|تصفحك|جهازك"
_COOKIES = r"ملفات\s+(?:تعريف\s+)?(?:ال)?ارتباط|الكوكيز|cookies"
_CAPTION_LABEL_PATTERN = r"^(?:{})\s*[،,:]".format("|".join(CAPTION_LABELS))
_CAPTION_LABEL_RE = re.compile(_CAPTION_LABEL_PATTERN)

# What opens the readers' comments: their heading and counter, the comment policy, the form's prompt.
COMMENT_SECTION_PATTERNS = [
    # the section's label and count ("التعليقات (3)"): a story sentence may open with the word
    r"^\d*\s*(?:عدد\s+)?(?:التعليقات|تعليقات)\s*[:：]?\s*[(\[]?\d*[)\]]?$",
    # "no comments yet" is a prompt only when it speaks of the page ("لا توجد تعليقات رسمية" is news)
    r"^(?:لا توجد|لا يوجد)\s+تعليقات(?:\s*[.،,]?\s*$|\s+(?:بعد|حتى الآن|حتى الان|على\s+(?:هذا\s+)?(?:الخبر|الموضوع|المقال|المادة)))",
    r"^\d*\s*(?:أضف|اضف|إضافة|اضافة)\s+(?:تعليق|تعليقا|تعليقاً|تعليقك)",
    r"ترحب\s+\S+(?:\s+\S+)?\s+بالنقاش",
    r"(?:الآراء|الاراء|التعليقات)\s+(?:الواردة|المنشورة).{0,40}(?:لا\s+تعبر|لا\s+تعكس|(?:تعبر|تعبّر|تعكس)\s+عن\s+(?:آراء\s+|رأي\s+)?(?:أصحابها|اصحابها|كتابها|كاتبيها))",
    r"^(?:كن|كوني|كونوا)\s+(?:أول|اول)\s+من\s+(?:يعلق|يعلّق|تعلق|يعلقون|يشارك)",
    r"^(?:بروتوكول|سياسة|شروط)\s+(?:نشر\s+)?التعليقات",
    # comment forms and moderation notices ("Leave a reply", "comments are reviewed")
    r"^(?:اترك|أترك|اكتب|أكتب)\s+(?:تعليقا|تعليقاً|تعليقك|ردا|رداً)",
    r"^(?:تعليقات|آراء)\s+(?:القراء|الزوار)\s*(?:\(\d+\))?$",
    r"التعليقات\s+(?:تخضع|خاضعة)\s+(?:لل)?(?:مراجعة|رقابة|إشراف)",
    r"(?:تم|تمت)\s+(?:إضافة|أضافة|اضافة)\s+تعليقك|(?:سوف\s+|سي)يظهر\s+(?:تعليقك\s+)?بعد\s+(?:ال)?مراجعة",
    r"(?:تحتفظ|يحتفظ)(?:\s+\S+){0,2}\s+بحق\s+(?:نشر|حذف|عدم نشر).{0,40}التعليق",
    r"^(?:يرجى|نرجو|المرجو|الرجاء|نأمل)\s+(?:من\s+\S+\s+)?(?:عدم\s+)?\S+\s+(?:\S+\s+){0,2}(?:تعليق|التعليق|تعليقات|تعليقاتكم|تعليقك)",
    r"^(?:يرجى|نرجو|المرجو|الرجاء)\s+(?:الالتزام|مراعاة|احترام)\s+(?:ب)?(?:آداب|أدب|قواعد|شروط)\s+(?:ال)?(?:حوار|نقاش|تعليق|نشر)",
]
_COMMENT_SECTION_RE = re.compile("|".join(f"(?:{p})" for p in COMMENT_SECTION_PATTERNS), re.IGNORECASE)
# A comment-section marker opens the comments only in the body's second half, and when it is
# a label or a notice (a policy runs to about 20 words), not a sentence of the story.
COMMENT_MARKER_MAX_WORDS = 30

# Phrases that mark a whole line as a widget wherever it appears.
WIDGET_LINE_PATTERNS = [
    # "read also: <headline>" teasers inline in the body
    r"^(?:اقرأ|إقرأ|اقرا)\s+(?:أيضا|أيضاً|ايضا|ايضاً|كذلك|المزيد)\b",
    r"^(?:شاهد|طالع|تابع)\s+(?:أيضا|أيضاً|ايضا|ايضاً)\b",
    # a teaser's "continue reading" link ("أكمل القراءة", "تابع القراءة »")
    r"^(?:أكمل|اكمل|تابع|واصل)\s+القراءة\s*[»›>.…]*$",
    r"^(?:للمزيد|لمزيد من)\b.{0,40}(?:اضغط|انقر|اقرأ|هنا)",
    *COMMENT_SECTION_PATTERNS,
    # promotions for apps, newsletters and channels
    r"للاشتراك\s+(?:يرجى|الرجاء|يمكنكم|تواصلوا|راسلونا)",
    # reading-time labels ("قراءة 3 دقائق", "مدة القراءة: 4 دقائق")
    r"^قراءة\s*[:：]?\s*\d+\s*(?:دقائق|دقيقة|د)\.?$|^\d+\s*(?:دقائق|دقيقة)\s+(?:لل)?قراءة$|مدة\s+القراءة\s*[:：]?\s*\d+\s*(?:دقائق|دقيقة|د)\b",
    r"(?:سجل|سجّل|أدخل|ادخل)\s+بريدك",
    # an embedded post's attribution ("— Name (@handle) November 4, 2025") and its picture link
    r"\(@\w+\)\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2},\s+\d{4}$",
    r"\bpic\.(?:twitter|x)\.com/\w+",
    r"(?:حم[ّ]?ل|نزّل|نزل|تحميل|تنزيل|قم بتنزيل|قم بتحميل)\s+(?:ال)?تطبيق",
    r"(?:اشترك|إشترك|سجل|سجّل)\s+(?:الآن\s+)?(?:في|فى|ب)\s*(?:ال)?(?:نشرة|نشرتنا|قناة|قناتنا)",
    # "اشترك الآن ليصلك أهم أخبار اليوم على بريدك الإلكتروني": the site speaks to the reader
    r"(?:ليصلك|لتصلك|يصلك|تصلك|ليصلكم|لتصلكم).{0,60}(?:بريدك|بريدكم|هاتفك)",
    r"النشرة\s+(?:البريدية|الإخبارية|الاخبارية)",
    # the writer's archive link under a column ("كل مقالات الكاتب (214)")
    r"^(?:كل|جميع)\s+(?:مقالات|أعمدة)\s+(?:الكاتب|الكاتبة)\s*(?:\(\d+\))?$",
    r"(?:إلغاء|الغاء)\s+الاشتراك\s+في\s+(?:أي|اي)\s+وقت",
    r"^(?:تابعونا|تابعوا|تابع)\s+(?:على|عبر|آخر|اخر|أحدث)",
    # "تابعوا أخبار سانا على تلغرام https://t.me/...": the outlet's channel, named or linked
    # (imperatives only: "تابع" and "انضم" also say that someone followed or joined)
    r"^(?:تابعونا|تابعوا|تابعنا|اشتركوا|انضموا)\b.{0,60}(?:على|عبر|في)\s+(?:تلغرام|تليغرام|تيليجرام|تيلجرام|تلجرام|واتساب|واتس\s?آب|يوتيوب|telegram|whatsapp)"
    r"|https?://(?:t\.me|telegram\.me|whatsapp\.com/channel|chat\.whatsapp\.com)/",
    r"(?:انضم|انضموا)\s+(?:إلى|الى|ل)\s*(?:قناتنا|قناة|مجموعتنا)",
    r"احصل على أقصى استفادة",
    r"(?:متاح|متوفر)\s+(?:على|في)\s+(?:Google Play|App Store|جوجل بلاي|آب ستور)",
    # the outlet's contact details ("فاكس التحرير : 749 752 71", "البريد الإلكتروني : ...")
    r"(?:البريد\s+الإلكتروني|البريد\s+الالكتروني|e-?mail)\s*[:：]\s*[\w.+-]+@[\w-]+\.[\w.]+",
    r"^(?:ال)?(?:هاتف|فاكس|تلفون|تليفون|جوال|بريد\s+إلكتروني|بريد\s+الكتروني|البريد|العنوان|المقر|ص\.?\s?ب)(?:\s+\S+){0,3}\s*[:：]\s*\S(?:\s*\S+){0,11}$",
    # cookie and privacy notices
    # (the site speaks as "we" or to "you": a news sentence about cookies does neither)
    rf"(?:{_SITE_TO_READER}).{{0,160}}(?:{_COOKIES})|(?:{_COOKIES}).{{0,160}}(?:{_SITE_TO_READER})",
    # copyright and reuse notices
    r"©|جميع الحقوق محفوظة|حقوق النشر محفوظة|حقوق الطبع|all rights reserved|copyright",
    r"^أعد استخدام هذا المحتوى$",
    # the title of a video embedded in the body ("فيديو | ...", "بالفيديو: ...")
    r"^(?:فيديو|بالفيديو|شاهد الفيديو|شاهد بالفيديو|video)\s*[:|\-–]",
    # ad markers and labels
    r"^\s*(?:-\s*)?(?:إعلان|اعلان|إعلانات|advertisement|sponsored|محتوى مدفوع|مساحة إعلانية)(?:\s*-)?\s*$",
    # image captions and credits
    _CAPTION_LABEL_PATTERN,
    r"^(?:تصوير|عدسة|الصورة من|صورة من)\s*[:：]",
    r"^(?:Getty Images|AFP|Reuters|EPA|AP)(?:\s+via\s+.+)?$",
    r"^(?:play icon|Share this selection|Do not share or sell my info)$",
]
_WIDGET_LINE_RE = re.compile("|".join(f"(?:{p})" for p in WIDGET_LINE_PATTERNS), re.IGNORECASE)

AD_SHORTCODE_RE = re.compile(r"\[/?ad[_\- ]?\d*\]", re.IGNORECASE)

# News agencies (crawler.agencies): a line that is only an agency name, or "المصدر: ..." is a credit.
AGENCY_NAMES = AGENCY_PATTERN
_AGENCY_LINE_RE = re.compile(
    rf"^[\(\[]?\s*(?:المصدر\s*[:：]?\s*)?(?:{AGENCY_NAMES})(?:\s*[،,/و+\-]\s*(?:{AGENCY_NAMES}))*\s*[\)\]]?\s*\.?$",
    re.IGNORECASE,
)
_SOURCE_LINE_RE = re.compile(r"^(?:المصدر|المصادر|مصدر الخبر|source)\s*(?:[:：=>]|==>|$)", re.IGNORECASE)

# A caption: a short line ending in a parenthesised credit such as "(رويترز)".
# or, for archive photos, the credit after a dash: "... - أرشيفية".
_PHOTO_CREDIT = rf"{AGENCY_NAMES}|أرشيفية|ارشيفية|أرشيف|(?:ال)?إنترنت|(?:ال)?انترنت|مواقع التواصل|متداولة|من المصدر"
# "(رويترز)", "(أرشيفية - رويترز)", "(عنب بلدي/ يزن الأحمد)"; after a dash, "- أرشيفية", or "- الأناضول" after a caption
# that does not end as a sentence; the photographer may follow ("تصوير : محمد حسام"), or stand
# in brackets ("(تصوير: محمد القرالة)").
_CAPTION_RE = re.compile(
    rf"^.{{0,160}}(?:[\(\[]\s*(?:{_PHOTO_CREDIT})(?:\s*[-–/،,:]\s*(?:{_PHOTO_CREDIT}))*\s*[\)\]]"
    r"|[\(\[][^()\[\]/]{1,30}/[^()\[\]/]{1,30}[\)\]]"
    r"|[\(\[]\s*(?:تصوير|عدسة)\s*[:：]?\s*[^()\[\]:：]{1,40}[\)\]]"
    rf"|\s[-–—]\s*(?:صورة\s+)?(?:أرشيفية|ارشيفية)|(?<![.!?؟:\s])\s+[-–—■]\s*(?:{AGENCY_NAMES}|من المصدر)"
    r"|(?<![.!?؟:\s])\s+[-–—]\s*(?:تصوير|عدسة)\s*[:：]\s*[^:：.]{1,40})"
    r"(?:\s+(?:تصوير|عدسة)\s*[:：]\s*[^:：.]{1,40})?\s*$",
    re.IGNORECASE,
)
CAPTION_MAX_WORDS = 25

# Bylines: "كتب محمد علي", "بقلم: ...", "Author, ...", "مراسل الجزيرة نت".
_BYLINE_RE = re.compile(
    r"^(?:كتب|كتبت|بقلم|إعداد|اعداد|تقرير|حوار|ترجمة|تحرير|متابعة|إشراف|اشراف|by|author|role|الكاتب|المحرر|مراسل|مراسلة)"
    r"(?:\s*[:،,]\s*|\s+)\S.{0,80}$",
    re.IGNORECASE,
)
BYLINE_MAX_WORDS = 8

# Date lines at the top: "نشر في ...", "آخر تحديث ...", "تاريخ النشر ...".
_DATE_LINE_RE = re.compile(
    r"^(?:نشر|نُشر|نشرت في\s*[:：]|نُشرت في\s*[:：]|تم النشر|تاريخ النشر|آخر تحديث|اخر تحديث|تحديث|محدث|published|updated|last updated)(?:\b|(?<=[:：]))",
    re.IGNORECASE,
)
DATE_LINE_MAX_WORDS = 16
# A date line may carry a weekday, a Hijri date or a time beside the date.
DATE_LINE_MAX_OTHER_WORDS = 5

# Datelines: a place, a dash or parenthesis, then the outlet or agency.
_DATELINE_RE = re.compile(r"^(?P<place>[^\s\-–—(/]+(?:\s[^\s\-–—(/]+){0,2})\s*(?:[-–—:/]\s*|(?=\())(?P<credit>.+)$")
DATELINE_MAX_WORDS = 7

# How many lines at each end of the body the position rules look at.
EDGE_LINES = 3

_WORD_RE = re.compile(r"\w+")
_BULLET_RE = re.compile(r"^\s*(?:[-•*▪●◦·]|\d{1,2}[.)])\s+")
_DIACRITICS_RE = re.compile(r"[\u064B-\u065F\u0670\u0640]")


def comparable(text: str) -> str:
    """A loose key for comparing a line with the headline."""
    text = _DIACRITICS_RE.sub("", unicodedata.normalize("NFKC", text))
    return " ".join(_WORD_RE.findall(text.lower()))


def strip_ad_shortcodes(line: str) -> str:
    return AD_SHORTCODE_RE.sub(" ", line).strip()


def is_share_bar(line: str) -> bool:
    words = _WORD_RE.findall(line.lower())
    if not words:
        return True
    return all(word.isdigit() or word in SHARE_BAR_WORDS for word in words)


def is_teaser_heading(line: str) -> bool:
    stripped = line.strip(" :：-–—|»«\"'")
    return any(stripped == heading or stripped.startswith(heading + " ") and len(stripped.split()) <= 4 for heading in TEASER_BLOCK_HEADINGS)


def is_widget_line(line: str) -> bool:
    return bool(_WIDGET_LINE_RE.search(line)) or is_share_bar(line)


def is_caption(line: str) -> bool:
    return len(line.split()) <= CAPTION_MAX_WORDS and bool(_CAPTION_RE.match(line))


def is_byline(line: str) -> bool:
    return len(line.split()) <= BYLINE_MAX_WORDS and bool(_BYLINE_RE.match(line))


def is_date_line(line: str) -> bool:
    """"نشر في ..." / "آخر تحديث ...", or a short line that is mostly a date."""
    if len(line.split()) > DATE_LINE_MAX_WORDS:
        return False
    if _DATE_LINE_RE.match(line):
        return True
    found = find_date_in_text(line)
    return found is not None and len(line.replace(found[1], " ").split()) <= DATE_LINE_MAX_OTHER_WORDS


# A line of this many words at most may be bare dates ("19 يناير 2026", "14 أبريل 2026, 10:45 ص
# آخر تحديث 14 أبريل 2026, 12:10 م"), the Hijri date beside the Gregorian one, views and reading time.
BARE_DATE_MAX_WORDS = 24
_HIJRI_MONTHS = "محرم|صفر|ربيع الأول|ربيع الاول|ربيع الآخر|ربيع الاخر|ربيع الثاني|جمادى الأولى|جمادى الاولى|جمادى الآخرة|جمادى الاخرة|جمادى الثانية|رجب|شعبان|رمضان|شوال|ذو القعدة|ذو الحجة"
_DATE_LABEL_RE = re.compile(
    r"آخر تحديث|اخر تحديث|تاريخ النشر|نشر في|تحديث|نشر|\d+\s*(?:دقائق|دقيقة)\s+(?:لل)?قراءة|\d+\s*(?:تعليق|تعليقات)"
    # a view count, a time of day alone, a Hijri date beside the Gregorian one
    r"|\d[\d,٬.]*\s*(?:مشاهدة|مشاهدات|قراءة|زيارة)|\b\d{1,2}:\d{2}(?:\s*(?:ص|م)\b)?"
    rf"|\b\d{{1,2}}\s+(?:{_HIJRI_MONTHS})\s+\d{{4}}\s*(?:هـ|ه)?(?!\w)|[-|,،:]"
    # the words around a date and its time: "تم التحديث في 22 شتنبر 2026 على الساعة 16:48",
    # "الأربعاء 18 نوفمبر 2026 - 09:15 صباحاً"
    r"|\b(?:تم التحديث|تم النشر|على الساعة|الساعة|في)(?!\w)|\b(?:صباح|مساء)[\u064Bا]*(?!\w)"
)
# How long ago, as pages print it beside or instead of the date: "قبل 3 ساعات", "منذ يومين".
_RELATIVE_TIME_RE = re.compile(
    r"\b(?:قبل|منذ)\s+(?:\d+\s*)?(?:ثانية|ثوان[يٍ]?|دقيقة|دقائق|دقيقتين|ساعة|ساعات|ساعتين|يوم|أيام|ايام|يومين"
    r"|أسبوع|اسبوع|أسابيع|اسابيع|أسبوعين|اسبوعين|شهر|أشهر|اشهر|شهرين)(?!\w)"
)
# trafilatura joins adjacent inline elements without a space: "18:05" then "12 ماي 2026" reads
# "18:0512 ماي 2026", and "2026" then "10:15 م" then "1,842 مشاهدة" reads "202610:15 م1,842 مشاهدة".
_GLUED_TIME_RE = re.compile(
    r"(\b\d{1,2}:\d{2}|\b(?:19|20|١٩|٢٠)\d\d(?=\d{1,2}:\d{2}))(?=\d)|(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)"
    # "ص"/"م" (a.m./p.m.) glued to what follows, not the first letter of "صباحاً" or "مساءً"
    r"|(?:(?<=:\d\dص)|(?<=:\d\d ص))(?!باح)(?=\S)|(?:(?<=:\d\dم)|(?<=:\d\d م))(?!ساء)(?=\S)"
)


def is_bare_date(line: str) -> bool:
    """A line of dates and their labels only: a teaser's or the page's date line, never story text."""
    # Ungluing only adds words: a line already too long (most story lines) is rejected before it.
    if len(line.split()) > BARE_DATE_MAX_WORDS:
        return False
    if not any(character.isdigit() for character in line):
        return ("قبل" in line or "منذ" in line) and not _WORD_RE.search(_RELATIVE_TIME_RE.sub(" ", line))
    rest = _GLUED_TIME_RE.sub(lambda match: f"{match.group(1) or ''} ", line)
    if len(rest.split()) > BARE_DATE_MAX_WORDS:
        return False
    rest, dates = _RELATIVE_TIME_RE.subn(" ", rest)
    while dates < 3 and (found := find_date_in_text(rest)) is not None:
        rest, dates = rest.replace(found[1], " ", 1), dates + 1
    return dates > 0 and not _WORD_RE.search(_DATE_LABEL_RE.sub(" ", rest))


def starts_as_date_line(line: str) -> bool:
    """"نشر في ..." / "آخر تحديث ..." at the start, however long the line."""
    return bool(_DATE_LINE_RE.match(line))


def is_credit_line(line: str) -> bool:
    if _AGENCY_LINE_RE.match(line):
        return True
    return len(line.split()) <= 12 and bool(_SOURCE_LINE_RE.match(line))


# A body's last line this short, ending without a sentence's punctuation, is a box's
# heading after the story (a subheading always has text below it).
TRAILING_HEADING_MAX_WORDS = 4
_SENTENCE_END_RE = re.compile(r"[.!?؟…\"'»”)\]]\s*$")


# A full stop, perhaps inside a closing quote: a caption's credit in brackets is no sentence's end.
_FULL_STOP_RE = re.compile(r"[.!?؟…][\"'»”)\]]*\s*$")


def ends_as_sentence(text: str) -> bool:
    return bool(_FULL_STOP_RE.search(text))


def is_trailing_heading(line: str) -> bool:
    """``line`` as extracted: a list item or table row is the story's own (a list may end it)."""
    if line_marker(line) != "plain":
        return False
    text = plain(line)
    return len(text.split()) <= TRAILING_HEADING_MAX_WORDS and not _SENTENCE_END_RE.search(text)


def looks_like_prose(line: str) -> bool:
    """Story sentences are long; teaser headlines are short."""
    return len(line.split()) > TEASER_MAX_WORDS


def line_marker(line: str) -> str:
    """How trafilatura formatted a line: a table row, a list item, or plain."""
    if line.lstrip().startswith("|"):
        return "table"
    if _BULLET_RE.match(line):
        return "bullet"
    return "plain"


def is_teaser(line: str, block_marker: str, link_texts: PageLinkTexts | frozenset[str] | None) -> bool:
    """Whether a short line inside a teaser block is a teaser.

    List items and table rows are teasers while the block's formatting holds.
    A plain line is a teaser when it is the text of a link on the page (when
    the page's links are known): an in-body subheading is never a link.
    """
    marker = line_marker(line)
    if marker != block_marker:
        return False
    if marker == "plain" and link_texts is not None:
        return comparable(plain(line)) in link_texts
    return True


def drop_teaser_blocks(lines: Sequence[str], link_texts: PageLinkTexts | frozenset[str] | None = None) -> list[str]:
    """Drop "read also"/"related" headings and the teaser lines that follow them.

    A block ends at the first prose line or the first line that is not a
    teaser (see ``is_teaser``), so story text after the block is kept.
    """
    kept: list[str] = []
    block_marker: str | None = None  # None: not in a block; "": block, marker not yet known
    for line in lines:
        key = plain(line)
        if is_teaser_heading(key):
            block_marker = ""
            continue
        if block_marker is not None and not looks_like_prose(key):
            if block_marker == "":
                block_marker = line_marker(line)
            if is_teaser(line, block_marker, link_texts):
                continue
        block_marker = None
        kept.append(line)
    return kept


def is_repeated_title(line: str, titles: Sequence[str]) -> bool:
    """The headline (any of its forms: meta title, h1) repeated as a body line."""
    line_key = comparable(line)
    if not line_key:
        return False
    for title in titles:
        title_key = comparable(title or "")
        if title_key and (line_key == title_key or (len(line_key) > 20 and title_key.startswith(line_key))):
            return True
    return False


def without_bullet(line: str) -> str:
    """trafilatura writes list items as "- item"; rules look at the item itself."""
    return _BULLET_RE.sub("", line)


def plain(line: str) -> str:
    """What the phrase rules read: no list bullet, no table pipes, no diacritics
    or tatweel ("اقرأ أيضًا" is "اقرأ أيضا")."""
    line = _DIACRITICS_RE.sub("", without_bullet(line))
    if line.lstrip().startswith("|"):
        line = " ".join(cell.strip() for cell in line.split("|") if cell.strip())
    return line.strip()


def is_dateline(line: str, credits: Sequence[str]) -> bool:
    """A place-and-credit line on its own: "أبوظبي - سكاي نيوز عربية", "القاهرة (رويترز)".

    ``credits`` are the outlet's names and the article's authors.
    """
    if len(line.split()) > DATELINE_MAX_WORDS:
        return False
    match = _DATELINE_RE.match(line)
    if not match:
        return False
    credit = match.group("credit").strip(" ()[]-–—:/")
    if _AGENCY_LINE_RE.match(credit) or "خاص" in credit or is_credit_list(credit, credits):
        return True
    # "شرناق/ زينب أوزتورك/ الأناضول": place, reporter, then the agency or the outlet.
    *middle, last = _CREDIT_LIST_SEPARATOR.split(credit)
    return bool(middle) and len(middle) <= 2 and all(len(part.split()) <= 3 for part in middle) and is_credit_list(last, credits)


# "/" or a spaced dash: "عمان - الدستور - سامر العبادي" is place, outlet, reporter.
_CREDIT_LIST_SEPARATOR = re.compile(r"\s*/\s*|\s+[-–—]\s+")


def _spaceless(text: str) -> str:
    return comparable(text).replace(" ", "")


# "صحيفة الاتحاد" credits itself as "(الاتحاد)".
_OUTLET_KIND_RE = re.compile(r"^(?:صحيفة|جريدة|موقع|بوابة|قناة|شبكة|مجلة)\s+")


def is_credit_list(text: str, credits: Sequence[str]) -> bool:
    """Only agencies and credits (the outlet, the authors), one or more, split by "/": "فرانس24/ أ ف ب"."""
    names = {_spaceless(form) for name in credits for form in (name, _OUTLET_KIND_RE.sub("", name.strip()))}
    parts = [part for part in _CREDIT_LIST_SEPARATOR.split(text.strip()) if part]
    return bool(parts) and all(_AGENCY_LINE_RE.match(part) or _spaceless(part) in names for part in parts)


def without_credits(line: str, credits: Sequence[str]) -> str:
    for name in credits:
        if name and name in line:
            line = line.replace(name, " ")
    return line


# A byline's name that no markup gave, before the dates: "حمد السلامة 22 نوفمبر 2026 10:15 م".
NAME_BEFORE_DATES_MAX_WORDS = 3
# The outlet's name or its desk's ("رووداو ديجيتال") as a line of its own.
OUTLET_LINE_MAX_WORDS = 4


def is_named_date_line(line: str) -> bool:
    """A name of a few words, then only dates and their labels (``is_bare_date``)."""
    words = line.split()
    for count in range(1, min(NAME_BEFORE_DATES_MAX_WORDS, len(words) - 1) + 1):
        if any(character.isdigit() for character in words[count - 1]):
            return False
        if is_bare_date(" ".join(words[count:])):
            return True
    return False


def is_top_matter(line: str, titles: Sequence[str], credits: Sequence[str]) -> bool:
    return (
        is_repeated_title(line, titles)
        or is_byline(line)
        or is_date_line(line)
        or is_dateline(line, credits)
        # the byline's name, then the dates and the comment count: "سكينة بنعيسى الثلاثاء 12 ماي 2026 - 18:05 0 تعليق"
        or is_bare_date(without_credits(line, credits))
        # the credits taken out first: spans touch ("إرم نيوزهشام رزق14 سبتمبر 2026")
        or is_named_date_line(without_credits(line, credits))
        # the outlet or its desk as the byline: "رووداو ديجيتال"
        or (len(line.split()) <= OUTLET_LINE_MAX_WORDS and is_site_name(line, credits))
    )


# What an outlet calls itself in its "about us" blurb: "عنب بلدي مؤسسة إعلامية ...".
_SELF_DESCRIPTION_RE = re.compile(r"(?:(?:هي|هو) )?(?:(?:إحدى|احدى|أحد|احد) )?(?:مؤسسة|موقع|صحيفة|جريدة|قناة|قنوات|شبكة|منصة|وكالة)\b")


# An outlet's blurb by its full name, when the page does not give that name:
# "الوكالة العربية السورية للأنباء، تأسست عام 1965، وتقدم خدماتها ...".
_FOUNDED_BLURB_RE = re.compile(
    r"^(?:ال)?(?:وكالة|صحيفة|جريدة|قناة|موقع|شبكة|مؤسسة|منصة|مجلة)\s[^.،,]{2,60}[،,]?\s*(?:(?:هي|هو)\s+)?"
    r"(?:تأسست|تأسس|أسست|أسس|أنشئت|أنشئ|انطلقت|انطلق)\s+(?:عام|في|سنة)\s"
)
BLURB_MAX_WORDS = 40


def is_outlet_blurb(line: str, credits: Sequence[str]) -> bool:
    """A line that opens with one of the outlet's names, or a media outlet's full name and
    its founding, and describes the outlet."""
    if len(line.split()) <= BLURB_MAX_WORDS and _FOUNDED_BLURB_RE.match(line):
        return True
    key = comparable(line)
    names = (comparable(name) for name in credits)
    return any(name and key.startswith(name + " ") and _SELF_DESCRIPTION_RE.match(key[len(name) + 1 :]) for name in names)


# A print column's note on its writer, starred under the text: "* أكاديمي وباحث في شؤون المياه".
_WRITER_NOTE_RE = re.compile(r"^\*\s*[^\W\d_]")
WRITER_NOTE_MAX_WORDS = 12


def is_writer_note(line: str) -> bool:
    return len(line.split()) <= WRITER_NOTE_MAX_WORDS and bool(_WRITER_NOTE_RE.match(line)) and not ends_as_sentence(line)


def _is_end_matter(line: str, credits: Sequence[str]) -> bool:
    key = plain(line)
    return (
        is_writer_note(line.strip())
        or is_credit_line(key)
        or is_byline(key)
        or is_trailing_heading(line)
        or ("/" in key and is_credit_list(key, credits))
        or is_outlet_blurb(key, credits)
    )


def trim_edges(lines: list[str], titles: Sequence[str], credits: Sequence[str] = ()) -> list[str]:
    """Position rules: headline, byline, date and dateline lines near the top; credits and box headings at the end.

    Top matter is looked for among the first EDGE_LINES lines, not only as a
    prefix, because templates put a standfirst before the dateline; a list of
    highlights under the headline does not count towards them.
    """
    unlisted = [index for index, line in enumerate(lines) if not _BULLET_RE.match(line)]
    top = unlisted[EDGE_LINES - 1] + 1 if len(unlisted) >= EDGE_LINES else len(lines)
    head = [line for line in lines[:top] if not is_top_matter(plain(line), titles, credits)]
    return trim_end(head + lines[top:], credits)


def trim_end(lines: list[str], credits: Sequence[str] = ()) -> list[str]:
    """The lines without the credits, notes and box headings among the last EDGE_LINES."""
    end = len(lines)
    while end > max(0, len(lines) - EDGE_LINES) and _is_end_matter(lines[end - 1], credits):
        end -= 1
    return lines[:end]


# Tag lists at the end of a body: list items of at most this many words.
TAG_ITEM_MAX_WORDS = 3


def table_row_label(line: str) -> str:
    """A table row's first cell ("| الدولار الأمريكي | 48.62 |" -> "الدولار الأمريكي")."""
    return next((cell.strip() for cell in line.split("|") if cell.strip()), "")


def drop_trailing_sidebar_table(lines: list[str]) -> list[str]:
    """Drop a table that closes the body when the story never names what its rows are
    about: the site's currency or fuel prices box, not the story's own figures (a
    story's table lists what its text talks about). Its heading, if the extractor kept
    it, goes with it. A table longer than the text before it is the page's matter (a
    market page), left for article detection to judge."""
    start = len(lines)
    while start > 0 and line_marker(lines[start - 1]) == "table":
        start -= 1
    rows = lines[start:]
    if len(rows) < 2 or start == 0:
        return lines
    if start > 1 and is_trailing_heading(lines[start - 1]):
        start -= 1
    text = " ".join(plain(line) for line in lines[:start])
    if sum(len(plain(row).split()) for row in rows) >= len(text.split()):
        return lines
    story = stem_words(comparable(text))
    if any(stem_words(comparable(table_row_label(row))) & story for row in rows):
        return lines
    return lines[:start]


# The article and the particles glued before it ("والدولار", "بالجنيه", "للذهب").
_ARTICLE_PREFIX_RE = re.compile(r"^(?:وال|بال|فال|كال|لل|ال)")


def stem_words(key: str) -> set[str]:
    """The words of ``key`` (as ``comparable`` gives it) of three letters or more, without the article."""
    return {word for word in (_ARTICLE_PREFIX_RE.sub("", word) for word in key.split()) if len(word) >= 3 and not word.isdigit()}


def drop_trailing_tag_list(lines: list[str]) -> list[str]:
    """Drop a closing run (two or more) of short list items: the article's tags."""
    end = len(lines)
    while end > 0 and _BULLET_RE.match(lines[end - 1]) and len(without_bullet(lines[end - 1]).split()) <= TAG_ITEM_MAX_WORDS:
        end -= 1
    return lines[:end] if len(lines) - end >= 2 else lines


class PageLinkTexts:
    """The page's link texts of two words or more (teaser headlines), compared
    loosely. Normalizing hundreds of links costs more than the rest of the
    cleanup, and only pages with a teaser block ask, so it happens on first use."""

    def __init__(self, raw_texts: list[str]):
        self._raw_texts = raw_texts
        self._keys: frozenset[str] | None = None
        self._exact: frozenset[str] | None = None

    def __contains__(self, key: str) -> bool:
        if self._keys is None:
            self._keys = frozenset(text for text in map(comparable, self._raw_texts) if " " in text)
        return key in self._keys

    def is_link_text(self, line: str) -> bool:
        """Whether ``line`` is, word for word, the text of one of the page's links."""
        if self._exact is None:
            self._exact = frozenset(" ".join(text.split()) for text in self._raw_texts)
        return " ".join(line.split()) in self._exact


# A headline's words: a link this long standing alone between paragraphs is a teaser whose label was pruned.
LINK_LINE_MIN_WORDS = 3
LINK_LINE_MAX_WORDS = 15


def without_link_lines(lines: list[str], link_texts: PageLinkTexts | frozenset[str] | None) -> list[str]:
    """Drop a line between two paragraphs of prose that is only the text of one of the page's
    links (a headline, not a sentence). A listing's teasers stand side by side: they stay, for
    the judgement of the page."""
    if not isinstance(link_texts, PageLinkTexts):
        return lines
    return [
        line
        for index, line in enumerate(lines)
        if not (
            0 < index < len(lines) - 1
            and LINK_LINE_MIN_WORDS <= len(line.split()) <= LINK_LINE_MAX_WORDS
            and not ends_as_sentence(line)
            and looks_like_prose(plain(lines[index - 1]))
            and looks_like_prose(plain(lines[index + 1]))
            and link_texts.is_link_text(without_bullet(line))
        )
    ]


def without_credited_captions(lines: list[str]) -> list[str]:
    """Drop the caption that follows an image credit ("مصدر الصورة، Getty Images" and then
    "متظاهرون في ..."): a short line that does not end as a sentence does."""
    kept: list[str] = []
    after_credit = False
    for line in lines:
        key = plain(line)
        caption = after_credit and len(key.split()) <= CAPTION_MAX_WORDS and not _SENTENCE_END_RE.search(key)
        after_credit = bool(_CAPTION_LABEL_RE.match(key))
        if not caption:
            kept.append(line)
    return kept


# A pull quote repeats, in quotation marks, most words of a sentence of the story, and
# its attribution (a name and a role, no sentence) follows it.
PULL_QUOTE_MIN_WORDS = 5
PULL_QUOTE_MAX_WORDS = 40
PULL_QUOTE_MIN_SHARED = 0.8
ATTRIBUTION_MAX_WORDS = 12
_QUOTED_LINE_RE = re.compile(r'^\s*[«"“„].*[»"”]\s*$')
# The attribution may touch the quote, in one line: "«...»كارين والدمان، المتحدثة باسم ...".
_QUOTE_THEN_REST_RE = re.compile(r'^\s*([«"“„].*[»"”])(.*)$')


def is_attribution(text: str) -> bool:
    return len(text.split()) <= ATTRIBUTION_MAX_WORDS and not ends_as_sentence(text)


def _pull_quote_candidate(line: str) -> tuple[str, bool] | None:
    """The quote a line opens with and whether its attribution follows in the line, when
    nothing else does: a quote with a sentence after it is the story's."""
    match = _QUOTE_THEN_REST_RE.match(line)
    if match is None:
        return None
    rest = match.group(2).strip()
    return (match.group(1), bool(rest)) if not rest or is_attribution(rest) else None


def without_pull_quotes(lines: list[str]) -> list[str]:
    """Drop a quoted line whose words a longer line of the story already holds, and its attribution."""
    candidates = [_pull_quote_candidate(line) for line in lines]
    if not any(candidates):
        return lines  # most pages: no line is a quote alone, no word sets to build
    words = [set(comparable(line).split()) for line in lines]
    kept: list[str] = []
    after_quote = False
    for index, line in enumerate(lines):
        if after_quote and is_attribution(line):
            after_quote = False
            continue
        quoted = set(comparable(candidates[index][0]).split()) if candidates[index] else set()
        pull_quote = PULL_QUOTE_MIN_WORDS <= len(quoted) <= PULL_QUOTE_MAX_WORDS and any(
            other is not words[index] and len(other) > len(quoted) and len(quoted & other) >= PULL_QUOTE_MIN_SHARED * len(quoted)
            for other in words
        )
        after_quote = pull_quote and not candidates[index][1]
        if not pull_quote:
            kept.append(line)
    return kept


def link_texts_of(tree) -> PageLinkTexts:
    """Taken before pruning: teaser links are in the containers pruning removes."""
    return PageLinkTexts([link.text_content() for link in tree.iter("a")])


def clean_body_lines(
    lines: Iterable[str],
    titles: Sequence[str] = (),
    credits: Sequence[str] = (),
    link_texts: PageLinkTexts | frozenset[str] | None = None,
) -> list[str]:
    """The story's own paragraphs from trafilatura's lines, widget lines removed.

    ``titles`` are the page's headline forms (meta title, h1), used to spot
    the headline repeated at the top of the body; ``credits`` are the
    outlet's names and the authors, used to spot datelines; ``link_texts``
    (from ``link_texts_of``, before pruning) tell teaser headlines from
    subheadings.
    """
    stripped = (strip_ad_shortcodes(line) for line in lines)
    kept = drop_trailing_tag_list([line for line in stripped if plain(line)])
    kept = without_link_lines(drop_teaser_blocks(kept, link_texts), link_texts)
    kept = without_pull_quotes(without_credited_captions(kept))
    keys = [plain(line) for line in kept]
    end = comment_section_start(keys)
    kept = [line for line, key in zip(kept[:end], keys[:end]) if not is_noise_line(key)]
    return trim_edges(drop_trailing_sidebar_table(kept), titles, credits)


def comment_section_start(keys: list[str]) -> int:
    """Where the readers' comments begin among the lines (as ``plain`` gives them), or their count.

    trafilatura keeps comments written as plain paragraphs; what marks them is the
    section's heading, policy or form above them.
    """
    for index in range(max(1, len(keys) // 2), len(keys)):
        if is_comment_marker(keys[index]):
            return index
    return len(keys)


def is_comment_marker(key: str) -> bool:
    """The comment section's heading, counter, policy or prompt (``key`` as ``plain`` gives it)."""
    return len(key.split()) <= COMMENT_MARKER_MAX_WORDS and bool(_COMMENT_SECTION_RE.search(key))


def is_noise_line(key: str) -> bool:
    """A line (as ``plain`` gives it) that is never story text, wherever it stands."""
    return is_widget_line(key) or is_caption(key) or is_bare_date(key)
