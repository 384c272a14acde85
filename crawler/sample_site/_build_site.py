"""Regenerate the sample news site and its truth files from the content below.

Run ``python crawler/sample_site/_build_site.py`` after changing a story or a
template: it rewrites every page, the sitemap, the feeds, ``_headers.json``,
``_expected.json`` and ``_widgets.txt`` so that they always agree.

The site is one fictional outlet, "صدى الأخبار", whose pages come in three
templates, as on real outlets that migrated sections over the years:

- ``portal``: a classic Arabic news portal (share/counter bar, video player,
  "إخترنا لك" and "أخبار ذات صلة" boxes, comment counter) -- seed 1's chrome;
- ``wordpress``: an auto-posting WordPress blog with ``[ad_1]``/``[ad_2]``
  shortcodes, an app promotion inside the body and a trailing source link --
  seed 2's chrome;
- ``modern``: a current responsive template with an inline "read also" block,
  in Arabic, English and Persian.

Files starting with ``_`` are never served by ``crawler.local_site``.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

logger = logging.getLogger(__name__)

SITE_ROOT = Path(__file__).resolve().parent
SITE_NAME = "صدى الأخبار"
SITE_SLOGAN = "أخبار العالم العربي والدولي على مدار الساعة"
TITLE_SEPARATOR = " | "
BASE = "{{BASE_URL}}"
ZWNJ_MARK = "~"  # written in the Persian text for the zero-width non-joiner

# Seed widget lines, verbatim: they must never reach extracted text.
SEED_WIDGETS = (
    "24 0 تعليق ارسل طباعة تبليغ حذف",
    "play icon",
    "علما روسيا والولايات المتحدة. (رويترز)",
    "إخترنا لك",
    "أخبار ذات صلة",
    "0 تعليق",
    "[ad_1]",
    "جديد",
    "تطبيق Le Monde",
    "احصل على أقصى استفادة من تجربتك: قم بتنزيل التطبيق للاستمتاع بـ Le Monde باللغة الإنجليزية في أي مكان ، في أي وقت",
    "تحميل",
    "أعد استخدام هذا المحتوى",
    "[ad_2]",
    "المصدر",
)

COOKIE_TEXT = (
    "نستخدم ملفات تعريف الارتباط (الكوكيز) لتحسين تجربتك على موقعنا وتحليل حركة الزيارات. "
    "بمواصلة التصفح فإنك توافق على سياسة الخصوصية الخاصة بنا."
)
COPYRIGHT = "© 2025 صدى الأخبار. جميع الحقوق محفوظة."
NEWSLETTER_TEXT = "اشترك ليصلك موجز أهم الأخبار صباح كل يوم على بريدك الإلكتروني."
COMMENTS_POLICY = "التعليقات المنشورة لا تعبّر عن رأي الموقع، ويُحذف كل تعليق يتضمن إساءة أو تحريضاً."

SECTIONS = {
    "politics": "سياسة",
    "economy": "اقتصاد",
    "society": "مجتمع",
}


@dataclass
class Story:
    key: str
    path: str
    template: str
    lang: str
    title: str
    description: str
    section: str
    date_line: str
    published: str  # ISO date of publication: the truth
    published_at: str | None  # machine-readable timestamp in the page, if any
    author: str  # the byline as the page shows it
    body: str  # one block a line: "## " = <h2>, "@@name" = an inline widget
    image: str
    image_alt: str
    caption: str = ""
    subsection: str = ""
    keywords: tuple[str, ...] = ()
    json_ld: bool = False
    encoding: str = "utf-8"
    views: int = 0
    comments: tuple[tuple[str, str], ...] = ()
    video: bool = False
    # The time the date line shows, for the sitemap and feeds of pages that
    # carry no machine-readable date themselves.
    listed_at: str | None = None
    widgets: list[str] = field(default_factory=list)
    # The people the byline names (no dateline place, no newsroom): the item's authors.
    people: tuple[str, ...] = ()

    @property
    def blocks(self) -> list[str]:
        return [line.strip() for line in self.body.strip().splitlines() if line.strip()]

    @property
    def text_blocks(self) -> list[str]:
        return [block.removeprefix("## ") for block in self.blocks if not block.startswith("@@")]

    @property
    def expected_text(self) -> str:
        return "\n\n".join(self.text_blocks)

    @property
    def kind(self) -> str:
        return "article" if self.lang == "ar" else "non_arabic"


# --- The stories ---------------------------------------------------------------

SEED1_BODY = """
أجرى وفدان روسي وأميركي الخميس محادثات في اسطنبول بشأن استئناف عمل سفارتيهما في خضم تقارب بين موسكو وواشنطن.
وأعلنت الولايات المتحدة أنّها جدّدت لروسيا قلقها بشأن طاقم سفارتها في موسكو لجهة عدم السماح للموظّفين المحلّيين بالعمل فيها.
وأكّدت وزارة الخارجية الأميركية في بيان عقب المباحثات، أن الطرفين أنجزا رسمياً اتّفاقاً بشأن حصول ديبلوماسيي البلدين على الخدمات المصرفية، على رغم العقوبات الأميركية على روسيا.
وغادر الوفد الأميركي برئاسة نائبة مساعد وزير الخارجية سوناتا كولتر القنصلية العامة الروسية، وفق ما أفاد صحافي في وكالة "فرانس برس" كان موجوداً خارج المبنى.
وذكرت وكالة أنباء "ريا نوفوستي" الروسية أن المحادثات استمرت لنحو ست ساعات.
وقال المتحدّث باسم الرئاسة الروسية دميتري بيسكوف في وقت سابق الخميس خلال إيجازه الصحافي اليومي إن هذه المحادثات ستركز "حصراً على قضايا التسوية وتطبيع العلاقات الثنائية".
وأضاف أن "تسوية الوضع في أوكرانيا لن تُناقش خلال هذه المفاوضات".
وفي واشنطن، أفادت الناطقة باسم وزارة الخارجية الأميركية تامي بروس لصحافيين الثلاثاء بأن الجانبين "سيحاولان تحقيق تقدّم بشأن تعزيز استقرار عمليات بعثاتنا الثنائية".
وأضافت "لا توجد قضايا سياسية أو أمنية على جدول الأعمال، كما أن أوكرانيا ليست على جدول الأعمال أيضاً".
وترأس السفير الروسي الجديد لدى الولايات المتحدة ألكسندر دارشيف وفد بلاده في اسطنبول.
ووصل الوفدان إلى القنصلية العامة الروسية في إسطنبول قبل بدء هذه المناقشات التي عقدت خلف أبواب مغلقة، وفق ما أفاد صحافي في وكالة "فرانس برس."
وقال المبعوث الروسي إلى الولايات المتحدة ألكسندر دارشيف لصحافيين الأربعاء إن المحادثات ستركّز على "التخلّص من الإرث السام للإدارة الأميركية السابقة التي فرضت قيوداً صارمة على نشاطات البعثات الدبلوماسية الروسية".
وأدّى غزو روسيا لأوكرانيا في فبراير 2022 إلى تدهور العلاقات بين موسكو وواشنطن إلى أدنى مستوياتها منذ الحرب الباردة.
ومنذ عودة ترامب إلى البيت الأبيض، انخرط مسؤولون روس وأميركيون في محادثات بشأن مسائل مختلفة، بدءاً بالمفاوضات بشأن وقف لإطلاق النار في أوكرانيا واستعادة العلاقات الاقتصادية، وصولاً إلى مسائل تقنية مثل تلك المدرجة على جدول الأعمال الخميس.
وكان الجانبان يديران سفارتيهما بعدد محدود من الموظفين لسنوات بسبب عمليات الطرد المتبادلة لديبلوماسيين
"""

SEED2_BODY = """
التقى الدبلوماسيون الروسيون والأمريكيون في إسطنبول يوم الخميس 27 فبراير ، لمناقشة تطبيع تشغيل سفاراتهم بعد سنوات من طرد دبلوماسي بعضهم البعض.
وقال المتحدث باسم الكرملين ديمتري بيسكوف إن المحادثات اتبعت تفاهمًا تم التوصل إليه خلال دعوة الرئيس دونالد ترامب مع الرئيس الروسي فلاديمير بوتين والاتصال بين كبار الدبلوماسيين الروسيين والولايات المتحدة وغيرهم من المسؤولين في المملكة العربية السعودية.
في حديثه خلال اجتماع الخميس لخدمة الأمن الفيدرالية ، أشاد بوتين “براغماتية ورؤية واقعية” لإدارة ترامب “مقارنة بما وصفه بأنه” الصور النمطية والكليشيهات الإيديولوجية المسيحي “لأسلافها.
وقال بوتين “أول اتصالات مع الإدارة الأمريكية الجديدة تشجع بعض الآمال”. “هناك استعداد متبادل للعمل لاستعادة العلاقات وحل تدريجيا كمية هائلة من المشكلات الاستراتيجية النظامية في الهندسة المعمارية العالمية.”
قال بوتين إن “جزء من النخب الغربية لا يزال مصممًا على الحفاظ على عدم الاستقرار العالمي” ويمكن أن يحاول “تعطيل أو تعرض الحوار الذي بدأ” ، مضيفًا أن الدبلوماسيين الروس والوكالات الأمنية يجب أن يركزوا جهودهم على إحباط هذه المحاولات.
## “العودة إلى التواصل المتحضر”
في الرياض ، وافقت موسكو وواشنطن على البدء في العمل من أجل إنهاء الحرب في أوكرانيا وتحسين علاقاتهم الدبلوماسية والاقتصادية. ويشمل ذلك استعادة الموظفين في السفارات ، والتي في السنوات الأخيرة تعرضت للاضطراب بشدة بسبب عمليات الطرد المتبادل لأعداد كبيرة من الدبلوماسيين ، وإغلاق المكاتب ، وغيرها من القيود. أكد مسؤول في السفارة الأمريكية في أنقرة أن محادثات اسطنبول ركزت على القضايا التي تؤثر على تشغيل المهام الدبلوماسية المعنية.
في وقت لاحق من يوم الخميس ، قال متحدث باسم وزارة الخارجية الأمريكية: “أثارت الولايات المتحدة مخاوف بشأن الوصول إلى الخدمات المصرفية والتعاقد وكذلك الحاجة إلى ضمان مستويات التوظيف المستقرة والمستدامة في السفارة الأمريكية في موسكو. من خلال المناقشات البناءة ، حدد الجانبين الخطوات الأولية الملموسة لتثبيت عمليات المهمة الثنائية في هذه المناطق.”
لم يكن لدى موسكو أي تعليقات فورية بعد المفاوضات التي قالت وكالات الأخبار الروسية استمرت لأكثر من ست ساعات. وقالت فالنتينا ماتفيانكو ، رئيسة مجلس النواب البرلماني الروسي ، خلال زيارة إلى تركيا يوم الخميس إن محادثات الولايات المتحدة لروسيا يجب أن تساعد في استعادة “العمل الكامل لمهامنا الدبلوماسية”.
وقالت في أنقرة ، “أنا متأكد من أنه سيتم التوصل إلى الاتفاقات وسنعود إلى التواصل المتحضر ، الذي تعطلته الإدارة السابقة”.
## “استعادة العلاقات والحوار”
تراجعت العلاقات بين موسكو وواشنطن إلى أدنى مستوياتها منذ الحرب الباردة بعد ضم القرم في روسيا بشكل غير قانوني من أوكرانيا في عام 2014 وغزت أوكرانيا في عام 2022.
@@app_promo
لم يكن أي من المسؤولين الأوكرانيين حاضرين في محادثات الأسبوع الماضي. أصر الكرملين على أن الاجتماع كان حول استعادة العلاقات والحوار مع الولايات المتحدة ، وهو أمر قال إنه يمهد الطريق لمحادثات السلام في نهاية المطاف.
في حديثه خلال زيارة إلى قطر ، قال وزير الخارجية الروسي سيرجي لافروف إن المحادثات في إسطنبول ستسعى إلى حل “المشكلات النظامية التي تراكمت نتيجة للأنشطة غير القانونية للإدارة السابقة (الولايات المتحدة) لخلق عقبات مصطنعة في العمل في السفارة الروسية.
وأضاف لافروف أنه بناءً على نتائج الاجتماع ، “سيكون من الواضح مدى سرعة وفعالية يمكننا المضي قدمًا”.
"""

BEIRUT_BODY = """
أطلقت بلدية بيروت، أمس السبت، خطة طارئة لرفع النفايات المتراكمة وتنظيف مجاري تصريف مياه الأمطار في عدد من أحياء العاصمة، بعد العاصفة التي ضربت لبنان منذ مطلع الأسبوع وتسبّبت بتجمّع المياه في الطرق الرئيسية وتعطّل حركة السير لساعات.
وقال رئيس المجلس البلدي في مؤتمر صحافي عقده في القصر البلدي إن "الفرق الميدانية تعمل على مدار الساعة بالتنسيق مع الدفاع المدني ووزارة الأشغال العامة والنقل"، مشيراً إلى أن الأولوية هي لفتح الممرات المسدودة في الكرنتينا ومار مخايل والطريق الجديدة.
وأوضح أن البلدية رصدت اعتماداً استثنائياً بقيمة تقارب مليوني دولار لتغطية كلفة المعدّات والمحروقات واستئجار شاحنات إضافية، على أن تُراجَع عقود الكنس والجمع مع الشركة المشغّلة قبل نهاية الشهر الجاري.
وشكا سكان في محلة الكرنتينا من أن المياه دخلت إلى المحال التجارية والطبقات السفلية للمباني، فيما علقت سيارات عدة على الأوتوستراد الساحلي في الاتجاهين عند مدخل بيروت الشمالي.
وقال أحد أصحاب المحال في المنطقة: "كل شتوة منعيد القصة نفسها، الريغارات مسكّرة بالنفايات والمي بتطوف عالطريق، وما حدا بيتحرّك إلا بعد ما تصير الكارثة".
من جهتها، حذّرت مصلحة الأرصاد الجوية في المديرية العامة للطيران المدني من منخفض جوي جديد يبدأ تأثيره مساء الاثنين، مصحوب بأمطار غزيرة وثلوج على ارتفاع 1400 متر ورياح ناشطة قد تتجاوز سرعتها 70 كيلومتراً في الساعة.
ودعت وحدة إدارة مخاطر الكوارث في رئاسة مجلس الوزراء المواطنين إلى تجنّب التنقّل غير الضروري خلال ساعات الذروة، والابتعاد عن مجاري الأنهار والأودية، والإبلاغ عن أي انسداد في شبكات التصريف عبر الخط الساخن.
يُذكر أن أزمة النفايات في بيروت وجبل لبنان تتجدّد مع كل موسم أمطار، في ظل امتلاء المطامر الساحلية وتعثّر إقرار خطة وطنية مستدامة للإدارة المتكاملة للنفايات الصلبة منذ أزمة صيف عام 2015.
"""

TUNISIA_BODY = """
بلغت نسبة امتلاء السدود في تونس إلى حدود يوم الاثنين نحو 40.6 بالمائة من طاقة استيعابها الجملية، وهي أعلى نسبة تُسجَّل في مثل هذا التاريخ منذ ثلاث سنوات، وفق معطيات نشرها المرصد الوطني للفلاحة.
وأوضح المرصد أن المخزون العام للسدود بلغ حوالي 957 مليون متر مكعب، مقابل 735 مليون متر مكعب في التاريخ نفسه من السنة الفارطة، أي بزيادة تقارب 30 بالمائة، بفضل التساقطات الهامة التي شهدتها مناطق الشمال الغربي خلال شهري مارس وأفريل.
وسجّل سد سيدي سالم، أكبر سدود البلاد، ارتفاعاً ملحوظاً في مخزونه ليبلغ قرابة 300 مليون متر مكعب، فيما تجاوزت نسبة امتلاء سدود ولاية بنزرت 70 بالمائة، في حين بقيت سدود الوسط والوطن القبلي دون المعدّلات بسبب ضعف الإيرادات المائية.
@@read_also
وقال مسؤول بالإدارة العامة للسدود والأشغال المائية الكبرى إن "الوضعية تحسّنت نسبياً لكنها لا تسمح بعدُ بالحديث عن الخروج من دائرة الشحّ المائي"، داعياً إلى مواصلة ترشيد استهلاك المياه خاصة مع اقتراب فصل الصيف.
وكانت وزارة الفلاحة والموارد المائية والصيد البحري قد أقرّت منذ ربيع 2023 نظام حصص ظرفياً لتوزيع مياه الشرب، وحجّرت استعمال المياه الصالحة للشرب في ري المساحات الخضراء وغسل السيارات، وهي إجراءات لم تُرفع بعدُ.
ويأمل الفلاحون في ولايات الشمال أن تنعكس هذه التساقطات إيجاباً على صابة الحبوب لهذا الموسم، بعد موسمين صعبين اضطرت خلالهما البلاد إلى توريد كميات كبيرة من القمح لتغطية حاجياتها.
وأفاد عضو بالاتحاد التونسي للفلاحة والصيد البحري بأن "التقديرات الأولية تشير إلى صابة أفضل بكثير من السنة الماضية"، مشدّداً على ضرورة الإسراع في صيانة شبكات الري وتوفير البذور والأسمدة في الآجال.
"""

RIYADH_BODY = """
نبّه المركز الوطني للأرصاد من هبوب رياح نشطة مثيرة للأتربة والغبار على أجزاء من منطقتي الرياض والشرقية، تبدأ من الساعة العاشرة صباح اليوم الثلاثاء وتستمر حتى الساعة السادسة مساءً، مع انخفاض في مدى الرؤية الأفقية إلى أقل من ٣ كيلومترات.
وأوضح المركز في تنبيهه المتقدّم أن سرعة الرياح قد تصل إلى ٤٥ كيلومتراً في الساعة، وتشمل محافظات الخرج والمزاحمية والدوادمي وشقراء، إضافة إلى الدمام والأحساء وحفر الباطن.
وتوقّع أن تشهد أجزاء من منطقتي الحدود الشمالية والجوف انخفاضاً ملحوظاً في درجات الحرارة اعتباراً من مساء الغد، لتتراوح الصغرى بين ٦ و٩ درجات مئوية.
@@whatsapp_promo
ودعت المديرية العامة للدفاع المدني إلى أخذ الحيطة والحذر والابتعاد عن أماكن تجمّع الأتربة، واتباع إرشادات السلامة المعلنة عبر القنوات الرسمية، مؤكدة ضرورة إغلاق النوافذ وتجنّب خروج مرضى الربو والحساسية إلا للضرورة.
كما شدّدت الإدارة العامة للمرور على قائدي المركبات بضرورة خفض السرعة وترك مسافة أمان كافية، وتشغيل الأنوار الأمامية عند تدنّي الرؤية على الطرق السريعة.
وكان المركز قد توقّع في تقريره الموسمي أن يشهد شهر مارس الجاري نشاطاً في الرياح السطحية على معظم مناطق المملكة، بالتزامن مع مرحلة الانتقال من فصل الشتاء إلى فصل الربيع.
ويتزامن التنبيه مع الأيام الأولى من شهر رمضان المبارك، إذ ينصح الأطباء الصائمين المصابين بأمراض الجهاز التنفسي بتجنّب الخروج وقت اشتداد الرياح، والحرص على تناول أدويتهم بين الإفطار والسحور.
"""

ALGERIA_BODY = """
كشفت وزارة التربية الوطنية، أمس الأحد، عن الرزنامة الرسمية لامتحانات نهاية السنة الدراسية 2024-2025، حيث تقرّر إجراء امتحان شهادة التعليم المتوسط أيام 1 و2 و3 جوان، فيما تنطلق امتحانات شهادة البكالوريا يوم الأحد 15 جوان وتتواصل إلى غاية الخميس 19 جوان.
وأوضحت الوزارة في بيان نشرته على صفحتها الرسمية أن امتحان تقييم المكتسبات لمرحلة التعليم الابتدائي سيُجرى يوم 25 ماي، على أن تُعلن نتائج شهادة التعليم المتوسط قبل نهاية شهر جوان، ونتائج البكالوريا في النصف الأول من شهر جويلية.
وحدّد البيان آجال سحب الاستدعاءات عبر الموقع الإلكتروني للديوان الوطني للامتحانات والمسابقات ابتداءً من منتصف شهر ماي، داعياً المترشحين الأحرار إلى التأكد من صحة بياناتهم الشخصية قبل هذا التاريخ.
وأكدت الوزارة أنها اتخذت جملة من التدابير التنظيمية لضمان السير الحسن للامتحانات، من بينها تعزيز المراقبة داخل مراكز الإجراء وتأمين نقل المواضيع، إلى جانب تطبيق الإجراءات الردعية في حق كل من يثبت تورطه في الغش أو تسريب الأسئلة عبر مواقع التواصل الاجتماعي.
وفي السياق ذاته، دعت نقابات القطاع إلى الإسراع في استكمال البرامج الدراسية قبل نهاية الفصل الثالث، خاصة بالنسبة لأقسام الامتحانات، بعد التأخر الذي سجّلته بعض المؤسسات بسبب الاضطرابات الجوية خلال فصل الشتاء.
ويُنتظر أن يجتاز امتحان البكالوريا هذه السنة أكثر من 850 ألف مترشح، من بينهم نحو 330 ألف مترشح حرّ، بحسب تقديرات أولية للديوان.
من جهتهم، عبّر أولياء التلاميذ عن ارتياحهم لإعلان الرزنامة في وقت مبكّر، معتبرين أن ذلك يسمح للمترشحين بتنظيم مراجعتهم، لا سيما مع تزامن جزء من الفصل الثاني مع شهر رمضان.
"""

MOROCCO_BODY = """
Morocco is accelerating plans to build seawater desalination plants along its Atlantic and Mediterranean coasts as the country endures a seventh consecutive year of drought that has depleted its reservoirs and left many farmers without irrigation water.
Officials say the kingdom aims to produce about 1.7 billion cubic metres of desalinated water a year by 2030, up from roughly 320 million cubic metres today, enough to cover more than half of the population's drinking water needs.
The largest project, a plant near Casablanca, is expected to begin partial operations next year and will eventually produce 300 million cubic metres annually, making it one of the biggest facilities of its kind in Africa.
"We no longer have the luxury of waiting for the rain," a senior official at the water ministry told reporters in Rabat on Tuesday. "Every plant we bring online frees up dam water for agriculture and for the towns of the interior."
Reservoir levels stood at around 28 percent of capacity at the start of March, according to ministry figures, although heavy rainfall in the north in recent weeks has offered some relief.
Agriculture, which employs about a third of the workforce, has been hit particularly hard. Cereal harvests have fallen sharply, and authorities have restricted irrigation in several regions and closed public baths and car washes on some days of the week.
Environmental groups have welcomed the investment but warned that desalination is energy-intensive and produces brine that must be managed carefully to protect marine life. The government says the new plants will increasingly be powered by wind and solar energy.
Economists note that the cost of the programme, estimated at several billion dollars, will be shared between the state and private operators under long-term concession contracts, and that water tariffs may have to be reviewed.
For many farmers in the Souss plain, however, the new plants cannot come soon enough. "The wells are dry and the dam has not released water to us for two seasons," said a citrus grower near Taroudant.
"""

TEHRAN_BODY = """
به دنبال افزایش غلظت آلاینده~ها در هوای پایتخت، همه مدارس و دانشگاه~های استان تهران روز شنبه برای دومین روز پیاپی غیرحضوری شدند.
بر اساس اعلام شرکت کنترل کیفیت هوای تهران، شاخص کیفیت هوا در بیشتر ایستگاه~های سنجش شهر در وضعیت «ناسالم برای همه گروه~ها» قرار گرفت و میانگین آن به ۱۶۸ رسید.
کارگروه اضطرار آلودگی هوای استان تهران همچنین اعلام کرد که ادارات دولتی با حضور پنجاه درصد کارکنان فعالیت می~کنند و تردد کامیون~ها و خودروهای سنگین در محدوده شهر ممنوع است.
کارشناسان هواشناسی پایداری جو و وارونگی دما را عامل اصلی انباشت آلاینده~ها می~دانند و پیش~بینی کرده~اند که با ورود سامانه بارشی از روز دوشنبه، کیفیت هوا به تدریج بهبود یابد.
وزارت بهداشت از سالمندان، کودکان، زنان باردار و بیماران قلبی و تنفسی خواست از خروج غیرضروری از منزل خودداری کنند و در صورت لزوم از ماسک~های استاندارد استفاده کنند.
آلودگی هوا در ماه~های سرد سال به یکی از چالش~های همیشگی کلان~شهرهای ایران تبدیل شده است و منتقدان، کیفیت پایین سوخت، فرسودگی ناوگان حمل~ونقل عمومی و مصرف مازوت در نیروگاه~ها را از دلایل اصلی آن می~دانند.
"""


def persian(text: str) -> str:
    return text.replace(ZWNJ_MARK, "\u200c")


STORIES = [
    Story(
        key="us_russia_istanbul",
        path="/news/2025/02/27/us-russia-talks-istanbul.html",
        template="portal",
        lang="ar",
        title="اجتماع أميركي - روسي في إسطنبول... واشنطن تكشف عن 'اتّفاق'",
        description=(
            "أجرى وفدان روسي وأميركي محادثات في إسطنبول بشأن استئناف عمل سفارتيهما، وأعلنت واشنطن "
            "إنجاز اتفاق بشأن حصول ديبلوماسيي البلدين على الخدمات المصرفية."
        ),
        section="politics",
        subsection="عالم",
        date_line="27-02-2025 | 17:45",
        published="2025-02-27",
        published_at="2025-02-27T17:45:00+02:00",
        author="سارة منصور",
        people=("سارة منصور",),
        body=SEED1_BODY,
        image="russia-us-flags.svg",
        image_alt="علما روسيا والولايات المتحدة",
        caption="علما روسيا والولايات المتحدة. (رويترز)",
        keywords=("روسيا", "الولايات المتحدة", "إسطنبول", "السفارات", "دبلوماسية"),
        json_ld=True,
        views=24,
        video=True,
    ),
    Story(
        key="diplomats_embassies",
        path="/news/2025/02/28/russian-us-diplomats-embassies-istanbul.html",
        template="wordpress",
        lang="ar",
        title="دبلوماسيون روس وأميركيون يجتمعون في إسطنبول لتطبيع عمل سفارتي البلدين",
        description=(
            "التقى دبلوماسيون روس وأميركيون في إسطنبول لبحث تطبيع عمل سفارتي البلدين بعد سنوات من "
            "عمليات الطرد المتبادلة."
        ),
        section="politics",
        date_line="28 فبراير 2025",
        published="2025-02-28",
        published_at="2025-02-28T09:12:07+00:00",
        author="فريق التحرير",
        people=(),
        body=SEED2_BODY,
        image="istanbul-consulate.svg",
        image_alt="",
        keywords=("روسيا", "الولايات المتحدة", "الكرملين", "لافروف"),
    ),
    Story(
        key="beirut_storm",
        listed_at="2025-01-12T10:20:00+02:00",
        path="/news/2025/01/12/beirut-storm-emergency-plan.html",
        template="portal",
        lang="ar",
        title="بلدية بيروت تطلق خطة طارئة لرفع النفايات وتصريف مياه الأمطار بعد العاصفة",
        description=(
            "أطلقت بلدية بيروت خطة طارئة لرفع النفايات وتنظيف مجاري تصريف الأمطار بعد العاصفة التي "
            "ضربت لبنان، وسط تحذيرات من منخفض جوي جديد."
        ),
        section="politics",
        subsection="لبنان",
        date_line="الأحد 12 كانون الثاني 2025 | 10:20",
        published="2025-01-12",
        published_at=None,
        author="بيروت - رنا حداد",
        people=("رنا حداد",),
        body=BEIRUT_BODY,
        image="beirut-storm.svg",
        image_alt="سيارات عالقة في المياه",
        caption="سيارات عالقة في المياه على الأوتوستراد الساحلي عند مدخل بيروت الشمالي. (أرشيف)",
        keywords=("بيروت", "النفايات", "العاصفة", "الأرصاد الجوية"),
        views=157,
        comments=(
            ("أبو جورج", "كل سنة نفس القصة، وين صارت مصاري البلدية؟"),
            ("ريما ح.", "الله يعين أهل الكرنتينا، المي فاتت عالبيوت وما حدا سأل."),
            ("مواطن", "بدنا حلول جذرية مش خطط طوارئ كل شتوة."),
        ),
    ),
    Story(
        key="tunisia_dams",
        listed_at="2025-04-15T13:40:00+01:00",
        path="/news/2025/04/15/tunisia-dams-filling-rate.html",
        template="modern",
        lang="ar",
        title="نسبة امتلاء السدود التونسية تتجاوز 40 بالمائة لأول مرة منذ ثلاث سنوات",
        description=(
            "بلغت نسبة امتلاء السدود التونسية نحو 40.6 بالمائة، وهي الأعلى في مثل هذا التاريخ منذ "
            "ثلاث سنوات بفضل أمطار مارس وأفريل."
        ),
        section="economy",
        date_line="الثلاثاء 15 أفريل 2025 - 13:40",
        published="2025-04-15",
        published_at=None,
        author="منية بن عمر",
        people=("منية بن عمر",),
        body=TUNISIA_BODY,
        image="tunisia-dam.svg",
        image_alt="سد سيدي سالم",
        caption="سد سيدي سالم بولاية باجة، أكبر سدود البلاد. (أرشيف)",
        keywords=("تونس", "السدود", "الموارد المائية", "الفلاحة"),
    ),
    Story(
        key="riyadh_dust",
        listed_at="2025-03-11T09:30:00+03:00",
        path="/news/2025/03/11/dust-winds-riyadh-eastern-province.html",
        template="modern",
        lang="ar",
        title="«الأرصاد» تنبّه من رياح مثيرة للأتربة على الرياض والمنطقة الشرقية",
        description=(
            "نبّه المركز الوطني للأرصاد من رياح نشطة مثيرة للأتربة على أجزاء من منطقتي الرياض "
            "والشرقية مع تدنٍّ في مدى الرؤية الأفقية."
        ),
        section="society",
        date_line="الثلاثاء ١١ رمضان ١٤٤٦هـ - ١١ مارس ٢٠٢٥م - ٠٩:٣٠ ص",
        published="2025-03-11",
        published_at=None,
        author="الرياض - عبدالله العتيبي",
        people=("عبدالله العتيبي",),
        body=RIYADH_BODY,
        image="riyadh-dust.svg",
        image_alt="غبار فوق الرياض",
        caption="موجة غبار سابقة فوق العاصمة الرياض. (أرشيفية)",
        keywords=("الأرصاد", "الرياض", "الغبار", "الطقس"),
    ),
    Story(
        key="algeria_exams",
        path="/news/2025/03/03/algeria-exams-calendar.html",
        template="portal",
        lang="ar",
        title="وزارة التربية تكشف رزنامة امتحانات «البيام» و«الباك» لدورة 2025",
        description="حددت وزارة التربية الوطنية مواعيد امتحانات شهادة التعليم المتوسط والبكالوريا لدورة 2025.",
        section="society",
        subsection="تربية وتعليم",
        date_line="2025/03/03 - 11:05",
        published="2025-03-03",
        published_at="2025-03-03T11:05:00+01:00",
        author="كريمة بوزيد",
        people=("كريمة بوزيد",),
        body=ALGERIA_BODY,
        image="exams.svg",
        image_alt="تلاميذ في قاعة امتحان",
        caption="تلاميذ يجتازون امتحان شهادة البكالوريا في دورة سابقة. (أرشيف)",
        keywords=("البكالوريا", "التعليم المتوسط", "وزارة التربية", "الجزائر"),
        json_ld=True,
        encoding="windows-1256",
        views=89,
        comments=(("ولية تلميذ", "شكرا على الخبر، بالتوفيق لكل المترشحين إن شاء الله."),),
    ),
    Story(
        key="morocco_desalination",
        path="/en/news/2025/03/05/morocco-desalination-drought.html",
        template="modern",
        lang="en",
        title="Morocco races to expand desalination as drought enters seventh year",
        description=(
            "Morocco is accelerating plans to build seawater desalination plants as the country "
            "endures a seventh consecutive year of drought."
        ),
        section="economy",
        date_line="5 March 2025",
        published="2025-03-05",
        published_at="2025-03-05T08:30:00+00:00",
        author="Youssef El Amrani",
        people=("Youssef El Amrani",),
        body=MOROCCO_BODY,
        image="desalination.svg",
        image_alt="Desalination plant",
        caption="A desalination plant under construction on the Atlantic coast. (File photo)",
        keywords=("Morocco", "drought", "desalination", "water"),
        json_ld=True,
    ),
    Story(
        key="tehran_pollution",
        path="/fa/news/2025/03/08/tehran-air-pollution-schools.html",
        template="modern",
        lang="fa",
        title="آلودگی هوا مدارس تهران را برای دومین روز پیاپی تعطیل کرد",
        description=persian(
            "به دنبال افزایش غلظت آلاینده~ها، مدارس و دانشگاه~های استان تهران برای دومین روز پیاپی غیرحضوری شدند."
        ),
        section="society",
        date_line="شنبه ۱۸ اسفند ۱۴۰۳ - ۱۱:۲۰",
        published="2025-03-08",
        published_at="2025-03-08T11:20:00+03:30",
        author="مریم رضایی",
        people=("مریم رضایی",),
        body=persian(TEHRAN_BODY),
        image="tehran-smog.svg",
        image_alt="آسمان آلوده تهران",
        caption="نمایی از آسمان آلوده تهران. (عکس: آرشیو)",
        keywords=("تهران", "آلودگی هوا", "مدارس"),
    ),
]

STORY = {story.key: story for story in STORIES}
ARABIC_STORIES = [story for story in STORIES if story.lang == "ar"]
NEWEST_FIRST = sorted(ARABIC_STORIES, key=lambda story: story.published, reverse=True)

# Where each story is cross-promoted: (picked for you, related, most read).
PICKED = {
    "us_russia_istanbul": ("riyadh_dust", "tunisia_dams"),
    "beirut_storm": ("algeria_exams", "tunisia_dams"),
    "algeria_exams": ("riyadh_dust", "beirut_storm"),
}
RELATED = {
    "us_russia_istanbul": ("diplomats_embassies",),
    "beirut_storm": ("riyadh_dust",),
    "algeria_exams": ("tunisia_dams",),
    "tunisia_dams": ("beirut_storm", "riyadh_dust"),
    "riyadh_dust": ("beirut_storm",),
}
MOST_READ = ("us_russia_istanbul", "riyadh_dust", "beirut_storm", "algeria_exams", "tunisia_dams")
TICKER = ("tunisia_dams", "riyadh_dust")

LISTINGS = {
    "/section/politics.html": ("politics", 1, ("diplomats_embassies", "us_russia_istanbul")),
    "/section/politics-2.html": ("politics", 2, ("beirut_storm",)),
    "/section/economy.html": ("economy", 1, ("tunisia_dams", "morocco_desalination")),
    "/section/society.html": ("society", 1, ("riyadh_dust", "algeria_exams", "tehran_pollution")),
}


# --- Small HTML helpers ------------------------------------------------------------


def text(value: str) -> str:
    return html.escape(value, quote=False)


def attr(value: str) -> str:
    return html.escape(value, quote=True)


def absolute(path: str) -> str:
    return BASE + path


def arabic_date(iso_day: str) -> str:
    months = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
    year, month, day = iso_day.split("-")
    return f"{int(day)} {months[int(month) - 1]} {year}"


def comment_count_label(count: int) -> str:
    return f"{count} تعليق" if count < 3 or count > 10 else f"{count} تعليقات"


def teaser_list(keys, css_class: str = "teaser-list", with_image: bool = False) -> str:
    items = []
    for key in keys:
        story = STORY[key]
        lang = "" if story.lang == "ar" else f' lang="{story.lang}"'
        image = (
            f'<img src="/static/img/{story.image}" alt="" width="120" height="68" loading="lazy"> '
            if with_image
            else ""
        )
        items.append(f'<li{lang}><a href="{story.path}">{image}<span>{text(story.title)}</span></a></li>')
    return f'<ul class="{css_class}">\n' + "\n".join(items) + "\n</ul>"


def json_ld(story: Story) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": absolute(story.path)},
        "headline": story.title,
        "description": story.description,
        "image": [absolute(f"/static/img/{story.image}")],
        "datePublished": story.published_at,
        "dateModified": story.published_at,
        "inLanguage": story.lang,
        "articleSection": SECTIONS[story.section],
        "keywords": ", ".join(story.keywords),
        "author": [{"@type": "Person", "name": story.author}],
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "url": absolute("/"),
            "logo": {"@type": "ImageObject", "url": absolute("/static/img/logo.svg"), "width": 180, "height": 48},
        },
    }
    return (
        '<script type="application/ld+json">\n'
        + json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")
        + "\n</script>"
    )


OG_LOCALES = {"ar": "ar_AR", "en": "en_GB", "fa": "fa_IR"}


def head_meta(story: Story, og_title: str | None = None) -> str:
    lines = [
        f'<meta name="description" content="{attr(story.description)}">',
        f'<meta name="keywords" content="{attr(", ".join(story.keywords))}">',
        f'<link rel="canonical" href="{absolute(story.path)}">',
        f'<meta property="og:site_name" content="{attr(SITE_NAME)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{attr(og_title or story.title)}">',
        f'<meta property="og:description" content="{attr(story.description)}">',
        f'<meta property="og:url" content="{absolute(story.path)}">',
        f'<meta property="og:image" content="{absolute("/static/img/" + story.image)}">',
        f'<meta property="og:locale" content="{OG_LOCALES[story.lang]}">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:site" content="@sada_akhbar">',
    ]
    if story.published_at:
        lines.append(f'<meta property="article:published_time" content="{story.published_at}">')
        lines.append(f'<meta property="article:modified_time" content="{story.published_at}">')
    lines.append(f'<meta property="article:section" content="{attr(SECTIONS[story.section])}">')
    lines.extend(f'<meta property="article:tag" content="{attr(tag)}">' for tag in story.keywords)
    return "\n".join(lines)


def page_title(title: str) -> str:
    return text(title + TITLE_SEPARATOR + SITE_NAME)


ANALYTICS = (
    "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
    "gtag('js',new Date());gtag('config','G-SADA2025');</script>"
)

COOKIE_BANNER = f"""<div class="cookie-banner" id="cookie-banner" role="dialog" aria-live="polite">
<p>{text(COOKIE_TEXT)}</p>
<button type="button" class="cookie-accept">موافق</button> <button type="button" class="cookie-settings">إعدادات</button>
</div>"""

PORTAL_FOOTER = f"""<footer class="site-footer">
<div class="container">
<a class="footer-logo" href="/"><img src="/static/img/logo.svg" alt="{attr(SITE_NAME)}" width="140" height="38"></a>
<nav class="footer-nav" aria-label="روابط الأقسام">
<a href="/">الرئيسية</a> <a href="/section/politics.html">سياسة</a> <a href="/section/economy.html">اقتصاد</a> <a href="/section/society.html">مجتمع</a> <a href="/feed.xml">RSS</a>
</nav>
<p class="copyright">{text(COPYRIGHT)}</p>
</div>
</footer>
{COOKIE_BANNER}
<script src="/static/js/site.js" defer></script>"""


def portal_header(active: str) -> str:
    items = [("/", "الرئيسية", "home")] + [
        (f"/section/{slug}.html", name, slug) for slug, name in SECTIONS.items()
    ]
    active_class = ' class="active"'
    nav = "".join(
        f'<li{active_class if slug == active else ""}><a href="{href}">{text(name)}</a></li>'
        for href, name, slug in items
    )
    ticker = "".join(f'<li><a href="{STORY[key].path}">{text(STORY[key].title)}</a></li>' for key in TICKER)
    return f"""<div class="top-bar"><div class="container">
<span class="top-bar-label">تابعونا:</span> <a class="social" href="https://www.facebook.com/sadaakhbar" rel="noopener">فيسبوك</a> <a class="social" href="https://x.com/sada_akhbar" rel="noopener">إكس</a> <a class="social" href="https://www.youtube.com/@sadaakhbar" rel="noopener">يوتيوب</a> <a class="social" href="/feed.xml">RSS</a>
</div></div>
<header class="site-header"><div class="container">
<a class="logo" href="/"><img src="/static/img/logo.svg" alt="{attr(SITE_NAME)}" width="180" height="48"></a>
<nav class="main-nav" aria-label="القائمة الرئيسية"><ul>{nav}</ul></nav>
<form class="search" action="/search" method="get" role="search"><input type="search" name="q" placeholder="ابحث في الموقع" aria-label="ابحث في الموقع"><button type="submit">بحث</button></form>
</div></header>
<div class="ticker"><div class="container"><strong class="ticker-label">عاجل</strong><ul>{ticker}</ul></div></div>"""


def portal_sidebar() -> str:
    most_read = "".join(
        f'<li><a href="{STORY[key].path}">{text(STORY[key].title)}</a></li>' for key in MOST_READ
    )
    return f"""<aside class="sidebar">
<section class="box most-read"><h3 class="box-title">الأكثر قراءة</h3><ol>{most_read}</ol></section>
<section class="box newsletter"><h3 class="box-title">النشرة البريدية</h3><p>{text(NEWSLETTER_TEXT)}</p>
<form action="/newsletter" method="post"><input type="email" name="email" placeholder="بريدك الإلكتروني" aria-label="بريدك الإلكتروني"><button type="submit">اشترك</button></form></section>
<div class="ad-slot" id="div-gpt-ad-sidebar" data-ad-unit="sidebar_300x250"><span class="ad-label">إعلان</span></div>
</aside>"""


def breadcrumb_items(crumbs: list[tuple[str, str | None]]) -> str:
    items = []
    for position, (name, href) in enumerate(crumbs, start=1):
        inner = f'<a itemprop="item" href="{href}"><span itemprop="name">{text(name)}</span></a>' if href else f'<span itemprop="name">{text(name)}</span>'
        items.append(
            f'<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">{inner}'
            f'<meta itemprop="position" content="{position}"></li>'
        )
    return "".join(items)


# --- Template: portal ---------------------------------------------------------------


def render_portal(story: Story) -> str:
    comments_label = comment_count_label(len(story.comments))
    toolbar = (
        f'<span class="views-count" title="عدد المشاهدات">{story.views}</span> '
        f'<span class="comments-count"><a href="#comments">{comments_label}</a></span> '
        f'<a class="tool-send" href="mailto:?subject={attr(story.title)}">ارسل</a> '
        '<a class="tool-print" href="javascript:window.print()">طباعة</a> '
        '<button type="button" class="tool-report">تبليغ</button> '
        '<button type="button" class="tool-remove">حذف</button>'
    )
    toolbar_text = f"{story.views} {comments_label} ارسل طباعة تبليغ حذف"
    story.widgets += [toolbar_text, "إخترنا لك", "أخبار ذات صلة", comments_label, "الأكثر قراءة",
                      COOKIE_TEXT, NEWSLETTER_TEXT, COMMENTS_POLICY, "جميع الحقوق محفوظة", story.caption]
    video = ""
    if story.video:
        video = f"""<div class="article-video"><div class="video-player" data-video-id="v-{story.key}">
<div class="video-title">{text(story.title)}</div>
<img class="video-poster" src="/static/img/{story.image}" alt="" width="760" height="428">
<span class="play-icon" role="button">play icon</span>
</div></div>
"""
        story.widgets.append("play icon")
    crumbs = [("الرئيسية", "/"), (SECTIONS[story.section], f"/section/{story.section}.html")]
    if story.subsection:
        crumbs.append((story.subsection, None))
    comments = "\n".join(
        f'<li class="comment"><strong class="comment-author">{text(name)}</strong><p>{text(body)}</p></li>'
        for name, body in story.comments
    )
    story.widgets += [body for _name, body in story.comments]
    paragraphs = "\n".join(f"<p>{text(block)}</p>" for block in story.blocks)
    tags = " ".join(f'<span class="tag">{text(tag)}</span>' for tag in story.keywords)
    picked = teaser_list(PICKED[story.key], "teaser-grid", with_image=True)
    related = teaser_list(RELATED[story.key])
    promoted = PICKED[story.key] + RELATED[story.key] + MOST_READ + TICKER
    story.widgets += [STORY[key].title for key in promoted if key != story.key]
    charset = "utf-8" if story.encoding == "utf-8" else story.encoding
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{page_title(story.title)}</title>
{head_meta(story)}
<link rel="stylesheet" href="/static/css/site.css">
<link rel="alternate" type="application/rss+xml" title="{attr(SITE_NAME)} - آخر الأخبار" href="{absolute('/feed.xml')}">
<link rel="icon" href="/static/img/favicon.svg">
{json_ld(story) if story.json_ld else ""}
{ANALYTICS}
</head>
<body class="article-page section-{story.section}">
{portal_header(story.section)}
<main class="container layout">
<div class="main-column">
<nav class="breadcrumb" aria-label="مسار التنقل"><ol itemscope itemtype="https://schema.org/BreadcrumbList">{breadcrumb_items(crumbs)}</ol></nav>
<article class="article-full">
<h1 class="article-title">{text(story.title)}</h1>
<div class="article-meta"><span class="article-author">{text(story.author)}</span> <span class="article-date">{text(story.date_line)}</span></div>
<div class="article-toolbar">{toolbar}</div>
{video}<figure class="article-image"><img src="/static/img/{story.image}" alt="{attr(story.image_alt)}" width="760" height="428"><figcaption>{text(story.caption)}</figcaption></figure>
<div class="article-body" itemprop="articleBody">
{paragraphs}
</div>
<div class="article-tags"><span class="tags-label">الكلمات المفتاحية:</span> {tags}</div>
<section class="box picked-for-you"><h3 class="box-title">إخترنا لك</h3>
{picked}
</section>
<section class="box related-news"><h3 class="box-title">أخبار ذات صلة</h3>
{related}
</section>
<section class="comments" id="comments"><h3 class="comments-title">{comments_label}</h3>
<ul class="comment-list">{comments}</ul>
<form class="comment-form" action="/comments" method="post"><textarea name="comment" placeholder="أضف تعليقك" aria-label="أضف تعليقك"></textarea><button type="submit">إرسال</button></form>
<p class="comments-policy">{text(COMMENTS_POLICY)}</p>
</section>
</article>
</div>
{portal_sidebar()}
</main>
{PORTAL_FOOTER}
</body>
</html>
"""


# --- Template: WordPress auto-poster ------------------------------------------------------

APP_PROMO = """<section class="app-promo" data-promo="lmfr-app">
<span class="app-promo__badge">جديد</span>
<p class="app-promo__title">تطبيق Le Monde</p>
<p class="app-promo__text">احصل على أقصى استفادة من تجربتك: قم بتنزيل التطبيق للاستمتاع بـ Le Monde باللغة الإنجليزية في أي مكان ، في أي وقت</p>
<a class="app-promo__button" href="https://www.lemonde.fr/en/about-us/article/2023/04/04/download-the-le-monde-in-english-app_6021634_115.html" rel="nofollow noopener" target="_blank">تحميل</a>
</section>"""

SOURCE_URL = (
    "https://www.lemonde.fr/en/international/article/2025/02/27/"
    "russian-and-us-diplomats-meet-in-istanbul-to-discuss-embassy-operations_6738712_4.html"
)
WP_COMMENT_NOTES = "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *"


def render_wordpress(story: Story) -> str:
    body_parts = ["<p>[ad_1]<br>\n</p>"]
    for block in story.blocks:
        if block == "@@app_promo":
            body_parts.append(APP_PROMO)
        elif block.startswith("## "):
            body_parts.append(f"<h2>{text(block[3:])}</h2>")
        else:
            body_parts.append(f"<p>{text(block)}</p>")
    body_parts.append(
        f'<p><a class="article__reuse" href="https://www.lemonde.fr/en/syndication/" rel="nofollow">أعد استخدام هذا المحتوى</a></p>'
    )
    body_parts.append(f'<p>[ad_2]<br>\n<br><a href="{SOURCE_URL}" rel="nofollow noopener" target="_blank">المصدر</a></p>')
    share = (
        '<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">شارك هذا المقال:</h3><ul>'
        f'<li><a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php?u={absolute(story.path)}" rel="nofollow noopener" target="_blank">فيسبوك</a></li>'
        f'<li><a class="share-x" href="https://x.com/intent/post?url={absolute(story.path)}" rel="nofollow noopener" target="_blank">إكس</a></li>'
        f'<li><a class="share-whatsapp" href="https://wa.me/?text={absolute(story.path)}" rel="nofollow noopener" target="_blank">واتساب</a></li>'
        "</ul></div>"
    )
    related_keys = ("us_russia_istanbul", "beirut_storm")
    jetpack_related = (
        '<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>مقالات مشابهة</em></h3>'
        + teaser_list(related_keys, "jp-relatedposts-items")
        + "</div>"
    )
    body_parts += [share, jetpack_related]
    recent = teaser_list([s.key for s in NEWEST_FIRST if s.key != story.key][:4], "recent-posts")
    categories = "".join(
        f'<li class="cat-item"><a href="/section/{slug}.html">{text(name)}</a></li>' for slug, name in SECTIONS.items()
    )
    menu = "".join(
        f'<li class="menu-item"><a href="{href}">{text(name)}</a></li>'
        for href, name in [("/", "الرئيسية")] + [(f"/section/{s}.html", n) for s, n in SECTIONS.items()]
    )
    tags = "، ".join(f'<span rel="tag">{text(tag)}</span>' for tag in story.keywords)
    previous = STORY["us_russia_istanbul"]
    story.widgets += [
        "[ad_1]", "[ad_2]", "جديد", "تطبيق Le Monde", "تحميل", "أعد استخدام هذا المحتوى", "المصدر",
        "احصل على أقصى استفادة من تجربتك: قم بتنزيل التطبيق للاستمتاع بـ Le Monde باللغة الإنجليزية في أي مكان ، في أي وقت",
        "شارك هذا المقال:", "مقالات مشابهة", "أحدث المقالات", "اترك تعليقاً", WP_COMMENT_NOTES,
        COOKIE_TEXT, "المقال السابق", previous.title,
    ]
    body = "\n".join(body_parts)
    return f"""<!DOCTYPE html>
<html dir="rtl" lang="ar">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name='robots' content='index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1' />
<title>{page_title(story.title)}</title>
{head_meta(story, og_title=story.title + TITLE_SEPARATOR + SITE_NAME)}
<meta name="author" content="{attr(story.author)}">
<meta name="twitter:label1" content="كُتب بواسطة"><meta name="twitter:data1" content="{attr(story.author)}">
<meta name="twitter:label2" content="وقت القراءة المُقدّر"><meta name="twitter:data2" content="4 دقائق">
<link rel='stylesheet' id='theme-style-css' href='/static/css/site.css' media='all' />
<link rel="alternate" type="application/rss+xml" title="{attr(SITE_NAME)} &raquo; الخلاصة" href="{absolute('/feed.xml')}" />
<meta name="generator" content="WordPress 6.7.2" />
{ANALYTICS}
</head>
<body class="rtl post-template-default single single-post postid-18342 single-format-standard wp-embed-responsive">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">انتقل إلى المحتوى</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="/" rel="home">{text(SITE_NAME)}</a></p><p class="site-description">{text(SITE_SLOGAN)}</p></div>
<nav id="site-navigation" class="main-navigation"><button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">القائمة</button><div class="menu-main-container"><ul id="primary-menu" class="menu">{menu}</ul></div></nav>
</header>
<div id="content" class="site-content">
<p id="breadcrumbs"><span><span><a href="/">الرئيسية</a></span> » <span><a href="/section/{story.section}.html">{text(SECTIONS[story.section])}</a></span> » <span class="breadcrumb_last" aria-current="page">{text(story.title)}</span></span></p>
<div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-18342" class="post-18342 post type-post status-publish format-standard has-post-thumbnail hentry category-{story.section}">
<header class="entry-header">
<span class="cat-links"><a href="/section/{story.section}.html" rel="category tag">{text(SECTIONS[story.section])}</a></span>
<h1 class="entry-title">{text(story.title)}</h1>
<div class="entry-meta"><span class="posted-on">نُشر في <a href="{story.path}" rel="bookmark"><time class="entry-date published updated" datetime="{story.published_at}">{text(story.date_line)}</time></a></span><span class="byline"> بواسطة <span class="author vcard"><a class="url fn n" href="/">{text(story.author)}</a></span></span></div>
</header>
<div class="post-thumbnail"><img width="1024" height="576" src="/static/img/{story.image}" class="attachment-post-thumbnail size-post-thumbnail wp-post-image" alt="" decoding="async" fetchpriority="high"></div>
<div class="entry-content">
{body}
</div>
<footer class="entry-footer"><span class="tags-links">الوسوم: {tags}</span></footer>
</article>
<nav class="navigation post-navigation" aria-label="المقالات"><h2 class="screen-reader-text">تصفّح المقالات</h2><div class="nav-links"><div class="nav-previous"><a href="{previous.path}" rel="prev"><span class="meta-nav">المقال السابق</span> <span class="post-title">{text(previous.title)}</span></a></div></div></nav>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">اترك تعليقاً</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form"><p class="comment-notes">{text(WP_COMMENT_NOTES)}</p>
<p class="comment-form-comment"><label for="comment">التعليق <span class="required">*</span></label><textarea id="comment" name="comment" cols="45" rows="8" required></textarea></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="إرسال التعليق"></p></form></div></div>
</main></div>
<aside id="secondary" class="widget-area">
<section class="widget widget_search"><form role="search" method="get" class="search-form" action="/"><label><span class="screen-reader-text">البحث عن:</span><input type="search" class="search-field" placeholder="بحث &hellip;" name="s"></label><input type="submit" class="search-submit" value="بحث"></form></section>
<section class="widget widget_recent_entries"><h2 class="widget-title">أحدث المقالات</h2>
{recent}
</section>
<section class="widget widget_categories"><h2 class="widget-title">التصنيفات</h2><ul>{categories}</ul></section>
</aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">{text(COPYRIGHT)} <span class="sep"> | </span> يعمل بواسطة ووردبريس</div></footer>
</div>
<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cn-position-bottom" aria-label="Cookie Notice"><div class="cookie-notice-container"><span id="cn-notice-text" class="cn-text-container">{text(COOKIE_TEXT)}</span><span id="cn-notice-buttons" class="cn-buttons-container"><a href="#" id="cn-accept-cookie" class="cn-set-cookie cn-button">موافق</a></span></div></div>
<script src="/static/js/site.js" defer></script>
</body>
</html>
"""


# --- Template: modern -----------------------------------------------------------------

MODERN_CHROME = {
    "ar": {
        "dir": "rtl",
        "skip": "انتقل إلى المحتوى",
        "home": "الرئيسية",
        "sections": SECTIONS,
        "menu": "القائمة",
        "share": "شارك",
        "copy": "نسخ الرابط",
        "caption_prefix": "التعليق على الصورة، ",
        "credit": "حقوق الصورة: صدى الأخبار",
        "topics": "المزيد حول هذه القصة",
        "most_read": "الأكثر قراءة",
        "read_also": "اقرأ أيضاً",
        "cookie": COOKIE_TEXT,
        "accept": "موافق",
        "footer": COPYRIGHT,
        "whatsapp": "تابعوا آخر الأخبار عبر قناة صدى الأخبار على واتساب",
        "role": "صدى الأخبار",
    },
    "en": {
        "dir": "ltr",
        "skip": "Skip to content",
        "home": "Home",
        "sections": {"politics": "Politics", "economy": "Economy", "society": "Society"},
        "menu": "Menu",
        "share": "Share",
        "copy": "Copy link",
        "caption_prefix": "Image caption, ",
        "credit": "Image source, Sada Al-Akhbar",
        "topics": "More on this story",
        "most_read": "Most read in Arabic",
        "read_also": "Read more",
        "cookie": "We use cookies to improve your experience and to analyse our traffic. By continuing to browse you accept our privacy policy.",
        "accept": "Accept",
        "footer": "© 2025 Sada Al-Akhbar. All rights reserved.",
        "whatsapp": "",
        "role": "Sada Al-Akhbar, Rabat",
    },
    "fa": {
        "dir": "rtl",
        "skip": "رفتن به محتوا",
        "home": "صفحه اصلی",
        "sections": {"politics": "سیاست", "economy": "اقتصاد", "society": "جامعه"},
        "menu": "فهرست",
        "share": "اشتراک~گذاری",
        "copy": "کپی پیوند",
        "caption_prefix": "توضیح تصویر، ",
        "credit": "منبع تصویر، صدای اخبار",
        "topics": "مطالب بیشتر در این باره",
        "most_read": "پربیننده~ترین~ها به عربی",
        "read_also": "بیشتر بخوانید",
        "cookie": "ما برای بهبود تجربه شما و تحلیل بازدیدها از کوکی~ها استفاده می~کنیم. با ادامه مرور، سیاست حفظ حریم خصوصی ما را می~پذیرید.",
        "accept": "می~پذیرم",
        "footer": "© ۲۰۲۵ صدای اخبار. همه حقوق محفوظ است.",
        "whatsapp": "",
        "role": "خبرنگار صدای اخبار",
    },
}


def modern_chrome(lang: str) -> dict:
    chrome = MODERN_CHROME[lang]
    if lang != "fa":
        return chrome
    return {
        key: persian(value) if isinstance(value, str) else {k: persian(v) for k, v in value.items()}
        for key, value in chrome.items()
    }


def render_modern(story: Story) -> str:
    chrome = modern_chrome(story.lang)
    sections = chrome["sections"]
    nav = "".join(
        f'<li><a href="{href}">{text(name)}</a></li>'
        for href, name in [("/", chrome["home"])] + [(f"/section/{s}.html", n) for s, n in sections.items()]
    )
    if story.published_at:
        date_html = f'<time datetime="{story.published_at}">{text(story.date_line)}</time>'
    else:
        date_html = f'<span class="story__date-text">{text(story.date_line)}</span>'
    body_parts = []
    for block in story.blocks:
        if block == "@@read_also":
            related = RELATED[story.key]
            body_parts.append(
                f'<aside class="read-also" data-component="links-block"><h2 class="read-also__title">{text(chrome["read_also"])}</h2>'
                + teaser_list(related, "read-also__list")
                + "</aside>"
            )
            story.widgets += [chrome["read_also"]] + [STORY[key].title for key in related]
        elif block == "@@whatsapp_promo":
            body_parts.append(
                f'<div class="inline-promo" data-component="promo"><a href="https://whatsapp.com/channel/0029VaSadaAkhbar" rel="noopener">{text(chrome["whatsapp"])}</a></div>'
            )
            story.widgets.append(chrome["whatsapp"])
        else:
            body_parts.append(f'<div data-component="text-block"><p>{text(block)}</p></div>')
    share = (
        f'<ul class="share-tools" aria-label="{attr(chrome["share"])}">'
        f'<li><a href="https://www.facebook.com/sharer/sharer.php?u={absolute(story.path)}" rel="noopener">Facebook</a></li>'
        f'<li><a href="https://x.com/intent/post?url={absolute(story.path)}" rel="noopener">X</a></li>'
        f'<li><a href="https://wa.me/?text={absolute(story.path)}" rel="noopener">WhatsApp</a></li>'
        f'<li><button type="button" class="copy-link">{text(chrome["copy"])}</button></li></ul>'
    )
    topics = "".join(f'<li><span class="topic">{text(tag)}</span></li>' for tag in story.keywords)
    most_read = "".join(
        f'<li lang="ar" dir="rtl"><a href="{STORY[key].path}">{text(STORY[key].title)}</a></li>'
        for key in MOST_READ
        if key != story.key
    )
    crumbs = f'<a href="/">{text(chrome["home"])}</a> <span aria-hidden="true">/</span> <a href="/section/{story.section}.html">{text(sections[story.section])}</a>'
    story.widgets += [
        chrome["caption_prefix"].strip(" ،,"), chrome["credit"], chrome["topics"], chrome["most_read"],
        chrome["cookie"], chrome["copy"], chrome["footer"], story.caption,
    ]
    story.widgets += [STORY[key].title for key in MOST_READ if key != story.key]
    return f"""<!DOCTYPE html>
<html lang="{story.lang}" dir="{chrome['dir']}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{page_title(story.title)}</title>
{head_meta(story)}
<link rel="stylesheet" href="/static/css/site.css">
<link rel="icon" href="/static/img/favicon.svg">
{json_ld(story) if story.json_ld else ""}
{ANALYTICS}
</head>
<body class="modern lang-{story.lang}">
<a href="#main-content" class="skip-link">{text(chrome['skip'])}</a>
<header class="masthead" role="banner"><div class="masthead__inner">
<a class="brand" href="/"><img src="/static/img/logo.svg" alt="{attr(SITE_NAME)}" width="150" height="40"></a>
<nav class="masthead__nav" aria-label="{attr(chrome['menu'])}"><ul>{nav}</ul></nav>
<button type="button" class="menu-button" aria-expanded="false">{text(chrome['menu'])}</button>
</div></header>
<main id="main-content" role="main">
<div class="layout">
<article class="story">
<nav class="breadcrumbs" aria-label="breadcrumb">{crumbs}</nav>
<header class="story__header">
<h1 id="content" class="story__headline" tabindex="-1">{text(story.title)}</h1>
<div class="story__meta"><div class="byline"><span class="byline__name">{text(story.author)}</span> <span class="byline__role">{text(chrome['role'])}</span></div>
<div class="story__date">{date_html}</div></div>
{share}
</header>
<figure class="story__image"><img src="/static/img/{story.image}" alt="{attr(story.image_alt)}" width="976" height="549"><span class="image-copyright">{text(chrome['credit'])}</span>
<figcaption><span class="visually-hidden">{text(chrome['caption_prefix'])}</span>{text(story.caption)}</figcaption></figure>
<div class="story__body">
{chr(10).join(body_parts)}
</div>
<section class="topics" data-component="topic-list" aria-labelledby="topics-title"><h2 id="topics-title">{text(chrome['topics'])}</h2><ul>{topics}</ul></section>
</article>
<aside class="rail"><section class="most-read" aria-labelledby="most-read-title"><h2 id="most-read-title">{text(chrome['most_read'])}</h2><ol>{most_read}</ol></section></aside>
</div>
</main>
<footer class="site-footer"><div class="site-footer__inner"><nav>{nav.replace('<li>', '<span>').replace('</li>', '</span> ')}</nav><p>{text(chrome['footer'])}</p></div></footer>
<div class="consent-banner" role="dialog" aria-live="polite"><p>{text(chrome['cookie'])}</p><button type="button">{text(chrome['accept'])}</button></div>
<script src="/static/js/site.js" defer></script>
</body>
</html>
"""


RENDERERS = {"portal": render_portal, "wordpress": render_wordpress, "modern": render_modern}


# --- Listing pages -------------------------------------------------------------------


def listing_card(story: Story, lead: bool = False) -> str:
    css = "card card--lead" if lead else "card"
    lang = "" if story.lang == "ar" else f' lang="{story.lang}"'
    return f"""<div class="{css}"{lang}>
<a class="card__image" href="{story.path}"><img src="/static/img/{story.image}" alt="" width="{480 if lead else 240}" height="{270 if lead else 135}" loading="lazy"></a>
<h3 class="card__title"><a href="{story.path}">{text(story.title)}</a></h3>
<p class="card__summary">{text(story.description)}</p>
<span class="card__date">{arabic_date(story.published)}</span>
</div>"""


def listing_page(title: str, canonical: str, active: str, crumbs, content: str, extra_head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{page_title(title)}</title>
<meta name="description" content="{attr(SITE_SLOGAN)}">
<link rel="canonical" href="{absolute(canonical)}">
<meta property="og:site_name" content="{attr(SITE_NAME)}">
<meta property="og:type" content="website">
<meta property="og:title" content="{attr(title)}">
<meta property="og:url" content="{absolute(canonical)}">
<meta property="og:image" content="{absolute('/static/img/logo.svg')}">
{extra_head}<link rel="stylesheet" href="/static/css/site.css">
<link rel="alternate" type="application/rss+xml" title="{attr(SITE_NAME)} - آخر الأخبار" href="{absolute('/feed.xml')}">
<link rel="alternate" type="application/atom+xml" title="{attr(SITE_NAME)} - Atom" href="{absolute('/atom.xml')}">
<link rel="icon" href="/static/img/favicon.svg">
{ANALYTICS}
</head>
<body class="listing-page">
{portal_header(active)}
<main class="container layout">
<div class="main-column">
{f'<nav class="breadcrumb" aria-label="مسار التنقل"><ol>{breadcrumb_items(crumbs)}</ol></nav>' if crumbs else ''}
{content}
</div>
{portal_sidebar()}
</main>
{PORTAL_FOOTER}
</body>
</html>
"""


def render_home() -> str:
    lead, *rest = NEWEST_FIRST
    blocks = [f'<h1 class="visually-hidden">{text(SITE_NAME)}</h1>', '<section class="lead-story">', listing_card(lead, lead=True), "</section>"]
    blocks.append('<section class="latest"><h2 class="section-title">آخر الأخبار</h2>')
    blocks += [listing_card(story) for story in rest]
    blocks.append("</section>")
    for slug, name in SECTIONS.items():
        keys = [key for page, (section, _n, keys) in LISTINGS.items() if section == slug for key in keys]
        blocks.append(f'<section class="section-block"><h2 class="section-title"><a href="/section/{slug}.html">{text(name)}</a></h2>')
        blocks.append(teaser_list(keys))
        blocks.append("</section>")
    blocks.append('<section class="other-languages"><h2 class="section-title">بلغات أخرى</h2>')
    blocks.append(teaser_list(("morocco_desalination", "tehran_pollution")))
    blocks.append("</section>")
    return listing_page(SITE_SLOGAN, "/", "home", [], "\n".join(blocks))


def render_section(path: str) -> str:
    section, page, keys = LISTINGS[path]
    name = SECTIONS[section]
    pages = [p for p, (s, _n, _k) in LISTINGS.items() if s == section]
    links = []
    for number, page_path in enumerate(pages, start=1):
        links.append(f'<span class="current">{number}</span>' if number == page else f'<a href="{page_path}">{number}</a>')
    extra_head = ""
    if page < len(pages):
        links.append(f'<a class="next" rel="next" href="{pages[page]}">التالي ›</a>')
        extra_head += f'<link rel="next" href="{absolute(pages[page])}">\n'
    if page > 1:
        links.insert(0, f'<a class="prev" rel="prev" href="{pages[page - 2]}">‹ السابق</a>')
        extra_head += f'<link rel="prev" href="{absolute(pages[page - 2])}">\n'
    pagination = f'<nav class="pagination" aria-label="الصفحات">{" ".join(links)}</nav>' if len(pages) > 1 else ""
    title = name if page == 1 else f"{name} - الصفحة {page}"
    content = "\n".join(
        [f'<h1 class="section-heading">{text(title)}</h1>', '<div class="card-list">']
        + [listing_card(STORY[key]) for key in keys]
        + ["</div>", pagination]
    )
    crumbs = [("الرئيسية", "/"), (name, None)]
    return listing_page(title, path, section, crumbs, content, extra_head)


# --- Feeds, sitemap, robots -------------------------------------------------------------------


def rfc822(iso_timestamp: str) -> str:
    return format_datetime(datetime.fromisoformat(iso_timestamp))


def story_timestamp(story: Story) -> str:
    timestamp = story.published_at or story.listed_at
    if timestamp is None or not timestamp.startswith(story.published):
        raise ValueError(f"{story.key}: no timestamp on {story.published}")
    return timestamp


def render_rss() -> str:
    items = []
    for story in NEWEST_FIRST:
        items.append(f"""  <item>
    <title>{text(story.title)}</title>
    <link>{absolute(story.path)}</link>
    <guid isPermaLink="true">{absolute(story.path)}</guid>
    <pubDate>{rfc822(story_timestamp(story))}</pubDate>
    <dc:creator>{text(story.author)}</dc:creator>
    <category>{text(SECTIONS[story.section])}</category>
    <description>{text(story.description)}</description>
  </item>""")
    newest = rfc822(story_timestamp(NEWEST_FIRST[0]))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>{text(SITE_NAME)} - آخر الأخبار</title>
  <link>{absolute('/')}</link>
  <atom:link href="{absolute('/feed.xml')}" rel="self" type="application/rss+xml"/>
  <description>{text(SITE_SLOGAN)}</description>
  <language>ar</language>
  <lastBuildDate>{newest}</lastBuildDate>
{chr(10).join(items)}
</channel>
</rss>
"""


ATOM_KEYS = ("tunisia_dams", "riyadh_dust", "us_russia_istanbul")


def render_atom() -> str:
    entries = []
    for key in ATOM_KEYS:
        story = STORY[key]
        entries.append(f"""  <entry>
    <title>{text(story.title)}</title>
    <link rel="alternate" type="text/html" href="{absolute(story.path)}"/>
    <id>{absolute(story.path)}</id>
    <published>{story_timestamp(story)}</published>
    <updated>{story_timestamp(story)}</updated>
    <author><name>{text(story.author)}</name></author>
    <summary>{text(story.description)}</summary>
  </entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">
  <title>{text(SITE_NAME)}</title>
  <subtitle>{text(SITE_SLOGAN)}</subtitle>
  <link rel="self" type="application/atom+xml" href="{absolute('/atom.xml')}"/>
  <link rel="alternate" type="text/html" href="{absolute('/')}"/>
  <id>{absolute('/atom.xml')}</id>
  <updated>{story_timestamp(STORY[ATOM_KEYS[0]])}</updated>
{chr(10).join(entries)}
</feed>
"""


def render_sitemap() -> str:
    newest = story_timestamp(max(STORIES, key=lambda s: s.published))
    urls = [("/", newest, "hourly", "1.0")]
    urls += [(path, newest, "daily", "0.8") for path in LISTINGS]
    urls += [(s.path, story_timestamp(s), "monthly", "0.6") for s in sorted(STORIES, key=lambda s: s.published, reverse=True)]
    body = "\n".join(
        f"""  <url>
    <loc>{absolute(path)}</loc>
    <lastmod>{lastmod}</lastmod>
    <changefreq>{freq}</changefreq>
    <priority>{priority}</priority>
  </url>"""
        for path, lastmod, freq, priority in urls
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{body}
</urlset>
"""


ROBOTS = f"""User-agent: *
Allow: /

Sitemap: {BASE}/sitemap.xml
"""


# --- Static assets -----------------------------------------------------------------------

IMAGE_COLOURS = {
    "russia-us-flags.svg": ("#8a1c1c", "Flags"),
    "istanbul-consulate.svg": ("#37474f", "Istanbul"),
    "beirut-storm.svg": ("#1e4d6b", "Beirut"),
    "tunisia-dam.svg": ("#2e6b4f", "Sidi Salem"),
    "riyadh-dust.svg": ("#a0783c", "Riyadh"),
    "exams.svg": ("#4a3c8a", "Exams"),
    "desalination.svg": ("#2a6f97", "Desalination"),
    "tehran-smog.svg": ("#6b6b6b", "Tehran"),
}


def placeholder_svg(colour: str, label: str) -> str:
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="976" height="549" viewBox="0 0 976 549">
<rect width="976" height="549" fill="{colour}"/>
<text x="488" y="290" font-family="sans-serif" font-size="48" fill="#ffffff" text-anchor="middle">{label}</text>
</svg>
"""


LOGO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="180" height="48" viewBox="0 0 180 48">
<rect width="180" height="48" rx="6" fill="#b71c1c"/>
<text x="90" y="32" font-family="sans-serif" font-size="22" fill="#ffffff" text-anchor="middle">Sada</text>
</svg>
"""

FAVICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32"><rect width="32" height="32" rx="4" fill="#b71c1c"/></svg>
"""

SITE_CSS = """/* Enough styling for a person previewing the sample site in a browser. */
body { margin: 0; font-family: "Noto Naskh Arabic", Tahoma, sans-serif; line-height: 1.7; color: #222; background: #f7f7f7; }
a { color: #0d47a1; text-decoration: none; }
.container, .layout, .masthead__inner, .site-footer__inner { max-width: 1180px; margin: 0 auto; padding: 0 16px; }
.layout { display: flex; gap: 24px; }
.main-column, .story, #primary { flex: 1; background: #fff; padding: 16px; }
.sidebar, .rail, #secondary { width: 300px; }
.top-bar { background: #212121; color: #eee; font-size: 13px; }
.top-bar a { color: #eee; }
.site-header, .masthead, #masthead { background: #fff; border-bottom: 3px solid #b71c1c; }
.main-nav ul, .masthead__nav ul, .menu { display: flex; gap: 16px; list-style: none; padding: 0; }
.ticker { background: #b71c1c; color: #fff; }
.ticker a { color: #fff; }
.ticker ul { display: inline-flex; gap: 24px; list-style: none; margin: 0; }
.article-title, .story__headline, .entry-title { font-size: 30px; line-height: 1.4; }
.article-meta, .story__meta, .entry-meta, .article-toolbar { color: #666; font-size: 14px; }
.article-toolbar button { background: none; border: 0; color: #0d47a1; cursor: pointer; }
figure { margin: 16px 0; }
figure img, .post-thumbnail img, .video-poster { max-width: 100%; height: auto; }
figcaption { color: #666; font-size: 13px; }
.visually-hidden, .screen-reader-text { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.box { border-top: 2px solid #b71c1c; margin: 24px 0; }
.teaser-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; list-style: none; padding: 0; }
.app-promo, .inline-promo, .read-also { background: #f1f1f1; border-radius: 6px; padding: 12px; margin: 16px 0; }
.card { border-bottom: 1px solid #eee; padding: 12px 0; }
.cookie-banner, .consent-banner, #cookie-notice { position: fixed; bottom: 0; left: 0; right: 0; background: #263238; color: #fff; padding: 12px; }
.site-footer, #colophon { background: #212121; color: #bbb; padding: 24px 0; margin-top: 24px; }
.site-footer a { color: #eee; }
html[dir="ltr"] body { font-family: Georgia, serif; }
"""

SITE_JS = """// Hides the cookie banner once accepted; the sample site needs nothing else.
document.addEventListener('click', function (event) {
  if (event.target.matches('.cookie-accept, .consent-banner button, #cn-accept-cookie')) {
    event.target.closest('[role="dialog"]').hidden = true;
  }
});
"""


# --- Truth files ---------------------------------------------------------------------------


def first_words(value: str, count: int = 8) -> str:
    return " ".join(value.split()[:count])


def last_words(value: str, count: int = 8) -> str:
    return " ".join(value.split()[-count:])


def split_widgets(story: Story) -> tuple[list[str], list[str]]:
    """Widgets the body never contains (safe substring checks) and those it does (line checks).

    A short widget line such as "جديد" also occurs inside story words ("الجديدة"),
    so it can only be checked as a whole line of the extracted text.
    """
    body = story.expected_text
    unique = list(dict.fromkeys(widget for widget in story.widgets if widget))
    return [w for w in unique if w not in body], [w for w in unique if w in body]


def expected_entry(story: Story) -> dict:
    substrings, lines = split_widgets(story)
    return {
        "kind": story.kind,
        "language": story.lang,
        "template": story.template,
        "encoding": story.encoding,
        "title": story.title,
        "published": story.published,
        "date_in_metadata": story.published_at is not None,
        "date_line": story.date_line,
        "section": SECTIONS[story.section],
        "author": story.author,
        "authors": list(story.people),
        # The moment the page (or, without a machine date, its date line and the
        # sitemap's offset) gives: what the item's published_at must be.
        "published_at": story.published_at or story.listed_at,
        "first_words": first_words(story.expected_text),
        "last_words": last_words(story.expected_text),
        "paragraph_count": len(story.text_blocks),
        "text": story.expected_text,
        "must_not_contain": substrings,
        "must_not_contain_lines": lines,
    }


def listing_entry(title: str, keys) -> dict:
    return {"kind": "listing", "title": title, "links": [STORY[key].path for key in keys]}


def write(path: Path, content: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding))


def build(root: Path = SITE_ROOT) -> None:
    expected: dict[str, dict] = {}
    headers: dict[str, dict] = {}
    for story in STORIES:
        story.widgets = []
        page = RENDERERS[story.template](story)
        write(root / story.path.lstrip("/"), page, story.encoding)
        if story.encoding != "utf-8":
            headers[story.path.lstrip("/")] = {"Content-Type": f"text/html; charset={story.encoding}"}
        expected[story.path] = expected_entry(story)

    write(root / "index.html", render_home())
    home_keys = [story.key for story in NEWEST_FIRST] + ["morocco_desalination", "tehran_pollution"]
    expected["/"] = listing_entry(SITE_NAME, home_keys)
    for path, (section, page, keys) in LISTINGS.items():
        write(root / path.lstrip("/"), render_section(path))
        title = SECTIONS[section] if page == 1 else f"{SECTIONS[section]} - الصفحة {page}"
        expected[path] = listing_entry(title, keys)

    write(root / "robots.txt", ROBOTS)
    write(root / "sitemap.xml", render_sitemap())
    write(root / "feed.xml", render_rss())
    write(root / "atom.xml", render_atom())
    for name, (colour, label) in IMAGE_COLOURS.items():
        write(root / "static" / "img" / name, placeholder_svg(colour, label))
    write(root / "static" / "img" / "logo.svg", LOGO_SVG)
    write(root / "static" / "img" / "favicon.svg", FAVICON_SVG)
    write(root / "static" / "css" / "site.css", SITE_CSS)
    write(root / "static" / "js" / "site.js", SITE_JS)

    write(root / "_headers.json", json.dumps(headers, ensure_ascii=False, indent=2) + "\n")
    write(root / "_expected.json", json.dumps(expected, ensure_ascii=False, indent=2) + "\n")
    write(root / "_widgets.txt", "\n".join(SEED_WIDGETS) + "\n")
    logger.info("wrote %d pages to %s", len(expected), root)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    build()
