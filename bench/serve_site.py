"""Serve a benchmark site folder in a process of its own, until stdin closes.

    python bench/serve_site.py ROOT

Run with the repository root on PYTHONPATH. It prints the base URL
("http://127.0.0.1:PORT") as its first stdout line, then serves ``ROOT`` with
``crawler.local_site`` (a ThreadingHTTPServer that fills the ``{{BASE_URL}}``
placeholder) until its stdin reaches EOF, so it dies with the benchmark that
started it even when that one is killed.

A process of its own because the crawl under test is CPU-bound: a server thread
inside the benchmark process would compete with the sampler and the bare loop
for one interpreter lock.
"""

from __future__ import annotations

import sys

from crawler.local_site import serve_directory


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: serve_site.py ROOT", file=sys.stderr)
        return 2
    with serve_directory(argv[0]) as site:
        print(site.base_url, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
