"""Mixtures read back from the estimators' shapes, scored as ``anatomy evaluate`` scores them."""

from __future__ import annotations

import pytest

from corpuslab.report.mixtures import as_mixture, mixture_accuracy, mixture_ci, normalise


def test_as_mixture_reads_every_written_shape():
    assert as_mixture({"a": 0.2, "b": "0.8"}) == {"a": 0.2, "b": 0.8}
    assert as_mixture({"a": {"point": 0.3}, "b": {"mean": 0.7, "ci": [0.6, 0.8]}}) == {"a": 0.3, "b": 0.7}
    assert as_mixture([{"category": "a", "share": 0.4}, {"name": "b", "estimate": 0.6}, {"x": 1}]) == {
        "a": 0.4, "b": 0.6}


def test_mixture_ci():
    assert mixture_ci({"a": {"ci": [0.1, 0.3]}, "b": {"ci_low": 0.2, "ci_high": 0.4}, "c": 0.5}) == {
        "a": (0.1, 0.3), "b": (0.2, 0.4)}


def test_accuracy_is_one_minus_half_the_l1_distance():
    assert normalise({"a": 2, "b": 6}) == {"a": 0.25, "b": 0.75}
    assert mixture_accuracy({"a": 0.5, "b": 0.5}, {"a": 0.25, "b": 0.75}) == pytest.approx(0.75)
    assert mixture_accuracy({"a": 1.0}, {"b": 1.0}) == pytest.approx(0.0)
