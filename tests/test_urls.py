"""Tests for crawler.urls: one identity key per article, stable, and never an exception."""

import random
import string

import pytest

from crawler.urls import CANONICAL_KEY_CACHE_SIZE, canonicalize_url, same_site

YOUM7_RAW = "https://www.youm7.com/story/2020/8/24/وزير-الرى/4943459"
YOUM7_ENCODED = (
    "https://www.youm7.com/story/2020/8/24/"
    "%D9%88%D8%B2%D9%8A%D8%B1-%D8%A7%D9%84%D8%B1%D9%89/4943459"
)
YOUM7_KEY = (
    "https://youm7.com/story/2020/8/24/%D9%88%D8%B2%D9%8A%D8%B1-%D8%A7%D9%84%D8%B1%D9%89/4943459"
)


# --- one key for every spelling of the same article ------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        YOUM7_RAW,
        YOUM7_ENCODED,
        YOUM7_ENCODED.lower(),
        "https://youm7.com/story/2020/8/24/وزير-الرى/4943459",
        "HTTPS://WWW.YOUM7.COM:443/story/2020/8/24/وزير-الرى/4943459",
        "  https://www.youm7.com/story/2020/8/24/وزير-الرى/4943459/  ",
        "https://www.youm7.com/story/2020/8/24/وزير-الرى/4943459#comments",
        "https://www.youm7.com//story/2020/8/24/وزير-الرى/4943459?utm_source=fb&fbclid=Iw",
    ],
)
def test_spellings_of_one_article_give_one_key(url):
    assert canonicalize_url(url) == YOUM7_KEY


def test_lowercase_percent_escapes_equal_uppercase_ones():
    assert canonicalize_url("https://ex.com/%d9%88%d8%b2") == canonicalize_url(
        "https://ex.com/%D9%88%D8%B2"
    )


def test_arabic_in_query_raw_and_encoded_give_one_key():
    raw = canonicalize_url("https://ex.com/search?q=وزير الرى&page=2")
    encoded_query = "q=%D9%88%D8%B2%D9%8A%D8%B1+%D8%A7%D9%84%D8%B1%D9%89"
    encoded = canonicalize_url(f"https://ex.com/search?page=2&{encoded_query}")
    assert raw == encoded
    assert raw == f"https://ex.com/search?page=2&{encoded_query}"


def test_query_order_does_not_matter():
    assert canonicalize_url("https://ex.com/a?b=2&a=1") == canonicalize_url(
        "https://ex.com/a?a=1&b=2"
    )


def test_scheme_and_host_are_lowercased_but_path_case_is_kept():
    assert canonicalize_url("HTTP://News.Example.COM/Politics/Story-A") == (
        "http://news.example.com/Politics/Story-A"
    )


def test_default_ports_are_dropped_and_other_ports_kept():
    assert canonicalize_url("http://ex.com:80/a") == "http://ex.com/a"
    assert canonicalize_url("https://ex.com:443/a") == "https://ex.com/a"
    assert canonicalize_url("https://ex.com:8443/a") == "https://ex.com:8443/a"


def test_www_and_bare_host_unify_but_other_subdomains_do_not():
    assert canonicalize_url("https://www.ex.com/a") == canonicalize_url("https://ex.com/a")
    assert canonicalize_url("https://m.ex.com/a") == "https://m.ex.com/a"
    assert canonicalize_url("https://www.ex.com:8080/a") == "https://ex.com:8080/a"


def test_http_and_https_stay_apart():
    assert canonicalize_url("http://ex.com/a") != canonicalize_url("https://ex.com/a")


def test_trailing_slash_of_a_path_is_dropped_but_the_root_stays():
    assert canonicalize_url("https://ex.com/news/123/") == "https://ex.com/news/123"
    assert canonicalize_url("https://ex.com") == "https://ex.com/"
    assert canonicalize_url("https://ex.com/") == "https://ex.com/"


def test_dot_segments_are_resolved():
    assert canonicalize_url("https://ex.com/a/./b/../c") == "https://ex.com/a/c"


# --- tracking parameters go, article ids stay -------------------------------------------


@pytest.mark.parametrize(
    "parameter",
    [
        "utm_source=facebook", "UTM_Medium=social", "utm_campaign=x", "utm_content=y",
        "fbclid=IwAR2", "gclid=Cj0", "dclid=1", "msclkid=2", "mc_cid=3", "mc_eid=4",
        "igshid=5", "_ga=2.1", "ref=home", "ref_src=twsrc", "ocid=msn", "cmpid=6",
        "xtor=AL-1", "at_medium=rss", "at_campaign=feed", "ns_source=x", "ns_mchannel=y",
        "spm=a2", "share=facebook", "pk_campaign=z", "mtm_source=w",
    ],
)
def test_tracking_parameters_are_stripped(parameter):
    assert canonicalize_url(f"https://ex.com/news?id=42&{parameter}") == "https://ex.com/news?id=42"


@pytest.mark.parametrize(
    "query",
    [
        "id=42", "SerialNo=5060", "ArticleID=77", "p=1234", "nid=9", "story=abc",
        # courlan's own tracker pattern would drop these; they can name an article
        "cid=12", "uid=3", "gallery_id=8", "source=rss", "page=2",
    ],
)
def test_identifying_parameters_are_kept(query):
    key = canonicalize_url(f"https://ex.com/news?{query}&utm_source=x")
    assert key == f"https://ex.com/news?{query}"


def test_different_ids_give_different_keys():
    assert canonicalize_url("https://ex.com/News.aspx?SerialNo=1") != canonicalize_url(
        "https://ex.com/News.aspx?SerialNo=2"
    )


def test_parameter_name_case_is_kept():
    key = canonicalize_url("https://ex.com/n.aspx?SerialNo=1")
    assert key == "https://ex.com/n.aspx?SerialNo=1"


def test_blank_parameters_are_kept():
    assert canonicalize_url("https://ex.com/a?print") == "https://ex.com/a?print="


# --- AMP variants --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amp_url",
    [
        "https://ex.com/2024/05/slug/amp/",
        "https://ex.com/2024/05/slug/amp",
        "https://ex.com/2024/05/slug/?amp",
        "https://ex.com/2024/05/slug/?amp=1",
        "https://ex.com/2024/05/slug?outputType=amp",
        "https://www.ex.com/2024/05/slug/amp/?utm_source=google",
    ],
)
def test_amp_variants_give_the_article_key(amp_url):
    assert canonicalize_url(amp_url) == canonicalize_url("https://ex.com/2024/05/slug/")


def test_amp_lookalikes_are_not_folded():
    assert canonicalize_url("https://ex.com/amp") == "https://ex.com/amp"
    assert canonicalize_url("https://ex.com/a?amp=0") == "https://ex.com/a?amp=0"
    assert canonicalize_url("https://ex.com/a/amplifier") == "https://ex.com/a/amplifier"
    # youm7-style AMP pages live under another path prefix, not derivable by dropping a part
    assert canonicalize_url("https://www.youm7.com/amp/2020/8/24/x/4943459") == (
        "https://youm7.com/amp/2020/8/24/x/4943459"
    )


# --- idempotence and junk ------------------------------------------------------------------

IDEMPOTENCE_CASES = [
    YOUM7_RAW,
    YOUM7_ENCODED,
    "https://ex.com/a(b)~c'*;@$+&x",
    "https://ex.com/a%2Fb?x=%2F&y=%26",
    "https://ex.com/amp/amp/",
    "http://www.xn--mgbh0fb.xn--wgbh1c/أخبار",
    "https://ex.com/a?q=%E2%80",
    "https://user:pw@www.ex.com/a",
]

JUNK = [
    "",
    "   ",
    "mailto:desk@ex.com",
    "javascript:void(0)",
    "/relative/path?id=1",
    "ex.com/no-scheme",
    "ftp://ex.com/file",
    "http://",
    "http://[::1",
    "http://ex.com:port/",
    "http://ex.com:99999/",
    "https://ex\\ample.com/a",
    "https://www.\u200fex.com/a",
]


@pytest.mark.parametrize("url", IDEMPOTENCE_CASES + JUNK)
def test_canonicalization_is_idempotent(url):
    key = canonicalize_url(url)
    assert canonicalize_url(key) == key


@pytest.mark.parametrize("junk", JUNK)
def test_junk_comes_back_stripped(junk):
    assert canonicalize_url(f"  {junk}\n") == junk.strip()


def test_random_strings_never_raise_and_stay_idempotent():
    rng = random.Random(20240601)
    alphabet = string.printable + "اب%ـ/?#&=:;@[]ى ٍ\u200f\\"
    prefixes = ["", "http://", "https://", "HTTP://www.", "https://["]
    prefixes += ["https://ex.com/", "https://ex.com/a?"]
    for _ in range(3000):
        tail = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        url = rng.choice(prefixes) + tail
        key = canonicalize_url(url)
        assert canonicalize_url(key) == key, url


# --- the key cache ----------------------------------------------------------------------


def test_cached_keys_are_the_keys_computed_afresh():
    # More distinct URLs than the cache holds, asked twice: evicted and kept entries alike
    # must give what the uncached function gives.
    rng = random.Random(7)
    urls = [
        f"https://www.ex{rng.randint(0, 9)}.com/news/{n}/خبر/amp/?utm_source=x&id={n % 97}"
        for n in range(CANONICAL_KEY_CACHE_SIZE + 500)
    ] + IDEMPOTENCE_CASES + JUNK
    for _ in range(2):
        for url in urls:
            assert canonicalize_url(url) == canonicalize_url.__wrapped__(url), url


def test_a_repeated_url_is_answered_from_the_cache():
    url = "https://www.youm7.com/story/2020/8/24/cache-probe/1?utm_medium=share"
    first = canonicalize_url(url)
    hits = canonicalize_url.cache_info().hits
    assert canonicalize_url(url) == first == "https://youm7.com/story/2020/8/24/cache-probe/1"
    assert canonicalize_url.cache_info().hits == hits + 1


def test_the_cache_stays_bounded():
    for n in range(2 * CANONICAL_KEY_CACHE_SIZE):
        canonicalize_url(f"https://ex.com/bounded/{n}")
    info = canonicalize_url.cache_info()
    assert info.maxsize == CANONICAL_KEY_CACHE_SIZE
    assert info.currsize == CANONICAL_KEY_CACHE_SIZE


# --- same_site -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_a", "url_b", "expected"),
    [
        ("https://www.youm7.com/story/1", "https://youm7.com/story/2", True),
        ("https://news.bbc.co.uk/a", "https://www.bbc.co.uk/b", True),
        ("https://arabic.cnn.com/", "https://cnn.com/", True),
        ("http://ex.com:8080/a", "https://ex.com/b", True),
        ("https://EX.com/a", "ex.com", True),
        ("https://xn--mgbh0fb.xn--wgbh1c/a", "https://www.مثال.مصر/b", True),
        ("https://badexample.com/", "https://example.com/", False),
        ("https://example.com.evil.net/", "https://example.com/", False),
        ("https://arabic.cnn.com/", "https://edition.cnn.com/", False),
        ("", "https://ex.com/", False),
        ("mailto:desk@ex.com", "https://ex.com/", False),
        ("http://[::1", "https://ex.com/", False),
    ],
)
def test_same_site(url_a, url_b, expected):
    assert same_site(url_a, url_b) is expected
    assert same_site(url_b, url_a) is expected


# --- the shortcut for canonical-shaped URLs --------------------------------------------


def _full_path_key(url: str) -> str:
    """``canonicalize_url`` without its shortcut: courlan and w3lib on every URL."""
    from crawler.urls import _canonicalize_web_url

    stripped = url.strip()
    try:
        return _canonicalize_web_url(stripped)
    except ValueError:
        return stripped


def _urls_in_test_data() -> list[str]:
    import re
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    found = set()
    for path in [*tests.glob("*.py"), *tests.glob("eval_pages/*"), *tests.glob("golden/*"), *tests.glob("bad_site/**/*")]:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            found.update(match.group(0).rstrip(".,;") for match in re.finditer(r"https?://[^\s\"'<>()\\]+", text))
    return sorted(found)


def _near_canonical_urls(count: int) -> list[str]:
    """URLs on both sides of every condition of the shortcut: ports, "www.", punycode,
    dot segments, trailing slashes and "/amp", sorted and unsorted, tracking and AMP queries."""
    rng = random.Random(17)
    # The clean choices are listed several times, so that a good share of URLs is canonical-shaped.
    labels = ["www", "a", "b-c", "x1", "com", "m", "news", "0", "9z"] * 4 + ["xn--mgbh0fb", "A", "a_b"]
    segments = ["story", "2024", "05", "a.b", "~x", "a!b", "k=v", "a,b", "a:b", "-", "amp"] * 4 + [".", "..", "", "a%20b", "وزير"]
    tails = ["", "", "", "", "/", "/amp", "/amp/", "/.", "/..", "#top", "?"]
    names = ["a", "b", "id", "p", "x.y", "Z", "amp", "outputType", "utm_source", "ref", "gallery_id", "cid"]
    values = ["", "1", "2", "amp", "true", "x~y"] * 3 + ["a b", "%41"]
    urls = []
    for _ in range(count):
        host = ".".join(rng.choice(labels) for _ in range(rng.randrange(1, 4)))
        port = rng.choice(["", "", ":8080", ":1", ":65535", ":65536", ":80", ":443", ":080"])
        path = "/" + "/".join(rng.choice(segments) for _ in range(rng.randrange(0, 5))) + rng.choice(tails)
        query = ""
        if rng.random() < 0.5:
            parts = [f"{rng.choice(names)}={rng.choice(values)}" for _ in range(rng.randrange(1, 4))]
            query = "?" + "&".join(sorted(parts) if rng.random() < 0.7 else parts)
        urls.append(f"{rng.choice(['http', 'https'] * 5 + ['HTTP'])}://{host}{port}{path}{query}")
    return urls


def test_the_shortcut_gives_the_key_of_the_full_path():
    from crawler.urls import _canonical_shaped_key

    shortcut_taken = 0
    for url in _urls_in_test_data() + _near_canonical_urls(20_000):
        key = _canonical_shaped_key(url.strip())
        if key is not None:
            shortcut_taken += 1
            assert key == _full_path_key(url), url
        assert canonicalize_url(url) == _full_path_key(url), url
    assert shortcut_taken > 1_000  # the comparison covers the shortcut, not only the full path


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.example.com/news/2024/05/story-1.html", "https://example.com/news/2024/05/story-1.html"),
        ("http://127.0.0.1:8080/known/story-000001.html", "http://127.0.0.1:8080/known/story-000001.html"),
        ("https://example.com/article?id=7&p=2", "https://example.com/article?id=7&p=2"),
        ("https://example.com/", "https://example.com/"),
    ],
)
def test_canonical_shaped_urls_take_the_shortcut(url, key):
    from crawler.urls import _canonical_shaped_key

    assert _canonical_shaped_key(url) == key == _full_path_key(url)
