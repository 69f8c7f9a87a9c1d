"""Tag: clean each document's text and compute every filter statistic and dedup fingerprint once.

The result is one Arrow table per input shard (``<cleaned>/_tags/…parquet``) holding the final text, the
metadata and one column per metric (``gopher_quality.avg_word_length`` …). Thresholds are applied later
(:mod:`corpuslab.clean.decide`), so a threshold change re-runs in seconds without re-tagging. Only the
parameters that change a metric or the text (cleaning, tokenizer, each family's ``tag_params`` — C4 line rules,
keyword list, n-gram sizes … — and MinHash shingling) are part of :attr:`TagPlan.key`; when it changes, shards
are re-tagged. Each step's metrics come from its family (:mod:`corpuslab.clean.families`).

``tag_table`` is a pure function of an Arrow batch of records, so the local process pool and Ray Data's
``map_batches`` produce identical tags.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import xxhash

from corpuslab.clean.config import CleanConfig
from corpuslab.clean.constants import CJK_LANGS
from corpuslab.clean.context import DocContext
from corpuslab.clean.families import family, step_block, step_params
from corpuslab.clean.lang import detect_languages
from corpuslab.clean.normalise import clean_text
from corpuslab.clean.segment import simplify_text

TAG_VERSION = 2
_MULT = np.uint64(0x9E3779B97F4A7C15)


@dataclass
class TagPlan:
    """Everything a worker needs to tag a batch; picklable, and hashed into :attr:`key`."""

    cfg: CleanConfig
    _metric_names: list[str] | None = field(default=None, repr=False)

    @property
    def steps(self) -> list[str]:
        return self.cfg.steps

    @property
    def tokenizer(self) -> str:
        return self.cfg.filtering.tokenizer if self.cfg.filtering else "fast"

    @property
    def per_language(self) -> bool:
        return self.cfg.filtering.per_language if self.cfg.filtering else True

    def metric_names(self) -> list[str]:
        """Metric columns this plan produces (fixed per plan, so every batch has the same schema)."""
        if self._metric_names is None:
            row, _ = tag_document("x", {"language": "en"}, self)
            self._metric_names = sorted(k for k in row if "." in k)
        return self._metric_names

    @property
    def key(self) -> str:
        """Hash of what the tags depend on: cleaning, tokenizer, steps and each family's tag parameters,
        MinHash shingling. Thresholds are not in it: changing one re-decides without re-tagging."""
        parts: dict[str, Any] = {
            "v": TAG_VERSION,
            "cleaning": self.cfg.cleaning.model_dump() if self.cfg.cleaning else None,
            "tokenizer": self.tokenizer,
            "per_language": self.per_language,
            "steps": self.steps,
            "families": {s: family(s).tag_key(step_block(self.cfg, s)) for s in self.steps},
        }
        mh = self.cfg.dedup.minhash if self.cfg.dedup else None
        parts["minhash"] = mh.model_dump() if mh else None
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _meta_language(md: dict[str, Any]) -> str:
    meta_lang = md.get("language") or md.get("lang")
    return meta_lang.replace("-", "_").split("_")[0].lower() if isinstance(meta_lang, str) and meta_lang else ""


def _languages(texts: list[str], mds: list[dict[str, Any]], need_score: bool) -> list[tuple[str, float, str]]:
    """(language code, LID score of that language, where the code came from) per document.

    The metadata's language wins for choosing the segmenter and thresholds; the score is the detector's
    top score when its top label agrees, else 0 (so ``language.min_score`` drops disagreeing documents).
    Detection runs in one batched fastText call; for choosing a segmenter/profile a prefix is plenty, the
    language filter's score uses the whole document (as DataTrove's LanguageFilter).
    """
    metas = [_meta_language(md) for md in mds]
    todo = [i for i, m in enumerate(metas) if need_score or not m]
    out: list[tuple[str, float, str]] = [(m, math.nan, "metadata") for m in metas]
    if not todo:
        return out
    if need_score:
        det = detect_languages([texts[i] for i in todo], 20000)
    else:
        det = detect_languages([texts[i][:300] if texts[i][:300].isascii() else texts[i][:1000] for i in todo], 1000)
    for i, (code, score) in zip(todo, det, strict=True):
        if metas[i]:
            out[i] = (metas[i], score if code == metas[i] else 0.0, "metadata")
        else:
            out[i] = (code, score, "detected")
    return out


def tag_documents(texts: list[str], mds: list[dict[str, Any]], plan: TagPlan) -> tuple[list[dict[str, Any]], list[str]]:
    """(columns per document, final texts) for a batch, one step at a time over the whole batch (so steps
    that vectorise across documents, such as Gopher repetition's n-gram counting, do)."""
    cfg = plan.cfg
    cl = cfg.cleaning
    max_chars = cl.max_doc_chars if cl else 1_000_000
    need_score = any(family(s).needs_language_score for s in plan.steps)
    rows: list[dict[str, Any]] = []
    cleaned: list[str | None] = []
    for text in texts:
        row: dict[str, Any] = {"chars_in": len(text)}
        rows.append(row)
        if len(text) > max_chars:
            row.update(status="huge_document", chars_clean=len(text), chars_final=0, lang="", lang_score=math.nan, lang_source="")
            cleaned.append(None)
            continue
        if cl is not None:
            text = clean_text(text, cl.html, cl.unicode, cl.fix_mojibake, cl.whitespace)
        row["chars_clean"] = len(text)
        if not text.strip():
            row.update(status="empty", chars_final=0, lang="", lang_score=math.nan, lang_source="")
            cleaned.append(None)
            continue
        cleaned.append(text)
    ok = [i for i, t in enumerate(cleaned) if t is not None]
    langs = _languages([cleaned[i] for i in ok], [mds[i] for i in ok], need_score)  # type: ignore[misc]
    ctxs: list[DocContext | None] = [None] * len(texts)
    for i, (code, score, src) in zip(ok, langs, strict=True):
        rows[i].update(status="", lang=code, lang_score=score, lang_source=src)
        ctxs[i] = DocContext(text=cleaned[i], lang=code or None, tokenizer=plan.tokenizer,  # type: ignore[arg-type]
                             per_language=plan.per_language, lang_score=score)
    alive = [i for i, c in enumerate(ctxs) if c is not None]
    docs: list[DocContext] = [ctxs[i] for i in alive]  # type: ignore[misc]
    for step in plan.steps:
        by_lang: dict[str | None, dict[str, Any]] = {}

        def params(c: DocContext, step: str = step, by_lang: dict = by_lang) -> dict[str, Any]:
            lg = c.lang if plan.per_language else "en"
            if lg not in by_lang:
                by_lang[lg] = step_params(cfg, step, lg)
            return by_lang[lg]

        for i, stats in zip(alive, family(step).tag(docs, step_block(cfg, step), params), strict=True):
            rows[i].update({f"{step}.{k}": v if isinstance(v, str) else float(v) for k, v in stats.items()})
    finals = []
    for row, c in zip(rows, ctxs, strict=True):
        if c is not None:
            row["chars_final"] = len(c.text)
        finals.append(c.text if c is not None else "")
    return rows, finals


def tag_document(text: str, md: dict[str, Any], plan: TagPlan) -> tuple[dict[str, Any], str]:
    """Tag one document (see :func:`tag_documents`)."""
    rows, finals = tag_documents([text], [md], plan)
    return rows[0], finals[0]


# ---- dedup fingerprints ---------------------------------------------------------------------------------


def shingle_tokens(text: str, code: str | None, per_language: bool, simplified: str | None = None) -> tuple[list[str], bool]:
    """Tokens to shingle and whether they are characters (CJK) rather than words."""
    s = simplify_text(text) if simplified is None else simplified
    if per_language and code in CJK_LANGS:
        return list(s.replace(" ", "")), True
    return s.split(), False


def exact_hash(text: str, simplified: str | None = None) -> int:
    s = simplify_text(text) if simplified is None else simplified
    return xxhash.xxh3_64_intdigest(s.encode("utf-8"))


def band_keys_batch(token_lists: list[list[str]], char_flags: list[bool], ngram: int, char_ngram: int,
                    bands: int, rows: int, seed: int) -> np.ndarray:
    """MinHash-LSH band keys (n_docs × bands, uint64) for a batch; rows of all zeros for docs without tokens.

    Token hashes are computed in one vectorised call (pandas' SipHash over an object array); shingle
    hashes combine the n token hashes of each window with NumPy; signatures come from rensa's Rust
    ``RMinHash`` (multiply-shift permutations) on the flat buffer; the ``rows`` values of each band fold
    into one 64-bit key.
    """
    import pandas as pd
    import rensa

    n_docs = len(token_lists)
    out = np.zeros((n_docs, bands), dtype=np.uint64)
    flat = [t for toks in token_lists for t in toks]
    if not flat:
        return out
    th = pd.util.hash_array(np.asarray(flat, dtype=object), categorize=False)
    lens = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=n_docs)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    # shingle hashes for every window of every document at once; windows crossing a document end are
    # dropped; a document shorter than n contributes one shingle of all its tokens
    n_of = np.where(np.asarray(char_flags, dtype=bool), char_ngram, ngram).astype(np.int64)
    n_eff = np.minimum(n_of, lens)
    doc_of = np.repeat(np.arange(n_docs), lens)
    pos = np.arange(len(th)) - starts[doc_of]
    key = np.zeros(len(th), dtype=np.uint64)
    ne_tok = n_eff[doc_of]
    for j in range(int(n_eff.max())):
        shifted = np.zeros(len(th), dtype=np.uint64)
        shifted[: len(th) - j] = th[j:]
        use = j < ne_tok
        key = np.where(use, key * _MULT + shifted, key)
    valid = pos + ne_tok <= lens[doc_of]
    shingles = key[valid]
    sh_lens = np.bincount(doc_of[valid], minlength=n_docs).astype(np.int64)
    has = sh_lens > 0
    offsets = np.concatenate([[0], np.cumsum(sh_lens[has])]).astype(np.uint64)
    mat = rensa.RMinHash.digest_matrix_from_flat_token_hashes(shingles, offsets, bands * rows, seed)
    sig = np.asarray(mat.to_rows(), dtype=np.uint64).reshape(-1, bands, rows)
    keys = np.zeros((sig.shape[0], bands), dtype=np.uint64)
    for r in range(rows):
        keys = keys * _MULT + sig[:, :, r] + np.uint64(r + 1)
    out[has] = keys
    return out


# ---- batch entry point (shared by the process pool and Ray Data) ------------------------------------------

_FIXED_COLUMNS = [
    ("id", pa.string()), ("text", pa.string()), ("metadata", pa.string()), ("source", pa.string()),
    ("order", pa.int64()), ("row", pa.int64()), ("status", pa.string()), ("lang", pa.string()),
    ("lang_score", pa.float64()), ("lang_source", pa.string()), ("chars_in", pa.int64()),
    ("chars_clean", pa.int64()), ("chars_final", pa.int64()), ("non_utf8", pa.bool_()), ("exact_hash", pa.uint64()),
]


def tag_table(batch: pa.Table, plan: TagPlan) -> pa.Table:
    """Tag a batch of records (columns id, text, metadata-as-JSON, source, order, row, non_utf8)."""
    cols = batch.to_pydict()
    n = len(cols["text"])
    mds = [json.loads(m) if m else {} for m in cols["metadata"]]
    rows, texts = tag_documents([t or "" for t in cols["text"]], mds, plan)
    need_dedup = plan.cfg.dedup is not None and (plan.cfg.dedup.exact or plan.cfg.dedup.minhash is not None)
    simplified = [simplify_text(t) if t and need_dedup else "" for t in texts]
    data: dict[str, Any] = {
        "id": cols["id"], "text": texts, "metadata": cols["metadata"], "source": cols["source"],
        "order": cols["order"], "row": cols["row"], "non_utf8": cols["non_utf8"],
    }
    for name in ("status", "lang", "lang_source"):
        data[name] = [r.get(name, "") for r in rows]
    for name in ("lang_score",):
        data[name] = [float(r.get(name, math.nan)) for r in rows]
    for name in ("chars_in", "chars_clean", "chars_final"):
        data[name] = [int(r.get(name, 0)) for r in rows]
    data["exact_hash"] = [exact_hash(t, sm) if t and need_dedup else 0 for t, sm in zip(texts, simplified, strict=True)]
    metric_names = plan.metric_names()
    for k in metric_names:
        if k.endswith(".match"):
            data[k] = [r.get(k, "") for r in rows]
        else:
            data[k] = np.array([r.get(k, math.nan) for r in rows], dtype=np.float64)
    schema_fields = [pa.field(nm, t) for nm, t in _FIXED_COLUMNS]
    schema_fields += [pa.field(k, pa.string() if k.endswith(".match") else pa.float64()) for k in metric_names]
    mh = plan.cfg.dedup.minhash if plan.cfg.dedup else None
    if mh is not None:
        pairs = [shingle_tokens(t, r.get("lang"), plan.per_language, sm) for t, r, sm in zip(texts, rows, simplified, strict=True)]
        toks, flags = (list(x) for x in zip(*pairs, strict=True)) if n else ([], [])
        keys = band_keys_batch(list(toks), list(flags), mh.ngram, mh.cjk_char_ngram, mh.bands, mh.rows, mh.seed)
        data["band_keys"] = pa.FixedSizeListArray.from_arrays(pa.array(keys.reshape(-1), pa.uint64()), mh.bands)
        schema_fields.append(pa.field("band_keys", pa.list_(pa.uint64(), mh.bands)))
    return pa.table(data, schema=pa.schema(schema_fields))
