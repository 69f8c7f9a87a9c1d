"""fetch-samples from a SlimPajama-style root and a corpuslab shard folder; reading category files back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import zstandard

from conftest import check_run_card
from corpuslab.anatomy.config import FetchSamplesConfig
from corpuslab.anatomy.samples import fetch_samples, load_category_samples
from corpuslab.core.errors import DataError

SETS = ["RedPajamaCommonCrawl", "RedPajamaC4", "RedPajamaGithub", "RedPajamaWikipedia", "RedPajamaBook",
        "RedPajamaArXiv", "RedPajamaStackExchange"]


def _slimpajama(root: Path, per_set: int = 30, files: int = 3) -> None:
    """A SlimPajama-shaped root: chunk1/example_train_<i>.jsonl.zst with meta.redpajama_set_name."""
    (root / "train" / "chunk1").mkdir(parents=True)
    n = 0
    for f in range(files):
        lines = []
        for s in SETS:
            for j in range(per_set // files):
                lines.append(json.dumps({"text": f"{s} document {f}-{j} " + "x" * (j % 7),
                                         "meta": {"redpajama_set_name": s}}))
                n += 1
        data = ("\n".join(lines) + "\n").encode()
        (root / "train" / "chunk1" / f"example_train_{f}.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))


def fetch(root: Path, out: Path, **settings: object) -> dict[str, int]:
    return fetch_samples(FetchSamplesConfig(root=str(root), output_dir=str(out), **settings), progress=False)


def test_fetch_samples_from_slimpajama_root(tmp_path: Path) -> None:
    _slimpajama(tmp_path / "sp")
    counts = fetch(tmp_path / "sp", tmp_path / "out", n=12, seed=3)
    assert counts == {c: 12 for c in ["arxiv", "books", "c4", "commoncrawl", "github", "stackexchange", "wikipedia"]}
    recs = [json.loads(x) for x in (tmp_path / "out" / "books.jsonl").read_text().splitlines()]
    assert all(r["text"].startswith("RedPajamaBook") and r["category"] == "books" for r in recs)
    assert len({r["text"] for r in recs}) == 12  # without replacement
    info = json.loads((tmp_path / "out" / "samples.json").read_text())
    assert info["available"]["books"] == 30 and info["counts"] == counts


def test_fetch_samples_writes_a_run_card(tmp_path: Path) -> None:
    _slimpajama(tmp_path / "sp")
    counts = fetch(tmp_path / "sp", tmp_path / "out", n=12, categories=["books", "arxiv"])
    card = check_run_card(tmp_path / "out", "anatomy-fetch-samples")
    assert card["counts"] == {"documents": counts, "available": {"books": 30, "arxiv": 30}, "categories": 2}
    assert card["outputs"] == {"arxiv": "arxiv.jsonl", "books": "books.jsonl", "info": "samples.json"}
    assert card["inputs"] == {"root": str(tmp_path / "sp")} and card["seed"] == 0


def test_fetch_samples_is_seeded(tmp_path: Path) -> None:
    _slimpajama(tmp_path / "sp")
    for out, seed in (("a", 3), ("b", 3), ("c", 4)):
        fetch(tmp_path / "sp", tmp_path / out, n=12, seed=seed)
    books = {out: (tmp_path / out / "books.jsonl").read_text() for out in "abc"}
    assert books["a"] == books["b"]
    assert books["a"] != books["c"]


def test_fetch_samples_merge_web_and_fewer_than_n(tmp_path: Path) -> None:
    _slimpajama(tmp_path / "sp")
    counts = fetch(tmp_path / "sp", tmp_path / "out", n=50, merge_web=True)
    assert counts["web"] == 50 and counts["books"] == 30  # 30 cc + 30 c4 → 60 available
    assert not (tmp_path / "out" / "c4.jsonl").exists()
    texts = load_category_samples(tmp_path / "out", ["web"])["web"]
    assert {t.split()[0] for t in texts} == {"RedPajamaCommonCrawl", "RedPajamaC4"}


def test_fetch_samples_from_corpuslab_shards_with_category_field(tmp_path: Path) -> None:
    from corpuslab.core.shards import write_records

    recs = [{"id": str(i), "text": f"doc {i}", "metadata": {"category": "code" if i % 2 else "wiki"}} for i in range(40)]
    write_records(tmp_path / "shards" / "part-0.jsonl.gz", recs)
    assert fetch(tmp_path / "shards", tmp_path / "out", n=5) == {"github": 5, "wikipedia": 5}
    assert fetch(tmp_path / "shards", tmp_path / "out2", n=5, category_field="metadata.category",
                 categories="code") == {"github": 5}


def test_fetch_samples_missing_category_is_an_error(tmp_path: Path) -> None:
    _slimpajama(tmp_path / "sp")
    with pytest.raises(DataError, match="no documents for categories podcasts"):
        fetch(tmp_path / "sp", tmp_path / "out", n=5, categories=["books", "podcasts"])
    assert json.loads((tmp_path / "out" / "run.json").read_text())["status"] == "failed"


def test_fetch_samples_from_a_folder_without_shards_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no .jsonl"):
        fetch(tmp_path / "empty", tmp_path / "out", n=5)


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    d = tmp_path / "s"
    d.mkdir()
    (d / "books.jsonl").write_text('{"text": "a"}\n{"text": "b"}\n')
    return d


def test_load_category_samples_names_a_missing_file(sample_dir: Path) -> None:
    with pytest.raises(DataError, match=r"wikipedia.jsonl: category file missing"):
        load_category_samples(sample_dir, ["books", "wikipedia"])
    with pytest.raises(DataError, match="sample folder not found"):
        load_category_samples(sample_dir / "nope")


def test_load_category_samples_names_an_empty_file(sample_dir: Path) -> None:
    (sample_dir / "arxiv.jsonl").write_text("")
    with pytest.raises(DataError, match=r"arxiv.jsonl: category file is empty"):
        load_category_samples(sample_dir, ["books", "arxiv"])


def test_load_category_samples_needs_two_documents_to_hold_one_out(sample_dir: Path) -> None:
    (sample_dir / "arxiv.jsonl").write_text('{"text": "only one"}\n')
    with pytest.raises(DataError, match="only 1 document"):
        load_category_samples(sample_dir)
    assert load_category_samples(sample_dir, min_per_category=1) == {"arxiv": ["only one"], "books": ["a", "b"]}
