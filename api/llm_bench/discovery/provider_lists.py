"""The providers' own model lists: `GET .../models` of each provider whose API key is set.

OpenAI, Groq, Fireworks, DeepInfra and Cerebras answer OpenAI's shape (`{"data": [{"id": ...}]}`,
Bearer key); Together answers a bare JSON array; Anthropic pages with `has_more`/`last_id`
(`?after_id=`) and wants `x-api-key` and `anthropic-version`. Bedrock and Vertex have no such
list here (the registry speaks for them). A list proves a model exists, not that this account
may call it, so it is recorded as a source and nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from ..untrusted import is_identifier
from .download import Budget, SourceRefused, get_json
from .listing import Seen, SourceList


@dataclass(frozen=True)
class ListSpec:
    provider: str
    url: str
    style: str = "openai"  # "openai" (data list, Bearer) or "anthropic" (pages, x-api-key)


SPECS: Mapping[str, ListSpec] = {
    spec.provider: spec
    for spec in (
        ListSpec("openai", "https://api.openai.com/v1/models"),
        ListSpec("anthropic", "https://api.anthropic.com/v1/models", "anthropic"),
        ListSpec("groq", "https://api.groq.com/openai/v1/models"),
        ListSpec("together", "https://api.together.xyz/v1/models"),
        ListSpec("fireworks", "https://api.fireworks.ai/inference/v1/models"),
        ListSpec("deepinfra", "https://api.deepinfra.com/v1/openai/models"),
        ListSpec("cerebras", "https://api.cerebras.ai/v1/models"),
    )
}
ANTHROPIC_VERSION = "2023-06-01"
ANTHROPIC_PAGE = 1000


def _entries(payload: Any) -> list[Any]:
    """The model objects of one answer: `data` of an object, or a bare array (Together)."""
    data = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(data, list):
        raise SourceRefused("the answer has no model list (`data` array or bare array)")
    return data


def _seen(provider: str, entries: list[Any]) -> list[Seen]:
    """Entries with an acceptable id; anything else in the answer is ignored."""
    return [Seen(provider, e["id"]) for e in entries if isinstance(e, dict) and is_identifier(e.get("id"))]


def fetch_list(spec: ListSpec, key: str, url: str, client: httpx.Client, budget: Budget) -> SourceList:
    """One provider's complete list, following Anthropic's pages within the budget."""
    if spec.style != "anthropic":
        entries = _entries(get_json(client, url, {"Authorization": f"Bearer {key}"}, budget))
        return SourceList(
            f"provider:{spec.provider}", "provider", (spec.provider,), tuple(_seen(spec.provider, entries))
        )
    headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
    seen: list[Seen] = []
    after: str | None = None
    while True:
        query = {"limit": ANTHROPIC_PAGE, **({"after_id": after} if after else {})}
        payload = get_json(client, f"{url}{'&' if '?' in url else '?'}{urlencode(query)}", headers, budget)
        seen += _seen(spec.provider, _entries(payload))
        if not (isinstance(payload, dict) and payload.get("has_more") is True):
            break
        last = payload.get("last_id")
        if not isinstance(last, str) or not last or last == after:
            raise SourceRefused("the list says has_more but gives no new last_id")
        after = last
    return SourceList(f"provider:{spec.provider}", "provider", (spec.provider,), tuple(seen), pages=budget.pages)
