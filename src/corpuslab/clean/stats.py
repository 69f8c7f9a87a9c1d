"""The cleaning funnel: documents and characters in/out per step and per source, and why each was dropped.

Character counts follow the text as it changes: raw length into the input checks, cleaned length into the
filters, the rewritten length from the first step whose family rewrites the text (C4) on.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pyarrow as pa

from corpuslab.clean.config import CleanConfig
from corpuslab.clean.decide import Decision
from corpuslab.clean.families import family

EXAMPLES_PER_REASON = 5


def _column_array(tables: list[pa.Table], name: str, dtype: Any = np.int64) -> np.ndarray:
    if not tables:
        return np.zeros(0, dtype=dtype)
    return np.concatenate([t.column(name).to_numpy(zero_copy_only=False) for t in tables]).astype(dtype)


def build_stats(
    cfg: CleanConfig,
    shards: list[Any],
    tables: list[pa.Table],
    decision: Decision,
    dedup_steps: list[str],
    tag_infos: list[dict[str, Any]],
    cluster_size: np.ndarray,
) -> dict[str, Any]:
    """``stats.json``: input and output counts, the funnel per step and source, drop reasons with examples.
    ``decision`` covers every document of ``tables`` in order, dedup included."""
    step_index, reason, value = decision.step_index, decision.reason, decision.value
    sources = np.concatenate([np.full(t.num_rows, s.source, dtype=object) for s, t in zip(shards, tables, strict=True)]) if tables else np.zeros(0, object)
    chars_in, chars_clean, chars_final = _column_array(tables, "chars_in"), _column_array(tables, "chars_clean"), _column_array(tables, "chars_final")
    non_utf8 = _column_array(tables, "non_utf8", bool)
    steps = ["input", *cfg.steps, *dedup_steps]
    # 1-based position of the step after which the text is the final (rewritten) one
    rewrite_pos = next((k for k, s in enumerate(cfg.steps, start=1) if family(s).rewrites_text), None)
    src_names = list(dict.fromkeys(s.source for s in shards))

    funnel = []
    for k, name in enumerate(steps):
        enters = (step_index < 0) | (step_index >= k)
        leaves = (step_index < 0) | (step_index > k)
        if k == 0:
            cin, cout = chars_in, chars_clean
        elif rewrite_pos is not None and k < rewrite_pos:
            cin, cout = chars_clean, chars_clean
        elif rewrite_pos is not None and k == rewrite_pos:
            cin, cout = chars_clean, chars_final
        else:
            cin = chars_final if rewrite_pos is not None else chars_clean
            cout = cin
        entry: dict[str, Any] = {
            "step": name,
            "docs_in": int(enters.sum()), "docs_out": int(leaves.sum()),
            "chars_in": int(cin[enters].sum()), "chars_out": int(cout[leaves].sum()),
            "by_source": {},
        }
        for src in src_names:
            sm = sources == src
            entry["by_source"][src] = {
                "docs_in": int((enters & sm).sum()), "docs_out": int((leaves & sm).sum()),
                "chars_in": int(cin[enters & sm].sum()), "chars_out": int(cout[leaves & sm].sum()),
            }
        funnel.append(entry)

    reasons: dict[str, Any] = {}
    dropped = np.flatnonzero(step_index >= 0)
    by_reason: dict[str, list[int]] = defaultdict(list)
    for i in dropped:
        by_reason[str(reason[i])].append(int(i))
    ids_all = _all_ids(tables)
    for r, idx in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        vals = value[idx]
        finite = vals[np.isfinite(vals)]
        per_src: dict[str, int] = defaultdict(int)
        for i in idx:
            per_src[str(sources[i])] += 1
        reasons[r] = {
            "count": len(idx),
            "by_source": dict(per_src),
            "value": {"min": float(finite.min()), "median": float(np.median(finite)), "max": float(finite.max())} if len(finite) else None,
            "examples": [{"id": ids_all[i], "value": None if not np.isfinite(value[i]) else float(value[i])} for i in idx[:EXAMPLES_PER_REASON]],
        }
    read_problems: dict[str, int] = defaultdict(int)
    for info in tag_infos:
        for k2, v in (info.get("read_problems") or {}).items():
            read_problems[k2] += int(v)
    kept = step_index < 0
    return {
        "input": {
            "docs": int(len(step_index)), "chars": int(chars_in.sum()), "shards": len(shards),
            "non_utf8_docs": int(non_utf8.sum()), **{k: int(v) for k, v in read_problems.items()},
        },
        "output": {
            "docs": int(kept.sum()), "chars": int((chars_final if rewrite_pos else chars_clean)[kept].sum()),
            "by_source": {s: int((kept & (sources == s)).sum()) for s in src_names},
            "duplicate_clusters": int((cluster_size[kept] > 1).sum()) if len(cluster_size) else 0,
        },
        "steps": steps,
        "funnel": funnel,
        "drop_reasons": reasons,
    }


def _all_ids(tables: list[pa.Table]) -> list[str]:
    out: list[str] = []
    for t in tables:
        out.extend(str(x) for x in t.column("id").to_pylist())
    return out


def format_funnel(stats: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """Rows (step, docs in → out, kept %, chars in → out, top reason) for printing."""
    rows = []
    reasons = stats.get("drop_reasons", {})
    for e in stats["funnel"]:
        pct = 100.0 * e["docs_out"] / e["docs_in"] if e["docs_in"] else 100.0
        top = [(r, v["count"]) for r, v in reasons.items() if r.split(":")[0] == e["step"]]
        top_s = ", ".join(f"{r.split(':', 1)[1]} {c}" for r, c in sorted(top, key=lambda x: -x[1])[:3])
        rows.append((e["step"], f"{e['docs_in']:,} → {e['docs_out']:,}", f"{pct:.1f}%", f"{e['chars_in']:,} → {e['chars_out']:,}", top_s))
    return rows
