"""Item pipelines, in crawl order: extract, language, normalize, dedup, write.

Each one is a thin Scrapy adapter over pure functions in ``crawler/``.
"""
