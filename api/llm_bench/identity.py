"""One normalised spelling per model id, shared by discovery and the health check.

OpenRouter, the providers' own lists and the model registry spell the same model differently
(`anthropic/claude-3.7-sonnet`, `claude-3-7-sonnet-20250219`,
`us.anthropic.claude-3-7-sonnet-20250219-v1:0`). Comparing whole identities, never substrings,
says "same model" without saying `gpt-4` covers `gpt-4o`.
"""

from __future__ import annotations

import re

#: A Bedrock cross-region inference-profile prefix.
REGION = re.compile(r"^(?:us|eu|apac|au|jp|global|us-gov)\.")
_BEDROCK_VENDOR = re.compile(
    r"^(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|qwen|openai|google|nvidia|minimax|moonshot|"
    r"moonshotai|zai|writer|twelvelabs|xai)\."
)


def split_variant(openrouter_id: str) -> tuple[str, str | None]:
    """("openai/gpt-4o", "extended") for "openai/gpt-4o:extended"; the `~` alias mark is dropped."""
    base, _, variant = openrouter_id.lstrip("~").partition(":")
    return base, variant or None


def identity(model_id: str) -> str:
    """A model id reduced to its identity, comparable across OpenRouter and provider spellings.

    Drops the namespace (org/, accounts/x/models/), Bedrock region and vendor prefixes and
    `-v1:0` suffixes, Vertex `@version` and `-maas`, OpenRouter `:variant`, compact dates
    (claude-...-20250219), spells Fireworks `v3p1` as 3.1, and joins letter and digit runs with
    dashes: `llama3-1-70b` and `llama-3.1-70b` agree, `gpt-4` and `gpt-4o` do not. A `v` before a
    number is dropped (`v3p3`, `-v2`), a trailing one kept (`glm-4.5v` is not `glm-4.5`).
    """
    text = model_id.strip().lower().lstrip("~")
    text = re.sub(r"@[\w.-]*$", "", text)
    text = re.sub(r":[a-z][a-z-]*$", "", text)
    text = text.rsplit("/", 1)[-1]
    text = REGION.sub("", text)
    text, vendor_prefixed = _BEDROCK_VENDOR.subn("", text)
    if vendor_prefixed:  # Bedrock's API version (-v1:0, -v1), not the model's (nemotron-nano-9b-v2)
        text = re.sub(r"-v(?:\d+:\d+|1)$", "", text)
    text = re.sub(r"-maas$", "", text)
    text = re.sub(r"-20\d{6}$", "", text)
    text = re.sub(r"(?<=\d)p(?=\d)", ".", text)
    tokens = re.findall(r"[a-z]+|\d+", text)
    return "-".join(t for t, after in zip(tokens, tokens[1:] + [""], strict=True) if t != "v" or not after.isdigit())
