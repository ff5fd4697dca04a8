"""Deterministic assessment of a health window and of the whole fleet: the rules the email can
always fall back on.

The rules are one table, `STATUS_RULES` (the README's status table under "How the health check
works" is tested against it). In short:
- A provider's *streak* (every call since some time failed, after its last success, across its
  models) is judged by the streak, not by the day's share: auth or billing streaks, and streaks
  over two or more models, are CRITICAL, said as "every call since 04:30 UTC failed (auth ×27)".
  A provider with errors and no success in the window on two models or with auth/billing errors
  is failing as a whole. Its models are reported once, as that provider's issue.
- Auth or billing errors dominating a provider's attempts (at least half) are a provider issue;
  a stray 403 among successes is not.
- Rate-based rules are judged only with at least MIN_ATTEMPTS attempts: >= 20% rate limits,
  >= 50% errors across >= 2 models, or the same transient kind on (nearly) every model of the
  provider at >= 10% of its calls ("overloaded") is one provider line.
- Coverage: every enabled model (the `models` list) is measured, not measured or stalled; any
  gap is WARNING, less than half measured is CRITICAL. A provider none of whose enabled models
  produced anything is one "silent" provider line.
- Likely deprecated: hard_model errors and no success; an enabled model whose provider's list
  dropped it and that did not succeed; an enabled model past its retirement date that did not
  succeed. One whose provider's own list still shows it (and that list is refreshing) is said
  with low confidence and the action is to check the account's access and the id before
  disabling (a list proves the model exists). Code fix: any hard_capability error.
- Cannot be measured (the benchmark's own budget, timeouts of one model) is its own section and
  never makes a model deprecated or the day CRITICAL by itself.
- The enabled set shrinking by more than 10% since the previous daily run, a model source not
  refreshed for 48 hours and stale discovery are WARNING; models that ran while not enabled,
  two spellings of one enabled model and models retiring within 30 days are listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

from .evidence import Evidence, catalog_expirations, catalog_sign, discovery_note, misdated_note, stale_discovery
from .facts import HealthFacts, ModelFacts, ProviderFacts
from .fleet import COVERAGE_CRITICAL, ENABLED_SHRINK, UNMEASURABLE_KINDS, Fleet, Gap, Streak
from .lifecycle import Retirement, provider_dropped, provider_still_lists, retirements
from .silences import ACTIVE, Candidate, Muting, Silence, Silenced, dominant, group
from .trend import COVERAGE_DROP, PERSIST_RISE, PERSIST_STEPS, TREND_DAYS, Trend, TrendFinding

MIN_ATTEMPTS = 10
RATE_LIMIT_SHARE = 0.20
PROVIDER_ERROR_RATE = 0.50
OVERALL_WARNING_RATE = 0.10
OVERALL_CRITICAL_RATE = 0.50
ACCESS_SHARE = 0.50
SHARED_TRANSIENT_SHARE = 0.10  # a transient kind on every model of a provider at this share of its calls
SHARED_TRANSIENT_MODELS = 0.75  # ... on at least this share of its models with calls (and at least two)
TRANSIENT_KINDS = ("transient_provider", "rate_limit", "network", "timeout")


class Status(str, Enum):
    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Status).index(self)


@dataclass(frozen=True)
class Rule:
    status: Status
    text: str


#: What sets the status, one row per rule; the README's status table is tested against it.
STATUS_RULES: tuple[Rule, ...] = (
    Rule(Status.CRITICAL, "nothing ran: no success and no error in the window"),
    Rule(
        Status.CRITICAL,
        "a provider's auth or billing errors dominate (a streak since its last success, or half of its attempts)",
    ),
    Rule(Status.CRITICAL, "every call of a provider since some time failed, on two or more models (a streak)"),
    Rule(Status.CRITICAL, "a provider failed as a whole: errors and no success on two or more models"),
    Rule(Status.CRITICAL, f"coverage below {COVERAGE_CRITICAL:.0%}: fewer than half of the enabled models measured"),
    Rule(Status.CRITICAL, f"{OVERALL_CRITICAL_RATE:.0%} or more of all attempts failed (budget and timeouts aside)"),
    Rule(Status.WARNING, "an enabled model not measured in the window (never, or not since its last success)"),
    Rule(Status.WARNING, "an enabled model stalled: no success for 3 h and 3 of its own intervals before the end"),
    Rule(Status.WARNING, "a provider silent: none of its enabled models produced a success or an error"),
    Rule(Status.WARNING, f"a provider rate limited on {RATE_LIMIT_SHARE:.0%} or more of its attempts"),
    Rule(Status.WARNING, f"a provider with {PROVIDER_ERROR_RATE:.0%} or more errors across two or more models"),
    Rule(Status.WARNING, "a provider overloaded: one transient kind on (nearly) every model, 10% or more of its calls"),
    Rule(Status.WARNING, "a model likely deprecated, or needing a code fix, or with only errors"),
    Rule(Status.WARNING, "a model that cannot be measured (the benchmark's budget ran out, or it times out)"),
    Rule(Status.WARNING, f"the enabled set shrank by more than {ENABLED_SHRINK:.0%} since the previous daily run"),
    Rule(Status.WARNING, "a model source (a provider's list, the registry) not refreshed for 48 hours"),
    Rule(Status.WARNING, "the last complete discovery fetch is older than 48 hours"),
    Rule(Status.WARNING, f"{OVERALL_WARNING_RATE:.0%} or more of all attempts failed"),
    Rule(
        Status.WARNING,
        f"trend: coverage down more than {COVERAGE_DROP * 100:.0f} points over {TREND_DAYS} days of daily runs",
    ),
    Rule(
        Status.WARNING,
        f"trend: a provider's error rate rose on each of the last {PERSIST_STEPS} daily runs, "
        f"by {PERSIST_RISE * 100:.0f} points or more in all",
    ),
    Rule(
        Status.HEALTHY,
        "none of the above; models retiring soon, models that ran while not enabled and two "
        "spellings of one model are listed without changing the status",
    ),
    Rule(
        Status.HEALTHY,
        "a problem under an active silence sets no status: its errors and gaps are set aside "
        "before the rules above are applied, and it is listed under Silenced",
    ),
)


@dataclass(frozen=True)
class Finding:
    provider: str
    model: str
    detail: str
    evidence: str = ""  # a second signal (the catalog) that backs the finding
    doubt: str = ""  # a signal against it (the provider's own list still shows the model)

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.model}"

    @property
    def confidence(self) -> str:
        return "low" if self.doubt else "high" if self.evidence else "medium"


@dataclass(frozen=True)
class ProviderIssue:
    provider: str
    kind: str  # failing, auth, billing, rate_limit, error_rate, overloaded, silent, or "ai" for an AI-only finding
    detail: str
    since: dt.datetime | None = None  # a streak's first failed call

    @property
    def text(self) -> str:
        return f"{self.provider}: {self.detail}"

    @property
    def critical(self) -> bool:
        return self.kind in ("failing", "auth", "billing")


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
    fleet: Fleet | None = None
    not_measured: tuple[Finding, ...] = ()  # enabled models without a success, outside a provider line
    stalled: tuple[Finding, ...] = ()
    unmeasurable: tuple[Finding, ...] = ()  # cannot be measured: budget, timeouts
    collapsed: tuple[str, ...] = ()  # providers whose models are reported once, as the provider's issue
    trend: tuple[TrendFinding, ...] = ()  # what the last daily runs show together
    silenced: tuple[Silenced, ...] = ()  # silences with the problems they cover, ended or no longer needed


def plural(n: int, noun: str) -> str:
    """`1 error`, `2 errors`."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _measurable_errors(model: ModelFacts | ProviderFacts) -> int:
    return model.errors - sum(model.count(kind) for kind in UNMEASURABLE_KINDS)


def access_broken(provider: ProviderFacts) -> bool:
    """Credentials or billing are broken when auth/billing errors dominate the provider's attempts
    (no success at all, or at least ACCESS_SHARE of them), not on one stray 403."""
    refused = provider.count("auth") + provider.count("billing")
    return refused > 0 and (provider.successes == 0 or refused / provider.attempts >= ACCESS_SHARE)


def failing_as_a_whole(provider: ProviderFacts, facts: HealthFacts | None = None) -> bool:
    """Errors and no success, on two or more models (budget and timeouts aside) or with access errors."""
    broken_access = provider.count("auth") + provider.count("billing") > 0
    models = provider.models_with_errors
    if facts is not None:
        models = sum(1 for m in facts.models if m.provider == provider.name and _measurable_errors(m) > 0)
    return _measurable_errors(provider) > 0 and provider.successes == 0 and (models >= 2 or broken_access)


def _silent(facts: HealthFacts) -> tuple[list[ProviderIssue], list[Finding]]:
    """Without a models list: providers and models that had successes in the previous window and
    no event now."""
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


def _streak_issue(streak: Streak, facts: HealthFacts) -> ProviderIssue | None:
    if streak.unmeasurable:
        return None
    active = {m.model for m in facts.models if m.provider == streak.provider}
    if streak.access and (len(streak.models) >= 2 or len(active) <= 1 or set(streak.models) >= active):
        return ProviderIssue(streak.provider, streak.access, f"{streak.access} broken: {streak.text}", streak.since)
    if len(streak.models) >= 2 and streak.provider_wide:
        return ProviderIssue(streak.provider, "failing", f"failing: {streak.text}", streak.since)
    return None


def _shared_transient(p: ProviderFacts, facts: HealthFacts) -> ProviderIssue | None:
    """One provider line when (nearly) every model of the provider sees the same transient kind."""
    own = [m for m in facts.models if m.provider == p.name and m.successes]  # the models that answer at all
    if len(own) < 2 or p.attempts < MIN_ATTEMPTS:
        return None
    for kind in TRANSIENT_KINDS:
        hit = [m for m in own if m.count(kind)]
        share = p.count(kind) / p.attempts
        if len(hit) >= 2 and len(hit) >= SHARED_TRANSIENT_MODELS * len(own) and share >= SHARED_TRANSIENT_SHARE:
            return ProviderIssue(
                p.name,
                "overloaded",
                f"overloaded: {kind} on {len(hit)} of {len(own)} models, {share:.0%} of {p.attempts} calls",
            )
    return None


def _provider_issues(facts: HealthFacts, fleet: Fleet | None) -> list[ProviderIssue]:
    issues: list[ProviderIssue] = []
    streaked: set[str] = set()
    for streak in fleet.streaks if fleet else ():
        issue = _streak_issue(streak, facts)
        if issue:
            issues.append(issue)
            streaked.add(streak.provider)
    for p in facts.providers:
        if p.name in streaked:
            continue
        kinds = ", ".join(f"{k} {n}" for k, n in p.kinds)
        if failing_as_a_whole(p, facts):
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
        elif shared := _shared_transient(p, facts):
            issues.append(shared)
    return issues


def _silent_providers(facts: HealthFacts, fleet: Fleet) -> list[ProviderIssue]:
    """Providers none of whose enabled models produced anything in the window."""
    active = {p.name for p in facts.providers}
    issues = []
    for provider in fleet.coverage.missing_providers:
        if provider in active:
            continue
        gaps = [g for g in fleet.coverage.not_measured if g.provider == provider]
        last = max((g.last_success for g in gaps if g.last_success), default=None)
        when = f"last success {last:%Y-%m-%d %H:%M} UTC" if last else "never a success"
        which = f"none of its {len(gaps)} enabled models" if len(gaps) > 1 else "its one enabled model did not:"
        issues.append(ProviderIssue(provider, "silent", f"silent: {which} produced no result ({when})"))
    return issues


#: The action for each provider issue kind (the email's first screen and recommended actions).
PROVIDER_ACTIONS = {
    "failing": "Check {p}'s account, credentials and status page: every call failed.",
    "auth": "Rotate or fix the {p} API key/credentials used by the benchmark.",
    "billing": "Check {p} billing: quota or credit is exhausted.",
    "rate_limit": "Lower concurrency for {p} or raise its rate limits.",
    "error_rate": "Investigate {p}: most calls failed.",
    "overloaded": "Watch {p}'s status page; lower concurrency or retry later: every model sees the same failure.",
    "silent": "Check why the benchmark stopped calling {p}: no result at all in the window.",
    "ai": "Investigate {p}: the AI review flagged it.",
}
#: The action for each model finding.
MODEL_ACTIONS = {
    "deprecated": "Disable or replace {key} in the models list: the provider no longer serves it.",
    "deprecated_doubted": "Check this account's access to {key} (terms, permissions, region) and its id "
    "before disabling it: {doubt}.",
    "code_fix": "Fix the request for {key}: it asks for a capability the model lacks.",
    "went_silent": "Check why {key} stopped running: it had successes in the previous window.",
    "not_measured": "Check why {key} is not measured: it is enabled and had no success.",
    "stalled": "Check the benchmark's scheduler for {key}: its runs stopped.",
    "unmeasurable": "Raise the benchmark's budget or timeout for {key}: it could not be measured ({detail}).",
}


def model_kind(kind: str, finding: Finding) -> str:
    """The finding's kind as worded: a doubted "likely deprecated" is `deprecated_doubted`."""
    return "deprecated_doubted" if kind == "deprecated" and finding.doubt else kind


def model_action(kind: str, finding: Finding) -> str:
    """The recommended action for one model finding; a doubted "likely deprecated" asks for a
    check before disabling."""
    return MODEL_ACTIONS[model_kind(kind, finding)].format(key=finding.key, detail=finding.detail, doubt=finding.doubt)


NOTHING_RAN_ACTION = "Check the benchmark scheduler and its writers: nothing was recorded in the window."


def _when(moment: dt.datetime | None) -> str:
    return f"last success {moment:%Y-%m-%d %H:%M} UTC" if moment else "never a success"


def _gap_finding(gap: Gap) -> Finding:
    errors = f"; {plural(gap.errors, 'error')} in the window" if gap.errors else ""
    return Finding(gap.provider, gap.model, f"not measured: {_when(gap.last_success)}{errors}")


def _stall_finding(gap: Gap) -> Finding:
    hours = gap.cadence.total_seconds() / 3600 if gap.cadence else 0
    errors = f"; {plural(gap.errors, 'error')} in the window" if gap.errors else ""
    return Finding(gap.provider, gap.model, f"stalled: {_when(gap.last_success)}, usually every {hours:.1f} h{errors}")


def _unmeasurable(models: list[ModelFacts]) -> list[Finding]:
    """Models whose errors are only the benchmark's budget or timeouts: they cannot be measured."""
    found = []
    for m in models:
        kinds = dict(m.kinds)
        if m.errors and set(kinds) <= set(UNMEASURABLE_KINDS):
            why = " and ".join(f"{kind} ×{n}" for kind, n in m.kinds)
            found.append(Finding(m.provider, m.model, f"{why}, {m.successes} ok"))
    return found


def assess(
    facts: HealthFacts,
    evidence: Evidence | None = None,
    fleet: Fleet | None = None,
    trend: Trend | None = None,
    silences: Sequence[Silence] = (),
) -> Assessment:
    """The rules' assessment. With silences, the problems an active silence covers are judged
    apart: the status is set by what remains (their errors and gaps set aside), and the
    assessment lists them under `silenced` with the silences that ended or are no longer needed."""
    full = _assess(facts, evidence, fleet, trend)
    if not silences:
        return full
    muting = Muting(facts, silences)
    candidates = _candidates(full, facts)
    if not muting.active:
        return replace(full, silenced=group(candidates, muting, silences, facts.window.start))
    quiet_fleet, aside = muting.fleet(fleet)
    quiet = _assess(muting.facts(), evidence, quiet_fleet, trend, muting=muting, shown=facts, aside=aside)
    silenced = group(candidates, muting, silences, facts.window.start)
    hidden = {p.provider for g in silenced if g.state == ACTIVE for p in g.problems if p.key.startswith("provider:")}
    collapsed = set(quiet.collapsed) | (set(full.collapsed) & hidden)
    covered = sum(len(g.problems) for g in silenced if g.state == ACTIVE)
    summary = quiet.summary + (f" Silenced: {plural(covered, 'problem')} (listed apart)." if covered else "")
    return replace(quiet, summary=summary, fleet=fleet, silenced=silenced, collapsed=tuple(sorted(collapsed)))


def issue_kinds(issue: ProviderIssue, facts: HealthFacts, fleet: Fleet | None) -> tuple[str, ...]:
    """The kind a silence's --kind matches for a provider issue: its own (auth, billing,
    rate_limit), else the most frequent error kind behind it (none for a silent provider)."""
    if issue.kind in ("auth", "billing", "rate_limit"):
        return (issue.kind,)
    if issue.kind == "silent":
        return ()
    streak = next((s for s in fleet.streaks if s.provider == issue.provider), None) if fleet else None
    if streak is not None and issue.since is not None and streak.kinds:
        return (streak.kind,)
    return dominant(facts.provider(issue.provider))


def _candidates(full: Assessment, facts: HealthFacts) -> list[Candidate]:
    """Every problem of the unsilenced assessment, as silences match them."""
    models = {m.key: m for m in facts.models}
    found = [
        Candidate(f"provider:{i.provider}", i.provider, None, issue_kinds(i, facts, full.fleet), i.text)
        for i in full.provider_issues
    ]

    def add(f: Finding, kinds: tuple[str, ...], what: str) -> None:
        found.append(Candidate(f"model:{f.key}", f.provider, f.model, kinds, f"{f.key} {what}: {f.detail}"))

    for f in full.models_likely_deprecated:
        m = models.get(f.key)
        add(f, ("hard_model",) if m and m.count("hard_model") else (), "likely deprecated")
    for f in full.code_fixes_needed:
        add(f, ("hard_capability",), "needs a code fix")
    for f in full.unmeasurable:
        add(f, tuple(k for k, _ in models[f.key].kinds) if f.key in models else (), "could not be measured")
    for f in (*full.not_measured, *full.stalled, *full.went_silent):
        add(f, dominant(models.get(f.key)), "enabled model")
    listed = {c.key for c in found}
    for m in facts.failing_models:  # the rest, a collapsed provider's models too (a model silence names them)
        if f"model:{m.key}" not in listed:
            kinds = ", ".join(f"{k} ×{n}" for k, n in m.kinds)
            found.append(
                Candidate(f"model:{m.key}", m.provider, m.model, dominant(m), f"{m.key}: {kinds}, {m.successes} ok")
            )
    return found


def _assess(
    facts: HealthFacts,
    evidence: Evidence | None = None,
    fleet: Fleet | None = None,
    trend: Trend | None = None,
    *,
    muting: Muting | None = None,
    shown: HealthFacts | None = None,
    aside: int = 0,
) -> Assessment:
    """The rules on `facts` and `fleet`; with `muting`, what its silences cover is left out,
    and `shown` (the raw facts) gives the summary's totals."""
    today = facts.window.end.date()
    known = fleet is not None and fleet.coverage.known
    if known:
        assert fleet is not None
        silent_providers, silent_models = _silent_providers(facts, fleet), list[Finding]()
    else:
        silent_providers, silent_models = _silent(facts)
    issues = _provider_issues(facts, fleet) + silent_providers
    if muting is not None:
        issues = [i for i in issues if muting.first(i.provider, None, issue_kinds(i, muting.raw, fleet)) is None]
        silent_models = [f for f in silent_models if not muting.hides_model(f.provider, f.model, ())]
    # every call failed (or none was made): the provider's models are its story, told once
    collapsed = {i.provider for i in issues if i.kind == "failing" or (i.critical and i.since)}
    silent = {i.provider for i in issues if i.kind == "silent"}  # its gaps are one line
    models = [m for m in facts.failing_models if m.provider not in collapsed]
    unmeasurable = _unmeasurable(models)
    cannot = {f.key for f in unmeasurable}
    deprecated = [
        Finding(
            m.provider,
            m.model,
            _detail(m, "hard_model"),
            _second_signal(evidence, m.provider, m.model, today),
            _doubt(evidence, fleet, m.provider, m.model),
        )
        for m in models
        if m.count("hard_model") and not m.successes
    ]
    deprecated += _dropped_by_provider(facts, evidence, {f.key for f in deprecated} | collapsed)
    fixes = [Finding(m.provider, m.model, _detail(m, "hard_capability")) for m in models if m.count("hard_capability")]
    lifecycle = evidence.lifecycle if evidence else None
    retiring = (
        retirements(lifecycle, catalog_expirations(evidence), today, evidence.stage) if evidence and lifecycle else []
    )
    deprecated += _past_retirement(facts, retiring, {f.key for f in deprecated}, collapsed)
    if muting is not None:
        raw = {m.key: m for m in muting.raw.models}

        def hard(f: Finding) -> tuple[str, ...]:
            m = raw.get(f.key)
            return ("hard_model",) if m and m.count("hard_model") else ()

        deprecated = [f for f in deprecated if not muting.hides_model(f.provider, f.model, hard(f))]
    not_measured, stalls = [], []
    if fleet is not None:
        listed = {f.key for f in deprecated} | cannot | {m.key for m in models}  # told in their own sections
        folded = collapsed | silent
        not_measured = [
            _gap_finding(g) for g in fleet.coverage.not_measured if g.provider not in folded and g.key not in listed
        ]
        stalls = [_stall_finding(g) for g in fleet.coverage.stalled if g.provider not in collapsed]

    actions = [PROVIDER_ACTIONS[i.kind].format(p=i.provider) for i in issues]
    for kind, found in (
        ("deprecated", deprecated),
        ("code_fix", fixes),
        ("went_silent", silent_models),
        ("not_measured", not_measured),
        ("stalled", stalls),
        ("unmeasurable", unmeasurable),
    ):
        actions += [model_action(kind, f) for f in found]
    actions += [f"Plan a replacement for {r.key}: it {r.detail}." for r in retiring if not r.past]

    attempts = facts.successes + facts.errors
    rate = facts.errors / attempts if attempts else 0.0
    measurable = _measurable_errors_total(facts)
    measurable_rate = measurable / (facts.successes + measurable) if facts.successes + measurable else 0.0
    critical: list[str] = []
    warning: list[str] = []
    ran = (shown or facts).successes + (shown or facts).errors  # silenced errors still ran
    if ran == 0:
        critical.append("no successes and no errors in the window: the benchmarks are not running")
        actions.insert(0, NOTHING_RAN_ACTION)
    critical += [
        f"{i.provider} is failing" + (f" since {i.since:%H:%M} UTC" if i.since else " as a whole")
        for i in issues
        if i.kind == "failing"
    ]
    critical += [
        f"{i.provider} has {i.kind} errors" + (f" since {i.since:%H:%M} UTC" if i.since else "")
        for i in issues
        if i.kind in ("auth", "billing")
    ]
    if fleet is not None and fleet.coverage.known and ran:
        c = fleet.coverage
        line = f"coverage: {c.measured} of {c.enabled} enabled models measured"
        line += f" ({plural(aside, 'silenced model')} set aside)" if aside else ""
        if c.ratio < COVERAGE_CRITICAL:
            critical.append(line)
        elif c.not_measured:
            warning.append(line)
    if attempts >= 2 * MIN_ATTEMPTS and measurable_rate >= OVERALL_CRITICAL_RATE:
        critical.append(f"{measurable_rate:.0%} of all attempts failed")
    elif attempts >= 2 * MIN_ATTEMPTS and rate >= OVERALL_WARNING_RATE:
        warning.append(f"{rate:.0%} of all attempts failed")
    warning += [
        f"{i.provider}: {i.kind.replace('_', ' ')}"
        for i in issues
        if i.kind in ("rate_limit", "error_rate", "silent", "overloaded")
    ]
    warning += [f"{plural(len(silent_models), 'model')} went silent"] if silent_models else []
    warning += [f"{plural(len(stalls), 'model')} stalled"] if stalls else []
    if fleet is not None:
        if fleet.coverage.shrank:
            c = fleet.coverage
            warning.append(
                f"the enabled set shrank from {c.previous_enabled} to {c.enabled} models since the previous daily run"
            )
            actions.append(f"Check that removing {plural(len(c.removed_since_previous), 'model')} was intended.")
        for lag in fleet.stale_sources:
            warning.append(lag.text(facts.window.end))
        if fleet.stale_sources:
            actions.append("Check the discovery job's model sources (keys, URLs): a list stopped refreshing.")
    stale = evidence and stale_discovery(evidence, facts.window.end)
    if stale:
        warning.append(stale)
        actions.append("Check the discovery job (llm-discovery fetch): the catalog is not being refreshed.")
    warning += [f"{plural(len(deprecated), 'model')} likely deprecated"] if deprecated else []
    warning += [f"{plural(len(fixes), 'model')} need{'s' if len(fixes) == 1 else ''} a code fix"] if fixes else []
    warning += [f"{plural(len(unmeasurable), 'model')} could not be measured"] if unmeasurable else []
    explained = {f.key for f in (*deprecated, *fixes, *unmeasurable)}
    only_errors = [m for m in models if not m.successes and m.key not in explained]
    warning += [f"{plural(len(only_errors), 'model')} had errors and no success"] if only_errors else []
    trends = trend.findings if trend else ()
    warning += [f"trend: {t.detail}" for t in trends]
    actions += [t.action for t in trends]

    status = Status.CRITICAL if critical else Status.WARNING if warning else Status.HEALTHY
    reasons = tuple(critical + warning)
    if shown is not None:
        shown_attempts = shown.successes + shown.errors
        rate = shown.errors / shown_attempts if shown_attempts else 0.0
    summary = _summary(status, shown or facts, rate, reasons, len(critical))
    notes = [
        n
        for n in (
            evidence and discovery_note(evidence),
            evidence and misdated_note(evidence),
            _unlisted_note(fleet, evidence),
        )
        if n
    ]
    return Assessment(
        status,
        summary,
        tuple(deprecated),
        tuple(fixes),
        tuple(issues),
        tuple(dict.fromkeys(actions)),
        reasons,
        tuple(silent_models),
        tuple(retiring),
        tuple(notes),
        fleet,
        tuple(not_measured),
        tuple(stalls),
        tuple(unmeasurable),
        tuple(sorted(collapsed)),
        tuple(trends),
    )


def _measurable_errors_total(facts: HealthFacts) -> int:
    return facts.errors - sum(n for kind, n in facts.errors_by_kind if kind in UNMEASURABLE_KINDS)


UNLISTED_NOTE = "{providers}: no model list of their own is read, only the model registry speaks for them."


def _unlisted_note(fleet: Fleet | None, evidence: Evidence | None) -> str | None:
    """Said once: the enabled providers no own model list covers (Bedrock and Vertex have none)."""
    if fleet is None or not fleet.unlisted_providers:
        return None
    note = UNLISTED_NOTE.format(providers=", ".join(fleet.unlisted_providers))
    said = ((evidence.previous_run if evidence else None) or {}).get("notes")
    return None if isinstance(said, list) and note in said else note


def _past_retirement(
    facts: HealthFacts, retiring: list[Retirement], known: set[str], collapsed: set[str]
) -> list[Finding]:
    """Enabled models past their retirement date that did not succeed: likely deprecated, with
    the date as evidence (one that still answers is listed under retiring, not called deprecated)."""
    succeeded = {m.key for m in facts.models if m.successes}
    found = []
    for r in retiring:
        if r.past and r.key not in known and r.key not in succeeded and r.provider not in collapsed:
            facts_of = next((m for m in facts.models if m.key == r.key), None)
            errors = f"{plural(facts_of.errors, 'error')}, 0 ok" if facts_of else "no run in the window"
            found.append(Finding(r.provider, r.model, errors, f"retired on {r.date.isoformat()} ({r.source})"))
    return found


def _second_signal(evidence: Evidence | None, provider: str, model: str, today: dt.date) -> str:
    """The catalog's or the provider list's word that the model is going away, or ""."""
    if evidence is None:
        return ""
    signs = [
        catalog_sign(evidence, model, today),
        provider_dropped(evidence.lifecycle, provider, model) if evidence.lifecycle else None,
    ]
    return "; ".join(sign for sign in signs if sign)


def _doubt(evidence: Evidence | None, fleet: Fleet | None, provider: str, model: str) -> str:
    """The provider's own list still showing a model its errors call not served, or "" (also
    when that list stopped refreshing: what it showed last is no evidence)."""
    if evidence is None or evidence.lifecycle is None:
        return ""
    if fleet is not None and any(lag.source == f"provider:{provider}" for lag in fleet.stale_sources):
        return ""
    return provider_still_lists(evidence.lifecycle, provider, model) or ""


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


def _summary(status: Status, facts: HealthFacts, rate: float, reasons: tuple[str, ...], critical: int = 0) -> str:
    """Totals, then the reasons by the status they set: `CRITICAL: …. WARNING: ….`"""
    attempts = facts.successes + facts.errors
    share = f" ({rate:.1%})" if attempts else ""
    head = (
        f"{plural(facts.successes, 'successful run')} and {plural(facts.errors, 'error')}{share} "
        f"in {facts.window.hours:g} h."
    )
    if not reasons:
        return f"{head} Nothing needs attention."
    parts = [head]
    if critical:
        parts.append("CRITICAL: " + "; ".join(reasons[:critical]) + ".")
    if reasons[critical:]:
        parts.append("WARNING: " + "; ".join(reasons[critical:]) + ".")
    return " ".join(parts)
