"""What the model sources add to the health check, on SecantusDB: retirements ahead with their
successor's staged command, models a provider stopped listing, new models worth adding, and
the AI cost estimate from the registry's prices."""

from __future__ import annotations

import datetime as dt
import json
import shlex

from api.llm_bench import repository
from api.llm_bench.classify.writer import error_document
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import AIChoice, Delivery, run
from api.llm_bench.health.lifecycle import Lifecycle, lifecycle_from, successor_to_stage
from api.llm_bench.health.render import json_report
from api.llm_bench.repository.health import insert_documents

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
WINDOW = Window(NOW - dt.timedelta(days=1), NOW)
IN_10_DAYS = (NOW + dt.timedelta(days=10)).date().isoformat()


def ok(provider: str, model: str, n: int = 3) -> list[dict[str, object]]:
    return [
        {
            "provider": provider,
            "model_name": model,
            "run_ts": NOW - dt.timedelta(hours=h, seconds=4),
            "gen_ts": NOW - dt.timedelta(hours=h),
        }
        for h in range(1, n + 1)
    ]


def seed(store: repository.Store) -> None:
    insert_documents(
        store,
        {
            "successes": ok("anthropic", "claude-sonnet-4-5-20250929") + ok("openai", "gpt-4o"),
            "models": [
                {
                    "provider": "anthropic",
                    "model_id": "claude-sonnet-4-5-20250929",
                    "enabled": True,
                    "deprecated": False,
                },
                {"provider": "openai", "model_id": "gpt-4o", "enabled": True},
                {"provider": "groq", "model_id": "llama-3.1-70b-versatile", "enabled": True},
                {"provider": "openai", "model_id": "gpt-3.5-turbo", "enabled": False},  # not run: never reported
            ],
            "provider_models": [
                {
                    "provider": "anthropic",
                    "model_id": "claude-sonnet-4-5-20250929",
                    "sources": ["registry"],
                    "deprecation_date": IN_10_DAYS,
                    "deprecation_source": "https://docs.anthropic.com/en/docs/deprecations",
                    "successor": "claude-sonnet-4-6",
                },
                {"provider": "anthropic", "model_id": "claude-sonnet-4-6", "sources": ["provider", "registry"]},
                {
                    "provider": "groq",
                    "model_id": "llama-3.1-70b-versatile",
                    "sources": ["registry"],
                    "missing_since": NOW - dt.timedelta(days=5),
                    "removed_at": NOW - dt.timedelta(days=3),
                },
                {
                    "provider": "openai",
                    "model_id": "gpt-3.5-turbo",
                    "sources": [],
                    "removed_at": NOW - dt.timedelta(days=3),
                },
                {
                    "provider": "openai",
                    "model_id": "gpt-4o-mini",
                    "sources": ["registry"],
                    "input_price": 0.15,
                    "output_price": 0.6,
                },
            ],
            "catalog": [
                {
                    "openrouter_id": "openai/gpt-5.5",
                    "first_seen_at": NOW - dt.timedelta(hours=3),
                    "direct_match": {
                        "provider": "openai",
                        "model_id": "gpt-5.5",
                        "verified_by": "provider",
                        "listed_since": NOW - dt.timedelta(hours=20),
                    },
                },
                {
                    "openrouter_id": "openai/gpt-4o",
                    "first_seen_at": NOW - dt.timedelta(hours=3),
                    "direct_match": {"provider": "openai", "model_id": "gpt-4o", "verified_by": "provider"},
                },  # runs already
            ],
        },
    )


def test_retiring_soon_names_the_successor_and_stages_it(store: repository.Store) -> None:
    seed(store)
    report = run(store, WINDOW, AIChoice(None, "gpt-4o-mini"), Delivery()).report
    (retiring,) = report.assessment.retiring_soon
    assert (retiring.key, retiring.successor) == ("anthropic:claude-sonnet-4-5-20250929", "claude-sonnet-4-6")
    assert retiring.source == "https://docs.anthropic.com/en/docs/deprecations"
    assert retiring.command is not None and '"claude-sonnet-4-6"' in retiring.command
    assert "$setOnInsert" in retiring.command and "created_at: new Date()" in retiring.command
    assert shlex.split(retiring.command)[:2] == ["mongosh", "$MONGODB_URI"]
    item = json.loads(json.dumps(json_report(report)))["retiring_soon"][0]
    assert item["date"] == IN_10_DAYS and item["successor"] == "claude-sonnet-4-6"
    assert "stage the successor" in report_body(store)


def report_body(store: repository.Store) -> str:
    return run(store, WINDOW, AIChoice(None, "gpt-4o-mini"), Delivery()).message.get_content()


def test_a_model_its_provider_stopped_listing_is_likely_deprecated(store: repository.Store) -> None:
    seed(store)
    report = run(store, WINDOW, AIChoice(None, "gpt-4o-mini"), Delivery()).report
    (dropped,) = report.assessment.models_likely_deprecated
    assert dropped.key == "groq:llama-3.1-70b-versatile"
    assert "groq's model list dropped llama-3.1-70b-versatile (removed" in dropped.evidence
    assert dropped.confidence == "high"


NOT_FOUND = (
    "Error code: 404 - {'error': {'message': 'The model `qwen/qwen3-32b` does not exist or you do not have "
    "access to it.', 'type': 'invalid_request_error', 'code': 'model_not_found'}}"
)


def test_a_not_found_model_its_provider_still_lists_is_doubted_not_called_retired(store: repository.Store) -> None:
    """A list proves the model exists: "not found" from a model it shows is more likely this
    account's access or the id, so the finding is low confidence and the action asks for a check
    before disabling; a model the list does not show keeps the usual wording."""
    seed(store)
    gone = "mistral-saba-24b"
    insert_documents(
        store,
        {
            "models": [
                {"provider": "groq", "model_id": "qwen/qwen3-32b", "enabled": True},
                {"provider": "groq", "model_id": gone, "enabled": True},
                {"provider": "groq", "model_id": "llama-3.3-70b-versatile", "enabled": True},
            ],
            "successes": ok("groq", "llama-3.3-70b-versatile"),  # the provider answers
            "provider_models": [
                {"provider": "groq", "model_id": "qwen/qwen3-32b", "sources": ["provider", "registry"]}
            ],
            "errors": [
                error_document(provider="groq", model=model, message=NOT_FOUND, ts=NOW - dt.timedelta(hours=h))
                for model in ("qwen/qwen3-32b", gone)
                for h in (1, 5, 9)
            ],
        },
    )
    outcome = run(store, WINDOW, AIChoice(None, "gpt-4o-mini"), Delivery())
    found = {f.key: f for f in outcome.report.assessment.models_likely_deprecated}
    listed, unlisted = found["groq:qwen/qwen3-32b"], found[f"groq:{gone}"]
    assert listed.doubt == "groq's own model list still shows qwen/qwen3-32b" and listed.confidence == "low"
    assert (unlisted.doubt, unlisted.confidence) == ("", "medium")
    actions = outcome.report.assessment.recommended_actions
    assert (
        "Check this account's access to groq:qwen/qwen3-32b (terms, permissions, region) and its id before "
        "disabling it: groq's own model list still shows qwen/qwen3-32b." in actions
    )
    assert f"Disable or replace groq:{gone} in the models list: the provider no longer serves it." in actions
    body = " ".join(outcome.message.get_content().split())
    assert "groq:qwen/qwen3-32b: refused, though its provider still lists it. Check this account's access" in body
    assert "- groq:qwen/qwen3-32b (new) (low confidence)" in body and "but: groq's own model list still shows" in body
    detail = {d["model"]: d for d in json_report(outcome.report)["models_likely_deprecated_detail"]}
    assert detail["groq:qwen/qwen3-32b"]["doubt"] == "groq's own model list still shows qwen/qwen3-32b"
    assert detail[f"groq:{gone}"]["doubt"] is None

    # A list refused for three days says nothing about today: no doubt from what it showed last.
    store.coll("source_runs").insert_many(
        [{"fetched_at": NOW - dt.timedelta(hours=80), "source": "provider:groq", "status": "complete", "listed": 9}]
        + [
            {
                "fetched_at": NOW - dt.timedelta(hours=h),
                "source": "provider:groq",
                "status": "refused",
                "message": "401",
            }
            for h in (1, 25, 49, 73)
        ]
    )
    stale = run(store, WINDOW, AIChoice(None, "gpt-4o-mini"), Delivery()).report.assessment
    listed = next(f for f in stale.models_likely_deprecated if f.key == "groq:qwen/qwen3-32b")
    assert (listed.doubt, listed.confidence) == ("", "medium")


def test_new_models_worth_adding_reach_the_mail(store: repository.Store) -> None:
    seed(store)
    outcome = run(store, WINDOW, AIChoice(None, "gpt-4o-mini"), Delivery())
    assert [n.model_id for n in outcome.report.new_models] == ["gpt-5.5"]
    body = outcome.message.get_content()
    assert "New models worth adding (1)" in body and "verified by the provider list" in body
    command = outcome.report.new_models[0].command  # the mail stages it itself
    assert command and shlex.split(command)[:2] == ["mongosh", "$MONGODB_URI"] and "enabled: false" in command
    assert "# stage it:" in body and 'model_id: "gpt-5.5", enabled: false' in body.replace("\n", " ")


def _placed(openrouter_id: str, model_id: str, hours: int = 3, provider: str = "together") -> dict[str, object]:
    return {
        "openrouter_id": openrouter_id,
        "first_seen_at": NOW - dt.timedelta(hours=hours),
        "direct_match": {"provider": provider, "model_id": model_id, "verified_by": "registry"},
    }


def _probe(model_id: str, outcome: str, hours: float, **fields: object) -> dict[str, object]:
    return {
        "provider": "together",
        "model_id": model_id,
        "openrouter_id": "x",
        "at": NOW - dt.timedelta(hours=hours),
        "outcome": outcome,
        **fields,
    }


def test_worth_adding_is_honest_one_per_id_none_staged_none_refused(store: repository.Store) -> None:
    seed(store)
    store.coll("catalog").insert_many(
        [
            _placed("openai/gpt-oss-120b:free", "openai/gpt-oss-120b", hours=1),  # newer, but a variant
            _placed("openai/gpt-oss-120b", "openai/gpt-oss-120b", hours=2),
            _placed("openai/gpt-oss-120b:exacto", "openai/gpt-oss-120b", hours=2),
            _placed("qwen/qwen3-staged", "Qwen/Qwen3-Staged"),
            _placed("meta/llama-refused", "meta-llama/Llama-Refused"),
            _placed("z/glm-verified", "zai-org/GLM-Verified"),
        ]
    )
    # staged by the report's own command earlier: disabled, the id in another case
    store.coll("models").insert_one({"provider": "together", "model_id": "qwen/qwen3-staged", "enabled": False})
    store.coll("probe_results").insert_many(
        [
            _probe("meta-llama/Llama-Refused", "refused", 5, status=404, reason="no_access", message="no access"),
            _probe("zai-org/GLM-Verified", "success", 6),
            _probe("zai-org/GLM-Verified", "success", 3),
        ]
    )
    outcome = run(store, WINDOW, AIChoice(None, "gpt-4o-mini"), Delivery())
    new = {n.model_id: n for n in outcome.report.new_models}
    assert sorted(new) == ["gpt-5.5", "openai/gpt-oss-120b", "zai-org/GLM-Verified"]
    assert new["openai/gpt-oss-120b"].openrouter_id == "openai/gpt-oss-120b"  # the base, not a twin
    assert new["zai-org/GLM-Verified"].verified_by == "probe"
    left = {(x.openrouter_id, x.reason) for x in outcome.report.new_models_left_out}
    assert left == {
        ("openai/gpt-oss-120b:free", "variant"),
        ("openai/gpt-oss-120b:exacto", "variant"),
        ("meta/llama-refused", "no_access"),
    }
    body = outcome.message.get_content()
    assert "New models worth adding (3)" in body and "verified by probe" in body
    assert "New models left out (3)" in body and "no access to the model" in body
    assert "qwen" not in body.lower()
    payload = json.loads(json.dumps(json_report(outcome.report)))
    assert {m["verified_by"] for m in payload["new_models_worth_adding"]} == {"provider", "registry", "probe"}
    assert all(m["command"].startswith("mongosh") for m in payload["new_models_worth_adding"])
    assert {x["reason"] for x in payload["new_models_left_out"]} == {"variant", "no_access"}


def test_a_successor_already_in_the_benchmark_or_unlisted_is_not_staged() -> None:
    lifecycle: Lifecycle = lifecycle_from(
        {
            "models": [{"provider": "openai", "model_id": "gpt-4.1", "enabled": True}],
            "provider_models": [
                {"provider": "openai", "model_id": "gpt-4.1", "sources": ["provider"], "deprecation_date": "2030-01-01"}
            ],
        }
    )
    assert successor_to_stage(lifecycle, "openai", "gpt-4.1") is None  # runs already
    assert successor_to_stage(lifecycle, "openai", "gpt-9") is None  # nobody lists it
    assert successor_to_stage(lifecycle, "openai", "x'); db.models.drop(); ('") is None
