"""The health check on writer-shaped documents: kinds read from the errors themselves, the AI
asked once about the residue (through the OpenAI SDK against a loopback stand-in), answers cached."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import http_stub
import openai_stub

from api.llm_bench import repository
from api.llm_bench.ai import make_client
from api.llm_bench.classify.kinds import CONVENTIONS, KIND_SIGNS
from api.llm_bench.classify.writer import error_document
from api.llm_bench.config import Settings
from api.llm_bench.health.ai_kinds import MAX_PATTERNS
from api.llm_bench.health.classification import AI_CACHE_DAYS
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import AIChoice, Delivery, run
from api.llm_bench.health.render import json_report, text_body
from api.llm_bench.repository.health import insert_documents

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
WINDOW = Window(NOW - dt.timedelta(days=1), NOW)
RULES_ONLY = AIChoice(None, "gpt-4o-mini")

RETIRED = (
    "anthropic",
    "claude-2.1",
    'org.springframework.ai.retry.NonTransientAiException: 404 - {"type":"error",'
    '"error":{"type":"not_found_error","message":"model: claude-2.1"}}',
)
RESPONSES_ONLY = (
    "openai",
    "o1-pro",
    'Error code: 404 - { "error": { "message": "This model is only supported in '
    'v1/responses and not in v1/chat/completions.", "type": "invalid_request_error", "param": "model", '
    '"code": null } }',
)
BILLING_429 = (
    "openai",
    "gpt-4o",
    "429 You exceeded your current quota, please check your plan and billing details. "
    "For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes.",
)
FLAKY = (
    "anthropic",
    "claude-sonnet-4-5",
    'Error code: 529 - {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
)


def errors(provider: str, model: str, message: str, n: int) -> list[dict[str, object]]:
    return [
        error_document(provider=provider, model=model, message=message, ts=NOW - dt.timedelta(hours=1 + i))
        for i in range(n)
    ]


def successes(provider: str, model: str, n: int) -> list[dict[str, object]]:
    return [
        {
            "provider": provider,
            "model_name": model,
            "run_ts": NOW - dt.timedelta(hours=1 + i, seconds=5),
            "gen_ts": NOW - dt.timedelta(hours=1 + i),
        }
        for i in range(n)
    ]


def seed(store: repository.Store) -> None:
    insert_documents(
        store,
        {
            "errors": errors(*RETIRED, 6) + errors(*RESPONSES_ONLY, 7) + errors(*BILLING_429, 12) + errors(*FLAKY, 2),
            "successes": successes("openai", "gpt-4o", 2)
            + successes("anthropic", "claude-sonnet-4-5", 20)
            + successes("anthropic", "claude-haiku-4-5", 20),
        },
    )


def test_kinds_come_from_the_errors_not_the_stored_status(store: repository.Store) -> None:
    seed(store)
    report = run(store, WINDOW, RULES_ONLY, Delivery()).report
    a = report.assessment
    assert [f.key for f in a.models_likely_deprecated] == ["anthropic:claude-2.1"]
    assert [f.key for f in a.code_fixes_needed] == ["openai:o1-pro"]
    assert any(i.provider == "openai" and i.kind == "billing" for i in a.provider_issues)
    flaky = {f.key for f in (*a.models_likely_deprecated, *a.code_fixes_needed)}
    assert "anthropic:claude-sonnet-4-5" not in flaky

    body = text_body(report)
    assert "openai:o1-pro  hard_capability ×7 (from the text; stored as hard_model)" in body
    data = json.loads(json.dumps(json_report(report)))
    failing = {m["model"]: m for m in data["failing_models"]}
    assert set(failing) == {"anthropic:claude-2.1", "openai:o1-pro", "openai:gpt-4o", "anthropic:claude-sonnet-4-5"}
    o1 = failing["openai:o1-pro"]
    assert (o1["kinds"], o1["stored_kinds"]) == ({"hard_capability": 7}, {"hard_model": 7})
    assert o1["kind_source"]["hard_capability"].startswith("rule:")
    assert failing["openai:gpt-4o"]["kinds"] == {"billing": 12}
    assert data["errors_by_kind"]["hard_model"] == 6
    pattern = next(p for p in data["error_patterns"] if p["model"] == "o1-pro")
    assert (pattern["kind"], pattern["stored_kind"]) == ("hard_capability", "hard_model")


def unknown_errors(n: int) -> list[dict[str, object]]:
    return [doc for i in range(n) for doc in errors("together", f"model-{i}", f"weird failure number {i} zq", 1)]


def asked_items(request: http_stub.Request) -> list[dict[str, object]] | None:
    """The patterns a classification request asks about (None for any other request)."""
    system, user = (m["content"] for m in request.json()["messages"])
    if not system.startswith("You classify"):
        return None
    return json.loads(user.split("BEGIN DATA\n", 1)[1].rsplit("\nEND DATA", 1)[0])


def answering(kind_of: dict[str, str], extra: tuple[dict[str, object], ...] = ()) -> http_stub.Handler:
    """A stand-in that answers each asked pattern by the model number in its sample."""

    def reply(request: http_stub.Request) -> tuple[int, dict[str, str], object]:
        items = asked_items(request)
        if items is None:
            return http_stub.json_reply({"error": {"message": "not this one"}}, 400)
        answer = [
            {"id": item["id"], "kind": kind_of.get(str(item["sample"]).split()[3], "unknown"), "reason": "r"}
            for item in items
        ]
        return http_stub.json_reply(openai_stub.completion(json.dumps({"patterns": answer + list(extra)})))

    return reply


def kind_requests(stub: http_stub.HTTPStub) -> list[http_stub.Request]:
    return [c for c in stub.calls(openai_stub.PATH) if asked_items(c) is not None]


def ai(stub: http_stub.HTTPStub) -> AIChoice:
    return AIChoice(
        make_client(
            Settings(openai_api_key="test", openai_base_url=stub.base_url + "/v1", openai_timeout=5), max_retries=0
        ),
        "gpt-4o-mini",
    )


def test_the_residue_is_asked_once_and_cached(store: repository.Store, http_server: http_stub.HTTPStub) -> None:
    repository.ensure_indexes(store)
    insert_documents(store, {"errors": unknown_errors(3), "successes": successes("together", "model-0", 5)})
    http_server.route("POST", openai_stub.PATH, answering({"0": "network", "1": "auth", "2": "budget_exhausted"}))
    first = run(store, WINDOW, ai(http_server), Delivery(recipient="ops@example.test", send=lambda m: None))
    assert len(kind_requests(http_server)) == 1
    kinds = {m.model: dict(m.kinds) for m in first.report.facts.failing_models}
    assert kinds == {"model-0": {"network": 1}, "model-1": {"auth": 1}, "model-2": {"budget_exhausted": 1}}
    assert {m.model: dict(m.sources) for m in first.report.facts.failing_models}["model-0"] == {"network": "ai"}
    assert store.coll("error_classes").count_documents({}) == 3
    assert store.coll("errors").count_documents({"error_kind": "unknown"}) == 3  # the benchmark's data untouched

    (request,) = kind_requests(http_server)
    system = request.json()["messages"][0]["content"]  # the kinds' signs and the labels' conventions
    assert all(signs in system for signs in KIND_SIGNS.values()) and all(c in system for c in CONVENTIONS)

    second = run(store, WINDOW, ai(http_server), Delivery(recipient="ops@example.test", send=lambda m: None))
    assert len(kind_requests(http_server)) == 1  # nothing left to ask
    assert {m.model: dict(m.sources) for m in second.report.facts.failing_models}["model-0"] == {"network": "cache"}


def test_invented_kinds_and_ids_are_rejected(store: repository.Store, http_server: http_stub.HTTPStub) -> None:
    insert_documents(store, {"errors": unknown_errors(2)})
    http_server.route(
        "POST",
        openai_stub.PATH,
        answering({"0": "cosmic_rays", "1": "auth"}, ({"id": 7, "kind": "auth", "reason": "no such id"},)),
    )
    report = run(store, WINDOW, ai(http_server), Delivery()).report
    kinds = {m.model: dict(m.kinds) for m in report.facts.failing_models}
    assert kinds == {"model-0": {"unknown": 1}, "model-1": {"auth": 1}}
    assert store.coll("error_classes").count_documents({}) == 0  # a dry run writes nothing


def test_one_request_covers_many_patterns(store: repository.Store, http_server: http_stub.HTTPStub) -> None:
    insert_documents(store, {"errors": unknown_errors(MAX_PATTERNS + 5)})
    http_server.route("POST", openai_stub.PATH, answering({str(i): "network" for i in range(MAX_PATTERNS + 5)}))
    report = run(store, WINDOW, ai(http_server), Delivery()).report
    assert len(kind_requests(http_server)) == 1
    assert dict(report.facts.errors_by_kind) == {"network": MAX_PATTERNS, "unknown": 5}


def test_an_ai_failure_leaves_the_residue_unknown(store: repository.Store, http_server: http_stub.HTTPStub) -> None:
    insert_documents(store, {"errors": unknown_errors(2)})
    http_server.route("POST", openai_stub.PATH, lambda _r: http_stub.json_reply({"error": {"message": "down"}}, 500))
    report = run(store, WINDOW, ai(http_server), Delivery()).report
    assert dict(report.facts.errors_by_kind) == {"unknown": 2}


def test_a_hung_endpoint_is_asked_once_per_run(store: repository.Store, http_server: http_stub.HTTPStub) -> None:
    insert_documents(store, {"errors": unknown_errors(2)})
    http_server.route("POST", openai_stub.PATH, http_stub.slow(3, http_stub.json_reply({})))
    client = make_client(
        Settings(openai_api_key="test", openai_base_url=http_server.base_url + "/v1", openai_timeout=0.5), max_retries=0
    )
    report = run(store, WINDOW, AIChoice(client, "gpt-4o-mini"), Delivery()).report
    assert len(http_server.calls(openai_stub.PATH)) == 1
    assert report.ai.error == (
        f"the OpenAI request to {http_server.base_url}{openai_stub.PATH} timed out; not asked again in this run"
    )


def test_every_kind_source_the_code_gives_is_in_the_table() -> None:
    """Each value of `kind_source` the classifier and the AI steps give, read from the code by
    running it, is a row of KIND_SOURCES (the README's table is tested against that table)."""
    import re

    from api.llm_bench.classify import LLMVerdict, classify
    from api.llm_bench.classify.classifier import KIND_SOURCES
    from api.llm_bench.health.classification import apply_answers, apply_cached, classified

    decided = {
        classify(provider="openai", message="x", llm=LLMVerdict("auth", 0.9)).source,
        classify(provider="openai", message="Error code: 429 - insufficient_quota").source,
        classify(provider="openai", message="Error code: 429 - slow down", stored_kind="rate_limit").source,
        classify(provider="openai", message="something odd").source,
    }
    (unknown,) = classified([{"provider": "p", "model": "m", "fingerprint": "f", "text": "odd", "count": 1}], NOW)
    decided |= {
        apply_cached([unknown], {"f": {"kind": "auth", "at": NOW}}, NOW)[0].source,
        apply_answers([unknown], {"f": "auth"})[0].source,
    }
    patterns = [
        re.compile(re.sub(r"<[a-z]+>", "[^:]+", re.escape(k).replace("\\<", "<").replace("\\>", ">")) + "$")
        for k in KIND_SOURCES
    ]
    for source in decided:
        assert any(p.match(source) for p in patterns), source


DRY_RUN_SENTENCE = "a dry run asks the AI like a real run but caches nothing"


def test_a_dry_run_does_what_the_readme_says(store: repository.Store, http_server: http_stub.HTTPStub) -> None:
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8").split())
    assert DRY_RUN_SENTENCE in readme
    insert_documents(store, {"errors": unknown_errors(2)})
    http_server.route("POST", openai_stub.PATH, answering({"0": "network", "1": "auth"}))
    report = run(store, WINDOW, ai(http_server), Delivery()).report  # no `send`: a dry run
    assert len(kind_requests(http_server)) == 1  # asks ...
    assert {m.model: dict(m.kinds) for m in report.facts.failing_models} == {
        "model-0": {"network": 1},
        "model-1": {"auth": 1},
    }
    assert store.coll("error_classes").count_documents({}) == 0  # ... and caches nothing


def _cache(store: repository.Store, n: int, kind: str, age: dt.timedelta) -> None:
    """Cached answers for the fingerprints of unknown_errors' first n patterns, made `age` ago."""
    docs = {d["model_name"]: d["fingerprint"] for d in store.coll("errors").find()}
    store.coll("error_classes").insert_many(
        [{"fingerprint": docs[f"model-{i}"], "kind": kind, "reason": "r", "classified_at": NOW - age} for i in range(n)]
    )


def test_a_cached_unknown_is_an_answer_until_it_expires(
    store: repository.Store, http_server: http_stub.HTTPStub
) -> None:
    insert_documents(store, {"errors": unknown_errors(2)})
    _cache(store, 2, "unknown", dt.timedelta(days=AI_CACHE_DAYS - 1))
    http_server.route("POST", openai_stub.PATH, answering({"0": "network", "1": "auth"}))
    first = run(store, WINDOW, ai(http_server), Delivery()).report
    assert kind_requests(http_server) == []  # within the TTL: not asked again
    assert {m.model: dict(m.sources) for m in first.facts.failing_models}["model-0"] == {"unknown": "cache"}

    later = Window(WINDOW.start + dt.timedelta(days=2), WINDOW.end + dt.timedelta(days=2))
    insert_documents(
        store,
        {"errors": [{**doc, "ts": doc["ts"] + dt.timedelta(days=2)} for doc in unknown_errors(2)]},
    )
    second = run(store, later, ai(http_server), Delivery(recipient="ops@example.test", send=lambda m: None)).report
    assert len(kind_requests(http_server)) == 1  # expired: asked again, and the answer replaces the old
    assert {m.model: dict(m.kinds) for m in second.facts.failing_models}["model-0"] == {"network": 1}
    cached = {d["kind"] for d in store.coll("error_classes").find()}
    assert cached == {"network", "auth"}


def test_structured_evidence_beats_a_cached_answer(store: repository.Store) -> None:
    text = "An error occurred (ThrottlingException) when calling the InvokeModel operation: slow down"
    insert_documents(store, {"errors": errors("bedrock", "claude", text, 1)})
    fingerprint = store.coll("errors").find_one()["fingerprint"]
    store.coll("error_classes").insert_one(
        {"fingerprint": fingerprint, "kind": "hard_model", "reason": "r", "classified_at": NOW}
    )
    report = run(store, WINDOW, RULES_ONLY, Delivery()).report
    assert dict(report.facts.errors_by_kind) == {"rate_limit": 1}


def test_beyond_the_cap_patterns_never_asked_go_first(store: repository.Store, http_server: http_stub.HTTPStub) -> None:
    # The 10 biggest patterns were asked 40 days ago (expired); 100 smaller ones never were.
    big = [doc for i in range(10) for doc in errors("together", f"model-{i}", f"weird failure number {i} zq", 3)]
    small = [doc for doc in unknown_errors(MAX_PATTERNS + 10)[10:]]
    insert_documents(store, {"errors": big + small})
    _cache(store, 10, "unknown", dt.timedelta(days=40))
    http_server.route("POST", openai_stub.PATH, answering({}))
    run(store, WINDOW, ai(http_server), Delivery())
    (request,) = kind_requests(http_server)
    asked = [str(item["sample"]).split()[3] for item in asked_items(request) or []]
    assert len(asked) == MAX_PATTERNS
    assert set(asked) == {str(i) for i in range(10, MAX_PATTERNS + 10)}  # every never-asked one, no expired one


def test_a_writers_stored_status_and_code_are_evidence(store: repository.Store) -> None:
    """A writer that stores the status and code its SDK reported tells the classifier what a text
    without them cannot; fields of another type are ignored, never fail the run."""

    def stored(model: str, message: str, n: int, **fields: object) -> list[dict[str, object]]:
        return [{**doc, **fields} for doc in errors("together", model, message, n)]

    insert_documents(
        store,
        {
            "errors": stored("model-a", "request failed zq", 3, http_status=429)
            + stored("model-b", "request failed zq", 2, http_status=None, provider_error_code="model_not_found")
            + stored("model-c", "request failed zq", 2, http_status="429", provider_error_code={"$gt": 1})
            + stored("model-d", "Error code: 503 - upstream said no", 1, http_status=429)
            + stored("model-e", "request failed zq", 1, http_status=401.0)  # a double, as JavaScript stores it
        },
    )
    patterns = {p.model: p for p in run(store, WINDOW, RULES_ONLY, Delivery()).report.facts.patterns}
    assert (patterns["model-a"].kind, patterns["model-a"].source) == ("rate_limit", "status:429")
    assert (patterns["model-b"].kind, patterns["model-b"].source) == ("hard_model", "code:openai:model_not_found")
    assert (patterns["model-c"].kind, patterns["model-c"].source) == ("unknown", "none")
    assert (patterns["model-e"].kind, patterns["model-e"].source) == ("auth", "status:401")
    assert (patterns["model-d"].kind, patterns["model-d"].source) == (
        "transient_provider",
        "status:503",
    )  # the text wins
