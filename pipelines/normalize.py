"""Normalize pipeline: safe Arabic normalization of title and text, then the content hash.

The safe rules (``crawler.arabic.normalize_text``) change how text is encoded,
never what it says. The lossy fold is computed once, for the content hash
and the MinHash signature, and kept on the item for the dedup stage; it is
never written out. With extraction workers on, the work itself happens in
the worker (``crawler.article.analyze_page``) and this stage only checks it
was done.
"""

from __future__ import annotations

from itemadapter import ItemAdapter

from crawler.article import normalize_fields


class NormalizePipeline:
    def process_item(self, item):
        adapter = ItemAdapter(item)
        # Extraction workers normalize Arabic pages already (their content
        # hash is set); the rules are idempotent, so this never runs twice.
        if not adapter.get("content_hash"):
            adapter.update(normalize_fields(adapter.asdict()))
        return item
