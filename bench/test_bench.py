"""Tests of the crawl benchmark's parts: site generation, /proc sampling, stats parsing.

    python -m pytest -q bench/test_bench.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import lxml.html
import pytest

import proctree
import run
import sitegen

SOURCES = (sitegen.SHARED_EVAL, sitegen.LOCAL_EVAL)
BASE = "http://127.0.0.1:8123"


@pytest.fixture(scope="module")
def pool():
    return sitegen.paragraph_pool(sitegen.expected_files(SOURCES))


@pytest.fixture(scope="module")
def templates():
    return sitegen.load_templates(sitegen.TEMPLATE_STEMS, SOURCES)


@pytest.fixture(scope="module")
def specs(pool):
    return sitegen.plan_pages(300, pool, list(sitegen.TEMPLATE_STEMS))


# --- text pool and planning ----------------------------------------------------------


def test_split_paragraph_keeps_every_word_in_order_within_the_limit():
    words = [f"كلمة{i}" + ("،" if i % 7 == 6 else "") for i in range(93)]
    text = " ".join(words)
    pieces = sitegen.split_paragraph(text, max_words=25)
    assert " ".join(pieces).split() == words
    assert all(len(piece.split()) <= 25 for piece in pieces)
    assert len(pieces) >= 4


def test_split_paragraph_prefers_a_clause_end():
    text = " ".join(["أ"] * 15 + ["نهاية،"] + ["ب"] * 14)
    first, _second = sitegen.split_paragraph(text, max_words=20)
    assert first.endswith("نهاية،")


def test_pool_has_several_hundred_distinct_pieces(pool):
    assert len(pool) >= 300
    assert len(set(pool)) == len(pool)
    assert max(len(piece.split()) for piece in pool) <= sitegen.MAX_PIECE_WORDS


def test_plan_is_deterministic_and_a_prefix_of_a_bigger_plan(pool, specs):
    again = sitegen.plan_pages(120, pool, list(sitegen.TEMPLATE_STEMS))
    assert again == specs[:120]
    other_seed = sitegen.plan_pages(120, pool, list(sitegen.TEMPLATE_STEMS), seed=7)
    assert other_seed[0].paragraphs != specs[0].paragraphs


def test_planned_pages_stay_far_apart(pool, specs):
    assert sitegen.max_shared_word_share(specs, pool) <= sitegen.MAX_SHARED_WORD_SHARE
    assert sitegen.max_shingle_overlap(specs) < 0.5
    assert len({spec.text for spec in specs}) == len(specs)
    assert len({spec.path for spec in specs}) == len(specs)


def test_every_page_has_six_to_twelve_pieces_and_a_unique_lead(pool, specs):
    pool_set = set(pool)
    for spec in specs:
        assert 6 <= len(spec.piece_ids) <= 12
        assert spec.paragraphs[0] not in pool_set
        extra = [p for p in spec.paragraphs if p not in pool_set]
        assert 1 <= len(extra) <= 2


def test_planner_refuses_a_draw_that_repeats_a_page(pool):
    import random

    planner = sitegen.PagePlanner(pool, sitegen.vocabulary(pool), random.Random(1), 0.3)
    piece_ids, _sentences = planner.draw()
    words = sum(planner.piece_words[i] for i in piece_ids)
    assert planner.worst_share_of(piece_ids, words) == pytest.approx(1.0)
    assert planner.worst_share_of([i for i in range(len(pool)) if i not in piece_ids][:8], 100) == 0.0


# --- templates and rendering ---------------------------------------------------------


def test_templates_lose_their_own_article_text(templates):
    for stem, template in templates.items():
        html_path, expected_path = sitegen.find_template_files(stem, SOURCES)
        text = sitegen.visible_text(lxml.html.document_fromstring(template.text))
        for key in sitegen.paragraph_keys(sitegen.read_paragraphs(expected_path)):
            assert key not in text, f"{stem} still shows {key!r}"
        assert sitegen.MARK_BODY in template.text and sitegen.MARK_TITLE in template.text


def test_title_suffix_is_the_site_name_tail():
    assert sitegen.title_suffix("خبر عاجل - الصباح | Assabah") == " - الصباح | Assabah"
    assert sitegen.title_suffix("خبر - عن شيء ما - BBC News عربي") == " - BBC News عربي"
    assert sitegen.title_suffix("عنوان بلا اسم موقع") == ""


def test_rendered_page_carries_the_spec(templates, specs):
    for spec in specs[: len(templates)]:
        page = sitegen.render_page(templates[spec.template], spec)
        assert not sitegen.MARK_RE.search(page)
        tree = lxml.html.document_fromstring(page)
        canonical = tree.xpath("//link[@rel='canonical']/@href")
        assert canonical == [spec.url]
        assert spec.title in tree.xpath("string(//title)")
        body = sitegen.visible_text(tree)
        assert all(sitegen.normalize_space(p) in body for p in spec.paragraphs)
        for script in tree.xpath("//script[@type='application/ld+json']"):
            data = json.loads(script.text)
            assert spec.url in json.dumps(data, ensure_ascii=False)


def test_crawler_extracts_exactly_the_generated_body(templates, specs):
    from crawler.article import article_from_html

    for spec in specs[: len(templates)]:
        page = sitegen.render_page(templates[spec.template], spec).replace(sitegen.BASE_URL, BASE)
        article = article_from_html(page, BASE + spec.path)
        expected, got = spec.text.split(), article["text"].split()
        common = len(set(expected) & set(got))
        assert common / len(set(expected)) > 0.95, spec.template
        assert common / len(set(got)) > 0.95, spec.template


def test_sitemaps_list_each_page_once_in_chunks(specs):
    files = sitegen.sitemap_files(specs, 250, chunk=100)
    parts = sorted(path for path in files if "part-" in path)
    assert len(parts) == 3
    index = files["/sitemaps/n250/index.xml"]
    assert all(sitegen.BASE_URL + part in index for part in parts)
    locs = [loc for part in parts for loc in lxml.etree.fromstring(files[part].encode()).itertext() if "/news/" in loc]
    assert locs == [spec.url for spec in specs[:250]]


def test_build_site_writes_pages_sitemaps_and_robots(tmp_path):
    manifest, specs = sitegen.build_site(tmp_path, [5, 12])
    assert manifest.pages == 12 and len(specs) == 12
    assert len(list(tmp_path.rglob("*.html"))) == 12
    assert set(manifest.sitemap_indexes) == {5, 12}
    assert "Allow: /" in (tmp_path / "robots.txt").read_text()
    assert (tmp_path / "sitemaps/n5/index.xml").is_file()


# --- /proc sampling ------------------------------------------------------------------


def test_parse_stat_handles_odd_command_names():
    fields = ["S", "42"] + ["0"] * 9 + ["150", "50"] + ["0"] * 6 + ["777", "0", "9"]
    stat = proctree.parse_stat("1234 (we (ird) name) " + " ".join(fields))
    assert (stat.pid, stat.ppid, stat.state) == (1234, 42, "S")
    assert stat.cpu_ticks == 200
    assert stat.start_ticks == 777
    assert stat.rss_bytes == 9 * proctree.PAGE_SIZE


def test_descendants_follow_parent_links_only():
    def stat(pid, ppid):
        return proctree.ProcStat(pid, ppid, "S", 0, 0, 0)

    stats = {pid: stat(pid, ppid) for pid, ppid in [(1, 0), (10, 1), (11, 10), (12, 11), (20, 1), (13, 10)]}
    assert proctree.descendants(10, stats) == {10, 11, 12, 13}
    assert proctree.descendants(99, stats) == set()


BURNER = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time\\nend = time.process_time() + 0.6\\nwhile time.process_time() < end: pass"])
child.wait()
"""


def test_sampler_sees_a_grandchild_and_its_cpu_time():
    before = proctree.children_cpu_seconds()
    process = subprocess.Popen([sys.executable, "-c", BURNER])
    sampler = proctree.TreeSampler(process.pid, interval=0.05).start()
    process.wait()
    sampler.stop()
    assert sampler.process_count >= 2
    assert sampler.cpu_seconds >= 0.4
    assert sampler.peak_tree_rss > sampler.peak_main_rss > 0
    assert proctree.children_cpu_seconds() - before >= 0.6


def test_reap_collects_an_adopted_orphan():
    assert proctree.become_child_subreaper()
    # The middle process exits at once, leaving its sleeping child to us.
    code = "import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(0.5)']); print(p.pid)"
    middle = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    orphan = int(middle.stdout)
    stat = proctree.read_stat(orphan)
    assert stat is not None and stat.ppid != orphan
    started = time.monotonic()
    assert proctree.reap([(orphan, stat.start_ticks)], timeout=5) == []
    assert proctree.read_stat(orphan) is None
    assert time.monotonic() - started < 5


# --- stats and figures ---------------------------------------------------------------


STATS_LOG = """2026-11-22 15:35:39 [scrapy.core.engine] INFO: Closing spider (finished)
2026-11-22 15:35:39 [scrapy.statscollectors] INFO: Dumping Scrapy stats:
{'downloader/response_status_count/200': 103,
 'elapsed_time_seconds': 3.66,
 'finish_time': datetime.datetime(2026, 11, 22, 15, 35, 39, tzinfo=datetime.timezone.utc),
 'news/dropped/no_article_body': 2,
 'news/source/x/dropped/no_article_body': 2,
 'item_scraped_count': 98}
2026-11-22 15:35:39 [scrapy.core.engine] INFO: Spider closed (finished)
"""


def test_stats_dump_is_parsed_and_filtered():
    stats = run.parse_stats_dump(STATS_LOG)
    assert stats["news/dropped/no_article_body"] == 2
    assert stats["elapsed_time_seconds"] == pytest.approx(3.66)
    kept = run.kept_stats(stats)
    assert "news/source/x/dropped/no_article_body" not in kept
    assert kept["item_scraped_count"] == 98
    assert run.parse_stats_dump("no dump here") == {}


def test_enabled_pipelines_are_read_from_the_log():
    log = (
        "2026-11-22 16:09:14 [scrapy.middleware] INFO: Enabled item pipelines:\n"
        "['pipelines.extract.ExtractPipeline',\n 'pipelines.dedup.DedupPipeline',\n"
        " 'pipelines.write.JsonlWriterPipeline']\n2026-11-22 16:09:14 [scrapy.core.engine] INFO: Spider opened\n"
    )
    assert run.enabled_pipelines(log) == [
        "pipelines.extract.ExtractPipeline",
        "pipelines.dedup.DedupPipeline",
        "pipelines.write.JsonlWriterPipeline",
    ]
    assert run.enabled_pipelines("nothing") == []


def test_the_crawl_log_is_the_run_log_under_output_dir_when_there_is_one(tmp_path):
    # At the default LOG_LEVEL (WARNING) the console has neither the stats dump nor the
    # enabled pipelines; the run log under OUTPUT_DIR/logs/ keeps INFO.
    stderr = tmp_path / "crawl.stderr.log"
    stderr.write_text("2026-11-22 16:09:14 [py.warnings] WARNING: something\n", encoding="utf-8")
    logs = tmp_path / "output" / "logs"
    logs.mkdir(parents=True)
    (logs / "20261122T160914Z.log").write_text("INFO: Dumping Scrapy stats:\n{'item_scraped_count': 3}\n", encoding="utf-8")
    new = [path for path in run.run_log_files(tmp_path / "output")]
    assert run.parse_stats_dump(run.crawl_log_text(stderr, new)) == {"item_scraped_count": 3}
    assert "WARNING: something" in run.crawl_log_text(stderr, [])


def test_page_counts_are_sorted_and_validated():
    assert run.page_counts("4000,1000,2000,1000") == [1000, 2000, 4000]
    with pytest.raises(Exception):
        run.page_counts("10,x")
    with pytest.raises(Exception):
        run.page_counts("0")


def test_crawl_command_turns_politeness_off_but_keeps_robots(tmp_path):
    command = run.crawl_command("http://127.0.0.1:1/s.xml", tmp_path, {"EXTRACT_WORKERS": "1"})
    settings = dict(command[i + 1].split("=", 1) for i, part in enumerate(command) if part == "-s")
    assert settings["ROBOTSTXT_OBEY"] == "1"
    assert settings["DOWNLOAD_DELAY"] == "0" and settings["AUTOTHROTTLE_ENABLED"] == "0"
    assert settings["OUTPUT_DIR"] == str(tmp_path)
    assert settings["EXTRACT_WORKERS"] == "1"
    assert "ITEM_PIPELINES" not in settings


def test_figures_and_growth():
    crawl = run.CrawlResult(
        pages=100, wall_seconds=4.0, cpu_seconds=8.0, cpu_seconds_sampled=7.9, main_cpu_seconds=2.5, cpu_source="rusage",
        peak_tree_rss=400 * 2**20, peak_main_rss=200 * 2**20, max_processes=5, processes_seen=5, samples=40,
        exit_code=0, items_written=100, items_with_duplicate_of=0, distinct_content_hashes=100, server_cpu_seconds=0.2,
        bench_cpu_seconds=0.1, other_cpu_seconds=0.0, load_average_before=0.1,
    )
    bare = run.BareResult(pages=100, wall_seconds=5.0, cpu_seconds=5.0, extracted=100, other_cpu_seconds=2.0)
    row = run.per_count_figures(crawl, bare)
    assert row["crawl_pages_per_second"] == pytest.approx(25.0)
    assert row["crawl_to_bare_ratio"] == pytest.approx(25.0 / 20.0)
    assert row["crawl_cpu_seconds_per_page"] == pytest.approx(0.08)
    assert run.growth_percent(400, 500) == pytest.approx(25.0)
    assert "NOISY" in run.noise_flag(row) and "0.40 cores" in run.noise_flag(row)
    row["bare"]["other_cpu_seconds"] = 0.1
    assert run.noise_flag(row) == ""
    table = run.format_table([row])
    assert "crawl/bare" in table.splitlines()[0] and "1.25" in table.splitlines()[1]


def test_bare_checkpoints_match_prefixes(templates, specs):
    pages = [sitegen.render_page(templates[spec.template], spec).replace(sitegen.BASE_URL, BASE) for spec in specs[:4]]
    results = run.run_bare(pages, [2, 4])
    assert set(results) == {2, 4}
    assert results[2].wall_seconds <= results[4].wall_seconds
    assert results[4].extracted == 4


def test_targets_are_judged_on_the_lowest_ratio_and_the_growth():
    rows = [
        {"pages": 1000, "items_written": 1000, "crawl_to_bare_ratio": 3.4, "crawl_peak_main_rss_mb": 180.0},
        {"pages": 4000, "items_written": 4000, "crawl_to_bare_ratio": 2.9, "crawl_peak_main_rss_mb": 190.0},
    ]
    totals = {"rss_growth_from_pages": 1000, "rss_growth_to_pages": 4000, "peak_tree_rss_growth_percent": 2.0}

    checks = dict((what.split(" (")[0], met) for what, met in run.targets(rows, totals))
    assert checks == {
        "crawl/bare >= 3.0 at every size": False,
        "peak RSS of the tree grows <= 15 % from 1000 to 4000 pages": True,
        "Scrapy process peak RSS < 300 MB": True,
        "every page written as an item": True,
    }
    rows[1]["crawl_to_bare_ratio"] = 3.1
    totals["peak_tree_rss_growth_percent"] = 16.0
    lines = run.format_targets(run.targets(rows, totals))
    assert lines[0].startswith("target met: crawl/bare >= 3.0") and "lowest 3.10" in lines[0]
    assert lines[1].startswith("target MISSED: peak RSS")


def test_natural_size_templates_lie_in_the_band_and_say_why_others_are_out():
    kept, left_out = sitegen.natural_size_stems(SOURCES, (20, 320))
    assert kept and set(kept).isdisjoint(left_out)
    for stem in kept:
        html_path, _expected = sitegen.find_template_files(stem, SOURCES)
        assert 20 <= html_path.stat().st_size / 1024 <= 320
    assert set(kept) | set(left_out) == set(sitegen.all_template_stems(SOURCES))
    assert all("kB" in why or ":" in why for why in left_out.values())
    assert all(not sitegen.is_synthetic(sitegen.find_template_files(stem, SOURCES)[0]) for stem in kept)


def test_size_histogram_counts_each_page_once_in_its_band():
    histogram = sitegen.size_histogram([10 * 1024, 30 * 1024, 49 * 1024, 260 * 1024], bin_kb=25)
    assert histogram == {"0-25 kB": 1, "25-50 kB": 2, "250-275 kB": 1}


def test_pooled_bare_loop_extracts_every_page_in_as_many_processes(templates, specs):
    pages = [sitegen.render_page(templates[spec.template], spec).replace(sitegen.BASE_URL, BASE) for spec in specs[:4]]
    results = run.run_bare_pool(pages, [2, 4], processes=2)
    assert [results[n].extracted for n in (2, 4)] == [2, 4]
    assert results[4].processes == 2 and results[4].cpu_seconds > 0


def test_pool_processes_follow_extract_workers():
    assert run.pool_processes({"EXTRACT_WORKERS": "3"}) == 3
    assert run.pool_processes({}) == max(1, os.cpu_count() or 1)


def test_one_size_does_not_judge_memory_growth():
    rows = [{"pages": 1000, "items_written": 1000, "crawl_to_bare_ratio": 3.2, "crawl_peak_main_rss_mb": 150.0}]
    totals = {"rss_growth_from_pages": 1000, "rss_growth_to_pages": 1000, "peak_tree_rss_growth_percent": 0.0}
    assert [what.split(" (")[0] for what, _met in run.targets(rows, totals)] == [
        "crawl/bare >= 3.0 at every size", "Scrapy process peak RSS < 300 MB", "every page written as an item",
    ]


# --- state_scale.py ---------------------------------------------------------------------


def test_state_scale_fills_a_store_with_articles_aliases_and_signatures(tmp_path):
    import random
    from datetime import datetime, timezone

    import state_scale

    from crawler.state import open_state_store

    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    with open_state_store(tmp_path) as store:
        state_scale.fill(store, random.Random(1), 0, 1200, now)
        stats = store.stats()
    counts = stats["counts"]
    assert counts["articles"] == 1200 and counts["aliases"] == 240
    assert counts["minhash_signatures"] == 1200 and counts["minhash_bands"] == 1200 * 32
    assert counts["committed_files"] == 3
    entries, aliases, signatures = state_scale.synthetic_batch(random.Random(1), 0, 5, now)
    assert all(alias != key for alias, key in aliases)
    assert all(len(signature) == 512 and len(bands) == 32 for _, bands, signature in signatures)
    assert all(entry.last_seen <= now for entry in entries)


def test_state_scale_targets_say_missed_when_a_figure_misses():
    import state_scale

    def row(size, cost, wall, rss, fetched=0, written=1000):
        figures = {"state_ms_per_page": cost, "wall_seconds": wall, "peak_main_rss_mb": rss, "pages_fetched": fetched, "items_written": written}
        return {"size": size, "no_change": dict(figures), "new": dict(figures)}

    good = state_scale.targets([row(10_000, 1.0, 5.0, 150), row(1_000_000, 1.4, 6.0, 155)])
    assert all(ok for _, ok in good)
    bad = dict(state_scale.targets([row(10_000, 1.0, 5.0, 150), row(1_000_000, 1.6, 12.0, 320, fetched=3, written=999)]))
    assert [ok for ok in bad.values()].count(False) == len(bad)


def test_ceiling_is_the_cores_over_the_crawl_cpu_and_the_bare_speed_up_is_shown():
    row = {"pages": 1000, "crawl_cpu_seconds_per_page": 0.020, "bare_pages_per_second": 25.0}
    pooled = {**row, "bare_pool": {}, "bare_pool_processes": 2, "bare_pool_pages_per_second": 35.0}

    alone, with_pool = run.ceiling_lines([row, pooled], cores=2)

    assert "at most 4.00" in alone and "processes" not in alone
    assert "ran 1.40x as fast" in with_pool and "took 1.43x" in with_pool
