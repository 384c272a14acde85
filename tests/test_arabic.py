"""Tests for crawler.arabic: each normalization rule on its own, then the fold and the ratio."""

import pytest

from crawler.arabic import (
    arabic_script_ratio,
    fingerprint_words,
    fold_for_fingerprint,
    fold_normalized,
    normalize_text,
    normalize_title,
)

# Written with escapes so that the test does not depend on how an editor renders them.
BIDI_AND_ZERO_WIDTH = [
    ("LRM", "\u200e"),
    ("RLM", "\u200f"),
    ("ALM", "\u061c"),
    ("LRE", "\u202a"),
    ("RLE", "\u202b"),
    ("PDF", "\u202c"),
    ("LRO", "\u202d"),
    ("RLO", "\u202e"),
    ("LRI", "\u2066"),
    ("RLI", "\u2067"),
    ("FSI", "\u2068"),
    ("PDI", "\u2069"),
    ("ZWSP", "\u200b"),
    ("ZWNJ", "\u200c"),
    ("ZWJ", "\u200d"),
    ("WJ", "\u2060"),
    ("BOM", "\ufeff"),
    ("SHY", "\u00ad"),
]

DIACRITIZED = "كَتَبَ الطَّالِبُ الدَّرْسَ"
UNDIACRITIZED = "كتب الطالب الدرس"


# --- normalize_text: one rule at a time -------------------------------------------


def test_presentation_forms_fold_to_base_letters():
    # "العربية" and the lam-alef ligature, written in Presentation Forms-B.
    assert normalize_text("\ufe8d\ufedf\ufecc\ufeae\ufe91\ufef4\ufe94 \ufefb") == "العربية لا"


def test_presentation_form_with_tatweel_leaves_no_tatweel():
    # U+FE71 decomposes under NFKC to tatweel + fathatan; only the fathatan may remain.
    assert normalize_text("ب\ufe71") == "بً"


def test_tatweel_removed():
    assert normalize_text("العـــربيـة") == "العربية"


@pytest.mark.parametrize(
    ("name", "char"), BIDI_AND_ZERO_WIDTH, ids=[name for name, _ in BIDI_AND_ZERO_WIDTH]
)
def test_bidi_and_zero_width_character_removed(name, char):
    assert normalize_text(f"مر{char}حبا {char}بكم") == "مرحبا بكم"


def test_no_break_space_becomes_space():
    assert normalize_text("مرحبا\u00a0بكم\u202fجميعا") == "مرحبا بكم جميعا"


def test_persian_yeh_becomes_arabic_yeh():
    assert normalize_text("\u0639\u0644\u06cc") == "\u0639\u0644\u064a"


def test_persian_keheh_becomes_arabic_kaf():
    assert normalize_text("\u06a9\u062a\u0627\u0628") == "\u0643\u062a\u0627\u0628"


@pytest.mark.parametrize("form", ["\ufbfc", "\ufbfd", "\ufbfe", "\ufbff"])
def test_persian_yeh_presentation_forms_become_arabic_yeh(form):
    assert normalize_text(form) == "\u064a"


@pytest.mark.parametrize("form", ["\ufb8e", "\ufb8f", "\ufb90", "\ufb91"])
def test_persian_keheh_presentation_forms_become_arabic_kaf(form):
    assert normalize_text(form) == "\u0643"


def test_persian_yeh_with_combining_hamza_composes_to_yeh_hamza():
    assert normalize_text("\u06cc\u0654") == "\u0626"


def test_diacritics_kept():
    assert normalize_text(DIACRITIZED) == DIACRITIZED


@pytest.mark.parametrize(
    "word",
    ["أحمد", "إسلام", "آمن", "ٱلله", "مسؤول", "رئيس", "سماء", "مدرسة", "مستشفى"],
)
def test_hamza_alef_teh_marbuta_and_alef_maksura_kept(word):
    assert normalize_text(word) == word


def test_decomposed_hamza_is_composed():
    assert normalize_text("\u0627\u0654\u062d\u0645\u062f") == "أحمد"


def test_arabic_indic_and_persian_digits_kept():
    assert normalize_text("عام ٢٠٢٤ و ۱۴۰۳ و 2024") == "عام ٢٠٢٤ و ۱۴۰۳ و 2024"


def test_whitespace_inside_paragraph_collapsed_and_stripped():
    assert normalize_text("  قال \t  الوزير   إن  ") == "قال الوزير إن"


def test_single_newlines_separate_paragraphs():
    assert normalize_text("الفقرة الأولى\nالفقرة الثانية") == "الفقرة الأولى\n\nالفقرة الثانية"


def test_blank_and_whitespace_only_lines_dropped():
    text = "\n\n  أولى  \n \t \n\n\n\r\nثانية\r\nثالثة\u2029رابعة\n"
    assert normalize_text(text) == "أولى\n\nثانية\n\nثالثة\n\nرابعة"


def test_invisible_only_text_becomes_empty():
    assert normalize_text("\u200f\u200b\n\u0640\ufeff") == ""


IDEMPOTENCE_SAMPLES = [
    "  ﺍﻟﻌﺮﺑﻴﺔ\u00a0ـــ \u200fمرحبا\n\n\nکتاب علی ٢٠٢٤ ",
    "ب\ufe71 \u06cc\u0654 \u0627\u0654",
    DIACRITIZED + "\r\n\r\n" + "هٰذا ٱلكتاب",
    "\u0654 leading mark\n\u0301 and Latin é",
    "ييء ىىء يىئ",  # doubled yeh before hamza
]


@pytest.mark.parametrize("text", IDEMPOTENCE_SAMPLES)
def test_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


# --- normalize_title --------------------------------------------------------------


def test_title_is_one_line_with_same_character_rules():
    title = "  عاجل:\nالرئـيس\u200f  يلتقي\u00a0الوفد\r\n"
    assert normalize_title(title) == "عاجل: الرئيس يلتقي الوفد"


def test_title_keeps_diacritics_and_digits():
    assert normalize_title("مَدْرَسَةٌ ٢٠٢٤") == "مَدْرَسَةٌ ٢٠٢٤"


# --- fold_for_fingerprint ---------------------------------------------------------


def test_fold_removes_diacritics_that_normalize_text_keeps():
    assert normalize_text(DIACRITIZED) != UNDIACRITIZED
    assert fold_for_fingerprint(DIACRITIZED) == UNDIACRITIZED


def test_fold_removes_dagger_alef_and_quranic_marks():
    assert fold_for_fingerprint("هٰذا\u06d6 الرَّحْمَٰنِ") == "هذا الرحمن"


@pytest.mark.parametrize("alef", ["أ", "إ", "آ", "ٱ"])
def test_fold_alef_forms_to_bare_alef(alef):
    assert fold_for_fingerprint(f"{alef}مل") == "امل"


def test_fold_alef_maksura_to_yeh_and_teh_marbuta_to_heh():
    assert fold_for_fingerprint("مستشفى المدينة") == "مستشفي المدينه"


@pytest.mark.parametrize(
    ("egyptian", "standard"),
    [("مسئول", "مسؤول"), ("شئون", "شؤون"), ("شاطىء", "شاطئ"), ("شىء", "شيء")],
)
def test_fold_joins_hamza_carrier_spellings(egyptian, standard):
    assert egyptian != standard
    assert fold_for_fingerprint(egyptian) == fold_for_fingerprint(standard)


def test_fold_digits_to_ascii():
    assert fold_for_fingerprint("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹") == "0123456789 0123456789"


def test_normalize_text_keeps_digits_that_fold_converts():
    assert normalize_text("٢٠٢٤") == "٢٠٢٤"
    assert fold_for_fingerprint("٢٠٢٤") == "2024"


def test_fold_lowercases_latin():
    assert fold_for_fingerprint("CNN BBC Arabic") == "cnn bbc arabic"


def test_fold_replaces_punctuation_with_space():
    text = "«قال»، هل؟ نعم؛ (ربما) - CNN/عربي: ١٠٪ $5 ...!"
    assert fold_for_fingerprint(text) == "قال هل نعم ربما cnn عربي 10 5"


def test_fold_is_one_line():
    assert fold_for_fingerprint("فقرة\n\nأخرى\nثالثة") == "فقره اخري ثالثه"


def test_fold_applies_normalize_text_rules_first():
    assert fold_for_fingerprint("ﺍﻟﻌـﺮﺑﻴﺔ\u200f کتاب") == "العربيه كتاب"


@pytest.mark.parametrize("text", IDEMPOTENCE_SAMPLES)
def test_fold_of_normalized_text_is_the_fold(text):
    assert fold_normalized(normalize_text(text)) == fold_for_fingerprint(text)


@pytest.mark.parametrize("text", IDEMPOTENCE_SAMPLES)
def test_fold_is_idempotent(text):
    once = fold_for_fingerprint(text)
    assert fold_for_fingerprint(once) == once


def test_same_story_spelled_differently_folds_equal():
    site_a = "قَالَ المسئول إنّ الأمم المتحدة ستعقد اجتماعاً يوم ١٢ مارس."
    site_b = "قال المسؤول ان الامم المتحده ستعقد اجتماعا يوم 12 مارس"
    assert fold_for_fingerprint(site_a) == fold_for_fingerprint(site_b)


# --- fingerprint_words ------------------------------------------------------------


def test_fingerprint_words_splits_folded_text():
    assert fingerprint_words("«الأمم المتحدة»، ٢٠٢٤!") == ["الامم", "المتحده", "2024"]


def test_fingerprint_words_empty_for_punctuation_only():
    assert fingerprint_words("،؛؟ «» ...") == []


# --- arabic_script_ratio ----------------------------------------------------------


def test_ratio_all_arabic():
    assert arabic_script_ratio("مرحبا بكم") == 1.0


def test_ratio_ignores_digits_spaces_and_punctuation():
    assert arabic_script_ratio("مرحبا، 2024 ٢٠٢٤!") == 1.0


def test_ratio_mixed_counts_letters_only():
    # 4 Arabic letters, 4 Latin letters.
    assert arabic_script_ratio("كتاب book") == pytest.approx(0.5)


def test_ratio_counts_presentation_forms_and_supplement_blocks():
    # Presentation Forms-B, Arabic Supplement (U+0750), Extended-A (U+08A0), Forms-A.
    assert arabic_script_ratio("\ufe8d\u0750\u08a0\ufb50x") == pytest.approx(0.8)


def test_ratio_zero_without_letters():
    assert arabic_script_ratio("") == 0.0
    assert arabic_script_ratio("123 ٤٥٦ !?") == 0.0


def test_ratio_zero_for_latin_text():
    assert arabic_script_ratio("Breaking news") == 0.0


def test_a_headline_keeps_its_tatweel_and_loses_only_hidden_marks():
    from crawler.arabic import normalize_title

    headline = "ماسا لـ«الصباح»:\u200f  كل الشـــروط"
    assert normalize_title(headline, keep_tatweel=True) == "ماسا لـ«الصباح»: كل الشـــروط"
    assert normalize_title(headline) == "ماسا لـ«الصباح»: كل الشروط"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("وقال لـDW إن", "وقال لـDW إن"),
        ("خلال الـ20 عاما", "خلال الـ20 عاما"),
        ("منذ الـ٤ أيام", "منذ الـ٤ أيام"),
        ('صرح لـ"الشرق"', 'صرح لـ"الشرق"'),
        ("قال لـ«الصباح»", "قال لـ«الصباح»"),
        ("وفقا لـــBBC", "وفقا لـBBC"),  # a run of them is still one
        ("العـــربيـة لـ 20", "العربية ل 20"),  # stretch, and before a space: not spelling
        ("ـــDW", "DW"),  # no letter before it
        ("ب\ufe71", "ب\u064b"),  # NFKC's tatweel before a haraka
    ],
)
def test_a_tatweel_holding_a_prefix_apart_from_another_script_a_digit_or_a_quote_is_kept(text, expected):
    assert normalize_text(text) == expected
    assert normalize_text(expected) == expected


def test_the_fold_ignores_the_tatweel_the_body_keeps():
    assert fold_for_fingerprint("قال لـDW إن") == fold_for_fingerprint("قال لDW إن")


def test_regex_translations_equal_str_translate():
    """crawler.arabic._Translation replaces str.translate for speed: same text out, always."""
    import random

    from crawler import arabic

    tables = [
        arabic._REMOVE_HIDDEN,
        arabic._REMOVE_HIDDEN_AND_FIX_PERSIAN,
        arabic._FINGERPRINT_LETTER_FOLD,
        arabic.DIGITS_TO_ASCII,
    ]
    rng = random.Random(17)
    alphabet = "".join(chr(key) for table in tables for key in table) + "abc ]^-\\[ \n\u0627\u0644\u0639\u0631\u0628\u064a\u0629"
    samples = [*IDEMPOTENCE_SAMPLES, DIACRITIZED, ""]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 60))) for _ in range(500)]
    for table in tables:
        translate = arabic._Translation(table)
        for text in samples:
            assert translate(text) == text.translate(table), (table, text)
