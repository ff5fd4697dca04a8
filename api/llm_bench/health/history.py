"""Day over day: what is NEW, ONGOING or RESOLVED since the previous recorded run, and how each
provider moved against the previous window.

A problem is one provider (its issues), one model (its errors, not measured, stalled, likely
deprecated) or one fleet condition (coverage, a model source, nothing ran); its key never holds an
error kind, so it is stable across runs, and the ledger keeps when it was first seen. A problem
stays ONGOING while its condition holds and while the window has no data about it: only a
success (or the model leaving the enabled set) resolves a model or a provider.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..classify import KINDS
from ..untrusted import safe_text
from .assess import Assessment, ProviderIssue
from .facts import HealthFacts, ModelFacts
from .silences import ACTIVE

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


def _label_models(facts: HealthFacts, assessment: Assessment) -> dict[str, list[str]]:
    """Model key -> what is wrong with it now (errors by kind, not measured, stalled ...)."""
    collapsed = set(assessment.collapsed)
    labels: dict[str, list[str]] = defaultdict(list)
    for m in facts.failing_models:
        if m.provider not in collapsed:
            labels[m.key].append(", ".join(f"{kind} ×{n}" for kind, n in m.kinds))
    for f in (*assessment.not_measured, *assessment.stalled):
        labels[f.key].append(f.detail.split(";")[0])
    for f in assessment.went_silent:
        labels[f.key].append("went silent")
    for f in assessment.models_likely_deprecated:
        if f.key not in labels:
            labels[f.key].append(f"likely deprecated ({f.evidence or f.detail})")
    return labels


def current_problems(facts: HealthFacts, assessment: Assessment) -> dict[str, tuple[str, str, dt.datetime]]:
    """Problem key -> (label, provider, since). One problem per provider, per model and per fleet
    condition: a problem's identity never contains an error kind, so a pattern whose kind was
    read differently on another day updates its line instead of making it NEW and RESOLVED."""
    first: dict[str, dt.datetime] = {}
    for p in facts.patterns:
        for key in (p.provider, p.key):
            if p.first_error and (key not in first or p.first_error < first[key]):
                first[key] = p.first_error
    start = facts.window.start
    by_provider: dict[str, list[ProviderIssue]] = defaultdict(list)
    for i in assessment.provider_issues:
        by_provider[i.provider].append(i)
    problems: dict[str, tuple[str, str, dt.datetime]] = {}
    fleet = assessment.fleet
    for provider, issues in by_provider.items():
        quiet = [g.last_success for g in (fleet.coverage.not_measured if fleet else ()) if g.provider == provider]
        began = max(filter(None, quiet), default=None) if any(i.kind == "silent" for i in issues) else None
        since = min((i.since for i in issues if i.since), default=first.get(provider) or began or start)
        problems[f"provider:{provider}"] = ("; ".join(i.text for i in issues), provider, since)
    models = {m.key: m for m in facts.models}
    silence = {g.key: g.last_success for g in (fleet.coverage.not_measured if fleet else ())}
    for key, parts in _label_models(facts, assessment).items():
        m = models.get(key)
        provider = m.provider if m else key.split(":", 1)[0]
        since = first.get(key) or silence.get(key) or start  # errors, else the silence, began then
        problems[f"model:{key}"] = (f"{key} {'; '.join(parts)}", provider, since)
    hushed = {p.key for g in assessment.silenced if g.state == ACTIVE for p in g.problems}
    gaps = [
        g
        for g in (fleet.coverage.not_measured if fleet else ())
        if f"provider:{g.provider}" not in hushed and f"model:{g.key}" not in hushed
    ]
    if fleet is not None and fleet.coverage.known and gaps:  # gaps that are all silenced are no coverage problem
        c = fleet.coverage
        problems["fleet:coverage"] = (f"coverage: {c.measured} of {c.enabled} enabled models measured", "", start)
    if fleet is not None:
        for lag in fleet.stale_sources:
            problems[f"source:{lag.source}"] = (lag.text(facts.window.end), "", lag.last_complete or start)
    for t in assessment.trend:
        problems[t.key] = (f"trend: {t.detail}", t.provider, start)
    if facts.successes + facts.errors == 0:
        problems["fleet:nothing-ran"] = ("no successes and no errors: the benchmarks did not run", "", start)
    for silenced in assessment.silenced:  # still tracked, so an expired silence finds them ONGOING
        if silenced.state != ACTIVE:
            continue
        for item in silenced.problems:
            if item.key.startswith("provider:") and item.key in problems:
                continue  # the provider's unsilenced issues speak for it
            until = f"silenced until {silenced.silence.until:%Y-%m-%d %H:%M} UTC"
            since = first.get(item.key.split(":", 1)[1]) or start
            problems[item.key] = (f"{item.text} ({until})", item.provider, since)
    return problems


def _since(value: Any, fallback: dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else fallback


def _finished(previous_run: Mapping[str, Any] | None) -> dt.datetime | None:
    finished = (previous_run or {}).get("finished_at")
    return finished if isinstance(finished, dt.datetime) else None


def problem_key(key: str) -> str:
    """A recorded key in today's spelling: older ledgers put the kind into a model's key
    (`model:p:m:rate_limit`), a silent model under `silent:`, a provider's issue kind into its."""
    scope, _, rest = key.partition(":")
    if scope == "model":
        base, _, last = rest.rpartition(":")
        return f"model:{base}" if base and last in KINDS else key
    if scope == "silent":
        return f"model:{rest}"
    if scope == "provider":
        return f"provider:{rest.split(':', 1)[0]}"
    return key


def _recorded(previous_run: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The previous run's open problems by today's key (the earliest `since` of merged keys)."""
    problems_before = (previous_run or {}).get("problems")
    before: dict[str, dict[str, Any]] = {}
    for p in problems_before if isinstance(problems_before, list) else []:
        if not (isinstance(p, Mapping) and isinstance(p.get("key"), str)):
            continue
        key = problem_key(p["key"])
        since = p.get("since") if isinstance(p.get("since"), dt.datetime) else None
        known = before.get(key)
        if known is None:
            before[key] = {**p, "key": key, "since": since}
        elif since and (known["since"] is None or since < known["since"]):
            known["since"] = since
    return before


def _succeeded_after(models: list[ModelFacts], since: dt.datetime | None) -> bool:
    """A success after the problem began (a success from before it, in a longer manual window,
    resolves nothing)."""
    return any(m.successes and (since is None or m.last_success is None or m.last_success > since) for m in models)


@dataclass(frozen=True)
class _Seen:
    """What the window holds about models and providers, indexed once per comparison."""

    models: Mapping[str, ModelFacts]
    by_provider: Mapping[str, list[ModelFacts]]
    enabled: frozenset[str] | None  # enabled model keys, None without a models list
    enabled_providers: frozenset[str]

    @classmethod
    def of(cls, facts: HealthFacts, assessment: Assessment) -> _Seen:
        by_provider: dict[str, list[ModelFacts]] = defaultdict(list)
        for m in facts.models:
            by_provider[m.provider].append(m)
        fleet = assessment.fleet
        enabled = frozenset(fleet.coverage.enabled_keys) if fleet is not None and fleet.coverage.known else None
        return cls(
            {m.key: m for m in facts.models},
            by_provider,
            enabled,
            frozenset(k.split(":", 1)[0] for k in enabled or ()),
        )


def _resolved(key: str, since: dt.datetime | None, seen: _Seen) -> str | None:
    """Why a recorded problem that is no longer current is resolved, or None when the window
    has no data about it (absence of data never resolves a problem: only a success after it began,
    or the model leaving the enabled set, does)."""
    scope, _, rest = key.partition(":")
    if scope == "model":
        m = seen.models.get(rest)
        if m is not None and _succeeded_after([m], since):
            return "succeeded"
        if seen.enabled is not None and rest not in seen.enabled and m is None:
            return "no longer enabled"
        return None
    if scope == "provider":
        own = seen.by_provider.get(rest, [])
        if _succeeded_after(own, since):
            return "succeeded"
        if seen.enabled is not None and rest not in seen.enabled_providers and not own:
            return "no longer enabled"
        return None
    return "condition ended"  # fleet and source conditions are judged whole every run


def compare(
    facts: HealthFacts, assessment: Assessment, previous_run: Mapping[str, Any] | None, now: dt.datetime
) -> Changes:
    current = current_problems(facts, assessment)
    before = _recorded(previous_run)
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
    seen = _Seen.of(facts, assessment)
    for k, p in before.items():
        if k in current:
            continue
        label = safe_text(p.get("label", k), 300)
        provider = safe_text(p.get("provider", ""), 120)
        why = _resolved(k, p.get("since"), seen)
        if why is None:
            label = label if label.endswith(NO_DATA) else f"{label}{NO_DATA}"
        problems.append(Problem(k, label, RESOLVED if why else ONGOING, _since(p.get("since"), now), provider))
    order = {NEW: 0, RESOLVED: 1, ONGOING: 2}
    scope = {"fleet": 0, "provider": 1, "source": 2, "model": 3}  # provider-wide first within each mark
    problems.sort(key=lambda p: (order[p.mark], scope.get(p.scope, 4), p.key))
    return Changes(
        tuple(problems), _provider_changes(facts), _finished(previous_run), tuple(_notes(facts, previous_run))
    )


NO_DATA = " (no data in this window)"


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
