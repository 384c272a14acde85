"""The README's loading snippets (pandas, polars, jq), run as written on a real crawl's output.

The sample site is crawled into ``output/`` of a temporary folder, the snippets run there,
and their frames must have the types the README promises: the ``*_at`` times in UTC
whatever offset each page stated, ``agency`` and ``duplicate_of`` as text even when every
value is null, lists for ``authors`` and ``tags``. Every field must also have one JSON type
across the items, null aside.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.items import ARTICLE_FIELDS
from crawler.local_site import SAMPLE_SITE, serve_directory
from tests.crawling import run_crawl

README = Path(__file__).resolve().parent.parent / "README.md"
TIME_FIELDS = ("published_at", "modified_at", "fetched_at")
TEXT_OR_NULL = ("agency", "duplicate_of")
LIST_FIELDS = ("authors", "tags")


def readme_block(language: str, containing: str) -> str:
    """The README's fenced ``language`` block that holds ``containing``."""
    section = README.read_text(encoding="utf-8").split("### Loading the data", 1)[1]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)
    matching = [block for block in blocks if containing in block]
    assert len(matching) == 1, f"expected one {language} block with {containing!r} in the README's loading section"
    return matching[0]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    """A folder whose ``output/`` holds a crawl of the sample site, as the snippets expect."""
    folder = tmp_path_factory.mktemp("loading")
    with serve_directory(SAMPLE_SITE) as site:
        run_crawl(folder / "output", sitemap=site.url("/sitemap.xml"))
    assert list((folder / "output" / "data").rglob("*.jsonl"))
    return folder


@pytest.fixture(scope="module")
def records(crawled) -> list[dict]:
    found = []
    for path in sorted((crawled / "output" / "data").rglob("*.jsonl")):
        found.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    # The point of the README's conversions: offsets that differ from one article to the next.
    assert len({record["published_at"][-6:] for record in found if record["published_at"]}) > 1
    return found


def utc(value: str | None):
    return datetime.fromisoformat(value).astimezone(timezone.utc) if value else None


def run_snippet(code: str, folder: Path, monkeypatch) -> dict:
    monkeypatch.chdir(folder)
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    return namespace


def test_every_field_has_one_json_type_across_items(records):
    types = defaultdict(set)
    for record in records:
        assert list(record) == list(ARTICLE_FIELDS)
        for name, value in record.items():
            types[name].add(type(value).__name__)
    for name, found in types.items():
        assert len(found - {"NoneType"}) <= 1, f"{name} has the JSON types {sorted(found)}"
    assert types["language_score"] == {"float"}
    assert types["authors"] == types["tags"] == {"list"}


def test_pandas_snippet_gives_utc_times_text_and_lists(crawled, records, monkeypatch):
    import pandas as pd

    df = run_snippet(readme_block("python", "import pandas"), crawled, monkeypatch)["df"]
    assert len(df) == len(records)
    for name in TIME_FIELDS:
        assert isinstance(df[name].dtype, pd.DatetimeTZDtype) and str(df[name].dtype.tz) == "UTC", name
        assert [None if pd.isna(v) else v.to_pydatetime() for v in df[name]] == [utc(r[name]) for r in records]
    for name in TEXT_OR_NULL:
        assert pd.api.types.is_string_dtype(df[name].dtype), (name, df[name].dtype)
        assert [None if pd.isna(v) else v for v in df[name]] == [r[name] for r in records]
    for name in LIST_FIELDS:
        assert [list(v) for v in df[name]] == [r[name] for r in records]
    assert df["language_score"].dtype == "float64" and df["word_count"].dtype == "int64"
    assert list(df["published_time"]) == [r["published_time"] for r in records]


def test_polars_snippet_gives_utc_times_text_and_lists(crawled, records, monkeypatch):
    import polars as pl

    df = run_snippet(readme_block("python", "import polars"), crawled, monkeypatch)["df"]
    assert df.height == len(records)
    rows = sorted(df.iter_rows(named=True), key=lambda row: row["url"])
    expected = sorted(records, key=lambda record: record["url"])
    for name in TIME_FIELDS:
        assert df.schema[name] == pl.Datetime("us", "UTC"), name
        assert [row[name] for row in rows] == [utc(record[name]) for record in expected]
    for name in TEXT_OR_NULL:
        assert df.schema[name] == pl.String
    for name in LIST_FIELDS:
        assert df.schema[name] == pl.List(pl.String)
        assert [row[name] for row in rows] == [record[name] for record in expected]
    assert df.schema["language_score"] == pl.Float64


def test_jq_snippets_print_utc_times_counts_and_agencies(crawled, records):
    if shutil.which("jq") is None:
        # Under CI .ci/run installs jq: a skip there would hide a broken install.
        if os.environ.get("CI"):
            pytest.fail("jq is not installed")
        pytest.skip("jq is not installed (.ci/run installs it)")
    commands = [line for line in readme_block("sh", "jq ").splitlines() if line.startswith("jq ")]
    assert len(commands) == 3
    outputs = [
        subprocess.run(["bash", "-c", command], cwd=crawled, capture_output=True, text=True, check=True, timeout=60).stdout
        for command in commands
    ]
    dated = [record for record in records if record["published_at"]]
    assert sorted(outputs[0].splitlines()) == sorted(
        f"{utc(r['published_at']).strftime('%Y-%m-%dT%H:%M:%SZ')}\t{r['source']}\t{r['title']}" for r in dated
    )
    counts = defaultdict(int)
    for record in records:
        counts[record["source"]] += 1
    assert json.loads(outputs[1]) == [{"source": name, "articles": n} for name, n in sorted(counts.items())]
    assert [json.loads(line) for line in outputs[2].splitlines()] == [
        {"url": r["url"], "agency": r["agency"]} for r in records if r["agency"] is not None
    ]
