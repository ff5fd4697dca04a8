"""The public model registry (LiteLLM's model map) read as direct-provider model ids.

LiteLLM downloads this JSON at start-up (`MODEL_REGISTRY_URL`); it is the most complete public
list of provider ids, with prices, context sizes and deprecation dates. One key per model; the
provider's own id is the key without LiteLLM's routing prefix (`together_ai/`, `bedrock/<region>/`
...). Kept: the benchmark's nine providers, `mode` chat or responses. Dropped: pricing tiers
(`together-ai-*`, `fireworks-ai-*`), provisioned throughput (`*-month-commitment/*`), fine-tune
pricing (`ft:`), wildcard keys and LiteLLM's own Bedrock aliases (no `vendor.` in the id).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..untrusted import is_identifier, safe_text
from .download import SourceRefused
from .listing import Seen

_PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "bedrock_mantle": "bedrock",
    "together_ai": "together",
    "groq": "groq",
    "fireworks_ai": "fireworks",
    "deepinfra": "deepinfra",
    "cerebras": "cerebras",
}
_ROUTING = re.compile(
    r"^(?:bedrock/(?:invoke/|[a-z]{2}(?:-gov)?-[a-z]+-\d/)?|bedrock_mantle/|vertex_ai/|together_ai/|groq/|"
    r"fireworks_ai/|deepinfra/|cerebras/)"
)
_NOT_MODELS = re.compile(r"^(?:together-ai-|fireworks-ai-|ft:)|-month-commitment/|\*")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MODES = ("chat", "responses")
PROVIDERS = ("openai", "anthropic", "bedrock", "vertex", "together", "groq", "fireworks", "deepinfra", "cerebras")


def provider_of(litellm_provider: object) -> str | None:
    if not isinstance(litellm_provider, str):
        return None
    return "vertex" if litellm_provider.startswith("vertex_ai") else _PROVIDERS.get(litellm_provider)


def model_id_of(key: str, provider: str) -> str | None:
    """The provider's own id for a registry key, or None when the key is not a callable model."""
    if _NOT_MODELS.search(key):
        return None
    model_id = _ROUTING.sub("", key)
    if provider == "bedrock" and "." not in model_id.split("/")[0]:
        return None  # LiteLLM's alias, not an AWS model id
    if provider == "fireworks" and not model_id.startswith("accounts/"):
        model_id = f"accounts/fireworks/models/{model_id}"
    return model_id if is_identifier(model_id) else None


def per_million(value: Any) -> float | None:
    """USD per token as USD per million tokens; None for junk, a negative price or one too large
    to round (at 1e16 USD per token and beyond: dropped, not fatal)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
        return float(round(number * 1_000_000, 6)) if number.is_finite() and number >= 0 else None
    except ArithmeticError:  # InvalidOperation: not a number, or beyond the context's precision
        return None


def _date(value: Any) -> str | None:
    return value if isinstance(value, str) and _DATE.match(value) else None


def _int(value: Any) -> int | None:
    """A positive integer MongoDB can store (64 bits); anything else is dropped."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63 else None


def parse(payload: Any) -> tuple[Seen, ...]:
    """The registry's chat/responses models of our providers; SourceRefused if it is not a registry."""
    if not isinstance(payload, Mapping):
        raise SourceRefused(f"the registry is a JSON {type(payload).__name__}, not an object")
    found: dict[tuple[str, str], tuple[bool, Seen]] = {}
    for key, entry in payload.items():
        if not isinstance(entry, Mapping) or entry.get("mode") not in MODES:
            continue
        provider = provider_of(entry.get("litellm_provider"))
        model_id = model_id_of(str(key), provider) if provider else None
        if provider is None or model_id is None:
            continue
        seen = Seen(
            provider=provider,
            model_id=model_id,
            deprecation_date=_date(entry.get("deprecation_date")),
            deprecation_source=safe_text(source, 300)
            if isinstance(source := entry.get("deprecation_source"), str) and source
            else None,
            successor=_ROUTING.sub("", entry["successor_model"])
            if is_identifier(entry.get("successor_model"))
            else None,
            context_length=_int(entry.get("max_input_tokens")) or _int(entry.get("max_tokens")),
            input_price=per_million(entry.get("input_cost_per_token")),
            output_price=per_million(entry.get("output_cost_per_token")),
        )
        plain = key == model_id  # a regional routing key only stands in for an id no plain key has
        if (provider, model_id) not in found or (plain and not found[(provider, model_id)][0]):
            found[(provider, model_id)] = (plain, seen)
    return tuple(seen for _, seen in found.values())
