"""Regenerate the bad-input fixture site used by ``tests/test_bad_input.py``.

Run ``python tests/bad_site/_build_site.py`` after changing a story or a case:
it rewrites every page, sitemap and feed and ``_headers.json`` (per-path
headers and status codes for ``crawler.local_site.serve_directory``). The
tests import this module for the truth (which story each page must yield), and
check that the shipped files are exactly what it writes.

Every page holds one short, fictional Arabic news story. The stories use only
characters that ISO-8859-6 can encode (Arabic letters, ASCII digits, the
Arabic comma and question mark), so any story can be written in any of the
charsets under test. Each case of one crawl gets a story of its own: the
crawl's duplicate detection must not be what merges two cases.

Layout (one folder per test category, one sitemap per crawl):

- ``charset/``: windows-1256 declared in the header only, in a meta only, in a
  meta http-equiv only, not at all; ISO-8859-6; UTF-8 with a BOM; a correct
  header charset that disagrees with a wrong meta charset;
- ``malformed/``: unclosed tags, a layout-table body, NUL bytes;
- ``not-html/``: an empty 200 page, a PDF, a PNG, a JSON document and a PNG
  that claims to be HTML, all on article URLs;
- ``size/``: a page over the test's DOWNLOAD_MAXSIZE, a gzip bomb sent with
  ``Content-Encoding: gzip``, and a normal page as a control;
- ``discovery/``: a billion-laughs sitemap, a sitemap with bad entities, a
  truncated ``.xml.gz`` sitemap and an RSS feed whose XML breaks midway;
- ``http/``: 404, 410, 500, 503 with Retry-After and redirect loops.

Files starting with ``_`` are never served by ``crawler.local_site``.
"""

from __future__ import annotations

import gzip
import json
import logging
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

SITE_ROOT = Path(__file__).resolve().parent
BASE = "{{BASE_URL}}"
SITE_NAME = "بوابة الاختبار"
UTF8_BOM = b"\xef\xbb\xbf"

# The size crawl runs with DOWNLOAD_MAXSIZE = SIZE_LIMIT_BYTES (see the tests):
# the big page is well past it, and the bomb is small compressed but inflates
# past even the production limit of 16 MiB.
SIZE_LIMIT_BYTES = 32 * 1024
BIG_PAGE_BYTES = 3 * SIZE_LIMIT_BYTES
BOMB_INFLATED_BYTES = 24 * 1024 * 1024

# Entity levels of the billion-laughs sitemap: 10 ** 9 "lol"s if expanded.
LAUGH_LEVELS = 9


@dataclass(frozen=True)
class Story:
    title: str
    paragraphs: tuple[str, ...]
    # Words the extracted text must contain exactly (one from each end and the middle).
    words: tuple[str, ...]


STORIES = {
    "buses": Story(
        "مجلس المدينة يقر خطة لتوسيع شبكة الحافلات العامة",
        (
            "أقر مجلس المدينة في جلسته الأسبوعية خطة جديدة لتوسيع شبكة الحافلات العامة، تشمل إضافة اثني عشر"
            " خطا يربط الأحياء الشرقية بوسط المدينة والمنطقة الصناعية، على أن يبدأ التنفيذ مطلع الشهر المقبل.",
            "وقال رئيس لجنة النقل في المجلس إن الخطة تهدف إلى تخفيف الازدحام المروري في ساعات الذروة، وتقليل"
            " الاعتماد على السيارات الخاصة، مشيرا إلى أن عدد الركاب اليومي تضاعف خلال العامين الماضيين.",
            "وأوضح أن البلدية ستشتري ستين حافلة حديثة تعمل بالغاز الطبيعي، وستنشئ مواقف مظللة مزودة بشاشات"
            " تعرض مواعيد الوصول، إضافة إلى تطبيق هاتفي يتيح للركاب شراء التذاكر إلكترونيا.",
            "ورحب سكان الأحياء الشرقية بالقرار، وقالوا إنهم ينتظرون منذ سنوات وسيلة نقل منتظمة تصلهم بأماكن"
            " عملهم ودراستهم بكلفة معقولة.",
        ),
        ("الحافلات", "بالغاز", "معقولة"),
    ),
    "book_fair": Story(
        "افتتاح معرض الكتاب الدولي بمشاركة مئات دور النشر العربية",
        (
            "افتتح وزير الثقافة صباح اليوم معرض الكتاب الدولي في دورته الخامسة والعشرين، بمشاركة أكثر من"
            " ستمائة دار نشر من عشرين دولة عربية وأجنبية، ويستمر المعرض عشرة أيام.",
            "ويضم المعرض هذا العام جناحا خاصا لكتب الأطفال، وآخر للمخطوطات النادرة، إلى جانب برنامج ثقافي"
            " يتضمن ندوات وأمسيات شعرية ولقاءات مع روائيين ونقاد من مختلف البلدان.",
            "وقالت مديرة المعرض إن الإدارة خصصت قاعة للترجمة تعرض أحدث الأعمال المنقولة إلى العربية، وإن"
            " أسعار الكتب ستكون مدعومة لطلاب الجامعات والمدارس طوال أيام المعرض.",
            "وشهد اليوم الأول إقبالا كبيرا من الزوار، واصطفت العائلات أمام أبواب القاعات قبل موعد الافتتاح الرسمي.",
        ),
        ("ستمائة", "للمخطوطات", "الافتتاح"),
    ),
    "wheat": Story(
        "المزارعون يستعدون لموسم حصاد القمح وسط توقعات بإنتاج وفير",
        (
            "يستعد المزارعون في السهول الوسطى لبدء موسم حصاد القمح خلال الأسبوعين المقبلين، وسط توقعات"
            " بإنتاج وفير بعد شتاء ماطر رفع منسوب المياه في الآبار والسدود.",
            "وقال مدير مديرية الزراعة إن المساحات المزروعة بالقمح بلغت هذا الموسم نحو مئتي ألف هكتار، بزيادة"
            " تقارب الخمس مقارنة بالموسم الماضي، وإن حالة المحصول جيدة في معظم المناطق.",
            "وأعلنت المؤسسة العامة للحبوب أنها جهزت مراكز الاستلام والمخازن، وحددت سعرا تشجيعيا لشراء الطن"
            " من المزارعين، على أن تصرف المستحقات خلال أسبوع من التسليم.",
            "وطالب المزارعون بتوفير الحصادات الآلية بأسعار مناسبة، وتأمين الوقود في الوقت المحدد، لتفادي"
            " خسائر تأخر الحصاد.",
        ),
        ("السهول", "هكتار", "الحصادات"),
    ),
    "vaccination": Story(
        "وزارة الصحة تطلق حملة وطنية للتطعيم في المدارس الابتدائية",
        (
            "أطلقت وزارة الصحة اليوم حملة وطنية للتطعيم في المدارس الابتدائية، تستهدف نحو مليون تلميذ في جميع"
            " المحافظات، وتستمر ثلاثة أسابيع بالتعاون مع وزارة التربية.",
            "وقال مدير الرعاية الصحية الأولية إن فرقا طبية متنقلة ستزور المدارس وفق جدول معلن، وإن اللقاحات"
            " المستخدمة آمنة ومجانية، داعيا الأهالي إلى التعاون مع الفرق وتسليم بطاقات التطعيم.",
            "وأضاف أن الحملة تشمل أيضا فحصا للنظر والأسنان، وتوعية التلاميذ بأهمية غسل اليدين والتغذية"
            " السليمة، مع تسجيل البيانات في منظومة إلكترونية تتابع كل طفل.",
            "وأشار إلى أن نسبة التغطية في الحملة السابقة تجاوزت تسعين بالمئة، وأن الوزارة تسعى هذا العام إلى"
            " بلوغ التغطية الكاملة.",
        ),
        ("المحافظات", "اللقاحات", "الكاملة"),
    ),
    "gold": Story(
        "ارتفاع أسعار الذهب في الأسواق المحلية مع تراجع سعر الصرف",
        (
            "ارتفعت أسعار الذهب في الأسواق المحلية خلال تعاملات اليوم، متأثرة بتراجع سعر صرف العملة الوطنية"
            " أمام الدولار وارتفاع الأسعار في البورصات العالمية.",
            "وقال رئيس شعبة الذهب في الغرفة التجارية إن حركة البيع والشراء شهدت نشاطا ملحوظا، إذ اتجه كثير"
            " من المدخرين إلى شراء السبائك والجنيهات الذهبية بوصفها ملاذا آمنا.",
            "وأضاف أن الطلب على المشغولات الذهبية تراجع في المقابل، بسبب ارتفاع كلفة المصنعية، متوقعا أن تستمر"
            " الأسعار في الصعود خلال الأسابيع المقبلة إذا بقيت الظروف على حالها.",
            "ونصح خبراء اقتصاديون صغار المستثمرين بعدم الاندفاع في الشراء عند القمم السعرية، وتوزيع المدخرات"
            " على أكثر من وعاء.",
        ),
        ("البورصات", "السبائك", "وعاء"),
    ),
    "heat": Story(
        "الأرصاد الجوية تحذر من موجة حر تضرب المناطق الساحلية",
        (
            "حذرت هيئة الأرصاد الجوية من موجة حر شديدة تضرب المناطق الساحلية اعتبارا من يوم غد، وتستمر حتى"
            " نهاية الأسبوع، مع درجات حرارة تتجاوز المعدلات الطبيعية بست درجات.",
            "ودعت الهيئة في نشرتها الصباحية المواطنين إلى تجنب التعرض المباشر لأشعة الشمس في ساعات الظهيرة،"
            " والإكثار من شرب الماء، والاهتمام بكبار السن والأطفال والمرضى.",
            "وأوضحت أن نسبة الرطوبة سترتفع على الشريط الساحلي، ما يزيد الإحساس بالحرارة، بينما تنشط رياح"
            " جافة في المناطق الداخلية وقد تثير الغبار على الطرق الصحراوية.",
            "وأعلنت شركة الكهرباء حالة الطوارئ في محطات التوليد، تحسبا لارتفاع الأحمال خلال أيام الموجة.",
        ),
        ("اعتبارا", "الظهيرة", "الأحمال"),
    ),
    "old_markets": Story(
        "بلدية العاصمة تبدأ أعمال ترميم الأسواق القديمة",
        (
            "بدأت بلدية العاصمة أعمال ترميم الأسواق القديمة في وسط المدينة، ضمن مشروع يمتد عامين ويهدف إلى"
            " الحفاظ على الطابع التراثي للمباني وتحسين البنية التحتية للمحلات.",
            "وقال مهندس المشروع إن الأعمال تشمل تجديد الأسقف الخشبية والأقواس الحجرية، واستبدال شبكات"
            " الكهرباء والمياه القديمة، وإعادة رصف الممرات بالحجر المحلي.",
            "وأكد أن التجار لن يضطروا إلى إغلاق محلاتهم، إذ ستنفذ الأعمال على مراحل، كل مرحلة في جزء محدد من"
            " السوق، مع ترك ممرات آمنة للزوار والمتسوقين.",
            "ويعد السوق القديم من أبرز المعالم السياحية في العاصمة، ويقصده آلاف الزوار أسبوعيا لشراء الحرف"
            " اليدوية والتوابل والأقمشة.",
        ),
        ("التراثي", "الخشبية", "والأقمشة"),
    ),
    "admissions": Story(
        "جامعة الشمال تعلن نتائج القبول للعام الدراسي الجديد",
        (
            "أعلنت جامعة الشمال نتائج القبول للعام الدراسي الجديد، بعد أن تقدم إلى كلياتها أكثر من خمسة عشر"
            " ألف طالب وطالبة للتنافس على ستة آلاف مقعد.",
            "وقال رئيس الجامعة إن كليات الطب والهندسة وتقنية المعلومات سجلت أعلى معدلات القبول، وإن الجامعة"
            " استحدثت هذا العام تخصصين جديدين في الطاقة المتجددة وعلوم البيانات.",
            "ودعا الطلاب المقبولين إلى استكمال إجراءات التسجيل عبر البوابة الإلكترونية خلال أسبوعين، محذرا من"
            " أن المقاعد غير المؤكدة ستمنح للطلاب على قوائم الانتظار.",
            "وأشار إلى أن الجامعة خصصت منحا دراسية للمتفوقين ولأبناء الأسر محدودة الدخل، تغطي الرسوم كاملة"
            " طوال سنوات الدراسة.",
        ),
        ("كلياتها", "المتجددة", "الرسوم"),
    ),
    "football": Story(
        "الفريق الوطني يتأهل إلى نهائي بطولة كأس العرب للشباب",
        (
            "تأهل الفريق الوطني للشباب إلى المباراة النهائية في بطولة كأس العرب، بعد فوزه في نصف النهائي"
            " بهدفين مقابل هدف واحد في مباراة مثيرة أقيمت مساء أمس.",
            "وسجل المهاجم الشاب هدف الفوز في الدقائق الأخيرة من اللقاء، بعد تمريرة متقنة من لاعب الوسط،"
            " لتنطلق احتفالات الجماهير في المدرجات وفي شوارع المدن.",
            "وقال المدرب في المؤتمر الصحفي عقب المباراة إن لاعبيه قدموا أداء بطوليا رغم الإرهاق، وإن الفريق"
            " سيستعد للنهائي بجدية كبيرة لأن المنافس يملك لاعبين مميزين.",
            "ويلتقي الفريق في النهائي يوم الجمعة المقبل، وسط توقعات بحضور جماهيري كبير في الملعب.",
        ),
        ("بهدفين", "تمريرة", "الملعب"),
    ),
    "vegetables": Story(
        "انخفاض ملحوظ في أسعار الخضروات بعد وفرة المحصول",
        (
            "شهدت أسواق الجملة انخفاضا ملحوظا في أسعار الخضروات خلال الأسبوع الجاري، بعد وفرة المحصول ودخول"
            " كميات كبيرة من الطماطم والبطاطا والخيار من المزارع المحلية.",
            "وقال تجار في سوق الجملة المركزي إن سعر صندوق الطماطم تراجع إلى النصف تقريبا مقارنة بالشهر"
            " الماضي، وإن الإقبال على الشراء ارتفع مع اقتراب موسم التخزين.",
            "في المقابل، اشتكى مزارعون من أن الأسعار الحالية لا تغطي كلفة الإنتاج والنقل، وطالبوا الحكومة"
            " بفتح أسواق للتصدير وتشجيع مصانع التعليب على شراء الفائض.",
            "وتوقعت وزارة الزراعة أن تستقر الأسعار مع نهاية الشهر، بعد انتهاء ذروة الإنتاج في المناطق الساحلية.",
        ),
        ("والبطاطا", "صندوق", "ذروة"),
    ),
}


# --- HTML -----------------------------------------------------------------------


def charset_meta(charset: str | None, http_equiv: bool = False) -> str:
    if charset is None:
        return ""
    if http_equiv:
        return f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
    return f'<meta charset="{charset}">\n'


def article_page(story: Story, head_extra: str = "", body: str | None = None) -> str:
    """A plain, well-formed article page; ``body`` replaces the default <body> content."""
    paragraphs = "\n".join(f"<p>{text}</p>" for text in story.paragraphs)
    if body is None:
        body = (
            f'<header class="site-header"><a href="/">{SITE_NAME}</a></header>\n'
            f'<main><article>\n<h1>{story.title}</h1>\n<div class="article-body">\n{paragraphs}\n</div>\n'
            f"</article></main>\n"
            f'<footer><p>جميع الحقوق محفوظة لموقع {SITE_NAME}</p></footer>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n'
        f"{head_extra}"
        f"<title>{story.title}</title>\n"
        '<meta property="og:type" content="article">\n'
        f"<meta name=\"description\" content=\"{story.paragraphs[0][:120]}\">\n"
        "</head>\n<body>\n"
        f"{body}\n"
        "</body>\n</html>\n"
    )


def unclosed_tags_page(story: Story) -> str:
    """No </p>, </div>, </article>, </body> or </html>; stray closers and unquoted attributes."""
    paragraphs = "\n".join(f"<p class=lead>{text}" for text in story.paragraphs)
    return (
        '<!DOCTYPE html>\n<html lang=ar dir=rtl>\n<head>\n<meta charset=utf-8>\n'
        f"<title>{story.title}\n</title>\n"
        '<meta property="og:type" content="article">\n'
        "<body>\n"
        f"<div class=header><span><b>{SITE_NAME}</div>\n"
        f"<article><h1>{story.title}\n"
        f"</i></span><div class=article-body>\n{paragraphs}\n"
        "<div class=footer><p>جميع الحقوق محفوظة\n"
    )


def table_layout_page(story: Story) -> str:
    """The old portal layout: everything, the article included, in nested layout tables."""
    paragraphs = "\n".join(f"<p>{text}</p>" for text in story.paragraphs)
    body = (
        '<table width="100%" border="0" cellpadding="0" cellspacing="0">\n'
        f'<tr><td colspan="2" class="banner">{SITE_NAME}</td></tr>\n'
        '<tr><td width="20%" class="side"><a href="/">الرئيسية</a></td>\n'
        '<td class="content"><table width="100%"><tr><td>\n'
        f'<h1>{story.title}</h1>\n{paragraphs}\n'
        "</td></tr></table></td></tr>\n"
        f'<tr><td colspan="2">جميع الحقوق محفوظة لموقع {SITE_NAME}</td></tr>\n'
        "</table>"
    )
    return article_page(story, '<meta charset="utf-8">\n', body)


def nul_byte_page(story: Story) -> bytes:
    """A UTF-8 page with NUL bytes in the head, before a word and between paragraphs."""
    page = article_page(story, '<meta charset="utf-8">\n').encode("utf-8")
    page = page.replace(b"<title>", b"\x00<title>", 1)
    first_word = story.paragraphs[1].split()[0].encode("utf-8")
    page = page.replace(b"<p>" + first_word, b"<p>\x00" + first_word, 1)
    return page.replace(b"</p>\n<p>", b"</p>\x00\n<p>", 1)


# --- Not HTML -------------------------------------------------------------------


def tiny_pdf() -> bytes:
    """A valid one-page PDF (offsets computed), as servers send for press releases."""
    content = b"BT /F1 12 Tf 20 100 Td (PDF) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def tiny_png() -> bytes:
    """A valid 2x2 red PNG."""
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2)), 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def json_document(story: Story) -> str:
    """An API answer holding a whole story: still not a page to extract."""
    return json.dumps({"title": story.title, "body": list(story.paragraphs)}, ensure_ascii=False, indent=2) + "\n"


# --- Size -----------------------------------------------------------------------


def big_page(story: Story, size: int) -> str:
    """A real article padded with an HTML comment (as inline SVG or state blobs do) to ``size`` bytes."""
    page = article_page(story, '<meta charset="utf-8">\n')
    padding = size - len(page.encode("utf-8"))
    filler = ("<!-- " + "x" * max(padding - 9, 0) + " -->\n") if padding > 0 else ""
    return page.replace("</body>", filler + "</body>", 1)


def gzip_bomb(inflated_size: int) -> bytes:
    """Gzip of an HTML page that is mostly spaces: tiny on the wire, ``inflated_size`` once inflated."""
    head = b"<!DOCTYPE html><html><head><title>bomb</title></head><body>"
    tail = b"</body></html>"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * (1024 * 1024)
    parts = [compressor.compress(head)]
    remaining = inflated_size - len(head) - len(tail)
    while remaining > 0:
        parts.append(compressor.compress(chunk[: min(remaining, len(chunk))]))
        remaining -= len(chunk)
    parts.append(compressor.compress(tail))
    parts.append(compressor.flush())
    return b"".join(parts)


# --- Sitemaps and feeds ---------------------------------------------------------

SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def url_entry(path: str, extra: str = "") -> str:
    return f"  <url>\n    <loc>{BASE}{path}</loc>\n{extra}  </url>\n"


def sitemap(paths: list[str]) -> str:
    entries = "".join(url_entry(path) for path in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {SITEMAP_NS}>\n{entries}</urlset>\n'


def billion_laughs_sitemap(readable_path: str) -> str:
    """Nine nested entities (a billion "lol"s) used in an entry, then one readable entry."""
    entities = ['  <!ENTITY lol0 "lol">']
    entities += [f'  <!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, LAUGH_LEVELS + 1)]
    dtd = "<!DOCTYPE urlset [\n" + "\n".join(entities) + "\n]>\n"
    bomb_entry = (
        f"  <url>\n    <loc>{BASE}/discovery/&lol{LAUGH_LEVELS};.html</loc>\n"
        f"    <news:news><news:title>&lol{LAUGH_LEVELS};</news:title></news:news>\n  </url>\n"
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{dtd}<urlset {SITEMAP_NS} {NEWS_NS}>\n'
        f"{bomb_entry}{url_entry(readable_path)}</urlset>\n"
    )


def bad_entity_sitemap(paths: list[str]) -> str:
    """HTML entities, an undefined entity and a bare "&" before and between good entries."""
    first, second, third = paths
    news = "    <news:news><news:title>{}</news:title></news:news>\n"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {SITEMAP_NS} {NEWS_NS}>\n'
        + url_entry(first, news.format("خبر&nbsp;عاجل &copy; الموقع"))
        + url_entry(second + "?id=7&amp;ref=home&section=local")
        + url_entry(third, news.format("عنوان &undefinedentity; آخر"))
        + "</urlset>\n"
    )


def truncated_gzip(document: str) -> bytes:
    """A gzipped sitemap cut off two thirds of the way, as an interrupted upload leaves it."""
    data = gzip.compress(document.encode("utf-8"), mtime=0)
    return data[: len(data) * 2 // 3]


def broken_feed(good: list[tuple[str, Story]], broken: tuple[str, Story]) -> str:
    """An RSS feed: two good items, then one with an unclosed element and a bare "&", cut off."""
    items = "".join(
        f"  <item>\n    <title>{story.title}</title>\n    <link>{BASE}{path}</link>\n"
        f"    <pubDate>Mon, 02 Jun 2025 08:00:00 +0300</pubDate>\n  </item>\n"
        for path, story in good
    )
    path, story = broken
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        f"  <title>{SITE_NAME}</title>\n  <link>{BASE}/</link>\n  <description>آخر الأخبار</description>\n"
        f"{items}"
        f"  <item>\n    <title>{story.title} & <b>عاجل</title>\n    <link>{BASE}{path}</link>\n"
        "    <description>نص غير مكتمل"
    )


# --- The site -------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One fixture file: its bytes, the headers to serve it with, and the story it must yield."""

    path: str
    content: bytes
    headers: dict | None = None
    story: str | None = None


def encoded_article(key: str, encoding: str, head_extra: str = "", bom: bytes = b"") -> bytes:
    return bom + article_page(STORIES[key], head_extra).encode(encoding)


def charset_pages() -> list[Page]:
    html_without_charset = {"Content-Type": "text/html"}
    return [
        Page("/charset/header-only.html", encoded_article("buses", "cp1256"),
             {"Content-Type": "text/html; charset=windows-1256"}, "buses"),
        Page("/charset/meta-only.html", encoded_article("book_fair", "cp1256", charset_meta("windows-1256")),
             html_without_charset, "book_fair"),
        Page("/charset/meta-http-equiv.html",
             encoded_article("gold", "cp1256", charset_meta("windows-1256", http_equiv=True)),
             html_without_charset, "gold"),
        Page("/charset/undeclared.html", encoded_article("wheat", "cp1256"), html_without_charset, "wheat"),
        Page("/charset/iso-8859-6.html", encoded_article("vaccination", "iso-8859-6"),
             {"Content-Type": "text/html; charset=iso-8859-6"}, "vaccination"),
        Page("/charset/utf8-bom.html", encoded_article("old_markets", "utf-8", bom=UTF8_BOM),
             html_without_charset, "old_markets"),
        Page("/charset/header-vs-meta.html", encoded_article("heat", "cp1256", charset_meta("utf-8")),
             {"Content-Type": "text/html; charset=windows-1256"}, "heat"),
    ]


def malformed_pages() -> list[Page]:
    return [
        Page("/malformed/unclosed-tags.html", unclosed_tags_page(STORIES["admissions"]).encode("utf-8"),
             story="admissions"),
        Page("/malformed/table-layout.html", table_layout_page(STORIES["football"]).encode("utf-8"),
             story="football"),
        Page("/malformed/nul-bytes.html", nul_byte_page(STORIES["vegetables"]), story="vegetables"),
    ]


def not_html_pages() -> list[Page]:
    return [
        Page("/not-html/empty.html", b""),
        Page("/not-html/statement.pdf", tiny_pdf()),
        Page("/not-html/photo.png", tiny_png()),
        Page("/not-html/story.json", json_document(STORIES["buses"]).encode("utf-8")),
        Page("/not-html/image-as-html.html", tiny_png(), {"Content-Type": "text/html; charset=utf-8"}),
    ]


def size_pages() -> list[Page]:
    return [
        Page("/size/normal.html", article_page(STORIES["buses"], '<meta charset="utf-8">\n').encode("utf-8"),
             story="buses"),
        Page("/size/too-big.html", big_page(STORIES["book_fair"], BIG_PAGE_BYTES).encode("utf-8")),
        Page("/size/gzip-bomb.html", gzip_bomb(BOMB_INFLATED_BYTES),
             {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}),
    ]


def utf8_article(path: str, key: str) -> Page:
    return Page(path, article_page(STORIES[key], '<meta charset="utf-8">\n').encode("utf-8"), story=key)


def discovery_pages() -> list[Page]:
    entity_pages = [
        utf8_article("/discovery/entity-first.html", "vaccination"),
        utf8_article("/discovery/entity-second.html", "gold"),
        utf8_article("/discovery/entity-third.html", "heat"),
    ]
    feed_pages = [
        utf8_article("/discovery/feed-first.html", "old_markets"),
        utf8_article("/discovery/feed-second.html", "admissions"),
    ]
    gz_pages = [
        utf8_article("/discovery/gz-first.html", "football"),
        utf8_article("/discovery/gz-second.html", "vegetables"),
    ]
    laughs_page = utf8_article("/discovery/after-laughs.html", "wheat")
    broken_item = ("/discovery/feed-broken-item.html", STORIES["book_fair"])
    documents = [
        Page("/discovery/billion-laughs.xml", billion_laughs_sitemap(laughs_page.path).encode("utf-8")),
        Page("/discovery/bad-entities.xml", bad_entity_sitemap([p.path for p in entity_pages]).encode("utf-8")),
        Page("/discovery/truncated.xml.gz", truncated_gzip(sitemap([p.path for p in gz_pages]))),
        Page("/discovery/broken.rss",
             broken_feed([(p.path, STORIES[p.story]) for p in feed_pages], broken_item).encode("utf-8"),
             {"Content-Type": "application/rss+xml; charset=utf-8"}),
    ]
    broken_page = utf8_article(broken_item[0], "book_fair")
    return [*documents, *entity_pages, *feed_pages, *gz_pages, laughs_page, broken_page]


def redirect(to_path: str, status: int = 302) -> dict:
    return {"_status": status, "Location": f"{BASE}{to_path}"}


HTTP_STATUS_PATHS = {
    "/http/gone.html": 410,
    "/http/server-error.html": 500,
    "/http/unavailable.html": 503,
}


def http_pages() -> list[Page]:
    """Paths with a status and no file are described in ``_headers.json`` only (empty content)."""
    unavailable = {"_status": 503, "Retry-After": "1", "Content-Type": "text/html; charset=utf-8"}
    return [
        utf8_article("/http/ok.html", "wheat"),
        Page("/http/gone.html", b"", {"_status": 410}),
        Page("/http/server-error.html", b"", {"_status": 500}),
        Page("/http/unavailable.html", b"", unavailable),
        Page("/http/loop-a.html", b"", redirect("/http/loop-b.html")),
        Page("/http/loop-b.html", b"", redirect("/http/loop-a.html")),
        Page("/http/self-loop.html", b"", redirect("/http/self-loop.html", 301)),
    ]


HTTP_SITEMAP_PATHS = [
    "/http/ok.html",
    "/http/missing.html",  # no file and no override: the server's own 404
    "/http/gone.html",
    "/http/server-error.html",
    "/http/unavailable.html",
    "/http/loop-a.html",
    "/http/self-loop.html",
]

ROBOTS = "User-agent: *\nAllow: /\n"


def all_pages() -> list[Page]:
    pages = [*charset_pages(), *malformed_pages(), *not_html_pages(), *size_pages(), *discovery_pages()]
    pages += http_pages()
    pages += [
        Page("/charset-sitemap.xml", sitemap([p.path for p in charset_pages()]).encode("utf-8")),
        Page("/not-html-sitemap.xml", sitemap([p.path for p in not_html_pages()]).encode("utf-8")),
        Page("/size-sitemap.xml", sitemap([p.path for p in size_pages()]).encode("utf-8")),
        Page("/http-sitemap.xml", sitemap(HTTP_SITEMAP_PATHS).encode("utf-8")),
        Page("/robots.txt", ROBOTS.encode("ascii")),
    ]
    return pages


def check_stories_fit_iso_8859_6() -> None:
    """Fail loudly when a story gains a character ISO-8859-6 (and so windows-1256) lacks."""
    for key, story in STORIES.items():
        for text in (story.title, *story.paragraphs):
            text.encode("iso-8859-6")
        missing = [word for word in story.words if word not in " ".join(story.paragraphs)]
        if missing:
            raise ValueError(f"story {key}: sample words not in its text: {missing}")


def build(root: Path = SITE_ROOT) -> None:
    check_stories_fit_iso_8859_6()
    headers: dict[str, dict] = {}
    written = 0
    for page in all_pages():
        key = page.path.lstrip("/")
        if page.headers:
            headers[key] = page.headers
        if page.headers and "_status" in page.headers:
            continue  # served from _headers.json alone
        target = root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.content)
        written += 1
    (root / "_headers.json").write_text(json.dumps(headers, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    logger.info("wrote %d files and %d header overrides to %s", written, len(headers), root)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    build()
