"""The registry of news outlets: load and validate ``sources.toml``, answer URL questions.

``sources.toml`` is plain data, one ``[[source]]`` table per outlet (its header documents the
keys). :func:`load_sources` turns it into frozen :class:`Source` objects and refuses anything
doubtful at once with a :class:`SourceConfigError` that names the file, the source and the
field, so a typo stops the crawl before the first request instead of silently crawling
nothing. :func:`select_sources` applies the ``-a source=a,b`` spider argument, and
:meth:`Source.adhoc` makes a source for a crawl given only URLs.

Host matching compares host names only: ports are ignored, so a source owning ``127.0.0.1``
owns ``http://127.0.0.1:8080/`` and every other port of that host. Only ``http`` and
``https`` URLs are ever owned.

A sitemap URL may be a date template such as ``https://www.youm7.com/Sitemap/{y}/{m}/{d}``
(see ``DATE_PLACEHOLDERS``) for sites that publish one sitemap per day or month;
:meth:`Source.sitemap_urls` fills it for each calendar day of the look-back window, in the
outlet's time zone. ``unverified`` names the endpoints (and ``article_patterns``) that no
one has confirmed against the live site, so ``python -m crawler sources list`` can show
which parts of an entry are guesses.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree

logger = logging.getLogger(__name__)

DEFAULT_SOURCES_PATH = Path(__file__).with_name("sources.toml")
DEFAULT_LOOKBACK_DAYS = 2

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_HOST_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_UNSAFE_NAME_CHARS_RE = re.compile(r"[^a-z0-9._-]+")

WEB_SCHEMES = frozenset({"http", "https"})
DISCOVERY_FIELDS = ("sitemaps", "feeds", "sections")
REQUIRED_KEYS = ("name", "domains")
KNOWN_KEYS = frozenset(
    {
        "name",
        "outlet",
        "aliases",
        "country",
        "timezone",
        "domains",
        *DISCOVERY_FIELDS,
        "article_patterns",
        "prune_xpath",
        "lookback_days",
        "enabled",
        "unverified",
    }
)
# An ``unverified`` entry is one of the source's discovery URLs or this word.
PATTERNS_FIELD = "article_patterns"

# Date templates in sitemap URLs: ``{y}`` is the year, ``{m}`` and ``{d}`` the month and
# day without a leading zero (``/Sitemap/2025/8/25``), ``{mm}`` and ``{dd}`` with one.
DATE_PLACEHOLDERS = {
    "y": lambda day: f"{day.year:04d}",
    "m": lambda day: str(day.month),
    "mm": lambda day: f"{day.month:02d}",
    "d": lambda day: str(day.day),
    "dd": lambda day: f"{day.day:02d}",
}
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
# Any date fills a template for validation; the URL's shape is what is checked.
_SAMPLE_DAY = date(2000, 1, 1)
# quote() must leave URL syntax and existing escapes alone and encode only the rest
# (non-ASCII letters, spaces), which gives the %-encoded twin of a raw Arabic URL.
_URL_SYNTAX_CHARS = ":/?#[]@!$&'()*+,;=%~"


class SourceConfigError(ValueError):
    """A registry or source selection that cannot be used.

    ``path`` is the file as shown to the user (or None), ``source`` the source's name or its
    1-based table index such as ``"#3"`` (None for file-level problems), ``field`` the key at
    fault (None for unreadable files and TOML syntax errors), ``reason`` the bare message.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | None = None,
        source: str | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.path = path
        self.source = source
        self.field = field
        super().__init__(format_config_error(reason, path=path, source=source, field=field))

    def with_path(self, path: str) -> SourceConfigError:
        """The same error, told against the file ``path``."""
        return SourceConfigError(self.reason, path=path, source=self.source, field=self.field)


def format_config_error(
    reason: str, *, path: str | None, source: str | None, field: str | None
) -> str:
    """``path: source 'x': field 'y': reason``, leaving out the parts that are None."""
    parts = []
    if path is not None:
        parts.append(path)
    if source is not None:
        parts.append(f"source {source}" if source.startswith("#") else f"source {source!r}")
    if field is not None:
        parts.append(f"field {field!r}")
    parts.append(reason)
    return ": ".join(parts)


@dataclass(frozen=True, kw_only=True)
class Source:
    """One news outlet of the registry (or an ad-hoc site), see ``sources.toml``.

    Construct through :func:`load_sources` or :meth:`adhoc`; direct construction (tests,
    tools) is accepted too, and lists and pattern strings are turned into tuples and compiled
    patterns, but nothing else is validated there.
    """

    name: str
    domains: tuple[str, ...]
    outlet: str = ""
    aliases: tuple[str, ...] = ()
    country: str | None = None
    # IANA name (``Africa/Cairo``): the offset of page times that state none.
    timezone: str | None = None
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    article_patterns: tuple[re.Pattern[str], ...] = ()
    prune_xpath: str | None = None
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    enabled: bool = True
    # Discovery URLs (as written, templates included) and/or "article_patterns".
    unverified: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # frozen: object.__setattr__ is the documented way to normalize in __post_init__
        object.__setattr__(self, "domains", tuple(normalize_host(d) for d in _as_tuple(self.domains)))
        for field_name in ("aliases", "sitemaps", "feeds", "sections"):
            object.__setattr__(self, field_name, _as_tuple(getattr(self, field_name)))
        patterns = tuple(
            re.compile(p) if isinstance(p, str) else p for p in _as_tuple(self.article_patterns)
        )
        object.__setattr__(self, "article_patterns", patterns)
        object.__setattr__(self, "unverified", frozenset(_as_tuple(self.unverified)))

    @property
    def endpoints(self) -> tuple[tuple[str, str], ...]:
        """``(kind, url)`` of every discovery URL as written: kind is sitemap, feed or section."""
        return (
            *(("sitemap", url) for url in self.sitemaps),
            *(("feed", url) for url in self.feeds),
            *(("section", url) for url in self.sections),
        )

    def is_unverified(self, endpoint: str) -> bool:
        """Whether a discovery URL (as written) or ``"article_patterns"`` is marked unverified."""
        return endpoint in self.unverified

    @property
    def zone(self) -> tzinfo:
        """The newsroom's time zone, UTC when the source states none."""
        return ZoneInfo(self.timezone) if self.timezone else UTC

    def lookback_start(self, now: datetime) -> datetime:
        """The default ``since`` of a crawl at ``now``: ``lookback_days`` earlier."""
        return now - timedelta(days=self.lookback_days)

    def window_days(self, since: datetime | None, now: datetime) -> list[date]:
        """The outlet's calendar days from ``since`` (default: the look-back start) to ``now``, newest first."""
        first = (since or self.lookback_start(now)).astimezone(self.zone).date()
        last = now.astimezone(self.zone).date()
        return [last - timedelta(days=offset) for offset in range((last - first).days + 1)]

    def sitemap_urls(self, since: datetime | None, now: datetime) -> tuple[str, ...]:
        """The sitemaps to fetch for a crawl at ``now`` covering entries from ``since`` on.

        A date template yields one URL per day of the window (newest first), a monthly one
        one per month; a plain URL is itself.
        """
        urls: list[str] = []
        days = None
        for url in self.sitemaps:
            if is_date_template(url):
                days = days if days is not None else self.window_days(since, now)
                urls.extend(fill_date_template(url, day) for day in days)
            else:
                urls.append(url)
        return tuple(dict.fromkeys(urls))

    @property
    def names(self) -> tuple[str, ...]:
        """The outlet's display name and aliases, without blanks or repeats."""
        return tuple(dict.fromkeys(n for n in (self.outlet, *self.aliases) if n))

    def owns_url(self, url: str) -> bool:
        """Whether ``url`` is http(s) on one of ``domains`` or a subdomain of one.

        Case-insensitive; the port is ignored (see the module docstring).
        """
        host = url_host(url)
        return host is not None and any(host_within(host, domain) for domain in self.domains)

    def is_article_url(self, url: str) -> bool:
        """Whether ``url`` is owned and looks like a story of this outlet.

        Patterns are searched (not matched) in the URL with its scheme and host lower-cased,
        in its %-decoded form and in its %-encoded form, since Arabic slugs appear both raw
        and encoded. A source without patterns takes every URL it owns.
        """
        if not self.owns_url(url):
            return False
        if not self.article_patterns:
            return True
        forms = url_match_forms(url)
        return any(pattern.search(form) for pattern in self.article_patterns for form in forms)

    @classmethod
    def adhoc(cls, urls: Sequence[str]) -> Source:
        """A source for crawling ``urls`` without a registry entry.

        Its name is the first URL's host made path-safe (``www.`` dropped, ``:port`` as
        ``-port``: ``127.0.0.1:8080`` gives ``127.0.0.1-8080``); it may contain dots, which
        registry names may not. Its domains are the host names of all URLs without ``www.``,
        so sibling subdomains count as the same site and, as ports are ignored, a loopback test
        server on any port is owned. No patterns: every same-site URL is a candidate.
        """
        if isinstance(urls, str):
            urls = [urls]  # a lone URL passed where a list belongs
        if not urls:
            raise SourceConfigError("an ad-hoc crawl needs at least one URL", source="adhoc", field="urls")
        hosts = []
        for url in urls:
            host = url_host(url)
            if host is None:
                raise SourceConfigError(
                    f"{url!r} is not an absolute http(s) URL with a host", source="adhoc", field="urls"
                )
            hosts.append(strip_www(host))
        return cls(
            name=adhoc_name(urls[0]),
            outlet=hosts[0],
            domains=tuple(dict.fromkeys(hosts)),
        )


def _as_tuple(value: Any) -> tuple:
    if isinstance(value, (str, re.Pattern)):
        return (value,)
    return tuple(value)


# ---------------------------------------------------------------- date templates


def is_date_template(url: str) -> bool:
    """Whether ``url`` holds a ``{placeholder}`` (see ``DATE_PLACEHOLDERS``)."""
    return _PLACEHOLDER_RE.search(url) is not None


def template_problem(url: str) -> str | None:
    """Why ``url`` is not a usable date template (or plain URL), or None."""
    unknown = [name for name in _PLACEHOLDER_RE.findall(url) if name not in DATE_PLACEHOLDERS]
    if unknown:
        known = ", ".join("{" + name + "}" for name in DATE_PLACEHOLDERS)
        return f"{url!r}: unknown placeholder {{{unknown[0]}}} (date templates know {known})"
    if "{" in _PLACEHOLDER_RE.sub("", url) or "}" in _PLACEHOLDER_RE.sub("", url):
        return f"{url!r}: unbalanced brace"
    return None


def fill_date_template(url: str, day: date) -> str:
    """``url`` with each date placeholder replaced by ``day``'s value."""
    return _PLACEHOLDER_RE.sub(lambda match: DATE_PLACEHOLDERS[match.group(1)](day), url)


# ---------------------------------------------------------------- hosts and URLs


def normalize_host(host: str) -> str:
    """Lower-case ``host``, drop a trailing dot and IDNA-encode non-ASCII names."""
    host = host.strip().lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass  # left as is: it will simply match nothing
    return host


def is_valid_host(host: str) -> bool:
    """Whether ``host`` (already normalized) is an IP address or a DNS host name."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    return bool(host) and all(_HOST_LABEL_RE.match(label) for label in host.split("."))


def url_host(url: str) -> str | None:
    """The normalized host name of an http(s) URL, or None for anything else."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except (ValueError, AttributeError):
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not host:
        return None
    return normalize_host(host)


def host_within(host: str, domain: str) -> bool:
    """Whether ``host`` is ``domain`` or one of its subdomains (both normalized)."""
    return host == domain or host.endswith("." + domain)


def strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") and len(host) > 4 else host


def url_match_forms(url: str) -> tuple[str, ...]:
    """``url`` with lower-cased scheme and host, plus its %-decoded and %-encoded forms."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return (url,)
    normalized = parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()
    decoded = unquote(normalized)
    encoded = quote(decoded, safe=_URL_SYNTAX_CHARS)
    return tuple(dict.fromkeys((normalized, decoded, encoded)))


def registry_source_of(registry: Mapping[str, Source], host: str) -> Source | None:
    """The registry entry whose domains own ``host`` (normalized), or None."""
    return next((s for s in registry.values() if any(host_within(host, d) for d in s.domains)), None)


def adhoc_name(url: str) -> str:
    """A path-safe source name from the host (and port) of ``url``."""
    parts = urlsplit(url.strip())
    host = strip_www(normalize_host(parts.hostname or ""))
    try:
        port = parts.port
    except ValueError:
        port = None
    raw = f"{host}-{port}" if port else host
    name = _UNSAFE_NAME_CHARS_RE.sub("-", raw)
    name = re.sub(r"-{2,}", "-", re.sub(r"\.{2,}", ".", name)).strip(".-")
    return name or "adhoc"


# ---------------------------------------------------------------- loading


def load_sources(path: str | Path | None = None) -> dict[str, Source]:
    """Read and validate the registry at ``path`` (default: ``sources.toml`` beside this module).

    Returns the sources by name, in file order. Raises :class:`SourceConfigError` on the
    first problem found.
    """
    source_path = Path(path) if path is not None else DEFAULT_SOURCES_PATH
    shown = display_path(source_path)
    document = read_toml(source_path, shown)
    try:
        sources = parse_registry(document)
    except SourceConfigError as error:
        raise error.with_path(shown) from None
    logger.debug(
        "loaded %d sources (%d enabled) from %s",
        len(sources),
        sum(s.enabled for s in sources.values()),
        shown,
    )
    return sources


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, for messages."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def read_toml(path: Path, shown: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise SourceConfigError(f"cannot read the file: {error.strerror or error}", path=shown) from None
    except UnicodeDecodeError as error:
        raise SourceConfigError(f"the file is not UTF-8: {error}", path=shown) from None
    except tomllib.TOMLDecodeError as error:
        raise SourceConfigError(f"TOML syntax error: {error}", path=shown) from None


def parse_registry(document: Mapping[str, Any]) -> dict[str, Source]:
    """Validate a parsed registry document and build its sources by name."""
    unknown = sorted(set(document) - {"source"})
    if unknown:
        raise SourceConfigError(
            f"unknown top-level key {unknown[0]!r}: the registry holds only [[source]] tables",
            field=unknown[0],
        )
    tables = document.get("source")
    if tables is None:
        raise SourceConfigError("no [[source]] tables", field="source")
    if not isinstance(tables, list):
        raise SourceConfigError(
            f"expected an array of tables ([[source]]), got {toml_type_name(tables)}", field="source"
        )
    sources: dict[str, Source] = {}
    first_index: dict[str, int] = {}
    for index, table in enumerate(tables, start=1):
        source = parse_source_table(table, index)
        if source.name in sources:
            raise SourceConfigError(
                f"duplicate name {source.name!r} (first used by source #{first_index[source.name]})",
                source=source.name,
                field="name",
            )
        sources[source.name] = source
        first_index[source.name] = index
    return sources


class _Invalid(Exception):
    """A field problem, raised below parse_source_table, which adds the source label."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def parse_source_table(table: Any, index: int) -> Source:
    """Validate one ``[[source]]`` table (``index`` is 1-based) and build its :class:`Source`."""
    label = source_label(table, index)
    if not isinstance(table, dict):
        raise SourceConfigError(f"expected a table, got {toml_type_name(table)}", source=label, field="source")
    try:
        return _build_source(table)
    except _Invalid as problem:
        raise SourceConfigError(problem.reason, source=label, field=problem.field) from None


def source_label(table: Any, index: int) -> str:
    """The table's name when it has a usable one, else its index such as ``#3``."""
    name = table.get("name") if isinstance(table, dict) else None
    if isinstance(name, str) and name.strip():
        return name
    return f"#{index}"


def _build_source(table: Mapping[str, Any]) -> Source:
    _reject_unknown_keys(table)
    for key in REQUIRED_KEYS:
        if key not in table:
            raise _Invalid(key, f"missing required key {key!r}")
    name = _name(table)
    domains = _domains(table)
    discovery = {key: _urls(table, key, domains) for key in DISCOVERY_FIELDS}
    if not any(discovery.values()):
        raise _Invalid(
            "/".join(DISCOVERY_FIELDS),
            "needs at least one URL in sitemaps, feeds or sections to discover articles from",
        )
    return Source(
        name=name,
        domains=domains,
        # the slug is a fair stand-in: titles often end in " | youm7"
        outlet=_optional_string(table, "outlet") or name,
        aliases=_string_list(table, "aliases"),
        country=_country(table),
        timezone=_timezone(table),
        **discovery,
        article_patterns=_patterns(table),
        prune_xpath=_xpath(table),
        lookback_days=_lookback_days(table),
        enabled=_boolean(table, "enabled", default=True),
        unverified=_unverified(table, discovery),
    )


def _reject_unknown_keys(table: Mapping[str, Any]) -> None:
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise _Invalid(unknown[0], f"unknown key {unknown[0]!r} (known keys: {', '.join(sorted(KNOWN_KEYS))})")


def toml_type_name(value: Any) -> str:
    """The TOML word for the type of a parsed value, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _optional_string(table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Invalid(key, f"expected a string, got {toml_type_name(value)}")
    if not value.strip():
        raise _Invalid(key, "must not be blank (leave the key out instead)")
    return value.strip()


def _string_list(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise _Invalid(key, f"expected an array of strings, got {toml_type_name(value)}")
    items = []
    for item in value:
        if not isinstance(item, str):
            raise _Invalid(key, f"expected an array of strings, found {toml_type_name(item)} in it")
        if not item.strip():
            raise _Invalid(key, "contains a blank string")
        items.append(item.strip())
    return tuple(dict.fromkeys(items))


def _name(table: Mapping[str, Any]) -> str:
    name = table["name"]
    if not isinstance(name, str):
        raise _Invalid("name", f"expected a string, got {toml_type_name(name)}")
    if not NAME_RE.match(name):
        raise _Invalid(
            "name",
            f"bad name {name!r}: use 1-41 characters of a-z, 0-9, '_' and '-', starting with a"
            " letter or digit (it becomes part of output file paths)",
        )
    return name


def _domains(table: Mapping[str, Any]) -> tuple[str, ...]:
    raw = _string_list(table, "domains")
    if not raw:
        raise _Invalid("domains", "must list at least one domain")
    domains = []
    for item in raw:
        domain = normalize_host(item)
        if not is_valid_host(domain):
            raise _Invalid(
                "domains",
                f"{item!r} is not a host name (write 'example.com': no scheme, path or port)",
            )
        domains.append(domain)
    return tuple(dict.fromkeys(domains))


def url_problem(url: str, domains: Iterable[str]) -> str | None:
    """Why ``url`` cannot be a discovery URL of a source on ``domains``, or None if it can."""
    if any(ch.isspace() for ch in url):
        return f"{url!r} contains whitespace"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError as error:
        return f"{url!r} is not a valid URL ({error})"
    scheme = parts.scheme.lower()
    if not scheme:
        return f"{url!r} is not an absolute http(s) URL"
    if scheme not in WEB_SCHEMES:
        return f"{url!r} is not an http(s) URL"
    if not host:
        return f"{url!r} has no host"
    domains = tuple(domains)
    if not any(host_within(normalize_host(host), d) for d in domains):
        return f"{url!r}: host {host!r} is not within the source's domains ({', '.join(domains)})"
    return None


def _urls(table: Mapping[str, Any], key: str, domains: tuple[str, ...]) -> tuple[str, ...]:
    urls = _string_list(table, key)
    for url in urls:
        if key == "sitemaps":
            problem = template_problem(url) or url_problem(fill_date_template(url, _SAMPLE_DAY), domains)
        elif "{" in url or "}" in url:
            problem = f"{url!r}: date templates are supported in sitemaps only"
        else:
            problem = url_problem(url, domains)
        if problem:
            raise _Invalid(key, problem)
    return urls


def _unverified(table: Mapping[str, Any], discovery: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    marked = _string_list(table, "unverified")
    endpoints = {url for urls in discovery.values() for url in urls}
    for entry in marked:
        if entry != PATTERNS_FIELD and entry not in endpoints:
            raise _Invalid(
                "unverified",
                f"{entry!r} is neither one of the source's sitemaps, feeds or sections (as written)"
                f" nor {PATTERNS_FIELD!r}",
            )
    if PATTERNS_FIELD in marked and not table.get(PATTERNS_FIELD):
        raise _Invalid("unverified", f"marks {PATTERNS_FIELD!r} unverified, but the source has none")
    return frozenset(marked)


def _country(table: Mapping[str, Any]) -> str | None:
    country = _optional_string(table, "country")
    if country is not None and not COUNTRY_RE.match(country):
        raise _Invalid("country", f"{country!r} is not an ISO 3166 alpha-2 code (two capital letters)")
    return country


def _timezone(table: Mapping[str, Any]) -> str | None:
    name = _optional_string(table, "timezone")
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Invalid("timezone", f"{name!r} is not an IANA time zone name (such as 'Africa/Cairo')") from None
    return name


def _patterns(table: Mapping[str, Any]) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in _string_list(table, "article_patterns"):
        try:
            compiled.append(re.compile(pattern))
        except re.error as error:
            raise _Invalid("article_patterns", f"bad regex {pattern!r}: {error}") from None
    return tuple(compiled)


def _xpath(table: Mapping[str, Any]) -> str | None:
    expression = _optional_string(table, "prune_xpath")
    if expression is None:
        return None
    try:
        etree.XPath(expression)
    except etree.XPathError as error:
        raise _Invalid("prune_xpath", f"bad XPath {expression!r}: {error}") from None
    return expression


def _lookback_days(table: Mapping[str, Any]) -> int:
    value = table.get("lookback_days", DEFAULT_LOOKBACK_DAYS)
    # bool is an int subclass, and `true` is no number of days
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid("lookback_days", f"expected a positive integer (days), got {toml_type_name(value)}")
    if value < 1:
        raise _Invalid("lookback_days", f"expected a positive integer (days), got {value}")
    return value


def _boolean(table: Mapping[str, Any], key: str, *, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise _Invalid(key, f"expected true or false, got {toml_type_name(value)}")
    return value


# ---------------------------------------------------------------- selection


def parse_source_names(names: str) -> list[str]:
    """The names of a ``-a source=a,b`` argument: split on commas, trimmed, lower-cased, unique."""
    return list(dict.fromkeys(n.strip().lower() for n in names.split(",") if n.strip()))


def select_sources(sources: Mapping[str, Source], names: str | None) -> list[Source]:
    """The sources a crawl should visit.

    ``names`` is the ``-a source=a,b`` string; None means every enabled source, in registry
    order. Named sources come in the order given, and a disabled one is taken when named.
    An unknown or empty selection raises :class:`SourceConfigError` listing the known names.
    """
    if names is None:
        return [source for source in sources.values() if source.enabled]
    known = ", ".join(sorted(sources)) or "(none)"
    requested = parse_source_names(names)
    if not requested:
        raise SourceConfigError(f"no source name given; known sources: {known}", field="source")
    unknown = [name for name in requested if name not in sources]
    if unknown:
        listed = ", ".join(repr(name) for name in unknown)
        raise SourceConfigError(
            f"unknown source{'s' if len(unknown) > 1 else ''} {listed}; known sources: {known}",
            source=",".join(unknown),
            field="source",
        )
    chosen = [sources[name] for name in requested]
    for source in chosen:
        if not source.enabled:
            logger.info("source %r is disabled in the registry but was named: crawling it", source.name)
    return chosen
