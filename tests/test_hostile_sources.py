"""Hostile model sources never stop a fetch or mislead a report: one malformed value (deep nesting,
a price too large to round, an integer beyond 64 bits) costs at most its own source, an API key
never follows a redirect to another origin, a list that repeats one id or a registry that drops
one provider is not believed, the catalog's `links.next` stays on the catalog's origin, and the
health check says which source dropped a model. Loopback stand-ins, SecantusDB, the real jobs."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import http_stub
import pytest
from http_stub import HTTPStub, json_reply
from test_discovery_sources import DAY, NOW, SAMPLE, _list, docs, serve

from api.llm_bench import repository
from api.llm_bench.discovery.jobs import run_fetch
from api.llm_bench.discovery.openrouter import CatalogRefused, fetch_catalog
from api.llm_bench.discovery.sources import SourceConfig, refresh
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import AIChoice, Delivery, run
from api.llm_bench.repository.health import insert_documents

CATALOG = "/api/v1/models"
ONE_CATALOG = {"data": [{"id": "openai/gpt-4o", "name": "GPT-4o", "pricing": {"prompt": "0.0000025"}}]}
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def elsewhere() -> Iterator[HTTPStub]:
    """A second loopback server: another port is another origin."""
    stub = http_stub.start(HTTPStub())
    yield stub
    assert stub.server is not None
    stub.server.shutdown()
    stub.server.server_close()


def raw(body: str) -> tuple[int, dict[str, str], str]:
    return 200, {"Content-Type": "application/json"}, body


def fetch_all(store: repository.Store, http_server: HTTPStub, config: SourceConfig, now: dt.datetime = NOW):
    http_server.route("GET", CATALOG, lambda _r: json_reply(ONE_CATALOG))
    return run_fetch(store, http_server.base_url + CATALOG, now, config, retries=0)


# --- 3. one malformed value --------------------------------------------------------------------


def test_a_deeply_nested_registry_is_refused_and_the_rest_still_runs(
    store: repository.Store, http_server: HTTPStub
) -> None:
    config = serve(http_server)
    http_server.route("GET", "/registry.json", lambda _r: raw('{"gpt-4o": {"mode": "chat", "x": ' + DEEP + "}}"))
    result = fetch_all(store, http_server, config)
    by_source = {s.source: s for s in result.sources}
    assert by_source["registry"].status == "refused" and "nested too deeply" in (by_source["registry"].message or "")
    assert by_source["provider:openai"].status == "complete"
    assert result.listed == 1 and store.coll("catalog").count_documents({}) == 1  # the catalog was fetched


def test_a_deeply_nested_provider_list_is_refused_alone(store: repository.Store, http_server: HTTPStub) -> None:
    config = serve(http_server)
    http_server.route("GET", "/openai/models", lambda _r: raw('{"data": [{"id": "gpt-4o", "x": ' + DEEP + "}]}"))
    result = fetch_all(store, http_server, config)
    statuses = {s.source: s.status for s in result.sources}
    assert statuses == {
        "provider:openai": "refused",
        "provider:together": "complete",
        "provider:anthropic": "complete",
        "registry": "complete",
    }
    assert result.listed == 1


@pytest.mark.parametrize("price", [1e16, "1e16", "9" * 40, 1e300])
def test_a_price_too_large_to_round_is_dropped(store: repository.Store, http_server: HTTPStub, price: object) -> None:
    registry = {**SAMPLE, "gpt-4o": {**SAMPLE["gpt-4o"], "input_cost_per_token": price}}
    config = serve(http_server, registry)
    catalog = {"data": [{"id": "openai/gpt-4o", "pricing": {"prompt": str(price), "completion": "0.00001"}}]}
    http_server.route("GET", CATALOG, lambda _r: json_reply(catalog))
    result = run_fetch(store, http_server.base_url + CATALOG, NOW, config, retries=0)
    assert {s.source: s.status for s in result.sources}["registry"] == "complete"
    stored = docs(store)[("openai", "gpt-4o")]
    assert stored["input_price"] is None and stored["output_price"] == 10.0  # the other facts are kept
    entry = store.coll("catalog").find_one({"openrouter_id": "openai/gpt-4o"})
    assert entry is not None and entry["price_prompt"] is None and entry["price_completion"] == 10.0


@pytest.mark.parametrize("tokens", [2**63, 2**70, 10**40])
def test_an_integer_beyond_64_bits_in_the_registry_is_dropped(
    store: repository.Store, http_server: HTTPStub, tokens: int
) -> None:
    registry = {**SAMPLE, "gpt-4o": {**SAMPLE["gpt-4o"], "max_input_tokens": tokens, "max_tokens": tokens}}
    result = fetch_all(store, http_server, serve(http_server, registry))
    assert {s.source: s.status for s in result.sources}["registry"] == "complete"
    assert docs(store)[("openai", "gpt-4o")]["context_length"] is None


# --- 4. credentials never cross an origin ------------------------------------------------------


def redirect(to: str) -> http_stub.Handler:
    return lambda _r: (302, {"Location": to}, b"")


@pytest.mark.parametrize(
    ("provider", "header"),
    [("anthropic", "x-api-key"), ("openai", "Authorization"), ("together", "Authorization")],
)
def test_an_api_key_never_follows_a_redirect_to_another_origin(
    store: repository.Store, http_server: HTTPStub, elsewhere: HTTPStub, provider: str, header: str
) -> None:
    config = serve(http_server)
    http_server.route("GET", f"/{provider}/models", redirect(f"{elsewhere.base_url}/collect"))
    elsewhere.route("GET", "/collect", lambda _r: json_reply({"error": "who are you"}, 401))
    results = {r.source: r for r in refresh(store, config, NOW)}
    (request,) = elsewhere.calls("/collect")
    sent = {name.lower() for name in request.headers}
    assert not sent & {"x-api-key", "authorization", "anthropic-version"}, request.headers
    assert header.lower() in {name.lower() for name in http_server.calls(f"/{provider}/models")[0].headers}
    failed = results[f"provider:{provider}"]
    assert failed.status == "unavailable"
    assert f"after a redirect to http://127.0.0.1:{elsewhere.base_url.rsplit(':', 1)[1]}" in (failed.message or "")
    assert results["registry"].status == "complete"


def test_a_redirect_on_the_same_origin_keeps_the_key(store: repository.Store, http_server: HTTPStub) -> None:
    config = serve(http_server)
    http_server.route("GET", "/openai/models", redirect("/v2/openai/models"))
    http_server.route("GET", "/v2/openai/models", lambda _r: json_reply(_list("openai.json")))
    results = {r.source: r for r in refresh(store, config, NOW)}
    assert results["provider:openai"].status == "complete"
    assert http_server.calls("/v2/openai/models")[0].headers["Authorization"] == "Bearer sk-o"


def test_a_redirect_loop_is_bounded(store: repository.Store, http_server: HTTPStub) -> None:
    config = serve(http_server)
    http_server.route("GET", "/openai/models", redirect("/openai/models"))
    results = {r.source: r for r in refresh(store, config, NOW)}
    assert results["provider:openai"].status == "unavailable"
    assert "redirected more than 5 times" in (results["provider:openai"].message or "")


# --- 5. duplicate ids ---------------------------------------------------------------------------


def test_a_list_repeating_one_id_is_refused_as_truncated(store: repository.Store, http_server: HTTPStub) -> None:
    config = serve(http_server)
    refresh(store, config, NOW)  # 12 models
    repeated = {"data": [{"id": "gpt-4o"}] * 20}
    http_server.route("GET", "/openai/models", lambda _r: json_reply(repeated))
    for day in (1, 2, 3):
        result = refresh(store, config, NOW + day * DAY)[0]
        assert result.status == "refused" and "1 models, under half of the last complete run (12)" in (
            result.message or ""
        )
    assert not [k for k, d in docs(store, provider="openai").items() if d.get("missing_since") or d.get("removed_at")]


# --- 6. a registry that drops one provider -----------------------------------------------------


def registry_only(http_server: HTTPStub) -> SourceConfig:
    """OpenAI's own list only: the registry speaks for Anthropic, Groq, Cerebras..."""
    return dataclasses.replace(serve(http_server), keys={"openai": "sk-o"})


ANTHROPIC_EXTRA = {
    f"claude-test-{i}": {"mode": "chat", "litellm_provider": "anthropic", "input_cost_per_token": 1e-6}
    for i in range(20)
}
#: Enough models of other providers that dropping Anthropic's 22 keeps the registry over half its size.
GROQ_EXTRA = {f"groq/model-{i}": {"mode": "chat", "litellm_provider": "groq"} for i in range(60)}


def test_a_registry_that_drops_one_provider_is_not_believed_about_it(
    store: repository.Store, http_server: HTTPStub
) -> None:
    full = {**SAMPLE, **ANTHROPIC_EXTRA, **GROQ_EXTRA}
    config = registry_only(http_server)
    http_server.route("GET", "/registry.json", lambda _r: json_reply(full))
    refresh(store, config, NOW)
    without = {k: v for k, v in full.items() if v.get("litellm_provider") != "anthropic"}
    http_server.route("GET", "/registry.json", lambda _r: json_reply(without))
    for day in (1, 2, 3, 4):
        registry = {r.source: r for r in refresh(store, config, NOW + day * DAY)}["registry"]
        assert registry.status == "complete" and registry.missing == registry.removed == 0
        assert "anthropic 0 (last complete run 22)" in (registry.message or "")
    anthropic = docs(store, provider="anthropic")
    assert len(anthropic) == 22
    assert all(d["sources"] == ["registry"] and "missing_since" not in d for d in anthropic.values())
    # the providers it still lists are judged as before
    run = store.coll("source_runs").find_one({"source": "registry"}, sort=[("fetched_at", -1)])
    assert run is not None and run["listed_by_provider"]["anthropic"] == 22  # the basis is kept
    http_server.route("GET", "/registry.json", lambda _r: json_reply(full))
    back = {r.source: r for r in refresh(store, config, NOW + 5 * DAY)}["registry"]
    assert back.status == "complete" and back.message is None and back.added == 0


def test_the_health_check_names_the_registry_when_it_dropped_a_model(
    store: repository.Store, http_server: HTTPStub
) -> None:
    full = {**SAMPLE, **ANTHROPIC_EXTRA, **GROQ_EXTRA}
    config = registry_only(http_server)
    http_server.route("GET", "/registry.json", lambda _r: json_reply(full))
    refresh(store, config, NOW)
    http_server.route(
        "GET", "/registry.json", lambda _r: json_reply({k: v for k, v in full.items() if k != "claude-test-3"})
    )
    for day in (1, 2, 3):
        refresh(store, config, NOW + day * DAY)
    dropped = docs(store)[("anthropic", "claude-test-3")]
    assert dropped["missing_by"] == "registry" and dropped["removed_at"] == NOW + 3 * DAY
    end = NOW + 4 * DAY
    insert_documents(
        store,
        {
            "models": [{"provider": "anthropic", "model_id": "claude-test-3", "enabled": True}],
            "successes": [
                {"provider": "openai", "model_name": "gpt-4o", "run_ts": end - DAY / 2, "gen_ts": end - DAY / 2}
            ],
        },
    )
    report = run(store, Window(end - DAY, end), AIChoice(None, "gpt-4o-mini"), Delivery()).report
    (finding,) = report.assessment.models_likely_deprecated
    assert finding.evidence.startswith("the model registry dropped claude-test-3")
    assert "anthropic's model list" not in finding.evidence


# --- 13. links.next stays on the catalog's origin ----------------------------------------------


@pytest.mark.parametrize("other", ["elsewhere", "https", "userinfo"])
def test_links_next_cannot_leave_the_catalogs_origin(http_server: HTTPStub, elsewhere: HTTPStub, other: str) -> None:
    port = http_server.base_url.rsplit(":", 1)[1]
    following = {
        "elsewhere": f"{elsewhere.base_url}{CATALOG}?page=2",
        "https": f"https://127.0.0.1:{port}{CATALOG}?page=2",
        "userinfo": f"http://127.0.0.1@{elsewhere.base_url.removeprefix('http://')}{CATALOG}",
    }[other]
    http_server.route("GET", CATALOG, lambda _r: json_reply({**ONE_CATALOG, "links": {"next": following}}))
    elsewhere.route("GET", CATALOG, lambda _r: json_reply(ONE_CATALOG))
    with pytest.raises(CatalogRefused, match=r"links\.next leaves its origin") as info:
        fetch_catalog(http_server.base_url + CATALOG, retries=0)
    assert elsewhere.requests == []
    assert "page=2" not in str(info.value)  # the origin only, not the path
