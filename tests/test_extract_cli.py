"""``python -m crawler extract`` through the real CLI: schema-valid crawl records, many files, exit status.

The pages are the sample site's, saved with ``{{BASE_URL}}`` filled in as a real site's
address, so their canonical links give each file its URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.health.item_checks import load_validator
from crawler.local_site import SAMPLE_SITE, fill_base_url

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "news/2025/02/27/us-russia-talks-istanbul.html"
ENGLISH = "en/news/2025/03/05/morocco-desalination-drought.html"


def run_extract(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "extract", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def save(page: str, folder: Path, base_url: str = "https://sample.example", name: str | None = None) -> Path:
    target = folder / (name or Path(page).name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(fill_base_url((SAMPLE_SITE / page).read_bytes(), base_url))
    return target


def sample_articles() -> list[str]:
    expected = json.loads((SAMPLE_SITE / "_expected.json").read_text(encoding="utf-8"))
    return [path.lstrip("/") for path, page in expected.items() if page["kind"] == "article" and page["language"] == "ar"]


@pytest.fixture(scope="module")
def validator():
    return load_validator()


def test_one_page_gives_one_schema_valid_line_with_the_crawl_fields(tmp_path, validator):
    page = save(ARTICLE, tmp_path)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    result = run_extract(page)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert list(validator.iter_errors(record)) == []
    assert record["url"] == record["canonical_url"] == f"https://sample.example/{ARTICLE}"
    assert record["source"] == "sample.example" and record["domain"] == "sample.example"
    assert record["version"] == 1 and record["duplicate_of"] is None and record["schema_version"] == 2
    fetched = datetime.fromisoformat(record["fetched_at"])
    assert fetched.utcoffset() == timedelta(0)
    assert before <= fetched <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert len(record["content_hash"]) == 32
    assert "html" not in record and "fingerprint_text" not in record


def test_source_comes_from_the_registry_for_its_domain_or_from_the_option(tmp_path):
    page = save(ARTICLE, tmp_path, base_url="https://www.youm7.com")
    registry = json.loads(run_extract(page).stdout)
    assert (registry["source"], registry["domain"]) == ("youm7", "youm7.com")
    chosen = json.loads(run_extract(page, "--source", "my-outlet").stdout)
    assert chosen["source"] == "my-outlet"


def test_url_option_overrides_the_canonical_link(tmp_path):
    page = save(ARTICLE, tmp_path)
    record = json.loads(run_extract(page, "--url", "https://other.example/a/1").stdout)
    assert record["url"] == "https://other.example/a/1"
    assert record["source"] == "other.example"


def test_folder_gives_one_line_per_article_and_one_error_line_per_bad_file(tmp_path, validator):
    folder = tmp_path / "saved"
    articles = sample_articles()
    for index, path in enumerate(articles):
        save(path, folder / f"sub{index % 2}", name=f"{index}.html" if index % 3 else f"{index}.HTM")
    save(ENGLISH, folder, name="english.html")
    (folder / "picture.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "no-url.html").write_bytes(
        fill_base_url((SAMPLE_SITE / ARTICLE).read_bytes(), "x").replace(b'rel="canonical"', b'rel="x"').replace(b"og:url", b"og:x")
    )
    (folder / "mojibake.html").write_bytes(
        b'<html><head><meta charset="utf-8"><link rel="canonical" href="https://sample.example/m"></head>'
        b"<body><p>" + bytes(range(0x80, 0x100)) * 20 + b"</p></body></html>"
    )
    (folder / "notes.txt").write_text("not looked at: not .html", encoding="utf-8")

    result = run_extract(folder)
    assert result.returncode == 1, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(articles) >= 3
    for record in records:
        assert list(validator.iter_errors(record)) == [], record["url"]
    assert {record["url"] for record in records} == {f"https://sample.example/{path}" for path in articles}
    for name in records[0]:
        kinds = {type(record[name]).__name__ for record in records} - {"NoneType"}
        assert len(kinds) <= 1, (name, kinds)
    errors = result.stderr.splitlines()
    assert any(line.startswith(str(folder / "english.html")) and "not_arabic" in line for line in errors)
    assert any(line.startswith(str(folder / "picture.html")) and "not HTML" in line for line in errors)
    assert any(line.startswith(str(folder / "no-url.html")) and "no URL" in line and "--url" in line for line in errors)
    assert any(line.startswith(str(folder / "mojibake.html")) and "undecodable" in line for line in errors)
    assert not any("notes.txt" in line for line in errors)
    assert errors[-1] == (
        f"extract: {len(articles) + 4} file(s), {len(articles)} article(s), "
        "skipped no_url=1, not_arabic=1, not_html=1, undecodable=1"
    )
    assert len(errors) == 5 and "Traceback" not in result.stderr


def test_pretty_prints_the_indented_record(tmp_path):
    page = save(ARTICLE, tmp_path)
    result = run_extract(page, "--pretty")
    assert result.returncode == 0
    assert result.stdout.startswith('{\n  "url": ')
    assert json.loads(result.stdout)["canonical_url"].endswith(ARTICLE)


def test_no_article_exits_3_and_says_why(tmp_path):
    english = save(ENGLISH, tmp_path)
    result = run_extract(english)
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.startswith(f"{english}: not an article: not_arabic")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("missing.html",), "no such file or folder: missing.html"),
        (("{a}", "{b}", "--url", "https://x.example/1"), "--url names one page: give one file (got 2 paths)"),
        ((".", "--url", "https://x.example/1"), "--url names one page: give one file (got a folder)"),
        (("{a}", "--url", "ftp://x.example/1"), "--url 'ftp://x.example/1': expected an absolute http(s) URL"),
        (("{a}", "--source", "bad name"), "--source 'bad name'"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path, args, message):
    a, b = save(ARTICLE, tmp_path, name="a.html"), save(ARTICLE, tmp_path, name="b.html")
    result = run_extract(*(arg.format(a=a, b=b) for arg in args), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr


def test_reader_closing_the_pipe_stops_the_command_quietly(tmp_path):
    # ``python -m crawler extract DIR | head -1``: the reader leaves after one record.
    for number in range(20):
        save(ARTICLE, tmp_path, name=f"copy-{number}.html")
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "extract", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    first = json.loads(process.stdout.readline())
    process.stdout.close()
    stderr = process.communicate(timeout=120)[1].decode()
    assert first["url"]
    assert process.returncode == 141, stderr
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
