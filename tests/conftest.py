"""Shared fixtures. Real data lives in ../shared/data (never copied here); CI must not skip it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
# helper modules (``from conftest import shared_path``, ``from clean_fixtures import …``) import by plain name
for _d in sorted({TESTS, *(p.parent for p in TESTS.rglob("*.py"))}, reverse=True):
    if str(_d) not in sys.path:
        sys.path.insert(0, str(_d))
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


def shared_path(rel: str) -> Path:
    """Path of a real-data file; fails under CI (CORPUSLAB_REQUIRE_DATA=1), skips elsewhere when missing."""
    p = SHARED_DATA / rel
    if not p.exists():
        msg = f"real test data missing: {p}"
        if os.environ.get("CORPUSLAB_REQUIRE_DATA") == "1" or os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return p


@pytest.fixture
def shared() -> type:
    """``shared("wiki/jawiki-...xml.bz2")`` → Path; see :func:`shared_path`."""
    return shared_path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def stories260k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """HF folder of the real pretrained stories260K Llama (llama2.c import), built once per session."""
    from corpuslab.models.llama2c import import_llama2c

    src = shared_path("models/stories260K/checkpoint_legacy.bin").parent
    out = tmp_path_factory.mktemp("models") / "stories260K"
    import_llama2c(src / "checkpoint_legacy.bin", src / "tokenizer.bin", out)
    return out


@pytest.fixture(scope="session")
def local_ray():  # type: ignore[no-untyped-def]
    """A local Ray instance started once per test session (start-up costs ~3 s and ~700 MB)."""
    ray = pytest.importorskip("ray")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield ray
    if started:
        ray.shutdown()


def check_run_card(output: Path | str, kind: str, single_file: bool = False) -> dict:
    """Assert ``output`` carries a finished run card of ``kind`` with the one schema; return it."""
    import json

    from corpuslab.core.runcard import CARD_KEYS, SCHEMA, card_path

    f = card_path(output, single_file)
    assert f.exists(), f"{f}: no run card"
    card = json.loads(f.read_text(encoding="utf-8"))
    assert tuple(card) == CARD_KEYS, f"{f}: keys {list(card)}"
    assert card["schema"] == SCHEMA and card["kind"] == kind, (card["schema"], card["kind"])
    assert card["status"] == "done", f"{f}: status {card['status']} ({card['error']})"
    assert card["started"] and card["finished"] and card["wall_seconds"] >= 0
    assert isinstance(card["config"]["resolved"], dict) and card["config"]["resolved"], "empty resolved config"
    assert isinstance(card["counts"], dict) and isinstance(card["inputs"], dict)
    return card
