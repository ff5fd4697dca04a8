"""The fleet's pure rules: cadence, streak thresholds, source freshness, defensive reading."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from health_factory import NOW, facts

from api.llm_bench.health.assess import Status, assess
from api.llm_bench.health.fleet import (
    MIN_STREAK_ERRORS,
    enabled_models,
    judge,
    stale_sources,
    stalled,
)

HOUR = dt.timedelta(hours=1)


def with_span(f, key: str, first: dt.datetime, last: dt.datetime):  # type: ignore[no-untyped-def]
    models = tuple(replace(m, first_success=first, last_success=last) if m.key == key else m for m in f.models)
    return replace(f, models=models)


def test_a_model_is_stalled_only_against_its_own_cadence() -> None:
    hourly = with_span(facts(ok=[("openai", "gpt-4o", 20)]), "openai:gpt-4o", NOW - 24 * HOUR, NOW - 5 * HOUR)
    assert stalled(hourly.models[0], NOW) == HOUR  # 5 h without its hourly success
    every_six = with_span(facts(ok=[("openai", "gpt-4o", 4)]), "openai:gpt-4o", NOW - 23 * HOUR, NOW - 5 * HOUR)
    assert stalled(every_six.models[0], NOW) is None  # 5 h is less than three of its 6-hour intervals
    recent = with_span(facts(ok=[("openai", "gpt-4o", 20)]), "openai:gpt-4o", NOW - 22 * HOUR, NOW - 2 * HOUR)
    assert stalled(recent.models[0], NOW) is None  # under the 3 h floor
    once = with_span(facts(ok=[("openai", "gpt-4o", 1)]), "openai:gpt-4o", NOW - 20 * HOUR, NOW - 20 * HOUR)
    assert stalled(once.models[0], NOW) is None  # one success tells no cadence


def streak_rows(provider: str, models: list[str], count: int, first: dt.datetime, kind: str = "auth"):  # type: ignore[no-untyped-def]
    rows = [
        {
            "provider": provider,
            "model": m,
            "fingerprint": f"fp-{m}",
            "stored_kind": "unknown",
            "count": count,
            "first": first,
        }
        for m in models
    ]
    kinds = {(provider, m, f"fp-{m}", "unknown"): kind for m in models}
    return rows, kinds


def test_a_short_or_small_streak_is_not_a_provider_issue() -> None:
    f = facts(
        errors=[("bedrock", "a", "auth", 2, "denied"), ("bedrock", "b", "auth", 2, "denied")],
        ok=[("bedrock", "a", 30), ("bedrock", "b", 30)],
    )
    models = [{"provider": "bedrock", "model_id": m, "enabled": True} for m in ("a", "b")]
    rows, kinds = streak_rows("bedrock", ["a", "b"], 2, NOW - 3 * HOUR)
    assert judge(f, models, None, rows, kinds, []).streaks == ()  # 4 errors < MIN_STREAK_ERRORS
    rows, kinds = streak_rows("bedrock", ["a", "b"], MIN_STREAK_ERRORS, NOW - HOUR / 2)
    assert judge(f, models, None, rows, kinds, []).streaks == ()  # began under an hour ago
    rows, kinds = streak_rows("bedrock", ["a", "b"], MIN_STREAK_ERRORS, NOW - 2 * HOUR)
    fleet = judge(f, models, None, rows, kinds, [])
    assert [s.access for s in fleet.streaks] == ["auth"]
    assert assess(f, None, fleet).status is Status.CRITICAL


def test_one_model_failing_after_its_provider_last_succeeded_is_not_the_provider() -> None:
    f = facts(errors=[("openai", "gpt-4-32k", "hard_model", 9, "gone")], ok=[("openai", "gpt-4o", 30)])
    models = [{"provider": "openai", "model_id": m, "enabled": True} for m in ("gpt-4o", "gpt-4-32k")]
    rows, kinds = streak_rows("openai", ["gpt-4-32k"], 9, NOW - 5 * HOUR, "hard_model")
    fleet = judge(f, models, None, rows, kinds, [])
    a = assess(f, None, fleet)
    assert [i.kind for i in a.provider_issues] == []
    assert [x.key for x in a.models_likely_deprecated] == ["openai:gpt-4-32k"]


def test_the_models_list_is_read_defensively() -> None:
    docs = [
        {"provider": "openai", "model_id": "gpt-4o", "enabled": True, "last_success": {"gen_ts": "yesterday"}},
        {"provider": {"$gt": ""}, "model_id": "x", "enabled": True},
        {"provider": "openai", "model_id": "gpt-4o-mini", "enabled": "yes"},
        {"provider": "openai", "model_id": "o3", "enabled": True, "deprecated": True},
        {"provider": "groq", "model_id": "llama\x1b[31m", "enabled": True, "last_success": {"run_ts": NOW - HOUR}},
        {"provider": "groq", "model_id": "future", "enabled": True, "last_success": {"gen_ts": NOW + HOUR}},
    ]
    found = {m.key: m.last_success for m in enabled_models(docs, NOW)}
    assert found == {"openai:gpt-4o": None, "groq:llama": NOW - HOUR, "groq:future": None}


def test_a_source_refused_for_more_than_48_hours_is_stale() -> None:
    rows = [
        {
            "source": "provider:openai",
            "last_attempt": NOW,
            "first_attempt": NOW - 100 * HOUR,
            "last_status": "refused",
            "last_message": "401",
            "last_complete": NOW - 60 * HOUR,
        },
        {
            "source": "provider:groq",
            "last_attempt": NOW,
            "last_status": "unavailable",
            "last_complete": NOW - 20 * HOUR,
        },
        {"source": "registry", "last_attempt": NOW, "last_status": "complete", "last_complete": NOW},
        {
            "source": "provider:together",
            "last_attempt": NOW,
            "first_attempt": NOW - 72 * HOUR,
            "last_status": "refused",
            "last_complete": None,
        },
    ]
    assert [lag.source for lag in stale_sources(rows, NOW)] == ["provider:openai", "provider:together"]


def test_two_models_broken_their_own_way_are_not_a_provider_outage() -> None:
    f = facts(
        errors=[
            ("openai", "gpt-4-32k", "hard_model", 9, "gone"),
            ("openai", "o1-pro", "hard_capability", 9, "v1/responses"),
        ],
        ok=[("openai", "gpt-4o", 30)],
    )
    models = [{"provider": "openai", "model_id": m, "enabled": True} for m in ("gpt-4o", "gpt-4-32k", "o1-pro")]
    rows, kinds = streak_rows("openai", ["gpt-4-32k"], 9, NOW - 9 * HOUR, "hard_model")
    more, more_kinds = streak_rows("openai", ["o1-pro"], 9, NOW - 9 * HOUR, "hard_capability")
    fleet = judge(f, models, None, rows + more, {**kinds, **more_kinds}, [])
    assert fleet.streaks and not fleet.streaks[0].provider_wide
    a = assess(f, None, fleet)
    assert a.provider_issues == ()  # (the day is CRITICAL for its coverage, 1 of 3, not for an outage)
    assert [x.key for x in a.models_likely_deprecated] == ["openai:gpt-4-32k"]
    assert [x.key for x in a.code_fixes_needed] == ["openai:o1-pro"]
