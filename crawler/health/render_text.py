"""The report for the terminal (and for the mail cron sends) and as JSON."""

from __future__ import annotations

from crawler.health.history import Report, SourceHealth
from crawler.health.item_checks import COVERAGE_FIELDS
from crawler.health.runs import BLOCKING_ERRORS
from crawler.health.tables import format_table, percent


def when(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "never"


def status_of(source: SourceHealth) -> str:
    return "ok" if source.healthy else "UNHEALTHY: " + ", ".join(flag.kind for flag in source.flags)


def number(value, digits: int = 0) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def render_text(report: Report) -> str:
    lines = [headline(report), ""]
    if not report.runs:
        lines.append(f"No run manifests in the last {report.days} days under {report.output_dir}: is the cron job running?")
        return "\n".join(lines)
    days = report.days_covered
    header = ("SOURCE", "RUNS", "ARTICLES", "LAST RUN", "PER DAY", "DOCS", "BLOCKED", "DATE", "AUTHORS", "IMAGE",
              "SECTION", "WORDS", "NEAR-DUP", "INVALID", "LAST SUCCESS", "STATUS")
    rows = []
    for source in report.sources:
        shares = source.coverage
        blocked_share = source.blocked / source.requests if source.requests else None
        rows.append((
            source.name, len(source.runs), source.articles, source.runs[-1].articles if source.runs else "-",
            number(source.articles / days, 1),
            number(source.documents), percent(blocked_share),
            *(percent(shares[name]) for name in COVERAGE_FIELDS),
            number(source.word_count_median), percent(source.near_duplicate_rate),
            number(source.schema_invalid), when(source.last_success), status_of(source),
        ))
    lines.append(format_table(header, rows))
    if report.unhealthy:
        lines += ["", f"Unhealthy sources ({len(report.unhealthy)}):"]
        lines += [f"  {source.name}: {flag.kind}: {flag.message}" for source in report.unhealthy for flag in source.flags]
    else:
        lines += ["", "Every source is healthy."]
    dropped = [(s.name, s.dropped) for s in report.sources if s.dropped]
    if dropped:
        lines += ["", "Drops by reason:"]
        lines += [f"  {name}: " + ", ".join(f"{reason} {count}" for reason, count in counts.most_common()) for name, counts in dropped]
    errors = [(s.name, s.errors) for s in report.sources if s.errors]
    if errors:
        lines += ["", "Request errors (* = the site refuses us):"]
        lines += [
            f"  {name}: " + ", ".join(f"{reason}{'*' if reason in BLOCKING_ERRORS else ''} {count}" for reason, count in counts.most_common())
            for name, counts in errors
        ]
    if report.unfinished_runs:
        lines += ["", "Runs that did not finish normally:"]
        lines += [f"  {run.run_id}: {run.finish_reason}" for run in report.unfinished_runs]
    if report.skipped_manifests:
        lines += ["", f"{report.skipped_manifests} unreadable manifest(s) skipped."]
    return "\n".join(lines)


def headline(report: Report) -> str:
    span = ""
    if report.runs:
        span = f": {len(report.runs)} runs from {when(report.runs[0].started)} to {when(report.runs[-1].started)} UTC"
    return (
        f"Source health of {report.output_dir}, last {report.days} days{span};"
        f" dark after {report.dark_runs} runs without articles"
    )


def report_as_json(report: Report) -> dict:
    return {
        "output_dir": str(report.output_dir),
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "days": report.days,
        "dark_runs": report.dark_runs,
        "since": report.since.isoformat(timespec="seconds"),
        "ok": report.ok,
        "runs": [
            {"run_id": run.run_id, "started_at": run.started.isoformat(), "finish_reason": run.finish_reason}
            for run in report.runs
        ],
        "skipped_manifests": report.skipped_manifests,
        "unhealthy": [source.name for source in report.unhealthy],
        "sources": [source_as_json(source) for source in report.sources],
    }


def source_as_json(source: SourceHealth) -> dict:
    return {
        "name": source.name,
        "healthy": source.healthy,
        "flags": [{"kind": flag.kind, "message": flag.message} for flag in source.flags],
        "runs": len(source.runs),
        "articles": source.articles,
        "articles_per_day": {day.isoformat(): count for day, count in source.articles_per_day().items()},
        "dropped": dict(source.dropped.most_common()),
        "errors": dict(source.errors.most_common()),
        "blocking_errors": source.blocking_errors(),
        "requests": source.requests,
        "discovery_documents": source.documents,
        "coverage": source.coverage,
        "items_checked": source.items_checked,
        "word_count_median": source.word_count_median,
        "near_duplicate_rate": source.near_duplicate_rate,
        "schema_invalid": source.schema_invalid,
        "article_pattern_share": source.pattern_share,
        "last_success": source.last_success.isoformat() if source.last_success else None,
        "per_run": [
            {
                "run_id": run.run_id,
                "started_at": run.started.isoformat(),
                "articles": run.articles,
                "pages_fetched": run.pages,
                "requests": run.requests,
                "blocked": run.blocked,
                "discovery_documents": run.documents,
                "word_count_median": run.word_count_median,
                "items_checked": run.items_checked if run.items is not None else None,
            }
            for run in source.runs
        ],
    }
