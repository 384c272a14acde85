"""crawler.host_failures: the short reason of a failed download, and one WARNING per host and reason."""

from __future__ import annotations

import logging

import pytest
from OpenSSL import SSL
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError, DownloadTimeoutError
from twisted.internet import error as twisted_errors
from twisted.web._newclient import ResponseNeverReceived

from crawler.host_failures import HostFailures, failure_kind


@pytest.mark.parametrize(
    ("exception", "kind"),
    [
        (CannotResolveHostError("DNS lookup failed: no results for hostname lookup: x.invalid."), "dns"),
        (twisted_errors.DNSLookupError("x.invalid"), "dns"),
        (DownloadConnectionRefusedError("Connection was refused by other side: 111"), "refused"),
        (twisted_errors.ConnectionRefusedError(), "refused"),
        (DownloadTimeoutError("Getting http://x/ took longer than 30.0 seconds."), "timeout"),
        (twisted_errors.TCPTimedOutError(), "timeout"),
        (DownloadFailedError("[<twisted.python.failure.Failure OpenSSL.SSL.Error: [('SSL routines', '', 'certificate verify failed')]>]"), "tls"),
        (SSL.Error([("SSL routines", "", "wrong version number")]), "tls"),
        (ResponseNeverReceived([twisted_errors.ConnectionLost("Connection to the other side was lost")]), None),
        (DownloadFailedError("[<twisted.python.failure.Failure twisted.internet.error.ConnectionDone>]"), "connection"),
        (twisted_errors.ConnectionLost(), "connection"),
        (ValueError("invalid hostname: 'a@b'"), None),
    ],
)
def test_failure_kind(exception, kind):
    assert failure_kind(exception) == kind


def test_a_host_is_warned_about_once_per_reason_and_every_failure_stays_at_info(caplog):
    failures, logger = HostFailures(), logging.getLogger("test.host_failures")
    with caplog.at_level(logging.INFO, logger="test.host_failures"):
        for path in ("a", "b", "c"):
            failures.log(logger, f"http://x.invalid/{path}", "dns", "no results")
        failures.log(logger, "http://x.invalid/d", "http_404", "404")
        failures.log(logger, "http://y.invalid/a", "dns", "no results")

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "Host x.invalid: its name does not resolve (no results); its further failures are only counted, as news/errors/dns",
        "Host x.invalid: request failed (http_404) (404); its further failures are only counted, as news/errors/http_404",
        "Host y.invalid: its name does not resolve (no results); its further failures are only counted, as news/errors/dns",
    ]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        f"Request failed ({reason}): {url}"
        for reason, url in [("dns", "http://x.invalid/a"), ("dns", "http://x.invalid/b"), ("dns", "http://x.invalid/c"),
                            ("http_404", "http://x.invalid/d"), ("dns", "http://y.invalid/a")]
    ]
