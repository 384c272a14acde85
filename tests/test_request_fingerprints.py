"""The dupefilter's fingerprints live in a temporary SQLite set, not in a growing Python set."""

from __future__ import annotations

from scrapy import Request

from crawler.middlewares import CountingDupeFilter
from crawler.request_fingerprints import FingerprintSet


def test_fingerprint_set_remembers_what_was_added():
    seen = FingerprintSet()
    assert b"a" not in seen
    seen.add(b"a")
    seen.add(b"a")
    seen.update([b"b", b"c"])
    assert b"a" in seen and b"c" in seen and b"d" not in seen
    assert len(seen) == 3
    seen.close()


def test_the_dupefilter_filters_a_request_seen_before_and_keeps_no_python_set():
    dupefilter = CountingDupeFilter()
    assert isinstance(dupefilter._fingerprints, FingerprintSet)
    assert dupefilter.request_seen(Request("http://127.0.0.1/a")) is False
    assert dupefilter.request_seen(Request("http://127.0.0.1/b")) is False
    assert dupefilter.request_seen(Request("http://127.0.0.1/a")) is True
    dupefilter.close("finished")


def test_a_paused_job_resumes_with_its_fingerprints(tmp_path):
    first = CountingDupeFilter(str(tmp_path))
    assert first.request_seen(Request("http://127.0.0.1/a")) is False
    first.close("shutdown")
    resumed = CountingDupeFilter(str(tmp_path))
    assert resumed.request_seen(Request("http://127.0.0.1/a")) is True
    assert resumed.request_seen(Request("http://127.0.0.1/new")) is False
    resumed.close("finished")
