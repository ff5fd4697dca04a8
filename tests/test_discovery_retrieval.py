"""Retrieval against the reviewed truth and the ranking rules.

The truth test runs the real path: the registry fixture (derived from the snapshot the truth
was reviewed against) is served on loopback, stored by `fetch`'s source refresh, read back as
the index, and every truth row is placed by retrieval alone (no AI).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from http_stub import HTTPStub

from api.llm_bench import repository
from api.llm_bench.discovery.matching import Listing
from api.llm_bench.discovery.retrieval import Index, propose
from api.llm_bench.discovery.sources import SourceConfig, load_index, refresh

FIXTURES = Path(__file__).parent / "fixtures"
TRUTH = [json.loads(line) for line in (FIXTURES / "matching" / "truth.jsonl").read_text().splitlines()]
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@pytest.fixture
def truth_index(store: repository.Store, http_server: HTTPStub) -> Index:
    body = (FIXTURES / "registry" / "truth-registry.json").read_text()
    http_server.route("GET", "/registry.json", lambda _r: (200, {"Content-Type": "application/json"}, body))
    repository.ensure_indexes(store)
    (result,) = refresh(store, SourceConfig(http_server.base_url + "/registry.json"), NOW)
    assert result.status == "complete" and result.listed == 834
    return load_index(store)


def test_precision_and_coverage_on_reviewed_truth(truth_index: Index) -> None:
    emitted = correct = covered = 0
    for row in TRUTH:
        truth = {(m["provider"], m["model_id"]) for m in row["matches"]}
        proposals = {(p.provider, p.model_id) for p in propose(row["openrouter_id"], truth_index)}
        emitted += len(proposals)
        correct += len(proposals & truth)
        covered += bool(proposals & truth)
    matchable = sum(bool(r["matches"]) for r in TRUTH)
    assert correct / emitted >= 0.98 and covered / matchable >= 0.80, (correct, emitted, covered, matchable)


@pytest.mark.parametrize(
    "openrouter_id", ["openai/gpt-3.5-turbo-0613", "openai/gpt-chat-latest", "google/gemini-2.5-pro-preview-05-06"]
)
def test_unlisted_ids_are_never_proposed(truth_index: Index, openrouter_id: str) -> None:
    assert propose(openrouter_id, truth_index) == ()


@pytest.mark.parametrize(
    ("openrouter_id", "expected"),
    [
        ("openai/gpt-4o", ("openai", "gpt-4o")),  # the alias, not gpt-4o-2024-08-06
        ("anthropic/claude-3.7-sonnet", ("anthropic", "claude-3-7-sonnet-20250219")),  # no alias listed
        ("anthropic/claude-sonnet-4.5", ("anthropic", "claude-sonnet-4-5")),
        ("anthropic/claude-opus-4.6-fast", ("anthropic", "claude-opus-4-6")),
        ("openai/o4-mini-high", ("openai", "o4-mini")),
        ("openai/gpt-5.2-chat", ("openai", "gpt-5.2-chat-latest")),
        ("openai/gpt-5.6-sol-pro", ("openai", "gpt-5.6-sol")),
        ("amazon/nova-premier-v1", ("bedrock", "us.amazon.nova-premier-v1:0")),
        ("meta-llama/llama-4-scout", ("bedrock", "us.meta.llama4-scout-17b-instruct-v1:0")),
        ("google/gemma-4-31b-it", ("bedrock", "google.gemma-4-31b")),
    ],
)
def test_first_proposal(truth_index: Index, openrouter_id: str, expected: tuple[str, str]) -> None:
    first = propose(openrouter_id, truth_index)[0]
    assert (first.provider, first.model_id) == expected and first.listing is not None


def test_bedrock_prefers_the_us_profile_and_the_newest_snapshot(truth_index: Index) -> None:
    bedrock = {p.provider: p.model_id for p in propose("anthropic/claude-3.7-sonnet", truth_index)}["bedrock"]
    assert bedrock == "us.anthropic.claude-3-7-sonnet-20250219-v1:0"  # not the listed 20240620 typo


def test_provider_list_beats_registry_and_dated_snapshots_rank_newest_first() -> None:
    index = Index.build(
        [
            Listing("openai", "gpt-9-2026-01-01", "registry"),
            Listing("openai", "gpt-9-2026-05-01", "provider"),
            Listing("together", "acme/Gpt-9", "registry"),
            Listing("groq", "acme/gpt-9", "provider"),
        ]
    )
    found = propose("openai/gpt-9", index)
    assert [(p.provider, p.model_id) for p in found] == [
        ("openai", "gpt-9-2026-05-01"),
        ("groq", "acme/gpt-9"),
        ("together", "acme/Gpt-9"),
    ]
    assert found[0].listing.verified_by == "provider" and "provider lists it" in found[0].reasoning
