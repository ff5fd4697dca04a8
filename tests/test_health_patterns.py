"""Error messages parameterised into templates, and new patterns collapsed by template."""

from __future__ import annotations

import datetime as dt

import pytest

from api.llm_bench.health.classification import ClassifiedPattern
from api.llm_bench.health.patterns import collapse, template

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Overloaded (request id req_011CYhr1kdGzCrPHfrhibMen)", "Overloaded (request id req_011CXs6hk18SX5aBxQQQ)"),
        (
            "Rate limit for org org-uOtiSEwvUnroadaOnJJquBEC: Limit 30000, Used 29937. Try again in 644ms.",
            "Rate limit for org org-78asdf87asdf9aaa8976: Limit 200000, Used 191584. Try again in 11.122s.",
        ),
        (
            "trace a22cf6e6-a940-4fff-8c4c-1580816ac7be at 2026-01-05T10:11:12Z",
            "trace 0b9e1f3c-1111-4aaa-8bbb-222233334444 at 2026-01-06 23:59:01.5+00:00",
        ),
        ("Incorrect API key provided: [REDACTED].", "Incorrect API key provided: [REDACTED]."),
        ("deadline 2026-11-25 exceeded after 3 retries", "deadline 2026-11-26 exceeded after 4 retries"),
    ],
)
def test_messages_differing_only_in_variable_parts_share_a_template(a: str, b: str) -> None:
    assert template(a) == template(b)


def test_different_errors_keep_different_templates() -> None:
    assert template("The model `gpt-4o` does not exist") != template("Invalid API key")
    assert "gpt-4o" in template("The model `gpt-4o` does not exist")


def Pattern(provider: str, model: str, kind: str, count: int, first: dt.datetime, sample: str) -> ClassifiedPattern:
    return ClassifiedPattern(
        "current", provider, model, f"fp-{sample}", kind, kind, "stored", count, first, first, sample, True
    )


def test_a_burst_differing_only_in_request_ids_is_one_pattern() -> None:
    burst = tuple(
        Pattern(
            "anthropic",
            "claude-sonnet-4",
            "transient_provider",
            2,
            NOW - dt.timedelta(minutes=i),
            f"Error code: 529 - overloaded_error (request_id: req_{i:04d}abcdefghij{i})",
        )
        for i in range(50)
    )
    other = Pattern(
        "anthropic",
        "claude-opus-4",
        "transient_provider",
        1,
        NOW,
        "Error code: 529 - overloaded_error (request_id: req_zzzzabcdefghij)",
    )
    merged = collapse((*burst, other, Pattern("groq", "llama", "rate_limit", 3, NOW, "429 Too Many Requests")))
    assert len(merged) == 2
    first = merged[0]
    assert (first.provider, first.count, first.model) == ("anthropic", 101, "claude-sonnet-4 +1 more")
    assert first.first_error == NOW - dt.timedelta(minutes=49)
