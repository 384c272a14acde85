"""When a source is unhealthy: the rules of ``python -m crawler report``.

Each rule compares the source's last K runs (``--dark-runs``, default 3), ``recent``, with
its earlier runs in the report's window, ``history``: a source is judged against its own
past, since outlets differ far more from each other than a working outlet does from one
day to the next. A rule with too little data to go on says nothing.

- ``dark``: no article in any of its last K runs, though it gave some before (in the
  window or, by ``last_success``, any time earlier);
- ``blocked``: most of its requests in the last K runs got 401/403/429/451;
- ``pattern``: its discovered URLs stopped matching its article patterns;
- ``word_count``: its median word count fell sharply, the mark of a template change that
  cuts the text;
- ``coverage``: the share of its items with a date, authors, an image or a section fell
  sharply, the mark of a template change that moves the metadata;
- ``schema``: items of its last K runs failed the item JSON Schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from crawler.health.item_checks import COVERAGE_FIELDS
from crawler.health.runs import BLOCKING_ERRORS, SourceRun

DEFAULT_DARK_RUNS = 3
# "Most of its requests": over half of those of the last K runs.
BLOCKED_SHARE = 0.5
# The share of discovered URLs that match the patterns, recent against history: below half
# of what it was, the patterns have lost the site's URL shape. Both sides need this many
# URLs tested, or one odd sitemap would decide.
PATTERN_SHARE_DROP = 0.5
MIN_PATTERN_URLS = 10
# A median word count at 60 % of the usual or less: day-to-day swings of a working outlet
# stay within about 20 %, a template that loses the body's second half does not.
WORD_COUNT_DROP = 0.6
# A coverage share 30 points lower than usual (say 90 % of items with authors, now 60 %).
COVERAGE_DROP = 0.3
# Items needed on each side before medians and shares are compared.
MIN_HISTORY_ITEMS = 10
MIN_RECENT_ITEMS = 5

FLAG_KINDS = ("dark", "blocked", "pattern", "word_count", "coverage", "schema")


@dataclass(frozen=True)
class Flag:
    kind: str
    message: str


def weighted_median(pairs: Sequence[tuple[float, int]]) -> float | None:
    """The median of values given with weights (here: run medians and their item counts)."""
    pairs = sorted((value, weight) for value, weight in pairs if weight > 0)
    total = sum(weight for _value, weight in pairs)
    if not total:
        return None
    running = 0
    for value, weight in pairs:
        running += weight
        if running * 2 >= total:
            return value
    return pairs[-1][0]


def median_words(runs: Sequence[SourceRun]) -> tuple[float | None, int]:
    """(median word count, items it rests on) over runs that recorded one."""
    pairs = [(run.word_count_median, run.items_checked) for run in runs if run.word_count_median is not None]
    return weighted_median(pairs), sum(weight for _value, weight in pairs)


def coverage(runs: Sequence[SourceRun]) -> tuple[dict[str, float | None], int]:
    """(share of checked items having each coverage field, items checked) over the runs."""
    measured = [run for run in runs if run.items is not None and run.items_checked]
    checked = sum(run.items_checked for run in measured)
    shares = {
        name: (sum(run.item_count(f"with_{name}") for run in measured) / checked if checked else None)
        for name in COVERAGE_FIELDS
    }
    return shares, checked


def pattern_counts(runs: Sequence[SourceRun]) -> tuple[int, int]:
    """(URLs that matched the article patterns, URLs tested) over runs that recorded them."""
    matched = tested = 0
    for run in runs:
        if run.discovery is None:
            continue
        hits = run.discovery.get("article_urls", 0)
        misses = run.discovery.get("skipped_not_article", 0) + run.discovery.get("listing_links_other", 0)
        matched += hits
        tested += hits + misses
    return matched, tested


def dark_flag(recent: Sequence[SourceRun], history: Sequence[SourceRun], dark_runs: int,
              last_success: datetime | None) -> Flag | None:
    if len(recent) < dark_runs or any(run.articles for run in recent):
        return None
    before = sum(run.articles for run in history)
    if before:
        return Flag("dark", f"no articles in its last {dark_runs} runs; it gave {before} in the {len(history)} runs before")
    if last_success is not None and last_success < recent[0].started:
        return Flag("dark", f"no articles in its last {dark_runs} runs; the last came on {last_success:%Y-%m-%d %H:%M} UTC")
    return None


def blocked_flag(recent: Sequence[SourceRun]) -> Flag | None:
    requests = sum(run.requests for run in recent)
    blocked = sum(run.blocked for run in recent)
    if not requests or blocked / requests <= BLOCKED_SHARE:
        return None
    statuses = {}
    for run in recent:
        for reason, count in run.errors.items():
            if reason in BLOCKING_ERRORS:
                statuses[reason] = statuses.get(reason, 0) + count
    listed = ", ".join(f"{reason.removeprefix('http_')}: {count}" for reason, count in sorted(statuses.items()))
    return Flag("blocked", f"{blocked / requests:.0%} of its {requests} requests in the last {len(recent)} runs were refused ({listed})")


def pattern_flag(recent: Sequence[SourceRun], history: Sequence[SourceRun]) -> Flag | None:
    recent_matched, recent_tested = pattern_counts(recent)
    past_matched, past_tested = pattern_counts(history)
    if recent_tested < MIN_PATTERN_URLS or past_tested < MIN_PATTERN_URLS or not past_matched:
        return None
    recent_share, past_share = recent_matched / recent_tested, past_matched / past_tested
    if recent_share >= past_share * PATTERN_SHARE_DROP:
        return None
    return Flag(
        "pattern",
        f"{recent_share:.0%} of the URLs it discovered in the last {len(recent)} runs match its article patterns,"
        f" against {past_share:.0%} before ({recent_matched} of {recent_tested})",
    )


def word_count_flag(recent: Sequence[SourceRun], history: Sequence[SourceRun]) -> Flag | None:
    recent_median, recent_items = median_words(recent)
    past_median, past_items = median_words(history)
    if recent_median is None or past_median is None or recent_items < MIN_RECENT_ITEMS or past_items < MIN_HISTORY_ITEMS:
        return None
    if recent_median > past_median * WORD_COUNT_DROP:
        return None
    return Flag(
        "word_count",
        f"median word count {recent_median:.0f} in the last {len(recent)} runs, against {past_median:.0f} before"
        " (a template change?)",
    )


def coverage_flag(recent: Sequence[SourceRun], history: Sequence[SourceRun]) -> Flag | None:
    recent_shares, recent_items = coverage(recent)
    past_shares, past_items = coverage(history)
    if recent_items < MIN_RECENT_ITEMS or past_items < MIN_HISTORY_ITEMS:
        return None
    fallen = [
        f"{name} {past_shares[name]:.0%} -> {recent_shares[name]:.0%}"
        for name in COVERAGE_FIELDS
        if past_shares[name] is not None and recent_shares[name] is not None
        # rounded: 0.7 - 0.4 is 0.29999999999999993, and 30 points is 30 points
        and round(past_shares[name] - recent_shares[name], 9) >= COVERAGE_DROP
    ]
    if not fallen:
        return None
    return Flag("coverage", f"fewer items have {', '.join(fallen)} in the last {len(recent)} runs (a template change?)")


def schema_flag(recent: Sequence[SourceRun]) -> Flag | None:
    invalid = sum(run.item_count("schema_invalid") for run in recent)
    if not invalid:
        return None
    checked = sum(run.items_checked for run in recent)
    fields: dict[str, int] = {}
    for run in recent:
        for name, count in ((run.items or {}).get("schema_errors") or {}).items():
            fields[name] = fields.get(name, 0) + (count if isinstance(count, int) else 0)
    listed = ", ".join(f"{name}: {count}" for name, count in sorted(fields.items()))
    return Flag("schema", f"{invalid} of {checked} items of the last {len(recent)} runs fail the item schema ({listed})")


def source_flags(runs: Sequence[SourceRun], dark_runs: int, last_success: datetime | None) -> list[Flag]:
    """Every rule that fires for a source whose runs (oldest first) are ``runs``."""
    recent, history = list(runs[-dark_runs:]), list(runs[:-dark_runs])
    candidates = (
        dark_flag(recent, history, dark_runs, last_success),
        blocked_flag(recent),
        pattern_flag(recent, history),
        word_count_flag(recent, history),
        coverage_flag(recent, history),
        schema_flag(recent),
    )
    return [flag for flag in candidates if flag is not None]
