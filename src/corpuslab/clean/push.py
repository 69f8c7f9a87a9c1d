"""``corpuslab push``: publish a cleaned folder as a Hugging Face dataset.

Everything up to the upload is prepared locally and testable: :func:`prepare_push` writes a staging folder
with one Parquet file per source (one config per source in the card's ``configs:`` block, metadata kept as
columns) and a ``README.md`` dataset card with the mixture plan and the cleaning funnel. The network call is
isolated in :func:`upload_folder`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from corpuslab.clean.config import PushConfig
from corpuslab.clean.merge import cleaned_shards
from corpuslab.clean.stats import format_funnel
from corpuslab.core.atomic import atomic_path, read_json
from corpuslab.core.errors import CorpuslabError
from corpuslab.core.safe_names import safe_name
from corpuslab.core.shards import iter_records


def _records_table(recs: list[dict[str, Any]]) -> pa.Table:
    md_keys: list[str] = sorted({k for r in recs for k in (r.get("metadata") or {})})
    cols: dict[str, Any] = {"id": [r.get("id") for r in recs], "text": [r["text"] for r in recs]}
    for k in md_keys:
        vals = [(r.get("metadata") or {}).get(k) for r in recs]
        if any(isinstance(v, (dict, list)) for v in vals):
            vals = [None if v is None else json.dumps(v, ensure_ascii=False) for v in vals]
        try:
            cols[f"meta_{k}"] = pa.array(vals)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            cols[f"meta_{k}"] = pa.array([None if v is None else str(v) for v in vals])
    return pa.table(cols)


def dataset_card(repo_name: str, configs: list[str], stats: dict[str, Any] | None, plan: dict[str, Any] | None,
                 private: bool) -> str:
    header = {
        "configs": [{"config_name": c, "data_files": [{"split": "train", "path": f"data/{c}.parquet"}]} for c in configs],
        "tags": ["corpuslab"],
    }
    lines = ["---", yaml.safe_dump(header, sort_keys=False, allow_unicode=True).strip(), "---", "",
             f"# {repo_name}", "", "Built with corpuslab: stage-1 mixture sample, then stage-2 cleaning.", ""]
    if plan:
        lines += ["## Mixture plan", "", f"target samples: {plan.get('target_samples')}, seed: {plan.get('seed')}", "",
                  "| source | weight | quota | kept |", "|---|---|---|---|"]
        for s in plan.get("sources", []):
            lines.append(f"| {s.get('name')} | {s.get('weight')} | {s.get('quota')} | {s.get('kept')} |")
        lines.append("")
    if stats:
        lines += ["## Cleaning funnel", "", "| step | docs in → out | kept | chars in → out | top drop reasons |",
                  "|---|---|---|---|---|"]
        lines += [f"| {' | '.join(r)} |" for r in format_funnel(stats)]
        lines += ["", f"Steps: {', '.join(stats.get('steps', []))}.", ""]
    lines += [f"Visibility: {'private' if private else 'public'}.", ""]
    return "\n".join(lines)


def prepare_push(cfg: PushConfig) -> dict[str, Any]:
    """Write the exact files that would be uploaded into ``cfg.staging``; returns what would be sent."""
    repo_name, private = cfg.repo_name, cfg.private
    if "/" not in repo_name or len(repo_name.split("/")) != 2 or not all(repo_name.split("/")):
        raise CorpuslabError(f"repo_name must look like user/name, got {repo_name!r}")
    if not cfg.staging:
        raise CorpuslabError("staging: give the folder to prepare the upload in")
    root = Path(cfg.input_folder)
    by_source: dict[str, list[dict[str, Any]]] = {}
    for src, f in cleaned_shards(root):
        by_source.setdefault(safe_name(src), []).extend(iter_records(f))
    stage = Path(cfg.staging)
    (stage / "data").mkdir(parents=True, exist_ok=True)
    files = []
    for cfg_name, recs in sorted(by_source.items()):
        p = stage / "data" / f"{cfg_name}.parquet"
        with atomic_path(p) as tmp:
            pq.write_table(_records_table(recs), tmp, compression="zstd")
        files.append(str(p.relative_to(stage)))
    stats = read_json(root / "stats.json") if (root / "stats.json").exists() else None
    plan = None
    for cand in (root / "plan.json", Path(str((stats or {}).get("run", {}).get("raw_folder", ""))) / "plan.json"):
        if cand.is_file():
            plan = read_json(cand)
            break
    card = dataset_card(repo_name, sorted(by_source), stats, plan, private)
    with atomic_path(stage / "README.md") as tmp:
        Path(tmp).write_text(card, encoding="utf-8")
    files.append("README.md")
    if stats:
        with atomic_path(stage / "stats.json") as tmp:
            Path(tmp).write_text(json.dumps(stats, ensure_ascii=False, indent=2), encoding="utf-8")
        files.append("stats.json")
    return {"repo_id": repo_name, "private": private, "staging": str(stage), "files": sorted(files),
            "configs": sorted(by_source), "docs": {k: len(v) for k, v in by_source.items()}}


def upload_folder(staging: str | os.PathLike[str], repo_id: str, private: bool, token: str | None = None) -> str:
    """The only network call: create the dataset repo and upload the staging folder. Returns the repo URL."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    api.upload_folder(folder_path=str(staging), repo_id=repo_id, repo_type="dataset", commit_message="corpuslab push")
    return f"https://huggingface.co/datasets/{repo_id}"
