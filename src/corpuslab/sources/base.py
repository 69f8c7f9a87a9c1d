"""Resolve a source config into units and give each unit a chunk reader and a decoder."""

from __future__ import annotations

import glob
import importlib.util
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from corpuslab.core.errors import DataError
from corpuslab.core.records import get_field
from corpuslab.core.shards import JSONL_SUFFIXES

TEXT_SUFFIXES = (".txt", ".md", ".rst", ".py", ".c", ".h", ".cpp", ".js", ".ts", ".java", ".go", ".rs", ".sh",
                 ".toml", ".cfg", ".ini", ".html", ".htm", ".tex", ".css", ".sql", ".rb", ".php")
COMPRESS_SUFFIXES = (".gz", ".bz2", ".zst", ".xz")
HF_BUILDERS = {"json", "parquet", "csv", "text", "arrow", "webdataset"}


@dataclass(frozen=True)
class Unit:
    """One independently readable part of a source (a file, or a whole stream)."""

    source: str          # the source's slug (part of every key: different sources never collide)
    unit_id: str         # stable id inside the source (relative file path, or "" for a stream)
    path: str            # file path, or the dataset name for hub streams
    format: str
    options: dict[str, Any] = field(default_factory=dict)


def _strip_compress(name: str) -> str:
    for s in COMPRESS_SUFFIXES:
        if name.endswith(s):
            return name[: -len(s)]
    return name


def detect_format(path: str) -> str:
    base = os.path.basename(path).lower()
    core = _strip_compress(base)
    if base.endswith(JSONL_SUFFIXES) or core.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if base.endswith(".parquet"):
        return "parquet"
    if core.endswith(".warc") or core.endswith(".arc"):
        return "warc"
    if base.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
        return "html-tar"
    if core.endswith(".xml"):
        if "posts" in core:
            return "stackexchange"
        return "mediawiki"
    if core.endswith(TEXT_SUFFIXES):
        return "text"
    raise DataError(f"{path}: cannot tell the format from the name; set 'format:' on this source")


def expand_pkg(name: str) -> str:
    """``pkg://rich/**/*.py`` → the installed package's folder + the rest (code sources from site-packages)."""
    if not name.startswith("pkg://"):
        return name
    pkg, _, rest = name[len("pkg://"):].partition("/")
    spec = importlib.util.find_spec(pkg)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f"{name}: package {pkg!r} is not installed")
    root = list(spec.submodule_search_locations)[0]
    return os.path.join(root, rest) if rest else root


def _local_files(name: str, base_dir: str | None) -> tuple[list[str], str] | None:
    """Files for a local path/glob/folder (tried as given, then relative to ``base_dir``), and their root."""
    candidates = [os.path.expanduser(os.path.expandvars(name))]
    if base_dir and not os.path.isabs(candidates[0]):
        candidates.append(os.path.join(base_dir, candidates[0]))
    for c in candidates:
        if any(ch in c for ch in "*?["):
            files = sorted(f for f in glob.glob(c, recursive=True) if os.path.isfile(f))
            if files:
                root = c.split("*")[0].split("?")[0].split("[")[0]
                root = root if root.endswith(os.sep) else os.path.dirname(root)
                return files, root or "."
        elif os.path.isdir(c):
            files = sorted(
                os.path.join(d, f) for d, _, fs in os.walk(c) for f in fs if not f.startswith((".", "_"))
            )
            return files, c
        elif os.path.isfile(c):
            return [c], os.path.dirname(c) or "."
    return None


def resolve_units(src: Any, base_dir: str | None = None) -> list[Unit]:
    """Units of a :class:`~corpuslab.mixture.config.SourceConfig`; raises DataError naming the source."""
    name = expand_pkg(src.name)
    opts = {
        "text_field": src.text_field, "fields": dict(src.fields), "config": src.config, "split": src.split,
        "data_files": src.data_files, "data_dir": src.data_dir, "revision": src.revision,
        "trust_remote_code": src.trust_remote_code, "text_unit": src.text_unit, "chunk_chars": src.chunk_chars,
    }
    if src.format == "hf" or (src.format == "auto" and name in HF_BUILDERS):
        return [Unit(src.slug, "", name, "hf", opts)]
    found = _local_files(name, base_dir)
    if found is None:
        looks_local = name.startswith((".", "/", "~")) or any(c in name for c in "*?") or src.name.startswith("pkg://")
        if src.format not in ("auto", "hf") or looks_local or name.count("/") != 1:
            raise DataError(f"source {src.name!r}: no such file, folder or glob (and not a Hub dataset id)")
        return [Unit(src.slug, "", name, "hf", opts)]
    files, root = found
    units = []
    for f in files:
        fmt = src.format if src.format != "auto" else None
        if fmt is None:
            try:
                fmt = detect_format(f)
            except DataError:
                if len(files) == 1:
                    raise
                continue  # a folder may hold READMEs, indexes...; skip what we cannot read
        units.append(Unit(src.slug, os.path.relpath(f, root), f, fmt, opts))
    if not units:
        raise DataError(f"source {src.name!r}: no readable files found")
    return units


# ---- decoding ------------------------------------------------------------------------------------


def decode_mapping(rec: Any, text_field: str, fields: dict[str, str]) -> dict[str, Any] | None:
    """Pull the text and mapped fields out of an input record; None if there is no string text."""
    if not isinstance(rec, dict):
        return None
    try:
        text = get_field(rec, text_field)
    except KeyError:
        return None
    if not isinstance(text, str):
        return None
    out: dict[str, Any] = {}
    md = rec.get("metadata")
    if isinstance(md, dict):  # a corpuslab shard: carry its metadata forward
        out.update(md)
    for k, v in rec.items():
        if k not in (text_field, "metadata"):
            out["source_id" if k == "id" else k] = v
    for out_key, in_path in fields.items():
        try:
            out[out_key] = get_field(rec, in_path)
        except KeyError:
            out[out_key] = None
    out["text"] = text
    return out


def json_line_decoder(text_field: str, fields: dict[str, str]) -> Callable[[bytes], dict[str, Any] | None]:
    def decode(line: bytes) -> dict[str, Any] | None:
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return decode_mapping(rec, text_field, fields)

    return decode
