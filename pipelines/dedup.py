"""Dedup pipeline: unchanged re-fetches, exact copies and syndicated near-copies.

For each article, keyed by its canonical URL (``crawler.urls``):

- the same key with the same content hash as stored: dropped (``unchanged``);
  a changed hash gets ``version`` + 1;
- the same content hash as another article: dropped (``duplicate_exact``);
- a near-copy (MinHash + LSH over the folded text, ``crawler.near_duplicates``)
  of an earlier article: ``duplicate_of`` is set to that article's canonical
  URL (``marked_near_duplicate``), or the item is dropped
  (``duplicate_near``) when DEDUP_DROP_NEAR_DUPLICATES is on.

Earlier runs are looked up in the state store; articles of this run that are
not yet in a committed file are held in small dicts that are emptied at
every commit, so memory stays flat.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from crawler.crawl_state import state_store_of
from crawler.near_duplicates import NearDuplicateIndex
from crawler.state import next_version
from crawler.stats import count, drop
from crawler.urls import canonicalize_url

logger = logging.getLogger(__name__)


class DedupPipeline:
    def __init__(self, crawler, drop_near_duplicates: bool):
        self.crawler = crawler
        self.drop_near_duplicates = drop_near_duplicates
        self.store = None
        self.index = None
        # Articles emitted this run but not yet committed to a data file.
        self.pending_hash_by_key: dict[str, str] = {}
        self.pending_key_by_hash: dict[str, str] = {}
        self.pending_url_by_key: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getbool("DEDUP_DROP_NEAR_DUPLICATES"))

    def open_spider(self):
        self.store = state_store_of(self.crawler)
        self.index = NearDuplicateIndex(self.store)
        self.crawler.news_writer.commit_listeners.append(self.forget_committed)

    def forget_committed(self, batch) -> None:
        """A data file is committed: its signatures go to the store with it, and its
        articles leave this run's pending memory."""
        batch.signatures.extend(self.index.take(receipt["key"] for receipt in batch.receipts))
        for receipt in batch.receipts:
            self.pending_hash_by_key.pop(receipt["key"], None)
            self.pending_key_by_hash.pop(receipt["content_hash"], None)
            self.pending_url_by_key.pop(receipt["key"], None)

    def canonical_url_of(self, key: str) -> str:
        stored = self.store.get(key)
        return stored.url if stored is not None else self.pending_url_by_key.get(key, key)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        source = adapter.get("source")
        stats = self.crawler.stats
        key = canonicalize_url(adapter["canonical_url"])
        content_hash = adapter["content_hash"]

        stored = self.store.get(key)
        known_hash = self.pending_hash_by_key.get(key) or (stored.content_hash if stored else None)
        if known_hash == content_hash:
            raise drop(stats, "unchanged", source, "same content as the stored version")
        same_text = self.pending_key_by_hash.get(content_hash) or self.store.find_by_hash(content_hash)
        if same_text and same_text != key:
            raise drop(stats, "duplicate_exact", source, f"same text as {self.canonical_url_of(same_text)}")

        near = self.index.match_and_add(key, adapter.get("fingerprint_text") or "", adapter.get("minhash"))
        if near is not None:
            first_copy, similarity = near
            if self.drop_near_duplicates:
                self.index.discard(key)
                raise drop(stats, "duplicate_near", source, f"{similarity:.2f} similar to {self.canonical_url_of(first_copy)}")
            adapter["duplicate_of"] = self.canonical_url_of(first_copy)
            count(stats, "marked_near_duplicate", source)

        adapter["version"] = next_version(stored, content_hash)
        if adapter["version"] > 1:
            count(stats, "updated", source)
        self.pending_hash_by_key[key] = content_hash
        self.pending_key_by_hash[content_hash] = key
        self.pending_url_by_key[key] = adapter["canonical_url"]
        return item
