"""``python -m crawler``: the project's commands, one module each in ``crawler/cli/``."""

import sys

from crawler.cli import main

if __name__ == "__main__":
    sys.exit(main())
