"""The per-page stages as plain functions: extract, check language, normalize.

The pipelines call these one stage each; ``article_from_html`` chains them
for ``python -m crawler extract``, the evaluation and the extraction workers,
so a saved page and a crawled page get exactly the same treatment.
"""

from __future__ import annotations

from datetime import datetime

from crawler.arabic import fold_normalized, normalize_text, normalize_title
from crawler.extract import (
    MIN_ARTICLE_WORDS,
    ExtractOptions,
    NotAnArticle,
    count_words,
    extract_article,
    markup_for_parsing,
)
from crawler.fingerprint import content_hash_of_folded
from crawler.items import SCHEMA_VERSION
from crawler.language import detect_language
from crawler.near_duplicates import minhash_entry
from crawler.urls import canonicalize_url

KEPT_LANGUAGE = "ar"


def language_fields(text: str, detected: tuple[str | None, float] | None = None) -> dict:
    """``language`` and ``language_score``; raises ``NotAnArticle('not_arabic')`` for any other language.

    ``detected`` is a detection already made (by an extraction worker), so
    the text is not examined twice.
    """
    language, score = detected if detected and detected[0] else detect_language(text)
    if language != KEPT_LANGUAGE:
        raise NotAnArticle("not_arabic", f"language {language} ({score})")
    return {"language": language, "language_score": score}


def normalize_fields(fields: dict) -> dict:
    """The normalized text fields, word count, fold and content hash of one article."""
    text = normalize_text(fields.get("text") or "")
    folded = fold_normalized(text)
    title = fields.get("title")
    description = fields.get("description")
    return {
        "text": text,
        "title": normalize_title(title, keep_tatweel=True) if title else title,
        "description": normalize_title(description) if description else description,
        "authors": [normalize_title(name) for name in fields.get("authors") or []],
        "tags": [normalize_title(tag) for tag in fields.get("tags") or []],
        "section": normalize_title(fields["section"]) if fields.get("section") else None,
        "word_count": count_words(text),
        "fingerprint_text": folded,
        "content_hash": content_hash_of_folded(folded),
        "schema_version": SCHEMA_VERSION,
    }


def extract_options_of(item, min_words: int = MIN_ARTICLE_WORDS) -> ExtractOptions:
    """How to extract the page of an item (an ``ItemAdapter``): its source's rules and its discovery date."""
    return ExtractOptions(
        prune_xpath=item.get("prune_xpath"),
        site_names=tuple(item.get("site_names") or ()),
        min_words=min_words,
        timezone=item.get("timezone"),
        discovered_date=item.get("discovered_date"),
    )


def with_extracted(item, fields: dict) -> None:
    """Put the extracted fields on the item (an ``ItemAdapter``); a page without its own
    canonical link is known by its canonicalized URL."""
    item.update(fields)
    if not item.get("canonical_url"):
        item["canonical_url"] = canonicalize_url(item["url"])


_WARM_UP_TEXT = "هذا نص قصير لتحميل نماذج اللغة قبل أول صفحة"


def warm_up_worker() -> None:
    """Load what the first page would otherwise pay for: langdetect's profiles, the MinHash permutations."""
    detect_language(_WARM_UP_TEXT)
    minhash_entry(" ".join([_WARM_UP_TEXT] * 10))


def analyze_page(
    html: str | bytes, url: str, options: ExtractOptions = ExtractOptions(), content_type: str | None = None
) -> dict:
    """The CPU-heavy part of every per-page stage, run in an extraction worker.

    Raw bytes are decoded here exactly as Scrapy would (``markup_for_parsing``), so
    the crawl process only passes the body along. Returns the extracted
    fields, the detected language, and for Arabic pages the normalized fields
    with their fold, content hash and MinHash signature. The decisions (drop
    a non-Arabic page, mark a copy) stay with the language and dedup stages.
    """
    if isinstance(html, bytes):
        html = markup_for_parsing(html, content_type)
    fields = extract_article(html, url, options)
    fields["language"], fields["language_score"] = detect_language(fields["text"])
    if fields["language"] == KEPT_LANGUAGE:
        fields.update(normalize_fields(fields))
        fields["minhash"] = minhash_entry(fields["fingerprint_text"])
    return fields


def article_from_html(html: str, url: str, options: ExtractOptions = ExtractOptions(), now: datetime | None = None) -> dict:
    """Every per-page stage on one page; raises ``NotAnArticle`` with the reason it was rejected."""
    fields = extract_article(html, url, options, now=now)
    fields.update(language_fields(fields["text"]))
    fields.update(normalize_fields(fields))
    return fields
