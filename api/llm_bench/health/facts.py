"""The health window and the facts computed for it, as frozen dataclasses.

`shape_facts` is pure: it turns the per-(provider, model, kind) rows that MongoDB aggregated
into per-provider and per-model facts. Sample messages are made safe (secrets redacted,
control and invisible characters stripped) here, once, before anything shows them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..untrusted import safe_text

MIN_WINDOW_HOURS = 1.0
SAMPLE_CHARS = 300
NAME_CHARS = 120


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
    end = now.astimezone(dt.timezone.utc)
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
    kinds: tuple[tuple[str, int], ...]
    last_error: dt.datetime | None
    sample: str  # the most recent error message, made safe

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.model}"


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


@dataclass(frozen=True)
class Pattern:
    provider: str
    model: str
    kind: str
    count: int
    first_seen: dt.datetime | None
    sample: str


@dataclass(frozen=True)
class HealthFacts:
    window: Window
    successes: int
    errors: int
    errors_by_kind: tuple[tuple[str, int], ...]
    providers: tuple[ProviderFacts, ...]
    models: tuple[ModelFacts, ...]  # every model with an event, most errors first
    new_patterns: tuple[Pattern, ...]
    previous: HealthFacts | None = None  # the window of the same length just before, when collected

    @property
    def failing_models(self) -> tuple[ModelFacts, ...]:
        return tuple(m for m in self.models if m.errors)

    @property
    def error_only_models(self) -> tuple[ModelFacts, ...]:
        return tuple(m for m in self.models if m.errors and not m.successes)

    def provider(self, name: str) -> ProviderFacts | None:
        return next((p for p in self.providers if p.name == name), None)


def _name_key(row: dict[str, Any]) -> tuple[str, str]:
    """Provider and model names come from the benchmark's writers: show them only made safe."""
    return safe_text(row["provider"], NAME_CHARS) or "unknown", safe_text(row["model"], NAME_CHARS) or "unknown"


def _ranked(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def shape_facts(
    window: Window,
    error_rows: list[dict[str, Any]],
    success_rows: list[dict[str, Any]],
    pattern_rows: list[dict[str, Any]],
) -> HealthFacts:
    """Fold the aggregated rows into provider and model facts."""
    kinds_by_model: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    latest: dict[tuple[str, str], tuple[dt.datetime, str]] = {}
    for row in error_rows:
        key = _name_key(row)
        kinds_by_model[key][row["kind"]] = kinds_by_model[key].get(row["kind"], 0) + row["count"]
        if key not in latest or row["last_error"] > latest[key][0]:
            latest[key] = (row["last_error"], row["sample"])
    ok_by_model: dict[tuple[str, str], int] = defaultdict(int)
    for row in success_rows:
        ok_by_model[_name_key(row)] += row["count"]

    models = []
    for key in set(kinds_by_model) | set(ok_by_model):
        kinds = kinds_by_model.get(key, {})
        last_error, sample = latest.get(key, (None, ""))
        models.append(
            ModelFacts(key[0], key[1], ok_by_model.get(key, 0), sum(kinds.values()), _ranked(kinds),
                       last_error, safe_text(sample, SAMPLE_CHARS))
        )
    models.sort(key=lambda m: (-m.errors, m.provider, m.model))

    providers = []
    for name in sorted({m.provider for m in models}):
        own = [m for m in models if m.provider == name]
        kinds: dict[str, int] = defaultdict(int)
        for m in own:
            for kind, n in m.kinds:
                kinds[kind] += n
        providers.append(
            ProviderFacts(name, sum(m.successes for m in own), sum(m.errors for m in own), len(own),
                          sum(1 for m in own if m.errors), _ranked(kinds))
        )

    by_kind: dict[str, int] = defaultdict(int)
    for row in error_rows:
        by_kind[row["kind"]] += row["count"]
    patterns = tuple(
        Pattern(
            provider=safe_text(r.get("provider") or "unknown", NAME_CHARS),
            model=safe_text(r.get("model_name") or "unknown", NAME_CHARS),
            kind=str(r.get("error_kind") or "unknown"),
            count=int(r.get("count") or 0),
            first_seen=r.get("first_seen"),
            sample=safe_text((r.get("sample_messages") or [""])[0], SAMPLE_CHARS),
        )
        for r in pattern_rows
    )
    return HealthFacts(
        window=window,
        successes=sum(ok_by_model.values()),
        errors=sum(by_kind.values()),
        errors_by_kind=_ranked(by_kind),
        providers=tuple(providers),
        models=tuple(models),
        new_patterns=patterns,
    )
