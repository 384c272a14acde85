"""A Scrapy extension for benchmarks: the time the crawl spends inside state-store calls.

Enabled by bench/state_scale.py (with ``STATE_TIMING_FILE=PATH``). At crawler start it
opens the crawl's state store (``crawler.crawl_state.state_store_of``) and replaces it
with ``TimedStore``, a proxy that adds the wall time of every method call to a total per
method; when the spider closes (after the pipelines' last commit) the totals go to PATH
as JSON: {method: {"calls": N, "seconds": S}}.

Wall time, not CPU time: a store call that waits on the disk (an fsync, a page read)
costs the crawl that wait, and that is what grows with the store. The thread's CPU time
and the quartiles of the calls are kept beside it, to tell a wait on the disk or on the
other processes' CPU from work done, and a slow start from a slow crawl.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from scrapy import signals

from crawler.crawl_state import state_store_of


class TimedStore:
    """Every callable attribute of *store*, timed; everything else passed through."""

    def __init__(self, store) -> None:
        self._store = store
        self.totals: dict[str, list[float]] = {}
        self.durations: dict[str, list[float]] = {}

    def __getattr__(self, name):
        value = getattr(self._store, name)
        if not callable(value):
            return value
        totals = self.totals.setdefault(name, [0, 0.0, 0.0])
        durations = self.durations.setdefault(name, [])

        def timed(*args, **kwargs):
            started, started_cpu = time.perf_counter(), time.thread_time()
            try:
                return value(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                totals[0] += 1
                totals[1] += elapsed
                totals[2] += time.thread_time() - started_cpu
                durations.append(elapsed)

        return timed


class StateTimingExtension:
    def __init__(self, crawler, path: Path) -> None:
        self.path = path
        self.timed = TimedStore(state_store_of(crawler))
        crawler.news_state_store = self.timed
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, Path(crawler.settings.get("STATE_TIMING_FILE")))

    def spider_closed(self) -> None:
        report = {
            name: {"calls": calls, "seconds": seconds, "cpu_seconds": cpu_seconds, **spread(self.timed.durations[name])}
            for name, (calls, seconds, cpu_seconds) in self.timed.totals.items()
        }
        self.path.write_text(json.dumps(report, indent=1), encoding="utf-8")


def spread(durations: list[float]) -> dict:
    """Quartiles and maximum of the calls' wall times (ms), and the mean of the first and last hundred."""
    ordered = sorted(durations)
    if not ordered:
        return {}

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {
        "p25_ms": at(0.25), "p50_ms": at(0.5), "p75_ms": at(0.75), "max_ms": ordered[-1] * 1000,
        "first_100_mean_ms": sum(durations[:100]) * 1000 / len(durations[:100]),
        "last_100_mean_ms": sum(durations[-100:]) * 1000 / len(durations[-100:]),
    }
