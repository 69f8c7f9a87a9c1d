"""C4 line and page rules: the two profiles, the page flags, and the CJK extension."""

from __future__ import annotations

from corpuslab.clean.c4 import C4_QUALITY, CJK_END_PUNCTUATION, COMMON_DEFAULTS, PROFILES, c4_stats
from corpuslab.clean.config import C4Config
from corpuslab.clean.context import DocContext


def ctx(text: str, lang: str = "en") -> DocContext:
    return DocContext(text=text, lang=lang)


DT = {**COMMON_DEFAULTS, **PROFILES["datatrove"]}


def test_c4_profiles_differ_exactly_on_words_per_line_and_sentences() -> None:
    lines = "\n".join(["Four words line here."] * 4 + ["This line has exactly five words."])
    tf = {**COMMON_DEFAULTS, **PROFILES["tfds"]}
    s_dt, text_dt = c4_stats(ctx(lines), DT)
    s_tf, text_tf = c4_stats(ctx(lines), tf)
    assert s_dt["num_sentences"] == 5 and text_dt.count("\n") == 4  # 3 words/line keeps all 5 lines
    assert s_tf["num_sentences"] == 1 and text_tf == "This line has exactly five words."


def test_c4_page_flags_and_removed_lines() -> None:
    assert c4_stats(ctx("Lorem ipsum dolor sit amet, consectetur."), DT)[0]["lorem_ipsum"] == 1
    assert c4_stats(ctx("function f() { return x; } is code."), DT)[0]["curly_bracket"] == 1
    s, t = c4_stats(ctx("Please enable JavaScript to view this page.\nRead our privacy policy for more details.\n"
                        "A normal line of text."), DT)
    assert t == "A normal line of text." and s["lines_removed"] == 2


def test_c4_family_rewrites_text_and_extends_to_languages_without_spaces() -> None:
    assert C4_QUALITY.rewrites_text and "profile" in C4_QUALITY.tag_params
    en = C4_QUALITY.parameters(C4Config(), "en", per_language=True)
    ja = C4_QUALITY.parameters(C4Config(), "ja", per_language=True)
    assert en["end_punctuation"] == [".", "?", "!", '"', "'"] and "segment_words" not in en
    assert ja["end_punctuation"] == CJK_END_PUNCTUATION and ja["segment_words"] is True and "。" in ja["end_punctuation"]
    assert "segment_words" not in C4_QUALITY.parameters(C4Config(), "ja", per_language=False)
    tfds = C4_QUALITY.parameters(C4Config(profile="paper-original", min_num_sentences=2), "en", per_language=True)
    assert (tfds["min_words_per_line"], tfds["min_num_sentences"]) == (5, 2)
    doc = ctx("吾輩は猫である。名前はまだ無い。\nどこで生れたかとんと見当がつかぬ。\n何でも薄暗いじめじめした所で泣いていた。", "ja")
    metrics = C4_QUALITY.tag_one(doc, C4Config(), ja)
    assert metrics["lines_removed"] == 0 and metrics["num_sentences"] == 4 and doc.text.count("\n") == 2
