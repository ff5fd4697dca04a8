"""Window arithmetic and the pure shaping of aggregated rows into facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from health_factory import NOW, WINDOW, facts, pattern

from api.llm_bench.errors import ConfigError
from api.llm_bench.health.facts import shape_facts, window_for


def test_window_for_days_is_utc_and_fractional() -> None:
    local = NOW.astimezone(dt.timezone(dt.timedelta(hours=5)))
    window = window_for(0.5, local)
    assert window.end == NOW and window.end.utcoffset() == dt.timedelta(0)
    assert window.hours == 12


@pytest.mark.parametrize("days", [0, 0.01, -1, float("nan"), 400])
def test_window_rejects_less_than_an_hour_or_absurd(days: float) -> None:
    with pytest.raises(ConfigError):
        window_for(days, NOW)


def test_one_hour_is_the_minimum() -> None:
    assert window_for(1 / 24, NOW).hours == pytest.approx(1)


def test_models_and_providers_are_folded() -> None:
    f = facts(
        errors=[
            ("openai", "gpt-4", "hard_model", 3, "gone"),
            ("openai", "gpt-4", "network", 1, "reset"),
            ("bedrock", "nova", "auth", 4, "bad token"),
        ],
        ok=[("openai", "gpt-4o", 10), ("openai", "gpt-4", 2)],
    )
    assert (f.successes, f.errors) == (12, 8)
    assert dict(f.errors_by_kind) == {"hard_model": 3, "network": 1, "auth": 4}
    gpt4 = next(m for m in f.models if m.key == "openai:gpt-4")
    assert (gpt4.errors, gpt4.successes, gpt4.kinds[0]) == (4, 2, ("hard_model", 3))
    openai = f.provider("openai")
    assert openai is not None
    assert (openai.successes, openai.errors, openai.models, openai.models_with_errors) == (12, 4, 2, 1)
    assert [m.key for m in f.error_only_models] == ["bedrock:nova"]
    assert f.models[0].key == "bedrock:nova"  # most errors first


def test_most_recent_sample_across_kinds() -> None:
    older = replace(pattern("p", "m", "network", 1, "older"), last_error=NOW - dt.timedelta(hours=3))
    newer = replace(pattern("p", "m", "auth", 1, "newer"), last_error=NOW - dt.timedelta(hours=1))
    (model,) = shape_facts(WINDOW, [older, newer], []).models
    assert model.sample == "newer" and model.last_error == NOW - dt.timedelta(hours=1)


def test_outside_text_is_made_safe_once() -> None:
    f = facts(
        errors=[("pro\x1b[31mvider", "m\u200bodel", "auth", 1, "key sk-proj-abcdefghijklmnopqrstuvwxyz012345 \x07")],
        patterns=[
            {
                "provider": "p",
                "model_name": "m",
                "error_kind": "auth",
                "count": 2,
                "first_seen": NOW,
                "sample_messages": ["Bearer abcdefghijklmnopqrstuv"],
            }
        ],
    )
    (model,) = f.models
    assert model.key == "provider:model"
    assert "sk-proj" not in model.sample and "[REDACTED]" in model.sample and "\x07" not in model.sample
    assert "abcdefghijklmnopqrstuv" not in f.new_patterns[0].sample


def test_empty_window_has_no_facts() -> None:
    f = facts()
    assert (f.successes, f.errors, f.models, f.providers) == (0, 0, (), ())
