"""Dump → articles: counts and link spans on the real jawiki/viwiki excerpts, parallel = serial, resume,
multistream, damaged input, the run card."""

import bz2
import json
from collections import Counter

import pytest
from wiki_fixtures import JAWIKI, VIWIKI, first_pages, ja_articles_cached, page_xml, write_dump

from conftest import check_run_card
from corpuslab.core.shards import iter_records
from corpuslab.sources.mediawiki import iter_mediawiki_docs
from corpuslab.wiki import wikitext
from corpuslab.wiki.config import WikiExtractConfig
from corpuslab.wiki.extract import extract_dump, iter_articles, iter_pages


def _cfg(dump, output_dir, **kw) -> WikiExtractConfig:
    return WikiExtractConfig(dump=str(dump), output_dir=str(output_dir), **kw)


@pytest.fixture(scope="module")
def ja_articles():
    return ja_articles_cached()


def test_jawiki_counts_match_the_dump(ja_articles):
    arts, c = ja_articles
    # SOURCES.md: 238 pages, 27 redirects, 189 main-namespace articles
    assert c["pages"] == 238 and c["redirects"] == 27 and c["articles"] == 189 and len(arts) == 189
    assert c["other_namespace"] == 22 and c["truncated"] == 0
    assert all(a["language"] == "ja" and a["url"].startswith("https://ja.wikipedia.org/wiki?curid=") for a in arts)


def test_jawiki_links_are_spans_into_text(ja_articles):
    arts, _ = ja_articles
    n = n_cat = 0
    for a in arts:
        t = a["text"]
        prev_end = -1
        for link in a["links"]:
            s, e = link["start"], link["end"]
            assert 0 <= s < e <= len(t)
            assert t[s:e] == t[s:e].strip() and t[s:e]
            assert s >= prev_end  # sorted, non-overlapping
            prev_end = e
            assert not link["target_title"].startswith("ファイル:")  # file embeds are dropped entirely
            n += 1
            n_cat += link["target_title"].startswith("Category:")  # only [[:Category:…|…]] text links
    assert n > 50_000 and n_cat < 200
    nihongo = next(a for a in arts if a["title"] == "日本語")
    got = {(nihongo["text"][x["start"]:x["end"]], x["target_title"]) for x in nihongo["links"]}
    assert ("日本", "日本") in got
    assert ("かつての日本領", "大日本帝国") in got      # piped link: anchor text, target title
    assert ("国語", "国語 (教科)") in got
    assert "[[" not in nihongo["text"] and "{{" not in nihongo["text"] and "<ref" not in nihongo["text"]


def test_jawiki_section_links_keep_fragment(ja_articles):
    arts, _ = ja_articles
    frag = [x for a in arts for x in a["links"] if "fragment" in x]
    assert frag and all("#" not in x["target_title"] for x in frag)


def test_markup_residue_is_counted_not_fatal(ja_articles):
    arts, c = ja_articles
    # 鳥取県 has a {{formatnum:{{#expr:…}}}} inside a table cell that the tokenizer leaves as text
    assert c["markup_residue"] == 1
    assert "{{" in next(a for a in arts if a["title"] == "鳥取県")["text"]


def test_viwiki_counts_and_links(shared):
    c: Counter = Counter()
    arts = list(iter_articles(shared(VIWIKI), c))
    assert c["pages"] == 970 and c["redirects"] == 154 and c["articles"] == 274
    sweden = next(a for a in arts if a["title"] == "Thụy Điển")
    got = {(sweden["text"][x["start"]:x["end"]], x["target_title"]) for x in sweden["links"]}
    assert ("Na Uy", "Na Uy") in got and ("quốc gia", "Quốc gia") in got and ("cầu Öresund", "Cầu Øresund") in got


def test_truncated_bz2_is_counted(tmp_path, shared):
    data = shared(JAWIKI).read_bytes()
    cut = tmp_path / "cut.xml.bz2"
    cut.write_bytes(data[: len(data) * 3 // 10])
    c: Counter = Counter()
    arts = list(iter_articles(cut, c))
    assert c["truncated"] == 1
    assert 0 < len(arts) < 189
    docs = list(iter_mediawiki_docs(cut))
    assert len(docs) == len([a for a in arts if a["text"]])


def test_broken_tokenizer_page_is_skipped_and_counted(tmp_path, monkeypatch):
    pages = first_pages(JAWIKI, 12) + [page_xml(999_001, "壊れたページ", "BROKEN {{")]
    dump = write_dump(tmp_path / "d.xml.bz2", pages)
    real = wikitext._Tokenizer

    class Flaky:
        def tokenize(self, text, context=0, skip_style_tags=False):
            if text.startswith("BROKEN"):
                raise RecursionError("boom")
            return real().tokenize(text, context, skip_style_tags)

    monkeypatch.setattr(wikitext, "_Tokenizer", Flaky)
    c: Counter = Counter()
    arts = list(iter_articles(dump, c))
    assert c["broken_wikitext"] == 1 and "壊れたページ" not in {a["title"] for a in arts}
    rep = extract_dump(_cfg(dump, tmp_path / "out"), progress=False)
    assert rep["counts"]["broken_wikitext"] == 1


def test_extract_dump_shards_parallel_equals_serial_and_resumes(tmp_path):
    pages = first_pages(JAWIKI, 40)
    dump = write_dump(tmp_path / "d.xml.bz2", pages)
    r1 = extract_dump(_cfg(dump, tmp_path / "w1", workers=1, shard_size=10), progress=False)
    r2 = extract_dump(_cfg(dump, tmp_path / "w2", workers=2, shard_size=10, chunk_bytes=20_000), progress=False)
    recs1 = list(iter_records(tmp_path / "w1"))
    recs2 = list(iter_records(tmp_path / "w2"))
    assert recs1 == recs2 and len(recs1) == r1["counts"]["articles"] == r2["counts"]["articles"]
    assert len(r1["shards"]) == -(-len(recs1) // 10)
    md = recs1[0]["metadata"]
    assert {"title", "page_id", "links", "language", "url"} <= set(md) and recs1[0]["id"] == f"jawiki-{md['page_id']}"
    first = tmp_path / "w1" / r1["shards"][0]
    before = first.stat().st_mtime_ns
    r3 = extract_dump(_cfg(dump, tmp_path / "w1", workers=1, shard_size=10), progress=False)
    assert first.stat().st_mtime_ns == before and r3["shards"] == r1["shards"]
    assert json.loads((tmp_path / "w1" / "report.json").read_text())["counts"]["articles"] == len(recs1)


def test_run_card_counts_articles_and_bad_input(tmp_path, shared):
    data = shared(JAWIKI).read_bytes()
    cut = tmp_path / "cut.xml.bz2"
    cut.write_bytes(data[: len(data) * 3 // 10])
    rep = extract_dump(_cfg(cut, tmp_path / "out", shard_size=50, format="jsonl.gz"), progress=False)
    card = check_run_card(tmp_path / "out", "wiki-extract")
    assert card["counts"] == rep["counts"] and card["counts"]["truncated"] == 1 and card["counts"]["articles"] > 0
    assert card["outputs"]["shards"] == rep["shards"] and rep["shards"][0] == "articles-00000.jsonl.gz"
    assert card["inputs"]["dump"] == str(cut) and card["config"]["given"]["shard_size"] == 50


def _multistream(tmp_path, per_stream: int, corrupt: int | None = None):
    """The first 30 jawiki pages in Wikimedia's multistream layout (+ index); ``corrupt``: damage that stream."""
    from wiki_fixtures import header_of, real_xml

    pages = first_pages(JAWIKI, 30)
    streams = [header_of(real_xml(JAWIKI))] + ["".join(pages[i:i + per_stream]) for i in range(0, 30, per_stream)]
    streams.append("</mediawiki>\n")
    blob, index, off = b"", [], 0
    for k, s in enumerate(streams):
        comp = bz2.compress(s.encode())
        if k == corrupt:
            mid = len(comp) // 2
            comp = comp[:mid] + bytes(b ^ 0xFF for b in comp[mid:mid + 64]) + comp[mid + 64:]
        if 0 < k < len(streams) - 1:
            for pid in __import__("re").findall(r"<id>(\d+)</id>\n    <revision>", s):
                index.append(f"{off}:{pid}:t")
        blob += comp
        off += len(comp)
    dump = tmp_path / "x-multistream.xml.bz2"
    dump.write_bytes(blob)
    (tmp_path / "x-multistream-index.txt.bz2").write_bytes(bz2.compress("\n".join(index).encode()))
    return dump


@pytest.mark.parametrize("per_stream, tasks", [(2, "streams"), (7, "pieces")])
def test_multistream_index_parallel(tmp_path, per_stream, tasks):
    """A real multistream layout: each bz2 stream holds a few pages, the index lists stream offsets.

    With ≥ 4 streams per worker the workers decompress their own streams; with fewer, the parent cuts
    the XML into pieces. Both give the serial reader's articles.
    """
    dump = _multistream(tmp_path, per_stream)
    serial = list(iter_articles(dump))
    rep = extract_dump(_cfg(dump, tmp_path / "ms", workers=2), progress=False)
    assert rep["multistream_index"] and rep["tasks"] == tasks
    recs = list(iter_records(tmp_path / "ms"))
    assert [r["text"] for r in recs] == [a["text"] for a in serial]
    assert [r["metadata"]["links"] for r in recs] == [a["links"] for a in serial]


def test_multistream_damaged_stream_is_counted_and_the_others_kept(tmp_path):
    (tmp_path / "clean").mkdir()
    clean = list(iter_pages(_multistream(tmp_path / "clean", 2)))
    hit = {p["page_id"] for p in clean[10:12]}  # stream 6 holds pages 11-12 of 30
    want = [p["page_id"] for p in clean if p["namespace"] == 0 and not p["redirect"] and p["page_id"] not in hit]
    dump = _multistream(tmp_path, 2, corrupt=6)
    rep = extract_dump(_cfg(dump, tmp_path / "ms", workers=2), progress=False)
    assert rep["tasks"] == "streams" and rep["counts"]["truncated"] == 1
    got = [r["metadata"]["page_id"] for r in iter_records(tmp_path / "ms")]
    assert [pid for pid in got if pid not in hit] == want and 28 <= rep["counts"]["pages"] < 30


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("damage", ["cut", "corrupt"])
def test_extract_dump_truncated_bz2_keeps_what_was_read(tmp_path, shared, workers, damage):
    data = shared(JAWIKI).read_bytes()
    cut = tmp_path / "cut.xml.bz2"
    at = len(data) * 3 // 10
    cut.write_bytes(data[:at] if damage == "cut" else data[:at] + bytes(b ^ 0xFF for b in data[at:at + 64]) + data[at + 64:])
    serial = [a["page_id"] for a in iter_articles(cut)]
    rep = extract_dump(_cfg(cut, tmp_path / "out", workers=workers, chunk_bytes=50_000), progress=False)
    assert rep["counts"]["truncated"] == 1
    assert [r["metadata"]["page_id"] for r in iter_records(tmp_path / "out")] == serial
    assert 0 < rep["counts"]["articles"] == len(serial) < 189


def test_extract_dump_xml_cut_inside_a_clean_stream(tmp_path):
    """Compression intact but the XML stops mid-page: complete pages kept, the cut one dropped, counted."""
    pages = first_pages(JAWIKI, 6)
    path = write_dump(tmp_path / "whole.xml", pages, compress=False)
    xml = path.read_bytes()
    last = xml.rfind(b"<page>")
    cut = tmp_path / "cut.xml.bz2"
    cut.write_bytes(bz2.compress(xml[: last + 200]))
    rep = extract_dump(_cfg(cut, tmp_path / "out"), progress=False)
    assert rep["counts"]["truncated"] == 1 and rep["counts"]["pages"] == 5


def test_bz2_reader_multistream_and_trailing_garbage(tmp_path):
    """Several bz2 streams in one file are one XML document; zero padding after them is ignored."""
    pages = first_pages(JAWIKI, 8)
    xml = write_dump(tmp_path / "x.xml", pages, compress=False).read_bytes()
    third = len(xml) // 3
    blob = b"".join(bz2.compress(xml[i:i + third]) for i in range(0, len(xml), third)) + b"\0" * 64
    dump = tmp_path / "d.xml.bz2"
    dump.write_bytes(blob)
    c: Counter = Counter()
    serial = list(iter_articles(dump, c))
    rep = extract_dump(_cfg(dump, tmp_path / "out", chunk_bytes=10_000), progress=False)
    assert c["pages"] == rep["counts"]["pages"] == 8 and "truncated" not in rep["counts"] and not c["truncated"]
    assert [r["text"] for r in iter_records(tmp_path / "out")] == [a["text"] for a in serial]


@pytest.mark.parametrize("rel", [JAWIKI, VIWIKI])
def test_fast_page_reader_agrees_with_mwxml(shared, rel):
    """extract's ElementTree reader gives mwxml's pages (every namespace, redirects included)."""
    from corpuslab.wiki.extract import _header_bytes, _parse_pages, iter_pages, xml_page_chunks

    dump = shared(rel)
    ref = [{k: v for k, v in p.items() if k != "timestamp"} for p in iter_pages(dump)]
    header = _header_bytes(dump)
    got = [p for piece in xml_page_chunks(dump, 100_000) for p in _parse_pages(piece, header)[0]]
    assert got == ref and len(ref) in (238, 970)
    assert any(p["redirect"] for p in got) and any(p["namespace"] for p in got)


def test_not_a_dump_is_a_one_line_error_naming_the_file(tmp_path, shared):
    from corpuslab.core.errors import DataError

    text = tmp_path / "notes.xml"
    text.write_text("hello\n")
    cut = tmp_path / "cut.xml.bz2"
    cut.write_bytes(shared(JAWIKI).read_bytes()[:2000])  # ends inside <siteinfo>
    for path, why in ((text, "not a MediaWiki XML dump"), (cut, "unreadable before the end of <siteinfo>")):
        with pytest.raises(DataError, match=why) as e:
            extract_dump(_cfg(path, tmp_path / "out"), progress=False)
        assert str(path) in str(e.value) and "\n" not in str(e.value)
    assert not list((tmp_path / "out").glob("articles-*"))
    card = json.loads((tmp_path / "out" / "run.json").read_text())
    assert card["status"] == "failed" and "unreadable before the end of <siteinfo>" in card["error"]
