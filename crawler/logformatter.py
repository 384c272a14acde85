"""Log lines that name the page, not the whole item.

Scrapy's default logs every scraped or dropped item in full; ours carry the
raw HTML until extraction and a whole article afterwards, which would flood
the run log. One line with the URL and the reason is what an operator needs.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy import logformatter


class NewsLogFormatter(logformatter.LogFormatter):
    def scraped(self, item, response, spider):
        return {
            "level": logging.DEBUG,
            "msg": "Scraped %(url)s",
            "args": {"url": ItemAdapter(item).get("url")},
        }

    def dropped(self, item, exception, response, spider):
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped %(url)s: %(exception)s"
        result["args"] = {"url": ItemAdapter(item).get("url"), "exception": exception}
        return result
