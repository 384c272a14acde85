"""Content fingerprints for deduplication.

``content_hash_of_folded`` hashes the lossy-folded text (``crawler.arabic``), so copies
that differ only in diacritics, alef/yeh/teh-marbuta spelling, digits or
punctuation get the same hash.
"""

from __future__ import annotations

import hashlib


def content_hash_of_folded(folded_text: str) -> str:
    return hashlib.blake2b(folded_text.encode("utf-8"), digest_size=16).hexdigest()

