"""URL canonicalization: one identity key per article, whatever link led to it.

``canonicalize_url`` turns every spelling of an article's address into one key, used to
look the article up in the incremental state store. The key is an identity, not a URL to
fetch: requests keep the URL the site gave (the key drops "www." and AMP markers, which
a server may answer with a redirect or a different page layout).

Steps, in order:

1. surrounding whitespace is stripped; anything that is not an absolute http(s) URL with a
   host (``mailto:``, ``javascript:``, relative links, empty strings, broken IPv6 hosts)
   comes back as that stripped string, never as an exception;
2. the query is split off and cleaned by ``strip_tracking_parameters`` — not by courlan,
   whose tracker pattern also drops parameters that can identify an article ("cid",
   "uid", anything starting with "ga" such as "gallery_id"). Merging two articles into
   one key would hide new articles for good, while a tracker we miss only costs a
   duplicate fetch that the content hash catches, so the list errs on the side of keeping;
3. courlan's ``normalize_url`` on scheme, host and path: lower-cases scheme and host,
   decodes punycode, drops the default port (80 / 443), collapses repeated slashes and
   leading "/.." segments, and percent-encodes the path;
4. w3lib's ``canonicalize_url`` (fragment dropped): one percent-encoding for the path and
   query (so the raw Arabic slug and its ``%D9%88...`` form are the same key, and
   unreserved characters such as ``%7E`` are decoded), dot segments resolved, the host
   IDNA-encoded, and query arguments sorted;
5. a leading "www." is dropped from the host, so www and the bare host unify;
6. AMP variants are folded into the article (see ``AMP_QUERY_VALUES``): a trailing
   "/amp" path segment (the WordPress AMP plugin's paired URLs "/slug/amp/"), "?amp" /
   "?amp=1" (same plugin, query form) and "outputType=amp" (Arc XP sites). These are the
   conventions that always name the AMP rendering of the same article. Other AMP schemes
   ("amp." hosts, "/amp/" path *prefixes* as on youm7.com) are left alone: the AMP path
   there is not derivable from the article path by dropping one part;
7. a trailing slash of a non-root path is dropped ("/news/123/" = "/news/123"): news sites
   serve both with a redirect, links mix them, and "/slug/amp/" must meet "/slug/".

Path case is kept (servers are case-sensitive on paths) and so is the scheme: http and
https keys stay apart. Every step is idempotent, and so is the whole.

A crawl asks for the key of one page several times (at discovery, in dedup, and twice
when its data file's receipt is written), so recent results are kept in a small bounded
cache (``CANONICAL_KEY_CACHE_SIZE``). A URL that is already its key but for "www." (see
``_canonical_shaped_key``; sitemaps of one site list thousands of them) skips steps 2-7.
"""

import logging
import re
from functools import lru_cache
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

from courlan import normalize_url
from w3lib.url import canonicalize_url as w3lib_canonicalize_url

logger = logging.getLogger(__name__)

# Query parameters that only say how a reader arrived (campaigns, ad click ids, share
# buttons, analytics cookies echoed into links). Compared case-insensitively. Everything
# else is kept: article ids such as id, SerialNo, ArticleID, p, nid or story are not listed.
TRACKING_PARAMETERS = frozenset(
    {
        # ad-platform click ids: Facebook, Google Ads / DoubleClick / app campaigns,
        # Microsoft Ads, Yandex, Twitter / X, Instagram shares
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "igsh",
        # Mailchimp campaign and e-mail ids, Google Analytics and HubSpot linker cookies
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi",
        # referral markers ("ref=home", Twitter's "ref_src"), Microsoft's "ocid",
        # campaign ids "cmpid", AT Internet's "xtor", Alibaba's "spm", share buttons
        "ref", "ref_src", "ref_url", "ocid", "cmpid", "xtor", "spm", "share",
    }
)

# Families of campaign parameters, matched as lower-case prefixes: Google's utm_source,
# utm_medium ...; Matomo's mtm_* and older Piwik pk_*; AT Internet's at_medium,
# at_campaign ...; comScore's ns_source, ns_mchannel ...; HubSpot ads' hsa_*.
TRACKING_PARAMETER_PREFIXES = ("utm_", "mtm_", "pk_", "at_", "ns_", "hsa_")

# AMP markers in the query, parameter name -> values that mean "AMP rendering". An empty
# value covers the bare "?amp" of the WordPress AMP plugin.
AMP_QUERY_VALUES = {"amp": frozenset({"", "1", "true"}), "outputtype": frozenset({"amp"})}

AMP_PATH_SEGMENT = "amp"

WWW_PREFIX = "www."

WEB_SCHEMES = frozenset({"http", "https"})

_QUERY_SEPARATOR = "&"
_TRAILING_SLASHES_RE = re.compile(r"(?<=.)/+$")
# Host: letters and digits of any script (IDN hosts), dots, hyphens, underscores, and the
# colons of a bracketed IPv6 address. User info: RFC 3986 unreserved, sub-delims and "%".
# Anything else (a backslash, a bidi mark, a space) is junk that WHATWG-style parsers such
# as w3lib's split differently from urllib, so a key built from it would not be stable.
_HOST_NAME_RE = re.compile(r"[\w.:-]+")
# "example.com", "example.com:8080/path": a host name without a scheme, for same_site.
_BARE_HOST_RE = re.compile(r"[\w.-]+(?::\d+)?(?:/|$)")
_USER_INFO_RE = re.compile(r"[\w.~%!$&'()*+,;=:-]*")

# Keys remembered, least recently used first out. A page's key is asked for at discovery
# and again when its item reaches dedup and the writer; a Google News sitemap lists at
# most 1,000 URLs, so 4096 keeps a sitemap's keys until its pages are written. The bound
# keeps memory flat over a run of any length: about 2 MB with 200-character URLs.
CANONICAL_KEY_CACHE_SIZE = 4096


@lru_cache(maxsize=CANONICAL_KEY_CACHE_SIZE)
def canonicalize_url(url: str) -> str:
    """Return the identity key of *url*, or *url* stripped when it is not a web URL."""
    stripped = url.strip()
    shortcut = _canonical_shaped_key(stripped)
    if shortcut is not None:
        return shortcut
    try:
        return _canonicalize_web_url(stripped)
    except ValueError:
        logger.debug("Not a canonicalizable web URL, kept as is: %r", stripped)
        return stripped


def same_site(url_a: str, url_b: str) -> bool:
    """Tell whether two URLs (or bare host names) are on one site.

    True when the hosts are equal ignoring "www.", or when one is a subdomain of the other
    ("news.example.com" and "example.com"). Ports and schemes are ignored.
    """
    host_a, host_b = _comparable_host(url_a), _comparable_host(url_b)
    if not host_a or not host_b:
        return False
    return host_a == host_b or _is_subdomain(host_a, host_b) or _is_subdomain(host_b, host_a)


def strip_tracking_parameters(query: str) -> str:
    """Return *query* without tracking and AMP parameters; kept parts stay byte for byte."""
    kept = (
        part
        for part in query.split(_QUERY_SEPARATOR)
        if part and not _is_tracking_or_amp_parameter(part)
    )
    return _QUERY_SEPARATOR.join(kept)


def is_tracking_parameter(name: str) -> bool:
    """Tell whether the query parameter *name* only tracks how the reader arrived."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PARAMETER_PREFIXES)


def strip_amp_path_suffix(path: str) -> str:
    """Drop trailing "/amp" segments of *path*, never its only segment."""
    segments = path.rstrip("/").split("/")
    # segments[0] is the empty string before the leading slash.
    while len(segments) > 2 and segments[-1] == AMP_PATH_SEGMENT:
        segments.pop()
    return "/".join(segments) or "/"


# URLs that are already a key but for "www." (lower-case http(s) scheme and ASCII host
# name, a port other than the default ones, a path of characters no step re-encodes,
# without repeated slashes, dot segments, a trailing slash or "/amp", and an optional
# query of plain name=value pairs in sorted order): ``_canonical_shaped_key`` builds their
# key directly, skipping courlan and w3lib (about 30 µs a URL). Anything else takes the
# full path; tests compare both on every URL of the test data.
_CANONICAL_SHAPED_RE = re.compile(
    r"(?P<scheme>https?)://(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)"
    r"(?::(?P<port>[1-9][0-9]{0,4}))?"
    r"(?P<path>/(?:[A-Za-z0-9._~!=,:-]+/)*(?:[A-Za-z0-9._~!=,:-]+)?)"
    r"(?:\?(?P<query>[A-Za-z0-9._~-]+=[A-Za-z0-9._~-]*(?:&[A-Za-z0-9._~-]+=[A-Za-z0-9._~-]*)*))?",
    re.ASCII,
)
_DOT_SEGMENT_RE = re.compile(r"/\.\.?(?:/|$)")


def _canonical_shaped_key(url: str) -> str | None:
    """The key of a URL that is canonical but for "www.", or None to take the full path."""
    match = _CANONICAL_SHAPED_RE.fullmatch(url)
    if match is None:
        return None
    host, port, path, query = match.group("host", "port", "path", "query")
    if (
        "xn--" in host
        or (port is not None and (port in ("80", "443") or int(port) > 65535))
        or (len(path) > 1 and path.endswith("/"))
        or path.endswith("/" + AMP_PATH_SEGMENT)
        or _DOT_SEGMENT_RE.search(path)
    ):
        return None
    if query is not None:
        parts = query.split(_QUERY_SEPARATOR)
        pairs = [tuple(part.split("=", 1)) for part in parts]
        if pairs != sorted(pairs) or any(_is_tracking_or_amp_parameter(part) for part in parts):
            return None
    if host.startswith(WWW_PREFIX):
        host = host[len(WWW_PREFIX):]
    return f"{match.group('scheme')}://{host}{url[match.end('host'):]}"


def _canonicalize_web_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in WEB_SCHEMES or not _is_plain_netloc(parts):
        raise ValueError("not an absolute http(s) URL with a valid host and port")
    query = strip_tracking_parameters(parts.query)
    without_query = normalize_url(
        SplitResult(parts.scheme, parts.netloc, parts.path, "", ""), trailing_slash=True
    )
    canonical = w3lib_canonicalize_url(
        _with_query(without_query, query), keep_fragments=False
    )
    return _drop_www_amp_and_trailing_slash(canonical)


def _is_plain_netloc(parts: SplitResult) -> bool:
    userinfo, _, _ = parts.netloc.rpartition("@")
    return bool(
        _HOST_NAME_RE.fullmatch(parts.hostname or "")
        and _USER_INFO_RE.fullmatch(userinfo)
        and _has_valid_port(parts)
    )


def _has_valid_port(parts: SplitResult) -> bool:
    try:
        parts.port  # urllib raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        return False
    return True


def _drop_www_amp_and_trailing_slash(canonical: str) -> str:
    parts = urlsplit(canonical)
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith(WWW_PREFIX) and len(hostport) > len(WWW_PREFIX):
        netloc = userinfo + at + hostport[len(WWW_PREFIX):]
    path = _TRAILING_SLASHES_RE.sub("", strip_amp_path_suffix(parts.path))
    return urlunsplit((parts.scheme, netloc, path or "/", parts.query, ""))


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _is_tracking_or_amp_parameter(part: str) -> bool:
    raw_name, _, raw_value = part.partition("=")
    name = unquote_plus(raw_name)
    if is_tracking_parameter(name):
        return True
    amp_values = AMP_QUERY_VALUES.get(name.lower())
    return amp_values is not None and unquote_plus(raw_value).lower() in amp_values


def _comparable_host(url_or_host: str) -> str:
    text = url_or_host.strip()
    if _BARE_HOST_RE.match(text):
        text = "//" + text
    elif "://" not in text and not text.startswith("//"):
        return ""
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".")
    if host.startswith(WWW_PREFIX):
        host = host[len(WWW_PREFIX):]
    return _idna_host(host)


def _idna_host(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _is_subdomain(host: str, parent: str) -> bool:
    return host.endswith("." + parent)
