"""The cluster's settings: validation before anything starts, and the components they install.

- ``CLUSTER_REDIS_URL``: ``redis://[:password@]host[:port][/db]``, ``rediss://`` or
  ``unix://``. Switches cluster mode on; needs ``STATE_URL``.
- ``STATE_URL``: ``postgresql://[user[:password]@]host[:port]/database[?options]``. The
  shared state store; usable alone too (one node, or several crawling different sources).
- ``CLUSTER_NODE_NAME``: this node's name, in its data, log and manifest file names.
  Default: the host name. Nodes on one machine need names of their own.
- ``CLUSTER_KEY_PREFIX``: the prefix of every Redis key (default ``arabic-news``), so that
  two clusters can share one Redis.
- ``MAX_IDLE_TIME_BEFORE_CLOSE``: seconds a node waits with the shared queue empty and no
  discovery running before it closes (scrapy-redis' setting name; default 10).
- ``CLUSTER_HEARTBEAT_SECONDS`` (default 5): how often a node says it is alive; a node
  silent for 6 heartbeats is taken for dead.
"""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

from crawler.state import POSTGRES_SCHEMES, redact_url

REDIS_SCHEMES = ("redis", "rediss", "unix")
DEFAULT_KEY_PREFIX = "arabic-news"
DEFAULT_MAX_IDLE_SECONDS = 10
DEFAULT_HEARTBEAT_SECONDS = 5
_NODE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


class ClusterConfigError(ValueError):
    """A cluster setting is wrong; the message names it."""


def cluster_enabled(settings) -> bool:
    return bool(settings.get("CLUSTER_REDIS_URL"))


def node_name(settings) -> str:
    """``CLUSTER_NODE_NAME``, or this machine's short host name made file-name safe."""
    given = settings.get("CLUSTER_NODE_NAME")
    if given:
        return str(given)
    host = socket.gethostname().split(".")[0]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", host).strip("._-") or "node"


def check_settings(settings) -> None:
    """Raise ``ClusterConfigError`` naming the first bad cluster setting."""
    redis_url = settings.get("CLUSTER_REDIS_URL")
    state_url = settings.get("STATE_URL")
    if redis_url:
        check_redis_url(str(redis_url))
        if not state_url:
            raise ClusterConfigError(
                "CLUSTER_REDIS_URL needs STATE_URL=postgresql://...: the nodes of a cluster share their state"
            )
    if state_url:
        check_state_url(str(state_url))
    name = node_name(settings)
    if not _NODE_NAME_RE.match(name):
        raise ClusterConfigError(
            f"CLUSTER_NODE_NAME={name!r}: use 1-63 letters, digits, dots, hyphens and underscores, starting with a letter or digit"
        )
    for setting in ("MAX_IDLE_TIME_BEFORE_CLOSE", "CLUSTER_HEARTBEAT_SECONDS"):
        try:
            value = settings.getfloat(setting, 1.0)
        except ValueError:
            value = -1.0
        if value <= 0 and not (setting == "MAX_IDLE_TIME_BEFORE_CLOSE" and value == 0):
            raise ClusterConfigError(f"{setting}={settings.get(setting)!r} is not a positive number of seconds")


def check_redis_url(url: str) -> None:
    problem = None
    try:
        parts = urlsplit(url)
        if parts.scheme not in REDIS_SCHEMES:
            problem = f"the scheme must be one of {', '.join(s + '://' for s in REDIS_SCHEMES)}"
        elif parts.scheme == "unix":
            if not parts.path:
                problem = "a unix:// URL needs the socket's path"
        elif not parts.hostname:
            problem = "no host"
        else:
            parts.port  # noqa: B018 - raises ValueError for a bad port
            database = parts.path.strip("/")
            if database and not database.isdigit():
                problem = f"the database {database!r} is not a number"
    except ValueError as exc:
        problem = str(exc)
    if problem:
        raise ClusterConfigError(f"CLUSTER_REDIS_URL={redact_url(url)!r} is not a Redis URL: {problem}")


def check_state_url(url: str) -> None:
    problem = None
    try:
        parts = urlsplit(url)
        if parts.scheme not in POSTGRES_SCHEMES:
            problem = "the scheme must be postgresql:// (the shared state store is PostgreSQL)"
        else:
            parts.port  # noqa: B018
            from psycopg.conninfo import conninfo_to_dict

            conninfo_to_dict(url)
    except ValueError as exc:
        problem = str(exc)
    except Exception as exc:  # psycopg.ProgrammingError: libpq could not parse it
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if problem:
        raise ClusterConfigError(f"STATE_URL={redact_url(url)!r} is not a PostgreSQL URL: {problem}")


def apply_cluster_settings(settings) -> None:
    """Install the cluster's components in *settings* (a crawler's, before it starts)."""
    if not cluster_enabled(settings):
        return
    settings.set("SCHEDULER", "crawler.cluster.scheduler.ClusterScheduler", priority="cmdline")
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    for scheme in ("http", "https"):
        handlers[scheme] = "crawler.cluster.politeness.PoliteClusterDownloadHandler"
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="cmdline")
    extensions = settings.getdict("EXTENSIONS")
    extensions["crawler.cluster.extension.ClusterExtension"] = 5
    settings.set("EXTENSIONS", extensions, priority="cmdline")
    middlewares = settings.getdict("SPIDER_MIDDLEWARES")
    middlewares["crawler.cluster.discovery.DiscoveryLockMiddleware"] = 1
    settings.set("SPIDER_MIDDLEWARES", middlewares, priority="cmdline")
