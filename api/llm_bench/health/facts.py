"""The health window and the facts computed for it, as frozen dataclasses.

`shape_facts` is pure: it folds the classified error patterns (see `classification`) and the
per-(provider, model) success rows that MongoDB aggregated into per-provider and per-model
facts. Every count by kind is by the classified kind; the writer's stored kinds ride along.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..untrusted import safe_text
from .classification import NAME_CHARS, ClassifiedPattern

MIN_WINDOW_HOURS = 1.0


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def window_for(days: float, now: dt.datetime) -> Window:
    """The `days`-long window ending at `now` (UTC); at least one hour."""
    if days != days or days * 24 < MIN_WINDOW_HOURS:  # NaN or shorter than an hour
        raise ConfigError(f"--days must cover at least one hour (0.0417 days), got {days}")
    if days > 366:
        raise ConfigError(f"--days must be at most 366, got {days}")
    end = now.astimezone(dt.UTC)
    return Window(start=end - dt.timedelta(days=days), end=end)


class _CountsByKind:
    kinds: tuple[tuple[str, int], ...]  # (kind, count), most frequent first

    def count(self, kind: str) -> int:
        return dict(self.kinds).get(kind, 0)


@dataclass(frozen=True)
class ModelFacts(_CountsByKind):
    provider: str
    model: str
    successes: int
    errors: int
    kinds: tuple[tuple[str, int], ...]  # classified kinds
    last_error: dt.datetime | None
    sample: str  # the most recent error message, made safe
    stored_kinds: tuple[tuple[str, int], ...] = ()  # the writer's status-only kinds
    sources: tuple[tuple[str, str], ...] = ()  # kind -> what decided most of its errors
    first_success: dt.datetime | None = None  # in the window
    last_success: dt.datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.model}"

    def to_dict(self, *, detail: bool = False) -> dict[str, Any]:
        """The one serialisation of a model's facts; `detail` adds the last error and its sample."""
        data: dict[str, Any] = {
            "model": self.key,
            "errors": self.errors,
            "successes": self.successes,
            "kinds": dict(self.kinds),
            "stored_kinds": dict(self.stored_kinds),
            "kind_source": dict(self.sources),
        }
        if detail:
            data.update(last_error=self.last_error.isoformat() if self.last_error else None, sample=self.sample)
        return data


@dataclass(frozen=True)
class ProviderFacts(_CountsByKind):
    name: str
    successes: int
    errors: int
    models: int  # models with any event in the window
    models_with_errors: int
    kinds: tuple[tuple[str, int], ...]

    @property
    def attempts(self) -> int:
        return self.successes + self.errors

    @property
    def error_rate(self) -> float:
        return self.errors / self.attempts if self.attempts else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "successes": self.successes,
            "errors": self.errors,
            "error_rate": round(self.error_rate, 4),
            "kinds": dict(self.kinds),
        }


@dataclass(frozen=True)
class HealthFacts:
    window: Window
    successes: int
    errors: int
    errors_by_kind: tuple[tuple[str, int], ...]
    providers: tuple[ProviderFacts, ...]
    models: tuple[ModelFacts, ...]  # every model with an event, most errors first
    new_patterns: tuple[ClassifiedPattern, ...]
    previous: HealthFacts | None = None  # the window of the same length just before, when known
    patterns: tuple[ClassifiedPattern, ...] = ()  # every error pattern of the window, classified
    unreadable: int = 0  # error documents whose message could not be read as text

    @property
    def failing_models(self) -> tuple[ModelFacts, ...]:
        return tuple(m for m in self.models if m.errors)

    @property
    def error_only_models(self) -> tuple[ModelFacts, ...]:
        return tuple(m for m in self.models if m.errors and not m.successes)

    def provider(self, name: str) -> ProviderFacts | None:
        return next((p for p in self.providers if p.name == name), None)


def _ranked(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _model_facts(
    key: tuple[str, str], own: list[ClassifiedPattern], successes: int, span: tuple[Any, Any] = (None, None)
) -> ModelFacts:
    kinds: dict[str, int] = defaultdict(int)
    stored: dict[str, int] = defaultdict(int)
    by_source: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in own:
        kinds[p.kind] += p.count
        stored[p.stored_kind] += p.count
        by_source[p.kind][p.source] += p.count
    latest = max(own, key=lambda p: p.last_error or _EPOCH, default=None)
    sources = tuple(
        (kind, max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]) for kind, counts in sorted(by_source.items())
    )
    return ModelFacts(
        key[0],
        key[1],
        successes,
        sum(kinds.values()),
        _ranked(kinds),
        latest.last_error if latest else None,
        latest.sample if latest else "",
        _ranked(stored),
        sources,
        span[0],
        span[1],
    )


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _earliest(a: Any, b: Any) -> dt.datetime | None:
    found = [x for x in (a, b) if isinstance(x, dt.datetime)]
    return min(found) if found else None


def _latest(a: Any, b: Any) -> dt.datetime | None:
    found = [x for x in (a, b) if isinstance(x, dt.datetime)]
    return max(found) if found else None


def shape_facts(
    window: Window,
    patterns: list[ClassifiedPattern],
    success_rows: list[dict[str, Any]],
    new_patterns: tuple[ClassifiedPattern, ...] = (),
) -> HealthFacts:
    """Fold classified error patterns and success rows into provider and model facts."""
    by_model: dict[tuple[str, str], list[ClassifiedPattern]] = defaultdict(list)
    for p in patterns:
        by_model[(p.provider, p.model)].append(p)
    ok_by_model: dict[tuple[str, str], int] = defaultdict(int)
    span: dict[tuple[str, str], tuple[Any, Any]] = {}
    for row in success_rows:
        key = (safe_text(row["provider"], NAME_CHARS) or "unknown", safe_text(row["model"], NAME_CHARS) or "unknown")
        ok_by_model[key] += int(row["count"])
        first, last = row.get("first_success"), row.get("last_success")
        before = span.get(key, (None, None))
        span[key] = (_earliest(before[0], first), _latest(before[1], last))

    models = [
        _model_facts(key, by_model.get(key, []), ok_by_model.get(key, 0), span.get(key, (None, None)))
        for key in set(by_model) | set(ok_by_model)
    ]
    models.sort(key=lambda m: (-m.errors, m.provider, m.model))

    providers = []
    for name in sorted({m.provider for m in models}):
        own = [m for m in models if m.provider == name]
        kinds: dict[str, int] = defaultdict(int)
        for m in own:
            for kind, n in m.kinds:
                kinds[kind] += n
        providers.append(
            ProviderFacts(
                name,
                sum(m.successes for m in own),
                sum(m.errors for m in own),
                len(own),
                sum(1 for m in own if m.errors),
                _ranked(kinds),
            )
        )

    by_kind: dict[str, int] = defaultdict(int)
    for p in patterns:
        by_kind[p.kind] += p.count
    return HealthFacts(
        window=window,
        successes=sum(ok_by_model.values()),
        errors=sum(by_kind.values()),
        errors_by_kind=_ranked(by_kind),
        providers=tuple(providers),
        models=tuple(models),
        new_patterns=new_patterns,
        patterns=tuple(sorted(patterns, key=lambda p: (-p.count, p.provider, p.model, p.fingerprint))),
        unreadable=sum(p.unreadable for p in patterns),
    )
