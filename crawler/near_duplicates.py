"""Syndicated near-copies: MinHash signatures and LSH bands, persisted in the state store.

An article republished by another site (an agency wire, a copy with the agency's sign-off
appended, a paragraph dropped, the republisher's own intro on top) is not byte-identical,
so the exact ``content_hash`` misses it. Here each text becomes the set of its word
``SHINGLE_SIZE``-grams over ``fingerprint_words`` (the lossy fold of ``crawler.arabic``,
so spelling variants of hamza, yeh, teh marbuta and digits do not count as edits), and a
``NUM_PERM``-value MinHash estimates the Jaccard similarity of two such sets.

Candidates come from LSH: the signature is cut into ``b`` bands of ``r`` values, the
(b, r) that datasketch finds optimal for ``THRESHOLD``; two texts become candidates when
one band is equal. Each band is stored as a 64-bit hash in the state store, so a lookup
is one query that searches the index once per band, and memory does not grow with the
number of articles; the candidates' stored signatures then give the estimated similarity.

The band hashes carry a tag of every parameter that shapes them (``SIGNATURE_SCHEME``), so
changing a constant here makes old rows unreachable instead of matching wrongly; old
articles are then simply not found as originals until they are re-indexed.

Meant for marking copies, not dropping them: a false match then costs a wrong label, not
a lost story.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from functools import cache

import numpy as np

from crawler.arabic import fingerprint_words
from crawler.state import StateStore

logger = logging.getLogger(__name__)

_WORD_RE = re.compile(r"\w+")

# Words per shingle, chosen with bench/dedup_threshold.py (5 eval texts, 2 seeds, their
# synthetic copies). Lowest copy / highest different-story Jaccard: n=3 0.633 / 0.153,
# n=4 0.637 / 0.150, n=5 0.593 / 0.148. Each edited word removes n shingles, so n=5 loses
# most on scattered edits (5 % of words replaced: 0.593 against 0.663 at n=4), while n=3
# lets stock phrases join unrelated texts (the two seeds: 0.014 against 0.009 at n=4).
# n=4 has the widest gap.
SHINGLE_SIZE = 4

# Estimated Jaccard at or above which a text is a copy. Measured at n=4: the lowest copy
# is 0.637 (the republisher's intro added, longest paragraph dropped and "(أ ف ب)"
# appended, all at once, on the youm7 text), then 0.663 (5 % of words replaced), 0.714
# (first paragraph rewritten), 0.718 (a paragraph dropped); an agency line alone keeps
# >= 0.990. The highest different pair is 0.150 (another story carrying one paragraph of
# this one), the seeds (same event, two outlets) 0.009, unrelated stories <= 0.001.
# 0.4 sits 0.24 under the lowest copy and 0.25 over the highest different pair. With
# datasketch's optimal b=32 bands of r=4 rows for 0.4, P(match) is 0.997 at J=0.637,
# 0.0015 at J=0.3 and < 1e-4 at J=0.15; 0.45 or 0.5 (b=25, r=5) would miss the lowest
# copy 6 % of the time.
THRESHOLD = 0.4

# Words (after the fold) a text needs to be compared at all; shorter ones are never marked
# nor indexed. In a short text every word is a big share of the shingles: one replaced
# word leaves J at 0.60 for 20 words, 0.68 for 30 and 0.82 for 50 (n=4), so a dateline plus
# a sign-off push a real copy of a brief toward THRESHOLD, while the short items most
# alike, bulletins filled from one template (weather, prices, case counts), differ in just
# a few numbers and would pass as copies. From 50 words on, one edit keeps 0.82 and an
# agency line 0.93, far above THRESHOLD.
MIN_WORDS = 50

# 128 permutations: standard error of the estimate sqrt(J(1-J)/128) <= 0.044, small
# against the gap between copies and different stories that the bench measures.
NUM_PERM = 128

# Fixed seed and hash scheme: signatures written by one run are compared by the next.
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"

SIGNATURE_DTYPE = np.dtype("<u4")  # affine32 hash values fit 32 bits

# datasketch's default weighting of false positives and false negatives.
FALSE_POSITIVE_WEIGHT = 0.5
FALSE_NEGATIVE_WEIGHT = 0.5

SIGNATURE_SCHEME = (
    f"minhash/{MINHASH_SCHEME}/perm={NUM_PERM}/seed={MINHASH_SEED}/shingle={SHINGLE_SIZE}"
    f"/threshold={THRESHOLD}"
)


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """Return the set of word *size*-grams of ``fingerprint_words(text)``."""
    return shingles_of_words(fingerprint_words(text), size)


def shingles_of_words(words: Sequence[str], size: int = SHINGLE_SIZE) -> set[str]:
    return {" ".join(words[start : start + size]) for start in range(len(words) - size + 1)}


def words_of_folded(folded_text: str) -> list[str]:
    """The words of a text that is already ``fold_for_fingerprint``-ed (no second fold)."""
    return _WORD_RE.findall(folded_text)


def jaccard(a: set[str], b: set[str]) -> float:
    """Return the exact Jaccard similarity of two sets, 0.0 for two empty sets."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def is_long_enough(text: str) -> bool:
    """Tell whether *text* has the ``MIN_WORDS`` words needed to be compared at all."""
    return len(fingerprint_words(text)) >= MIN_WORDS


def signature(text: str) -> np.ndarray:
    """Return the MinHash of the shingles of *text* (deterministic across processes)."""
    return signature_of_words(fingerprint_words(text))


# datasketch's MinHash (scheme "affine32"), computed here with numpy alone: importing
# datasketch imports scipy for its LSH (0.64 s of CPU and 40 MB in every process that
# makes signatures), and a signature needs none of it. The values are datasketch's to
# the bit (tests/test_near_duplicates.py compares them), so stored signatures stay valid.
_MURMUR3_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
_EMPTY_HASH = np.iinfo(np.uint32).max


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of the NUM_PERM affine permutations h -> a*h + b mod 2^32, drawn as datasketch draws them."""
    generator = np.random.RandomState(MINHASH_SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _premixed(hashes: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer over 32-bit values (the wraparound is the modulo)."""
    s1, m1, s2, m2, s3 = _MURMUR3_FMIX32
    hashes = hashes ^ (hashes >> s1)
    hashes = hashes * m1
    hashes = hashes ^ (hashes >> s2)
    hashes = hashes * m2
    return hashes ^ (hashes >> s3)


def _sha1_32(data: bytes) -> int:
    return int.from_bytes(hashlib.sha1(data).digest()[:4], "little")


def signature_of_words(words: Sequence[str]) -> np.ndarray:
    """The NUM_PERM MinHash values of the word shingles of ``words``, as uint32."""
    found = shingles_of_words(words)
    if not found:
        return np.full(NUM_PERM, _EMPTY_HASH, dtype=np.uint32)
    hashes = np.array([_sha1_32(shingle.encode("utf-8")) for shingle in found], dtype=np.uint32)
    a, b = _permutations()
    return (_premixed(hashes).reshape(-1, 1) * a + b).min(axis=0)


# datasketch's optimal (bands, rows per band) for THRESHOLD and NUM_PERM with equal
# false-positive and false-negative weights, as ``datasketch.lsh._optimal_param`` computes
# them (with scipy's integration; tests/test_near_duplicates.py checks they still agree).
LSH_BANDS, LSH_ROWS = 32, 4


def lsh_parameters() -> tuple[int, int]:
    """Return the (bands, rows per band) of the LSH index."""
    return LSH_BANDS, LSH_ROWS


def band_hashes(minhash: np.ndarray) -> list[int]:
    """Return one signed 64-bit hash per LSH band of *minhash* (SQLite INTEGER range)."""
    bands, rows = lsh_parameters()
    values = signature_bytes(minhash)
    width = rows * SIGNATURE_DTYPE.itemsize
    return [
        _band_hash(band, values[band * width : (band + 1) * width]) for band in range(bands)
    ]


def signature_bytes(minhash: np.ndarray) -> bytes:
    """Return the hash values of *minhash* as little-endian 32-bit integers."""
    return np.asarray(minhash).astype(SIGNATURE_DTYPE).tobytes()


def estimated_jaccard(signature_a: bytes, signature_b: bytes) -> float:
    """Return the share of equal MinHash values, the estimate of the Jaccard similarity."""
    a = np.frombuffer(signature_a, dtype=SIGNATURE_DTYPE)
    b = np.frombuffer(signature_b, dtype=SIGNATURE_DTYPE)
    if len(a) != len(b) or not len(a):
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)


def minhash_entry(folded_text: str) -> tuple[list[int], bytes] | None:
    """(band_hashes, signature) of an already folded text, or None when it is too short to compare."""
    words = words_of_folded(folded_text)
    if len(words) < MIN_WORDS:
        return None
    minhash = signature_of_words(words)
    return band_hashes(minhash), signature_bytes(minhash)


def window_start(window_days: float | None, now: datetime | None = None) -> datetime | None:
    """The earliest index time a near-duplicate lookup consults, or None for no window."""
    if window_days is None or window_days <= 0:
        return None
    return (now or datetime.now(timezone.utc)) - timedelta(days=window_days)


def best_match(own_signature: bytes, candidates: Iterable[tuple[str, bytes | None]]) -> tuple[str, float] | None:
    """(key, estimated Jaccard) of the most similar candidate at or above THRESHOLD, or None.

    Of equally similar candidates the first one wins, so give them in a stable order.
    """
    best: tuple[str, float] | None = None
    for key, stored in candidates:
        if stored is None:
            continue
        similarity = estimated_jaccard(own_signature, stored)
        if similarity >= THRESHOLD and (best is None or similarity > best[1]):
            best = (key, similarity)
    return best


class NearDuplicateIndex:
    """Finds the article a text is a near-copy of, among stored and pending ones.

    ``add`` keeps a signature pending (in memory) until ``flush`` writes it to
    the store, which the crawl does when the article's data file is committed:
    the store never holds signatures of articles that were not written, and
    the pending set stays as small as one data file.
    """

    def __init__(self, store: StateStore, window_days: float | None = None) -> None:
        self.store = store
        # Only signatures indexed in the last window_days are consulted (DEDUP_WINDOW_DAYS).
        self.window_days = window_days
        self.pending: dict[str, tuple[list[int], bytes]] = {}
        # (band, band_hash) -> pending keys: the in-memory side of the LSH index.
        self._pending_bands: dict[tuple[int, int], set[str]] = {}

    def _add_pending(self, key: str, bands: list[int], signature_value: bytes) -> None:
        self._remove_pending(key)
        self.pending[key] = (bands, signature_value)
        for band in enumerate(bands):
            self._pending_bands.setdefault(band, set()).add(key)

    def _remove_pending(self, key: str) -> tuple[list[int], bytes] | None:
        entry = self.pending.pop(key, None)
        if entry is not None:
            for band in enumerate(entry[0]):
                keys = self._pending_bands.get(band)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del self._pending_bands[band]
        return entry

    def find(self, text: str, exclude: str | None = None) -> tuple[str, float] | None:
        """Return (key, estimated Jaccard) of the most similar known article at or above
        THRESHOLD, or None. *exclude* (an article's own key) is never returned, so that a
        re-fetched article is not reported as a copy of its previous version.
        """
        if not is_long_enough(text):
            return None
        return self._best_match(signature(text), exclude)

    def add(self, key: str, text: str) -> bool:
        """Index *text* as article *key* (pending until ``flush``); False if too short."""
        if not is_long_enough(text):
            return False
        minhash = signature(text)
        self._add_pending(key, band_hashes(minhash), signature_bytes(minhash))
        return True

    def match_and_add(
        self, key: str, folded_text: str, entry: tuple[list[int], bytes] | None = None
    ) -> tuple[str, float] | None:
        """``find`` then ``add`` for an already folded text, hashing it once.

        *entry* is the text's ``minhash_entry`` when a worker already computed it.
        """
        entry = entry if entry is not None else minhash_entry(folded_text)
        if entry is None:
            return None
        match = self.match_entry(key, entry)
        self.add_entry(key, entry)
        return match

    def match_entry(self, key: str, entry: tuple[Sequence[int], bytes]) -> tuple[str, float] | None:
        """The best match of a ``minhash_entry`` among stored and pending articles but *key*."""
        return self._best_match_of(list(entry[0]), entry[1], exclude=key)

    def add_entry(self, key: str, entry: tuple[Sequence[int], bytes]) -> None:
        """Index a ``minhash_entry`` as article *key*, pending until ``take`` or ``flush``."""
        self._add_pending(key, list(entry[0]), entry[1])

    def discard(self, key: str) -> None:
        """Forget a pending signature whose article will not be written."""
        self._remove_pending(key)

    def _best_match(self, minhash: np.ndarray, exclude: str | None) -> tuple[str, float] | None:
        return self._best_match_of(band_hashes(minhash), signature_bytes(minhash), exclude)

    def _best_match_of(self, own_bands: list[int], own_signature: bytes, exclude: str | None) -> tuple[str, float] | None:
        # Stored keys and their signatures come in one query; a pending signature is newer.
        found = self.store.near_candidates(own_bands, window_start(self.window_days))
        for band in enumerate(own_bands):
            for key in self._pending_bands.get(band, ()):
                found[key] = self.pending[key][1]
        found.pop(exclude, None)
        candidates = sorted(found)
        best = best_match(own_signature, ((key, found[key]) for key in candidates))
        if candidates:  # most articles have none: no log record per page for them
            logger.debug("%d LSH candidates, best match %s", len(candidates), best)
        return best

    def take(self, keys: Iterable[str] | None = None) -> list[tuple[str, list[int], bytes]]:
        """Remove and return the pending (key, band_hashes, signature) of *keys* (all when None),
        for the caller to store together with the articles they belong to."""
        chosen = list(self.pending) if keys is None else [key for key in keys if key in self.pending]
        return [(key, *self._remove_pending(key)) for key in chosen]

    def flush(self, keys: Iterable[str] | None = None) -> int:
        """Write the pending signatures of *keys* (all when None) to the store; returns how many."""
        taken = self.take(keys)
        self.store.add_signatures(taken)
        return len(taken)

    def signature_entry(self, key: str, folded_text: str) -> tuple[str, list[int], bytes] | None:
        """(key, band_hashes, signature) of an already folded text, without indexing it (for recovery)."""
        entry = minhash_entry(folded_text)
        return None if entry is None else (key, *entry)


def _band_hash(band: int, values: bytes) -> int:
    digest = hashlib.blake2b(
        values, digest_size=8, person=b"lsh-band", salt=_scheme_salt(band)
    ).digest()
    return int.from_bytes(digest, "little", signed=True)


@cache
def _scheme_salt(band: int) -> bytes:
    # blake2b's salt is at most 16 bytes: a digest of the scheme and the band index.
    return hashlib.blake2b(f"{SIGNATURE_SCHEME}/band={band}".encode(), digest_size=16).digest()
