"""The parse layer: the shapes SDKs and gateways print errors in become fields (status, codes,
exception and gRPC names, inner messages), within bounds; and every regex of the classifier
(parse, vocabulary, phrase rules) is linear on adversarial input."""

from __future__ import annotations

import re
import time

import pytest

from api.llm_bench.classify import classifier as classifier_module
from api.llm_bench.classify import parse as parse_module
from api.llm_bench.classify import vocabulary, writer
from api.llm_bench.classify.parse import MAX_PARSE_CHARS, Parsed, parse
from api.llm_bench.classify.rules import RULES


@pytest.mark.parametrize(
    ("text", "status", "codes", "names", "message"),
    [
        (  # OpenAI SDK: "Error code: N - {python dict repr}"
            "openai.NotFoundError: Error code: 404 - {'error': {'message': 'The model `gpt-x` does not exist or you "
            "do not have access to it.', 'type': 'invalid_request_error', 'param': None, 'code': 'model_not_found'}}",
            404,
            ("invalid_request_error", "model_not_found"),
            ("NotFoundError",),
            "The model `gpt-x` does not exist or you do not have access to it.",
        ),
        (  # Anthropic JSON body
            'Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}',
            529,
            ("error", "overloaded_error"),
            (),
            "Overloaded",
        ),
        (  # OpenRouter: the upstream's JSON as a string in metadata.raw
            '{"error":{"message":"Provider returned error","code":429,"metadata":{"raw":"{\\"error\\":{\\"code\\":'
            '\\"insufficient_quota\\",\\"message\\":\\"You exceeded your current quota\\"}}","provider_name":"OpenAI"}}}',
            429,
            ("insufficient_quota",),
            (),
            "You exceeded your current quota",
        ),
        (  # botocore
            "botocore.errorfactory.ThrottlingException: An error occurred (ThrottlingException) when calling the "
            "InvokeModel operation (reached max retries: 4): Too many tokens, please wait before trying again.",
            None,
            ("ThrottlingException",),
            ("ThrottlingException",),
            "Too many tokens, please wait before trying again.",
        ),
        (  # google-api-core
            "google.api_core.exceptions.ResourceExhausted: 429 Resource has been exhausted (e.g. check quota).",
            429,
            (),
            ("ResourceExhausted",),
            "",
        ),
        ("DeadlineExceeded: 504 Deadline Exceeded", 504, (), ("DeadlineExceeded",), ""),
        (  # an OAuth token body cut short: its error field is the code
            'API Error: {"error":"invalid_grant","error_description":"reauth related error',
            None,
            ("invalid_grant",),
            (),
            "",
        ),
        (  # only the tail of Cloudflare's 5xx page, as a log cut it
            '<span>Performance &amp; security by</span> <a rel="noopener noreferrer" href="https://www.cloudflare.com/'
            '5xx-error-landing?utm_source=errorcode_522&utm_campaign=api.openai.com" target="_blank">Cloudflare</a>',
            522,
            (),
            (),
            "",
        ),
        (  # gRPC status name
            "Error: 4 DEADLINE_EXCEEDED: Deadline exceeded after 30.000s",
            None,
            (),
            ("DEADLINE_EXCEEDED",),
            "",
        ),
        (  # httpx
            "httpx.HTTPStatusError: Client error '429 Too Many Requests' for url 'https://api.groq.com/openai/v1/chat'",
            429,
            (),
            ("HTTPStatusError",),
            "",
        ),
        (  # google-api-core: an exception name without a suffix, then its status
            "google.api_core.exceptions.Forbidden: 403 POST https://aiplatform.googleapis.com/v1/projects/p: "
            "Permission 'aiplatform.endpoints.predict' denied",
            403,
            (),
            ("Forbidden",),
            "",
        ),
        (  # An AWS event-stream frame: every exception frame says 400, its header names the exception
            "ValueError: Bad response code, expected 200: {'status_code': 400, 'headers': {':exception-type': "
            "'internalServerException', ':content-type': 'application/json', ':message-type': 'exception'}, "
            "'body': b'{\"message\":\"The system encountered an unexpected error during processing.\"}'",
            400,
            ("internalServerException",),
            ("ValueError",),
            "The system encountered an unexpected error during processing.",
        ),
        ("httpx.ConnectError: [Errno -3] Temporary failure in name resolution", None, (), ("ConnectError",), ""),
        ("ConnectionResetError(104, 'Connection reset by peer')", None, (), ("ConnectionResetError",), ""),
        (  # Google JSON with a reason
            '{"error": {"code": 400, "message": "API key not valid.", "status": "INVALID_ARGUMENT", "details": '
            '[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]}}',
            400,
            ("INVALID_ARGUMENT", "API_KEY_INVALID"),
            ("INVALID_ARGUMENT",),
            "API key not valid.",
        ),
        (  # a repr printed inside another repr and broken across a console's box: the quotes escaped
            "'error': 'Error code: 40 \u2502\n\u2502 0 - {\\'error\\': {\\'message\\': \"Invalid parameter: messages "
            "with role \\'tool\\' must be a response\", \\'type\\': \\'invalid_request_error\\', \\'param\\': \u2502",
            None,
            ("invalid_request_error",),
            (),
            "",
        ),
        (  # a log level in brackets, then the status
            "[error] 400 Missing `reasoning_content` field in the assistant message at message index 2.",
            400,
            (),
            (),
            "",
        ),
    ],
)
def test_shapes(text, status, codes, names, message):
    got = parse(text)
    assert got.status == status
    assert all(code in got.codes for code in codes), got.codes
    assert all(name in got.names for name in names), got.names
    assert got.message == message


def test_a_field_named_like_a_code_is_not_a_code():
    # A gateway's `error_origin_level: 'api_error'` names where the error came from, not its type.
    got = parse("Gateway error: {'error_origin_level': 'api_error', 'message': 'upstream said no'}")
    assert "api_error" not in got.codes
    assert got.message == "upstream said no"


def test_identifiers_are_whole_names():
    got = parse("An error occurred (ResourceNotFoundException) when calling the Converse operation: x")
    assert got.codes == ("ResourceNotFoundException",)
    assert "NotFound" not in got.names


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no structure at all",
        "{" * 50_000,
        "[" * 5_000 + "]" * 5_000,
        "{'a': " * 3_000 + "1" + "}" * 3_000,  # deeper than any parser's limit, within the span cap
        '{"message": "' + "x" * 100_000 + '"}',  # longer than the JSON cap: not decoded
        "{'a': __import__('os').system('true')}",  # literals only: never evaluated
        "Error code: 999 - status: 200",
    ],
)
def test_hostile_text_parses_to_bounded_fields(text):
    got = parse(text)
    assert isinstance(got, Parsed)
    assert got.status is None or 400 <= got.status <= 599
    assert len(got.codes) <= 3 * parse_module.MAX_NAMES and len(got.names) <= 2 * parse_module.MAX_NAMES
    assert all(len(m) <= MAX_PARSE_CHARS for m in got.messages)


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    found = [(f"rule:{rule.id}", rule.pattern) for rule in RULES]
    found += [(f"rule:{rule.id}:lowered", rule.lowered) for rule in RULES if rule.lowered is not None]
    found += [(f"parse:status{i}", p) for i, p in enumerate(parse_module._STATUS_PATTERNS)]
    found += [("parse:botocore", parse_module._BOTOCORE), ("parse:exception", parse_module._EXCEPTION)]
    found += [("parse:ai-sdk", parse_module._AI_SDK), ("parse:key-value", parse_module._KEY_VALUE)]
    found += [("parse:error-code-value", parse_module._ERROR_CODE_VALUE)]
    found += [("parse:grpc", parse_module._GRPC), ("vocabulary:token", vocabulary._TOKEN)]
    found += [
        ("parse:named-status", parse_module._NAMED_STATUS),
        ("parse:grpc-number", parse_module._GRPC_NUMBER),
        ("parse:code-word", parse_module._CODE_WORD),
        ("classifier:model-word", classifier_module._MODEL_WORD),
        ("classifier:model-gone", classifier_module._MODEL_GONE),
    ]
    found += [("writer:status", writer._STATUS)]
    return found


# Shapes that partially match many patterns: repeated, they are what makes a backtracking regex
# quadratic (each start position scanning ahead over the rest).
ADVERSARIAL = (
    "a",
    " ",
    "_",
    "A",
    "aA",
    "a.",
    "A.",
    "AI_",
    "{",
    "'",
    "1",
    "error ",
    "model ",
    "models/embed",
    "status code ",
    "rate_",
    "not ",
    "x-",
    "Error: 4",
    "endpoint for ",
    "does not ",
    "Exception",
    "\\u00",
    "model is ",
    "grpc_status:",
    "Forbidden: ",
    '"code": "',
    "[1].",
)
SMALL, LARGE = 16_000, 64_000  # 4x the input: linear ~4x the time, quadratic ~16x


def _cost(pattern: re.Pattern[str], text: str, repeat: int = 3) -> float:
    """CPU time of this thread (other processes on a shared machine do not count), best of `repeat`."""
    best = float("inf")
    for _ in range(repeat):
        started = time.thread_time()
        pattern.search(text)
        best = min(best, time.thread_time() - started)
    return best


@pytest.mark.parametrize(("name", "pattern"), _patterns(), ids=[name for name, _ in _patterns()])
def test_every_regex_is_linear_on_adversarial_input(name, pattern):
    def text(shape: str, size: int) -> str:
        return (shape * (size // len(shape) + 1))[:size]

    # The three shapes this pattern is slowest on, then those at both sizes.
    worst = sorted(ADVERSARIAL, key=lambda shape: -_cost(pattern, text(shape, SMALL), repeat=1))[:3]
    for shape in worst:
        a, b = _cost(pattern, text(shape, SMALL)), _cost(pattern, text(shape, LARGE))
        # Quadratic growth would be ~16x; allow 9x for noise on a shared machine, and ignore
        # timings too small to measure.
        assert b < 0.002 or b < 9 * a, f"{name} on {shape!r}: {a * 1e3:.2f} ms -> {b * 1e3:.2f} ms"
