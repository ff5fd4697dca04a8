"""Health-window aggregations run in MongoDB: correct answers and a fixed number of commands."""

from __future__ import annotations

import datetime as dt

from command_counter import CommandCounter

from api.llm_bench import repository
from api.llm_bench.classify.writer import error_document
from api.llm_bench.config import Collections
from api.llm_bench.repository import health as queries

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
START = NOW - dt.timedelta(days=1)


def hours_ago(h: float) -> dt.datetime:
    return NOW - dt.timedelta(hours=h)


def err(h: float, provider: str, model: str, message: str, **extra: object) -> dict[str, object]:
    """An errors_cloud document exactly as the benchmark writer stores it."""
    return {**error_document(provider=provider, model=model, message=message, ts=hours_ago(h)), **extra}


def ok(h: float, provider: str, model: str) -> dict[str, object]:
    """A metrics_cloud_v2 success: the writer stamps run_ts before the call and gen_ts after it."""
    gen = hours_ago(h).replace(microsecond=0)
    return {"provider": provider, "model_name": model, "run_ts": gen - dt.timedelta(seconds=7), "gen_ts": gen}


def test_error_patterns_group_by_fingerprint_and_keep_the_original_text(store: repository.Store) -> None:
    gone = "Error code: 404 - The model `gpt-4` does not exist"
    queries.insert_documents(
        store,
        {
            "errors": [
                err(5, "openai", "gpt-4", gone),
                err(1, "openai", "gpt-4", gone),
                err(3, "openai", "gpt-4", gone),
                err(2, "openai", "gpt-4", "Connection error."),
                err(30, "openai", "gpt-4", "outside the window"),
                {"ts": hours_ago(1), "provider": "groq", "model_name": "llama", "error_kind": "rate_limit"},
            ]
        },
    )
    rows = {(r["provider"], r["model"], r["text"]): r for r in queries.error_patterns(store, START, NOW)}
    assert set(rows) == {("openai", "gpt-4", gone), ("openai", "gpt-4", "Connection error."), ("groq", "llama", "")}
    retired = rows[("openai", "gpt-4", gone)]
    assert (retired["count"], retired["stored_kind"], retired["original"]) == (3, "hard_model", True)
    assert (retired["first_error"], retired["last_error"]) == (hours_ago(5), hours_ago(1))
    assert retired["keyed"] and not retired["seen_before"]
    assert rows[("openai", "gpt-4", "Connection error.")]["stored_kind"] == "unknown"


def test_a_pattern_seen_before_the_window_is_not_new(store: repository.Store) -> None:
    queries.insert_documents(
        store,
        {
            "errors": [
                err(50, "openai", "gpt-4", "boom"),
                err(1, "openai", "gpt-4", "boom"),
                err(2, "openai", "gpt-4", "fresh"),
            ]
        },
    )
    rows = {r["text"]: r for r in queries.error_patterns(store, START, NOW)}
    assert rows["boom"]["seen_before"] and not rows["fresh"]["seen_before"]


def test_the_normalized_message_stands_in_when_no_original_was_kept(store: repository.Store) -> None:
    doc = err(1, "openai", "gpt-4", "Error: The Model `X` Does Not Exist")
    del doc["message"]
    queries.insert_documents(store, {"errors": [doc]})
    (row,) = queries.error_patterns(store, START, NOW)
    assert (row["text"], row["original"]) == ("error: the model `x` does not exist", False)


def test_llm_classifications_and_the_cache_ride_along(store: repository.Store) -> None:
    a = err(1, "openai", "o1-pro", "Error code: 404 - This model is only supported in v1/responses")
    b = err(1, "openai", "gpt-4o", "mystery")
    c = err(1, "groq", "llama", "odd", error_kind="billing", reclassified_by="llm", classification_confidence=0.9)
    queries.insert_documents(
        store,
        {
            "errors": [a, b, c],
            "rollups": [
                {
                    "fingerprint": a["fingerprint"],
                    "classified_by": "llm",
                    "error_kind": "hard_capability",
                    "classification_confidence": 0.95,
                }
            ],
            "error_classes": [{"fingerprint": b["fingerprint"], "kind": "network", "reason": "said so"}],
        },
    )
    rows = {r["fingerprint"]: r for r in queries.error_patterns(store, START, NOW)}
    assert rows[a["fingerprint"]]["llm"] == {"kind": "hard_capability", "confidence": 0.95, "rollup": True}
    assert rows[b["fingerprint"]]["cached"] == {"kind": "network", "reason": "said so", "at": None}
    assert rows[c["fingerprint"]]["llm"] == {"kind": "billing", "confidence": 0.9, "rollup": False}


def test_fields_of_the_wrong_type_never_fail_the_pipeline(store: repository.Store) -> None:
    queries.insert_documents(
        store,
        {
            "errors": [
                {
                    "ts": hours_ago(1),
                    "provider": "openai",
                    "model_name": "gpt-4",
                    "normalized_message": {"raw": {"a": 1}},
                    "fingerprint": "f1",
                    "error_kind": "hard_model",
                },
                {
                    "ts": hours_ago(1),
                    "provider": ["x"],
                    "model_name": 42,
                    "message": ["a"],
                    "normalized_message": ["b"],
                    "fingerprint": {"o": 1},
                    "error_kind": {"$x": 1},
                },
                {"ts": hours_ago(1), "provider": "openai", "model_name": "gpt-4", "message": None, "fingerprint": "f3"},
            ]
        },
    )
    rows = queries.error_patterns(store, START, NOW)
    assert sum(r["count"] for r in rows) == 3
    assert sum(r["unreadable"] for r in rows) == 2
    odd = next(r for r in rows if r["provider"] == "unknown")
    assert (odd["model"], odd["stored_kind"], odd["text"]) == ("unknown", "unknown", "")


def test_success_groups_count_each_success_once(store: repository.Store) -> None:
    queries.insert_documents(
        store,
        {
            "successes": [
                ok(2, "openai", "gpt-4o"),
                ok(3, "openai", "gpt-4o"),
                ok(30, "openai", "gpt-4o"),
                ok(23.9, "vertex", "gemini"),
            ]
        },
    )
    rows = {(r["provider"], r["model"]): r for r in queries.success_groups(store, START, NOW)}
    assert rows[("openai", "gpt-4o")]["count"] == 2
    assert rows[("openai", "gpt-4o")]["last_success"] == hours_ago(2).replace(microsecond=0)
    assert rows[("vertex", "gemini")]["count"] == 1


def test_a_success_stamped_with_run_ts_only_counts_once_at_its_run_ts(store: repository.Store) -> None:
    """Some writers stamp `run_ts` only: such a success counts at its run_ts; a success with a
    `gen_ts` counts at its gen_ts alone, wherever its run_ts falls."""

    def run_only(h: float, model: str) -> dict[str, object]:
        return {"provider": "openai", "model_name": model, "run_ts": hours_ago(h).replace(microsecond=0)}

    straddling = {**ok(1, "openai", "gpt-4o"), "run_ts": hours_ago(25), "gen_ts": hours_ago(23.99)}
    late_gen = {**ok(1, "openai", "gpt-4o"), "run_ts": hours_ago(23.99), "gen_ts": hours_ago(24.5)}
    queries.insert_documents(
        store,
        {
            "successes": [
                ok(2, "openai", "gpt-4o"),
                run_only(3, "gpt-4o"),
                run_only(4, "gpt-4o-mini"),
                {**run_only(5, "gpt-4o-mini"), "gen_ts": None},
                run_only(30, "gpt-4o-mini"),  # previous window
                straddling,
                late_gen,
            ]
        },
    )
    previous = START - dt.timedelta(days=1)
    rows = {(r["period"], r["model"]): r for r in queries.success_groups(store, START, NOW, previous_start=previous)}
    assert rows[("current", "gpt-4o")]["count"] == 3  # gen_ts 2 h, run_ts only 3 h, gen_ts 23.99 h ago
    assert rows[("current", "gpt-4o-mini")]["count"] == 2
    assert rows[("current", "gpt-4o-mini")]["last_success"] == hours_ago(4).replace(microsecond=0)
    assert rows[("previous", "gpt-4o-mini")]["count"] == 1
    assert rows[("previous", "gpt-4o")]["count"] == 1  # late_gen: by its gen_ts


def test_window_bounds_are_start_inclusive_end_exclusive(store: repository.Store) -> None:
    queries.insert_documents(
        store,
        {
            "errors": [
                {"ts": START, "provider": "p", "model_name": "m", "error_kind": "network"},
                {"ts": NOW, "provider": "p", "model_name": "m", "error_kind": "network"},
            ]
        },
    )
    (row,) = queries.error_patterns(store, START, NOW)
    assert row["count"] == 1


def test_empty_window(store: repository.Store) -> None:
    assert queries.error_patterns(store, START, NOW) == []
    assert queries.success_groups(store, START, NOW) == []
    assert queries.new_rollup_patterns(store, START, NOW) == []


def test_new_rollup_patterns_are_those_first_seen_in_the_window(store: repository.Store) -> None:
    queries.insert_documents(
        store,
        {
            "rollups": [
                {
                    "fingerprint": "a",
                    "provider": "openai",
                    "model_name": "gpt-4",
                    "error_kind": "hard_model",
                    "count": 3,
                    "first_seen": hours_ago(2),
                    "last_seen": hours_ago(1),
                    "sample_messages": ["gone", "second"],
                },
                {
                    "fingerprint": "b",
                    "provider": "openai",
                    "model_name": "gpt-4",
                    "error_kind": "auth",
                    "count": 90,
                    "first_seen": hours_ago(100),
                    "last_seen": hours_ago(1),
                    "sample_messages": ["old pattern"],
                },
                {
                    "fingerprint": "c",
                    "provider": "groq",
                    "model_name": "llama",
                    "error_kind": "rate_limit",
                    "count": 7,
                    "first_seen": hours_ago(3),
                    "last_seen": hours_ago(1),
                    "sample_messages": [],
                },
            ]
        },
    )
    rows = queries.new_rollup_patterns(store, START, NOW)
    assert sorted(r["fingerprint"] for r in rows) == ["a", "c"]


def test_error_classes_are_one_document_per_fingerprint_the_latest_answer(store: repository.Store) -> None:
    repository.ensure_indexes(store)
    queries.save_error_classes(store, [{"fingerprint": "f", "kind": "network"}])
    # Re-asked after its answer expired: the new answer replaces the old one.
    queries.save_error_classes(store, [{"fingerprint": "f", "kind": "auth"}, {"fingerprint": "g", "kind": "billing"}])
    docs = {d["fingerprint"]: d["kind"] for d in store.coll("error_classes").find()}
    assert docs == {"f": "auth", "g": "billing"}
    assert store.coll("error_classes").count_documents({}) == 2


def test_command_count_does_not_grow_with_models(mongo_uri: str, db_name: str) -> None:
    from api.llm_bench.health.facts import Window
    from api.llm_bench.health.job import collect, shape

    counts = []
    for n_models in (5, 400):
        counter = CommandCounter()
        store = repository.connect(mongo_uri, f"{db_name}-{n_models}", Collections(), event_listeners=[counter])
        try:
            queries.insert_documents(
                store,
                {
                    "errors": [
                        err(1, f"p{i % 7}", f"m{i}", f"Error code: 503 - overloaded {i % 3}") for i in range(n_models)
                    ],
                    "successes": [ok(2, f"p{i % 7}", f"m{i}") for i in range(n_models)],
                    "models": [
                        {"provider": f"p{i % 7}", "model_id": f"m{i}", "enabled": True} for i in range(n_models)
                    ],
                    "rollups": [
                        {
                            "fingerprint": f"f{i}",
                            "provider": f"p{i % 7}",
                            "model_name": f"m{i}",
                            "count": i,
                            "first_seen": hours_ago(3),
                        }
                        for i in range(n_models)
                    ],
                },
            )
            counter.names.clear()
            collected = collect(store, Window(START, NOW))
            assert len(collected.evidence.models) == n_models
            counts.append(len(counter.names))
            assert len(shape(collected).models) == n_models
        finally:
            store.client.drop_database(f"{db_name}-{n_models}")
            store.close()
    assert counts[0] == counts[1] == 4, counts


def test_window_queries_use_the_timestamp_indexes(store: repository.Store) -> None:
    repository.ensure_indexes(store)
    queries.insert_documents(
        store,
        {
            "errors": [err(h, "openai", "gpt-4", "boom") for h in range(0, 96, 4)],
            "successes": [ok(h, "openai", "gpt-4") for h in range(0, 96, 4)]
            + [{"provider": "openai", "model_name": "gpt-4", "run_ts": hours_ago(h)} for h in range(2, 96, 4)],
        },
    )
    names = store.names
    previous = START - dt.timedelta(days=1)
    errors = queries.error_pipeline(names, START, NOW, previous_start=previous)
    successes = queries.success_pipeline(names, START, NOW, previous_start=previous)
    for collection, pipeline in (
        (names.errors, errors[:2]),
        (names.successes, successes),
        (names.successes, successes[1]["$unionWith"]["pipeline"]),  # the successes stamped run_ts only
    ):
        plan = str(store.db.command("explain", {"aggregate": collection, "pipeline": pipeline, "cursor": {}}))
        assert "IXSCAN" in plan and "COLLSCAN" not in plan, (collection, plan)


def test_a_rollup_first_seen_before_the_window_says_seen_before(store: repository.Store) -> None:
    old = err(1, "openai", "gpt-4", "rolled up long ago")
    late_rollup = err(2, "openai", "gpt-4", "the rollup began late")
    queries.insert_documents(
        store,
        {
            "errors": [old, late_rollup, err(80, "openai", "gpt-4", "the rollup began late")],
            "rollups": [
                {"fingerprint": old["fingerprint"], "first_seen": hours_ago(200)},
                {"fingerprint": late_rollup["fingerprint"], "first_seen": hours_ago(3)},
            ],
        },
    )
    rows = {r["text"]: r for r in queries.error_patterns(store, START, NOW)}
    assert rows["rolled up long ago"]["seen_before"]  # the rollup alone says so
    assert rows["the rollup began late"]["seen_before"]  # the errors' own history says so


def test_rows_whose_cleaned_keys_coincide_are_merged(store: repository.Store) -> None:
    queries.insert_documents(
        store,
        {
            "errors": [
                {**err(1, "x", "m", "boom"), "provider": {"o": 1}, "fingerprint": "f"},
                {**err(2, "x", "m", "boom"), "provider": None, "fingerprint": "f"},
            ]
        },
    )
    (row,) = queries.error_patterns(store, START, NOW)
    assert (row["provider"], row["count"], row["first_error"]) == ("unknown", 2, hours_ago(2))


def test_the_error_aggregation_counts_each_providers_streak_in_the_same_pass(store: repository.Store) -> None:
    """Per pattern, the errors after its provider's last success in the window (all of the
    window's errors for a provider without one), and the first of them; the previous window's
    errors never count, and a provider stored as something else than text is one without."""
    gone, busy = "Error code: 404 - model gone", "Error code: 529 - Overloaded"
    queries.insert_documents(
        store,
        {
            "errors": [
                err(10, "openai", "gpt-4", gone),  # before openai's last success
                err(6, "openai", "gpt-4", gone),  # exactly at it: not after
                err(5, "openai", "gpt-4", gone),
                err(2, "openai", "gpt-4", gone),
                err(3, "openai", "gpt-4o", busy),
                err(4, "$groq", "llama", busy),  # a provider named like a field path
                err(20, "$groq", "llama", busy),
                err(30, "$groq", "llama", busy),  # the previous window
                err(1, "anthropic", "claude", busy),  # no success in the window at all
                {**err(2, "openai", "gpt-4", busy), "provider": {"name": "openai"}},
            ]
        },
    )
    last = {"openai": hours_ago(6), "$groq": hours_ago(8)}
    rows = queries.error_patterns(store, START, NOW, previous_start=START - dt.timedelta(days=1), last_success=last)
    streaks = {(r["provider"], r["model"], r["count"], r["first"]) for r in queries.error_streaks(rows)}
    assert streaks == {
        ("openai", "gpt-4", 2, hours_ago(5)),
        ("openai", "gpt-4o", 1, hours_ago(3)),
        ("$groq", "llama", 1, hours_ago(4)),
        ("anthropic", "claude", 1, hours_ago(1)),
        ("unknown", "gpt-4", 1, hours_ago(2)),
    }
    assert {(r["period"], r["provider"], r["count"]) for r in rows if r["provider"] == "$groq"} == {
        ("current", "$groq", 2),
        ("previous", "$groq", 1),
    }
    # Without last successes (too many providers, or none asked for), no streak is counted.
    assert queries.error_streaks(queries.error_patterns(store, START, NOW)) == []
