"""Language identification: an Arabic-script check beside langdetect, made deterministic and cheap.

The language is decided on the extracted article text, never on page chrome.
Letters first: a text written mostly in Arabic script is Arabic unless it
carries the letters that only Persian (پ چ ژ گ) or Urdu (ٹ ڈ ڑ ں ے) use,
which makes Persian and Urdu cheap and sure to tell apart, and an Arabic story
that opens with an English quote stays Arabic. langdetect decides every other
text and gives the probability.

langdetect runs as ``crawler.fast_langdetect``: its detector, with the same answers in about
a quarter less time. It is probabilistic: without a fixed seed the same text can get a
different answer on each run, so the seed is set before every call. Only a
bounded sample of the text is given to it, because the answer for a news
article is settled long before its end and detection time grows with length.
The letter counts, plain regex scans, cover the whole text.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import lru_cache


logger = logging.getLogger(__name__)

LANGDETECT_SEED = 0
# About 50 Arabic words: Arabic, Persian and Urdu are told apart reliably, and langdetect
# time grows with length (measured: 1.4 ms at 300 chars, 2.4 ms at 600, 12 ms at 2,000).
SAMPLE_CHARS = 300
# When the letters have decided (Arabic script), langdetect only gives the probability, and
# a shorter sample does: on 300 crawled Arabic articles the probability of "ar" stayed above
# 0.99999 at 150 characters, at 1.3 ms per text against 1.9 ms at 300 (issue 17).
SCRIPT_SAMPLE_CHARS = 150

_LETTER_RE = re.compile(r"[^\W\d_]")
# Letters only: Arabic punctuation, digits and diacritics are in the same blocks.
_ARABIC_SCRIPT_RE = re.compile(r"(?=[^\W\d_])[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
# Letters of Arabic-script languages that Arabic does not use.
URDU_LETTERS = "ٹڈڑںے"
PERSIAN_LETTERS = "پچژگ"
_URDU_RE = re.compile(f"[{URDU_LETTERS}]")
_PERSIAN_RE = re.compile(f"[{PERSIAN_LETTERS}]")
# A text is judged by its letters when at least this share of them is Arabic script.
ARABIC_SCRIPT_MIN_SHARE = 0.5
# Per Arabic-script letter. Measured: Persian news text 0.027-0.029 (پ چ ژ گ), Urdu 0.10
# (ٹ ڈ ڑ ں ے); the 18 Arabic evaluation bodies, the sample site's Arabic stories and the two
# seeds: 0 of either. An Arabic story may spell a foreign name with گ or پ, hence a share
# and a count, not a single letter.
PERSIAN_MIN_SHARE = 0.005
URDU_MIN_SHARE = 0.01
DISTINCT_MIN_COUNT = 2


def language_sample(text: str, limit: int = SAMPLE_CHARS) -> str:
    """The first ``limit`` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit]


@lru_cache(maxsize=4096)
def _character_kind(character: str) -> tuple[bool, bool, bool, bool]:
    """(letter, Arabic-script letter, Urdu-only letter, Persian-only letter) for one character."""
    return (
        bool(_LETTER_RE.match(character)),
        bool(_ARABIC_SCRIPT_RE.match(character)),
        bool(_URDU_RE.match(character)),
        bool(_PERSIAN_RE.match(character)),
    )


def script_counts(text: str) -> tuple[int, int, int, int]:
    """Letters, Arabic-script letters, Urdu-only and Persian-only letters of ``text``.

    Counted per distinct character (``Counter`` runs in C): four regex scans of a whole
    article cost about 1.5 ms, and a news text has only a hundred or so distinct characters.
    """
    letters = arabic = urdu = persian = 0
    for character, count in Counter(text).items():
        is_letter, is_arabic, is_urdu, is_persian = _character_kind(character)
        letters += count * is_letter
        arabic += count * is_arabic
        urdu += count * is_urdu
        persian += count * is_persian
    return letters, arabic, urdu, persian


def script_language(text: str) -> tuple[str | None, float]:
    """("ar", "fa" or "ur", Arabic-script share of the letters) for a text in Arabic script, else (None, share)."""
    letters, arabic, urdu, persian = script_counts(text)
    share = arabic / letters if letters else 0.0
    if not letters or share < ARABIC_SCRIPT_MIN_SHARE:
        return None, share
    if urdu >= DISTINCT_MIN_COUNT and urdu / arabic >= URDU_MIN_SHARE:
        return "ur", share
    if persian >= DISTINCT_MIN_COUNT and persian / arabic >= PERSIAN_MIN_SHARE:
        return "fa", share
    return "ar", share


def detect_langs(sample: str) -> list:
    """langdetect's candidates for ``sample``; imported on first use, as the crawl process never detects."""
    from crawler.fast_langdetect import detect_langs as langdetect_candidates

    return langdetect_candidates(sample)


def _langdetect(sample: str) -> list:
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = LANGDETECT_SEED
    try:
        return detect_langs(sample)
    except LangDetectException:
        return []


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, probability) of the text, or (None, 0.0) if undecidable.

    For a text in Arabic script the letters decide the language; the
    probability is langdetect's for that language, or the Arabic-script share
    of the letters when langdetect does not consider it.
    """
    sample = language_sample(text)
    if not sample.strip():
        return None, 0.0
    by_script, share = script_language(text)
    if by_script is not None:
        candidates = _langdetect(language_sample(text, SCRIPT_SAMPLE_CHARS))
        probability = next((candidate.prob for candidate in candidates if candidate.lang == by_script), share)
        return by_script, round(probability, 4)
    candidates = _langdetect(sample)
    if not candidates:
        return None, 0.0
    best = candidates[0]
    return best.lang, round(best.prob, 4)
