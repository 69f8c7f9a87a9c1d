"""``corpuslab leia …``: today's flags (short forms and old spellings) still set the config fields."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpuslab.cli.main import app


@pytest.fixture
def captured(monkeypatch):
    """Replace the three runners by recorders of the config they receive."""
    import corpuslab.leia.build
    import corpuslab.leia.evaluate
    import corpuslab.leia.train

    seen = []
    monkeypatch.setattr(corpuslab.leia.build, "build_leia_dataset",
                        lambda cfg, progress=True: seen.append((cfg, progress)) or _BUILD_REPORT)
    monkeypatch.setattr(corpuslab.leia.train, "train_leia",
                        lambda cfg, progress=True: seen.append((cfg, progress)) or _TRAIN_SUMMARY)
    monkeypatch.setattr(corpuslab.leia.evaluate, "run_eval", lambda cfg: seen.append((cfg, None)) or [])
    return seen


_BUILD_REPORT = {"seconds": 1.0, "articles": 3, "articles_written": 2, "links_seen": 10, "links_resolved": 5,
                 "links_kept": 4, "links_inserted": 2, "tokens": 100, "windows": 1, "drop_reasons": {"no_qid": 5},
                 "id_dtype": "int16", "vocab_size": 802}
_TRAIN_SUMMARY = {"steps": 2, "tokens_per_step": 256, "device": "cpu", "losses": [2.0, 1.5], "final_model": "m"}


def invoke(*args):
    r = CliRunner().invoke(app, ["leia", *map(str, args)])
    assert r.exit_code == 0, r.output
    return r


def test_build_keeps_its_flags(captured):
    r = invoke("build", "-a", "arts", "-o", "out", "-m", "tok", "--english-ids", "en.tsv", "--target-ids", "ja.tsv",
               "--redirects", "red.tsv", "--seq-len", "128", "--p", "0.3", "--strategy", "right",
               "--max-articles", "60", "--id-dtype", "int32", "--quiet")
    cfg, progress = captured[-1]
    assert (cfg.articles, cfg.output_dir, cfg.model, cfg.redirects) == (Path("arts"), Path("out"), "tok",
                                                                        Path("red.tsv"))
    assert (cfg.seq_len, cfg.p, cfg.strategy, cfg.max_articles, cfg.id_dtype) == (128, 0.3, "right", 60, "int32")
    assert progress is False and "links_inserted" in r.output


def test_train_keeps_its_old_spellings(captured):
    r = invoke("train", "-m", "base", "--data", "built", "-o", "run", "--batch-size", "2", "--grad-accum", "8",
               "--lr", "1e-4", "--max-steps", "5", "--strategy", "none", "--mask-entity-names", "--deepspeed",
               "ds.json", "--gradient-checkpointing", "--seed", "7", "-q")
    cfg, progress = captured[-1]
    assert (cfg.model, cfg.data_dir, cfg.output_dir) == ("base", Path("built"), Path("run"))
    assert (cfg.per_device_train_batch_size, cfg.gradient_accumulation_steps, cfg.learning_rate) == (2, 8, 1e-4)
    assert (cfg.max_steps, cfg.strategy, cfg.seed, cfg.deepspeed) == (5, "none", 7, "ds.json")
    assert cfg.mask_entity_names and cfg.gradient_checkpointing and progress is False
    assert "loss 2.000 → 1.500" in r.output
    invoke("train", "-m", "base", "-d", "built", "-o", "run", "--per-device-train-batch-size", "3")
    assert captured[-1][0].per_device_train_batch_size == 3 and captured[-1][0].learning_rate == 5e-6


def test_train_reads_a_yaml_config_and_flags_win(captured, tmp_path):
    f = tmp_path / "train.yaml"
    f.write_text("model: base\ndata_dir: built\noutput_dir: run\nlearning_rate: 2.0e-5\n"
                 "training_args: {optim: adafactor}\n", encoding="utf-8")
    invoke("train", "--config", f, "--lr", "1e-3")
    cfg, _ = captured[-1]
    assert cfg.learning_rate == 1e-3 and cfg.training_args == {"optim": "adafactor"}


def test_eval_takes_repeated_task_files(captured):
    invoke("eval", "-m", "lm", "--xcsqa", "a.jsonl", "--xcsqa", "b.jsonl", "--xcodah", "c.tsv", "--limit", "10",
           "--num-fewshot", "0", "-o", "ev")
    cfg, _ = captured[-1]
    assert cfg.tasks() == [("xcsqa", "a.jsonl"), ("xcsqa", "b.jsonl"), ("xcodah", "c.tsv")]
    assert (cfg.limit, cfg.num_fewshot, cfg.output_dir) == (10, 0, Path("ev"))
