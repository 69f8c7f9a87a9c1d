"""Per-language profiles and segmentation (``constants.LANGUAGE_PROFILES``, ``segment``) on Japanese: real
jawiki articles and real Aozora passages (吾輩は猫である) pass the issue's example filter chain at rates
comparable to real English documents; a Japanese spam page — CONSTRUCTED for this test, not real data —
fails; English-only rules on the same Japanese text misfire (why segmentation and per-language profiles
matter)."""

from __future__ import annotations

import pytest
from clean_fixtures import parity_documents, records_table

from conftest import shared_path
from corpuslab.clean.config import CleanConfig
from corpuslab.clean.decide import decide
from corpuslab.clean.tag import TagPlan, tag_table

ISSUE_CHAIN = {
    "cleaning": {"html": True, "unicode": "NFKC"},
    "filtering": {"min_length": 100, "exclude_keywords": ["casino", "viagra"], "language": {"keep": ["en", "ja", "vi"], "min_score": 0.65},
                  "gopher_repetition": {}, "gopher_quality": {}, "c4": {"profile": "datatrove"}, "fineweb_quality": {}},
}

# Constructed for this test (not real data): a typical Japanese spam/boilerplate page.
SPAM_JA = "\n".join(
    ["【激安】ブランド品が今だけ90%OFF！", "今すぐクリック！", "今すぐクリック！", "送料無料！", "今すぐクリック！",
     "ログイン | 新規登録 | カート", "激安 激安 激安 激安 激安 激安 激安 激安", "今すぐクリック！", "送料無料！",
     "人気ランキング 1位 2位 3位", "今すぐクリック！", "Copyright © 2024 激安ショップ All Rights Reserved."]
)


def _pass_rates(groups: dict[str, list[str]], cfg_dict: dict) -> dict[str, float]:
    cfg = CleanConfig.model_validate(cfg_dict)
    texts = [t for ts in groups.values() for t in ts]
    d = decide(tag_table(records_table(texts), TagPlan(cfg)), cfg)
    out, i = {}, 0
    for g, ts in groups.items():
        out[g] = float((d.reason[i : i + len(ts)] == "").mean())
        i += len(ts)
    return out


@pytest.fixture(scope="module")
def groups() -> dict[str, list[str]]:
    data = shared_path("wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2").parents[1]
    docs = parity_documents(data)  # same real documents as the parity test (cached per session)

    def group(prefix: str, k: int) -> list[str]:
        return [d["text"] for d in docs if d["key"].startswith(prefix)][:k]

    return {
        "jawiki": group("jawiki/", 60),
        "aozora": group("neko/", 60),
        "english": group("stackexchange/", 60) + group("botchan/", 40),
        "spam": [SPAM_JA],
    }


def test_japanese_passes_like_english_and_spam_fails(groups) -> None:
    rates = _pass_rates(groups, ISSUE_CHAIN)
    assert rates["english"] >= 0.6
    for g in ("jawiki", "aozora"):
        assert rates[g] >= 0.6, rates
        assert abs(rates[g] - rates["english"]) <= 0.25, rates
    assert rates["spam"] == 0.0


def test_english_rules_on_japanese_misfire(groups) -> None:
    english_only = {**ISSUE_CHAIN, "filtering": {**ISSUE_CHAIN["filtering"], "per_language": False}}
    rates = _pass_rates({"jawiki": groups["jawiki"], "aozora": groups["aozora"]}, english_only)
    assert rates["jawiki"] <= 0.2 and rates["aozora"] <= 0.2, rates
