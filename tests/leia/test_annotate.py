from collections import Counter

from leia_fixtures import ja_articles, real_tables

from corpuslab.leia.annotate import EntityResolver, clean_entity_name


def _resolver(**kw):
    return EntityResolver.from_tables(
        redirects={"ニッポン": "日本", "Loop": "Loop"},
        target_ids={"日本": "Q17", "水星": "Q308", "一覧": "Q9", "カテゴリ記事": "Q10", "名無し": "Q11",
                    "英語なし": "Q12"},
        english_ids={"Japan": "Q17", "Mercury (planet)": "Q308", "List of lists": "Q9", "Category:Things": "Q10",
                     "(only parens)": "Q11"}, **kw)


def test_resolution_rules():
    r = _resolver()
    assert r.resolve("日本") == ("Q17", "Japan", "ok")
    assert r.resolve("ニッポン") == ("Q17", "Japan", "ok")           # redirect followed
    assert r.resolve("水星") == ("Q308", "Mercury", "ok")             # disambiguator stripped
    assert r.resolve("一覧")[2] == "list_of"
    assert r.resolve("カテゴリ記事")[2] == "english_namespace"
    assert r.resolve("名無し")[2] == "empty_name"
    assert r.resolve("英語なし")[2] == "no_english_title"
    assert r.resolve("どこにもない")[2] == "no_qid"                    # title missing from the tables
    assert r.resolve("Category:日本")[2] == "namespace"
    assert r.resolve("日本", fragment="歴史")[2] == "fragment"        # reference: '#' links dropped
    assert _resolver(fragment_links="strip").resolve("日本", fragment="歴史") == ("Q17", "Japan", "ok")


def test_clean_entity_name():
    assert clean_entity_name("Mercury (planet)") == "Mercury"
    assert clean_entity_name("A (b (c)) d") == "A d"
    assert clean_entity_name("Georgia (country)  ") == "Georgia"


def test_annotate_counts_every_link():
    r = _resolver()
    art = {"title": "t", "page_id": 1, "text": "日本と水星とX", "links": [
        {"start": 0, "end": 2, "target_title": "ニッポン"}, {"start": 3, "end": 5, "target_title": "水星"},
        {"start": 6, "end": 7, "target_title": "どこにもない"}, {"start": 0, "end": 1, "target_title": "日本"}]}
    out = r.annotate(art)
    assert [(a["start"], a["end"], a["name"], a["qid"]) for a in out["anchors"]] == [(0, 2, "Japan", "Q17"),
                                                                                       (3, 5, "Mercury", "Q308")]
    c = r.counters
    assert c["links_seen"] == 4 and c["links_resolved"] == 2 and c["dropped_no_qid"] == 1 and c["dropped_overlap"] == 1


def test_real_jawiki_links_resolve_through_real_tables():
    red, ja, en = real_tables()
    r = EntityResolver.from_tables(red, ja, en)
    anchors = [a for art in ja_articles() for a in r.annotate(art)["anchors"]]
    c: Counter = r.counters
    assert c["articles"] == 189 and c["links_seen"] > 70_000
    # only the 49 Wikidata-head entities can resolve; every resolved name is its English sitelink, cleaned
    assert 100 < c["links_resolved"] == len(anchors) < 1000
    inv = {q: t for t, q in en.items()}
    assert all(a["name"] == clean_entity_name(inv[a["qid"]]) for a in anchors)
    assert {"Algeria", "France"} & {a["name"] for a in anchors}
    assert c["dropped_no_qid"] > 0.9 * c["links_seen"]
