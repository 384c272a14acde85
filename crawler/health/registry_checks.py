"""Offline checks of a loaded registry, beyond what loading validates: ``sources check``.

``crawler.sources.load_sources`` refuses a registry that cannot be used. These checks find
entries that load but would crawl badly; each gives a warning that names the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from crawler.sources import PATTERNS_FIELD, Source

# Any moment fills date templates; the URLs' shapes are what is checked.
SAMPLE_NOW = datetime(2025, 1, 15, 12, tzinfo=UTC)


def registry_warnings(sources: Mapping[str, Source]) -> list[str]:
    warnings: list[str] = []
    for source in sources.values():
        for url in (*source.sitemap_urls(None, SAMPLE_NOW), *source.feeds, *source.sections):
            if source.article_patterns and source.is_article_url(url):
                warnings.append(f"{source.name}: discovery URL {url} matches the source's own article patterns")
        for other in sources.values():
            if other is not source:
                claimed = [domain for domain in other.domains if source.owns_url(f"https://{domain}/")]
                if claimed:
                    warnings.append(f"{source.name}: owns {other.name}'s domain {', '.join(claimed)}")
        if not source.enabled:
            continue
        endpoints = [url for _kind, url in source.endpoints]
        if all(source.is_unverified(url) for url in endpoints):
            warnings.append(f"{source.name}: enabled, but every discovery URL is marked unverified")
        if not source.article_patterns:
            warnings.append(f"{source.name}: no article_patterns, so every same-site URL of its sitemaps and feeds is fetched")
        elif source.is_unverified(PATTERNS_FIELD) and not source.sitemaps and not source.feeds:
            warnings.append(f"{source.name}: its article patterns are unverified and only section pages feed it")
    return warnings
