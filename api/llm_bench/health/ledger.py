"""The run ledger document: what a real health run records in `health_runs`, and what the
next run reads back from it (its problems, notes and the per-model counts that stand in for
the previous window). A versioned shape of its own (`schema`), independent of `--format json`,
with every list bounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..repository.health_runs import DAILY_HOURS, LAST_SUCCESS_FIELD
from .classification import ClassifiedPattern
from .facts import HealthFacts, Window, shape_facts
from .fleet import recorded_enabled, recorded_last_successes
from .history import RESOLVED, Changes
from .report import HealthReport

SAME_WINDOW = dt.timedelta(minutes=15)  # a recorded window this close to the one before stands in for it
MAX_LEDGER_MODELS = 5000  # per-model counts kept in a ledger entry; beyond, the next run aggregates
MAX_LEDGER_PROBLEMS = 2000
LEDGER_SCHEMA = 3  # 2: `daily`, `enabled`, problems keyed without their error kind; `coverage`, `providers`
# 3: `last_success_ever`
MAX_LEDGER_ITEMS = 200  # per list of the recorded assessment


def ledger_entry(
    report: HealthReport,
    changes: Changes,
    *,
    mail: Mapping[str, Any],
    started_at: dt.datetime,
    version: str,
    cost_usd: float | None,
) -> dict[str, Any]:
    """The document recorded in `health_runs` for a real (non-dry) run."""
    a = report.assessment
    return {
        "schema": LEDGER_SCHEMA,
        "started_at": started_at,
        "finished_at": report.generated_at,
        "window": {
            "start": report.facts.window.start,
            "end": report.facts.window.end,
            "hours": report.facts.window.hours,
        },
        "totals": {"successes": report.facts.successes, "errors": report.facts.errors},
        "counts": window_counts(report.facts),
        "daily": is_daily(report.facts.window),
        "enabled": recorded_enabled(a.fleet) if a.fleet else None,
        LAST_SUCCESS_FIELD: recorded_last_successes(a.fleet) if a.fleet else None,
        "coverage": (
            {"enabled": a.fleet.coverage.enabled, "measured": a.fleet.coverage.measured}
            if a.fleet and a.fleet.coverage.known
            else None
        ),
        "providers": [
            {"provider": p.name, "successes": p.successes, "errors": p.errors}
            for p in report.facts.providers[:MAX_LEDGER_ITEMS]
        ],
        "status": report.assessment.status.value,
        "notes": list(report.assessment.notes),
        "assessment": {
            "summary": a.summary,
            "reasons": list(a.reasons[:MAX_LEDGER_ITEMS]),
            "models_likely_deprecated": [f.key for f in a.models_likely_deprecated[:MAX_LEDGER_ITEMS]],
            "code_fixes_needed": [f.key for f in a.code_fixes_needed[:MAX_LEDGER_ITEMS]],
            "provider_issues": [i.text for i in a.provider_issues[:MAX_LEDGER_ITEMS]],
            "recommended_actions": list(a.recommended_actions[:MAX_LEDGER_ITEMS]),
            "errors_by_kind": dict(report.facts.errors_by_kind),
        },
        "silenced": [g.to_dict() for g in a.silenced[:MAX_LEDGER_ITEMS]],
        "problems": [
            {"key": p.key, "label": p.label, "since": p.since, "provider": p.provider}
            for p in changes.problems
            if p.mark != RESOLVED
        ][:MAX_LEDGER_PROBLEMS],
        "ai": {
            "used": report.ai.used,
            "model": report.ai.model,
            "error": report.ai.error,
            "prompt_tokens": report.ai.prompt_tokens,
            "completion_tokens": report.ai.completion_tokens,
            "estimated_cost_usd": cost_usd,
        },
        "mail": dict(mail),
        "version": version,
    }


def is_daily(window: Window) -> bool:
    """A run over the daily window (24 h, within 15 minutes): the baseline the next daily run
    compares with. A manual run over another window is recorded too, but never as the baseline."""
    return DAILY_HOURS[0] <= window.hours <= DAILY_HOURS[1]


def window_counts(facts: HealthFacts) -> dict[str, Any]:
    """Per-model successes and errors of the window, for the next run's comparison."""
    models = [
        {"provider": m.provider, "model": m.model, "successes": m.successes, "errors": m.errors}
        for m in facts.models[:MAX_LEDGER_MODELS]
    ]
    return {"complete": len(facts.models) <= MAX_LEDGER_MODELS, "models": models}


def previous_from_ledger(previous_run: Mapping[str, Any] | None, before: Window) -> HealthFacts | None:
    """The facts of the window `before` from the previous run's ledger entry, when that run covered
    the same window (within SAME_WINDOW) and recorded complete counts; else None (aggregate it)."""
    window = (previous_run or {}).get("window")
    counts = (previous_run or {}).get("counts")
    if not isinstance(window, Mapping) or not isinstance(counts, Mapping) or counts.get("complete") is not True:
        return None
    start, end = window.get("start"), window.get("end")
    if not (
        isinstance(start, dt.datetime)
        and isinstance(end, dt.datetime)
        and abs(start - before.start) <= SAME_WINDOW
        and abs(end - before.end) <= SAME_WINDOW
    ):
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
            patterns.append(
                ClassifiedPattern(
                    "previous", provider, model, "", "unknown", "unknown", "ledger", errors, None, None, "", False
                )
            )
    return shape_facts(Window(start, end), patterns, successes)
