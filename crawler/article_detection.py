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
is a listing; a body with less prose than the minimum holds no article. The
page's own label (``og:type``, JSON-LD or microdata types) only moves the
share of teasers at which a page becomes a listing, within the gap that
separates the two kinds of page on every page measured. A kept article loses
its link and teaser lines: an in-body "read also" list that no class name or
heading gave away.

The thresholds are measured by ``python -m bench.article_evidence`` on every
evaluation page, negative page, sample-site page and benchmark-site page, each
unchanged and under every change of ``crawler.markup_variants``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crawler.cleanup import comparable, plain

# A link of at least this many words is a headline (a story's title); shorter
# links are menus, tags, "more", share buttons and author names of one or two words.
HEADLINE_LINK_MIN_WORDS = 3
# Besides the line itself and link text, a teaser card holds a date, a section
# label, an author or a comment count. Measured: teaser cards of the negative
# pages hold 0-9 such words, and the smallest element around an article
# paragraph that holds a headline link holds 25 or more (the rest of the story).
CARD_MAX_OTHER_WORDS = 12
# A block this much link text is a link line. Measured: story paragraphs carry
# at most 0.22 (a paragraph with two linked names), rows of headlines 0.9 or more.
LINK_LINE_MIN_DENSITY = 0.5
# The share of the body's words in link and teaser lines from which a page is a
# listing. Measured: article pages 0 to 0.11 under every markup change, listing
# and home pages 0.73 to 1.0; the threshold sits in the middle of that gap, and
# the page's own label moves it by LABEL_SHIFT at most, staying inside the gap.
LISTING_TEASER_SHARE = 0.5
LABEL_SHIFT = 0.15
# One teaser is a "read also" box, not a listing.
LISTING_MIN_TEASERS = 2
# A page without an article body is a listing, not just an empty page, when it
# shows this many teaser cards with a snippet of at least SNIPPET_MIN_WORDS
# words. Measured: article pages show 0 to 2 (a "related" box with summaries),
# home and section pages 2 to 11 (those with 2 have their teasers in the body).
LISTING_MIN_SNIPPET_CARDS = 3
SNIPPET_MIN_WORDS = 8
# Running prose has sentences: an article body holds at least one prose line
# this long. Measured: the longest paragraph of every article page has 37 to 160
# words; lines of chrome that reach the body (addresses, disclaimers, menus,
# "about us" blurbs split at <br>) have 12 or fewer.
RUNNING_PROSE_MIN_WORDS = 15
# How much of a line is looked for in the page, after ``comparable``.
LOCATE_CHARS = 60
# The block of a line holds at least this share of its words (trafilatura
# spaces out inline elements, so the counts differ by a word or two).
COVERING_WORD_SHARE = 0.9

PROSE, LINK, TEASER = "prose", "link", "teaser"

# Block-level tags: a line of extracted text lies inside one of them.
BLOCK_TAGS = frozenset(
    "p div li td th tr tbody thead table ul ol dl dd dt h1 h2 h3 h4 h5 h6 section article main header footer aside "
    "nav form figure figcaption blockquote pre center body html".split()
)
# Never shown as text (the fallback extraction's tree keeps its scripts).
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
_WORD_RE = re.compile(r"\w+")


def _words(text: str | None) -> int:
    """Whitespace-separated words: cheap, and only used to compare parts of one page."""
    return len(text.split()) if text else 0


def count_words(text: str) -> int:
    """Words as the extraction counts them (``\\w+`` runs)."""
    return len(_WORD_RE.findall(text))


class PageBlocks:
    """Word, link-word and headline-link counts of every element, from one bottom-up pass.

    ``headlines`` are the forms of the page's headline (meta title, h1): an
    element showing one of them, unlinked, marks the page's own header.
    """

    def __init__(self, tree, headlines: Iterable[str] = ()):
        elements = [element for element in tree.iter() if isinstance(element.tag, str)]
        self.words: dict = {}
        self.link_words: dict = {}
        self.headline_links: dict = {}
        has_block: dict = {}
        for element in reversed(elements):
            words, link_words, headline_links, block_inside = _words(element.text), 0, 0, False
            if element.tag in INVISIBLE_TAGS:
                words = 0
            for child in element:
                if isinstance(child.tag, str):
                    words += self.words[child]
                    link_words += self.link_words[child]
                    headline_links += self.headline_links[child]
                    block_inside = block_inside or has_block[child] or child.tag in BLOCK_TAGS
                words += _words(child.tail)
            if element.tag == "a" and not (element.get("href") or "").startswith("#"):
                link_words = words
                headline_links = 1 if words >= HEADLINE_LINK_MIN_WORDS else 0
            self.words[element] = words
            self.link_words[element] = link_words
            self.headline_links[element] = headline_links
            has_block[element] = block_inside
        self._leaves = [el for el in elements if el.tag in BLOCK_TAGS and not has_block[el] and self.words[el]]
        self._leaf_keys: dict = {}
        self._next_leaf = 0
        self._header_ancestry = self._headline_ancestry(elements, headlines)

    def _headline_ancestry(self, elements, headlines: Iterable[str]) -> set:
        """The page's headline elements and all their ancestors."""
        keys = {key for key in map(comparable, headlines) if key}
        found = set()
        for element in elements:
            if element.tag not in ("h1", "h2", "h3") or self.link_words[element]:
                continue
            if element.tag == "h1" or comparable(element.text_content()) in keys:
                found.add(element)
                found.update(element.iterancestors())
        return found

    def _leaf_key(self, index: int) -> str:
        key = self._leaf_keys.get(index)
        if key is None:
            key = self._leaf_keys[index] = comparable(self._leaves[index].text_content())
        return key

    def locate(self, line: str):
        """The block element that holds ``line``, or None.

        Lines come in page order, so the search starts after the last block found.
        """
        probe = comparable(plain(line))[:LOCATE_CHARS]
        if not probe or not self._leaves:
            return None
        count = len(self._leaves)
        for step in range(count):
            index = (self._next_leaf + step) % count
            if probe in self._leaf_key(index):
                self._next_leaf = index
                leaf = self._leaves[index]
                return self._covering(leaf, _words(plain(line)))
        return None

    def _covering(self, leaf, words: int):
        """The leaf, or its lowest ancestor holding about as many words as the line (a row of cells)."""
        block = leaf
        while self.words[block] < words * COVERING_WORD_SHARE:
            parent = block.getparent()
            if parent is None:
                break
            block = parent
        return block

    def link_density(self, block) -> float:
        return self.link_words[block] / self.words[block] if self.words[block] else 1.0

    def snippet_cards(self) -> int:
        """How many teaser cards with a snippet the page shows (a listing's repeated pattern)."""
        cards = set()
        for leaf in self._leaves:
            if self.words[leaf] - self.link_words[leaf] >= SNIPPET_MIN_WORDS:
                card = self.teaser_card(leaf)
                if card is not None:
                    cards.add(card)
        return len(cards)

    def teaser_card(self, block):
        """The teaser card around ``block``, or None when it is not in one."""
        own = self.words[block] - self.link_words[block]
        for ancestor in block.iterancestors():
            other = self.words[ancestor] - self.link_words[ancestor] - own
            if other > CARD_MAX_OTHER_WORDS or ancestor in self._header_ancestry:
                return None
            if self.headline_links[ancestor] > self.headline_links[block]:
                return ancestor
        return None


@dataclass(frozen=True)
class BodyLine:
    text: str
    kind: str  # PROSE, LINK or TEASER
    teasers: int = 0  # the teasers it stands for: its headline links, or its card (counted once)


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
            classified.append(BodyLine(line, LINK, max(1, blocks.headline_links[block])))
            continue
        card = blocks.teaser_card(block)
        if card is None:
            classified.append(BodyLine(line, PROSE))
        else:
            classified.append(BodyLine(line, TEASER, int(card not in cards_seen)))
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

    @property
    def teaser_share(self) -> float:
        return self.teaser_words / self.words if self.words else 0.0

    @property
    def listing_share(self) -> float:
        """The teaser share from which this page is a listing, after its label."""
        if self.declared_article is None:
            return LISTING_TEASER_SHARE
        return LISTING_TEASER_SHARE + (LABEL_SHIFT if self.declared_article else -LABEL_SHIFT)


def body_evidence(lines: Sequence[BodyLine], declared_article: bool | None) -> BodyEvidence:
    words = [count_words(line.text) for line in lines]
    teaser_words = sum(count for count, line in zip(words, lines) if line.kind != PROSE)
    return BodyEvidence(
        words=sum(words),
        prose_words=sum(words) - teaser_words,
        teaser_words=teaser_words,
        teasers=sum(line.teasers for line in lines),
        longest_prose_line=max((count for count, line in zip(words, lines) if line.kind == PROSE), default=0),
        declared_article=declared_article,
    )


def judge_body(evidence: BodyEvidence, min_words: int, blocks: PageBlocks | None = None) -> tuple[str, str] | None:
    """None for an article, else (reason, detail) for ``NotAnArticle``.

    ``blocks`` (the page the body came from) tells a listing from an empty page
    when the body holds no article.
    """
    if evidence.teasers >= LISTING_MIN_TEASERS and evidence.teaser_share >= evidence.listing_share:
        return "listing_page", f"{evidence.teaser_words} of {evidence.words} body words are {evidence.teasers} teasers"
    if evidence.prose_words < min_words:
        problem = f"{evidence.prose_words} words after cleanup"
    elif evidence.longest_prose_line < RUNNING_PROSE_MIN_WORDS:
        problem = f"no line of running prose (longest: {evidence.longest_prose_line} words)"
    else:
        return None
    cards = blocks.snippet_cards() if blocks is not None else 0
    if cards >= LISTING_MIN_SNIPPET_CARDS:
        return "listing_page", f"{cards} teaser cards and no article body ({problem})"
    return "no_article_body", problem


def article_lines(lines: Sequence[BodyLine]) -> list[str]:
    """The prose lines of a kept article."""
    return [line.text for line in lines if line.kind == PROSE]
