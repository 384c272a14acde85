"""The dataset card: ``README.md`` in DEST, in the Hugging Face convention.

The YAML header is built as data and dumped with PyYAML (so quoting is never a template's
job): ``language``, task categories, ``configs`` with their ``data_files`` globs (all
sources, then one configuration per source) and ``dataset_info`` with the features,
derived from the same Arrow schema the shards are written with, and the row count. The
body comes from the Jinja2 template ``dataset_card.md.j2`` beside this module: counts
per source and month, the date range, the duplicate policy, the schema, the crawler
version and how to cite the sources.
"""

from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pyarrow as pa
import yaml

import crawler
from crawler.export.schema import Column, hf_feature

logger = logging.getLogger(__name__)

TEMPLATE = "dataset_card.md.j2"
CARD_FILE = "README.md"
SPLIT = "train"
# What a news corpus is used for on the Hub: language models and topic labels (section, tags).
TASK_CATEGORIES = ["text-generation", "fill-mask", "text-classification"]
TASK_IDS = ["language-modeling", "masked-language-modeling", "topic-classification"]
# Hub size buckets: (upper bound, label).
SIZE_CATEGORIES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M")]
# A configuration named like this would shadow the one with every source.
RESERVED_CONFIG_NAMES = {"default"}


@dataclass(frozen=True)
class SourceInfo:
    name: str
    outlet: str
    domains: tuple[str, ...]
    country: str | None
    rows: int


def size_category(rows: int) -> str:
    for bound, label in SIZE_CATEGORIES:
        if rows < bound:
            return label
    return "n>100M"


def crawler_version() -> str:
    """The package version, and the commit when the package is a git checkout."""
    version = crawler.__version__
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(crawler.__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return version
    sha = commit.stdout.strip()
    return f"{version} ({sha})" if commit.returncode == 0 and re.fullmatch(r"[0-9a-f]{4,40}", sha) else version


def data_files_glob(data_dir: str, suffix: str, source: str = "*") -> str:
    return f"{data_dir}/source={source}/month=*/*{suffix}"


def yaml_header(
    *,
    pretty_name: str,
    total_rows: int,
    columns: list[Column],
    data_dir: str,
    suffix: str,
    source_dirs: list[str],
    total_bytes: int,
    data_bytes: int,
) -> dict:
    configs = [{"config_name": "default", "default": True, "data_files": [{"split": SPLIT, "path": data_files_glob(data_dir, suffix)}]}]
    if len(source_dirs) > 1:
        configs += [
            {"config_name": name, "data_files": [{"split": SPLIT, "path": data_files_glob(data_dir, suffix, name)}]}
            for name in source_dirs
            if name not in RESERVED_CONFIG_NAMES
        ]
    return {
        "language": ["ar"],
        "multilinguality": "monolingual",
        "pretty_name": pretty_name,
        "size_categories": [size_category(total_rows)],
        "task_categories": TASK_CATEGORIES,
        "task_ids": TASK_IDS,
        "annotations_creators": ["no-annotation"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        # The texts are the publishers'; no licence can be granted for them here.
        "license": "other",
        "tags": ["news", "arabic", "web-crawl"],
        "configs": configs,
        "dataset_info": {
            "config_name": "default",
            "features": [{"name": column.name, **hf_feature(column.type)} for column in columns],
            "splits": [{"name": SPLIT, "num_bytes": data_bytes, "num_examples": total_rows}],
            "download_size": total_bytes,
            "dataset_size": data_bytes,
        },
    }


def markdown_cell(value) -> str:
    """A value that cannot break a Markdown table row."""
    return str(value if value is not None else "").replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def type_name(column: Column) -> str:
    """The Arrow type as a reader sees it (a dictionary-encoded column reads as its values)."""
    return arrow_type_name(column.type)


def arrow_type_name(arrow_type: pa.DataType) -> str:
    if pa.types.is_dictionary(arrow_type):
        return arrow_type_name(arrow_type.value_type)
    if pa.types.is_list(arrow_type):
        return f"list<{arrow_type_name(arrow_type.value_type)}>"
    return str(arrow_type)


def render_card(context: dict) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent),
        autoescape=False,  # Markdown, not HTML
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["cell"] = markdown_cell
    environment.filters["number"] = "{:,}".format
    return environment.get_template(TEMPLATE).render(**context)


def card_context(
    *,
    header: dict,
    columns: list[Column],
    partitions: list[dict],
    sources: list[SourceInfo],
    **facts,
) -> dict:
    header_text = yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=1000)
    described = [
        {"name": c.name, "type_name": type_name(c), "nullable": c.nullable, "description": c.description} for c in columns
    ]
    return {
        "yaml_header": header_text,
        "pretty_name": header["pretty_name"],
        "columns": described,
        "partitions": partitions,
        "sources": sources,
        **facts,
    }
