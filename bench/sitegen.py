"""A synthetic Arabic news site for the crawl benchmark, built from real pages.

Every page is a real outlet's saved article page (head, navigation, sidebars, footer,
scripts: the chrome that makes parsing cost what it costs in production) whose article
body, headline, description, dates and canonical URL are swapped for generated ones.

The generated bodies must survive deduplication as distinct articles, so that the crawl
writes one item per page:

- the paragraphs come from a pool of a few hundred text pieces: the paragraphs of the
  real pages' ``.expected.txt`` files, long ones cut into pieces at clause boundaries
  (a piece replaces its paragraph, so no two pool entries share text);
- each page draws 6-12 pieces in random order, and ``PagePlanner`` redraws any choice
  that would share more than ``MAX_SHARED_WORD_SHARE`` of the smaller page's words with
  an earlier page;
- each page also gets one or two sentences of random words from the pool's vocabulary,
  found on no other page.

Everything is drawn from one seeded ``random.Random``: the same seed and page count give
byte-identical sites, and the first N pages of a bigger site are the site of N pages.

Pages hold the ``{{BASE_URL}}`` placeholder of ``crawler.local_site`` wherever an
absolute URL belongs, because the server's port is only known once it runs.
"""

from __future__ import annotations

import collections
import copy
import html
import json
import logging
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import lxml.html

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
SHARED_EVAL = REPO.parent / "shared" / "eval" / "arabic-news"
LOCAL_EVAL = REPO / "tests" / "eval_pages"

# Real saved pages (not the synthetic ones in tests/eval_pages): their chrome is what a
# crawl of the web really parses, from a 29 kB 2013 page to a 600 kB React page.
TEMPLATE_STEMS = ("01_cnnarabic", "02_assabah", "04_bbcarabic", "08_youm7", "13_youm7_2024a")
# The natural-size site (issue 17): every real saved page of both evaluation folders (not the
# synthetic ones) whose own size, chrome included, is that of an ordinary news page. Pages outside the band are left
# out rather than padded or trimmed, so each page keeps its template's real weight.
NATURAL_SIZE_BAND_KB = (20, 320)
HISTOGRAM_BIN_KB = 25

DEFAULT_SEED = 20251122

BASE_URL = "{{BASE_URL}}"
PARAGRAPHS_PER_PAGE = (6, 12)
UNIQUE_SENTENCES_PER_PAGE = (1, 2)
UNIQUE_SENTENCE_WORDS = (12, 20)
TITLE_WORDS = (6, 10)
DESCRIPTION_WORDS = 25
# Pieces longer than this are cut: the 201 real paragraphs become about 400 pieces, and
# no single long paragraph makes up most of the text two pages share. (At 40 words the
# pool is 259 pieces and 4000 pages cannot all stay under MAX_SHARED_WORD_SHARE.)
MAX_PIECE_WORDS = 25
# No page may share more than this share of the smaller page's words with another one,
# so two pages' shingle Jaccard stays under about 0.18, far below the near-duplicate
# threshold (0.4) whatever the shingle size.
MAX_SHARED_WORD_SHARE = 0.3
MAX_DRAWS_PER_PAGE = 1000
# Every article needs this much of the real body found in the template's container.
MIN_BODY_COVERAGE = 0.8
SITEMAP_CHUNK = 500
DATE_RANGE_START = datetime(2025, 1, 1, tzinfo=timezone.utc)
DATE_RANGE_MINUTES = 365 * 24 * 60

ARABIC_WORD_RE = re.compile(r"[\u0621-\u064A]{3,}")
CLAUSE_END_RE = re.compile(r"[،,.؛:!؟?]$")
SHINGLE_SIZE = 3

# Markers put into the prepared template where generated values go. HTML contexts get
# HTML-escaped values and JSON-LD contexts JSON-escaped ones.
MARK_BODY = "@@BENCH_BODY@@"
MARK_TITLE = "@@BENCH_TITLE@@"
MARK_DESCRIPTION = "@@BENCH_DESCRIPTION@@"
MARK_URL = "@@BENCH_URL@@"
MARK_DATE = "@@BENCH_DATE@@"
JSON_MARKS = {
    "headline": "@@BENCH_JSON_TITLE@@",
    "alternativeHeadline": "@@BENCH_JSON_TITLE@@",
    "description": "@@BENCH_JSON_DESCRIPTION@@",
    "articleBody": "@@BENCH_JSON_BODY@@",
    "datePublished": "@@BENCH_JSON_DATE@@",
    "dateModified": "@@BENCH_JSON_DATE@@",
}
JSON_URL_MARK = "@@BENCH_JSON_URL@@"
MARK_RE = re.compile(r"@@BENCH_[A-Z_]+@@")

TITLE_METAS = frozenset({"og:title", "twitter:title", "rnews:name"})
DESCRIPTION_METAS = frozenset({"description", "og:description", "twitter:description"})
DATE_METAS = frozenset({"article:published_time", "article:modified_time", "og:updated_time"})
URL_METAS = frozenset({"og:url"})
# Links to other copies of the original article (AMP, mobile, short URL): a crawler may
# treat them as aliases, so they go rather than point every page at one foreign URL.
DROPPED_LINK_RELS = frozenset({"amphtml", "alternate", "shortlink"})
# A paragraph container cannot hold the <p> elements of the new body.
TITLE_SEPARATOR_RE = re.compile(r" [-|–—] ")
MAX_SUFFIX_TOKENS = 6  # separators included: " - BBC News عربي" is 4
INLINE_CONTAINER_TAGS = frozenset({"p", "b", "strong", "span", "em", "i", "font", "a"})


class TemplateError(Exception):
    """A saved page cannot be turned into a template (its body was not found or not removed)."""


@dataclass(frozen=True)
class Template:
    stem: str
    text: str  # serialized page with MARK_* markers


@dataclass(frozen=True)
class PageSpec:
    index: int
    path: str
    template: str
    title: str
    description: str
    published: datetime
    paragraphs: tuple[str, ...]
    piece_ids: tuple[int, ...]

    @property
    def url(self) -> str:
        return BASE_URL + self.path

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class SiteManifest:
    root: Path
    pages: int
    seed: int
    sitemap_indexes: dict[int, str]  # page count -> site path of its sitemap index
    templates: tuple[str, ...]
    pool_size: int
    max_shared_word_share: float
    max_shingle_overlap: float


# --- text pool -------------------------------------------------------------------


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_paragraphs(path: Path) -> list[str]:
    """The paragraphs of an ``.expected.txt`` file (blank-line separated), whitespace collapsed."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    return [normalize_space(block) for block in blocks if block.strip()]


def split_paragraph(text: str, max_words: int = MAX_PIECE_WORDS) -> list[str]:
    """Cut ``text`` into pieces of at most about ``max_words`` words, preferring clause ends.

    A cut is made after the last word ending in punctuation within the allowed length,
    or at the length itself when there is none.
    """
    words = text.split()
    if len(words) <= max_words:
        return [text]
    pieces_needed = -(-len(words) // max_words)
    target = -(-len(words) // pieces_needed)
    pieces, start = [], 0
    while len(words) - start > max_words:
        window_end = min(start + max_words, len(words))
        cut = next(
            (i + 1 for i in range(window_end - 1, start + target // 2, -1) if CLAUSE_END_RE.search(words[i])),
            start + target,
        )
        pieces.append(" ".join(words[start:cut]))
        start = cut
    pieces.append(" ".join(words[start:]))
    return pieces


def expected_files(directories: Iterable[Path]) -> list[Path]:
    return sorted(path for directory in directories for path in directory.glob("*.expected.txt"))


def paragraph_pool(files: Sequence[Path], max_words: int = MAX_PIECE_WORDS) -> list[str]:
    """Distinct pieces of every paragraph of ``files``, in file order."""
    pool: dict[str, None] = {}
    for path in files:
        for paragraph in read_paragraphs(path):
            for piece in split_paragraph(paragraph, max_words):
                pool.setdefault(piece, None)
    return list(pool)


def vocabulary(texts: Iterable[str]) -> list[str]:
    """Sorted distinct Arabic words of three letters or more: the stuff of unique sentences."""
    return sorted({word for text in texts for word in ARABIC_WORD_RE.findall(text)})


def random_sentence(rng: random.Random, words: Sequence[str], length_range: tuple[int, int]) -> str:
    return " ".join(rng.choices(words, k=rng.randint(*length_range))) + "."


# --- page planning ---------------------------------------------------------------


class PagePlanner:
    """Draws each page's pieces so that no two pages share much text.

    An inverted index (piece -> pages holding it) gives, for a candidate draw, the
    words it shares with every earlier page; a draw over ``max_share`` of the smaller
    page's words is redrawn.
    """

    def __init__(self, pool: Sequence[str], words: Sequence[str], rng: random.Random, max_share: float):
        if len(pool) < PARAGRAPHS_PER_PAGE[1]:
            raise ValueError(f"a pool of {len(pool)} pieces is too small")
        self.pool = pool
        self.words = words
        self.rng = rng
        self.max_share = max_share
        self.piece_words = [len(piece.split()) for piece in pool]
        self.pages_with_piece: dict[int, list[int]] = collections.defaultdict(list)
        self.page_words: list[int] = []
        self.worst_share = 0.0

    def shared_words(self, piece_ids: Sequence[int]) -> collections.Counter:
        shared: collections.Counter = collections.Counter()
        for piece_id in piece_ids:
            for page in self.pages_with_piece[piece_id]:
                shared[page] += self.piece_words[piece_id]
        return shared

    def worst_share_of(self, piece_ids: Sequence[int], total_words: int) -> float:
        shared = self.shared_words(piece_ids)
        return max(
            (words / min(total_words, self.page_words[page]) for page, words in shared.items()),
            default=0.0,
        )

    def draw(self) -> tuple[list[int], list[str]]:
        """The next page's piece ids and unique sentences, registered in the index."""
        for _ in range(MAX_DRAWS_PER_PAGE):
            piece_ids = self.rng.sample(range(len(self.pool)), self.rng.randint(*PARAGRAPHS_PER_PAGE))
            sentences = [
                random_sentence(self.rng, self.words, UNIQUE_SENTENCE_WORDS)
                for _ in range(self.rng.randint(*UNIQUE_SENTENCES_PER_PAGE))
            ]
            total = sum(self.piece_words[i] for i in piece_ids) + sum(len(s.split()) for s in sentences)
            share = self.worst_share_of(piece_ids, total)
            if share <= self.max_share:
                page = len(self.page_words)
                self.page_words.append(total)
                for piece_id in piece_ids:
                    self.pages_with_piece[piece_id].append(page)
                self.worst_share = max(self.worst_share, share)
                return piece_ids, sentences
        raise ValueError(f"no draw within {self.max_share:.0%} shared words after {MAX_DRAWS_PER_PAGE} tries")


def page_path(index: int, published: datetime) -> str:
    return f"/news/{published:%Y/%m/%d}/article-{index:05d}.html"


def page_paragraphs(rng: random.Random, pieces: Sequence[str], sentences: Sequence[str]) -> tuple[str, ...]:
    """The body: a unique sentence as the lead, any other one placed at random among the pieces."""
    body = list(pieces)
    for sentence in sentences[1:]:
        body.insert(rng.randint(1, len(body)), sentence)
    return (sentences[0], *body)


def description_of(paragraphs: Sequence[str]) -> str:
    words = " ".join(paragraphs).split()
    return " ".join(words[:DESCRIPTION_WORDS]) + ("..." if len(words) > DESCRIPTION_WORDS else "")


def plan_pages(count: int, pool: Sequence[str], templates: Sequence[str], seed: int = DEFAULT_SEED) -> list[PageSpec]:
    """``count`` page specs; the first N of them do not depend on ``count``."""
    rng = random.Random(seed)
    words = vocabulary(pool)
    planner = PagePlanner(pool, words, rng, MAX_SHARED_WORD_SHARE)
    specs = []
    for index in range(count):
        piece_ids, sentences = planner.draw()
        paragraphs = page_paragraphs(rng, [pool[i] for i in piece_ids], sentences)
        published = DATE_RANGE_START + timedelta(minutes=rng.randrange(DATE_RANGE_MINUTES))
        title = " ".join(rng.choices(words, k=rng.randint(*TITLE_WORDS)))
        specs.append(
            PageSpec(
                index=index,
                path=page_path(index, published),
                template=templates[index % len(templates)],
                title=title,
                description=description_of(paragraphs),
                published=published,
                paragraphs=paragraphs,
                piece_ids=tuple(piece_ids),
            )
        )
    return specs


# --- similarity check ------------------------------------------------------------


def word_shingles(text: str, size: int = SHINGLE_SIZE) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text)
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def shingle_overlap(a: set, b: set) -> float:
    """The share of the smaller set found in the other one (>= Jaccard)."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


def max_shingle_overlap(specs: Sequence[PageSpec], neighbours: int = 3) -> float:
    """The highest ``shingle_overlap`` between a page and the earlier pages sharing most pieces with it.

    Pages with no piece in common can only share stock phrases, so checking each page
    against its ``neighbours`` closest earlier pages bounds the worst pair without
    comparing all of them.
    """
    pages_with_piece: dict[int, list[int]] = collections.defaultdict(list)
    shingles_of: list[set] = []
    worst = 0.0
    for spec in specs:
        shingles = word_shingles(spec.text)
        shared = collections.Counter(page for piece in spec.piece_ids for page in pages_with_piece[piece])
        for page, _count in shared.most_common(neighbours):
            worst = max(worst, shingle_overlap(shingles, shingles_of[page]))
        shingles_of.append(shingles)
        for piece in spec.piece_ids:
            pages_with_piece[piece].append(spec.index)
    return worst


# --- templates -------------------------------------------------------------------


def meta_key(element) -> str:
    return (element.get("property") or element.get("name") or "").strip().lower()


def visible_text(tree) -> str:
    """The page text outside scripts, styles and comments, whitespace collapsed."""
    tree = copy.deepcopy(tree)
    for element in tree.xpath("//script | //style | //noscript | //comment()"):
        element.drop_tree()
    return normalize_space(tree.text_content())


def paragraph_keys(paragraphs: Sequence[str], length: int = 40) -> list[str]:
    """A prefix of each paragraph: enough to recognize it, short enough to survive markup splits."""
    return [paragraph[:length] for paragraph in paragraphs if len(paragraph) >= 10]


def holds_any(text: str, keys: Sequence[str]) -> bool:
    return any(key in text for key in keys)


def body_container(tree, keys: Sequence[str]):
    """The deepest element whose text holds at least MIN_BODY_COVERAGE of the paragraph keys."""
    needed = MIN_BODY_COVERAGE * len(keys)
    best = None
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        text = normalize_space(element.text_content())
        if sum(key in text for key in keys) >= needed:
            best = element  # document order: later matches are descendants of earlier ones
    if best is None:
        return None
    while best.tag in INLINE_CONTAINER_TAGS and best.getparent() is not None:
        best = best.getparent()
    return best


def is_body_text(text: str | None, keys: Sequence[str]) -> bool:
    text = normalize_space(text or "")
    return bool(ARABIC_WORD_RE.search(text)) and (holds_any(text, keys) or len(text) > 20)


def replace_body(container, keys: Sequence[str]) -> None:
    """Remove the article text from ``container`` and put MARK_BODY where it began.

    Children holding article text go; the rest (figures, ads, "read also" boxes,
    scripts) stays, as it would around any article of the outlet.
    """
    removed_at = None
    if is_body_text(container.text, keys):
        container.text = None
        removed_at = 0
    for position, child in enumerate(list(container)):
        if not isinstance(child.tag, str):
            continue
        if is_body_text(child.tail, keys):
            child.tail = None
        if holds_any(normalize_space(child.text_content()), keys):
            removed_at = container.index(child) if removed_at is None else removed_at
            container.remove(child)
    marker = lxml.html.Element("div")
    marker.text = MARK_BODY
    container.insert(removed_at or 0, marker)


def page_title_element(tree):
    """The document's <title>: the first one outside inline SVG (which has titles of its own).

    Not necessarily in <head>: markup the parser does not allow there moves it to <body>.
    """
    return next((t for t in tree.iter("title") if not any(a.tag == "svg" for a in t.iterancestors())), None)


def headline_element(tree, title_hint: str):
    """The article's <h1>: the one sharing most words with the page title."""
    hint = set(title_hint.split())
    candidates = [(len(hint & set(h1.text_content().split())), h1) for h1 in tree.iter("h1")]
    best = max(candidates, key=lambda pair: pair[0], default=(0, None))
    return best[1] if best[0] > 0 else None


def title_suffix(title: str) -> str:
    """The site name a title ends with, separator included (" - الصباح | Assabah"), or "".

    The longest tail after a " - " or " | " that is still short enough to be a name.
    """
    for match in TITLE_SEPARATOR_RE.finditer(title):
        if len(title[match.start() :].split()) <= MAX_SUFFIX_TOKENS:
            return title[match.start() :]
    return ""


def mark_json_ld(value, original_urls: frozenset[str]):
    """A JSON-LD value with article fields replaced by JSON markers, recursively."""
    if isinstance(value, dict):
        marked = {}
        for key, item in value.items():
            if key in JSON_MARKS and isinstance(item, str):
                marked[key] = JSON_MARKS[key]
            elif key in ("url", "@id", "mainEntityOfPage") and isinstance(item, str) and item in original_urls:
                marked[key] = JSON_URL_MARK
            else:
                marked[key] = mark_json_ld(item, original_urls)
        return marked
    if isinstance(value, list):
        return [mark_json_ld(item, original_urls) for item in value]
    return value


def strip_cdata(text: str) -> str:
    text = text.strip()
    for prefix in ("//<![CDATA[", "<![CDATA["):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    for suffix in ("//]]>", "]]>"):
        if text.rstrip().endswith(suffix):
            text = text.rstrip()[: -len(suffix)]
    return text.strip()


def replace_metadata(tree) -> None:
    """Point title, description, date and URL metadata at the markers."""
    original_urls = set()
    for meta in tree.iter("meta"):
        key = meta_key(meta)
        if key in URL_METAS and meta.get("content"):
            original_urls.add(meta.get("content"))
            meta.set("content", MARK_URL)
        elif key in TITLE_METAS:
            meta.set("content", MARK_TITLE + title_suffix(normalize_space(meta.get("content") or "")))
        elif key in DESCRIPTION_METAS:
            meta.set("content", MARK_DESCRIPTION)
        elif key in DATE_METAS:
            meta.set("content", MARK_DATE)
    for link in list(tree.iter("link")):
        rel = (link.get("rel") or "").strip().lower()
        if rel == "canonical":
            original_urls.add(link.get("href") or "")
            link.set("href", MARK_URL)
        elif rel in DROPPED_LINK_RELS:
            link.drop_tree()
    title = page_title_element(tree)
    if title is not None:
        title.text = MARK_TITLE + title_suffix(normalize_space(title.text_content()))
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(strip_cdata(script.text))
        except ValueError:
            script.drop_tree()  # unreadable: it cannot describe the new page either
            continue
        script.text = json.dumps(mark_json_ld(data, frozenset(original_urls)), ensure_ascii=False)


def prepare_template(html_path: Path, expected_path: Path) -> Template:
    """Turn a saved article page into a ``Template`` with markers for every generated value."""
    paragraphs = read_paragraphs(expected_path)
    keys = paragraph_keys(paragraphs)
    tree = lxml.html.document_fromstring(html_path.read_bytes())
    doctype = tree.getroottree().docinfo.doctype or "<!DOCTYPE html>"
    container = body_container(tree, keys)
    if container is None:
        raise TemplateError(f"{html_path.name}: no element holds the expected paragraphs")
    title_element = page_title_element(tree)
    head_title = normalize_space(title_element.text_content()) if title_element is not None else ""
    og_title = next((m.get("content") or "" for m in tree.iter("meta") if meta_key(m) == "og:title"), "")
    h1 = headline_element(tree, og_title or head_title)
    replace_body(container, keys)
    if h1 is not None:
        for child in list(h1):
            h1.remove(child)
        h1.text = MARK_TITLE
    replace_metadata(tree)
    left = [key for key in keys if key in visible_text(tree)]
    if left:
        raise TemplateError(f"{html_path.name}: {len(left)} expected paragraphs still on the page, e.g. {left[0]!r}")
    text = lxml.html.tostring(tree, encoding="unicode", method="html", doctype=doctype)
    if MARK_BODY not in text:
        raise TemplateError(f"{html_path.name}: the body marker was lost")
    return Template(stem=html_path.stem, text=text)


def find_template_files(stem: str, directories: Sequence[Path]) -> tuple[Path, Path]:
    for directory in directories:
        html_path, expected_path = directory / f"{stem}.html", directory / f"{stem}.expected.txt"
        if html_path.is_file() and expected_path.is_file():
            return html_path, expected_path
    raise TemplateError(f"{stem}: no .html and .expected.txt in {', '.join(map(str, directories))}")


def load_templates(stems: Sequence[str], directories: Sequence[Path]) -> dict[str, Template]:
    return {stem: prepare_template(*find_template_files(stem, directories)) for stem in stems}


def all_template_stems(directories: Sequence[Path]) -> list[str]:
    """Every saved page with an ``.expected.txt`` in ``directories``, by name."""
    return sorted({path.name[: -len(".expected.txt")] for path in expected_files(directories)})


def is_synthetic(html_path: Path) -> bool:
    """Whether the page's .json calls it synthetic: the natural site takes real saved pages only,
    so that pages added to tests/eval_pages do not change what the benchmark measures."""
    info_path = html_path.with_suffix(".json")
    try:
        return json.loads(info_path.read_text(encoding="utf-8")).get("ground_truth_source") == "synthetic"
    except (OSError, ValueError):
        return False


def natural_size_stems(
    directories: Sequence[Path] = (SHARED_EVAL, LOCAL_EVAL), band_kb: tuple[float, float] = NATURAL_SIZE_BAND_KB
) -> tuple[list[str], dict[str, str]]:
    """The templates whose natural page size (the saved page's bytes) lies within ``band_kb``,
    and why each other one was left out."""
    kept, left_out = [], {}
    for stem in all_template_stems(directories):
        html_path, expected_path = find_template_files(stem, directories)
        if is_synthetic(html_path):
            left_out[stem] = "synthetic: modelled on a template, not a saved page"
            continue
        size_kb = html_path.stat().st_size / 1024
        if not band_kb[0] <= size_kb <= band_kb[1]:
            left_out[stem] = f"{size_kb:.0f} kB, outside {band_kb[0]:g}-{band_kb[1]:g} kB"
            continue
        try:
            prepare_template(html_path, expected_path)
        except TemplateError as exc:
            left_out[stem] = str(exc)
            continue
        kept.append(stem)
    return kept, left_out


def size_histogram(sizes: Iterable[int], bin_kb: int = HISTOGRAM_BIN_KB) -> dict[str, int]:
    """Page counts per ``bin_kb`` band of size, as "lo-hi kB" -> count, in size order."""
    counts = collections.Counter(int(size / 1024 // bin_kb) for size in sizes)
    return {f"{b * bin_kb}-{(b + 1) * bin_kb} kB": counts[b] for b in sorted(counts)}


# --- rendering -------------------------------------------------------------------


def body_html(paragraphs: Sequence[str]) -> str:
    return "\n".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in paragraphs)


def json_string_content(value: str) -> str:
    """``value`` as the inside of a JSON string literal that is safe inside <script>."""
    return json.dumps(value, ensure_ascii=False)[1:-1].replace("</", "<\\/")


def page_values(spec: PageSpec) -> dict[str, str]:
    date = spec.published.isoformat()
    return {
        MARK_BODY: body_html(spec.paragraphs),
        MARK_TITLE: html.escape(spec.title),
        MARK_DESCRIPTION: html.escape(spec.description),
        MARK_URL: spec.url,
        MARK_DATE: date,
        "@@BENCH_JSON_TITLE@@": json_string_content(spec.title),
        "@@BENCH_JSON_DESCRIPTION@@": json_string_content(spec.description),
        "@@BENCH_JSON_BODY@@": json_string_content(spec.text),
        "@@BENCH_JSON_DATE@@": date,
        JSON_URL_MARK: spec.url,
    }


def render_page(template: Template, spec: PageSpec) -> str:
    values = page_values(spec)
    return MARK_RE.sub(lambda match: values[match.group(0)], template.text)


# --- site files ------------------------------------------------------------------


def urlset_xml(specs: Sequence[PageSpec]) -> str:
    entries = "".join(
        f"<url><loc>{spec.url}</loc><lastmod>{spec.published.isoformat()}</lastmod></url>\n" for spec in specs
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n"
    )


def sitemap_index_xml(locations: Sequence[str]) -> str:
    entries = "".join(f"<sitemap><loc>{location}</loc></sitemap>\n" for location in locations)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</sitemapindex>\n"
    )


def robots_txt(sitemap_path: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {BASE_URL}{sitemap_path}\n"


def sitemap_files(specs: Sequence[PageSpec], count: int, chunk: int = SITEMAP_CHUNK) -> dict[str, str]:
    """Site path -> content of the sitemap index listing the first ``count`` pages and its parts."""
    folder = f"/sitemaps/n{count}"
    files, parts = {}, []
    for number, start in enumerate(range(0, count, chunk), start=1):
        part = f"{folder}/part-{number:03d}.xml"
        files[part] = urlset_xml(specs[start : min(start + chunk, count)])
        parts.append(BASE_URL + part)
    files[f"{folder}/index.xml"] = sitemap_index_xml(parts)
    return files


def write_file(root: Path, site_path: str, content: str) -> None:
    target = root / site_path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")


def build_site(
    root: Path,
    counts: Sequence[int],
    seed: int = DEFAULT_SEED,
    stems: Sequence[str] = TEMPLATE_STEMS,
    sources: Sequence[Path] = (SHARED_EVAL, LOCAL_EVAL),
) -> tuple[SiteManifest, list[PageSpec]]:
    """Write max(counts) pages, a sitemap index per count and robots.txt under ``root``."""
    pool = paragraph_pool(expected_files(sources))
    templates = load_templates(stems, sources)
    total = max(counts)
    specs = plan_pages(total, pool, list(stems), seed)
    for spec in specs:
        write_file(root, spec.path, render_page(templates[spec.template], spec))
    indexes = {}
    for count in sorted(set(counts)):
        for path, content in sitemap_files(specs, count).items():
            write_file(root, path, content)
        indexes[count] = f"/sitemaps/n{count}/index.xml"
    write_file(root, "/robots.txt", robots_txt(indexes[total]))
    planner_share = max_shared_word_share(specs, pool)
    manifest = SiteManifest(
        root=root,
        pages=total,
        seed=seed,
        sitemap_indexes=indexes,
        templates=tuple(stems),
        pool_size=len(pool),
        max_shared_word_share=planner_share,
        max_shingle_overlap=max_shingle_overlap(specs),
    )
    logger.info("built %d pages from %d templates and %d pieces under %s", total, len(stems), len(pool), root)
    return manifest, specs


def max_shared_word_share(specs: Sequence[PageSpec], pool: Sequence[str]) -> float:
    """The highest share of a page's words found in the pieces it shares with another page."""
    piece_words = [len(piece.split()) for piece in pool]
    pages_with_piece: dict[int, list[int]] = collections.defaultdict(list)
    words_of: list[int] = []
    worst = 0.0
    for spec in specs:
        words = len(spec.text.split())
        shared = collections.Counter()
        for piece in spec.piece_ids:
            for page in pages_with_piece[piece]:
                shared[page] += piece_words[piece]
        for page, count in shared.items():
            worst = max(worst, count / min(words, words_of[page]))
        words_of.append(words)
        for piece in spec.piece_ids:
            pages_with_piece[piece].append(spec.index)
    return worst
