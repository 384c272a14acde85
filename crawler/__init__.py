"""Arabic news crawler: Scrapy project package (settings, items and pure logic)."""

__version__ = "0.1.0"
