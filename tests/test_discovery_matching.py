"""Identities, candidate selection, the rules against hand-reviewed truth, and the AI fallback.

The AI is the real OpenAI SDK talking to a loopback stand-in, so requests can be counted.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from http_stub import HTTPStub, Request, json_reply

from api.llm_bench import repository
from api.llm_bench.ai import ask_json, make_client
from api.llm_bench.config import Settings
from api.llm_bench.discovery.jobs import ReportOptions, build_report, run_fetch
from api.llm_bench.discovery.matching import candidates, identity, rule_proposals

TRUTH = Path(__file__).parent / "fixtures" / "matching" / "truth.jsonl"  # derived: ids and matches only
CHAT = "/v1/chat/completions"
NOW = dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("openai/gpt-4o:extended", "gpt-4o"),
        ("anthropic/claude-3.7-sonnet", "claude-3-7-sonnet-20250219"),
        ("anthropic/claude-3.7-sonnet", "us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
        ("meta-llama/llama-3.1-70b-instruct", "meta.llama3-1-70b-instruct-v1:0"),
        ("meta-llama/llama-3.3-70b-instruct", "accounts/fireworks/models/llama-v3p3-70b-instruct"),
        ("anthropic/claude-sonnet-4.5", "claude-sonnet-4-5@20250929"),
        ("openai/gpt-oss-120b", "openai/gpt-oss-120b-maas"),
    ],
)
def test_same_identity(left: str, right: str) -> None:
    assert identity(left) == identity(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [("gpt-4", "gpt-4o"), ("o1", "o1-pro"), ("gpt-4o", "gpt-4o-mini"), ("glm-5", "glm-5-turbo"),
     ("qwen3-235b-a22b", "qwen3-235b-a22b-2507"), ("gpt-4o", "gpt-4o-2024-05-13"), ("o3", "o3-mini")],
)
def test_different_identity(left: str, right: str) -> None:
    assert identity(left) != identity(right)


def test_rules_precision_and_coverage_on_reviewed_truth() -> None:
    rows = [json.loads(line) for line in TRUTH.read_text().splitlines()]
    emitted = wrong = covered = 0
    for row in rows:
        truth = {(m["provider"], m["model_id"]) for m in row["matches"]}
        proposals = {(p.provider, p.model_id) for p in rule_proposals(row["openrouter_id"])}
        emitted += len(proposals)
        wrong += len(proposals - truth)
        covered += bool(proposals & truth)
    assert wrong == 0 and emitted >= 70
    assert covered / sum(bool(r["matches"]) for r in rows) >= 0.45


@pytest.mark.parametrize(
    ("openrouter_id", "expected"),
    [
        ("openai/gpt-5.4:online", ("openai", "gpt-5.4")),
        ("openai/o4-mini-high", ("openai", "o4-mini")),
        ("openai/gpt-5.2-chat", ("openai", "gpt-5.2-chat-latest")),
        ("openai/gpt-oss-20b", ("groq", "openai/gpt-oss-20b")),
        ("anthropic/claude-opus-4.6-fast", ("anthropic", "claude-opus-4-6")),
        ("anthropic/claude-sonnet-4", ("vertex", "claude-sonnet-4")),
        ("google/gemini-3-pro-preview", ("vertex", "gemini-3-pro-preview")),
        ("meta-llama/llama-3.2-11b-vision-instruct", ("bedrock", "meta.llama3-2-11b-instruct-v1:0")),
        ("meta-llama/llama-4-maverick", ("bedrock", "meta.llama4-maverick-17b-instruct-v1:0")),
        ("amazon/nova-pro-v1", ("bedrock", "us.amazon.nova-pro-v1:0")),
    ],
)
def test_known_families(openrouter_id: str, expected: tuple[str, str]) -> None:
    first = rule_proposals(openrouter_id)[0]
    assert (first.provider, first.model_id) == expected and first.source == "rule"


@pytest.mark.parametrize("openrouter_id", ["openai/gpt-5.6-sol-pro", "google/gemini-2.5-pro-preview",
                                           "anthropic/claude-3.5-haiku", "qwen/qwen3-max", "openai/gpt-5-image"])
def test_unsure_ids_get_no_rule(openrouter_id: str) -> None:
    assert rule_proposals(openrouter_id) == ()


def _model(model_id: str, **fields) -> dict:
    return {"openrouter_id": model_id, "org": model_id.split("/")[0], "output_modalities": ["text"], **fields}


def test_candidates_skip_variants_aliases_routers_and_non_text() -> None:
    catalog = [_model(i) for i in ("a/m", "a/m:free", "a/m:beta", "b/only:free", "a/m:thinking")]
    catalog += [_model("~a/m-latest"), _model("openrouter/auto", variable_price=True),
                _model("g/img", output_modalities=["image", "text"])]
    found, covered = candidates(catalog, [])
    assert sorted(m["openrouter_id"] for m in found) == ["a/m", "a/m:thinking", "b/only:free"] and covered == 0


def test_covered_models_are_never_proposed_and_no_substring_matching() -> None:
    catalog = [_model(i) for i in ("openai/gpt-4", "openai/gpt-4o", "openai/o1", "openai/o1-pro",
                                   "meta-llama/llama-3.3-70b-instruct", "anthropic/claude-3.7-sonnet:thinking")]
    benchmark = [{"provider": "openai", "model_id": "gpt-4", "enabled": True},
                 {"provider": "openai", "model_id": "o1", "deprecated": True},
                 {"provider": "groq", "model_id": "llama-3.3-70b-versatile", "enabled": False},
                 {"provider": "anthropic", "model_id": "claude-3-7-sonnet-20250219"}]
    found, covered = candidates(catalog, benchmark)
    assert sorted(m["openrouter_id"] for m in found) == ["openai/gpt-4o", "openai/o1-pro"] and covered == 4


def test_candidates_newest_first_and_since() -> None:
    day = dt.timedelta(days=1)
    catalog = [_model("x/old", first_seen_at=NOW - 10 * day), _model("x/new", first_seen_at=NOW - day),
               _model("x/newer", first_seen_at=NOW - day, created=NOW - day)]
    found, _ = candidates(catalog, [])
    assert [m["openrouter_id"] for m in found] == ["x/newer", "x/new", "x/old"]
    assert [m["openrouter_id"] for m in candidates(catalog, [], since=NOW - 2 * day)[0]] == ["x/newer", "x/new"]


# --- the AI fallback, end to end against loopback servers ---

CATALOG = {"data": [
    {"id": "openai/gpt-9", "name": "OpenAI: GPT-9", "created": 1769000000},
    {"id": "qwen/qwen3-32b", "name": "Qwen: Qwen3 32B", "created": 1768000000, "hugging_face_id": "Qwen/Qwen3-32B"},
    {"id": "acme/tiny-1", "name": "Acme: Tiny", "created": 1767000000},
    {"id": "acme/odd-2", "name": "Acme: Odd", "created": 1766000000},
]}
ANSWERS = {
    "qwen/qwen3-32b": {"provider": "groq", "model_id": "qwen/qwen3-32b", "confidence": 0.9, "reasoning": "same model"},
    "acme/tiny-1": {"provider": None, "model_id": None, "confidence": 0.8, "reasoning": "not served directly"},
    "acme/odd-2": {"provider": "azure", "model_id": "odd-2", "confidence": 0.99, "reasoning": "wrong provider"},
}


def completion(content: str) -> tuple[int, dict[str, str], dict]:
    return json_reply({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content, "refusal": None}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    })


def answer_from(table: dict) -> callable:
    def handler(request: Request) -> tuple[int, dict[str, str], dict]:
        user = request.json()["messages"][1]["content"]
        asked = json.loads(user.partition("\n")[2])
        return completion(json.dumps({"answers": [{"openrouter_id": m["openrouter_id"], **table[m["openrouter_id"]]}
                                                  for m in asked if m["openrouter_id"] in table]}))
    return handler


def load_catalog(store: repository.Store, http_server: HTTPStub, catalog: dict = CATALOG) -> None:
    repository.ensure_indexes(store)
    http_server.route("GET", "/api/v1/models", lambda _r: json_reply(catalog))
    run_fetch(store, http_server.base_url + "/api/v1/models", NOW - dt.timedelta(hours=1), retries=0)


def asker(http_server: HTTPStub):
    settings = Settings(openai_api_key="sk-test", openai_base_url=http_server.base_url + "/v1", openai_timeout=5)
    client = make_client(settings, max_retries=0)
    return lambda system, user, schema: ask_json(client, model="gpt-4o-mini", system=system, user=user,
                                                 schema=schema, name="openrouter_matches")


def test_ai_only_for_leftovers_and_never_twice(store: repository.Store, http_server: HTTPStub) -> None:
    load_catalog(store, http_server)
    http_server.route("POST", CHAT, answer_from(ANSWERS))
    report = build_report(store, "db", ReportOptions(), asker(http_server), NOW)
    assert [(m.openrouter_id, m.provider, m.model_id, m.source) for m in report.matches] == [
        ("openai/gpt-9", "openai", "gpt-9", "rule"), ("qwen/qwen3-32b", "groq", "qwen/qwen3-32b", "ai")]
    assert report.ai_requests == 1 and len(http_server.calls(CHAT)) == 1
    asked = json.loads(http_server.calls(CHAT)[0].json()["messages"][1]["content"].partition("\n")[2])
    assert [m["openrouter_id"] for m in asked] == ["qwen/qwen3-32b", "acme/tiny-1", "acme/odd-2"]
    odd = store.coll("catalog").find_one({"openrouter_id": "acme/odd-2"})["ai_match"]
    assert odd["provider"] is None and odd["discarded"] == "azure:odd-2"

    again = build_report(store, "db", ReportOptions(), asker(http_server), NOW)
    assert again.ai_requests == 0 and len(http_server.calls(CHAT)) == 1
    assert [m.source for m in again.matches] == ["rule", "ai"]

    build_report(store, "db", ReportOptions(refresh=True), asker(http_server), NOW)
    assert len(http_server.calls(CHAT)) == 2


def test_ai_failure_is_not_cached_and_rules_still_report(store: repository.Store, http_server: HTTPStub) -> None:
    load_catalog(store, http_server)
    http_server.route("POST", CHAT, lambda _r: json_reply({"error": {"message": "overloaded"}}, 503))
    report = build_report(store, "db", ReportOptions(), asker(http_server), NOW)
    assert [m.openrouter_id for m in report.matches] == ["openai/gpt-9"]
    assert report.notes == ("AI: OpenAI answered HTTP 503",)
    assert store.coll("catalog").count_documents({"ai_match": {"$exists": True}}) == 0
    http_server.route("POST", CHAT, answer_from(ANSWERS))
    assert build_report(store, "db", ReportOptions(), asker(http_server), NOW).ai_requests == 1


def test_filters_provider_confidence_and_max(store: repository.Store, http_server: HTTPStub) -> None:
    load_catalog(store, http_server)
    http_server.route("POST", CHAT, answer_from(ANSWERS))
    only_groq = build_report(store, "db", ReportOptions(providers=("groq",)), asker(http_server), NOW)
    assert [m.openrouter_id for m in only_groq.matches] == ["qwen/qwen3-32b"]
    strict = build_report(store, "db", ReportOptions(min_confidence=0.92), None, NOW)
    assert [m.openrouter_id for m in strict.matches] == ["openai/gpt-9"]
    one = build_report(store, "db", ReportOptions(max_matches=1), None, NOW)
    assert len(one.matches) == 1 and one.matches[0].command.startswith('mongosh "$MONGODB_URI" --eval \'')
