"""Health-window aggregations run in MongoDB: correct answers and a fixed number of commands."""

from __future__ import annotations

import datetime as dt

from command_counter import CommandCounter

from api.llm_bench import repository
from api.llm_bench.config import Collections
from api.llm_bench.repository import health as queries

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone.utc)
START = NOW - dt.timedelta(days=1)


def hours_ago(h: float) -> dt.datetime:
    return NOW - dt.timedelta(hours=h)


def test_error_groups_count_kinds_and_keep_the_most_recent_sample(store: repository.Store) -> None:
    queries.insert_documents(store, {"errors": [
        {"ts": hours_ago(5), "provider": "openai", "model_name": "gpt-4", "error_kind": "hard_model", "normalized_message": "old"},
        {"ts": hours_ago(1), "provider": "openai", "model_name": "gpt-4", "error_kind": "hard_model", "normalized_message": "newest"},
        {"ts": hours_ago(3), "provider": "openai", "model_name": "gpt-4", "error_kind": "hard_model", "normalized_message": "middle"},
        {"ts": hours_ago(2), "provider": "openai", "model_name": "gpt-4", "error_kind": "bogus", "normalized_message": "odd"},
        {"ts": hours_ago(2), "provider": "openai", "model_name": "gpt-4", "normalized_message": "no kind"},
        {"ts": hours_ago(30), "provider": "openai", "model_name": "gpt-4", "error_kind": "auth", "normalized_message": "outside"},
        {"ts": hours_ago(1), "provider": "groq", "model_name": "llama", "error_kind": "rate_limit"},
    ]})
    rows = {(r["provider"], r["model"], r["kind"]): r for r in queries.error_groups(store, START, NOW)}
    assert set(rows) == {("openai", "gpt-4", "hard_model"), ("openai", "gpt-4", "unknown"), ("groq", "llama", "rate_limit")}
    hard = rows[("openai", "gpt-4", "hard_model")]
    assert hard["count"] == 3
    assert hard["sample"] == "newest"
    assert hard["last_error"] == hours_ago(1)
    assert rows[("openai", "gpt-4", "unknown")]["count"] == 2  # unrecognised and missing kinds
    assert rows[("groq", "llama", "rate_limit")]["sample"] == ""


def test_sample_is_cut_in_the_database(store: repository.Store) -> None:
    queries.insert_documents(store, {"errors": [{"ts": hours_ago(1), "provider": "p", "model_name": "m",
                                                 "error_kind": "unknown", "normalized_message": "x" * 5000}]})
    (row,) = queries.error_groups(store, START, NOW, sample_chars=100)
    assert len(row["sample"]) == 100


def test_success_groups_use_gen_ts_then_run_ts(store: repository.Store) -> None:
    queries.insert_documents(store, {"successes": [
        {"provider": "openai", "model_name": "gpt-4o", "gen_ts": hours_ago(2)},
        {"provider": "openai", "model_name": "gpt-4o", "run_ts": hours_ago(3)},
        # gen_ts wins when both are present: this one is outside the window
        {"provider": "openai", "model_name": "gpt-4o", "gen_ts": hours_ago(40), "run_ts": hours_ago(1)},
        {"provider": "openai", "model_name": "gpt-4o", "run_ts": hours_ago(30)},
        {"provider": "vertex", "model_name": "gemini", "run_ts": hours_ago(23.9)},
    ]})
    rows = {(r["provider"], r["model"]): r for r in queries.success_groups(store, START, NOW)}
    assert rows[("openai", "gpt-4o")]["count"] == 2
    assert rows[("openai", "gpt-4o")]["last_success"] == hours_ago(2)
    assert rows[("vertex", "gemini")]["count"] == 1


def test_window_bounds_are_start_inclusive_end_exclusive(store: repository.Store) -> None:
    queries.insert_documents(store, {"errors": [
        {"ts": START, "provider": "p", "model_name": "m", "error_kind": "network"},
        {"ts": NOW, "provider": "p", "model_name": "m", "error_kind": "network"},
    ]})
    (row,) = queries.error_groups(store, START, NOW)
    assert row["count"] == 1


def test_empty_window(store: repository.Store) -> None:
    assert queries.error_groups(store, START, NOW) == []
    assert queries.success_groups(store, START, NOW) == []
    assert queries.new_error_patterns(store, START, NOW) == []


def test_new_error_patterns_are_those_first_seen_in_the_window(store: repository.Store) -> None:
    queries.insert_documents(store, {"rollups": [
        {"fingerprint": "a", "provider": "openai", "model_name": "gpt-4", "error_kind": "hard_model", "count": 3,
         "first_seen": hours_ago(2), "last_seen": hours_ago(1), "sample_messages": ["gone", "second"]},
        {"fingerprint": "b", "provider": "openai", "model_name": "gpt-4", "error_kind": "auth", "count": 90,
         "first_seen": hours_ago(100), "last_seen": hours_ago(1), "sample_messages": ["old pattern"]},
        {"fingerprint": "c", "provider": "groq", "model_name": "llama", "error_kind": "rate_limit", "count": 7,
         "first_seen": hours_ago(3), "last_seen": hours_ago(1), "sample_messages": []},
    ]})
    rows = queries.new_error_patterns(store, START, NOW)
    assert [r["fingerprint"] for r in rows] == ["c", "a"]  # most frequent first
    assert rows[1]["sample_messages"] == ["gone"]


def test_command_count_does_not_grow_with_models(mongo_uri: str, db_name: str) -> None:
    from api.llm_bench.health.facts import Window
    from api.llm_bench.health.job import collect

    counts = []
    for n_models in (5, 400):
        counter = CommandCounter()
        store = repository.connect(mongo_uri, f"{db_name}-{n_models}", Collections(), event_listeners=[counter])
        try:
            queries.insert_documents(store, {
                "errors": [{"ts": hours_ago(1), "provider": f"p{i % 7}", "model_name": f"m{i}", "error_kind": "network"}
                           for i in range(n_models)],
                "successes": [{"gen_ts": hours_ago(2), "provider": f"p{i % 7}", "model_name": f"m{i}"}
                              for i in range(n_models)],
                "models": [{"provider": f"p{i % 7}", "model_id": f"m{i}", "enabled": True} for i in range(n_models)],
                "rollups": [{"fingerprint": f"f{i}", "provider": f"p{i % 7}", "model_name": f"m{i}", "count": i,
                             "first_seen": hours_ago(3)} for i in range(n_models)],
            })
            counter.names.clear()
            facts, evidence = collect(store, Window(START, NOW))
            assert len(evidence.models) == n_models
            counts.append(len(counter.names))
            assert len(facts.models) == n_models
        finally:
            store.client.drop_database(f"{db_name}-{n_models}")
            store.close()
    assert counts[0] == counts[1] <= 6, counts


def test_window_queries_use_the_timestamp_indexes(store: repository.Store) -> None:
    repository.ensure_indexes(store)
    queries.insert_documents(store, {
        "errors": [{"ts": hours_ago(h), "provider": "openai", "model_name": "gpt-4"} for h in range(0, 96, 4)],
        "successes": [{"gen_ts" if h % 8 else "run_ts": hours_ago(h), "provider": "openai", "model_name": "gpt-4"}
                      for h in range(0, 96, 4)],
    })
    names = store.names
    successes = queries.success_pipeline(names.successes, START, NOW, previous_start=START - dt.timedelta(days=1))
    run_ts_branch = successes[1]["$unionWith"]["pipeline"]  # some servers leave it out of the explain
    for collection, pipeline in ((names.errors, queries.error_pipeline(START, NOW)), (names.successes, successes),
                                 (names.successes, run_ts_branch)):
        plan = str(store.db.command("explain", {"aggregate": collection, "pipeline": pipeline, "cursor": {}}))
        assert "IXSCAN" in plan and "COLLSCAN" not in plan, (collection, plan)
