"""One identity per model across OpenRouter, provider lists and the registry; whole identities only."""

from __future__ import annotations

import pytest

from api.llm_bench.identity import identity, split_variant


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("openai/gpt-4o:extended", "gpt-4o"),
        ("anthropic/claude-3.7-sonnet", "claude-3-7-sonnet-20250219"),
        ("anthropic/claude-3.7-sonnet", "us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
        ("anthropic/claude-opus-4.6", "global.anthropic.claude-opus-4-6-v1"),
        ("meta-llama/llama-3.1-70b-instruct", "meta.llama3-1-70b-instruct-v1:0"),
        ("meta-llama/llama-3.3-70b-instruct", "accounts/fireworks/models/llama-v3p3-70b-instruct"),
        ("anthropic/claude-sonnet-4.5", "claude-sonnet-4-5@20250929"),
        ("openai/gpt-oss-120b", "openai/gpt-oss-120b-maas"),
        ("nvidia/nemotron-nano-9b-v2", "nvidia.nemotron-nano-9b-v2"),
    ],
)
def test_same_identity(left: str, right: str) -> None:
    assert identity(left) == identity(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("gpt-4", "gpt-4o"),
        ("o1", "o1-pro"),
        ("gpt-4o", "gpt-4o-mini"),
        ("glm-5", "glm-5-turbo"),
        ("qwen3-235b-a22b", "qwen3-235b-a22b-2507"),
        ("gpt-4o", "gpt-4o-2024-05-13"),
        ("o3", "o3-mini"),
        ("z-ai/glm-4.5v", "accounts/fireworks/models/glm-4p5"),
        ("nvidia/nemotron-nano-9b-v2", "nvidia.nemotron-nano-9b"),
    ],
)
def test_different_identity(left: str, right: str) -> None:
    assert identity(left) != identity(right)


def test_split_variant() -> None:
    assert split_variant("~openai/gpt-4o:extended") == ("openai/gpt-4o", "extended")
    assert split_variant("openai/gpt-4o") == ("openai/gpt-4o", None)
