"""Dedup pipeline: unchanged re-fetches, exact copies and syndicated near-copies.

For each article, keyed by its canonical URL (``crawler.urls``):

- the same key with the same content hash as stored: dropped (``unchanged``);
  a changed hash gets ``version`` + 1;
- the same content hash as another article: dropped (``duplicate_exact``);
- a near-copy (MinHash + LSH over the folded text, ``crawler.near_duplicates``)
  of an earlier article: ``duplicate_of`` is set to that article's canonical
  URL (``marked_near_duplicate``), or the item is dropped
  (``duplicate_near``) when DEDUP_DROP_NEAR_DUPLICATES is on.

Near-copies are looked for among the articles indexed in the last DEDUP_WINDOW_DAYS
(crawler/settings.py says why that is enough); older bands are pruned when the run ends.
Earlier runs are looked up in the state store. Articles of this run that are not yet in
a committed data file are the *pending* ones: with the one-machine store they are held in
small dicts emptied at every commit (``LocalPending``), so memory stays flat; with a store
shared by several nodes they are claims in that store (``shared_pending()``, see
``crawler/state/postgres.py``), so that two nodes judging the same article, the same text
or two near-copies at once give one original. ``judge`` is the one set of rules for both.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from collections.abc import Iterable, Iterator

from itemadapter import ItemAdapter

from crawler.crawl_state import state_store_of
from crawler.near_duplicates import NearDuplicateIndex, minhash_entry, window_start
from crawler.state import next_version
from crawler.stats import count, drop
from crawler.urls import canonicalize_url

logger = logging.getLogger(__name__)


class LocalPending:
    """The pending articles of this process only: enough when no other process shares the store."""

    def __init__(self, store, window_days: float | None = None):
        self.store = store
        self.index = NearDuplicateIndex(store, window_days)
        self.hash_by_key: dict[str, str] = {}
        self.key_by_hash: dict[str, str] = {}
        self.url_by_key: dict[str, str] = {}

    @contextmanager
    def judging(self) -> Iterator[LocalPending]:
        yield self

    def key_state(self, key: str):
        return self.store.get(key), self.hash_by_key.get(key)

    def key_with_hash(self, content_hash: str) -> str | None:
        return self.key_by_hash.get(content_hash) or self.store.find_by_hash(content_hash)

    def near_match(self, key: str, entry) -> tuple[str, float] | None:
        return self.index.match_entry(key, entry)

    def url_of(self, key: str) -> str:
        stored = self.store.get(key)
        return stored.url if stored is not None else self.url_by_key.get(key, key)

    def add(self, key: str, content_hash: str, url: str, entry) -> None:
        self.hash_by_key[key] = content_hash
        self.key_by_hash[content_hash] = key
        self.url_by_key[key] = url
        if entry is not None:
            self.index.add_entry(key, entry)

    def take(self, keys: Iterable[str], hashes: Iterable[str]) -> list:
        """Forget committed articles; returns their signatures, to be stored with their file."""
        keys = list(keys)
        for key in keys:
            self.hash_by_key.pop(key, None)
            self.url_by_key.pop(key, None)
        for content_hash in hashes:
            self.key_by_hash.pop(content_hash, None)
        return self.index.take(keys)


class SharedPendingAdapter:
    """``LocalPending``'s interface over a shared store's claims (``store.shared_pending()``)."""

    def __init__(self, claims):
        self.claims = claims

    def judging(self):
        return self.claims.judging()

    def take(self, keys: Iterable[str], hashes: Iterable[str]) -> list:
        return self.claims.take(keys)


def pending_of(store, window_days: float | None = None):
    """Where this run's pending articles live, for this store."""
    shared = getattr(store, "shared_pending", None)
    return SharedPendingAdapter(shared(window_days)) if shared is not None else LocalPending(store, window_days)


class Verdict:
    """What dedup decided for one article: a drop (reason, detail) or the fields to set."""

    __slots__ = ("drop_reason", "detail", "duplicate_of", "similarity", "version")

    def __init__(self, drop_reason=None, detail="", duplicate_of=None, similarity=0.0, version=1):
        self.drop_reason = drop_reason
        self.detail = detail
        self.duplicate_of = duplicate_of
        self.similarity = similarity
        self.version = version


def judge(view, key: str, url: str, content_hash: str, entry, drop_near_duplicates: bool) -> Verdict:
    """Apply the dedup rules to one article; a kept one is added to *view*'s pending articles.

    *view* is a ``LocalPending`` or a shared store's claims, inside ``judging()``.
    """
    stored, pending_hash = view.key_state(key)
    known_hash = pending_hash or (stored.content_hash if stored else None)
    if known_hash == content_hash:
        return Verdict("unchanged", "same content as the stored version")
    same_text = view.key_with_hash(content_hash)
    if same_text and same_text != key:
        return Verdict("duplicate_exact", f"same text as {view.url_of(same_text)}")
    verdict = Verdict(version=next_version(stored, content_hash))
    near = view.near_match(key, entry) if entry is not None else None
    if near is not None:
        first_copy, verdict.similarity = near
        if drop_near_duplicates:
            return Verdict("duplicate_near", f"{verdict.similarity:.2f} similar to {view.url_of(first_copy)}")
        verdict.duplicate_of = view.url_of(first_copy)
    view.add(key, content_hash, url, entry)
    return verdict


class DedupPipeline:
    def __init__(self, crawler, drop_near_duplicates: bool, window_days: float | None = None):
        self.crawler = crawler
        self.drop_near_duplicates = drop_near_duplicates
        self.window_days = window_days
        self.store = None
        self.pending = None

    @classmethod
    def from_crawler(cls, crawler):
        window = crawler.settings.getfloat("DEDUP_WINDOW_DAYS", 0.0)
        return cls(crawler, crawler.settings.getbool("DEDUP_DROP_NEAR_DUPLICATES"), window if window > 0 else None)

    def open_spider(self):
        self.store = state_store_of(self.crawler)
        self.pending = pending_of(self.store, self.window_days)
        self.crawler.news_writer.commit_listeners.append(self.forget_committed)

    def close_spider(self):
        # After the writer's last commit (pipelines close in reverse order): bands and
        # signatures that left the window are never consulted again, so they go. An
        # hourly run deletes about an hour's worth, through the indexed_at index.
        start = window_start(self.window_days)
        if start is not None and self.store is not None:
            self.store.prune_near_duplicates(start)

    def forget_committed(self, batch) -> None:
        """A data file is committed: its signatures go to the store with it, and its
        articles stop being pending."""
        receipts = batch.receipts
        batch.signatures.extend(
            self.pending.take((receipt["key"] for receipt in receipts), (receipt["content_hash"] for receipt in receipts))
        )

    def process_item(self, item):
        adapter = ItemAdapter(item)
        source = adapter.get("source")
        stats = self.crawler.stats
        key = canonicalize_url(adapter["canonical_url"])
        entry = adapter.get("minhash") or minhash_entry(adapter.get("fingerprint_text") or "")
        with self.pending.judging() as view:
            verdict = judge(view, key, adapter["canonical_url"], adapter["content_hash"], entry, self.drop_near_duplicates)
        if verdict.drop_reason is not None:
            raise drop(stats, verdict.drop_reason, source, verdict.detail)
        if verdict.duplicate_of is not None:
            adapter["duplicate_of"] = verdict.duplicate_of
            count(stats, "marked_near_duplicate", source)
        adapter["version"] = verdict.version
        if verdict.version > 1:
            count(stats, "updated", source)
        return item
