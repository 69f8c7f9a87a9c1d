"""The category taxonomy shared by samples, estimators and specs, with the 7 → 6 class merge.

Seven RedPajama/SlimPajama classes (``meta.redpajama_set_name``); six-class mode merges CommonCrawl and
C4 into ``web`` (as ``--merge_web`` in Yaxin9Luo/data_anatomy). Aliases let shard folders and specs use
everyday names (``code`` → ``github``, ``RedPajamaBook`` → ``books``).
"""

from __future__ import annotations

import re

CATEGORIES_7 = ("commoncrawl", "c4", "github", "wikipedia", "books", "arxiv", "stackexchange")
CATEGORIES_6 = ("web", "github", "wikipedia", "books", "arxiv", "stackexchange")
WEB_PARTS = ("commoncrawl", "c4")
KNOWN = frozenset(CATEGORIES_7) | {"web"}

_ALIASES = {
    "redpajamacommoncrawl": "commoncrawl", "cc": "commoncrawl", "common_crawl": "commoncrawl",
    "commoncrawl": "commoncrawl", "redpajamac4": "c4", "c4": "c4",
    "redpajamagithub": "github", "github": "github", "code": "github", "thestack": "github",
    "redpajamawikipedia": "wikipedia", "wikipedia": "wikipedia", "wiki": "wikipedia",
    "redpajamabook": "books", "redpajamabooks": "books", "book": "books", "books": "books",
    "redpajamaarxiv": "arxiv", "arxiv": "arxiv",
    "redpajamastackexchange": "stackexchange", "stackexchange": "stackexchange", "stack_exchange": "stackexchange",
    "web": "web",
}


def canonical_category(name: str, merge_web: bool = False) -> str:
    """Map a raw category label to the taxonomy; unknown labels are returned lower-cased and cleaned.

    >>> canonical_category("RedPajamaC4", merge_web=True)
    'web'
    """
    key = re.sub(r"[\s\-]+", "_", str(name).strip().lower())
    cat = _ALIASES.get(key, _ALIASES.get(key.replace("_", ""), key))
    if merge_web and cat in WEB_PARTS:
        return "web"
    return cat


def merge_web(weights: dict[str, float]) -> dict[str, float]:
    """Fold ``commoncrawl`` + ``c4`` into ``web`` (other keys unchanged)."""
    out: dict[str, float] = {}
    for k, v in weights.items():
        kk = "web" if k in WEB_PARTS else k
        out[kk] = out.get(kk, 0.0) + float(v)
    return out
