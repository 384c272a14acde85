"""Crawl throughput benchmark: the real ``scrapy crawl news`` against a local site, vs bare trafilatura.

    python bench/run.py [--pages 1000,2000,4000] [--keep] [--set NAME=VALUE ...]

One command, in this order:

1. builds a site of max(--pages) distinct Arabic article pages (``sitegen``) in a
   temporary folder, with a sitemap index per page count and a robots.txt;
2. serves it on 127.0.0.1 from a separate process (``serve_site.py``) and measures that
   server alone with concurrent fetches, so it is known not to be the bottleneck;
3. for each page count, runs ``scrapy crawl news -a sitemap=...`` with politeness off
   for localhost (robots.txt still obeyed) and every pipeline on, into a fresh
   OUTPUT_DIR, and measures wall time, CPU time and peak RSS of the crawl's whole
   process tree (``proctree``), and the items written;
4. runs ``trafilatura.extract(html, with_metadata=True, include_comments=False)`` in a
   plain loop over the same pages, already in memory;
5. prints a table and writes the figures to bench/results/latest.json.

See bench/README.md for how to read the figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import archive_cost
import proctree
import sitegen

logger = logging.getLogger(__name__)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results" / "latest.json"
DEFAULT_PAGES = (1000, 4000)
# The two sites (issue 17): today's five large real templates (260 kB on average), and every
# real template at its natural size within sitegen.NATURAL_SIZE_BAND_KB (ordinary pages,
# where the fixed cost per page weighs most).
SITES = ("large", "natural")

# Politeness is for other people's servers; robots.txt stays on (one request) so the
# crawl goes through the same middleware stack as a real one.
CRAWL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "64",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "64",
    "ROBOTSTXT_OBEY": "1",
}
# Before each measurement, wait (up to --quiet-wait seconds) until other processes use
# less than this many cores over a window.
QUIET_MAX_CORES = 0.2
QUIET_WINDOW_SECONDS = 2.0
# A measurement during which other processes used more cores than this is flagged.
NOISY_CORES = 0.25
# Issue 5's targets: crawl/bare at every size, peak-RSS growth of the tree from the
# smallest to the largest size, and the Scrapy process's peak.
TARGET_MIN_RATIO = 3.0
TARGET_MAX_TREE_RSS_GROWTH_PERCENT = 15.0
TARGET_MAX_MAIN_RSS_MB = 300.0
SERVER_PROBE_PAGES = 400
SERVER_PROBE_THREADS = 16
SERVER_START_TIMEOUT = 30.0
STATS_DUMP_MARK = "Dumping Scrapy stats:"
PIPELINES_RE = re.compile(r"Enabled item pipelines:\s*\[([^\]]*)\]")
STAT_LINE_RE = re.compile(r"'([^']+)':\s*(-?\d+(?:\.\d+)?)\b")
# Stats worth carrying into the results, by prefix or name.
KEPT_STAT_PREFIXES = (
    "news/",  # per-source copies (news/source/...) are left out in kept_stats
    "downloader/response_status_count/",
    "downloader/request_count",
    "downloader/response_bytes",
    "item_scraped_count",
    "item_dropped_count",
    "item_dropped_reasons_count/",
    "log_count/",
    "elapsed_time_seconds",
    "retry/",
)


@dataclass
class CrawlResult:
    pages: int
    wall_seconds: float
    cpu_seconds: float  # whole tree, from the kernel (subreaper rusage) when available
    cpu_seconds_sampled: float
    main_cpu_seconds: float
    cpu_source: str
    peak_tree_rss: int
    peak_main_rss: int
    max_processes: int
    processes_seen: int
    samples: int
    exit_code: int
    items_written: int
    items_with_duplicate_of: int
    distinct_content_hashes: int
    server_cpu_seconds: float
    bench_cpu_seconds: float  # this process meanwhile: the sampler thread
    other_cpu_seconds: float  # everything else on the machine meanwhile: noise in the figures
    load_average_before: float
    stats: dict = field(default_factory=dict)
    pipelines: list = field(default_factory=list)
    output_dir: str = ""
    stderr_file: str = ""


@dataclass
class BareResult:
    pages: int
    wall_seconds: float
    cpu_seconds: float
    extracted: int
    other_cpu_seconds: float  # everything but this process on the machine meanwhile
    processes: int = 1


# --- site and server ---------------------------------------------------------------


def start_server(site_root: Path) -> tuple[subprocess.Popen, str]:
    """Start serve_site.py on ``site_root``; return the process and its base URL."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen(
        [sys.executable, str(BENCH / "serve_site.py"), str(site_root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=REPO,
        env=env,
        text=True,
    )
    line = read_line_with_timeout(process, SERVER_START_TIMEOUT)
    if not line.startswith("http://"):
        stop_server(process)
        raise RuntimeError(f"site server did not start (said {line!r})")
    return process, line.strip()


def read_line_with_timeout(process: subprocess.Popen, timeout: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else ""


def stop_server(process: subprocess.Popen) -> None:
    try:
        process.stdin.close()
        process.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
        process.wait()


def process_cpu_seconds(pid: int) -> float:
    stat = proctree.read_stat(pid)
    return stat.cpu_ticks / proctree.CLOCK_TICKS if stat else 0.0


def fetch(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        return len(response.read())


def probe_server(base_url: str, paths: list[str], server_pid: int) -> dict:
    """Fetch ``paths`` with concurrent clients: the server's rate with nothing else running.

    The clients are threads of this process, so the rate is a lower bound of what the
    server can do.
    """
    cpu_before = process_cpu_seconds(server_pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(SERVER_PROBE_THREADS) as pool:
        sizes = list(pool.map(fetch, (base_url + path for path in paths)))
    wall = time.perf_counter() - started
    cpu = process_cpu_seconds(server_pid) - cpu_before
    return {
        "pages": len(paths),
        "threads": SERVER_PROBE_THREADS,
        "pages_per_second": len(paths) / wall,
        "megabytes_per_second": sum(sizes) / wall / 1e6,
        "server_cpu_seconds_per_page": cpu / len(paths),
        "mean_page_kb": sum(sizes) / len(sizes) / 1024,
    }


# --- a quiet machine ------------------------------------------------------------------


def others_busy_cores(window: float, excluded_pids: tuple[int, ...] = ()) -> float:
    """Cores kept busy by other processes over ``window`` seconds (this one and ``excluded_pids`` apart)."""
    machine, own = proctree.machine_busy_seconds(), time.process_time()
    excluded = sum(process_cpu_seconds(pid) for pid in excluded_pids)
    time.sleep(window)
    excluded = sum(process_cpu_seconds(pid) for pid in excluded_pids) - excluded
    busy = proctree.machine_busy_seconds() - machine - (time.process_time() - own) - excluded
    return max(0.0, busy / window)


def wait_for_quiet(max_wait: float, excluded_pids: tuple[int, ...] = ()) -> dict:
    """Wait up to ``max_wait`` seconds for the rest of the machine to go (nearly) idle.

    Other work on the same cores slows the crawl and the bare loop unevenly and makes
    their ratio meaningless; the figures record how long we waited and how busy it was.
    """
    started = time.monotonic()
    busy = others_busy_cores(QUIET_WINDOW_SECONDS, excluded_pids)
    while busy > QUIET_MAX_CORES and time.monotonic() - started < max_wait:
        busy = others_busy_cores(QUIET_WINDOW_SECONDS, excluded_pids)
    waited = time.monotonic() - started
    if busy > QUIET_MAX_CORES:
        logger.warning("other processes still keep %.2f cores busy after %.0f s; measuring anyway", busy, waited)
    return {"waited_seconds": waited, "other_busy_cores": busy}


# --- crawl -------------------------------------------------------------------------


def crawl_command(sitemap_url: str, output_dir: Path, extra_settings: dict[str, str]) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"sitemap={sitemap_url}"]
    for name, value in {"OUTPUT_DIR": str(output_dir), **CRAWL_SETTINGS, **extra_settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_log_files(output_dir: Path) -> list[Path]:
    """The run logs under OUTPUT_DIR/logs/ (crawler.run_log)."""
    return sorted((output_dir / "logs").glob("*.log"))


def crawl_log_text(stderr_file: Path, new_run_logs: list[Path]) -> str:
    """The crawl's log at INFO: the run log it wrote under OUTPUT_DIR/logs/ (which keeps
    OUTPUT_LOG_LEVEL whatever LOG_LEVEL says; the console shows WARNING by default, so the
    stats dump and the enabled pipelines are not in stderr), else its stderr."""
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in new_run_logs]
    return "".join(texts) or stderr_file.read_text(encoding="utf-8", errors="replace")


def parse_stats_dump(log_text: str) -> dict[str, float]:
    """The numeric values of the last "Dumping Scrapy stats" block of a crawl log."""
    start = log_text.rfind(STATS_DUMP_MARK)
    if start < 0:
        return {}
    block = log_text[start:]
    end = block.find("}")
    block = block[: end + 1] if end >= 0 else block
    return {key: float(value) if "." in value else int(value) for key, value in STAT_LINE_RE.findall(block)}


def enabled_pipelines(log_text: str) -> list[str]:
    """The item pipelines Scrapy says it enabled, in order: proof that none was left out."""
    match = PIPELINES_RE.search(log_text)
    return re.findall(r"'([^']+)'", match.group(1)) if match else []


def kept_stats(stats: dict[str, float]) -> dict[str, float]:
    return {
        key: value
        for key, value in sorted(stats.items())
        if key.startswith(KEPT_STAT_PREFIXES) and not key.startswith("news/source/")
    }


def written_records(output_dir: Path) -> list[dict]:
    records = []
    for path in sorted((output_dir / "data").rglob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            records.extend(json.loads(line) for line in lines if line.strip())
    return records


def run_crawl(pages: int, sitemap_url: str, output_dir: Path, server_pid: int, extra_settings: dict, interval: float) -> CrawlResult:
    stderr_file = output_dir.with_suffix(".stderr.log")
    command = crawl_command(sitemap_url, output_dir, extra_settings)
    logger.info("crawl of %d pages: %s", pages, " ".join(command))
    logs_before = set(run_log_files(output_dir))
    exact_cpu = proctree.become_child_subreaper()
    cpu_before = proctree.children_cpu_seconds()
    server_cpu_before = process_cpu_seconds(server_pid)
    machine_before, bench_before = proctree.machine_busy_seconds(), time.process_time()
    load_before = os.getloadavg()[0]
    with stderr_file.open("w", encoding="utf-8") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, stdout=stderr, stderr=subprocess.STDOUT)
        sampler = proctree.TreeSampler(process.pid, interval).start()
        exit_code = process.wait()
        wall = time.perf_counter() - started
        sampler.stop()
    machine_busy = proctree.machine_busy_seconds() - machine_before
    bench_cpu = time.process_time() - bench_before
    leftovers = proctree.reap(
        (pid, start) for pid, start in sampler.tracked.items() if pid != process.pid
    )
    if leftovers:
        logger.warning("crawl processes still running after the crawl: %s", leftovers)
    cpu_exact = proctree.children_cpu_seconds() - cpu_before
    server_cpu = process_cpu_seconds(server_pid) - server_cpu_before
    records = written_records(output_dir)
    log_text = crawl_log_text(stderr_file, [path for path in run_log_files(output_dir) if path not in logs_before])
    return CrawlResult(
        pages=pages,
        wall_seconds=wall,
        cpu_seconds=cpu_exact if exact_cpu and not leftovers else sampler.cpu_seconds,
        cpu_seconds_sampled=sampler.cpu_seconds,
        main_cpu_seconds=sampler.main_cpu_seconds,
        cpu_source="rusage" if exact_cpu and not leftovers else "sampled",
        peak_tree_rss=sampler.peak_tree_rss,
        peak_main_rss=sampler.peak_main_rss,
        max_processes=sampler.max_processes,
        processes_seen=sampler.process_count,
        samples=sampler.samples,
        exit_code=exit_code,
        items_written=len(records),
        items_with_duplicate_of=sum(1 for record in records if record.get("duplicate_of")),
        distinct_content_hashes=len({record.get("content_hash") for record in records}),
        server_cpu_seconds=server_cpu,
        bench_cpu_seconds=bench_cpu,
        other_cpu_seconds=max(0.0, machine_busy - cpu_exact - server_cpu - bench_cpu),
        load_average_before=load_before,
        stats=kept_stats(parse_stats_dump(log_text)),
        pipelines=enabled_pipelines(log_text),
        output_dir=str(output_dir),
        stderr_file=str(stderr_file),
    )


# --- bare trafilatura ----------------------------------------------------------------


def load_pages(site_root: Path, specs: list[sitegen.PageSpec], base_url: str) -> list[str]:
    """The pages as the crawl's workers get them: text, with the base URL filled in."""
    return [
        (site_root / spec.path.lstrip("/")).read_text(encoding="utf-8").replace(sitegen.BASE_URL, base_url)
        for spec in specs
    ]


def run_bare(pages: list[str], checkpoints: list[int]) -> dict[int, BareResult]:
    """One loop over ``pages``; the figures for the first N pages at each checkpoint N.

    The first N pages are exactly the crawl's site of N pages, so one loop over the
    largest site measures every smaller one too.
    """
    import trafilatura  # imported here so that building the site does not pay for it

    results = {}
    wanted = set(checkpoints)
    extracted = 0
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    machine_start = proctree.machine_busy_seconds()
    for done, html in enumerate(pages, start=1):
        if trafilatura.extract(html, with_metadata=True, include_comments=False):
            extracted += 1
        if done in wanted:
            cpu = time.process_time() - cpu_start
            results[done] = BareResult(
                pages=done,
                wall_seconds=time.perf_counter() - wall_start,
                cpu_seconds=cpu,
                extracted=extracted,
                other_cpu_seconds=max(0.0, proctree.machine_busy_seconds() - machine_start - cpu),
            )
    return results


def _bare_share(pages: list[str]) -> int:
    import trafilatura

    return sum(1 for html in pages if trafilatura.extract(html, with_metadata=True, include_comments=False))


def run_bare_pool(pages: list[str], checkpoints: list[int], processes: int) -> dict[int, BareResult]:
    """The bare loop in ``processes`` processes at once (as many as the crawl's extraction workers).

    A separate run over the first N pages for each checkpoint N, the pages dealt out in
    turn so that every process gets the same mix of templates. CPU time is the children's,
    from the kernel, once the processes are reaped.
    """
    import multiprocessing

    import trafilatura  # noqa: F401  (loaded before the fork: the processes start warm, as the workers do)

    context = multiprocessing.get_context("fork")
    results = {}
    for count in checkpoints:
        shares = [pages[start:count:processes] for start in range(processes)]
        cpu_before = proctree.children_cpu_seconds()
        machine_start = proctree.machine_busy_seconds()
        wall_start = time.perf_counter()
        with context.Pool(processes) as pool:
            extracted = sum(pool.map(_bare_share, shares, chunksize=1))
            pool.close()
            pool.join()
        wall = time.perf_counter() - wall_start
        cpu = proctree.children_cpu_seconds() - cpu_before
        results[count] = BareResult(
            pages=count,
            wall_seconds=wall,
            cpu_seconds=cpu,
            extracted=extracted,
            other_cpu_seconds=max(0.0, proctree.machine_busy_seconds() - machine_start - cpu),
            processes=processes,
        )
    return results


# --- figures -------------------------------------------------------------------------


def per_count_figures(crawl: CrawlResult, bare: BareResult, bare_pool: BareResult | None = None) -> dict:
    crawl_rate = crawl.pages / crawl.wall_seconds
    bare_rate = bare.pages / bare.wall_seconds
    pooled = {}
    if bare_pool is not None:
        pooled = {
            "bare_pool_processes": bare_pool.processes,
            "bare_pool_pages_per_second": bare_pool.pages / bare_pool.wall_seconds,
            "crawl_to_bare_pool_ratio": crawl_rate / (bare_pool.pages / bare_pool.wall_seconds),
            "bare_pool": asdict(bare_pool),
        }
    return {
        **pooled,
        "pages": crawl.pages,
        "items_written": crawl.items_written,
        "crawl_pages_per_second": crawl_rate,
        "bare_pages_per_second": bare_rate,
        "crawl_to_bare_ratio": crawl_rate / bare_rate,
        "crawl_cpu_seconds_per_page": crawl.cpu_seconds / crawl.pages,
        "crawl_main_cpu_seconds_per_page": crawl.main_cpu_seconds / crawl.pages,
        "crawl_workers_cpu_seconds_per_page": (crawl.cpu_seconds - crawl.main_cpu_seconds) / crawl.pages,
        "bare_cpu_seconds_per_page": bare.cpu_seconds / bare.pages,
        "crawl_peak_tree_rss_mb": crawl.peak_tree_rss / 2**20,
        "crawl_peak_main_rss_mb": crawl.peak_main_rss / 2**20,
        "crawl": asdict(crawl),
        "bare": asdict(bare),
    }


def growth_percent(first: float, last: float) -> float:
    return (last - first) / first * 100 if first else float("nan")


def summary(rows: list[dict]) -> dict:
    first, last = rows[0], rows[-1]
    return {
        "rss_growth_from_pages": first["pages"],
        "rss_growth_to_pages": last["pages"],
        "peak_tree_rss_growth_percent": growth_percent(first["crawl_peak_tree_rss_mb"], last["crawl_peak_tree_rss_mb"]),
        "peak_main_rss_growth_percent": growth_percent(first["crawl_peak_main_rss_mb"], last["crawl_peak_main_rss_mb"]),
        "cpu_count": os.cpu_count(),
    }


def targets(rows: list[dict], totals: dict) -> list[tuple[str, bool]]:
    """(what, met) for each target, judged on the figures of this run."""
    lowest_ratio = min(row["crawl_to_bare_ratio"] for row in rows)
    highest_main = max(row["crawl_peak_main_rss_mb"] for row in rows)
    growth = totals["peak_tree_rss_growth_percent"]
    all_written = all(row["items_written"] == row["pages"] for row in rows)
    growth_check = [] if len(rows) < 2 else [(
        f"peak RSS of the tree grows <= {TARGET_MAX_TREE_RSS_GROWTH_PERCENT:.0f} % from "
        f"{totals['rss_growth_from_pages']} to {totals['rss_growth_to_pages']} pages ({growth:+.1f} %)",
        growth <= TARGET_MAX_TREE_RSS_GROWTH_PERCENT,
    )]  # one size (--pages 1000): nothing to compare, so not judged
    return [
        (f"crawl/bare >= {TARGET_MIN_RATIO:.1f} at every size (lowest {lowest_ratio:.2f})", lowest_ratio >= TARGET_MIN_RATIO),
        *growth_check,
        (f"Scrapy process peak RSS < {TARGET_MAX_MAIN_RSS_MB:.0f} MB (highest {highest_main:.0f} MB)", highest_main < TARGET_MAX_MAIN_RSS_MB),
        ("every page written as an item", all_written),
    ]


def format_targets(checks: list[tuple[str, bool]]) -> list[str]:
    return [f"target {'met' if met else 'MISSED'}: {what}" for what, met in checks]


TABLE_COLUMNS = (
    ("pages", "pages", "{:d}"),
    ("items", "items_written", "{:d}"),
    ("crawl p/s", "crawl_pages_per_second", "{:.1f}"),
    ("bare p/s", "bare_pages_per_second", "{:.1f}"),
    ("crawl/bare", "crawl_to_bare_ratio", "{:.2f}"),
    ("CPU s/p crawl", "crawl_cpu_seconds_per_page", "{:.4f}"),
    ("scrapy", "crawl_main_cpu_seconds_per_page", "{:.4f}"),
    ("workers", "crawl_workers_cpu_seconds_per_page", "{:.4f}"),
    ("CPU s/p bare", "bare_cpu_seconds_per_page", "{:.4f}"),
    ("RSS tree MB", "crawl_peak_tree_rss_mb", "{:.0f}"),
    ("RSS main MB", "crawl_peak_main_rss_mb", "{:.0f}"),
)


POOL_COLUMNS = (
    ("bareN p/s", "bare_pool_pages_per_second", "{:.1f}"),
    ("crawl/bareN", "crawl_to_bare_pool_ratio", "{:.2f}"),
)


def format_table(rows: list[dict]) -> str:
    columns = TABLE_COLUMNS + (POOL_COLUMNS if all("bare_pool" in row for row in rows) else ())
    cells = [[header for header, _key, _fmt in columns]]
    cells += [[fmt.format(row[key]) for _header, key, fmt in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in cells)


def format_histogram(histogram: dict[str, int]) -> str:
    return ", ".join(f"{band}: {count}" for band, count in histogram.items())


def other_cores(cpu_seconds: float, wall_seconds: float) -> float:
    return cpu_seconds / wall_seconds if wall_seconds else 0.0


def noise_flag(row: dict) -> str:
    """A warning when other processes competed for the cores during this row's measurements."""
    crawl = other_cores(row["crawl"]["other_cpu_seconds"], row["crawl"]["wall_seconds"])
    bare = other_cores(row["bare"]["other_cpu_seconds"], row["bare"]["wall_seconds"])
    if max(crawl, bare) <= NOISY_CORES:
        return ""
    return f" (NOISY: other processes kept {crawl:.2f} / {bare:.2f} cores busy)"


def ceiling_lines(rows: list[dict], cores: int) -> list[str]:
    """What the cores allow: the best crawl/bare this crawl's CPU per page could give, and how
    much of a second core bare trafilatura itself gets (below N x when the cores share a
    physical core or memory bandwidth, as virtual CPUs often do)."""
    lines = []
    for row in rows:
        best = cores / (row["crawl_cpu_seconds_per_page"] * row["bare_pages_per_second"])
        line = (f"N={row['pages']}: with all {cores} cores busy on the crawl's {row['crawl_cpu_seconds_per_page'] * 1000:.1f} ms "
                f"of CPU per page, crawl/bare could reach at most {best:.2f}")
        if "bare_pool" in row:
            speedup = row["bare_pool_pages_per_second"] / row["bare_pages_per_second"]
            line += (f"; bare trafilatura in {row['bare_pool_processes']} processes ran {speedup:.2f}x as fast as in one "
                     f"(each page took {row['bare_pool_processes'] / speedup:.2f}x its lone CPU time)")
        lines.append(line)
    return lines


def format_report(figures: dict) -> str:
    rows, totals, site, server = figures["runs"], figures["summary"], figures["site"], figures["server"]
    lines = [f"== {figures['name']} site ==", format_table(rows), ""]
    lines.append(
        f"peak RSS growth {totals['rss_growth_from_pages']} -> {totals['rss_growth_to_pages']} pages: "
        f"tree {totals['peak_tree_rss_growth_percent']:+.1f} %, main process {totals['peak_main_rss_growth_percent']:+.1f} %"
    )
    lines.extend(format_targets(targets(rows, totals)))
    lines.append(f"cores (os.cpu_count): {totals['cpu_count']}; bare p/s: 1 process (the target's measure, as always); "
                 + (f"bareN p/s: {rows[0]['bare_pool_processes']} processes at once, as many as the extraction workers"
                    if "bare_pool" in rows[0] else "bareN not measured (--no-bare-pool)"))
    lines.extend(ceiling_lines(rows, totals["cpu_count"]))
    lines.append("item pipelines: " + (", ".join(rows[-1]["crawl"]["pipelines"]) or "NOT FOUND in the crawl log"))
    for row in rows:
        crawl = row["crawl"]
        lines.append(
            f"N={row['pages']}: crawl {crawl['wall_seconds']:.1f} s wall, {crawl['cpu_seconds']:.1f} s CPU "
            f"({crawl['cpu_source']}; sampled {crawl['cpu_seconds_sampled']:.1f}; Scrapy process {crawl['main_cpu_seconds']:.1f}), up to {crawl['max_processes']} processes, "
            f"exit {crawl['exit_code']}, scrapy elapsed {crawl['stats'].get('elapsed_time_seconds', float('nan')):.1f} s; bare {row['bare']['wall_seconds']:.1f} s, "
            f"{row['bare']['extracted']}/{row['pages']} extracted; "
            f"server CPU {crawl['server_cpu_seconds']:.1f} s, sampler {crawl['bench_cpu_seconds']:.1f} s; "
            f"other processes {crawl['other_cpu_seconds']:.1f} s during the crawl, "
            f"{row['bare']['other_cpu_seconds']:.1f} s during the bare loop{noise_flag(row)}; near-dup marked {crawl['items_with_duplicate_of']}, "
            f"distinct hashes {crawl['distinct_content_hashes']}"
        )
        drops = {key: value for key, value in crawl["stats"].items() if key.startswith(("news/dropped/", "news/errors/"))}
        if drops or row["items_written"] != row["pages"]:
            lines.append(f"  drops/errors: {drops or 'none counted'}")
    lines.append(
        f"server alone ({server['threads']} client threads, {server['pages']} pages): {server['pages_per_second']:.0f} pages/s, "
        f"{server['megabytes_per_second']:.0f} MB/s, {server['server_cpu_seconds_per_page'] * 1000:.1f} ms CPU/page"
    )
    lines.append(
        f"site: {site['pages']} pages, mean {site['mean_page_kb']:.0f} kB, {len(site['templates'])} templates, "
        f"{site['pool_size']} paragraph pieces, max shared words {site['max_shared_word_share']:.2f}, "
        f"max 3-shingle overlap {site['max_shingle_overlap']:.2f}, built in {site['build_seconds']:.1f} s"
    )
    lines.append(f"templates: {', '.join(site['templates'])}")
    if site.get("left_out"):
        lines.append("left out: " + "; ".join(f"{stem} ({why})" for stem, why in site["left_out"].items()))
    lines.append(f"page sizes: {format_histogram(site['size_histogram'])}")
    return "\n".join(lines)


def write_results(figures: dict, path: Path = RESULTS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# --- command line --------------------------------------------------------------------


def page_counts(value: str) -> list[int]:
    try:
        counts = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a comma-separated list of page counts") from None
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError("page counts must be positive")
    return counts


def setting(value: str) -> tuple[str, str]:
    name, sep, setting_value = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{value!r} is not NAME=VALUE")
    return name, setting_value


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=page_counts, default=list(DEFAULT_PAGES), help="page counts, e.g. 1000,4000")
    parser.add_argument("--sites", type=site_names, default=list(SITES), help=f"which sites, of {','.join(SITES)}")
    parser.add_argument("--keep", action="store_true", help="keep the site and the crawl outputs")
    parser.add_argument("--seed", type=int, default=sitegen.DEFAULT_SEED)
    parser.add_argument("--set", dest="settings", type=setting, action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for the crawls (e.g. EXTRACT_WORKERS=1)")
    parser.add_argument("--interval", type=float, default=proctree.DEFAULT_INTERVAL, help="sampling interval, seconds")
    parser.add_argument("--quiet-wait", type=float, default=120.0,
                        help="seconds to wait for other processes to go idle before each measurement (0: do not wait)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the JSON figures")
    parser.add_argument("--no-bare-pool", dest="bare_pool", action="store_false",
                        help="skip the bare loop in as many processes as extraction workers (the bareN columns)")
    parser.add_argument("--archive", action="store_true",
                        help="also crawl each size with ARCHIVE_ENABLED=False and print the archive's cost (bench/archive_cost.py)")
    return parser.parse_args(argv)


def site_names(value: str) -> list[str]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = sorted(set(names) - set(SITES))
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"sites are {', '.join(SITES)} (got {value!r})")
    return names


def site_templates(name: str) -> tuple[list[str], dict[str, str]]:
    """The templates of a site and the ones left out of it, with why."""
    if name == "large":
        return list(sitegen.TEMPLATE_STEMS), {}
    return sitegen.natural_size_stems()


def pool_processes(settings: dict[str, str]) -> int:
    """The crawl's extraction workers: EXTRACT_WORKERS from --set, else one per core (the default)."""
    workers = int(settings.get("EXTRACT_WORKERS", -1))
    return max(1, os.cpu_count() or 1) if workers < 0 else max(1, workers)


def measure_site(name: str, args: argparse.Namespace, work: Path) -> dict:
    """Build, serve, crawl and bare-loop one site; its figures (with the archive's cost under --archive)."""
    site_root = work / f"site-{name}"
    stems, left_out = site_templates(name)
    started = time.perf_counter()
    manifest, specs = sitegen.build_site(site_root, args.pages, args.seed, stems=stems)
    build_seconds = time.perf_counter() - started
    page_sizes = [(site_root / spec.path.lstrip("/")).stat().st_size for spec in specs]
    server, base_url = start_server(site_root)
    try:
        logger.info("%s site of %d pages served at %s from pid %d", name, manifest.pages, base_url, server.pid)
        probe_paths = [spec.path for spec in specs[: min(SERVER_PROBE_PAGES, len(specs))]]
        quiet_waits = {"server probe": wait_for_quiet(args.quiet_wait, (server.pid,))}
        server_figures = probe_server(base_url, probe_paths, server.pid)
        crawls, without_archive = {}, {}
        for count in args.pages:
            quiet_waits[f"crawl {count}"] = wait_for_quiet(args.quiet_wait, (server.pid,))
            crawls[count] = run_crawl(
                count, base_url + manifest.sitemap_indexes[count], work / f"crawl-{name}-{count}",
                server.pid, dict(args.settings), args.interval,
            )
            logger.info("crawl of %d pages: %.1f s, %d items", count, crawls[count].wall_seconds, crawls[count].items_written)
            if args.archive:
                without_archive[count] = run_crawl(
                    count, base_url + manifest.sitemap_indexes[count], work / f"crawl-{name}-{count}-no-archive",
                    server.pid, {**dict(args.settings), "ARCHIVE_ENABLED": "False"}, args.interval,
                )
    finally:
        stop_server(server)
    pages = load_pages(site_root, specs, base_url)
    quiet_waits["bare"] = wait_for_quiet(args.quiet_wait)
    logger.info("bare trafilatura loop over %d pages", len(pages))
    bare = run_bare(pages, args.pages)
    bare_pool = {}
    if args.bare_pool:
        processes = pool_processes(dict(args.settings))
        quiet_waits["bare pool"] = wait_for_quiet(args.quiet_wait)
        logger.info("bare trafilatura in %d processes", processes)
        bare_pool = run_bare_pool(pages, args.pages, processes)
    del pages
    rows = [per_count_figures(crawls[count], bare[count], bare_pool.get(count)) for count in args.pages]
    figures = {
        "name": name,
        "runs": rows,
        "summary": summary(rows),
        "server": server_figures,
        "quiet_waits": quiet_waits,
        "site": {
            "pages": manifest.pages,
            "seed": manifest.seed,
            "templates": list(manifest.templates),
            "left_out": left_out,
            "pool_size": manifest.pool_size,
            "max_shared_word_share": manifest.max_shared_word_share,
            "max_shingle_overlap": manifest.max_shingle_overlap,
            "mean_page_kb": sum(page_sizes) / len(page_sizes) / 1024,
            "size_histogram": sitegen.size_histogram(page_sizes),
            "build_seconds": build_seconds,
            "root": str(site_root) if args.keep else None,
        },
    }
    if without_archive:
        figures["archive"] = archive_cost.figures(crawls, without_archive)
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    try:
        sites = {name: measure_site(name, args, work) for name in args.sites}
        figures = {
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join(["python", "bench/run.py", *(sys.argv[1:] if argv is None else argv)]),
            "crawl_settings": {**CRAWL_SETTINGS, **dict(args.settings)},
            "cpu_count": os.cpu_count(),
            "sites": sites,
        }
        write_results(figures, args.results)
        for site in sites.values():
            print(format_report(site))
            if site.get("archive"):
                print(archive_cost.format_section(site["archive"]))
            print()
        print(f"figures written to {args.results}")
        if args.keep:
            print(f"sites and crawl outputs kept in {work}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
