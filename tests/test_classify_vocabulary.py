"""The providers' vocabularies (each entry with its documentation page), the phrase rules'
token boundaries, the order of evidence, abstention, and the documented kind_source values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.llm_bench.classify import KINDS, Classification, LLMVerdict, classify
from api.llm_bench.classify.classifier import KIND_SOURCES, STATUS_KINDS
from api.llm_bench.classify.rules import RULES
from api.llm_bench.classify.vocabulary import (
    PROVIDER_VOCABULARIES,
    STATUS_DERIVED,
    VOCABULARIES,
    lookup,
    names_in_lowercase,
)
from api.llm_bench.classify.writer import normalize_message, status_kind

README = Path(__file__).resolve().parents[1] / "README.md"
ENTRIES = [entry for table in VOCABULARIES.values() for entry in table]


def test_every_entry_names_a_kind_and_cites_its_documentation():
    for entry in ENTRIES:
        assert entry.kind in KINDS, entry
        assert re.fullmatch(r"https://[\w.-]+\.[a-z]{2,}/\S*", entry.source), entry
        assert entry.value.strip() == entry.value and entry.value, entry
    for name, table in VOCABULARIES.items():
        values = [entry.value for entry in table]
        assert len(values) == len(set(values)), name
    for provider, tables in PROVIDER_VOCABULARIES.items():
        assert provider == provider.lower() and set(tables) <= set(VOCABULARIES), provider


def test_the_tables_cover_the_documented_families():
    values = {entry.value for entry in ENTRIES}
    for documented in (
        "overloaded_error",
        "not_found_error",
        "insufficient_quota",
        "model_not_found",
        "model_decommissioned",
        "context_length_exceeded",
        "ThrottlingException",
        "ValidationException",
        "AccessDeniedException",
        "ResourceNotFoundException",
        "ModelTimeoutException",
        "ModelNotReadyException",
        "ServiceUnavailableException",
        "ModelErrorException",
        "ExpiredTokenException",
        "UnrecognizedClientException",
        "RESOURCE_EXHAUSTED",
        "NOT_FOUND",
        "PERMISSION_DENIED",
        "DEADLINE_EXCEEDED",
        "UNAVAILABLE",
        "INVALID_ARGUMENT",
        "UNAUTHENTICATED",
        "FAILED_PRECONDITION",
    ):
        assert documented in values, documented


def test_lookup_is_exact_and_survives_lower_case():
    assert [e.kind for e in lookup("bedrock", ("ResourceNotFoundException",))] == ["hard_model"]
    assert lookup("bedrock", ("ResourceNotFound", "FoundException")) == []  # no partial names
    assert [e.value for e in lookup("gemini", ("resource_exhausted",))] == ["RESOURCE_EXHAUSTED"]
    assert names_in_lowercase("botocore.errorfactory.throttlingexception: an error occurred") == (
        "throttlingexception",
    )
    # Single upper-case words are ordinary words once lower-cased: not names.
    assert names_in_lowercase("an internal error; service unavailable; cancelled") == ()


# Identifiers and field names as they occur inside error texts. A phrase rule may match one only
# when it means the kind the identifier's own vocabulary gives it; field names match no rule.
FIELD_NAMES = (
    "error_origin_level",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-tokens",
    "retry_after",
    "context_length",
    "max_tokens",
    "socket_timeout",
    "request_id",
    "error_code",
    "errorfactory",
    "api_error_count",
    "ratelimiterror",
)


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_phrases_respect_identifier_boundaries(rule):
    for entry in ENTRIES:
        for text in (entry.value, f"{{'type': '{entry.value}'}}", f"botocore.errorfactory.{entry.value}: x"):
            if rule.pattern.search(text):
                assert rule.kind in (entry.kind, "unknown"), f"{rule.id} fires on {text!r} ({entry.kind})"
    for name in FIELD_NAMES:
        for text in (name, f'{{"{name}": "api_error"}}', f"{name}: 'api_error'"):
            assert not rule.pattern.search(text), f"{rule.id} fires on the field name {text!r}"


@pytest.mark.parametrize(
    ("provider", "text", "kind"),
    [
        # "enotfound" inside ResourceNotFoundException is no DNS failure: a retired model.
        (
            "bedrock",
            "An error occurred (ResourceNotFoundException) when calling the InvokeModel operation: This model "
            "version has reached the end of its life. Please refer to the AWS documentation for more details.",
            "hard_model",
        ),
        # "und_err" inside not_found_error is no undici socket error.
        ("anthropic", '{"type":"error","error":{"type":"not_found_error","message":"model: claude-x"}}', "hard_model"),
        # a gateway's field value api_error is not Anthropic's api_error type.
        ("openrouter", "{'error_origin_level': 'api_error', 'message': 'Invalid model ID'}", "hard_model"),
    ],
)
def test_identifiers_no_longer_misfire(provider, text, kind):
    assert classify(provider=provider, message=text, stored_kind=status_kind(text)).kind == kind


def test_structured_codes_decide_what_no_phrase_knows():
    cases = [
        ("bedrock", "An error occurred (ExpiredTokenException) when calling the Converse operation: x", "auth"),
        (
            "bedrock",
            "An error occurred (ModelNotReadyException) when calling the InvokeModel operation: x",
            "transient_provider",
        ),
        ("vertex", "google.api_core.exceptions.DeadlineExceeded: 504 Deadline Exceeded", "timeout"),
        (
            "groq",
            '{"error":{"message":"x","type":"invalid_request_error","code":"model_decommissioned"}}',
            "hard_model",
        ),
        ("anthropic", '{"type":"error","error":{"type":"billing_error","message":"x"}}', "billing"),
    ]
    for provider, text, kind in cases:
        got = classify(provider=provider, message=text)
        assert got.kind == kind and got.source.startswith("code:"), (text, got)


def test_timeouts_are_their_own_kind():
    assert classify(provider="openai", message="httpx.ReadTimeout: The read operation timed out").kind == "timeout"
    assert classify(provider="together", message="A timeout occurred on api.together.xyz").kind == "timeout"
    # A connection that was never made is a network failure, timed out or not.
    text = "Cannot connect to API: Connect Timeout Error (attempted addresses: 10.0.0.1:443)"
    assert classify(provider="gemini", message=text).kind == "network"


def test_an_llm_verdict_from_the_cut_beats_everything():
    text = 'Error code: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
    assert classify(provider="anthropic", message=text, llm=LLMVerdict("auth", 0.8)).source == "rollup-llm"
    assert classify(provider="anthropic", message=text, llm=LLMVerdict("auth", 0.79)).kind == "transient_provider"


def test_a_newer_writers_specific_kind_is_not_overridden_by_generic_wording():
    for stored, text in (
        ("hard_model", "Request failed: connection reset by peer"),
        ("timeout", "fetch failed: socket hang up"),
        ("budget_exhausted", "Error: request timed out"),
        ("hard_model", "Error: read timeout while calling the model"),
    ):
        assert classify(provider="openai", message=text, stored_kind=stored) == Classification(stored, 0.6, "writer")
    # A stored kind the text's own status explains is only that status (here a proxy's 503
    # around a client-side failure).
    text = "Error code: 503 - connection reset"
    assert classify(provider="openai", message=text, stored_kind=status_kind(text)).kind == "network"


def test_a_family_code_is_refined_by_a_specific_phrase():
    text = (
        '{"error": {"code": 404, "message": "models/text-embedding-004 is not found for API version v1beta, or is '
        'not supported for generateContent.", "status": "NOT_FOUND"}}'
    )
    assert classify(provider="gemini", message=text).kind == "hard_capability"
    text = (
        '{"error": {"code": 404, "message": "Requested entity was not found: models/gemini-x", "status": "NOT_FOUND"}}'
    )
    assert classify(provider="gemini", message=text).kind == "hard_model"


@pytest.mark.parametrize(
    ("provider", "text"),
    [
        ("gemini", '{"error": {"code": 404, "status": "NOT_FOUND"}}'),
        ("anthropic", '⚠️ HTTP/2 404 returned for "https://api.anthropic.com/v1/messages"'),
        ("xai", "openai.NotFoundError: Error code: 404 - {'error': 'No handler found on route'}"),
    ],
)
def test_a_404_that_names_no_model_abstains(provider, text):
    """A wrong path answers 404 too: without a model named, nothing says which model is gone."""
    assert classify(provider=provider, message=text, stored_kind=status_kind(text)).kind == "unknown"


@pytest.mark.parametrize(
    ("provider", "text", "kind"),
    [
        # A body cut after the answer began is the provider's break, not a connection never made.
        (
            "groq",
            "httpx.RemoteProtocolError: peer closed connection without sending complete message body "
            "(incomplete chunked read)",
            "transient_provider",
        ),
        ("openai", "httpx.RemoteProtocolError: Server disconnected without sending a response.", "network"),
        (
            "azure",
            '{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}',
            "hard_model",
        ),
        ("deepseek", '{"error":{"message":"Model Not Exist","type":"invalid_request_error"}}', "hard_model"),
        ("deepseek", "Reason: [401] API Key 错误", "auth"),
        ("openrouter", '{"error":"Key limit exceeded (total limit). Manage it at /settings/keys"}', "budget_exhausted"),
        ("bedrock", "botocore.exceptions.NoCredentialsError: Unable to locate credentials", "auth"),
        ("openai", "litellm.ContextWindowExceededError: litellm.BadRequestError: prompt exceeds", "hard_capability"),
        ("vertex", "google.api_core.exceptions.Forbidden: 403 Permission denied on resource project p", "auth"),
        ("vertex", '400 - {"error":"invalid_grant","error_description":"reauth related error (invalid_rapt)"}', "auth"),
        ("vertex", 'debug_error_string = "UNKNOWN:Error received from peer {grpc_status:7, grpc_message:"x"}"', "auth"),
        ("vertex", "google.auth.exceptions.DefaultCredentialsError: Your default credentials were not found.", "auth"),
        ("openai", "java.lang.RuntimeException: java.net.SocketTimeoutException: timeout", "timeout"),
        ("openai", "TimeoutError: [Errno 10060] Connect call failed ('10.0.0.1', 443)", "network"),
        ("openai", "TimeoutError: The operation timed out", "timeout"),
        (
            "together",
            "OpenAI API error: A timeout error occurred. The function call took longer than 60 second(s).",
            "timeout",
        ),
        (
            "gemini",
            "429 RESOURCE_EXHAUSTED. Quota exceeded for metric: generate_content_free_tier_requests, limit: 0",
            "billing",
        ),
        (
            "gemini",
            "429 RESOURCE_EXHAUSTED. Quota exceeded for metric: generate_content_requests, limit: 15",
            "rate_limit",
        ),
        # The Vercel AI SDK's prefixed names and the Java SDKs' status exceptions.
        ("openai", "AI_LoadAPIKeyError: OpenAI API key is missing.", "auth"),
        (
            "anthropic",
            "AI_UnsupportedFunctionalityError: 'tool_choice' functionality not supported.",
            "hard_capability",
        ),
        ("openai", "AI_APICallError: request failed", "unknown"),
        ("generic", "GatewayModelNotFoundError: Model 'xai/grok-x' not found", "hard_model"),
        # An SDK class derived from the status says no more than the status it shows.
        (
            "gpustack",
            "openai.InternalServerError: Error code: 504 - {'message': 'The upstream server is timing out'}",
            "timeout",
        ),
        ("generic", "AI_GatewayAuthenticationError: Unauthenticated request to AI Gateway.", "auth"),
        ("generic", "GatewayTimeoutError: Gateway request timed out: fetch failed", "timeout"),
        ("openai", "com.openai.errors.UnprocessableEntityException: 422: {}", "hard_capability"),
        (
            "anthropic",
            "com.anthropic.errors.NotFoundException: 404: {type=error, message=model: claude-x}",
            "hard_model",
        ),
        ("openai", "com.openai.errors.NotFoundException: 404: {}", "unknown"),  # names no model
        # .NET and Dart transport names (a namespace path before the name is read too).
        ("azure", "System.Threading.Tasks.TaskCanceledException: A task was canceled.", "timeout"),
        ("openai", "SocketException: Connection refused (OS Error: errno = 111)", "network"),
        ("openai", "HandshakeException: Handshake error in client (OS Error: WRONG_VERSION_NUMBER)", "network"),
        # The providers' documented messages: OpenAI's error codes page, Google's RPC messages,
        # the 413 reason phrase.
        ("openai", "You must be a member of an organization to use the API.", "auth"),
        ("gemini", "403 The caller does not have permission", "auth"),
        # Google's default text for any INVALID_ARGUMENT: the labels split on its cause.
        ("gemini", "Request contains an invalid argument.", "unknown"),
        ("groq", "Request Entity Too Large", "hard_capability"),
        # A message percent-encoded on its way is read decoded.
        (
            "xai",
            "{'code': 'Client specified an invalid argument', 'error': 'Incorrect%20API%20key%20provided'}",
            "auth",
        ),
    ],
)
def test_documented_names_and_shapes(provider, text, kind):
    assert classify(provider=provider, message=text, stored_kind=status_kind(text)).kind == kind


def test_a_generic_phrase_does_not_override_a_family():
    text = "openai.RateLimitError: Error code: 429 - upstream connection closed"
    assert classify(provider="openai", message=text).kind == "rate_limit"
    # ... except a client-side failure wrapped in a proxy's 5xx, which is the client-side failure.
    assert classify(provider="gemini", message='API Error (500 {"error":{"message":"fetch failed"}})').kind == "network"


def test_contradictory_specific_evidence_abstains():
    text = "Error code: 400 - {'error': {'code': 'model_not_found', 'message': 'Your credit balance is too low'}}"
    assert classify(provider="openai", message=text) == Classification("unknown", 0.0, "conflict")
    # ... and so does a text that only says nothing, whatever 400 or 404 it carries.
    for text in (
        "OpenRouter Bad Request: Provider returned error",
        "NotFoundError: Error code: 404 - {'detail': 'Not Found'}",
    ):
        assert classify(provider="openrouter", message=text, stored_kind=status_kind(text)).kind == "unknown"


def test_the_normalized_copy_alone_reads_the_same_codes():
    text = "botocore.errorfactory.ModelTimeoutException: An error occurred (ModelTimeoutException) when calling x"
    assert classify(provider="bedrock", message="", normalized_message=normalize_message(text)).kind == "timeout"


def test_every_kind_source_is_documented_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    section = readme.split("**kind_source**", 1)[1].split("\n\n")[1]  # the table after the heading line
    documented = dict(re.findall(r"^\| `([^`]+)` \| (.+?) \|$", section, re.MULTILINE))
    assert documented == KIND_SOURCES


def test_an_outage_verdict_is_withheld_when_the_text_says_the_model_is_unavailable():
    """A retired model must not read as an outage that passes: when only a status or generic
    wording says "the provider failed" and the text also says the model is unavailable or
    unknown, the pattern is left to the AI."""
    text = "Error code: 503 - The model `gpt-x` is not available"
    assert classify(provider="openai", message=text, stored_kind=status_kind(text)) == Classification(
        "unknown", 0.0, "conflict"
    )
    text = "fetch failed: unknown model llama-x"
    assert classify(provider="groq", message=text).kind != "network"
    # ... while an outage that names no model, or says why the model cannot answer now, stays one.
    assert classify(provider="openai", message="Error code: 503 - Service Unavailable").kind == "transient_provider"
    text = '{"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}'
    assert classify(provider="gemini", message=text).kind == "transient_provider"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"http_status": 401}, ("auth", "status:401")),
        ({"http_status": 503}, ("transient_provider", "status:503")),
        ({"http_status": 429.0}, ("rate_limit", "status:429")),  # stored as a double
        ({"provider_error_code": "insufficient_quota"}, ("billing", "code:openai:insufficient_quota")),
        # Not an error status, not a short printable code: ignored.
        ({"http_status": True}, ("unknown", "none")),
        ({"http_status": 200}, ("unknown", "none")),
        ({"http_status": 429.5}, ("unknown", "none")),
        ({"http_status": float("nan")}, ("unknown", "none")),
        ({"http_status": "429"}, ("unknown", "none")),
        ({"provider_error_code": "x" * 101}, ("unknown", "none")),
        ({"provider_error_code": "insufficient_quota\n"}, ("billing", "code:openai:insufficient_quota")),
        ({"provider_error_code": "insufficient\x1b_quota"}, ("unknown", "none")),
        ({"provider_error_code": ["insufficient_quota"]}, ("unknown", "none")),
    ],
)
def test_the_writers_stored_status_and_code(fields: dict[str, object], expected: tuple[str, str]) -> None:
    decided = classify(provider="openai", message="the request failed", **fields)
    assert (decided.kind, decided.source) == expected


def test_a_status_in_the_text_beats_the_stored_one() -> None:
    """The text names the status nearest the cause (a proxy's stored 502 around an upstream 429)."""
    decided = classify(provider="openai", message="Error code: 429 - slow down please", http_status=502)
    assert (decided.kind, decided.source) == ("rate_limit", "status:429")


def test_the_status_derived_classes_are_sdk_family_names():
    """Each class that gives way to a status the text shows is an `sdk` table entry that names
    only a family, with the kind its status gives."""
    sdk = {entry.value: entry for entry in VOCABULARIES["sdk"]}
    assert STATUS_DERIVED.issubset(sdk)
    assert all(not sdk[name].decisive for name in STATUS_DERIVED)
    assert {sdk[name].kind for name in STATUS_DERIVED} <= set(STATUS_KINDS.values()) | {"transient_provider"}
