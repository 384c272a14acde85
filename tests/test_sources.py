"""Tests for crawler/sources.py and the shipped crawler/sources.toml registry."""

import json
import re
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest

from crawler.sources import (
    DEFAULT_SOURCES_PATH,
    NAME_RE,
    Source,
    SourceConfigError,
    load_sources,
    select_sources,
)

# ---------------------------------------------------------------- helpers

DROP = object()  # override value that removes the key from the table

BASE_TABLE = {
    "name": "demo",
    "outlet": "موقع تجريبي",
    "domains": ["example.com"],
    "feeds": ["https://www.example.com/rss"],
    "article_patterns": [r"^https?://(www\.)?example\.com/news/\d+"],
}


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(value)


def source_toml(**overrides):
    table = {**BASE_TABLE, **overrides}
    lines = ["[[source]]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in table.items() if value is not DROP]
    return "\n".join(lines) + "\n"


def write_registry(tmp_path, *tables):
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


def load_error(path):
    with pytest.raises(SourceConfigError) as caught:
        load_sources(path)
    return caught.value


def assert_names_in_message(error, path, source, field):
    message = str(error)
    assert message.startswith(str(path) + ": ")
    if source is not None:
        assert (f"source {source}" if source.startswith("#") else f"source {source!r}") in message
    if field is not None:
        assert f"field {field!r}" in message


# ---------------------------------------------------------------- the shipped registry

# Story URLs in each outlet's known shape; the first three come from saved real pages.
SAMPLE_ARTICLES = {
    "youm7": "https://www.youm7.com/story/2024/5/20/وزارة-العمل-تفاصيل-تسفير-5-آلاف-عامل-مصرى-لليونان-للعمل/6574622",
    "bbcarabic": "https://www.bbc.com/arabic/articles/c720dxj8dq8o",
    "cnnarabic": "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html",
    "aljazeera": "https://www.aljazeera.net/news/2024/1/15/عنوان-الخبر",
    "alarabiya": "https://www.alarabiya.net/arab-and-world/2024/01/15/slug",
    "skynewsarabia": "https://www.skynewsarabia.com/middle-east/1684567-عنوان",
    "hespress": "https://www.hespress.com/%D8%B9%D9%86%D9%88%D8%A7%D9%86-1234567.html",
    "rtarabic": "https://arabic.rt.com/middle_east/1581234-عنوان/",
    "france24": "https://www.france24.com/ar/الشرق-الأوسط/20240115-عنوان",
    "dwarabic": "https://www.dw.com/ar/عنوان/a-67981234",
    "independentarabia": "https://www.independentarabia.com/node/512345/سياسة/عنوان",
    "euronewsarabic": "https://arabic.euronews.com/2024/01/15/slug",
    "aawsat": "https://aawsat.com/العالم-العربي/المشرق-العربي/4791234-عنوان",
    "okaz": "https://www.okaz.com.sa/news/local/2151234",
}


@pytest.fixture(scope="module")
def shipped():
    return load_sources()


def test_shipped_registry_has_enough_enabled_sources_from_several_countries(shipped):
    enabled = [s for s in shipped.values() if s.enabled]
    assert len(enabled) >= 10
    assert len({s.country for s in enabled}) >= 5
    assert all(s.timezone for s in shipped.values()), "every outlet states its newsroom's time zone"
    assert all(NAME_RE.match(name) and shipped[name].name == name for name in shipped)


def test_shipped_sources_do_not_claim_each_others_domains(shipped):
    for source in shipped.values():
        for other in shipped.values():
            if other is not source:
                clashes = [d for d in other.domains if source.owns_url(f"https://{d}/")]
                assert not clashes, f"{source.name} owns {other.name}'s {clashes}"


def test_shipped_discovery_urls_are_owned_and_not_taken_for_articles(shipped):
    now = datetime(2025, 8, 25, 12, tzinfo=UTC)
    for source in shipped.values():
        for url in source.sitemap_urls(None, now) + source.feeds + source.sections:
            assert source.owns_url(url), (source.name, url)
            assert not source.is_article_url(url), (source.name, url)


@pytest.mark.parametrize("name, url", sorted(SAMPLE_ARTICLES.items()))
def test_shipped_patterns_recognize_sample_story_urls(shipped, name, url):
    assert shipped[name].is_article_url(url)
    assert shipped[name].is_article_url(quote(url, safe=":/?#%=&"))
    others = [s.name for s in shipped.values() if s.name != name and s.is_article_url(url)]
    assert others == []


# The shapes the registry corrections of issue 12 were made for.
CORRECTED_ARTICLES = {
    "annahar": [
        "https://www.annahar.com/arabic/article/813180",
        "https://www.annahar.com/arabic/section/77-مجتمع/272744/عنوان-الخبر",
        "https://www.annahar.com/lebanon/342933/",
    ],
    "youm7": ["https://m2.youm7.com/story/2025/8/25/عنوان/7101234", "https://m.youm7.com/story/2025/8/25/x/7101235"],
}
NOT_ARTICLES = {
    "annahar": ["https://www.annahar.com/arabic", "https://www.annahar.com/arabic/section/77-مجتمع"],
    "echorouk": ["https://www.echoroukonline.com/news-sitemap.xml"],
}


@pytest.mark.parametrize("name, url", [(n, u) for n, urls in CORRECTED_ARTICLES.items() for u in urls])
def test_corrected_patterns_take_the_real_story_shapes(shipped, name, url):
    assert shipped[name].is_article_url(url)
    assert shipped[name].is_article_url(quote(url, safe=":/?#%=&"))


@pytest.mark.parametrize("name, url", [(n, u) for n, urls in NOT_ARTICLES.items() for u in urls])
def test_corrected_patterns_leave_section_pages_and_sitemaps_out(shipped, name, url):
    assert not shipped[name].is_article_url(url)
    assert not shipped[name].is_article_url(quote(url, safe=":/?#%=&"))


def test_shipped_registry_corrections(shipped):
    assert shipped["youm7"].sitemap_urls(None, datetime(2025, 8, 25, 12, tzinfo=UTC))[:2] == (
        "https://www.youm7.com/Sitemap/2025/8/25",
        "https://www.youm7.com/Sitemap/2025/8/24",
    )
    assert "https://www.hespress.com/sitemap_index.xml" not in shipped["hespress"].sitemaps
    assert shipped["hespress"].sitemaps == ("https://www.hespress.com/sitemap-news.xml", "https://www.hespress.com/sitemap.xml")
    assert shipped["aljazeera"].feeds == ()  # the UUID feed: its status reports disagree
    added = {
        "elkhabar": "https://www.elkhabar.com/feed",
        "royanews": "https://royanews.tv/rss",
        "alsumaria": "https://www.alsumaria.tv/Rss/iraq-latest-news/ar",
        "mosaiquefm": "https://www.mosaiquefm.net/ar/rss",
        "okaz": "https://www.okaz.com.sa/rss/news",
        "skynewsarabia": "https://www.skynewsarabia.com/rss.xml",
        "almasryalyoum": "https://www.almasryalyoum.com/rss/rssfeeds",
        "annahar": "https://www.annahar.com/arabic/rss-feed",
    }
    for name, feed in added.items():
        assert feed in shipped[name].feeds, name
    assert "https://www.echoroukonline.com/news-sitemap.xml" in shipped["echorouk"].sitemaps
    assert "https://aawsat.com/googlenews.xml" in shipped["aawsat"].sitemaps
    assert "https://www.almasryalyoum.com/sitemapxmls/news/news-2025-8.xml" in shipped["almasryalyoum"].sitemap_urls(
        None, datetime(2025, 8, 25, 12, tzinfo=UTC)
    )


def test_shipped_unverified_marks(shipped):
    marked = {name: set(source.unverified) for name, source in shipped.items() if source.unverified}
    assert marked == {
        "independentarabia": {"article_patterns"},
        "alquds": {"article_patterns"},
        "assabah": {"https://www.assabah.com.tn/rss-feed.xml", "article_patterns"},
        "alriyadh": {"https://www.alriyadh.com/"},
        "okaz": {"https://www.okaz.com.sa/news/politics"},
        "aawsat": {"article_patterns"},
        "skynewsarabia": {"article_patterns"},
        "alsumaria": {"article_patterns"},
    }


def test_shipped_language_editions_on_shared_hosts_are_kept_out(shipped):
    assert not shipped["bbcarabic"].is_article_url("https://www.bbc.com/news/articles/c720dxj8dq8o")
    assert not shipped["dwarabic"].is_article_url("https://www.dw.com/en/some-story/a-67981234")
    assert not shipped["france24"].is_article_url("https://www.france24.com/fr/france/20240115-titre")
    assert not shipped["hespress"].is_article_url("https://fr.hespress.com/titre-1234567.html")


def test_shipped_prune_xpaths_and_names(shipped):
    assert shipped["youm7"].prune_xpath
    assert "اليوم السابع" in shipped["youm7"].names
    assert shipped["youm7"].lookback_days == 1
    assert shipped["aljazeera"].lookback_days == 2


def test_default_path_is_the_file_beside_the_module(shipped):
    assert load_sources(DEFAULT_SOURCES_PATH) == shipped
    assert load_sources(str(DEFAULT_SOURCES_PATH)).keys() == shipped.keys()


# ---------------------------------------------------------------- loading a valid file


def test_valid_table_loads_with_defaults(tmp_path):
    other = source_toml(name="other", outlet=DROP, domains=["other.org"], feeds=DROP,
                        sections=["https://other.org/"], enabled=False, lookback_days=7)
    path = write_registry(tmp_path, source_toml(), other)
    sources = load_sources(path)
    assert list(sources) == ["demo", "other"]
    demo = sources["demo"]
    assert demo.domains == ("example.com",)
    assert demo.feeds == ("https://www.example.com/rss",)
    assert demo.sitemaps == () and demo.sections == ()
    assert demo.lookback_days == 2 and demo.enabled is True
    assert demo.prune_xpath is None and demo.country is None
    assert isinstance(demo.article_patterns[0], re.Pattern)
    assert sources["other"].enabled is False and sources["other"].lookback_days == 7
    assert sources["other"].outlet == "other"  # the name stands in for a missing outlet


def test_domains_are_normalized(tmp_path):
    path = write_registry(tmp_path, source_toml(domains=["Example.COM."]))
    assert load_sources(path)["demo"].domains == ("example.com",)


# ---------------------------------------------------------------- date templates and unverified marks


def test_date_template_sitemaps_are_filled_for_each_day_of_the_window_in_the_outlet_time_zone():
    source = Source(
        name="daily",
        domains=["example.com"],
        timezone="Africa/Cairo",  # UTC+3 in August
        lookback_days=2,
        sitemaps=["https://example.com/Sitemap/{y}/{m}/{d}", "https://example.com/sitemap.xml"],
    )
    # 22:30 UTC is already the next day in Cairo.
    now = datetime(2025, 8, 25, 22, 30, tzinfo=UTC)

    assert source.sitemap_urls(None, now) == (
        "https://example.com/Sitemap/2025/8/26",
        "https://example.com/Sitemap/2025/8/25",
        "https://example.com/Sitemap/2025/8/24",
        "https://example.com/sitemap.xml",
    )


def test_an_explicit_since_sets_the_window_and_padded_placeholders_pad():
    source = Source(name="d", domains=["example.com"], sitemaps=["https://example.com/{y}-{mm}-{dd}.xml"])

    urls = source.sitemap_urls(datetime(2024, 12, 30, tzinfo=UTC), datetime(2025, 1, 2, 8, tzinfo=UTC))

    assert urls == tuple(f"https://example.com/{day}.xml" for day in ("2025-01-02", "2025-01-01", "2024-12-31", "2024-12-30"))


def test_a_monthly_template_gives_one_url_per_month_of_the_window():
    source = Source(name="m", domains=["example.com"], lookback_days=3,
                    sitemaps=["https://example.com/sitemapxmls/news/news-{y}-{m}.xml"])

    assert source.sitemap_urls(None, datetime(2025, 9, 2, 12, tzinfo=UTC)) == (
        "https://example.com/sitemapxmls/news/news-2025-9.xml",
        "https://example.com/sitemapxmls/news/news-2025-8.xml",
    )


def test_window_days_without_a_time_zone_are_utc_days():
    source = Source(name="u", domains=["example.com"], lookback_days=1, sitemaps=["https://example.com/{d}"])

    assert source.window_days(None, datetime(2025, 3, 1, 0, 30, tzinfo=UTC)) == [date(2025, 3, 1), date(2025, 2, 28)]


def test_a_template_sitemap_loads_and_is_kept_as_written(tmp_path):
    path = write_registry(tmp_path, source_toml(sitemaps=["https://www.example.com/Sitemap/{y}/{m}/{d}"]))

    assert load_sources(path)["demo"].sitemaps == ("https://www.example.com/Sitemap/{y}/{m}/{d}",)


def test_unverified_marks_name_endpoints_as_written_and_the_patterns(tmp_path):
    template = "https://www.example.com/Sitemap/{y}/{m}/{d}"
    path = write_registry(tmp_path, source_toml(sitemaps=[template], unverified=[template, "article_patterns"]))

    demo = load_sources(path)["demo"]

    assert demo.is_unverified(template) and demo.is_unverified("article_patterns")
    assert not demo.is_unverified("https://www.example.com/rss")
    assert demo.endpoints == (("sitemap", template), ("feed", "https://www.example.com/rss"))


# ---------------------------------------------------------------- errors

ERROR_CASES = {
    "unknown key": (dict(sitemap=["https://example.com/s.xml"]), "sitemap", "unknown key"),
    "missing name": (dict(name=DROP), "name", "missing required key"),
    "missing domains": (dict(domains=DROP), "domains", "missing required key"),
    "empty domains": (dict(domains=[]), "domains", "at least one domain"),
    "no discovery url": (dict(feeds=DROP), "sitemaps/feeds/sections", "at least one URL"),
    "empty discovery lists": (dict(feeds=[], sitemaps=[], sections=[]), "sitemaps/feeds/sections", "at least one"),
    "domains not a list": (dict(domains="example.com"), "domains", "expected an array"),
    "alias not a string": (dict(aliases=["ok", 3]), "aliases", "expected an array of strings"),
    "outlet not a string": (dict(outlet=5), "outlet", "expected a string"),
    "name not a string": (dict(name=7), "name", "expected a string"),
    "enabled not a bool": (dict(enabled="yes"), "enabled", "expected true or false"),
    "lookback as string": (dict(lookback_days="2"), "lookback_days", "positive integer"),
    "lookback zero": (dict(lookback_days=0), "lookback_days", "positive integer"),
    "lookback negative": (dict(lookback_days=-3), "lookback_days", "positive integer"),
    "lookback float": (dict(lookback_days=1.5), "lookback_days", "positive integer"),
    "lookback bool": (dict(lookback_days=True), "lookback_days", "positive integer"),
    "bad name": (dict(name="Youm 7"), "name", "bad name"),
    "name too long": (dict(name="a" * 42), "name", "bad name"),
    "name with dot": (dict(name="example.com"), "name", "bad name"),
    "ftp url": (dict(feeds=["ftp://example.com/rss"]), "feeds", "is not an http(s) URL"),
    "relative url": (dict(sitemaps=["/sitemap.xml"]), "sitemaps", "not an absolute http(s) URL"),
    "url without host": (dict(sections=["https:///news"]), "sections", "has no host"),
    "url with space": (dict(sections=["https://example.com/a b"]), "sections", "whitespace"),
    "url off domain": (dict(feeds=["https://evil.example.org/rss"]), "feeds", "not within the source's domains"),
    "url on look-alike domain": (dict(feeds=["https://notexample.com/rss"]), "feeds", "not within"),
    "bad regex": (dict(article_patterns=["^https://example\\.com/(unclosed"]), "article_patterns", "bad regex"),
    "bad xpath": (dict(prune_xpath="//div[@class='x'"), "prune_xpath", "bad XPath"),
    "blank xpath": (dict(prune_xpath="  "), "prune_xpath", "blank"),
    "bad country": (dict(country="Egypt"), "country", "ISO 3166"),
    "unknown timezone": (dict(timezone="Cairo"), "timezone", "IANA time zone"),
    "timezone path": (dict(timezone="../../etc/passwd"), "timezone", "IANA time zone"),
    "domain with scheme": (dict(domains=["https://example.com"]), "domains", "not a host name"),
    "domain with port": (dict(domains=["example.com:8080"]), "domains", "not a host name"),
    "unknown placeholder": (dict(sitemaps=["https://example.com/s/{year}.xml"]), "sitemaps", "unknown placeholder {year}"),
    "unbalanced brace": (dict(sitemaps=["https://example.com/s/{y.xml"]), "sitemaps", "unbalanced brace"),
    "template off domain": (dict(sitemaps=["https://{y}.example.org/s.xml"]), "sitemaps", "not within"),
    "template in a feed": (dict(feeds=["https://example.com/rss/{y}"]), "feeds", "sitemaps only"),
    "unverified unknown url": (dict(unverified=["https://www.example.com/other"]), "unverified", "neither one of"),
    "unverified without patterns": (dict(article_patterns=DROP, unverified=["article_patterns"]), "unverified", "has none"),
    "unverified not a list": (dict(unverified="article_patterns"), "unverified", "expected an array"),
}


@pytest.mark.parametrize("overrides, field, reason", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_bad_table_names_source_and_field(tmp_path, overrides, field, reason):
    path = write_registry(tmp_path, source_toml(name="fine", domains=["fine.org"], feeds=["https://fine.org/rss"]),
                          source_toml(**overrides))
    error = load_error(path)
    expected_source = overrides["name"] if isinstance(overrides.get("name"), str) else "demo"
    if overrides.get("name") is DROP or isinstance(overrides.get("name"), int):
        expected_source = "#2"
    assert (error.source, error.field) == (expected_source, field)
    assert reason in error.reason
    assert_names_in_message(error, path, expected_source, field)


def test_error_message_format(tmp_path):
    path = write_registry(tmp_path, source_toml(name="youm7", domains=["x"], feeds=["ftp://x"]))
    error = load_error(path)
    assert str(error) == f"{path}: source 'youm7': field 'feeds': 'ftp://x' is not an http(s) URL"
    assert isinstance(error, ValueError)


def test_relative_path_is_shown_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "s.toml").write_text(source_toml(lookback_days=0), encoding="utf-8")
    assert str(load_error("conf/s.toml")).startswith("conf/s.toml: source 'demo': field 'lookback_days': ")
    assert str(load_error(tmp_path / "conf" / "s.toml")).startswith("conf/s.toml: ")


def test_duplicate_name_is_refused(tmp_path):
    path = write_registry(tmp_path, source_toml(), source_toml(domains=["example.net"],
                                                               feeds=["https://example.net/rss"]))
    error = load_error(path)
    assert (error.source, error.field) == ("demo", "name")
    assert "duplicate" in error.reason and "#1" in error.reason


def test_missing_file_is_a_config_error(tmp_path):
    path = tmp_path / "absent.toml"
    error = load_error(path)
    assert (error.source, error.field) == (None, None)
    assert str(error).startswith(f"{path}: cannot read the file")


def test_toml_syntax_error_is_a_config_error(tmp_path):
    path = write_registry(tmp_path, '[[source]]\nname = "demo\n')
    error = load_error(path)
    assert (error.source, error.field) == (None, None)
    assert str(error).startswith(f"{path}: TOML syntax error")


def test_file_that_is_not_utf8_is_a_config_error(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_bytes(source_toml(outlet="اليوم السابع").encode("cp1256"))
    error = load_error(path)
    assert error.field is None and "UTF-8" in error.reason


@pytest.mark.parametrize(
    "text, field",
    [
        ("", "source"),
        ('title = "x"\n' + source_toml(), "title"),
        ('[source]\nname = "demo"\n', "source"),
    ],
    ids=["no tables", "unknown top-level key", "single table"],
)
def test_bad_top_level_is_a_config_error(tmp_path, text, field):
    path = write_registry(tmp_path, text)
    error = load_error(path)
    assert (error.source, error.field) == (None, field)
    assert_names_in_message(error, path, None, field)


def test_source_that_is_not_a_table_is_named_by_index(tmp_path):
    path = write_registry(tmp_path, "source = [1]\n")
    error = load_error(path)
    assert (error.source, error.field) == ("#1", "source")
    assert "source #1" in str(error)


# ---------------------------------------------------------------- URL ownership


@pytest.fixture
def demo():
    return Source(
        name="demo",
        outlet="موقع",
        aliases=["Demo", "موقع"],
        domains=["example.com", "cdn-example.org"],
        sections=["https://example.com/"],
        article_patterns=[r"^https?://(www\.)?example\.com/أخبار/\d+", r"/story/%D8%B9/\d+"],
    )


@pytest.mark.parametrize(
    "url, owned",
    [
        ("https://example.com/", True),
        ("http://www.example.com/x", True),
        ("https://m.news.EXAMPLE.com/x", True),
        ("https://example.com:8443/x", True),
        ("https://sub.cdn-example.org/a.jpg", True),
        ("https://notexample.com/", False),
        ("https://example.com.evil.org/", False),
        ("https://example.com@evil.org/", False),
        ("ftp://example.com/file", False),
        ("example.com/news/1", False),
        ("http://[::1/", False),
        ("", False),
    ],
)
def test_owns_url(demo, url, owned):
    assert demo.owns_url(url) is owned


def test_is_article_url_matches_raw_and_percent_encoded_arabic(demo):
    raw = "https://www.example.com/أخبار/12"
    encoded = "https://www.example.com/" + quote("أخبار") + "/12"
    assert encoded != raw
    assert demo.is_article_url(raw)
    assert demo.is_article_url(encoded)
    assert demo.is_article_url(encoded.lower())  # lower-case escapes decode the same
    assert demo.is_article_url("HTTPS://WWW.EXAMPLE.COM/أخبار/12")
    # a pattern written %-encoded also matches the raw form
    assert demo.is_article_url("https://example.com/story/ع/5")
    assert not demo.is_article_url("https://www.example.com/أخبار/")
    assert not demo.is_article_url("https://www.example.com/رياضة/12")


def test_is_article_url_requires_ownership_even_when_a_pattern_matches(demo):
    assert not demo.is_article_url("https://other.net/story/%D8%B9/5")


def test_source_without_patterns_takes_every_owned_url():
    source = Source(name="open", domains=("example.com",))
    assert source.is_article_url("https://example.com/any/page")
    assert not source.is_article_url("https://example.org/any/page")


def test_names_are_outlet_then_unique_aliases(demo):
    assert demo.names == ("موقع", "Demo")
    assert Source(name="x", domains=("x.com",), aliases=("X",)).names == ("X",)


def test_direct_construction_normalizes_sequences(demo):
    assert demo.domains == ("example.com", "cdn-example.org")
    assert isinstance(demo.aliases, tuple)
    assert all(isinstance(p, re.Pattern) for p in demo.article_patterns)
    assert hash(demo) == hash(Source(**{f: getattr(demo, f) for f in demo.__dataclass_fields__}))


# ---------------------------------------------------------------- ad-hoc sources


def test_adhoc_source_for_a_loopback_server():
    source = Source.adhoc(["http://127.0.0.1:8080/index.html", "http://127.0.0.1:8080/a/1.html"])
    assert source.name == "127.0.0.1-8080"
    assert source.domains == ("127.0.0.1",)
    assert (source.sitemaps, source.feeds, source.sections, source.article_patterns) == ((), (), (), ())
    assert source.owns_url("http://127.0.0.1:8080/other")
    assert source.owns_url("http://127.0.0.1:9999/other")  # host names only: ports are ignored
    assert source.is_article_url("http://127.0.0.1:8080/a/2.html")
    assert not source.owns_url("http://127.0.0.2:8080/")
    assert not source.owns_url("http://localhost:8080/")


def test_adhoc_source_drops_www_and_collects_all_hosts():
    source = Source.adhoc(["https://www.Example.com/news/1", "https://blog.other.org/x", "https://example.com/y"])
    assert source.name == "example.com"
    assert source.domains == ("example.com", "blog.other.org")
    assert source.owns_url("https://m.example.com/z")
    assert not source.owns_url("https://other.org/")
    assert source.enabled and source.lookback_days == 2


def test_adhoc_name_is_path_safe():
    assert Source.adhoc(["http://[::1]:8000/"]).name == "1-8000"
    assert Source.adhoc(["https://موقع.مصر/"]).name.isascii()
    assert "/" not in Source.adhoc(["https://example.com:443/a/b"]).name


@pytest.mark.parametrize("urls", [[], ["/relative/path"], ["ftp://example.com/x"], ["http:///nohost"]])
def test_adhoc_rejects_unusable_urls(urls):
    with pytest.raises(SourceConfigError) as caught:
        Source.adhoc(urls)
    assert caught.value.field == "urls"


# ---------------------------------------------------------------- selection


@pytest.fixture
def registry(tmp_path):
    path = write_registry(
        tmp_path,
        source_toml(name="alpha", domains=["alpha.com"], feeds=["https://alpha.com/rss"]),
        source_toml(name="beta", domains=["beta.com"], feeds=["https://beta.com/rss"], enabled=False),
        source_toml(name="gamma", domains=["gamma.com"], feeds=["https://gamma.com/rss"]),
    )
    return load_sources(path)


def test_select_none_gives_enabled_sources_in_file_order(registry):
    assert [s.name for s in select_sources(registry, None)] == ["alpha", "gamma"]


def test_select_by_names_keeps_order_and_takes_disabled(registry):
    chosen = select_sources(registry, " gamma, Beta ,gamma,")
    assert [s.name for s in chosen] == ["gamma", "beta"]


def test_select_unknown_name_lists_known_names(registry):
    with pytest.raises(SourceConfigError) as caught:
        select_sources(registry, "alpha,delta")
    assert caught.value.source == "delta"
    assert caught.value.field == "source"
    assert "'delta'" in str(caught.value) and "alpha, beta, gamma" in str(caught.value)


def test_select_empty_string_is_an_error(registry):
    with pytest.raises(SourceConfigError, match="alpha, beta, gamma"):
        select_sources(registry, " , ")
