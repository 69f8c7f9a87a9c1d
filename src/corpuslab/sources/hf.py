"""Hugging Face datasets, streamed. The Hub is the real code path; tests drive it with local files
through the same ``datasets.load_dataset(..., streaming=True)`` call (builders ``json``/``parquet``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from corpuslab.core.errors import DataError
from corpuslab.sources.base import Unit


def load_hf_stream(unit: Unit) -> Any:
    import datasets

    o = unit.options
    kwargs: dict[str, Any] = {"split": o.get("split") or "train", "streaming": True}
    for k in ("data_files", "data_dir", "revision"):
        if o.get(k):
            kwargs[k] = o[k]
    if o.get("trust_remote_code"):
        kwargs["trust_remote_code"] = True
    try:
        return datasets.load_dataset(unit.path, o.get("config"), **kwargs)
    except FileNotFoundError as e:
        raise DataError(f"dataset {unit.path!r}: files not found ({str(e).splitlines()[0]})") from e
    except Exception as e:  # datasets raises many types (ConnectionError, DatasetNotFoundError, ValueError…)
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise DataError(
            f"dataset {unit.path!r} (config {o.get('config')!r}, split {o.get('split')!r}) could not be "
            f"opened: {msg}. Offline? The Hub must be reachable for hub ids."
        ) from e


def stream_hf(unit: Unit) -> Iterator[dict[str, Any]]:
    ds = load_hf_stream(unit)
    try:
        yield from ds
    except Exception as e:
        raise DataError(f"dataset {unit.path!r}: error while streaming ({str(e).splitlines()[0]})") from e
