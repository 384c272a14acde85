"""Imported once by the extraction pool's forkserver, so that every worker is born warm.

This module exists for its import side effect: it loads langdetect's language
profiles (about 0.35 s of CPU), trafilatura and the MinHash permutations in the forkserver,
before it forks the workers. Each worker then starts with them already in
memory, shared copy-on-write, instead of loading its own copy.
"""

import trafilatura  # noqa: F401  (crawler.extract imports it on first use; the workers get it here, shared)

from crawler.article import warm_up_worker

warm_up_worker()
