"""Candidate selection and the AI fallback that picks from closed shortlists of listed ids.

The AI is the real OpenAI SDK talking to a loopback stand-in, so requests can be counted; the
model registry is served by the same stand-in and stored by the real `fetch`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from http_stub import HTTPStub, Request, json_reply, slow

from api.llm_bench import repository
from api.llm_bench.ai import make_client
from api.llm_bench.config import Settings
from api.llm_bench.discovery.ai_match import Ask
from api.llm_bench.discovery.jobs import ReportOptions, build_report, run_fetch
from api.llm_bench.discovery.matching import Proposal, candidates
from api.llm_bench.discovery.sources import SourceConfig
from api.llm_bench.repository.catalog import CatalogEntry

CHAT = "/v1/chat/completions"
NOW = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def _model(model_id: str, **fields) -> CatalogEntry:
    return CatalogEntry(model_id, **{"org": model_id.split("/")[0], "output_modalities": ("text",), **fields})


def test_candidates_skip_variants_aliases_routers_and_non_text() -> None:
    catalog = [_model(i) for i in ("a/m", "a/m:free", "a/m:beta", "b/only:free", "a/m:thinking")]
    catalog += [
        _model("~a/m-latest"),
        _model("openrouter/auto", variable_price=True),
        _model("g/img", output_modalities=("image", "text")),
    ]
    found, covered = candidates(catalog, [], lambda _id: ())
    assert sorted(m.openrouter_id for m in found) == ["a/m", "a/m:thinking", "b/only:free"] and covered == 0


def test_covered_models_are_never_proposed_and_no_substring_matching() -> None:
    catalog = [
        _model(i)
        for i in (
            "openai/gpt-4",
            "openai/gpt-4o",
            "openai/o1",
            "openai/o1-pro",
            "meta-llama/llama-3.3-70b-instruct",
            "anthropic/claude-3.7-sonnet:thinking",
        )
    ]
    benchmark = [
        {"provider": "openai", "model_id": "gpt-4", "enabled": True},
        {"provider": "openai", "model_id": "o1", "deprecated": True},
        {"provider": "groq", "model_id": "llama-3.3-70b-versatile", "enabled": False},
        {"provider": "anthropic", "model_id": "claude-3-7-sonnet-20250219"},
    ]
    placed = {"meta-llama/llama-3.3-70b-instruct": (Proposal("groq", "llama-3.3-70b-versatile", 0.9, "listed"),)}
    found, covered = candidates(catalog, benchmark, lambda openrouter_id: placed.get(openrouter_id, ()))
    assert sorted(m.openrouter_id for m in found) == ["openai/gpt-4o", "openai/o1-pro"] and covered == 4


def test_candidates_newest_first_and_since() -> None:
    day = dt.timedelta(days=1)
    catalog = [
        _model("x/old", first_seen_at=NOW - 10 * day),
        _model("x/new", first_seen_at=NOW - day),
        _model("x/newer", first_seen_at=NOW - day, created=NOW - day),
    ]
    found, _ = candidates(catalog, [], lambda _id: ())
    assert [m.openrouter_id for m in found] == ["x/newer", "x/new", "x/old"]
    assert [m.openrouter_id for m in candidates(catalog, [], lambda _id: (), since=NOW - 2 * day)[0]] == [
        "x/newer",
        "x/new",
    ]


# --- the AI fallback, end to end against loopback servers ---

CATALOG = {
    "data": [
        {"id": "openai/gpt-9", "name": "OpenAI: GPT-9", "created": 1769000000},
        {"id": "moonshotai/kimi-k2-0905", "name": "Kimi K2 0905", "created": 1768000000},
        {"id": "acme/tiny-1", "name": "Acme: Tiny", "created": 1767000000},
        {"id": "acme/odd-2", "name": "Acme: Odd", "created": 1766000000},
        {"id": "acme/alone-3", "name": "Acme: Alone", "created": 1765000000},
    ]
}
#: The registry the stand-in serves: LiteLLM keys of the ids the tests' catalogs can be placed at.
REGISTRY = {
    key: {"litellm_provider": provider, "mode": "chat", "input_cost_per_token": 1e-06}
    for key, provider in (
        ("gpt-9", "openai"),
        ("gpt-5.9", "openai"),
        ("groq/moonshotai/kimi-k2-instruct-0905", "groq"),
        ("together_ai/acme/Tiny-2-Instruct", "together_ai"),
        ("together_ai/acme/Odd-2-Base", "together_ai"),
        ("together_ai/acme/Ok-1-Instruct", "together_ai"),
    )
}
ANSWERS = {
    "moonshotai/kimi-k2-0905": {
        "provider": "groq",
        "model_id": "moonshotai/kimi-k2-instruct-0905",
        "confidence": 0.9,
        "reasoning": "same model",
    },
    "acme/tiny-1": {"provider": None, "model_id": None, "confidence": 0.8, "reasoning": "not served directly"},
    "acme/odd-2": {
        "provider": "together",
        "model_id": "acme/Odd-2-Instruct",
        "confidence": 0.99,
        "reasoning": "invented",
    },
}


def completion(content: str) -> tuple[int, dict[str, str], dict]:
    return json_reply(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content, "refusal": None},
                }
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }
    )


def answer_from(table: dict) -> callable:
    def handler(request: Request) -> tuple[int, dict[str, str], dict]:
        user = request.json()["messages"][1]["content"]
        asked = json.loads(user.partition("\n")[2])
        return completion(
            json.dumps(
                {
                    "answers": [
                        {"openrouter_id": m["openrouter_id"], **table[m["openrouter_id"]]}
                        for m in asked
                        if m["openrouter_id"] in table
                    ]
                }
            )
        )

    return handler


def load_catalog(
    store: repository.Store, http_server: HTTPStub, catalog: dict = CATALOG, registry: dict = REGISTRY
) -> None:
    repository.ensure_indexes(store)
    http_server.route("GET", "/api/v1/models", lambda _r: json_reply(catalog))
    http_server.route("GET", "/registry.json", lambda _r: json_reply(registry))
    run_fetch(
        store,
        http_server.base_url + "/api/v1/models",
        NOW - dt.timedelta(hours=1),
        SourceConfig(http_server.base_url + "/registry.json"),
        retries=0,
    )


def asker(http_server: HTTPStub):
    settings = Settings(openai_api_key="sk-test", openai_base_url=http_server.base_url + "/v1", openai_timeout=5)
    return Ask(make_client(settings, max_retries=0), "gpt-4o-mini")


def test_ai_only_for_leftovers_and_never_twice(store: repository.Store, http_server: HTTPStub) -> None:
    load_catalog(store, http_server)
    http_server.route("POST", CHAT, answer_from(ANSWERS))
    report = build_report(store, "db", ReportOptions(), asker(http_server), NOW)
    assert [(m.openrouter_id, m.provider, m.model_id, m.source, m.verified_by) for m in report.matches] == [
        ("openai/gpt-9", "openai", "gpt-9", "rule", "registry"),
        ("moonshotai/kimi-k2-0905", "groq", "moonshotai/kimi-k2-instruct-0905", "ai", "registry"),
    ]
    assert report.ai_requests == 1 and len(http_server.calls(CHAT)) == 1
    asked = json.loads(http_server.calls(CHAT)[0].json()["messages"][1]["content"].partition("\n")[2])
    assert [m["openrouter_id"] for m in asked] == [
        "moonshotai/kimi-k2-0905",
        "acme/tiny-1",
        "acme/odd-2",
    ]  # not alone-3
    assert asked[0]["shortlist"] == ["groq:moonshotai/kimi-k2-instruct-0905"]
    odd = store.coll("catalog").find_one({"openrouter_id": "acme/odd-2"})["ai_match"]
    assert odd["provider"] is None and odd["discarded"] == "together:acme/Odd-2-Instruct"
    assert report.notes == ("AI: 1 answer(s) outside the shortlist of listed ids discarded",)

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
    assert (
        report.notes == (f"AI: OpenAI answered HTTP 503 at {http_server.base_url}{CHAT}",) and report.ai_requests == 1
    )
    assert store.coll("catalog").count_documents({"ai_match": {"$exists": True}}) == 0
    http_server.route("POST", CHAT, answer_from(ANSWERS))
    assert build_report(store, "db", ReportOptions(), asker(http_server), NOW).ai_requests == 1


def test_a_hung_endpoint_is_asked_once_per_report(store: repository.Store, http_server: HTTPStub, caplog) -> None:
    many = {
        "data": [{"id": f"acme/tiny-{i}", "name": f"Acme: Tiny {i}", "created": 1767000000 - i} for i in range(10, 55)]
    }
    load_catalog(store, http_server, many)
    http_server.route("POST", CHAT, slow(2, completion("{}")))
    settings = Settings(openai_api_key="sk-test", openai_base_url=http_server.base_url + "/v1", openai_timeout=0.3)
    caplog.set_level(logging.INFO, logger="llm_bench.ai")
    report = build_report(
        store, "db", ReportOptions(max_matches=100), Ask(make_client(settings, max_retries=0), "gpt-4o-mini"), NOW
    )
    assert len(http_server.calls(CHAT)) == 1 and report.ai_requests == 1 and report.examined == 45
    assert report.notes == (
        f"AI: the OpenAI request to {http_server.base_url}{CHAT} timed out; not asked again in "
        "this run, rules and cached answers only",
    )
    assert [r.getMessage() for r in caplog.records if r.name == "llm_bench.ai"] == [
        f"asking OpenAI model gpt-4o-mini at {http_server.base_url}/v1/ (timeout 0.3 s)"
    ]
    assert store.coll("catalog").count_documents({"ai_match": {"$exists": True}}) == 0


def test_filters_provider_confidence_and_max(store: repository.Store, http_server: HTTPStub) -> None:
    load_catalog(store, http_server)
    http_server.route("POST", CHAT, answer_from(ANSWERS))
    only_groq = build_report(store, "db", ReportOptions(providers=("groq",)), asker(http_server), NOW)
    assert [m.openrouter_id for m in only_groq.matches] == ["moonshotai/kimi-k2-0905"]
    strict = build_report(store, "db", ReportOptions(min_confidence=0.92), None, NOW)
    assert [m.openrouter_id for m in strict.matches] == ["openai/gpt-9"]
    one = build_report(store, "db", ReportOptions(max_matches=1), None, NOW)
    assert len(one.matches) == 1 and one.matches[0].command.startswith('mongosh "$MONGODB_URI" --eval \'')
