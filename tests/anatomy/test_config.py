"""The runners' settings: keys are the runners' argument names; the old command-line forms still parse."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from corpuslab.anatomy.config import (
    DEFAULT_SYNTH_MIXTURE,
    EvaluateConfig,
    FetchSamplesConfig,
    LabelShiftConfig,
    MinKppConfig,
    SynthConfig,
)


@pytest.mark.parametrize(("given", "expected"), [
    ("books, arxiv", ["books", "arxiv"]),
    (["books,arxiv", "web"], ["books", "arxiv", "web"]),
    (["books"], ["books"]),
    ("", None),
    (None, None),
])
def test_categories_comma_separated_or_listed(given: object, expected: list[str] | None) -> None:
    for model, required in ((FetchSamplesConfig, {"root": "r"}), (LabelShiftConfig, {"output_dir": "o"}),
                            (MinKppConfig, {"output_dir": "o"})):
        assert model.model_validate({**required, "categories": given}).categories == expected


def test_synth_mixture_from_text_or_mapping() -> None:
    assert SynthConfig(output_dir="o", mixture="github=.5, books=.5").mixture == {"github": 0.5, "books": 0.5}
    assert SynthConfig(output_dir="o", mixture={"web": 1, "books": 3}).mixture == {"web": 1.0, "books": 3.0}
    assert SynthConfig(output_dir="o").mixture == DEFAULT_SYNTH_MIXTURE
    assert SynthConfig(output_dir="o", mixture=None).mixture == DEFAULT_SYNTH_MIXTURE


@pytest.mark.parametrize(("given", "message"), [
    ("github", "expected cat=weight"),
    ("github=x,books=1", "expected cat=weight"),
    ("github=1", "at least 2 items"),
])
def test_synth_mixture_bad_text(given: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SynthConfig(output_dir="o", mixture=given)


def test_unknown_keys_and_out_of_range_values_are_errors() -> None:
    with pytest.raises(ValidationError, match="bootstrap"):
        LabelShiftConfig.model_validate({"output_dir": "o", "bootstrap": 5})  # the field is n_bootstrap
    with pytest.raises(ValidationError, match="ratio"):
        MinKppConfig(output_dir="o", ratio=1.5)
    with pytest.raises(ValidationError, match="holdout"):
        LabelShiftConfig(output_dir="o", holdout=1.0)
    with pytest.raises(ValidationError, match="method"):
        EvaluateConfig(ground_truth="olmo1b", method="median")


def test_evaluate_run_folders_in_flag_order() -> None:
    cfg = EvaluateConfig(ground_truth="g", runs=["c"], compare=["b1", "b2"], results_dir="a")
    assert cfg.run_folders() == ["a", "b1", "b2", "c"]
    assert EvaluateConfig(ground_truth="g").run_folders() == []


def test_the_shipped_examples_validate() -> None:
    from conftest import REPO
    from corpuslab.anatomy.evaluate import load_spec
    from corpuslab.core.config import read_yaml

    cfg = SynthConfig.model_validate({**read_yaml(REPO / "examples" / "anatomy" / "synth.yaml"), "output_dir": "o"})
    assert cfg.mixture["github"] == 0.45 and cfg.n_bootstrap == 100
    assert load_spec(REPO / "examples" / "anatomy" / "my_spec.yaml").weights["web"] == 0.7
