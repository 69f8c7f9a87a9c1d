import bz2

from typer.testing import CliRunner
from wiki_fixtures import JAWIKI, WIKIDATA, first_pages, page_xml, write_dump

from corpuslab.cli.main import app
from corpuslab.wiki.redirects import extract_redirects, resolve_redirects
from corpuslab.wiki.tables import read_pairs, write_pairs
from corpuslab.wiki.wikidata import extract_wikidata, iter_entities, sitelink_tables


def test_real_jawiki_redirects(shared, tmp_path):
    table, stats = extract_redirects(shared(JAWIKI), tmp_path / "ja-redirects.tsv")
    assert stats["redirects"] == 27 and stats["resolved"] == 27 and stats["dropped"] == 0
    assert table["SandBox"] == "サンドボックス"
    assert table["スメクティック相"] == "液晶"
    assert table["Wikipedia:Sandbox"] == "Wikipedia:サンドボックス"
    assert read_pairs(tmp_path / "ja-redirects.tsv") == table
    write_pairs(tmp_path / "r.parquet", sorted(table.items()))
    assert read_pairs(tmp_path / "r.parquet") == table


def test_redirect_chains_and_loops_handmade_dump(tmp_path):
    # Hand-made: real dumps rarely hold a loop. A→B→C→A is a loop, D runs into it, E→F→G is a chain.
    pages = first_pages(JAWIKI, 3) + [
        page_xml(9001, "A", "#REDIRECT [[B]]", redirect="B"),
        page_xml(9002, "B", "#REDIRECT [[C]]", redirect="C"),
        page_xml(9003, "C", "#REDIRECT [[A]]", redirect="A"),
        page_xml(9004, "D", "#REDIRECT [[A]]", redirect="A"),
        page_xml(9005, "E", "#REDIRECT [[F]]", redirect="F"),
        page_xml(9006, "F", "#REDIRECT [[g#section]]", redirect="g#section"),
        page_xml(9007, "G", "本文"),
        page_xml(9008, "Self", "#REDIRECT [[Self]]", redirect="Self"),
    ]
    dump = write_dump(tmp_path / "loop.xml.bz2", pages)
    table, stats = extract_redirects(dump)
    assert table == {"E": "G", "F": "G"}
    assert stats["in_loops"] == 4 and stats["into_loops"] == 1 and stats["max_chain"] == 2


def test_resolve_redirects_is_order_independent():
    pairs = [("X", "Y"), ("W", "X"), ("V", "W"), ("Y", "Z")]
    a, _ = resolve_redirects(pairs)
    b, _ = resolve_redirects(reversed(pairs))
    assert a == b == {"X": "Z", "W": "Z", "V": "Z", "Y": "Z"}


def test_real_wikidata_head_sitelinks(shared, tmp_path):
    rep = extract_wikidata(shared(WIKIDATA), tmp_path, ["en", "ja"], progress=False)
    assert rep["counts"] == {"entities": 49, "sitelinks_en": 49, "sitelinks_ja": 49}
    en = read_pairs(tmp_path / "en-wikidata-ids.tsv")
    ja = read_pairs(tmp_path / "ja-wikidata-ids.tsv")
    assert len(en) == len(ja) == 49
    assert ja["アルジェリア"] == en["Algeria"] == "Q262"
    assert all(q.startswith("Q") for q in ja.values())


def test_wikidata_bad_line_is_counted(shared, tmp_path):
    lines = bz2.decompress(shared(WIKIDATA).read_bytes()).splitlines(keepends=True)
    bad = tmp_path / "bad.json.bz2"
    bad.write_bytes(bz2.compress(b"".join(lines[:5] + [b"{not json at all,\n"] + lines[5:])))
    from collections import Counter

    c: Counter = Counter()
    tables = sitelink_tables(iter_entities(bad, c), ["ja"], c)
    assert c["bad_lines"] == 1 and c["entities"] == 49 and len(tables["ja"]) == 49


def test_wiki_cli_commands(shared, tmp_path):
    dump = write_dump(tmp_path / "d.xml.bz2", first_pages(JAWIKI, 20))
    r = CliRunner().invoke(app, ["wiki", "extract", "--dump", str(dump), "-o", str(tmp_path / "arts"), "-q"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "arts" / "articles-00000.jsonl.zst").exists()
    r = CliRunner().invoke(app, ["wiki", "wikidata", "--dump", str(shared(WIKIDATA)), "-o", str(tmp_path / "wd"),
                                 "-l", "en,ja", "--format", "parquet", "-q"])
    assert r.exit_code == 0, r.output
    assert len(read_pairs(tmp_path / "wd" / "ja-wikidata-ids.parquet")) == 49
    r = CliRunner().invoke(app, ["wiki", "redirects", "--dump", str(dump), "-o", str(tmp_path / "r.tsv")])
    assert r.exit_code == 0, r.output
    real = [ln for ln in first_pages(JAWIKI, 20) if "<redirect" in ln]
    assert len(read_pairs(tmp_path / "r.tsv")) == len(real) > 0
