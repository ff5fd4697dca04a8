"""The first screen of the report: the status and its one-line reason, what needs action today
(most severe first, then NEW before ONGOING, one line each with its action) and coverage.

It reads a `HealthReport` and decides nothing new: the items are the assessment's findings, each
with the action from the tables in `assess`, marked with the day-over-day mark of its problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .assess import NOTHING_RAN_ACTION, PROVIDER_ACTIONS, Finding, model_action, model_kind, plural
from .fleet import COVERAGE_CRITICAL
from .history import NEW, ONGOING
from .report import HealthReport

FIRST_SCREEN_ITEMS = 6  # action lines on the first screen; the rest are under "Recommended actions"
FIRST_SCREEN_LINES = 12  # the budget the first screen keeps

CRITICAL, WARNING = "critical", "warning"

#: A few words per provider issue kind for the first screen (the detail follows in its section).
PROVIDER_WORDS = {
    "failing": "failing",
    "auth": "credentials refused",
    "billing": "billing refused",
    "rate_limit": "rate limited",
    "error_rate": "most calls failing",
    "overloaded": "overloaded",
    "silent": "silent",
    "ai": "flagged by the AI",
}
MODEL_WORDS = {
    "deprecated": "likely deprecated",
    "deprecated_doubted": "refused, though its provider still lists it",
    "code_fix": "needs a code fix",
    "went_silent": "went silent",
    "not_measured": "not measured",
    "stalled": "stalled",
    "unmeasurable": "could not be measured",
}


@dataclass(frozen=True)
class DigestItem:
    severity: str  # critical or warning
    key: str  # the problem's key (`provider:p`, `model:p:m`, `fleet:…`, `source:…`, `trend:…`)
    subject: str  # a provider, a model key, or the fleet
    what: str  # a few words
    action: str
    mark: str = ""  # new or ongoing, when the run was compared with the previous one
    since: dt.datetime | None = None

    def line(self, now: dt.datetime) -> str:
        mark = ""
        if self.mark == NEW:
            mark = ", NEW"
        elif self.mark == ONGOING and self.since is not None:
            days = int((now - self.since).total_seconds() // 86400) + 1
            mark = f", {plural(days, 'day')}"
        return f"[{self.severity.upper()}{mark}] {self.subject}: {self.what}. {self.action}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "key": self.key,
            "subject": self.subject,
            "what": self.what,
            "action": self.action,
            "mark": self.mark or None,
            "since": self.since.isoformat() if self.since else None,
        }


@dataclass(frozen=True)
class Digest:
    status: str
    reason: str  # the first (most severe) reason, or that nothing needs attention
    more_reasons: int
    items: tuple[DigestItem, ...]  # most severe first, then NEW first
    coverage: str | None  # `14 of 22 enabled models measured in 24 h (64%)`

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "more_reasons": self.more_reasons,
            "action_items": [i.to_dict() for i in self.items],
            "coverage": self.coverage,
        }


def _model_items(kind: str, found: tuple[Finding, ...]) -> list[DigestItem]:
    return [
        DigestItem(
            WARNING,
            f"model:{f.key}",
            f.key,
            MODEL_WORDS[model_kind(kind, f)],
            model_action(kind, f),
        )
        for f in found
    ]


def digest(report: HealthReport) -> Digest:
    f, a = report.facts, report.assessment
    items: list[DigestItem] = []
    if f.successes + f.errors == 0:
        items.append(DigestItem(CRITICAL, "fleet:nothing-ran", "the fleet", "nothing ran", NOTHING_RAN_ACTION))
    for i in a.provider_issues:
        when = ""
        if i.since:
            same_day = i.since.date() == f.window.end.date()
            when = f" since {i.since:%H:%M} UTC" if same_day else f" since {i.since:%Y-%m-%d %H:%M} UTC"
        action = PROVIDER_ACTIONS.get(i.kind, PROVIDER_ACTIONS["ai"]).format(p=i.provider)
        words = PROVIDER_WORDS.get(i.kind, i.kind)
        items.append(
            DigestItem(CRITICAL if i.critical else WARNING, f"provider:{i.provider}", i.provider, words + when, action)
        )
    fleet = a.fleet
    if (
        fleet is not None
        and fleet.coverage.known
        and fleet.coverage.ratio < COVERAGE_CRITICAL
        and f.successes + f.errors
    ):
        c = fleet.coverage
        items.append(
            DigestItem(
                CRITICAL,
                "fleet:coverage",
                "coverage",
                f"only {c.measured} of {c.enabled} enabled models measured",
                "Find why most enabled models are not measured: start with the scheduler and the providers above.",
            )
        )
    items += _model_items("deprecated", a.models_likely_deprecated)
    items += _model_items("code_fix", a.code_fixes_needed)
    items += _model_items("stalled", a.stalled)
    items += _model_items("not_measured", a.not_measured)
    items += _model_items("went_silent", a.went_silent)
    items += _model_items("unmeasurable", a.unmeasurable)
    items += [DigestItem(WARNING, t.key, "trend", t.detail, t.action) for t in a.trend]
    if fleet is not None:
        items += [
            DigestItem(
                WARNING,
                f"source:{lag.source}",
                lag.source,
                "not refreshed",
                "Check the discovery job's model sources (keys, URLs): a list stopped refreshing.",
            )
            for lag in fleet.stale_sources
        ]
        if fleet.coverage.shrank:
            c = fleet.coverage
            items.append(
                DigestItem(
                    WARNING,
                    "fleet:enabled",
                    "the enabled set",
                    f"shrank from {c.previous_enabled} to {c.enabled} models",
                    f"Check that removing {plural(len(c.removed_since_previous), 'model')} was intended.",
                )
            )
    marks = {p.key: p for p in report.changes.problems} if report.changes else {}
    marked = []
    for item in dict((i.key + "|" + i.what, i) for i in items).values():
        problem = marks.get(item.key)
        if problem is not None:
            item = DigestItem(
                item.severity, item.key, item.subject, item.what, item.action, problem.mark, problem.since
            )
        marked.append(item)
    order = {NEW: 0, ONGOING: 1}
    marked.sort(key=lambda i: (i.severity != CRITICAL, order.get(i.mark, 2)))
    reasons = a.reasons
    coverage = None
    if fleet is not None and fleet.coverage.known:
        c = fleet.coverage
        coverage = f"{c.measured} of {c.enabled} enabled models measured in {f.window.hours:g} h ({c.ratio:.0%})"
    return Digest(
        a.status.value,
        reasons[0] if reasons else "nothing needs attention",
        max(len(reasons) - 1, 0),
        tuple(marked),
        coverage,
    )


def first_screen(d: Digest, now: dt.datetime) -> list[str]:
    """At most FIRST_SCREEN_LINES logical lines (the mail is flowed: a phone wraps each)."""
    more = f" (+{plural(d.more_reasons, 'more reason')} below)" if d.more_reasons else ""
    lines = [f"Status: {d.status.upper()} — {d.reason}{more}"]
    if d.items:
        lines.append(f"Needs action today ({len(d.items)}):")
        lines += [f"{n}. {item.line(now)}" for n, item in enumerate(d.items[:FIRST_SCREEN_ITEMS], 1)]
        if len(d.items) > FIRST_SCREEN_ITEMS:
            lines.append(f"… and {len(d.items) - FIRST_SCREEN_ITEMS} more under Recommended actions below.")
    else:
        lines.append("Needs action today: nothing.")
    if d.coverage:
        lines.append(f"Coverage: {d.coverage}")
    lines.append("Details below.")
    return lines
