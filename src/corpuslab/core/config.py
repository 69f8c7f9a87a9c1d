"""YAML config loading with pydantic validation; every error names the file, the key path and the problem."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from corpuslab.core.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Base for config sections: unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def split_commas(value: Any) -> Any:
    """``"en,ja"`` or ``["en,ja", "vi"]`` → ``["en", "ja", "vi"]``: a flag's comma list, a repeated flag and a
    YAML list all work. Anything else is returned as given, so validation names its type."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, (list, tuple)) and all(isinstance(x, str) for x in value):
        return [part.strip() for item in value for part in item.split(",") if part.strip()]
    return value


def read_yaml(path: str | os.PathLike[str]) -> dict[str, Any]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(f"{p}: config file not found") from e
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"{p}:{where}: invalid YAML: {problem}") from e
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: top level must be a mapping of keys, got {type(data).__name__}")
    return data


def format_validation_error(source: str, err: ValidationError) -> str:
    """One line per problem: ``file: key.path: message (got value)``; joined with '; '."""
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "<top>"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        elif e["type"] == "missing":
            msg = "required key is missing"
        got = ""
        if e["type"] not in ("missing", "extra_forbidden") and "input" in e and not isinstance(e["input"], dict):
            got = f" (got {e['input']!r})"
        parts.append(f"{loc}: {msg}{got}")
    return f"{source}: " + "; ".join(parts)


def validate(model: type[M], data: dict[str, Any], source: str = "<config>") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise ConfigError(format_validation_error(source, e)) from e


def load_config(path: str | os.PathLike[str], model: type[M], overrides: dict[str, Any] | None = None) -> M:
    """Load YAML from ``path``, apply non-None ``overrides`` (CLI flags win), validate into ``model``."""
    data = read_yaml(path)
    for k, v in (overrides or {}).items():
        if v is not None:
            data[k] = v
    return validate(model, data, str(path))
