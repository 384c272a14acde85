"""Checks before a cluster node starts: its settings, its servers, its name.

A wrong setting is a configuration error (exit status 2) and names the setting; a server
that cannot be reached is a failed run (exit status 1) and names the setting too, so the
operator knows which of the two URLs to look at. Nothing is fetched or written before.
"""

from __future__ import annotations

from crawler.cluster.settings import ClusterConfigError, check_settings, node_name
from crawler.state import redact_url

EXIT_FAILED = 1
EXIT_CONFIG = 2


def preflight(settings, spider_name: str = "news") -> tuple[int, str] | None:
    """(exit status, message) when this node cannot start, or None."""
    try:
        check_settings(settings)
    except ClusterConfigError as exc:
        return EXIT_CONFIG, str(exc)
    redis_url = settings.get("CLUSTER_REDIS_URL")
    if redis_url:
        problem = check_redis(settings, str(redis_url), spider_name)
        if problem:
            return problem
    state_url = settings.get("STATE_URL")
    if state_url:
        problem = check_postgres(str(state_url))
        if problem:
            return EXIT_FAILED, problem
    return None


def check_redis(settings, url: str, spider_name: str) -> tuple[int, str] | None:
    import redis

    from crawler.cluster.coordinator import Coordinator
    from crawler.cluster.node import key_prefix, redis_client

    client = redis_client(url)
    try:
        client.ping()
        name = node_name(settings)
        holder = Coordinator(client, key_prefix(settings, spider_name), name, 1.0, "").name_in_use()
    except redis.RedisError as exc:
        return EXIT_FAILED, f"cannot reach Redis at CLUSTER_REDIS_URL={redact_url(url)}: {exc}"
    finally:
        client.close()
    if holder is not None:
        return EXIT_CONFIG, (
            f"CLUSTER_NODE_NAME={name!r} is in use by a live node (host {holder.get('host')}, "
            f"pid {holder.get('pid')}); give every node its own name"
        )
    return None


def check_postgres(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=10) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"cannot reach PostgreSQL at STATE_URL={redact_url(url)}: {detail}"
    return None
