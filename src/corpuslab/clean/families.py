"""The registry of filter families: one line per ``filtering:`` key (see :mod:`corpuslab.clean.family`).

A new family is its module (a :class:`~corpuslab.clean.family.FilterFamily` object), its config model in
:mod:`corpuslab.clean.config` (a field of ``FilteringConfig``) and one line here.
"""

from __future__ import annotations

from typing import Any

from corpuslab.clean.badwords import C4_BADWORDS
from corpuslab.clean.c4 import C4_QUALITY
from corpuslab.clean.config import CleanConfig
from corpuslab.clean.family import FilterFamily
from corpuslab.clean.fineweb import FINEWEB_QUALITY
from corpuslab.clean.gopher import GOPHER_QUALITY, GOPHER_REPETITION
from corpuslab.clean.keywords import EXCLUDE_KEYWORDS
from corpuslab.clean.lang import LANGUAGE
from corpuslab.clean.length import LENGTH, MAX_LENGTH, MIN_LENGTH

FAMILIES: dict[str, FilterFamily] = {f.key: f for f in (
    MIN_LENGTH,
    MAX_LENGTH,
    LENGTH,
    EXCLUDE_KEYWORDS,
    LANGUAGE,
    GOPHER_REPETITION,
    GOPHER_QUALITY,
    C4_QUALITY,
    FINEWEB_QUALITY,
    C4_BADWORDS,
)}


def family(step: str) -> FilterFamily:
    """The family configured under ``filtering: <step>``."""
    return FAMILIES[step]


def step_block(cfg: CleanConfig, step: str) -> Any:
    """What the YAML says under ``filtering: <step>`` (a config model, or a number for min/max_length)."""
    assert cfg.filtering is not None
    return getattr(cfg.filtering, step)


def step_params(cfg: CleanConfig, step: str, doc_lang: str | None) -> dict[str, Any]:
    """Effective parameters of one step for one language: DataTrove default ← language profile ← YAML."""
    f = cfg.filtering
    assert f is not None
    return family(step).parameters(step_block(cfg, step), doc_lang, f.per_language)
