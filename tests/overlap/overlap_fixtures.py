"""Fixtures for overlap tests: real text, tiny models trained-tokenizer + random init, shard folders.

Import the fixtures you use into a test module (``from overlap_fixtures import botchan_docs``).
"""

from __future__ import annotations

import bz2
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import shared_path


def read_botchan_docs(n: int | None = None) -> list[str]:
    """Botchan (Project Gutenberg) has no blank lines: every 8 lines after the header make one document."""
    with bz2.open(shared_path("text/botchan.txt.bz2"), "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()[20:]
    docs = [" ".join(lines[i : i + 8]) for i in range(0, len(lines) - 8, 8)]
    return docs[:n] if n else docs


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    """Tiny models run fastest single-threaded on a shared 2-core machine (no oversubscription)."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture(scope="module")
def botchan_docs() -> list[str]:
    return read_botchan_docs()


@pytest.fixture(scope="module")
def botchan_shards(tmp_path_factory: pytest.TempPathFactory, botchan_docs: list[str]) -> Path:
    """A corpuslab shard folder (jsonl.gz) of Botchan documents: the local-corpus input of a run."""
    from corpuslab.core.shards import write_records

    d = tmp_path_factory.mktemp("botchan_shards")
    write_records(d / "part-00000.jsonl.gz", [{"id": str(i), "text": t, "metadata": {}}
                                              for i, t in enumerate(botchan_docs)])
    return d


@pytest.fixture(scope="module")
def tiny_llama_dir(tmp_path_factory: pytest.TempPathFactory, botchan_docs: list[str]) -> Path:
    """Random-init tiny Llama + byte-level BPE (1000 tokens) trained on Botchan, saved to a folder."""
    from corpuslab.models.tiny import build_tiny_causal_lm

    out = tmp_path_factory.mktemp("tiny") / "llama"
    build_tiny_causal_lm(botchan_docs, arch="llama", vocab_size=1000, seed=0, out_dir=out)
    return out
