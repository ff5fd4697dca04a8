"""The registry's key conventions, on real entries of LiteLLM's map (tests/fixtures/registry)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.llm_bench.discovery.download import SourceRefused
from api.llm_bench.discovery.registry import model_id_of, parse

SAMPLE = json.loads((Path(__file__).parent / "fixtures" / "registry" / "litellm-sample.json").read_text())


def test_only_callable_chat_models_of_our_providers() -> None:
    ids = {(s.provider, s.model_id) for s in parse(SAMPLE)}
    assert ("openai", "gpt-4o") in ids and ("openai", "gpt-4o-2024-08-06") in ids
    assert ("bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0") in ids  # from the us-gov regional key
    assert ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0") in ids
    assert ("fireworks", "accounts/fireworks/models/glm-4p7") in ids  # short key expanded
    assert ("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo") in ids and ("vertex", "gemini-2.5-pro") in ids
    assert not any(
        m.startswith(("ft:", "together-ai", "fireworks-ai")) or "commitment" in m or m == "sample_spec" for _, m in ids
    )
    assert ("openai", "text-embedding-3-small") not in ids and ("groq", "whisper-large-v3") not in ids  # modes
    assert not any(p == "bedrock" and "." not in m for p, m in ids)  # bedrock/claude-opus-latest is LiteLLM's alias
    assert all(p != "azure" for p, _ in ids)


def test_prices_per_million_dates_and_successors() -> None:
    found = {(s.provider, s.model_id): s for s in parse(SAMPLE)}
    gpt4o = found[("openai", "gpt-4o")]
    assert (gpt4o.input_price, gpt4o.output_price, gpt4o.context_length) == (2.5, 10.0, 128000)
    assert gpt4o.deprecation_date == "2027-01-14" and gpt4o.successor == "gpt-6-luna"
    assert gpt4o.deprecation_source == "https://developers.openai.com/api/docs/deprecations"
    bedrock = found[("bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0")]
    assert bedrock.successor == "anthropic.claude-sonnet-5-5"  # LiteLLM's routing prefix stripped


@pytest.mark.parametrize(
    ("key", "provider", "expected"),
    [
        ("bedrock/invoke/anthropic.claude-3-haiku-20240307-v1:0", "bedrock", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("bedrock_mantle/openai.gpt-5.4", "bedrock", "openai.gpt-5.4"),
        ("bedrock/*/1-month-commitment/cohere.command-text-v14", "bedrock", None),
        ("fireworks_ai/accounts/fireworks/routers/kimi-k2", "fireworks", "accounts/fireworks/routers/kimi-k2"),
        ("deepinfra/x'; rm -rf /", "deepinfra", None),
    ],
)
def test_model_ids_of_keys(key: str, provider: str, expected: str | None) -> None:
    assert model_id_of(key, provider) == expected


def test_a_registry_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(SourceRefused, match="JSON list, not an object"):
        parse([{"gpt-4o": {}}])
