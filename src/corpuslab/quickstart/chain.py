"""The quickstart chain: each step calls the owning stage's library runner with that stage's config.

1. **sample** a weighted mixture of the real example data (:func:`corpuslab.mixture.runner.run_sample`);
2. **clean + dedup** it (:func:`corpuslab.clean.runner.run_clean`, rejected documents kept for the page);
3. **training data**: one seeded shuffle of the cleaned sources (:func:`corpuslab.clean.merge.merge_cleaned`)
   and per-category samples from it (:func:`corpuslab.anatomy.samples.fetch_samples`); the category shares of
   that file are the *true* training mixture;
4. **base model**: the real pretrained 260k-parameter ``stories260K`` (llama2.c), imported as a HF model;
5. **fine-tune with fingerprint tracking** (:func:`corpuslab.overlap.run.run_overlap_training`);
6. **estimate the training mixture** by label shift (:func:`corpuslab.anatomy.labelshift.run_labelshift`) and
   score it against the truth (:func:`corpuslab.anatomy.evaluate.run_evaluate`);
7. **report**: :func:`corpuslab.report.build.run_report` over the whole folder, after the run card is closed.

A step that fails is recorded with its error and the steps that need it are skipped with the reason: the
page says what happened, nothing is faked. ``quickstart.json`` is rewritten after every step, so an
interrupted quickstart still gives a report.
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

from corpuslab.core.atomic import write_json_atomic
from corpuslab.core.errors import ConfigError, CorpuslabError
from corpuslab.core.runcard import run_card
from corpuslab.core.shards import iter_records
from corpuslab.quickstart.config import QuickstartConfig

log = logging.getLogger(__name__)

STATE_FILE = "quickstart.json"
STEPS = ("sample", "clean + dedup", "training data", "base model", "fine-tune + fingerprints",
         "estimate mixture", "report")


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


@dataclass
class Hooks:
    """What a caller wants to see on the way: messages, and the stage-1 config and result (the CLI prints
    the sampling plan before and the summary after, as ``corpuslab sample`` does)."""

    say: Callable[[str], None] = lambda msg: None
    before_sample: Callable[[Any], None] | None = None
    after_sample: Callable[[Any, dict[str, Any]], None] | None = None


def category_shares(path: Path) -> dict[str, float]:
    """Share of each ``metadata.category`` among the records of ``path``, largest first."""
    from corpuslab.anatomy.categories import canonical_category

    counts: dict[str, int] = {}
    for rec in iter_records(path):
        cat = (rec.get("metadata") or {}).get("category")
        if isinstance(cat, str) and cat:
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

    def __init__(self, out: Path, cfg: QuickstartConfig, say: Callable[[str], None]):
        self.out, self.cfg, self.say = out, cfg, say
        self.result = QuickstartResult(out, [StepResult(n) for n in STEPS])

    def save(self, finished: bool = False) -> None:
        write_json_atomic(self.out / STATE_FILE, {
            "workflow": "quickstart", "finished": finished,
            "steps": [asdict(s) for s in self.result.steps], "true_mixture": self.result.truth})

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


class _Steps:
    """The chain's steps as methods; each returns ``(output, note)`` for the steps table."""

    def __init__(self, chain: _Chain, progress: bool, hooks: Hooks):
        self.chain, self.cfg, self.progress, self.hooks = chain, chain.cfg, progress, hooks
        out = chain.out
        self.raw, self.cleaned, self.data = out / "raw", out / "cleaned", out / "train_data"
        self.samples, self.base = out / "category_samples", out / "base_model"
        self.overlap, self.anatomy = out / "overlap", out / "anatomy"
        self.train_file = self.data / "train.jsonl.gz"

    def sample(self) -> tuple[str, str]:
        from corpuslab.mixture.runner import run_sample

        cfg = self.cfg.sample_config(str(self.raw))
        if self.hooks.before_sample:
            self.hooks.before_sample(cfg)
        res = run_sample(cfg, base_dir=self.cfg.base_dir, progress=self.progress)
        if self.hooks.after_sample:
            self.hooks.after_sample(cfg, res)
        short = [s["slug"] for s in res["sources"] if s.get("shortfall")]
        note = f"{res['total_kept']:,} documents from {len(res['sources'])} sources"
        return str(self.raw), note + (f"; short: {', '.join(short)}" if short else "")

    def clean(self) -> tuple[str, str]:
        from corpuslab.clean.runner import run_clean

        res = run_clean(self.cfg.clean_config(str(self.raw), str(self.cleaned)), progress=self.progress)
        return str(self.cleaned), f"{res.stats['output']['docs']:,} of {res.stats['input']['docs']:,} documents kept"

    def training_data(self) -> tuple[str, str]:
        from corpuslab.anatomy.samples import fetch_samples
        from corpuslab.clean.config import MergeConfig
        from corpuslab.clean.merge import merge_cleaned

        merge_cleaned(MergeConfig(cleaned_folder=str(self.cleaned), output=str(self.train_file), seed=self.cfg.train_seed,
                                  format="jsonl"))
        truth = category_shares(self.train_file)
        if not truth:
            raise CorpuslabError(f"{self.train_file}: no documents with a metadata.category (set `category:` per "
                                 "source)")
        self.chain.result.truth = truth
        if self.samples.is_dir():
            shutil.rmtree(self.samples)
        counts = fetch_samples(self.cfg.samples_config(str(self.data), str(self.samples)), progress=False)
        mix = ", ".join(f"{c} {v:.0%}" for c, v in truth.items())
        return str(self.train_file), f"{sum(counts.values()):,} documents; true mixture: {mix}"

    def base_model(self) -> tuple[str, str]:
        bm = self.cfg.base_model
        if bm.hf:
            return bm.hf, "Hugging Face model"
        if not (bm.llama2c_checkpoint and bm.llama2c_tokenizer):
            raise ConfigError("base_model: give hf, or llama2c_checkpoint and llama2c_tokenizer")
        if (self.base / "config.json").exists():
            return str(self.base), "stories260K already imported"
        ckpt, tok = self.cfg.resolve(bm.llama2c_checkpoint), self.cfg.resolve(bm.llama2c_tokenizer)
        for key, f in (("llama2c_checkpoint", ckpt), ("llama2c_tokenizer", tok)):
            if not os.path.isfile(f):
                raise ConfigError(f"base_model.{key}: {f}: no such file")
        from corpuslab.models.llama2c import import_llama2c

        import_llama2c(ckpt, tok, self.base)
        return str(self.base), "real pretrained 260k-parameter Llama (stories260K), imported from llama2.c"

    def fine_tune(self) -> tuple[str, str]:
        from corpuslab.overlap.run import run_overlap_training

        _set_threads(self.cfg.torch_threads)
        model = self.cfg.base_model.hf or str(self.base)
        cfg = self.cfg.train_config(model, str(self.train_file), str(self.overlap))
        res = run_overlap_training(cfg, report=lambda m: self.chain.say(f"  {m}"), progress=self.progress)
        s = res.get("summary", {})
        return str(self.overlap), (f"overlap {s.get('overlap_first', float('nan')):.3f} → "
                                   f"{s.get('overlap_last', float('nan')):.3f} over {cfg.max_steps} steps "
                                   f"(chance {res.get('chance', float('nan')):.3f})")

    def estimate(self) -> tuple[str, str]:
        from corpuslab.anatomy.config import EvaluateConfig
        from corpuslab.anatomy.evaluate import MixtureSpec, run_evaluate
        from corpuslab.anatomy.labelshift import run_labelshift
        from corpuslab.anatomy.samples import load_category_samples
        from corpuslab.models.loading import load_causal_lm

        _set_threads(self.cfg.torch_threads)
        need = self.cfg.min_per_category
        have = load_category_samples(self.samples, max_per_category=self.cfg.samples_per_category, min_per_category=1)
        cats = [c for c, texts in have.items() if len(texts) >= need]
        left_out = sorted(set(have) - set(cats))
        if len(cats) < 2:
            raise CorpuslabError(f"label shift needs ≥ 2 categories with ≥ {need} cleaned documents; have "
                                 f"{', '.join(f'{c}={len(t)}' for c, t in have.items())}")
        model_obj = load_causal_lm(str(self.overlap / "final_model"), device="cpu")
        stale = self.anatomy / "generations.jsonl"  # cached texts of an earlier model: the model was just retrained
        if stale.exists():
            stale.unlink()
        summary = run_labelshift(self.cfg.labelshift_config(str(self.samples), str(self.anatomy), cats),
                                 progress=self.progress, model_obj=model_obj)
        truth = MixtureSpec(name="quickstart training data", weights=self.chain.result.truth,
                            source=str(self.train_file))
        scores = run_evaluate(EvaluateConfig(results_dir=str(self.anatomy), ground_truth=str(self.train_file),
                                             output_dir=str(self.anatomy / "evaluation")), truth=truth)
        accs = ", ".join(f"{s.method} {s.accuracy:.3f}" for s in scores)
        note = (f"accuracy vs the true mixture: {accs}; classifier held-out accuracy "
                f"{summary['classifier']['heldout_accuracy']:.2f}")
        if left_out:
            note += f"; too few documents to estimate: {', '.join(left_out)}"
        return str(self.anatomy), note

    def report(self) -> tuple[str, str]:
        from corpuslab.report.build import run_report
        from corpuslab.report.config import ReportConfig

        out = self.chain.out
        rep = run_report(ReportConfig(run_dirs=[str(out)], output=str(out / "report.html"),
                                      title="corpuslab quickstart"))
        self.chain.result.report = rep.path
        return str(rep.path), f"{len(rep.sections)} sections"


def run_quickstart(cfg: QuickstartConfig, progress: bool = True, hooks: Hooks | None = None) -> QuickstartResult:
    """Run the chain into ``cfg.output_dir`` and write ``report.html`` there; see the module docstring."""
    hooks = hooks or Hooks()
    out = Path(cfg.output_dir)
    if cfg.fresh and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    chain = _Chain(out, cfg, hooks.say)
    steps = _Steps(chain, progress, hooks)
    chain.save()
    inputs = {"datasets": [d.get("name") for d in cfg.mixture.get("datasets", []) if isinstance(d, dict)],
              "base_model": cfg.base_model.hf or cfg.base_model.llama2c_checkpoint}
    with run_card(out, "quickstart", cfg, inputs=inputs) as card:
        chain.run("sample", steps.sample)
        chain.run("clean + dedup", steps.clean, needs=("sample",))
        chain.run("training data", steps.training_data, needs=("clean + dedup",))
        chain.run("base model", steps.base_model)
        chain.run("fine-tune + fingerprints", steps.fine_tune, needs=("training data", "base model"))
        chain.run("estimate mixture", steps.estimate, needs=("fine-tune + fingerprints",))
        card.counts.update({s.name: s.status for s in chain.result.steps if s.name != "report"})
        card.counts["true_mixture"] = chain.result.truth
        card.outputs.update(state=STATE_FILE, report="report.html")
    # the page is drawn after the card is closed, so it shows the chain as finished, not as running
    chain.result.step("report").status = "done"
    chain.save(finished=True)
    chain.run("report", steps.report)
    if chain.result.report is None:  # the page itself failed: say so loudly, the steps are in quickstart.json
        raise CorpuslabError(f"quickstart: the report could not be written: {chain.result.step('report').error}")
    chain.save(finished=True)
    return chain.result
