"""The upstream writer's view of an error: its status-only kind, its normalized message, its
fingerprint and the shape of the `errors_cloud` document it stores."""

from __future__ import annotations

import datetime as dt

import pytest

from api.llm_bench.classify.kinds import KINDS
from api.llm_bench.classify.writer import (
    NORMALIZED_MAX_CHARS,
    REQUEST_ID,
    error_document,
    fingerprint,
    http_status,
    normalize_message,
    status_kind,
)


@pytest.mark.parametrize(
    ("text", "status", "kind"),
    [
        ("Error code: 429 - {'error': {'message': 'Rate limit reached'}}", 429, "rate_limit"),
        ("ERROR CODE: 401 - invalid key", 401, "auth"),
        ("error code: 403", 403, "auth"),
        ("Error code: 402 - payment", 402, "billing"),
        ("anthropic.NotFoundError: Error code: 404 - {'type': 'error'}", 404, "hard_model"),
        ("Request failed: status code: 503", 503, "transient_provider"),
        ("upstream said Status: 529 overloaded", 529, "transient_provider"),
        ("status:500", 500, "transient_provider"),
        ("Error code: 400 - {'error': {'message': 'Your credit balance is too low'}}", 400, "unknown"),
        ("Error code: 422", 422, "unknown"),
        # Shapes the writer does not read: no colon, or a bare number.
        ("429 Too Many Requests", None, "unknown"),
        ("Request failed with status code 401", None, "unknown"),
        ("HTTP 500 from upstream", None, "unknown"),
        ("", None, "unknown"),
    ],
)
def test_status_kind_reads_only_explicit_status_shapes(text, status, kind):
    assert http_status(text) == status
    assert status_kind(text) == kind


def test_the_first_explicit_status_wins():
    assert status_kind("Error code: 404 - then status code: 500 from the retry") == "hard_model"


def test_normalize_lower_cases_and_collapses_whitespace():
    assert normalize_message("  Model `GPT-4`\n\n\tdoes NOT exist  ") == "model `gpt-4` does not exist"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type":"error","request_id":"req_011CYhr1kdGzCrPHfrhibMen"}', '{"type":"error",request_id=<redacted>}'),
        ("{'request_id': 'abc-123'}", "{request_id=<redacted>}"),
        ('$metadata: {"requestId":"158a2e26-c851-4440-9f98-e3065df1de46"}', "$metadata: {request_id=<redacted>}"),
        ("failed (req_011CbrFTcXhtiMzr3s6EocF7)", "failed (request_id=<redacted>)"),
        ("org (a22cf6e6-a940-4fff-8c4c-1580816ac7be) of", "org (request_id=<redacted>) of"),
        (
            "Please include the request ID ba26ecc19b891d51c802fd1bf379d34a in your message.",
            "please include the request_id=<redacted> in your message.",
        ),
        ("request-id: 7f3e2a1b9c", "request_id=<redacted>"),
    ],
    ids=["json-req", "python-dict", "aws-requestId", "bare-req", "uuid", "prose", "header"],
)
def test_normalize_masks_request_ids(text, expected):
    assert normalize_message(text) == expected


def test_normalize_keeps_words_after_request_id_prose():
    assert normalize_message("include the request id in your message") == "include the request id in your message"


def test_normalize_is_idempotent_and_capped():
    text = "Error " + "x " * 3_000 + "req_011CYhr1kdGzCrPHfrhibMen"
    once = normalize_message(text)
    assert NORMALIZED_MAX_CHARS - 1 <= len(once) <= NORMALIZED_MAX_CHARS
    assert normalize_message(once) == once
    assert normalize_message(None) == ""  # type: ignore[arg-type]
    masked = normalize_message('"request_id":"req_011CYhr1kdGzCrPHfrhibMen"')
    assert masked == REQUEST_ID and normalize_message(masked) == masked


def test_fingerprint_is_stable_hex_and_separates_its_parts():
    first = fingerprint("openai", "gpt-4", "model does not exist")
    assert first == fingerprint("openai", "gpt-4", "model does not exist")
    assert len(first) == 16 and int(first, 16) >= 0
    others = {
        fingerprint("groq", "gpt-4", "model does not exist"),
        fingerprint("openai", "gpt-4o", "model does not exist"),
        fingerprint("openai", "gpt-4", "model does not exist!"),
        fingerprint("openaigpt-4", "", "model does not exist"),
    }
    assert first not in others and len(others) == 4


def test_error_document_has_the_writer_shape():
    ts = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
    message = (
        "Error code: 400 - {'type': 'error', 'error': {'message': 'Your credit balance is too low'}, "
        "'request_id': 'req_011CbrFTcXhtiMzr3s6EocF7'}"
    )
    doc = error_document(provider="anthropic", model="claude-sonnet-4", message=message, ts=ts)
    assert doc == {
        "provider": "anthropic",
        "model_name": "claude-sonnet-4",
        "ts": ts,
        "stage": "generate",
        "message": message,
        "error_kind": "unknown",  # the writer sees a 400, not the billing wording
        "http_status": 400,
        "provider_error_code": None,
        "normalized_message": "error code: 400 - {'type': 'error', 'error': {'message': 'your credit balance is too low'}, "
        "request_id=<redacted>}",
        "fingerprint": fingerprint("anthropic", "claude-sonnet-4", doc["normalized_message"]),
    }
    assert doc["error_kind"] in KINDS


def test_error_document_without_status():
    doc = error_document(
        provider="openai",
        model="gpt-4o",
        message="openai.APIConnectionError: Connection error.",
        ts=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        stage="judge",
    )
    assert (doc["stage"], doc["http_status"], doc["error_kind"]) == ("judge", None, "unknown")
