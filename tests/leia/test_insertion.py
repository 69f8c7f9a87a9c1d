import numpy as np
import pytest
from leia_fixtures import make_article, marker_ids

from corpuslab.core.errors import CorpuslabError
from corpuslab.leia.insertion import (
    MARKER,
    NAME,
    TEXT,
    InsertionSettings,
    insert_entity_names,
    insertion_draws,
)

MARKERS = marker_ids()
OPEN, CLOSE = MARKERS

TAKE = np.array([True, False, True])


def test_after_puts_the_marked_name_behind_the_mention():
    ids, kind = insert_entity_names(make_article(), TAKE, MARKERS, "after")
    assert ids.tolist() == [100, 101, 102, 103, OPEN, 50, 60, CLOSE] + list(range(104, 115)) + \
        [OPEN, 52, 62, CLOSE] + list(range(115, 120))
    assert kind.tolist().count(MARKER) == 4 and kind.tolist().count(NAME) == 4 and ids.dtype == np.int16
    assert (ids[kind == TEXT] == np.arange(100, 120)).all()


def test_before_puts_it_in_front_of_the_mention():
    ids, _ = insert_entity_names(make_article(), TAKE, MARKERS, "before")
    assert ids[:8].tolist() == [100, 101, OPEN, 50, 60, CLOSE, 102, 103]


def test_replace_drops_the_mention():
    ids, _ = insert_entity_names(make_article(), TAKE, MARKERS, "replace")
    assert ids[:7].tolist() == [100, 101, OPEN, 50, 60, CLOSE, 104]
    assert len(ids) == 20 - 2 - 3 + 8


def test_without_markers_the_bare_name_is_inserted():
    ids, kind = insert_entity_names(make_article(), TAKE, MARKERS, "after", markers=False)
    assert ids[:6].tolist() == [100, 101, 102, 103, 50, 60] and MARKER not in kind


def test_none_and_nothing_taken_leave_the_text_alone():
    a = make_article()
    assert insert_entity_names(a, TAKE, MARKERS, "none")[0].tolist() == a.input_ids.tolist()
    ids, kind = insert_entity_names(a, np.zeros(3, bool), MARKERS)
    assert ids.tolist() == a.input_ids.tolist() and not kind.any()


def test_insertion_probability_and_per_epoch_redraw():
    draws = np.concatenate([insertion_draws(50, 0.5, seed=42, epoch=0, article_index=i) for i in range(400)])
    assert abs(draws.mean() - 0.5) < 0.015  # 20,000 Bernoulli(0.5): 4.2 sd
    d3 = np.concatenate([insertion_draws(50, 0.3, 42, 0, i) for i in range(400)])
    assert abs(d3.mean() - 0.3) < 0.015
    e0 = insertion_draws(50, 0.5, 42, 0, 7)
    assert (e0 == insertion_draws(50, 0.5, 42, 0, 7)).all()           # reproducible from the seed
    assert (e0 != insertion_draws(50, 0.5, 42, 1, 7)).any()           # fresh draw each epoch
    assert (e0 != insertion_draws(50, 0.5, 43, 0, 7)).any()
    x = draws.astype(float)
    assert abs(np.corrcoef(x[:-1], x[1:])[0, 1]) < 0.03                # consecutive anchors are uncorrelated
    assert not insertion_draws(10, 0.0, 42, 0, 0).any() and insertion_draws(10, 1.0, 42, 0, 0).all()


def test_settings_take_the_reference_spellings_and_reject_bad_values():
    assert InsertionSettings(strategy="right").strategy == "after"
    assert InsertionSettings(strategy="left").strategy == "before"
    with pytest.raises(CorpuslabError, match="unknown insertion strategy"):
        InsertionSettings(strategy="middle")
    with pytest.raises(CorpuslabError, match=r"\[0, 1\]"):
        InsertionSettings(p=1.5)
