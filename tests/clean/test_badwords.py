"""The c4_badwords family (DataTrove's C4BadWordsFilter on the LDNOOBW lists): real text passes, list words
drop, ja/zh/th match substrings, keep_fraction keeps a seeded share per document id, missing lists."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from clean_fixtures import book_chunks, records_table, stackexchange_posts

from conftest import shared_path
from corpuslab.clean import badwords
from corpuslab.clean.config import CleanConfig
from corpuslab.clean.decide import decide
from corpuslab.clean.tag import TagPlan, tag_table
from corpuslab.core.errors import DataError


def run(texts: list[str], block: dict | None = None, langs: list[str | None] | None = None,
        ids: list[str] | None = None):
    cfg = CleanConfig.model_validate({"filtering": {"c4_badwords": block or {}}})
    md = [{"language": lg} if lg else {} for lg in (langs or ["en"] * len(texts))]
    tags = tag_table(records_table(texts, md, ids), TagPlan(cfg))
    return tags, decide(tags, cfg)


@pytest.fixture(scope="module")
def english() -> list[str]:
    data = shared_path("stackexchange/beer.stackexchange-Posts.xml.bz2").parents[1]
    return [t for _, t, lang in [*stackexchange_posts(data, limit=120), *book_chunks(data, limit=40)] if lang == "en"]


def test_every_listed_language_ships_a_list() -> None:
    folder = Path(badwords.__file__).with_name("ldnoobw")
    assert {p.stem for p in folder.glob("*.txt")} - {"LICENSE", "SOURCE"} == badwords.LANGUAGES
    assert "Attribution 4.0 International" in (folder / "LICENSE.txt").read_text(encoding="utf-8")
    assert len(badwords.words("en")) == 377 and "sm" not in badwords.words("ja")  # DataTrove's en list, allowlist out


def test_real_english_text_passes(english: list[str]) -> None:
    tags, d = run(english)
    kept = float(d.kept.mean())
    assert len(english) == 160 and kept >= 0.9, kept
    # what does match is a real list word, as a whole word
    for text, match in zip(english, tags.column("c4_badwords.match").to_pylist(), strict=True):
        if match:
            assert re.search(rf"(?<!\w){re.escape(match)}(?!\w)", text.lower())


def test_a_list_word_drops_the_document_as_a_whole_word_only(english: list[str]) -> None:
    clean = next(t for t in english if run([t])[1].kept[0])
    texts = [clean, clean + " What a load of bullshit.", clean.replace(" the ", " the Bullshit ", 1),
             clean + " The classic bass assessment."]  # "ass" inside words is no hit for a spaced language
    tags, d = run(texts)
    assert list(d.reason) == ["", "c4_badwords:document_removed_with_badwords",
                              "c4_badwords:document_removed_with_badwords", ""]
    assert tags.column("c4_badwords.match").to_pylist()[1:3] == ["bullshit", "bullshit"]
    assert d.value[1] == 1


def test_japanese_matches_substrings() -> None:
    text = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"
    tags, d = run([text, text + "昨日はおっぱいの話をした。", text + "その子は女の子だった。"], langs=["ja", "ja", "ja"])
    assert list(d.kept) == [True, False, True]  # 女の子 is on DataTrove's allowlist
    assert tags.column("c4_badwords.match")[1].as_py() == "おっぱい"
    # the same words in a spaced language's mode would need word boundaries: no hit inside a word
    assert badwords.pattern("en").findall("classy assassins") == []
    assert badwords.pattern("ja").findall("xxおっぱいxx") == ["xx", "おっぱい", "xx"]


def test_keep_fraction_keeps_that_share_seeded_per_document_id() -> None:
    n = 4000
    texts = [f"Document {i} says shit happens." for i in range(n)]
    ids = [f"doc/{i}" for i in range(n)]
    _, d = run(texts, {"keep_fraction": 0.25, "seed": 7}, ids=ids)
    assert abs(d.kept.mean() - 0.25) < 0.03
    _, again = run(texts[::-1], {"keep_fraction": 0.25, "seed": 7}, ids=ids[::-1])  # another order: same docs
    assert set(np.asarray(ids)[d.kept]) == set(np.asarray(ids[::-1])[again.kept])
    _, other = run(texts, {"keep_fraction": 0.25, "seed": 8}, ids=ids)
    assert (other.kept != d.kept).any() and abs(other.kept.mean() - 0.25) < 0.03
    assert not run(texts[:50], {"keep_fraction": 0.0}, ids=ids[:50])[1].kept.any()


def test_missing_language_stops_or_passes() -> None:
    vi = "Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam, nói shit cũng được."
    with pytest.raises(DataError, match="no bad-words list for language vi"):
        run([vi], langs=["vi"])
    tags, d = run([vi], {"fail_on_missing_language": False}, langs=["vi"])
    assert d.kept[0] and np.isnan(tags.column("c4_badwords.hits")[0].as_py())
    # no metadata: the detected language's list; per_language off: the default list for everyone
    tags, d = run(["Without metadata this plain English sentence still says shit."], langs=[None])
    assert tags.column("lang")[0].as_py() == "en" and not d.kept[0]
    cfg = CleanConfig.model_validate({"filtering": {"per_language": False, "c4_badwords": {"default_language": "ja"}}})
    tags = tag_table(records_table(["おっぱい in an English text"], [{"language": "en"}]), TagPlan(cfg))
    assert not decide(tags, cfg).kept[0]
    assert badwords.list_language("tl", True, "en") == "fil" and badwords.list_language("", True, "de") == "de"


def test_the_prefix_tree_matches_like_a_longest_first_alternation() -> None:
    for lang in sorted(badwords.LANGUAGES):
        words = badwords.words(lang)
        flat = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
        ref = re.compile(flat if lang in badwords.SUBSTRING_LANGUAGES else rf"(?<!\w)(?:{flat})(?!\w)")
        probe = " ".join(f"{w} x{w} {w}y" for w in words)
        assert badwords.pattern(lang).findall(probe) == ref.findall(probe), lang


def test_thresholds_are_decide_time_and_the_lists_are_in_the_tag_key() -> None:
    plain = TagPlan(CleanConfig.model_validate({"filtering": {"c4_badwords": {}}})).key
    seeded = TagPlan(CleanConfig.model_validate({"filtering": {"c4_badwords": {"keep_fraction": 0.5, "seed": 3,
                                                                               "fail_on_missing_language": False}}}))
    assert seeded.key == plain
    assert TagPlan(CleanConfig.model_validate({"filtering": {"c4_badwords": {"default_language": "de"}}})).key != plain
    assert badwords.C4_BADWORDS.tag_key(None)["lists"] == badwords.LISTS_VERSION
