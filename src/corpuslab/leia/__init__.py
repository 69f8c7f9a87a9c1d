"""LEIA: insert English entity names into target-language Wikipedia text for cross-lingual transfer.

Yamada & Ri 2024, arXiv 2402.11485 (reference code: leia-llm/leia). Modules, in pipeline order:
:mod:`~corpuslab.leia.config` (the runners' settings), :mod:`~corpuslab.leia.annotate` (link → English
name), :mod:`~corpuslab.leia.tokens` (tokenising, anchor alignment, id dtype), :mod:`~corpuslab.leia.markers`
(``<translate>`` tokens), :mod:`~corpuslab.leia.insertion` (which names go where), :mod:`~corpuslab.leia.packing`
(windows), :mod:`~corpuslab.leia.token_store` (``tokens.parquet``), :mod:`~corpuslab.leia.build`
(``leia build``), :mod:`~corpuslab.leia.trainer_data` and :mod:`~corpuslab.leia.train` (``leia train``),
:mod:`~corpuslab.leia.evaluate` (``leia eval``). Nothing is imported here, so the CLI can read the configs
without numpy or torch.
"""
