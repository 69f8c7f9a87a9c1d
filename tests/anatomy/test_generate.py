"""Target texts for label shift: generation from a tiny model, its resumable cache, user-supplied files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from anatomy_fixtures import (
    one_thread,  # noqa: F401  (fixture)
    tiny_lm,
)

from corpuslab.anatomy.config import GenerationConfig, LabelShiftConfig
from corpuslab.anatomy.generate import cache_settings, generate_texts, read_generations, read_prompts
from corpuslab.core.errors import DataError

pytestmark = pytest.mark.usefixtures("one_thread")

SETTINGS = GenerationConfig(num_prompts=6, prompts=["The", "def"], max_new_tokens=8, gen_batch_size=4)


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_generate_texts_cycles_the_prompts_and_caches_them(tmp_path: Path) -> None:
    model, tok = tiny_lm()
    texts = generate_texts(model, tok, SETTINGS, cache_path=tmp_path / "g.jsonl", progress=False)
    recs = _lines(tmp_path / "g.jsonl")
    assert len(texts) == 6 and [r["text"] for r in recs] == texts
    assert [r["prompt"] for r in recs] == ["The", "def", "The", "def", "The", "def"]
    assert recs[0]["settings"] == cache_settings(SETTINGS)
    assert tok.padding_side != "left"  # restored


def test_a_cached_run_is_reused_and_a_cut_one_resumed_identically(tmp_path: Path) -> None:
    model, tok = tiny_lm()
    cache = tmp_path / "g.jsonl"
    texts = generate_texts(model, tok, SETTINGS, cache_path=cache, progress=False)
    full = cache.read_text()

    class NoGeneration:  # a complete cache must not touch the model
        def parameters(self):  # type: ignore[no-untyped-def]
            return model.parameters()

        def generate(self, **_: object) -> None:
            raise AssertionError("regenerated a cached text")

    assert generate_texts(NoGeneration(), tok, SETTINGS, cache_path=cache, progress=False) == texts
    # a killed run: second batch incomplete and the last line cut mid-record
    lines = full.splitlines(keepends=True)
    cache.write_text("".join(lines[:5]) + lines[5][:20])
    assert generate_texts(model, tok, SETTINGS, cache_path=cache, progress=False) == texts
    assert cache.read_text() == full


def test_other_settings_regenerate(tmp_path: Path) -> None:
    model, tok = tiny_lm()
    cache = tmp_path / "g.jsonl"
    generate_texts(model, tok, SETTINGS, cache_path=cache, progress=False)
    other = SETTINGS.model_copy(update={"seed": 1})
    generate_texts(model, tok, other, cache_path=cache, progress=False)
    assert {r["settings"]["seed"] for r in _lines(cache)} == {1}


def test_label_shift_settings_are_generation_settings() -> None:
    cfg = LabelShiftConfig(output_dir="o", temperature=1.0, gen_batch_size=8, seed=3)
    assert isinstance(cfg, GenerationConfig)
    assert cache_settings(cfg) == {"max_new_tokens": 512, "temperature": 1.0, "top_p": 0.9, "top_k": 0, "seed": 3,
                                   "batch_size": 8}


def test_read_generations(tmp_path: Path) -> None:
    f = tmp_path / "g.jsonl"
    f.write_text('{"text": "a"}\n\n{"text": "  "}\n{"text": "b", "prompt": "x"}\n')
    assert read_generations(f) == ["a", "b"]


@pytest.mark.parametrize(("text", "message"), [
    ('{"text": "a"}\n{"text": \n', r"g.jsonl:2: malformed JSON"),
    ('{"text": "a"}\n{"body": "b"}\n', "record 2: expected an object with a string 'text'"),
    ('{"text": ""}\n', "no non-empty generations"),
])
def test_read_generations_bad_input(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "g.jsonl"
    f.write_text(text)
    with pytest.raises(DataError, match=message):
        read_generations(f)


def test_read_generations_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="generations file not found"):
        read_generations(tmp_path / "nope.jsonl")


def test_read_prompts_one_per_line_with_escaped_newlines(tmp_path: Path) -> None:
    f = tmp_path / "p.txt"
    f.write_text("The\n\ndef main():\\n    \n")
    assert read_prompts(f) == ["The", "", "def main():\n    "]
    with pytest.raises(DataError, match="prompts file not found"):
        read_prompts(tmp_path / "nope.txt")
