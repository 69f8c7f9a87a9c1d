"""Wikipedia and Wikidata dumps: articles with link spans, redirects, sitelinks, title normalisation.

``extract_dump``, ``iter_articles``, ``iter_pages`` (``wiki.extract``), ``Namespaces``, ``normalize_title``
(``wiki.titles``); settings in ``wiki.config``. Imported on first use, so reading ``wiki.config`` (the CLI
does at start-up) loads no dump-reading code.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {"extract_dump": "extract", "iter_articles": "extract", "iter_pages": "extract",
            "Namespaces": "titles", "normalize_title": "titles"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
