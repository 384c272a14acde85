"""Cluster benchmark: pages per second with 1, 2 and 3 nodes, and the cost of the shared store.

    python bench/cluster.py [--pages 600] [--nodes 1,2,3] [--store-pages 2000]

Starts its own Redis and PostgreSQL (as the tests do, ``tests/servers.py``), builds the
benchmark site of ``sitegen`` (real outlets' page chrome, 260 kB a page on average) and
serves it from a separate process, then:

1. **nodes**: for each node count, that many ``scrapy crawl news`` processes on this
   machine as one cluster (fresh Redis keys, PostgreSQL schema and OUTPUT_DIR each time),
   timed from the first start to the last exit. The rate is pages written / that time.
   All nodes share this machine's cores, so once the extraction keeps every core busy
   more nodes cannot go faster: on 2 cores expect the rate to flatten, or drop from the
   extra processes, from 1 to 3 nodes. The per-node item counts show the split.
2. **store**: the state store's own work for one page, as the crawl does it (the
   discovery check, the dedup judgement with its claim, and the page's share of one
   ``record_committed`` of 500 articles with their signatures), timed for SQLite and for
   PostgreSQL over ``--store-pages`` synthetic articles, and one single-node crawl of
   the site with each store (``STATE_URL`` alone, no Redis), whose difference per page
   is the same cost seen from the whole crawl.

The machine is shared: the figures move with whatever else runs (the report prints the
load average before each measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(REPO), str(BENCH)]

import sitegen  # noqa: E402

from tests.servers import postgres_server, redis_server  # noqa: E402

CRAWL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "64",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "64",
    "LOG_LEVEL": "WARNING",
    "MAX_IDLE_TIME_BEFORE_CLOSE": "1",
    "CLUSTER_HEARTBEAT_SECONDS": "1",
}


def load() -> str:
    return "load %.1f %.1f %.1f" % os.getloadavg()


def start_site(root: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, str(BENCH / "serve_site.py"), str(root)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    return process, process.stdout.readline().strip()


def crawl(sitemap: str, output: Path, settings: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"sitemap={sitemap}", "-s", f"OUTPUT_DIR={output}"]
    command += [arg for key, value in {**CRAWL_SETTINGS, **settings}.items() for arg in ("-s", f"{key}={value}")]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def items_by_node(output: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in (output / "data").rglob("*.jsonl"):
        node = path.name.split("-")[1] if path.name.count("-") >= 2 else "-"
        counts[node] = counts.get(node, 0) + sum(1 for _ in open(path, encoding="utf-8"))
    return counts


def run_nodes(count: int, sitemap: str, redis_url: str, state_url: str, work: Path) -> dict:
    output = work / f"nodes-{count}"
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    processes = [
        crawl(sitemap, output, {"CLUSTER_REDIS_URL": redis_url, "STATE_URL": state_url, "CLUSTER_NODE_NAME": f"n{n}", "CLUSTER_KEY_PREFIX": prefix})
        for n in range(count)
    ]
    errors = [process.communicate()[1] for process in processes]
    seconds = time.monotonic() - started
    failed = [error[-800:] for process, error in zip(processes, errors) if process.returncode != 0]
    per_node = items_by_node(output)
    items = sum(per_node.values())
    return {"nodes": count, "seconds": round(seconds, 1), "items": items, "pages_per_second": round(items / seconds, 1),
            "items_per_node": per_node, "failed": failed}


def run_single(sitemap: str, state_url: str | None, work: Path) -> dict:
    output = work / f"single-{'postgres' if state_url else 'sqlite'}"
    started = time.monotonic()
    before = os.times()
    process = crawl(sitemap, output, {"STATE_URL": state_url} if state_url else {})
    error = process.communicate()[1]
    after = os.times()
    seconds = time.monotonic() - started
    items = sum(items_by_node(output).values())
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"store": "postgres" if state_url else "sqlite", "seconds": round(seconds, 1), "items": items,
            "cpu_seconds": round(cpu, 1), "ok": process.returncode == 0, "error": error[-800:] if process.returncode else ""}


def store_work_per_page(store, pages: int) -> float:
    """Seconds of store work per page, as the crawl's discovery, dedup and writer do it."""
    from crawler.near_duplicates import minhash_entry
    from crawler.state import ArticleState
    from pipelines.dedup import judge, pending_of

    rng = random.Random(7)
    words = [f"كلمة{n}" for n in range(5000)]
    pending = pending_of(store)
    now = datetime.now(timezone.utc)
    batch: list[ArticleState] = []
    # The signatures are made before the clock starts: the workers make them, not the store.
    entries = []
    for number in range(pages):
        key = f"https://bench.example/{uuid.uuid4().hex}/{number}"
        entries.append((key, minhash_entry(" ".join(rng.choice(words) for _ in range(120)))))
    started = time.perf_counter()
    for number, (key, entry) in enumerate(entries):
        store.should_fetch(key, now - timedelta(hours=1))
        with pending.judging() as view:
            verdict = judge(view, key, key, f"hash-{key}", entry, False)
        batch.append(ArticleState(key, key, now, now, f"hash-{key}", None, now, verdict.version, "f.jsonl"))
        if len(batch) == 500 or number == pages - 1:
            signatures = pending.take([state.key for state in batch], [state.content_hash for state in batch])
            store.record_committed(f"bench-{number}.jsonl", batch, (), signatures)
            batch = []
    return (time.perf_counter() - started) / pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--nodes", default="1,2,3")
    parser.add_argument("--store-pages", type=int, default=2000)
    args = parser.parse_args(argv)
    node_counts = [int(part) for part in args.nodes.split(",")]
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    print(f"cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as temporary:
        work = Path(temporary)
        site = work / "site"
        sitegen.build_site(site, [args.pages])
        server, base_url = start_site(site)
        sitemap = f"{base_url}/sitemaps/n{args.pages}/index.xml"
        results = {"pages": args.pages, "nodes": [], "single": [], "store_seconds_per_page": {}}
        try:
            with redis_server() as redis, postgres_server() as postgres:
                from crawler.state import open_state_store

                for name in ("sqlite", "postgres"):
                    print(f"store micro-benchmark, {name}, {args.store_pages} pages ({load()})", flush=True)
                    url = postgres.new_schema() if name == "postgres" else None
                    directory = work / f"store-{name}"
                    directory.mkdir()
                    with open_state_store(directory, url) as store:
                        results["store_seconds_per_page"][name] = store_work_per_page(store, args.store_pages)
                for state in (None, postgres.new_schema()):
                    print(f"single node, {'postgres' if state else 'sqlite'} store ({load()})", flush=True)
                    results["single"].append(run_single(sitemap, state, work))
                for count in node_counts:
                    print(f"{count} node(s) ({load()})", flush=True)
                    results["nodes"].append(run_nodes(count, sitemap, redis.url, postgres.new_schema(), work))
        finally:
            server.stdin.close()
            server.wait(timeout=30)
    print()
    print(f"site: {args.pages} pages (bench/sitegen.py)")
    print("nodes  seconds  items  pages/s  items per node")
    for row in results["nodes"]:
        print(f"{row['nodes']:>5}  {row['seconds']:>7}  {row['items']:>5}  {row['pages_per_second']:>7}  {row['items_per_node']}"
              + ("  FAILED" if row["failed"] else ""))
    micro = results["store_seconds_per_page"]
    print(f"store work per page: sqlite {micro['sqlite'] * 1000:.2f} ms, postgres {micro['postgres'] * 1000:.2f} ms "
          f"(+{(micro['postgres'] - micro['sqlite']) * 1000:.2f} ms)")
    sqlite_run, postgres_run = results["single"]
    if sqlite_run["items"] and postgres_run["items"]:
        per_page = (postgres_run["seconds"] - sqlite_run["seconds"]) / max(sqlite_run["items"], 1)
        print(f"single-node crawl: sqlite {sqlite_run['seconds']} s, postgres {postgres_run['seconds']} s for "
              f"{sqlite_run['items']}/{postgres_run['items']} items: {per_page * 1000:+.1f} ms per page of wall time; "
              f"CPU of the crawl tree {sqlite_run['cpu_seconds']} s vs {postgres_run['cpu_seconds']} s")
    for row in results["nodes"] + results["single"]:
        for failure in row.get("failed") or ([row["error"]] if row.get("error") else []):
            print("failure:", failure)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
