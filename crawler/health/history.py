"""Each source's health over the report's window: what the report shows, and its flags."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crawler.health.flags import DEFAULT_DARK_RUNS, Flag, coverage, median_words, pattern_counts, source_flags
from crawler.health.runs import BLOCKING_ERRORS, Run, RunLog, SourceRun


@dataclass
class SourceHealth:
    name: str
    runs: list[SourceRun]  # the runs that crawled it, oldest first
    last_success: datetime | None  # start of the newest run that gave it articles, any time
    flags: list[Flag] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.flags

    @property
    def articles(self) -> int:
        return sum(run.articles for run in self.runs)

    def articles_per_day(self) -> dict[date, int]:
        days: Counter = Counter()
        for run in self.runs:
            days[run.started.date()] += run.articles
        return dict(sorted(days.items()))

    @property
    def dropped(self) -> Counter:
        return sum((Counter(run.dropped) for run in self.runs), Counter())

    @property
    def errors(self) -> Counter:
        return sum((Counter(run.errors) for run in self.runs), Counter())

    @property
    def blocked(self) -> int:
        return sum(run.blocked for run in self.runs)

    @property
    def requests(self) -> int:
        return sum(run.requests for run in self.runs)

    @property
    def documents(self) -> int | None:
        counted = [run.documents for run in self.runs if run.documents is not None]
        return sum(counted) if counted else None

    @property
    def coverage(self) -> dict[str, float | None]:
        return coverage(self.runs)[0]

    @property
    def items_checked(self) -> int:
        return coverage(self.runs)[1]

    @property
    def word_count_median(self) -> float | None:
        return median_words(self.runs)[0]

    @property
    def near_duplicate_rate(self) -> float | None:
        near = sum(run.duplicates + run.dropped.get("duplicate_near", 0) for run in self.runs)
        written = sum(run.articles + run.dropped.get("duplicate_near", 0) for run in self.runs)
        return near / written if written else None

    @property
    def schema_invalid(self) -> int | None:
        measured = [run for run in self.runs if run.items is not None]
        return sum(run.item_count("schema_invalid") for run in measured) if measured else None

    @property
    def pattern_share(self) -> float | None:
        matched, tested = pattern_counts(self.runs)
        return matched / tested if tested else None

    def blocking_errors(self) -> dict[str, int]:
        return {reason: count for reason, count in self.errors.items() if reason in BLOCKING_ERRORS}


@dataclass
class Report:
    output_dir: Path
    generated_at: datetime
    days: int
    dark_runs: int
    since: datetime
    runs: list[Run]
    sources: list[SourceHealth]
    skipped_manifests: int = 0

    @property
    def unhealthy(self) -> list[SourceHealth]:
        return [source for source in self.sources if not source.healthy]

    @property
    def days_covered(self) -> float:
        """Days from the first run in the window to now (at least one): the "per day" divisor."""
        if not self.runs:
            return float(self.days)
        return max((self.generated_at - self.runs[0].started).total_seconds() / 86400, 1.0)

    @property
    def unfinished_runs(self) -> list[Run]:
        return [run for run in self.runs if run.finish_reason not in (None, "finished")]

    @property
    def ok(self) -> bool:
        """What the exit status says: runs happened and no source is unhealthy."""
        return bool(self.runs) and not self.unhealthy


def last_successes(log: RunLog, names: Sequence[str], window: Sequence[Run], before: datetime) -> dict[str, datetime | None]:
    """For each source, the start of the newest run that gave it articles: in the window, else earlier."""
    found: dict[str, datetime | None] = {name: None for name in names}
    for run in reversed(window):
        for name in names:
            source = run.sources.get(name)
            if found[name] is None and source is not None and source.articles:
                found[name] = run.started
    missing = {name for name, when in found.items() if when is None}
    if missing:
        for run in log.newest_first_before(before):
            for name in list(missing):
                source = run.sources.get(name)
                if source is not None and source.articles:
                    found[name] = run.started
                    missing.discard(name)
            if not missing:
                break
    return found


def build_report(output_dir: Path, days: int, dark_runs: int = DEFAULT_DARK_RUNS, now: datetime | None = None) -> Report:
    """Read OUTPUT_DIR's manifests of the last ``days`` days and judge every source in them."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    since = now - timedelta(days=days)
    log = RunLog.of(output_dir)
    window = log.runs_since(since)
    names = list(dict.fromkeys(name for run in window for name in run.source_names()))
    successes = last_successes(log, names, window, since)
    sources = []
    for name in names:
        runs = [run.sources.get(name) or empty_source_run(run) for run in window if run.crawled_source(name)]
        health = SourceHealth(name=name, runs=runs, last_success=successes[name])
        health.flags = source_flags(runs, dark_runs, health.last_success)
        sources.append(health)
    sources.sort(key=lambda source: (source.healthy, source.name))
    return Report(output_dir, now, days, dark_runs, since, window, sources, log.skipped)


def empty_source_run(run: Run) -> SourceRun:
    """A source the run crawled that left no counter at all."""
    return SourceRun(run.run_id, run.started, 0, 0, 0, {}, {}, {}, {})
