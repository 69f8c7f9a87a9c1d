import gzip
import json
from collections import Counter

import numpy as np
import pytest
import torch
from leia_fixtures import fresh_tiny_tokenizer
from typer.testing import CliRunner

from conftest import check_run_card
from corpuslab.cli.main import app
from corpuslab.core.errors import ConfigError, DataError
from corpuslab.leia.config import EvalSettings, LeiaEvalConfig
from corpuslab.leia.evaluate import (
    bootstrap_ci,
    evaluate_items,
    load_codah_tsv,
    load_csqa_jsonl,
    load_task_items,
    load_xcsr,
    run_eval,
    score_continuations,
    xcodah_requests,
    xcsqa_requests,
)

# Constructed for these tests (not from X-CSR): Japanese items in the X-CSR schema.
JA_CSQA = [
    {"id": "ja-c0", "lang": "ja", "question": {"stem": "パンを焼くときに使う道具はどれですか？", "choices": [
        {"label": "A", "text": "洗濯機"}, {"label": "B", "text": "オーブン"}, {"label": "C", "text": "冷蔵庫"},
        {"label": "D", "text": "扇風機"}, {"label": "E", "text": "掃除機"}]}, "answerKey": "B"},
    {"id": "ja-c1", "lang": "ja", "question": {"stem": "本をたくさん借りられる場所はどこですか？", "choices": [
        {"label": "A", "text": "図書館"}, {"label": "B", "text": "駐車場"}, {"label": "C", "text": "病院"},
        {"label": "D", "text": "空港"}, {"label": "E", "text": "海岸"}]}, "answerKey": "A"},
    {"id": "ja-c2", "lang": "ja", "question": {"stem": "魚が住んでいる場所はどこですか？", "choices": [
        {"label": "A", "text": "砂漠"}, {"label": "B", "text": "屋根"}, {"label": "C", "text": "川"},
        {"label": "D", "text": "机"}, {"label": "E", "text": "道路"}]}, "answerKey": "C"},
    {"id": "ja-c3", "lang": "ja", "question": {"stem": "夜空に見えるものは何ですか？", "choices": [
        {"label": "A", "text": "虹"}, {"label": "B", "text": "信号"}, {"label": "C", "text": "噴水"},
        {"label": "D", "text": "雪だるま"}, {"label": "E", "text": "星"}]}, "answerKey": "E"},
    {"id": "ja-c4", "lang": "ja", "question": {"stem": "手紙を送るときに必要なものは何ですか？", "choices": [
        {"label": "A", "text": "切手"}, {"label": "B", "text": "鍵"}, {"label": "C", "text": "時計"},
        {"label": "D", "text": "傘"}, {"label": "E", "text": "鉛筆削り"}]}, "answerKey": "A"},
]
JA_CODAH = [
    {"id": "ja-d0", "lang": "ja", "question": {"stem": "部屋が暗い。私は", "choices": [
        {"label": "A", "text": "部屋が暗い。私は窓を食べた。"}, {"label": "B", "text": "部屋が暗い。私は電気をつけた。"},
        {"label": "C", "text": "部屋が暗い。私は影を洗った。"}, {"label": "D", "text": "部屋が暗い。私は壁と話し合った。"}]},
     "answerKey": "B"},
]


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    from transformers import AutoModelForCausalLM

    from corpuslab.models.tiny import tiny_config

    tok = fresh_tiny_tokenizer()
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(tiny_config("llama", len(tok), tok, hidden=32, layers=1, heads=2,
                                                         max_positions=2048)).eval()
    d = tmp_path_factory.mktemp("lm")
    model.save_pretrained(d)
    tok.save_pretrained(d)
    return model, tok, d


def test_real_codah_and_csqa_loaders(shared):
    codah = load_codah_tsv(shared("mc/codah_full_data.tsv"))
    assert len(codah) == 2776 and all(len(x["question"]["choices"]) == 4 for x in codah)
    first = codah[0]
    assert first["answerKey"] == "D" and first["question"]["choices"][3]["text"] == \
        "I am always very hungry before I go to bed. I am tempted to snack when I feel this way."
    csqa = load_csqa_jsonl(shared("mc/commonsenseqa_dev_rand_split.jsonl"))
    assert len(csqa) == 1221 and all(len(x["question"]["choices"]) == 5 for x in csqa)
    assert csqa[0]["answerKey"] == "A" and csqa[0]["question"]["choices"][0]["text"] == "bank"
    assert Counter(x["answerKey"] for x in csqa).keys() == set("ABCDE")
    assert len(load_task_items(shared("mc/commonsenseqa_dev_rand_split.jsonl"), "xcsqa")) == 1221
    assert len(load_task_items(shared("mc/codah_full_data.tsv"), "xcodah")) == 2776


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


BAD_LINES = [json.dumps(x, ensure_ascii=False) for x in JA_CSQA] + ["", "{broken", json.dumps(
    {"id": "x", "question": {"stem": "s", "choices": [{"label": "A", "text": "a"}]}, "answerKey": "Z"})]


def test_xcsr_loader_counts_bad_lines(tmp_path):
    errors: Counter = Counter()
    items = load_xcsr(write_lines(tmp_path / "ja.jsonl", BAD_LINES), errors=errors)
    assert len(items) == 5 and errors["bad_items"] == 2 and items[0]["lang"] == "ja"


def test_xcsr_loader_errors_name_the_line_once(tmp_path):
    with pytest.raises(DataError, match=r"ja\.jsonl:7: malformed JSON") as e:
        load_xcsr(write_lines(tmp_path / "ja.jsonl", BAD_LINES))
    assert str(e.value).count("ja.jsonl") == 1
    with pytest.raises(DataError, match=r"bad\.jsonl:1: answerKey 'Z' not among"):
        load_xcsr(write_lines(tmp_path / "bad.jsonl", BAD_LINES[-1:]))
    with pytest.raises(DataError, match="not found"):
        load_xcsr(tmp_path / "missing.jsonl")


def test_compressed_files_are_read_and_sniffed(tmp_path):
    p = tmp_path / "ja.jsonl.gz"
    p.write_bytes(gzip.compress("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in JA_CSQA).encode()))
    assert [x["id"] for x in load_task_items(p, "xcsqa", lang="ja")] == [x["id"] for x in JA_CSQA]
    hf = tmp_path / "csqa.jsonl.gz"
    hf.write_bytes(gzip.compress(json.dumps({"id": "q1", "question": "Where?", "question_concept": "c", "choices": {
        "label": ["A", "B"], "text": ["here", "there"]}, "answerKey": "B"}).encode() + b"\n"))
    [item] = load_task_items(hf, "xcsqa")
    assert item["question"] == {"stem": "Where?", "choices": [{"label": "A", "text": "here"},
                                                             {"label": "B", "text": "there"}]}


def test_summed_loglikelihood_matches_manual(tiny_lm):
    model, tok, _ = tiny_lm
    ctx, cont = tok("Question: x\nAnswer:")["input_ids"], tok(" a long answer here")["input_ids"]
    got = score_continuations(model, tok, [(ctx, cont), ([tok.eos_token_id], cont)])
    with torch.no_grad():
        full = torch.tensor([ctx + cont])
        logp = torch.log_softmax(model(full).logits[0], -1)
    manual = sum(float(logp[len(ctx) - 1 + i, t]) for i, t in enumerate(cont))  # sum, no length normalisation
    assert got[0] == pytest.approx(manual, abs=1e-4)
    assert got[1] != pytest.approx(got[0])
    # batching and padding do not change scores
    alone = score_continuations(model, tok, [([tok.eos_token_id], cont)], batch_size=1)
    assert alone[0] == pytest.approx(got[1], abs=1e-4)


def test_xcsqa_prompt_and_xcodah_context(tiny_lm, shared):
    _, tok, _ = tiny_lm
    reqs = xcsqa_requests(JA_CSQA, tok, num_fewshot=4, seed=42)
    ctx_text = tok.decode(reqs[0][0][0])
    assert ctx_text.count("Question: ") == 5 and ctx_text.endswith(f"Question: {JA_CSQA[0]['question']['stem']}\nAnswer:")
    assert ctx_text.count("\n\n") == 4 and "オーブン" not in ctx_text  # the item itself is not a demonstration
    assert tok.decode(reqs[0][1][1]) == " オーブン" and tok.bos_token_id not in reqs[0][0][0]
    zero = xcsqa_requests(JA_CSQA, tok, num_fewshot=0)
    assert tok.decode(zero[1][0][0]) == "Question: 本をたくさん借りられる場所はどこですか？\nAnswer:"
    codah = load_codah_tsv(shared("mc/codah_full_data.tsv"))[:3]
    cr = xcodah_requests(codah, tok)
    assert all(ctx == [tok.eos_token_id] for rs in cr for ctx, _ in rs)
    assert tok.decode(cr[0][3][1]) == codah[0]["question"]["choices"][3]["text"]


def test_bootstrap_ci():
    assert bootstrap_ci(np.ones(50)) == (1.0, 1.0)
    lo, hi = bootstrap_ci(np.array([1, 0] * 100))
    assert lo < 0.5 < hi and 0.05 < hi - lo < 0.2
    lo2, hi2 = bootstrap_ci(np.array([1, 0] * 1000))
    assert hi2 - lo2 < (hi - lo) / 2


def test_evaluate_real_and_constructed_items(tiny_lm, shared):
    model, tok, _ = tiny_lm
    items = load_codah_tsv(shared("mc/codah_full_data.tsv")) + JA_CODAH
    r = evaluate_items(model, tok, items, "xcodah", EvalSettings(limit=12))
    assert set(r["metrics"]) == {"en", "ja"} and r["metrics"]["en"]["n"] == 12 and r["metrics"]["ja"]["n"] == 1
    for m in r["metrics"].values():
        assert 0 <= m["ci_low"] <= m["accuracy"] <= m["ci_high"] <= 1
    for p in r["predictions"]:
        assert p["pred"] == "ABCD"[int(np.argmax(p["scores"]))]
    r2 = evaluate_items(model, tok, load_csqa_jsonl(shared("mc/commonsenseqa_dev_rand_split.jsonl")) + JA_CSQA,
                        "xcsqa", EvalSettings(limit=6, num_fewshot=4))
    assert r2["metrics"]["en"]["chance"] == 0.2 and r2["metrics"]["ja"]["n"] == 5 and r2["num_fewshot"] == 4


def test_eval_cli_writes_results_and_its_run_card(tiny_lm, tmp_path):
    _, _, d = tiny_lm
    f = tmp_path / "xcodah-ja.jsonl"
    f.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in JA_CODAH))
    q = write_lines(tmp_path / "xcsqa-ja.jsonl", [json.dumps(x, ensure_ascii=False) for x in JA_CSQA])
    r = CliRunner().invoke(app, ["leia", "eval", "-m", str(d), "--xcodah", str(f), "--xcsqa", str(q),
                                 "--num-fewshot", "2", "-o", str(tmp_path / "ev")])
    assert r.exit_code == 0, r.output
    ev = tmp_path / "ev"
    table = (ev / "results.md").read_text()
    assert "| xcodah | ja | 1 |" in table and "| xcsqa | ja | 5 |" in table
    m = json.loads((ev / "xcodah_metrics.json").read_text())
    assert m["metrics"]["ja"]["n"] == 1 and m["model"] == str(d)
    assert json.loads((ev / "xcsqa_metrics.json").read_text())["num_fewshot"] == 2
    assert len((ev / "xcodah_predictions.jsonl").read_text().splitlines()) == 1
    card = check_run_card(ev, "leia-eval")
    assert card["counts"]["items"] == {"xcsqa": {"ja": 5}, "xcodah": {"ja": 1}}
    assert card["counts"]["accuracy"]["xcsqa"]["ja"] == json.loads((ev / "xcsqa_metrics.json").read_text()
                                                                   )["metrics"]["ja"]["accuracy"]
    assert card["counts"]["bad_items"] == 0 and card["inputs"]["xcodah"] == [str(f)]


def test_eval_without_output_dir_writes_nothing(tiny_lm, tmp_path, monkeypatch):
    _, _, d = tiny_lm
    f = write_lines(tmp_path / "x.jsonl", [json.dumps(JA_CODAH[0], ensure_ascii=False)])
    monkeypatch.chdir(tmp_path)
    [res] = run_eval(LeiaEvalConfig(model=d, xcodah=[f]))
    assert res["task"] == "xcodah" and res["metrics"]["ja"]["n"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.jsonl"]


def test_eval_needs_a_task_file():
    with pytest.raises(ConfigError, match="at least one --xcsqa or --xcodah"):
        run_eval(LeiaEvalConfig(model="m"))
