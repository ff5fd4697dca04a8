"""`llm-discovery probe` end to end: loopback stand-ins of the providers' chat APIs with scripted
answers (success, 400 terms, 404 no access, 429, 500, hung), the real repository on SecantusDB,
and a clock the tests move. Shows the bounds, the dry run, the two-success verification, the
exclusions with their reasons, the recheck, and that the benchmark's collections stay untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from command_counter import CommandCounter
from http_stub import HTTPStub, Request, json_reply
from typer.testing import CliRunner

from api.llm_bench import repository
from api.llm_bench.admission import RECHECK
from api.llm_bench.config import Collections
from api.llm_bench.discovery.cli import app
from api.llm_bench.discovery.jobs import ReportOptions, build_report
from api.llm_bench.discovery.probe import MAX_OUTPUT_TOKENS, ProbeConfig, judge, run_probe
from api.llm_bench.discovery.render import probe_text, report_text, to_json

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
LEAKED = "sk-proj-" + "A1b2C3d4E5f6G7h8" * 3

#: catalog id -> (provider, listed id, the stand-in's answer)
SCRIPT: dict[str, tuple[str, str, str]] = {
    "meta-llama/llama-ok": ("groq", "llama-ok", "ok"),
    "meta-llama/llama-terms": ("groq", "llama-terms", "terms"),
    "acme/model-noaccess": ("together", "acme/Model-NoAccess", "no_access"),
    "acme/model-busy": ("together", "acme/Model-Busy", "busy"),
    "acme/model-broken": ("fireworks", "accounts/fireworks/models/model-broken", "broken"),
    "acme/model-hung": ("deepinfra", "acme/Model-Hung", "hung"),
    "anthropic/claude-ok": ("anthropic", "claude-ok", "ok"),
    "amazon/nova-x": ("bedrock", "amazon.nova-x-v1:0", "ok"),
    "acme/model-nokey": ("cerebras", "model-nokey", "ok"),
}


def answer(kind: str) -> tuple[int, dict[str, str], Any]:
    if kind == "ok":
        return json_reply({"id": "x", "choices": [{"message": {"role": "assistant", "content": "OK"}}]})
    if kind == "terms":
        return json_reply(
            {
                "error": {
                    "message": "The model requires terms acceptance. Please accept the terms of use in the console."
                }
            },
            400,
        )
    if kind == "no_access":
        return json_reply(
            {"error": {"message": f"The model does not exist or you do not have access to it. {LEAKED}"}}, 404
        )
    if kind == "busy":
        return json_reply({"error": {"message": "Rate limit reached, retry later"}}, 429)
    if kind == "broken":
        return json_reply({"error": {"message": "internal server error"}}, 500)
    if kind == "hung":
        time.sleep(3)
        return answer("ok")
    if kind == "auth":
        return json_reply({"error": {"message": "Invalid API key"}}, 401)
    raise AssertionError(kind)


def serve(http_server: HTTPStub, overrides: dict[str, str] | None = None) -> ProbeConfig:
    script = {listed: kind for _, (_, listed, kind) in SCRIPT.items()} | (overrides or {})

    def chat(request: Request) -> tuple[int, dict[str, str], Any]:
        return answer(script[request.json()["model"]])

    for provider in ("openai", "groq", "together", "fireworks", "deepinfra", "cerebras"):
        http_server.route("POST", f"/{provider}/chat/completions", chat)
    http_server.route("POST", "/anthropic/messages", chat)
    base = http_server.base_url
    keys = {p: f"key-{p}" for p in ("openai", "groq", "together", "fireworks", "deepinfra", "anthropic")}
    return ProbeConfig(
        keys,
        {p: f"{base}/{p}" for p in ("openai", "anthropic", "groq", "together", "fireworks", "deepinfra", "cerebras")},
        max_calls=20,
        max_usd=1.0,
        timeout=1.0,
        deadline=30.0,
    )


def seed(store: repository.Store, script: dict[str, tuple[str, str, str]] = SCRIPT) -> None:
    """A fetched catalog whose models the sources list at one provider each."""
    store.coll("catalog_runs").insert_one({"fetched_at": NOW - 2 * HOUR, "status": "complete", "listed": len(script)})
    store.coll("catalog").insert_many(
        [
            {
                "openrouter_id": openrouter_id,
                "name": openrouter_id,
                "org": openrouter_id.partition("/")[0],
                "output_modalities": ["text"],
                "first_seen_at": NOW - HOUR * (n + 1),
                "price_prompt": 1.0,
                "price_completion": 2.0,
            }
            for n, openrouter_id in enumerate(script)
        ]
    )
    store.coll("provider_models").insert_many(
        [
            {"provider": provider, "model_id": listed, "sources": ["registry"], "input_price": 0.5, "output_price": 1.5}
            for provider, listed, _ in script.values()
        ]
    )
    store.coll("source_runs").insert_one({"fetched_at": NOW - 2 * HOUR, "source": "registry", "status": "complete"})


def outcomes(store: repository.Store) -> dict[str, tuple[Any, ...]]:
    return {
        d["model_id"]: (d["outcome"], d["status"], d["kind"], d["reason"])
        for d in store.coll("probe_results").find({}, {"_id": 0})
    }


def test_scripted_answers_are_judged_recorded_and_redacted(store: repository.Store, http_server: HTTPStub) -> None:
    seed(store)
    started = time.monotonic()
    run = run_probe(
        store,
        store.db.name,
        serve(http_server),
        ("groq", "together", "fireworks", "deepinfra", "anthropic", "bedrock", "cerebras"),
        NOW,
    )
    assert time.monotonic() - started < 10  # the hung answer cost one request timeout (1 s), not 3 s
    assert outcomes(store) == {
        "llama-ok": ("success", 200, "none", None),
        "llama-terms": ("refused", 400, "unknown", "terms"),
        "acme/Model-NoAccess": ("refused", 404, "hard_model", "no_access"),
        "acme/Model-Busy": ("transient", 429, "rate_limit", None),
        "accounts/fireworks/models/model-broken": ("transient", 500, "transient_provider", None),
        "acme/Model-Hung": ("transient", None, "timeout", None),
        "claude-ok": ("success", 200, "none", None),
    }
    stored = store.coll("probe_results").find_one({"model_id": "acme/Model-NoAccess"})
    assert LEAKED not in stored["message"] and "[REDACTED]" in stored["message"] and stored["at"] == NOW
    skipped = {s.model_id: s.reason for s in run.skipped}
    assert "console" in skipped["amazon.nova-x-v1:0"] and "CEREBRAS_API_KEY is not set" in skipped["model-nokey"]
    # one minimal request each, with the benchmark's key, to the configured base
    groq = http_server.calls("/groq/chat/completions")
    assert len(groq) == 2 and groq[0].headers["Authorization"] == "Bearer key-groq"
    assert groq[0].json()["max_tokens"] == MAX_OUTPUT_TOKENS and len(groq[0].json()["messages"]) == 1
    (claude,) = http_server.calls("/anthropic/messages")
    assert claude.headers["x-api-key"] == "key-anthropic" and claude.json()["max_tokens"] == MAX_OUTPUT_TOKENS
    # nothing reaches the benchmark's own collections
    names = set(store.db.list_collection_names())
    assert not names & {Collections().errors, Collections().successes, Collections().rollups}
    text = probe_text(run)
    assert "called 7, skipped 2" in text and "refused terms (HTTP 400" in text
    assert json.loads(to_json(run))["calls"][0]["outcome"]


def test_openai_gets_max_completion_tokens() -> None:
    from api.llm_bench.discovery.probe import request_for

    url, headers, body = request_for("openai", "http://gw/v1/", "k", "o5")
    assert url == "http://gw/v1/chat/completions" and body["max_completion_tokens"] == MAX_OUTPUT_TOKENS
    assert "max_tokens" not in body and headers == {"Authorization": "Bearer k"}


@pytest.mark.parametrize(
    ("status", "text", "expected"),
    [
        (400, "Unable to access non-serverless model x. Create a dedicated endpoint", ("refused", "not_serverless")),
        (400, "This model is only available on a dedicated endpoint", ("refused", "dedicated_endpoint")),
        (404, "Model not found, inaccessible, and/or not deployed", ("refused", "not_found")),
        (404, "", ("refused", "not_found")),
        (401, "Invalid API key", ("stopped", None)),
        (429, "You exceeded your current quota, please check your plan and billing details", ("stopped", None)),
        (400, "Unsupported parameter: 'max_tokens'", ("transient", None)),
        (503, "overloaded", ("transient", None)),
        (None, "timed out after 1 s", ("transient", None)),
    ],
)
def test_judge(status: int | None, text: str, expected: tuple[str, str | None]) -> None:
    outcome, _kind, reason = judge("together", status, text)
    assert (outcome, reason) == expected


def test_bounds_calls_spend_and_a_refusing_provider(store: repository.Store, http_server: HTTPStub) -> None:
    seed(store)
    config = serve(http_server, {"llama-ok": "auth", "llama-terms": "auth"})
    limited = ProbeConfig(**{**vars(config), "max_calls": 2})
    run = run_probe(store, store.db.name, limited, ("groq", "together"), NOW)
    assert len(run.calls) == 2 and len(http_server.requests) == 2
    # groq answered 401 on its first id: its second id is not asked in this run
    assert [c.outcome for c in run.calls if c.provider == "groq"] == ["stopped"]
    reasons = [s.reason for s in run.skipped]
    assert any("groq answered auth (HTTP 401) earlier in this run" in r for r in reasons)
    assert any("over the call limit (2 per run" in r for r in reasons)
    http_server.requests.clear()
    broke = ProbeConfig(**{**vars(config), "max_usd": 0.00001})
    poor = run_probe(store, store.db.name, broke, ("together",), NOW + HOUR)
    assert poor.calls == () and http_server.requests == []
    assert all("over the spend ceiling (PROBE_MAX_USD 1e-05" in s.reason for s in poor.skipped)


def test_a_run_deadline_bounds_everything(store: repository.Store, http_server: HTTPStub) -> None:
    seed(store, {"acme/model-hung": SCRIPT["acme/model-hung"], "acme/model-busy": SCRIPT["acme/model-busy"]})
    config = serve(http_server)
    tight = ProbeConfig(**{**vars(config), "timeout": 5.0, "deadline": 1.0})
    started = time.monotonic()
    run = run_probe(store, store.db.name, tight, ("deepinfra", "together"), NOW)
    assert time.monotonic() - started < 2.5  # the hung answer is cut at the run's deadline, not its 3 s
    (hung,) = run.calls
    assert (hung.model_id, hung.outcome, hung.kind) == ("acme/Model-Hung", "transient", "timeout")
    (late,) = run.skipped
    assert late.model_id == "acme/Model-Busy" and "the run's deadline (1 s) passed" in late.reason


def test_dry_run_calls_and_writes_nothing(store: repository.Store, http_server: HTTPStub) -> None:
    seed(store)
    run = run_probe(store, store.db.name, serve(http_server), ("groq", "anthropic"), NOW, dry_run=True)
    assert http_server.requests == [] and store.coll("probe_results").count_documents({}) == 0
    assert {c.model_id for c in run.calls} == {"llama-ok", "llama-terms", "claude-ok"}
    assert all(c.outcome is None for c in run.calls)
    text = probe_text(run)
    assert "dry run: nothing sent" in text and f"POST {http_server.base_url}/anthropic/messages" in text


def test_two_successes_two_hours_apart_verify(store: repository.Store, http_server: HTTPStub) -> None:
    seed(store)
    config = serve(http_server)
    run_probe(store, store.db.name, config, ("groq",), NOW)
    report = build_report(store, store.db.name, ReportOptions(providers=("groq",)), None, NOW + HOUR)
    (ok,) = [m for m in report.matches if m.model_id == "llama-ok"]
    assert ok.verified_by == "registry" and ok.probe and "1 probe success" in ok.probe
    # an hour later: not due yet (the second success must come 2 h after the first)
    soon = run_probe(store, store.db.name, config, ("groq",), NOW + HOUR)
    assert soon.calls == () and any("not due" in s.reason for s in soon.skipped)
    later = run_probe(store, store.db.name, config, ("groq",), NOW + 2 * HOUR)
    assert [c.model_id for c in later.calls] == ["llama-ok"]
    report = build_report(store, store.db.name, ReportOptions(providers=("groq",)), None, NOW + 3 * HOUR)
    (ok,) = [m for m in report.matches if m.model_id == "llama-ok"]
    assert ok.verified_by == "probe" and ok.listed_by == "registry"
    assert "verified by probe" in report_text(report)
    # a success needs no new probe until the recheck period ends
    assert run_probe(store, store.db.name, config, ("groq",), NOW + 20 * 24 * HOUR).calls == ()
    again = run_probe(store, store.db.name, config, ("groq",), NOW + RECHECK + 3 * HOUR)
    assert "llama-ok" in [c.model_id for c in again.calls]


def test_refusals_are_left_out_with_reasons_then_rechecked(store: repository.Store, http_server: HTTPStub) -> None:
    seed(store)
    config = serve(http_server)
    run_probe(store, store.db.name, config, ("groq", "together"), NOW)
    report = build_report(store, store.db.name, ReportOptions(providers=("groq", "together")), None, NOW + HOUR)
    assert {m.model_id for m in report.matches} == {"llama-ok", "acme/Model-Busy"}
    left = {x.model_id: x for x in report.left_out}
    assert left["llama-terms"].reason == "terms" and left["llama-terms"].until == NOW + RECHECK
    assert left["acme/Model-NoAccess"].reason == "no_access"
    text = report_text(report)
    assert "# Left out (2):" in text and "the model\u2019s terms must be accepted first" in text
    payload = json.loads(to_json(report))
    assert {x["reason"] for x in payload["left_out"]} == {"terms", "no_access"}
    assert {p["model_id"] for p in payload["proposals"]} == {"llama-ok", "acme/Model-Busy"}
    # the transient failure is retried on the next run; the refusals are not asked again
    http_server.requests.clear()
    day = run_probe(store, store.db.name, config, ("groq", "together"), NOW + 24 * HOUR)
    assert {c.model_id for c in day.calls} == {"acme/Model-Busy", "llama-ok"}
    # after the recheck period the refused ids are probed again; a success brings one back
    serve(http_server, {"llama-terms": "ok"})
    month = run_probe(store, store.db.name, config, ("groq",), NOW + RECHECK + HOUR)
    assert "llama-terms" in {c.model_id for c in month.calls}
    report = build_report(store, store.db.name, ReportOptions(providers=("groq",)), None, NOW + RECHECK + 2 * HOUR)
    assert "llama-terms" in {m.model_id for m in report.matches} and report.left_out == ()


def test_a_redirect_is_not_followed(store: repository.Store, http_server: HTTPStub) -> None:
    seed(store, {"meta-llama/llama-ok": ("groq", "llama-ok", "ok")})
    config = serve(http_server)
    http_server.route("POST", "/groq/chat/completions", lambda _r: (307, {"Location": "http://127.0.0.2:9/steal"}, ""))
    run = run_probe(store, store.db.name, config, ("groq",), NOW)
    (call,) = run.calls
    assert call.outcome == "transient" and "not followed" in call.message and len(http_server.requests) == 1


def test_a_probe_run_costs_a_fixed_number_of_commands(mongo_uri: str, db_name: str, http_server: HTTPStub) -> None:
    counter = CommandCounter()
    store = repository.connect(mongo_uri, db_name, Collections(), event_listeners=[counter])
    try:
        seed(store)
        config = serve(http_server)
        counter.reset()
        run_probe(store, db_name, config, ("groq", "together", "anthropic"), NOW)
        # source runs, probe results, catalog, models, listed ids; one insert of the attempts
        assert counter.summary() == "6 (aggregate 1, find 4, insert 1)"
    finally:
        store.client.drop_database(db_name)
        store.close()


def test_cli_dry_run_and_bad_options(store: repository.Store, mongo_uri: str, http_server: HTTPStub) -> None:
    seed(store)
    serve(http_server)
    env = {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": store.db.name,
        "GROQ_API_KEY": "gsk-test",
        "GROQ_BASE_URL": f"{http_server.base_url}/groq",
        "GROQ_MODELS_URL": f"{http_server.base_url}/groq/models",
    }
    runner = CliRunner()
    result = runner.invoke(app, ["probe", "-p", "groq", "--dry-run", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["dry_run"] is True and {c["model_id"] for c in payload["calls"]} == {"llama-ok", "llama-terms"}
    assert http_server.requests == []
    assert runner.invoke(app, ["probe", "--max-calls", "51"], env=env).exit_code == 2
    assert runner.invoke(app, ["probe", "-p", "nosuch"], env=env).exit_code == 2
    real = runner.invoke(app, ["probe", "-p", "groq", "--max-calls", "1"], env=env)
    assert real.exit_code == 0 and "called 1" in real.stdout and len(http_server.requests) == 1


def test_one_proposal_per_provider_id_the_base_kept(store: repository.Store) -> None:
    seed(
        store,
        {
            "openai/gpt-oss-120b:exacto": ("groq", "openai/gpt-oss-120b", "ok"),  # newest: examined first
            "openai/gpt-oss-120b": ("groq", "openai/gpt-oss-120b", "ok"),
        },
    )
    report = build_report(store, store.db.name, ReportOptions(providers=("groq",)), None, NOW)
    (match,) = report.matches
    assert (match.openrouter_id, match.model_id) == ("openai/gpt-oss-120b", "openai/gpt-oss-120b")
    (folded,) = report.left_out
    assert folded.openrouter_id == "openai/gpt-oss-120b:exacto" and folded.reason == "variant"
    assert "same provider id as openai/gpt-oss-120b" in report_text(report)


def test_the_report_names_the_source_unavailable_at_the_last_fetch(store: repository.Store) -> None:
    store.coll("catalog_runs").insert_one({"fetched_at": NOW, "status": "complete", "listed": 1})
    store.coll("source_runs").insert_one(
        {"fetched_at": NOW, "source": "registry", "status": "unavailable", "message": "http://r answered HTTP 503"}
    )
    report = build_report(store, store.db.name, ReportOptions(), None, NOW + HOUR)
    assert report.notes == (
        "model source registry was unavailable at the last fetch (2026-11-20 09:00 UTC: http://r answered HTTP 503)",
        "no listed id is stored: nothing can be proposed until a source is complete",
    )
    assert not any("run `llm-discovery fetch`" in note for note in report.notes)


def test_a_gateway_keeps_the_openai_key(store: repository.Store, http_server: HTTPStub) -> None:
    from api.llm_bench.config import Settings
    from api.llm_bench.discovery.download import Limits
    from api.llm_bench.discovery.sources import SourceConfig, refresh

    http_server.route(
        "GET", "/registry.json", lambda _r: json_reply({"gpt-4o": {"litellm_provider": "openai", "mode": "chat"}})
    )
    http_server.route("GET", "/v1/models", lambda _r: json_reply({"data": [{"id": "gpt-4o"}]}))
    env = {
        "OPENAI_API_KEY": "sk-gateway",
        "OPENAI_BASE_URL": f"{http_server.base_url}/gateway/v1",
        "MODEL_REGISTRY_URL": f"{http_server.base_url}/registry.json",
    }
    config = SourceConfig.from_settings(Settings.from_env(env), Limits(timeout=5, deadline=10))
    assert (
        "openai" not in config.keys
        and "OPENAI_BASE_URL is set and OPENAI_MODELS_URL is not" in config.skipped["openai"]
    )
    results = refresh(store, config, NOW)
    assert [(r.source, r.status) for r in results] == [("provider:openai", "skipped"), ("registry", "complete")]
    assert all("sk-gateway" not in str(r.headers) for r in http_server.requests)
    # with an explicit list URL (the gateway's), the list is read there
    explicit = Settings.from_env({**env, "OPENAI_MODELS_URL": f"{http_server.base_url}/v1/models"})
    assert SourceConfig.from_settings(explicit).keys == {"openai": "sk-gateway"}
    # and the probe sends the key to the gateway only
    assert ProbeConfig.from_settings(explicit).bases["openai"] == f"{http_server.base_url}/gateway/v1"


def test_cli_refuses_a_bad_ceiling_and_an_unfetched_catalog(store: repository.Store, mongo_uri: str) -> None:
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DB": store.db.name}
    runner = CliRunner()
    bad = runner.invoke(app, ["probe", "--dry-run"], env={**env, "PROBE_MAX_USD": "lots"})
    assert bad.exit_code == 3 and "PROBE_MAX_USD must be a number of US dollars" in bad.output
    assert runner.invoke(app, ["probe", "--dry-run"], env={**env, "PROBE_MAX_USD": "-1"}).exit_code == 3
    unfetched = runner.invoke(app, ["probe"], env=env)
    assert unfetched.exit_code == 8 and "run `llm-discovery fetch` first" in unfetched.output


def test_a_hostile_answer_stays_data(store: repository.Store, http_server: HTTPStub) -> None:
    seed(store, {"meta-llama/llama-ok": ("groq", "llama-ok", "ok")})
    config = serve(http_server)
    hostile = "\x1b[31mred\n$(rm -rf ~)\u2028" + LEAKED + "x" * 5000
    http_server.route("POST", "/groq/chat/completions", lambda _r: json_reply({"error": {"message": hostile}}, 503))
    run = run_probe(store, store.db.name, config, ("groq",), NOW)
    stored = store.coll("probe_results").find_one({})["message"]
    assert "\x1b" not in stored and "\n" not in stored and "\u2028" not in stored and LEAKED not in stored
    assert len(stored) <= 300
    text = probe_text(run)
    assert "\x1b" not in text and all(not line.startswith("$(") for line in text.splitlines())


def test_a_refused_id_gives_way_to_the_next_provider(store: repository.Store, http_server: HTTPStub) -> None:
    seed(store, {"acme/model-noaccess": SCRIPT["acme/model-noaccess"]})
    store.coll("provider_models").insert_one(
        {"provider": "deepinfra", "model_id": "acme/Model-NoAccess", "sources": ["registry"]}
    )
    options = ReportOptions(providers=("together", "deepinfra"))
    before = build_report(store, store.db.name, options, None, NOW)
    assert [m.provider for m in before.matches] == ["together"]
    run_probe(store, store.db.name, serve(http_server, {"acme/Model-NoAccess": "no_access"}), ("together",), NOW)
    after = build_report(store, store.db.name, options, None, NOW + HOUR)
    assert [(m.provider, m.model_id) for m in after.matches] == [("deepinfra", "acme/Model-NoAccess")]
    assert [(x.provider, x.reason) for x in after.left_out] == [("together", "no_access")]
