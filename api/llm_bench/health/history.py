"""Day over day: what is NEW, ONGOING or RESOLVED since the previous recorded run, and how each
provider moved against the previous window.

A problem is one (provider, model, error kind) with errors, one provider-wide issue, or one
model gone silent; its key is stable across runs, and the ledger keeps when it was first seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..untrusted import safe_text
from .assess import Assessment, failing_as_a_whole
from .facts import HealthFacts

NEW, ONGOING, RESOLVED = "new", "ongoing", "resolved"
MISSED_RUN_SLACK = 1.5  # a previous run older than 1.5 windows means at least one run was missed


@dataclass(frozen=True)
class Problem:
    key: str
    label: str
    mark: str
    since: dt.datetime
    provider: str = ""  # the provider it belongs to; a provider's model problems fold under its own

    def days(self, now: dt.datetime) -> int:
        """On how many days the problem has been reported (today counts)."""
        return int((now - self.since).total_seconds() // 86400) + 1

    @property
    def scope(self) -> str:
        return self.key.split(":", 1)[0]


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


def current_problems(facts: HealthFacts, assessment: Assessment) -> dict[str, tuple[str, str, dt.datetime]]:
    """Problem key -> (label, provider, first error in the window) (a failing provider's models
    collapse into it)."""
    first: dict[tuple[str, str], dt.datetime] = {}
    for p in facts.patterns:
        for key in ((p.provider, ""), (p.key, p.kind)):
            if p.first_error and (key not in first or p.first_error < first[key]):
                first[key] = p.first_error
    start = facts.window.start
    problems = {
        f"provider:{i.provider}:{i.kind}": (i.text, i.provider, first.get((i.provider, ""), start))
        for i in assessment.provider_issues
    }
    collapsed = {p.name for p in facts.providers if failing_as_a_whole(p)}
    for m in facts.failing_models:
        if m.provider not in collapsed:
            for kind, n in m.kinds:
                problems[f"model:{m.key}:{kind}"] = (
                    f"{m.key} {kind} ×{n}",
                    m.provider,
                    first.get((m.key, kind), start),
                )
    problems.update({f"silent:{f.key}": (f"{f.key} went silent", f.provider, start) for f in assessment.went_silent})
    if facts.successes + facts.errors == 0:
        problems["fleet:nothing-ran"] = ("no successes and no errors: the benchmarks did not run", "", start)
    return problems


def _since(value: Any, fallback: dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else fallback


def _finished(previous_run: Mapping[str, Any] | None) -> dt.datetime | None:
    finished = (previous_run or {}).get("finished_at")
    return finished if isinstance(finished, dt.datetime) else None


def compare(
    facts: HealthFacts, assessment: Assessment, previous_run: Mapping[str, Any] | None, now: dt.datetime
) -> Changes:
    current = current_problems(facts, assessment)
    problems_before = (previous_run or {}).get("problems")
    before = {
        str(p["key"]): p
        for p in (problems_before if isinstance(problems_before, list) else [])
        if isinstance(p, Mapping) and "key" in p
    }
    problems = [
        Problem(
            k,
            label,
            ONGOING if k in before else NEW,
            _since(before[k].get("since"), first) if k in before else first,
            provider,
        )
        for k, (label, provider, first) in current.items()
    ]
    problems += [
        Problem(
            k,
            safe_text(p.get("label", k), 300),
            RESOLVED,
            _since(p.get("since"), now),
            safe_text(p.get("provider", ""), 120),
        )
        for k, p in before.items()
        if k not in current
    ]
    order = {NEW: 0, RESOLVED: 1, ONGOING: 2}
    scope = {"fleet": 0, "provider": 1, "silent": 2, "model": 3}  # provider-wide first within each mark
    problems.sort(key=lambda p: (order[p.mark], scope.get(p.scope, 4), p.key))
    return Changes(
        tuple(problems), _provider_changes(facts), _finished(previous_run), tuple(_notes(facts, previous_run))
    )


def _provider_changes(facts: HealthFacts) -> tuple[ProviderChange, ...]:
    if facts.previous is None:
        return ()
    names = sorted({p.name for p in facts.providers} | {p.name for p in facts.previous.providers})
    changes = []
    for name in names:
        now, before = facts.provider(name), facts.previous.provider(name)
        changes.append(
            ProviderChange(
                name,
                now.successes if now else 0,
                now.errors if now else 0,
                now.error_rate if now else 0.0,
                before.successes if before else 0,
                before.errors if before else 0,
                before.error_rate if before else 0.0,
            )
        )
    return tuple(changes)


def _notes(facts: HealthFacts, previous_run: Mapping[str, Any] | None) -> list[str]:
    if not previous_run:
        return ["No previous health run is recorded: every problem is marked NEW."]
    notes = []
    finished = previous_run.get("finished_at")
    if isinstance(finished, dt.datetime) and facts.window.end - finished > dt.timedelta(
        hours=facts.window.hours * MISSED_RUN_SLACK
    ):
        notes.append(f"The previous recorded run finished {finished:%Y-%m-%d %H:%M} UTC: at least one run was missed.")
    mail = previous_run.get("mail")
    if isinstance(mail, Mapping) and mail.get("sent") is False:
        notes.append(
            f"The previous run's report was not mailed ({safe_text(mail.get('error'), 300) or 'unknown error'})."
        )
    return notes
