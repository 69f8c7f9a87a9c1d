"""Revert-risk evaluation: AUC overall, per language (beside the baseline), anonymous vs registered."""

from __future__ import annotations

from report_fixtures import chart, column, make_revert_eval_run, notes, render_one, revert_metrics, tables


def test_metrics(tmp_path):
    m = revert_metrics()
    _, sec = render_one(make_revert_eval_run(tmp_path), "revert-eval")
    lang = next(t for t in tables(sec) if "group" in t.columns and "en" in column(t, "group"))
    aucs = dict(zip(column(lang, "group"), column(lang, "roc_auc"), strict=True))
    assert aucs == {"en": m["per_language"]["en"]["roc_auc"], "ja": m["per_language"]["ja"]["roc_auc"]}
    users = next(t for t in tables(sec) if "group" in t.columns and "anonymous" in column(t, "group"))
    assert column(users, "roc_auc") == [0.9289, 0.9348]
    overall = next(t for t in tables(sec) if t.columns[0] == "" and "roc_auc" in t.columns)
    assert column(overall, "") == ["model", "logistic regression", "score = is_anonymous"]
    assert [t["name"] for t in chart(sec, "revert-per-language").figure["data"]] == [
        "ROC AUC", "PR AUC", "logistic regression ROC AUC"]
    assert any("disparate impact (anonymous / registered) 2.396 (true labels: 3.912)" in n for n in notes(sec))
