"""Poisoned records never take over later runs: a ledger entry or a catalog fetch record dated in
2030 is never "the previous run" or "the last fetch" (beyond now plus CLOCK_SKEW), and errors
dated in the future or whose `ts` is text are counted and said, not silently lost. The real jobs
on SecantusDB, with the clock they are given."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from http_stub import HTTPStub, json_reply

from api.llm_bench import repository
from api.llm_bench.classify.writer import error_document
from api.llm_bench.discovery.jobs import run_fetch
from api.llm_bench.health.facts import Window
from api.llm_bench.health.history import NEW, ONGOING
from api.llm_bench.health.job import AIChoice, Delivery, run
from api.llm_bench.health.render import json_report
from api.llm_bench.repository import CLOCK_SKEW
from api.llm_bench.repository.health import insert_documents
from api.llm_bench.repository.health_runs import run_context

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
DAY1 = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
DAY2 = DAY1 + DAY
FUTURE = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
RULES_ONLY = AIChoice(None, "gpt-4o-mini")


def gone_error(at: dt.datetime) -> dict:
    return error_document(provider="openai", model="gpt-4-32k", message="Error code: 404 - model gone", ts=at)


def success(at: dt.datetime) -> dict:
    return {"provider": "openai", "model_name": "gpt-4o", "run_ts": at, "gen_ts": at}


def mailed(store: repository.Store, end: dt.datetime):
    outbox: list[EmailMessage] = []
    return run(store, Window(end - DAY, end), RULES_ONLY, Delivery(recipient="ops@example.test", send=outbox.append))


# --- 7. records dated in the future ------------------------------------------------------------


def test_a_ledger_entry_from_2030_is_never_the_previous_run(store: repository.Store) -> None:
    insert_documents(
        store, {"errors": [gone_error(DAY1 - HOUR), gone_error(DAY2 - HOUR)], "successes": [success(DAY2 - HOUR)]}
    )
    mailed(store, DAY1)
    poisoned = store.coll("health_runs").find_one({}, {"_id": 0})
    assert poisoned is not None
    store.coll("health_runs").insert_one({**poisoned, "finished_at": FUTURE, "problems": []})
    assert run_context(store, now=DAY2)["previous_run"]["finished_at"] == DAY1
    changes = mailed(store, DAY2).report.changes
    assert changes is not None and changes.previous_run_at == DAY1
    assert [p.key for p in changes.marked(ONGOING)] == ["model:openai:gpt-4-32k"]
    assert changes.marked(NEW) == ()


def test_a_ledger_entry_within_the_skew_still_counts(store: repository.Store) -> None:
    store.coll("health_runs").insert_one({"finished_at": DAY2 + CLOCK_SKEW - dt.timedelta(seconds=1), "daily": True})
    assert run_context(store, now=DAY2)["previous_run"] is not None
    assert run_context(store, now=DAY2 - dt.timedelta(minutes=6))["previous_run"] is None


CATALOG = "/api/v1/models"


def test_a_fetch_record_from_2030_neither_freezes_absences_nor_hides_staleness(
    store: repository.Store, http_server: HTTPStub
) -> None:
    both = {"data": [{"id": "openai/gpt-4o"}, {"id": "openai/gpt-4-32k"}]}
    one = {"data": [{"id": "openai/gpt-4o"}, {"id": "openai/gpt-4o-mini"}]}
    url = http_server.base_url + CATALOG
    http_server.route("GET", CATALOG, lambda _r: json_reply(both))
    run_fetch(store, url, DAY1, retries=0)
    store.coll("catalog_runs").insert_one({"fetched_at": FUTURE, "status": "complete", "listed": 2, "basis": "none"})
    http_server.route("GET", CATALOG, lambda _r: json_reply(one))
    for day in (1, 2, 3):
        result = run_fetch(store, url, DAY1 + day * DAY, retries=0)
    assert result.removed == ("openai/gpt-4-32k",)
    gone = store.coll("catalog").find_one({"openrouter_id": "openai/gpt-4-32k"})
    assert gone is not None and gone["removed_at"] == DAY1 + 3 * DAY
    # five days after the last real fetch, the health check warns that discovery stopped
    end = DAY1 + 8 * DAY
    insert_documents(store, {"successes": [success(end - HOUR)]})
    report = run(store, Window(end - DAY, end), RULES_ONLY, Delivery()).report
    assert any("discovery fetch is 120 h old" in reason for reason in report.assessment.reasons)


# --- 16. errors no window holds ----------------------------------------------------------------


def test_errors_dated_in_the_future_or_with_a_text_ts_are_counted_and_said(store: repository.Store) -> None:
    text_ts = {**gone_error(DAY2 - HOUR), "ts": (DAY2 - HOUR).isoformat()}
    insert_documents(
        store,
        {
            "errors": [gone_error(FUTURE), gone_error(DAY2 + DAY), text_ts, gone_error(DAY2 - 2 * HOUR)],
            "successes": [success(DAY2 - HOUR)],
        },
    )
    outcome = run(store, Window(DAY2 - DAY, DAY2), RULES_ONLY, Delivery())
    note = (
        "Error documents outside every window, not counted: 2 dated in the future and 1 with `ts` stored as text "
        "(check the benchmark writers' clock and the type of `ts`)."
    )
    assert outcome.report.facts.errors == 1  # the one in the window
    assert note in outcome.report.assessment.notes
    assert note in json_report(outcome.report)["notes"]
    assert "Note: Error documents outside every window, not counted: 2 dated in the future" in " ".join(
        outcome.message.get_content().split()
    )


def test_a_clean_collection_has_no_such_note(store: repository.Store) -> None:
    insert_documents(store, {"errors": [gone_error(DAY2 - HOUR)], "successes": [success(DAY2 - HOUR)]})
    outcome = run(store, Window(DAY2 - DAY, DAY2), RULES_ONLY, Delivery())
    assert not any("outside every window" in note for note in outcome.report.assessment.notes)
