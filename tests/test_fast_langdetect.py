"""crawler.fast_langdetect gives langdetect's answers to the bit."""

from pathlib import Path

import pytest
from langdetect import DetectorFactory
from langdetect import detect_langs as langdetect_candidates
from langdetect.lang_detect_exception import LangDetectException

from crawler.fast_langdetect import detect_langs
from crawler.language import SAMPLE_CHARS, SCRIPT_SAMPLE_CHARS, language_sample
from tests.test_language import ARABIC, ENGLISH, PERSIAN, SEED_SENSITIVE_TEXT, URDU

EVAL_PAGES = Path(__file__).parent / "eval_pages"

# Each takes another branch of langdetect: Latin dropped from a mostly non-Latin text,
# capitalised words skipped, Vietnamese and Romanian normalisation, CJK, URLs and e-mail removed.
OTHER_TEXTS = [
    PERSIAN,
    URDU,
    ENGLISH,
    SEED_SENSITIVE_TEXT,
    "مرحبا hello world, this text is mostly English with a few عربي words in it",
    "NATO AND THE UN SAID ON MONDAY THAT TALKS WOULD RESUME IN GENEVA",
    "Việt Nam là một quốc gia nằm ở cực Đông của bán đảo Đông Dương",
    "Guvernul a anunțat ieri că școlile vor rămâne închise până în septembrie",
    "中华人民共和国外交部发言人今天在例行记者会上表示",
    "Le président a annoncé hier une nouvelle réforme, voir https://example.com/a?b=1 ou écrire à info@example.com",
    "Die Regierung in Berlin hat am Montag neue Maßnahmen beschlossen",
]


def arabic_texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(EVAL_PAGES.glob("*.expected.txt"))]
    assert len(texts) >= 5, f"evaluation texts missing under {EVAL_PAGES}"
    return [ARABIC, *texts]


def samples() -> list[str]:
    found = []
    for text in arabic_texts() + OTHER_TEXTS:
        found += [language_sample(text, SCRIPT_SAMPLE_CHARS), language_sample(text, SAMPLE_CHARS), text[:3000]]
    return list(dict.fromkeys(found))


def candidates(detect, text: str) -> list[tuple[str, float]]:
    return [(candidate.lang, candidate.prob) for candidate in detect(text)]


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_answers_are_langdetects_to_the_bit(monkeypatch, seed):
    monkeypatch.setattr(DetectorFactory, "seed", seed)
    compared = samples()
    assert len(compared) > 40

    for text in compared:
        assert candidates(detect_langs, text) == candidates(langdetect_candidates, text), text[:80]


def test_each_branch_is_exercised_with_a_real_answer(monkeypatch):
    # Guards the comparison above against both sides failing the same way.
    monkeypatch.setattr(DetectorFactory, "seed", 0)
    found = {text: candidates(detect_langs, text)[0][0] for text in OTHER_TEXTS}

    assert found[PERSIAN] == "fa" and found[ENGLISH] == "en"
    assert found[OTHER_TEXTS[6]] == "vi" and found[OTHER_TEXTS[8]].startswith("zh")
    assert candidates(detect_langs, ARABIC)[0][0] == "ar"


@pytest.mark.parametrize("text", ["", "123 456", "!!! ... ؟؟", "https://example.com/only-a-link"])
def test_a_text_without_features_fails_as_langdetect_does(text):
    with pytest.raises(LangDetectException):
        langdetect_candidates(text)
    with pytest.raises(LangDetectException):
        detect_langs(text)
