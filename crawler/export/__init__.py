"""Dataset export: OUTPUT_DIR's many run files -> one clean, versioned dataset with a card.

``python -m crawler export`` (``crawler/cli/export.py``) calls ``export_dataset``. The
parts, in the order data flows through them:

- ``schema``: the Arrow schema, derived from the item's JSON Schema;
- ``records``: committed JSON lines, read and mapped into the current schema;
- ``index``: the first pass, the latest version of each article in temporary SQLite,
  and the selection (filters, exact duplicates, near-duplicate policy);
- ``writers``: Parquet (zstd) and gzipped JSON Lines shards, row group by row group;
- ``partitions``: atomic publication of a partition folder;
- ``state``: DEST's small state file, for ``--incremental``;
- ``card``: the Hugging Face dataset card (``dataset_card.md.j2``);
- ``exporter``: the whole export.
"""

from crawler.export.exporter import ExportError, ExportLocked, ExportOptions, ExportSummary, export_dataset
from crawler.export.index import NEAR_DUPLICATE_POLICIES, Selection
from crawler.export.writers import FORMATS

__all__ = [
    "FORMATS",
    "NEAR_DUPLICATE_POLICIES",
    "ExportError",
    "ExportLocked",
    "ExportOptions",
    "ExportSummary",
    "Selection",
    "export_dataset",
]
