"""Two-column title tables: TSV (plain or compressed) and Parquet round trips; malformed lines."""

import pytest

from corpuslab.core.errors import DataError
from corpuslab.wiki.tables import read_pairs, write_pairs

PAIRS = [("SandBox", "サンドボックス"), ("Wikipedia:Sandbox", "Wikipedia:サンドボックス"), ("A & B", "C")]


@pytest.mark.parametrize("name", ["t.tsv", "t.tsv.gz", "t.tsv.zst", "t.tsv.bz2", "t.parquet"])
def test_round_trip(tmp_path, name):
    assert write_pairs(tmp_path / name, PAIRS) == 3
    assert read_pairs(tmp_path / name) == dict(PAIRS)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # written atomically: no temp file left


def test_tsv_is_the_reference_layout(tmp_path):
    write_pairs(tmp_path / "t.tsv", PAIRS[:1])
    assert (tmp_path / "t.tsv").read_text(encoding="utf-8") == "SandBox\tサンドボックス\n"


def test_malformed_lines(tmp_path):
    f = tmp_path / "bad.tsv"
    f.write_text("a\tb\nno tab here\n\nc\td\n", encoding="utf-8")
    with pytest.raises(DataError, match="bad.tsv:2: expected 'key<TAB>value'"):
        read_pairs(f)
    errors: dict[str, int] = {}
    assert read_pairs(f, errors) == {"a": "b", "c": "d"} and errors == {"bad_table_lines": 1}
    with pytest.raises(DataError, match="table not found"):
        read_pairs(tmp_path / "missing.tsv")
