"""Real Redis and PostgreSQL servers for the tests, on free ports in temporary folders.

What pytest-redis and pytest-postgresql do, with what this project needs besides: the
servers run as the ``postgres`` user when the tests run as root (``initdb`` and
``postgres`` refuse root, and CI runs as root), in a folder that user owns; a test can
stop a server in the middle of a crawl; and each test gets its own PostgreSQL schema,
which costs a millisecond where a database would cost a template copy.

When the binaries are missing the tests that need them are skipped, except under CI
(``CI`` set), where ``.ci/run`` installs them and a skip would hide a broken install.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

SERVICE_USER = "postgres"
START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed; .ci/run should have installed it")
    pytest.skip(f"{what} is not installed")


def postgres_binary(name: str) -> str | None:
    """Debian keeps initdb and pg_ctl in /usr/lib/postgresql/VERSION/bin, off PATH."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda path: int(path.split("/")[4]))
    return candidates[-1] if candidates else None


def as_service_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVICE_USER, "--", *command] if os.geteuid() == 0 else command


def service_owned_dir(prefix: str) -> Path:
    """A fresh folder the server's user owns (under /tmp: pytest's root-only temp folders
    are not reachable by another user)."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(directory, SERVICE_USER, SERVICE_USER)
    return directory


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except Exception:  # the server is still starting
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not start in {timeout:.0f}s")
        time.sleep(0.05)


@dataclass
class PostgresServer:
    root: Path
    port: int
    pg_ctl: str
    schemas: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def schema_url(self, schema: str) -> str:
        """A URL whose connections work in *schema* only (search_path set at connect)."""
        return f"{self.url}?options={quote(f'-c search_path={schema}')}"

    def new_schema(self) -> str:
        """The URL of a fresh, empty schema: one test's own database, in effect."""
        import psycopg

        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {schema}")
        self.schemas.append(schema)
        return self.schema_url(schema)

    def is_ready(self) -> bool:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=2) as connection:
            return connection.execute("SELECT 1").fetchone() == (1,)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        subprocess.run(
            as_service_user([self.pg_ctl, "-D", str(self.root / "data"), "-o", options, "-l", str(self.root / "server.log"), "-w", "start"]),
            check=True, capture_output=True, timeout=120,
        )
        wait_until(self.is_ready, START_TIMEOUT_SECONDS, "PostgreSQL")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``immediate`` drops every connection at once, as a crash would."""
        subprocess.run(
            as_service_user([self.pg_ctl, "-D", str(self.root / "data"), "-m", mode, "-w", "stop"]),
            check=False, capture_output=True, timeout=60,
        )


@contextmanager
def postgres_server():
    initdb, pg_ctl = postgres_binary("initdb"), postgres_binary("pg_ctl")
    if not (initdb and pg_ctl):
        missing("PostgreSQL (initdb, pg_ctl)")
    root = service_owned_dir("news-pg-")
    port = free_port()
    server = PostgresServer(root, port, pg_ctl)
    try:
        subprocess.run(
            as_service_user([initdb, "-D", str(root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
            check=True, capture_output=True, timeout=120,
        )
        server.start()
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class RedisServer:
    process: subprocess.Popen
    port: int
    root: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def is_ready(self) -> bool:
        with closing(self.client()) as client:
            return bool(client.ping())

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)


@contextmanager
def redis_server():
    binary = shutil.which("redis-server")
    if not binary:
        missing("redis-server")
    root = Path(tempfile.mkdtemp(prefix="news-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(root), "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    server = RedisServer(process, port, root)
    try:
        wait_until(server.is_ready, START_TIMEOUT_SECONDS, "Redis")
        yield server
    finally:
        server.stop(signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)
