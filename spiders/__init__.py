"""Scrapy spiders of the Arabic news crawler (see ``news.py``)."""
