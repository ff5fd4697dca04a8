"""The email subject and body, and the JSON object, read from one report."""

from __future__ import annotations

import json

from health_factory import NOW, facts

from api.llm_bench.health.assess import assess
from api.llm_bench.health.render import json_report, subject, text_body
from api.llm_bench.health.report import AIInfo, HealthReport
from api.llm_bench.mail import build_message

FACTS = facts(
    errors=[
        ("openai", "gpt-4-32k", "hard_model", 12, "retired"),
        ("bedrock", "a", "auth", 3, "token invalid"),
        ("bedrock", "b", "auth", 3, "token invalid"),
    ],
    ok=[("openai", "gpt-4o", 340)],
    patterns=[
        {
            "provider": "openai",
            "model_name": "gpt-4-32k",
            "error_kind": "hard_model",
            "count": 12,
            "first_seen": NOW,
            "sample_messages": ["retired"],
        }
    ],
)


def report(ai: AIInfo | None = None) -> HealthReport:
    return HealthReport(
        FACTS, assess(FACTS), ai or AIInfo(used=False, model=None, error="the OpenAI request timed out"), NOW
    )


def test_subject_names_status_day_and_counts() -> None:
    assert subject(report()) == "[CRITICAL] LLM Benchmarks Daily Health — 2026-11-26 (UTC) — 18 errors / 340 ok"


def test_body_sections_in_order_and_ai_line() -> None:
    body = text_body(report())
    order = [
        "Status: CRITICAL",
        "Needs action today (2):",
        "Details below.",
        "Summary",
        "Provider-wide issues (1)",
        "Models likely deprecated (1)",
        "Code fixes needed (0)",
        "Recommended actions",
        "(AI assessment unavailable: the OpenAI request timed out",
        "=== Raw metrics ===",
        "Errors by kind",
        "Providers",
        "New error patterns (1)",
        "Top failing models",
    ]
    positions = [body.index(s) for s in order]
    assert positions == sorted(positions)
    assert "- openai:gpt-4-32k" in body and "bedrock: failing as a whole" in body


def test_the_mail_reflows_on_a_phone() -> None:
    message = build_message(subject(report()), text_body(report()), sender=None, recipient="a@example.test", now=NOW)
    assert message.get_param("format") == "flowed"
    for line in message.get_content().splitlines():
        assert len(line.rstrip(" ")) <= 72 or " " not in line.strip(), line


def test_ai_usage_line_when_used() -> None:
    body = text_body(report(AIInfo(used=True, model="gpt-4o-mini", error=None, prompt_tokens=10, completion_tokens=5)))
    assert "AI: gpt-4o-mini, 10 prompt + 5 completion tokens" in body
    assert "unavailable" not in body


def test_json_has_the_documented_keys() -> None:
    data = json.loads(json.dumps(json_report(report())))
    assert data["status"] == "critical"
    assert set(data["window"]) == {"start", "end", "hours"} and data["window"]["hours"] == 24
    assert data["totals"] == {"successes": 340, "errors": 18}
    assert data["errors_by_kind"] == {"hard_model": 12, "auth": 6}
    assert data["providers"]["openai"]["successes"] == 340
    assert data["models_likely_deprecated"] == ["openai:gpt-4-32k"]
    assert data["code_fixes_needed"] == []
    assert data["provider_issues"][0].startswith("bedrock:")
    assert all(isinstance(a, str) for a in data["recommended_actions"])
    assert data["ai"] == {
        "used": False,
        "model": None,
        "error": "the OpenAI request timed out",
        "notes": [],
        "prompt_tokens": 0,
        "completion_tokens": 0,
    }


def test_twenty_thousand_failing_models_make_a_bounded_mail_and_a_complete_json() -> None:
    many = facts(errors=[("together", f"model-{i}", "unknown", 1, f"odd failure {i}") for i in range(20_000)])
    big = HealthReport(many, assess(many), AIInfo(used=False, model=None, error=None), NOW)
    body = text_body(big)
    assert len(body) < 40_000
    assert "- and 19985 more (all are in --format json)" in body
    assert len(json_report(big)["failing_models"]) == 20_000


def test_the_mail_needs_no_monospace_table() -> None:
    body = text_body(report())
    assert "- openai: 340 ok, 12 errors, 3.4%" in body
    assert "- hard_model: 12" in body


def test_notes_on_the_ai_answer_follow_the_findings_once_each() -> None:
    dropped = "AI named model 'openai:gpt-5' which is not in the data: dropped"
    body = text_body(report(AIInfo(used=True, model="gpt-4o-mini", error=None, notes=(dropped, dropped))))
    assert body.count(dropped) == 1
    assert body.index("Recommended actions") < body.index(dropped) < body.index("=== Raw metrics ===")
    assert body.index("Summary") < body.index("Models likely deprecated") < body.index(dropped)
