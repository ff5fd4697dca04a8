"""The text rules: how providers word each kind of error, as one ordered table.

The HTTP status alone misleads (billing sent as 400 or 429, retired models answering 403,
capability errors sent as 404, overloads inside HTTP 200 streams), so the wording decides.
The first matching rule wins, and the order is the precedence:

1. a Gemini quota with limit 0 (no free tier) is billing; otherwise Google's "exceeded your
   current quota" is a rate quota, not billing (provider-aware);
2. billing wording, whatever the status (400, 429);
3. capability wording, even under 404 or `param: model` (the model exists, the request is wrong);
4. model wording: retired, decommissioned, not found, no access to this model;
5. provider overload and capacity, before the caller's rate limits (an overloaded server may
   answer 429 or `RateLimitError`);
6. rate limits and quotas that reset;
7. credentials and permissions, before network (LiteLLM labels IAM refusals `APIConnectionError`);
8. a client's own timeout after the connection was made (undici, curl); a connection never
   made, timed out or not; then network failures with no provider answer (a proxy's 500
   around "fetch failed" included);
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

from .vocabulary import PROVIDER_VOCABULARIES

# A status number as clients print it: "http 503", "error 500", "status code 429", "(500)", "[503".
_STATUS_PREFIX = r"(?:\bhttp\s*|\berror:?\s+|\bstatus(?:\s*code)?:?\s*|\(|\[|^)"
GOOGLE = ("gemini", "vertex")
#: The providers the benchmark calls directly (their own vocabularies, and OpenRouter): what their
#: edge says is theirs, not a proxy's in between.
DIRECT = (*PROVIDER_VOCABULARIES, "openrouter")
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
    generic: bool = False  # transport, timeout and server wording: weaker than structured evidence
    lowered: re.Pattern[str] | None = None  # the same pattern without IGNORECASE, for lower-cased text

    def matches(self, provider: str, texts: tuple[str, ...]) -> bool:
        """Whether it matches one of the texts, which must be lower-cased already (matching
        lower-cased text case-sensitively is several times cheaper than IGNORECASE)."""
        if self.providers is not None and provider.lower() not in self.providers:
            return False
        pattern = self.lowered or self.pattern
        return any(pattern.search(text) for text in texts if text)


def _rule(
    id: str,
    kind: str,
    pattern: str,
    example: str,
    *,
    providers: tuple[str, ...] | None = None,
    confidence: float = 0.9,
    generic: bool = False,
) -> Rule:
    return Rule(
        id, kind, re.compile(pattern, re.IGNORECASE), providers, example, confidence, generic, re.compile(pattern)
    )


# Identifier-like words only match as whole tokens: not inside ResourceNotFoundException,
# not_found_error or x-ratelimit-remaining.
_B = r"(?<![a-z0-9_])"
_E = r"(?![a-z0-9_])"


RULES: tuple[Rule, ...] = (
    # 1. A Gemini quota whose limit is 0: no free tier for this model or project, only payment;
    # and no free tier where the caller is (Gemini's troubleshooting page: "enable billing").
    _rule(
        "gemini-quota-zero",
        "billing",
        r"\blimit: 0(?![\d.])|(?:doesn't|does not) have a free quota tier|free tier is not available in your country|"
        r"without a billing account linked",
        "Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, "
        "limit: 0, model: gemini-2.5-pro",
        providers=("gemini",),
    ),
    # Google quotas are per-minute/day rate quotas, even where the text mentions billing.
    _rule(
        "google-quota",
        "rate_limit",
        r"exceeded your current quota|exhausted your (?:daily |current )?quota",
        "You exceeded your current quota, please check your plan and billing details. For more information on "
        "this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
        providers=GOOGLE,
    ),
    # 2. The benchmark's (or a gateway's) own budget ran out: the provider is not broken.
    _rule(
        "run-budget",
        "budget_exhausted",
        r"budget has been (?:exceeded|exhausted)|(?:crossed|exceeded) budget|"
        + _B
        + r"budget[ _](?:exhausted|exceeded)"
        + _E
        + r"|cost limit (?:exceeded|reached)|key limit exceeded|exit due to cost limit|cost [\d.]+ exceeds limit|budget full|"
        r"max budget:|budget of \$?[\d.,]{1,12} has been reached|(?<![a-z0-9_])exceededbudget(?![a-z0-9_])|max budget limit reached",
        "400 Budget has been exceeded! Team=99c74652-6e33-4dbd-93f3-5b545da15ade",
    ),
    # OpenAI's rate-limit wording (its free tier's also asks to "add a payment method" to raise
    # the limit, which must not read as billing), and .NET's HttpStatusCode name for a 429.
    _rule(
        "rate-limit-reached",
        "rate_limit",
        r"rate limit reached for|" + _B + r"toomanyrequests" + _E,
        "com.theokanning.openai.OpenAiHttpException: Rate limit reached for default-gpt-3.5-turbo in organization "
        "org-lpTV8JA1Fonfq3PljHSxtabv on requests per min. Limit: 3 / min. Please try again in 20s.",
    ),
    # 3. Billing.
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
        r"requires more credits|more credits are required|can only afford|key with a higher (?:monthly )?limit",
        "402 This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but "
        "can only afford 222.",
    ),
    _rule(
        "insufficient-balance",
        "billing",
        r"insufficient[ _](?:balance|credits?|funds)|payment required|billing[ _](?:hard[ _]limit|not[ _]active)|"
        r"(?:purchase|buy) (?:more )?credits|(?:don't|doesn't|do not|does not) have (?:any |enough )?credits|"
        r"spend(?:ing)? limit|positive balance|upgrade your tier|out of credits|credits? (?:have been |are )?(?:exhausted|depleted)|"
        r"(?:account )?balance (?:is )?(?:insufficient|too low|negative)|add a payment method|"
        # OpenClaw's billing wordings: Anthropic's extra usage, xAI's team credits, a plan without the model
        r"\bcredit balance\b|plans (?:&|and) billing|used all available credits|out of extra usage|extra usage is required|"
        r"draw from your extra usage|not available in your current plan|exceeded your monthly included credits|"
        # Google Cloud's for a project without a billing account (reason BILLING_DISABLED)
        r"requires billing to be enabled|billing must be enabled for activation|billing account for project \S{1,40} is not (?:found|open)|"
        + _B
        + r"(?:credit_limit|enforced_spend_limit_reached)"
        + _E,
        "402 Insufficient Balance",
    ),
    _rule(
        "insufficient-quota",
        "billing",
        _B + r"insufficient_quota" + _E + r"|exceeded your current quota",
        "Error: insufficient_quota: You exceeded your current quota, please check your plan and billing details.",
    ),
    # A model id no one can route: LiteLLM's id without its provider prefix, Gemini's malformed
    # name (before the capability rules, whose field paths these texts also contain).
    _rule(
        "unroutable-model-id",
        "hard_model",
        r"llm provider not provided|unexpected model name format",
        "litellm.BadRequestError: LLM Provider NOT provided. Pass in the LLM provider you are trying to call. You "
        "passed model=deepseek-chat",
    ),
    # 4. Capability: the model exists, the request asks for what it lacks.
    _rule(
        "not-chat-model",
        "hard_capability",
        r"not a chat model|is a chat model and not supported|only supported in v1/\w+|"
        r"not supported in the v1/[\w/]{1,40} endpoint|is not supported with the (?:responses|chat completions|completions|assistants) api\b|use (?:the )?/?(?:v1/)?(?:chat/)?(?:completions|responses) api instead|"
        r"unknown request url|cannot post /[\w/.-]{0,80}|404 page not found|operation does not work with the specified model",
        "This model is only supported in v1/responses and not in v1/chat/completions.",
    ),
    # A prompt or an answer the provider's content filter refused: the request, not the model or
    # the account (Azure's and OpenAI's documented wordings, OpenRouter's 403 for moderation); a
    # safety setting Gemini on Vertex keeps for allowlisted accounts (BLOCK_NONE).
    _rule(
        "content-policy",
        "hard_capability",
        r"content management policy|rejected as a result of our safety system|not allowed by our safety system|"
        r"flagged as potentially violating (?:our )?usage polic|your input was flagged|restricted harmblockthreshold setting|"
        + _B
        + r"responsibleaipolicyviolation"
        + _E,
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
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
        r"maximum context length|context[ _]length[ _]exceeded|context window|prompt is too long|"
        + _B
        + r"request_too_large"
        + _E
        + r"|input is too long|too many (?:input )?tokens in (?:the )?(?:prompt|input)|reduce the length of the messages|"
        r"current length is \d+ while limit is \d+|"
        # LiteLLM's list of the providers' context-window wordings (exception_mapping_utils.py)
        r"maximum context limit|longer than the model's (?:maximum )?context|input tokens exceed the configured limit|"
        r"`?inputs`? tokens \+ `?max_new_tokens`? must be|exceeds? (?:the )?available context size|total tokens? exceeds? (?:the )?(?:model's )?(?:max|maximum|limit)|"
        # pi-ai's documented overflow wordings: xAI, LM Studio, GitHub Copilot, Kimi
        r"maximum prompt length is \d|greater than the context length|token count of \d+ exceeds the limit of \d|"
        r"exceeded model token limit|context_window_exceeded(?![a-z0-9_])|maximum input length is \d|"
        r"too many input tokens(?! per)|prompt tokens \(\d+\) exceed model maximum|(?:prompt|input) has too many tokens|"
        r"input text length should not exceed|string too long\. expected a string with maximum length|expected maxlength:|\blength limit exceeded|"
        r"\bprompt: length: \d|is longer than the maximum model length\b",
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 8227 tokens.",
    ),
    _rule(
        "unsupported-parameter",
        "hard_capability",
        r"unsupported[ _](?:parameter|value|role)|is not supported (?:with|by|for|on) this model|"
        r"(?:doesn't|does not|don't|do not|doesn’t) support|the following must be satisfied|is unsupported|must be one of|"
        r"failed to call a function|invalid prompt:|is not enabled for models/|we only support|"
        r"cannot specify .{1,80} at the same time|invalid (?:value|type) for|missing required (?:parameter|argument|field)|"
        r"additional properties are not allowed|is not of type|is not valid under any of the given schemas|"
        r"(?:streaming|images?|image input|tools?|tool calling|function calling|json mode|structured outputs?|"
        r"system (?:prompts?|messages?)|vision|audio|logprobs|parallel tool calls) (?:is |are )?not (?:supported|allowed)|"
        r"must be less than or equal to|invalid '[\w.\[\]]{1,80}'|input should be (?:a valid|less than|greater than|'|\")|is only supported by certain models|"
        r"\bfield required\b|is too long|exceeds? (?:the )?(?:maximum|context)|model only supports|"
        r"is not supported (?:with|by|for|on|in) (?:the |this )?model|not supported by (?:the )?(?:model|provider)|(?:is )?greater than the maximum|exceeds? the maximum (?:allowed )?(?:number|length|size)|"
        r"invalid image|image (?:is )?too large|unsupported image|"
        + _B
        + r"tool_use_failed"
        + _E
        + r"|invalid format type|"
        r"(?:role|parameter|argument|param|property) '?[\w.]{1,40}'? is not supported|"
        r"(?:argument|parameter)s? (?:is |are )?not supported (?:on|for|by) (?:this|the) model|unexpected role '\w{1,20}' after role|"
        r"(?:temperature|top_p|top_k)`? (?:may only|can only|must) be|(?:when|while) thinking is enabled|thinking (?:may not|cannot|can't) be enabled|streaming is (?:strongly recommended|required) for operations that may take longer|parameter validation failed:|could not parse response content as the length limit was reached|a maximum of \d{1,4} blocks with cache_control|must contain non-whitespace text|toolconfig field must be defined|can only be accessed over https|"
        r"must contain the word .json.|invalid schema for (?:response_format|function)|must be verified to stream\b|"
        # Bedrock's validation: a position in the request (`at messages.1`), a field that must be unset, a
        # model that takes another body (`is not supported on this API. Please use the Messages API`)
        r"\bat messages\.\d{1,4}\b|must be unset\b|messages? (?:cannot|can't|must not|may not) contain\b|"
        r"is not supported on this api\b|use the messages api\b|invalid api version\b|"
        # Anthropic's refusal of a beta header value
        r"unexpected value\(s\) .{1,80} for (?:the )?.{1,20}header|"
        r"extra (?:inputs|fields) (?:are )?not permitted|unrecognized request argument|is not supported in the \w{1,60} api|"
        r"(?:content|message content|input|feature|operation|method|format|encoding|mode) (?:type )?(?:is |are )?not supported|"
        r"(?:must not|cannot|can't|may not) be (?:empty|blank)|\bis blank\b|is too short|minimum allowed|"
        # A field path of the request, then what is wrong with it (Anthropic's and Bedrock's validation).
        r"(?<![a-z0-9_.])(?:messages|tools|tool_choice|max_tokens|temperature|top_p|top_k|stop_sequences|"
        r"response_format|contents|generation_?config|thinking)(?:\.\d{1,4}|\.[a-z_][a-z0-9_]{0,29}|\[\d{1,4}\]){1,8}: |"
        r"invalid json payload received|unknown name \"|cannot find field|request payload size exceeds|"
        r"too many states for serving|must alternate|alternate between|empty text parameter|generatecontentrequest\.|use a valid role\b|"
        r"conversation must (?:start|end|alternate)|(?:required|extraneous) key \[|the provided request is not valid|"
        r"violates (?:the )?(?:schema|constraint)|value must be an? (?:string|array|number|integer|boolean|object)|"
        r"tool call validation failed|value out of range|is a required property|template error:|"
        # OpenAI's and DeepSeek's message-order checks; vLLM's and xgrammar's refusals of a tool or schema
        r"\binvalid parameter: |must be a response to a prece{1,2}ding message|\bat message index \d|"
        r"tool choice requires\b|must be (?:a )?(?:positive|non-negative) (?:value|integer|number)\b|"
        r"failed to compile [\w ]{0,40}grammar|\bimage exceeds \d|"
        # marshmallow's and axum's refusals of a body's fields; Gemini's prompt blocked for its content
        r"\bunknown field\b|failed to deserialize the json body|\bblock_?reason\W{1,4}(?:safety|other|blocklist|prohibited_content|image_safety)\b|"
        # LiteLLM's bad-request wordings: Bedrock's turn order, Cloudflare's and Cohere's schema
        # checks, pydantic's, watsonx's, a Responses item from another organisation
        r"cannot be provided in the same turn|must have required property|invalid type: parameter|should match pattern|"
        r"\bvalue is not a valid\b|"
        + _B
        + r"(?:model_no_support_for_function|invalid_encrypted_content)"
        + _E
        + r"|encrypted content .{0,80} could not be verified|(?:\[\d{1,4}\]|\.[a-z_]{1,30}){1,6} must be an? (?:string|array|number|integer|boolean|object)\b",
        "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.",
    ),
    _rule(
        "token-limit",
        "hard_capability",
        r"maximum allowed number of (?:output )?tokens|(?:max_tokens|budget_tokens|max_completion_tokens)`? must be|"
        r"max(?:imum)?[ _]?tokens (?:you requested )?exceeds?|max_tokens \(\d+\) exceeds|(?:max_tokens|max_completion_tokens) (?:is )?too large|"
        r"exceeds? the model(?:'s)? (?:output )?limit",
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
        r"supports at most \d+ \w+|at most \d+ \w+(?:\(s\))? may be provided|malformed input request|request entity too large|payload too large",
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
    # 5. The model id is not served.
    _rule(
        "decommissioned",
        "hard_model",
        r"decommissioned|has been (?:deprecated|retired|discontinued|removed)|end[- ]of[- ]life|end of its life|"
        r"marked by provider as legacy|in deprecating state|model has been deactivated|(?<![a-z0-9_])model(?:_is)?_deactivated(?![a-z0-9_])|no longer (?:available|supported|served)|(?:was|been) shut ?down",
        "Error: 400 The model `llama-3.3-70b-specdec` has been decommissioned and is no longer supported.",
    ),
    _rule(
        "model-not-exist",
        "hard_model",
        r"does not exist or you do not have access|" + _B + r"model_not_found" + _E + r"|"
        r"model:? ['\"`]?[\w./:@-]{1,200}['\"`]? does not exist|model (?:does )?not exist|"
        r"deployment for (?:this|the) resource does not exist|" + _B + r"deploymentnotfound" + _E,
        "model_not_found: 404 The model `gpt-4.5-preview-2025-02-27` does not exist or you do not have access to it.",
    ),
    _rule(
        "no-access-to-model",
        "hard_model",
        r"(?:do not|don't|don’t) have access to (?:the|this) model|access to (?:the |this )?model is denied|model identifier is invalid|"
        r"unable to access (?:non-serverless )?model|at 'modelid' failed to satisfy constraint|"
        # OpenAI's per-model gate: the organisation is not verified for this model (others work); a
        # plan or pooled account that does not include the model
        r"organi[sz]ation must be verified to use (?:the |this )?model|no accounts? with a plan supporting (?:the |this )?model|"
        r"plan (?:does not|doesn't) (?:support|include) (?:the |this )?model|" + _B + r"model_not_available" + _E + r"|"
        # Vertex AI's for a project not granted a publisher model (an allowlist, Model Garden)
        r"is not allowed to use publisher model",
        "API Error: 403 You don't have access to the model with the specified model ID.",
    ),
    _rule(
        "anthropic-model-not-found",
        "hard_model",
        _B + r"not_found_error\W+(?:message\W+)?model: \S",
        '404 - {"type":"error","error":{"type":"not_found_error","message":"model: claude-2.1"}}',
    ),
    _rule(
        "model-not-found",
        "hard_model",
        r"model(?: ['\"`]?[\w./:@-]{1,200}['\"`]?)? (?:is |was )?not found|is not found for api version|"
        r"requested model \(?[\w./:@-]{1,200}\)? is not available on |no endpoints (?:found for|available matching)|not a valid model|is not servable|no available providers match|no such model|unsupported model|"
        r"model (?:['\"`]?[\w./:@-]{1,200}['\"`]? )?(?:is|was|has been) (?:deprecated|retired|sunset)|unknown model|invalid model(?! key)|publisher model .{1,200} was not found|"
        r"\bmodel is not supported:|requested model is not supported\b(?! (?:with|by|for|on|in|when))|"
        + _B
        + r"model_not_supported"
        + _E
        + r"|is not supported by any provider you have enabled|"
        # a model id refused as such (not "for", "with" or "in" something); OpenClaw's account-bound refusal
        r"model ['\"`]?[\w./:@-]{1,200}['\"`]? is not supported(?! (?:with|by|for|on|in|when))|"
        r"\bmodel is not supported when using \w{1,40} with an? [\w ]{1,40} account|"
        # a proxy or relay that has nothing to route the model id to: no provider, no account, no
        # channel (one-api's and new-api's "无可用渠道"), or a model said not to exist ("模型不存在")
        r"unknown provider for model\b|no available [\w ]{0,30}accounts? supports? the requested model|无可用渠道|模型不存在",
        "models/gemini-pro is not found for API version v1beta, or is not supported for generateContent.",
    ),
    _rule(
        "endpoint-not-running",
        "hard_model",
        r"dedicated[ _]endpoint\w*[ _]not[ _](?:running|available)|endpoint for \S{1,200} is not (?:running|available)",
        "The dedicated endpoint for mistralai/Mixtral-8x22B-Instruct-v0.1 is not running.",
    ),
    # Envoy's words when it could not reach the service behind it. From a provider called
    # directly it is that provider's edge failing (its 503); from anything in between (a gateway,
    # a self-hosted proxy) it is a proxy's 5xx around a connection failure: the network.
    _rule(
        "envoy-upstream",
        "transient_provider",
        r"upstream connect error|reset before headers",
        "API Error (503 upstream connect error or disconnect/reset before headers. reset reason: remote "
        "connection failure",
        providers=DIRECT,
    ),
    _rule(
        "proxy-upstream",
        "network",
        r"upstream connect error|reset before headers",
        "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, "
        "transport failure reason: delayed connect error: Connection refused",
    ),
    # 6. The provider is overloaded or broke mid-answer: it passes.
    # OpenAI's documented 500 wording, whatever class an older SDK raised it as.
    _rule(
        "openai-server-error",
        "transient_provider",
        r"server had an error while processing your request",
        "RateLimitError: The server had an error while processing your request. Sorry about that!",
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
        r"mid-stream error|incomplete chunked read|without sending complete message body|closed mid-response|response ended prematurely|stream ended (?:with an invalid|unexpectedly|prematurely)|stream disconnected before completion|"
        r"error decoding response body|ended without a terminal signal|incomplete json segment|model is (?:currently )?loading|is currently loading|out of capacity|no capacity|capacity[ _]exhausted|insufficient capacity|capacity[ _]exceeded|high demand|"
        r"high traffic|\bis at capacity\b|invalid response body while trying to fetch|typeerror: terminated|"
        # node-fetch's and Node's own words for a response body that closed before its end
        r"premature close|" + _B + r"err_stream_premature_close" + _E + r"|"
        # aiohttp's and urllib3's words for a chunked body that ended early (http.client's, when the
        # chunk-size line came empty); LiteLLM's for a stream it saw break
        r"response payload is not completed|invalid literal for int\(\) with base 16|raised a streaming error|"
        # Apache HttpClient's, Reactor Netty's, curl's, Firefox's and Mint's for a body or an HTTP/2
        # stream that ended before its end
        r"premature end of (?:chunk coded|content-length delimited) message body|truncated chunk \(expected size|"
        r"connection prematurely closed during response|transfer closed with \S{1,20} bytes remaining|"
        r"transferred a partial file|header of network response exceeds response body|"
        r"http/2 stream \S{1,20} was not closed cleanly|stream error in the http/2 framing layer|"
        r"server closed (?:request|connection) with error code|" + _B + r"invalidchunklength" + _E + r"|"
        # ... and, from the clients' sources: urllib3 reading a body, undici, .NET, OkHttp, hyper,
        # botocore, the Vercel AI SDK around undici's "terminated"
        r"(?<!transport )\bconnection broken: |\bincompleteread\(|response body length does not match content-length|"
        r"connection was closed before all data could be read|http/2 server reset the stream|stream was reset: |"
        r"error reading a body from connection|expected chunk size and optional extensions|"
        r"unexpected end of stream(?! on )|total bytes expected is \d|cannot connect to api: (?:terminated|other side closed)|"
        # a serving engine's own failures (TGI's router, a GPU out of memory, a model still starting)
        r"\bincomplete generation\b|\bcuda out of memory\b|\bnot ready yet\b",
        "RESOURCE_EXHAUSTED: Unable to submit request because the service is temporarily out of capacity.",
    ),
    # 7. Rate limits and quotas that reset.
    _rule(
        "rate-limit",
        "rate_limit",
        r"(?<![a-z0-9-])rate[ _-]?limit(?!error|exception)|concurrency limit|too many (?:requests|tokens)|throttl|resource[ _]exhausted|"
        r"resource has been exhausted|too many concurrent (?:requests|connections)|enqueued token limit|"
        + _B
        + r"model_cooldown"
        + _E
        + r"|tokens per (?:min|minute|day)|"
        + _B
        + r"token_quota_reached"
        + _E
        + r"|\((?:tpm|tpd|rpm|rpd)\)|quota exceeded|"
        r"exceeded (?:the |your )?(?:request |token )?quota|(?:max )?parallel request limit|request limit reached|"
        # a subscription plan's rolling window (its 5-hour session, day or week)
        r"(?:hit|reached) your (?:daily|weekly|hourly|session|5-hour)\b|you've hit your limit\b|(?:daily|weekly|session|5-hour) limit reached|"
        # one-api's and new-api's words for any 429 of the upstream ("the group's upstream is saturated"),
        # "request frequency limited", and a cap named by its unit
        r"上游负载已饱和|上游已饱和|请求限频|\b(?:rpm|tpm|rpd|tpd) limit (?:exceeded|reached)\b",
        "429 Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day",
    ),
    # 8. Credentials and permissions.
    _rule(
        "invalid-key",
        "auth",
        r"(?:invalid|incorrect)[ _-]?(?:x-)?api[ _-]?key|api key (?:not valid|expired|is invalid|is missing)|"
        + _B
        + r"api_key_invalid"
        + _E
        + r"|"
        + _B
        + r"authentication_error"
        + _E
        + r"|invalid authentication|"
        r"security token included in the request is (?:invalid|expired)|signature we calculated does not match|"
        r"" + _B + r"signaturedoesnotmatch" + _E + r"|" + _B + r"unrecognizedclient|"
        r"no (?:cookie )?auth credentials|could not (?:load|find) (?:the )?default credentials|"
        r"could not load credentials from any providers|credential refresh failed|requires aws credentials|"
        r"unable to locate credentials|could not resolve authentication method|"
        r"missing credentials\. please pass|no api key (?:was )?provided|project or api key must be set|"
        r"could not automatically determine credentials|failed to load service account credentials|"
        r"partial credentials found in|error when retrieving credentials from|sso session associated with this profile has expired|"
        r"error loading sso token|cannot refresh credentials|"
        r"api_key client option must be set|authentication failed|invalid bearer token|\bnot authenticated\b|"
        r"\bunauthenticated\b|\baccess denied\b|missing authentication token|invalid credentials|"
        r"(?:access |security )?token (?:has )?expired|expired token|api key (?:is )?required|"
        # DeepSeek's documented 401 text; a client's own check of a missing or refused key; an
        # expired Google sign-in.
        r"authentication fails|invalid (?:[a-z]{2,12} )?api[ _-]?key|api[ _-]?key (?:is )?not (?:set|configured)|"
        r"(?:didn't|did not) provide an api key|token seems invalid|"
        r"a valid (?:user )?token is required|"
        # LiteLLM's auth wordings of Replicate, Predibase, Cloudflare, Cohere, AI21, Together, Aleph Alpha
        r"incorrect authentication token|authorization denied for|\bauthentication error\b|invalid api token|"
        r"bad or missing api token|invalid private key|api key (?:doesn't|does not) match|\bno token provided\b|"
        # OpenClaw's auth wordings: revoked or disabled keys, OAuth refresh, missing profiles
        r"key has been (?:disabled|revoked|deactivated|deleted)|account has been (?:deactivated|disabled)|"
        r"not allowed for this organization|(?<![a-z0-9])api[ _]?key[ _](?:has been |was |is )?(?:revoked|deactivated|deleted|disabled)\b|"
        r"deactivated[ _]workspace|\bre-?authenticat(?:e|ion)\b|oauth token refresh failed|failed to refresh (?:the )?(?:oauth |access )?token|"
        r"insufficient[ _]permissions?\b|insufficient authentication scopes|no credentials found|no api key found|"
        r"could not (?:authenticate|validate) (?:the )?(?:api[ _]?key|credentials)|endpoint or credentials|rejected (?:the |your |our |its )?(?:[\w-]{1,30}'s )?credentials|"
        r"header should match organization|please run /login|unsupporteduserlocation|getting metadata from plugin failed|refresh[ _]token[ _](?:reused|has already been used|has expired|(?:is |was )?(?:expired|revoked|invalid))|invalid refresh token|"
        # Anthropic's authentication_error for a browser origin that did not opt in with its header
        r"must set 'anthropic-dangerous-direct-browser-access' header",
        '400 "Incorrect API key provided: gs***tF. You can obtain an API key from https://console.x.ai."',
    ),
    _rule(
        "permission-denied",
        "auth",
        r"permission '?[\w.]*'? denied|" + _B + r"permission_(?:denied|error)" + _E + r"|not authorized to perform|"
        r"access is denied|has not been used in project|caller does not have permission|must be a member of an organization|it is disabled\. enable it by visiting|organi[sz]ation (?:has been |is )?(?:disabled|restricted|deactivated)|user location is not supported|country, region,? or territory (?:is )?not supported|attention required! \| cloudflare|sorry, you have been blocked|\bunauthori[sz]ed\b|\bnot authori[sz]ed\b",
        "Model access is denied due to IAM user or service role is not authorized to perform the required AWS "
        "Marketplace actions",
    ),
    # Bedrock refuses every call of an account it has not cleared (any model, console included).
    _rule(
        "bedrock-operation-not-allowed",
        "auth",
        r"\boperation not allowed\b",
        "An error occurred (ValidationException) when calling the InvokeModel operation: Operation not allowed",
        providers=("bedrock",),
    ),
    _rule(
        "openrouter-user-not-found",
        "auth",
        r"user not found",
        "Error code: 401 - {'error': {'message': 'User not found.', 'code': 401}}",
        providers=("openrouter",),
    ),
    # 9. No answer from the provider, or too late: generic wording, weaker than structured evidence.
    # A client's own clock ran out after the connection was made: undici's headers and body
    # timeouts, curl's error 28 on a transfer, urllib3's ReadTimeoutError ("Read timed out.", also
    # inside the ConnectionError requests raises when its retries run out) and Python's ssl module
    # ("The read operation timed out", "The write operation timed out").
    _rule(
        "client-timeout",
        "timeout",
        r"headers timeout|body timeout|" + _B + r"und_err_(?:headers|body)_timeout" + _E + r"|"
        r"exceeded the configured timeout|\(exit\) time ?out|operation timed out after \d+ milli|"
        r"configured httpclient\.timeout of|timeout awaiting response headers|client\.timeout or context cancellation|"
        r"network timeout at: |timeout on reading data from socket|\bread timed out\b|\bthe (?:read|write) operation timed out\b|"
        # Ktor's socket timeout, Dio's send and receive timeouts, Reactor's timeout() operator, Finch's
        # wait for a pooled connection
        r"socket timeout has expired|took longer than \S{1,40} to (?:send|receive) data|\[(?:send|receive) timeout\]|"
        r"did not observe any item or terminal signal within|unable to provide a connection within the timeout",
        "Failed to perform, ErrCode: 28, Reason: 'Operation timed out after 30012 milliseconds with 3977 bytes received'",
    ),
    # A connection that was never made, timed out or not, is the network (a TimeoutError from a
    # connect call included).
    _rule(
        "connect-failed",
        "network",
        r"connect call failed|connect etimedout|connect ?timeout|dial tcp [^\s]{1,200}: i/o timeout|"
        r"network connection (?:was )?lost|no such host|timed out: connect(?![a-z])|unexpected response code for connect|"
        r"tunnel connection failed|connection timeout to host|request connection took longer than|"
        # Go's net/http: `Post "https://…": EOF` (or unexpected EOF), closed before any answer;
        # smithy's (the AWS SDK for JavaScript's) connect timeout
        r"(?:post|get) \"[^\"\s]{1,300}\":? (?:unexpected )?eof|timed out without establishing a connection|"
        # the clients' sources: botocore, urllib3, .NET, Go, OkHttp, hyper, the JDK
        r"could not connect to the endpoint url|failed to establish a new connection|failed to resolve '|"
        r"an http client failed to establish a connection|connection was closed before we received a valid response|"
        r"ssl validation failed for|the ssl connection could not be established|tls handshake timeout|"
        r"server gave http response to https client|can't write http request on broken connection|"
        r"unexpected end of stream on |an error occurred trying to connect|error writing a body to connection|"
        r"the proxy tunnel request to proxy|\bconnect timed out|connection time(?:d )?out after \d+ ?(?:ms|milli)|handshake (?:operation )?timed out|timed out during (?:the )?handshake|"
        # Apache HttpClient's, Ruby Net::HTTP's, curl's, Erlang's (through Mint and hackney), Bun's,
        # Dio's and Reactor Netty's words for a connection never made, or closed before any answer
        r"\bconnect to \S{1,300}(?: \[[^\]]{0,300}\])? (?:timed out|failed)\b|failed to open tcp connection to|"
        r"could(?: not|n't) resolve (?:host|proxy)\b|\bnon-existing domain\b|(?:^|[\s{(,]):connect_timeout(?![a-z0-9_])|"
        r"was there a typo in the url or port|\[connection timeout\]|connection (?:prematurely closed|has been closed) before response",
        "TimeoutError: [Errno 10060] Connect call failed ('199.59.148.6', 443)",
    ),
    _rule(
        "connection",
        "network",
        r"connection error|"
        + _B
        + r"apiconnectionerror|unable to connect|cannot connect|fetch failed|"
        + _B
        + r"socket"
        + _E
        + r"|socket (?:connection|hang up|closed)|"
        + _B
        + r"und_err_\w+|"
        r"" + _B + r"econn(?:reset|refused|aborted)" + _E + r"|connection (?:refused|reset|aborted|closed)|"
        r"name resolution|" + _B + r"getaddrinfo" + _E + r"|" + _B + r"enotfound" + _E + r"|remote end closed|"
        r"name or service not known|nodename nor servname|max retries exceeded with url|"
        r"connection broken|remotedisconnected|server disconnected|cannot connect to host|network is unreachable|"
        r"no route to host|peer closed connection|connection aborted|failed to connect|tcp handshake|eof occurred in violation of protocol|"
        + _B
        + r"sslerror"
        + _E
        + r"|certificate verify failed|self[- ]signed certificate|unable to verify the first certificate|"
        r"certificate has expired|connection failed|connect error|unable to get local issuer certificate|"
        r"error trying to connect|while connecting to upstream|could not connect to\b|failed host lookup|pkix path building failed|unable to find valid certification path|"
        r"an error occurred while sending the request|request to \S{1,300} failed, reason: |\bnetwork error\b|"
        # the browsers' words for a fetch that got no answer (Chrome, Firefox, Safari); curl's TLS connect
        r"\bfailed to fetch\b(?! [a-z])|networkerror when attempting to fetch resource|typeerror: load failed|\bssl_connect\b|connection was reset|"
        # curl's, Ruby's, Apache HttpClient's, Dio's and Mint's for a request that got no answer
        r"empty reply from server|server returned nothing \(no headers, no data\)|failure when receiving data from the peer|"
        r"\brecv failure\b|\bsend failure\b|openssl ssl_read: |\bssl certificate problem\b|"
        r"ssl peer certificate or ssh remote key was not ok|the certificate of the response is not approved|"
        r"the target server failed to respond|\bend of file reached\b|request was not processed by the server",
        "openai.APIConnectionError: Connection error.",
        generic=True,
    ),
    _rule(
        "timed-out",
        "timeout",
        r"read timeout|timed out|" + _B + r"etimedout" + _E + r"|readtimeout|deadline (?:exceeded|expired)|"
        r"deadline of [\d.]+s exceeded|request timeout|gateway time-?out|timeout (?:was reached|of [\d.]+ ?m?s exceeded)|\btimeout exceeded\b|"
        r"a timeout (?:error )?occurred|idle timeout|took longer than [\d.]+ ?s(?:ec(?:ond)?s?|\(s\))?\b|"
        r"client\.timeout exceeded|i/o timeout|" + _B + r"sockettimeoutexception" + _E + r"|"
        r"timeout period of \S{1,20} has been exceeded|\btimeout after \d+ ?(?:ms|s|sec|seconds)\b|^timeout\.?$|"
        # Elixir's: Mint's transport error and HTTPoison's (hackney's) reason atoms
        r"\(mint\.transporterror\) timeout\b|reason: :(?:recv_)?timeout\b",
        "botocore.exceptions.ReadTimeoutError: Read timeout on endpoint URL: "
        '"https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-v2/invoke"',
        generic=True,
    ),
    # 10. The provider failed on its side.
    _rule(
        "server-error",
        "transient_provider",
        _B + r"server_error" + _E + r"|server experienced an error|internal (?:server )?error|service ?unavailable|"
        r"unable to process your request|bad gateway|\$fault\W+server|an internal error has occurred|"
        r"server had an error|error occurred while processing your request|unexpected error during processing|temporarily unavailable|"
        r"currently unavailable|no healthy upstream|web server is down|origin is unreachable|server (?:is )?busy|try again later|"
        # LiteLLM's: Cloudflare's 520, a 502's own description, Cohere's
        r"web server is returning an unknown error|invalid response from an upstream server|unexpected server error|"
        # a vaguer word for an overload than "overloaded" or "capacity": a stated timeout wins
        r"\bhigh load\b|"
        # HTTP's class name for a 5xx as Guzzle, openai-php, Ktor and Dio print it
        r"\bserver error(?::\s`|\s?\(| - the server failed)",
        "Error: Can't invoke. Reason: Bedrock is unable to process your request.",
        generic=True,
    ),
    # 11. Texts known to carry no cause of ours (none, or terms a person must accept for a served model).
    _rule(
        "no-detail",
        "unknown",
        r"provider returned error(?!\W{1,12}code\W{1,4}\d{3}\W{1,4}metadata\W{1,8}raw\W{1,12}[^\s\\'\"])|status code \(no body\)|requires terms acceptance|accept the terms|\W(?:detail|message)\W{1,4}not found\W{1,4}\}|"
        # Google's front end's HTML page for a path it does not route (a missing model answers in JSON)
        r"error 404 \(not found\)!!1|"
        # HTTP clients' own words for a 400 whose body they did not keep: axios, Faraday, requests, httpx, aiohttp
        r"request failed with status code 400\b|the server responded with status 400\b|400 client error: bad request\b|"
        r"client error '400 bad request' for url|\b400, message='bad request'|"
        # a 400 and nothing else; openai-python 0.x's template around a bodiless 400
        r"^(?:error:? )?400(?: bad request)?(?: null)?\.?$|invalid response object from api: '400 bad request'|"
        # Dio's for a 400 whose body it did not keep
        r"response has a status code of 400 and requestoptions\.validatestatus|"
        # go-openai's nil message, Retrofit's bare HttpException, a client's "failed with 400" and nothing after
        r"status code: 400, message: %!s\(<nil>\)|httpexception: http 400(?: bad request)?(?: at |$)|failed with (?:http |status:? )400(?: bad request)?\W*$|"
        # a server's access-log line and nothing else: the status it answered, nothing of why
        r"^(?:info:? {0,8})?[\w.:\[\]-]{0,60} - \"(?:get|post|put|patch|delete) /[^\"\s]{0,200} http/[\d.]{1,3}\" \d{3}(?: [a-z ]{0,30})?$",
        "OpenAI API error (400 Bad Request): Provider returned error",
        confidence=0.5,
        generic=True,
    ),
    # The words of a 400 without a status: the request is wrong, unless anything says more.
    _rule(
        "bad-request",
        "hard_capability",
        # Bedrock's wrapper of the model's own refusal of the request
        r"\bbad request\b|\binvalid request\b|\bvalidation error\b|the model returned the following errors",
        "An error occurred (ValidationException) when calling the InvokeModel operation: Validation Error",
        generic=True,
        confidence=0.6,
    ),
    # 12. A status the writer did not read.
    _rule(
        "status-5xx",
        "transient_provider",
        _STATUS_PREFIX + r"5\d\d\b",
        "Error: Login failed: Fireworks API key validation failed (500): Error listing deployed models",
        confidence=0.7,
        generic=True,
    ),
)


def first_match(provider: str, message: str, normalized_message: str = "") -> Rule | None:
    """The first rule that matches the original message or the writer's normalized copy (each
    read up to MAX_TEXT_CHARS, which bounds the time one hostile message can take)."""
    texts = (" ".join(message[:MAX_TEXT_CHARS].split()).lower(), normalized_message[:MAX_TEXT_CHARS].lower())
    for rule in RULES:
        if rule.matches(provider, texts):
            return rule
    return None
