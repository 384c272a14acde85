"""Article or not, decided from what the page shows; markup is one piece of evidence.

An article page has one main block of running prose: paragraphs whose words are
not links, under the page's own headline. A home, section, tag or search page
has none. What an extractor finds there is the text of teasers: linked
headlines (a ticker, a list of stories) and the snippets beside them (a card
holding a headline link, a line or two of intro, a date, "اقرأ المزيد").
Both kinds of page carry sidebars full of headline links, so how many links a
page has says nothing about it; only the extracted body is judged, line by
line, by where each line sits in the page:

- a *link* line is a block whose words are mostly link text: a linked
  headline, a flattened row of links;
- a *teaser* line sits in a teaser card: the smallest element around it that
  holds a headline link holds little else besides the line, and is not the
  page's own header (whose headline is not a link);
- every other line is *prose*, and so is a line that cannot be found in the
  page (the benefit of the doubt goes to the article).

``judge_body`` gives the verdict: a body made mostly of link and teaser lines
is a listing; a body with less running prose than the minimum holds no
article, and the page says why: a story page (its headline leads a caption of
its own: a photo gallery, a video) has no article body, a page of teaser cards
or headline links without a story headline is a listing, and so is a page of
teaser cards headed by a date instead of a headline (a day's archive), whatever
its intro. The page's own label (``og:type``, JSON-LD or microdata types) only moves the
share of teasers at which a page becomes a listing, within the gap that
separates the two kinds of page on every page measured; JSON-LD that declares
the page an index or a media item (a profile, a video, a podcast episode) and
no article raises the prose it needs to OTHER_KIND_MIN_WORDS, so a description
or a featured card's lead is not taken for a short story. So does a body that
breaks off with an ellipsis: the excerpt of a text shown in full elsewhere (a
column's lead on its writer's index, a transcript teaser), whatever the markup
says, and a body made mostly of table rows (a market-data page). A kept article loses
its link and teaser lines: an in-body "read also" list that no class name or
heading gave away.

The thresholds are measured by ``python -m bench.article_evidence`` on every
evaluation page, negative page, sample-site page and benchmark-site page, each
unchanged and under every change of ``crawler.markup_variants``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.cleanup import is_bare_date
from crawler.page_blocks import PageBlocks

_WORD_RE = re.compile(r"\w+")


def count_words(text: str) -> int:
    """Words as the extraction counts them (``\\w+`` runs)."""
    return len(_WORD_RE.findall(text))


# A block this much link text is a link line. Measured: the prose lines of
# article pages 0 to 0.13 (a paragraph with linked names), link lines 0.6 to 1.
LINK_LINE_MIN_DENSITY = 0.5
# The share of the body's words in link and teaser lines from which a page is a
# listing. Measured under every markup change: article pages 0 to 0.11, the
# listings dropped on this share 0.51 to 1.0; the threshold sits in the gap, and
# the page's own label moves it by LABEL_SHIFT, so an article labelled as one
# needs 0.65 to be taken for a listing and a page labelled a website 0.35.
LISTING_TEASER_SHARE = 0.5
LABEL_SHIFT = 0.15
# One teaser is a "read also" box, not a listing.
LISTING_MIN_TEASERS = 2
# A page without an article body is a listing, not just an empty page, when it
# shows this many teaser cards with a snippet (``page_blocks.SNIPPET_MIN_WORDS``
# words or more). Measured: article pages show 0 to 2 (a "related" box with summaries),
# home and section pages 2 to 11 (those with 2 have their teasers in the body).
LISTING_MIN_SNIPPET_CARDS = 3
# Section pages with 2 have their teasers in the body: a body of nothing but teaser text
# (the extractor took one of the cards) beside this many cards is a listing too.
LISTING_MIN_CARDS_BESIDE_TEASER_BODY = 2
# A day's archive is headed by its date, where a story has its headline: "أرشيف يوم
# الثلاثاء 20 أكتوبر 2026", "أخبار 2026-10-20". Its intro may read like a short story.
_ARCHIVE_LABEL_RE = re.compile(r"^(?:(?:ال)?(?:أرشيف|ارشيف)|أخبار|اخبار|عناوين|archive|news)(?:\s+(?:يوم|أخبار|اخبار|الأخبار|الاخبار|of|for))?\s*[:：\-–—|]?\s*", re.IGNORECASE)
# Or when, with no story headline of its own, it shows this many headline links
# (a home page's ticker and lists). Measured: home pages show 22 to 153, the
# gallery and video pages (story pages, whose headline leads their caption) 4 to 5.
LISTING_MIN_HEADLINE_LINKS = 20
# Running prose has sentences: an article body holds at least one prose line
# this long. Measured: the longest prose line of every article page, under every
# markup change, has 21 to 160 words (21 on benchmark pages, whose paragraphs are
# pieces of at most 25 words); lines of chrome that reach the body (addresses,
# disclaimers, menus, "about us" blurbs split at <br>) have 12 or fewer.
RUNNING_PROSE_MIN_WORDS = 15
# A page whose JSON-LD declares it an index (a writer's profile, a collection) or a
# media item (a video, a podcast episode) and no article needs this much prose to be
# one. Measured: the bodies extracted from such pages, a description, a transcript
# excerpt or a featured card's lead, run to 83 to 166 words; the label alone is no
# verdict, and a story this long under it is kept. A body whose last prose line breaks
# off with an ellipsis needs as much, labelled or not. Measured under every markup
# change: no article body of the evaluation, held-out, sample-site or benchmark pages ends so;
# the bodies that do are a home page's teaser (35 words), a writer index's featured
# lead (155) and a podcast's transcript excerpt (161 to 166).
OTHER_KIND_MIN_WORDS = 250
# Three dots or the ellipsis sign: two dots end sentences in Arabic prose ("ما يعنيه.. المشهد").
_BREAKS_OFF_RE = re.compile(r"(?:\.{3,}|…)\s*$")
# A body whose prose is mostly table rows is a data page (prices, standings) unless the
# rest runs to OTHER_KIND_MIN_WORDS. Measured under every markup change: the rows of an
# article's own tables hold 0 to 8 % of its prose words, those of a market-data page 72 to 85 %.
TABLE_SHARE_MAX = 0.5

PROSE, LINK, TEASER = "prose", "link", "teaser"

# schema.org types in a microdata ``itemtype`` on the page's outer elements.
_ARTICLE_ITEMTYPE_RE = re.compile(r"schema\.org/\w*(?:Article|BlogPosting|Report)\b", re.IGNORECASE)
_LISTING_ITEMTYPE_RE = re.compile(r"schema\.org/(?:CollectionPage|SearchResultsPage|ItemList|WebSite)\b", re.IGNORECASE)
_OUTER_ITEMTYPES = "/html/@itemtype | /html/body/@itemtype | //main/@itemtype | //article[1]/@itemtype"


def page_label(tree, declared: bool | None) -> bool | None:
    """What the page says it is: ``declared`` (og:type, JSON-LD), else the microdata on its outer elements."""
    if declared is not None:
        return declared
    for itemtype in tree.xpath(_OUTER_ITEMTYPES):
        if _ARTICLE_ITEMTYPE_RE.search(itemtype):
            return True
        if _LISTING_ITEMTYPE_RE.search(itemtype):
            return False
    return None


@dataclass(frozen=True)
class BodyLine:
    text: str
    kind: str  # PROSE, LINK or TEASER
    teasers: int = 0  # the teasers it stands for: its headline links, or its card (counted once)
    block: object = None  # where it sits in the page, when found


def classify_lines(lines: Sequence[str], blocks: PageBlocks) -> list[BodyLine]:
    """Each body line with its kind (see the module docstring)."""
    classified = []
    cards_seen = set()
    for line in lines:
        block = blocks.locate(line)
        if block is None:
            classified.append(BodyLine(line, PROSE))
            continue
        if blocks.link_density(block) >= LINK_LINE_MIN_DENSITY:
            classified.append(BodyLine(line, LINK, max(1, blocks.headline_links[block]), block))
            continue
        card = blocks.teaser_card(block)
        if card is None:
            classified.append(BodyLine(line, PROSE, 0, block))
        else:
            classified.append(BodyLine(line, TEASER, int(card not in cards_seen), block))
            cards_seen.add(card)
    return classified


@dataclass(frozen=True)
class BodyEvidence:
    """What the judgement rests on; ``python -m bench.article_evidence`` prints it."""

    words: int
    prose_words: int
    teaser_words: int  # in link and teaser lines
    teasers: int  # headline links and teaser cards in them
    longest_prose_line: int
    declared_article: bool | None  # the page's own label, None when it has none
    declared_kind: str | None = None  # "index" or "media" (``metadata.declared_other_kind``)
    breaks_off: bool = False  # the last prose line ends in an ellipsis
    table_words: int = 0  # prose words in table rows ("| cell | cell |")

    @property
    def teaser_share(self) -> float:
        return self.teaser_words / self.words if self.words else 0.0

    @property
    def listing_share(self) -> float:
        """The teaser share from which this page is a listing, after its label."""
        if self.declared_article is None:
            return LISTING_TEASER_SHARE
        return LISTING_TEASER_SHARE + (LABEL_SHIFT if self.declared_article else -LABEL_SHIFT)


def body_evidence(lines: Sequence[BodyLine], declared_article: bool | None, declared_kind: str | None = None) -> BodyEvidence:
    words = [count_words(line.text) for line in lines]
    teaser_words = sum(count for count, line in zip(words, lines) if line.kind != PROSE)
    last_prose = next((line.text for line in reversed(lines) if line.kind == PROSE), "")
    table_words = sum(count for count, line in zip(words, lines) if line.kind == PROSE and line.text.lstrip().startswith("|"))
    return BodyEvidence(
        words=sum(words),
        prose_words=sum(words) - teaser_words,
        teaser_words=teaser_words,
        teasers=sum(line.teasers for line in lines),
        longest_prose_line=max((count for count, line in zip(words, lines) if line.kind == PROSE), default=0),
        declared_article=declared_article,
        declared_kind=declared_kind,
        breaks_off=bool(_BREAKS_OFF_RE.search(last_prose)),
        table_words=table_words,
    )


def missing_body(evidence: BodyEvidence, min_words: int) -> str | None:
    """What the body lacks to be an article's (too few words, no running prose), or None."""
    if evidence.prose_words < min_words:
        return f"{evidence.prose_words} words after cleanup"
    if evidence.declared_kind and evidence.prose_words < OTHER_KIND_MIN_WORDS:
        return f"{evidence.prose_words} words after cleanup on a page declared a {evidence.declared_kind} page"
    if evidence.breaks_off and evidence.prose_words < OTHER_KIND_MIN_WORDS:
        return f"{evidence.prose_words} words of an excerpt that breaks off"
    if evidence.table_words > TABLE_SHARE_MAX * evidence.prose_words and evidence.prose_words - evidence.table_words < OTHER_KIND_MIN_WORDS:
        return f"{evidence.prose_words - evidence.table_words} words of prose beside {evidence.table_words} in tables"
    if evidence.longest_prose_line < RUNNING_PROSE_MIN_WORDS:
        return f"no line of running prose (longest: {evidence.longest_prose_line} words)"
    return None


def judge_body(evidence: BodyEvidence, min_words: int, blocks: PageBlocks | None = None) -> tuple[str, str] | None:
    """None for an article, else (reason, detail) for ``NotAnArticle``.

    ``blocks`` (the page the body came from) gives the reason when the body
    holds no article: a listing shows teasers, a story page without text (a
    photo gallery, a video) shows its headline and then its own caption.
    """
    if blocks is not None and (heading := next(filter(is_date_heading, blocks.main_headings()), None)):
        cards = blocks.snippet_cards()
        if cards >= LISTING_MIN_SNIPPET_CARDS:
            return "listing_page", f"a day's archive: headed '{heading}', {cards} teaser cards"
    problem = missing_body(evidence, min_words)
    story_page = problem is not None and blocks is not None and blocks.headline_leads_prose()
    if evidence.teasers >= LISTING_MIN_TEASERS and evidence.teaser_share >= evidence.listing_share and not story_page:
        return "listing_page", f"{evidence.teaser_words} of {evidence.words} body words in {evidence.teasers} teasers"
    if problem is None:
        return None
    if blocks is not None and not story_page:
        cards = blocks.snippet_cards()
        teaser_body = evidence.teasers > 0 and evidence.prose_words == 0
        if cards >= LISTING_MIN_SNIPPET_CARDS or (teaser_body and cards >= LISTING_MIN_CARDS_BESIDE_TEASER_BODY):
            return "listing_page", f"{cards} teaser cards and no article body ({problem})"
        if blocks.headline_link_count() >= LISTING_MIN_HEADLINE_LINKS:
            return "listing_page", f"{blocks.headline_link_count()} headline links and no article body ({problem})"
    return "no_article_body", problem


def is_date_heading(text: str) -> bool:
    """A heading that is a date, perhaps labelled as an archive's: no story's headline."""
    return is_bare_date(_ARCHIVE_LABEL_RE.sub("", text, count=1))


def body_worth_a_second_look(verdict, evidence: BodyEvidence, min_words: int, blocks: PageBlocks) -> bool:
    """Whether another extractor should look for the body: the page was judged no article
    for want of one, with nothing but headline links for a listing (every article page's
    sidebars carry them), not teasers in the body or snippet cards."""
    if verdict is None or missing_body(evidence, min_words) is None:
        return False
    return verdict[0] == "no_article_body" or (
        evidence.teasers < LISTING_MIN_TEASERS and blocks.snippet_cards() < LISTING_MIN_SNIPPET_CARDS
    )


def article_lines(lines: Sequence[BodyLine]) -> list[str]:
    """The prose lines of a kept article."""
    return [line.text for line in lines if line.kind == PROSE]
