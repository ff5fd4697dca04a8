"""The error kinds: one table that the classifier, the queries, the prompts and the docs share."""

from __future__ import annotations

from typing import Any

#: kind -> what it means for the operator. Order is the display order.
KIND_MEANINGS: dict[str, str] = {
    "auth": "the credentials or permissions are refused",
    "billing": "the account is out of credit or quota that only payment restores",
    "rate_limit": "the caller is throttled; it passes",
    "hard_model": "the model id is not served (retired, wrong id, no access to the model)",
    "hard_capability": "the request asks for something the model lacks: fix the request",
    "transient_provider": "the provider failed on its side (5xx, overloaded); it passes",
    "network": "no HTTP answer: connection, DNS or read failure",
    "timeout": "the call ran out of time",
    "budget_exhausted": "the benchmark's own budget ran out; the provider is not broken",
    "unknown": "not enough in the text to tell",
}
KINDS: tuple[str, ...] = tuple(KIND_MEANINGS)


def clean_kind(value: Any) -> str:
    """A stored kind as one of KINDS; anything else (missing, misspelt, hostile) is "unknown"."""
    return value if isinstance(value, str) and value in KIND_MEANINGS else "unknown"
