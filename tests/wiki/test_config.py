"""Wiki settings: languages as a list, also from the reference's comma-separated form; formats checked."""

import pytest
from pydantic import ValidationError

from corpuslab.wiki.config import WikiExtractConfig, WikiRedirectsConfig, WikiWikidataConfig


@pytest.mark.parametrize("given, want", [("en,ja", ["en", "ja"]), (" en , ja ", ["en", "ja"]),
                                         (["en,ja", "vi"], ["en", "ja", "vi"]), (["zh-yue"], ["zh-yue"])])
def test_languages(given, want):
    assert WikiWikidataConfig(dump="d", output_dir="o", languages=given).languages == want


def test_defaults_and_bad_values():
    assert WikiWikidataConfig(dump="d", output_dir="o").languages == ["en"]
    c = WikiExtractConfig(dump="d", output_dir="o")
    assert (c.workers, c.shard_size, c.format, c.index) == (1, 10_000, "jsonl.zst", None)
    with pytest.raises(ValidationError, match="languages"):
        WikiWikidataConfig(dump="d", output_dir="o", languages=",")
    with pytest.raises(ValidationError, match="format"):
        WikiExtractConfig(dump="d", output_dir="o", format="csv")
    with pytest.raises(ValidationError, match="output"):
        WikiRedirectsConfig(dump="d")
    for model in (WikiExtractConfig, WikiRedirectsConfig, WikiWikidataConfig):
        assert all(f.description for f in model.model_fields.values()), model.__name__
