"""Per-run identity and log file inside OUTPUT_DIR.

Every file a run writes is named after one run id (UTC start time), and the
run's log goes to ``OUTPUT_DIR/logs/RUN_ID.log`` in addition to stderr, so
an unattended cron run leaves its own record next to its data.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
LOG_DIR = "logs"
RUN_ID_FORMAT = "%Y%m%dT%H%M%SZ"


def free_run_id(now: datetime, node: str | None, taken: Callable[[str], bool]) -> str:
    """The id of a run started at ``now``: its UTC second, or the first later second whose id
    no earlier run in this OUTPUT_DIR holds. Two runs started within one second (a short
    crawl followed by the next, or cron and a hand-started run) would otherwise share a
    log and a manifest, and the second would overwrite the first's."""
    moment = now.astimezone(timezone.utc)
    while True:
        stamp = moment.strftime(RUN_ID_FORMAT)
        run_id = f"{stamp}-{node}" if node else stamp
        if not taken(run_id):
            return run_id
        moment += timedelta(seconds=1)


def run_id_of(crawler) -> str:
    """One id per crawl, shared by every component that names a file: the UTC start time,
    followed by the node's name in a cluster or with a shared state store."""
    if not hasattr(crawler, "news_run_id"):
        from crawler.manifest import MANIFEST_DIR

        output_dir = output_dir_of(crawler)

        def taken(run_id: str) -> bool:
            return (output_dir / LOG_DIR / f"{run_id}.log").exists() or (
                output_dir / MANIFEST_DIR / f"{run_id}.json"
            ).exists()

        crawler.news_run_id = free_run_id(datetime.now(timezone.utc), node_name_of(crawler), taken)
    return crawler.news_run_id


def node_name_of(crawler) -> str | None:
    """This crawl's node name, or None for the one-machine default.

    A node is named as soon as its files could meet another process's: in a cluster
    (``CLUSTER_REDIS_URL``), with a shared state store (``STATE_URL``, whose list of
    committed files is shared), or when ``CLUSTER_NODE_NAME`` is given.
    """
    settings = crawler.settings
    if not (settings.get("CLUSTER_NODE_NAME") or settings.get("CLUSTER_REDIS_URL") or settings.get("STATE_URL")):
        return None
    from crawler.cluster.settings import node_name

    return node_name(settings)


def output_dir_of(crawler) -> Path:
    return Path(crawler.settings.get("OUTPUT_DIR") or "output")


class OutputDirError(RuntimeError):
    """OUTPUT_DIR cannot be created or written to."""


def ensure_writable_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        # A probe of its own: with one shared name, two processes checking the same folder
        # (cluster nodes on one OUTPUT_DIR) removed each other's probe, and the second
        # unlink's ENOENT read as "not writable".
        with tempfile.TemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise OutputDirError(f"OUTPUT_DIR {path} is not writable: {exc.strerror or exc}") from exc
    return path


class RunLogExtension:
    """Adds a file handler for this run's log under OUTPUT_DIR/logs/."""

    def __init__(self, log_path: Path, level: str):
        self.log_path = log_path
        self.handler = logging.FileHandler(log_path, encoding="utf-8")
        self.handler.setLevel(level)
        self.handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root = logging.getLogger()
        root.addHandler(self.handler)
        # The run log keeps its own level even when the console is quieter.
        if root.level != logging.NOTSET and root.level > self.handler.level:
            root.setLevel(self.handler.level)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("OUTPUT_RUN_LOG", True):
            raise NotConfigured
        logs_dir = ensure_writable_dir(output_dir_of(crawler) / LOG_DIR)
        extension = cls(logs_dir / f"{run_id_of(crawler)}.log", crawler.settings.get("OUTPUT_LOG_LEVEL") or "INFO")
        crawler.news_log_path = extension.log_path
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self):
        logging.getLogger().removeHandler(self.handler)
        self.handler.close()
