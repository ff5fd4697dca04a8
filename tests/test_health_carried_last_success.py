"""Each enabled model's last success ever is carried by the ledger from one daily run to the next:
the run context looks up only the models no usable record speaks for, and a run's last success
is the later of the carried one and the window's. The real job on SecantusDB, with the clock it
is given."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import Any

from api.llm_bench import repository
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import AIChoice, Delivery, Outcome, run
from api.llm_bench.repository.health import insert_documents
from api.llm_bench.repository.health_runs import LAST_SUCCESS_FIELD, run_context

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DAY1 = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
DAY2 = DAY1 + DAY
OLD = DAY1 - 5 * DAY  # long before every window
RULES_ONLY = AIChoice(None, "gpt-4o-mini")
MODELS = ("gpt-4o", "gpt-4-32k", "gpt-4.1", "o3")


def success(model: str, at: dt.datetime) -> dict[str, Any]:
    return {"provider": "openai", "model_name": model, "run_ts": at - dt.timedelta(seconds=5), "gen_ts": at}


def mailed(store: repository.Store, end: dt.datetime) -> Outcome:
    outbox: list[EmailMessage] = []
    return run(store, Window(end - DAY, end), RULES_ONLY, Delivery(recipient="ops@example.test", send=outbox.append))


def gaps(outcome: Outcome) -> dict[str, dt.datetime | None]:
    fleet = outcome.report.assessment.fleet
    assert fleet is not None
    return {g.model: g.last_success for g in fleet.coverage.not_measured}


def carried(store: repository.Store, end: dt.datetime) -> dict[str, Any]:
    """What the run context gives each model for a daily window ending at `end`: the carried
    record when it stands in, else the look-up."""
    context = run_context(store, new_since=end - DAY, now=end, carry_since=end - DAY)
    return {
        m["model_id"]: ("carried", m["carried"]["at"]) if m["carried"] else ("looked up", m.get("last_success"))
        for m in context["models"]
    }


def test_an_old_last_success_is_carried_across_runs_and_merged_with_the_window(store: repository.Store) -> None:
    repository.ensure_indexes(store)
    insert_documents(
        store,
        {
            "models": [{"provider": "openai", "model_id": m, "enabled": True, "deprecated": False} for m in MODELS],
            "successes": [
                success("gpt-4o", DAY1 - 2 * HOUR),
                success("gpt-4o", DAY2 - 2 * HOUR),
                success("gpt-4-32k", OLD),  # silent since, in both windows
                success("gpt-4.1", OLD),  # silent on day 1, back on day 2
                success("gpt-4.1", DAY2 - 3 * HOUR),
            ],  # o3 never succeeded
        },
    )
    first = mailed(store, DAY1)
    assert gaps(first) == {"gpt-4-32k": OLD, "gpt-4.1": OLD, "o3": None}
    recorded = store.coll("health_runs").find_one({}, {"_id": 0, LAST_SUCCESS_FIELD: 1})
    assert recorded is not None
    assert {r["model"]: r["at"] for r in recorded[LAST_SUCCESS_FIELD]} == {
        "gpt-4o": DAY1 - 2 * HOUR,
        "gpt-4-32k": OLD,
        "gpt-4.1": OLD,
        "o3": None,
    }
    # The next day every model's record stands in for its look-up; the old success is kept even
    # once retention dropped it from the collection.
    store.coll("successes").delete_many({"model_name": "gpt-4-32k"})
    assert carried(store, DAY2) == {
        "gpt-4o": ("carried", DAY1 - 2 * HOUR),
        "gpt-4-32k": ("carried", OLD),
        "gpt-4.1": ("carried", OLD),
        "o3": ("carried", None),
    }
    second = mailed(store, DAY2)
    assert gaps(second) == {"gpt-4-32k": OLD, "o3": None}
    latest = store.coll("health_runs").find_one({"finished_at": DAY2}, {"_id": 0, LAST_SUCCESS_FIELD: 1})
    assert latest is not None
    assert {r["model"]: r["at"] for r in latest[LAST_SUCCESS_FIELD]} == {
        "gpt-4o": DAY2 - 2 * HOUR,
        "gpt-4-32k": OLD,
        "gpt-4.1": DAY2 - 3 * HOUR,  # the window's success, later than the carried one
        "o3": None,
    }
    # A model enabled since has no record: it is looked up.
    insert_documents(
        store,
        {
            "models": [{"provider": "openai", "model_id": "o4-mini", "enabled": True, "deprecated": False}],
            "successes": [success("o4-mini", OLD)],
        },
    )
    third = carried(store, DAY2 + DAY)
    assert third["o4-mini"] == ("looked up", {"gen_ts": OLD, "run_ts": OLD - dt.timedelta(seconds=5)})
    assert third["gpt-4-32k"] == ("carried", OLD)


def test_a_record_that_cannot_stand_in_is_not_used(store: repository.Store) -> None:
    insert_documents(
        store,
        {
            "models": [{"provider": "openai", "model_id": "gpt-4o", "enabled": True, "deprecated": False}],
            "successes": [success("gpt-4o", OLD), success("gpt-4o", DAY1 - MINUTE)],
        },
    )
    mailed(store, DAY1)
    # A replay that ends before the recorded run's last success (within the clock skew, so that
    # run is still the previous one): the later moment is not carried, the look-up answers.
    replay = DAY1 - 3 * MINUTE
    assert carried(store, replay) == {"gpt-4o": ("looked up", {"gen_ts": OLD, "run_ts": OLD - dt.timedelta(seconds=5)})}
    assert run_context(store, now=replay)["previous_run"]["finished_at"] == DAY1
    assert gaps(run(store, Window(replay - DAY, replay), RULES_ONLY, Delivery())) == {"gpt-4o": OLD}
    # A run two days later: successes of the day between would be missed, so nothing is carried.
    assert carried(store, DAY2 + DAY)["gpt-4o"][0] == "looked up"
    # The day after, the record stands in.
    assert carried(store, DAY2) == {"gpt-4o": ("carried", DAY1 - MINUTE)}
    # A ledger entry dated in 2030 is never the previous run: its record is not carried either.
    poisoned = store.coll("health_runs").find_one({}, {"_id": 0})
    assert poisoned is not None
    future = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    store.coll("health_runs").insert_one(
        {
            **poisoned,
            "finished_at": future,
            "window": {"start": future - DAY, "end": future, "hours": 24.0},
            LAST_SUCCESS_FIELD: [{"provider": "openai", "model": "gpt-4o", "at": DAY2 - MINUTE}],
        }
    )
    assert carried(store, DAY2) == {"gpt-4o": ("carried", DAY1 - MINUTE)}
