"""Scrapy settings for the Arabic news crawler.

Every value here can be overridden per run with ``-s NAME=VALUE``. Settings of
our own share a prefix per component (``OUTPUT_*``, ``EXTRACT_*``, ``DEDUP_*``)
and are read with typed getters in each component's ``from_crawler``.
"""

from crawler import __version__

BOT_NAME = "arabic_news_crawler"

SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# Our `crawl` reports bad configuration in one line instead of a traceback.
COMMANDS_MODULE = "crawler.commands"

# --- Politeness -------------------------------------------------------------
# An honest User-Agent that names the project, so site owners can find us.
USER_AGENT = (
    f"arabic-news-crawler/{__version__} "
    "(+https://github.com/arabic-news-crawler/arabic-news-crawler; research dataset crawler)"
)
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# robots.txt Crawl-delay becomes the minimum delay of that host's slot, one request at a
# time (crawler/politeness.py); a delay above the maximum is capped there.
NEWS_OBEY_CRAWL_DELAY = True
NEWS_CRAWL_DELAY_MAX = 30.0
# Arabic article pages are 50-600 kB; anything past this is not a news page.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Retries of 429/503 wait for the server's Retry-After; redirect loops are counted.
# Meta refreshes are looked for without decoding the whole page (Scrapy's own
# middleware decodes every 50-600 kB article to read its first 4096 characters).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.HeadMetaRefreshMiddleware": 580,
    # Between RedirectMiddleware (600) and HttpCompressionMiddleware (590): sees the final
    # response with its body still as the server sent it.
    "crawler.archive.pipeline.ArchiveCaptureMiddleware": 595,
    # A robots.txt that cannot be downloaded: one line per host, not a traceback.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.QuietRobotsTxtMiddleware": 100,
}
# Giving up on a request is the spider's to report (once per host and reason, then
# counted: crawler/host_failures.py); Scrapy's line for each one goes to the run log.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
SPIDER_MIDDLEWARES = {
    "crawler.archive.pipeline.ArchiveSpiderMiddleware": 100,
}
DUPEFILTER_CLASS = "crawler.middlewares.CountingDupeFilter"
# Outputs of ONE callback handled at once. Scrapy starts this many asyncio tasks for
# every response, and ours yield one item (articles) or only requests (discovery), so
# the default 100 only burns CPU: measured per one-output response, 770 us at 100,
# 58 us at 4, 42 us at 2, 35 us at 1. Two, so that a url= page's listing requests are
# scheduled while its item is in the pipelines. Items of different responses are
# processed side by side whatever this says (tests/test_settings.py).
CONCURRENT_ITEMS = 2
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# A cron crawler has no business opening a control port.
REMOTE_CONTROL_ENABLED = False

# --- Discovery ----------------------------------------------------------------
# Registry sources also crawl the sitemaps their robots.txt declares.
NEWS_ROBOTS_SITEMAPS = True

# --- Output -----------------------------------------------------------------
# Everything a run writes (data, logs, state) goes below OUTPUT_DIR.
OUTPUT_DIR = "output"
# A data file is finished (renamed from .part to .jsonl) after this many items
# or seconds, so a killed run loses at most one unfinished file of work.
OUTPUT_ROTATE_ITEMS = 500
OUTPUT_ROTATE_SECONDS = 60
# The run log under OUTPUT_DIR/logs/ keeps this level whatever LOG_LEVEL says.
OUTPUT_LOG_LEVEL = "INFO"

# --- Extraction -------------------------------------------------------------
# Pages whose cleaned body has fewer words than this are not articles.
EXTRACT_MIN_WORDS = 40
# Extraction worker processes; -1 means one per CPU core, 0 extracts in the
# reactor thread (slower: one core, and downloads wait while it parses).
EXTRACT_WORKERS = -1
# A page whose extraction takes longer is dropped and its worker replaced.
EXTRACT_TIMEOUT = 30

# --- Archive ------------------------------------------------------------------
# Every article's request and response (exact body bytes) go to WARC/1.1 files under
# OUTPUT_DIR/warc/SOURCE/ (crawler/archive/); False turns the archive off.
ARCHIVE_ENABLED = True
# True archives every response that reaches the spider, not only articles.
ARCHIVE_ALL_RESPONSES = False
# ISA-L gzip level (0-3) of each record (see crawler/archive/writer.py for the measurement).
ARCHIVE_GZIP_LEVEL = 2
# A WARC file is committed at this size at the latest (and whenever a data file that
# refers to it is committed).
ARCHIVE_MAX_FILE_BYTES = 1024 * 1024 * 1024

# --- Deduplication ------------------------------------------------------------
# Syndicated near-copies are marked with duplicate_of by default; True drops them.
DEDUP_DROP_NEAR_DUPLICATES = False
# Near-copies are looked for only among articles indexed in the last this many days, and
# older MinHash bands are pruned at the end of each run (0: no window, nothing pruned).
# Exact duplicates (content hashes) and known URLs are kept forever whatever this says.
# Why 30: wire copies are republished within hours to days of the original. The local
# data holds no syndicated pair with dates to measure (18 dated evaluation texts, highest
# pairwise Jaccard 0.004; the two seeds are one event by two outlets, not copies), so the
# window is set by that, with a wide margin: the longest gap between two dates of one
# story in that data is the CNN Arabic page edited 25 days after it was published. The
# band index is most of the state (about 32 rows per article), so at 10,000 articles a
# day this keeps 300,000 articles' bands instead of every article's forever.
DEDUP_WINDOW_DAYS = 30

ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.language.LanguagePipeline": 200,
    "pipelines.normalize.NormalizePipeline": 300,
    "pipelines.dedup.DedupPipeline": 400,
    "crawler.archive.pipeline.ArchivePipeline": 800,
    "pipelines.write.JsonlWriterPipeline": 900,
}

EXTENSIONS = {
    "crawler.run_log.RunLogExtension": 0,
    "crawler.visited_pages.VisitedPagesExtension": 10,
    "crawler.manifest.ManifestExtension": 20,
    # SIGTERM during the final commit must not cut the run's close short.
    "crawler.shutdown.GracefulShutdownExtension": 30,
    # Schema validity and field coverage of written items, per source, into the manifest.
    "crawler.health.item_checks.ItemChecksExtension": 40,
    # After AutoThrottle (0 in EXTENSIONS_BASE): it restores the Crawl-delay floor after each adjustment.
    "crawler.politeness.CrawlDelayExtension": 50,
    # Progress on a terminal, one summary line per source at the end (crawler/console.py).
    "crawler.console.ConsoleExtension": 60,
}
# CONSOLE_SUMMARY = False prints neither; a terminal gets a progress line this often.
CONSOLE_SUMMARY = True
CONSOLE_PROGRESS_SECONDS = 5
# HEALTH_ITEM_CHECKS = False switches the item checks off.
HEALTH_ITEM_CHECKS = True

# The console: warnings, errors, and the per-source summary (crawler/console.py). Every
# detail (Scrapy's settings, stats, each failed request) is in the run log under
# OUTPUT_DIR/logs/ at OUTPUT_LOG_LEVEL; -s LOG_LEVEL=INFO shows it on the console too.
LOG_LEVEL = "WARNING"
FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "crawler.logformatter.NewsLogFormatter"
# Scrapy's collector, minus a per-access hook that costs 3 us a counter (crawler/stats.py).
STATS_CLASS = "crawler.stats.PlainStatsCollector"
