"""``python -m crawler extract PATH... [--url URL] [--source NAME] [--pretty]``: the records saved pages give.

One JSON line per page on stdout, exactly the line a crawl would write (see
``crawler/saved_pages.py``); one line per file that gives none on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

EXIT_ALL_ARTICLES = 0
EXIT_SOME_SKIPPED = 1
EXIT_USAGE = 2
EXIT_NOT_ARTICLE = 3

EXIT_STATUS_HELP = f"""\
exit status:
  {EXIT_ALL_ARTICLES}  every file gave an article
  {EXIT_SOME_SKIPPED}  some files gave an article, others not (each said why on stderr)
  {EXIT_USAGE}  bad arguments (no such path, --url with several files, bad --source)
  {EXIT_NOT_ARTICLE}  no file gave an article
"""


def register(commands) -> None:
    extract = commands.add_parser(
        "extract",
        help="print the JSON lines that saved HTML pages would give in a crawl",
        description=(
            "Print, for each saved HTML page, the JSON line a crawl would write for it (valid against "
            "crawler/article.schema.json), one line per page. Folders are searched for *.html and *.htm. "
            "The page's URL is --url (one file only), else its rel=canonical or og:url link. Its source "
            "is --source, else the registry entry that owns the URL's domain, else the domain."
        ),
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    extract.add_argument("paths", nargs="+", metavar="PATH", help="saved HTML files (raw bytes) or folders of them")
    extract.add_argument("--url", help="the page's original URL (only with one file; default: the page's canonical link)")
    extract.add_argument("--source", help="the source name to record (default: the registry's, by domain)")
    extract.add_argument("--pretty", action="store_true", help="indented JSON, one object after another")
    extract.set_defaults(handler=command_extract)


def complain(path: Path, message: str) -> None:
    print(f"{path}: {message}", file=sys.stderr)


def command_extract(args) -> int:
    from scrapy.utils.project import get_project_settings

    from crawler.extract import NotAnArticle
    from crawler.saved_pages import SOURCE_NAME, PageProblem, html_files, saved_page_record
    from crawler.sources import SourceConfigError, load_sources, url_host

    paths = [Path(path) for path in args.paths]
    missing = [path for path in paths if not path.exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return EXIT_USAGE
    if args.source is not None and not SOURCE_NAME.match(args.source):
        print(f"error: --source {args.source!r}: expected letters, digits, '.', '_' or '-'", file=sys.stderr)
        return EXIT_USAGE
    if args.url is not None and url_host(args.url) is None:
        print(f"error: --url {args.url!r}: expected an absolute http(s) URL", file=sys.stderr)
        return EXIT_USAGE
    files = list(html_files(paths))
    if args.url is not None and (len(paths) != 1 or paths[0].is_dir()):
        given = "a folder" if len(paths) == 1 else f"{len(paths)} paths"
        print(f"error: --url names one page: give one file (got {given}); without --url each page's own canonical link is used", file=sys.stderr)
        return EXIT_USAGE
    try:
        registry = load_sources()
    except SourceConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    min_words = get_project_settings().getint("EXTRACT_MIN_WORDS")

    written = 0
    skipped: Counter[str] = Counter()
    for path in files:
        try:
            body = path.read_bytes()
        except OSError as exc:
            complain(path, f"cannot read: {exc.strerror}")
            skipped["unreadable"] += 1
            continue
        try:
            record = saved_page_record(body, args.url, registry, datetime.now(timezone.utc), args.source, min_words)
        except PageProblem as exc:
            complain(path, str(exc))
            skipped[exc.reason] += 1
            continue
        except NotAnArticle as exc:
            complain(path, f"not an article: {exc}" if exc.reason != "unparseable_html" else "not HTML (no page markup)")
            skipped[exc.reason] += 1
            continue
        print(json.dumps(record, ensure_ascii=False, indent=2 if args.pretty else None), flush=True)
        written += 1

    if len(files) > 1 or not files:
        reasons = ", ".join(f"{reason}={n}" for reason, n in sorted(skipped.items()))
        print(f"extract: {len(files)} file(s), {written} article(s)" + (f", skipped {reasons}" if reasons else ""), file=sys.stderr)
    if written == 0:
        return EXIT_NOT_ARTICLE
    return EXIT_SOME_SKIPPED if skipped else EXIT_ALL_ARTICLES
