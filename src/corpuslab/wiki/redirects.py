"""Redirect table: every redirect title → the final (non-redirect) target, chains followed, loops dropped.

Mirrors LEIA's ``scripts/extract_wikipedia_redirects.py`` (studio-ousia/leia; Yamada & Ri, arXiv 2402.11485):
titles that take part in a cycle are dropped; so are titles whose chain runs into a cycle (their chain
has no end either). Both sides are normalised with :func:`~corpuslab.wiki.titles.normalize_title`; a
redirect to a section (``Foo#Bar``) points at ``Foo``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from corpuslab.core.runcard import run_card
from corpuslab.wiki.config import WikiRedirectsConfig
from corpuslab.wiki.extract import SiteInfo, iter_pages
from corpuslab.wiki.titles import normalize_title


def iter_redirect_pairs(dump_path: str | os.PathLike[str], counters: Counter[str] | None = None) -> Iterator[tuple[str, str]]:
    """``(source, direct target)`` for each redirect page of a dump, both normalised."""
    site: list[SiteInfo] = []
    ns = None
    c = counters if counters is not None else Counter()
    for page in iter_pages(dump_path, c, site):
        if not page["redirect"]:
            continue
        if ns is None:
            ns = site[0].ns_table()
        src = normalize_title(page["title"], ns)
        dst = normalize_title(page["redirect"], ns)
        if not src or not dst:
            c["bad_redirects"] += 1
            continue
        c["redirect_pages"] += 1
        yield src, dst


def resolve_redirects(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[str, Any]]:
    """Follow every chain to its end. Returns ``(table, stats)``; stats count chains, loops, max depth."""
    direct: dict[str, str] = {}
    for a, b in pairs:
        direct[a] = b
    final: dict[str, str] = {}
    dead: set[str] = set()  # in or leading into a cycle
    stats = {"redirects": len(direct), "chained": 0, "in_loops": 0, "into_loops": 0, "max_chain": 0}
    for start in direct:
        if start in final or start in dead:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        cur = start
        while cur in direct and cur not in final and cur not in dead and cur not in on_path:
            path.append(cur)
            on_path.add(cur)
            cur = direct[cur]
        if cur in on_path:  # a cycle: its members and everything before it on the path are dead
            k = path.index(cur)
            stats["in_loops"] += len(path) - k
            stats["into_loops"] += k
            dead.update(path)
            continue
        if cur in dead:
            stats["into_loops"] += len(path)
            dead.update(path)
            continue
        end = final.get(cur, cur)
        depth_after = 0
        for i, t in enumerate(path):
            final[t] = end
            depth_after = len(path) - i
            if depth_after > 1:
                stats["chained"] += 1
            stats["max_chain"] = max(stats["max_chain"], depth_after)
    stats["resolved"] = len(final)
    stats["dropped"] = len(dead)
    return final, stats


def read_redirects(dump_path: str | os.PathLike[str]) -> tuple[dict[str, str], dict[str, Any]]:
    """A dump's redirect table, resolved, in memory: ``(table, stats)`` (stats include ``pages``,
    ``truncated`` and ``bad_redirects`` of the dump)."""
    c: Counter[str] = Counter()
    table, stats = resolve_redirects(iter_redirect_pairs(dump_path, c))
    return table, {**stats, **{k: v for k, v in c.items() if k in ("pages", "truncated", "bad_redirects")}}


def extract_redirects(cfg: WikiRedirectsConfig | str | os.PathLike[str]) -> tuple[dict[str, str], dict[str, Any]]:
    """Resolve a dump's redirects; with a config, also write ``cfg.output`` (TSV or Parquet) and its run card
    ``<output>.run.json``. A plain dump path only reads (:func:`read_redirects`). Returns ``(table, stats)``."""
    if not isinstance(cfg, WikiRedirectsConfig):
        return read_redirects(cfg)
    from corpuslab.wiki.tables import write_pairs

    with run_card(cfg.output, "wiki-redirects", cfg, inputs={"dump": cfg.dump}, single_file=True) as card:
        table, stats = read_redirects(cfg.dump)
        write_pairs(cfg.output, sorted(table.items()), ("source", "target"))
        card.counts.update(stats)
        card.outputs.update(table=os.path.basename(cfg.output))
    return table, stats
