"""``scrapy crawl`` with a clean error for bad configuration.

Scrapy reports an exception raised while a spider starts with a full
traceback. A wrong source name, an invalid sources file or an unwritable
OUTPUT_DIR is a user error, not a crash: it is checked here first and
reported in one line, with exit status 2, before anything is fetched or
written. The extraction workers' forkserver is then booted, so that its
imports overlap Scrapy's own start-up.

With ``CLUSTER_REDIS_URL`` or ``STATE_URL`` (cluster mode, ``crawler.cluster``)
the cluster's settings and servers are checked too (``preflight``), its
components installed, and a node stopped by a lost server exits with status 1.

The exit status follows ``crawler.cron.crawl_verdict``, as ``python -m crawler run``
does (``EXIT_CODES``, shown by ``scrapy crawl -h``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import argparse

from scrapy.commands import ScrapyHelpFormatter
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.cron import EXIT_CODES, EXIT_CONFIG


class KeepLinesHelpFormatter(argparse.RawDescriptionHelpFormatter, ScrapyHelpFormatter):
    """Scrapy's help layout, with the description's lines (the tables below) kept as written."""


class Command(ScrapyCrawlCommand):
    def long_desc(self) -> str:
        from spiders.news_arguments import help_text

        return (
            "Run a spider of the project by name: news, the Arabic news crawler.\n\n"
            f"spider arguments of news (-a NAME=VALUE; any other name is refused):\n{help_text()}\n\n{EXIT_CODES}"
        )

    def add_options(self, parser):
        super().add_options(parser)
        parser.formatter_class = KeepLinesHelpFormatter

    def process_options(self, args, opts):
        super().process_options(args, opts)
        # Here, before Scrapy builds its crawler process and logs its start-up banner: a
        # bad argument or registry gets one line on stderr and nothing else.
        if args and args[0] == "news" and (problem := self.configuration_problem(opts.spargs)):
            print(f"error: {problem}", file=sys.stderr)
            sys.exit(EXIT_CONFIG)

    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("scrapy crawl takes one spider")
        cluster = bool(self.settings.get("CLUSTER_REDIS_URL") or self.settings.get("STATE_URL"))
        if cluster:
            from crawler.cluster.preflight import preflight

            if problem := preflight(self.settings, args[0]):
                code, message = problem
                print(f"error: {message}", file=sys.stderr)
                self.exitcode = code
                return
        from crawler.cron import report_outcome
        from crawler.manifest import latest_manifest
        from pipelines.extract import start_workers_early

        start_workers_early(self.settings)
        previous = latest_manifest(Path(self.settings.get("OUTPUT_DIR") or "output"))
        crawler = self._create_crawler(args[0])
        if cluster:
            from crawler.cluster.settings import apply_cluster_settings

            apply_cluster_settings(crawler.settings)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        # stderr even for success: stdout may be the feed (-O -).
        self.exitcode = report_outcome(crawler, self.crawler_process.bootstrap_failed, previous, ok_stream=sys.stderr)

    def configuration_problem(self, spider_args: dict) -> str | None:
        from crawler.archive.pipeline import settings_problem as archive_settings_problem
        from crawler.cron import check_sources
        from crawler.run_log import OutputDirError, ensure_writable_dir
        from crawler.sources import SourceConfigError
        from spiders.news_arguments import SpiderArgumentError

        try:
            check_sources(spider_args)
            ensure_writable_dir(Path(self.settings.get("OUTPUT_DIR") or "output"))
        except (SpiderArgumentError, SourceConfigError, OutputDirError) as exc:
            return str(exc)
        return archive_settings_problem(self.settings)
