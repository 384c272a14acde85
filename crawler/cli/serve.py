"""``python -m crawler serve DIR [--port N]``: serve a sample site or a saved folder on 127.0.0.1.

The server is the test suite's (``crawler/local_site.py``): ``{{BASE_URL}}`` in
pages, sitemaps and feeds becomes the server's address, ``_headers.json`` sets
headers and statuses. So the bundled sample site, or a folder saved from a real
site with its links written as ``{{BASE_URL}}/...``, can be crawled by hand::

    python -m crawler serve crawler/sample_site --port 8000
    scrapy crawl news -a sitemap=http://127.0.0.1:8000/sitemap.xml

It runs until Ctrl-C or SIGTERM, and then exits with status 0.
"""

from __future__ import annotations

import sys


def register(commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve a sample site or a saved folder on 127.0.0.1, with {{BASE_URL}} filled in",
        description=(
            "Serve DIR on http://127.0.0.1:PORT until Ctrl-C, as the tests serve their sites: "
            "{{BASE_URL}} in .html, .xml, .txt, .json, .rss and .atom files becomes the server's "
            "address, and DIR/_headers.json sets headers and statuses per file."
        ),
    )
    serve.add_argument("directory", metavar="DIR", help="the folder to serve (e.g. crawler/sample_site)")
    serve.add_argument("--port", type=port_number, default=8000, help="the port (default 8000; 0 lets the system pick a free one)")
    serve.set_defaults(handler=command_serve)


def port_number(value: str) -> int:
    import argparse

    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {value!r}")
    return port


def command_serve(args) -> int:
    import signal
    import threading
    from pathlib import Path

    from crawler.local_site import serve_directory

    root = Path(args.directory)
    if not root.is_dir():
        print(f"error: not a folder: {root}", file=sys.stderr)
        return 2
    stop = threading.Event()
    # SIGTERM (kill, a service manager) ends the server like Ctrl-C does: cleanly, status 0.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        with serve_directory(root, port=args.port) as site:
            print(f"Serving {root.resolve()} at {site.url('/')} (Ctrl-C to stop)", flush=True)
            if (root / "sitemap.xml").is_file():
                print(f"Crawl it: scrapy crawl news -a sitemap={site.url('/sitemap.xml')}", flush=True)
            # wait() with a timeout, so the signal handler runs promptly on every platform.
            while not stop.wait(0.5):
                pass
    except OSError as exc:
        print(f"error: cannot serve on 127.0.0.1:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    except ValueError as exc:  # a malformed _headers.json
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("Stopped.", flush=True)
    return 0
