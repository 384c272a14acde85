"""Who wrote a story, and which news agency supplied it.

``authors`` lists people only; an agency goes to ``agency``. Sources, most reliable first,
and the first that names a person wins:

1. the markup: JSON-LD ``author`` and the author meta tags;
2. a visible byline that starts with a byline word ("كتب", "كتبت", "بقلم", "By", or
   "حوار:", "إعداد:", "تقرير:" with their colon), among the short elements after the
   headline: above the body or as its first line;
3. elements whose class names a byline or an author.

Whatever its source, a name must pass the same test (``is_person_name``): never the site
or one of its aliases (its name in another script, the domain, the title suffix), a news
agency, a newsroom ("فريق التحرير"), a web credit ("تصميم وتطوير", "Developed by") or a
dateline place. A byline is split into people on commas and a standalone "و"
("X و Y"), on an attached "و" between two full names ("كايلا إبستين وأنجليكا كاساس"), and
around dashes and colons, where a place or the site's name sits beside the person
("حسام أبو العلا - القاهرة", "هسبريس - رشيد أيت حمو", "ياسر الشمري (جدة)").

The agency comes from an author field that names one, or from the body text as
trafilatura gives it, before cleanup removes credits: a dateline in the first lines
("القاهرة (أ ش أ) - ...", "عمان - بترا - ...") or a credit in the last ones ("(أ ف ب)",
"... --(بترا)", "المصدر: وكالات").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lxml import etree

from crawler.agencies import AGENCY_PATTERN, agency_of
from crawler.arabic import fold_for_fingerprint
from crawler.cleanup import attribute_tokens, plain
from crawler.page_blocks import contains
from crawler.site_names import is_site_name
from crawler.tree_scan import attribute, elements_where, following_elements

# Words that, in an author field, mean "the newsroom" rather than a person.
NON_PERSON_PHRASES = ("فريق", "هيئة التحرير", "التحرير", "المحرر", "محرر", "بوابة", "موقع", "صحيفة", "جريدة", "قناة",
                      "شبكة", "وكالة", "مجلة", "إدارة", "ادارة", "مدير الموقع")  # fmt: skip
NON_PERSON_WORDS = frozenset(
    "newsroom staff editorial desk editor editors admin administrator webmaster team agencies".split()
    # a desk's credit beside the outlet: "المصدر أونلاين - خاص", "مراسلنا"
    + "خاص حصري حصريا مراسلنا مراسلينا".split()
)
# Web and design credits ("تصميم وتطوير شركة ...", "Developed by ...") name no writer.
CREDIT_RE = re.compile(
    r"تصميم|تطوير|برمجة|استضافة|جميع الحقوق|حقوق|\b(?:developed|designed|powered|design|development|hosting|copyright)\b",
    re.IGNORECASE,
)

# Byline words always followed by the writer's name.
BYLINE_WORDS = ("كتبت", "كتب", "بقلم", "by")
# Words that are a byline only with a colon or comma ("حوار: ...", "Author, ..."); without one they start headlines.
LABELLED_BYLINE_WORDS = ("حوار", "إعداد", "اعداد", "تقرير", "ترجمة", "تحرير", "متابعة", "إشراف", "اشراف", "author", "الكاتب")
_VISIBLE_BYLINE_RE = re.compile(
    rf"^(?:(?:{'|'.join(BYLINE_WORDS)})(?:\s*[-–—:،,]\s*|\s+)|(?:{'|'.join(LABELLED_BYLINE_WORDS)})\s*[-–—]?\s*[:：،,]\s*)"
    r"(?P<names>\S.*)$",
    re.IGNORECASE,
)
# The same words at the start of a markup value ("بقلم: ...", "By ...").
_BYLINE_PREFIX_RE = re.compile(
    rf"^\s*(?:{'|'.join(BYLINE_WORDS + LABELLED_BYLINE_WORDS)})(?:\s*[-–—:،,]\s*|\s+|$)", re.IGNORECASE
)
# A visible byline names one to three people.
BYLINE_MAX_WORDS = 12
# A person's name has at most this many words ("محمد عبد الله أبو العلا").
NAME_MAX_WORDS = 5
# Bylines sit in the first elements after the headline, before the body's second paragraph.
BYLINE_SCOPE = 60
PROSE_MIN_WORDS = 25
_BLOCK_DESCENDANTS = etree.XPath(".//p | .//div | .//section | .//article | .//ul | .//ol | .//table | .//h2 | .//h3")

# Class-named byline elements, the last resort: a class or id token that names the
# author, and none that names what sits beside the name (role, photo, date...). The
# XPath is a cheap substring pre-filter; tokens are checked in Python.
# Elements whose class or id may name the author, outside footers, asides and comments;
# the same elements as the XPath
#   //*[@rel='author' or @itemprop='author' or contains(@class, 'uthor') or contains(@class, 'yline')
#       or contains(@class, 'riter') or contains(@class, 'riteBy') or contains(@id, 'uthor')]
#      [not(ancestor::footer) and not(ancestor::aside) and not(ancestor::*[contains(@class, 'omment')])]
# chosen in one Python pass (crawler.tree_scan).
BYLINE_CLASS_PARTS = ("uthor", "yline", "riter", "riteBy")


def may_name_the_author(element) -> bool:
    cls = attribute(element, "class")
    if not (
        element.get("rel") == "author"
        or element.get("itemprop") == "author"
        or any(part in cls for part in BYLINE_CLASS_PARTS)
        or "uthor" in attribute(element, "id")
    ):
        return False
    return not any(
        ancestor.tag in ("footer", "aside") or "omment" in attribute(ancestor, "class")
        for ancestor in element.iterancestors()
    )


BYLINE_TOKENS = frozenset({"author", "authors", "byline", "writer", "writeby", "authorname"})
BESIDE_NAME_TOKENS = frozenset(
    {"role", "position", "bio", "job", "title", "photo", "image", "img", "avatar", "desc", "description", "social",
     "date", "time", "label", "handle", "twitter", "email", "links", "follow", "more", "comment", "comments",
     "reply", "user"}
)  # fmt: skip
CLASS_BYLINE_MAX_CHARS = 80
CLASS_BYLINES = 3

# A role after the name ("محمد أمين الوزاني مراسل الجزيرة نت") ends the name.
ROLE_WORDS = ("مراسل", "مراسلة", "مراسلنا", "مراسلتنا", "صحافي", "صحافية", "صحفي", "صحفية", "محرر", "محررة", "كاتب", "كاتبة",
              "رئيس تحرير", "مدير تحرير", "correspondent", "reporter", "editor", "journalist")  # fmt: skip
_ROLE_RE = re.compile(rf"\s+(?:{'|'.join(ROLE_WORDS)})(?![^\W\d_]).*$", re.IGNORECASE)
_HANDLE_OR_LINK = re.compile(r"\S*@\S*|https?://\S+")
_LIST_SEPARATORS = re.compile(r"\s*(?:[,،;|/]|\s+و\s+|\s+and\s+|\s+&\s+)\s*", re.IGNORECASE)
# A dash with a space on at least one side ("عربي21- الأناضول"); a dash inside a word joins it.
_SEGMENT_SEPARATORS = re.compile(r"\s*[-–—]\s+|\s+[-–—]\s*|\s*[-–—]{2,}\s*|\s*[:：]\s*")
_PARENTHESISED = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")
# A print byline names the paper the story first ran in: "وسام خير الله في "نداء الوطن"".
_FIRST_PRINTED_IN = re.compile(r"\s+(?:في|فى|لـ|ل)\s*[\"«“][^\"»”]+[\"»”]\s*[:：]?\s*$")

# Given names that begin with "و": an attached "و" before them does not join two people.
WAW_NAMES = frozenset(
    "وليد وائل وفاء وسام وديع وجدي وهيب وحيد وحيدة وداد وئام وصفي وضاح وعد ولاء ورد وردة وفيق وهبة وهبي وجيه وصال "
    "وسيم وسيلة وجدان ودود وليم وديان وسن ولي وهاد وافي وارد وحيد".split()
)

# Places that open or close bylines and datelines: capitals and the cities Arab newsrooms
# file from. A one-word part beside a full name is read as a place even when not listed.
# Left out: names that are also common words or agencies in a byline ("صور" photos,
# "الخبر" the news, "قنا" also QNA).
DATELINE_PLACES = frozenset(
    fold_for_fingerprint(place.replace("_", " "))
    for place in """
    القاهرة الجيزة الإسكندرية الاسكندرية أسوان الأقصر أسيوط المنيا سوهاج طنطا المنصورة الزقازيق بورسعيد السويس
    الإسماعيلية دمياط بني_سويف الفيوم كفر_الشيخ شرم_الشيخ الغردقة العريش
    بيروت طرابلس صيدا دمشق حلب حمص اللاذقية عمان عمّان إربد الزرقاء العقبة القدس رام_الله غزة الخليل نابلس جنين
    بغداد البصرة الموصل أربيل النجف كربلاء الرياض جدة مكة مكة_المكرمة المدينة_المنورة الدمام الطائف تبوك
    أبها الكويت الدوحة المنامة مسقط أبوظبي أبو_ظبي دبي الشارقة عجمان صنعاء عدن تعز الخرطوم أم_درمان
    بنغازي مصراتة تونس صفاقس سوسة الجزائر وهران قسنطينة الرباط الدار_البيضاء فاس مراكش طنجة أكادير نواكشوط مقديشو جيبوتي
    إسطنبول اسطنبول أنقرة طهران باريس لندن واشنطن نيويورك موسكو برلين بروكسل جنيف روما مدريد فيينا أثينا
    بكين طوكيو نيودلهي إسلام_آباد كابل كييف
    """.split()
)

# The body's dateline and sign-off lines that credit an agency; a dateline may stand alone ("الجزائر - واج").
EDGE_LINES = 3
_DATELINE_AGENCY_RE = re.compile(
    rf"^[^\s\-–—(\[:،,]+(?:\s[^\s\-–—(\[:،,]+){{0,2}}\s*(?:[-–—:،,]\s*)?[(\[]?\s*(?P<agency>{AGENCY_PATTERN})\s*[)\]]?\s*(?:[-–—:]|$)",
    re.IGNORECASE,
)
# Anadolu's form, a line of its own: "شرناق/ زينب أوزتورك/ الأناضول" (place, reporter, agency).
_SLASH_DATELINE_RE = re.compile(rf"^[^/]{{1,40}}/(?:[^/]{{1,40}}/)?\s*(?P<agency>{AGENCY_PATTERN})\s*$", re.IGNORECASE)
# "(أ ف ب)", "المصدر: وكالات", "المصدر: الميادين نت + الوكالة الوطنية للإعلام" (the outlet beside the agency).
SOURCE_LABEL = "المصدر"
_CREDIT_LINE_RE = re.compile(
    rf"^[-–—\s]*[(\[]?\s*(?:{SOURCE_LABEL}\s*[:：]?\s*(?:[^+،,/]{{1,30}}\s*[+،,/]\s*)?)?(?P<agency>{AGENCY_PATTERN})\s*[)\]]?\s*\.?$",
    re.IGNORECASE
)
_SIGN_OFF_RE = re.compile(rf"[-–—]{{1,2}}\s*[(\[]\s*(?P<agency>{AGENCY_PATTERN})\s*[)\]]\s*\.?$", re.IGNORECASE)
# The editors' initials, then the agency: "م.ع.ح/ ع.ج.م (د ب أ)".
_INITIALS = r"[^\W\d_]{1,3}(?:\.[^\W\d_]{1,3}){1,4}\.?"
_INITIALS_SIGN_OFF_RE = re.compile(
    rf"^{_INITIALS}(?:\s*/\s*{_INITIALS})*\s*[(\[]\s*(?P<agency>{AGENCY_PATTERN})\s*[)\]]\s*\.?$", re.IGNORECASE
)


def collapse(text: str) -> str:
    return " ".join(text.split())


def is_place(name: str) -> bool:
    return fold_for_fingerprint(name) in DATELINE_PLACES


def is_person_name(name: str, site_names: Iterable[str] = ()) -> bool:
    if not 2 <= len(name) <= 60 or "http" in name or "@" in name or any(char.isdigit() for char in name):
        return False
    words = name.split()
    if len(words) > NAME_MAX_WORDS:
        return False
    lowered = name.lower()
    if any(phrase in lowered for phrase in NON_PERSON_PHRASES) or not NON_PERSON_WORDS.isdisjoint(lowered.split()):
        return False
    if CREDIT_RE.search(name) or agency_of(name) or is_place(name):
        return False
    return not is_site_name(name, site_names)


def _segments(part: str) -> list[str]:
    """A byline part split around dashes and colons, the place or site beside the person dropped."""
    segments = [segment.strip(" .-–—:") for segment in _SEGMENT_SEPARATORS.split(part)]
    segments = [segment for segment in segments if segment]
    if len(segments) < 2:
        return segments
    segments = [segment for segment in segments if not is_place(segment)]
    if any(len(segment.split()) >= 2 for segment in segments):
        # Beside a full name, a one-word part is a place or the outlet.
        segments = [segment for segment in segments if len(segment.split()) >= 2 or agency_of(segment)]
    return segments


def _split_attached_waw(name: str) -> list[str]:
    """"كايلا إبستين وأنجليكا كاساس" is two people; "محمد وليد الخطيب" is one."""
    words = name.split()
    for index in range(2, len(words) - 1):
        word = words[index]
        if len(word) > 2 and word.startswith("و") and (word[1] in "أإآ" or word not in WAW_NAMES):
            return [" ".join(words[:index]), *_split_attached_waw(" ".join([word[1:], *words[index + 1 :]]))]
    return [name]


def split_people(value) -> list[str]:
    """Names from a JSON-LD author value or a byline string, before the person test."""
    if isinstance(value, list):
        return [name for entry in value for name in split_people(entry)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(value.get("@type"), str) and value["@type"].lower() in ("organization", "newsmediaorganization"):
            # An organization is never a person, but an agency is still credited.
            return [name] if isinstance(name, str) and agency_of(name) else []
        return split_people(name)
    if not isinstance(value, str) or value.strip().startswith(("http://", "https://", "www.")):
        return []  # a profile URL (article:author) names nobody
    text = collapse(value)
    # A bracketed part is a place or a role ("(جدة)"), or an agency, which is kept as one name.
    names = [found.strip() for found in _PARENTHESISED.findall(text) if agency_of(found)]
    text = collapse(_HANDLE_OR_LINK.sub(" ", _PARENTHESISED.sub(" ", text)))
    text = collapse(_FIRST_PRINTED_IN.sub("", _BYLINE_PREFIX_RE.sub("", text)))
    for part in _LIST_SEPARATORS.split(text):
        for segment in _segments(_ROLE_RE.sub("", part)):
            names += _split_attached_waw(segment)
    return [name for name in names if name]


_NOT_TEXT = frozenset({"script", "style", "noscript", "template"})


def visible_text(element, word_limit: int | None = None) -> str:
    """The element's text as a reader sees it: no script or style content.

    With ``word_limit``, reading stops once that many words are read: the text then
    starts as the whole one does and has at least ``word_limit`` words. The byline scan
    only needs to know that a container is prose, and a container after the headline
    may hold the whole story.
    """
    parts = []
    words = 0
    for node in element.iter():
        if node.tag not in _NOT_TEXT and isinstance(node.tag, str) and node.text:
            parts.append(node.text)
            words += len(node.text.split())
        if node is not element and node.tail:
            parts.append(node.tail)
            words += len(node.tail.split())
        if word_limit is not None and words >= word_limit:
            break
    return collapse(" ".join(parts))


def visible_bylines(headline, site_names: Sequence[str] = ()) -> list[str]:
    """The names part of each byline line among the short elements after the headline."""
    if headline is None:
        return []
    found: list[str] = []
    prose = 0
    for element in following_elements(headline, BYLINE_SCOPE):
        if element.tag in _NOT_TEXT:
            continue
        text = visible_text(element, PROSE_MIN_WORDS)
        if not text:
            continue
        if len(text.split()) >= PROSE_MIN_WORDS:
            # A paragraph of the story (not a container of many): the second one ends the search.
            if not _BLOCK_DESCENDANTS(element):
                prose += 1
                if prose >= 2:
                    break
            continue
        if len(text.split()) > BYLINE_MAX_WORDS:
            continue
        match = _VISIBLE_BYLINE_RE.match(text)
        # A place-and-person line only above the story: inside it, "القاهرة: ..." opens a subheading.
        names = match.group("names").strip(" :：-–—") if match else dateline_byline(text, site_names) if not prose else None
        if names and names not in found:
            found.append(names)
    return found


_DATELINE_BYLINE_RE = re.compile(
    r"^(?P<place>[^\s:：(\-–—]+(?:\s[^\s:：(\-–—]+)?)\s*(?:[:：]|\s[-–—])\s*(?P<names>[^:：]+)$"
    r"|^(?P<names2>[^:：(\-–—]+?)\s*(?:\s[-–—]\s*|[(])\s*(?P<place2>[^\s)]+(?:\s[^\s)]+)?)\s*\)?$"
)


def dateline_byline(text: str, site_names: Sequence[str] = ()) -> str | None:
    """The person of a dateline byline: "مكة المكرمة: نواف العتيبي", "ياسر الشمري (جدة)", or of
    the outlet's own: "هبة بريس - يونس الودغيري"."""
    match = _DATELINE_BYLINE_RE.match(text)
    if not match:
        return None
    place = match.group("place") or match.group("place2")
    names = match.group("names") or match.group("names2")
    return names.strip() if is_place(place) or is_site_name(place, site_names) else None


def _names_the_author(element) -> bool:
    if element.get("rel") == "author" or element.get("itemprop") == "author":
        return True
    tokens = attribute_tokens(f"{element.get('class') or ''} {element.get('id') or ''}")
    return not tokens.isdisjoint(BYLINE_TOKENS) and tokens.isdisjoint(BESIDE_NAME_TOKENS)


# A teaser card's author sits this close to the card's linked headline, in a container this small.
CARD_DEPTH = 2
CARD_MAX_WORDS = 40
_LINKED_HEADING_XPATH = etree.XPath("(.//h2|.//h3|.//h4|.//h5|.//h6)[.//a] | .//a[h2 or h3 or h4 or h5 or h6]")


# A link this long beside the name is another story's headline, heading tag or not
# (an opinion box: "<a>الكهرباء ليست ترفاً يا حكومة</a><span class="writer">...").
CARD_HEADLINE_MIN_WORDS = 4


def _in_teaser_card(element) -> bool:
    """Whether ``element`` shares a small container with a linked headline, not the page's: another story's card."""
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth >= CARD_DEPTH or len(ancestor.text_content().split()) > CARD_MAX_WORDS:
            return False
        if ancestor.find(".//h1") is not None:
            return False
        if _LINKED_HEADING_XPATH(ancestor) or any(
            len(link.text_content().split()) >= CARD_HEADLINE_MIN_WORDS and not contains(link, element) and not contains(element, link)
            for link in ancestor.iter("a")
        ):
            return True
    return False


def class_bylines(tree, candidates=None) -> list[str]:
    """Texts of the innermost elements whose class names the author (``candidates``: see ``crawler.tree_scan``)."""
    elements = [element for element in elements_where(tree, may_name_the_author, candidates) if _names_the_author(element)]
    # An element is innermost when no other one lies inside it: mark every one's
    # ancestors once, instead of walking every one's descendants.
    outer = {ancestor for element in elements for ancestor in element.iterancestors()}
    texts = []
    for element in elements:
        if element in outer or _in_teaser_card(element):
            continue
        text = visible_text(element)
        if 0 < len(text) <= CLASS_BYLINE_MAX_CHARS:
            texts.append(text)
        if len(texts) == CLASS_BYLINES:
            break
    return texts


def people_of(raw_names: Sequence[str], site_names: Sequence[str]) -> tuple[list[str], str | None]:
    authors: list[str] = []
    agency = None
    for name in raw_names:
        if found := agency_of(name):
            agency = agency or found
        elif is_person_name(name, site_names) and name not in authors:
            authors.append(name)
    return authors, agency


def extract_people(
    tree, tags, article: dict, site_names: Sequence[str], headline, candidates=None
) -> tuple[list[str], str | None]:
    """(authors, agency) from the page's markup and bylines; see the module docstring."""
    markup: list[str] = split_people(article.get("author"))
    for key in ("author", "article:author", "dc.creator", "sailthru.author", "parsely-author"):
        for value in tags.get(key, []):
            markup += split_people(value)
    authors, agency = people_of(markup, site_names)
    for source in (visible_bylines(headline, site_names), class_bylines(tree, candidates)):
        if authors:
            break
        authors, found = people_of([name for text in source for name in split_people(text)], site_names)
        agency = agency or found
    return authors, agency


def agency_from_source_line(texts: Iterable[str]) -> str | None:
    """The agency a labelled source line credits ("المصدر: الميادين نت + الوكالة الوطنية للإعلام").

    Only a line with the label: above the body, a bare agency name is as often a photo's credit.
    """
    for text in texts:
        line = collapse(plain(text))
        if line.startswith(SOURCE_LABEL) and (match := _CREDIT_LINE_RE.match(line)):
            return agency_of(match.group("agency"))
    return None


# A line of this many words is story prose, never a widget line that cleanup let through.
STORY_LINE_MIN_WORDS = 15
CLOSING_PARAGRAPHS = 2


def agency_from_body(lines: Sequence[str], story: Sequence[str] = ()) -> str | None:
    """The agency a story's dateline or closing credit names.

    ``lines`` are the body lines before cleanup (which removes the credits) and
    ``story`` the cleaned paragraphs. A credit sits right after the story's last
    paragraph of prose, or at its end; a dateline opens its first paragraph or
    stands just before it. Widget lines that trafilatura let through around the
    story do not move those anchors.
    """
    stripped = [collapse(plain(line)) for line in lines if plain(line)]
    in_story = {collapse(plain(line)) for line in story}
    prose = [index for index, line in enumerate(stripped) if line in in_story and len(line.split()) >= STORY_LINE_MIN_WORDS]
    # The story's closing paragraphs, last first: a leaked comment notice can be prose too.
    for last in (prose[-CLOSING_PARAGRAPHS:] if prose else [len(stripped) - 1])[::-1]:
        for line in stripped[max(0, last) : last + 1 + EDGE_LINES][::-1]:
            if match := _CREDIT_LINE_RE.match(line) or _SIGN_OFF_RE.search(line) or _INITIALS_SIGN_OFF_RE.match(line):
                return agency_of(match.group("agency"))
    first = prose[0] if prose else 0
    for line in stripped[max(0, first - EDGE_LINES) : first + 1]:
        if match := _DATELINE_AGENCY_RE.match(line) or _SLASH_DATELINE_RE.match(line):
            return agency_of(match.group("agency"))
    return None
