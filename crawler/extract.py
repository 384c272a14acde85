"""One HTML page in, one article record out (or a reason why it is not an article).

``extract_article`` is the pure core of the Extract pipeline and of
``python -m crawler extract``: parse once, read metadata from the untouched
tree, prune widget containers, let trafilatura find the main text, drop the
widget lines it let through (``crawler.cleanup``), then judge from where the
body's lines sit in the page whether it is an article at all
(``crawler.article_detection``) and put back what the extractor lost around
the story (subheadings between its paragraphs, a standfirst beside the headline).

trafilatura runs with ``favor_precision=True, fast=True``: measured on
``shared/eval/arabic-news`` it matches or beats the default mode on every page
(BBC Arabic F1 0.989 vs 0.960) at about half the time, because the fallback
extractors only ever added widget text there.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml import html as lxml_html
from scrapy.http import HtmlResponse

from crawler import cleanup
from crawler.bylines import agency_from_body, agency_from_source_line
from crawler.article_detection import (
    LINK_LINE_MIN_DENSITY,
    PROSE,
    BodyLine,
    body_evidence,
    body_worth_a_second_look,
    classify_lines,
    count_words,
    judge_body,
    page_label,
)
from crawler.metadata import decode_entities, page_metadata
from crawler.page_dates import DateContext
from crawler.page_blocks import BLOCK_TAGS, PageBlocks

logger = logging.getLogger(__name__)

TRAFILATURA_OPTIONS = {
    "favor_precision": True,
    "fast": True,
    "include_comments": False,
    "include_tables": True,
    "with_metadata": False,
}
# Precision mode finds nothing on some "div soup" templates (paragraphs as
# bare <div>s); for pages where it finds no article, the default mode with its
# fallback extractors runs on a fresh parse.
FALLBACK_OPTIONS = {**TRAFILATURA_OPTIONS, "favor_precision": False, "fast": False}

# Below this many words of prose the cleaned body is not an article (teaser,
# caption, error page). Whether a page is an article at all is decided in
# ``crawler.article_detection``.
MIN_ARTICLE_WORDS = 40



class NotAnArticle(Exception):
    """The page holds no article; ``reason`` is a short stat-friendly slug."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def __reduce__(self):
        # Crosses the process boundary from extraction workers intact.
        return type(self), (self.reason, self.detail)


@dataclass(frozen=True)
class ExtractOptions:
    prune_xpath: str | None = None
    site_names: tuple[str, ...] = field(default_factory=tuple)
    min_words: int = MIN_ARTICLE_WORDS
    # The source's IANA time zone and the sitemap/feed date of this URL (as stated):
    # they place a page time written without an offset (crawler.page_dates).
    timezone: str | None = None
    discovered_date: str | None = None


def _response(body: bytes, content_type: str | None) -> HtmlResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    return HtmlResponse(url="http://decode.invalid/", body=body, headers=headers)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes to text exactly as a crawl decodes them: by Scrapy's own
    ``TextResponse.text`` (header charset, BOM, meta charset, then detection)."""
    return _response(body, content_type).text


def markup_for_parsing(body: bytes, content_type: str | None = None) -> str | bytes:
    """What ``parse_html`` should get for a response body: the body itself when
    Scrapy would read it as UTF-8 and it is valid UTF-8 (the parser wants UTF-8
    bytes, so decoding and encoding again would be wasted), else the decoded text."""
    response = _response(body, content_type)
    if response.encoding == "utf-8":
        content = body[len(codecs.BOM_UTF8) :] if body.startswith(codecs.BOM_UTF8) else body
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return content
    return response.text


# trafilatura's own parser settings, so its extraction sees the tree it expects.
HTML_PARSER = lxml_html.HTMLParser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
)
# Every element an HtmlElement, chosen in C: lxml.html's default lookup calls
# Python for each element proxy (form and input classes nobody here uses),
# thousands of times per page.
HTML_PARSER.set_element_class_lookup(
    lxml_html.etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement,
        comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity,
    )
)
# Characters libxml2 rejects (control characters, U+FFFE, U+FFFF), removed from
# the UTF-8 bytes with C-speed bytes methods: a regex scan of a 260 kB page costs ms.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
# libxml2 mis-parses a doctype with a slash and a self-closing <html/> (as trafilatura repairs them).
_SLASHED_DOCTYPE = re.compile(rb"^< ?! ?DOCTYPE[^>]*/[^<>]*>", re.IGNORECASE)
_SELF_CLOSING_HTML = re.compile(rb"(<html.*?)\s*/>", re.IGNORECASE)


def repaired_html_bytes(html: str | bytes) -> bytes:
    """``html`` (text, or valid UTF-8 bytes) as UTF-8 bytes that libxml2 parses as a browser would."""
    data = html if isinstance(html, bytes) else html.encode("utf-8", "replace")
    data = data.translate(None, _CONTROL_BYTES)
    for noncharacter in _NONCHARACTERS:
        if noncharacter in data:
            data = data.replace(noncharacter, b"")
    first_line, newline, rest = data.partition(b"\n")
    if b"doctype" in first_line[:50].lower():
        data = _SLASHED_DOCTYPE.sub(b"", first_line, count=1) + newline + rest
    for line in data[:4096].splitlines()[:4]:
        if b"<html" in line and line.endswith(b"/>"):
            data = _SELF_CLOSING_HTML.sub(rb"\1>", data, count=1)
            break
    return data


def parse_html(html: str | bytes):
    """The page's tree, parsed once from UTF-8 bytes (lxml reads bytes several times faster than str).

    ``html`` is text, or bytes that are valid UTF-8 (``markup_for_parsing``).
    """
    if not html or html.isspace():
        raise NotAnArticle("empty_page")
    data = repaired_html_bytes(html)
    try:
        tree = lxml_html.fromstring(data, parser=HTML_PARSER)
    except (lxml_html.etree.ParserError, ValueError):
        tree = None
    # Not HTML at all: nothing or a lone fragment where a page should be.
    if tree is None or (len(tree) < 2 and b"html" not in data[:50].lower()):
        raise NotAnArticle("unparseable_html")
    return tree


# A standfirst that repeats the meta description is the story's lead even when
# the template puts it outside the body container; shorter blocks are teasers.
LEAD_MIN_WORDS = 12
LEAD_MATCH_CHARS = 60


def find_lead_paragraph(tree, description: str | None) -> str | None:
    """The visible block that carries the page's description, if there is one."""
    if not description:
        return None
    key = cleanup.comparable(description)[:LEAD_MATCH_CHARS]
    if len(key) < LEAD_MATCH_CHARS // 2:
        return None
    for element in tree.iter("p", "h2", "h3", "h4", "div"):
        if element.tag == "div" and any(child.tag in BLOCK_TAGS for child in element):
            continue  # only leaf blocks (a div may wrap <em> text): a container would drag in its neighbours
        text = " ".join(element.text_content().split())
        if len(text.split()) >= LEAD_MIN_WORDS and cleanup.comparable(text).startswith(key):
            return text
    return None


def with_lead(body: list[str], lead: str | None) -> list[str]:
    """Prepend the lead when extraction lost it (it sat outside the main container)."""
    if not lead or not body:
        return body
    lead_key = cleanup.comparable(lead)[:LEAD_MATCH_CHARS]
    if any(cleanup.comparable(line).startswith(lead_key) for line in body):
        return body
    return [lead, *body]


def main_text_lines(tree, url: str, prune_xpath: str | None, options: dict = TRAFILATURA_OPTIONS) -> list[str]:
    """trafilatura's body text, one paragraph per line (trafilatura works on a copy: the tree stays as it is)."""
    # Imported here: the crawl process imports this module for its types only, and
    # trafilatura costs it 0.4 s of start-up (the workers' forkserver imports it up front).
    from trafilatura import bare_extraction

    document = bare_extraction(tree, url=url, prune_xpath=prune_xpath, **options)
    text = getattr(document, "text", None) if document is not None else None
    return decode_entities(text).splitlines() if text else []


def pruned_tree(html: str | bytes, prune_xpath: str | None):
    # Scripts stay: the fallback mode's baseline can read the body from JSON-LD.
    tree = parse_html(html)
    cleanup.prune_widget_elements(tree, prune_xpath)
    return tree


def judged_body(tree, body: list[str], headlines: list[str], declared: tuple[bool | None, str | None], min_words: int):
    """The body's classified lines, the page's blocks, None or (reason, detail) when it is no
    article, and whether another extractor should look for the body (``body_worth_a_second_look``).

    Judged on the tree the body came from: trafilatura leaves it as it was.
    """
    blocks = PageBlocks(tree, headlines)
    lines = classify_lines(body, blocks)
    evidence = body_evidence(lines, *declared)
    verdict = judge_body(evidence, min_words, blocks)
    return lines, blocks, verdict, body_worth_a_second_look(verdict, evidence, min_words, blocks)


# What the extractor may lose around the story it found, looked for in the page
# between the lines it kept (trafilatura's fallback keeps paragraphs only, and a
# standfirst often sits above the body container, beside the headline).
SUBHEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# The in-body subheadings of the evaluation pages have 2 to 6 words; 15 leaves room for long ones.
SUBHEADING_MAX_WORDS = 15
# A list of highlights under the headline ("أبرز ما جاء"): two or more unlinked items, each a short sentence.
HIGHLIGHTS_MIN_ITEMS = 2
HIGHLIGHT_MIN_WORDS = 4
HIGHLIGHT_MAX_WORDS = 30
# A list item of the story between two of its paragraphs: a phrase or a sentence or two.
LIST_ITEM_MAX_WORDS = 60
# Between two paragraphs of the story, other text this short (an ad label, an
# icon's name) does not stop a heading from being the story's subheading.
GAP_LABEL_MAX_WORDS = 3


def _recoverable(text: str, titles: list[str], credits: list[str] = ()) -> bool:
    key = cleanup.plain(text)
    return bool(key) and not (
        cleanup.is_noise_line(key)
        or cleanup.is_teaser_heading(key)
        or cleanup.is_top_matter(key, titles, credits)
        or cleanup.starts_as_date_line(key)
    )


def _text_of(element) -> str:
    return " ".join(element.text_content().split())


def _story_list_item(leaf, blocks: PageBlocks, max_words: int, titles: list[str], credits: list[str] = ()) -> bool:
    """A list item that is the story's: unlinked, a phrase or a sentence, not a card's, no noise."""
    return (
        leaf.tag == "li"
        and HIGHLIGHT_MIN_WORDS <= blocks.words[leaf] <= max_words
        and blocks.link_density(leaf) < LINK_LINE_MIN_DENSITY
        and blocks.teaser_card(leaf) is None
        and _recoverable(_text_of(leaf), titles, credits)
    )


def _lost_list_item(leaf, blocks: PageBlocks, titles: list[str], known: set[str]) -> bool:
    """A list item of the story that the extractor dropped."""
    return _story_list_item(leaf, blocks, LIST_ITEM_MAX_WORDS, titles) and cleanup.comparable(_text_of(leaf)) not in known


def _lost_subheading(heading, blocks: PageBlocks, titles: list[str], known: set[str]) -> bool:
    return (
        blocks.words[heading] <= SUBHEADING_MAX_WORDS
        and blocks.link_density(heading) < LINK_LINE_MIN_DENSITY
        and blocks.teaser_card(heading) is None
        and not blocks.is_media_title(heading)
        and not blocks.in_header(heading)
        and cleanup.comparable(_text_of(heading)) not in known
        and _recoverable(_text_of(heading), titles)
    )


def before_lost_comment_marker(lines: list[BodyLine], blocks: PageBlocks, credits: list[str] = ()) -> list[BodyLine]:
    """The lines before the readers' comments when the extractor kept the comments but dropped
    their heading, counter or prompt: the marker is looked for in the page between two
    prose lines of the body's second half, then the lines left at the end lose their end matter."""
    prose = [index for index, line in enumerate(lines) if line.kind == PROSE and line.block is not None]
    for previous, index in zip(prose[len(prose) // 2 :], prose[len(prose) // 2 + 1 :]):
        gap = blocks.leaves_between(lines[previous].block, lines[index].block)
        if any(cleanup.is_comment_marker(cleanup.plain(_text_of(leaf))) for leaf in gap):
            return lines[: len(cleanup.trim_end([line.text for line in lines[:index]], credits))]
    return lines


def with_lost_subheadings(lines: list[BodyLine], blocks: PageBlocks, titles: list[str]) -> list[str]:
    """The prose lines, with the subheadings and list items the extractor dropped between two of them put back.

    They are put back only when nothing but headings, list items, links, short labels and
    images' captions lies between the two paragraphs, so a skipped box never lends its
    title; a heading or an item inside a teaser card is the card's.
    """
    story: list[str] = []
    known = {cleanup.comparable(line.text) for line in lines}
    previous = None
    for line in lines:
        if line.kind != PROSE:
            continue
        if previous is not None and line.block is not None:
            gap = blocks.leaves_between(previous, line.block)
            items = {leaf for leaf in gap if _lost_list_item(leaf, blocks, titles, known)}
            others = [
                leaf
                for leaf in gap
                if leaf.tag not in SUBHEADING_TAGS
                and leaf not in items
                and blocks.link_density(leaf) < LINK_LINE_MIN_DENSITY
                and not blocks.is_image_caption(leaf)
            ]
            if (items or any(leaf.tag in SUBHEADING_TAGS for leaf in gap)) and all(
                blocks.words[leaf] <= GAP_LABEL_MAX_WORDS for leaf in others
            ):
                for leaf in gap:
                    if leaf in items or (leaf.tag in SUBHEADING_TAGS and _lost_subheading(leaf, blocks, titles, known)):
                        text = _text_of(leaf)
                        story.append(f"- {text}" if leaf in items else text)
                        known.add(cleanup.comparable(text))
        story.append(line.text)
        if line.block is not None:
            previous = line.block
    return story


def is_caption_by_structure(text: str, block, blocks: PageBlocks) -> bool:
    """A caption no text rule caught: a short text that is the only one beside an image
    (``PageBlocks.is_image_caption``) and does not end as a sentence."""
    return not cleanup.ends_as_sentence(text) and blocks.is_image_caption(block)


def without_image_captions(lines: list[BodyLine], blocks: PageBlocks) -> list[BodyLine]:
    """The lines but the captions and the titles of video cards that only structure tells."""
    return [
        line
        for line in lines
        if line.block is None or not (is_caption_by_structure(line.text, line.block, blocks) or blocks.is_media_title(line.block))
    ]


def _from_the_headline(blocks: PageBlocks, end) -> list:
    """The blocks between the page's headline and ``end``."""
    if end is None:
        return []
    headlines = [element for element in blocks.headline_elements if blocks.precedes(element, end)]
    return blocks.leaves_between(headlines[-1], end) if headlines else []


def _prose_blocks(lines: list[BodyLine]) -> list:
    return [line.block for line in lines if line.kind == PROSE and line.block is not None]


def above_the_body(lines: list[BodyLine], blocks: PageBlocks) -> list:
    """The blocks between the page's headline and the body's first line of prose."""
    return _from_the_headline(blocks, next(iter(_prose_blocks(lines)), None))


# A labelled source line has a label and an agency's name or two.
SOURCE_LINE_MAX_WORDS = 12


def source_line_agency(lines: list[BodyLine], blocks: PageBlocks) -> str | None:
    """The agency a labelled source line credits, anywhere from the headline to the story's last paragraph."""
    prose = _prose_blocks(lines)
    span = _from_the_headline(blocks, prose[-1]) if prose else []
    return agency_from_source_line(_text_of(leaf) for leaf in span if blocks.words[leaf] <= SOURCE_LINE_MAX_WORDS)


def standfirst(header: list, blocks: PageBlocks, titles: list[str], credits: list[str] = ()) -> list[str]:
    """The prose among the blocks above the body (``above_the_body``): a standfirst outside the body's container."""
    found = []
    for leaf in header:
        text = _text_of(leaf)
        if (
            blocks.words[leaf] >= LEAD_MIN_WORDS
            and blocks.link_density(leaf) < LINK_LINE_MIN_DENSITY
            and blocks.teaser_card(leaf) is None
            and not is_caption_by_structure(text, leaf, blocks)
            and _recoverable(text, titles, credits)
        ):
            found.append(text)
    return found


def highlights(header: list, blocks: PageBlocks, titles: list[str], credits: list[str] = ()) -> list[str]:
    """The items of a list among the blocks above the body, as list lines ("- item")."""
    items: dict = {}
    for leaf in header:
        if _story_list_item(leaf, blocks, HIGHLIGHT_MAX_WORDS, titles, credits):
            items.setdefault(leaf.getparent(), []).append(f"- {_text_of(leaf)}")
    return next((found for found in items.values() if len(found) >= HIGHLIGHTS_MIN_ITEMS), [])


def extract_article(html: str | bytes, url: str, options: ExtractOptions = ExtractOptions(), now: datetime | None = None) -> dict:
    """The article fields of one page; raises ``NotAnArticle`` for anything else."""
    tree = parse_html(html)
    dates = DateContext(discovered=options.discovered_date, timezone=options.timezone)
    meta = page_metadata(tree, url, options.site_names, now=now, dates=dates)
    declared = page_label(tree, meta.pop("declares_article")), meta.pop("declared_kind")
    headlines = [meta["title"] or "", *(" ".join(h.text_content().split()) for h in tree.iter("h1"))]
    lead = find_lead_paragraph(tree, meta["description"])
    link_texts = cleanup.link_texts_of(tree)
    credits = [*meta.pop("site_names"), *meta["authors"]]
    cleanup.strip_invisible_elements(tree)
    cleanup.prune_widget_elements(tree, options.prune_xpath)
    raw_lines = main_text_lines(tree, url, None)
    body = cleanup.clean_body_lines(raw_lines, headlines, credits, link_texts)
    lines, blocks, verdict, look_again = judged_body(tree, with_lead(body, lead), headlines, declared, options.min_words)
    if look_again:
        # Precision mode finds no prose on some templates ("div soup", text runs split by
        # <br>), whatever else the page shows; the default mode with its fallback
        # extractors tries again, and its body is judged afresh.
        tree = pruned_tree(html, options.prune_xpath)
        raw_lines = main_text_lines(tree, url, None, FALLBACK_OPTIONS)
        body = cleanup.clean_body_lines(raw_lines, headlines, credits, link_texts)
        lines, blocks, verdict, _ = judged_body(tree, with_lead(body, lead), headlines, declared, options.min_words)
    if verdict is not None:
        raise NotAnArticle(*verdict)
    header = above_the_body(lines, blocks)
    # Datelines and sign-offs credit the agency (cleanup has just removed them from the body),
    # and so does a labelled source line beside the headline.
    meta["agency"] = meta["agency"] or agency_from_body(raw_lines, body) or source_line_agency(lines, blocks)
    lines = before_lost_comment_marker(without_image_captions(lines, blocks), blocks, credits)
    story = with_lost_subheadings(lines, blocks, headlines)
    if not meta["description"]:
        # A page's description names its standfirst (``find_lead_paragraph``); without one, the
        # prose between the headline and the body is taken as the standfirst.
        story = [*(text for text in standfirst(header, blocks, headlines, credits) if text not in story), *story]
    known = {cleanup.comparable(line) for line in story}
    story = [*(line for line in highlights(header, blocks, headlines, credits) if cleanup.comparable(line) not in known), *story]
    text = "\n\n".join(story)
    return {**meta, "text": text, "word_count": count_words(text)}
