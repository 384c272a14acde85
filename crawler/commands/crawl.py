"""``scrapy crawl`` with a clean error for bad configuration.

Scrapy reports an exception raised while a spider starts with a full
traceback. A wrong source name, an invalid sources file or an unwritable
OUTPUT_DIR is a user error, not a crash: it is checked here first and
reported in one line, with exit status 2, before anything is fetched or
written. The extraction workers' forkserver is then booted, so that its
imports overlap Scrapy's own start-up.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

EXIT_CONFIG = 2


class Command(ScrapyCrawlCommand):
    def run(self, args, opts):
        if args and args[0] == "news" and (problem := self.configuration_problem(opts.spargs)):
            print(f"error: {problem}", file=sys.stderr)
            self.exitcode = EXIT_CONFIG
            return
        from pipelines.extract import start_workers_early

        start_workers_early(self.settings)
        super().run(args, opts)

    def configuration_problem(self, spider_args: dict) -> str | None:
        from crawler.cron import check_sources
        from crawler.run_log import OutputDirError, ensure_writable_dir
        from crawler.sources import SourceConfigError

        try:
            check_sources(spider_args)
            ensure_writable_dir(Path(self.settings.get("OUTPUT_DIR") or "output"))
        except (SourceConfigError, OutputDirError) as exc:
            return str(exc)
        return None
