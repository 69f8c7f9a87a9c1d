"""Data anatomy: estimate a model's training-data mixture and score the estimate against ground truth.

Two estimators over local category samples — label shift on the model's generations
(:mod:`~corpuslab.anatomy.labelshift`) and Min-K%++ membership rates (:mod:`~corpuslab.anatomy.minkpp`) —
and one evaluator (:mod:`~corpuslab.anatomy.evaluate`) against ground-truth specs shipped in ``specs/``.
:mod:`~corpuslab.anatomy.synth_benchmark` trains a small model on a known mixture so the whole chain can be
checked. Each runner takes one settings object from :mod:`~corpuslab.anatomy.config`.
"""

from corpuslab.anatomy.categories import CATEGORIES_6, CATEGORIES_7, canonical_category

__all__ = ["CATEGORIES_6", "CATEGORIES_7", "canonical_category"]
