"""Word and sentence segmentation by language."""

from __future__ import annotations

from corpuslab.clean.segment import count_sentences, simplify_text, split_words


def test_fast_tokenizer_splits_like_spacy_on_prose() -> None:
    assert split_words("Don't stop... it's 3.5 km, right?") == ["Do", "n't", "stop", "...", "it", "'s", "3.5", "km", ",", "right", "?"]
    assert count_sentences("One sentence here. Another one! And a third? Yes.") == 4
    assert count_sentences("No end mark") == 1


def test_japanese_uses_mecab_words_not_whitespace() -> None:
    words = split_words("吾輩は猫である。名前はまだ無い。", "ja")
    assert words == ["吾輩", "は", "猫", "で", "ある", "。", "名前", "は", "まだ", "無い", "。"]
    assert len(split_words("吾輩は猫である。名前はまだ無い。", "en")) <= 4  # what a regex tokenizer would see
    assert split_words("北京是中国的首都。", "zh")[:3] == ["北", "京", "是"]


def test_simplify_text_for_dedup_hashing() -> None:
    assert simplify_text("Hello, World! 3.5 apples") == "hello world 0 apples"
    assert simplify_text("Café  Ça va?") == "cafe ca va"
