"""Every command takes its settings one way: ``--config FILE.yaml`` plus one flag per config field.

torchtune's rule: a config key is the library argument's own name, and here a flag is that name too
(``max_steps`` ↔ ``--max-steps``). The flags are *generated* from the command's pydantic model (name,
type, help text, default), so flags and config keys cannot drift apart; flags given on the command line
win over the file. What only makes sense on a command line (``--no-progress``, ``--dry-run``) is a
parameter of the command function itself. :func:`config_command` attaches each command's
:class:`Binding` to it; :func:`bindings_of` collects them for the consistency test.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import typer
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

from corpuslab.core.config import read_yaml
from corpuslab.core.errors import ConfigError, CorpuslabError

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])

CONFIG_PARAM = "config"
_CTX_PARAM = "typer_ctx"


@dataclass(frozen=True)
class Binding:
    """How one command's options map onto its config model (read by the consistency test)."""

    command: str
    model: type[BaseModel]
    #: field → its flag names (``["--output-dir", "-o"]``), or ``["<ARG>"]`` for a positional argument
    flags: dict[str, list[str]]
    #: fields with no flag (nested structures), with the reason; they come from ``--config`` only
    file_only: dict[str, str]
    #: the command's own CLI-only parameters (not config fields)
    own: tuple[str, ...]
    #: own parameters that set a field (``-f1`` → ``anonymous_only``): param → field
    aliases: dict[str, str] = field(default_factory=dict)


def flag_name(field_name: str) -> str:
    return "--" + field_name.replace("_", "-")


def _cli_type(annotation: Any) -> Any:
    """The type a flag parses for a field of this annotation; ``None`` when no flag can carry it."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _cli_type(rest[0])
        # str | list[str] and the like: the command line gives the scalar form
        scalars = [a for a in rest if a in (str, int, float, bool)]
        return scalars[0] if scalars else None
    if origin is Literal:
        return str
    if annotation in (str, int, float, bool):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, (Path, _dt.date)):
        return str
    if origin in (list, tuple, Sequence) and args and args[0] in (str, int, float):
        return list[args[0]]  # type: ignore[index]
    if origin in (list, tuple, Sequence) and args and get_origin(args[0]) is Literal:
        return list[str]
    return None


def _help(info: Any) -> str:
    """Field description, choices and default, for ``--help`` (no rich markup: brackets stay literal)."""
    text = (info.description or "").strip()
    ann = info.annotation
    lits = [a for a in (get_args(ann) if get_origin(ann) in (typing.Union, types.UnionType) else (ann,))
            if get_origin(a) is Literal]
    if lits:
        text += (" " if text else "") + "One of: " + ", ".join(map(str, get_args(lits[0]))) + "."
    if info.is_required():
        text += " (required)"
    else:
        default = info.get_default(call_default_factory=True)
        if default not in (None, PydanticUndefined, [], {}):
            text += f" (default: {default})"
    return text.replace("[", "\\[")


def load_command_config(model: type[M], config: str | Path | None, flags: Mapping[str, Any],
                        flag_of: Mapping[str, str] | None = None) -> M:
    """Read ``config`` (YAML), let the non-empty ``flags`` win, validate into ``model``.

    Errors are one line naming the file (or the command line) and each key; a missing required key says
    which flag gives it.
    """
    data: dict[str, Any] = read_yaml(config) if config is not None else {}
    data.update({k: v for k, v in flags.items() if v is not None and not (isinstance(v, (list, tuple)) and not v)})
    source = str(config) if config is not None else "command line"
    try:
        return model.model_validate(data)
    except ValidationError as e:
        parts = []
        for err in e.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "<top>"
            if err["type"] == "missing":
                hint = (flag_of or {}).get(loc)
                parts.append(f"{loc}: required" + (f": give {hint} or set {loc} in --config" if hint else ""))
            elif err["type"] == "extra_forbidden":
                parts.append(f"{loc}: unknown key")
            elif err["type"] == "value_error":  # a validator's own sentence: no "Value error, " prefix
                msg = str(err.get("ctx", {}).get("error", err["msg"]))
                parts.append(msg if loc == "<top>" else f"{loc}: {msg}")
            else:
                got = f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], dict) else ""
                parts.append(f"{loc}: {err['msg']}{got}")
        raise ConfigError(f"{source}: " + "; ".join(parts)) from e


def config_command(
    app: typer.Typer,
    name: str,
    model: type[BaseModel],
    *,
    short: Mapping[str, str] | None = None,
    arguments: Sequence[str] = (),
    file_only: Mapping[str, str] | None = None,
    nargs: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
    help: str | None = None,
    default_config: str | None = None,
) -> Callable[[F], F]:
    """Register ``fn(cfg, **own)`` as command ``name`` whose options are ``--config`` + ``model``'s fields.

    ``short``: extra flag per field (``{"output_dir": "-o"}``); ``arguments``: fields taken positionally;
    ``file_only``: fields without a flag, with the reason; ``nargs``: list fields given argparse-style
    (``--runs A B``, the reference scripts' form); ``aliases``: own parameters that set a field (their
    value, when given, is passed through the parameter's own conversion in ``fn``'s signature default).
    A parameter of ``fn`` named ``config_file`` receives the ``--config`` path. ``default_config``: the file
    read when ``--config`` is not given (the quickstart's example config), when it exists.
    """
    short, file_only, aliases = dict(short or {}), dict(file_only or {}), dict(aliases or {})

    def deco(fn: F) -> F:
        sig = inspect.signature(fn)
        hints = typing.get_type_hints(fn)  # the modules use `from __future__ import annotations`: strings
        own_params = [p.replace(annotation=hints.get(p.name, p.annotation))
                      for p in list(sig.parameters.values())[1:] if p.name != "config_file"]
        own_names = tuple(p.name for p in own_params)
        wants_path = "config_file" in sig.parameters
        params: list[inspect.Parameter] = [inspect.Parameter(
            CONFIG_PARAM, inspect.Parameter.KEYWORD_ONLY, annotation=Path | None,
            default=typer.Option(None, "--config", "-c", help="YAML file whose keys are this command's option "
                                                              "names (flags given here win)."))]
        flags: dict[str, list[str]] = {}
        for fname, info in model.model_fields.items():
            if fname in file_only:
                continue
            typ = _cli_type(info.annotation)
            if typ is None:
                raise TypeError(f"{model.__name__}.{fname}: no flag can carry {info.annotation}; list it in "
                                "file_only with the reason")
            if fname in nargs:
                flags[fname] = [flag_name(fname)]
                continue
            if fname in arguments:
                flags[fname] = ["<ARG>"]
                default: Any = typer.Argument(None, help=_help(info), show_default=False)
            else:
                names = [flag_name(fname)] + ([short[fname]] if fname in short else [])
                if typ is bool:
                    names[0] = f"{names[0]}/--no-{fname.replace('_', '-')}"
                flags[fname] = names
                default = typer.Option(None, *names, help=_help(info), show_default=False)
            params.append(inspect.Parameter(fname, inspect.Parameter.KEYWORD_ONLY, default=default,
                                            annotation=typ | None))
        params += [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own_params]
        context: dict[str, Any] = {}
        if nargs:
            params.append(inspect.Parameter(_CTX_PARAM, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context))
            context = {"allow_extra_args": True, "ignore_unknown_options": True}
        flag_of = {f: n[0].split("/")[0] if n[0] != "<ARG>" else f.upper() for f, n in flags.items()}
        command = f"{app.info.name or 'corpuslab'} {name}"

        def wrapper(**kwargs: Any) -> Any:
            path = kwargs.pop(CONFIG_PARAM)
            if path is None and default_config is not None and Path(default_config).is_file():
                path = Path(default_config)
            ctx = kwargs.pop(_CTX_PARAM, None)
            own = {k: kwargs.pop(k) for k in own_names}
            values = dict(kwargs)
            for param, fname in aliases.items():
                if own.get(param) is not None:
                    values[fname] = own[param]
            if nargs and ctx is not None:
                values.update(_parse_nargs(ctx.args, nargs, command))
            cfg = load_command_config(model, path, values, flag_of)
            extra = {"config_file": path} if wants_path else {}
            return fn(cfg, **own, **extra)

        wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        wrapper.__doc__ = help or fn.__doc__
        wrapper.__name__ = fn.__name__
        binding = Binding(name, model, flags, file_only, own_names, aliases)
        wrapper.__corpuslab_binding__ = binding  # type: ignore[attr-defined]
        app.command(name, context_settings=context or None, help=help or fn.__doc__)(wrapper)
        return fn

    return deco


def _parse_nargs(args: list[str], fields: Sequence[str], command: str) -> dict[str, list[str]]:
    """``--runs A B --labels x y``: multi-value options, which click cannot express for options."""
    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> typing.NoReturn:  # type: ignore[override]
            raise CorpuslabError(f"{command}: {message}")

    parser = _Parser(prog=command, add_help=False)
    for f in fields:
        parser.add_argument(flag_name(f), dest=f, nargs="+", action="extend")
    ns, unknown = parser.parse_known_args(args)
    if unknown:
        raise CorpuslabError(f"{command}: unexpected arguments {' '.join(unknown)}")
    return {k: v for k, v in vars(ns).items() if v is not None}


def bindings_of(app: typer.Typer, prefix: str = "corpuslab") -> dict[str, Binding | None]:
    """``{"corpuslab anatomy labelshift": Binding, …}`` for every command under ``app`` (None: unbound)."""
    out: dict[str, Binding | None] = {}
    for info in app.registered_commands:
        cmd = info.name or (info.callback.__name__ if info.callback else "?")
        out[f"{prefix} {cmd}"] = getattr(info.callback, "__corpuslab_binding__", None)
    for group in app.registered_groups:
        sub = group.typer_instance
        name = group.name or (sub.info.name if sub else None)
        if sub is not None:
            out.update(bindings_of(sub, f"{prefix} {name}" if name else prefix))
    return out
