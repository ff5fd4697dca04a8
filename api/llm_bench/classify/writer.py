"""What the upstream benchmark writer stores for a failed call, as pure functions.

The benchmark service (not this toolkit) writes `errors_cloud`. Its `error_kind` comes only
from an explicit HTTP status found in the text, and its `normalized_message` is the message
lower-cased with request ids masked. The demo, the test factories and the classifier's corpus
tests build writer-shaped documents here, so that they see exactly what production data holds:
the weak stored kind included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

NORMALIZED_MAX_CHARS = 2_000
REQUEST_ID = "request_id=<redacted>"

# The only status shapes the writer reads: "error code: 429", "status code: 503", "status: 401".
_STATUS = re.compile(r"\b(?:error code|status code|status)\s*:\s*(\d{3})\b", re.IGNORECASE)

# Applied to lower-cased text, in this order: the JSON field first (its value may be any shape),
# then "request id <id>" prose, then bare provider ids (Anthropic req_..., uuids).
_REQUEST_IDS: tuple[re.Pattern[str], ...] = (
    re.compile(r"[\"']request_?id[\"']\s*:\s*[\"'][^\"']*[\"']"),
    re.compile(r"\brequest[ _-]?id\b\s*[:=]?\s*[\"']?(?=[\w-]*\d)[\w-]{6,}[\"']?"),
    re.compile(r"\breq_[a-z0-9]{8,}"),
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
)
_WHITESPACE = re.compile(r"\s+")


def http_status(text: str) -> int | None:
    """The first explicit HTTP status in the text, in one of the writer's shapes, else None."""
    found = _STATUS.search(text or "")
    return int(found.group(1)) if found else None


def status_kind(text: str) -> str:
    """The writer's error kind: from the explicit status alone; "unknown" without one."""
    status = http_status(text)
    if status in (401, 403):
        return "auth"
    if status == 402:
        return "billing"
    if status == 429:
        return "rate_limit"
    if status == 404:
        return "hard_model"
    if status is not None and 500 <= status <= 599:
        return "transient_provider"
    return "unknown"


def normalize_message(text: str) -> str:
    """Lower-cased, request ids masked, whitespace collapsed, at most NORMALIZED_MAX_CHARS."""
    normalized = (text or "").lower()
    for pattern in _REQUEST_IDS:
        normalized = pattern.sub(REQUEST_ID, normalized)
    return _WHITESPACE.sub(" ", normalized).strip()[:NORMALIZED_MAX_CHARS].rstrip()


def fingerprint(provider: str, model: str, normalized: str) -> str:
    """A stable id of one error pattern: 16 hex digits of SHA-256 over provider, model and text."""
    digest = hashlib.sha256("\x1f".join((provider, model, normalized)).encode("utf-8"))
    return digest.hexdigest()[:16]


def error_document(
    *, provider: str, model: str, message: str, ts: dt.datetime, stage: str = "generate"
) -> dict[str, Any]:
    """One `errors_cloud` document as the writer stores it."""
    normalized = normalize_message(message)
    return {
        "provider": provider,
        "model_name": model,
        "ts": ts,
        "stage": stage,
        "message": message,
        "error_kind": status_kind(message),
        "http_status": http_status(message),
        "provider_error_code": None,
        "normalized_message": normalized,
        "fingerprint": fingerprint(provider, model, normalized),
    }
