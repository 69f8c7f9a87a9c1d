"""Settings of ``corpuslab overlap train|compare|score``: one model per runner, keys = flags = argument names.

Light on purpose (stdlib, pydantic, ``corpuslab.core.config``): the CLI builds its flags from these models
at start-up. Training defaults follow the reference script, KimAu197/llm_fingerprint
``watermarking/train/train_and_eval_overlap.py``: batch 4 × accumulation 10, lr 2e-6, warmup 200, grad clip
0.5, 1000 steps, eval every 100, k = 2000, 5 prompts of 64 tokens, the first 100,000 articles, no packing.
"""

from __future__ import annotations

from pydantic import Field

from corpuslab.core.config import StrictModel

DEFAULT_K = 2000


class OverlapTrainConfig(StrictModel):
    """One overlap-tracked fine-tune (:func:`corpuslab.overlap.run.run_overlap_training`)."""

    base_model: str = Field(description="Hub id or local folder of the base causal LM.")
    dataset: str = Field(description="HF dataset id (streamed), or a corpuslab shard folder/file.")
    output_dir: str = Field(description="Run folder for results, plots, run.json and final_model/.")
    dataset_config: str | None = Field(None, description="Dataset config, e.g. 20231101.en.")
    split: str = Field("train", description="Dataset split.")
    text_field: str = Field("text", description="Field holding the text.")
    data_files: list[str] | None = Field(None, description="Data files for builders such as json/parquet.")
    max_steps: int = Field(1000, gt=0, description="Optimizer steps.")
    eval_steps: int = Field(100, gt=0, description="Evaluate the overlap every N steps (and at 0 and the end).")
    num_train_samples: int | None = Field(100_000, gt=0, description="Documents read from the dataset.")
    per_device_train_batch_size: int = Field(4, gt=0, description="Examples per device per micro-batch.")
    gradient_accumulation_steps: int = Field(10, gt=0, description="Micro-batches per optimizer step.")
    learning_rate: float = Field(2e-6, gt=0, description="Peak learning rate (AdamW, linear schedule).")
    warmup_steps: int = Field(200, ge=0, description="Linear warm-up steps.")
    max_grad_norm: float = Field(0.5, description="Gradient clipping norm.")
    max_length: int | None = Field(None, gt=1, description="Tokens per example; default min(model max, 2048).")
    packing: bool = Field(False, description="Pack EOS-joined documents into full windows (off: one truncated "
                                             "example per document, as the reference).")
    bottom_k_vocab: int = Field(DEFAULT_K, gt=0, description="k of the bottom-k sets.")
    num_fingerprints: int = Field(5, gt=0, description="Fingerprint prompts.")
    fingerprint_total_len: int = Field(64, gt=1, description="Prompt length in tokens.")
    fingerprint_prefix_len: int = Field(8, gt=0, description="Random tokens at the start of each prompt.")
    k_bottom_random_prefix: int = Field(50, gt=0, description="Extend each prompt with one of the base model's "
                                                              "N least likely next tokens.")
    positions: int = Field(1, gt=0, description="Average the overlap over the last N positions of each prompt.")
    seed: int = Field(42, description="Fingerprint and training seed.")
    load_fingerprints: str | None = Field(None, description="Reuse the prompts of this fingerprints JSON.")
    save_fingerprints: str | None = Field(None, description="Also write the prompts to this JSON (to share them).")
    device: str | None = Field(None, description="cpu, cuda or mps; default: the best available.")
    bf16: bool | None = Field(None, description="bf16 autocast; default: on GPUs that support it.")
    eval_batch_size: int | None = Field(None, gt=0, description="Prompts per forward pass; default: all.")
    eval_first_step: bool = Field(False, description="Also evaluate at step 1 (the reference's first point).")
    logging_steps: int = Field(10, gt=0, description="Log the training loss every N steps.")
    save_final_model: bool = Field(True, description="Write final_model/ (model + tokenizer).")
    trust_remote_code: bool = Field(False, description="Allow model code from the Hub.")


class OverlapCompareConfig(StrictModel):
    """Several overlap runs side by side (:func:`corpuslab.overlap.compare.compare_runs`)."""

    runs: list[str] = Field(min_length=1, description="Run folders (or their overlap_results.json).")
    labels: list[str] | None = Field(None, description="One label per run; default: the folder names.")
    output_dir: str = Field(".", description="Folder for comparison.png, comparison.json and run.json.")


class OverlapScoreConfig(StrictModel):
    """Overlap of arbitrary models with a base model (:func:`corpuslab.overlap.lineage.score_models`)."""

    base: str = Field(description="Hub id or local folder of the base model.")
    models: list[str] = Field(min_length=1, description="Models to score against the base (hub ids or folders).")
    load_fingerprints: str | None = Field(None, description="Prompts from this fingerprints JSON; default: "
                                                            "generated from the base.")
    num_fingerprints: int = Field(5, gt=0, description="Prompts to generate when none are loaded.")
    bottom_k_vocab: int = Field(DEFAULT_K, gt=0, description="k of the bottom-k sets.")
    positions: int = Field(1, gt=0, description="Average the overlap over the last N positions of each prompt.")
    seed: int = Field(42, description="Fingerprint seed.")
    device: str | None = Field(None, description="cpu, cuda or mps; default: the best available.")
    allow_tokenizer_mismatch: bool = Field(False, description="Score models whose tokenizer differs from the "
                                                              "base's (flagged; their ids are other tokens).")
    trust_remote_code: bool = Field(False, description="Allow model code from the Hub.")
    output: str | None = Field(None, description="Also write the scores to this JSON file (run card beside it).")
