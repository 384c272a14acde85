"""``python -m crawler sources list|check``: what the registry holds, and whether it works.

- ``sources list`` prints one row per source: name, country, enabled, time zone, endpoints,
  and what of it is marked unverified (``--urls`` lists every endpoint, ``--json`` the same
  as JSON);
- ``sources check`` validates the registry offline (exit 2 when it cannot be loaded) and
  warns about entries that load but would crawl badly;
- ``sources check --online [NAME...]`` probes every endpoint of the named (default: all
  enabled) sources the way a crawl would (``crawler.health.probe``), prints a row per
  endpoint and writes the rows as JSON; it exits 1 when an endpoint is not ``ok``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_CONFIG = 2
PROBES_DIR = "probes"


def register(commands) -> None:
    sources = commands.add_parser("sources", help="list the registry's sources, or check them offline or online")
    actions = sources.add_subparsers(dest="sources_command", required=True)

    listing = actions.add_parser("list", help="one row per source: country, enabled, time zone, endpoints")
    listing.add_argument("--sources-file", help="registry to read (default: crawler/sources.toml)")
    listing.add_argument("--urls", action="store_true", help="also list every endpoint URL")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(handler=command_list)

    check = actions.add_parser("check", help="validate the registry; with --online, probe its endpoints")
    check.add_argument("names", nargs="*", metavar="NAME", help="sources to probe (default: every enabled one)")
    check.add_argument("--sources-file", help="registry to read (default: crawler/sources.toml)")
    check.add_argument("--online", action="store_true", help="fetch every endpoint the way a crawl would")
    check.add_argument("--output-dir", default="output", help="the JSON rows go to OUTPUT_DIR/probes/ (default: output)")
    check.add_argument("--json", dest="json_file", metavar="FILE", help="write the JSON rows here instead ('-': stdout, no table)")
    check.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting for the probe")
    check.set_defaults(handler=command_check)


def load_or_report(path: str | None):
    from crawler.sources import SourceConfigError, load_sources

    try:
        return load_sources(path)
    except SourceConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


# ---------------------------------------------------------------- list


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def endpoint_summary(source) -> str:
    parts = [(len(source.sitemaps), "sitemap"), (len(source.feeds), "feed"), (len(source.sections), "section")]
    return ", ".join(plural(count, word) for count, word in parts if count)


def unverified_summary(source) -> str:
    from crawler.sources import PATTERNS_FIELD

    marked = [f"{kind} {url}" for kind, url in source.endpoints if source.is_unverified(url)]
    if source.is_unverified(PATTERNS_FIELD):
        marked.insert(0, "article patterns")
    return "; ".join(marked) or "-"


def source_as_json(source) -> dict:
    from crawler.sources import PATTERNS_FIELD, is_date_template

    return {
        "name": source.name,
        "outlet": source.outlet,
        "country": source.country,
        "enabled": source.enabled,
        "timezone": source.timezone,
        "lookback_days": source.lookback_days,
        "endpoints": [
            {"kind": kind, "url": url, "date_template": is_date_template(url), "unverified": source.is_unverified(url)}
            for kind, url in source.endpoints
        ],
        "article_patterns": [pattern.pattern for pattern in source.article_patterns],
        "article_patterns_unverified": source.is_unverified(PATTERNS_FIELD),
    }


def command_list(args) -> int:
    from crawler.health.tables import format_table
    from crawler.sources import is_date_template

    sources = load_or_report(args.sources_file)
    if sources is None:
        return EXIT_CONFIG
    if args.json:
        print(json.dumps([source_as_json(s) for s in sources.values()], ensure_ascii=False, indent=2))
        return EXIT_OK
    header = ("NAME", "COUNTRY", "ENABLED", "TIME ZONE", "ENDPOINTS", "UNVERIFIED")
    if not args.urls:
        rows = [
            (s.name, s.country or "-", "yes" if s.enabled else "no", s.timezone or "-", endpoint_summary(s), unverified_summary(s))
            for s in sources.values()
        ]
        print(format_table(header, rows))
    else:
        for source in sources.values():
            print(f"{source.name} ({source.country or '-'}, {source.timezone or '-'}, {'enabled' if source.enabled else 'disabled'})")
            rows = []
            for kind, url in source.endpoints:
                marks = [mark for mark, on in (("date template", is_date_template(url)), ("unverified", source.is_unverified(url))) if on]
                rows.append(("  " + kind, ", ".join(marks) or "-", url))
            for pattern in source.article_patterns:
                rows.append(("  pattern", "unverified" if source.is_unverified("article_patterns") else "-", pattern.pattern))
            print(format_table(("  KIND", "MARKS", "URL"), rows))
            print()
    enabled = sum(s.enabled for s in sources.values())
    print(f"{plural(len(sources), 'source')}, {enabled} enabled")
    return EXIT_OK


# ---------------------------------------------------------------- check


def command_check(args) -> int:
    from crawler.health.registry_checks import registry_warnings
    from crawler.sources import PATTERNS_FIELD, SourceConfigError, select_sources

    sources = load_or_report(args.sources_file)
    if sources is None:
        return EXIT_CONFIG
    if not args.online:
        if args.names:
            print("error: source names are for --online", file=sys.stderr)
            return EXIT_CONFIG
        endpoints = sum(len(s.endpoints) for s in sources.values())
        unverified = sum(
            sum(s.is_unverified(url) for _kind, url in s.endpoints) + s.is_unverified(PATTERNS_FIELD)
            for s in sources.values()
        )
        warnings = registry_warnings(sources)
        for warning in warnings:
            print(f"warning: {warning}")
        print(
            f"registry valid: {plural(len(sources), 'source')} ({sum(s.enabled for s in sources.values())} enabled),"
            f" {plural(endpoints, 'endpoint')}, {unverified} unverified mark(s), {plural(len(warnings), 'warning')}"
        )
        return EXIT_OK
    try:
        chosen = select_sources(sources, ",".join(args.names) if args.names else None)
        settings = parse_settings(args.settings)
    except (SourceConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return check_online(chosen, settings, args)


def parse_settings(pairs: list[str]) -> dict[str, str]:
    from crawler.cron import parse_pairs

    return parse_pairs(pairs, "-s")


def check_online(chosen, settings: dict, args) -> int:
    from crawler.health.probe import OK, VERDICTS, probe_sources

    checked_at = datetime.now(timezone.utc)
    rows = probe_sources(chosen, settings, now=checked_at)
    document = {
        "checked_at": checked_at.isoformat(timespec="seconds"),
        "sources": [source.name for source in chosen],
        "rows": [row.as_json() for row in rows],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if args.json_file == "-":
        print(text)
    else:
        print(render_rows(rows))
        path = Path(args.json_file) if args.json_file else Path(args.output_dir) / PROBES_DIR / f"{checked_at:%Y%m%dT%H%M%SZ}.json"
        from crawler.manifest import write_json_atomically

        write_json_atomically(path, document)
        verdicts = Counter(row.verdict for row in rows)
        counts = ", ".join(f"{verdicts[v]} {v}" for v in VERDICTS if verdicts[v])
        print(f"\n{plural(len(rows), 'endpoint')} of {plural(len(chosen), 'source')}: {counts}; rows written to {path}")
    return EXIT_OK if all(row.verdict == OK for row in rows) else EXIT_PROBLEMS


def render_rows(rows) -> str:
    from crawler.health.tables import format_table, percent

    table = []
    for row in rows:
        newest = row.newest[:16].replace("T", " ") if row.newest else "-"
        kind = row.kind + (" (robots.txt)" if row.via else "")
        url = row.url + (" [unverified]" if row.unverified else "")
        table.append((
            row.source, kind, row.status or "-", row.content_type or "-",
            "-" if row.entries is None else row.entries, newest, percent(row.article_share), row.verdict, url,
        ))
    lines = [format_table(("SOURCE", "KIND", "STATUS", "TYPE", "ENTRIES", "NEWEST", "MATCH", "VERDICT", "URL"), table)]
    notes = [row for row in rows if row.detail and row.verdict != "ok"]
    if notes:
        lines.append("")
        lines.extend(f"{row.source} {row.kind} {row.url}: {row.verdict}: {row.detail}" for row in notes)
    return "\n".join(lines)
