"""Day over day: what is NEW, ONGOING or RESOLVED since the previous recorded run, how each
provider moved against the previous window, and the ledger entry that the next run reads.

A problem is one (provider, model, error kind) with errors, one provider-wide issue, or one
model gone silent; its key is stable across runs, and the ledger keeps when it was first seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .assess import Assessment, failing_as_a_whole
from .classification import ClassifiedPattern
from .facts import HealthFacts, Window, shape_facts

if TYPE_CHECKING:  # render imports this module
    from .render import HealthReport

NEW, ONGOING, RESOLVED = "new", "ongoing", "resolved"
MISSED_RUN_SLACK = 1.5  # a previous run older than 1.5 windows means at least one run was missed
SAME_WINDOW = dt.timedelta(minutes=15)  # a recorded window this close to the one before stands in for it
MAX_LEDGER_MODELS = 5000  # per-model counts kept in a ledger entry; beyond, the next run aggregates


@dataclass(frozen=True)
class Problem:
    key: str
    label: str
    mark: str
    since: dt.datetime

    def days(self, now: dt.datetime) -> int:
        """On how many days the problem has been reported (today counts)."""
        return int((now - self.since).total_seconds() // 86400) + 1


@dataclass(frozen=True)
class ProviderChange:
    name: str
    successes: int
    errors: int
    error_rate: float
    previous_successes: int
    previous_errors: int
    previous_error_rate: float


@dataclass(frozen=True)
class Changes:
    problems: tuple[Problem, ...]  # NEW first, then RESOLVED, then ONGOING
    providers: tuple[ProviderChange, ...]
    previous_run_at: dt.datetime | None
    notes: tuple[str, ...]

    def marked(self, mark: str) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.mark == mark)


def current_problems(facts: HealthFacts, assessment: Assessment) -> dict[str, str]:
    """Problem key -> label for this window (a failing provider's models collapse into it)."""
    problems = {f"provider:{i.provider}:{i.kind}": i.text for i in assessment.provider_issues}
    collapsed = {p.name for p in facts.providers if failing_as_a_whole(p)}
    for m in facts.failing_models:
        if m.provider not in collapsed:
            for kind, n in m.kinds:
                problems[f"model:{m.key}:{kind}"] = f"{m.key} {kind} ×{n}"
    problems.update({f"silent:{f.key}": f"{f.key} went silent" for f in assessment.went_silent})
    return problems


def compare(facts: HealthFacts, assessment: Assessment, previous_run: Mapping[str, Any] | None,
            now: dt.datetime) -> Changes:
    current = current_problems(facts, assessment)
    before = {p["key"]: p for p in (previous_run or {}).get("problems", []) if isinstance(p, dict) and "key" in p}
    problems = [Problem(k, label, ONGOING if k in before else NEW, before[k]["since"] if k in before else now)
                for k, label in current.items()]
    problems += [Problem(k, str(p.get("label", k)), RESOLVED, p["since"]) for k, p in before.items() if k not in current]
    order = {NEW: 0, RESOLVED: 1, ONGOING: 2}
    scope = {"provider": 0, "silent": 1, "model": 2}  # provider-wide first within each mark
    problems.sort(key=lambda p: (order[p.mark], scope.get(p.key.split(":", 1)[0], 3), p.key))
    return Changes(tuple(problems), _provider_changes(facts), (previous_run or {}).get("finished_at"),
                   tuple(_notes(facts, previous_run)))


def _provider_changes(facts: HealthFacts) -> tuple[ProviderChange, ...]:
    if facts.previous is None:
        return ()
    names = sorted({p.name for p in facts.providers} | {p.name for p in facts.previous.providers})
    changes = []
    for name in names:
        now, before = facts.provider(name), facts.previous.provider(name)
        changes.append(ProviderChange(
            name, now.successes if now else 0, now.errors if now else 0, now.error_rate if now else 0.0,
            before.successes if before else 0, before.errors if before else 0, before.error_rate if before else 0.0))
    return tuple(changes)


def _notes(facts: HealthFacts, previous_run: Mapping[str, Any] | None) -> list[str]:
    if not previous_run:
        return ["No previous health run is recorded: every problem is marked NEW."]
    notes = []
    finished = previous_run.get("finished_at")
    if isinstance(finished, dt.datetime) and facts.window.end - finished > dt.timedelta(hours=facts.window.hours * MISSED_RUN_SLACK):
        notes.append(f"The previous recorded run finished {finished:%Y-%m-%d %H:%M} UTC: at least one run was missed.")
    mail = previous_run.get("mail") or {}
    if mail.get("sent") is False:
        notes.append(f"The previous run's report was not mailed ({mail.get('error') or 'unknown error'}).")
    return notes


def ledger_entry(report: HealthReport, changes: Changes, summary: Mapping[str, Any], *, mail: Mapping[str, Any],
                 started_at: dt.datetime, version: str, cost_usd: float | None) -> dict[str, Any]:
    """The document recorded in `health_runs` for a real (non-dry) run."""
    return {
        "started_at": started_at,
        "finished_at": report.generated_at,
        "window": {"start": report.facts.window.start, "end": report.facts.window.end, "hours": report.facts.window.hours},
        "totals": {"successes": report.facts.successes, "errors": report.facts.errors},
        "counts": window_counts(report.facts),
        "status": report.assessment.status.value,
        "notes": list(report.assessment.notes),
        "assessment": dict(summary),
        "problems": [{"key": p.key, "label": p.label, "since": p.since} for p in changes.problems if p.mark != RESOLVED],
        "ai": {"used": report.ai.used, "model": report.ai.model, "error": report.ai.error,
               "prompt_tokens": report.ai.prompt_tokens, "completion_tokens": report.ai.completion_tokens,
               "estimated_cost_usd": cost_usd},
        "mail": dict(mail),
        "version": version,
    }


def window_counts(facts: HealthFacts) -> dict[str, Any]:
    """Per-model successes and errors of the window, for the next run's comparison."""
    models = [{"provider": m.provider, "model": m.model, "successes": m.successes, "errors": m.errors}
              for m in facts.models[:MAX_LEDGER_MODELS]]
    return {"complete": len(facts.models) <= MAX_LEDGER_MODELS, "models": models}


def previous_from_ledger(previous_run: Mapping[str, Any] | None, before: Window) -> HealthFacts | None:
    """The facts of the window `before` from the previous run's ledger entry, when that run covered
    the same window (within SAME_WINDOW) and recorded complete counts; else None (aggregate it)."""
    window = (previous_run or {}).get("window")
    counts = (previous_run or {}).get("counts")
    if not isinstance(window, Mapping) or not isinstance(counts, Mapping) or counts.get("complete") is not True:
        return None
    start, end = window.get("start"), window.get("end")
    if not (isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
            and abs(start - before.start) <= SAME_WINDOW and abs(end - before.end) <= SAME_WINDOW):
        return None
    patterns, successes = [], []
    for row in counts.get("models") or []:
        if not isinstance(row, Mapping):
            return None
        provider, model = str(row.get("provider")), str(row.get("model"))
        ok, errors = row.get("successes"), row.get("errors")
        if not (isinstance(ok, int) and isinstance(errors, int)):
            return None
        if ok:
            successes.append({"period": "previous", "provider": provider, "model": model, "count": ok})
        if errors:
            patterns.append(ClassifiedPattern("previous", provider, model, "", "unknown", "unknown", "ledger",
                                              errors, None, None, "", False))
    return shape_facts(Window(start, end), patterns, successes)
