import torch
from leia_fixtures import fresh_tiny_tokenizer

from corpuslab.leia.markers import MarkerIds, add_marker_tokens, init_marker_embeddings, marker_ids_of


def test_markers_are_single_special_tokens():
    tok = fresh_tiny_tokenizer()
    o, c = add_marker_tokens(tok)
    assert add_marker_tokens(tok) == (o, c) and len(tok) == 802 and marker_ids_of(tok) == MarkerIds(o, c)
    ids = tok("日本<translate>Japan</translate>", add_special_tokens=False)["input_ids"]
    assert ids.count(o) == 1 and ids.count(c) == 1


def test_marker_embeddings_start_at_the_mean():
    from transformers import AutoModelForCausalLM

    from corpuslab.models.tiny import tiny_config

    tok = fresh_tiny_tokenizer()
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(tiny_config("llama", len(tok), tok, hidden=32, layers=1, heads=2))
    old = model.get_input_embeddings().weight.detach().clone()
    o, c = add_marker_tokens(tok)
    assert init_marker_embeddings(model, tok) == [o, c]
    emb = model.get_input_embeddings().weight.detach()
    assert emb.shape[0] == len(tok)
    assert torch.allclose(emb[o], old.mean(0), atol=1e-6) and torch.allclose(emb[c], old.mean(0), atol=1e-6)
    assert torch.equal(emb[: old.shape[0]], old)
    assert init_marker_embeddings(model, tok) == []
