import json

import numpy as np
import pytest
import torch
from leia_fixtures import build_config, fresh_tiny_tokenizer, ja_articles, write_table_dir
from typer.testing import CliRunner

from conftest import check_run_card
from corpuslab.cli.main import app
from corpuslab.core.errors import DataError
from corpuslab.leia.build import build_leia_dataset
from corpuslab.leia.config import LeiaTrainConfig
from corpuslab.leia.train import train_leia


@pytest.fixture(scope="module")
def table_dir(tmp_path_factory):
    return write_table_dir(tmp_path_factory.mktemp("leia-tables"))


@pytest.fixture(scope="module")
def small_build(table_dir):
    out = table_dir / "train-data"
    return out, build_leia_dataset(build_config(table_dir, out, max_articles=60), progress=False,
                                   articles=ja_articles())


@pytest.fixture(scope="module")
def base_model(tmp_path_factory):
    from transformers import AutoModelForCausalLM

    from corpuslab.models.tiny import tiny_config

    tok = fresh_tiny_tokenizer()  # the base model knows nothing of the markers
    torch.manual_seed(0)
    d = tmp_path_factory.mktemp("base")
    AutoModelForCausalLM.from_config(tiny_config("llama", len(tok), tok, hidden=32, layers=1, heads=2,
                                                 max_positions=128)).save_pretrained(d)
    return d


@pytest.mark.model
def test_train_few_steps_cpu_through_the_cli_with_todays_flags(small_build, base_model, tmp_path):
    from transformers import AutoModelForCausalLM

    data, rep = small_build
    r = CliRunner().invoke(app, ["leia", "train", "-m", str(base_model), "--data", str(data), "-o",
                                 str(tmp_path / "run"), "--max-steps", "3", "--batch-size", "2", "--lr", "1e-3",
                                 "--grad-accum", "1", "-q"])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "run" / "train_report.json").read_text())
    assert len(s["losses"]) == 3 and all(np.isfinite(s["losses"])) and s["steps"] == 3
    hp = s["hyperparameters"]
    assert hp["learning_rate"] == 1e-3 and hp["lr_scheduler_type"] == "cosine" and hp["adam_beta2"] == 0.95
    assert hp["weight_decay"] == 0.1 and hp["adam_epsilon"] == 1e-6
    assert s["initialised_embedding_rows"] == rep["marker_ids"] and s["tokens_per_step"] == 2 * 128
    assert (s["p"], s["strategy"], s["seq_len"]) == (0.5, "after", 128)  # the build's settings
    m = AutoModelForCausalLM.from_pretrained(tmp_path / "run" / "final_model")
    assert m.get_input_embeddings().weight.shape[0] == 802
    card = check_run_card(tmp_path / "run", "leia-train")
    assert card["counts"] == {"steps": 3, "tokens_per_step": 256, "first_loss": s["losses"][0],
                              "last_loss": s["losses"][-1]}
    assert card["config"]["given"]["per_device_train_batch_size"] == 2


@pytest.mark.model
def test_the_no_insertion_baseline_sees_no_markers(small_build, base_model, tmp_path):
    data, _ = small_build
    cfg = LeiaTrainConfig(model=base_model, data_dir=data, output_dir=tmp_path / "ft", max_steps=2,
                          strategy="none", learning_rate=1e-3)
    s = train_leia(cfg, progress=False)
    assert s["strategy"] == "none" and s["packer_counts"]["links_inserted"] == 0 and len(s["losses"]) == 2


def test_train_refuses_a_folder_that_is_no_build(tmp_path):
    with pytest.raises(DataError, match="not a `leia build` output folder"):
        train_leia(LeiaTrainConfig(model="m", data_dir=tmp_path, output_dir=tmp_path / "o"))
    assert not (tmp_path / "o").exists()
