"""Settings for a crawl whose close takes a while, to signal it while it is closing.

Used as ``SCRAPY_SETTINGS_MODULE=tests.slow_close``: the project's settings plus
``SlowCloseExtension``, which marks the start of the spider's close with a file
(``SLOW_CLOSE_MARKER``) and then holds the close for ``SLOW_CLOSE_SECONDS``.
"""

import asyncio
from pathlib import Path

from scrapy import signals

from crawler.settings import *  # noqa: F403
from crawler.settings import EXTENSIONS

EXTENSIONS = {**EXTENSIONS, "tests.slow_close.SlowCloseExtension": 5}


class SlowCloseExtension:
    def __init__(self, marker: Path, seconds: float):
        self.marker = marker
        self.seconds = seconds

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(Path(crawler.settings["SLOW_CLOSE_MARKER"]), crawler.settings.getfloat("SLOW_CLOSE_SECONDS"))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    async def spider_closed(self, reason):
        self.marker.write_text(reason)
        await asyncio.sleep(self.seconds)
