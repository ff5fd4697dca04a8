"""The rule table and the order of evidence: every rule's own corpus example yields its kind,
ordinary text matches nothing, an LLM verdict wins only from 0.8, stored kinds come last, and
messages the rules were not written from (held out) are classified right too."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from errors_corpus import tune

from api.llm_bench.classify import KINDS, Classification, LLMVerdict, classify, clean_kind
from api.llm_bench.classify.rules import RULES, first_match
from api.llm_bench.classify.writer import normalize_message, status_kind

CORPUS = Path(__file__).parent / "fixtures" / "provider-errors.jsonl"


def _provider(rule) -> str:
    return rule.providers[0] if rule.providers else "any"


def _code_sources(got: Classification) -> tuple[str, ...]:
    return (got.source,) if got.source.startswith(("code:", "status:")) else ()


def test_the_table_is_well_formed():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.kind in KINDS and 0 < rule.confidence <= 1, rule.id
        assert rule.providers is None or all(p == p.lower() for p in rule.providers), rule.id


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_each_rule_example_is_real_and_yields_its_kind(rule):
    corpus = [" ".join(json.loads(line)["message"].split()) for line in CORPUS.read_text().splitlines()]
    corpus += [" ".join(row["message"].split()) for row in tune()]
    assert any(" ".join(rule.example.split()) in message for message in corpus), "example not from the corpus"
    assert rule.pattern.search(rule.example)
    # It is the first match on the original text and on the writer's normalized copy alone.
    assert first_match(_provider(rule), rule.example) is rule
    assert first_match(_provider(rule), "", normalize_message(rule.example)) is rule
    got = classify(provider=_provider(rule), message=rule.example)
    if rule.kind != "unknown":  # a provider code naming the same kind may be what decides
        assert got.kind == rule.kind and got.source in (f"rule:{rule.id}", *_code_sources(got)), got


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "gpt-4o-mini",
        "claude-3-5-sonnet-20241022",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "gemini-2.0-flash-live-001",
        "The answer is 42.",
        "Error: something odd happened",
        "",
    ],
)
def test_ordinary_text_matches_no_rule(text):
    assert first_match("openai", text, text.lower()) is None
    assert classify(provider="openai", message=text) == Classification("unknown", 0.0, "none")


def test_provider_restricted_rules():
    quota = "You exceeded your current quota, please check your plan and billing details."
    assert classify(provider="gemini", message=quota).kind == "rate_limit"
    assert classify(provider="Vertex", message=quota).kind == "rate_limit"
    assert classify(provider="openai", message=quota).kind == "billing"
    assert classify(provider="openrouter", message="User not found.").kind == "auth"
    assert first_match("openai", "User not found.") is None


def test_llm_verdict_wins_from_the_cut():
    text = "Error code: 404 - This is not a chat model and thus not supported in the v1/chat/completions endpoint."
    assert classify(provider="openai", message=text, llm=LLMVerdict("hard_model", 0.8)) == Classification(
        "hard_model", 0.8, "rollup-llm"
    )
    below = classify(provider="openai", message=text, llm=LLMVerdict("hard_model", 0.79))
    assert below == Classification("hard_capability", 0.9, "rule:not-chat-model")
    for bad in ("AUTH", "unknown", "\x1b[31m"):  # not a kind, or no answer: the rules decide
        assert classify(provider="openai", message=text, llm=LLMVerdict(bad, 0.99)).source == "rule:not-chat-model"


def test_stored_kind_comes_after_the_rules():
    assert classify(provider="groq", message="Error code: 429 - slow down", stored_kind="rate_limit") == Classification(
        "rate_limit", 0.6, "status:429"
    )
    # A stored kind the text's status does not give comes from a newer writer: specific evidence.
    assert classify(provider="groq", message="slow down", stored_kind="rate_limit") == Classification(
        "rate_limit", 0.6, "writer"
    )
    billing_as_429 = "429 You exceeded your current quota, please check your plan and billing details."
    assert classify(provider="openai", message=billing_as_429, stored_kind="rate_limit").kind == "billing"
    for hostile in ("bogus", None, 42, "Auth"):
        assert classify(provider="groq", message="mystery", stored_kind=hostile) == Classification(
            "unknown", 0.0, "none"
        )


def test_a_text_known_to_say_nothing_lets_an_unambiguous_status_through():
    text = "Error code: 429 - Provider returned error"
    assert classify(provider="openrouter", message=text, stored_kind=status_kind(text)).source == "status:429"
    # A 400 or 404 around "Provider returned error" or "Not Found" only guesses: unknown.
    for text in (
        "Error code: 400 - Provider returned error",
        "NotFoundError: Error code: 404 - {'detail': 'Not Found'}",
    ):
        assert classify(provider="deepinfra", message=text, stored_kind=status_kind(text)).kind == "unknown"
    assert classify(
        provider="openrouter", message="400 Provider returned error", stored_kind="unknown"
    ) == Classification("unknown", 0.5, "rule:no-detail")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # An HTTP client's own words for a status whose body it did not keep: a 400 only guesses...
        ("Error: Request failed with status code 400", "unknown"),  # axios
        ("Faraday::BadRequestError (the server responded with status 400)", "unknown"),
        ("HTTPError: 400 Client Error: Bad Request for url: https://api.example.test/v1/chat", "unknown"),  # requests
        (
            "**GeminiException** => This exception was thrown because the response has a status code of 400 and "
            "RequestOptions.validateStatus",
            "unknown",
        ),  # Dio, through a Flutter package
        ("400 null", "unknown"),  # a desktop app that printed the missing body
        # ... an unambiguous status still tells ...
        ("Error: Request failed with status code 429", "rate_limit"),
        ("Faraday::UnauthorizedError (the server responded with status 401)", "auth"),
        ("Error: Request failed with status code 403", "auth"),
        # ... and a body a wrapper appended is read.
        (
            "Request failed with status code 400: This model's maximum context length is 8192 tokens.",
            "hard_capability",
        ),
    ],
)
def test_a_client_that_kept_no_body_says_only_its_status(text, kind):
    assert classify(provider="openai", message=text, stored_kind=status_kind(text)).kind == kind


@pytest.mark.parametrize("value", [None, 42, "AUTH", "\x1b[31m", "", "hard model", ["auth"]])
def test_clean_kind_maps_anything_else_to_unknown(value):
    assert clean_kind(value) == "unknown"


def test_clean_kind_keeps_every_kind():
    assert [clean_kind(kind) for kind in KINDS] == list(KINDS)


# Realistic messages written for these tests from the providers' documented error types and codes;
# none of them is in the corpus the rules were written from.
HELD_OUT = [
    (
        "openai",
        "The model `text-davinci-003` has been deprecated, learn more here: "
        "https://platform.openai.com/docs/deprecations",
        "hard_model",
    ),
    (
        "groq",
        '{"error":{"message":"The model `gemma-7b-it` has been decommissioned and is no longer supported.",'
        '"type":"invalid_request_error","code":"model_decommissioned"}}',
        "hard_model",
    ),
    (
        "anthropic",
        'Error code: 529 - {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
        "transient_provider",
    ),
    (
        "anthropic",
        "Error code: 500 - {'type': 'error', 'error': {'type': 'api_error', 'message': 'Internal server error'}}",
        "transient_provider",
    ),
    (
        "anthropic",
        '{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission '
        'to use the specified resource."}}',
        "auth",
    ),
    ("anthropic", "prompt is too long: 215000 tokens > 200000 maximum", "hard_capability"),
    (
        "openai",
        "Error code: 429 - {'error': {'message': 'You exceeded your current quota.', 'type': 'insufficient_quota', "
        "'param': None, 'code': 'insufficient_quota'}}",
        "billing",
    ),
    ("openai", "Unsupported parameter: 'temperature' is not supported with this model.", "hard_capability"),
    (
        "openai",
        'event: error data: {"type":"error","error":{"type":"server_error","code":"server_error",'
        '"message":"An error occurred while processing your request."}}',
        "transient_provider",
    ),
    (
        "azure",
        "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-02-01 have exceeded "
        "token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds.",
        "rate_limit",
    ),
    (
        "together",
        '{"error":{"message":"Unable to access non-serverless model mistralai/Mixtral-8x7B-v0.1. Please visit '
        'https://api.together.ai/models to create and start a new dedicated endpoint for the model.",'
        '"type":"invalid_request_error","code":"model_not_available"}}',
        "hard_model",
    ),
    ("together", "You have been rate limited. Your rate limits are 10 queries per second.", "rate_limit"),
    ("deepinfra", "Error code: 402 - {'detail': {'error': 'Payment Required'}}", "billing"),
    (
        "deepseek",
        "Error code: 402 - {'error': {'message': 'Insufficient Balance', 'type': 'unknown_error'}}",
        "billing",
    ),
    (
        "xai",
        "Error code: 403 - {'code': 'The caller does not have permission to execute the specified operation', "
        "'error': \"Your newly created team doesn't have any credits yet.\"}",
        "billing",
    ),
    ("openrouter", '{"error":{"message":"google/gemini-pro-1.5 is not a valid model ID","code":400}}', "hard_model"),
    (
        "fireworks",
        '{"error":{"object":"error","type":"invalid_request_error","code":"NOT_FOUND",'
        '"message":"Model not found, inaccessible, and/or not deployed"}}',
        "hard_model",
    ),
    (
        "mistral",
        '{"object":"error","message":"Invalid model: mistral-medium-2312","type":"invalid_model"}',
        "hard_model",
    ),
    (
        "vertex",
        "404 Publisher Model `projects/p/locations/us-central1/publishers/google/models/text-bison@001` was not "
        "found or your project does not have access to it.",
        "hard_model",
    ),
    (
        "gemini",
        "models/text-embedding-004 is not found for API version v1beta, or is not supported for generateContent.",
        "hard_capability",
    ),
    (
        "groq",
        "Error code: 503 - {'error': {'message': 'Service Unavailable', 'type': 'internal_server_error'}}",
        "transient_provider",
    ),
    ("openai", "httpx.ConnectError: [Errno -3] Temporary failure in name resolution", "network"),
    ("openai", "httpx.ReadTimeout: The read operation timed out", "timeout"),
    ("cerebras", "ConnectionResetError(104, 'Connection reset by peer')", "network"),
]


@pytest.mark.parametrize(
    ("provider", "message", "kind"), HELD_OUT, ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(HELD_OUT)]
)
def test_held_out_messages(provider, message, kind):
    for original in (message, ""):
        got = classify(
            provider=provider,
            message=original,
            normalized_message=normalize_message(message),
            stored_kind=status_kind(message),
        )
        assert got.kind == kind, got


def test_rules_read_a_bounded_prefix_of_hostile_text():
    cause = "Error: The model `gpt-x` has been decommissioned."
    assert classify(provider="groq", message=cause + " at frame\n" * 2_000).kind == "hard_model"
    assert classify(provider="groq", message="at frame\n" * 2_000 + cause).kind == "unknown"
    assert first_match("gemini", "models/" + "embed" * 20_000, "(" * 50_000) is None


FIXTURES = Path(__file__).parent / "fixtures"
LIBRARY_TEMPLATES = FIXTURES / "library-templates.jsonl"


def test_the_clients_own_error_templates_give_their_kind():
    """The messages HTTP and LLM client libraries format themselves (each quoted from its source
    file, placeholders as {…}) are read as the kind they mean: a regression floor for the phrase
    rules written from them, which carry over to wordings no corpus holds."""
    rows = [json.loads(line) for line in LIBRARY_TEMPLATES.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 330 and all(row["source"].startswith("https://github.com/") for row in rows)
    wrong = []
    for row in rows:
        text = re.sub(r"\{[^{}]{0,40}\}", "x", row["template"])
        got = classify(provider="generic", message=text, normalized_message=normalize_message(text)).kind
        if got != row["kind"]:
            wrong.append(f"{row['kind']} <- {got}: {row['library']}: {text[:80]}")
    assert 1 - len(wrong) / len(rows) >= 0.82, "\n".join(wrong)


#: Phrase lists that other projects keep from the provider errors they meet, each quoted from
#: its source with the provider it is tested for: LiteLLM's exception mapping (the substrings it
#: tests, with the exception it raises), OpenClaw's failover classifier (its patterns and the
#: samples of its tests) and pi-ai's documented context-overflow messages, one per provider.
#: They hold wordings no gathered corpus has. Left out of LiteLLM's: Bedrock's bare "too many
#: tokens", which Bedrock's own throttling message also says, and OpenAI's bare "Request too
#: large", which Anthropic's 413 also says.
PHRASE_LISTS = {
    "litellm-phrases.jsonl": "https://github.com/BerriAI/litellm/",
    "openclaw-phrases.jsonl": "https://github.com/openclaw/openclaw/",
    "pi-phrases.jsonl": "https://github.com/badlogic/pi-mono/",
}


@pytest.mark.parametrize("name", sorted(PHRASE_LISTS))
def test_other_projects_phrase_lists_give_their_kind(name):
    """Each phrase, read with its provider, gives the kind its project's category means here."""
    rows = [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 10 and all(row["source"].startswith(PHRASE_LISTS[name]) for row in rows)
    wrong = []
    for row in rows:
        text = re.sub(r"\{[^{}]{0,40}\}", "7", row["template"])
        got = classify(provider=row["provider"], message=text, normalized_message=normalize_message(text)).kind
        if got != row["kind"]:
            wrong.append(f"{row['kind']} <- {got}: {row['provider']}: {text[:80]}")
    assert 1 - len(wrong) / len(rows) >= 0.95, "\n".join(wrong)


ENVOY = "upstream connect error or disconnect/reset before headers. reset reason: connection failure"


@pytest.mark.parametrize(
    ("provider", "text", "kind"),
    [
        # Envoy's upstream-connect failure: a provider's own edge, or a proxy in between.
        ("anthropic", f"API Error (503 {ENVOY})", "transient_provider"),
        ("openrouter", ENVOY, "transient_provider"),
        ("litellm_proxy", ENVOY, "network"),
        ("generic", f"Forbidden: {ENVOY}", "network"),
        # Platform templates: Hugging Face's router, OpenAI's organisation header.
        (
            "huggingface",
            "Bad request: {'message': \"The requested model 'org/x' is not supported by any provider you have "
            "enabled.\", 'type': 'invalid_request_error'}",
            "hard_model",
        ),
        (
            "huggingface",
            "You have exceeded your monthly included credits for Inference Providers. Subscribe to PRO to get "
            "20x more monthly included credits.",
            "billing",
        ),
        (
            "openai",
            "Error code: 401 - {'error': {'message': 'OpenAI-Organization header should match organization for "
            "API key', 'type': 'invalid_request_error', 'param': None, 'code': 'mismatched_organization'}}",
            "auth",
        ),
        # Wordings a blind reader of the text alone also gets.
        ("bedrock", "AccessDeniedException: Access to the model is denied", "hard_model"),
        ("openai", "401 Invalid model key or Incorrect local model configuration.", "auth"),
        ("gemini", "TimeoutError: timed out during handshake", "network"),
        ("openai", "_ssl.c:989: The handshake operation timed out", "network"),
        ("openai", "ValueError: invalid literal for int() with base 16: b''", "transient_provider"),
        (
            "openrouter",
            "APIConnectionError. OpenrouterException - openrouter raised a streaming error - finish_reason. error",
            "transient_provider",
        ),
        (
            "gemini",
            "RetryError: Deadline of 60.0s exceeded while calling target function, last exception: 503 Getting "
            "metadata from plugin failed with error: ('invalid_grant: Bad Request', {})",
            "auth",
        ),
        ("gemini", "You don't have access to this model or the model name is invalid", "hard_model"),
        (
            "anthropic",
            "Streaming is strongly recommended for operations that may take longer than 10 minutes.",
            "hard_capability",
        ),
        ("anthropic", '{"error": true, "message": "Failed to fetch"}', "network"),
        ("openai", "Failed to fetch models from openAI API: timeout of 5000ms exceeded", "timeout"),
        (
            "anthropic",
            "Failed to perform, ErrCode: 35, Reason: 'BoringSSL SSL_connect: Connection was reset'",
            "network",
        ),
        (
            "opencode",
            '{"type":"error","error":{"type":"ModelError","message":"Model x/kimi-k2 is not supported"}}',
            "hard_model",
        ),
        ("openai", "Model gpt-4o is not supported for image generation.", "unknown"),  # for something: not the id
        ("qwen", "[API Error: Streaming setup timeout after 483s. Try reducing input length.", "timeout"),
        ("openai", "Timeout was reached: [api.openai.com] Connection timeout after 10007 ms", "network"),
        ("anthropic", "API key authentication is not sufficient. Please run /login to authenticate.", "auth"),
        ("anthropic", "You've hit your limit · resets 8pm (America/New_York)", "rate_limit"),
        (
            "openai",
            'Request failed with status code 400 | body: {"detail":"System messages are not allowed"}',
            "hard_capability",
        ),
        # OpenAI's per-model organisation verification: the model is gated, streaming it is a capability.
        ("openai", "403 Your organization must be verified to use the model gpt-image-1.", "hard_model"),
        (
            "openai",
            "400 Your organization must be verified to stream this model. Please go to: "
            "https://platform.openai.com/settings/organization/general and click on Verify Organization.",
            "hard_capability",
        ),
        ("gemini", "[&{Please use a valid role: user, model. (request id: x) 400 }]", "hard_capability"),
        (
            "sambanova",
            "openai.APIStatusError: The requested model (DeepSeek-R1-Distill-Llama-70B) is not available on "
            "SambaNova Cloud.",
            "hard_model",
        ),
        ("nebius", "502 - the provider rejected the gateway's credentials", "auth"),
        ("groq", "Could not connect to Groq server.", "network"),
        ("generic", "no host allowed while connecting to upstream", "network"),
        # A model refused for the API it was sent to is the request; refused as such, the model.
        (
            "openai",
            "The requested model 'gpt-4o-search-preview' is not supported with the Responses API. 'type': "
            "'invalid_request_error', 'param': 'model', 'code': 'model_not_found'",
            "hard_capability",
        ),
        (
            "github_copilot",
            'API Error: 400 {"error":{"message":"The requested model is not supported.","code":"model_not_supported",'
            '"param":"model","type":"invalid_request_error"}}',
            "hard_model",
        ),
        (
            "openai",
            "stream disconnected before completion: No accounts with a plan supporting model 'gpt-5.4'",
            "hard_model",
        ),
        (
            "openai",
            "BatchError(code='token_limit_exceeded', message='Enqueued token limit reached for gpt-4o-mini in "
            "organization org-x. Limit: 2,000,000 enqueued tokens.')",
            "rate_limit",
        ),
        (
            "gemini",
            "The specified schema produces a constraint that has too many states for serving.",
            "hard_capability",
        ),
        # The LiteLLM proxy's own model-group note names no model the provider refused.
        (
            "azure",
            "404: litellm.APIError: AzureException APIError - Resource not found. Received Model Group=gpt-4o\n"
            "Available Model Group Fallbacks=None",
            "unknown",
        ),
        # Bedrock's validation of a request: a position in it, a field to unset, another body expected.
        (
            "bedrock",
            '{"message": "The content field in the Message object at messages.1 is empty. Add a ContentBlock object '
            'to the content field and try again."}',
            "hard_capability",
        ),
        (
            "bedrock",
            '{"message": "The toolUse blocks at messages.2.content contain duplicate Ids: x"}',
            "hard_capability",
        ),
        (
            "bedrock",
            '{"message": "The model returned the following errors: `maxTokens` must be unset when reasoningConfig '
            "type is 'enabled'\"}",
            "hard_capability",
        ),
        ("bedrock", '{"message": "User messages cannot contain reasoning content."}', "hard_capability"),
        # Bedrock's wrapper of the model's own refusal, whatever the words inside
        ("bedrock", "The model returned the following errors: tool_result blocks out of order", "hard_capability"),
        (
            "bedrock",
            '{"message": "The model returned the following errors: output_config.format.schema: For \'array\' '
            "type, property 'maxItems' is not supported\"}",
            "hard_capability",
        ),
        (
            "bedrock",
            'Amazon.BedrockRuntime.Model.ValidationException: "claude-3-sonnet-20240229" is not supported on this API. '
            "Please use the Messages API instead.",
            "hard_capability",
        ),
        (
            "bedrock",
            "An error occurred (ValidationException) when calling the InvokeModel operation: Invalid API version: "
            "claude-3-sonnet-20240229-v1:0",
            "hard_capability",
        ),
        (  # a 400 event-stream frame whose header names Bedrock's internal error
            "bedrock",
            "ValueError: Bad response code, expected 200: {'status_code': 400, 'headers': {':exception-type': "
            "'internalServerException', ':message-type': 'exception'}, 'body': b'{\"message\":\"The system "
            "encountered an unexpected error during processing. Try your request again.\"}'",
            "transient_provider",
        ),
        (
            "vertex",
            'InternalServerError - b\'{"type":"error","error":{"type":"invalid_request_error","message":"Unexpected '
            "value(s) `pdfs-2024-09-25` for the `anthropic-beta` header.\"}}'\nThe API provider's servers are down "
            "or overloaded.",
            "hard_capability",
        ),
        (  # Google's front end's page for a path it does not route names no missing model
            "litellm_proxy",
            "litellm.NotFoundError: Vertex_aiException - <!DOCTYPE html>\n<title>Error 404 (Not Found)!!1</title>\n"
            "<p>The requested URL <code>/v1/projects/p/locations/global/cachedContents</code> was not found on this "
            "server. Received Model Group=gemini-2.5-flash",
            "unknown",
        ),
        # OpenRouter's "Provider returned error" says nothing, unless the upstream's raw answer follows.
        ("openrouter", '{"error":{"message":"Provider returned error","code":400}}', "unknown"),
        (
            "openrouter",
            '{"error":{"message":"Provider returned error","code":400,"metadata":{"raw":"{\\n  \\"error\\": '
            '{\\n    \\"message\\": \\"Invalid schema',
            "hard_capability",
        ),
        # A 400 with nothing else says nothing.
        ("openrouter", "400", "unknown"),
        ("openai", "Invalid response object from API: '400 Bad Request' (HTTP response code was 400)", "unknown"),
        ("together", "error, status code: 400, message: %!s(<nil>)", "unknown"),
        ("openai", "retrofit2.adapter.rxjava2.HttpException: HTTP 400 \n\tat retrofit2.adapter.rxjava2.X", "unknown"),
        ("opencode", "Provider request failed with HTTP 400", "unknown"),
        # A server's access-log line says only the status it answered; the line before it may say why.
        ("vllm", 'INFO:     127.0.0.1:59042 - "POST /v1/chat/completions HTTP/1.1" 400 Bad Request', "unknown"),
        (
            "vllm",
            "ERROR 03-13 11:21:33 serving_chat.py:197] ValueError: At most 1 image(s) may be provided in one request."
            '\nINFO:     172.17.0.1:39790 - "POST /v1/chat/completions HTTP/1.1" 400 Bad Request',
            "hard_capability",
        ),
        # Serving engines passed through by the hosts of open-weight models: TGI's error_type, its
        # router's log, a GPU out of memory, a model still starting.
        (
            "tgi",
            '{"error":"Request failed during generation: Server error: attention_scores_2d must be a CUDA tensor",'
            '"error_type":"generation"}',
            "transient_provider",
        ),
        (
            "tgi",
            "text_generation_router::infer: router/src/infer/mod.rs:246: Incomplete generation",
            "transient_provider",
        ),
        (
            "huggingface",
            '{"error":"unknown error","warnings":["CUDA out of memory. Tried to allocate 1024.00 MiB (GPU 0; 14.75 GiB '
            'total capacity)"]}',
            "transient_provider",
        ),
        ("baseten", 'ModelNotReady("Model has started running, but not ready yet.")', "transient_provider"),
        (
            "xinference",
            "openai.InternalServerError: Error code: 500 - {'detail': '[address=0.0.0.0:43769, pid=1065] The decoder "
            "prompt (length 66501) is longer than the maximum model length of 65536.'}",
            "hard_capability",
        ),
        (
            "vllm",
            '\\"auto\\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
            "hard_capability",
        ),
        ("vllm", "`prompt_logprobs` must be a positive value.", "hard_capability"),
        (
            "opencode_go",
            'error: "Failed to compile structural_tag grammar: [02:59:08] /project/cpp/json_schema_converter.cc:2999: '
            'items must be a boolean or an object"',
            "hard_capability",
        ),
        # Where in the request the provider points: a deep field path, a message index.
        (
            "anthropic",
            "ProviderBizError \u2014 messages.1.content.2.image.source.base64:\n  image exceeds 5 MB maximum: 6275800 "
            "bytes > 5242880 bytes",
            "hard_capability",
        ),
        (
            "deepseek",
            "[error] 400 Missing `reasoning_content` field in the assistant message at message index 2.",
            "hard_capability",
        ),
        (
            "openai",
            "'error': 'Error code: 40 \u2502\n\u2502 0 - {\\'error\\': {\\'message\\': \"Invalid parameter: messages with "
            "role \\'tool\\' must be a response to a preceeding message with \\'tool_calls\\'.\", \\'type\\': "
            "\\'invalid_request_error\\'",
            "hard_capability",
        ),
        ("gemini", "\u2715 [API Error: You have exhausted your daily quota on this model.]", "rate_limit"),
        # A relay with nothing to route the model id to; one-api's and new-api's rewrite of any 429.
        (
            "one_api",
            "Embedding Error aa [Error]: 503 \u5f53\u524d\u5206\u7ec4 default \u4e0b\u5bf9\u4e8e\u6a21\u578b "
            "text-embedding-ada-002 \u65e0\u53ef\u7528\u6e20\u9053 (request id: 2024081408593262123300533081679)",
            "hard_model",
        ),
        (
            "new_api",
            '{"error": {"message": "\u5f53\u524d\u5206\u7ec4\u4e0a\u6e38\u8d1f\u8f7d\u5df2\u9971\u548c\uff0c'
            '\u8bf7\u7a0d\u540e\u518d\u8bd5 (request id: 2024121602163036521732429064585)", "type": "new_api_error"}}',
            "rate_limit",
        ),
        (
            "zhipu",
            'status 400: {"type":"error","error":{"type":"invalid_request_error","code":"1211","message":"[1211]'
            '[\u6a21\u578b\u4e0d\u5b58\u5728\uff0c\u8bf7\u68c0\u67e5\u6a21\u578b\u4ee3\u7801\u3002]"}}',
            "hard_model",
        ),
        (
            "cliproxyapi",
            'API Error: 400 {"error":{"message":"unknown provider for model gemini-claude-opus-4-5-thinking",'
            '"type":"invalid_request_error"}}',
            "hard_model",
        ),
        ("claude_relay", "500 No available Claude accounts support the requested model: claude-opus-4-6", "hard_model"),
        # A relay's own code for a request it could not make to the upstream (a log wrapped in columns).
        (
            "one_api",
            "2025-04-25 11:55:27 [04/25/25 03:55:27] ERROR    ERROR:pdf2zh.converter:Error code: converter.py:357\n"
            "2025-04-25 11:55:27                              500 - {'error': {'message': 'do                    \n"
            "2025-04-25 11:55:27                              request failed: Post                               \n"
            '2025-04-25 11:55:27                              "https://generativelanguage.google                 \n'
            "2025-04-25 11:55:27                              apis.com/v1beta/models/gemini-2.5-                 \n"
            "2025-04-25 11:55:27                              flash-preview-04-17:generateConten                 \n"
            '2025-04-25 11:55:27                              t": unexpected EOF (request id:                    \n'
            "2025-04-25 11:55:27                              2025042511545526031024711942508)',                 \n"
            "2025-04-25 11:55:27                              'type': 'one_api_error', 'param':                  \n"
            "2025-04-25 11:55:27                              '', 'code': 'do_request_failed'}}",
            "network",
        ),
        # Fields a body's parser refused (marshmallow's, axum's); a prompt Gemini blocked; a per-minute cap.
        ("koboldai", "{ detail: { stop_sequence: [ 'Unknown field.' ] } }", "hard_capability"),
        (
            "xai",
            "xAI API HTTP Error: Status 422: Failed to deserialize the JSON body into the target type: input: data "
            "did not match any variant of untagged enum ModelInput at line 1 column 114032",
            "hard_capability",
        ),
        ("gemini", "block_reason: OTHER", "hard_capability"),
        (
            "generic",
            "subtitle_translator - ERROR - 1408: Error code: 403 - RPM limit exceeded. Please complete identity "
            "verification to lift the restriction.",
            "rate_limit",
        ),
        # urllib3's read timeout, also inside the ConnectionError requests raises when its retries
        # run out; Python's ssl module's.
        (
            "self_hosted",
            '[openai_api_compatible] Error: PluginInvokeError: {"args":{},"error_type":"ConnectionError",'
            '"message":"HTTPConnectionPool(host=\'10.0.0.111\', port=10002): Read timed out."}',
            "timeout",
        ),
        (
            "openai",
            '  File "F:\\python\\anaconda\\envs\\test\\lib\\ssl.py", line 1100, in read\n'
            "    return self._sslobj.read(len, buffer)\nsocket.timeout: The read operation timed out",
            "timeout",
        ),
        # A relay's own balance for its user, sent as 403: not the credentials; whose relay it is
        # (a paid account, or the operator's own gateway's cap) the text does not say.
        (
            "new_api",
            "Error code: 403 - {'error': {'message': 'user quota is not enough (request id: "
            "2025020911093417487821572799492)', 'type': 'v_api_error', 'param': '', 'code': 'insufficient_user_quota'}}",
            "unknown",
        ),
        # A content filter's refusal is the request's: OpenAI's safety system, Azure's code and
        # inner code, OpenRouter's moderation under 403.
        (
            "openai",
            "Error code: 400 - {'error': {'message': 'Your request was rejected as a result of our safety system. "
            "Your prompt may contain text that is not allowed by our safety system.', 'type': 'invalid_request_error', "
            "'param': None, 'code': 'content_policy_violation'}}",
            "hard_capability",
        ),
        (
            "azure",
            '{"error": {"message": "The response was filtered", "type": null, "param": "prompt", "code": '
            '"content_filter", "status": 400, "innererror": {"code": "ResponsibleAIPolicyViolation"}}}',
            "hard_capability",
        ),
        ("openrouter", "403 Your chosen model requires moderation and your input was flagged", "hard_capability"),
        # Google Cloud: a project not granted a publisher model; a project without billing (under
        # FAILED_PRECONDITION or 403); a safety setting kept for allowlisted accounts.
        (
            "vertex",
            "google.genai.errors.ClientError: 400 FAILED_PRECONDITION. {'error': {'code': 400, 'message': 'Project "
            "`930687018940` is not allowed to use Publisher Model `projects/onramp-staging-379211/locations/"
            "europe-west1/publishers/google/models/gemini-1.5-flash`', 'status': 'FAILED_PRECONDITION'}}",
            "hard_model",
        ),
        (
            "vertex",
            "ERROR: FAILED_PRECONDITION: Billing account for project '328960690784' is not found. Billing must be "
            "enabled for activation of service(s) 'artifactregistry.googleapis.com,cloudbuild.googleapis.com,"
            "run.googleapis.com'",
            "billing",
        ),
        (
            "gemini",
            '{"error": {"code": 403, "message": "This API method requires billing to be enabled. Please enable '
            "billing on project #510607 by visiting https://console.developers.google.com/billing/enable?project="
            '510607 then retry."}}',
            "billing",
        ),
        (
            "vertex",
            "google.api_core.exceptions.FailedPrecondition: 400 User has requested a restricted HarmBlockThreshold "
            "setting BLOCK_NONE. You can get access either (a) through an allowlist via your Google account team, or "
            "(b) by switching your account type to monthly invoiced billing via this instruction: "
            "https://cloud.google.com/billing/docs/how-to/invoiced-billing.",
            "hard_capability",
        ),
        # Anthropic's refusal of a browser origin that did not opt in with its header.
        (
            "anthropic",
            "Something went wrong: CORS requests must set 'anthropic-dangerous-direct-browser-access' header",
            "auth",
        ),
        # A relay's own "api_error" around the upstream's NOT_FOUND: the families disagree.
        (
            "gemini",
            '[API Error: {"error":{"message":"Requested entity was not\n  found.","type":"api_error",'
            '"upstreamStatus":404,"upstreamResponse":{"error":{"code":404,"message":"Requested entity was not '
            'found.","status":"NOT_FOUND"}}}}]',
            "unknown",
        ),
    ],
)
def test_who_stands_in_between_and_what_the_text_says(provider, text, kind):
    assert classify(provider=provider, message=text, stored_kind=status_kind(text)).kind == kind
