"""Extraction quality on saved pages: ours beside bare trafilatura, in one run.

Usage::

    python -m crawler.evaluate DIR [DIR ...]

DIR holds pages in the format of ``shared/eval/arabic-news`` (``NN.html``,
``NN.expected.txt``, ``NN.boilerplate.txt``, ``NN.json``). For each page it
prints word-level precision, recall and F1 against the expected text, the
number of boilerplate strings leaked, and whether title and publication date
match where the page's JSON gives them; then the means for both extractors.
Then the metadata table: for each page whose JSON has ``expected_meta``,
whether our title, publication date, date with time and offset, authors,
agency and section match it, and the accuracy of each field against its target.

Two more tables follow. The markup-robustness table runs every page again under
each change of ``crawler.markup_variants`` (class and id values hashed; labelled
a website; no structured data; sectioning elements and paragraphs written as divs;
all hints at once) and reports F1, leaks and drops per change,
against these targets: no article dropped, F1 within ``MAX_VARIANT_F1_LOSS`` of
the unchanged page, and no leak that bare trafilatura does not also have on the
same changed page. The negatives table runs every page of ``DIR/negatives/``
(pages that hold no article: home, section, tag, search, gallery pages) under
the same changes, and reports whether it gave an item and its drop reason.

Scoring, as the article-extraction benchmarks do it: words are ``\\w+`` runs
after NFKC with Arabic diacritics and tatweel removed, compared as bags
(multiset overlap). A leak is a boilerplate line found in the output after
whitespace is collapsed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import trafilatura

from crawler.agencies import agency_of
from crawler.article import article_from_html
from crawler.dates import parse_timestamp
from crawler.extract import NotAnArticle, decode_html
from crawler.markup_variants import VARIANTS

_DIACRITICS_AND_TATWEEL = re.compile(r"[\u064B-\u065F\u0670\u0640]")
_WORD = re.compile(r"\w+")


def score_words(text: str) -> Counter:
    text = _DIACRITICS_AND_TATWEEL.sub("", unicodedata.normalize("NFKC", text or ""))
    return Counter(_WORD.findall(text))


def precision_recall_f1(got: str, expected: str) -> tuple[float, float, float]:
    got_words, expected_words = score_words(got), score_words(expected)
    overlap = sum((got_words & expected_words).values())
    precision = overlap / sum(got_words.values()) if got_words else 0.0
    recall = overlap / sum(expected_words.values()) if expected_words else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def collapse(text: str) -> str:
    return " ".join((text or "").split())


def leaks(text: str, boilerplate: list[str]) -> list[str]:
    collapsed = collapse(text)
    return [line for line in boilerplate if line and collapse(line) in collapsed]


@dataclass
class PageScore:
    name: str
    precision: float
    recall: float
    f1: float
    leaked: list[str]
    title_ok: bool | None
    date_ok: bool | None


@dataclass
class EvalPage:
    name: str
    html: bytes
    expected: str
    boilerplate: list[str]
    info: dict

    @classmethod
    def load(cls, html_path: Path) -> "EvalPage":
        stem = html_path.with_suffix("")
        info_path = stem.with_suffix(".json")
        boilerplate_path = Path(f"{stem}.boilerplate.txt")
        return cls(
            name=html_path.stem,
            html=html_path.read_bytes(),
            expected=Path(f"{stem}.expected.txt").read_text(encoding="utf-8"),
            boilerplate=[
                line.strip() for line in boilerplate_path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
            if boilerplate_path.exists()
            else [],
            info=json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {},
        )


def find_pages(directory: Path) -> list[EvalPage]:
    return [EvalPage.load(path) for path in sorted(directory.glob("*.html")) if Path(f"{path.with_suffix('')}.expected.txt").exists()]


def page_url(page: EvalPage) -> str:
    return page.info.get("url") or f"http://example.invalid/{page.name}"


def ours_outcome(page: EvalPage, variant: str = "unchanged") -> tuple[dict, str | None]:
    """Our item for the page with its markup changed by ``variant``, or ({}, the drop reason)."""
    try:
        return article_from_html(VARIANTS[variant](decode_html(page.html)), page_url(page)), None
    except NotAnArticle as exc:
        return {}, exc.reason


def ours(page: EvalPage) -> dict:
    return ours_outcome(page)[0]


def bare_trafilatura(page: EvalPage, variant: str = "unchanged") -> dict:
    markup = page.html if variant == "unchanged" else VARIANTS[variant](decode_html(page.html))
    text = trafilatura.extract(markup, include_comments=False) or ""
    return {"text": text}


def score_page(page: EvalPage, result: dict) -> PageScore:
    precision, recall, f1 = precision_recall_f1(result.get("text", ""), page.expected)
    title_ok = date_ok = None
    if page.info.get("title") and "title" in result:
        title_ok = collapse(result.get("title") or "") == collapse(page.info["title"])
    if page.info.get("published") and "published_at" in result:
        date_ok = (result.get("published_at") or result.get("published_date") or "")[:10] == page.info["published"][:10]
    return PageScore(page.name, precision, recall, f1, leaks(result.get("text", ""), page.boilerplate), title_ok, date_ok)


def _mark(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def print_table(label: str, scores: list[PageScore]) -> None:
    print(f"\n{label}")
    print(f"{'page':32} {'P':>6} {'R':>6} {'F1':>6} {'leaks':>5} {'title':>5} {'date':>5}")
    for s in scores:
        print(f"{s.name:32} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {len(s.leaked):5d} {_mark(s.title_ok):>5} {_mark(s.date_ok):>5}")


def means(scores: list[PageScore]) -> dict:
    n = len(scores) or 1
    return {
        "precision": sum(s.precision for s in scores) / n,
        "recall": sum(s.recall for s in scores) / n,
        "f1": sum(s.f1 for s in scores) / n,
        "min_f1": min((s.f1 for s in scores), default=0.0),
        "leaks": sum(len(s.leaked) for s in scores),
        "pages_with_leaks": sum(1 for s in scores if s.leaked),
    }


# --- Markup robustness ----------------------------------------------------------

# The most F1 a page may lose when its markup changes (issue 11's target).
MAX_VARIANT_F1_LOSS = 0.02
CHANGED_VARIANTS = tuple(name for name in VARIANTS if name != "unchanged")


@dataclass
class VariantScore:
    page: str
    variant: str
    score: PageScore
    dropped: str | None
    bare_leaked: list[str]


def variant_scores(pages: list[EvalPage], variants=tuple(VARIANTS)) -> list[VariantScore]:
    rows = []
    for page in pages:
        for variant in variants:
            result, dropped = ours_outcome(page, variant)
            bare = score_page(page, bare_trafilatura(page, variant))
            rows.append(VariantScore(page.name, variant, score_page(page, result), dropped, bare.leaked))
    return rows


def robustness_misses(rows: list[VariantScore]) -> list[str]:
    """Every way the rows miss the targets, one line each (empty: all met)."""
    unchanged = {row.page: row.score.f1 for row in rows if row.variant == "unchanged"}
    misses = []
    for row in rows:
        where = f"{row.page} under {row.variant}"
        if row.dropped:
            misses.append(f"{where}: dropped as {row.dropped}")
            continue
        loss = unchanged.get(row.page, row.score.f1) - row.score.f1
        if loss > MAX_VARIANT_F1_LOSS:
            misses.append(f"{where}: F1 {row.score.f1:.3f}, {loss:.3f} below the unchanged page")
        for leaked in row.score.leaked:
            if leaked not in row.bare_leaked:
                misses.append(f"{where}: leaks {leaked!r}, which bare trafilatura does not")
    return misses


def by_page_and_variant(rows: list) -> tuple[list[str], dict[str, dict]]:
    """The variants in order of appearance, and each page's row per variant."""
    variants = list(dict.fromkeys(row.variant for row in rows))
    by_page: dict[str, dict] = {}
    for row in rows:
        by_page.setdefault(row.page, {})[row.variant] = row
    return variants, by_page


def print_robustness_table(rows: list[VariantScore]) -> list[str]:
    variants, by_page = by_page_and_variant(rows)
    print("\nmarkup robustness: ours, F1/leaks per markup change (DROP: no item)")
    print(f"{'page':32} " + " ".join(f"{variant:>18}" for variant in variants))
    for page, cells in by_page.items():
        shown = []
        for variant in variants:
            row = cells[variant]
            shown.append(f"DROP {row.dropped}"[:18] if row.dropped else f"{row.score.f1:.3f}/{len(row.score.leaked)}")
        print(f"{page:32} " + " ".join(f"{cell:>18}" for cell in shown))
    unchanged = {row.page: row.score.f1 for row in rows if row.variant == "unchanged"}
    print(f"\n{'markup change':20} {'pages':>5} {'kept':>5} {'mean F1':>7} {'worst dF1':>9} {'leaks':>5} {'not in bare':>11} {'bare leaks':>10}")
    for variant in variants:
        selected = [row for row in rows if row.variant == variant]
        kept = [row for row in selected if not row.dropped]
        mean_f1 = sum(row.score.f1 for row in selected) / (len(selected) or 1)
        worst = min((row.score.f1 - unchanged[row.page] for row in selected), default=0.0)
        leaked = sum(len(row.score.leaked) for row in selected)
        not_in_bare = sum(1 for row in selected for leak in row.score.leaked if leak not in row.bare_leaked)
        bare_leaks = sum(len(row.bare_leaked) for row in selected)
        print(f"{variant:20} {len(selected):5d} {len(kept):5d} {mean_f1:7.3f} {worst:+9.3f} {leaked:5d} {not_in_bare:11d} {bare_leaks:10d}")
    misses = robustness_misses(rows)
    print(
        f"targets (no article dropped, F1 within {MAX_VARIANT_F1_LOSS} of the unchanged page, no leak bare trafilatura lacks): "
        + ("met" if not misses else f"MISSED {len(misses)}")
    )
    for miss in misses:
        print(f"  MISSED {miss}")
    return misses


# --- Negatives -------------------------------------------------------------------

# What a negative page without ``expected_drop`` in its JSON is: home, section,
# tag and search pages are listings of other pages' teasers.
DEFAULT_NEGATIVE_REASON = "listing_page"


@dataclass
class NegativePage:
    name: str
    html: bytes
    info: dict

    @property
    def expected_reason(self) -> str:
        return self.info.get("expected_drop") or DEFAULT_NEGATIVE_REASON


def find_negatives(directory: Path) -> list[NegativePage]:
    pages = []
    for path in sorted((directory / "negatives").glob("*.html")):
        info_path = path.with_suffix(".json")
        info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {}
        pages.append(NegativePage(path.stem, path.read_bytes(), info))
    return pages


@dataclass
class NegativeOutcome:
    page: str
    variant: str
    expected: str
    item_words: int | None  # None: no item
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.item_words is None and self.reason == self.expected


def negative_outcomes(pages: list[NegativePage], variants=tuple(VARIANTS)) -> list[NegativeOutcome]:
    outcomes = []
    for page in pages:
        url = page.info.get("page_url") or f"http://example.invalid/{page.name}"
        for variant in variants:
            try:
                item = article_from_html(VARIANTS[variant](decode_html(page.html)), url)
            except NotAnArticle as exc:
                outcomes.append(NegativeOutcome(page.name, variant, page.expected_reason, None, exc.reason))
            else:
                outcomes.append(NegativeOutcome(page.name, variant, page.expected_reason, item["word_count"], None))
    return outcomes


def print_negatives_table(outcomes: list[NegativeOutcome]) -> list[str]:
    variants, by_page = by_page_and_variant(outcomes)
    print("\nnegatives: drop reason per markup change (ITEM: an item came out; * not the expected reason)")
    print(f"{'page':32} {'expected':>16} " + " ".join(f"{variant:>18}" for variant in variants))
    for page, cells in by_page.items():
        shown = []
        for variant in variants:
            outcome = cells[variant]
            if outcome.item_words is not None:
                shown.append(f"ITEM {outcome.item_words} words")
            else:
                shown.append(("" if outcome.ok else "*") + (outcome.reason or ""))
        expected = next(iter(cells.values())).expected
        print(f"{page:32} {expected:>16} " + " ".join(f"{cell:>18}" for cell in shown))
    misses = [
        f"{o.page} under {o.variant}: " + (f"an item of {o.item_words} words" if o.item_words is not None else f"dropped as {o.reason}, not {o.expected}")
        for o in outcomes
        if not o.ok
    ]
    unchanged = [o for o in outcomes if o.variant == "unchanged"]
    print(
        f"negatives: {len(unchanged)} pages, {sum(o.item_words is not None for o in unchanged)} items unchanged, "
        f"{len(misses)} misses over all markup changes"
    )
    for miss in misses:
        print(f"  MISSED {miss}")
    return misses


def evaluate(directories: list[Path], verbose: bool = False) -> tuple[dict, dict]:
    pages = [page for directory in directories for page in find_pages(directory)]
    if not pages:
        raise SystemExit(f"no evaluation pages (NAME.html + NAME.expected.txt) in {', '.join(map(str, directories))}")
    our_scores = [score_page(page, ours(page)) for page in pages]
    bare_scores = [score_page(page, bare_trafilatura(page)) for page in pages]
    print_table("ours (python -m crawler extract)", our_scores)
    print_table("bare trafilatura.extract(html, include_comments=False)", bare_scores)
    if verbose:
        for score in our_scores:
            for leaked in score.leaked:
                print(f"  leak in {score.name}: {leaked}")
    ours_mean, bare_mean = means(our_scores), means(bare_scores)
    print(f"\n{'summary':28} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'min F1':>6} {'leaks':>5}")
    for label, m in (("ours", ours_mean), ("bare trafilatura", bare_mean)):
        print(f"{label:28} {len(pages):5d} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['min_f1']:6.3f} {m['leaks']:5d}")
    print_robustness_table(variant_scores(pages))
    negatives = [page for directory in directories for page in find_negatives(directory)]
    if negatives:
        print_negatives_table(negative_outcomes(negatives))
    print_metadata_table(metadata_scores(pages))
    return ours_mean, bare_mean


# --- metadata ----------------------------------------------------------------

META_FIELDS = ("title", "date", "date+time+offset", "authors", "agency", "section")
# The targets, in percent of the pages with labels.
META_TARGETS = {"title": 100.0, "date": 100.0, "authors": 100.0, "agency": 95.0, "section": 95.0}
_HIDDEN = re.compile("[\u200b-\u200f\u061c\u202a-\u202e\u2060\u2066-\u2069\ufeff\u00ad]")


def comparable_text(text: str | None) -> str:
    """Text as displayed, compared: NFKC, invisible marks and spacing ignored, tatweel kept."""
    return " ".join(_HIDDEN.sub("", unicodedata.normalize("NFKC", text or "")).split())


def canonical_agency(name: str | None) -> str | None:
    return (agency_of(name) or comparable_text(name)) if name else None


def expected_instant(stated: dict) -> datetime | None:
    if not stated.get("time") or not stated.get("utc_offset"):
        return None
    return datetime.fromisoformat(f"{stated['date']}T{stated['time']}{stated['utc_offset']}")


def date_and_time_match(expected: dict | None, result: dict) -> bool:
    """Date, time and offset, each exactly as precise as the page states it."""
    if not expected:
        return result.get("published_date") is None
    if result.get("published_date") != expected["date"]:
        return False
    if expected.get("time") is None:
        return result.get("published_time") is None and result.get("published_at") is None
    if expected.get("utc_offset") is None:
        return (result.get("published_time") or "")[:5] == expected["time"][:5] and result.get("published_at") is None
    ours_at = parse_timestamp(result.get("published_at"))
    return ours_at is not None and ours_at.replace(second=0) == expected_instant(expected)


def metadata_marks(expected: dict, result: dict) -> dict[str, bool]:
    published = expected.get("published")
    return {
        "title": comparable_text(result.get("title")) == comparable_text(expected.get("title")),
        "date": result.get("published_date") == (published or {}).get("date"),
        "date+time+offset": date_and_time_match(published, result),
        "authors": sorted(map(comparable_text, result.get("authors") or [])) == sorted(map(comparable_text, expected.get("authors") or [])),
        "agency": canonical_agency(result.get("agency")) == canonical_agency(expected.get("agency")),
        "section": comparable_text(result.get("section")) == comparable_text(expected.get("section")),
    }


def metadata_scores(pages: list[EvalPage]) -> list[tuple[str, dict[str, bool]]]:
    return [(page.name, metadata_marks(page.info["expected_meta"], ours(page))) for page in pages if page.info.get("expected_meta")]


def metadata_accuracy(scores: list[tuple[str, dict[str, bool]]]) -> dict[str, float]:
    n = len(scores) or 1
    return {field: 100.0 * sum(marks[field] for _, marks in scores) / n for field in META_FIELDS}


def print_metadata_table(scores: list[tuple[str, dict[str, bool]]]) -> dict[str, float]:
    widths = [max(len(field), 5) for field in META_FIELDS]
    print("\nmetadata (ours against expected_meta)")
    print(f"{'page':32} " + " ".join(f"{field:>{width}}" for field, width in zip(META_FIELDS, widths)))
    for name, marks in scores:
        print(f"{name:32} " + " ".join(f"{_mark(marks[field]):>{width}}" for field, width in zip(META_FIELDS, widths)))
    accuracy = metadata_accuracy(scores)
    print(f"{f'accuracy ({len(scores)} pages)':32} " + " ".join(f"{accuracy[field]:>{width - 1}.1f}%" for field, width in zip(META_FIELDS, widths)))
    targets = [f"{META_TARGETS[field]:.0f}%" if field in META_TARGETS else "-" for field in META_FIELDS]
    print(f"{'target':32} " + " ".join(f"{target:>{width}}" for target, width in zip(targets, widths)))
    verdicts = [
        "-" if field not in META_TARGETS else "met" if accuracy[field] >= META_TARGETS[field] else "MISSED"
        for field in META_FIELDS
    ]
    print(f"{'':32} " + " ".join(f"{verdict:>{width}}" for verdict, width in zip(verdicts, widths)))
    return accuracy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("directories", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every leaked string")
    args = parser.parse_args(argv)
    evaluate(args.directories, verbose=args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
