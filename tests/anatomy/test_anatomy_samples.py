"""fetch-samples from a SlimPajama-style root and a corpuslab shard folder; bad category files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import zstandard

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


def test_fetch_samples_from_slimpajama_root(tmp_path: Path) -> None:
    _slimpajama(tmp_path / "sp")
    counts = fetch_samples(tmp_path / "sp", tmp_path / "out", n=12, seed=3, progress=False)
    assert counts == {c: 12 for c in ["arxiv", "books", "c4", "commoncrawl", "github", "stackexchange", "wikipedia"]}
    recs = [json.loads(x) for x in (tmp_path / "out" / "books.jsonl").read_text().splitlines()]
    assert all(r["text"].startswith("RedPajamaBook") and r["category"] == "books" for r in recs)
    assert len({r["text"] for r in recs}) == 12  # without replacement
    # seeded: same seed → same sample; another seed → another one
    fetch_samples(tmp_path / "sp", tmp_path / "out2", n=12, seed=3, progress=False)
    assert (tmp_path / "out2" / "books.jsonl").read_text() == (tmp_path / "out" / "books.jsonl").read_text()
    fetch_samples(tmp_path / "sp", tmp_path / "out3", n=12, seed=4, progress=False)
    assert (tmp_path / "out3" / "books.jsonl").read_text() != (tmp_path / "out" / "books.jsonl").read_text()
    info = json.loads((tmp_path / "out" / "samples.json").read_text())
    assert info["available"]["books"] == 30


def test_fetch_samples_merge_web_and_fewer_than_n(tmp_path: Path) -> None:
    _slimpajama(tmp_path / "sp")
    counts = fetch_samples(tmp_path / "sp", tmp_path / "out", n=50, merge_web=True, progress=False)
    assert counts["web"] == 50 and counts["books"] == 30  # 30 cc + 30 c4 → 60 available
    assert not (tmp_path / "out" / "c4.jsonl").exists()
    texts = load_category_samples(tmp_path / "out", ["web"])["web"]
    assert {t.split()[0] for t in texts} == {"RedPajamaCommonCrawl", "RedPajamaC4"}


def test_fetch_samples_from_corpuslab_shards_with_category_field(tmp_path: Path) -> None:
    from corpuslab.core.shards import write_records

    recs = [{"id": str(i), "text": f"doc {i}", "metadata": {"category": "code" if i % 2 else "wiki"}} for i in range(40)]
    write_records(tmp_path / "shards" / "part-0.jsonl.gz", recs)
    counts = fetch_samples(tmp_path / "shards", tmp_path / "out", n=5, progress=False)
    assert counts == {"github": 5, "wikipedia": 5}


def test_fetch_samples_missing_category_is_an_error(tmp_path: Path) -> None:
    _slimpajama(tmp_path / "sp")
    with pytest.raises(DataError, match="no documents for categories podcasts"):
        fetch_samples(tmp_path / "sp", tmp_path / "out", n=5, categories=["books", "podcasts"], progress=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no .jsonl"):
        fetch_samples(tmp_path / "empty", tmp_path / "out", n=5, progress=False)


def test_load_category_samples_bad_input(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    (d / "books.jsonl").write_text('{"text": "a"}\n{"text": "b"}\n')
    (d / "arxiv.jsonl").write_text("")
    with pytest.raises(DataError, match=r"wikipedia.jsonl: category file missing"):
        load_category_samples(d, ["books", "wikipedia"])
    with pytest.raises(DataError, match=r"arxiv.jsonl: category file is empty"):
        load_category_samples(d, ["books", "arxiv"])
    with pytest.raises(DataError, match="sample folder not found"):
        load_category_samples(tmp_path / "nope")
    (d / "arxiv.jsonl").write_text('{"text": "only one"}\n')
    with pytest.raises(DataError, match="only 1 document"):
        load_category_samples(d)
