"""``revert collect``: revisions with revert labels from MediaWiki full-history XML and history TSV dumps.

Label (as trokhymovych/KI_multilingual_training ``modules/data_collection.py``): a revision is *reverted*
when a later revision restores an earlier content SHA-1 (an identity revert) within ``revert_radius``
revisions (mwreverts; 15 = MediaWiki's ``$wgRevertedTagMaxDepth``) and, if set, within
``revert_window_hours``. The first reverting revision is recorded. A *revision war* (``-f2``) is a
reverted edit whose reverting revision was itself reverted — the reference self-joins
``mediawiki_history`` on ``revision_first_identity_reverting_revision_id``; we do the same join over
everything a run read, per language, so it works across input files.

Filters (reference flags): bots out, page creations out (``parent_id == 0``), ``anonymous_only`` (-f1),
``drop_revision_wars`` (-f2), a date window per mode (train/test), ``max_per_language`` (-n; uniform
sampling, done here as the n smallest seeded hashes of the revision id so it is order-independent and
identical on every engine). Output: ``<out>/lang=<code>/part-00000.parquet``, ``collect.json`` and the
run card ``run.json``.

Each input file is one task for :func:`corpuslab.engine.run_tasks` (local pool or Ray); tasks write
per-task parts and the driver merges them per language, so the engines give the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xxhash

from corpuslab.core.atomic import atomic_path, write_json_atomic
from corpuslab.core.errors import ConfigError, DataError
from corpuslab.core.markers import clear_complete, completion_info, mark_complete
from corpuslab.core.runcard import run_card
from corpuslab.core.runinfo import run_info
from corpuslab.core.streams import open_read
from corpuslab.engine import run_tasks
from corpuslab.revert.config import CollectConfig, iso_timestamp
from corpuslab.revert.diff import EDIT_TYPE_COLUMNS, diff_pieces
from corpuslab.revert.languages import is_known_language, lang_from_dbname, lang_from_site
from corpuslab.revert.schema import GOOD_USER_GROUPS, REVISION_SCHEMA, rows_to_table

log = logging.getLogger(__name__)

# Column order of the public MediaWiki history TSV dumps (no header; wikitech "MediaWiki history dumps").
HISTORY_TSV_COLUMNS: tuple[str, ...] = (
    "wiki_db", "event_entity", "event_type", "event_timestamp", "event_comment", "event_user_id",
    "event_user_text_historical", "event_user_text", "event_user_blocks_historical", "event_user_blocks",
    "event_user_groups_historical", "event_user_groups", "event_user_is_bot_by_historical",
    "event_user_is_bot_by", "event_user_is_created_by_self", "event_user_is_created_by_system",
    "event_user_is_created_by_peer", "event_user_is_anonymous", "event_user_registration_timestamp",
    "event_user_creation_timestamp", "event_user_first_edit_timestamp", "event_user_revision_count",
    "event_user_seconds_since_previous_revision", "page_id", "page_title_historical", "page_title",
    "page_namespace_historical", "page_namespace_is_content_historical", "page_namespace",
    "page_namespace_is_content", "page_is_redirect", "page_is_deleted", "page_creation_timestamp",
    "page_first_edit_timestamp", "page_revision_count", "page_seconds_since_previous_revision", "user_id",
    "user_text_historical", "user_text", "user_blocks_historical", "user_blocks", "user_groups_historical",
    "user_groups", "user_is_bot_by_historical", "user_is_bot_by", "user_is_created_by_self",
    "user_is_created_by_system", "user_is_created_by_peer", "user_is_anonymous", "user_registration_timestamp",
    "user_creation_timestamp", "user_first_edit_timestamp", "revision_id", "revision_parent_id",
    "revision_minor_edit", "revision_deleted_parts", "revision_deleted_parts_are_suppressed",
    "revision_text_bytes", "revision_text_bytes_diff", "revision_text_sha1", "revision_content_model",
    "revision_content_format", "revision_is_deleted_by_page_deletion",
    "revision_deleted_by_page_deletion_timestamp", "revision_is_identity_reverted",
    "revision_first_identity_reverting_revision_id", "revision_seconds_to_identity_revert",
    "revision_is_identity_revert", "revision_is_from_before_page_creation", "revision_tags",
)
_COL = {name: i for i, name in enumerate(HISTORY_TSV_COLUMNS)}
BAD_INPUT_KEYS = ("missing_text", "unknown_language", "duplicate_rev_id", "malformed_line")
# English rollback summary ("Reverted edits by [[Special:Contributions/X|X]] ... to last revision by Y").
_ROLLBACK = re.compile(r"Reverted edits by \[\[Special:Contributions/([^|\]]+)")


def _unix(iso: str) -> int:
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def sha1_base36(text: str) -> str:
    """MediaWiki's revision SHA-1: base-36, zero-padded to 31 characters."""
    n = int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest(), "big")
    digits = []
    while n:
        n, r = divmod(n, 36)
        digits.append("0123456789abcdefghijklmnopqrstuvwxyz"[r])
    return "".join(reversed(digits)).rjust(31, "0")


# ---- revert labels --------------------------------------------------------------------------------


def label_reverts(revs: list[dict[str, Any]], radius: int = 15, window_hours: float | None = None,
                  rollback_comments: bool = False) -> None:
    """Set ``is_reverted``/``reverting_rev_id``/``seconds_to_revert``/``is_revert``/``is_revision_war``.

    ``revs`` are one page's revisions in history order, each with ``sha1`` (None = unknown),
    ``rev_id``, ``timestamp`` (ISO) and optionally ``comment``/``user_text``/``user_groups``.
    """
    import mwreverts

    window = None if window_hours is None else window_hours * 3600.0
    for r in revs:
        r.update(is_reverted=False, reverting_rev_id=None, seconds_to_revert=None, is_revert=False,
                 is_revision_war=False, is_reverted_by_good_user=None)
    secs = [_unix(r["timestamp"]) for r in revs]

    def mark(k: int, rr: int) -> bool:
        if revs[k]["is_reverted"]:
            return False
        dt = secs[rr] - secs[k]
        if window is not None and dt > window:
            return False
        groups = revs[rr].get("user_groups")  # unknown (None/empty) in plain XML dumps
        revs[k].update(is_reverted=True, reverting_rev_id=revs[rr]["rev_id"], seconds_to_revert=dt,
                       is_reverted_by_good_user=bool(set(groups) & GOOD_USER_GROUPS) if groups else None)
        return True

    stream = ((r["sha1"] if r.get("sha1") else mwreverts.DummyChecksum(), i) for i, r in enumerate(revs))
    for rv in mwreverts.detect(stream, radius=radius):
        hit = [mark(k, rv.reverting) for k in rv.reverteds]
        if any(hit):
            revs[rv.reverting]["is_revert"] = True
    if rollback_comments:
        for rr, r in enumerate(revs):
            m = _ROLLBACK.search(r.get("comment") or "")
            if not m:
                continue
            who = m.group(1).strip()
            k = rr - 1
            hit = False
            while k >= 0 and revs[k].get("user_text") == who and rr - k <= radius:
                hit = mark(k, rr) or hit
                k -= 1
            if hit:
                r["is_revert"] = True
    reverted = {r["rev_id"] for r in revs if r["is_reverted"]}
    for r in revs:
        r["is_revision_war"] = bool(r["is_reverted"] and r["reverting_rev_id"] in reverted)


# ---- readers ------------------------------------------------------------------------------------


def _keep(row: dict[str, Any], cfg: CollectConfig, window: tuple[str | None, str | None], counts: Counter) -> bool:
    """Task-level filters in the reference's order; each drop is counted under ``filtered_<why>``."""
    if cfg.drop_bots and row["is_bot"]:
        counts["filtered_bot"] += 1
        return False
    if cfg.drop_page_creations and row["is_page_creation"]:
        counts["filtered_page_creation"] += 1
        return False
    if cfg.anonymous_only and not row["is_anonymous"]:
        counts["filtered_registered"] += 1
        return False
    start, end = window
    ts = row["timestamp"]
    if (start is not None and ts < start) or (end is not None and ts >= end):
        counts["filtered_date_window"] += 1
        return False
    return True


def _xml_rows(path: str, cfg: CollectConfig, counts: Counter, reverted_ids: list[int]) -> Iterator[dict[str, Any]]:
    import mwxml

    bot = re.compile(cfg.bot_name_pattern)
    extra = frozenset(cfg.extra_languages)
    window = cfg.window()
    with open_read(path) as fh:
        try:
            dump = mwxml.Dump.from_file(fh)
        except Exception as e:  # mwxml raises bare exceptions on a broken header
            raise DataError(f"{path}: not a MediaWiki XML dump ({type(e).__name__}: {e})") from e
        si = dump.site_info
        lang = cfg.lang or lang_from_site(getattr(si, "dbname", None), getattr(si, "base", None), Path(path).name)
        dbname = getattr(si, "dbname", None) or (f"{lang.replace('-', '_')}wiki" if lang else None)
        known = is_known_language(lang, extra)
        if not known:
            log.warning("%s: unknown language code %r; its revisions are skipped", path, lang)
        seen: set[int] = set()
        for page in dump:
            if not known:
                counts["unknown_language"] += sum(1 for _ in page)
                continue
            if page.namespace not in cfg.namespaces:
                counts["other_namespace"] += sum(1 for _ in page)
                continue
            if page.redirect:
                counts["redirect_page"] += sum(1 for _ in page)
                continue
            revs: list[dict[str, Any]] = []
            for r in page:
                counts["read"] += 1
                if r.id in seen:
                    counts["duplicate_rev_id"] += 1
                    continue
                seen.add(r.id)
                text = r.text
                user = r.user
                user_text = user.text if user is not None else None
                anon = user is None or user.id is None
                revs.append({
                    "lang": lang, "wiki_db": dbname, "page_id": page.id, "page_title": page.title,
                    "rev_id": r.id, "parent_id": r.parent_id or 0, "timestamp": str(r.timestamp),
                    "user_text": user_text, "user_id": None if anon else user.id, "is_anonymous": anon,
                    "user_groups": [], "is_bot": bool(user_text and not anon and bot.search(user_text)),
                    "comment": r.comment, "tags": [], "sha1": r.sha1 or (sha1_base36(text) if text is not None else None),
                    "_text": text, "source": "xml",
                })
            if not revs:
                continue
            label_reverts(revs, cfg.revert_radius, cfg.revert_window_hours, cfg.rollback_comments)
            reverted_ids.extend(r["rev_id"] for r in revs if r["is_reverted"])
            by_id = {r["rev_id"]: r for r in revs}
            for i, row in enumerate(revs):
                row["is_page_creation"] = row["parent_id"] == 0
                if not _keep(row, cfg, window, counts):
                    continue
                if row["is_page_creation"]:
                    old: str | None = ""
                elif row["parent_id"] in by_id:
                    old = by_id[row["parent_id"]]["_text"]
                elif i > 0 and revs[i - 1]["rev_id"] < row["rev_id"] and row["parent_id"] == revs[i - 1]["rev_id"]:
                    old = revs[i - 1]["_text"]
                else:
                    old = None  # the parent predates this dump
                new = row["_text"]
                row["bytes"] = len(new.encode("utf-8")) if new is not None else None
                if new is None or old is None:
                    counts["missing_text"] += 1
                    if cfg.drop_missing_text:
                        continue
                    row.update(has_text=False, bytes_diff=None, texts_insert=[], texts_remove=[],
                               texts_change_old=[], texts_change_new=[])
                else:
                    d = diff_pieces(old, new)
                    row.update(has_text=True, bytes_diff=row["bytes"] - len(old.encode("utf-8")),
                               texts_insert=d.inserts, texts_remove=d.removes,
                               texts_change_old=[a for a, _ in d.changes], texts_change_new=[b for _, b in d.changes],
                               **d.edit_types)
                out = {k: v for k, v in row.items() if not k.startswith("_")}
                yield out
            for r in revs:  # free page texts early
                r.pop("_text", None)


def _tsv_list(v: str) -> list[str]:
    v = v.strip()
    if v.startswith("[") and v.endswith("]"):
        v = v[1:-1]
    return [x.strip() for x in v.split(",") if x.strip()]


def _tsv_int(v: str) -> int | None:
    v = v.strip()
    if not v or v.lower() in ("null", "\\n", "none"):
        return None
    return int(float(v))


def _tsv_rows(path: str, cfg: CollectConfig, counts: Counter, reverted_ids: list[int]) -> Iterator[dict[str, Any]]:
    """MediaWiki history TSV: labels and user groups come with the rows; there is no text."""
    extra = frozenset(cfg.extra_languages)
    window = cfg.window()
    seen: set[int] = set()
    n_cols = len(HISTORY_TSV_COLUMNS)
    with open_read(path) as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if not line:
                continue
            f = line.split("\t")
            if len(f) != n_cols:
                counts["malformed_line"] += 1
                if counts["malformed_line"] <= 3:
                    log.warning("%s:%d: expected %d columns, got %d", path, lineno, n_cols, len(f))
                continue
            if f[_COL["event_entity"]] != "revision" or f[_COL["event_type"]] != "create":
                continue
            try:
                ns = _tsv_int(f[_COL["page_namespace"]] or f[_COL["page_namespace_historical"]])
                rev_id = _tsv_int(f[_COL["revision_id"]])
                ts = iso_timestamp(f[_COL["event_timestamp"]])
            except (ValueError, ConfigError):
                counts["malformed_line"] += 1
                continue
            if rev_id is None or ts is None:
                counts["malformed_line"] += 1
                continue
            if ns not in cfg.namespaces:
                counts["other_namespace"] += 1
                continue
            counts["read"] += 1
            lang = lang_from_dbname(f[_COL["wiki_db"]])
            if not is_known_language(lang, extra):
                counts["unknown_language"] += 1
                continue
            if rev_id in seen:
                counts["duplicate_rev_id"] += 1
                continue
            seen.add(rev_id)
            reverted = f[_COL["revision_is_identity_reverted"]] == "true"
            if reverted:
                reverted_ids.append(rev_id)
            anon = f[_COL["event_user_is_anonymous"]] == "true"
            parent = _tsv_int(f[_COL["revision_parent_id"]]) or 0
            groups = _tsv_list(f[_COL["event_user_groups_historical"]])
            row = {
                "lang": lang, "wiki_db": f[_COL["wiki_db"]], "page_id": _tsv_int(f[_COL["page_id"]]),
                "page_title": f[_COL["page_title_historical"]] or f[_COL["page_title"]], "rev_id": rev_id,
                "parent_id": parent, "timestamp": ts, "user_text": f[_COL["event_user_text_historical"]] or None,
                "user_id": None if anon else _tsv_int(f[_COL["event_user_id"]]), "is_anonymous": anon,
                "user_groups": groups,
                "is_bot": bool(_tsv_list(f[_COL["event_user_is_bot_by_historical"]]) or _tsv_list(f[_COL["event_user_is_bot_by"]])),
                "is_page_creation": parent == 0, "comment": f[_COL["event_comment"]] or None,
                "tags": _tsv_list(f[_COL["revision_tags"]]), "bytes": _tsv_int(f[_COL["revision_text_bytes"]]),
                "bytes_diff": _tsv_int(f[_COL["revision_text_bytes_diff"]]), "sha1": f[_COL["revision_text_sha1"]] or None,
                "is_reverted": reverted,
                "reverting_rev_id": _tsv_int(f[_COL["revision_first_identity_reverting_revision_id"]]) if reverted else None,
                "seconds_to_revert": _tsv_int(f[_COL["revision_seconds_to_identity_revert"]]) if reverted else None,
                "is_revert": f[_COL["revision_is_identity_revert"]] == "true", "is_revision_war": False,
                "is_reverted_by_good_user": None, "has_text": False, "texts_insert": [], "texts_remove": [],
                "texts_change_old": [], "texts_change_new": [], "source": "tsv",
            }
            if reverted and cfg.revert_window_hours is not None and row["seconds_to_revert"] is not None \
                    and row["seconds_to_revert"] > cfg.revert_window_hours * 3600:
                row.update(is_reverted=False, reverting_rev_id=None, seconds_to_revert=None)
            if _keep(row, cfg, window, counts):
                yield row


def input_kind(path: str) -> Literal["xml", "tsv"]:
    name = Path(path).name.lower()
    for suf in (".bz2", ".gz", ".zst", ".xz"):
        if name.endswith(suf):
            name = name[: -len(suf)]
    if name.endswith(".xml"):
        return "xml"
    if name.endswith((".tsv", ".txt")):
        return "tsv"
    raise DataError(f"{path}: cannot tell the input kind: expected *.xml[.bz2|.gz|.zst] or *.tsv[.bz2|.gz]")


def collect_task(task: dict[str, Any]) -> dict[str, Any]:
    """One input file → per-language part files in ``task['part_dir']``; returns counts. Picklable for Ray."""
    cfg = CollectConfig.model_validate(task["config"])
    path, idx, part_dir = task["path"], task["index"], Path(task["part_dir"])
    counts: Counter = Counter()
    reverted_ids: list[int] = []
    reader = _xml_rows if input_kind(path) == "xml" else _tsv_rows
    by_lang: dict[str, list[dict[str, Any]]] = {}
    for row in reader(path, cfg, counts, reverted_ids):
        by_lang.setdefault(row["lang"], []).append(row)
    parts = {}
    for lang, rows in by_lang.items():
        for c in EDIT_TYPE_COLUMNS:
            for r in rows:
                r.setdefault(c, 0 if r["has_text"] else None)
        p = part_dir / f"{idx:05d}-{lang}.parquet"
        with atomic_path(p) as tmp:
            pq.write_table(rows_to_table(rows), tmp)
        parts[lang] = str(p)
    rp = part_dir / f"{idx:05d}-reverted.parquet"
    with atomic_path(rp) as tmp:
        pq.write_table(pa.table({"rev_id": pa.array(reverted_ids, pa.int64())}), tmp)
    return {"path": path, "counts": dict(counts), "parts": parts, "reverted": str(rp)}


def _task_key(task: dict[str, Any]) -> str:
    """Input file identity (path, size, mtime) + the settings that decide a task's output."""
    st = Path(task["path"]).stat()
    settings = {k: v for k, v in task["config"].items() if k not in CollectConfig.io_fields}
    blob = json.dumps([task["path"], st.st_size, st.st_mtime_ns, settings], sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()


def _task_marker(task: dict[str, Any]) -> str:
    """A task's last file, relative to the parts folder: its completion marker is keyed by it."""
    return f"{task['index']:05d}-reverted.parquet"


def _finished_result(task: dict[str, Any]) -> dict[str, Any] | None:
    """The result of a task a killed run finished, when its input and settings are unchanged."""
    done = completion_info(task["part_dir"], _task_marker(task))
    if done is None:
        return None
    if done.get("key") == _task_key(task) and all(Path(p).exists() for p in done["parts"].values()):
        return {k: v for k, v in done.items() if k not in ("shard", "key")}
    clear_complete(task["part_dir"], _task_marker(task))
    return None


def _hash_rank(rev_ids: np.ndarray, seed: int) -> np.ndarray:
    return np.array([xxhash.xxh64_intdigest(int(r).to_bytes(8, "little", signed=True), seed=seed) for r in rev_ids],
                    dtype=np.uint64)


def _check_inputs(files: list[str]) -> None:
    if not files:
        raise ConfigError("revert collect: no input files given")
    for f in files:
        if not Path(f).exists():
            raise DataError(f"{f}: file not found")
        input_kind(f)


def collect(cfg: CollectConfig, progress: bool = True) -> dict[str, Any]:
    """Collect labelled revisions from ``cfg.inputs`` into Parquet under ``cfg.out``, partitioned by language.

    One task per input file; a finished task is marked complete (``core.markers``), so a killed run
    resumes without reading that input again. Returns the report also written to ``collect.json``.
    """
    out = Path(cfg.out)
    files = [str(p) for p in cfg.inputs]
    _check_inputs(files)
    with run_card(out, "revert-collect", cfg, inputs={"inputs": files}) as card:
        report = _collect(cfg, files, out, progress)
        langs = report["languages"]
        card.counts.update(
            revisions=report["written"], reverted=sum(v["reverted"] for v in langs.values()),
            reverted_share=round(sum(v["reverted"] for v in langs.values()) / report["written"], 4)
            if report["written"] else None,
            revisions_per_language={lg: v["revisions"] for lg, v in langs.items()},
            reverted_share_per_language={lg: v["revert_rate"] for lg, v in langs.items()},
            bad_input=sum(report["bad_input"].values()))
        card.outputs.update(revisions="lang=*/part-*.parquet", report="collect.json")
    return report


def _collect(cfg: CollectConfig, files: list[str], out: Path, progress: bool) -> dict[str, Any]:
    part_dir = out / "_parts"
    part_dir.mkdir(parents=True, exist_ok=True)
    config = cfg.model_dump(mode="json")
    tasks = [{"path": f, "index": i, "part_dir": str(part_dir), "config": config} for i, f in enumerate(files)]
    results: list[dict[str, Any] | None] = [_finished_result(t) for t in tasks]
    todo = [t for t, r in zip(tasks, results, strict=True) if r is None]

    def _done(i: int, res: dict[str, Any]) -> None:
        mark_complete(part_dir, _task_marker(todo[i]), {**res, "key": _task_key(todo[i])})

    for t, res in zip(todo, run_tasks(collect_task, todo, workers=cfg.workers, engine=cfg.engine, desc="collect",
                                      progress=progress, on_result=_done), strict=True):
        results[t["index"]] = res
    finished = [r for r in results if r is not None]

    counts: Counter = Counter()
    for r in finished:
        counts.update(r["counts"])
    langs = sorted({lang for r in finished for lang in r["parts"]})
    reverted = pa.concat_tables([pq.read_table(r["reverted"]) for r in finished])["rev_id"]
    per_lang: dict[str, Any] = {}
    for old in out.glob("lang=*"):
        shutil.rmtree(old, ignore_errors=True)
    for lang in langs:
        table = pa.concat_tables([pq.read_table(r["parts"][lang]) for r in finished if lang in r["parts"]])
        table = _finalize_language(table, reverted, cfg, counts)
        n_written = _write_language(table, out / f"lang={lang}", cfg.rows_per_shard)
        labels = table["is_reverted"].to_numpy(zero_copy_only=False)
        anon = table["is_anonymous"].to_numpy(zero_copy_only=False)
        per_lang[lang] = {"revisions": n_written, "reverted": int(labels.sum()), "anonymous": int(anon.sum()),
                          "revert_rate": round(float(labels.mean()), 4) if len(labels) else None}
    shutil.rmtree(part_dir, ignore_errors=True)
    report = {
        "inputs": files, "engine": cfg.engine, "config": cfg.settings(), "window": list(cfg.window()),
        "languages": per_lang, "written": sum(v["revisions"] for v in per_lang.values()),
        "bad_input": {k: counts.get(k, 0) for k in BAD_INPUT_KEYS},
        "counts": dict(sorted(counts.items())), **run_info(),
    }
    write_json_atomic(out / "collect.json", report)
    return report


def _finalize_language(table: pa.Table, reverted: pa.ChunkedArray, cfg: CollectConfig, counts: Counter) -> pa.Table:
    """Run-wide steps: drop duplicate ids across inputs, mark revision wars, -f2, cap per language."""
    rev = table["rev_id"].to_numpy()
    _, first = np.unique(rev, return_index=True)  # first occurrence in task order
    if len(first) < len(rev):
        counts["duplicate_rev_id"] += len(rev) - len(first)
    table = table.take(pa.array(np.sort(first)))
    war = pc.and_(pc.fill_null(table["is_reverted"], False),
                  pc.fill_null(pc.is_in(table["reverting_rev_id"], value_set=pa.array(reverted.to_numpy(), pa.int64())), False))
    table = table.set_column(table.schema.get_field_index("is_revision_war"), "is_revision_war", war)
    if cfg.drop_revision_wars:
        n = table.num_rows
        table = table.filter(pc.invert(war))
        counts["filtered_revision_war"] += n - table.num_rows
    if cfg.max_per_language is not None and table.num_rows > cfg.max_per_language:
        ranks = _hash_rank(table["rev_id"].to_numpy(), cfg.seed)
        keep = np.argsort(ranks, kind="stable")[: cfg.max_per_language]
        counts["capped"] += table.num_rows - cfg.max_per_language
        table = table.take(pa.array(np.sort(keep)))
    order = pc.sort_indices(table, sort_keys=[("rev_id", "ascending")])
    return table.take(order)


def _write_language(table: pa.Table, folder: Path, rows_per_shard: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    n = table.num_rows
    for i, start in enumerate(range(0, max(n, 1), rows_per_shard)):
        with atomic_path(folder / f"part-{i:05d}.parquet") as tmp:
            pq.write_table(table.slice(start, rows_per_shard), tmp, compression="zstd")
    return n


def read_collected(path: str | Path, columns: list[str] | None = None) -> pa.Table:
    """All ``lang=*/part-*.parquet`` under a collect output (or one Parquet file) as one table."""
    p = Path(path)
    files = [p] if p.is_file() else sorted(p.glob("lang=*/part-*.parquet"))
    if not files:
        raise DataError(f"{p}: no collected revisions (expected lang=*/part-*.parquet from `revert collect`)")
    tables = []
    for f in files:
        try:
            tables.append(pq.read_table(f, columns=columns, schema=REVISION_SCHEMA if columns is None else None))
        except (OSError, pa.ArrowInvalid) as e:
            raise DataError(f"{f}: not a readable Parquet file ({e})") from e
    with contextlib.suppress(pa.ArrowInvalid):
        return pa.concat_tables(tables)
    return pa.concat_tables(tables, promote_options="default")


__all__ = ["HISTORY_TSV_COLUMNS", "collect", "collect_task", "label_reverts", "read_collected", "sha1_base36"]
