"""Wikidata sitelinks → per-language title → QID tables; bad lines counted; the run card."""

import bz2
from collections import Counter

from wiki_fixtures import WIKIDATA

from conftest import check_run_card
from corpuslab.wiki.config import WikiWikidataConfig
from corpuslab.wiki.tables import read_pairs
from corpuslab.wiki.wikidata import extract_wikidata, iter_entities, site_for, sitelink_tables


def test_real_wikidata_head_sitelinks(shared, tmp_path):
    rep = extract_wikidata(WikiWikidataConfig(dump=str(shared(WIKIDATA)), output_dir=str(tmp_path),
                                              languages=["en", "ja"]), progress=False)
    assert rep["counts"] == {"entities": 49, "sitelinks_en": 49, "sitelinks_ja": 49}
    en = read_pairs(tmp_path / "en-wikidata-ids.tsv")
    ja = read_pairs(tmp_path / "ja-wikidata-ids.tsv")
    assert len(en) == len(ja) == 49
    assert ja["アルジェリア"] == en["Algeria"] == "Q262"
    assert all(q.startswith("Q") for q in ja.values())
    card = check_run_card(tmp_path, "wiki-wikidata")
    assert card["counts"] == rep["counts"]
    assert card["outputs"]["tables"] == {"en": "en-wikidata-ids.tsv", "ja": "ja-wikidata-ids.tsv"}


def test_wikidata_bad_line_is_counted(shared, tmp_path):
    lines = bz2.decompress(shared(WIKIDATA).read_bytes()).splitlines(keepends=True)
    bad = tmp_path / "bad.json.bz2"
    bad.write_bytes(bz2.compress(b"".join(lines[:5] + [b"{not json at all,\n"] + lines[5:])))
    c: Counter = Counter()
    tables = sitelink_tables(iter_entities(bad, c), ["ja"], c)
    assert c["bad_lines"] == 1 and c["entities"] == 49 and len(tables["ja"]) == 49
    rep = extract_wikidata(WikiWikidataConfig(dump=str(bad), output_dir=str(tmp_path / "out"), languages=["ja"],
                                              format="parquet"), progress=False)
    assert rep["counts"]["bad_lines"] == 1 and len(read_pairs(tmp_path / "out" / "ja-wikidata-ids.parquet")) == 49
    assert check_run_card(tmp_path / "out", "wiki-wikidata")["counts"]["bad_lines"] == 1


def test_site_names():
    assert site_for("en") == "enwiki" and site_for("zh-yue") == "zh_yuewiki"
