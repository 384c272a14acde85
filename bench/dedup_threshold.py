"""Measure word-shingle Jaccard similarities to choose the near-duplicate threshold.

Run from the repository root::

    python -m bench.dedup_threshold [--shared PATH]

Texts: the expected article bodies in ``shared/eval/arabic-news/*.expected.txt`` and the
two seeds in ``shared/seeds/`` (the same event, a US-Russia meeting in Istanbul, written
by two outlets: they must NOT match). From each text the script builds the copies a
republishing site makes, and compares them with the original for shingle sizes 3, 4, 5:

- ``agency_afp`` / ``agency_wires``: "(أ ف ب)" or "المصدر: وكالات" appended as a line;
- ``lede_edit``: a few words of the first paragraph changed (one inserted, two swapped,
  one replaced);
- ``lede_rewritten``: the first paragraph rewritten as a whole, simulated by reversing
  its word order (same length, no shingle left in common);
- ``paragraph_dropped``: the longest paragraph after the first removed;
- ``intro_added``: the republisher's own intro paragraph (``REPUBLISHER_INTRO``) on top;
- ``word_edits``: every 20th word replaced (a copy editor's touches, other transliterations);
- ``combined``: intro added, longest paragraph dropped and agency line appended at once.

Different-story pairs: every pair of distinct texts, the two seeds apart as
``same_event_two_outlets``, and ``shared_paragraph``: a story compared with another
story that carries its longest paragraph (a follow-up repeating background).

Tables: (1) every pair for n = 3, 4, 5 and the lowest copy / highest different per n;
(2) copies of texts cut to L words, to choose the minimum length below which texts are
never marked; (3) per candidate threshold, the probability that LSH plus the MinHash
estimate report the worst copy and the worst different pair as a match; (4) that
probability and the MinHash estimates per kind for the constants of
``crawler.near_duplicates``.
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from datasketch.lsh import _optimal_param

from crawler.arabic import fingerprint_words
from crawler.near_duplicates import (
    MIN_WORDS,
    NUM_PERM,
    SHINGLE_SIZE,
    THRESHOLD,
    estimated_jaccard,
    jaccard,
    lsh_parameters,
    shingles,
    signature,
    signature_bytes,
)

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"

SHINGLE_SIZES = (3, 4, 5)

SEED_PREFIX = "seed_"

AGENCY_LINE_AFP = "(أ ف ب)"
AGENCY_LINE_WIRES = "المصدر: وكالات"

# Written for this bench: the kind of framing paragraph a republishing site puts on top.
REPUBLISHER_INTRO = (
    "نقلت وسائل إعلام عربية ودولية خلال الساعات الماضية تفاصيل جديدة حول هذا الخبر الذي أثار "
    "اهتماما واسعا بين المتابعين، وفيما يلي ننشر النص كما ورد من مصادره مع إضافات حصلت عليها "
    "أسرة التحرير من مصادر مطلعة."
)

# word_edits: every 20th word (5 %) replaced, as a copy editor's touches and other
# transliterations of names scatter through a republished text.
WORD_EDIT_INTERVAL = 20
EDITED_WORD = "أيضا"

SHORT_TEXT_LENGTHS = (20, 30, 40, 50, 60, 80, 120)

SCANNED_THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)

COPY_KINDS = (
    "agency_afp",
    "agency_wires",
    "lede_edit",
    "lede_rewritten",
    "paragraph_dropped",
    "intro_added",
    "word_edits",
    "combined",
)
DIFFERENT_KINDS = ("different_story", "same_event_two_outlets", "shared_paragraph")


@dataclass(frozen=True)
class Pair:
    kind: str
    name: str
    text_a: str
    text_b: str

    @property
    def is_copy(self) -> bool:
        return self.kind in COPY_KINDS


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def with_agency_line(text: str, line: str) -> str:
    return f"{text}\n\n{line}"


def with_lede_edited(text: str) -> str:
    first, *rest = paragraphs(text)
    words = first.split()
    words.insert(0, "وذكرت")
    if len(words) > 6:
        words[3], words[4] = words[4], words[3]
        words[6] = "أيضا"
    return "\n\n".join([" ".join(words), *rest])


def with_lede_rewritten(text: str) -> str:
    first, *rest = paragraphs(text)
    return "\n\n".join([" ".join(reversed(first.split())), *rest])


def with_longest_paragraph_dropped(text: str) -> str:
    parts = paragraphs(text)
    if len(parts) < 3:
        return text
    longest = max(range(1, len(parts)), key=lambda index: len(parts[index]))
    return "\n\n".join(parts[:longest] + parts[longest + 1 :])


def with_word_edits(text: str) -> str:
    parts = paragraphs(text)
    counter = itertools.count(1)
    edited = [
        " ".join(
            EDITED_WORD if next(counter) % WORD_EDIT_INTERVAL == 0 else word
            for word in part.split()
        )
        for part in parts
    ]
    return "\n\n".join(edited)


def with_paragraph_of(text: str, other: str) -> str:
    parts = paragraphs(other)
    return "\n\n".join([*paragraphs(text), max(parts, key=len)])


def with_intro_added(text: str) -> str:
    return f"{REPUBLISHER_INTRO}\n\n{text}"


def with_everything(text: str) -> str:
    return with_agency_line(with_intro_added(with_longest_paragraph_dropped(text)), AGENCY_LINE_AFP)


COPY_MAKERS: dict[str, Callable[[str], str]] = {
    "agency_afp": lambda text: with_agency_line(text, AGENCY_LINE_AFP),
    "agency_wires": lambda text: with_agency_line(text, AGENCY_LINE_WIRES),
    "lede_edit": with_lede_edited,
    "lede_rewritten": with_lede_rewritten,
    "paragraph_dropped": with_longest_paragraph_dropped,
    "intro_added": with_intro_added,
    "word_edits": with_word_edits,
    "combined": with_everything,
}


def load_texts(shared: Path) -> dict[str, str]:
    """Return the texts by name; the seeds' names start with ``SEED_PREFIX``."""
    articles = sorted((shared / "eval" / "arabic-news").glob("*.expected.txt"))
    seeds = sorted((shared / "seeds").glob("*.txt"))
    if not articles or len(seeds) != 2:
        raise SystemExit(f"expected the eval texts and two seeds under {shared}")
    texts = {path.name.split(".")[0]: path.read_text(encoding="utf-8") for path in articles}
    for path in seeds:
        texts[SEED_PREFIX + path.stem.split("_")[0]] = path.read_text(encoding="utf-8")
    return texts


def build_pairs(texts: dict[str, str]) -> list[Pair]:
    seeds = {name for name in texts if name.startswith(SEED_PREFIX)}
    pairs = [
        Pair(kind, name, text, make(text))
        for name, text in texts.items()
        for kind, make in COPY_MAKERS.items()
    ]
    for (name_a, text_a), (name_b, text_b) in itertools.combinations(texts.items(), 2):
        kind = "same_event_two_outlets" if {name_a, name_b} <= seeds else "different_story"
        pairs.append(Pair(kind, f"{name_a} ~ {name_b}", text_a, text_b))
        pairs.append(
            Pair(
                "shared_paragraph",
                f"{name_a} ~ {name_b}+1",
                text_a,
                with_paragraph_of(text_b, text_a),
            )
        )
    return pairs


def similarity(pair: Pair, size: int) -> float:
    return jaccard(shingles(pair.text_a, size), shingles(pair.text_b, size))


def truncated(text: str, length: int) -> str:
    return " ".join(fingerprint_words(text)[:length])


def with_one_word_replaced(text: str) -> str:
    words = text.split()
    words[len(words) // 2] = "أيضا"
    return " ".join(words)


def print_pair_table(pairs: list[Pair]) -> dict[int, tuple[float, float]]:
    """Print every pair; return, per shingle size, (lowest copy, highest different) Jaccard."""
    print("Exact Jaccard of word-shingle sets")
    print(f"{'kind':<24} {'pair':<44}" + "".join(f"  n={size:<4}" for size in SHINGLE_SIZES))
    scores = {size: {"copy": [], "different": []} for size in SHINGLE_SIZES}
    for pair in sorted(pairs, key=lambda pair: (not pair.is_copy, pair.kind, pair.name)):
        values = [similarity(pair, size) for size in SHINGLE_SIZES]
        for size, value in zip(SHINGLE_SIZES, values):
            scores[size]["copy" if pair.is_copy else "different"].append(value)
        print(f"{pair.kind:<24} {pair.name:<44}" + "".join(f"  {v:<6.3f}" for v in values))
    extremes = {
        size: (min(scores[size]["copy"]), max(scores[size]["different"])) for size in SHINGLE_SIZES
    }
    print()
    print(f"{'n':<4} {'lowest copy':>12} {'highest different':>18} {'gap':>6}")
    for size, (lowest_copy, highest_different) in extremes.items():
        gap = lowest_copy - highest_different
        print(f"{size:<4} {lowest_copy:>12.3f} {highest_different:>18.3f} {gap:>6.3f}")
    return extremes


def print_short_text_table(texts: dict[str, str]) -> None:
    """Copies of texts cut to L words: lowest Jaccard per shingle size, for MIN_WORDS."""
    print()
    print("Texts cut to L words: lowest copy Jaccard (agency line / one word replaced)")
    header = "".join(f"  {f'n={size} afp':>9} {'one_word':>9}" for size in SHINGLE_SIZES)
    print(f"{'L':<5}{header}")
    for length in SHORT_TEXT_LENGTHS:
        cut = [truncated(text, length) for text in texts.values()]
        cells = []
        for size in SHINGLE_SIZES:
            afp = min(
                jaccard(
                    shingles(text, size),
                    shingles(with_agency_line(text, AGENCY_LINE_AFP), size),
                )
                for text in cut
            )
            one_word = min(
                jaccard(shingles(text, size), shingles(with_one_word_replaced(text), size))
                for text in cut
            )
            cells.append(f"  {afp:>9.3f} {one_word:>9.3f}")
        print(f"{length:<5}" + "".join(cells))


def match_probability(similarity: float, threshold: float, bands: int, rows: int) -> float:
    """Probability that a pair of this Jaccard similarity is reported as a near-copy.

    It must first share one of *bands* bands of *rows* MinHash values (LSH candidate),
    then its MinHash estimate, Binomial(NUM_PERM, similarity) / NUM_PERM, must reach
    *threshold*.
    """
    candidate = 1 - (1 - similarity**rows) ** bands
    lowest_count = math.ceil(threshold * NUM_PERM)
    estimate_passes = sum(
        math.comb(NUM_PERM, count) * similarity**count * (1 - similarity) ** (NUM_PERM - count)
        for count in range(lowest_count, NUM_PERM + 1)
    )
    return candidate * estimate_passes


def print_threshold_scan(lowest_copy: float, highest_different: float) -> None:
    """P(match) of the worst copy and the worst different pair for candidate thresholds."""
    print()
    print(
        f"Threshold scan at n={SHINGLE_SIZE}: P(match) of the lowest copy (J={lowest_copy:.3f}), "
        f"of J=0.300 and of the highest different pair (J={highest_different:.3f})"
    )
    print(f"{'t':<6} {'b':>3} {'r':>3} {'P(copy)':>9} {'P(J=0.3)':>9} {'P(diff)':>9}")
    for threshold in SCANNED_THRESHOLDS:
        bands, rows = _optimal_param(threshold, NUM_PERM, 0.5, 0.5)
        cells = [
            match_probability(value, threshold, bands, rows)
            for value in (lowest_copy, 0.3, highest_different)
        ]
        print(f"{threshold:<6} {bands:>3} {rows:>3}" + "".join(f" {cell:>9.4f}" for cell in cells))


def print_estimate_table(pairs: list[Pair]) -> None:
    """MinHash estimates and P(match) per kind with the chosen parameters."""
    bands, rows = lsh_parameters()
    print()
    print(
        f"Chosen: n={SHINGLE_SIZE}, THRESHOLD={THRESHOLD}, MIN_WORDS={MIN_WORDS}, "
        f"NUM_PERM={NUM_PERM}, LSH b={bands} r={rows}"
    )
    print(f"{'kind':<24} {'exact J':>13} {'MinHash est.':>13} {'P(match) of worst':>18}")
    for kind in COPY_KINDS + DIFFERENT_KINDS:
        members = [pair for pair in pairs if pair.kind == kind]
        exact = [similarity(pair, SHINGLE_SIZE) for pair in members]
        estimates = [
            estimated_jaccard(
                signature_bytes(signature(pair.text_a)), signature_bytes(signature(pair.text_b))
            )
            for pair in members
        ]
        worst = min(exact) if kind in COPY_KINDS else max(exact)
        print(
            f"{kind:<24} {min(exact):>6.3f}-{max(exact):<6.3f} "
            f"{min(estimates):>6.3f}-{max(estimates):<6.3f} "
            f"{match_probability(worst, THRESHOLD, bands, rows):>18.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    arguments = parser.parse_args()
    texts = load_texts(arguments.shared)
    pairs = build_pairs(texts)
    extremes = print_pair_table(pairs)
    print_short_text_table(texts)
    print_threshold_scan(*extremes[SHINGLE_SIZE])
    print_estimate_table(pairs)


if __name__ == "__main__":
    main()
