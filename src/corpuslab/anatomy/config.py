"""Settings of the anatomy runners: one model per runner, keys = the runner's argument names = the flags.

``fetch_samples(FetchSamplesConfig)``, ``run_labelshift(LabelShiftConfig)``, ``run_minkpp(MinKppConfig)``,
``run_evaluate(EvaluateConfig)`` and ``run_synth(SynthConfig)``; ``run_synth`` builds the other configs
for its sub-runs. The generation settings (``num_prompts`` … ``gen_batch_size``) are a model of their own,
:class:`GenerationConfig`, that :class:`LabelShiftConfig` extends, so ``generate_texts`` takes them as
one object while the YAML keys stay flat (``temperature: 0.8``, as the flag ``--temperature``).

Light on purpose: the CLI imports this module at start-up (stdlib, pydantic and ``corpuslab.core.config``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from corpuslab.core.config import StrictModel, split_commas

#: synth's mixture when none is given: code-heavy, with a small web share (a hard case for both estimators)
DEFAULT_SYNTH_MIXTURE = {"github": 0.40, "wikipedia": 0.25, "stackexchange": 0.17, "books": 0.12, "web": 0.06}


def categories_list(value: Any) -> Any:
    """Categories as a list (``--categories a,b``, the flag repeated, or YAML); none given → None (all)."""
    return split_commas(value) or None


def parse_mixture(value: Any) -> Any:
    """``"github=.4,wikipedia=.25"`` → ``{"github": 0.4, "wikipedia": 0.25}``; a mapping passes through."""
    if not isinstance(value, str):
        return value
    try:
        return {k.strip(): float(v) for k, v in (part.split("=") for part in value.split(",") if part.strip())}
    except ValueError as e:
        raise ValueError(f"expected cat=weight,... (got {value!r})") from e


class FetchSamplesConfig(StrictModel):
    """``anatomy fetch-samples``: a seeded uniform sample of ``n`` documents per category."""

    root: str = Field(description="SlimPajama-style root (*.jsonl.zst) or a corpuslab shard folder.")
    output_dir: str = Field("data_samples", description="Writes <category>.jsonl and samples.json here.")
    n: int = Field(1000, gt=0, description="Documents per category.")
    seed: int = Field(0, description="Sampling seed.")
    merge_web: bool = Field(False, description="Merge commoncrawl + c4 into 'web' (6 classes).")
    categories: list[str] | None = Field(None, description="Categories to keep, comma-separated or repeated "
                                                           "(default: all).")
    category_field: str | None = Field(None, description="Dotted field holding the category (default: "
                                                          "meta.redpajama_set_name, metadata.category, category).")

    _split_categories = field_validator("categories", mode="before")(categories_list)


class GenerationConfig(StrictModel):
    """How target texts are sampled from the model (defaults: Yaxin9Luo/data_anatomy ``run_labelshift.py``)."""

    num_prompts: int = Field(300, gt=0, description="Texts to generate (the prompts are cycled).")
    prompts: list[str] | None = Field(None, description="Prompts to cycle through (default: neutral prompts "
                                                        "such as '', 'Abstract:', 'def').")
    max_new_tokens: int = Field(512, gt=0, description="Tokens generated per text.")
    temperature: float = Field(0.8, gt=0, description="Sampling temperature.")
    top_p: float = Field(0.9, gt=0, le=1, description="Nucleus sampling threshold (1 = off).")
    top_k: int = Field(0, ge=0, description="0 = off (HF's default 50 cuts the first-token tail).")
    gen_batch_size: int = Field(16, gt=0, description="Texts generated per batch.")
    seed: int = Field(0, description="Generation batch b samples with seed + b (a resumed run reproduces it).")


class LabelShiftConfig(GenerationConfig):
    """``anatomy labelshift``: domain classifier → posteriors on the model's generations → BBSE + EM priors."""

    samples: str = Field("data_samples", description="Folder of <category>.jsonl files.")
    output_dir: str = Field(description="Writes summary.json, summary.csv, the plots and generations.jsonl here.")
    model: str | None = Field(None, description="Target causal LM (local folder or hub id).")
    categories: list[str] | None = Field(None, description="Categories, comma-separated or repeated (default: "
                                                           "every file in samples).")
    classifier: Literal["tfidf", "encoder"] = Field("tfidf", description="Domain classifier.")
    encoder_model: str | None = Field(None, description="Encoder to fine-tune for classifier encoder.")
    holdout: float = Field(0.2, gt=0, lt=1, description="Held-out share for calibration and the confusion matrix.")
    max_per_category: int | None = Field(5000, gt=0, description="Documents read per category.")
    use_cached_generations: str | None = Field(None, description="JSONL of {\"text\": ...}; skips generation.")
    bbse_mode: Literal["soft", "hard"] = Field("soft", description="soft (probabilities) or hard (argmax counts).")
    n_bootstrap: int = Field(200, ge=0, description="Bootstrap resamples for the CIs (0 = none).")
    seed: int = Field(0, description="Seed of the held-out split, the classifier, the bootstrap and generation.")
    device: str | None = Field(None, description="cpu, cuda, mps (default: the best available).")

    _split_categories = field_validator("categories", mode="before")(categories_list)


class MinKppConfig(StrictModel):
    """``anatomy minkpp``: per-category Min-K%++ membership rates → global mixture over the sampled pool."""

    samples: str = Field("data_samples", description="Folder of <category>.jsonl files.")
    output_dir: str = Field(description="Writes summary.json, per_category.csv, global_mixture.csv, "
                                        "scores.jsonl here.")
    model: str | None = Field(None, description="Causal LM to score with (local folder or hub id).")
    categories: list[str] | None = Field(None, description="Categories, comma-separated or repeated (default: "
                                                           "every file in samples).")
    max_per_category: int | None = Field(1000, gt=0, description="Documents scored per category.")
    max_tokens: int = Field(128, gt=0, description="Score the first N tokens of each document.")
    ratio: float = Field(0.1, gt=0, le=1, description="Fraction k of lowest-scoring tokens averaged (Min-K%).")
    batch_size: int = Field(16, gt=0, description="Documents per forward pass.")
    device: str | None = Field(None, description="cpu, cuda, mps (default: the best available).")
    half: bool = Field(False, description="Half precision (fp16/bf16 on GPU, bf16 on CPU).")
    int8: bool = Field(False, description="8-bit weights via bitsandbytes (CUDA only).")
    seed: int = Field(0, description="Seed of the per-category Gaussian mixtures.")

    _split_categories = field_validator("categories", mode="before")(categories_list)


class EvaluateConfig(StrictModel):
    """``anatomy evaluate``: overlap accuracy of each estimate against a ground-truth spec."""

    results_dir: str | None = Field(None, description="One estimator output folder.")
    compare: list[str] = Field(default_factory=list, description="Estimator output folders (repeat the flag).")
    runs: list[str] = Field(default_factory=list, description="More estimator output folders.")
    ground_truth: str = Field(description="Spec YAML or built-in name (olmo1b, pythia, starcoder, llama1, amber).")
    tol: float = Field(0.02, ge=0, description="Tolerance for within-tolerance accuracy.")
    method: Literal["all", "bbse", "em", "minkpp", "mixture"] = Field("all", description="Estimate(s) to score.")
    uniform: bool = Field(True, description="Add the uniform-guess baseline row.")
    output_dir: str | None = Field(None, description="Write evaluation.json/csv, report.md, mixtures.png here.")

    def run_folders(self) -> list[str]:
        """Every folder to score: ``results_dir``, then ``compare``, then ``runs``."""
        return ([self.results_dir] if self.results_dir else []) + list(self.compare) + list(self.runs)


class SynthConfig(StrictModel):
    """``anatomy synth``: train a small LM on a known mixture of real categories and score both estimators."""

    output_dir: str = Field(description="Writes model/, data_samples/, labelshift/, minkpp/, evaluation/, "
                                        "synth.json, truth.yaml here.")
    mixture: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_SYNTH_MIXTURE), min_length=2,
        description="Category → weight over wikipedia, books, stackexchange, web, github; a mapping, or "
                    "'cat=weight,...' (default github=.40,wikipedia=.25,stackexchange=.17,books=.12,web=.06).")
    shared_dir: str | None = Field(None, description="Real data folder (default ../shared/data).")
    seq_len: int = Field(64, gt=0, description="Tokens per piece (one piece = one training sequence).")
    distinct_sequences: int = Field(3600, gt=0, description="Distinct training pieces in total.")
    heldout_per_category: int = Field(200, gt=1, description="Pieces per category never trained on (the samples).")
    vocab_size: int = Field(1024, gt=0, description="BPE vocabulary trained on the categories.")
    hidden: int = Field(64, gt=0, description="Model width.")
    layers: int = Field(2, gt=0, description="Transformer layers.")
    heads: int = Field(4, gt=0, description="Attention heads.")
    epochs: int = Field(8, gt=0, description="Times every member piece is seen.")
    batch_size: int = Field(32, gt=0, description="Training batch size.")
    lr: float = Field(1e-2, gt=0, description="Peak learning rate (cosine schedule).")
    num_generations: int = Field(400, gt=0, description="Texts generated for label shift.")
    gen_batch_size: int = Field(50, gt=0, description="Texts generated per batch.")
    gen_temperature: float = Field(1.0, gt=0, description="Generation temperature (1 = plain sampling).")
    gen_top_p: float = Field(1.0, gt=0, le=1, description="Generation top-p (1 = off).")
    minkpp_pool_size: int = Field(100, gt=0, description="Documents per category scored by Min-K%++.")
    score_batch_size: int = Field(32, gt=0, description="Documents per Min-K%++ forward pass.")
    n_bootstrap: int = Field(200, ge=0, description="Bootstrap resamples for the label-shift CIs.")
    seed: int = Field(0, description="Seed of the corpus split, the model, generation and the estimators.")
    max_docs_per_category: int = Field(3000, gt=0, description="Documents read per category.")

    @field_validator("mixture", mode="before")
    @classmethod
    def _mixture_from_text(cls, value: Any) -> Any:
        return dict(DEFAULT_SYNTH_MIXTURE) if value is None else parse_mixture(value)
