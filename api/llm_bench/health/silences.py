"""Silences: an explicit, expiring acknowledgement of one known problem, with a reason.

A silence names a target — a provider (`openai`) or one model (`openai:gpt-4o`) — optionally one
error kind (`--kind billing`), a reason and an end. While it is active, the problems it covers do
not set the status, the subject or the summary, and their errors do not count toward the rate
thresholds (the raw totals still show them); they are listed in their own section with the
reason and the end date. It hides nothing else: another kind on the same provider, another
provider, a coverage drop elsewhere still count.

What a silence covers:
- a provider target covers that provider's issues and its models' problems; a model target only
  that model's problems (never a provider-wide issue);
- with a kind, only problems of that kind: a provider issue's own kind (auth, billing,
  rate_limit) or, for a failing / error-rate / overloaded provider and for a model, the most
  frequent error kind behind it; a likely deprecated model is `hard_model`, a code fix
  `hard_capability`; a model or provider that produced nothing has no kind.

Everything here is pure: parsing the command line's words, matching, and removing the silenced
errors and gaps from the facts and the fleet before they are judged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..classify import KINDS
from ..errors import OpsError
from ..exit_codes import ExitStatus
from ..untrusted import is_identifier, safe_text
from .facts import HealthFacts, ModelFacts, ProviderFacts
from .fleet import Fleet, Gap

MAX_PERIOD = dt.timedelta(days=90)
MIN_PERIOD = dt.timedelta(hours=1)
MAX_REASON = 300
MAX_TARGET = 200
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/@+-]*")  # a provider; a model id may also hold ':'
PERIOD = re.compile(r"([0-9]{1,5}) ?(h|d|w)")
UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}

#: States of a silence in a report.
ACTIVE, ENDED, UNNEEDED = "active", "ended", "no longer needed"


class SilenceInputError(OpsError):
    """Bad input for a silence: one line, a usage error (exit 2)."""

    status = ExitStatus.USAGE


@dataclass(frozen=True)
class Target:
    provider: str
    model: str | None = None

    @property
    def text(self) -> str:
        return f"{self.provider}:{self.model}" if self.model else self.provider


def parse_target(value: str) -> Target:
    """`provider` or `provider:model_id` (the model id may hold further colons)."""
    text = value.strip()
    if not text:
        raise SilenceInputError("TARGET is empty: give a provider (openai) or provider:model_id (openai:gpt-4o)")
    if len(text) > MAX_TARGET:
        raise SilenceInputError(f"TARGET is longer than {MAX_TARGET} characters")
    provider, sep, model = text.partition(":")
    if not (NAME.fullmatch(provider) and is_identifier(text)) or (sep and not model):
        raise SilenceInputError(
            f"TARGET must be a provider (openai) or provider:model_id (openai:gpt-4o), got {safe_text(text, 80)!r}"
        )
    return Target(provider, model if sep else None)


def parse_kind(value: str | None) -> str | None:
    if value is None:
        return None
    kind = value.strip()
    if kind not in KINDS:
        raise SilenceInputError(f"--kind must be one of {', '.join(KINDS)}; got {safe_text(kind, 40)!r}")
    return kind


def parse_reason(value: str | None) -> str:
    reason = safe_text(value or "", MAX_REASON).strip()
    if not reason:
        raise SilenceInputError('--reason is required: say why, e.g. --reason "invoice 4711 unpaid"')
    return reason


def parse_end(period: str | None, until: str | None, now: dt.datetime) -> dt.datetime:
    """The silence's end: `--for` a period (`12h`, `3d`, `2w`) from now, or `--until YYYY-MM-DD`
    (through the end of that day, UTC); from one hour to 90 days ahead."""
    if (period is None) == (until is None):
        raise SilenceInputError("give exactly one of --for (12h, 3d, 2w) or --until YYYY-MM-DD")
    if period is not None:
        match = PERIOD.fullmatch(period.strip().lower())
        if not match:
            raise SilenceInputError(
                f"--for must be a number of hours, days or weeks (12h, 3d, 2w), got {period[:40]!r}"
            )
        length = int(match.group(1)) * UNITS[match.group(2)]
        if not MIN_PERIOD <= length <= MAX_PERIOD:
            raise SilenceInputError(f"--for must be from 1h to 90d, got {period.strip()}")
        return now + length
    assert until is not None
    try:
        day = dt.date.fromisoformat(until.strip())
    except ValueError:
        raise SilenceInputError(f"--until must be a date YYYY-MM-DD, got {until[:40]!r}") from None
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    if end - now < MIN_PERIOD:
        raise SilenceInputError(f"--until must be a day that has not ended, got {day.isoformat()}")
    if end - now > MAX_PERIOD:
        raise SilenceInputError(f"--until must be at most 90 days ahead, got {day.isoformat()}")
    return end


@dataclass(frozen=True)
class Silence:
    id: str
    target: Target
    kind: str | None
    reason: str
    created_at: dt.datetime
    until: dt.datetime
    created_by: str = ""  # user@host that made it
    removed_at: dt.datetime | None = None
    removed_by: str = ""

    @property
    def label(self) -> str:
        return self.target.text + (f" ({self.kind})" if self.kind else "")

    def active(self, at: dt.datetime) -> bool:
        return self.created_at <= at < self.until and (self.removed_at is None or self.removed_at > at)

    def end(self) -> dt.datetime:
        """When it stopped or will stop: its removal or its end date."""
        return min(self.until, self.removed_at) if self.removed_at else self.until

    def covers(self, provider: str, model: str | None, kinds: Iterable[str]) -> bool:
        """Whether this silence names the problem of `provider` (and `model`, None for a provider
        issue) whose kind is among `kinds` (empty: a problem without an error kind)."""
        if self.target.provider != provider:
            return False
        if self.target.model is not None and self.target.model != model:
            return False
        return self.kind is None or self.kind in set(kinds)

    @property
    def text(self) -> str:
        """One line: `3f2a9c1d  openai (billing) until 2026-11-24 08:00 UTC — invoice 4711 unpaid (ops@host)`."""
        removed = f"; removed {self.removed_at:%Y-%m-%d %H:%M} UTC by {self.removed_by}" if self.removed_at else ""
        by = f" ({self.created_by})" if self.created_by else ""
        return f"{self.id}  {self.label} until {self.until:%Y-%m-%d %H:%M} UTC — {self.reason}{by}{removed}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target.text,
            "kind": self.kind,
            "reason": self.reason,
            "created_at": self.created_at.isoformat(),
            "until": self.until.isoformat(),
            "created_by": self.created_by,
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
            "removed_by": self.removed_by or None,
        }


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _who(value: Any) -> str:
    if isinstance(value, Mapping):
        return safe_text(f"{value.get('user') or '?'}@{value.get('host') or '?'}", 120)
    return ""


def from_document(doc: Mapping[str, Any]) -> Silence | None:
    """A stored silence read defensively (None when it is not one: it then silences nothing)."""
    created, until = _time(doc.get("created_at")), _time(doc.get("until"))
    provider, model, kind = doc.get("provider"), doc.get("model"), doc.get("kind")
    if created is None or until is None or not isinstance(provider, str) or not provider:
        return None
    if model is not None and not isinstance(model, str):
        return None
    if kind is not None and kind not in KINDS:
        return None
    removed = doc.get("removed")
    removed_at = _time(removed.get("at")) if isinstance(removed, Mapping) else None
    return Silence(
        id=safe_text(doc.get("_id"), 40),
        target=Target(safe_text(provider, 120), safe_text(model, 200) if model else None),
        kind=kind,
        reason=safe_text(doc.get("reason"), MAX_REASON),
        created_at=created,
        until=until,
        created_by=_who(doc.get("created")),
        removed_at=removed_at,
        removed_by=_who(removed) if removed_at else "",
    )


def new_silence(
    target: str,
    *,
    reason: str | None,
    period: str | None,
    until: str | None,
    kind: str | None,
    now: dt.datetime,
    silence_id: str,
    by: str = "",
) -> Silence:
    """A silence from the command line's words, checked (SilenceInputError on bad input)."""
    return Silence(
        id=silence_id,
        target=parse_target(target),
        kind=parse_kind(kind),
        reason=parse_reason(reason),
        created_at=now,
        until=parse_end(period, until, now),
        created_by=by,
    )


def to_document(silence: Silence, user: str, host: str) -> dict[str, Any]:
    """The stored shape: the target split, and who made it where."""
    return {
        "_id": silence.id,
        "provider": silence.target.provider,
        "model": silence.target.model,
        "kind": silence.kind,
        "reason": silence.reason,
        "created_at": silence.created_at,
        "until": silence.until,
        "created": {"at": silence.created_at, "user": user, "host": host},
        "removed": None,
    }


# --- matching problems -------------------------------------------------------------------------


def dominant(model: ModelFacts | ProviderFacts | None) -> tuple[str, ...]:
    """The most frequent error kind behind a model's or provider's problem (none without errors)."""
    return (model.kinds[0][0],) if model is not None and model.kinds else ()


@dataclass(frozen=True)
class SilencedProblem:
    key: str  # the problem's key in the day-over-day history (`provider:p`, `model:p:m`)
    provider: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "detail": self.text}


@dataclass(frozen=True)
class Silenced:
    """One silence as a report shows it: the problems it covers now, or that it ended, or that
    nothing it names is wrong any more."""

    silence: Silence
    state: str  # ACTIVE, ENDED or UNNEEDED
    problems: tuple[SilencedProblem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        s = self.silence
        return {
            "id": s.id,
            "target": s.target.text,
            "kind": s.kind,
            "reason": s.reason,
            "until": s.until.isoformat(),
            "state": self.state,
            "ended_at": s.end().isoformat() if self.state == ENDED else None,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class Candidate:
    """A problem the rules found, as a silence matches it."""

    key: str
    provider: str
    model: str | None
    kinds: tuple[str, ...]
    text: str


class Muting:
    """The silences active at the window's end, applied to one window's facts and fleet."""

    def __init__(self, facts: HealthFacts, silences: Sequence[Silence]) -> None:
        end = facts.window.end
        self.raw = facts
        self.active = tuple(s for s in silences if s.active(end))
        self.models = {m.key: m for m in facts.models}

    def first(self, provider: str, model: str | None, kinds: Iterable[str]) -> Silence | None:
        kinds = tuple(kinds)
        return next((s for s in self.active if s.covers(provider, model, kinds)), None)

    def model_kinds(self, provider: str, model: str) -> tuple[str, ...]:
        return dominant(self.models.get(f"{provider}:{model}"))

    def hides_model(self, provider: str, model: str, kinds: Iterable[str] | None = None) -> bool:
        which = self.model_kinds(provider, model) if kinds is None else tuple(kinds)
        return self.first(provider, model, which) is not None

    def _removed(self, m: ModelFacts) -> set[str]:
        """The error kinds of `m` that silences take out of the counts."""
        kinds = {kind for kind, _ in m.kinds}
        gone: set[str] = set()
        for s in self.active:
            if s.covers(m.provider, m.model, kinds):
                gone |= kinds if s.kind is None else {s.kind}
        return gone

    def facts(self) -> HealthFacts:
        """The facts without the silenced errors: the counts the status is judged on. A model
        whose every event was silenced stays, with nothing, so it is neither failing nor silent."""
        if not self.active:
            return self.raw
        models = []
        removed: dict[str, int] = defaultdict(int)
        for m in self.raw.models:
            gone = self._removed(m)
            if not gone:
                models.append(m)
                continue
            kinds = tuple((k, n) for k, n in m.kinds if k not in gone)
            for k, n in m.kinds:
                if k in gone:
                    removed[k] += n
            models.append(replace(m, errors=sum(n for _, n in kinds), kinds=kinds))
        providers = []
        for p in self.raw.providers:
            own = [m for m in models if m.provider == p.name]
            counts: dict[str, int] = defaultdict(int)
            for m in own:
                for k, n in m.kinds:
                    counts[k] += n
            providers.append(
                replace(
                    p,
                    errors=sum(m.errors for m in own),
                    models_with_errors=sum(1 for m in own if m.errors),
                    kinds=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
                )
            )
        by_kind = tuple((k, n - removed.get(k, 0)) for k, n in self.raw.errors_by_kind if n - removed.get(k, 0) > 0)
        return replace(
            self.raw,
            errors=sum(n for _, n in by_kind),
            errors_by_kind=by_kind,
            providers=tuple(providers),
            models=tuple(sorted(models, key=lambda m: (-m.errors, m.provider, m.model))),
        )

    def fleet(self, fleet: Fleet | None) -> tuple[Fleet | None, int]:
        """The fleet without the silenced gaps and streaks, and how many enabled models were set
        aside: coverage is judged on the rest."""
        if fleet is None or not self.active:
            return fleet, 0
        c = fleet.coverage

        def kept(gaps: tuple[Gap, ...]) -> tuple[Gap, ...]:
            return tuple(g for g in gaps if not self.hides_model(g.provider, g.model))

        not_measured, stalled = kept(c.not_measured), kept(c.stalled)
        aside_missing = len(c.not_measured) - len(not_measured)
        aside_stalled = len(c.stalled) - len(stalled)
        missing = tuple(p for p in c.missing_providers if any(g.provider == p for g in not_measured))
        coverage = replace(
            c,
            enabled=c.enabled - aside_missing - aside_stalled,
            measured=c.measured - aside_stalled,
            not_measured=not_measured,
            stalled=stalled,
            missing_providers=missing,
        )
        streaks = tuple(
            s for s in fleet.streaks if self.first(s.provider, None, (s.access or s.kind,) if s.kinds else ()) is None
        )
        return replace(fleet, coverage=coverage, streaks=streaks), aside_missing + aside_stalled


def group(
    candidates: Iterable[Candidate], muting: Muting, silences: Sequence[Silence], start: dt.datetime
) -> tuple[Silenced, ...]:
    """Each silence with the problems it covers (a problem under its first silence only); the
    active ones that cover nothing are no longer needed; those that ended or were removed in the
    window are said once."""
    by_id: dict[str, list[SilencedProblem]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for c in sorted(candidates, key=lambda c: c.model is not None):  # provider issues first
        s = muting.first(c.provider, c.model, c.kinds)
        if s is None or (s.id, c.text) in seen or (s.id, c.provider) in seen:
            continue  # a model under a provider issue the same silence covers is that issue's
        seen.add((s.id, c.text))
        if c.model is None:
            seen.add((s.id, c.provider))
        by_id[s.id].append(SilencedProblem(c.key, c.provider, c.text))
    end = muting.raw.window.end
    out = [Silenced(s, ACTIVE if by_id.get(s.id) else UNNEEDED, tuple(by_id.get(s.id, ()))) for s in muting.active]
    out += [Silenced(s, ENDED) for s in silences if not s.active(end) and start < s.end() <= end]
    return tuple(out)
