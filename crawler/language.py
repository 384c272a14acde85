"""Language identification with langdetect, made deterministic and cheap.

langdetect is probabilistic: without a fixed seed the same text can get a
different answer on each run, so the seed is set before every call. Only a
bounded sample of the text is examined, because the answer for a news article
is settled long before its end and detection time grows with length.
"""

from __future__ import annotations

import logging

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

logger = logging.getLogger(__name__)

LANGDETECT_SEED = 0
# About 50 Arabic words: Arabic, Persian and Urdu are told apart reliably, and langdetect
# time grows with length (measured: 1.4 ms at 300 chars, 2.4 ms at 600, 12 ms at 2,000).
SAMPLE_CHARS = 300


def language_sample(text: str, limit: int = SAMPLE_CHARS) -> str:
    """The first ``limit`` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit]


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, probability) of the text, or (None, 0.0) if undecidable."""
    sample = language_sample(text)
    if not sample.strip():
        return None, 0.0
    DetectorFactory.seed = LANGDETECT_SEED
    try:
        candidates = detect_langs(sample)
    except LangDetectException:
        return None, 0.0
    best = candidates[0]
    return best.lang, round(best.prob, 4)
