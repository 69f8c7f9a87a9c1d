"""Redirect tables: chains followed to their end, loops and chains into loops dropped, the written table and
its run card beside it."""

from wiki_fixtures import JAWIKI, first_pages, page_xml, write_dump

from conftest import check_run_card
from corpuslab.wiki.config import WikiRedirectsConfig
from corpuslab.wiki.redirects import extract_redirects, read_redirects, resolve_redirects
from corpuslab.wiki.tables import read_pairs


def test_real_jawiki_redirects_table_and_card(shared, tmp_path):
    out = tmp_path / "ja-redirects.tsv"
    table, stats = extract_redirects(WikiRedirectsConfig(dump=str(shared(JAWIKI)), output=str(out)))
    assert stats["redirects"] == 27 and stats["resolved"] == 27 and stats["dropped"] == 0 and stats["pages"] == 238
    assert table["SandBox"] == "サンドボックス"
    assert table["スメクティック相"] == "液晶"
    assert table["Wikipedia:Sandbox"] == "Wikipedia:サンドボックス"
    assert read_pairs(out) == table
    card = check_run_card(out, "wiki-redirects", single_file=True)
    assert card["counts"] == stats and card["inputs"]["dump"] == str(shared(JAWIKI))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ja-redirects.tsv", "ja-redirects.tsv.run.json"]


def test_a_dump_path_only_reads(shared, tmp_path):
    """The in-memory form (LEIA's tests and scripts use it): no file, no card."""
    table, stats = extract_redirects(shared(JAWIKI))
    assert (table, stats) == read_redirects(shared(JAWIKI)) and len(table) == 27


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
