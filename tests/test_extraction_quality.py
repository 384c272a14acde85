"""The extraction targets, measured the way ``python -m crawler.evaluate`` measures them."""

from __future__ import annotations

import pytest

from crawler.evaluate import META_TARGETS, bare_trafilatura, means, metadata_accuracy, metadata_scores, ours, score_page
from tests.golden_pages import all_pages

PAGES = all_pages()
MIN_PAGE_F1 = 0.95
MIN_MEAN_F1 = 0.99


@pytest.fixture(scope="module")
def scores():
    return [score_page(page, ours(page)) for page in PAGES]


@pytest.mark.parametrize("index", range(len(PAGES)), ids=[page.name for page in PAGES])
def test_page_meets_f1_floor_without_leaks(scores, index):
    score = scores[index]
    assert score.f1 >= MIN_PAGE_F1
    assert score.leaked == []
    assert score.title_ok is not False
    assert score.date_ok is not False


def test_mean_f1_and_gain_over_bare_trafilatura(scores):
    bare = [score_page(page, bare_trafilatura(page)) for page in PAGES]
    ours_mean, bare_mean = means(scores), means(bare)
    assert ours_mean["f1"] >= MIN_MEAN_F1
    assert ours_mean["f1"] > bare_mean["f1"]
    assert ours_mean["leaks"] < bare_mean["leaks"]


def test_metadata_meets_its_targets_on_every_labelled_page():
    scores = metadata_scores(PAGES)
    assert len(scores) == len(PAGES)  # every evaluation page carries expected_meta
    accuracy = metadata_accuracy(scores)
    missed = {field: [name for name, marks in scores if not marks[field]] for field in META_TARGETS if accuracy[field] < META_TARGETS[field]}
    assert missed == {}
