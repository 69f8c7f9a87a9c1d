"""Filter definitions: metric values and first-failing-rule reasons on constructed texts (DataTrove semantics)."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from corpuslab.clean import c4, fineweb, gopher
from corpuslab.clean.config import clean_config_from_dict, load_clean_config
from corpuslab.clean.context import DocContext
from corpuslab.clean.decide import decide
from corpuslab.clean.lang import detect_language
from corpuslab.clean.segment import count_sentences, split_words
from corpuslab.clean.tag import TagPlan, step_params, tag_table
from corpuslab.core.errors import ConfigError

PROSE = (
    "The history of the town is long and full of change. In the early years, farmers came to the valley "
    "and built their homes with wood and stone. They planted wheat and barley, and they kept cattle and "
    "sheep in the fields that surrounded the river. Over time, the town grew into a market for the whole "
    "region, and traders from distant cities arrived with salt, cloth and tools.\n"
    "Today the old market square is still the heart of the town. People meet there to talk, to buy fresh "
    "bread, and to listen to music on summer evenings. The church that stands at the north side of the "
    "square was finished in the fourteenth century, and its tower can be seen from every road that leads "
    "into the valley."
)


def ctx(text: str, lang: str = "en") -> DocContext:
    return DocContext(text=text, lang=lang)


def test_fast_tokenizer_splits_like_spacy_on_prose() -> None:
    assert split_words("Don't stop... it's 3.5 km, right?") == ["Do", "n't", "stop", "...", "it", "'s", "3.5", "km", ",", "right", "?"]
    assert count_sentences("One sentence here. Another one! And a third? Yes.") == 4
    assert count_sentences("No end mark") == 1


def test_japanese_uses_mecab_words_not_whitespace() -> None:
    words = split_words("吾輩は猫である。名前はまだ無い。", "ja")
    assert words == ["吾輩", "は", "猫", "で", "ある", "。", "名前", "は", "まだ", "無い", "。"]
    assert len(split_words("吾輩は猫である。名前はまだ無い。", "en")) <= 4  # what a regex tokenizer would see
    assert split_words("北京是中国的首都。", "zh")[:3] == ["北", "京", "是"]


def test_gopher_quality_metrics_and_defaults() -> None:
    s = gopher.quality_stats(ctx(PROSE), frozenset(gopher.QUALITY_DEFAULTS["stop_words"]))  # type: ignore[arg-type]
    # values checked against DataTrove 0.10.1 + spaCy (split_into_words): 144 tokens, 129 non-symbol, 7 stop words
    assert s["n_words"] == 144 and s["n_non_symbol_words"] == 129
    assert s["avg_word_length"] == pytest.approx(4.224806, abs=1e-6)
    assert s["stop_words"] == 7  # distinct (DataTrove counts distinct since f9bbe09)
    assert s["hash_ratio"] == 0 and s["bullet_lines_ratio"] == 0
    short = gopher.quality_stats(ctx("Only a few words here."), frozenset({"the"}))
    assert short["n_non_symbol_words"] == 5 and short["n_words"] == 6


def test_gopher_repetition_top_ngram_and_duplicate_ngrams() -> None:
    text = "buy cheap pills now " * 20
    s = gopher.repetition_stats(ctx(text.strip()), [2, 3, 4], [5, 10])
    # DataTrove 0.10.1 gives 0.451128 and 0.754386 on this text
    assert s["top_2_gram"] == pytest.approx(9 * 20 / len(text.strip())) == pytest.approx(0.451128, abs=1e-6)
    assert s["dup_5_gram"] == pytest.approx(0.754386, abs=1e-6)
    natural = gopher.repetition_stats(ctx(PROSE), [2, 3, 4], [5, 6, 7, 8, 9, 10])
    assert natural["dup_5_gram"] == 0 and natural["dup_line_frac"] == 0 and natural["top_2_gram"] < 0.05


def test_duplicate_ngram_scan_skips_n_words_after_a_repeat() -> None:
    # words a b c d e a b c d e a b c d e: the 2nd copy is counted, the scan jumps 5, the 3rd copy counts too
    s = gopher.repetition_stats(ctx("a b c d e a b c d e a b c d e"), [], [5])
    assert s["dup_5_gram"] == pytest.approx(10 / 29)


def test_c4_profiles_differ_exactly_on_words_per_line_and_sentences() -> None:
    lines = "\n".join(["Four words line here."] * 4 + ["This line has exactly five words."])
    dt = {**c4.COMMON_DEFAULTS, **c4.PROFILES["datatrove"]}
    tf = {**c4.COMMON_DEFAULTS, **c4.PROFILES["tfds"]}
    s_dt, text_dt = c4.c4_stats(ctx(lines), dt)
    s_tf, text_tf = c4.c4_stats(ctx(lines), tf)
    assert s_dt["num_sentences"] == 5 and text_dt.count("\n") == 4  # 3 words/line keeps all 5 lines
    assert s_tf["num_sentences"] == 1 and text_tf == "This line has exactly five words."
    # page rules
    assert c4.c4_stats(ctx("Lorem ipsum dolor sit amet, consectetur."), dt)[0]["lorem_ipsum"] == 1
    assert c4.c4_stats(ctx("function f() { return x; } is code."), dt)[0]["curly_bracket"] == 1
    s, t = c4.c4_stats(ctx("Please enable JavaScript to view this page.\nRead our privacy policy for more details.\nA normal line of text."), dt)
    assert t == "A normal line of text." and s["lines_removed"] == 2


def test_fineweb_quality_metrics() -> None:
    s = fineweb.fineweb_stats(ctx("Short line\nAnother short one\nA much longer line that ends properly with a period."))
    assert s["line_punct_ratio"] == pytest.approx(1 / 3)
    assert s["short_line_ratio"] == pytest.approx(2 / 3)
    trailing = fineweb.fineweb_stats(ctx("Ends with a period and a space. "))
    assert trailing["line_punct_ratio"] == 0  # no rstrip, as in DataTrove
    assert fineweb.fineweb_stats(ctx("\n\n"))["empty"] == 1


def test_language_detection_offline_lite_model() -> None:
    assert detect_language(PROSE)[0] == "en"
    code, score = detect_language("Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam.")
    assert code == "vi" and score > 0.9
    assert detect_language("吾輩は猫である。名前はまだ無い。")[0] == "ja"
    assert detect_language("   ") == ("", 0.0)


def test_language_profiles_pick_fineweb2_thresholds() -> None:
    cfg = clean_config_from_dict({"filtering": {"gopher_quality": {}, "fineweb_quality": {}, "gopher_repetition": {"dup_line_frac": 0.5}}})
    assert step_params(cfg, "gopher_quality", "ja")["max_avg_word_length"] == 5
    assert step_params(cfg, "gopher_quality", "en")["max_avg_word_length"] == 10
    assert step_params(cfg, "fineweb_quality", "vi")["line_punct_thr"] == 0.333
    assert step_params(cfg, "gopher_repetition", "ja")["dup_line_frac"] == 0.5  # YAML beats the profile


def test_issue_example_yaml_validates(tmp_path) -> None:
    p = tmp_path / "mix.yaml"
    p.write_text(
        "cleaning:\n  html: true\n  unicode: NFKC\nfiltering:\n  min_length: 100\n  exclude_keywords: [casino, viagra]\n"
        "  language: {keep: [en, ja, vi], min_score: 0.65}\n  gopher_repetition: {}\n  gopher_quality: {}\n"
        "  c4: {profile: datatrove}\n  fineweb_quality: {}\ndedup:\n  exact: true\n  minhash: {ngram: 5, bands: 14, rows: 8}\n"
        "sources: []\n"
    )
    cfg = load_clean_config(p)
    assert cfg.steps == ["min_length", "exclude_keywords", "language", "gopher_repetition", "gopher_quality", "c4", "fineweb_quality"]
    assert cfg.dedup is not None and cfg.dedup.minhash is not None and cfg.dedup.minhash.bands == 14


def test_unknown_filter_or_threshold_key_names_file_and_path(tmp_path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("filtering:\n  gopher_quality: {min_words: 3}\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: filtering.gopher_quality.min_words: unknown key"):
        load_clean_config(p)
    p.write_text("filtering:\n  gopher_qualty: {}\n")
    with pytest.raises(ConfigError, match=r"filtering.gopher_qualty: unknown key"):
        load_clean_config(p)
    p.write_text("filtering:\n  c4: {profile: nltk}\n")
    with pytest.raises(ConfigError, match=r"filtering.c4.profile"):
        load_clean_config(p)


def _tag(texts: list[str], cfg_dict: dict, langs: list[str | None] | None = None) -> pa.Table:
    import json

    cfg = clean_config_from_dict(cfg_dict)
    n = len(texts)
    md = [json.dumps({"language": lg} if lg else {}) for lg in (langs or [None] * n)]
    t = pa.table({"id": [str(i) for i in range(n)], "text": texts, "metadata": md, "source": ["s"] * n,
                  "order": list(range(n)), "row": list(range(n)), "non_utf8": [False] * n})
    return tag_table(t, TagPlan(cfg)), cfg


def test_decide_first_failing_rule_and_threshold_change_without_retag() -> None:
    texts = [PROSE, "Too short.", "casino " * 30 + "is the word of the day and that is that."]
    tags, cfg = _tag(texts, {"filtering": {"exclude_keywords": ["casino"], "gopher_quality": {}}})
    d = decide(tags, cfg)
    assert list(d.reason) == ["", "gopher_quality:gopher_short_doc", "exclude_keywords:excluded_keyword"]
    assert d.value[1] == 2 and d.value[2] == 30
    looser = clean_config_from_dict({"filtering": {"exclude_keywords": {"keywords": ["casino"], "max_hits": 100}, "gopher_quality": {"min_doc_words": 2}}})
    d2 = decide(tags, looser)  # same tags, new thresholds
    # "Too short." now passes the word count and fails the next rule: 2 of 3 tokens have a letter
    assert d2.reason[1] == "gopher_quality:gopher_below_alpha_threshold" and d2.value[1] == pytest.approx(2 / 3)
    assert d2.reason[2] == ""  # 30 keyword hits are now allowed


def test_huge_and_empty_documents_are_reported_not_processed() -> None:
    tags, cfg = _tag(["x" * 2_000_001, "   \n  ", PROSE], {"cleaning": {}, "filtering": {"gopher_quality": {}}})
    d = decide(tags, cfg)
    assert list(d.reason) == ["input:huge_document", "input:empty", ""]
    assert math.isnan(tags.column("gopher_quality.avg_word_length")[0].as_py())
