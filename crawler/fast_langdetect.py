"""langdetect's detector with its per-language arithmetic in numpy: the same answers, faster.

langdetect walks 7 random trials of n-grams and updates a probability for each of its 55
languages after every n-gram, one Python multiplication at a time. For an Arabic news
text that is about a hundred updates of 55 floats, which made langdetect the dearest
fixed cost of a small page (issue 17). Here each update is one numpy operation on the
whole vector, and the per-character lookups of the n-gram pass are cached.

The results are langdetect's to the bit: the same n-grams, drawn by the same seeded
``random.Random`` in the same order, and every float operation is the same IEEE double
operation on the same operands in the same order (numpy's elementwise ``*``, ``+`` and
``/`` are exactly Python's; the sum that normalizes is Python's own ``sum``).
``tests/test_fast_langdetect.py`` compares both on real texts in several languages.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram
from langdetect.utils.unicode_block import unicode_block

# Rows of the profile's n-gram table turned into arrays, for the n-grams that texts use.
# Arabic text touches a few thousand; the bound keeps a worker's memory flat whatever it reads.
ROW_CACHE_SIZE = 8192

# Both depend on the character alone; a news text has a few hundred distinct characters.
_character_block = lru_cache(maxsize=4096)(unicode_block)


class _CachedNGram(NGram):
    normalize = staticmethod(lru_cache(maxsize=4096)(NGram.normalize))


@lru_cache(maxsize=ROW_CACHE_SIZE)
def _language_row(ngram: str):
    probabilities = detector_factory._factory.word_lang_prob_map.get(ngram)
    return None if probabilities is None else np.array(probabilities)


class VectorDetector(Detector):
    """A ``langdetect`` ``Detector`` whose detection runs on numpy vectors."""

    def cleaning_text(self):
        latin_count = non_latin_count = 0
        for character in self.text:
            if "A" <= character <= "z":
                latin_count += 1
            elif character >= "\u0300" and _character_block(character) != "Latin Extended Additional":
                non_latin_count += 1
        if latin_count * 2 < non_latin_count:
            self.text = "".join(character for character in self.text if character < "A" or "z" < character)

    def _extract_ngrams(self):
        known = self.word_lang_prob_map
        found = []
        ngram = _CachedNGram()
        for character in self.text:
            ngram.add_char(character)
            if ngram.capitalword:
                continue
            grams = ngram.grams
            for length in range(1, NGram.N_GRAM + 1):
                if len(grams) < length:
                    break
                gram = grams[-length:]
                if gram and gram != " " and gram in known:
                    found.append(gram)
        return found

    def _detect_block(self):
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        total = np.zeros(len(self.langlist))
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            probabilities = np.array(self._init_probability())
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            weight = alpha / self.BASE_FREQ
            iteration = 0
            while True:
                row = _language_row(self.random.choice(ngrams))
                if row is not None:
                    probabilities *= weight + row
                if iteration % 5 == 0:
                    probabilities /= sum(probabilities.tolist())
                    if probabilities.max() > self.CONV_THRESHOLD or iteration >= self.ITERATION_LIMIT:
                        break
                iteration += 1
            total += probabilities / self.n_trial
        self.langprob = total.tolist()


def detect_langs(text: str) -> list:
    """``langdetect.detect_langs(text)``, computed by ``VectorDetector``."""
    detector_factory.init_factory()
    detector = VectorDetector(detector_factory._factory)
    detector.append(text)
    return detector.get_probabilities()
