"""Re-extraction of a CC-NEWS-style WARC file: only the Arabic articles of registry sites come out.

The file is built here in the CC-NEWS layout (``tests/warc_fixtures.py``): real Arabic pages
in UTF-8, in windows-1256 and gzip-encoded, an English and a Persian article on registry
domains, an Arabic page on a site outside the registry, and the records every real file
has a few of: an image, a redirect, a revisit, a resource record, and a damaged member.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import REPO, SHARED
from tests.warc_fixtures import Page, gzipped, write_ccnews_file

EVAL = SHARED / "eval" / "arabic-news"
YOUM7 = "https://www.youm7.com/story/2020/8/24/" + quote("وزير-الرى") + "/4943459"
BBC_ARABIC = "https://www.bbc.com/arabic/articles/c720dxj8dq8o"
ASSABAH = "http://www.assabah.com.tn/article/164913/"
OFF_REGISTRY = "https://news.example.org/2024/05/20/story.html"

ENGLISH = " ".join(
    f"Officials in the capital said on {day} that the new water agreement would be reviewed by the committee, "
    f"which expects to publish its findings before the end of the season after hearing from {n} regional experts."
    for n, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"], start=3)
)
PERSIAN = " ".join(
    f"به گزارش خبرگزاری‌ها، وزیر نیرو روز {day} اعلام کرد که طرح تازه مدیریت آب در {n} استان کشور اجرا می‌شود "
    "و کارشناسان می‌گویند این برنامه می‌تواند مصرف آب کشاورزی را در سال‌های آینده کاهش دهد."
    for n, day in enumerate(["شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه"], start=4)
)


def article_page(title: str, text: str, lang: str) -> bytes:
    paragraphs = "".join(f"<p>{sentence.strip()}.</p>" for sentence in text.split(".") if sentence.strip())
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:type" content="article"></head><body><article><h1>{title}</h1>{paragraphs}'
        "</article></body></html>"
    ).encode("utf-8")


def windows_1256(html: bytes) -> bytes:
    text = html.decode("utf-8")
    text = re.sub(r'charset="?utf-8"?', 'charset="windows-1256"', text, flags=re.I)
    return text.encode("cp1256", errors="xmlcharrefreplace")


@pytest.fixture(scope="module")
def ccnews_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ccnews")
    html = "text/html"
    pages = [
        Page(YOUM7, (EVAL / "08_youm7.html").read_bytes()),
        Page(BBC_ARABIC, windows_1256((EVAL / "04_bbcarabic.html").read_bytes()),
             headers=[("Content-Type", f"{html}; charset=windows-1256")]),
        Page(ASSABAH, gzipped((EVAL / "02_assabah.html").read_bytes()),
             headers=[("Content-Type", f"{html}; charset=utf-8"), ("X-Crawler-Content-Encoding", "gzip"), ("Content-Encoding", "gzip")],
             with_request=False),
        Page("https://www.bbc.com/news/articles/water-agreement", article_page("Water agreement", ENGLISH, "en")),
        Page("https://www.bbc.com/persian/articles/water-plan", article_page("طرح آب", PERSIAN, "fa")),
        Page(OFF_REGISTRY, (EVAL / "13_youm7_2024a.html").read_bytes()),
        Page("https://www.youm7.com/images/photo.jpg", b"\xff\xd8\xff\xe0" + bytes(200), headers=[("Content-Type", "image/jpeg")]),
        Page("https://www.youm7.com/old", b"", headers=[("Location", "https://www.youm7.com/new")], status="301 Moved Permanently"),
    ]
    path = write_ccnews_file(folder / "CC-NEWS-20240520101112-00001.warc.gz", pages)
    with open(path, "ab") as handle:
        from warcio.warcwriter import WARCWriter
        import io

        writer = WARCWriter(handle, gzip=True, warc_version="1.0")
        writer.write_record(writer.create_warc_record("https://www.youm7.com/file.txt", "resource", payload=io.BytesIO(b"x"), length=1))
        writer.write_record(writer.create_revisit_record(YOUM7, "sha1:AAAA", YOUM7, "2024-05-19T00:00:00Z"))
    # A member cut short in the middle of the file: the next member must still be read.
    data = path.read_bytes()
    members = [m.start() for m in re.finditer(b"\x1f\x8b\x08", data)]
    cut = members[3]  # the first page's response member (after warcinfo, request, response)
    damaged = data[: members[2]] + data[members[2] : members[2] + 40] + data[cut:]
    path.write_bytes(damaged + data[members[2]:cut])  # the first page again, intact, at the end
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "reextract", *args, "-s", "LOG_LEVEL=WARNING"],
        cwd=REPO, capture_output=True, text=True, timeout=180,
    )


def written(output: Path) -> list[dict]:
    return [json.loads(line) for path in sorted((output / "data").rglob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines()]


def test_only_the_arabic_articles_of_registry_sites_come_out(ccnews_file, tmp_path):
    output = tmp_path / "out"
    result = run("--from", str(ccnews_file), "--to", str(output))
    assert result.returncode == 0, result.stderr
    records = written(output)
    assert sorted(r["url"] for r in records) == sorted([YOUM7, BBC_ARABIC, ASSABAH])
    assert {r["url"]: r["source"] for r in records} == {YOUM7: "youm7", BBC_ARABIC: "bbcarabic", ASSABAH: "assabah"}
    assert all(r["language"] == "ar" and r["fetched_at"] == "2024-05-20T10:11:12+00:00" for r in records)
    bbc = next(r for r in records if r["url"] == BBC_ARABIC)
    assert "ال" in bbc["text"] and "\ufffd" not in bbc["text"]  # windows-1256 decoded, not mangled
    manifest = json.loads(next((output / "manifests").glob("*.json")).read_text(encoding="utf-8"))
    assert manifest["totals"]["articles_emitted"] == 3
    out = result.stdout
    assert "not_arabic=2" in out
    for reason in ("truncated=1", "not_html=1", "http_status=1", "no_http_response=2"):
        assert reason in out, out
    assert "domain=1" in out  # the off-registry page


def test_domain_option_takes_sites_outside_the_registry(ccnews_file, tmp_path):
    output = tmp_path / "out"
    result = run("--from", str(ccnews_file), "--to", str(output), "--domain", "example.org")
    assert result.returncode == 0, result.stderr
    (record,) = written(output)
    assert record["url"] == OFF_REGISTRY and record["source"] == "news.example.org"


def test_bad_arguments_are_config_errors(tmp_path):
    assert run("--from", str(tmp_path / "missing.warc.gz"), "--to", str(tmp_path / "o")).returncode == 2
    (tmp_path / "empty").mkdir()
    assert run("--from", str(tmp_path / "empty"), "--to", str(tmp_path / "o")).returncode == 2
    assert run("--from", str(tmp_path), "--to", str(tmp_path / "o"), "--since", "yesterday").returncode == 2
