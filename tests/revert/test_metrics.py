"""Metric definitions on hand-checked numbers: precision at recall, ROC AUC, disparate impact, group tables."""

from __future__ import annotations

import math

import numpy as np
import pytest

from corpuslab.revert.metrics import binary_metrics, disparate_impact, evaluate_scores, precision_at_recall

Y = np.array([1, 0, 1, 0, 1, 0, 0, 1])
S = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
ANON = np.array([1, 1, 1, 1, 0, 0, 0, 0], bool)


def test_precision_at_recall() -> None:
    # thresholds down the ranking: recall reaches 3/4 at the 5th item (precision 3/5)
    assert precision_at_recall(Y, S, 0.75) == pytest.approx(0.6)
    assert precision_at_recall(Y, S, 0.5) == pytest.approx(2 / 3)
    assert precision_at_recall(np.zeros(3), np.ones(3)) is None


def test_precision_at_recall_treats_ties_as_one_threshold() -> None:
    assert precision_at_recall(np.array([1, 0, 1, 0]), np.array([0.5, 0.5, 0.5, 0.1]), 0.5) == pytest.approx(2 / 3)


def test_binary_metrics() -> None:
    m = binary_metrics(Y, S)
    assert m["roc_auc"] == pytest.approx(0.5625) and m["n"] == 8 and m["positives"] == 4
    assert m["precision_at_recall_0.75"] == 0.6 and m["revert_rate"] == 0.5
    # at 0.5, the top 5 are flagged: 3 of them reverted (precision 3/5, recall 3/4), 5 of 8 right
    assert m["accuracy"] == 0.625 and m["f1"] == pytest.approx(0.6667)
    one_class = binary_metrics(np.zeros(4), np.linspace(0, 1, 4))
    assert one_class["roc_auc"] is None and one_class["pr_auc"] is None


def test_disparate_impact() -> None:
    pred = np.array([1, 1, 0, 0, 1, 0, 0, 0], bool)
    assert disparate_impact(pred, ANON) == pytest.approx(2.0)  # 0.5 / 0.25
    assert disparate_impact(np.array([1, 0], bool), np.array([1, 0], bool)) == math.inf  # registered never flagged
    assert disparate_impact(pred, np.ones(8, bool)) is None  # no registered editors


def test_evaluate_scores_tables() -> None:
    lang = np.array(["ja", "vi"] * 4)
    m = evaluate_scores(Y, S, lang, ANON, balanced=np.ones(8, bool), baseline=1 - S)
    assert set(m["per_language"]) == {"ja", "vi"} and m["per_language"]["ja"]["n"] == 4
    assert m["by_user_type"]["anonymous"]["n"] == 4 and m["by_user_type"]["registered"]["positives"] == 2
    assert m["disparate_impact"]["ratio"] == pytest.approx(4.0)  # 4/4 anonymous flagged vs 1/4 registered
    assert m["disparate_impact"]["ground_truth"] == pytest.approx(1.0)
    assert m["logistic_regression"]["roc_auc"] == pytest.approx(1 - 0.5625)
    assert m["is_anonymous_baseline"]["n"] == 8 and m["balanced"]["overall"] == m["overall"]
