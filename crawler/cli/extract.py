"""``python -m crawler extract PATH [--url URL]``: the item one saved page would produce."""

from __future__ import annotations

import json
import sys
from pathlib import Path

EXIT_NOT_ARTICLE = 3


def register(commands) -> None:
    extract = commands.add_parser("extract", help="print the item a saved HTML page would produce")
    extract.add_argument("path", help="saved HTML file (raw bytes)")
    extract.add_argument("--url", help="the page's original URL (used for links, dates and canonical URL)")
    extract.set_defaults(handler=command_extract)


def command_extract(args) -> int:
    from crawler.article import article_from_html
    from crawler.extract import NotAnArticle, decode_html

    path = Path(args.path)
    try:
        body = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    url = args.url or path.resolve().as_uri()
    try:
        fields = article_from_html(decode_html(body), url)
    except NotAnArticle as exc:
        print(f"not an article: {exc}", file=sys.stderr)
        return EXIT_NOT_ARTICLE
    fields.pop("fingerprint_text", None)
    record = {"url": url, **fields}
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0
