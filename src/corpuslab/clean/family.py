"""What a filter family is: one object per ``filtering:`` key that carries everything about that step.

* ``key``: its name in the ``filtering:`` block, in drop reasons (``c4:too_few_sentences``) and in metric
  columns (``c4.num_sentences``);
* ``defaults``: DataTrove's parameter values (a language profile and the YAML override them);
* ``rules``: ``(reason, metric, operator, threshold parameter)`` tested in this order, the first failing
  one being the drop reason; operator ``flag`` drops when the metric is > 0;
* ``tag_params``: the parameters that change a metric or the text, hence the tags (part of
  :attr:`corpuslab.clean.tag.TagPlan.key`); every other parameter is a decide-time threshold;
* :meth:`FilterFamily.tag`: documents → metric columns (a family may rewrite the text, as C4 does);
* :meth:`FilterFamily.evaluate`: one rule over the stored columns → which documents fail.

:mod:`corpuslab.clean.families` lists them; tagging, deciding and the funnel only ask that registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import BaseModel

from corpuslab.clean.constants import LANGUAGE_PROFILES
from corpuslab.clean.context import DocContext

#: (drop reason, metric, drop-if operator or "flag", threshold parameter; "a.2" = parameter a's key 2)
Rule = tuple[str, str, str, str]
#: the effective parameters for one document (per language, computed once per language and batch)
ParamsFor = Callable[[DocContext], Mapping[str, Any]]
Metrics = dict[str, Any]

OPERATORS = {"<": np.less, ">": np.greater, "<=": np.less_equal, ">=": np.greater_equal}


@dataclass
class DecideBatch:
    """A tag table as a family sees it when deciding: its columns and each document's parameters."""

    table: pa.Table
    #: each document's language, and the language whose thresholds apply ("en" when per_language is off)
    langs: np.ndarray
    lang_key: np.ndarray
    #: the distinct values of ``lang_key`` and, per document, its index among them
    uniq: list[str]
    inv: np.ndarray
    #: effective parameters per value of ``lang_key``
    params: dict[str, dict[str, Any]]
    #: documents no earlier step dropped
    alive: np.ndarray
    per_language: bool = True

    @property
    def n(self) -> int:
        return self.table.num_rows

    def column(self, name: str) -> np.ndarray:
        """A metric column as float64 (NaN when the tags lack it)."""
        if name not in self.table.column_names:
            return np.full(self.n, np.nan)
        return self.table.column(name).to_numpy(zero_copy_only=False).astype(np.float64, copy=False)

    def thresholds(self, pname: str, falsy_disables: bool = False) -> np.ndarray | None:
        """Per-document threshold of parameter ``pname`` (NaN where disabled); None when disabled for all.
        ``None`` disables a rule; with ``falsy_disables`` (Gopher, as in DataTrove) so does 0."""
        by_lang = {lg: parameter(p, pname) for lg, p in self.params.items()}
        disabled = {lg: t is None or (falsy_disables and not t) for lg, t in by_lang.items()}
        if all(disabled.values()):
            return None
        per_lang = [np.nan if disabled[k] else float(by_lang[k]) for k in self.uniq]
        return np.array(per_lang, dtype=np.float64)[self.inv]


def parameter(params: Mapping[str, Any], name: str) -> Any:
    """``params[name]``; ``"top_n_grams.2"`` reads key 2 of the mapping ``top_n_grams``."""
    if "." in name:
        head, n = name.split(".", 1)
        d = params.get(head) or {}
        return d.get(int(n), d.get(n))
    return params.get(name)


class FilterFamily:
    """Base of the filter families; a subclass sets the class attributes and implements :meth:`tag_one`
    (or :meth:`tag` when it works on the whole batch at once)."""

    key: str = ""
    defaults: Mapping[str, Any] = {}
    rules: tuple[Rule, ...] = ()
    tag_params: tuple[str, ...] = ()
    #: the language filter needs the detector's score on the whole document
    needs_language_score: bool = False
    #: the family rewrites the text (C4 keeps only its good lines): the funnel's characters change here
    rewrites_text: bool = False
    #: a threshold of 0 turns a rule off (Gopher's ``if self.min_doc_words and …``)
    falsy_disables: bool = False

    # ---- parameters -----------------------------------------------------------------------------------

    def base_parameters(self, explicit: Mapping[str, Any], lang: str | None, per_language: bool) -> dict[str, Any]:
        """The defaults before the language profile and the YAML are applied."""
        return dict(self.defaults)

    def parameters(self, block: Any, lang: str | None, per_language: bool) -> dict[str, Any]:
        """Effective parameters for documents in ``lang``: defaults ← language profile ← the YAML."""
        explicit = block.model_dump(exclude_none=True) if isinstance(block, BaseModel) else {}
        profile = LANGUAGE_PROFILES.get(lang or "", {}).get(self.key, {}) if per_language else {}
        return {**self.base_parameters(explicit, lang, per_language), **profile, **explicit}

    def tag_key(self, block: Any) -> Any:
        """What of ``block`` the tags depend on (hashed into the tag key)."""
        dump = block.model_dump() if isinstance(block, BaseModel) else {}
        return {p: dump.get(p) for p in self.tag_params}

    def rules_for(self, block: Any) -> Sequence[Rule]:
        """The rules to test, in order (Gopher repetition's depend on the configured n-gram sizes)."""
        return self.rules

    # ---- tag ------------------------------------------------------------------------------------------

    def tag(self, docs: Sequence[DocContext], block: Any, params: ParamsFor) -> list[Metrics]:
        """Metrics of every document (column ``<key>.<metric>``); string metrics end in ``match``."""
        return [self.tag_one(c, block, params(c)) for c in docs]

    def tag_one(self, doc: DocContext, block: Any, params: Mapping[str, Any]) -> Metrics:
        raise NotImplementedError

    # ---- decide ---------------------------------------------------------------------------------------

    def evaluate(self, rule: Rule, batch: DecideBatch) -> tuple[np.ndarray, np.ndarray] | None:
        """(documents failing ``rule``, the metric values); None when the rule is off for every language."""
        _, metric, op, pname = rule
        vals = batch.column(f"{self.key}.{metric}")
        if op == "flag":
            return vals > 0, vals
        thr = batch.thresholds(pname, self.falsy_disables)
        if thr is None:
            return None
        with np.errstate(invalid="ignore"):
            fail = OPERATORS[op](vals, thr) & ~np.isnan(thr)
        return fail, vals
