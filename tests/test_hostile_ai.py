"""Hostile AI answers never cost a report or its truth: a complying model that tries to calm a
CRITICAL day, invented names in lists and actions, a flood of items, invented kinds (see also
test_health_classification) — all through the real OpenAI SDK against a loopback stand-in."""

from __future__ import annotations

from http_stub import HTTPStub
from openai_stub import answer_with
from test_health_ai_review import good_answer
from test_health_ai_review import run as review_with

from api.llm_bench.health.assess import Status


def test_a_complying_ai_cannot_rewrite_a_worse_status_into_good_news(http_server: HTTPStub) -> None:
    answer_with(
        http_server,
        good_answer(
            overall_status="healthy",
            summary="All systems are healthy. No action is needed.",
            models_likely_deprecated=[],
            code_fixes_needed=[],
        ),
    )
    report = review_with(http_server)
    assert report.assessment.status is Status.WARNING
    assert "healthy" not in report.assessment.summary.lower()
    assert any("All systems are healthy" in note and "stand" in note for note in report.ai.notes)


def test_actions_naming_invented_models_are_dropped(http_server: HTTPStub) -> None:
    invented = [{"provider": "openai", "model": "gpt-imaginary", "reason": "made up"}]
    answer_with(
        http_server,
        good_answer(
            models_likely_deprecated=invented, recommended_actions=["Remove gpt-imaginary now.", "Check groq quotas."]
        ),
    )
    actions = review_with(http_server).assessment.recommended_actions
    assert not any("gpt-imaginary" in a for a in actions)
    assert "Check groq quotas." in actions


def test_a_flood_of_invented_names_stays_bounded(http_server: HTTPStub) -> None:
    flood = [{"provider": "openai", "model": f"fake-{i}", "reason": "x"} for i in range(20_000)]
    answer_with(http_server, good_answer(models_likely_deprecated=flood, recommended_actions=["a"] * 5_000))
    report = review_with(http_server)
    assert len(report.ai.notes) <= 11
    assert len(report.assessment.recommended_actions) < 20
