"""The README's two commands: `make demo` runs the quickstart on the example data, `make test-all` is what CI
runs (every tier); `make test` is the fast tier."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO, shared_path
from corpuslab.core.config import load_config
from corpuslab.quickstart.config import DEFAULT_CONFIG, QuickstartConfig
from corpuslab.sources import resolve_units


def _recipe(target: str) -> list[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    m = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, re.M)
    assert m, f"Makefile has no {target} target"
    return [ln.strip() for ln in m.group(1).splitlines()]


def test_demo_runs_the_quickstart_and_ci_runs_the_test_target() -> None:
    demo = _recipe("demo")
    assert demo == ["$(BIN)/corpuslab quickstart --output-dir runs/quickstart"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test-all" in readme
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test-all$", ci, re.M)
    assert not any(re.search(r"pytest.* -m ", line) for line in _recipe("test-all")), "test-all must run every tier"
    fast = " ".join(_recipe("test"))
    assert all(f"not {m}" in fast for m in ("slow", "model", "ray"))


def test_demo_config_points_at_the_real_example_data() -> None:
    """Every source of the default quickstart config resolves to real files in ../shared/data."""
    shared_path("SOURCES.md")
    s = load_config(REPO / DEFAULT_CONFIG, QuickstartConfig).with_base_dir(REPO / DEFAULT_CONFIG)
    cfg = s.sample_config("raw")
    for src in cfg.datasets:
        units = resolve_units(src, base_dir=s.base_dir)
        assert units, src.name
    for f in (s.base_model.llama2c_checkpoint, s.base_model.llama2c_tokenizer):
        assert f and Path(s.resolve(f)).is_file()
    assert len(cfg.datasets) == 5 and {d.category for d in cfg.datasets} >= {"web", "wikipedia", "books"}
