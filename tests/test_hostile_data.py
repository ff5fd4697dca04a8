"""Hostile and broken benchmark data never costs a report: each case runs the whole health job
on SecantusDB and must end in a report, with what could not be read counted, not fatal."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from api.llm_bench import repository
from api.llm_bench.classify.writer import error_document
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import AIChoice, Delivery, run
from api.llm_bench.health.render import json_report
from api.llm_bench.repository.health import insert_documents

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
WINDOW = Window(NOW - dt.timedelta(days=1), NOW)
AN_HOUR_AGO = NOW - dt.timedelta(hours=1)


ONE_SUCCESS = {"provider": "openai", "model_name": "gpt-4o", "run_ts": AN_HOUR_AGO, "gen_ts": AN_HOUR_AGO}


def report_for(store: repository.Store, documents: dict[str, list[dict[str, Any]]]) -> Any:
    insert_documents(store, {"successes": [ONE_SUCCESS], **documents})
    return run(store, WINDOW, AIChoice(None, "gpt-4o-mini"), Delivery())


@pytest.mark.parametrize("normalized", [{"error": {"message": "raw body"}}, ["a", "b"], 42, None, True])
def test_a_message_of_any_type_is_counted_not_fatal(store: repository.Store, normalized: object) -> None:
    doc = {
        "ts": AN_HOUR_AGO,
        "provider": "openai",
        "model_name": "gpt-4o",
        "normalized_message": normalized,
        "error_kind": "hard_model",
        "fingerprint": "f",
    }
    good = error_document(provider="openai", model="gpt-4o", message="Connection error.", ts=AN_HOUR_AGO)
    outcome = report_for(store, {"errors": [doc, good]})
    facts = outcome.report.facts
    assert facts.errors == 2
    readable = normalized is None
    assert facts.unreadable == (0 if readable else 1)
    assert ("Unreadable error documents: 1" in outcome.message.get_content()) is not readable


@pytest.mark.parametrize(
    "field,value",
    [
        ("provider", {"$gt": ""}),
        ("model_name", ["gpt-4o"]),
        ("error_kind", {"kind": "auth"}),
        ("fingerprint", 7),
        ("message", {"text": "x"}),
        ("reclassified_by", ["llm"]),
        ("classification_confidence", "high"),
    ],
)
def test_fields_of_the_wrong_type_are_read_defensively(store: repository.Store, field: str, value: object) -> None:
    doc = {
        **error_document(provider="openai", model="gpt-4o", message="Error code: 404 - gone", ts=AN_HOUR_AGO),
        field: value,
    }
    outcome = report_for(store, {"errors": [doc]})
    assert outcome.report.facts.errors == 1
    assert json_report(outcome.report)["totals"]["errors"] == 1


@pytest.mark.parametrize(
    "rollup",
    [
        {"count": "many"},
        {"count": math.nan},
        {"count": {"$numberLong": "1"}},
        {"count": -4},
        {"sample_messages": {"a": 1}},
        {"sample_messages": 12},
        {"sample_messages": None},
        {"first_seen": NOW - dt.timedelta(hours=2), "provider": None, "model_name": {"x": 1}},
    ],
)
def test_malformed_rollups_are_read_defensively(store: repository.Store, rollup: dict[str, Any]) -> None:
    base = {
        "fingerprint": "r",
        "provider": "openai",
        "model_name": "gpt-4o",
        "error_kind": "network",
        "count": 3,
        "first_seen": NOW - dt.timedelta(hours=2),
        "sample_messages": ["reset"],
    }
    outcome = report_for(store, {"rollups": [{**base, **rollup}]})
    (pattern,) = outcome.report.facts.new_patterns
    assert pattern.count >= 0


def test_a_plain_string_sample_is_shown_whole(store: repository.Store) -> None:
    outcome = report_for(
        store,
        {
            "rollups": [
                {
                    "fingerprint": "r",
                    "provider": "groq",
                    "model_name": "llama",
                    "error_kind": "rate_limit",
                    "count": 2,
                    "first_seen": AN_HOUR_AGO,
                    "sample_messages": "Rate limit reached, retry later",
                }
            ]
        },
    )
    (pattern,) = outcome.report.facts.new_patterns
    assert pattern.sample == "Rate limit reached, retry later"


def test_a_rollup_kind_outside_the_known_kinds_is_unknown_and_clean(store: repository.Store) -> None:
    hostile = "\x1b[31mauth sk-proj-abcdefghijklmnopqrstuvwxyz0123456789\x1b[0m"
    outcome = report_for(
        store,
        {
            "rollups": [
                {
                    "fingerprint": "r",
                    "provider": "groq",
                    "model_name": "llama",
                    "error_kind": hostile,
                    "count": 2,
                    "first_seen": AN_HOUR_AGO,
                    "sample_messages": ["odd"],
                }
            ]
        },
    )
    (pattern,) = outcome.report.facts.new_patterns
    assert pattern.stored_kind == "unknown"
    body = outcome.message.get_content()
    assert "\x1b" not in body and "sk-proj" not in body


def test_a_200_kb_sample_and_message_are_cut_before_they_are_read(store: repository.Store) -> None:
    # Runs that made the old redaction rescan from every word boundary (138 s for this report).
    huge = "mongodb://u:" + "a." * 100_000
    outcome = report_for(
        store,
        {
            "errors": [error_document(provider="openai", model="gpt-4o", message=huge, ts=AN_HOUR_AGO)],
            "rollups": [
                {
                    "fingerprint": "r",
                    "provider": "groq",
                    "model_name": "llama",
                    "error_kind": "network",
                    "count": 2,
                    "first_seen": AN_HOUR_AGO,
                    "sample_messages": ["a://b:" * 35_000],
                }
            ],
        },
    )
    samples = [p.sample for p in outcome.report.facts.new_patterns]
    assert samples and all(len(sample) <= 300 and sample.endswith("…") for sample in samples)
    assert len(outcome.message.get_content()) < 20_000
