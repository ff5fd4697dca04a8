"""Turn the shapes SDKs and gateways print errors in into fields, before any wording is read.

Shapes read (each bounded, each regex linear):
- OpenAI-style SDK text `Error code: 429 - {'error': {...}}` (a Python dict repr) and JSON bodies
  anywhere in the text, including JSON nested in strings (OpenRouter's `metadata.raw`, LiteLLM
  and gateway wrappers), up to NESTING levels deep;
- botocore `An error occurred (ThrottlingException) when calling the InvokeModel operation: ...`;
- google-api-core / gRPC `429 Resource has been exhausted`, `DeadlineExceeded: 504 ...`,
  `google.api_core.exceptions.NotFound: 404 ...`, upper-case status names (`RESOURCE_EXHAUSTED`)
  and the C core's numbers (`grpc_status:7`);
- httpx `Client error '429 Too Many Requests' for url ...`;
- Cloudflare's 5xx error page, even only its tail (`utm_source=errorcode_520` in its links);
- code and type fields (`"code":"model_not_found"`, `"code":403`) of a body that does not decode:
  cut short, or JSON nested in a string without escaping;
- google-api-core's `Forbidden: 403 ...` (an exception name, then its status);
- exception class names anywhere (`openai.APIConnectionError`, `httpx.ReadTimeout`,
  `ConnectionResetError`), and the Vercel AI SDK's prefixed ones (`AI_LoadAPIKeyError`).

Only the first MAX_PARSE_CHARS characters are read; a JSON candidate is decoded only when its
balanced span is at most MAX_JSON_CHARS; dict reprs go through `ast.literal_eval` (literals only,
never code) under the same cap; the walk over a decoded body stops at MAX_DEPTH levels and
MAX_NODES values.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

MAX_PARSE_CHARS = 8_000
MAX_JSON_CHARS = 6_000
MAX_DEPTH = 8
MAX_NODES = 400
MAX_CANDIDATES = 4  # JSON starts tried per text
NESTING = 2  # JSON inside a JSON string, read this many levels down
MAX_NAMES = 8

#: Keys whose string values are a provider's error type or code.
#: (`:exception-type` is the header of an AWS event-stream frame that carries an exception: Bedrock's
#: streaming errors, whose frames all say 400 whatever the exception.)
CODE_KEYS = frozenset(
    {"type", "type_", "code", "status", "error_code", "reason", "__type", "errortype", "error_type", ":exception-type"}
)
#: Keys whose string values are a human message.
MESSAGE_KEYS = frozenset({"message", "detail", "error", "msg", "error_message", "raw"})

# A status as SDKs and clients print it. Each alternative is anchored on fixed words and bounded.
_STATUS_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\berror code:?\s{0,3}(\d{3})\b", re.IGNORECASE),
    re.compile(r"\bstatus(?:[ _]code)?[\"']?\s{0,3}[:=]?\s{0,3}[\"']?(\d{3})\b", re.IGNORECASE),
    re.compile(r"\bstatus code of (\d{3})\b", re.IGNORECASE),
    re.compile(r"\bhttp(?:/\d(?:\.\d)?)?\s{0,3}(?:error\s{0,3})?[:(]?\s{0,3}(\d{3})\b", re.IGNORECASE),
    re.compile(r"\b(?:client|server) error '(\d{3})\b", re.IGNORECASE),
    re.compile(r"\bapi error:?\s{0,3}\(?(\d{3})\b", re.IGNORECASE),
    # an error word, then the status (also a log level in brackets: `[error] 400 Missing ...`)
    re.compile(r"\b(?:error|exception|failed|failure)\b\]?:?\s{0,3}\(?(\d{3})\b(?![.,]\d)", re.IGNORECASE),
    re.compile(r"^\W{0,3}(\d{3})\b(?![.,:/]\d)"),
    re.compile(r"\[(\d{3})\]"),
    re.compile(r"[\"']code[\"']\s{0,3}:\s{0,3}(\d{3})\b"),  # a status in a body that does not decode
    re.compile(r"\berrorcode_(5\d\d)\b"),  # Cloudflare's 5xx page links `5xx-error-landing?utm_source=errorcode_520`
    re.compile(
        r"\b(\d{3})\s(?:bad request|unauthorized|payment required|forbidden|not found|request timeout|"
        r"too many requests|internal server error|bad gateway|service unavailable|gateway time-?out)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b[A-Z][A-Za-z]{2,40}(?:Error|Exception|Exceeded|Exhausted|Found|Denied|Unavailable)?:\s{0,3}(\d{3})\b"
    ),
)
# A code or type field in a body that does not decode (cut short, or JSON nested without escaping,
# as OpenRouter's `metadata.raw` sometimes is, or with its quotes escaped inside another repr):
# `"code":"unsupported_country_region_territory"`, `\'type\': \'invalid_request_error\'`.
_KEY_VALUE = re.compile(
    r"[\"'](?:code|type|error_code|error_type|reason|status|:exception-type)\\{0,3}[\"']\s{0,3}:\s{0,3}\\{0,3}[\"']"
    r"([A-Za-z][A-Za-z0-9_.-]{1,80})\\{0,3}[\"']"
)
# ... and an error field whose value is one snake_case word, as in a cut OAuth body
# (`{"error":"invalid_grant","error_description":"reauth related error`).
_ERROR_CODE_VALUE = re.compile(r"[\"']error[\"']\s{0,3}:\s{0,3}[\"']([a-z][a-z0-9]{1,30}(?:_[a-z0-9]{1,30}){1,5})[\"']")
MAX_KEY_VALUES = 8
_BOTOCORE = re.compile(
    r"\ban error occurred \((\w{1,100})\) when calling the (\w{1,100}) operation(?: \(reached max retries: \d{1,4}\))?",
    re.IGNORECASE,
)
# Exception or error class names: dotted module or namespace path optional (`openai.`,
# `System.Threading.Tasks.`), CamelCase, a telling suffix.
_EXCEPTION = re.compile(
    r"(?<![\w.])(?:[A-Za-z_][A-Za-z0-9_]{0,40}\.){0,5}([A-Z][A-Za-z0-9]{1,60}"
    r"(?:Error|Exception|Timeout|Exceeded|Exhausted|Unavailable|Denied|NotFound|Unauthenticated|"
    r"InvalidArgument|FailedPrecondition|Cancelled))(?![\w])"
)
# The Vercel AI SDK names its errors `AI_APICallError`, `AI_LoadAPIKeyError`: the name after the prefix.
_AI_SDK = re.compile(r"(?<![\w.])AI_([A-Z][A-Za-z0-9]{1,60}Error)(?![\w])")
# google-api-core prints an exception as `Forbidden: 403 ...`: a CamelCase name, then its status.
_NAMED_STATUS = re.compile(
    r"(?<![\w.])(?:[a-z_][a-z0-9_]{0,40}\.){0,5}([A-Z][a-z]{1,20}(?:[A-Z][a-z]{1,20}){0,3}):\s{0,3}[45]\d\d\b"
)
_GRPC_NAMES = (
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
)
# gRPC's numeric status as its C core prints it (`grpc_status:7`): codes 1..16 in the order above.
_GRPC_NUMBER = re.compile(r"\bgrpc_status\W{0,3}(\d{1,2})\b")
# An error field whose whole value is one snake_case word is a code (OAuth's `"error": "invalid_grant"`).
_CODE_WORD = re.compile(r"[a-z][a-z0-9]{1,30}(?:_[a-z0-9]{1,30}){1,5}")
# Upper-case gRPC status names stand alone (not inside another identifier) and case-sensitively.
_GRPC = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(_GRPC_NAMES) + r")(?![A-Za-z0-9_])")


@dataclass(frozen=True)
class Parsed:
    """What the text says in structured form. `codes` holds provider error types, codes, reasons,
    exception class names and gRPC status names in the order found, each once."""

    status: int | None = None
    codes: tuple[str, ...] = ()  # from JSON fields and botocore's "(Code)"
    names: tuple[str, ...] = ()  # exception class and gRPC status names found in the prose
    messages: tuple[str, ...] = field(default=())

    @property
    def message(self) -> str:
        """The innermost human message found (the last one read), else ""."""
        return self.messages[-1] if self.messages else ""


def _status_in_range(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 400 <= value <= 599:
        return value
    if isinstance(value, str) and len(value) == 3 and value.isdigit() and 400 <= int(value) <= 599:
        return int(value)
    return None


def _balanced_end(text: str, start: int, limit: int) -> int | None:
    """The index after the brace closing the one at `start`, quotes respected; None past `limit`."""
    depth = 0
    quote = ""
    escaped = False
    end = min(len(text), start + limit)
    for i in range(start, end):
        ch = text[i]
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _decode(span: str) -> Any:
    try:
        return json.loads(span)
    except (ValueError, RecursionError):
        pass
    try:
        return ast.literal_eval(span)
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        return None


def _bodies(text: str) -> list[Any]:
    """Decoded JSON objects (or dict reprs) found in the text, at most MAX_CANDIDATES tried."""
    found: list[Any] = []
    position = 0
    for _ in range(MAX_CANDIDATES):
        start = text.find("{", position)
        if start < 0:
            break
        end = _balanced_end(text, start, MAX_JSON_CHARS)
        if end is None:
            position = start + 1
            continue
        value = _decode(text[start:end])
        if isinstance(value, (dict, list)):
            found.append(value)
            position = end
        else:
            position = start + 1
    return found


class _Collector:
    def __init__(self) -> None:
        self.status: int | None = None
        self.codes: list[str] = []
        self.messages: list[str] = []
        self.nodes = 0

    def code(self, value: str) -> None:
        value = value.strip()
        if value and len(value) <= 100 and value not in self.codes and len(self.codes) < 3 * MAX_NAMES:
            self.codes.append(value)

    def walk(self, value: Any, depth: int, nesting: int) -> None:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            return
        if isinstance(value, dict):
            for key, item in list(value.items())[:50]:
                name = str(key).lower()
                if name in CODE_KEYS:
                    status = _status_in_range(item)
                    if status is not None:
                        self.status = self.status or status
                    elif isinstance(item, str):
                        self.code(item)
                if name in MESSAGE_KEYS and isinstance(item, str):
                    if _CODE_WORD.fullmatch(item.strip()):
                        self.code(item)
                    self.text(item, nesting)
                elif name in ("status_code", "statuscode", "http_status", "httpstatuscode"):
                    self.status = self.status or _status_in_range(item)
                if isinstance(item, (dict, list)):
                    self.walk(item, depth + 1, nesting)
        elif isinstance(value, list):
            for item in value[:50]:
                if isinstance(item, (dict, list)):
                    self.walk(item, depth + 1, nesting)

    def text(self, value: str, nesting: int) -> None:
        value = value[:MAX_PARSE_CHARS]
        if nesting < NESTING and "{" in value:
            bodies = _bodies(value)
            for body in bodies:
                self.walk(body, 0, nesting + 1)
            if bodies:
                return
        if value.strip():
            self.messages.append(value.strip())


def parse(text: str) -> Parsed:
    """The fields of one error text (never raises; reads at most MAX_PARSE_CHARS)."""
    text = (text or "")[:MAX_PARSE_CHARS]
    collector = _Collector()
    for body in _bodies(text):
        collector.walk(body, 0, 0)
    if "{" in text:
        for found in chain(_KEY_VALUE.finditer(text), _ERROR_CODE_VALUE.finditer(text)):
            if len(collector.codes) >= MAX_KEY_VALUES:
                break
            collector.code(found.group(1))
    botocore = _BOTOCORE.search(text)
    if botocore:
        collector.code(botocore.group(1))
        rest = text[botocore.end() :].lstrip(" :)(")
        if rest:
            collector.messages.append(rest[:1000])
    names: list[str] = []
    for found in _EXCEPTION.finditer(text):
        if found.group(1) not in names:
            names.append(found.group(1))
        if len(names) >= MAX_NAMES:
            break
    for found in _AI_SDK.finditer(text[:2_000]):
        if found.group(1) not in names and len(names) < MAX_NAMES:
            names.append(found.group(1))
    for found in _NAMED_STATUS.finditer(text[:2_000]):
        if found.group(1) not in names and len(names) < MAX_NAMES:
            names.append(found.group(1))
    for found in _GRPC_NUMBER.finditer(text[:2_000]):
        number = int(found.group(1))
        if 1 <= number <= len(_GRPC_NAMES) and _GRPC_NAMES[number - 1] not in names:
            names.append(_GRPC_NAMES[number - 1])
    for found in _GRPC.finditer(text[:2_000]):
        if found.group(1) not in names and len(names) < 2 * MAX_NAMES:
            names.append(found.group(1))
    status = collector.status
    if status is None:
        head = text[:2_000]
        for pattern in _STATUS_PATTERNS:
            match = pattern.search(head)
            if match:
                status = _status_in_range(match.group(1))
                if status is not None:
                    break
    return Parsed(status, tuple(collector.codes), tuple(names), tuple(collector.messages))
