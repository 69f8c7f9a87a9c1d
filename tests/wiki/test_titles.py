from corpuslab.wiki.titles import (
    Namespaces,
    is_interwiki,
    language_from_dbname,
    namespace_of,
    normalize_title,
    ucfirst,
)

JA_NS = Namespaces.from_siteinfo([(6, "ファイル"), (14, "Category"), (4, "Wikipedia"), (10, "Template")])


def test_normalize_basic_rules():
    assert normalize_title("foo_bar") == "Foo bar"
    assert normalize_title("  paris#History ") == "Paris"
    assert normalize_title("a__b   c") == "A b c"
    assert normalize_title(":日本") == "日本"
    assert normalize_title("#section") == ""
    assert normalize_title("AT&amp;T") == "AT&T"
    assert normalize_title("%E6%97%A5%E6%9C%AC", unquote=True) == "日本"
    assert normalize_title("%E6%97%A5") == "%E6%97%A5"  # not unquoted unless asked
    assert normalize_title("\u200eLeft mark") == "Left mark"


def test_first_letter_rules():
    assert ucfirst("ßtraße") == "ßtraße"  # upper form is two characters: MediaWiki leaves it
    assert ucfirst("élan") == "Élan"
    assert normalize_title("iPhone") == "IPhone"  # MediaWiki stores it so; the display title differs


def test_namespaces_local_canonical_and_aliases():
    assert normalize_title("image:foo.jpg", JA_NS) == "ファイル:Foo.jpg"
    assert normalize_title("画像:foo.jpg", JA_NS) == "ファイル:Foo.jpg"
    assert normalize_title("file:foo.jpg", JA_NS) == "ファイル:Foo.jpg"
    assert normalize_title("category:日本の県", JA_NS) == "Category:日本の県"
    assert normalize_title("CATEGORY: x", JA_NS) == "Category:X"
    assert namespace_of("Template:Infobox", JA_NS) == 10
    assert namespace_of("Re:ゼロから始める異世界生活", JA_NS) == 0
    assert normalize_title("Re:ゼロ", JA_NS) == "Re:ゼロ"


def test_interwiki_and_language():
    assert is_interwiki("en:Tokyo")
    assert is_interwiki(":wikt:foo")
    assert not is_interwiki("Category:X")
    assert not is_interwiki("Re:ゼロ")
    assert language_from_dbname("jawiki") == "ja"
    assert language_from_dbname("zh_yuewiki") == "zh-yue"
    assert language_from_dbname(None, "https://vi.wikipedia.org/wiki/Trang_Ch%C3%ADnh") == "vi"


def test_plain_link_fast_path_matches_full_normalisation(shared):
    """The walker's shortcut for plain targets must give what the full rules give, on every real target."""
    from wiki_fixtures import JAWIKI, VIWIKI

    from corpuslab.wiki import wikitext
    from corpuslab.wiki.extract import iter_pages, read_siteinfo

    tricky = ["tokyo", "ñandú", "ßtraße", "ǆungla", "a  b", "a\u00a0b", "a_b", "a\u200eb", "x#y", "en:Foo", ":Cat",
              "Category:X", "a&amp;b", "O'Brien", "l'''x'''", " spaced ", "\u3000全角", "一 二"]
    for rel in (JAWIKI, VIWIKI):
        dump = shared(rel)
        ns = read_siteinfo(dump).ns_table()
        for page in list(iter_pages(dump))[:120]:
            if page["namespace"] == 0 and not page["redirect"]:
                wikitext.wikitext_to_text(page["text"], ns)
        raws = list(ns.link_cache) + tricky
        fast = sum(1 for r in raws if wikitext._PLAIN_TITLE.fullmatch(r.strip()))
        assert fast > len(raws) // 2  # the shortcut is actually taken
        for raw in raws:
            assert wikitext._link_info(raw, ns) == wikitext._link_info_full(raw.strip(), ns), raw
