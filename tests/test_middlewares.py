"""Tests for crawler.middlewares: the head-only meta-refresh middleware against Scrapy's own."""

from __future__ import annotations

import codecs
from urllib.parse import quote

import pytest
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.test import get_crawler

from crawler.middlewares import (
    HEAD_BYTES,
    META_REFRESH_SCAN_CHARACTERS,
    HeadMetaRefreshMiddleware,
    head_text,
    meta_refresh_of,
)

URL = "https://news.example/article/1"
ARABIC_WORDS = "أعلنت الحكومة اليوم عن خطة جديدة لدعم الصحافة المستقلة في المنطقة "
REFRESH_TO_STORY = '<meta http-equiv="refresh" content="0; url=/story/2">'


class WholeBodyNeverDecoded(HtmlResponse):
    """An HtmlResponse that fails the test if anything decodes its whole body."""

    @property
    def text(self):
        raise AssertionError("the whole body was decoded")


def html_page(head: str = "", body: str = "", before_head: str = "") -> str:
    return f"<!DOCTYPE html><html lang=\"ar\">{before_head}<head><title>خبر</title>{head}</head><body>{body}</body></html>"


def article_body(characters: int) -> str:
    return "<p>" + (ARABIC_WORDS * (characters // len(ARABIC_WORDS) + 1))[:characters] + "</p>"


def response(page: str | bytes, encoding: str = "utf-8", content_type: str | None = None, cls=HtmlResponse, url=URL):
    body = page if isinstance(page, bytes) else page.encode(encoding)
    if content_type is None:
        content_type = f"text/html; charset={encoding}"
    return cls(url, body=body, headers={"Content-Type": content_type} if content_type else {})


def middlewares(settings: dict | None = None):
    crawler = get_crawler(settings_dict=settings or {})
    return HeadMetaRefreshMiddleware.from_crawler(crawler), MetaRefreshMiddleware.from_crawler(crawler)


def decision(middleware, request: Request, given_response):
    """What process_response decided (redirect, pass on, or raise), comparable across instances."""
    try:
        result = middleware.process_response(request, given_response)
    except Exception as exc:  # Scrapy's middleware raises on some refresh URLs; ours must too
        return ("raises", type(exc), str(exc))
    if isinstance(result, Request):
        return (
            "redirect",
            result.url,
            result.method,
            result.priority,
            result.dont_filter,
            {key: result.meta.get(key) for key in ("redirect_times", "redirect_ttl", "redirect_urls", "redirect_reasons")},
        )
    assert result is given_response, "a response that is not redirected must be passed on as is"
    return ("response",)


# Pages as a crawl meets them; every one is decided by both middlewares.
CASES = {
    "long utf-8 article, no refresh": lambda: response(html_page(body=article_body(150_000))),
    "refresh in the head": lambda: response(html_page(head=REFRESH_TO_STORY, body=article_body(150_000))),
    "refresh relative to a base href": lambda: response(
        html_page(head='<base href="https://cdn.example/ar/">' + '<meta http-equiv="refresh" content="3;URL=\'next\'">', body=article_body(50_000))
    ),
    "charset only in a meta tag, windows-1256": lambda: response(
        html_page(
            head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            '<meta http-equiv="refresh" content="0; url=/أخبار/1?q=خبر">',
            body=article_body(120_000),
        ),
        encoding="cp1256",
        content_type="text/html",
    ),
    "refresh past 4096 bytes but within 4096 characters": lambda: response(
        html_page(before_head="<!-- " + ARABIC_WORDS * 40 + " -->", head=REFRESH_TO_STORY, body=article_body(80_000))
    ),
    "refresh past 4096 characters": lambda: response(
        html_page(before_head="<!-- " + ARABIC_WORDS * 70 + " -->", head=REFRESH_TO_STORY, body=article_body(80_000))
    ),
    "refresh inside noscript": lambda: response(html_page(head=f"<noscript>{REFRESH_TO_STORY}</noscript>", body=article_body(50_000))),
    "refresh delay over METAREFRESH_MAXDELAY": lambda: response(
        html_page(head='<meta http-equiv="refresh" content="600; url=/story/2">', body=article_body(50_000))
    ),
    "refresh to an ftp: URL": lambda: response(
        html_page(head='<meta http-equiv="refresh" content="0; url=ftp://files.example/a">', body=article_body(50_000))
    ),
    "refresh to a javascript: URL": lambda: response(
        html_page(head='<meta http-equiv="refresh" content="0; url=javascript:alert(1)">', body=article_body(50_000))
    ),
    "utf-16 page with a byte order mark": lambda: response(
        codecs.BOM_UTF16_LE + html_page(head=REFRESH_TO_STORY, body=article_body(30_000)).encode("utf-16-le"), content_type="text/html"
    ),
    "utf-32 page: the head holds too few characters": lambda: response(
        html_page(head=REFRESH_TO_STORY, body=article_body(30_000)), encoding="utf-32"
    ),
    "no declared encoding at all": lambda: response(
        html_page(head=REFRESH_TO_STORY, body=article_body(40_000)), encoding="cp1256", content_type="text/html"
    ),
    "short page": lambda: response(html_page(head=REFRESH_TO_STORY, body="<p>قصير</p>")),
}


@pytest.mark.parametrize("make_response", CASES.values(), ids=CASES.keys())
def test_head_text_is_the_start_of_the_decoded_page(make_response):
    assert head_text(make_response()) == make_response().text[:META_REFRESH_SCAN_CHARACTERS]


@pytest.mark.parametrize("make_response", CASES.values(), ids=CASES.keys())
def test_decides_as_scrapys_meta_refresh_middleware(make_response):
    ours, scrapys = middlewares()
    request = Request(URL, priority=3, dont_filter=True, meta={"source": "example"})
    ours_response, scrapys_response = make_response(), make_response()
    expected = decision(scrapys, request.copy(), scrapys_response)
    assert decision(ours, request.copy(), ours_response) == expected


def test_refresh_in_the_head_is_followed_without_decoding_the_whole_page():
    ours, _ = middlewares()
    page = html_page(head=REFRESH_TO_STORY, body=article_body(300_000))
    redirected = ours.process_response(Request(URL), response(page, cls=WholeBodyNeverDecoded))
    assert isinstance(redirected, Request)
    assert redirected.url == "https://news.example/story/2"
    assert redirected.meta["redirect_reasons"] == ["meta refresh"]
    assert redirected.meta["redirect_urls"] == [URL]


def test_page_without_refresh_is_passed_on_without_decoding_the_whole_page():
    ours, _ = middlewares()
    page_response = response(html_page(body=article_body(300_000)), cls=WholeBodyNeverDecoded)
    assert ours.process_response(Request(URL), page_response) is page_response


def test_meta_declared_windows_1256_is_decoded_with_that_charset():
    ours, _ = middlewares()
    page = html_page(
        head='<meta charset="windows-1256"><meta http-equiv="refresh" content="0; url=/أخبار/1?q=خبر">',
        body=article_body(200_000),
    )
    page_response = response(page, encoding="cp1256", content_type="text/html", cls=WholeBodyNeverDecoded)
    redirected = ours.process_response(Request(URL), page_response)
    # The path is UTF-8 percent-encoded and the query in the page's charset, as browsers do;
    # decoding the bytes as UTF-8 instead would yield replacement characters here.
    expected_path = quote("/أخبار/1".encode("utf-8"))
    expected_query = quote("خبر".encode("cp1256"))
    assert redirected.url == f"https://news.example{expected_path}?q={expected_query}"


def test_refresh_within_4096_characters_is_found_even_past_4096_bytes():
    page = html_page(before_head="<!-- " + ARABIC_WORDS * 40 + " -->", head=REFRESH_TO_STORY)
    assert page.index("refresh") < META_REFRESH_SCAN_CHARACTERS < page.encode("utf-8").index(b"refresh")
    interval, url = meta_refresh_of(response(page), ignore_tags=["noscript"])
    assert (interval, url) == (0.0, "https://news.example/story/2")


def test_a_cut_inside_a_character_never_reaches_the_head():
    # UTF-16 spends 4 bytes on an emoji: after the 2-byte BOM, the first HEAD_BYTES bytes
    # hold 4095 emoji and half of the next one, which alone decodes to U+FFFD.
    emoji = "\N{GRINNING FACE}"
    body = codecs.BOM_UTF16_LE + (emoji * 6000).encode("utf-16-le")
    page_response = response(body, content_type="text/html")
    assert body[:HEAD_BYTES].decode("utf-16", "replace").endswith(emoji + "\ufffd")
    assert head_text(page_response) == emoji * META_REFRESH_SCAN_CHARACTERS


@pytest.mark.parametrize(
    "make_response",
    [
        lambda: Response(URL, body=b"%PDF-1.7 <meta http-equiv=refresh content='0;url=/x'>" * 2000),
        lambda: response(REFRESH_TO_STORY * 10, content_type="text/plain; charset=utf-8", cls=TextResponse),
        lambda: response('<?xml version="1.0"?><urlset>' + REFRESH_TO_STORY + "</urlset>", cls=XmlResponse),
    ],
    ids=["binary", "plain text", "xml sitemap"],
)
def test_responses_that_are_not_html_are_passed_on_untouched(make_response):
    ours, _ = middlewares()
    given = make_response()
    assert ours.process_response(Request(URL), given) is given


@pytest.mark.parametrize(
    "request_",
    [Request(URL, meta={"dont_redirect": True}), Request(URL, method="HEAD"), Request("ftp://news.example/a")],
    ids=["dont_redirect", "HEAD", "not http"],
)
def test_requests_that_must_not_be_redirected_keep_their_response(request_):
    ours, _ = middlewares()
    given = response(html_page(head=REFRESH_TO_STORY))
    assert ours.process_response(request_, given) is given


def test_settings_are_honoured():
    noscript_page = html_page(head=f"<noscript>{REFRESH_TO_STORY}</noscript>")
    slow_page = html_page(head='<meta http-equiv="refresh" content="30; url=/story/2">')
    default, _ = middlewares()
    assert isinstance(default.process_response(Request(URL), response(slow_page)), Request)
    assert isinstance(default.process_response(Request(URL), response(noscript_page)), HtmlResponse)
    strict, _ = middlewares({"METAREFRESH_IGNORE_TAGS": [], "METAREFRESH_MAXDELAY": 10})
    assert isinstance(strict.process_response(Request(URL), response(noscript_page)), Request)
    assert isinstance(strict.process_response(Request(URL), response(slow_page)), HtmlResponse)


def test_max_redirect_times_still_applies():
    ours, _ = middlewares({"REDIRECT_MAX_TIMES": 1})
    first = ours.process_response(Request(URL), response(html_page(head=REFRESH_TO_STORY)))
    with pytest.raises(IgnoreRequest):
        ours.process_response(first, response(html_page(head=REFRESH_TO_STORY), url=first.url))


def test_disabled_by_metarefresh_enabled_false():
    with pytest.raises(NotConfigured):
        HeadMetaRefreshMiddleware.from_crawler(get_crawler(settings_dict={"METAREFRESH_ENABLED": False}))


def test_project_settings_swap_scrapys_middleware_for_ours_at_its_priority():
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    components = build_component_list(settings.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES"))
    assert MetaRefreshMiddleware not in components and "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware" not in components
    base = settings.getdict("DOWNLOADER_MIDDLEWARES_BASE")
    ours_priority = settings.getdict("DOWNLOADER_MIDDLEWARES")["crawler.middlewares.HeadMetaRefreshMiddleware"]
    assert ours_priority == base["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"]
    assert "crawler.middlewares.HeadMetaRefreshMiddleware" in components
