"""Every command's flags are its config model's fields (and back), through the one shared helper."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest
import typer
from pydantic import Field
from typer.testing import CliRunner

from corpuslab.cli.config_flags import Binding, bindings_of, config_command, flag_name
from corpuslab.core.config import StrictModel
from corpuslab.core.errors import ConfigError


def _leaf_commands(cmd: Any, prefix: str) -> dict[str, Any]:
    """Typer vendors its own click: commands are recognised by shape, not by class."""
    if hasattr(cmd, "commands"):
        out: dict[str, Any] = {}
        for name, sub in cmd.commands.items():
            out.update(_leaf_commands(sub, f"{prefix} {name}"))
        return out
    return {prefix: cmd}


def test_every_command_has_a_config_model_and_its_flags_are_the_fields() -> None:
    from corpuslab.cli.main import app

    bindings = bindings_of(app)
    leaves = _leaf_commands(typer.main.get_command(app), "corpuslab")
    assert set(bindings) == set(leaves)
    unbound = sorted(c for c, b in bindings.items() if b is None)
    assert not unbound, f"commands without a config model (use cli.config_flags.config_command): {unbound}"
    problems = []
    for name, b in bindings.items():
        assert isinstance(b, Binding)
        fields = set(b.model.model_fields)
        params = {p.name: p for p in leaves[name].params}
        problems += [f"{name}: file_only {f!r} is no field" for f in b.file_only if f not in fields]
        problems += [f"{name}: alias {a!r} sets no field ({f!r})" for a, f in b.aliases.items() if f not in fields]
        for f in sorted(fields - set(b.file_only)):
            p = params.get(f)
            if p is None and f not in b.flags:
                problems.append(f"{name}: field {f!r} has no flag")
            elif p is not None and p.param_type_name == "option" and flag_name(f) not in p.opts:
                problems.append(f"{name}: field {f!r} is set by {p.opts}, not {flag_name(f)}")
        for pname in params:
            if pname not in fields and pname not in b.own and pname != "config":
                problems.append(f"{name}: flag {pname!r} is neither a config field nor a declared CLI-only option")
        if "config" not in params:
            problems.append(f"{name}: no --config")
    assert not problems, "\n".join(problems)


# ---- the helper itself, on a toy model ----------------------------------------------------------------


class Toy(StrictModel):
    output_dir: str = Field(description="Where to write.")
    steps: int = Field(10, gt=0, description="How many.")
    mode: Literal["fast", "slow"] = "fast"
    packing: bool = False
    names: list[str] = Field(default_factory=list)
    runs: list[str] | None = None
    weights: dict[str, float] = Field(default_factory=dict)


def _toy_app(seen: list[Toy]) -> typer.Typer:
    app = typer.Typer()

    @config_command(app, "toy", Toy, short={"output_dir": "-o"}, file_only={"weights": "a mapping"}, nargs=("runs",))
    def toy(cfg: Toy, quiet: bool = typer.Option(False, "--quiet")) -> None:
        seen.append(cfg)

    @app.callback()
    def _root() -> None:  # a group, so the command is called by its name
        pass

    return app


def test_flags_win_over_the_file_and_every_type_parses(tmp_path: Path) -> None:
    seen: list[Toy] = []
    app = _toy_app(seen)
    cfg_file = tmp_path / "toy.yaml"
    cfg_file.write_text("output_dir: from-file\nsteps: 3\nweights: {a: 0.5}\nmode: slow\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["toy", "--config", str(cfg_file), "--steps", "7", "--packing", "--names", "x",
                                 "--names", "y", "--runs", "r1", "r2", "--quiet"])
    assert r.exit_code == 0, r.output
    cfg = seen[-1]
    assert (cfg.output_dir, cfg.steps, cfg.mode, cfg.packing) == ("from-file", 7, "slow", True)
    assert cfg.names == ["x", "y"] and cfg.runs == ["r1", "r2"] and cfg.weights == {"a": 0.5}
    assert cfg.model_fields_set == {"output_dir", "steps", "mode", "packing", "names", "runs", "weights"}
    r = CliRunner().invoke(app, ["toy", "-o", "cli"])
    assert r.exit_code == 0 and seen[-1].output_dir == "cli" and seen[-1].steps == 10


def test_missing_and_bad_values_name_the_flag_and_the_file(tmp_path: Path) -> None:
    app = _toy_app([])
    r = CliRunner().invoke(app, ["toy", "--steps", "2"])
    assert isinstance(r.exception, ConfigError)
    assert str(r.exception) == "command line: output_dir: required: give --output-dir or set output_dir in --config"
    bad = tmp_path / "bad.yaml"
    bad.write_text("output_dir: x\nstepz: 3\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["toy", "--config", str(bad), "--mode", "medium"])
    assert isinstance(r.exception, ConfigError)
    assert str(r.exception).startswith(f"{bad}: ") and "stepz: unknown key" in str(r.exception)
    assert "mode: Input should be 'fast' or 'slow'" in str(r.exception)


def test_a_field_no_flag_can_carry_must_be_declared_file_only() -> None:
    with pytest.raises(TypeError, match="weights"):
        config_command(typer.Typer(), "toy", Toy)(lambda cfg: None)
