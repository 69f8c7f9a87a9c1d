"""Language identification (the bundled lite fastText model) and the language family's keep list."""

from __future__ import annotations

from clean_fixtures import PROSE, records_table

from corpuslab.clean.config import CleanConfig
from corpuslab.clean.decide import decide
from corpuslab.clean.lang import detect_language
from corpuslab.clean.tag import TagPlan, tag_table


def test_language_detection_offline_lite_model() -> None:
    assert detect_language(PROSE)[0] == "en"
    code, score = detect_language("Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam.")
    assert code == "vi" and score > 0.9
    assert detect_language("吾輩は猫である。名前はまだ無い。")[0] == "ja"
    assert detect_language("   ") == ("", 0.0)


def test_keep_list_and_score_rules() -> None:
    vi = "Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam, là thành phố lớn thứ hai của cả nước."
    texts = [PROSE, vi, PROSE]
    md = [{}, {}, {"language": "ja"}]  # the metadata says ja, the detector says en: score 0 for ja
    cfg = CleanConfig.model_validate({"filtering": {"language": {"keep": ["en", "ja"]}}})
    tags = tag_table(records_table(texts, md), TagPlan(cfg))
    assert tags.column("lang").to_pylist() == ["en", "vi", "ja"]
    d = decide(tags, cfg)
    assert list(d.reason) == ["", "language:language_not_kept", "language:language_low_score"]
    assert d.value[2] == 0
    anyone = decide(tags, CleanConfig.model_validate({"filtering": {"language": {"min_score": 0}}}))
    assert list(anyone.reason) == ["", "", ""]
