"""Error messages parameterised into templates, and new patterns collapsed by template."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from api.llm_bench import repository
from api.llm_bench.classify.writer import error_document
from api.llm_bench.health.classification import SAMPLE_CHARS, ClassifiedPattern
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import collect, shape
from api.llm_bench.health.patterns import collapse, template
from api.llm_bench.message_keys import message_key
from api.llm_bench.repository.health import error_patterns, insert_documents
from api.llm_bench.untrusted import safe_text

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
        ("Please try again in 1m2.5s.", "Please try again in 644ms."),
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
    assert (first.provider, first.count, first.model) == ("anthropic", 101, "claude-sonnet-4")
    assert first.models == ("claude-sonnet-4", "claude-opus-4") and first.label == "claude-sonnet-4 +1 more"
    assert first.to_dict()["models"] == ["claude-sonnet-4", "claude-opus-4"]
    assert first.first_error == NOW - dt.timedelta(minutes=49)


RETRY = (
    "Error code: 429 - {{'error': {{'code': 'rate_limit_exceeded', 'message': 'Rate limit reached for "
    "gpt-4o in organization org-uOtiSEwvUnroadaOnJJquBEC on tokens per min (TPM): Limit 30000, Used "
    "{used}, Requested 1200. Please try again in {wait}. Visit https://platform.openai.com/account/"
    "rate-limits to learn more. You can increase your rate limit by adding a payment method to your "
    "account at https://platform.openai.com/account/billing.', 'type': 'tokens', 'param': None}}}}"
)


def test_the_same_429_with_other_retry_times_is_one_line_whatever_its_length(
    store: repository.Store,
) -> None:
    """Long messages are cut for display at different places when numbers differ in length;
    merging compares the template of the whole text, so one outage stays one line."""
    waits = [("644ms", 28937), ("11.122s", 291584), ("7s", 29000), ("1m2.5s", 2999)]
    docs = [
        error_document(
            provider="openai",
            model=model,
            message=RETRY.format(used=used, wait=wait),
            ts=NOW - dt.timedelta(minutes=10 * i + j + 1),
        )
        for i, (wait, used) in enumerate(waits)
        for j, model in enumerate(("gpt-4o", "gpt-4o", "gpt-4o-mini"))
    ]
    assert len({len(d["message"]) for d in docs}) > 1 and all(len(d["message"]) > SAMPLE_CHARS for d in docs)
    assert len({template(safe_text(d["message"], SAMPLE_CHARS)) for d in docs}) > 1  # the cut samples differ
    insert_documents(store, {"errors": docs})
    facts = shape(collect(store, Window(NOW - dt.timedelta(days=1), NOW)))
    (line,) = facts.new_patterns
    assert (line.kind, line.count, line.all_models) == ("rate_limit", 12, ("gpt-4o", "gpt-4o-mini"))


def test_messages_without_a_fingerprint_are_keyed_by_their_template_not_their_text(
    store: repository.Store,
) -> None:
    docs = []
    for i, wait in enumerate(("644ms", "11.122s", "7s")):
        doc = error_document(
            provider="openai",
            model="gpt-4o",
            message=RETRY.format(used=29000 + i, wait=wait),
            ts=NOW - dt.timedelta(hours=i + 1),
        )
        del doc["fingerprint"]
        docs.append(doc)
    insert_documents(store, {"errors": docs})
    (row,) = error_patterns(store, NOW - dt.timedelta(days=1), NOW)
    assert row["count"] == 3 and not row["keyed"]
    assert row["fingerprint"] == message_key("openai", "gpt-4o", docs[0]["normalized_message"])
    assert re.fullmatch(r"msg-[0-9a-f]{16}", row["fingerprint"])
