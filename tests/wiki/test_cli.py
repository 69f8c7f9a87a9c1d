"""``corpuslab wiki extract|redirects|wikidata``: today's flags (-o, -w, -q, -l en,ja, --format, --shard-size)
and a run card per command."""

import json

from typer.testing import CliRunner
from wiki_fixtures import JAWIKI, WIKIDATA, first_pages, write_dump

from conftest import check_run_card
from corpuslab.cli.main import app
from corpuslab.core.errors import ConfigError
from corpuslab.core.shards import iter_records
from corpuslab.wiki.tables import read_pairs


def test_extract(tmp_path):
    dump = write_dump(tmp_path / "d.xml.bz2", first_pages(JAWIKI, 20))
    r = CliRunner().invoke(app, ["wiki", "extract", "--dump", str(dump), "-o", str(tmp_path / "arts"), "-q",
                                 "--shard-size", "5", "-w", "1", "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    n = len(list(iter_records(tmp_path / "arts")))
    assert sorted(p.name for p in (tmp_path / "arts").glob("articles-*")) == [
        f"articles-{i:05d}.jsonl" for i in range(-(-n // 5))]
    card = check_run_card(tmp_path / "arts", "wiki-extract")
    assert card["counts"]["articles"] == n and card["config"]["given"] == {
        "dump": str(dump), "output_dir": str(tmp_path / "arts"), "shard_size": 5, "workers": 1, "format": "jsonl"}
    r = CliRunner().invoke(app, ["wiki", "extract", "--dump", str(dump), "-o", str(tmp_path / "x"), "--format", "csv"])
    assert isinstance(r.exception, ConfigError) and "format" in str(r.exception)


def test_wikidata_languages_comma_separated_or_repeated(shared, tmp_path):
    for flags, out in ((["-l", "en,ja", "--format", "parquet"], "wd"), (["--languages", "en", "-l", "ja"], "wd2")):
        r = CliRunner().invoke(app, ["wiki", "wikidata", "--dump", str(shared(WIKIDATA)), "-o", str(tmp_path / out),
                                     *flags, "-q"])
        assert r.exit_code == 0, r.output
        assert check_run_card(tmp_path / out, "wiki-wikidata")["config"]["resolved"]["languages"] == ["en", "ja"]
    assert len(read_pairs(tmp_path / "wd" / "ja-wikidata-ids.parquet")) == 49
    assert read_pairs(tmp_path / "wd2" / "en-wikidata-ids.tsv") == read_pairs(tmp_path / "wd" / "en-wikidata-ids.parquet")


def test_redirects(tmp_path):
    dump = write_dump(tmp_path / "d.xml.bz2", first_pages(JAWIKI, 20))
    r = CliRunner().invoke(app, ["wiki", "redirects", "--dump", str(dump), "-o", str(tmp_path / "r.tsv")])
    assert r.exit_code == 0, r.output
    real = [ln for ln in first_pages(JAWIKI, 20) if "<redirect" in ln]
    assert len(read_pairs(tmp_path / "r.tsv")) == len(real) > 0
    card = check_run_card(tmp_path / "r.tsv", "wiki-redirects", single_file=True)
    assert card["counts"]["resolved"] == len(real)
    assert json.loads((tmp_path / "r.tsv.run.json").read_text())["outputs"] == {"table": "r.tsv"}
