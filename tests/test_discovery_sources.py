"""Model sources end to end: loopback stand-ins for the registry and the providers' lists, stored
by the real repository in SecantusDB. Refused answers change nothing; absences count only for
the source with authority; a repeat fetch stays bounded in commands.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from command_counter import CommandCounter
from http_stub import HTTPStub, Request, json_reply

from api.llm_bench import repository
from api.llm_bench.discovery.download import Limits
from api.llm_bench.discovery.jobs import run_fetch
from api.llm_bench.discovery.sources import SourceConfig, refresh

FIXTURES = Path(__file__).parent / "fixtures"
LISTS = FIXTURES / "provider_lists"
SAMPLE = json.loads((FIXTURES / "registry" / "litellm-sample.json").read_text())
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def _list(name: str) -> object:
    return json.loads((LISTS / name).read_text())


def anthropic_pages(request: Request) -> tuple[int, dict[str, str], object]:
    after = request.path.partition("after_id=")[2].split("&")[0]
    page = {"": 1, "claude-opus-4-5-20251101": 2, "claude-sonnet-4-5-20250929": 3}[after]
    return json_reply(_list(f"anthropic-page{page}.json"))


def serve(http_server: HTTPStub, registry: object = SAMPLE) -> SourceConfig:
    http_server.route("GET", "/registry.json", lambda _r: json_reply(registry))
    http_server.route("GET", "/openai/models", lambda _r: json_reply(_list("openai.json")))
    http_server.route("GET", "/together/models", lambda _r: json_reply(_list("together.json")))
    http_server.route("GET", "/anthropic/models", anthropic_pages)
    base = http_server.base_url
    return SourceConfig(
        base + "/registry.json",
        keys={"openai": "sk-o", "together": "tg", "anthropic": "sk-ant"},
        urls={p: f"{base}/{p}/models" for p in ("openai", "together", "anthropic")},
        limits=Limits(timeout=5, deadline=20),
    )


def docs(store: repository.Store, **query: object) -> dict[tuple[str, str], dict]:
    return {(d["provider"], d["model_id"]): d for d in store.coll("provider_models").find(query, {"_id": 0})}


def test_each_shape_is_read_and_marked_with_its_source(store: repository.Store, http_server: HTTPStub) -> None:
    results = refresh(store, serve(http_server), NOW)
    assert [(r.source, r.status) for r in results] == [
        ("provider:openai", "complete"),
        ("provider:together", "complete"),
        ("provider:anthropic", "complete"),
        ("registry", "complete"),
    ]
    stored = docs(store)
    assert stored[("openai", "gpt-4o")]["sources"] == ["provider", "registry"]
    assert (
        stored[("openai", "gpt-4o")]["input_price"] == 2.5
        and stored[("openai", "gpt-4o")]["deprecation_date"] == "2027-01-14"
    )
    assert stored[("openai", "o3")]["sources"] == ["provider"]  # the provider lists it, the sample registry does not
    assert stored[("together", "zai-org/GLM-4.7")]["sources"] == ["provider"]
    assert ("anthropic", "claude-3-7-sonnet-20250219") in stored  # page 3 of 3
    assert len(http_server.calls("/anthropic/models")) == 3
    first = http_server.calls("/anthropic/models")[0]
    assert first.headers["x-api-key"] == "sk-ant" and first.headers["anthropic-version"] == "2023-06-01"
    assert http_server.calls("/openai/models")[0].headers["Authorization"] == "Bearer sk-o"
    runs = list(store.coll("source_runs").find({}, {"_id": 0}))
    assert {r["source"]: r["listed"] for r in runs}["provider:anthropic"] == 6 and all(
        r["fetched_at"] == NOW for r in runs
    )


@pytest.mark.parametrize(
    ("reply", "status", "message"),
    [
        (json_reply({"error": "invalid key"}, 401), "unavailable", "answered HTTP 401 (is the API key valid?)"),
        (json_reply({"error": "boom"}, 500), "unavailable", "answered HTTP 500"),
        ((200, {"Content-Type": "text/html"}, "<html>maintenance</html>"), "refused", "did not answer JSON"),
        (json_reply({"object": "list", "data": []}), "refused", "the list is empty"),
        (json_reply({"models": ["gpt-4o"]}), "refused", "no model list"),
    ],
)
def test_a_broken_answer_changes_nothing(
    store: repository.Store, http_server: HTTPStub, reply, status, message
) -> None:
    config = serve(http_server)
    refresh(store, config, NOW)
    before = docs(store)
    http_server.route("GET", "/openai/models", lambda _r: reply)
    results = {r.source: r for r in refresh(store, config, NOW + DAY)}
    assert results["provider:openai"].status == status and message in results["provider:openai"].message
    assert results["registry"].status == "complete"  # the others still run
    after = docs(store, provider="openai")
    assert all(after[k]["sources"] == before[k]["sources"] and "missing_since" not in after[k] for k in after)
    run = store.coll("source_runs").find_one({"source": "provider:openai", "status": status})
    assert run and message in run["message"]


def test_a_much_shorter_list_is_refused(store: repository.Store, http_server: HTTPStub) -> None:
    config = serve(http_server)
    refresh(store, config, NOW)
    http_server.route("GET", "/openai/models", lambda _r: json_reply({"data": [{"id": "gpt-4o"}]}))
    result = refresh(store, config, NOW + DAY)[0]
    assert result.status == "refused" and "under half of the last complete run (12)" in result.message
    assert "missing_since" not in docs(store)[("openai", "o3")]


def test_three_complete_runs_make_a_model_missing_then_removed(store: repository.Store, http_server: HTTPStub) -> None:
    config = serve(http_server)
    refresh(store, config, NOW)
    shorter = {"data": [e for e in _list("openai.json")["data"] if e["id"] != "o3"]}
    http_server.route("GET", "/openai/models", lambda _r: json_reply(shorter))
    for day in (1, 2, 3):
        result = refresh(store, config, NOW + day * DAY)[0]
        o3 = docs(store)[("openai", "o3")]
        assert o3["missing_count"] == day and o3["missing_since"] == NOW + DAY and o3["sources"] == []
        assert (o3.get("removed_at") == NOW + 3 * DAY) is (day == 3)
        assert (result.missing, result.removed) == ((1, 0) if day < 3 else (0, 1))
    http_server.route("GET", "/openai/models", lambda _r: json_reply(_list("openai.json")))
    back = refresh(store, config, NOW + 4 * DAY)[0]
    o3 = docs(store)[("openai", "o3")]
    assert back.returned == 1 and o3["sources"] == ["provider"] and "removed_at" not in o3 and "missing_since" not in o3


def test_registry_silence_never_removes_bedrock_vertex_or_a_listed_provider(
    store: repository.Store, http_server: HTTPStub
) -> None:
    config = serve(http_server)
    refresh(store, config, NOW)
    kept = {k: v for k, v in SAMPLE.items() if not k.startswith(("us.", "vertex_ai/", "gemini", "gpt-4o", "cerebras/"))}
    # One other model each for OpenAI and Cerebras: a registry that drops a provider entirely is
    # not believed about it (test_hostile_sources), one that lists a different model is.
    kept |= {
        "gpt-4.1": {"mode": "chat", "litellm_provider": "openai"},
        "cerebras/qwen-3-32b": {"mode": "chat", "litellm_provider": "cerebras"},
    }
    http_server.route("GET", "/registry.json", lambda _r: json_reply(kept))
    for day in (1, 2, 3):
        refresh(store, config, NOW + day * DAY)
    stored = docs(store)
    bedrock = stored[("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0")]
    assert bedrock["sources"] == [] and "missing_since" not in bedrock  # no authority: only the source is dropped
    assert "missing_since" not in stored[("vertex", "gemini-2.5-pro")]
    assert (
        stored[("openai", "gpt-4o")]["sources"] == ["provider"] and "missing_since" not in stored[("openai", "gpt-4o")]
    )
    cerebras = stored[("cerebras", "llama-3.3-70b")]  # no own list configured: the registry decides
    assert cerebras["missing_count"] == 3 and cerebras["removed_at"] == NOW + 3 * DAY


def test_repeat_fetch_is_one_bulk_write_per_source(mongo_uri: str, db_name: str, http_server: HTTPStub) -> None:
    counter = CommandCounter()
    store = repository.connect(mongo_uri, db_name, event_listeners=[counter])
    try:
        repository.ensure_indexes(store)
        config = serve(http_server)
        refresh(store, config, NOW)
        counter.reset()
        refresh(store, config, NOW + DAY)
        assert counter.summary() == "7 (aggregate 1, find 1, insert 1, update 4)"
    finally:
        store.client.drop_database(db_name)
        store.close()


def test_repeat_complete_fetch_stays_bounded(mongo_uri: str, db_name: str, http_server: HTTPStub) -> None:
    """The whole `fetch` (sources, catalog, direct matches) repeated with nothing changed."""
    catalog = {"data": [{"id": "openai/gpt-4o", "name": "GPT-4o"}, {"id": "acme/none", "name": "None"}]}
    http_server.route("GET", "/api/v1/models", lambda _r: json_reply(catalog))
    counter = CommandCounter()
    store = repository.connect(mongo_uri, db_name, event_listeners=[counter])
    try:
        repository.ensure_indexes(store)
        config = serve(http_server)
        url = http_server.base_url + "/api/v1/models"
        first = run_fetch(store, url, NOW, config, retries=0)
        assert first.direct_matches == 1 and [s.status for s in first.sources] == ["complete"] * 4
        assert store.coll("catalog").find_one({"openrouter_id": "acme/none"}).get("direct_match") is None
        counter.reset()
        run_fetch(store, url, NOW + DAY, config, retries=0)
        names = counter.names
        assert names.count("update") == 5 and len(names) <= 16, counter.summary()  # 4 sources + the catalog
    finally:
        store.client.drop_database(db_name)
        store.close()


def test_size_cap_and_endless_pages_are_refused(store: repository.Store, http_server: HTTPStub) -> None:
    config = serve(http_server)
    small = SourceConfig(
        config.registry_url, keys={"anthropic": "k"}, urls=config.urls, limits=Limits(max_bytes=2000, max_pages=2)
    )
    results = {r.source: r for r in refresh(store, small, NOW)}
    assert results["registry"].status == "refused" and "more than 2000 bytes" in results["registry"].message
    assert (
        results["provider:anthropic"].status == "refused"
        and "more than 2 pages" in results["provider:anthropic"].message
    )
    assert store.coll("provider_models").count_documents({}) == 0
