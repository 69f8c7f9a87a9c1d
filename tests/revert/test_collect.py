"""``revert collect``: revert detection, every collector filter, bad-input accounting, resume, run card, Ray.

Histories are CONSTRUCTED edit/revert sequences replayed on REAL ja/vi Wikipedia article texts (see
revert_fixtures.py); the Wikidata daily dump test uses the real dump unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from revert_fixtures import JA, VI, real_articles, rev, synth_collected, synth_dumps  # noqa: F401

from conftest import check_run_card
from corpuslab.core.errors import DataError
from corpuslab.core.markers import completion_info
from corpuslab.revert.collect import (
    HISTORY_TSV_COLUMNS,
    collect,
    label_reverts,
    read_collected,
)
from corpuslab.revert.config import CollectConfig
from corpuslab.revert.constructed_histories import prose_sentences, write_history_xml

JUNK = "LOL!!! asdfghjkl xDDDD"


def run_collect(inputs: list[Path], out: Path, **settings: object) -> dict:
    return collect(CollectConfig.model_validate({"inputs": [str(p) for p in inputs], "out": out, **settings}),
                   progress=False)


def _by_id(out: Path) -> dict[int, dict]:
    return {r["rev_id"]: r for r in read_collected(out).to_pylist()}


def _war_history(text: str, extra: str) -> list[dict]:
    """creation → good insert → vandalism → revert → vandal restores (war) → revert → bot edit."""
    good = text + "\n\n" + extra
    vandal = text + "\n\n" + extra[: len(extra) // 2] + " " + JUNK + " " + extra[len(extra) // 2:]
    return [
        rev(101, None, "2022-01-05T10:00:00Z", "Creator", text, comment="new"),
        rev(102, 101, "2022-02-01T10:00:00Z", "Editor1", good, comment="add"),
        rev(103, 102, "2022-03-01T10:00:00Z", "203.0.113.7", vandal, anon=True),
        rev(104, 103, "2022-03-01T10:05:00Z", "Patroller", good, comment="rv"),
        rev(105, 104, "2022-03-01T11:00:00Z", "203.0.113.7", vandal, anon=True),
        rev(106, 105, "2022-03-01T11:02:00Z", "Patroller", good, comment="rv"),
        rev(107, 106, "2022-07-02T00:00:00Z", "TidyBot", good + "\n[[Category:X]]"),
        rev(108, 107, "2022-07-03T00:00:00Z", "Editor2", good + "\n[[Category:X]]\n\n" + extra.upper()),
    ]


@pytest.fixture(scope="module")
def war_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (title, text), (_, other) = real_articles(JA)[:2]
    extra = " ".join(prose_sentences(other)[:2])  # real prose sentences of another article
    p = tmp_path_factory.mktemp("war") / "jawiki-war.xml"
    write_history_xml(p, "jawiki", iter([(1, title, _war_history(text, extra))]))
    return p


def test_label_reverts_identity_and_revision_war() -> None:
    shas = ["a", "b", "a", "b", "a", "c"]
    revs = [{"rev_id": i + 1, "sha1": s, "timestamp": f"2022-01-01T0{i}:00:00Z"} for i, s in enumerate(shas)]
    label_reverts(revs)
    got = {r["rev_id"]: (r["is_reverted"], r["reverting_rev_id"], r["is_revert"], r["is_revision_war"]) for r in revs}
    assert got[2] == (True, 3, False, True)  # its revert (3) was itself reverted by 4
    assert got[3] == (True, 4, True, True)
    assert got[4] == (True, 5, True, False)  # reverted by 5, which nobody reverted
    assert got[1] == (False, None, False, False) and got[6] == (False, None, False, False)
    assert revs[1]["seconds_to_revert"] == 3600


def test_label_reverts_window_and_radius() -> None:
    revs = [{"rev_id": 1, "sha1": "a", "timestamp": "2022-01-01T00:00:00Z"},
            {"rev_id": 2, "sha1": "b", "timestamp": "2022-01-01T00:00:00Z"},
            {"rev_id": 3, "sha1": "a", "timestamp": "2022-01-03T02:00:00Z"}]  # 50 h later
    label_reverts(revs, window_hours=48)
    assert not revs[1]["is_reverted"]
    label_reverts(revs, window_hours=72)
    assert revs[1]["is_reverted"]
    many = [{"rev_id": i, "sha1": "a" if i in (0, 5) else f"x{i}", "timestamp": "2022-01-01T00:00:00Z"} for i in range(6)]
    label_reverts(many, radius=3)  # 4 revisions between the identical states: outside the radius
    assert not any(r["is_reverted"] for r in many)


def test_collect_detects_reverts_on_replayed_real_text(war_dump: Path, tmp_path: Path) -> None:
    rep = run_collect([war_dump], tmp_path)
    rows = _by_id(tmp_path)
    assert (tmp_path / "lang=ja" / "part-00000.parquet").exists()
    assert set(rows) == {102, 103, 104, 105, 106, 108}  # creation 101 and bot 107 filtered
    assert rep["counts"]["filtered_page_creation"] == 1 and rep["counts"]["filtered_bot"] == 1
    assert rows[103]["is_reverted"] and rows[103]["reverting_rev_id"] == 104 and rows[103]["is_revision_war"]
    assert rows[104]["is_revert"] and rows[104]["is_reverted"] and rows[104]["reverting_rev_id"] == 105
    assert rows[105]["is_reverted"] and rows[105]["reverting_rev_id"] == 106 and not rows[105]["is_revision_war"]
    assert not rows[102]["is_reverted"] and not rows[108]["is_reverted"]
    assert rows[103]["is_anonymous"] and not rows[102]["is_anonymous"]
    assert rows[103]["seconds_to_revert"] == 300
    # diff pieces: the vandal's junk shows up as a changed sentence pair or an insert
    pieces = rows[103]["texts_insert"] + rows[103]["texts_change_new"]
    assert any("asdfghjkl" in p for p in pieces)
    assert any("asdfghjkl" in p for p in rows[104]["texts_remove"] + rows[104]["texts_change_old"])
    assert rows[102]["et_text_insert"] >= 1 and rows[102]["bytes_diff"] > 0
    assert rows[108]["et_category_insert"] == 0 and rows[108]["et_text_insert"] >= 1
    assert rep["languages"]["ja"] == {"revisions": 6, "reverted": 3, "anonymous": 2, "revert_rate": 0.5}


def test_collect_filters(war_dump: Path, tmp_path: Path) -> None:
    def ids(**kw: object) -> set[int]:
        out = tmp_path / json.dumps(kw, sort_keys=True).replace('"', "").replace(" ", "")[:60].replace("/", "_")
        run_collect([war_dump], out, **kw)
        return set(_by_id(out)) if list(out.glob("lang=*")) else set()

    assert ids(anonymous_only=True) == {103, 105}  # -f1 1
    assert ids(anonymous_only=False) == {102, 103, 104, 105, 106, 108}
    assert ids(drop_revision_wars=True) == {102, 105, 106, 108}  # -f2 1: 103, 104 had their revert reverted
    assert 107 in ids(drop_bots=False)
    assert 101 in ids(drop_page_creations=False)
    assert ids(mode="train", train_start="2022-01-01", train_end="2022-03-01T10:30:00Z") == {102, 103, 104}
    assert ids(mode="test", test_start="2022-07-01", test_end="2022-07-08") == {108}
    # revert labels use the whole history even when the window hides the reverting revision
    out = tmp_path / "window"
    run_collect([war_dump], out, mode="train", train_end="2022-03-01T10:01:00Z")
    assert _by_id(out)[103]["reverting_rev_id"] == 104


def test_collect_cap_per_language_is_order_independent(synth_dumps: list[Path], tmp_path: Path) -> None:  # noqa: F811
    a = run_collect(synth_dumps, tmp_path / "a", max_per_language=25)
    b = run_collect(list(reversed(synth_dumps)), tmp_path / "b", max_per_language=25)
    assert a["languages"]["ja"]["revisions"] == 25 and a["languages"]["vi"]["revisions"] == 25
    assert a["counts"]["capped"] > 0 and b["languages"] == a["languages"]
    ta, tb = read_collected(tmp_path / "a"), read_collected(tmp_path / "b")
    assert ta.sort_by("rev_id").equals(tb.sort_by("rev_id"))


def test_collect_bad_input_counted(tmp_path: Path) -> None:
    (_, text), (_, text2) = real_articles(VI)[:2]
    ok = [rev(1, None, "2022-01-01T00:00:00Z", "A", text), rev(2, 1, "2022-01-02T00:00:00Z", "B", text + "\n\nThêm."),
          rev(2, 1, "2022-01-02T00:00:00Z", "B", text + "\n\nThêm."),  # duplicate revision id
          rev(3, 2, "2022-01-03T00:00:00Z", "C", text2)]
    p = tmp_path / "viwiki-bad.xml"
    write_history_xml(p, "viwiki", iter([(1, "T", ok)]))
    xml = p.read_text(encoding="utf-8")
    # revision 3's text was deleted (revision deletion): no <text> content in the dump
    head, tail = xml.rsplit("<text ", 1)
    xml = head + '<text deleted="deleted" />' + tail[tail.index("</text>") + len("</text>"):]
    p.write_text(xml, encoding="utf-8")
    unknown = tmp_path / "xxwiki-unknown.xml"
    write_history_xml(unknown, "xxwiki", iter([(1, "T", ok[:2])]))
    tsv = tmp_path / "history.tsv"
    row = dict.fromkeys(HISTORY_TSV_COLUMNS, "")
    row.update(wiki_db="zzzwiki", event_entity="revision", event_type="create", event_timestamp="2022-01-01 00:00:00.0",
               page_id="1", page_namespace="0", revision_id="9", revision_parent_id="8")
    tsv.write_text("\t".join(row[c] for c in HISTORY_TSV_COLUMNS) + "\nbroken\tline\n", encoding="utf-8")
    rep = run_collect([p, unknown, tsv], tmp_path / "out")
    assert rep["bad_input"] == {"missing_text": 1, "unknown_language": 3, "duplicate_rev_id": 1, "malformed_line": 1}
    assert set(_by_id(tmp_path / "out")) == {2}
    saved = json.loads((tmp_path / "out" / "collect.json").read_text())
    assert saved["bad_input"] == rep["bad_input"]
    (tmp_path / "revisions.csv").write_text("a,b\n")
    with pytest.raises(DataError, match="cannot tell the input kind"):
        run_collect([tmp_path / "revisions.csv"], tmp_path / "x")
    with pytest.raises(DataError, match="file not found"):
        run_collect([tmp_path / "missing.xml"], tmp_path / "x")


def test_collect_duplicate_ids_across_files(war_dump: Path, tmp_path: Path) -> None:
    rep = run_collect([war_dump, war_dump], tmp_path)
    assert rep["bad_input"]["duplicate_rev_id"] == 6
    assert rep["languages"]["ja"]["revisions"] == 6


def test_collect_real_wikidata_dump(shared, tmp_path: Path) -> None:
    dump = shared("revert/wikidata-sample-daily-dump-20140220.xml.bz2")
    rep = run_collect([dump], tmp_path / "a", drop_missing_text=False)
    assert rep["counts"]["read"] == 5 and rep["counts"]["other_namespace"] == 2  # page 181 is ns 4
    assert rep["bad_input"]["missing_text"] == 1  # the first revision's parent predates the dump
    assert rep["languages"]["wikidata"]["reverted"] == 0  # the rollback restores a pre-dump state: no SHA-1 match
    rep = run_collect([dump], tmp_path / "b", drop_missing_text=False, rollback_comments=True)
    rows = _by_id(tmp_path / "b")
    reverted = {k for k, r in rows.items() if r["is_reverted"]}
    assert reverted == {110652822, 110652868, 110652942, 110653008}
    assert {rows[k]["reverting_rev_id"] for k in reverted} == {110669245}
    assert all(rows[k]["is_anonymous"] for k in reverted) and not rows[110669245]["is_anonymous"]
    assert (tmp_path / "b" / "lang=wikidata" / "part-00000.parquet").exists()


def _tsv_line(**kw: str) -> str:
    row = dict.fromkeys(HISTORY_TSV_COLUMNS, "")
    row.update(event_entity="revision", event_type="create", page_namespace="0", event_user_is_anonymous="false")
    row.update(kw)
    return "\t".join(row[c] for c in HISTORY_TSV_COLUMNS)


def test_collect_history_tsv_revision_war_across_files(tmp_path: Path) -> None:
    """MediaWiki history TSV rows (constructed): the -f2 self-join works across input files."""
    a = tmp_path / "2022-01.enwiki.tsv"
    b = tmp_path / "2022-02.enwiki.tsv.bz2"
    common = {"wiki_db": "enwiki", "page_id": "5", "page_title": "Paris"}
    a.write_text("\n".join([
        _tsv_line(**common, revision_id="11", revision_parent_id="10", event_timestamp="2022-01-10 00:00:00.0",
                  event_user_is_anonymous="true", event_user_text_historical="1.2.3.4", revision_text_bytes_diff="12",
                  revision_is_identity_reverted="true", revision_first_identity_reverting_revision_id="12",
                  revision_seconds_to_identity_revert="60", revision_tags="[mobile edit,mobile web edit]"),
        _tsv_line(**common, revision_id="12", revision_parent_id="11", event_timestamp="2022-01-10 00:01:00.0",
                  event_user_groups_historical="[sysop,rollbacker]", event_user_id="7", revision_is_identity_revert="true"),
        _tsv_line(**common, revision_id="13", revision_parent_id="12", event_timestamp="2022-01-11 00:00:00.0",
                  event_user_is_bot_by_historical="[group]", event_user_id="9"),
    ]) + "\n", encoding="utf-8")
    import bz2

    with bz2.open(b, "wt", encoding="utf-8") as fh:  # the revert 12 is itself reverted, in another file
        fh.write(_tsv_line(**common, revision_id="12", revision_parent_id="11", event_timestamp="2022-01-10 00:01:00.0") + "\n")
        fh.write(_tsv_line(wiki_db="enwiki", page_id="5", revision_id="20", revision_parent_id="0",
                           event_timestamp="2022-02-01 00:00:00.0", revision_is_identity_reverted="true",
                           revision_first_identity_reverting_revision_id="21") + "\n")
    # mark 12 as reverted in file a? No: file b carries a second copy of 12 (duplicate) — use a third file instead
    c = tmp_path / "2022-03.enwiki.tsv"
    c.write_text(_tsv_line(**common, revision_id="30", revision_parent_id="29", event_timestamp="2022-03-01 00:00:00.0",
                           revision_is_identity_reverted="true", revision_first_identity_reverting_revision_id="31") + "\n"
                 + _tsv_line(wiki_db="enwiki", page_id="6", revision_id="12", revision_parent_id="11",
                             event_timestamp="2022-01-10 00:01:00.0", revision_is_identity_reverted="true",
                             revision_first_identity_reverting_revision_id="14") + "\n", encoding="utf-8")
    rep = run_collect([a, b, c], tmp_path / "out")
    rows = _by_id(tmp_path / "out")
    assert rep["counts"]["filtered_bot"] == 1 and rep["counts"]["filtered_page_creation"] == 1
    assert rep["bad_input"]["duplicate_rev_id"] == 2  # 12 appears in all three files; the first copy wins
    assert rows[11]["is_reverted"] and rows[11]["reverting_rev_id"] == 12 and rows[11]["is_revision_war"]
    assert rows[11]["tags"] == ["mobile edit", "mobile web edit"] and rows[11]["bytes_diff"] == 12
    assert rows[12]["user_groups"] == ["sysop", "rollbacker"] and rows[12]["is_revert"]
    assert rows[11]["timestamp"] == "2022-01-10T00:00:00Z" and not rows[11]["has_text"]
    rep2 = run_collect([a, b, c], tmp_path / "out2", drop_revision_wars=True)
    assert 11 not in _by_id(tmp_path / "out2") and rep2["counts"]["filtered_revision_war"] == 1
    files = sorted(pq.ParquetFile(f).metadata.num_rows for f in (tmp_path / "out").glob("lang=en/*.parquet"))
    assert sum(files) == len(rows)


def test_reverted_by_good_user() -> None:
    revs = [{"rev_id": 1, "sha1": "a", "timestamp": "2022-01-01T00:00:00Z"},
            {"rev_id": 2, "sha1": "b", "timestamp": "2022-01-01T00:00:00Z"},
            {"rev_id": 3, "sha1": "a", "timestamp": "2022-01-01T00:00:00Z", "user_groups": ["rollbacker"]},
            {"rev_id": 4, "sha1": "c", "timestamp": "2022-01-01T00:00:00Z"},
            {"rev_id": 5, "sha1": "a", "timestamp": "2022-01-01T00:00:00Z", "user_groups": ["autoconfirmed"]},
            {"rev_id": 6, "sha1": "d", "timestamp": "2022-01-01T00:00:00Z"},
            {"rev_id": 7, "sha1": "a", "timestamp": "2022-01-01T00:00:00Z"}]
    label_reverts(revs)
    assert [revs[i]["is_reverted_by_good_user"] for i in (1, 3, 5)] == [True, False, None]  # None: groups unknown


def test_collect_resumes_after_a_killed_run(synth_dumps: list[Path], tmp_path: Path, monkeypatch) -> None:  # noqa: F811
    import corpuslab.revert.collect as mod

    real = mod.collect_task
    calls: list[int] = []

    def dies_on_second(task: dict) -> dict:
        if task["index"] == 1:
            raise KeyboardInterrupt
        calls.append(task["index"])
        return real(task)

    monkeypatch.setattr(mod, "collect_task", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        run_collect(synth_dumps, tmp_path / "out")
    assert calls == [0]
    assert completion_info(tmp_path / "out" / "_parts", "00000-reverted.parquet") is not None
    assert completion_info(tmp_path / "out" / "_parts", "00001-reverted.parquet") is None
    card = json.loads((tmp_path / "out" / "run.json").read_text())
    assert card["status"] == "interrupted"

    def counting(task: dict) -> dict:
        calls.append(task["index"])
        return real(task)

    monkeypatch.setattr(mod, "collect_task", counting)
    rep = run_collect(synth_dumps, tmp_path / "out")
    assert calls == [0, 1]  # the finished input was not read again
    clean = run_collect(synth_dumps, tmp_path / "clean")
    assert rep["languages"] == clean["languages"] and rep["counts"] == clean["counts"]
    assert read_collected(tmp_path / "out").equals(read_collected(tmp_path / "clean"))
    assert not (tmp_path / "out" / "_parts").exists()
    check_run_card(tmp_path / "out", "revert-collect")


def test_collect_redoes_a_finished_task_whose_settings_changed(synth_dumps: list[Path], tmp_path: Path,  # noqa: F811
                                                              monkeypatch) -> None:
    import corpuslab.revert.collect as mod

    real = mod.collect_task
    calls: list[int] = []

    def dies_on_second(task: dict) -> dict:
        if task["index"] == 1:
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(mod, "collect_task", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        run_collect(synth_dumps, tmp_path / "out")
    monkeypatch.setattr(mod, "collect_task", lambda task: calls.append(task["index"]) or real(task))
    # anonymous_only changes what a task keeps: the input finished under other settings is read again
    run_collect(synth_dumps, tmp_path / "out", anonymous_only=True, workers=1)
    assert calls == [0, 1]
    assert all(r["is_anonymous"] for r in read_collected(tmp_path / "out").to_pylist())


def test_collect_writes_its_run_card(synth_collected: Path) -> None:  # noqa: F811
    card = check_run_card(synth_collected, "revert-collect")
    rep = json.loads((synth_collected / "collect.json").read_text())
    c = card["counts"]
    assert c["revisions"] == rep["written"] > 0
    assert c["revisions_per_language"] == {lg: v["revisions"] for lg, v in rep["languages"].items()}
    assert set(c["revisions_per_language"]) == {"ja", "vi"}
    assert 0 < c["reverted_share"] < 1
    assert c["reverted"] == sum(v["reverted"] for v in rep["languages"].values())
    assert card["config"]["resolved"]["inputs"] == rep["inputs"] and card["outputs"]["report"] == "collect.json"
    assert set(rep["config"]) == set(CollectConfig.model_fields) - CollectConfig.io_fields  # the report stays as it was


@pytest.mark.ray
def test_collect_local_and_ray_identical(synth_dumps: list[Path], tmp_path: Path, local_ray) -> None:  # noqa: F811
    settings = {"max_per_language": 40, "drop_revision_wars": True}
    a = run_collect(synth_dumps, tmp_path / "local", workers=1, engine="local", **settings)
    b = run_collect(synth_dumps, tmp_path / "ray", workers=2, engine="ray", **settings)
    assert a["languages"] == b["languages"] and a["counts"] == b["counts"]
    ta, tb = read_collected(tmp_path / "local"), read_collected(tmp_path / "ray")
    assert ta.num_rows == 80 and ta.equals(tb)
    for f in sorted((tmp_path / "local").glob("lang=*/*.parquet")):
        assert f.read_bytes() == (tmp_path / "ray" / f.relative_to(tmp_path / "local")).read_bytes()
