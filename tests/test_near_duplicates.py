"""Tests for crawler.near_duplicates on the real eval texts and seeds and copies made of them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.arabic import fingerprint_words
from crawler.near_duplicates import (
    FALSE_NEGATIVE_WEIGHT,
    FALSE_POSITIVE_WEIGHT,
    MIN_WORDS,
    MINHASH_SCHEME,
    MINHASH_SEED,
    NUM_PERM,
    THRESHOLD,
    NearDuplicateIndex,
    band_hashes,
    estimated_jaccard,
    jaccard,
    lsh_parameters,
    shingles,
    shingles_of_words,
    signature,
    signature_bytes,
)

from tests.conftest import SHARED, require_shared

REPO = Path(__file__).resolve().parent.parent
EVAL = SHARED / "eval" / "arabic-news"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))

REPUBLISHER_INTRO = (
    "نقلت وسائل إعلام عربية ودولية خلال الساعات الماضية تفاصيل جديدة حول هذا الخبر الذي "
    "أثار اهتماما واسعا بين المتابعين، وفيما يلي ننشر النص كما ورد من مصادره."
)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def with_agency_line(text: str) -> str:
    return text + "\n\n(أ ف ب)"


def with_longest_paragraph_dropped(text: str) -> str:
    parts = paragraphs(text)
    longest = max(range(1, len(parts)), key=lambda index: len(parts[index]))
    return "\n\n".join(parts[:longest] + parts[longest + 1 :])


def with_intro_added(text: str) -> str:
    return REPUBLISHER_INTRO + "\n\n" + text


def words(count: int, offset: int = 0) -> str:
    return " ".join(f"كلمة{number}" for number in range(offset, offset + count))


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    require_shared()
    found = {path.name.split(".")[0]: read(path) for path in sorted(EVAL.glob("*.expected.txt"))}
    assert len(found) >= 5 and len(SEEDS) == 2, f"shared texts missing under {SHARED}"
    return found


@pytest.fixture
def store(state_backend):
    with state_backend.open() as opened:
        yield opened


@pytest.fixture
def index(store):
    return NearDuplicateIndex(store)


# --- the pure parts ------------------------------------------------------------------------


def test_shingles_are_word_grams_of_the_folded_text():
    assert shingles("أحمد ذهب إلى المدرسة، اليوم!", size=4) == {
        "احمد ذهب الي المدرسه",
        "ذهب الي المدرسه اليوم",
    }
    assert shingles("كلمتان فقط", size=4) == set()


def test_jaccard():
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 0.0


def test_estimate_follows_the_exact_jaccard(texts):
    text = texts["08_youm7"]
    copy = with_intro_added(with_longest_paragraph_dropped(text))
    exact = jaccard(shingles(text), shingles(copy))
    estimate = estimated_jaccard(signature_bytes(signature(text)), signature_bytes(signature(copy)))
    assert abs(estimate - exact) < 0.15  # > 3 standard errors at NUM_PERM=128
    assert len(signature_bytes(signature(text))) == 4 * NUM_PERM


def datasketch_signature(text: str) -> bytes:
    """The reference: datasketch's own MinHash of the same shingles."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    minhash.update_batch([shingle.encode("utf-8") for shingle in shingles_of_words(fingerprint_words(text))])
    return signature_bytes(minhash.hashvalues)


def test_signatures_are_datasketchs_to_the_bit(texts):
    # Signatures stored by earlier runs (made with datasketch) must match new ones.
    samples = [*texts.values(), *(read(seed) for seed in SEEDS), words(60), "كلمتان فقط"]
    for text in samples:
        assert signature_bytes(signature(text)) == datasketch_signature(text)


def test_lsh_parameters_are_datasketchs_optimum():
    from datasketch.lsh import _optimal_param

    assert lsh_parameters() == _optimal_param(THRESHOLD, NUM_PERM, FALSE_POSITIVE_WEIGHT, FALSE_NEGATIVE_WEIGHT)


def test_band_hashes_cover_the_lsh_bands():
    bands, rows = lsh_parameters()
    assert bands * rows <= NUM_PERM
    hashes = band_hashes(signature(words(60)))
    assert len(hashes) == bands
    assert all(-(2**63) <= value < 2**63 for value in hashes)


def test_signatures_are_the_same_in_another_process(texts):
    text_path = EVAL / "01_cnnarabic.expected.txt"
    script = (
        "import sys; from pathlib import Path;"
        "from crawler.near_duplicates import signature, signature_bytes;"
        "sys.stdout.write(signature_bytes(signature(Path(sys.argv[1]).read_text('utf-8'))).hex())"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, str(text_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PYTHONHASHSEED": "12345", "PATH": ""},
    )
    assert other.stdout == signature_bytes(signature(read(text_path))).hex()


# --- copies match, different stories do not --------------------------------------------------


@pytest.mark.parametrize(
    "make_copy", [with_agency_line, with_longest_paragraph_dropped, with_intro_added]
)
@pytest.mark.parametrize("name", ["01_cnnarabic", "08_youm7", "13_youm7_2024a"])
def test_copies_are_found_among_all_stored_texts(texts, index, name, make_copy):
    for stored_name, text in texts.items():
        assert index.add(stored_name, text)
    for seed in SEEDS:
        assert index.add(seed.stem, read(seed))
    found = index.find(make_copy(texts[name]))
    assert found is not None
    key, similarity = found
    assert key == name
    assert THRESHOLD <= similarity <= 1.0


@pytest.mark.shared
def test_the_two_seeds_are_the_same_event_but_not_copies(index):
    first, second = (read(seed) for seed in SEEDS)
    assert index.add("seed-a", first)
    assert index.find(second) is None
    assert index.add("seed-b", second)
    assert index.find(first)[0] == "seed-a"  # itself, not the other outlet's story
    assert index.find(first, exclude="seed-a") is None


def test_different_stories_are_not_copies(texts, index):
    names = sorted(texts)
    for name in names[:-1]:
        index.add(name, texts[name])
    assert index.find(texts[names[-1]]) is None


def test_the_closest_stored_text_wins(texts, index):
    text = texts["02_assabah"]
    index.add("shortened", with_longest_paragraph_dropped(text))
    index.add("original", text)
    key, similarity = index.find(with_agency_line(text))
    assert key == "original"
    assert similarity > 0.95


def test_exclude_skips_the_article_itself(texts, index):
    text = texts["04_bbcarabic"]
    index.add("bbc", text)
    assert index.find(with_agency_line(text), exclude="bbc") is None
    index.add("republished", with_intro_added(text))
    assert index.find(with_agency_line(text), exclude="bbc")[0] == "republished"


def test_adding_a_key_again_replaces_its_text(texts, index):
    index.add("k", texts["01_cnnarabic"])
    index.add("k", texts["08_youm7"])
    assert index.find(texts["01_cnnarabic"]) is None
    assert index.find(texts["08_youm7"])[0] == "k"


def test_the_index_persists_across_a_reopened_store(texts, state_backend):
    with state_backend.open() as store:
        index = NearDuplicateIndex(store)
        index.add("youm7", texts["08_youm7"])
        index.add("seed-a", read(SEEDS[0]))
        assert index.flush() == 2
    with state_backend.open() as store:
        reopened = NearDuplicateIndex(store)
        assert reopened.find(with_intro_added(texts["08_youm7"]))[0] == "youm7"
        assert reopened.find(read(SEEDS[1])) is None


# --- short texts ---------------------------------------------------------------------------


def test_texts_shorter_than_min_words_are_never_indexed_nor_marked(index):
    short = words(MIN_WORDS - 1)
    assert not index.add("short", short)
    assert index.find(short) is None


def test_texts_of_min_words_are_compared(index):
    text = words(MIN_WORDS)
    assert index.add("long-enough", text)
    assert index.find(text) == ("long-enough", 1.0)
    assert index.find(words(MIN_WORDS, offset=1000)) is None


def test_unflushed_signatures_never_reach_the_store(texts, state_backend):
    """Only signatures of committed articles are persisted: a crash forgets the rest."""
    with state_backend.open() as store:
        index = NearDuplicateIndex(store)
        index.add("committed", texts["08_youm7"])
        index.add("never-written", texts["01_cnnarabic"])
        assert index.find(with_intro_added(texts["01_cnnarabic"]))[0] == "never-written"
        assert index.flush(["committed"]) == 1
    with state_backend.open() as store:
        reopened = NearDuplicateIndex(store)
        assert reopened.find(with_intro_added(texts["08_youm7"]))[0] == "committed"
        assert reopened.find(with_intro_added(texts["01_cnnarabic"])) is None


def test_stored_candidates_of_real_copies_are_those_of_per_band_lookups(texts, store):
    """One batched query per lookup finds exactly the articles sharing a band with the probe."""
    index = NearDuplicateIndex(store)
    stored_bands = {}
    for name, text in texts.items():
        index.add(name, text)
        stored_bands[name] = band_hashes(signature(text))
    index.flush()
    for name, text in texts.items():
        bands = band_hashes(signature(with_agency_line(text)))
        per_band = {key for key, own in stored_bands.items() if any(a == b for a, b in zip(own, bands))}
        assert store.lsh_candidates(bands) == per_band
        assert name in per_band

def test_only_originals_indexed_inside_the_window_are_found(store):
    from datetime import datetime, timedelta, timezone

    from crawler.arabic import fold_for_fingerprint
    from crawler.near_duplicates import minhash_entry
    from crawler.state import ArticleState

    now = datetime.now(timezone.utc)
    original = words(120)
    entry = minhash_entry(fold_for_fingerprint(original))
    for key, seen in (("https://ex.com/old", now - timedelta(days=45)), ("https://ex.com/recent", now - timedelta(days=5))):
        state = ArticleState(key=key, url=key, first_seen=seen, last_seen=seen, content_hash=f"h-{key}",
                             published_at=None, discovered_at=None, version=1, file="d.jsonl")
        text = original if key.endswith("old") else words(120, 5000)
        store.record_committed(f"{key[-3:]}.jsonl", [state], (), [(key, *minhash_entry(fold_for_fingerprint(text)))])
    assert NearDuplicateIndex(store).match_entry("https://ex.com/copy", entry)[0] == "https://ex.com/old"
    assert NearDuplicateIndex(store, window_days=30).match_entry("https://ex.com/copy", entry) is None
    assert NearDuplicateIndex(store, window_days=60).match_entry("https://ex.com/copy", entry)[0] == "https://ex.com/old"
