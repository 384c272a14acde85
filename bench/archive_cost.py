"""``bench/run.py --archive``: the same crawl with the WARC archive on and off, side by side."""

from __future__ import annotations

from pathlib import Path


def warc_bytes(output_dir: str) -> int:
    return sum(path.stat().st_size for path in (Path(output_dir) / "warc").rglob("*.warc.gz"))


def figures(with_archive: dict, without_archive: dict) -> list[dict]:
    rows = []
    for pages, on in with_archive.items():
        off = without_archive[pages]
        size = warc_bytes(on.output_dir)
        rows.append({
            "pages": pages,
            "pages_per_second_on": on.pages / on.wall_seconds,
            "pages_per_second_off": off.pages / off.wall_seconds,
            "cpu_seconds_per_page_on": on.cpu_seconds / on.pages,
            "cpu_seconds_per_page_off": off.cpu_seconds / off.pages,
            "main_cpu_seconds_per_page_on": on.main_cpu_seconds / on.pages,
            "main_cpu_seconds_per_page_off": off.main_cpu_seconds / off.pages,
            "warc_bytes": size,
            "warc_bytes_per_article": size / on.items_written if on.items_written else 0.0,
            "items_on": on.items_written,
            "items_off": off.items_written,
        })
    return rows


def format_section(rows: list[dict]) -> str:
    lines = ["", "archive on vs off (ARCHIVE_ENABLED):"]
    for row in rows:
        lines.append(
            f"N={row['pages']}: {row['pages_per_second_on']:.1f} vs {row['pages_per_second_off']:.1f} pages/s "
            f"({row['pages_per_second_on'] / row['pages_per_second_off'] - 1:+.1%}), "
            f"CPU {row['cpu_seconds_per_page_on'] * 1000:.1f} vs {row['cpu_seconds_per_page_off'] * 1000:.1f} ms/page "
            f"(Scrapy process {row['main_cpu_seconds_per_page_on'] * 1000:.1f} vs {row['main_cpu_seconds_per_page_off'] * 1000:.1f}), "
            f"WARC {row['warc_bytes_per_article'] / 1024:.1f} kB/article, items {row['items_on']} / {row['items_off']}"
        )
    return "\n".join(lines)
