"""The deterministic rules: statuses, deprecation, code fixes, provider-wide issues, collapse."""

from __future__ import annotations

from health_factory import facts

from api.llm_bench.health.assess import Status, assess
from api.llm_bench.health.evidence import NO_DISCOVERY_NOTE, evidence_from


def test_no_events_at_all_is_critical() -> None:
    a = assess(facts())
    assert a.status is Status.CRITICAL
    assert "not running" in a.reasons[0]
    assert "scheduler" in a.recommended_actions[0]


def test_a_quiet_healthy_day() -> None:
    a = assess(
        facts(errors=[("openai", "gpt-4o", "transient_provider", 1, "overloaded")], ok=[("openai", "gpt-4o", 50)])
    )
    assert a.status is Status.HEALTHY
    assert not (a.models_likely_deprecated or a.code_fixes_needed or a.provider_issues)


def test_hard_model_without_success_is_likely_deprecated() -> None:
    a = assess(
        facts(
            errors=[
                ("openai", "gpt-4-32k", "hard_model", 4, "deprecated"),
                ("openai", "gpt-4o", "hard_model", 1, "blip"),
            ],
            ok=[("openai", "gpt-4o", 40), ("anthropic", "claude", 40)],
        )
    )
    assert [f.key for f in a.models_likely_deprecated] == ["openai:gpt-4-32k"]
    assert a.status is Status.WARNING


def test_hard_capability_needs_a_code_fix_even_with_successes() -> None:
    a = assess(
        facts(
            errors=[("anthropic", "claude-3-haiku", "hard_capability", 2, "max_tokens: 8192 > 4096")],
            ok=[("anthropic", "claude-3-haiku", 20)],
        )
    )
    assert [f.key for f in a.code_fixes_needed] == ["anthropic:claude-3-haiku"]
    assert "max_tokens" in a.code_fixes_needed[0].detail
    assert any("Fix the request" in x for x in a.recommended_actions)


def test_provider_failing_as_a_whole_collapses_its_models() -> None:
    errors = [("bedrock", f"model-{i}", "hard_model", 3, "access denied") for i in range(5)]
    a = assess(facts(errors=errors, ok=[("openai", "gpt-4o", 100)]))
    assert a.status is Status.CRITICAL
    assert a.models_likely_deprecated == ()
    assert [(i.provider, i.kind) for i in a.provider_issues] == [("bedrock", "failing")]
    assert sum("bedrock" in x for x in a.recommended_actions) == 1


def test_auth_errors_that_dominate_are_a_provider_issue_and_critical() -> None:
    a = assess(facts(errors=[("openai", "o3", "auth", 12, "bad key")], ok=[("openai", "gpt-4o", 8)]))
    assert [(i.provider, i.kind) for i in a.provider_issues] == [("openai", "auth")]
    assert a.status is Status.CRITICAL


def test_one_stray_auth_error_among_successes_is_not_critical() -> None:
    a = assess(facts(errors=[("openai", "o3", "auth", 1, "403 forbidden")], ok=[("openai", "o3", 7), ("x", "y", 30)]))
    assert a.provider_issues == ()
    assert a.status is Status.HEALTHY


def test_a_day_with_nothing_wrong_is_healthy_even_before_discovery_ever_ran() -> None:
    ev = evidence_from({"previous_run": None, "last_complete_fetch": None, "catalog_flags": [], "models": []})
    a = assess(facts(ok=[("openai", "gpt-4o", 24)]), ev)
    assert a.status is Status.HEALTHY
    assert a.notes == (NO_DISCOVERY_NOTE,)
    said = evidence_from({"previous_run": {"notes": [NO_DISCOVERY_NOTE]}, "last_complete_fetch": None})
    assert assess(facts(ok=[("openai", "gpt-4o", 24)]), said).notes == ()  # said once


def test_rate_limit_share_needs_minimum_volume() -> None:
    small = assess(
        facts(errors=[("groq", "llama", "rate_limit", 3, "429")], ok=[("groq", "llama", 2), ("x", "y", 100)])
    )
    assert small.provider_issues == ()
    big = assess(
        facts(errors=[("groq", "llama", "rate_limit", 30, "429")], ok=[("groq", "llama", 70), ("x", "y", 300)])
    )
    assert [(i.provider, i.kind) for i in big.provider_issues] == [("groq", "rate_limit")]
    assert big.status is Status.WARNING


def test_high_error_rate_across_models_is_a_provider_issue() -> None:
    a = assess(
        facts(
            errors=[("together", "a", "transient_provider", 8, "502"), ("together", "b", "network", 8, "reset")],
            ok=[("together", "a", 2), ("together", "b", 2), ("x", "y", 400)],
        )
    )
    assert [(i.provider, i.kind) for i in a.provider_issues] == [("together", "error_rate")]


def test_overall_error_rate_thresholds() -> None:
    warn = assess(
        facts(
            errors=[("p", f"m{i}", "transient_provider", 1, "") for i in range(15)],
            ok=[("p", f"m{i}", 6) for i in range(15)],
        )
    )
    assert warn.status is Status.WARNING and any("of all attempts failed" in r for r in warn.reasons)
    crit = assess(
        facts(
            errors=[("p", f"m{i}", "transient_provider", 4, "") for i in range(15)],
            ok=[("p", f"m{i}", 2) for i in range(15)],
        )
    )
    assert crit.status is Status.CRITICAL


def test_the_readme_status_table_is_the_code_table() -> None:
    from conftest import ROOT

    from api.llm_bench.health.assess import STATUS_RULES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [
        line.strip()
        for line in readme.splitlines()
        if line.strip().startswith(("| CRITICAL |", "| WARNING |", "| HEALTHY |"))
    ]
    assert rows == [f"| {rule.status.value.upper()} | {rule.text} |" for rule in STATUS_RULES]
