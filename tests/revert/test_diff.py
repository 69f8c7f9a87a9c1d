"""Diff pieces of an edit: inserted, removed and changed sentences; edit-type counts; CJK sentence ends."""

from __future__ import annotations

from corpuslab.revert.diff import EDIT_TYPE_COLUMNS, diff_pieces, plain_text, sentences


def test_diff_pieces_insert_remove_change() -> None:
    old = "Paris is the capital of France. It has many museums.\n\n[[Category:Cities]]\n{{Infobox}}\nRome is old."
    new = ("Paris is the capital city of France. It has many museums.\n\nLOL POOP\n[[Category:Cities]]\n"
           "[[Category:Capitals]]\nSee [[Louvre|the Louvre]].")
    d = diff_pieces(old, new)
    assert d.changes == [("Paris is the capital of France.", "Paris is the capital city of France.")]
    assert d.inserts == ["LOL POOP", "See the Louvre."]
    assert d.removes == ["Rome is old."]
    assert d.edit_types["et_category_insert"] == 1 and d.edit_types["et_template_remove"] == 1
    assert d.edit_types["et_wikilink_insert"] == 1 and d.edit_types["et_text_change"] == 1
    assert set(d.edit_types) == set(EDIT_TYPE_COLUMNS)


def test_an_unchanged_text_has_no_pieces() -> None:
    text = "Paris is the capital of France.\n\n[[Category:Cities]]"
    d = diff_pieces(text, text)
    assert d.inserts == [] and d.removes == [] and d.changes == []
    assert d.edit_types["et_text_insert"] == 0 and not any(d.edit_types.values())


def test_plain_text_and_cjk_sentences() -> None:
    assert plain_text("'''東京'''は[[日本|日本国]]の首都<ref>x</ref>。{{要出典}}") == "東京は日本国の首都。"
    assert sentences("東京は首都。人口が多い。\nHello world. Bye!") == ["東京は首都。", "人口が多い。", "Hello world.", "Bye!"]
