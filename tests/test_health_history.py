"""Day over day: NEW / ONGOING / RESOLVED marks, provider change, notes about the previous run."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from health_factory import NOW, WINDOW, facts

from api.llm_bench.health.assess import assess
from api.llm_bench.health.facts import Window
from api.llm_bench.health.history import NEW, ONGOING, compare, current_problems

YESTERDAY = Window(WINDOW.start - dt.timedelta(days=1), WINDOW.start)


def today_facts():  # type: ignore[no-untyped-def]
    f = facts(
        errors=[("openai", "gpt-4-32k", "hard_model", 5, "gone"), ("groq", "llama", "rate_limit", 4, "429")],
        ok=[("openai", "gpt-4o", 40), ("groq", "llama", 30)],
    )
    before = replace(
        facts(errors=[("groq", "llama", "rate_limit", 9, "429")], ok=[("openai", "gpt-4o", 44), ("groq", "llama", 20)]),
        window=YESTERDAY,
    )
    return replace(f, previous=before)


def previous_run(**overrides: object) -> dict[str, object]:
    run: dict[str, object] = {
        "finished_at": WINDOW.start,
        "mail": {"sent": True},
        "problems": [
            {
                "key": "model:groq:llama:rate_limit",
                "label": "groq:llama rate_limit ×9",
                "since": NOW - dt.timedelta(days=2),
            },
            {
                "key": "model:vertex:gemini:network",
                "label": "vertex:gemini network ×3",
                "since": NOW - dt.timedelta(days=1),
            },
        ],
    }
    run.update(overrides)
    return run


def test_marks_against_the_previous_run() -> None:
    f = today_facts()
    changes = compare(f, assess(f), previous_run(), NOW)
    marks = {p.key: p.mark for p in changes.problems}
    assert marks == {
        "model:openai:gpt-4-32k": NEW,
        "model:groq:llama": ONGOING,  # recorded as model:groq:llama:rate_limit: the kind is not its identity
        "model:vertex:gemini": ONGOING,  # no data about it today: absence of data resolves nothing
    }
    assert [p.mark for p in changes.problems] == [NEW, ONGOING, ONGOING]  # what is new leads
    ongoing = next(p for p in changes.problems if p.key == "model:groq:llama")
    assert ongoing.since == NOW - dt.timedelta(days=2) and ongoing.days(NOW) == 3
    assert next(p for p in changes.problems if p.key == "model:vertex:gemini").label.endswith(
        "(no data in this window)"
    )
    assert changes.notes == ()


def test_provider_change_against_the_previous_window() -> None:
    f = today_facts()
    changes = {c.name: c for c in compare(f, assess(f), previous_run(), NOW).providers}
    groq = changes["groq"]
    assert (groq.successes, groq.previous_successes, groq.errors, groq.previous_errors) == (30, 20, 4, 9)
    assert round(groq.previous_error_rate, 3) == round(9 / 29, 3)


def test_no_previous_run_marks_everything_new_and_says_so() -> None:
    f = today_facts()
    changes = compare(f, assess(f), None, NOW)
    assert {p.mark for p in changes.problems} == {NEW}
    assert "No previous health run" in changes.notes[0]


def test_missed_and_failed_previous_runs_are_mentioned() -> None:
    f = today_facts()
    stale = compare(f, assess(f), previous_run(finished_at=NOW - dt.timedelta(days=3)), NOW)
    assert "at least one run was missed" in stale.notes[0]
    failed = compare(f, assess(f), previous_run(mail={"sent": False, "error": "msmtp exited with status 1"}), NOW)
    assert "not mailed (msmtp exited with status 1)" in failed.notes[0]


def test_a_failing_provider_is_one_problem_not_one_per_model() -> None:
    f = facts(
        errors=[("bedrock", f"m{i}", "auth", 3, "token invalid") for i in range(6)], ok=[("openai", "gpt-4o", 50)]
    )
    assert list(current_problems(f, assess(f))) == ["provider:bedrock"]


def test_silent_provider_is_a_problem() -> None:
    f = replace(
        facts(ok=[("openai", "gpt-4o", 40)]),
        previous=replace(facts(ok=[("openai", "gpt-4o", 40), ("cerebras", "llama", 12)]), window=YESTERDAY),
    )
    a = assess(f)
    assert [(i.provider, i.kind) for i in a.provider_issues] == [("cerebras", "silent")]
    assert "provider:cerebras" in current_problems(f, a)


@pytest.mark.parametrize(
    "run",
    [
        {"problems": [{"key": "model:openai:gpt-4:hard_model", "label": "x"}]},  # no since
        {"problems": [{"key": "model:openai:gpt-4:hard_model", "since": "yesterday"}], "mail": "sent"},
        {"problems": "many", "mail": {"sent": False, "error": "\x1b[31m554 refused"}, "finished_at": "now"},
        {"problems": [None, 3, {"label": "no key"}]},
    ],
)
def test_a_malformed_ledger_entry_never_crashes_the_next_run(run: dict[str, object]) -> None:
    f = facts(errors=[("openai", "gpt-4", "hard_model", 2, "gone")])
    changes = compare(f, assess(f), run, NOW)
    assert all(isinstance(p.since, dt.datetime) for p in changes.problems)
    assert not any("\x1b" in note for note in changes.notes)


def test_new_problems_date_from_their_first_error_in_the_window() -> None:
    f = facts(errors=[("openai", "gpt-4", "hard_model", 2, "gone")])
    (problem,) = [p for p in compare(f, assess(f), {"problems": []}, NOW).problems if p.scope == "model"]
    assert problem.since == NOW - dt.timedelta(hours=2)
