"""Every command that writes a folder writes a run card of a kind the report renders, and some test runs
that command on tiny inputs and validates its card with ``check_run_card``."""

from __future__ import annotations

import re
from pathlib import Path

from import_graph import SRC

from corpuslab.report.renderers import RENDERERS

TESTS = Path(__file__).resolve().parents[1]
#: ``run_card(out, "kind", …)`` in the library (the kind is always the second argument, a literal)
CALL = re.compile(r"run_card\(\s*[^,()]+(?:\([^()]*\))?[^,()]*,\s*\"([a-z0-9-]+)\"")


def _kinds_written() -> set[str]:
    kinds: set[str] = set()
    for p in (SRC / "corpuslab").rglob("*.py"):
        if p.name != "runcard.py":
            kinds.update(CALL.findall(p.read_text(encoding="utf-8")))
    return kinds


def test_every_kind_written_is_rendered_by_the_report_and_back() -> None:
    written = _kinds_written()
    assert len(written) >= 24
    assert written == set(RENDERERS), f"written, not rendered: {written - set(RENDERERS)}; rendered, never " \
                                      f"written: {set(RENDERERS) - written}"


def test_every_kind_has_a_test_that_checks_a_real_card() -> None:
    sources = [p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py")
               if "report" not in p.parts and "check_run_card" in p.read_text(encoding="utf-8")]
    unchecked = sorted(k for k in RENDERERS if not any(f'"{k}"' in s for s in sources))
    assert not unchecked, f"no stage test validates the card of: {unchecked}"
