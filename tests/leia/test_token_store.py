import numpy as np
import pyarrow.parquet as pq
import pytest
from leia_fixtures import make_article

from corpuslab.core.errors import DataError
from corpuslab.leia.token_store import TOKENS_FILE, TokenStore, tokens_schema, tokens_table


def test_rows_round_trip_through_tokens_parquet(tmp_path):
    arts = [make_article(20), make_article(9, spans=((1, 2),)), make_article(5, spans=())]
    meta = [{"title": f"t{i}", "page_id": i} for i in range(3)]
    schema = tokens_schema(np.dtype(np.int16))
    pq.write_table(tokens_table(meta, arts, schema), tmp_path / TOKENS_FILE)
    store = TokenStore(tmp_path)
    assert len(store) == 3 and store.total_tokens() == 34 and store.dtype == np.int16 and store.titles[1] == "t1"
    for want, got in zip(arts, (store[i] for i in range(3)), strict=True):
        assert got.input_ids.tolist() == want.input_ids.tolist()
        assert got.entity_start.tolist() == want.entity_start.tolist()
        assert got.entity_end.tolist() == want.entity_end.tolist()
        assert [n.tolist() for n in got.entity_names] == [n.tolist() for n in want.entity_names]
        assert got.qids == want.qids


def test_a_folder_without_tokens_is_named(tmp_path):
    with pytest.raises(DataError, match="leia build"):
        TokenStore(tmp_path)
