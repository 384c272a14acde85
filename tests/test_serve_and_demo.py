"""``python -m crawler serve`` and ``python -m crawler demo`` through the real CLI."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from crawler.demo import DEMO_SOURCE
from crawler.local_site import SAMPLE_SITE

ROOT = Path(__file__).resolve().parent.parent
SERVING = re.compile(r"^Serving (?P<root>.+) at (?P<url>http://127\.0\.0\.1:(?P<port>\d+)/) \(Ctrl-C to stop\)$")
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def start_serve(directory: Path, *args: str) -> tuple[subprocess.Popen, re.Match]:
    server = subprocess.Popen(
        [sys.executable, "-m", "crawler", "serve", str(directory), "--port", "0", *args],
        cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    first = server.stdout.readline().rstrip("\n")
    match = SERVING.match(first)
    if match is None:
        server.kill()
        raise AssertionError(f"unexpected first line {first!r}; stderr: {server.stderr.read()}")
    return server, match


@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM])
def test_serve_fills_placeholders_and_stops_cleanly(stop_with):
    server, serving = start_serve(SAMPLE_SITE)
    try:
        base = serving["url"].rstrip("/")
        assert int(serving["port"]) > 0
        assert Path(serving["root"]) == SAMPLE_SITE.resolve()
        assert server.stdout.readline().strip() == f"Crawl it: scrapy crawl news -a sitemap={base}/sitemap.xml"
        with urllib.request.urlopen(f"{base}/sitemap.xml", timeout=10) as response:
            sitemap = response.read().decode("utf-8")
        with urllib.request.urlopen(f"{base}/news/2025/02/27/us-russia-talks-istanbul.html", timeout=10) as response:
            page = response.read().decode("utf-8")
        assert "{{BASE_URL}}" not in sitemap and "{{BASE_URL}}" not in page
        assert f"<loc>{base}/" in sitemap
        assert f'href="{base}/news/2025/02/27/us-russia-talks-istanbul.html"' in page
    finally:
        server.send_signal(stop_with)
        out, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    assert out.strip().endswith("Stopped.")
    assert "Traceback" not in err


def test_serve_refuses_what_is_not_a_folder(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "serve", str(tmp_path / "missing")],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: not a folder: {tmp_path / 'missing'}"


def test_serve_rejects_a_bad_port():
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "serve", str(SAMPLE_SITE), "--port", "70000"],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "expected a port number from 0 to 65535, got '70000'" in result.stderr


def test_demo_writes_to_the_stable_sample_source_each_time(tmp_path):
    def demo() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "crawler", "demo", "--output-dir", str(tmp_path)],
            cwd=ROOT, env=ENV, capture_output=True, text=True, encoding="utf-8", timeout=240,
        )

    first = demo()
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"crawling it as source {DEMO_SOURCE!r}" in first.stdout
    assert [path.name for path in (tmp_path / "data").iterdir()] == [DEMO_SOURCE]
    files = sorted((tmp_path / "data" / DEMO_SOURCE).glob("*.jsonl"))
    assert len(files) == 1
    assert f"  {files[0]}" in first.stdout.splitlines()
    # A second demo into the same folder is an incremental run of the same source: it
    # finds nothing new, and writes no folder named after a new port.
    second = demo()
    assert second.returncode == 0, second.stdout + second.stderr
    assert [path.name for path in (tmp_path / "data").iterdir()] == [DEMO_SOURCE]
    assert "Wrote 0 articles" in second.stdout
    written = int(re.search(r"^Wrote (\d+) articles", first.stdout, flags=re.MULTILINE)[1])
    assert written >= 3
    assert f"Nothing new: the {written} articles of the sample site are already in {tmp_path}" in second.stdout
