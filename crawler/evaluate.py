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


def ours(page: EvalPage) -> dict:
    url = page.info.get("url") or f"http://example.invalid/{page.name}"
    try:
        return article_from_html(decode_html(page.html), url)
    except NotAnArticle:
        return {}


def bare_trafilatura(page: EvalPage) -> dict:
    text = trafilatura.extract(page.html, include_comments=False) or ""
    return {"text": text}


def score_page(page: EvalPage, result: dict) -> PageScore:
    precision, recall, f1 = precision_recall_f1(result.get("text", ""), page.expected)
    title_ok = date_ok = None
    if page.info.get("title") and "title" in result:
        title_ok = collapse(result.get("title") or "") == collapse(page.info["title"])
    if page.info.get("published") and "published_at" in result:
        date_ok = (result.get("published_at") or "")[:10] == page.info["published"][:10]
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
