"""History at a glance: the last daily runs from the ledger, as series and sparklines, and the
trend findings no single day shows.

A point is one daily run (its window's end, status, totals, coverage and per-provider counts, as
the ledger recorded them) and the run being judged is the last point. Two rules read the series
(both WARNING, rows of `STATUS_RULES`):
- coverage down by more than COVERAGE_DROP (10 points) against the earliest point of the last
  TREND_DAYS (7) days, when that point is at least MIN_SPAN_DAYS (3) old;
- a provider's error rate up persistently: it rose at each of the last PERSIST_STEPS (3) daily
  steps, by PERSIST_RISE (5 points) or more in all, with at least MIN_ATTEMPTS calls each day.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..untrusted import safe_text
from .facts import HealthFacts
from .fleet import Fleet

TREND_RUNS = 14  # daily runs drawn as sparklines (the run being judged included)
TREND_DAYS = 7
MIN_SPAN_DAYS = 3
COVERAGE_DROP = 0.10
PERSIST_STEPS = 3
PERSIST_RISE = 0.05
MIN_ATTEMPTS = 10
MAX_TREND_PROVIDERS = 8  # provider rows drawn in the mail
PROBLEM_RATE = 0.10  # a provider "with problems in the window": an error rate this high on some day
BLOCKS = "▁▂▃▄▅▆▇█"
COVERAGE_FLOOR = 0.5  # coverage sparklines start here (the CRITICAL line), or lower when seen
GAP = "·"  # a day without the figure (no models list, no attempt)


@dataclass(frozen=True)
class Point:
    end: dt.datetime
    status: str
    successes: int
    errors: int
    enabled: int | None = None
    measured: int | None = None
    providers: tuple[tuple[str, int, int], ...] = ()  # (name, successes, errors)
    today: bool = False

    @property
    def error_rate(self) -> float | None:
        attempts = self.successes + self.errors
        return self.errors / attempts if attempts else None

    @property
    def coverage(self) -> float | None:
        return self.measured / self.enabled if self.enabled and self.measured is not None else None

    def provider_rate(self, name: str) -> float | None:
        for provider, ok, errors in self.providers:
            if provider == name and ok + errors >= MIN_ATTEMPTS:
                return errors / (ok + errors)
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "end": self.end.isoformat(),
            "status": self.status,
            "successes": self.successes,
            "errors": self.errors,
            "error_rate": _round(self.error_rate),
            "coverage": {"enabled": self.enabled, "measured": self.measured} if self.enabled is not None else None,
        }


@dataclass(frozen=True)
class TrendFinding:
    key: str  # `trend:coverage` or `trend:provider:<name>`
    provider: str  # "" for the fleet
    detail: str
    action: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "provider": self.provider, "detail": self.detail, "action": self.action}


@dataclass(frozen=True)
class Trend:
    points: tuple[Point, ...]  # oldest first, the judged run last
    providers: tuple[str, ...]  # the providers with problems in the window, drawn one row each
    findings: tuple[TrendFinding, ...]

    def series(self) -> dict[str, list[float | None]]:
        out: dict[str, list[float | None]] = {
            "error_rate": [_round(p.error_rate) for p in self.points],
            "coverage": [_round(p.coverage) for p in self.points],
        }
        for name in self.providers:
            out[f"provider:{name}"] = [_round(p.provider_rate(name)) for p in self.points]
        return out

    def with_status(self, status: str) -> Trend:
        """The judged run's point given the status the assessment set."""
        if not self.points:
            return self
        return replace(self, points=(*self.points[:-1], replace(self.points[-1], status=status)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": [p.end.date().isoformat() for p in self.points],
            "points": [p.to_dict() for p in self.points],
            "series": self.series(),
            "findings": [f.to_dict() for f in self.findings],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def sparkline(values: Sequence[float | None], low: float = 0.0, high: float | None = None) -> str:
    """One block character per value between `low` and `high` (the series' maximum when None);
    a value that is missing is a middle dot."""
    known = [v for v in values if v is not None]
    top = high if high is not None else max(known, default=0.0)
    span = top - low
    chars = []
    for v in values:
        if v is None:
            chars.append(GAP)
        elif span <= 0:
            chars.append(BLOCKS[0])
        else:
            share = min(max((v - low) / span, 0.0), 1.0)
            chars.append(BLOCKS[round(share * (len(BLOCKS) - 1))])
    return "".join(chars)


def coverage_sparkline(values: Sequence[float | None]) -> str:
    """Coverage drawn from COVERAGE_FLOOR (or the lowest value, when lower) to 100%, so a decay of
    a few points shows."""
    low = min([COVERAGE_FLOOR, *(v for v in values if v is not None)])
    return sparkline(values, low, 1.0)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def point_from_row(row: Mapping[str, Any]) -> Point | None:
    """A ledger projection (`run_context`'s trend rows) as a point; None when it is unreadable."""
    window = row.get("window")
    end = window.get("end") if isinstance(window, Mapping) else None
    totals = row.get("totals")
    if not isinstance(end, dt.datetime) or not isinstance(totals, Mapping):
        return None
    ok, errors = _int(totals.get("successes")), _int(totals.get("errors"))
    if ok is None or errors is None:
        return None
    if end.tzinfo is None:
        end = end.replace(tzinfo=dt.UTC)
    coverage = row.get("coverage")
    enabled = _int(coverage.get("enabled")) if isinstance(coverage, Mapping) else None
    measured = _int(coverage.get("measured")) if isinstance(coverage, Mapping) else None
    providers = []
    listed = row.get("providers")
    for item in listed if isinstance(listed, list) else ():
        if isinstance(item, Mapping):
            p_ok, p_errors = _int(item.get("successes")), _int(item.get("errors"))
            if p_ok is not None and p_errors is not None:
                providers.append((safe_text(item.get("provider"), 120), p_ok, p_errors))
    status = row.get("status")
    return Point(
        end,
        status if status in ("healthy", "warning", "critical") else "unknown",
        ok,
        errors,
        enabled,
        measured if enabled is not None else None,
        tuple(providers),
    )


def today_point(facts: HealthFacts, fleet: Fleet | None, status: str = "unknown") -> Point:
    known = fleet is not None and fleet.coverage.known
    return Point(
        facts.window.end,
        status,
        facts.successes,
        facts.errors,
        fleet.coverage.enabled if fleet is not None and known else None,
        fleet.coverage.measured if fleet is not None and known else None,
        tuple((p.name, p.successes, p.errors) for p in facts.providers),
        today=True,
    )


def trend_from(rows: Sequence[Mapping[str, Any]], facts: HealthFacts, fleet: Fleet | None) -> Trend:
    """The last TREND_RUNS daily points (the recorded runs before this window's end, then this
    run) and the trend findings they show."""
    today = today_point(facts, fleet)
    before = sorted(
        (p for p in map(point_from_row, rows) if p is not None and p.end < today.end - dt.timedelta(hours=1)),
        key=lambda p: p.end,
    )
    points = (*before[-(TREND_RUNS - 1) :], today) if TREND_RUNS > 1 else (today,)
    findings = []
    coverage = _coverage_finding(points)
    if coverage:
        findings.append(coverage)
    names = sorted({name for p in points for name, _, _ in p.providers})
    rising = [f for f in (_rising(points, name) for name in names) if f]
    findings += rising
    flagged = {f.provider for f in rising}
    troubled = [
        name
        for name in names
        if name in flagged or any((rate := p.provider_rate(name)) is not None and rate >= PROBLEM_RATE for p in points)
    ]
    return Trend(tuple(points), tuple(troubled), tuple(findings))


def _coverage_finding(points: Sequence[Point]) -> TrendFinding | None:
    today = points[-1]
    if today.coverage is None:
        return None
    span = [
        p for p in points[:-1] if p.coverage is not None and today.end - p.end <= dt.timedelta(days=TREND_DAYS, hours=1)
    ]
    if not span or today.end - span[0].end < dt.timedelta(days=MIN_SPAN_DAYS):
        return None
    first = span[0]
    assert first.coverage is not None
    drop = first.coverage - today.coverage
    if drop <= COVERAGE_DROP:
        return None
    days = round((today.end - first.end).total_seconds() / 86400)
    return TrendFinding(
        "trend:coverage",
        "",
        f"coverage down {drop * 100:.0f} points in {days} days ({first.coverage:.0%} on {first.end:%Y-%m-%d}, "
        f"{today.coverage:.0%} now: {first.measured} → {today.measured} measured of {first.enabled} → {today.enabled})",
        "Find why enabled models stopped being measured, day after day: coverage is decaying.",
    )


def _rising(points: Sequence[Point], name: str) -> TrendFinding | None:
    tail = points[-(PERSIST_STEPS + 1) :]
    if len(tail) < PERSIST_STEPS + 1:
        return None
    rates = [p.provider_rate(name) for p in tail]
    known = [r for r in rates if r is not None]
    if len(known) < len(rates):
        return None
    if all(b > a for a, b in itertools.pairwise(known)) and known[-1] - known[0] >= PERSIST_RISE:
        path = " → ".join(f"{r:.0%}" for r in known)
        return TrendFinding(
            f"trend:provider:{name}",
            name,
            f"{name}'s error rate rose on each of the last {PERSIST_STEPS} daily runs ({path})",
            f"Look at {name} before it fails: its error rate has risen every day.",
        )
    return None
