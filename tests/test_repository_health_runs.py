"""The run ledger and the one-command run context."""

from __future__ import annotations

import datetime as dt

from api.llm_bench import repository
from api.llm_bench.repository.health import insert_documents
from api.llm_bench.repository.health_runs import recent_runs, record_run, run_context

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)


def test_empty_database_gives_an_empty_context(store: repository.Store) -> None:
    assert run_context(store, new_since=NOW, ai_model="gpt-4o-mini") == {
        "previous_run": None,
        "last_complete_fetch": None,
        "catalog_flags": [],
        "models": [],
        "new_models": [],
        "probes": [],
        "ai_price": None,
        "sources": [],
        "misdated_errors": {},
        "trend": [],
        "silences": [],
    }


def test_context_reads_the_latest_run_fetch_flags_and_models(store: repository.Store) -> None:
    record_run(store, {"finished_at": NOW - dt.timedelta(days=2), "status": "healthy", "daily": True})
    record_run(
        store,
        {"finished_at": NOW - dt.timedelta(days=1), "status": "warning", "problems": [{"key": "k"}], "daily": True},
    )
    record_run(store, {"finished_at": NOW - dt.timedelta(hours=1), "status": "healthy", "daily": False})  # manual
    insert_documents(
        store,
        {
            "catalog_runs": [
                {"fetched_at": NOW, "status": "refused"},
                {"fetched_at": NOW - dt.timedelta(hours=3), "status": "complete"},
                {"fetched_at": NOW - dt.timedelta(hours=30), "status": "complete"},
            ],
            "catalog": [
                {"openrouter_id": "a/removed", "removed_at": NOW},
                {"openrouter_id": "a/fine", "missing_since": None},
                {"openrouter_id": "a/expiring", "expiration_date": "2026-12-01"},
            ],
            "models": [{"provider": "openai", "model_id": "gpt-4o", "enabled": True, "deprecated": False}],
        },
    )
    context = run_context(store)
    assert context["previous_run"]["status"] == "warning"
    assert context["last_complete_fetch"] == NOW - dt.timedelta(hours=3)
    assert sorted(f["openrouter_id"] for f in context["catalog_flags"]) == ["a/expiring", "a/removed"]
    (model,) = context["models"]
    assert model.pop("last_success", None) is None  # no success ever (null or absent)
    assert model.pop("last_run", None) is None  # nor one stamped run_ts only
    assert model == {
        "provider": "openai",
        "model_id": "gpt-4o",
        "enabled": True,
        "deprecated": False,
        "listed": [],
        "carried": None,  # no previous run recorded its last success
    }


def test_context_reads_lifecycle_signs_new_models_and_the_ai_price(store: repository.Store) -> None:
    insert_documents(
        store,
        {
            "provider_models": [
                {"provider": "openai", "model_id": "gpt-4o", "deprecation_date": "2026-12-05", "successor": "gpt-4.1"},
                {"provider": "openai", "model_id": "gpt-4.1", "sources": ["registry"]},
                {"provider": "openai", "model_id": "gpt-4o-mini", "input_price": 0.15, "output_price": 0.6},
                {"provider": "groq", "model_id": "old", "sources": ["registry"], "removed_at": NOW},
            ],
            "models": [{"provider": "openai", "model_id": "gpt-4o", "enabled": True}],
            "catalog": [
                {
                    "openrouter_id": "x/new",
                    "first_seen_at": NOW - dt.timedelta(hours=2),
                    "direct_match": {"provider": "openai", "model_id": "gpt-5", "verified_by": "provider"},
                },
                {"openrouter_id": "x/unplaced", "first_seen_at": NOW - dt.timedelta(hours=2), "direct_match": None},
                {
                    "openrouter_id": "x/old",
                    "first_seen_at": NOW - dt.timedelta(days=9),
                    "direct_match": {"provider": "openai", "model_id": "gpt-4"},
                },
            ],
        },
    )
    context = run_context(store, new_since=NOW - dt.timedelta(days=1), ai_model="gpt-4o-mini")
    (listed,) = [m["listed"] for m in context["models"]]
    assert [(d["model_id"], d["deprecation_date"], d["successor"]) for d in listed] == [
        ("gpt-4o", "2026-12-05", "gpt-4.1")
    ]
    assert listed[0]["successor_listed"] == [{"provider": "openai", "model_id": "gpt-4.1"}]
    assert [d["openrouter_id"] for d in context["new_models"]] == ["x/new"]
    assert context["ai_price"] == {"input_price": 0.15, "output_price": 0.6}


def test_recent_runs_newest_first(store: repository.Store) -> None:
    for days in (3, 1, 2):
        record_run(store, {"finished_at": NOW - dt.timedelta(days=days)})
    assert [r["finished_at"] for r in recent_runs(store)] == [NOW - dt.timedelta(days=d) for d in (1, 2, 3)]


def test_errors_with_a_text_ts_are_counted_with_the_ts_index_in_place(store: repository.Store) -> None:
    """`$type` on the `ts` index: a string range there (`$gte: ""`) finds nothing on SecantusDB's
    descending index."""
    repository.ensure_indexes(store)
    insert_documents(
        store,
        {
            "errors": [
                {"ts": "2026-11-26T07:00:00", "provider": "openai"},
                {"ts": "b", "provider": "openai"},
                {"ts": NOW - dt.timedelta(hours=1), "provider": "openai"},
                {"ts": dt.datetime(2030, 1, 1, tzinfo=dt.UTC), "provider": "openai"},
            ]
        },
    )
    assert run_context(store, now=NOW)["misdated_errors"] == {"text": 2, "future": 1}
