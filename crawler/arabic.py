"""Arabic text normalization: one safe form for stored text, one lossy form for hashing.

Two levels, kept apart on purpose:

``normalize_text`` / ``normalize_title`` — SAFE. Applied to the text we store. Every rule
only removes invisible noise or replaces a code point by the one that renders the same, so
a reader sees the same words before and after:

1. Invisible characters are dropped (before and after step 2, because NFKC can *produce*
   a tatweel: the presentation forms U+FE71, U+FE77 ... decompose to tatweel + haraka):

   - tatweel / kashida U+0640: a justification stretch, not a letter ("الـعـربـية"). One
     is kept where it holds a prefix (ل، ب، ال) apart from what follows it in another
     script, a digit or a quote ("لـDW", "الـ20", "لـ«الصباح»"): there it is spelling, not
     stretch, and the expected texts of the evaluation pages write it so;
   - bidi controls U+200E, U+200F (LRM, RLM), U+061C (Arabic letter mark),
     U+202A-U+202E (embeddings and overrides), U+2066-U+2069 (isolates): they only steer
     the display order and are a common leftover of CMS editors;
   - zero-width characters U+200B (space), U+200C (non-joiner), U+200D (joiner),
     U+2060 (word joiner), U+FEFF (BOM / zero-width no-break space) and U+00AD (soft
     hyphen). Arabic spelling never needs them (ZWNJ matters in Persian, not Arabic);
     in scraped Arabic they break words for search and hashing. A ZWSP used as the only
     gap between two words would glue them, which we accept: Arabic sites separate
     words with real spaces.
2. NFKC. Folds the Arabic presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFF, e.g. "ﻻ" to
   "لا", "ﺍﻟﻌﺮﺑﻴﺔ" to "العربية") that old PDFs and CMSs emit, turns NBSP and the other
   Unicode spaces into plain spaces, and composes alef + combining hamza into "أ". It does
   not touch harakat, hamza forms, teh marbuta, alef maksura or the digits.
3. Persian-keyboard letters become their Arabic twins: FARSI YEH U+06CC to YEH U+064A
   and KEHEH U+06A9 to KAF U+0643 (plus their presentation forms, in case a form
   survives step 2). Arabic users typing on a Persian layout produce them; they look
   the same in running text but do not match in search. The yeh goes to the dotted
   U+064A, the Arabic default; final ى/ي is merged only by the lossy fold below.
   A final NFKC pass composes a "ی" + combining hamza that has just become "ي" + hamza.
4. Whitespace: every line break (\\n, \\r\\n, \\r, U+2028, U+2029, ...) ends a paragraph,
   because trafilatura emits one paragraph per line. Inside a paragraph any run of
   whitespace becomes one space and the ends are stripped; empty paragraphs are dropped;
   paragraphs are joined by exactly one blank line ("\\n\\n"). A title is one line.

Kept exactly as written: diacritics (harakat, shadda, sukun), hamza forms (أ إ آ ؤ ئ ء),
alef wasla, teh marbuta ة, alef maksura ى, and the digits, Arabic-Indic ones included.
These carry meaning or are the author's choice; folding them is lossy.

``fold_for_fingerprint`` / ``fingerprint_words`` — LOSSY, used only for content hashes and
near-duplicate detection, never stored. It maps the spellings that the same story gets on
different sites to one form. After ``normalize_text``:

1. diacritics removed: U+064B-U+065F (harakat, shadda, sukun, combining hamza/madda and
   the rarer marks), U+0670 (superscript / dagger alef), U+06D6-U+06ED (Quranic marks);
2. alef forms أ إ آ ٱ (and the rare wavy-hamza alefs U+0672, U+0673) to bare alef ا:
   hamza on alef is omitted in much news writing;
3. alef maksura ى to yeh ي (Egyptian usage writes final ي as ى) and teh marbuta ة to heh ه
   (final ة is often typed as ه);
4. hamza on a carrier, ؤ and ئ, to bare hamza ء, and yeh(s) + hamza "يء" to "ء". Decided so
   because the real variation is *between* carriers: Egyptian "مسئول", "شئون", "شاطىء"
   against standard "مسؤول", "شؤون", "شاطئ". Folding ؤ to و and ئ to ي (the other
   common choice) would leave those pairs apart; folding both to ء joins them;
5. digits ٠-٩ (U+0660-U+0669) and ۰-۹ (U+06F0-U+06F9) to ASCII 0-9;
6. lowercase (only Latin and other cased scripts change; Arabic has no case);
7. every punctuation or symbol character (Unicode categories P* and S*: ، ؛ ؟ « » ٪ ٫
   quotes, dashes, brackets, currency signs, emoji ...) replaced by a space, so that
   "a/b" does not glue into one word;
8. all whitespace collapsed to single spaces, one line.
"""

import re
import unicodedata

TATWEEL = "\u0640"

# Display-order controls: LRM, RLM, ALM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# ZWSP, ZWNJ, ZWJ, word joiner, BOM / ZWNBSP, soft hyphen.
ZERO_WIDTH_CHARACTERS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

INVISIBLE_CHARACTERS = TATWEEL + BIDI_CONTROLS + ZERO_WIDTH_CHARACTERS

# Persian-keyboard letters and their presentation forms (isolated, final, initial, medial).
PERSIAN_TO_ARABIC_LETTERS = {
    "\u06cc": "\u064a",  # FARSI YEH -> YEH
    "\ufbfc": "\u064a",
    "\ufbfd": "\u064a",
    "\ufbfe": "\u064a",
    "\ufbff": "\u064a",
    "\u06a9": "\u0643",  # KEHEH -> KAF
    "\ufb8e": "\u0643",
    "\ufb8f": "\u0643",
    "\ufb90": "\u0643",
    "\ufb91": "\u0643",
}

# Code point ranges (inclusive) of the marks removed by the fingerprint fold.
ARABIC_DIACRITIC_RANGES = ((0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED))

ALEF_VARIANTS = "\u0623\u0625\u0622\u0671\u0672\u0673"  # أ إ آ ٱ and the wavy-hamza alefs
ALEF = "\u0627"
ALEF_MAKSURA = "\u0649"
YEH = "\u064a"
TEH_MARBUTA = "\u0629"
HEH = "\u0647"
HAMZA = "\u0621"
HAMZA_CARRIERS = "\u0624\u0626"  # ؤ ئ

ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
EASTERN_ARABIC_INDIC_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # the Persian / Urdu set

DIGITS_TO_ASCII = str.maketrans(
    ARABIC_INDIC_DIGITS + EASTERN_ARABIC_INDIC_DIGITS, "0123456789" * 2
)

# Unicode blocks of the Arabic script: Arabic, Arabic Supplement, Arabic Extended-A,
# Arabic Presentation Forms-A and -B.
ARABIC_SCRIPT_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)

class _Translation:
    """``text.translate(table)`` for a fixed table of a few code points, done by a regex.

    ``str.translate`` looks every character up in the table's dict: 100-180 us for a
    1,100-character Arabic article, per table. A character class scans in C and only the
    characters the table names (most often none) are replaced: 10-40 us. Same result.
    """

    def __init__(self, table: dict):
        self.table = table
        self._replacements = {
            chr(key): "" if value is None else chr(value) if isinstance(value, int) else value for key, value in table.items()
        }
        self._pattern = re.compile("[" + "".join(re.escape(char) for char in self._replacements) + "]")

    def __call__(self, text: str) -> str:
        if self._pattern.search(text) is None:
            return text
        return self._pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        return self._replacements[match.group()]


# The invisible characters but tatweel, which ``_without_stretch_tatweel`` handles.
_HIDDEN_CHARACTERS = BIDI_CONTROLS + ZERO_WIDTH_CHARACTERS
_REMOVE_HIDDEN = str.maketrans(dict.fromkeys(_HIDDEN_CHARACTERS))
_REMOVE_HIDDEN_AND_FIX_PERSIAN = str.maketrans({**dict.fromkeys(_HIDDEN_CHARACTERS), **PERSIAN_TO_ARABIC_LETTERS})
_DIACRITICS_RE = re.compile(
    "[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in ARABIC_DIACRITIC_RANGES) + "]"
)
_FINGERPRINT_LETTER_FOLD = str.maketrans(
    {
        **dict.fromkeys(ALEF_VARIANTS, ALEF),
        ALEF_MAKSURA: YEH,
        TEH_MARBUTA: HEH,
        **dict.fromkeys(HAMZA_CARRIERS, HAMZA),
        # The tatweel that normalize_text keeps ("لـDW"): a copy may be written without it.
        TATWEEL: None,
    }
)
_remove_hidden = _Translation(_REMOVE_HIDDEN)
_remove_hidden_and_fix_persian = _Translation(_REMOVE_HIDDEN_AND_FIX_PERSIAN)
_fold_letters = _Translation(_FINGERPRINT_LETTER_FOLD)
_digits_to_ascii = _Translation(DIGITS_TO_ASCII)
# "+" so that a doubled yeh cannot leave a new yeh + hamza behind (keeps the fold idempotent).
_YEH_BEFORE_HAMZA_RE = re.compile(f"{YEH}+{HAMZA}")


def normalize_text(text: str) -> str:
    """Return *text* in the safe normal form: paragraphs separated by one blank line."""
    paragraphs = (_collapse_spaces(line) for line in normalize_characters(text).splitlines())
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def normalize_title(text: str, keep_tatweel: bool = False) -> str:
    """Return *text* in the safe normal form, on a single line.

    A headline is kept as displayed (``keep_tatweel``): its tatweel is often
    orthographic ("لـ«الصباح»", a one-letter preposition held apart from a quote)
    rather than a justification stretch.
    """
    return _collapse_spaces(normalize_characters(text, keep_tatweel))


def normalize_characters(text: str, keep_tatweel: bool = False) -> str:
    """Apply the safe per-character rules (invisibles, NFKC, Persian letters), not whitespace."""
    text = unicodedata.normalize("NFKC", _remove_hidden(text))
    text = unicodedata.normalize("NFKC", _remove_hidden_and_fix_persian(text))
    return text if keep_tatweel or TATWEEL not in text else _without_stretch_tatweel(text)


# A run of tatweel, with the letter before it and the character after it.
_TATWEEL_RUN_RE = re.compile(f"([^{TATWEEL}]?){TATWEEL}+(?=(.?))", re.DOTALL)
_ARABIC_LETTERS_RE = re.compile("[\u0621-\u064a]")
# What a prefix is held apart from: Latin letters, digits (Western and Arabic-Indic), quotes, brackets.
_AFTER_SPELLED_TATWEEL_RE = re.compile("[A-Za-z0-9\u0660-\u0669\u06f0-\u06f9«\"“(\\[]")


def _spelled_or_removed(match: re.Match) -> str:
    before, after = match.group(1), match.group(2)
    if _ARABIC_LETTERS_RE.fullmatch(before) and _AFTER_SPELLED_TATWEEL_RE.fullmatch(after):
        return before + TATWEEL
    return before


def _without_stretch_tatweel(text: str) -> str:
    """Tatweel removed, but one kept after an Arabic letter and before another script, a digit or a quote."""
    return _TATWEEL_RUN_RE.sub(_spelled_or_removed, text)


def fold_for_fingerprint(text: str) -> str:
    """Return the lossy one-line fold of *text* used for hashes and near-duplicate checks."""
    return fold_normalized(normalize_text(text))


def fold_normalized(text: str) -> str:
    """``fold_for_fingerprint`` of a text that is already ``normalize_text``'s output.

    normalize_text is idempotent (tests/test_arabic.py), so the fold need not run it again
    on an article's normalized body: 0.2 ms per page of a crawl.
    """
    text = _DIACRITICS_RE.sub("", text)
    text = _YEH_BEFORE_HAMZA_RE.sub(HAMZA, _fold_letters(text))
    text = _digits_to_ascii(text).lower()
    return _collapse_spaces(text.translate(_PUNCTUATION_AND_SYMBOLS_TO_SPACE))


def fingerprint_words(text: str) -> list[str]:
    """Return the ``\\w+`` words of ``fold_for_fingerprint(text)``."""
    return re.findall(r"\w+", fold_for_fingerprint(text))


def arabic_script_ratio(text: str) -> float:
    """Return the share of letters (category L*) of *text* that are Arabic script, 0.0 if none."""
    letters = [char for char in text if unicodedata.category(char).startswith("L")]
    if not letters:
        return 0.0
    return sum(1 for char in letters if is_arabic_script(char)) / len(letters)


def is_arabic_script(char: str) -> bool:
    """Tell whether the single character *char* lies in one of the Arabic script blocks."""
    code_point = ord(char)
    return any(low <= code_point <= high for low, high in ARABIC_SCRIPT_RANGES)


def _collapse_spaces(text: str) -> str:
    return " ".join(text.split())


class _PunctuationToSpaceTable(dict):
    """A ``str.translate`` table that maps punctuation and symbols (categories P*, S*) to a
    space and keeps everything else, filled in per code point on first sight: the C-level
    translate then does the per-character work that a Python loop would."""

    def __missing__(self, code_point: int) -> int:
        value = 0x20 if unicodedata.category(chr(code_point))[0] in "PS" else code_point
        self[code_point] = value
        return value


_PUNCTUATION_AND_SYMBOLS_TO_SPACE = _PunctuationToSpaceTable()
