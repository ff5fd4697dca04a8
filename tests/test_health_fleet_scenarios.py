"""The fleet over several recorded days, through the real CLI (`--as-of` is the clock), on
writer-shaped documents, with real msmtp into a local SMTP sink so every daily run is recorded.

Each test reproduces one way a window-only check misjudged the fleet, and shows the judgment now.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from smtp_sink import SMTPSink
from typer.testing import CliRunner

from api.llm_bench import repository
from api.llm_bench.classify.writer import error_document, fingerprint, normalize_message
from api.llm_bench.health.cli import app
from api.llm_bench.repository.health import insert_documents
from api.llm_bench.repository.health_runs import recent_runs

runner = CliRunner()
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
DAY1 = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)  # the first daily run's end (08:00 UTC)

FLEET = (
    ("openai", "gpt-4o"),
    ("openai", "gpt-4o-mini"),
    ("anthropic", "claude-sonnet-4-5"),
    ("anthropic", "claude-haiku-4-5"),
    ("bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0"),
    ("bedrock", "meta.llama3-1-70b-instruct-v1:0"),
    ("groq", "llama-3.3-70b-versatile"),
)
BEDROCK_AUTH = (
    "Error raised by bedrock service: An error occurred (UnrecognizedClientException) when calling the "
    "InvokeModel operation: The security token included in the request is invalid."
)
OVERLOADED = 'Error code: 529 - {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
RETIRED = (
    "Error code: 404 - {'error': {'message': 'The model `gpt-4-0613` has been deprecated, learn more here: "
    "https://platform.openai.com/docs/deprecations', 'type': 'invalid_request_error', 'code': 'model_not_found'}}"
)


def hourly(start: dt.datetime, end: dt.datetime, every: dt.timedelta = HOUR) -> Iterable[dt.datetime]:
    moment = start + every / 2
    while moment < end:
        yield moment
        moment += every


def ok(provider: str, model: str, start: dt.datetime, end: dt.datetime, every: dt.timedelta = HOUR) -> list[Any]:
    return [
        {"provider": provider, "model_name": model, "run_ts": t - dt.timedelta(seconds=7), "gen_ts": t}
        for t in hourly(start, end, every)
    ]


def failed(
    provider: str,
    model: str,
    message: str,
    start: dt.datetime,
    end: dt.datetime,
    every: dt.timedelta = HOUR,
    kind: str | None = None,
) -> list[Any]:
    docs = [error_document(provider=provider, model=model, message=message, ts=t) for t in hourly(start, end, every)]
    if kind:
        for doc in docs:
            doc["error_kind"] = kind  # a newer writer's specific kind
    return docs


def enabled(*pairs: tuple[str, str], **extra: Any) -> list[dict[str, Any]]:
    return [{"provider": p, "model_id": m, "enabled": True, "deprecated": False, **extra} for p, m in pairs]


def fleet_days(start: dt.datetime, end: dt.datetime, models: Iterable[tuple[str, str]] = FLEET) -> list[Any]:
    return [doc for provider, model in models for doc in ok(provider, model, start, end)]


@pytest.fixture
def judge(
    store: repository.Store, mongo_uri: str, db_name: str, smtp: SMTPSink, msmtp_binary: str, tmp_path: Path
) -> Callable[..., dict[str, Any]]:
    """Run the real health check as of a moment; the JSON report (the mail went to the sink)."""
    env = {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "NOTIFY_EMAIL": "ops@example.test",
        "MSMTP_PATH": msmtp_binary,
        "MSMTP_CONFIG": str(smtp.msmtprc(tmp_path)),
    }

    def run(as_of: dt.datetime, *options: str) -> dict[str, Any]:
        result = runner.invoke(app, ["--no-ai", "--format", "json", "--as-of", as_of.isoformat(), *options], env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


def last_mail(smtp: SMTPSink) -> str:
    return smtp.delivered[-1].text()  # as a flowed-aware reader shows it


def marks(report: dict[str, Any]) -> dict[str, str]:
    return {p["key"]: p["mark"] for p in report["changes"]["problems"]}


def test_a_clean_fleet_is_healthy_with_full_coverage(
    store: repository.Store, judge: Callable[..., dict[str, Any]], smtp: SMTPSink
) -> None:
    insert_documents(store, {"models": enabled(*FLEET), "successes": fleet_days(DAY1 - 2 * DAY, DAY1)})
    report = judge(DAY1)
    assert report["status"] == "healthy" and report["reasons"] == []
    assert report["coverage"]["enabled"] == report["coverage"]["measured"] == len(FLEET)
    for key in ("not_measured", "stalled", "ran_while_disabled", "removed_since_previous", "duplicate_spellings"):
        assert report["coverage"][key] == [], key
    assert report["provider_streaks"] == [] and report["provider_issues"] == []
    assert report["could_not_be_measured"] == [] and report["stale_model_sources"] == []
    assert report["models_likely_deprecated"] == [] and report["retiring_soon"] == []
    assert "Coverage: 7 of 7 enabled models measured in 24 h" in last_mail(smtp)


def test_enabled_models_that_never_ran_are_not_healthy(
    store: repository.Store, judge: Callable[..., dict[str, Any]], smtp: SMTPSink
) -> None:
    never = (("openai", "gpt-5-nano"), ("groq", "qwen-qwq-32b"))
    insert_documents(store, {"models": enabled(*FLEET, *never), "successes": fleet_days(DAY1 - DAY, DAY1)})
    report = judge(DAY1)
    assert report["status"] == "warning"
    assert report["coverage"]["measured"] == 7 and report["coverage"]["enabled"] == 9
    assert report["coverage"]["not_measured"] == [
        {"model": "groq:qwen-qwq-32b", "last_success": None},
        {"model": "openai:gpt-5-nano", "last_success": None},
    ]
    assert "coverage: 7 of 9 enabled models measured" in report["reasons"]
    body = last_mail(smtp)
    assert body.index("Coverage: 7 of 9 enabled models measured in 24 h") < body.index("Summary")
    told = body.split("Enabled models not measured (2)", 1)[1]
    assert "- openai:gpt-5-nano (new)\n  not measured: never a success" in told


def test_a_silent_provider_stays_ongoing_until_it_succeeds(
    store: repository.Store, judge: Callable[..., dict[str, Any]], smtp: SMTPSink
) -> None:
    groq = [("groq", "llama-3.3-70b-versatile")]
    others = [m for m in FLEET if m[0] != "groq"]
    insert_documents(
        store,
        {
            "models": enabled(*FLEET),
            "successes": fleet_days(DAY1 - 3 * DAY, DAY1 + 3 * DAY, others)
            + fleet_days(DAY1 - 3 * DAY, DAY1 - DAY, groq),
        },
    )
    silent_since = DAY1 - DAY - HOUR / 2  # its last success
    day1 = judge(DAY1)
    assert marks(day1)["provider:groq"] == "new"
    assert day1["coverage"]["missing_providers"] == ["groq"]
    assert day1["coverage"]["not_measured"] == [
        {"model": "groq:llama-3.3-70b-versatile", "last_success": silent_since.isoformat()}
    ]
    for day in (DAY1 + DAY, DAY1 + 2 * DAY):  # still silent: never RESOLVED by an absence of data
        report = judge(day)
        assert marks(report)["provider:groq"] == "ongoing", day
        (problem,) = [p for p in report["changes"]["problems"] if p["key"] == "provider:groq"]
        assert problem["since"] == silent_since.isoformat()
        assert f"since {silent_since:%Y-%m-%d}" in last_mail(smtp)
    insert_documents(store, {"successes": ok("groq", "llama-3.3-70b-versatile", DAY1 + 2 * DAY, DAY1 + 3 * DAY)})
    assert marks(judge(DAY1 + 3 * DAY))["provider:groq"] == "resolved"  # a success, nothing else


def test_a_model_that_stopped_ten_hours_ago_is_stalled_the_same_day(
    store: repository.Store, judge: Callable[..., dict[str, Any]]
) -> None:
    stopped = DAY1 - 10 * HOUR
    others = [m for m in FLEET if m[1] != "gpt-4o-mini"]
    insert_documents(
        store,
        {
            "models": enabled(*FLEET),
            "successes": fleet_days(DAY1 - 2 * DAY, DAY1, others)
            + ok("openai", "gpt-4o-mini", DAY1 - 2 * DAY, stopped),
        },
    )
    report = judge(DAY1)
    assert report["status"] == "warning" and "1 model stalled" in report["reasons"]
    assert report["coverage"]["stalled"] == [
        {"model": "openai:gpt-4o-mini", "last_success": (stopped - HOUR / 2).isoformat()}
    ]
    assert report["coverage"]["measured"] == len(FLEET)  # it ran today, then stopped: measured, and stalled


def test_credentials_that_broke_at_0430_are_judged_from_0430(
    store: repository.Store, judge: Callable[..., dict[str, Any]], smtp: SMTPSink
) -> None:
    end = dt.datetime(2026, 11, 21, 13, 30, tzinfo=dt.UTC)
    broke = dt.datetime(2026, 11, 21, 4, 0, tzinfo=dt.UTC)  # first failed call at 04:30
    bedrock = [m for m in FLEET if m[0] == "bedrock"]
    others = [m for m in FLEET if m[0] != "bedrock"]
    insert_documents(
        store,
        {
            "models": enabled(*FLEET),
            "successes": fleet_days(end - 2 * DAY, end, others) + fleet_days(end - 2 * DAY, broke, bedrock),
            "errors": [doc for _, model in bedrock for doc in failed("bedrock", model, BEDROCK_AUTH, broke, end)],
        },
    )
    report = judge(end)
    bedrock_day = report["providers"]["bedrock"]
    assert bedrock_day["errors"] / (bedrock_day["errors"] + bedrock_day["successes"]) < 0.5  # the day's share misses it
    assert report["status"] == "critical"
    (issue,) = report["provider_issues_detail"]
    assert issue["provider"] == "bedrock" and issue["kind"] == "auth"
    assert issue["since"] == "2026-11-21T04:30:00+00:00"
    assert "every call since 2026-11-21 04:30 UTC failed (auth ×18) on 2 models" in issue["detail"]
    assert "bedrock has auth errors since 04:30 UTC" in report["reasons"]
    assert "bedrock: auth broken: every call since 2026-11-21 04:30 UTC failed (auth ×18)" in last_mail(smtp)


def test_one_overload_on_every_model_of_a_provider_is_one_provider_line(
    store: repository.Store, judge: Callable[..., dict[str, Any]]
) -> None:
    anthropic = [m for m in FLEET if m[0] == "anthropic"]
    insert_documents(
        store,
        {
            "models": enabled(*FLEET),
            "successes": fleet_days(DAY1 - 2 * DAY, DAY1),
            "errors": [
                doc
                for _, model in anthropic
                for doc in failed("anthropic", model, OVERLOADED, DAY1 - DAY, DAY1, 2 * HOUR + HOUR / 3)
            ],
        },
    )
    report = judge(DAY1)
    (issue,) = report["provider_issues_detail"]
    assert issue["provider"] == "anthropic" and issue["kind"] == "overloaded"
    assert issue["detail"].startswith("overloaded: transient_provider on 2 of 2 models, ")
    assert report["status"] == "warning"
    assert [k for k in marks(report) if k.startswith("provider:")] == ["provider:anthropic"]


def test_past_retirement_dates_are_reported_and_a_model_still_answering_is_not_called_deprecated(
    store: repository.Store, judge: Callable[..., dict[str, Any]]
) -> None:
    past = (DAY1 - 10 * DAY).date().isoformat()
    insert_documents(
        store,
        {
            "models": enabled(*FLEET)
            + enabled(("openai", "gpt-4-0613"), ("openai", "gpt-4-0314"), deprecation_date=past)
            + [],
            "provider_models": [
                {"provider": "openai", "model_id": "gpt-4o-mini", "deprecation_date": past, "sources": ["registry"]}
            ],
            "successes": fleet_days(DAY1 - DAY, DAY1),
            "errors": failed("openai", "gpt-4-0613", RETIRED, DAY1 - DAY, DAY1, 3 * HOUR),
        },
    )
    report = judge(DAY1)
    retiring = {r["model"]: r for r in report["retiring_soon"]}
    assert retiring["openai:gpt-4o-mini"]["past"] is True
    assert retiring["openai:gpt-4o-mini"]["detail"].startswith(f"retired on {past} (the model registry), still enabled")
    assert "openai:gpt-4o-mini" not in report["models_likely_deprecated"]  # it still answers
    assert sorted(report["models_likely_deprecated"]) == ["openai:gpt-4-0314", "openai:gpt-4-0613"]
    evidence = {d["model"]: d["evidence"] for d in report["models_likely_deprecated_detail"]}
    assert evidence["openai:gpt-4-0314"].startswith(f"retired on {past}")


def test_a_manual_run_does_not_move_the_baseline(store: repository.Store, judge: Callable[..., dict[str, Any]]) -> None:
    groq = [("groq", "llama-3.3-70b-versatile")]
    others = [m for m in FLEET if m[0] != "groq"]
    insert_documents(
        store,
        {
            "models": enabled(*FLEET),
            "successes": fleet_days(DAY1 - 5 * DAY, DAY1 + DAY, others) + fleet_days(DAY1 - 5 * DAY, DAY1 - DAY, groq),
        },
    )
    assert marks(judge(DAY1))["provider:groq"] == "new"
    manual = judge(DAY1 + 3 * HOUR, "--days", "7")  # groq succeeded in these 7 days, but before it went silent
    assert marks(manual)["provider:groq"] == "ongoing"
    assert marks(judge(DAY1 + DAY))["provider:groq"] == "ongoing"  # not NEW: compared with the daily run
    daily = [run["daily"] for run in recent_runs(store)]
    assert daily == [True, False, True]


def test_a_reclassified_pattern_updates_its_line(store: repository.Store, judge: Callable[..., dict[str, Any]]) -> None:
    odd = "upstream said: request 7f3a could not be completed"
    insert_documents(
        store,
        {
            "models": enabled(*FLEET),
            "successes": fleet_days(DAY1 - 2 * DAY, DAY1 + DAY),
            "errors": failed("groq", "llama-3.3-70b-versatile", odd, DAY1 - 2 * DAY, DAY1 + DAY, 4 * HOUR),
        },
    )
    day1 = judge(DAY1)
    assert marks(day1)["model:groq:llama-3.3-70b-versatile"] == "new"
    key = fingerprint("groq", "llama-3.3-70b-versatile", normalize_message(odd))
    insert_documents(
        store,
        {
            "error_classes": [
                {"fingerprint": key, "kind": "transient_provider", "reason": "upstream failure", "classified_at": DAY1}
            ]
        },
    )
    day2 = judge(DAY1 + DAY)
    assert marks(day2) == {"model:groq:llama-3.3-70b-versatile": "ongoing"}  # not NEW + RESOLVED
    (problem,) = day2["changes"]["problems"]
    assert "transient_provider ×6" in problem["label"]


def test_the_enabled_set_is_remembered(store: repository.Store, judge: Callable[..., dict[str, Any]]) -> None:
    extra = tuple(("together", f"model-{i}") for i in range(5))
    twins = (("anthropic", "claude-3-5-sonnet-20241022"), ("anthropic", "claude-3.5-sonnet-20241022"))
    everything = (*FLEET, *extra, *twins)
    insert_documents(
        store, {"models": enabled(*everything), "successes": fleet_days(DAY1 - 2 * DAY, DAY1 + DAY, everything)}
    )
    day1 = judge(DAY1)
    assert day1["coverage"]["duplicate_spellings"] == [[f"anthropic:{m}" for _, m in twins]]
    assert day1["status"] == "healthy"  # two spellings are listed, they change no status
    store.coll("models").update_many({"provider": "together"}, {"$set": {"enabled": False}})
    day2 = judge(DAY1 + DAY)
    assert day2["coverage"]["removed_since_previous"] == sorted(f"together:model-{i}" for i in range(5))
    assert day2["coverage"]["ran_while_disabled"] == sorted(f"together:model-{i}" for i in range(5))
    assert day2["status"] == "warning"
    assert "the enabled set shrank from 14 to 9 models since the previous daily run" in day2["reasons"]


def test_budget_stops_cannot_be_measured_and_are_not_critical(
    store: repository.Store, judge: Callable[..., dict[str, Any]]
) -> None:
    budget = "benchmark budget exhausted: daily spend limit of $50.00 reached, run skipped"
    costly = [("openai", "o1-pro"), ("anthropic", "claude-opus-4-1")]
    insert_documents(
        store,
        {
            "models": enabled(*FLEET, *costly),
            "successes": fleet_days(DAY1 - 2 * DAY, DAY1),
            "errors": [
                doc
                for provider, model in costly
                for doc in failed(provider, model, budget, DAY1 - DAY, DAY1, HOUR, "budget_exhausted")
            ],
        },
    )
    report = judge(DAY1)
    assert report["status"] == "warning"
    assert sorted(x["model"] for x in report["could_not_be_measured"]) == sorted(f"{p}:{m}" for p, m in costly)
    assert report["models_likely_deprecated"] == [] and report["provider_issues"] == []
    assert "2 models could not be measured" in report["reasons"]


def test_a_model_list_refused_for_three_days_is_a_warning_and_registry_only_providers_a_note_said_once(
    store: repository.Store, judge: Callable[..., dict[str, Any]]
) -> None:
    refused = [
        {
            "fetched_at": DAY1 - hours * HOUR,
            "source": "provider:openai",
            "status": "refused",
            "message": "HTTP 401 from the list: invalid api key",
        }
        for hours in (1, 25, 49, 73)
    ]
    fresh = [
        {"fetched_at": DAY1 - hours * HOUR, "source": source, "status": "complete", "listed": 100}
        for hours in (1, 25)
        for source in ("registry", "provider:anthropic", "provider:groq")
    ]
    insert_documents(
        store,
        {
            "models": enabled(*FLEET),
            "successes": fleet_days(DAY1 - 2 * DAY, DAY1 + DAY),
            "source_runs": [
                {"fetched_at": DAY1 - 80 * HOUR, "source": "provider:openai", "status": "complete", "listed": 90},
                *refused,
                *fresh,
            ],
        },
    )
    day1 = judge(DAY1)
    assert day1["status"] == "warning"
    (lag,) = day1["stale_model_sources"]
    assert lag["source"] == "provider:openai" and lag["last_status"] == "refused"
    assert (
        "openai's model list: no complete fetch for 80 h (last attempt refused: HTTP 401 from the list: invalid api key)"
        in day1["reasons"]
    )
    note = "bedrock: no model list of their own is read, only the model registry speaks for them."
    assert note in day1["notes"]
    assert note not in judge(DAY1 + DAY)["notes"]  # said once


def test_a_model_whose_writer_stamps_run_ts_only_keeps_its_last_success(
    store: repository.Store, judge: Callable[..., dict[str, Any]]
) -> None:
    old = DAY1 - 3 * DAY
    run_ts_only = [{"provider": "groq", "model_name": "llama-3.3-70b-versatile", "run_ts": old}]
    others = [m for m in FLEET if m[0] != "groq"]
    insert_documents(
        store, {"models": enabled(*FLEET), "successes": fleet_days(DAY1 - 2 * DAY, DAY1, others) + run_ts_only}
    )
    report = judge(DAY1)
    assert report["coverage"]["not_measured"] == [
        {"model": "groq:llama-3.3-70b-versatile", "last_success": old.isoformat()}  # not "never"
    ]
