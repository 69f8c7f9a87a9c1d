"""The registry: every filtering: key has exactly one family; parameters resolve default ← profile ← YAML;
tagging, deciding and the funnel ask the registry, not per-step branches."""

from __future__ import annotations

import re

import pytest

from conftest import REPO
from corpuslab.clean.config import STEP_KEYS, CleanConfig
from corpuslab.clean.families import FAMILIES, family, step_params
from corpuslab.clean.family import OPERATORS, FilterFamily


def test_every_filter_step_has_one_family_and_the_family_knows_its_key() -> None:
    assert list(FAMILIES) == [k for k in STEP_KEYS]
    for key, fam in FAMILIES.items():
        assert isinstance(fam, FilterFamily) and fam.key == key == family(key).key


def test_every_rule_is_well_formed() -> None:
    for fam in FAMILIES.values():
        rules = fam.rules_for(None) if fam.key == "gopher_repetition" else fam.rules
        assert rules, fam.key
        for reason, metric, op, pname in rules:
            assert reason and metric and (op == "flag" or op in OPERATORS), (fam.key, reason)
            assert (op == "flag") == (pname == ""), (fam.key, reason)


def test_tag_parameters_are_real_parameters() -> None:
    cfg = CleanConfig.model_validate({"filtering": {k: {} for k in STEP_KEYS if k not in ("min_length", "max_length")}})
    for key in cfg.steps:
        fam = family(key)
        params = step_params(cfg, key, "en")
        assert set(fam.tag_params) <= set(params) | {"profile"}, key


def test_language_profiles_pick_fineweb2_thresholds() -> None:
    cfg = CleanConfig.model_validate({"filtering": {"gopher_quality": {}, "fineweb_quality": {},
                                                    "gopher_repetition": {"dup_line_frac": 0.5}, "min_length": 7}})
    assert step_params(cfg, "gopher_quality", "ja")["max_avg_word_length"] == 5
    assert step_params(cfg, "gopher_quality", "en")["max_avg_word_length"] == 10
    assert step_params(cfg, "fineweb_quality", "vi")["line_punct_thr"] == 0.333
    assert step_params(cfg, "gopher_repetition", "ja")["dup_line_frac"] == 0.5  # YAML beats the profile
    assert step_params(cfg, "min_length", "ja") == {"min_chars": 7}
    off = CleanConfig.model_validate({"filtering": {"per_language": False, "gopher_quality": {}}})
    assert step_params(off, "gopher_quality", "ja")["max_avg_word_length"] == 10


@pytest.mark.parametrize("module", ["tag", "decide", "stats"])
def test_no_per_step_branches_outside_the_families(module: str) -> None:
    src = (REPO / "src/corpuslab/clean" / f"{module}.py").read_text(encoding="utf-8")
    assert not re.findall(r"step\s*(?:==|!=|in\s*\(|\.startswith)", src)
    assert not re.findall(r'"(?:gopher_quality|gopher_repetition|c4|fineweb_quality|exclude_keywords|c4_badwords)"', src)


def test_the_defaults_the_help_text_names_are_the_family_defaults() -> None:
    from corpuslab.clean import config

    blocks = {"gopher_quality": config.GopherQualityConfig, "gopher_repetition": config.GopherRepetitionConfig,
              "fineweb_quality": config.FineWebQualityConfig, "c4": config.C4Config,
              "c4_badwords": config.C4BadWordsConfig}
    checked = 0
    for key, model in blocks.items():
        defaults = family(key).parameters(model(), "en", per_language=True)
        for name, info in model.model_fields.items():
            m = re.search(r"\(default:? (-?[\d.]+|true|false|en)[;)]", info.description or "")
            if m:
                raw = m.group(1)
                want = {"true": True, "false": False}.get(raw, raw if raw.isalpha() else float(raw))
                assert defaults[name] == want, (key, name)
                checked += 1
    assert checked >= 25
