"""The whole chain on the example data, then one page: ``corpuslab quickstart``.

Story, each step calling the owning workflow's public library function (never its CLI):

1. **sample** a weighted mixture of the real example data (:func:`corpuslab.mixture.runner.run_sample`);
2. **clean + dedup** it (:func:`corpuslab.clean.runner.run_clean`, rejected documents kept for the page);
3. **training data**: merge the cleaned sources into one seeded shuffle (:func:`corpuslab.clean.merge.merge_cleaned`)
   and draw per-category samples from it (:func:`corpuslab.anatomy.samples.fetch_samples`); the category
   shares of that file are the *true* training mixture;
4. **base model**: import the real pretrained 260k-parameter ``stories260K`` (llama2.c) as a HF model;
5. **fine-tune with fingerprint tracking** (:func:`corpuslab.overlap.run.run_overlap_training`);
6. **estimate the training mixture** of the fine-tuned model by label shift
   (:func:`corpuslab.anatomy.labelshift.run_labelshift`) and score it against the truth
   (:mod:`corpuslab.anatomy.evaluate`);
7. **report**: :func:`corpuslab.report.build_report` over the whole folder.

A step that fails is recorded with its error and the steps that need it are skipped with the reason: the
page says what happened, nothing is faked. Progress is written to ``quickstart.json`` after every step, so
an interrupted quickstart still gives a report.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field

from corpuslab.core.atomic import write_json_atomic
from corpuslab.core.config import StrictModel, read_yaml, validate
from corpuslab.core.errors import ConfigError, CorpuslabError
from corpuslab.core.runinfo import run_info
from corpuslab.core.shards import iter_records

log = logging.getLogger(__name__)

DEFAULT_CONFIG = "examples/quickstart/quickstart.yaml"
STATE_FILE = "quickstart.json"


class BaseModelSettings(StrictModel):
    """A llama2.c checkpoint + ``tokenizer.bin`` to import, or a HF model folder / hub id (``hf``)."""

    llama2c_checkpoint: str | None = "../shared/data/models/stories260K/checkpoint_legacy.bin"
    llama2c_tokenizer: str | None = "../shared/data/models/stories260K/tokenizer.bin"
    hf: str | None = None


class TrainSettings(StrictModel):
    """Fine-tuning and fingerprint settings (names as in ``corpuslab overlap train``)."""

    max_steps: int = Field(40, gt=0)
    eval_steps: int = Field(10, gt=0)
    per_device_train_batch_size: int = Field(8, gt=0)
    max_length: int = Field(128, gt=1)
    learning_rate: float = Field(2e-3, gt=0)
    warmup_steps: int = Field(0, ge=0)
    bottom_k_vocab: int = Field(64, gt=0)
    num_fingerprints: int = Field(5, gt=0)
    fingerprint_total_len: int = Field(32, gt=1)
    seed: int = 42


class AnatomySettings(StrictModel):
    """Label-shift settings (names as in ``corpuslab anatomy labelshift``)."""

    num_prompts: int = Field(64, gt=0)
    max_new_tokens: int = Field(48, gt=0)
    holdout: float = Field(0.3, gt=0, lt=1)
    n_bootstrap: int = Field(50, ge=0)
    max_per_category: int = Field(200, gt=1)
    min_per_category: int = Field(4, ge=2)
    temperature: float = Field(0.8, gt=0)
    seed: int = 0


class QuickstartSettings(StrictModel):
    #: A stage-1 mixture config with its stage-2 ``cleaning``/``filtering``/``dedup`` blocks.
    mixture: dict[str, Any]
    #: Folder that relative paths in this file are resolved against (relative to the file itself).
    paths_relative_to: str = "."
    base_model: BaseModelSettings = Field(default_factory=BaseModelSettings)
    train: TrainSettings = Field(default_factory=TrainSettings)
    anatomy: AnatomySettings = Field(default_factory=AnatomySettings)
    #: torch CPU threads for training and generation. One by default: the models are tiny, and on a
    #: busy machine OpenMP threads spin-wait on each other (measured: 2 threads 10× slower than 1 under load).
    torch_threads: int | None = Field(1, gt=0)
    #: Set by :meth:`load`: the folder relative paths resolve against.
    base_dir: str = "."

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, target_samples: int | None = None,
             train_steps: int | None = None) -> QuickstartSettings:
        """Read the YAML (default: the repository's ``examples/quickstart/quickstart.yaml``), apply overrides."""
        p = Path(path or DEFAULT_CONFIG)
        if not p.exists():
            hint = " (run from the repository root, or give --config)" if path is None else ""
            raise ConfigError(f"{p}: quickstart config not found{hint}")
        data = read_yaml(p)
        s = validate(cls, data, str(p))
        s.base_dir = str((p.resolve().parent / s.paths_relative_to).resolve())
        if target_samples is not None:
            if target_samples <= 0:
                raise ConfigError(f"--target-samples must be > 0, got {target_samples}")
            s.mixture = {**s.mixture, "target_samples": target_samples}
        if train_steps is not None:
            if train_steps <= 0:
                raise ConfigError(f"--train-steps must be > 0, got {train_steps}")
            s.train.max_steps = train_steps
            s.train.eval_steps = min(s.train.eval_steps, max(1, train_steps // 4))
        from corpuslab.mixture.config import MixtureConfig

        validate(MixtureConfig, s.mixture, f"{p}: mixture")  # fail now, not after minutes
        return s

    def resolve(self, rel: str) -> str:
        """A path from the config: as given when it exists (or is absolute), else relative to ``base_dir``."""
        if os.path.isabs(rel) or os.path.exists(rel):
            return rel
        return os.path.join(self.base_dir, rel)


@dataclass
class StepResult:
    name: str
    status: str = "pending"  # done | failed | skipped
    seconds: float = 0.0
    output: str = ""
    note: str = ""
    error: str = ""


@dataclass
class QuickstartResult:
    output_dir: Path
    steps: list[StepResult]
    report: Path | None = None
    truth: dict[str, float] = field(default_factory=dict)

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.name == name)


STEPS = ("sample", "clean + dedup", "training data", "base model", "fine-tune + fingerprints",
         "estimate mixture", "report")


def _category_shares(path: Path) -> dict[str, float]:
    counts: dict[str, int] = {}
    for rec in iter_records(path):
        md = rec.get("metadata") or {}
        cat = md.get("category")
        if isinstance(cat, str) and cat:
            from corpuslab.anatomy.categories import canonical_category

            c = canonical_category(cat)
            counts[c] = counts.get(c, 0) + 1
    total = sum(counts.values())
    return {c: n / total for c, n in sorted(counts.items(), key=lambda kv: -kv[1])} if total else {}


def _set_threads(n: int | None) -> None:
    if n:
        import torch

        torch.set_num_threads(n)


class _Chain:
    """Runs the steps in order, timing each and recording failures; writes ``quickstart.json`` as it goes."""

    def __init__(self, out: Path, settings: QuickstartSettings, say: Callable[[str], None]):
        self.out, self.settings, self.say = out, settings, say
        self.result = QuickstartResult(out, [StepResult(n) for n in STEPS])

    def save(self, finished: bool = False) -> None:
        write_json_atomic(self.out / STATE_FILE, {
            "workflow": "quickstart", "finished": finished,
            "steps": [asdict(s) for s in self.result.steps], "true_mixture": self.result.truth,
            "settings": self.settings.model_dump(), "run": run_info()})

    def run(self, name: str, fn: Callable[[], tuple[str, str]], needs: tuple[str, ...] = ()) -> bool:
        step = self.result.step(name)
        blocked = [n for n in needs if self.result.step(n).status != "done"]
        if blocked:
            step.status, step.note = "skipped", f"needs {', '.join(blocked)}, which did not complete"
            self.say(f"[yellow]{name}: skipped ({step.note})")
            self.save()
            return False
        self.say(f"[b]{name}[/b] …")
        t0 = time.perf_counter()
        try:
            step.output, step.note = fn()
            step.status = "done"
        except (CorpuslabError, ImportError, OSError, ValueError, RuntimeError) as e:
            step.status, step.error = "failed", f"{type(e).__name__}: {e}"
            step.note = step.error
            log.debug("quickstart step %s failed:\n%s", name, traceback.format_exc())
            self.say(f"[red]{name}: failed: {step.error}")
        step.seconds = round(time.perf_counter() - t0, 2)
        if step.status == "done":
            self.say(f"[green]{name}: done in {step.seconds:.1f} s[/green]" + (f" — {step.note}" if step.note else ""))
        self.save()
        return step.status == "done"


def run_quickstart(
    output_dir: str | os.PathLike[str] = "runs/quickstart",
    settings: QuickstartSettings | None = None,
    fresh: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    before_sample: Callable[[Any], None] | None = None,
    after_sample: Callable[[Any, dict[str, Any]], None] | None = None,
) -> QuickstartResult:
    """Run the chain into ``output_dir`` and write ``output_dir/report.html``; see the module docstring.

    ``before_sample(cfg)`` / ``after_sample(cfg, result)`` see the stage-1 config and result, so a caller
    can show the sampling plan and summary as ``corpuslab sample`` does.
    """
    settings = settings or QuickstartSettings.load()
    say = log or (lambda msg: None)
    out = Path(output_dir)
    if fresh and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    chain = _Chain(out, settings, say)
    raw, cleaned, data = out / "raw", out / "cleaned", out / "train_data"
    samples, base, overlap, anatomy = out / "category_samples", out / "base_model", out / "overlap", out / "anatomy"
    train_file = data / "train.jsonl.gz"
    chain.save()

    def sample() -> tuple[str, str]:
        from corpuslab.mixture.config import MixtureConfig
        from corpuslab.mixture.runner import run_sample

        cfg = MixtureConfig.model_validate(settings.mixture)
        if before_sample:
            before_sample(cfg)
        res = run_sample(cfg.model_copy(update={"raw_folder": str(raw)}), base_dir=settings.base_dir, progress=progress)
        if after_sample:
            after_sample(cfg, res)
        short = [s["slug"] for s in res["sources"] if s.get("shortfall")]
        note = f"{res['total_kept']:,} documents from {len(res['sources'])} sources"
        return str(raw), note + (f"; short: {', '.join(short)}" if short else "")

    def clean() -> tuple[str, str]:
        from corpuslab.clean.runner import run_clean

        blocks = {k: v for k, v in settings.mixture.items() if k in ("cleaning", "filtering", "dedup")}
        res = run_clean(blocks, raw, cleaned, keep_rejected=True, progress=progress)
        return str(cleaned), f"{res.stats['output']['docs']:,} of {res.stats['input']['docs']:,} documents kept"

    def training_data() -> tuple[str, str]:
        from corpuslab.anatomy.samples import fetch_samples
        from corpuslab.clean.merge import merge_cleaned

        merge_cleaned(cleaned, train_file, seed=settings.train.seed, fmt="jsonl")
        chain.result.truth = _category_shares(train_file)
        if not chain.result.truth:
            raise CorpuslabError(f"{train_file}: no documents with a metadata.category (set `category:` per source)")
        if os.path.isdir(samples):
            shutil.rmtree(samples)
        counts = fetch_samples(data, samples, n=settings.anatomy.max_per_category, seed=settings.anatomy.seed,
                               category_field="metadata.category", progress=False)
        mix = ", ".join(f"{c} {v:.0%}" for c, v in chain.result.truth.items())
        return str(train_file), f"{sum(counts.values()):,} documents; true mixture: {mix}"

    def base_model() -> tuple[str, str]:
        bm = settings.base_model
        if bm.hf:
            return bm.hf, "Hugging Face model"
        if not (bm.llama2c_checkpoint and bm.llama2c_tokenizer):
            raise ConfigError("base_model: give hf, or llama2c_checkpoint and llama2c_tokenizer")
        if (base / "config.json").exists():
            return str(base), "stories260K already imported"
        ckpt, tok = settings.resolve(bm.llama2c_checkpoint), settings.resolve(bm.llama2c_tokenizer)
        for key, f in (("llama2c_checkpoint", ckpt), ("llama2c_tokenizer", tok)):
            if not os.path.isfile(f):
                raise ConfigError(f"base_model.{key}: {f}: no such file")
        from corpuslab.models.llama2c import import_llama2c

        import_llama2c(ckpt, tok, base)
        return str(base), "real pretrained 260k-parameter Llama (stories260K), imported from llama2.c"

    def fine_tune() -> tuple[str, str]:
        from corpuslab.overlap.run import OverlapTrainConfig, run_overlap_training

        _set_threads(settings.torch_threads)
        t = settings.train
        model = settings.base_model.hf or str(base)
        cfg = OverlapTrainConfig(
            base_model=model, dataset=str(train_file), output_dir=str(overlap), max_steps=t.max_steps,
            eval_steps=t.eval_steps, num_train_samples=None, per_device_train_batch_size=t.per_device_train_batch_size,
            gradient_accumulation_steps=1, learning_rate=t.learning_rate, warmup_steps=t.warmup_steps,
            max_length=t.max_length, bottom_k_vocab=t.bottom_k_vocab, num_fingerprints=t.num_fingerprints,
            fingerprint_total_len=t.fingerprint_total_len, seed=t.seed, device="cpu",
            logging_steps=max(1, t.max_steps // 4), save_final_model=True)
        res = run_overlap_training(cfg, report=lambda m: say(f"  {m}"), progress=progress)
        s = res.get("summary", {})
        return str(overlap), (f"overlap {s.get('overlap_first', float('nan')):.3f} → "
                              f"{s.get('overlap_last', float('nan')):.3f} over {t.max_steps} steps "
                              f"(chance {res.get('chance', float('nan')):.3f})")

    def estimate() -> tuple[str, str]:
        from corpuslab.anatomy.evaluate import MixtureSpec, evaluate_runs, write_report
        from corpuslab.anatomy.labelshift import run_labelshift
        from corpuslab.anatomy.samples import load_category_samples
        from corpuslab.models.loading import load_causal_lm

        a = settings.anatomy
        _set_threads(settings.torch_threads)
        have = load_category_samples(samples, max_per_category=a.max_per_category, min_per_category=1)
        cats = [c for c, texts in have.items() if len(texts) >= a.min_per_category]
        left_out = sorted(set(have) - set(cats))
        if len(cats) < 2:
            raise CorpuslabError(f"label shift needs ≥ 2 categories with ≥ {a.min_per_category} cleaned documents; "
                                 f"have {', '.join(f'{c}={len(t)}' for c, t in have.items())}")
        model_obj = load_causal_lm(str(overlap / "final_model"), device="cpu")
        stale = anatomy / "generations.jsonl"  # cached texts of an earlier model: the model was just retrained
        if stale.exists():
            stale.unlink()
        summary = run_labelshift(str(samples), str(anatomy), categories=cats, holdout=a.holdout,
                                 max_per_category=a.max_per_category, num_prompts=a.num_prompts,
                                 max_new_tokens=a.max_new_tokens, temperature=a.temperature,
                                 n_bootstrap=a.n_bootstrap, seed=a.seed, device="cpu", progress=progress,
                                 model_obj=model_obj)
        spec = MixtureSpec(name="quickstart training data", weights=chain.result.truth,
                           source=str(train_file))
        scores = evaluate_runs([str(anatomy)], spec)
        write_report(scores, spec, anatomy / "evaluation")
        accs = ", ".join(f"{s.method} {s.accuracy:.3f}" for s in scores)
        note = f"accuracy vs the true mixture: {accs}; classifier held-out accuracy " \
               f"{summary['classifier']['heldout_accuracy']:.2f}"
        if left_out:
            note += f"; too few documents to estimate: {', '.join(left_out)}"
        return str(anatomy), note

    chain.run("sample", sample)
    chain.run("clean + dedup", clean, needs=("sample",))
    chain.run("training data", training_data, needs=("clean + dedup",))
    chain.run("base model", base_model)
    chain.run("fine-tune + fingerprints", fine_tune, needs=("training data", "base model"))
    chain.run("estimate mixture", estimate, needs=("fine-tune + fingerprints",))

    def report() -> tuple[str, str]:
        from corpuslab.report.build import build_report

        chain.result.step("report").status = "done"  # the page shows this step as done
        chain.save(finished=True)
        rep = build_report([out], out / "report.html", title="corpuslab quickstart")
        chain.result.report = rep.path
        return str(rep.path), f"{len(rep.sections)} sections"

    chain.run("report", report)
    if chain.result.report is None:  # the page itself failed: say so loudly, the steps are in quickstart.json
        raise CorpuslabError(f"quickstart: the report could not be written: {chain.result.step('report').error}")
    chain.save(finished=True)
    return chain.result
