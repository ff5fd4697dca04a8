"""`llm-health-check history`: the run ledger as one row per run, for people (a table) and for
scripts (JSON). Daily runs only unless manual runs are asked for too (they are marked).

It reads ledger documents as data: every field is checked, every string made safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..repository.health_runs import DAILY_HOURS
from ..untrusted import safe_text
from .trend import coverage_sparkline, sparkline

TOP_PROBLEMS = 2  # problem labels shown per run in the table (JSON keeps up to MAX_PROBLEMS)
MAX_PROBLEMS = 20
PROBLEM_CHARS = 48


@dataclass(frozen=True)
class Run:
    end: dt.datetime
    daily: bool
    hours: float
    status: str
    successes: int
    errors: int
    enabled: int | None
    measured: int | None
    problems: tuple[str, ...]

    @property
    def error_rate(self) -> float | None:
        attempts = self.successes + self.errors
        return self.errors / attempts if attempts else None

    def to_dict(self) -> dict[str, Any]:
        rate = self.error_rate
        return {
            "end": self.end.isoformat(),
            "date": self.end.date().isoformat(),
            "daily": self.daily,
            "hours": self.hours,
            "status": self.status,
            "coverage": {"enabled": self.enabled, "measured": self.measured} if self.enabled is not None else None,
            "successes": self.successes,
            "errors": self.errors,
            "error_rate": None if rate is None else round(rate, 4),
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class Timeline:
    since: dt.datetime
    until: dt.datetime
    include_manual: bool
    runs: tuple[Run, ...]  # oldest first

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "include_manual": self.include_manual,
            "runs": [r.to_dict() for r in self.runs],
        }


def short_label(label: str) -> str:
    """A problem's label without its detail: up to the first ": " or " (" after the subject
    (`openai:gpt-3 not measured`, `bedrock: auth broken`, `trend: coverage down 15 points in 7 days`)."""
    space = label.find(" ")
    if space < 0:
        return label
    cuts = [i for i in (label.find(": ", space), label.find(" (", space)) if i > 0]
    return label[: min(cuts)] if cuts else label


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def run_from(doc: Mapping[str, Any]) -> Run | None:
    """One ledger document as a row; None when its window or totals are unreadable."""
    window, totals = doc.get("window"), doc.get("totals")
    if not isinstance(window, Mapping) or not isinstance(totals, Mapping):
        return None
    end, hours = window.get("end"), window.get("hours")
    ok, errors = _count(totals.get("successes")), _count(totals.get("errors"))
    if not isinstance(end, dt.datetime) or ok is None or errors is None:
        return None
    end = end if end.tzinfo else end.replace(tzinfo=dt.UTC)
    hours = float(hours) if isinstance(hours, int | float) and not isinstance(hours, bool) else 0.0
    daily = doc.get("daily")
    coverage = doc.get("coverage")
    enabled = _count(coverage.get("enabled")) if isinstance(coverage, Mapping) else None
    measured = _count(coverage.get("measured")) if isinstance(coverage, Mapping) else None
    problems = doc.get("problems")
    labels = [
        safe_text(short_label(safe_text(p.get("label") or p.get("key"), 300)), PROBLEM_CHARS)
        for p in (problems if isinstance(problems, list) else [])[:MAX_PROBLEMS]
        if isinstance(p, Mapping)
    ]
    status = doc.get("status")
    return Run(
        end,
        daily is True or (daily is None and DAILY_HOURS[0] <= hours <= DAILY_HOURS[1]),
        hours,
        status if status in ("healthy", "warning", "critical") else "unknown",
        ok,
        errors,
        enabled,
        measured if enabled is not None else None,
        tuple(label for label in labels if label),
    )


def timeline(
    docs: Sequence[Mapping[str, Any]], since: dt.datetime, until: dt.datetime, include_manual: bool
) -> Timeline:
    runs = sorted((r for r in map(run_from, docs) if r is not None and r.end <= until), key=lambda r: r.end)
    return Timeline(since, until, include_manual, tuple(r for r in runs if include_manual or r.daily))


def text_table(t: Timeline) -> str:
    """A table for a terminal: one run per line, then the sparklines of the whole span."""
    what = "runs" if t.include_manual else "daily runs"
    head = f"Health check history: {len(t.runs)} {what}, {t.since:%Y-%m-%d} → {t.until:%Y-%m-%d}"
    if not t.runs:
        return f"{head}\n(no run recorded in this span)\n"
    rows = [("date", "status", "coverage", "ok", "errors", "rate", "top problems")]
    for r in t.runs:
        date = f"{r.end:%Y-%m-%d}" + ("" if r.daily else f" manual {r.hours:g}h")
        coverage = f"{r.measured}/{r.enabled}" if r.enabled is not None else "-"
        rate = "-" if r.error_rate is None else f"{r.error_rate:.1%}"
        shown = "; ".join(r.problems[:TOP_PROBLEMS]) or "-"
        more = f" (+{len(r.problems) - TOP_PROBLEMS})" if len(r.problems) > TOP_PROBLEMS else ""
        rows.append((date, r.status.upper(), coverage, str(r.successes), str(r.errors), rate, shown + more))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = [head, ""]
    for row in rows:
        cells = [row[i].ljust(widths[i]) if i in (0, 1, 2) else row[i].rjust(widths[i]) for i in range(6)]
        lines.append("  ".join([*cells, row[6]]).rstrip())
    rates = [r.error_rate for r in t.runs]
    cover = [r.measured / r.enabled if r.enabled and r.measured is not None else None for r in t.runs]
    lines += ["", f"errors   {sparkline(rates)}", f"coverage {coverage_sparkline(cover)}"]
    return "\n".join(lines) + "\n"
