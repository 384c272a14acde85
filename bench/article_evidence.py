"""Measure the evidence behind the article/non-article decision (``crawler.article_detection``).

Run from the repository root::

    python -m bench.article_evidence [--bench-pages N] [--lines]

Pages: the evaluation pages (``shared/eval/arabic-news``, ``tests/eval_pages``), their
negatives (``negatives/``: home, section, gallery pages), every page of the sample site
(``crawler/sample_site``, articles and listings) and N pages of the benchmark site
(``bench/sitegen.py``, built in a temporary folder). Each page runs unchanged and under
every change of ``crawler.markup_variants``.

For each page and change it prints the verdict and what it rests on: body words, prose
words, the share of the body in link and teaser lines, the teasers counted, the longest
prose line and the page's teaser cards with a snippet. Then, per kind of page (article or
not), the range of each measure, which is what the thresholds must separate:

- headline links on pages whose headline does not lead prose of their own:
  LISTING_MIN_HEADLINE_LINKS at or below every such non-article's;
- teaser share: LISTING_TEASER_SHARE (+/- LABEL_SHIFT) must lie between the articles'
  highest and the listings' lowest;
- longest prose line: RUNNING_PROSE_MIN_WORDS below every article's;
- snippet cards: LISTING_MIN_SNIPPET_CARDS above every article's;
- F1 of the kept text against the expected text (evaluation pages, sample-site articles,
  benchmark pages), so the line rules are seen to keep every story whole;
- per body line (``--lines`` lists them): the link density of its block
  (LINK_LINE_MIN_DENSITY) and the other words of the smallest element around it that
  holds a headline link (``crawler.page_blocks.CARD_MAX_OTHER_WORDS``), for the prose
  lines of articles and the teaser lines of the other pages.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crawler import article_detection as detection  # noqa: E402
from crawler import extract  # noqa: E402
from crawler import page_blocks  # noqa: E402
from crawler.evaluate import precision_recall_f1  # noqa: E402
from crawler.extract import NotAnArticle, decode_html  # noqa: E402
from crawler.markup_variants import VARIANTS  # noqa: E402

SHARED_EVAL = REPO.parent / "shared" / "eval" / "arabic-news"
LOCAL_EVAL = REPO / "tests" / "eval_pages"
SAMPLE_SITE = REPO / "crawler" / "sample_site"


@dataclass
class Page:
    group: str
    name: str
    is_article: bool
    html: bytes
    url: str
    expected: str | None = None  # the article's text, where it is known


def evaluation_pages() -> list[Page]:
    pages = []
    for directory in (SHARED_EVAL, LOCAL_EVAL):
        for path in sorted(directory.glob("*.html")):
            info_path = path.with_suffix(".json")
            info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {}
            expected = Path(f"{path.with_suffix('')}.expected.txt").read_text(encoding="utf-8")
            url = info.get("url") or f"http://example.invalid/{path.stem}"
            pages.append(Page("eval", path.stem, True, path.read_bytes(), url, expected))
        for path in sorted((directory / "negatives").glob("*.html")):
            pages.append(Page("negative", path.stem, False, path.read_bytes(), f"http://example.invalid/{path.stem}"))
    return pages


def sample_site_pages() -> list[Page]:
    expected = json.loads((SAMPLE_SITE / "_expected.json").read_text(encoding="utf-8"))
    pages = []
    for path, info in expected.items():
        file = SAMPLE_SITE / ("index.html" if path == "/" else path.lstrip("/"))
        # Non-Arabic articles are articles here: the language stage drops them later.
        is_article = info["kind"] != "listing"
        pages.append(Page("sample", path, is_article, file.read_bytes(), f"http://127.0.0.1:8000{path}", info.get("text")))
    return pages


def bench_site_pages(count: int, root: Path) -> list[Page]:
    from bench.sitegen import build_site

    _, specs = build_site(root, [count])
    return [
        Page("bench", spec.path, True, (root / spec.path.lstrip("/")).read_bytes(), f"http://127.0.0.1:8000{spec.path}", spec.text)
        for spec in specs
    ]


@dataclass
class Measure:
    page: Page
    variant: str
    verdict: str  # "article" or the drop reason
    evidence: detection.BodyEvidence | None
    snippet_cards: int
    headline_links: int
    story_page: bool  # the page's headline leads prose of its own
    line_stats: list[tuple[str, float, int | None, str]]  # kind, link density, other words to a headline link, text
    f1: float | None  # of the kept text against the expected one, where known


def other_words_to_headline_link(blocks: page_blocks.PageBlocks, block) -> int | None:
    """The non-link words besides the line in the smallest element around it holding a headline link."""
    own = blocks.words[block] - blocks.link_words[block]
    for ancestor in block.iterancestors():
        if blocks.headline_links[ancestor] > blocks.headline_links[block]:
            return max(0, blocks.words[ancestor] - blocks.link_words[ancestor] - own)
    return None


def measure(page: Page, variant: str) -> Measure:
    """The page through ``extract_article``, with the evidence of the body that was judged last."""
    seen: dict = {}
    real_judge, real_classify = extract.judge_body, extract.classify_lines

    def judge(evidence, min_words, blocks=None):
        seen["evidence"], seen["blocks"] = evidence, blocks
        return real_judge(evidence, min_words, blocks)

    def classify(lines, blocks):
        classified = real_classify(lines, blocks)
        stats = []
        blocks._next_leaf = 0
        for line in classified:
            block = blocks.locate(line.text)
            if block is None:
                stats.append((line.kind, 0.0, None, line.text))
            else:
                stats.append((line.kind, blocks.link_density(block), other_words_to_headline_link(blocks, block), line.text))
        seen["lines"] = stats
        return classified

    extract.judge_body, extract.classify_lines = judge, classify
    f1 = None
    try:
        item = extract.extract_article(VARIANTS[variant](decode_html(page.html)), page.url)
        verdict = "article"
        if page.expected is not None:
            f1 = precision_recall_f1(item["text"], page.expected)[2]
    except NotAnArticle as exc:
        verdict = exc.reason
    finally:
        extract.judge_body, extract.classify_lines = real_judge, real_classify
    blocks = seen.get("blocks")
    return Measure(
        page,
        variant,
        verdict,
        seen.get("evidence"),
        blocks.snippet_cards() if blocks else 0,
        blocks.headline_link_count() if blocks else 0,
        blocks.headline_leads_prose() if blocks else False,
        seen.get("lines", []),
        f1,
    )


def print_measures(measures: list[Measure], show_lines: bool) -> None:
    print(f"{'kind':8} {'page':34} {'markup change':18} {'verdict':16} {'words':>5} {'prose':>5} {'share':>5} {'teasers':>7} {'longest':>7} {'cards':>5} {'hlinks':>6} {'story':>5}")
    for m in measures:
        e = m.evidence
        kind = "article" if m.page.is_article else "not"
        name = f"{m.page.group}:{m.page.name}"[-34:]
        if e is None:
            print(f"{kind:8} {name:34} {m.variant:18} {m.verdict:16}")
            continue
        flag = "" if (m.verdict == "article") == m.page.is_article else "  <-- WRONG"
        print(
            f"{kind:8} {name:34} {m.variant:18} {m.verdict:16} {e.words:5d} {e.prose_words:5d} {e.teaser_share:5.2f} "
            f"{e.teasers:7d} {e.longest_prose_line:7d} {m.snippet_cards:5d} {m.headline_links:6d} {m.story_page!s:>5}{flag}"
        )
        if show_lines:
            for line_kind, density, other, text in m.line_stats:
                print(f"      {line_kind:6} density {density:4.2f} other {'-' if other is None else other:>4}  {text[:70]}")


def summarize(measures: list[Measure]) -> None:
    def span(values: list[float]) -> str:
        return f"{min(values):.2f} to {max(values):.2f}" if values else "none"

    print("\nranges per kind of page (every markup change)")
    for is_article in (True, False):
        selected = [m for m in measures if m.page.is_article is is_article and m.evidence is not None]
        label = "articles" if is_article else "not articles"
        shares = [m.evidence.teaser_share for m in selected]
        longest = [float(m.evidence.longest_prose_line) for m in selected]
        cards = [float(m.snippet_cards) for m in selected]
        headline_links = [float(m.headline_links) for m in selected if not m.story_page]
        story_pages = sum(m.story_page for m in selected)
        prose_density = [d for m in selected for kind, d, _, _ in m.line_stats if kind == detection.PROSE]
        teaser_density = [d for m in selected for kind, d, _, _ in m.line_stats if kind == detection.LINK]
        wanted = detection.PROSE if is_article else detection.TEASER
        other = [float(o) for m in selected for kind, _, o, _ in m.line_stats if o is not None and kind == wanted]
        print(f"  {label}: {len(selected)} page runs")
        print(f"    teaser share of the body          {span(shares)}")
        print(f"    longest prose line (words)        {span(longest)}")
        print(f"    teaser cards with a snippet       {span(cards)}")
        print(f"    headline links, no story headline {span(headline_links)}")
        print(f"    story pages (headline leads prose) {story_pages}")
        print(f"    link density, prose lines         {span(prose_density)}")
        print(f"    link density, link lines          {span(teaser_density)}")
        print(f"    other words around a headline link, {wanted} lines  {span(other)}")
    print("\nF1 of the kept text, where the expected text is known")
    for group in dict.fromkeys(m.page.group for m in measures):
        scored = [m for m in measures if m.page.group == group and m.f1 is not None]
        if scored:
            worst = min(scored, key=lambda m: m.f1)
            mean = sum(m.f1 for m in scored) / len(scored)
            print(f"  {group:8} {len(scored):4d} page runs  mean {mean:.3f}  min {worst.f1:.3f} ({worst.page.name} under {worst.variant})")
    wrong = [m for m in measures if (m.verdict == "article") != m.page.is_article]
    print(f"\nwrong verdicts: {len(wrong)} of {len(measures)}")
    for m in wrong:
        print(f"  {m.page.group}:{m.page.name} under {m.variant}: {m.verdict}")
    print(
        "thresholds: "
        f"LISTING_TEASER_SHARE {detection.LISTING_TEASER_SHARE} +/- {detection.LABEL_SHIFT}, "
        f"RUNNING_PROSE_MIN_WORDS {detection.RUNNING_PROSE_MIN_WORDS}, "
        f"LISTING_MIN_SNIPPET_CARDS {detection.LISTING_MIN_SNIPPET_CARDS}, "
        f"LISTING_MIN_HEADLINE_LINKS {detection.LISTING_MIN_HEADLINE_LINKS}, "
        f"LINK_LINE_MIN_DENSITY {detection.LINK_LINE_MIN_DENSITY}, "
        f"CARD_MAX_OTHER_WORDS {page_blocks.CARD_MAX_OTHER_WORDS}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.article_evidence", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-pages", type=int, default=40, help="pages of the benchmark site to include (default 40)")
    parser.add_argument("--lines", action="store_true", help="list every body line with its measures")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        pages = evaluation_pages() + sample_site_pages() + (bench_site_pages(args.bench_pages, Path(folder)) if args.bench_pages else [])
        measures = [measure(page, variant) for page in pages for variant in VARIANTS]
    print_measures(measures, args.lines)
    summarize(measures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
