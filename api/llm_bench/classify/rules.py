"""The text rules: how providers word each kind of error, as one ordered table.

The HTTP status alone misleads (billing sent as 400 or 429, retired models answering 403,
capability errors sent as 404, overloads inside HTTP 200 streams), so the wording decides.
The first matching rule wins, and the order is the precedence:

1. Google's "exceeded your current quota" is a rate quota, not billing (provider-aware);
2. billing wording, whatever the status (400, 429);
3. capability wording, even under 404 or `param: model` (the model exists, the request is wrong);
4. model wording: retired, decommissioned, not found, no access to this model;
5. provider overload and capacity, before the caller's rate limits (an overloaded server may
   answer 429 or `RateLimitError`);
6. rate limits and quotas that reset;
7. credentials and permissions, before network (LiteLLM labels IAM refusals `APIConnectionError`);
8. network failures with no provider answer (a proxy's 500 around "fetch failed" included);
9. generic server-side errors;
10. texts known to say nothing ("Provider returned error" with no detail): kind unknown;
11. a 5xx status written in a shape the writer does not read ("(500)", "HTTP 503").

Patterns are written for lower-case text and compiled case-insensitively; each rule is tried on
the original message (whitespace collapsed) and on the writer's normalized copy. Every rule
carries a real example from the provider-error corpus, which the tests run through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A status number as clients print it: "http 503", "error 500", "status code 429", "(500)", "[503".
_STATUS_PREFIX = r"(?:\bhttp\s*|\berror:?\s+|\bstatus(?:\s*code)?:?\s*|\(|\[|^)"
GOOGLE = ("gemini", "vertex")
#: Real causes sit in the first few hundred characters; a stack trace after them is not read.
MAX_TEXT_CHARS = 8_000


@dataclass(frozen=True)
class Rule:
    """One way a provider words one kind. `providers` (lower-case) limits it to those providers;
    `example` is a real message from the corpus that it must match; `confidence` is what the
    classifier reports when this rule decides."""

    id: str
    kind: str
    pattern: re.Pattern[str]
    providers: tuple[str, ...] | None
    example: str
    confidence: float

    def matches(self, provider: str, texts: tuple[str, ...]) -> bool:
        if self.providers is not None and provider.lower() not in self.providers:
            return False
        return any(self.pattern.search(text) for text in texts if text)


def _rule(
    id: str, kind: str, pattern: str, example: str, *, providers: tuple[str, ...] | None = None, confidence: float = 0.9
) -> Rule:
    return Rule(id, kind, re.compile(pattern, re.IGNORECASE), providers, example, confidence)


RULES: tuple[Rule, ...] = (
    # 1. Google quotas are per-minute/day rate quotas, even where the text mentions billing.
    _rule(
        "google-quota",
        "rate_limit",
        r"exceeded your current quota",
        "You exceeded your current quota, please check your plan and billing details. For more information on "
        "this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
        providers=GOOGLE,
    ),
    # 2. Billing.
    _rule(
        "credit-balance",
        "billing",
        r"credit balance is (?:too low|insufficient)",
        "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade "
        "or purchase credits.",
    ),
    _rule(
        "more-credits",
        "billing",
        r"requires more credits|more credits are required|can only afford",
        "402 This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but "
        "can only afford 222.",
    ),
    _rule(
        "insufficient-balance",
        "billing",
        r"insufficient[ _](?:balance|credits?|funds)|payment required|billing[ _](?:hard[ _]limit|not[ _]active)|"
        r"(?:purchase|buy) (?:more )?credits|(?:don't|doesn't|do not|does not) have (?:any |enough )?credits",
        "402 Insufficient Balance",
    ),
    _rule(
        "insufficient-quota",
        "billing",
        r"insufficient_quota|exceeded your current quota",
        "Error: insufficient_quota: You exceeded your current quota, please check your plan and billing details.",
    ),
    # 3. Capability: the model exists, the request asks for what it lacks.
    _rule(
        "not-chat-model",
        "hard_capability",
        r"not a chat model|only supported in v1/\w+",
        "This model is only supported in v1/responses and not in v1/chat/completions.",
    ),
    _rule(
        "no-endpoint-supports",
        "hard_capability",
        r"no endpoints found that support",
        "No endpoints found that support tool use. To learn more about provider routing, visit: "
        "https://openrouter.ai/docs/provider-routing",
    ),
    _rule(
        "context-length",
        "hard_capability",
        r"maximum context length|context[ _]length[ _]exceeded|context window|prompt is too long|request_too_large",
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 8227 tokens.",
    ),
    _rule(
        "unsupported-parameter",
        "hard_capability",
        r"unsupported[ _](?:parameter|value)|is not supported (?:with|by|for) this model|does not support",
        "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.",
    ),
    _rule(
        "token-limit",
        "hard_capability",
        r"maximum allowed number of (?:output )?tokens|(?:max_tokens|budget_tokens)`? must be",
        "max_tokens: 8192 > 4096, which is the maximum allowed number of output tokens for claude-3-haiku-20240307",
    ),
    _rule(
        "inference-profile",
        "hard_capability",
        r"on-demand throughput isn.t supported|inference profile",
        "Invocation of model ID anthropic.claude-3-7-sonnet-20250219-v1:0 with on-demand throughput isn’t "
        "supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
    ),
    _rule(
        "input-limit",
        "hard_capability",
        r"supports at most \d+ \w+|malformed input request",
        "Model 'moonshotai/kimi-k2.6' supports at most 1 image per prompt.",
    ),
    # Gemini's "not found ..., or is not supported for generateContent" about a model served by
    # another method (Live, embeddings, speech) is the wrong call, not a missing model.
    _rule(
        "gemini-other-method",
        "hard_capability",
        r"models/[\w.-]{0,80}(?:-live|embed|-tts|native-audio|aqa)[\w.-]{0,80} is not found for api version",
        "models/gemini-2.0-flash-live-001 is not found for API version v1beta, or is not supported for "
        "generateContent.",
    ),
    # 4. The model id is not served.
    _rule(
        "decommissioned",
        "hard_model",
        r"decommissioned|has been (?:deprecated|retired|discontinued)|end[- ]of[- ]life|"
        r"marked by provider as legacy",
        "Error: 400 The model `llama-3.3-70b-specdec` has been decommissioned and is no longer supported.",
    ),
    _rule(
        "model-not-exist",
        "hard_model",
        r"does not exist or you do not have access|model_not_found|model:? `?[\w./:@-]{1,200}`? does not exist",
        "model_not_found: 404 The model `gpt-4.5-preview-2025-02-27` does not exist or you do not have access to it.",
    ),
    _rule(
        "no-access-to-model",
        "hard_model",
        r"(?:do not|don't|don’t) have access to the model|model identifier is invalid|"
        r"unable to access (?:non-serverless )?model|model_not_available",
        "API Error: 403 You don't have access to the model with the specified model ID.",
    ),
    _rule(
        "anthropic-model-not-found",
        "hard_model",
        r"not_found_error\W+(?:message\W+)?model: \S",
        '404 - {"type":"error","error":{"type":"not_found_error","message":"model: claude-2.1"}}',
    ),
    _rule(
        "model-not-found",
        "hard_model",
        r"model(?: `?[\w./:@-]{1,200}`?)? (?:is |was )?not found|is not found for api version|"
        r"no endpoints found for|not a valid model|unknown model|invalid model",
        "models/gemini-pro is not found for API version v1beta, or is not supported for generateContent.",
    ),
    _rule(
        "endpoint-not-running",
        "hard_model",
        r"dedicated[ _]endpoint\w*[ _]not[ _]running|endpoint for \S{1,200} is not running",
        "The dedicated endpoint for mistralai/Mixtral-8x22B-Instruct-v0.1 is not running.",
    ),
    # 5. The provider is overloaded: it passes.
    _rule(
        "envoy-upstream",
        "transient_provider",
        r"upstream connect error|reset before headers",
        "API Error (503 upstream connect error or disconnect/reset before headers. reset reason: remote "
        "connection failure",
    ),
    _rule(
        "overloaded",
        "transient_provider",
        r"overloaded",
        'InternalServerError: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    ),
    _rule(
        "capacity",
        "transient_provider",
        r"out of capacity|no capacity|capacity[ _]exhausted|insufficient capacity",
        "RESOURCE_EXHAUSTED: Unable to submit request because the service is temporarily out of capacity.",
    ),
    # 6. Rate limits and quotas that reset.
    _rule(
        "rate-limit",
        "rate_limit",
        r"rate[ _-]?limit|too many (?:requests|tokens)|throttl|resource[ _]exhausted|resource has been exhausted|"
        r"tokens per (?:min|minute|day)|\((?:tpm|tpd|rpm|rpd)\)",
        "429 Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day",
    ),
    # 7. Credentials and permissions.
    _rule(
        "invalid-key",
        "auth",
        r"(?:invalid|incorrect)[ _-]?(?:x-)?api[ _-]?key|api key not valid|api_key_invalid|"
        r"authentication_error|invalid authentication|security token included in the request is invalid|"
        r"unrecognizedclient|no (?:cookie )?auth credentials",
        '400 "Incorrect API key provided: gs***tF. You can obtain an API key from https://console.x.ai."',
    ),
    _rule(
        "permission-denied",
        "auth",
        r"permission '?[\w.]*'? denied|permission_(?:denied|error)|not authorized to perform|access is denied|"
        r"user location is not supported|\bunauthorized\b",
        "Model access is denied due to IAM user or service role is not authorized to perform the required AWS "
        "Marketplace actions",
    ),
    _rule(
        "openrouter-user-not-found",
        "auth",
        r"user not found",
        "Error code: 401 - {'error': {'message': 'User not found.', 'code': 401}}",
        providers=("openrouter",),
    ),
    # 8. No answer from the provider.
    _rule(
        "connection",
        "network",
        r"connection error|apiconnectionerror|unable to connect|cannot connect|fetch failed|socket|und_err|"
        r"econn(?:reset|refused|aborted)|connection (?:refused|reset|aborted|closed)|"
        r"name resolution|getaddrinfo|enotfound|remote end closed",
        "openai.APIConnectionError: Connection error.",
    ),
    _rule(
        "read-timeout",
        "network",
        r"read timeout|connect ?timeout|timed out|etimedout|readtimeout",
        "botocore.exceptions.ReadTimeoutError: Read timeout on endpoint URL: "
        '"https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-v2/invoke"',
    ),
    # 9. The provider failed on its side.
    _rule(
        "server-error",
        "transient_provider",
        r"server_error|server experienced an error|internal server error|service ?unavailable|"
        r"unable to process your request|bad gateway|gateway time-?out|\$fault\W+server|\bapi_error\b",
        "Error: Can't invoke. Reason: Bedrock is unable to process your request.",
    ),
    # 10. Texts known to carry no cause.
    _rule(
        "no-detail",
        "unknown",
        r"provider returned error|status code \(no body\)",
        "OpenAI API error (400 Bad Request): Provider returned error",
        confidence=0.5,
    ),
    # 11. A status the writer did not read.
    _rule(
        "status-5xx",
        "transient_provider",
        _STATUS_PREFIX + r"5\d\d\b",
        "Error: Login failed: Fireworks API key validation failed (500): Error listing deployed models",
        confidence=0.7,
    ),
)


def first_match(provider: str, message: str, normalized_message: str = "") -> Rule | None:
    """The first rule that matches the original message or the writer's normalized copy (each
    read up to MAX_TEXT_CHARS, which bounds the time one hostile message can take)."""
    texts = (" ".join(message[:MAX_TEXT_CHARS].split()), normalized_message[:MAX_TEXT_CHARS])
    for rule in RULES:
        if rule.matches(provider, texts):
            return rule
    return None
