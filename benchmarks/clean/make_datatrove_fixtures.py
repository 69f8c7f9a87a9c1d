"""Build the DataTrove parity fixture: tests/clean/fixtures/datatrove_parity.json.

1. Extract real documents from ../shared/data (web pages, WARC, Stack Exchange, jawiki/viwiki excerpts,
   Botchan, 吾輩は猫である) with ``tests/clean/clean_fixtures.py`` in corpuslab's venv;
2. run DataTrove 0.10.1's Gopher/C4/FineWeb filters on them in the peer venv (never a corpuslab dependency):
   ``python -m venv /work/venv-peer-datatrove && /work/venv-peer-datatrove/bin/pip install
   "datatrove[processing,io]==0.10.1" spacy``;
3. commit decisions + metric values keyed by document key and text SHA-1 (no text is committed).

Usage: ``python benchmarks/clean/make_datatrove_fixtures.py [--peer-python PATH]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "clean"))

from clean_fixtures import parity_documents  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--peer-python", default="/work/venv-peer-datatrove/bin/python")
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(REPO / "tests/clean/fixtures/datatrove_parity.json"))
    args = ap.parse_args()
    docs = parity_documents(Path(args.data))
    with tempfile.TemporaryDirectory() as tmp:
        inp, res = Path(tmp) / "docs.jsonl", Path(tmp) / "out.json"
        with open(inp, "w", encoding="utf-8") as fh:
            for d in docs:
                fh.write(json.dumps(d, ensure_ascii=False) + "\n")
        t0 = time.time()
        subprocess.run([args.peer_python, str(Path(__file__).with_name("datatrove_filters.py")), str(inp), str(res)], check=True)
        data = json.loads(res.read_text(encoding="utf-8"))
    data["meta"]["seconds"] = round(time.time() - t0, 1)
    data["meta"]["n_docs"] = len(data["docs"])
    data["meta"]["source"] = "../shared/data via tests/clean/clean_fixtures.py (texts not stored; sha1 only)"
    Path(args.out).write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(data['docs'])} documents in {data['meta']['seconds']} s")


if __name__ == "__main__":
    main()
