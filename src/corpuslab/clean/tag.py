"""Tag: clean each document's text and compute every filter statistic and dedup fingerprint once.

The result is one Arrow table per input shard (``<cleaned>/_tags/…parquet``) holding the final text, the
metadata and one column per metric (``gopher_quality.avg_word_length`` …). Thresholds are applied later
(:mod:`corpuslab.clean.decide`), so a threshold change re-runs in seconds without re-tagging. Only the
parameters that change a metric or the text (cleaning, tokenizer, C4 line rules, keyword list, n-gram sizes,
MinHash shingling) are part of :attr:`TagPlan.key`; when it changes, shards are re-tagged.

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

from corpuslab.clean import c4, fineweb, gopher, lang, length
from corpuslab.clean.config import CleanConfig
from corpuslab.clean.constants import CJK_LANGS, GOPHER_STOP_WORDS_EN, LANGUAGE_PROFILES
from corpuslab.clean.context import DocContext
from corpuslab.clean.normalise import clean_text
from corpuslab.clean.segment import simplify_text

TAG_VERSION = 1
_MULT = np.uint64(0x9E3779B97F4A7C15)


def step_params(cfg: CleanConfig, step: str, doc_lang: str | None) -> dict[str, Any]:
    """Effective parameters of one step for one language: DataTrove default ← language profile ← YAML."""
    f = cfg.filtering
    assert f is not None
    user = getattr(f, step)
    explicit: dict[str, Any] = user.model_dump(exclude_none=True) if hasattr(user, "model_dump") else {}
    prof = LANGUAGE_PROFILES.get(doc_lang or "", {}).get(step, {}) if f.per_language else {}
    if step == "gopher_quality":
        base: dict[str, Any] = dict(gopher.QUALITY_DEFAULTS)
    elif step == "gopher_repetition":
        base = dict(gopher.REPETITION_DEFAULTS)
    elif step == "fineweb_quality":
        base = dict(fineweb.DEFAULTS)
    elif step == "language":
        base = dict(lang.DEFAULTS)
    elif step == "c4":
        base = {**c4.COMMON_DEFAULTS, **c4.PROFILES[explicit.get("profile", "datatrove")]}
        if f.per_language and doc_lang in CJK_LANGS:
            # Extension: DataTrove's C4 has no CJK handling (every Japanese line "lacks" end punctuation and
            # has one whitespace word); for these languages use the sentence-terminal table and segmented words.
            from corpuslab.clean.constants import TERMINAL_PUNCTUATION_TUPLE

            base["end_punctuation"] = list(TERMINAL_PUNCTUATION_TUPLE) + ["」", "』", "）", '"', "'"]
            base["segment_words"] = True
    elif step == "min_length":
        return {"min_chars": f.min_length}
    elif step == "max_length":
        return {"max_chars": f.max_length}
    elif step == "length" or step == "exclude_keywords":
        base = {}
    else:  # pragma: no cover - guarded by the config schema
        raise KeyError(step)
    return {**base, **prof, **explicit}


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

    def ngram_sets(self) -> tuple[list[int], list[int]]:
        tops, dups = {2, 3, 4}, {5, 6, 7, 8, 9, 10}
        g = self.cfg.filtering.gopher_repetition if self.cfg.filtering else None
        if g is not None:
            tops |= set(g.top_n_grams or {})
            dups |= set(g.dup_n_grams or {})
        return sorted(tops), sorted(dups)

    def metric_names(self) -> list[str]:
        """Metric columns this plan produces (fixed per plan, so every batch has the same schema)."""
        if self._metric_names is None:
            row, _ = tag_document("x", {"language": "en"}, self, (None, None))
            self._metric_names = sorted(k for k in row if "." in k)
        return self._metric_names

    @property
    def key(self) -> str:
        f = self.cfg.filtering
        parts: dict[str, Any] = {
            "v": TAG_VERSION,
            "cleaning": self.cfg.cleaning.model_dump() if self.cfg.cleaning else None,
            "tokenizer": self.tokenizer,
            "per_language": self.per_language,
            "steps": self.steps,
            "ngrams": self.ngram_sets(),
        }
        if f is not None:
            if f.c4 is not None:
                parts["c4"] = {k: v for k, v in f.c4.model_dump().items() if k in c4.LINE_PARAMS or k == "profile"}
            if f.exclude_keywords is not None:
                parts["keywords"] = sorted(f.exclude_keywords.keywords)
            if f.fineweb_quality is not None:
                parts["fw_short"] = f.fineweb_quality.short_line_length
            if f.gopher_quality is not None:
                parts["stop_words"] = f.gopher_quality.stop_words
            if f.length is not None:
                parts["length"] = True
        mh = self.cfg.dedup.minhash if self.cfg.dedup else None
        parts["minhash"] = mh.model_dump() if mh else None
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _doc_language(md: dict[str, Any], text: str, need_score: bool) -> tuple[str, float, str]:
    """(language code, LID score of that language, where the code came from).

    The metadata's language wins for choosing the segmenter and thresholds; the score is the detector's
    top score when its top label agrees, else 0 (so ``language.min_score`` drops disagreeing documents).
    """
    meta_lang = md.get("language") or md.get("lang")
    meta_code = meta_lang.replace("-", "_").split("_")[0].lower() if isinstance(meta_lang, str) and meta_lang else ""
    if meta_code and not need_score:
        return meta_code, math.nan, "metadata"
    code, score = lang.detect_language(text)
    if meta_code:
        return meta_code, score if code == meta_code else 0.0, "metadata"
    return code, score, "detected"


def tag_document(text: str, md: dict[str, Any], plan: TagPlan, kw_pats: Any) -> tuple[dict[str, Any], str]:
    """(columns for this document, final text)."""
    cfg = plan.cfg
    cl = cfg.cleaning
    row: dict[str, Any] = {"chars_in": len(text)}
    max_chars = cl.max_doc_chars if cl else 1_000_000
    if len(text) > max_chars:
        row.update(status="huge_document", chars_clean=len(text), chars_final=0, lang="", lang_score=math.nan, lang_source="")
        return row, ""
    if cl is not None:
        text = clean_text(text, cl.html, cl.unicode, cl.fix_mojibake, cl.whitespace)
    row["chars_clean"] = len(text)
    if not text.strip():
        row.update(status="empty", chars_final=0, lang="", lang_score=math.nan, lang_source="")
        return row, ""
    need_score = "language" in plan.steps
    code, score, src = _doc_language(md, text, need_score)
    row.update(status="", lang=code, lang_score=score, lang_source=src)
    ctx = DocContext(text=text, lang=code or None, tokenizer=plan.tokenizer, per_language=plan.per_language)
    prof_lang = code if plan.per_language else "en"
    tops, dups = plan.ngram_sets()
    for step in plan.steps:
        p = step_params(cfg, step, prof_lang)
        if step in ("min_length", "max_length", "length"):
            stats = length.length_stats(ctx, need_words=(step == "length"))
        elif step == "exclude_keywords":
            stats, match = length.keyword_stats(ctx, kw_pats)
            row[f"{step}.match"] = match
        elif step == "language":
            stats = {"score": score}
        elif step == "gopher_quality":
            sw = frozenset(p.get("stop_words") or GOPHER_STOP_WORDS_EN)
            stats = gopher.quality_stats(ctx, sw)
        elif step == "gopher_repetition":
            stats = gopher.repetition_stats(ctx, tops, dups)
        elif step == "c4":
            stats, new_text = c4.c4_stats(ctx, p)
            ctx.set_text(new_text)
        elif step == "fineweb_quality":
            stats = fineweb.fineweb_stats(ctx, int(p["short_line_length"]))
        else:  # pragma: no cover
            raise KeyError(step)
        for k, v in stats.items():
            row[f"{step}.{k}"] = float(v)
    row["chars_final"] = len(ctx.text)
    return row, ctx.text


# ---- dedup fingerprints ---------------------------------------------------------------------------------


def shingle_tokens(text: str, code: str | None, per_language: bool) -> tuple[list[str], bool]:
    """Tokens to shingle and whether they are characters (CJK) rather than words."""
    s = simplify_text(text)
    if per_language and code in CJK_LANGS:
        return list(s.replace(" ", "")), True
    return s.split(), False


def exact_hash(text: str) -> int:
    return xxhash.xxh3_64_intdigest(simplify_text(text).encode("utf-8"))


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
    sh_parts: list[np.ndarray] = []
    sh_lens = np.zeros(n_docs, dtype=np.int64)
    for i in range(n_docs):
        L = int(lens[i])
        if L == 0:
            continue
        n = char_ngram if char_flags[i] else ngram
        seg = th[starts[i] : starts[i] + L]
        n_eff = min(n, L)
        m = L - n_eff + 1
        key = np.zeros(m, dtype=np.uint64)
        for j in range(n_eff):
            key = key * _MULT + seg[j : j + m]
        sh_parts.append(key)
        sh_lens[i] = m
    has = sh_lens > 0
    shingles = np.concatenate(sh_parts)
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
    kw = plan.cfg.filtering.exclude_keywords if plan.cfg.filtering else None
    kw_pats = length.keyword_pattern(kw.keywords if kw else [])
    cols = batch.to_pydict()
    n = len(cols["text"])
    rows: list[dict[str, Any]] = []
    texts: list[str] = []
    for i in range(n):
        md = json.loads(cols["metadata"][i]) if cols["metadata"][i] else {}
        r, final = tag_document(cols["text"][i] or "", md, plan, kw_pats)
        rows.append(r)
        texts.append(final)
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
    data["exact_hash"] = [exact_hash(t) if t else 0 for t in texts]
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
        toks, flags = zip(*(shingle_tokens(t, r.get("lang"), plan.per_language) for t, r in zip(texts, rows, strict=True)), strict=True) if n else ((), ())
        keys = band_keys_batch(list(toks), list(flags), mh.ngram, mh.cjk_char_ngram, mh.bands, mh.rows, mh.seed)
        data["band_keys"] = pa.FixedSizeListArray.from_arrays(pa.array(keys.reshape(-1), pa.uint64()), mh.bands)
        schema_fields.append(pa.field("band_keys", pa.list_(pa.uint64(), mh.bands)))
    return pa.table(data, schema=pa.schema(schema_fields))
