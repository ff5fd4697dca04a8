"""Each provider's own error vocabulary: its documented error types, codes and exception names,
and the kind each one means, with the documentation page it comes from.

A *decisive* entry names the cause by itself (`overloaded_error`, `insufficient_quota`,
`ThrottlingException`, `model_decommissioned`): it outweighs any phrase but a specific one that
agrees. A *family* entry (`decisive=False`) only names the family of the error (`NOT_FOUND`,
`PermissionDeniedError`, `ValidationException`, `RESOURCE_EXHAUSTED`): a specific phrase in
the message refines it (Gemini answers "not found ... or is not supported for generateContent"
with NOT_FOUND for a model that exists), and it decides only when no phrase does.

Codes are matched exactly as written (case-sensitively for CamelCase names and upper-case gRPC
status names; snake_case codes also in lower case), never as substrings: `ResourceNotFoundException`
is one name, not a place where "enotfound" occurs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENAI = "https://platform.openai.com/docs/guides/error-codes"
OPENAI_429 = "https://help.openai.com/en/articles/5955604-troubleshooting-api-rate-limits-and-429-errors"
OPENAI_PY = "https://github.com/openai/openai-python#handling-errors"
ANTHROPIC = "https://docs.anthropic.com/en/api/errors"
BEDROCK = "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html#API_runtime_InvokeModel_Errors"
BEDROCK_TROUBLE = "https://docs.aws.amazon.com/bedrock/latest/userguide/troubleshooting-api-error-codes.html"
AWS_COMMON = "https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html"
GEMINI = "https://ai.google.dev/gemini-api/docs/troubleshooting"
GOOGLE_RPC = "https://cloud.google.com/apis/design/errors#handling_errors"
GOOGLE_REASONS = "https://cloud.google.com/php/docs/reference/common-protos/latest/Api.ErrorReason"
GOOGLE_CORE = "https://googleapis.dev/python/google-api-core/latest/exceptions.html"
OPENROUTER = "https://openrouter.ai/docs/api/reference/errors"
GROQ_FLEX = "https://console.groq.com/docs/flex-processing"
GROQ_DEPRECATIONS = "https://console.groq.com/docs/deprecations"
FIREWORKS = "https://docs.fireworks.ai/guides/inference-error-codes"
CEREBRAS = "https://inference-docs.cerebras.ai/support/error"
HTTPX = "https://www.python-httpx.org/exceptions/"
PYTHON = "https://docs.python.org/3/library/exceptions.html#os-exceptions"
BOTOCORE = "https://botocore.amazonaws.com/v1/documentation/api/latest/reference/exceptions.html"
AIOHTTP = "https://docs.aiohttp.org/en/stable/client_reference.html#client-exceptions"
HTTP_CLIENT = "https://docs.python.org/3/library/http.client.html#http.client.RemoteDisconnected"
URLLIB3 = "https://urllib3.readthedocs.io/en/stable/reference/urllib3.exceptions.html"
UNDICI = "https://undici.nodejs.org/#/docs/api/Errors"
GROQ_ERRORS = "https://console.groq.com/docs/errors"
LITELLM = "https://docs.litellm.ai/docs/exception_mapping"
GENAI = "https://googleapis.github.io/python-genai/genai.html#module-genai.errors"
BEDROCK_STREAM = "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html#API_runtime_InvokeModelWithResponseStream_Errors"
AZURE_DEPLOYMENT = (
    "https://learn.microsoft.com/en-us/answers/questions/1189174/how-do-i-resolve-error-deploymentnotfound-for-azur"
)
#: The models page the error's own link (go.microsoft.com/fwlink/?linkid=2197993) leads to: which
#: operations each model supports.
AZURE_OPERATIONS = "https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/models"
AZURE_CONTENT_FILTER = "https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/content-filter"
GOOGLE_AUTH = "https://googleapis.dev/python/google-auth/latest/reference/google.auth.exceptions.html"
OAUTH = "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"
JAVA_NET = "https://docs.oracle.com/en/java/javase/21/docs/api/java.base/java/net/package-summary.html"
JAVA_HTTP = "https://docs.oracle.com/en/java/javase/21/docs/api/java.net.http/java/net/http/package-summary.html"
JAVA_SSL = "https://docs.oracle.com/en/java/javase/21/docs/api/java.base/javax/net/ssl/SSLHandshakeException.html"
OPENAI_SPEC = "https://platform.openai.com/docs/api-reference/chat/create"
DART_IO = "https://api.dart.dev/stable/dart-io/HandshakeException-class.html"
DOTNET_TIMEOUT = "https://learn.microsoft.com/en-us/dotnet/api/system.net.http.httpclient.timeout"
OPENAI_JAVA = "https://github.com/openai/openai-java#error-handling"
AI_SDK = "https://ai-sdk.dev/docs/reference/ai-sdk-errors"
AI_GATEWAY = "https://github.com/vercel/ai/tree/main/packages/gateway/src/errors"
#: one-api's relay, whose code new-api keeps: the relay's own request to the upstream failed.
ONE_API = "https://github.com/songquanpeng/one-api/blob/main/relay/controller/text.go"
#: new-api's own error codes (the one-api fork; one-api answers `insufficient_user_quota` too).
NEW_API = "https://github.com/QuantumNous/new-api/blob/main/types/error.go"
#: Text Generation Inference's `error_type` field and its client's exception names (`parse_error`).
TGI = "https://github.com/huggingface/text-generation-inference/blob/main/clients/python/text_generation/errors.py"


@dataclass(frozen=True)
class Entry:
    vocabulary: str  # the table: a provider, or "sdk" / "transport" for client-side names
    value: str  # the type, code or exception name as the provider writes it
    kind: str
    source: str  # the documentation page that defines it
    decisive: bool = True


def _table(vocabulary: str, rows: list[tuple[str, str, str, bool]]) -> tuple[Entry, ...]:
    return tuple(Entry(vocabulary, value, kind, source, decisive) for value, kind, source, decisive in rows)


D, F = True, False  # decisive, family

VOCABULARIES: dict[str, tuple[Entry, ...]] = {
    "openai": _table(
        "openai",
        [
            ("insufficient_quota", "billing", OPENAI, D),
            ("invalid_request_error", "hard_capability", OPENAI, F),
            ("billing_hard_limit_reached", "billing", OPENAI, D),
            ("billing_not_active", "billing", OPENAI, D),
            # 429s that waiting does not lift: no prepaid credit, a spend or usage limit reached
            # (the older name of the spend limit is billing_hard_limit_reached).
            ("credit_balance_exhausted", "billing", OPENAI_429, D),
            ("organization_spend_limit_exceeded", "billing", OPENAI_429, D),
            ("project_spend_limit_exceeded", "billing", OPENAI_429, D),
            ("organization_usage_limit_exceeded", "billing", OPENAI_429, D),
            ("invalid_api_key", "auth", OPENAI, D),
            ("unsupported_country_region_territory", "auth", OPENAI, D),
            ("model_not_found", "hard_model", OPENAI, D),
            ("context_length_exceeded", "hard_capability", OPENAI, D),
            ("unsupported_parameter", "hard_capability", OPENAI, D),
            ("unsupported_value", "hard_capability", OPENAI, D),
            ("invalid_value", "hard_capability", OPENAI_SPEC, D),
            ("invalid_type", "hard_capability", OPENAI_SPEC, D),
            ("missing_required_parameter", "hard_capability", OPENAI_SPEC, D),
            ("unknown_parameter", "hard_capability", OPENAI_SPEC, D),
            ("integer_above_max_value", "hard_capability", OPENAI_SPEC, D),
            ("integer_below_min_value", "hard_capability", OPENAI_SPEC, D),
            ("string_above_max_length", "hard_capability", OPENAI_SPEC, D),
            ("array_above_max_length", "hard_capability", OPENAI_SPEC, D),
            ("invalid_image_url", "hard_capability", OPENAI_SPEC, D),
            ("rate_limit_exceeded", "rate_limit", OPENAI, D),
            ("slow_down", "rate_limit", OPENAI, D),
            ("server_error", "transient_provider", OPENAI, D),
            ("server_is_overloaded", "transient_provider", OPENAI, D),
            ("engine_overloaded", "transient_provider", OPENAI, D),
        ],
    ),
    # The OpenAI SDKs' exception classes (Python and TypeScript; Groq, Together, Cerebras,
    # Fireworks and DeepInfra clients reuse them; Anthropic's SDKs use the same names).
    # Status-derived ones name the family only.
    "sdk": _table(
        "sdk",
        [
            ("APIConnectionError", "network", OPENAI_PY, F),
            ("BadRequestError", "hard_capability", OPENAI_PY, F),
            ("UnprocessableEntityError", "hard_capability", OPENAI_PY, F),
            ("APITimeoutError", "timeout", OPENAI_PY, D),
            ("APIConnectionTimeoutError", "timeout", OPENAI_PY, D),
            ("AuthenticationError", "auth", OPENAI_PY, F),
            ("PermissionDeniedError", "auth", OPENAI_PY, F),
            ("NotFoundError", "hard_model", OPENAI_PY, F),
            ("RateLimitError", "rate_limit", OPENAI_PY, F),
            ("InternalServerError", "transient_provider", OPENAI_PY, F),
            ("ServiceUnavailableError", "transient_provider", OPENAI_PY, F),
            # LiteLLM's own subclasses of them, raised for every provider it calls.
            ("ContextWindowExceededError", "hard_capability", LITELLM, D),
            ("UnsupportedParamsError", "hard_capability", LITELLM, D),
            ("ImageFetchError", "hard_capability", LITELLM, D),
            ("ContentPolicyViolationError", "hard_capability", LITELLM, F),
            ("BudgetExceededError", "budget_exhausted", LITELLM, D),
            # The OpenAI and Anthropic Java/Kotlin SDKs: one exception per status, like the above.
            ("BadRequestException", "hard_capability", OPENAI_JAVA, F),
            ("UnauthorizedException", "auth", OPENAI_JAVA, F),
            ("PermissionDeniedException", "auth", OPENAI_JAVA, F),
            ("NotFoundException", "hard_model", OPENAI_JAVA, F),
            ("UnprocessableEntityException", "hard_capability", OPENAI_JAVA, F),
            ("RateLimitException", "rate_limit", OPENAI_JAVA, F),
            ("InternalServerException", "transient_provider", OPENAI_JAVA, F),
            # The Vercel AI SDK (TypeScript) names its errors `AI_<Name>`; the parse layer reads the
            # name without the prefix. APICallError carries a status and names no cause by itself.
            ("LoadAPIKeyError", "auth", AI_SDK, D),
            ("UnsupportedFunctionalityError", "hard_capability", AI_SDK, D),
            ("InvalidPromptError", "hard_capability", AI_SDK, D),
            ("InvalidMessageRoleError", "hard_capability", AI_SDK, D),
            ("TooManyEmbeddingValuesForCallError", "hard_capability", AI_SDK, D),
            ("InvalidArgumentError", "hard_capability", AI_SDK, F),
            ("NoSuchModelError", "hard_model", AI_SDK, F),
            # The AI SDK's Gateway provider (@ai-sdk/gateway) names its errors after their cause.
            ("GatewayAuthenticationError", "auth", AI_GATEWAY, D),
            ("GatewayModelNotFoundError", "hard_model", AI_GATEWAY, D),
            ("GatewayRateLimitError", "rate_limit", AI_GATEWAY, F),
            ("GatewayInvalidRequestError", "hard_capability", AI_GATEWAY, F),
            ("GatewayInternalServerError", "transient_provider", AI_GATEWAY, F),  # also any type it does not know
            ("GatewayTimeoutError", "timeout", AI_GATEWAY, D),  # the client's own timeout
        ],
    ),
    "anthropic": _table(
        "anthropic",
        [
            ("authentication_error", "auth", ANTHROPIC, D),
            ("invalid_request_error", "hard_capability", ANTHROPIC, F),
            ("permission_error", "auth", ANTHROPIC, F),
            ("billing_error", "billing", ANTHROPIC, D),
            ("not_found_error", "hard_model", ANTHROPIC, F),
            ("request_too_large", "hard_capability", ANTHROPIC, D),
            ("rate_limit_error", "rate_limit", ANTHROPIC, F),
            ("enforced_spend_limit_reached", "billing", ANTHROPIC, D),
            ("api_error", "transient_provider", ANTHROPIC, F),
            ("overloaded_error", "transient_provider", ANTHROPIC, D),
            ("timeout_error", "timeout", ANTHROPIC, D),
        ],
    ),
    "bedrock": _table(
        "bedrock",
        [
            ("AccessDeniedException", "auth", BEDROCK, F),
            ("ResourceNotFoundException", "hard_model", BEDROCK, F),
            ("ValidationException", "unknown", BEDROCK, F),
            ("ThrottlingException", "rate_limit", BEDROCK, D),
            ("ServiceQuotaExceededException", "rate_limit", BEDROCK, D),
            ("ModelTimeoutException", "timeout", BEDROCK, D),
            ("ModelNotReadyException", "transient_provider", BEDROCK, D),
            ("ModelErrorException", "transient_provider", BEDROCK, F),
            ("ModelStreamErrorException", "transient_provider", BEDROCK_STREAM, F),
            ("ServiceUnavailableException", "transient_provider", BEDROCK, D),
            ("InternalServerException", "transient_provider", BEDROCK, D),
            ("InternalFailure", "transient_provider", BEDROCK_TROUBLE, D),
            ("ServiceUnavailable", "transient_provider", BEDROCK_TROUBLE, D),
            ("IncompleteSignature", "auth", BEDROCK_TROUBLE, D),
            ("InvalidClientTokenId", "auth", BEDROCK_TROUBLE, D),
            ("NotAuthorized", "auth", BEDROCK_TROUBLE, D),
            ("MissingAuthenticationToken", "auth", BEDROCK_TROUBLE, D),
            ("ExpiredTokenException", "auth", AWS_COMMON, D),
            ("ExpiredToken", "auth", AWS_COMMON, D),
            ("UnrecognizedClientException", "auth", AWS_COMMON, D),
            ("FTUFormNotFilled", "hard_model", BEDROCK_TROUBLE, D),
            ("InvalidSignatureException", "auth", AWS_COMMON, D),
            ("RequestExpired", "auth", AWS_COMMON, D),
            ("OptInRequired", "auth", AWS_COMMON, D),
            ("TooManyRequestsException", "rate_limit", AWS_COMMON, D),
            # botocore's client-side credential failures: no request was signed.
            ("NoCredentialsError", "auth", BOTOCORE, D),
            ("PartialCredentialsError", "auth", BOTOCORE, D),
            ("CredentialRetrievalError", "auth", BOTOCORE, D),
            ("UnauthorizedSSOTokenError", "auth", BOTOCORE, D),
            ("SSOTokenLoadError", "auth", BOTOCORE, D),
            ("TokenRetrievalError", "auth", BOTOCORE, D),
            ("ProfileNotFound", "auth", BOTOCORE, D),
        ],
    ),
    # google.rpc codes as the Gemini API and Vertex AI send them, and google-api-core's
    # exception names for them (`ResourceExhausted: 429 ...`).
    "google": _table(
        "google",
        [
            ("INVALID_ARGUMENT", "hard_capability", GEMINI, F),
            ("FAILED_PRECONDITION", "billing", GEMINI, F),
            ("PERMISSION_DENIED", "auth", GEMINI, F),
            ("UNAUTHENTICATED", "auth", GOOGLE_RPC, D),
            ("NOT_FOUND", "hard_model", GEMINI, F),
            ("RESOURCE_EXHAUSTED", "rate_limit", GEMINI, F),
            ("CANCELLED", "network", GEMINI, F),
            ("INTERNAL", "transient_provider", GEMINI, F),
            ("UNAVAILABLE", "transient_provider", GEMINI, F),
            ("DEADLINE_EXCEEDED", "timeout", GEMINI, D),
            # google.rpc.ErrorInfo reasons of the googleapis.com domain
            ("API_KEY_INVALID", "auth", GOOGLE_REASONS, D),
            ("API_KEY_SERVICE_BLOCKED", "auth", GOOGLE_REASONS, D),
            ("ACCESS_TOKEN_EXPIRED", "auth", GOOGLE_REASONS, D),
            ("ACCESS_TOKEN_SCOPE_INSUFFICIENT", "auth", GOOGLE_REASONS, D),
            ("CREDENTIALS_MISSING", "auth", GOOGLE_REASONS, D),
            ("USER_PROJECT_DENIED", "auth", GOOGLE_REASONS, D),
            ("SERVICE_DISABLED", "auth", GOOGLE_REASONS, D),
            ("BILLING_DISABLED", "billing", GOOGLE_REASONS, D),
            ("RATE_LIMIT_EXCEEDED", "rate_limit", GOOGLE_REASONS, D),
            ("RESOURCE_QUOTA_EXCEEDED", "rate_limit", GOOGLE_REASONS, D),
            ("InvalidArgument", "hard_capability", GOOGLE_CORE, F),
            ("FailedPrecondition", "billing", GOOGLE_CORE, F),
            ("PermissionDenied", "auth", GOOGLE_CORE, F),
            ("Unauthenticated", "auth", GOOGLE_CORE, D),
            ("NotFound", "hard_model", GOOGLE_CORE, F),
            ("ResourceExhausted", "rate_limit", GOOGLE_CORE, F),
            ("TooManyRequests", "rate_limit", GOOGLE_CORE, F),
            ("InternalServerError", "transient_provider", GOOGLE_CORE, F),
            ("ServiceUnavailable", "transient_provider", GOOGLE_CORE, F),
            ("DeadlineExceeded", "timeout", GOOGLE_CORE, D),
            ("GatewayTimeout", "timeout", GOOGLE_CORE, D),
            ("BadRequest", "hard_capability", GOOGLE_CORE, F),
            ("Forbidden", "auth", GOOGLE_CORE, F),
            ("Unauthorized", "auth", GOOGLE_CORE, D),
            ("BadGateway", "transient_provider", GOOGLE_CORE, F),
            # google-genai's two families (genai.errors): the status inside says more.
            ("ServerError", "transient_provider", GENAI, F),
            # google-auth: credentials that could not be found or refreshed.
            ("DefaultCredentialsError", "auth", GOOGLE_AUTH, D),
            ("RefreshError", "auth", GOOGLE_AUTH, D),
            # OAuth 2.0 token endpoint errors (RFC 6749), as Google's token service sends them.
            ("invalid_grant", "auth", OAUTH, D),
            ("invalid_client", "auth", OAUTH, D),
            ("unauthorized_client", "auth", OAUTH, D),
            ("invalid_scope", "auth", OAUTH, D),
        ],
    ),
    "openrouter": _table(
        "openrouter",
        [
            ("payment_required", "billing", OPENROUTER, D),
            ("context_length_exceeded", "hard_capability", OPENROUTER, D),
        ],
    ),
    # Azure OpenAI: a deployment name that the resource does not serve; an operation (chat,
    # completions, embeddings) the deployed model does not offer.
    "azure": _table(
        "azure",
        [
            ("DeploymentNotFound", "hard_model", AZURE_DEPLOYMENT, D),
            # its content filter refused the prompt or the answer
            ("content_filter", "hard_capability", AZURE_CONTENT_FILTER, D),
            ("ResponsibleAIPolicyViolation", "hard_capability", AZURE_CONTENT_FILTER, D),
            ("OperationNotSupported", "hard_capability", AZURE_OPERATIONS, D),
        ],
    ),
    # OpenAI-compatible providers: their documented codes beyond OpenAI's own.
    "groq": _table(
        "groq",
        [
            ("model_decommissioned", "hard_model", GROQ_DEPRECATIONS, D),
            ("capacity_exceeded", "transient_provider", GROQ_FLEX, D),
            ("tool_use_failed", "hard_capability", GROQ_ERRORS, D),
            ("json_validate_failed", "hard_capability", GROQ_ERRORS, D),
            # A served model whose terms an administrator has not accepted: said, not guessed.
            ("model_terms_required", "unknown", GROQ_ERRORS, D),
        ],
    ),
    "fireworks": _table(
        "fireworks",
        [
            ("NOT_FOUND", "hard_model", FIREWORKS, F),
            ("PERMISSION_DENIED", "auth", FIREWORKS, F),
            ("RESOURCE_EXHAUSTED", "rate_limit", FIREWORKS, F),
        ],
    ),
    "cerebras": _table(
        "cerebras",
        [
            ("PaymentRequired", "billing", CEREBRAS, D),
            ("UnprocessableEntityError", "hard_capability", CEREBRAS, F),
            ("ServiceUnavailable", "transient_provider", CEREBRAS, F),
        ],
    ),
    # Text Generation Inference, the serving engine behind Hugging Face's endpoints and some
    # hosts of open-weight models: `{"error": "...", "error_type": "generation"}`.
    "tgi": _table(
        "tgi",
        [
            ("generation", "transient_provider", TGI, F),  # failed while generating: the server's side
            ("incomplete_generation", "transient_provider", TGI, D),
            ("overloaded", "transient_provider", TGI, D),  # its queue is full
            ("validation", "hard_capability", TGI, F),  # the request's parameters or length
            ("GenerationError", "transient_provider", TGI, F),
            ("IncompleteGenerationError", "transient_provider", TGI, D),
            ("OverloadedError", "transient_provider", TGI, D),
            ("ShardNotReadyError", "transient_provider", TGI, F),  # a 403 or 424 of the hosted API
            ("ShardTimeoutError", "timeout", TGI, F),  # its 504
        ],
    ),
    # one-api and new-api, the relays in front of many providers.
    "one_api": _table(
        "one_api",
        [
            ("do_request_failed", "network", ONE_API, F),  # its HTTP client got no answer from the upstream
            # The relay's own balance for its user (sent as 403): a paid account at someone's relay
            # (billing) or the cap of the operator's own gateway (budget_exhausted); the text does
            # not say whose relay it is, so it is not read as the credentials its 403 suggests.
            ("insufficient_user_quota", "unknown", NEW_API, D),
            ("pre_consume_token_quota_failed", "unknown", NEW_API, D),
            ("token_concurrency_limit_reached", "rate_limit", NEW_API, D),
            ("sensitive_words_detected", "hard_capability", NEW_API, F),  # the relay's own prompt filter
            ("prompt_blocked", "hard_capability", NEW_API, F),
        ],
    ),
    # Client-side transport failures: no provider answered.
    "transport": _table(
        "transport",
        [
            ("ConnectError", "network", HTTPX, D),
            ("ConnectTimeout", "network", HTTPX, D),
            ("ReadTimeout", "timeout", HTTPX, D),
            ("WriteTimeout", "timeout", HTTPX, D),
            ("PoolTimeout", "timeout", HTTPX, D),
            ("TimeoutException", "timeout", HTTPX, D),
            ("ReadError", "network", HTTPX, D),
            ("RemoteProtocolError", "network", HTTPX, F),  # also a body cut after the answer began
            ("ConnectionError", "network", PYTHON, F),  # requests also raises it when read timeouts exhaust its retries
            ("ConnectionResetError", "network", PYTHON, D),
            ("ConnectionRefusedError", "network", PYTHON, D),
            ("ConnectionAbortedError", "network", PYTHON, D),
            ("BrokenPipeError", "network", PYTHON, D),
            ("TimeoutError", "timeout", PYTHON, F),  # also raised by a connect call that failed
            ("EndpointConnectionError", "network", BOTOCORE, D),
            ("ConnectTimeoutError", "network", BOTOCORE, D),
            ("ReadTimeoutError", "timeout", BOTOCORE, D),
            ("ClientConnectorError", "network", AIOHTTP, D),
            ("ServerDisconnectedError", "network", AIOHTTP, D),
            ("ClientOSError", "network", AIOHTTP, D),
            ("ServerTimeoutError", "timeout", AIOHTTP, D),
            ("RemoteDisconnected", "network", HTTP_CLIENT, D),
            ("NewConnectionError", "network", URLLIB3, D),
            ("NameResolutionError", "network", URLLIB3, D),
            ("ProtocolError", "network", URLLIB3, F),  # also a body cut while it was read ("Connection broken: …")
            ("ProxyError", "network", URLLIB3, D),
            ("HeadersTimeoutError", "timeout", UNDICI, D),
            ("BodyTimeoutError", "timeout", UNDICI, D),
            # Java's: java.net, java.net.http, javax.net.ssl (OkHttp and the JDK client raise them).
            ("SocketTimeoutException", "timeout", JAVA_NET, D),
            ("HttpTimeoutException", "timeout", JAVA_HTTP, D),
            ("HttpConnectTimeoutException", "network", JAVA_HTTP, D),
            ("ConnectException", "network", JAVA_NET, F),  # Guzzle raises it for any transfer failure
            ("UnknownHostException", "network", JAVA_NET, D),
            ("NoRouteToHostException", "network", JAVA_NET, D),
            ("SSLHandshakeException", "network", JAVA_SSL, D),
            ("InterruptedIOException", "timeout", JAVA_NET, F),
            # Java's java.net.SocketException (reset, broken pipe); Dart's dart:io has the same name
            # for a failed lookup or connect.
            ("SocketException", "network", JAVA_NET, F),
            ("HandshakeException", "network", DART_IO, D),
            # .NET's HttpClient throws TaskCanceledException when its Timeout elapses.
            ("TaskCanceledException", "timeout", DOTNET_TIMEOUT, F),
        ],
    ),
}

#: The `sdk` table's classes that only name the status they were raised for (the OpenAI and
#: Anthropic SDKs', LiteLLM's, the Java SDKs'): a status the text shows says at least as much.
STATUS_DERIVED = frozenset(
    {
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "UnprocessableEntityError",
        "RateLimitError",
        "InternalServerError",
        "ServiceUnavailableError",
        "BadRequestException",
        "UnauthorizedException",
        "PermissionDeniedException",
        "NotFoundException",
        "UnprocessableEntityException",
        "RateLimitException",
        "InternalServerException",
    }
)


def status_derived(entry: Entry) -> bool:
    """Whether an entry is an SDK exception class that names nothing but its HTTP status."""
    return entry.vocabulary == "sdk" and entry.value in STATUS_DERIVED


#: Which tables a provider's errors are read with, own first. Unknown providers (and gateways,
#: whose bodies embed the upstream's codes) are read with every table.
PROVIDER_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "openai": ("openai", "sdk", "transport"),
    "azure": ("azure", "openai", "sdk", "transport"),
    "anthropic": ("anthropic", "sdk", "transport"),
    "bedrock": ("bedrock", "anthropic", "transport"),
    "vertex": ("google", "anthropic", "transport"),
    "gemini": ("google", "transport"),
    "groq": ("groq", "openai", "sdk", "transport"),
    "together": ("openai", "sdk", "transport"),
    "fireworks": ("fireworks", "openai", "sdk", "transport"),
    "cerebras": ("cerebras", "openai", "sdk", "transport"),
    "deepinfra": ("openai", "sdk", "transport"),
    "huggingface": ("tgi", "openai", "sdk", "transport"),
    "tgi": ("tgi", "openai", "sdk", "transport"),
    "one_api": ("one_api", "openai", "sdk", "transport"),
    "new_api": ("one_api", "openai", "sdk", "transport"),
}


def _folds(value: str) -> bool:
    """Whether a name may be matched case-insensitively: snake_case codes and CamelCase names,
    not single upper-case words (INTERNAL, UNAVAILABLE are also ordinary words in lower case)."""
    return "_" in value or not (value.isupper() or value.islower())


def _index(names: tuple[str, ...]) -> tuple[dict[str, Entry], dict[str, Entry]]:
    exact: dict[str, Entry] = {}
    folded: dict[str, Entry] = {}
    for name in names:
        for entry in VOCABULARIES[name]:
            exact.setdefault(entry.value, entry)
            if _folds(entry.value):
                folded.setdefault(entry.value.lower(), entry)
    return exact, folded


_ALL = tuple(VOCABULARIES)
_INDEXES: dict[tuple[str, ...], tuple[dict[str, Entry], dict[str, Entry]]] = {}
_TOKEN = re.compile(r"(?<![a-z0-9_])[a-z][a-z0-9_]{3,60}(?![a-z0-9_])")
SCAN_CHARS = 2_000


def _indexes(provider: str) -> tuple[dict[str, Entry], dict[str, Entry]]:
    own = PROVIDER_VOCABULARIES.get((provider or "").lower(), ())
    order = own + tuple(name for name in _ALL if name not in own)
    if order not in _INDEXES:
        _INDEXES[order] = _index(order)
    return _INDEXES[order]


def lookup(provider: str, values: tuple[str, ...]) -> list[Entry]:
    """The entries the values name, in the order of the values: the provider's own tables first,
    then every other table for values those do not know. Exact match, else case-folded for
    snake_case and CamelCase names (a lower-cased copy of the text keeps them recognisable)."""
    exact, folded = _indexes(provider)
    found: list[Entry] = []
    for value in values:
        entry = exact.get(value) or folded.get(value.lower())
        if entry is not None and entry not in found:
            found.append(entry)
    return found


def names_in_lowercase(text: str) -> tuple[str, ...]:
    """Whole tokens of a lower-cased text that are exception or gRPC names of some table (the
    writer's normalized copy has no case left for the parse layer to recognise them by)."""
    _, folded = _indexes("")
    tokens = dict.fromkeys(_TOKEN.findall(text[:SCAN_CHARS]))
    return tuple(token for token in tokens if token in folded and not folded[token].value.islower())
