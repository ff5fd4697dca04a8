"""The whole fleet, not only the window's events: what *should* have run and did not.

The benchmark's `models` list says which models are enabled. Against that set, every enabled
model is measured (a success in the window), not measured (with its last success ever, or
never) or stalled (its successes stopped well before the end of the window, judged against its
own cadence). Per provider, a streak of failures after its last success says since when every
call failed, so a break at 04:30 is judged from 04:30 and not by the whole day's share. The
enabled set itself is remembered by the ledger: a shrink, models that ran while not enabled
and one model enabled under two spellings are reported. Model sources that stopped refreshing
are said here too.

Everything here is pure: the job passes in what the database returned.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..identity import identity
from ..untrusted import safe_text
from .facts import HealthFacts, ModelFacts

STALL_MIN = dt.timedelta(hours=3)  # a model is stalled only after at least this long without a success
STALL_CADENCES = 3  # ... and at least this many of its own intervals between successes
MIN_STREAK_ERRORS = 5  # a provider's streak needs at least this many failed calls
MIN_STREAK_SPAN = dt.timedelta(hours=1)  # ... spread over at least this long before the window's end
COVERAGE_CRITICAL = 0.50  # measured / enabled below this is CRITICAL (any gap at all is WARNING)
ENABLED_SHRINK = 0.10  # the enabled set shrinking by more than this since the previous daily run
STALE_SOURCE = dt.timedelta(hours=48)
UNMEASURABLE_KINDS = ("budget_exhausted", "timeout")
MODEL_KINDS = ("hard_model", "hard_capability", "budget_exhausted")  # kinds about one model's request
MAX_RECORDED_ENABLED = 5000  # enabled model keys kept in a ledger entry
NAME_CHARS = 120


def model_key(provider: str, model: str) -> str:
    return f"{provider}:{model}"


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass(frozen=True)
class EnabledModel:
    provider: str
    model: str
    last_success: dt.datetime | None  # ever, before the window's end (None: never)

    @property
    def key(self) -> str:
        return model_key(self.provider, self.model)


@dataclass(frozen=True)
class Gap:
    """An enabled model without a recent success: not measured in the window, or stalled."""

    provider: str
    model: str
    last_success: dt.datetime | None
    errors: int = 0  # errors in the window
    cadence: dt.timedelta | None = None  # a stalled model's usual interval between successes

    @property
    def key(self) -> str:
        return model_key(self.provider, self.model)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.key, "last_success": _iso(self.last_success)}


@dataclass(frozen=True)
class Streak:
    """Every call of `provider` since `since` failed (after its last success, across its models)."""

    provider: str
    since: dt.datetime
    last_success: dt.datetime | None  # the provider's last success (in the window, else ever)
    errors: int
    kinds: tuple[tuple[str, int], ...]  # classified kinds, most frequent first
    models: tuple[str, ...]

    @property
    def kind(self) -> str:
        return self.kinds[0][0] if self.kinds else "unknown"

    @property
    def access(self) -> str | None:
        """`auth` or `billing` when credentials or the account broke (they dominate the streak)."""
        counts = dict(self.kinds)
        refused = counts.get("auth", 0) + counts.get("billing", 0)
        if refused * 2 < self.errors:
            return None
        return "billing" if counts.get("billing", 0) > counts.get("auth", 0) else "auth"

    @property
    def provider_wide(self) -> bool:
        """At least half of the streak is of kinds that speak of the provider, not of one model's
        request (two models each broken their own way are two model problems, not an outage)."""
        own = sum(n for kind, n in self.kinds if kind in MODEL_KINDS)
        return own * 2 <= self.errors

    @property
    def unmeasurable(self) -> bool:
        """Only the benchmark's own budget ran out: the provider is not broken."""
        return all(kind == "budget_exhausted" for kind, _ in self.kinds)

    @property
    def text(self) -> str:
        kinds = ", ".join(f"{kind} ×{n}" for kind, n in self.kinds)
        models = f" on {len(self.models)} model{'s' if len(self.models) != 1 else ''}"
        last = f"; last success {self.last_success:%Y-%m-%d %H:%M} UTC" if self.last_success else "; no success ever"
        return f"every call since {self.since:%Y-%m-%d %H:%M} UTC failed ({kinds}){models}{last}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "since": self.since.isoformat(),
            "last_success": _iso(self.last_success),
            "errors": self.errors,
            "kinds": dict(self.kinds),
            "models": list(self.models),
        }


@dataclass(frozen=True)
class SourceLag:
    """A model source (a provider's own list, the registry) that stopped refreshing."""

    source: str
    last_complete: dt.datetime | None
    last_status: str
    last_message: str

    @property
    def label(self) -> str:
        return "the model registry" if self.source == "registry" else f"{self.source.split(':', 1)[-1]}'s model list"

    def text(self, now: dt.datetime) -> str:
        if self.last_complete:
            age = f"no complete fetch for {(now - self.last_complete).total_seconds() / 3600:.0f} h"
        else:
            age = "no complete fetch in 30 days"
        why = f": {self.last_message}" if self.last_message else ""
        return f"{self.label}: {age} (last attempt {self.last_status}{why})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "last_complete": _iso(self.last_complete),
            "last_status": self.last_status,
            "last_message": self.last_message,
        }


@dataclass(frozen=True)
class Coverage:
    known: bool  # the models list names enabled models; without it only events can be judged
    enabled: int
    measured: int
    not_measured: tuple[Gap, ...]
    stalled: tuple[Gap, ...]
    ran_while_disabled: tuple[str, ...]
    removed_since_previous: tuple[str, ...]
    previous_enabled: int | None  # the enabled set's size at the previous daily run, when recorded
    duplicates: tuple[tuple[str, ...], ...]  # enabled models that are one identity under two spellings
    missing_providers: tuple[str, ...]  # providers none of whose enabled models was measured
    enabled_keys: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        return self.measured / self.enabled if self.enabled else 1.0

    @property
    def shrank(self) -> bool:
        before = self.previous_enabled
        return bool(before) and len(self.removed_since_previous) > ENABLED_SHRINK * before  # type: ignore[operator]

    def to_dict(self) -> dict[str, Any]:
        return {
            "known": self.known,
            "enabled": self.enabled,
            "measured": self.measured,
            "ratio": round(self.ratio, 4),
            "not_measured": [g.to_dict() for g in self.not_measured],
            "stalled": [g.to_dict() for g in self.stalled],
            "ran_while_disabled": list(self.ran_while_disabled),
            "removed_since_previous": list(self.removed_since_previous),
            "previous_enabled": self.previous_enabled,
            "duplicate_spellings": [list(group) for group in self.duplicates],
            "missing_providers": list(self.missing_providers),
        }


@dataclass(frozen=True)
class Fleet:
    coverage: Coverage
    streaks: tuple[Streak, ...]  # providers whose every call failed since some time
    stale_sources: tuple[SourceLag, ...]
    unlisted_providers: tuple[str, ...]  # enabled providers no own model list speaks for
    enabled: tuple[EnabledModel, ...] = ()  # each with its last success ever, for the ledger to carry


def _name(value: Any) -> str:
    return safe_text(value, NAME_CHARS) if isinstance(value, str) else ""


def _moment(value: Any) -> dt.datetime | None:
    return value if isinstance(value, dt.datetime) else None


def _stamp(found: Any, *fields: str) -> dt.datetime | None:
    """The first of `fields` that holds a date, in a looked-up success (None when there is none)."""
    if not isinstance(found, Mapping):
        return None
    return next((moment for f in fields if (moment := _moment(found.get(f)))), None)


def window_last_successes(success_rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], dt.datetime]:
    """The window's last success per model as stored ((provider, model_name) -> moment), from the
    success rows of the current period."""
    last: dict[tuple[str, str], dt.datetime] = {}
    for row in success_rows:
        provider, model, moment = row.get("raw_provider"), row.get("raw_model"), row.get("last_success")
        if not (row.get("period") == "current" and isinstance(provider, str) and isinstance(model, str)):
            continue
        if isinstance(moment, dt.datetime) and ((provider, model) not in last or moment > last[(provider, model)]):
            last[(provider, model)] = moment
    return last


def enabled_models(
    context_models: Iterable[Mapping[str, Any]],
    end: dt.datetime,
    window_last: Mapping[tuple[str, str], dt.datetime] | None = None,
) -> tuple[EnabledModel, ...]:
    """The enabled, not deprecated models of the run context, each with its last success ever:
    the latest of its look-ups, or, for a model whose last success the previous run recorded
    (`carried`), the later of that record and its last success in the window (`window_last`,
    by provider and model as stored)."""
    found: dict[str, EnabledModel] = {}
    for doc in context_models:
        provider, model = _name(doc.get("provider")), _name(doc.get("model_id"))
        if not (provider and model and doc.get("enabled") is True and doc.get("deprecated") is not True):
            continue
        stamped = [_stamp(doc.get("last_success"), "gen_ts", "run_ts"), _stamp(doc.get("last_run"), "run_ts")]
        carried = doc.get("carried")
        if isinstance(carried, Mapping):
            stamped += [_moment(carried.get("at")), (window_last or {}).get((doc["provider"], doc["model_id"]))]
        moment = max((t for t in stamped if t is not None), default=None)
        found.setdefault(
            model_key(provider, model), EnabledModel(provider, model, moment if moment and moment < end else None)
        )
    return tuple(sorted(found.values(), key=lambda m: m.key))


def _cadence(model: ModelFacts) -> dt.timedelta | None:
    if model.successes < 2 or not (model.first_success and model.last_success):
        return None
    return (model.last_success - model.first_success) / (model.successes - 1)


def stalled(model: ModelFacts, end: dt.datetime) -> dt.timedelta | None:
    """The model's cadence when its successes stopped well before `end`, else None."""
    cadence = _cadence(model)
    if cadence is None or model.last_success is None:
        return None
    return cadence if end - model.last_success >= max(STALL_MIN, STALL_CADENCES * cadence) else None


def coverage(
    facts: HealthFacts,
    enabled: tuple[EnabledModel, ...],
    previous_run: Mapping[str, Any] | None,
) -> Coverage:
    end = facts.window.end
    by_key = {m.key: m for m in facts.models}
    if not enabled:  # no models list: judge the models that showed up
        stalls = [
            Gap(m.provider, m.model, m.last_success, m.errors, cadence)
            for m in facts.models
            if m.successes and (cadence := stalled(m, end))
        ]
        return Coverage(False, 0, 0, (), tuple(stalls), (), (), None, (), ())
    not_measured, stalls = [], []
    for e in enabled:
        m = by_key.get(e.key)
        if m is None or not m.successes:
            not_measured.append(Gap(e.provider, e.model, e.last_success, m.errors if m else 0))
        elif cadence := stalled(m, end):
            stalls.append(Gap(e.provider, e.model, m.last_success, m.errors, cadence))
    keys = {e.key for e in enabled}
    disabled = sorted(m.key for m in facts.models if m.key not in keys and (m.successes or m.errors))
    before = previous_run.get("enabled") if isinstance(previous_run, Mapping) else None
    removed: list[str] = []
    previous_enabled = None
    if isinstance(before, Mapping) and isinstance(before.get("models"), list) and before.get("complete") is True:
        recorded = {str(k) for k in before["models"] if isinstance(k, str)}
        previous_enabled = len(recorded)
        removed = sorted(safe_text(k, 2 * NAME_CHARS) for k in recorded - keys)
    spellings: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in enabled:
        spellings[(e.provider, identity(e.model))].append(e.key)
    providers: dict[str, list[bool]] = defaultdict(list)
    missing_keys = {g.key for g in not_measured}
    for e in enabled:
        providers[e.provider].append(e.key in missing_keys)
    return Coverage(
        True,
        len(enabled),
        len(enabled) - len(not_measured),
        tuple(not_measured),
        tuple(stalls),
        tuple(disabled),
        tuple(removed),
        previous_enabled,
        tuple(tuple(group) for group in spellings.values() if len(group) > 1),
        tuple(sorted(p for p, gaps in providers.items() if all(gaps))),
        tuple(sorted(keys)),
    )


def streaks(
    facts: HealthFacts,
    rows: Iterable[Mapping[str, Any]],
    kinds_by_key: Mapping[tuple[str, str, str, str], str],
    enabled: tuple[EnabledModel, ...],
) -> tuple[Streak, ...]:
    """Per provider, the failed calls after its last success in the window (rows of
    `repository.health.error_streaks`, each given its classified kind through `kinds_by_key`:
    (provider, model, fingerprint, stored kind) -> kind). A streak counts when it has at least
    MIN_STREAK_ERRORS errors and began at least MIN_STREAK_SPAN before the window's end."""
    end = facts.window.end
    grouped: dict[str, list[tuple[str, str, int, dt.datetime | None]]] = defaultdict(list)
    for row in rows:
        provider = safe_text(row.get("provider"), NAME_CHARS) or "unknown"
        model = safe_text(row.get("model"), NAME_CHARS) or "unknown"
        key = (provider, model, str(row.get("fingerprint") or ""), str(row.get("stored_kind") or "unknown"))
        grouped[provider].append(
            (model, kinds_by_key.get(key, "unknown"), int(row.get("count") or 0), row.get("first"))
        )
    ever: dict[str, dt.datetime] = {}
    for e in enabled:
        if e.last_success and (e.provider not in ever or e.last_success > ever[e.provider]):
            ever[e.provider] = e.last_success
    found = []
    for provider, items in sorted(grouped.items()):
        errors = sum(n for _, _, n, _ in items)
        firsts = [first for _, _, _, first in items if isinstance(first, dt.datetime)]
        if errors < MIN_STREAK_ERRORS or not firsts or end - min(firsts) < MIN_STREAK_SPAN:
            continue
        counts: dict[str, int] = defaultdict(int)
        for _, kind, n, _ in items:
            counts[kind] += n
        in_window = [m.last_success for m in facts.models if m.provider == provider and m.last_success]
        last = max(in_window) if in_window else ever.get(provider)
        found.append(
            Streak(
                provider,
                min(firsts),
                last,
                errors,
                tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
                tuple(sorted({model for model, _, _, _ in items})),
            )
        )
    return tuple(found)


def stale_sources(sources: Iterable[Mapping[str, Any]], now: dt.datetime) -> tuple[SourceLag, ...]:
    """Model sources whose last complete fetch is older than STALE_SOURCE (or missing) while
    fetches were attempted: refused or unavailable for more than 48 h."""
    lags = []
    for row in sources:
        source = _name(row.get("source"))
        last_attempt, last_complete = _moment(row.get("last_attempt")), _moment(row.get("last_complete"))
        first_attempt = _moment(row.get("first_attempt")) or last_attempt
        if not source or last_attempt is None or row.get("last_status") == "complete":
            continue
        since = last_complete or first_attempt
        if since is not None and now - since > STALE_SOURCE:
            lags.append(
                SourceLag(
                    source,
                    last_complete,
                    _name(row.get("last_status")) or "unknown",
                    safe_text(row.get("last_message") or "", 200),
                )
            )
    return tuple(sorted(lags, key=lambda lag: lag.source))


def unlisted_providers(enabled: tuple[EnabledModel, ...], sources: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Enabled providers that no model list of their own was ever fetched for (only the registry
    speaks for them: Bedrock and Vertex have none), once discovery has fetched anything."""
    fetched = {_name(row.get("source")) for row in sources}
    if not fetched:
        return ()
    return tuple(sorted({e.provider for e in enabled} - {s.split(":", 1)[1] for s in fetched if ":" in s}))


def judge(
    facts: HealthFacts,
    context_models: Iterable[Mapping[str, Any]],
    previous_run: Mapping[str, Any] | None,
    streak_rows: Iterable[Mapping[str, Any]],
    kinds_by_key: Mapping[tuple[str, str, str, str], str],
    sources: Iterable[Mapping[str, Any]],
    window_last: Mapping[tuple[str, str], dt.datetime] | None = None,
) -> Fleet:
    models = list(context_models)
    source_rows = list(sources)
    enabled = enabled_models(models, facts.window.end, window_last)
    return Fleet(
        coverage(facts, enabled, previous_run),
        streaks(facts, streak_rows, kinds_by_key, enabled),
        stale_sources(source_rows, facts.window.end),
        unlisted_providers(enabled, source_rows),
        enabled,
    )


def recorded_enabled(fleet: Fleet) -> dict[str, Any] | None:
    """The enabled set as a ledger entry keeps it (for the next run's shrink check); None
    without a models list."""
    if not fleet.coverage.known:
        return None
    keys = list(fleet.coverage.enabled_keys)
    return {"count": len(keys), "complete": len(keys) <= MAX_RECORDED_ENABLED, "models": keys[:MAX_RECORDED_ENABLED]}


def recorded_last_successes(fleet: Fleet) -> list[dict[str, Any]] | None:
    """Each enabled model's last success ever (None: never) as a ledger entry keeps it, for the
    next run to carry instead of looking it up; None without a models list. At most
    MAX_RECORDED_ENABLED models: the next run looks the others up."""
    if not fleet.coverage.known:
        return None
    return [
        {"provider": e.provider, "model": e.model, "at": e.last_success} for e in fleet.enabled[:MAX_RECORDED_ENABLED]
    ]
