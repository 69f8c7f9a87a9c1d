"""Constructed edit histories on real article text: a valid export-0.10 dump, deterministic, with reverts."""

from __future__ import annotations

from pathlib import Path

from revert_fixtures import JA, real_articles

from corpuslab.revert.collect import sha1_base36
from corpuslab.revert.constructed_histories import prose_sentences, replay_histories, write_history_xml


def test_replayed_histories_are_deterministic_and_contain_identity_reverts() -> None:
    arts = list(real_articles(JA))[:4]
    a = list(replay_histories(arts, seed=3, edits_per_page=8))
    assert a == list(replay_histories(arts, seed=3, edits_per_page=8))
    for (_, title, revs), (real_title, real_text) in zip(a, arts, strict=True):
        assert title == real_title and revs[0]["text"] == real_text and revs[0]["parent"] is None  # real first revision
        ids = [r["id"] for r in revs]
        assert ids == sorted(ids) and all(r["parent"] == p["id"] for p, r in zip(revs, revs[1:], strict=False))
    texts = [r["text"] for _, _, revs in a for r in revs]
    assert len(texts) > len(set(texts))  # an identity revert restores an earlier text


def test_written_dump_reads_back_with_mediawiki_sha1s(tmp_path: Path) -> None:
    import bz2

    import mwxml

    arts = list(real_articles(JA))[:2]
    pages = list(replay_histories(arts, seed=1, edits_per_page=5))
    n = write_history_xml(tmp_path / "jawiki-h.xml.bz2", "jawiki", iter(pages))
    with bz2.open(tmp_path / "jawiki-h.xml.bz2", "rb") as fh:
        dump = mwxml.Dump.from_file(fh)
        assert dump.site_info.dbname == "jawiki"
        got = [(r.id, r.sha1, r.text) for page in dump for r in page]
    assert len(got) == n == sum(len(r) for _, _, r in pages)
    assert all(sha == sha1_base36(text) for _, sha, text in got)


def test_prose_sentences_are_plain_sentences_of_moderate_length() -> None:
    _, text = real_articles(JA)[0]
    sents = prose_sentences(text)
    assert sents and all(20 <= len(s) <= 300 and "[[" not in s for s in sents)
