"""Normalize pipeline: safe Arabic normalization of title and text, then the content hash.

The safe rules (``crawler.arabic.normalize_text``) change how text is encoded,
never what it says. The lossy fold is computed once, for the content hash,
and kept on the item for the dedup stage; it is never written out.
"""

from __future__ import annotations

from itemadapter import ItemAdapter

from crawler.article import normalize_fields


class NormalizePipeline:
    def process_item(self, item):
        adapter = ItemAdapter(item)
        adapter.update(normalize_fields(adapter.asdict()))
        return item
