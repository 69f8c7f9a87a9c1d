"""Wikidata JSON dump → per-language ``title → QID`` tables from sitelinks, streamed.

The dump is one entity per line inside a JSON array (``[`` first, ``]`` last, lines end with ``,``),
``.json``, ``.json.gz`` or ``.json.bz2``. Only ``{lang}wiki`` sitelinks are read (as LEIA's
``scripts/extract_wikidata_ids.py``, studio-ousia/leia, does); titles are normalised like every other title
here. A line that is not JSON is counted (``bad_lines``) and skipped.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from corpuslab.core.atomic import write_json_atomic
from corpuslab.core.errors import DataError
from corpuslab.core.runcard import run_card
from corpuslab.core.streams import STREAM_ERRORS, open_read
from corpuslab.wiki.config import WikiWikidataConfig
from corpuslab.wiki.tables import write_pairs
from corpuslab.wiki.titles import normalize_title

log = logging.getLogger(__name__)

REPORT_FILE = "wikidata-report.json"


def site_for(lang: str) -> str:
    """``en`` → ``enwiki``, ``zh-yue`` → ``zh_yuewiki``."""
    return lang.replace("-", "_") + "wiki"


def iter_entities(path: str | os.PathLike[str], counters: Counter[str] | None = None) -> Iterator[dict[str, Any]]:
    """Stream entities; bad lines and a truncated stream are counted, not raised."""
    c = counters if counters is not None else Counter()
    p = str(path)
    if not Path(p).exists():
        raise DataError(f"{p}: Wikidata dump not found")
    lineno = 0
    try:
        with open_read(p) as fh:
            for lineno, raw in enumerate(fh, 1):  # noqa: B007 - used in the warning below
                line = raw.strip()
                if line.endswith(b","):
                    line = line[:-1]
                if not line or line in (b"[", b"]"):
                    continue
                try:
                    ent = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    c["bad_lines"] += 1
                    log.warning("%s:%d: not JSON; skipped", p, lineno)
                    continue
                if not isinstance(ent, dict) or "id" not in ent:
                    c["bad_lines"] += 1
                    continue
                c["entities"] += 1
                yield ent
    except STREAM_ERRORS as e:
        c["truncated"] += 1
        log.warning("%s: stream ends early after line %d (%s)", p, lineno, e)


def sitelink_tables(entities: Iterable[dict[str, Any]], languages: list[str],
                    counters: Counter[str] | None = None) -> dict[str, dict[str, str]]:
    """``{lang: {normalised title: QID}}`` for the asked languages."""
    c = counters if counters is not None else Counter()
    sites = {site_for(lang): lang for lang in languages}
    tables: dict[str, dict[str, str]] = {lang: {} for lang in languages}
    for ent in entities:
        links = ent.get("sitelinks") or {}
        if not isinstance(links, dict):
            continue
        for site, lang in sites.items():
            sl = links.get(site)
            if isinstance(sl, dict) and isinstance(sl.get("title"), str):
                t = normalize_title(sl["title"])
                if t:
                    tables[lang][t] = ent["id"]
                    c[f"sitelinks_{lang}"] += 1
    return tables


def extract_wikidata(cfg: WikiWikidataConfig, progress: bool = True) -> dict[str, Any]:
    """Write ``{lang}-wikidata-ids.{tsv|parquet}`` per language, ``wikidata-report.json`` and ``run.json``;
    return the report."""
    out = Path(cfg.output_dir)
    with run_card(out, "wiki-wikidata", cfg, inputs={"dump": cfg.dump}) as card:
        c: Counter[str] = Counter()
        ents = tqdm(iter_entities(cfg.dump, c), desc="wikidata", unit=" entities", disable=not progress)
        tables = sitelink_tables(ents, cfg.languages, c)
        files = {}
        for lang, table in tables.items():
            f = out / f"{lang}-wikidata-ids.{cfg.format}"
            write_pairs(f, sorted(table.items()), ("title", "qid"))
            files[lang] = str(f)
        report = {"dump": cfg.dump, "languages": cfg.languages, "counts": dict(sorted(c.items())), "files": files}
        write_json_atomic(out / REPORT_FILE, report)
        card.counts.update(report["counts"])
        card.outputs.update(tables={lang: Path(f).name for lang, f in files.items()}, report=REPORT_FILE)
    return report
