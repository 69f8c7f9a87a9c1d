"""The house rules, checked on the source: no import circles, data flows one way, short signatures."""

from __future__ import annotations

import ast
import subprocess
import sys

from import_graph import SRC, area, cycles, graph, modules

#: what each area may import besides itself (core and engine are the floor every workflow stands on)
ALLOWED = {
    "core": {"core"},
    "engine": {"core"},
    "report": {"core"},
}
MAX_PARAMS = 8


def test_the_import_graph_has_no_circles() -> None:
    found = cycles(graph())
    assert not found, "import circles:\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_core_engine_and_report_import_only_what_they_stand_on() -> None:
    bad = []
    for mod, deps in graph().items():
        allowed = ALLOWED.get(area(mod))
        if allowed is None:
            continue
        for d in sorted(deps):
            if area(d) not in allowed | {area(mod)}:
                bad.append(f"{mod} imports {d}")
    assert not bad, "\n".join(bad)


def test_no_library_module_imports_the_cli() -> None:
    bad = [f"{m} imports {d}" for m, deps in graph().items() if area(m) != "cli"
           for d in sorted(deps) if area(d) == "cli"]
    assert not bad, "\n".join(bad)


def _param_count(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg not in ("self", "cls")]
    return len(names) + (a.vararg is not None) + (a.kwarg is not None)


def test_no_library_function_takes_more_than_eight_parameters() -> None:
    """Settings travel in one config object (the CLI's commands are generated from those models)."""
    bad = []
    for mod, path in modules().items():
        if area(mod) == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _param_count(node) > MAX_PARAMS:
                bad.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name} takes {_param_count(node)}")
    assert not bad, "\n".join(bad)


def test_the_cli_starts_without_the_heavy_libraries() -> None:
    """`corpuslab --help` builds every command from the config models: those must stay light to import."""
    code = ("import sys, corpuslab.cli.main; heavy = [m for m in ('torch', 'transformers', 'pyarrow', 'datasets', "
            "'ray', 'sklearn', 'pandas', 'matplotlib') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing the CLI loads {out}"
