"""Run DataTrove 0.10.1's filters (default settings) on a JSONL of documents; runs INSIDE the peer venv.

Usage (from make_datatrove_fixtures.py): ``/work/venv-peer-datatrove/bin/python datatrove_filters.py IN.jsonl OUT.json``.
Each filter is applied independently to the original text, and the FineWeb chain
(GopherRepetition → GopherQuality → C4Quality → FineWebQuality) once more in order.
Metric values come from DataTrove's own tokeniser (``split_into_words``/``split_into_sentences``, spaCy ``en``).
"""

from __future__ import annotations

import hashlib
import json
import sys

from datatrove.data import Document
from datatrove.pipeline.filters import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)
from datatrove.utils.text import PUNCTUATION_SET, split_into_words


def run(f, text: str) -> tuple[bool, str, str]:
    doc = Document(text=text, id="x")
    res = f.filter(doc)
    keep, reason = (res, "") if isinstance(res, bool) else (res[0], res[1])
    return bool(keep), reason or "", doc.text


def main(inp: str, out: str) -> None:
    import datatrove

    filters = {
        "gopher_repetition": GopherRepetitionFilter(),
        "gopher_quality": GopherQualityFilter(),
        "c4": C4QualityFilter(),
        "fineweb_quality": FineWebQualityFilter(),
    }
    results = []
    for line in open(inp, encoding="utf-8"):
        d = json.loads(line)
        text = d["text"]
        words = split_into_words(text)
        r = {
            "key": d["key"], "sha1": hashlib.sha1(text.encode()).hexdigest(), "lang": d["lang"],
            "metrics": {
                "n_words": len(words),
                "n_non_symbol_words": sum(1 for w in words if any(ch not in PUNCTUATION_SET for ch in w)),
            },
        }
        for name, f in filters.items():
            keep, reason, new_text = run(f, text)
            r[name] = {"keep": keep, "reason": reason}
            if name == "c4" and keep:
                r[name]["text_sha1"] = hashlib.sha1(new_text.encode()).hexdigest()
        t, chain_reason = text, ""
        for name, f in filters.items():
            keep, reason, t = run(f, t)
            if not keep:
                chain_reason = f"{name}:{reason}"
                break
        r["chain"] = {"keep": chain_reason == "", "reason": chain_reason}
        results.append(r)
    meta = {
        "datatrove": datatrove.__version__ if hasattr(datatrove, "__version__") else "0.10.1",
        "spacy": __import__("spacy").__version__,
        "filters": "default settings (language=en)",
    }
    json.dump({"meta": meta, "docs": results}, open(out, "w", encoding="utf-8"), ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
