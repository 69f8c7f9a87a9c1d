"""Wikitext → plain text + link spans: what is rendered, what is skipped, and where each skip ends."""

import pytest

from corpuslab.wiki.titles import Namespaces
from corpuslab.wiki.wikitext import wikitext_to_text


def test_wikitext_rendering_rules():
    ns = Namespaces.from_siteinfo([(6, "ファイル"), (14, "Category")])
    text, links = wikitext_to_text(
        "'''東京'''は[[日本]]の[[首都|都]]。{{Infobox|x=[[y]]}}<ref>[[出典]]</ref>[[ファイル:a.jpg|thumb|[[b]]]]"
        "[[Category:日本]][[en:Tokyo]] [[Paris#History|パリの歴史]] &amp;\n\n\n\n== 見出し ==\n* [[リスト]]", ns)
    assert text == "東京は日本の都。 パリの歴史 &\n\n見出し\n\nリスト"
    assert [(text[x["start"]:x["end"]], x["target_title"], x.get("fragment")) for x in links] == [
        ("日本", "日本", None), ("都", "首都", None), ("パリの歴史", "Paris", "History"), ("リスト", "リスト", None)]


@pytest.mark.parametrize("wikitext, text, links", [
    ("A{{a|{{b|[[c]]}}|d}}B", "AB", []),  # nested templates end at the balancing }}
    ('A<span title="{{x|<b>q</b>}}">t [[u]]</span>B', "At uB", [("u", "U")]),  # a tag inside an attribute
    ("[[File:a.jpg|thumb|[[b]] c]] d [[e]]", "d e", [("e", "E")]),  # a link inside a dropped file caption
    ('A<ref name="r">{{cite|[[x]]}}<div>z</div></ref>B<ref name=r/>C', "ABC", []),  # skipped tag, nested tag
    ("x<!-- [[hidden]] -->y", "xy", []),
    ("[[a{{b}}|t]] [[:Category:K|k]] [[Category:K]]", "t k", [("t", "A"), ("k", "Category:K")]),
    ("{{{arg|[[q]]}}}w", "w", []),
    ("[http://x/{{y}} label [[z]]] after", "label z after", [("z", "Z")]),
    ("<div>a<div>b</div>c</div>d", "ab\nc\nd", []),
    ('{| class="w"\n|[[cell]]\n|}\nafter', "after", []),
    ("[[en:Foo]] [[wikt:bar|baz]] &amp; &#x41; [[A&amp;B]]", "baz & A A&B", [("A&B", "A&B")]),
])
def test_skipped_constructs_end_where_they_close(wikitext, text, links):
    """The walker jumps over what it does not render; each jump must land just after its own closer."""
    got, spans = wikitext_to_text(wikitext, Namespaces.from_siteinfo([(6, "ファイル"), (14, "Category")]))
    assert got == text
    assert [(got[x["start"]:x["end"]], x["target_title"]) for x in spans] == links
