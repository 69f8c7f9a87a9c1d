"""Write the example's two training corpora as corpuslab shard folders (English book vs Japanese Wikipedia).

    python examples/overlap/prepare_data.py OUT_DIR [SHARED_DATA_DIR]

English: *Botchan* (Project Gutenberg #8868), every 8 lines one document. Japanese: the main-namespace
articles of the real jawiki 2023-05-01 dump excerpt, as plain text (``corpuslab.wiki`` if present, else
mwxml + mwparserfromhell ``strip_code``). Both are read in place from ../shared/data and never copied
into the repository; the derived Wikipedia text stays CC BY-SA 4.0.
"""

from __future__ import annotations

import bz2
import sys
from collections.abc import Iterator
from pathlib import Path

from corpuslab.core.shards import write_records


def botchan_docs(path: Path) -> list[str]:
    with bz2.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()[20:]
    return [" ".join(lines[i : i + 8]) for i in range(0, len(lines) - 8, 8)]


def jawiki_texts(path: Path) -> Iterator[str]:
    try:
        from corpuslab.wiki.extract import iter_articles

        for art in iter_articles(path, skip_empty=True):
            yield art["text"]
    except ImportError:  # the wiki workflow is optional: plain mwxml + mwparserfromhell
        import mwparserfromhell
        import mwxml

        with bz2.open(path, "rb") as fh:
            for page in mwxml.Dump.from_file(fh):
                if page.namespace != 0 or page.redirect:
                    continue
                for rev in page:
                    text = mwparserfromhell.parse(rev.text or "").strip_code().strip()
                    if text:
                        yield text


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "overlap-example")
    shared = Path(sys.argv[2] if len(sys.argv) > 2 else Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
    en = [{"id": f"botchan-{i}", "text": t, "metadata": {"lang": "en"}}
          for i, t in enumerate(botchan_docs(shared / "text" / "botchan.txt.bz2"))]
    ja = []
    for i, text in enumerate(jawiki_texts(shared / "wiki" / "jawiki-20230501-pages-articles-excerpt.xml.bz2")):
        for j, para in enumerate(p for p in text.split("\n") if len(p) > 40):  # paragraphs as documents
            ja.append({"id": f"jawiki-{i}-{j}", "text": para, "metadata": {"lang": "ja"}})
    write_records(out / "data_en" / "part-00000.jsonl.gz", en)
    write_records(out / "data_ja" / "part-00000.jsonl.gz", ja)
    print(f"wrote {len(en)} English documents to {out}/data_en and {len(ja)} Japanese paragraphs to {out}/data_ja")


if __name__ == "__main__":
    main()
