"""``anatomy synth``: its own section (truth, estimates, accuracy, AUROC) and its estimator runs beside it."""

from __future__ import annotations

import pytest
from report_fixtures import TRUE_MIX, column, make_synth_run, table_with

from corpuslab.report.build import build_report


def test_synth_experiment(tmp_path):
    rep = build_report([make_synth_run(tmp_path)], None)
    assert [(s.label, s.kind) for s in rep.sections] == [
        ("synth", "anatomy-synth"), ("synth/labelshift", "anatomy-labelshift"), ("synth/evaluation", "anatomy-evaluate")]
    synth = rep.sections[0]
    assert dict(table_with(synth, "estimate").rows) == {"labelshift/bbse": 0.96, "labelshift/em": 0.957,
                                                        "uniform guess": 0.8333}
    assert column(table_with(synth, "AUROC (pooled)"), "AUROC (per category, macro)") == [0.72, 0.66, 0.61]
    est = rep.sections[1]  # the estimator takes the truth from the experiment's evaluation beside it
    truth = table_with(est, "truth")
    assert dict(zip(column(truth, "category"), column(truth, "truth"), strict=True)) == pytest.approx(TRUE_MIX)
