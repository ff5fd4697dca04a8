"""Deterministic assessment of a health window: the rules the email can always fall back on.

Rules (documented in the README, "How the health check judges a window"):
- A provider is *failing as a whole* when it has errors and no success in the window, on at
  least two models or with auth/billing errors. Its models are reported once, as that
  provider's issue, never one by one as "deprecated".
- Auth or billing errors at a provider are a provider issue (a key or an account is broken)
  when they dominate: no success at the provider, or at least half of its attempts. A stray
  403 among successes is not.
- Rate-based rules are judged only with at least MIN_ATTEMPTS attempts (noise guard): a
  provider with >= 20% rate-limit errors, or >= 50% errors across >= 2 models, is an issue.
- Likely deprecated: hard_model errors and no success (provider not failing as a whole).
- Code fix needed: any hard_capability error (the request asks for what the model lacks).
- Silence: a provider (or model) with successes in the previous window and no event at all
  in this one has gone silent (a provider's silent models collapse into the provider line).
- Catalog and provider-list evidence (when discovery has run): a likely-deprecated model that
  OpenRouter lists as missing, removed or expired, or that its provider's own model list dropped,
  is marked with high confidence; an enabled model its provider's list dropped and that did not
  succeed is likely deprecated for that reason alone; enabled models retiring within 30 days (the
  registry's deprecation date, the benchmark's own `deprecation_date`, OpenRouter's expiration
  date) are listed as retiring soon, with their successor; a last complete discovery
  fetch older than 48 hours is a warning (discovery that never ran is a note, said once).
- Status: CRITICAL when nothing ran at all, a provider fails as a whole, credentials or
  billing are broken, or >= 50% of all attempts failed; WARNING for any other finding, any
  model with only errors or gone silent, >= 10% errors overall, or stale discovery; HEALTHY
  otherwise (models retiring soon are listed without changing the status).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from .evidence import Evidence, catalog_expirations, catalog_sign, discovery_note, misdated_note, stale_discovery
from .facts import HealthFacts, ModelFacts, ProviderFacts
from .lifecycle import Retirement, provider_dropped, retirements

MIN_ATTEMPTS = 10
RATE_LIMIT_SHARE = 0.20
PROVIDER_ERROR_RATE = 0.50
OVERALL_WARNING_RATE = 0.10
OVERALL_CRITICAL_RATE = 0.50
ACCESS_SHARE = 0.50


class Status(str, Enum):
    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Status).index(self)


@dataclass(frozen=True)
class Finding:
    provider: str
    model: str
    detail: str
    evidence: str = ""  # a second signal (the catalog) that backs the finding

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.model}"

    @property
    def confidence(self) -> str:
        return "high" if self.evidence else "medium"


@dataclass(frozen=True)
class ProviderIssue:
    provider: str
    kind: str  # failing, auth, billing, rate_limit, error_rate, or "ai" for an AI-only finding
    detail: str

    @property
    def text(self) -> str:
        return f"{self.provider}: {self.detail}"


@dataclass(frozen=True)
class Assessment:
    status: Status
    summary: str
    models_likely_deprecated: tuple[Finding, ...]
    code_fixes_needed: tuple[Finding, ...]
    provider_issues: tuple[ProviderIssue, ...]
    recommended_actions: tuple[str, ...]
    reasons: tuple[str, ...]  # why the status is what it is
    went_silent: tuple[Finding, ...] = ()
    retiring_soon: tuple[Retirement, ...] = ()
    notes: tuple[str, ...] = ()  # said without changing the status


def plural(n: int, noun: str) -> str:
    """`1 error`, `2 errors`."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def access_broken(provider: ProviderFacts) -> bool:
    """Credentials or billing are broken when auth/billing errors dominate the provider's attempts
    (no success at all, or at least ACCESS_SHARE of them), not on one stray 403."""
    refused = provider.count("auth") + provider.count("billing")
    return refused > 0 and (provider.successes == 0 or refused / provider.attempts >= ACCESS_SHARE)


def failing_as_a_whole(provider: ProviderFacts) -> bool:
    broken_access = provider.count("auth") + provider.count("billing") > 0
    return provider.errors > 0 and provider.successes == 0 and (provider.models_with_errors >= 2 or broken_access)


def _silent(facts: HealthFacts) -> tuple[list[ProviderIssue], list[Finding]]:
    """Providers and models that had successes in the previous window and no event now."""
    if facts.previous is None:
        return [], []
    active = {p.name for p in facts.providers}
    providers = [
        ProviderIssue(
            p.name, "silent", f"silent: {p.successes} successes in the previous window, no success or error now"
        )
        for p in facts.previous.providers
        if p.successes and p.name not in active
    ]
    quiet = {i.provider for i in providers}
    seen = {m.key for m in facts.models}
    models = [
        Finding(m.provider, m.model, f"{m.successes} successes in the previous window, nothing now")
        for m in facts.previous.models
        if m.successes and m.key not in seen and m.provider not in quiet
    ]
    return providers, models


def _provider_issues(facts: HealthFacts) -> list[ProviderIssue]:
    issues = []
    for p in facts.providers:
        kinds = ", ".join(f"{k} {n}" for k, n in p.kinds)
        if failing_as_a_whole(p):
            issues.append(
                ProviderIssue(
                    p.name,
                    "failing",
                    f"failing as a whole: {plural(p.errors, 'error')} on "
                    f"{plural(p.models_with_errors, 'model')}, no success ({kinds})",
                )
            )
            continue
        for kind in ("auth", "billing"):
            if p.count(kind) and access_broken(p):
                issues.append(
                    ProviderIssue(p.name, kind, f"{plural(p.count(kind), f'{kind} error')} ({p.successes} ok)")
                )
        if p.attempts < MIN_ATTEMPTS:
            continue
        if p.count("rate_limit") / p.attempts >= RATE_LIMIT_SHARE:
            share = p.count("rate_limit") / p.attempts
            issues.append(ProviderIssue(p.name, "rate_limit", f"rate limited on {share:.0%} of {p.attempts} attempts"))
        elif p.error_rate >= PROVIDER_ERROR_RATE and p.models_with_errors >= 2:
            issues.append(
                ProviderIssue(
                    p.name,
                    "error_rate",
                    f"{p.error_rate:.0%} errors across {plural(p.models_with_errors, 'model')} ({kinds})",
                )
            )
    return issues


_ACTIONS = {
    "failing": "Check {p}'s account, credentials and status page: every call failed.",
    "auth": "Rotate or fix the {p} API key/credentials used by the benchmark.",
    "billing": "Check {p} billing: quota or credit is exhausted.",
    "rate_limit": "Lower concurrency for {p} or raise its rate limits.",
    "error_rate": "Investigate {p}: most calls failed.",
    "silent": "Check why the benchmark stopped calling {p}: no result at all in the window.",
}


def assess(facts: HealthFacts, evidence: Evidence | None = None) -> Assessment:
    today = facts.window.end.date()
    silent_providers, silent_models = _silent(facts)
    issues = _provider_issues(facts) + silent_providers
    collapsed = {i.provider for i in issues if i.kind == "failing"}
    models = [m for m in facts.failing_models if m.provider not in collapsed]
    deprecated = [
        Finding(m.provider, m.model, _detail(m, "hard_model"), _second_signal(evidence, m.provider, m.model, today))
        for m in models
        if m.count("hard_model") and not m.successes
    ]
    deprecated += _dropped_by_provider(facts, evidence, {f.key for f in deprecated} | collapsed)
    fixes = [Finding(m.provider, m.model, _detail(m, "hard_capability")) for m in models if m.count("hard_capability")]
    lifecycle = evidence.lifecycle if evidence else None
    retiring = (
        retirements(lifecycle, catalog_expirations(evidence), today, evidence.stage) if evidence and lifecycle else []
    )

    actions = [_ACTIONS[i.kind].format(p=i.provider) for i in issues]
    actions += [f"Disable or replace {f.key} in the models list: the provider no longer serves it." for f in deprecated]
    actions += [f"Fix the request for {f.key}: it asks for a capability the model lacks." for f in fixes]
    actions += [f"Check why {f.key} stopped running: it had successes in the previous window." for f in silent_models]
    actions += [f"Plan a replacement for {r.key}: it {r.detail}." for r in retiring]

    attempts = facts.successes + facts.errors
    rate = facts.errors / attempts if attempts else 0.0
    critical, warning = [], []
    if attempts == 0:
        critical.append("no successes and no errors in the window: the benchmarks are not running")
        actions.insert(0, "Check the benchmark scheduler and its writers: nothing was recorded in the window.")
    critical += [f"{i.provider} is failing as a whole" for i in issues if i.kind == "failing"]
    critical += [f"{i.provider} has {i.kind} errors" for i in issues if i.kind in ("auth", "billing")]
    if attempts >= 2 * MIN_ATTEMPTS and rate >= OVERALL_CRITICAL_RATE:
        critical.append(f"{rate:.0%} of all attempts failed")
    elif attempts >= 2 * MIN_ATTEMPTS and rate >= OVERALL_WARNING_RATE:
        warning.append(f"{rate:.0%} of all attempts failed")
    warning += [
        f"{i.provider}: {i.kind.replace('_', ' ')}" for i in issues if i.kind in ("rate_limit", "error_rate", "silent")
    ]
    warning += [f"{plural(len(silent_models), 'model')} went silent"] if silent_models else []
    stale = evidence and stale_discovery(evidence, facts.window.end)
    if stale:
        warning.append(stale)
        actions.append("Check the discovery job (llm-discovery fetch): the catalog is not being refreshed.")
    warning += [f"{plural(len(deprecated), 'model')} likely deprecated"] if deprecated else []
    warning += [f"{plural(len(fixes), 'model')} need{'s' if len(fixes) == 1 else ''} a code fix"] if fixes else []
    only_errors = [m for m in models if not m.successes]
    warning += [f"{plural(len(only_errors), 'model')} had errors and no success"] if only_errors else []

    status = Status.CRITICAL if critical else Status.WARNING if warning else Status.HEALTHY
    reasons = tuple(critical + warning)
    summary = _summary(status, facts, rate, reasons)
    notes = tuple(note for note in (discovery_note(evidence), misdated_note(evidence)) if note) if evidence else ()
    return Assessment(
        status,
        summary,
        tuple(deprecated),
        tuple(fixes),
        tuple(issues),
        tuple(actions),
        reasons,
        tuple(silent_models),
        tuple(retiring),
        notes,
    )


def _second_signal(evidence: Evidence | None, provider: str, model: str, today: dt.date) -> str:
    """The catalog's or the provider list's word that the model is going away, or ""."""
    if evidence is None:
        return ""
    signs = [
        catalog_sign(evidence, model, today),
        provider_dropped(evidence.lifecycle, provider, model) if evidence.lifecycle else None,
    ]
    return "; ".join(sign for sign in signs if sign)


def _dropped_by_provider(facts: HealthFacts, evidence: Evidence | None, known: set[str]) -> list[Finding]:
    """Enabled benchmark models that their provider's own list dropped and that did not succeed."""
    if evidence is None or evidence.lifecycle is None:
        return []
    found = []
    for model in evidence.lifecycle.benchmark:
        key = f"{model.provider}:{model.model_id}"
        facts_of = next((m for m in facts.models if m.key == key), None)
        sign = provider_dropped(evidence.lifecycle, model.provider, model.model_id)
        if sign and key not in known and model.provider not in known and not (facts_of and facts_of.successes):
            errors = f"{plural(facts_of.errors, 'error')}, 0 ok" if facts_of else "no run in the window"
            found.append(Finding(model.provider, model.model_id, errors, sign))
    return found


def _detail(model: ModelFacts, kind: str) -> str:
    return f"{plural(model.count(kind), f'{kind} error')}, {model.successes} ok; latest: {model.sample}"


def _summary(status: Status, facts: HealthFacts, rate: float, reasons: tuple[str, ...]) -> str:
    attempts = facts.successes + facts.errors
    share = f" ({rate:.1%})" if attempts else ""
    head = (
        f"{plural(facts.successes, 'successful run')} and {plural(facts.errors, 'error')}{share} "
        f"in {facts.window.hours:g} h."
    )
    if not reasons:
        return f"{head} Nothing needs attention."
    return f"{head} {status.value.upper()}: " + "; ".join(reasons) + "."
