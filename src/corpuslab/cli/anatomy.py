"""``corpuslab anatomy``: estimate a model's training-data mixture and score it against ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def _cats(value: str | None) -> list[str] | None:
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


def _prior_table(summary: dict[str, Any]) -> Table:
    t = Table(title="Estimated mixture (label shift, 95% bootstrap CI)")
    for col in ("category", "BBSE", "BBSE CI", "EM", "EM CI", "p̄", "train prior"):
        t.add_column(col, justify="left" if col == "category" else "right")
    b, e = summary["priors"]["bbse"], summary["priors"]["em"]
    for c in summary["classes"]:
        t.add_row(c, f"{b['point'][c]:.4f}", f"[{b['ci_low'][c]:.3f}, {b['ci_high'][c]:.3f}]",
                  f"{e['point'][c]:.4f}", f"[{e['ci_low'][c]:.3f}, {e['ci_high'][c]:.3f}]",
                  f"{summary['pbar'][c]:.4f}", f"{summary['train_priors'][c]:.4f}")
    return t


def _score_table(scores: list[Any]) -> Table:
    t = Table(title="Mixture estimate vs ground truth")
    for col in ("run", "method", "accuracy", f"tol-acc (±{scores[0].tol:g})" if scores else "tol-acc", "L1", "KL(g‖e)"):
        t.add_column(col, justify="left" if col in ("run", "method") else "right")
    for s in scores:
        t.add_row(s.run, s.method, f"{s.accuracy:.4f}", f"{s.tol_accuracy:.3f}", f"{s.l1:.4f}", f"{s.kl:.4f}")
    return t


def register(app: typer.Typer) -> None:
    an = typer.Typer(help="Data anatomy: estimate a model's training-data mixture (label shift, Min-K%++) "
                          "and score it against ground-truth specs.", no_args_is_help=True)
    app.add_typer(an, name="anatomy")

    @an.command("fetch-samples")
    def fetch_samples_cmd(
        root: str = typer.Option(..., "--root", help="SlimPajama-style root (*.jsonl.zst) or a corpuslab shard folder."),
        output_dir: str = typer.Option("data_samples", "--output-dir", "-o", help="Writes <category>.jsonl here."),
        n: int = typer.Option(1000, "--n", "-n", help="Documents per category."),
        seed: int = typer.Option(0, "--seed"),
        merge_web: bool = typer.Option(False, "--merge-web", help="Merge commoncrawl + c4 into 'web' (6 classes)."),
        categories: str = typer.Option(None, "--categories", help="Comma-separated categories to keep (default: all)."),
        category_field: str = typer.Option(None, "--category-field",
                                           help="Dotted field holding the category (default: meta.redpajama_set_name, "
                                                "metadata.category, category)."),
        no_progress: bool = typer.Option(False, "--no-progress"),
    ) -> None:
        """Seeded uniform sample of N documents per category (stage 1's bottom-k sampler, one pass)."""
        from corpuslab.anatomy.samples import fetch_samples

        counts = fetch_samples(root, output_dir, n=n, seed=seed, merge_web=merge_web, categories=_cats(categories),
                               category_field=category_field, progress=not no_progress)
        t = Table(title=f"Category samples in {output_dir}")
        t.add_column("category")
        t.add_column("documents", justify="right")
        for c, k in counts.items():
            t.add_row(c, f"{k:,}" + (" [yellow](fewer than requested)" if k < n else ""))
        console.print(t)

    @an.command("labelshift")
    def labelshift_cmd(
        samples: str = typer.Option("data_samples", "--samples", "-s", help="Folder of <category>.jsonl files."),
        output_dir: str = typer.Option(..., "--output-dir", "-o"),
        model: str = typer.Option(None, "--model", "-m", help="Target causal LM (local folder or hub id)."),
        categories: str = typer.Option(None, "--categories", help="Comma-separated (default: every file in --samples)."),
        classifier: str = typer.Option("tfidf", "--classifier", help="tfidf (default) or encoder."),
        encoder_model: str = typer.Option(None, "--encoder-model", help="Encoder to fine-tune for --classifier encoder."),
        max_per_category: int = typer.Option(5000, "--max-per-category"),
        holdout: float = typer.Option(0.2, "--holdout", help="Held-out share for calibration and the confusion matrix."),
        num_prompts: int = typer.Option(300, "--num-prompts"),
        max_new_tokens: int = typer.Option(512, "--max-new-tokens"),
        temperature: float = typer.Option(0.8, "--temperature"),
        top_p: float = typer.Option(0.9, "--top-p"),
        top_k: int = typer.Option(0, "--top-k", help="0 = off (HF's default 50 cuts the first-token tail)."),
        gen_batch_size: int = typer.Option(16, "--gen-batch-size"),
        prompts_file: str = typer.Option(None, "--prompts-file", help="One prompt per line (default: neutral prompts)."),
        use_cached_generations: str = typer.Option(None, "--use-cached-generations",
                                                   help="JSONL of {\"text\": ...}; skips generation."),
        bbse_mode: str = typer.Option("soft", "--bbse-mode", help="soft (probabilities) or hard (argmax counts)."),
        bootstrap: int = typer.Option(200, "--bootstrap", help="Bootstrap resamples for the CIs (0 = none)."),
        seed: int = typer.Option(0, "--seed"),
        device: str = typer.Option(None, "--device"),
        no_progress: bool = typer.Option(False, "--no-progress"),
    ) -> None:
        """Label-shift estimate: domain classifier → posteriors on generations → BBSE + EM priors."""
        from corpuslab.anatomy.labelshift import run_labelshift

        prompts = None
        if prompts_file:
            prompts = [ln.rstrip("\n").replace("\\n", "\n") for ln in Path(prompts_file).read_text("utf-8").splitlines()]
        s = run_labelshift(samples, output_dir, model=model, categories=_cats(categories), classifier=classifier,
                           encoder_model=encoder_model, holdout=holdout, max_per_category=max_per_category,
                           num_prompts=num_prompts, max_new_tokens=max_new_tokens, temperature=temperature,
                           top_p=top_p, top_k=top_k, gen_batch_size=gen_batch_size, prompts=prompts,
                           use_cached_generations=use_cached_generations, bbse_mode=bbse_mode,
                           n_bootstrap=bootstrap, seed=seed, device=device, progress=not no_progress)
        for w in s["warnings"]:
            console.print(f"[yellow]warning:[/yellow] {w}")
        console.print(_prior_table(s))
        console.print(f"classifier held-out accuracy {s['classifier']['heldout_accuracy']:.4f} "
                      f"(temperature {s['classifier']['temperature']:.3f}); {s['generations']['n']} target texts")
        console.print(f"wrote [b]{output_dir}[/b]/summary.json, summary.csv, confusion_matrix.png, priors.png, "
                      "pbar_vs_ctpi.png")

    @an.command("minkpp")
    def minkpp_cmd(
        samples: str = typer.Option("data_samples", "--samples", "-s"),
        output_dir: str = typer.Option(..., "--output-dir", "-o"),
        model: str = typer.Option(..., "--model", "-m"),
        categories: str = typer.Option(None, "--categories"),
        max_per_category: int = typer.Option(1000, "--max-per-category"),
        max_tokens: int = typer.Option(128, "--max-tokens", help="Score the first N tokens of each document."),
        ratio: float = typer.Option(0.1, "--k", help="Fraction of lowest-scoring tokens averaged (Min-K%)."),
        batch_size: int = typer.Option(16, "--batch-size"),
        half: bool = typer.Option(False, "--half", help="Half precision (fp16/bf16 on GPU, bf16 on CPU)."),
        int8: bool = typer.Option(False, "--int8", help="8-bit weights via bitsandbytes (CUDA only)."),
        device: str = typer.Option(None, "--device"),
        seed: int = typer.Option(0, "--seed"),
        no_progress: bool = typer.Option(False, "--no-progress"),
    ) -> None:
        """Min-K%++ membership: per-category GMM membership rate → global mixture over the sampled pool."""
        from corpuslab.anatomy.minkpp import run_minkpp

        if not 0 < ratio <= 1:
            raise typer.BadParameter("--k must be in (0, 1]")
        r = run_minkpp(samples, output_dir, model=model, categories=_cats(categories),
                       max_per_category=max_per_category, max_tokens=max_tokens, ratio=ratio, batch_size=batch_size,
                       device=device, half=half, int8=int8, seed=seed, progress=not no_progress)
        t = Table(title="Min-K%++ membership rates")
        for col in ("category", "docs", "membership rate", "global share", "mean Min-K%++", "mean loss"):
            t.add_column(col, justify="left" if col == "category" else "right")
        for c, v in r.summary["per_category"].items():
            t.add_row(c, str(v["n_docs"]), f"{v['rate']:.3f}", f"{r.summary['global_mixture_over_sampled_pool'][c]:.4f}",
                      f"{v['mean_minkpp']:.3f}", f"{v['mean_loss']:.3f}")
        console.print(t)
        console.print(f"wrote [b]{output_dir}[/b]/summary.json, per_category.csv, global_mixture.csv")

    @an.command("evaluate")
    def evaluate_cmd(
        results_dir: str = typer.Option(None, "--results-dir", help="One estimator output folder."),
        compare: list[str] = typer.Option(None, "--compare", help="Several output folders (repeat the flag)."),
        runs: list[str] = typer.Argument(None, help="More output folders to compare."),
        ground_truth: str = typer.Option(..., "--ground-truth", "-g",
                                         help="Spec YAML or built-in name (olmo1b, pythia, starcoder, llama1, amber)."),
        tol: float = typer.Option(0.02, "--tol", help="Tolerance for within-tolerance accuracy."),
        method: str = typer.Option("all", "--method", help="bbse, em, minkpp or all."),
        output_dir: str = typer.Option(None, "--output-dir", "-o", help="Write evaluation.json/csv, report.md, mixtures.png."),
        no_uniform: bool = typer.Option(False, "--no-uniform", help="Leave out the uniform-guess baseline row."),
    ) -> None:
        """Overlap accuracy 1 − ½Σ|e−g| (+ tolerance accuracy) with automatic 6/7-class alignment."""
        from corpuslab.anatomy.evaluate import evaluate_runs, load_spec, write_report
        from corpuslab.core.errors import CorpuslabError

        all_runs = ([results_dir] if results_dir else []) + list(compare or []) + list(runs or [])
        if not all_runs:
            raise CorpuslabError("give --results-dir DIR or --compare DIR [DIR ...]")
        spec = load_spec(ground_truth)
        scores = evaluate_runs(all_runs, spec, tol=tol, method=method, include_uniform=not no_uniform)
        for s in scores:
            console.print(f"{s.run} [{s.method}] Accuracy: {s.accuracy:.4f}", highlight=False, markup=False)
        console.print(_score_table(scores))
        if output_dir:
            paths = write_report(scores, spec, output_dir)
            console.print(f"wrote {paths['report']}, {paths['plot']}, {paths['csv']}")

    @an.command("synth")
    def synth_cmd(
        output_dir: str = typer.Option(..., "--output-dir", "-o"),
        mixture: str = typer.Option(None, "--mixture",
                                    help="cat=weight,... over wikipedia, books, stackexchange, web, github "
                                         "(default github=.40,wikipedia=.25,stackexchange=.17,books=.12,web=.06)."),
        shared_dir: str = typer.Option(None, "--shared-dir", help="Real data folder (default ../shared/data)."),
        distinct_sequences: int = typer.Option(3600, "--distinct-sequences", help="Distinct training pieces in total."),
        epochs: int = typer.Option(8, "--epochs"),
        seq_len: int = typer.Option(64, "--seq-len"),
        hidden: int = typer.Option(64, "--hidden"),
        layers: int = typer.Option(2, "--layers"),
        num_generations: int = typer.Option(400, "--num-generations"),
        bootstrap: int = typer.Option(200, "--bootstrap"),
        seed: int = typer.Option(0, "--seed"),
        no_progress: bool = typer.Option(False, "--no-progress"),
    ) -> None:
        """Train a small LM on a KNOWN mixture of real categories, run both estimators, score them."""
        from corpuslab.anatomy.synth import run_synth
        from corpuslab.core.errors import CorpuslabError

        mix = None
        if mixture:
            try:
                mix = {k.strip(): float(v) for k, v in (p.split("=") for p in mixture.split(","))}
            except ValueError as e:
                raise CorpuslabError(f"--mixture: expected cat=weight,... (got {mixture!r})") from e
        s = run_synth(output_dir, mixture=mix, shared_dir=shared_dir, distinct_sequences=distinct_sequences,
                      epochs=epochs, seq_len=seq_len, hidden=hidden, layers=layers, num_generations=num_generations,
                      n_bootstrap=bootstrap, seed=seed, progress=not no_progress)
        t = Table(title="synth: estimated vs true mixture")
        t.add_column("category")
        t.add_column("truth", justify="right")
        keys = list(s["estimates"])
        for k in keys:
            t.add_column(k, justify="right")
        for c, g in s["true_mixture"].items():
            t.add_row(c, f"{g:.4f}", *[f"{s['estimates'][k].get(c, 0.0):.4f}" for k in keys])
        console.print(t)
        for k, a in s["accuracy"].items():
            console.print(f"{k} Accuracy: {a:.4f}", highlight=False, markup=False)
        console.print("member/non-member AUROC within category (macro): "
                      + ", ".join(f"{k} {v:.3f}" for k, v in s["auroc"]["macro"].items()))
