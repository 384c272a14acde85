"""The page as blocks of text: how many words, link words and headline links each element holds.

``crawler.article_detection`` judges the extracted body by where its lines sit
in the page, and ``crawler.extract`` recovers the parts of a story that the
extractor lost around them (a standfirst above the body, subheadings between
its paragraphs). Both work on ``PageBlocks``: one bottom-up pass over the tree
the body was extracted from, then cheap queries. Nothing here reads class
names or ids, so it holds on pages whose markup names nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from crawler.cleanup import CAPTION_MAX_WORDS, comparable, plain

# A link of at least this many words is a headline (a story's title); shorter
# links are menus, tags, "more", share buttons and author names of one or two words;
# single letters do not count, so an agency's initials ("أ ش أ") are a byline, not a headline.
HEADLINE_LINK_MIN_WORDS = 3
# Besides the line itself and link text, a teaser card holds a date, a section
# label, an author or a comment count. Measured (``python -m bench.article_evidence``):
# around the teaser lines of the non-article pages 0 to 5 such words; around
# every prose line of the article pages, the smallest element that holds a
# headline link holds 72 or more (the rest of the story).
CARD_MAX_OTHER_WORDS = 12
# A teaser's snippet: a line of intro, not a date or a label.
SNIPPET_MIN_WORDS = 8
# How much of a line is looked for in the page, after ``comparable``.
LOCATE_CHARS = 60
# The block of a line holds at least this share of its words (trafilatura
# spaces out inline elements, so the counts differ by a word or two).
COVERING_WORD_SHARE = 0.9

# A video card's title shares its container with a label or two ("فيديو") and the duration.
MEDIA_LABEL_MAX_WORDS = 3
_DURATION_RE = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2})?\s*$")

# Block-level tags: a line of extracted text lies inside one of them.
BLOCK_TAGS = frozenset(
    "p div li td th tr tbody thead table ul ol dl dd dt h1 h2 h3 h4 h5 h6 section article main header footer aside "
    "nav form figure figcaption blockquote pre center body html".split()
)
# Never shown as text (the fallback extraction's tree keeps its scripts).
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})


def _words(text: str | None) -> int:
    """Whitespace-separated words: cheap, and only used to compare parts of one page."""
    return len(text.split()) if text else 0


def _initials(link) -> bool:
    """A link whose words are mostly single letters: an agency credited by its initials ("أ ش أ")."""
    words = link.text_content().split()
    return sum(len(word) > 1 for word in words) < HEADLINE_LINK_MIN_WORDS


class PageBlocks:
    """Word, link-word and headline-link counts of every element, from one bottom-up pass.

    ``headlines`` are the forms of the page's headline (meta title, h1): an
    element showing one of them, unlinked, marks the page's own header.
    """

    def __init__(self, tree, headlines: Iterable[str] = ()):
        elements = [element for element in tree.iter() if isinstance(element.tag, str)]
        self._position = {element: index for index, element in enumerate(elements)}
        self._elements = elements
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
                headline_links = 1 if words >= HEADLINE_LINK_MIN_WORDS and not _initials(element) else 0
            self.words[element] = words
            self.link_words[element] = link_words
            self.headline_links[element] = headline_links
            has_block[element] = block_inside
        self._leaves = [el for el in elements if el.tag in BLOCK_TAGS and not has_block[el] and self.words[el]]
        self._leaf_positions = [self._position[leaf] for leaf in self._leaves]
        self._leaf_keys: dict = {}
        self._next_leaf = 0
        self._header_ancestry = self._headline_ancestry(elements, headlines)

    def _headline_ancestry(self, elements, headlines: Iterable[str]) -> set:
        """The page's headline elements (``self.headline_elements``) and all their ancestors."""
        keys = {key for key in map(comparable, headlines) if key}
        found = set()
        self.headline_elements = []
        self._title_headline = None
        for element in elements:
            if element.tag not in ("h1", "h2", "h3") or self.link_words[element]:
                continue
            shows_title = comparable(element.text_content()) in keys
            if element.tag == "h1" or shows_title:
                self.headline_elements.append(element)
                found.add(element)
                found.update(element.iterancestors())
                if shows_title and self._title_headline is None:
                    self._title_headline = element
        return found

    def main_headings(self) -> list[str]:
        """The text of the page's ``h1`` elements that are no link."""
        return [" ".join(element.text_content().split()) for element in self.headline_elements if element.tag == "h1"]

    def headline_leads_prose(self) -> bool:
        """Whether the page's headline is followed by prose of its own, not by teasers.

        A story page (an article, a gallery or video page) shows its headline
        and then its own text; a listing shows a section name and then
        teasers. Short lines in between (a date, a view count, share buttons)
        are passed over.
        """
        headline = self._title_headline if self._title_headline is not None else next(iter(self.headline_elements), None)
        if headline is None:
            return False
        start = self._position[headline]
        for leaf in self._leaves:
            if self._position[leaf] <= start or contains(headline, leaf):
                continue
            if self.headline_links[leaf]:
                return False
            if self.words[leaf] - self.link_words[leaf] >= SNIPPET_MIN_WORDS:
                return self.teaser_card(leaf) is None
        return False

    def _leaf_key(self, index: int) -> str:
        key = self._leaf_keys.get(index)
        if key is None:
            key = self._leaf_keys[index] = comparable(self._leaves[index].text_content())
        return key

    def locate(self, line: str):
        """The block element that holds ``line``, or None.

        Lines come in page order, so the search starts after the last block found.
        """
        # A table row is looked for by its first cell (its cells are separate blocks).
        cells = [cell for cell in line.split("|") if cell.strip()] if line.lstrip().startswith("|") else [line]
        probe = comparable(plain(cells[0]))[:LOCATE_CHARS] if cells else ""
        if not probe or not self._leaves:
            return None
        count = len(self._leaves)
        for step in range(count):
            index = (self._next_leaf + step) % count
            if probe in self._leaf_key(index):
                return self._found(index, line)
        # Links set side by side without spaces read as one word in the page.
        probe = probe.replace(" ", "")
        for index in range(count):
            if probe in self._leaf_key(index).replace(" ", ""):
                return self._found(index, line)
        return None

    def _found(self, index: int, line: str):
        self._next_leaf = index
        return self._covering(self._leaves[index], _words(plain(line)))

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

    def headline_link_count(self) -> int:
        return self.headline_links[self._elements[0]] if self._elements else 0

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

    def is_image_caption(self, leaf) -> bool:
        """Whether ``leaf`` is the only text of a container that shows an image: a figure's
        caption, told by structure alone (templates write figures as plain divs)."""
        if self.words[leaf] > CAPTION_MAX_WORDS:
            return False
        for ancestor in leaf.iterancestors():
            if self.words[ancestor] != self.words[leaf]:
                return False
            if ancestor.find(".//img") is not None:
                return True
        return False

    def is_media_title(self, leaf) -> bool:
        """Whether ``leaf`` is the title of a video or audio card: it shares a container that
        shows an image only with short labels, one of them the clip's duration ("04:12")."""
        if self.words[leaf] > CAPTION_MAX_WORDS:
            return False
        for ancestor in leaf.iterancestors():
            if self.words[ancestor] - self.words[leaf] > MEDIA_LABEL_MAX_WORDS:
                return False
            if ancestor.find(".//img") is not None and any(_DURATION_RE.match(text) for text in ancestor.itertext()):
                return True
        return False

    def in_header(self, element) -> bool:
        """Whether ``element`` is the page's headline or holds it."""
        return element in self._header_ancestry

    def precedes(self, first, last) -> bool:
        return self._position[first] < self._position[last]

    def leaves_between(self, first, last):
        """The blocks of text after ``first`` and before ``last``, in page order."""
        start, end = self._position[first], self._position[last]
        candidates = self._leaves[bisect_right(self._leaf_positions, start) : bisect_left(self._leaf_positions, end)]
        return [leaf for leaf in candidates if not contains(first, leaf) and not contains(leaf, last)]


def contains(outer, inner) -> bool:
    """Whether ``inner`` lies inside ``outer`` (not ``outer`` itself)."""
    return any(ancestor is outer for ancestor in inner.iterancestors())
