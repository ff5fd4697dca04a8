"""The health job over recorded days in SecantusDB: yesterday's run, then today's.

Known answers: which problems are NEW, ONGOING and RESOLVED, a provider that went silent, a
stale discovery fetch, a model retiring in 10 days, a burst of errors that differ only in
request ids collapsing into one pattern, a dry run that writes nothing, and a failed mail that
is recorded and mentioned the next day.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest

from api.llm_bench import repository
from api.llm_bench.classify.writer import error_document
from api.llm_bench.errors import ConfigError, MailFailed
from api.llm_bench.health.assess import Status
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import AIChoice, Delivery, run
from api.llm_bench.repository.health import insert_documents
from api.llm_bench.repository.health_runs import recent_runs

DAY1 = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
DAY2 = DAY1 + dt.timedelta(days=1)
RULES_ONLY = AIChoice(None, "gpt-4o-mini")


def window(end: dt.datetime) -> Window:
    return Window(end - dt.timedelta(days=1), end)


def at(day_end: dt.datetime, hours_before: float) -> dt.datetime:
    return day_end - dt.timedelta(hours=hours_before)


def err(day_end: dt.datetime, provider: str, model: str, message: str, h: float = 2) -> dict[str, object]:
    """An errors_cloud document as the writer stores it; the health check reads its kind from the text."""
    return error_document(provider=provider, model=model, message=message, ts=at(day_end, h))


def ok(day_end: dt.datetime, provider: str, model: str, n: int) -> list[dict[str, object]]:
    return [
        {
            "run_ts": at(day_end, 1 + i % 20) - dt.timedelta(seconds=6),
            "gen_ts": at(day_end, 1 + i % 20),
            "provider": provider,
            "model_name": model,
        }
        for i in range(n)
    ]


@pytest.fixture
def two_days(store: repository.Store) -> repository.Store:
    insert_documents(
        store,
        {
            "successes": [
                *ok(DAY1, "openai", "gpt-4o", 30),
                *ok(DAY1, "cerebras", "llama-3.3-70b", 12),
                *ok(DAY1, "groq", "llama-3.3-70b-versatile", 30),
                *ok(DAY1, "vertex", "gemini-2.5-pro", 20),
                *ok(DAY2, "openai", "gpt-4o", 30),
                *ok(DAY2, "groq", "llama-3.3-70b-versatile", 30),
                *ok(DAY2, "vertex", "gemini-2.5-pro", 20),
            ],
            "errors": [
                *(
                    err(DAY1, "groq", "llama-3.3-70b-versatile", "Error code: 429 - rate limit reached")
                    for _ in range(3)
                ),
                *(
                    err(DAY1, "vertex", "gemini-2.5-pro", "httpx.ConnectError: Connection reset by peer")
                    for _ in range(2)
                ),
                *(
                    err(DAY2, "groq", "llama-3.3-70b-versatile", "Error code: 429 - rate limit reached")
                    for _ in range(2)
                ),
                *(
                    err(DAY2, "openai", "gpt-4-32k", "Error code: 404 - The model `gpt-4-32k` does not exist")
                    for _ in range(4)
                ),
            ],
            "rollups": [
                {
                    "fingerprint": f"fp-{i}",
                    "provider": "anthropic",
                    "model_name": "claude-sonnet-4",
                    "error_kind": "transient_provider",
                    "count": 1,
                    "first_seen": at(DAY2, 3),
                    "last_seen": at(DAY2, 3),
                    "sample_messages": [f"Overloaded (request_id: req_{i:03d}abcdefghijkl)"],
                }
                for i in range(40)
            ],
            "models": [
                {"provider": "vertex", "model_id": "gemini-2.5-pro", "enabled": True, "deprecated": False},
                {"provider": "openai", "model_id": "gpt-4-32k", "enabled": True, "deprecated": False},
            ],
            "catalog": [
                {"openrouter_id": "google/gemini-2.5-pro", "expiration_date": "2026-12-06"},
                {"openrouter_id": "openai/gpt-4-32k", "removed_at": DAY1 - dt.timedelta(days=5)},
            ],
            "catalog_runs": [{"fetched_at": DAY1 - dt.timedelta(days=3), "status": "complete"}],
        },
    )
    return store


def sent(outbox: list[EmailMessage]):  # type: ignore[no-untyped-def]
    return outbox.append


def test_second_day_marks_new_ongoing_resolved(two_days: repository.Store) -> None:
    outbox: list[EmailMessage] = []
    first = run(
        two_days,
        window(DAY1),
        RULES_ONLY,
        Delivery(recipient="ops@example.test", sender="b@example.test", send=sent(outbox)),
    )
    assert first.mail == {"sent": True, "recipient": "ops@example.test", "error": None}
    second = run(
        two_days,
        window(DAY2),
        RULES_ONLY,
        Delivery(recipient="ops@example.test", sender="b@example.test", send=sent(outbox)),
    )
    changes = second.report.changes
    assert changes is not None and changes.previous_run_at == DAY1
    marks = {p.key: p.mark for p in changes.problems}
    assert marks == {
        "fleet:coverage": "ongoing",  # gpt-4-32k is enabled and was never measured, on both days
        "model:openai:gpt-4-32k": "ongoing",  # not measured on day 1, failing on day 2: one model, one problem
        "model:groq:llama-3.3-70b-versatile": "ongoing",
        "model:vertex:gemini-2.5-pro": "resolved",  # a success resolves it
    }
    ongoing = next(p for p in changes.problems if p.key == "model:groq:llama-3.3-70b-versatile")
    assert DAY1 - dt.timedelta(days=1) <= ongoing.since < DAY1  # the first error, not the run time
    assert ongoing.days(DAY2) == 2

    a = second.report.assessment
    assert a.status is Status.WARNING
    assert [(f.key, f.confidence) for f in a.models_likely_deprecated] == [("openai:gpt-4-32k", "high")]
    assert [f.key for f in a.retiring_soon] == ["vertex:gemini-2.5-pro"]
    assert any("discovery fetch is 96 h old" in r for r in a.reasons)

    burst, retired = second.report.facts.new_patterns  # rollups-only burst collapsed; a new fingerprint
    assert (burst.count, burst.model) == (40, "claude-sonnet-4")
    assert (retired.count, retired.model, retired.kind) == (4, "gpt-4-32k", "hard_model")

    body = outbox[1].get_content()
    assert body.index("RESOLVED (1)") < body.index("- vertex:gemini-2.5-pro")
    assert "0 new, 3 ongoing: each is marked where it is told below." in body
    assert "- groq:llama-3.3-70b-versatile (since 2026-11-" in body  # told once, with its mark
    assert "Retiring soon or past retirement (1)" in body and "(high confidence)" in body
    assert "- groq: 30 ok (+0), " in body  # provider change against the previous window

    ledger = recent_runs(two_days)
    assert [r["window"]["end"] for r in ledger] == [DAY2, DAY1]
    latest = ledger[0]
    assert latest["status"] == "warning" and latest["mail"]["sent"] is True and latest["version"]
    assert latest["ai"] == {
        "used": False,
        "model": None,
        "error": None,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "estimated_cost_usd": None,
    }
    assert {p["key"] for p in latest["problems"]} == set(marks) - {"model:vertex:gemini-2.5-pro"}
    assert latest["daily"] is True and latest["enabled"]["models"] == ["openai:gpt-4-32k", "vertex:gemini-2.5-pro"]


def test_dry_run_writes_nothing(two_days: repository.Store) -> None:
    before = {name: two_days.db[name].count_documents({}) for name in two_days.db.list_collection_names()}
    outcome = run(two_days, window(DAY2), RULES_ONLY, Delivery())
    assert outcome.mail is None
    after = {name: two_days.db[name].count_documents({}) for name in two_days.db.list_collection_names()}
    assert after == before and recent_runs(two_days) == []


def test_failed_mail_is_recorded_and_mentioned_next_day(two_days: repository.Store) -> None:
    def broken(_message: EmailMessage) -> None:
        raise MailFailed("msmtp exited with status 75: cannot connect")

    first = run(two_days, window(DAY1), RULES_ONLY, Delivery(recipient="ops@example.test", send=broken))
    assert first.failure is not None and first.mail is not None and first.mail["sent"] is False
    assert recent_runs(two_days)[0]["mail"]["sent"] is False
    second = run(two_days, window(DAY2), RULES_ONLY, Delivery(recipient="ops@example.test", send=lambda m: None))
    assert second.report.changes is not None
    assert any("not mailed (msmtp exited with status 75" in n for n in second.report.changes.notes)


def test_a_skipped_day_is_mentioned(two_days: repository.Store) -> None:
    run(
        two_days,
        window(DAY1 - dt.timedelta(days=2)),
        RULES_ONLY,
        Delivery(recipient="o@example.test", send=lambda m: None),
    )
    later = run(two_days, window(DAY2), RULES_ONLY, Delivery(recipient="o@example.test", send=lambda m: None))
    assert later.report.changes is not None
    assert any("at least one run was missed" in n for n in later.report.changes.notes)


def test_a_database_without_the_benchmark_collections_is_a_configuration_error(store: repository.Store) -> None:
    with pytest.raises(ConfigError, match="check MONGODB_DB"):
        run(store, window(DAY2), RULES_ONLY, Delivery())


def test_an_idle_fleet_is_critical_and_says_nothing_ran(store: repository.Store) -> None:
    insert_documents(
        store, {"successes": ok(DAY1, "openai", "gpt-4o", 3), "errors": [err(DAY1, "openai", "x", "boom")]}
    )
    outcome = run(store, window(DAY2 + dt.timedelta(days=3)), RULES_ONLY, Delivery())
    assert outcome.report.assessment.status is Status.CRITICAL
    body = outcome.message.get_content()
    assert body.startswith("Status: CRITICAL — no successes and no errors in the window")
    assert "nothing ran. Check the benchmark scheduler" in body
    assert "no problems" not in body
