"""``anatomy synth``: a benchmark of the estimators against ground truth we control.

Train a small causal LM from scratch on a *known* mixture of real categories, keep held-out documents of
every category aside, then run both estimators on the model and score them against the known mixture.

Categories from ``../shared/data`` (real text; see its SOURCES.md for origin and licences):

* ``wikipedia`` — Japanese and Vietnamese Wikipedia dump excerpts (main namespace, markup stripped with
  mwparserfromhell);
* ``books`` — *Botchan* (Project Gutenberg, header/footer cut) and 吾輩は猫である (Aozora ruby markup removed);
* ``stackexchange`` — beer.stackexchange.com ``Posts.xml`` (title + body, HTML stripped);
* ``web`` — 36 crawled pages from trafilatura's test cache + a Common Crawl WARC excerpt (main text);
* ``github`` — ``.py`` sources of installed packages.

Every category is cut into pieces of exactly ``seq_len`` tokens, so one training sequence = one document
and the mixture by documents equals the mixture by tokens (the usual definition, e.g. Dolma token shares).
Pieces are split per category into a member pool (the model trains on the mixture drawn from it) and a
held-out pool (classifier samples and Min-K%++ non-members).
"""

from __future__ import annotations

import bz2
import html
import json
import logging
import os
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpuslab.anatomy.config import SynthConfig
from corpuslab.core.errors import CorpuslabError, DataError

log = logging.getLogger(__name__)

DEFAULT_CODE_PACKAGES = ("rich", "click", "typer", "yaml", "tqdm", "pydantic", "requests", "jinja2",
                         "urllib3", "idna", "packaging", "setuptools", "pip")


def _shared_root(shared_dir: str | os.PathLike[str] | None) -> Path:
    if shared_dir:
        return Path(shared_dir)
    env = os.environ.get("CORPUSLAB_SHARED_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for base in [Path.cwd(), *here.parents]:
        cand = base / ".." / "shared" / "data"
        if cand.is_dir():
            return cand.resolve()
    raise DataError("cannot find ../shared/data; pass --shared-dir or set CORPUSLAB_SHARED_DATA")


def _must_exist(path: Path) -> Path:
    if not path.exists():
        raise DataError(f"{path}: missing (synth reads the real data in ../shared/data)")
    return path


# ---- small readers (clean text per category) ------------------------------------------------------------


def _html_text(raw: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(raw)
    for sel in ("script", "style", "noscript", "nav", "footer", "header", "form"):
        for n in tree.css(sel):
            n.decompose()
    body = tree.body or tree.root
    if body is None:
        return ""
    text = body.text(separator="\n")
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.splitlines()]
    # keep lines that look like prose, not menus
    return "\n".join(ln for ln in lines if len(ln) >= 30)


def read_wikipedia(root: Path) -> Iterator[str]:
    import mwparserfromhell
    import mwxml

    for name in ("wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2",
                 "wiki/viwiki-20230501-pages-articles-excerpt.xml.bz2"):
        with bz2.open(_must_exist(root / name)) as fh:
            for page in mwxml.Dump.from_file(fh):
                if page.namespace != 0 or page.redirect:
                    continue
                for rev in page:
                    # the first 20k characters are plenty for 128-token pieces and keep parsing fast
                    text = mwparserfromhell.parse((rev.text or "")[:20000]).strip_code(normalize=True, collapse=True)
                    text = re.sub(r"\n{3,}", "\n\n", text).strip()
                    if len(text) > 200:
                        yield f"{page.title}\n\n{text}"


def read_books(root: Path) -> Iterator[str]:
    botchan = bz2.open(_must_exist(root / "text/botchan.txt.bz2")).read().decode("utf-8", "replace")
    start = re.search(r"\*\*\* ?START OF.*?\n", botchan)
    end = re.search(r"\*\*\* ?END OF", botchan)
    botchan = botchan[start.end() if start else 0: end.start() if end else len(botchan)]
    neko = bz2.open(_must_exist(root / "text/wagahaiwa_nekodearu.txt.bz2")).read().decode("utf-8", "replace")
    neko = re.sub(r"《[^》]*》|｜|［＃[^］]*］", "", neko)
    for book in (botchan, neko):
        paras = [p.strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n", book) if p.strip()]
        if len(paras) < 20:  # one paragraph per line (Aozora): group lines
            paras = [p.strip() for p in book.splitlines() if p.strip()]
        buf, n = [], 0
        for p in paras:
            buf.append(p)
            n += len(p)
            if n > 3000:
                yield "\n".join(buf)
                buf, n = [], 0
        if buf:
            yield "\n".join(buf)


def read_stackexchange(root: Path) -> Iterator[str]:
    import xml.etree.ElementTree as ET

    with bz2.open(_must_exist(root / "stackexchange/beer.stackexchange-Posts.xml.bz2")) as fh:
        for _, el in ET.iterparse(fh, events=("end",)):
            if el.tag != "row":
                continue
            body = el.attrib.get("Body", "")
            title = el.attrib.get("Title")
            from selectolax.lexbor import LexborHTMLParser

            text = LexborHTMLParser(body).text(separator="\n") if body else ""
            text = re.sub(r"\n{2,}", "\n", text).strip()
            if len(text) > 80:
                yield (f"{html.unescape(title)}\n\n" if title else "") + text
            el.clear()


def read_web(root: Path) -> Iterator[str]:
    with tarfile.open(_must_exist(root / "web/trafilatura-cache-pages.tar.bz2"), "r:*") as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            fh = tf.extractfile(m) if m.isfile() else None
            if fh is None:
                continue
            text = _html_text(fh.read().decode("utf-8", "replace"))
            if len(text) > 200:
                yield text
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:  # optional: the tar alone is enough
        return
    with open(_must_exist(root / "web/commoncrawl-excerpt.warc.gz"), "rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type != "response" or rec.http_headers is None:
                continue
            if "html" not in (rec.http_headers.get_header("Content-Type") or ""):
                continue
            text = _html_text(rec.content_stream().read().decode("utf-8", "replace"))
            if len(text) > 200:
                yield text


def read_code(packages: tuple[str, ...] = DEFAULT_CODE_PACKAGES, max_files: int = 3000) -> Iterator[str]:
    import importlib.util

    n = 0
    for pkg in packages:
        spec = importlib.util.find_spec(pkg)
        if spec is None or not spec.submodule_search_locations:
            continue
        for f in sorted(Path(list(spec.submodule_search_locations)[0]).rglob("*.py")):
            try:
                text = f.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if len(text) > 300:
                yield text
                n += 1
                if n >= max_files:
                    return


def read_category(cat: str, root: Path) -> Iterator[str]:
    readers = {"wikipedia": lambda: read_wikipedia(root), "books": lambda: read_books(root),
               "stackexchange": lambda: read_stackexchange(root), "web": lambda: read_web(root),
               "github": lambda: read_code()}
    if cat not in readers:
        raise CorpuslabError(f"synth: unknown category {cat!r} (available: {', '.join(readers)})")
    return readers[cat]()


# ---- corpus construction ---------------------------------------------------------------------------------


def token_pieces(tokenizer: Any, docs: list[str], seq_len: int, max_pieces: int | None = None,
                 max_per_doc: int | None = 24) -> list[list[int]]:
    """Cut each document into consecutive pieces of exactly ``seq_len`` tokens (the remainder is dropped).

    ``max_per_doc`` caps pieces per document so one huge file cannot dominate a category.
    """
    out: list[list[int]] = []
    if max_per_doc:  # no need to tokenize text beyond the pieces we keep (~8 characters/token is ample)
        docs = [d[: max_per_doc * seq_len * 8] for d in docs]
    for ids in tokenizer(docs, add_special_tokens=False)["input_ids"]:
        pieces = [ids[i: i + seq_len] for i in range(0, len(ids) - seq_len + 1, seq_len)]
        out.extend(pieces[:max_per_doc] if max_per_doc else pieces)
        if max_pieces and len(out) >= max_pieces:
            return out[:max_pieces]
    return out


@dataclass
class SynthCorpus:
    categories: list[str]
    mixture: dict[str, float]                       # realised shares of training tokens (the ground truth)
    train: list[tuple[str, list[int]]]              # (category, token ids): members × epochs, shuffled
    members: dict[str, list[list[int]]]             # distinct member pieces per category
    heldout: dict[str, list[list[int]]]             # classifier samples (never trained on)
    unused: dict[str, list[list[int]]]              # other non-member pieces
    stats: dict[str, Any] = field(default_factory=dict)


def build_corpus(tokenizer: Any, docs: dict[str, list[str]], mixture: dict[str, float], seq_len: int,
                 distinct_sequences: int, epochs: int, heldout_per_category: int, seed: int = 0) -> SynthCorpus:
    """Per category: ``heldout_per_category`` pieces aside, ``round(w_c·distinct_sequences)`` member pieces,
    the rest unused. Every member piece is seen ``epochs`` times, so token shares equal the mixture up to
    rounding; the realised shares are returned as ground truth.
    """
    rng = np.random.default_rng(seed)
    tot = sum(mixture.values())
    mix = {c: w / tot for c, w in mixture.items()}
    members, heldout, unused, train, stats = {}, {}, {}, [], {}
    for cat, w in mix.items():
        # exact-dedup the pieces (licence headers, boilerplate): a duplicate on both sides of the
        # member/held-out split would be a member posing as a non-member
        pieces = list({tuple(p): p for p in token_pieces(tokenizer, docs[cat], seq_len)}.values())
        order = rng.permutation(len(pieces))
        need = max(1, int(round(w * distinct_sequences)))
        if len(pieces) < heldout_per_category + need:
            raise DataError(f"synth: category {cat} has {len(pieces)} pieces of {seq_len} tokens; needs "
                            f"{heldout_per_category} held out + {need} members (lower distinct_sequences)")
        heldout[cat] = [pieces[i] for i in order[:heldout_per_category]]
        members[cat] = [pieces[i] for i in order[heldout_per_category: heldout_per_category + need]]
        unused[cat] = [pieces[i] for i in order[heldout_per_category + need:]]
        train.extend((cat, p) for _ in range(epochs) for p in members[cat])
        stats[cat] = {"available_pieces": len(pieces), "member_pieces": need, "heldout_pieces": heldout_per_category,
                      "unused_pieces": len(unused[cat])}
    counts = {c: len(members[c]) * epochs for c in mix}
    realised = {c: counts[c] / len(train) for c in mix}
    perm = rng.permutation(len(train))
    train = [train[i] for i in perm]
    return SynthCorpus(list(mix), realised, train, members, heldout, unused, stats)


def minkpp_pool(corpus: SynthCorpus, pool_size: int, max_member_rate: float = 0.8
                ) -> tuple[dict[str, list[list[int]]], dict[str, np.ndarray]]:
    """Per-category scoring pools that mimic a *universe of equal size U per category* (U = largest member
    count / ``max_member_rate``), sampled uniformly: the member fraction of category c is m_c/U.

    That is the setting in which the mixture estimator of Yaxin9Luo/data_anatomy ``run_minkpp_mix.py``
    (global ∝ n_c·π_c) is consistent, so the synth benchmark measures how well Min-K%++ separates members,
    not an artefact of pool construction.
    Non-members come from unused pieces, then from held-out ones.
    """
    u = max(len(m) for m in corpus.members.values()) / max_member_rate
    pools, labels = {}, {}
    for c in corpus.categories:
        n_mem = min(len(corpus.members[c]), int(round(pool_size * len(corpus.members[c]) / u)))
        non_src = corpus.unused[c] + corpus.heldout[c]
        n_non = min(pool_size - n_mem, len(non_src))
        pools[c] = corpus.members[c][:n_mem] + non_src[:n_non]
        labels[c] = np.r_[np.ones(n_mem), np.zeros(n_non)]
    return pools, labels


# ---- training ----------------------------------------------------------------------------------------------


def train_small_lm(model: Any, tokenizer: Any, sequences: list[list[int]], epochs: int = 1, batch_size: int = 16,
                   lr: float = 3e-3, seed: int = 0, progress: bool = True) -> dict[str, Any]:
    """Train on fixed-length token sequences (BOS prepended) with the project's HF-Trainer layer,
    :func:`corpuslab.train.causal_lm.train_causal_lm` (cosine schedule, 5% warm-up, no checkpoints)."""
    import math
    import tempfile

    from corpuslab.train import CausalLMTrainConfig, train_causal_lm

    bos = tokenizer.bos_token_id
    data = [{"input_ids": [bos, *s], "attention_mask": [1] * (len(s) + 1)} for s in sequences]
    steps = max(1, math.ceil(len(data) * epochs / batch_size))
    model.train()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = CausalLMTrainConfig(output_dir=tmp, max_steps=steps, per_device_train_batch_size=batch_size,
                                  learning_rate=lr, warmup_steps=max(1, steps // 20), lr_scheduler_type="cosine",
                                  logging_steps=max(1, steps // 10), seed=seed,
                                  training_args={"use_cpu": not _cuda(), "dataloader_num_workers": 0})
        res = train_causal_lm(model, tokenizer, data, cfg, progress=progress)
    model.eval()
    losses = [h["loss"] for h in res.log_history if "loss" in h]
    return {"train_loss": float(res.metrics.get("train_loss", float("nan"))), "steps": steps,
            "last_logged_loss": float(losses[-1]) if losses else float("nan")}


def _cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


# ---- the experiment -----------------------------------------------------------------------------------------


def run_synth(cfg: SynthConfig, progress: bool = True) -> dict[str, Any]:
    """The whole experiment; writes model/, data_samples/, labelshift/, minkpp/, evaluation/ (each with its
    own ``run.json``), synth.json, truth.yaml and ``run.json`` under ``cfg.output_dir``.

    Generation is plain ancestral sampling from BOS (temperature 1, no top-p/top-k): truncated sampling
    favours the high-probability domains of a small model and biases the generated mix (measured: with
    temperature 0.8 / top-p 0.9 / HF's default top-k 50, Japanese/Vietnamese Wikipedia almost vanished).

    Returns a summary with the true mixture, both estimates, accuracies (and a uniform guess) and the
    member/non-member AUROCs of Min-K%++, Min-K% and loss.
    """
    from corpuslab.core.runcard import run_card

    out = Path(cfg.output_dir)
    root = _shared_root(cfg.shared_dir)
    with run_card(out, "anatomy-synth", cfg, inputs={"shared_dir": str(root)}) as card:
        summary = _experiment(cfg, root, progress)
        card.counts.update(true_mixture=summary["true_mixture"], accuracy=summary["accuracy"],
                           uniform_accuracy=summary["uniform_accuracy"],
                           training_sequences=summary["train"]["sequences"])
        card.outputs.update(summary="synth.json", truth="truth.yaml", model="model", samples="data_samples",
                            labelshift="labelshift", minkpp_pool="minkpp_pool", minkpp="minkpp",
                            evaluation="evaluation")
    return summary


def _experiment(cfg: SynthConfig, root: Path, progress: bool) -> dict[str, Any]:
    import time

    from corpuslab.anatomy.config import EvaluateConfig, LabelShiftConfig, MinKppConfig
    from corpuslab.anatomy.evaluate import MixtureSpec, run_evaluate, score_mixture, uniform_guess
    from corpuslab.anatomy.labelshift import run_labelshift
    from corpuslab.anatomy.minkpp import run_minkpp
    from corpuslab.anatomy.samples import write_category_samples
    from corpuslab.core.atomic import write_json_atomic
    from corpuslab.core.runinfo import run_info
    from corpuslab.models.tiny import train_bpe_tokenizer

    out = Path(cfg.output_dir)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    docs = read_documents(cfg, root)
    timings["read"] = time.perf_counter() - t0

    t = time.perf_counter()
    tok_texts = [d[:5000] for cat in docs for d in docs[cat][:400]]
    tok = train_bpe_tokenizer(tok_texts, vocab_size=cfg.vocab_size)
    corpus = build_corpus(tok, docs, cfg.mixture, cfg.seq_len, cfg.distinct_sequences, cfg.epochs,
                          cfg.heldout_per_category, cfg.seed)
    timings["tokenize"] = time.perf_counter() - t

    t = time.perf_counter()
    model, train_info = train_synth_model(cfg, tok, corpus, progress)
    model.save_pretrained(out / "model")
    tok.save_pretrained(out / "model")
    timings["train"] = time.perf_counter() - t

    # category samples = held-out pieces (never trained on), decoded back to text
    samples = {c: [tok.decode(p) for p in corpus.heldout[c]] for c in corpus.categories}
    write_category_samples(samples, out / "data_samples")
    truth = MixtureSpec(name="synth", weights=corpus.mixture, raw_weights=corpus.mixture, source="synth.json")
    with open(out / "truth.yaml", "w", encoding="utf-8") as fh:
        fh.write("# realised token shares of the synth model's training data\nschema: category-mixture-v1\n"
                 "name: synth\ncategory_weights:\n" + "".join(f"  {c}: {w:.6f}\n" for c, w in corpus.mixture.items()))

    t = time.perf_counter()
    ls = run_labelshift(LabelShiftConfig(
        samples=str(out / "data_samples"), output_dir=str(out / "labelshift"), max_per_category=None,
        num_prompts=cfg.num_generations, prompts=[""], max_new_tokens=cfg.seq_len, temperature=cfg.gen_temperature,
        top_p=cfg.gen_top_p, top_k=0, gen_batch_size=cfg.gen_batch_size, n_bootstrap=cfg.n_bootstrap, seed=cfg.seed,
    ), progress=progress, model_obj=(model, tok))
    timings["labelshift"] = time.perf_counter() - t

    t = time.perf_counter()
    pool_dir = out / "minkpp_pool"
    pool_ids, is_member = minkpp_pool(corpus, cfg.minkpp_pool_size)
    write_category_samples({c: [tok.decode(p) for p in pool_ids[c]] for c in corpus.categories}, pool_dir)
    mk = run_minkpp(MinKppConfig(samples=str(pool_dir), output_dir=str(out / "minkpp"), max_per_category=None,
                                 max_tokens=cfg.seq_len, batch_size=cfg.score_batch_size, seed=cfg.seed),
                    progress=progress, model_obj=(model, tok))
    timings["minkpp"] = time.perf_counter() - t

    scores = run_evaluate(EvaluateConfig(runs=[str(out / "labelshift"), str(out / "minkpp")],
                                         ground_truth=str(out / "truth.yaml"), tol=0.02,
                                         output_dir=str(out / "evaluation")), truth=truth)
    uni = score_mixture(uniform_guess(corpus.categories), corpus.mixture)
    summary = {
        "true_mixture": corpus.mixture,
        "estimates": {f"{s.run}/{s.method}": dict(zip(s.categories, s.estimate, strict=False)) for s in scores},
        "accuracy": {f"{s.run}/{s.method}": s.accuracy for s in scores},
        "uniform_accuracy": uni.accuracy,
        "auroc": membership_aurocs(mk.scores, is_member),
        "classifier_heldout_accuracy": ls["classifier"]["heldout_accuracy"],
        "corpus": corpus.stats,
        "train": {**train_info, "sequences": len(corpus.train), "seq_len": cfg.seq_len, "vocab": len(tok),
                  "params": int(sum(p.numel() for p in model.parameters()))},
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "run": run_info(seed=cfg.seed),
    }
    write_json_atomic(out / "synth.json", summary)
    with open(pool_dir / "membership.json", "w", encoding="utf-8") as fh:
        json.dump({c: v.astype(int).tolist() for c, v in is_member.items()}, fh)
    return summary


def read_documents(cfg: SynthConfig, root: Path) -> dict[str, list[str]]:
    """Up to ``cfg.max_docs_per_category`` documents per mixture category from the real data under ``root``,
    shuffled (seeded) so that the pieces of one file do not cluster."""
    docs: dict[str, list[str]] = {}
    for cat in cfg.mixture:
        it = read_category(cat, root)
        docs[cat] = [d for _, d in zip(range(cfg.max_docs_per_category), it, strict=False)]
        if not docs[cat]:
            raise DataError(f"synth: no documents read for category {cat}")
    rng = np.random.default_rng(cfg.seed)
    for cat in docs:
        docs[cat] = [docs[cat][i] for i in rng.permutation(len(docs[cat]))]
    return docs


def train_synth_model(cfg: SynthConfig, tok: Any, corpus: SynthCorpus, progress: bool) -> tuple[Any, dict[str, Any]]:
    """A fresh tiny llama (seeded) trained on the corpus's training sequences; returns it in eval mode."""
    import torch
    from transformers import AutoModelForCausalLM

    from corpuslab.models.tiny import tiny_config

    config = tiny_config("llama", len(tok), tok, hidden=cfg.hidden, layers=cfg.layers, heads=cfg.heads,
                         max_positions=cfg.seq_len + 8)
    torch.manual_seed(cfg.seed)
    model = AutoModelForCausalLM.from_config(config)
    # corpus.train already holds every member piece `epochs` times, shuffled: one pass over it
    info = train_small_lm(model, tok, [s for _, s in corpus.train], epochs=1, batch_size=cfg.batch_size, lr=cfg.lr,
                          seed=cfg.seed, progress=progress)
    model.eval()
    return model, info


def membership_aurocs(scores: dict[str, Any], is_member: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Member vs non-member AUROC of Min-K%++, Min-K% and loss (``scores``: category → ``DocScores``).

    Pooled over categories (confounded by per-category difficulty, since member rates differ by category)
    and within each category, macro-averaged (the usual membership-inference setting).
    """
    from corpuslab.anatomy.minkpp import auroc

    cats = list(is_member)
    aucs: dict[str, dict[str, Any]] = {"pooled": {}, "macro": {}, "per_category": {}}
    for metric, sign in (("minkpp", 1.0), ("mink", 1.0), ("loss", -1.0)):
        vals = np.concatenate([getattr(scores[c], metric) for c in cats]) * sign
        lab = np.concatenate([is_member[c] for c in cats])
        aucs["pooled"][metric] = auroc(vals[lab == 1], vals[lab == 0])
        per = {}
        for c in cats:
            v, y = getattr(scores[c], metric) * sign, is_member[c]
            if 0 < y.sum() < len(y):
                per[c] = auroc(v[y == 1], v[y == 0])
        aucs["per_category"][metric] = per
        aucs["macro"][metric] = float(np.mean(list(per.values()))) if per else float("nan")
    return aucs
