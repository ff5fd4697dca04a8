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

#: kind -> the signs of it in an error text, as the corpus labels them (LABELLING.md's "Kinds"
#: table is tested against this; the AI that decides what the rules leave unknown is given it).
KIND_SIGNS: dict[str, str] = {
    "auth": "credentials or permissions refused: bad, missing or expired key or token, IAM or organisation refusals, region not allowed",
    "billing": 'out of credit, or a quota that only payment restores (OpenAI `insufficient_quota`, "credit balance is too low", 402 payment required)',
    "rate_limit": 'throttled, and it passes: 429 rate limits, tokens/requests per minute or day, Google\'s "Resource has been exhausted" and "exceeded your current quota"',
    "hard_model": "the model id is not served: retired, decommissioned, misspelt, not found, no access to this model, a dedicated endpoint not running",
    "hard_capability": "the model exists but the request asks for what it lacks or is malformed for it: context length, unsupported parameter, role, tool use, image, streaming, wrong API (chat vs completions), token limits, schema validation",
    "transient_provider": "the provider failed on its side and it passes: 5xx, overloaded, capacity, internal error, mid-stream break",
    "network": "no HTTP answer: connection refused or reset, DNS, TLS, proxy could not connect",
    "timeout": "the call ran out of time: read timeouts, deadlines, 504 and 524 gateway timeouts",
    "budget_exhausted": "the benchmark's (or the operator's own gateway's) spending cap stopped it; the provider is fine",
    "unknown": 'the text does not say: "Provider returned error" with no detail, a bare 404 or 405 with no body and no model named, an empty error object, a 400 or 422 with no body (an HTTP client\'s "Request failed with status code 400")',
}
#: How the labels settle what two kinds share (LABELLING.md's conventions are tested against
#: this; the AI is given them too).
CONVENTIONS: tuple[str, ...] = (
    "A label follows the cause, not the status: billing sent as 400 or 429 is `billing`; a retired model answering 400 or 403 is `hard_model`; a capability error under 404 is `hard_capability`.",
    "A proxy's 500 around a connection failure is `network`; a retry wrapper's \"Deadline exceeded\" after 503s is `timeout`.",
    'A single request larger than a per-minute token limit ("Request too large for model … on tokens per minute (TPM): Limit N, Requested M", often 413) is `rate_limit`, as the provider\'s own code says (`rate_limit_exceeded`), although waiting alone may not let it pass.',
    'A Google quota whose limit is 0 ("limit: 0": no free tier for this model or project) is `billing`: only a paid plan restores it; an ordinary per-minute or per-day quota is `rate_limit`.',
    'A body cut after the answer began ("peer closed connection without sending complete message body", "incomplete chunked read", a stream ended mid-response) is `transient_provider`; a connection never made or reset before any answer is `network`; a connect timeout is `network`.',
    'No access granted to one model ("You don\'t have access to the model with the specified model ID", a model-access request not approved) is `hard_model`; credentials refused for every call are `auth`.',
)


def clean_kind(value: Any) -> str:
    """A stored kind as one of KINDS; anything else (missing, misspelt, hostile) is "unknown"."""
    return value if isinstance(value, str) and value in KIND_MEANINGS else "unknown"
