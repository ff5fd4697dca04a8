"""Renderers for a health report: the email (subject and plain text that reflows on a phone:
one logical line per item, sent as format=flowed) and JSON.

Both read the same `HealthReport`; neither decides anything. Every string from outside was
made safe when the facts were shaped or the AI answer was merged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..mail import subject_tag
from ..untrusted import is_identifier
from .assess import Finding, plural
from .digest import digest, first_screen
from .facts import HealthFacts
from .history import NEW, NO_DATA, ONGOING, RESOLVED, Problem
from .report import HealthReport
from .silences import ACTIVE, ENDED
from .trend import MAX_TREND_PROVIDERS, Trend, coverage_sparkline, sparkline

TOP_MODELS = 15
MAX_LINES = 30  # items per list in the email; the rest is "and N more" (JSON keeps them all)
MAX_PATTERN_LINES = 20


def subject(report: HealthReport, tags: str = "project") -> str:
    """`[CRITICAL] LLM Benchmarks Daily Health — <day> (UTC) — N errors / M ok`; with `tags`
    "upstream", the upstream scripts' `[URGENT]` / `[INFO]` that existing mail filters match."""
    f = report.facts
    day = f.window.end.strftime("%Y-%m-%d")
    return (
        f"[{subject_tag(report.assessment.status, tags)}] LLM Benchmarks Daily Health — {day} (UTC) — "
        f"{plural(f.errors, 'error')} / {f.successes} ok"
    )


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _wrap(text: str, first: str = "") -> str:
    """One logical line: `first` then the text. The mail is format=flowed (`mail.flowed`), so a
    phone reflows long lines to its width instead of showing hard breaks."""
    return first + " ".join(text.split("\n"))


def _unseen(keys: tuple[str, ...], seen: set[str]) -> list[str]:
    """The keys not told yet, now marked as told."""
    fresh = [k for k in dict.fromkeys(keys) if k not in seen]
    seen.update(fresh)
    return fresh


def _mark(report: HealthReport, key: str) -> str:
    """` (new)`, ` (since 2026-11-29, 4 days)` or "" for a problem key."""
    if report.changes is None:
        return ""
    problem = next((p for p in report.changes.problems if p.key == key), None)
    if problem is None or problem.mark == RESOLVED:
        return ""
    if problem.mark == NEW:
        return " (new)"
    return f" (since {problem.since:%Y-%m-%d}, {plural(problem.days(report.facts.window.end), 'day')})"


def _findings(
    report: HealthReport, title: str, items: tuple[Finding, ...], seen: set[str], always: bool = False
) -> list[str]:
    """One finding section; a model already told in an earlier section is not told again."""
    told = set(_unseen(tuple(f.key for f in items), seen))
    items = tuple(f for f in items if f.key in told)
    if not items and not always:
        return []
    lines = [f"{title} ({len(items)})"]
    lines += _capped(
        [
            _wrap(f"- {f.key}{_mark(report, 'model:' + f.key)}" + _confidence(f))
            + f"\n{_wrap(f.detail, '  ')}"
            + (f"\n{_wrap('evidence: ' + f.evidence, '  ')}" if f.evidence else "")
            + (f"\n{_wrap('but: ' + f.doubt, '  ')}" if f.doubt else "")
            for f in items
        ]
    ) or ["- none"]
    return lines + [""]


def _confidence(finding: Finding) -> str:
    """A finding's confidence, said only when it is not the usual medium."""
    return {"high": " (high confidence)", "low": " (low confidence)"}.get(finding.confidence, "")


def _capped(lines: list[str], limit: int = MAX_LINES) -> list[str]:
    """At most `limit` lines of a list, then "and N more"."""
    return lines if len(lines) <= limit else [*lines[:limit], f"- and {len(lines) - limit} more"]


def _folded(items: tuple[Problem, ...], end: dt.datetime, ongoing: bool) -> list[str]:
    """Provider-wide lines with the same provider's model lines folded under them."""

    def line(p: Problem, first: str) -> str:
        return _wrap(
            p.label + (f" — since {p.since:%Y-%m-%d} ({plural(p.days(end), 'day')})" if ongoing else ""), first
        )

    wide = {p.provider for p in items if p.scope in ("provider", "fleet")}
    lines = []
    for p in items:
        if p.scope == "provider" or p.scope == "fleet" or p.provider not in wide:
            lines.append(line(p, "- "))
            if p.scope == "provider" and not any(
                q.scope == "provider" and q.provider == p.provider for q in items[: items.index(p)]
            ):
                lines += [line(q, "    · ") for q in items if q.scope != "provider" and q.provider == p.provider]
    return lines


def _changes(report: HealthReport) -> list[str]:
    """The notes, how many problems are new or ongoing (each is marked where it is told), what
    was resolved, and what is still open without data in this window."""
    changes = report.changes
    if changes is None:
        return []
    since = f" ({_when(changes.previous_run_at)})" if changes.previous_run_at else ""
    lines = [f"What changed since the previous run{since}"]
    lines += [_wrap(note, "! ") for note in changes.notes]
    end = report.facts.window.end
    new, ongoing, resolved = (changes.marked(mark) for mark in (NEW, ONGOING, RESOLVED))
    if new or ongoing:
        lines.append(f"{len(new)} new, {len(ongoing)} ongoing: each is marked where it is told below.")
    if resolved:
        lines.append(f"RESOLVED ({len(resolved)})")
        lines += _capped(_folded(resolved, end, False))
    stale = tuple(p for p in ongoing if p.label.endswith(NO_DATA))
    if stale:
        lines.append(f"ONGOING without data in this window ({len(stale)})")
        lines += _capped(_folded(stale, end, True))
    if len(lines) == 1 + len(changes.notes):
        healthy = report.assessment.status.value == "healthy"
        lines.append("- no problems, before or now" if healthy else "- nothing to compare: see the status above")
    return lines + [""]


def _trend(trend: Trend | None) -> list[str]:
    """One sparkline per series, oldest day first (a middle dot: no figure that day)."""
    if trend is None or len(trend.points) < 2:
        return []
    first, last = trend.points[0].end, trend.points[-1].end
    series = trend.series()

    def row(label: str, values: list[float | None], coverage: bool = False) -> str:
        now = values[-1]
        line = coverage_sparkline(values) if coverage else sparkline(values)
        return f"{label} {line} {'-' if now is None else f'{now:.0%}'}"

    lines = [f"Trend, {len(trend.points)} daily runs {first:%m-%d} → {last:%m-%d}"]
    lines.append(row("errors", series["error_rate"]))
    lines.append(row("coverage", series["coverage"], coverage=True))
    for name in trend.providers[:MAX_TREND_PROVIDERS]:
        lines.append(_wrap(row(f"{name} errors", series[f"provider:{name}"])))
    if len(trend.providers) > MAX_TREND_PROVIDERS:
        lines.append(f"- and {len(trend.providers) - MAX_TREND_PROVIDERS} more providers (all are in --format json)")
    return lines + [""]


def coverage_line(report: HealthReport) -> str | None:
    """`Coverage: 40 of 45 enabled models measured in 24 h`, or None without a models list."""
    fleet = report.assessment.fleet
    if fleet is None or not fleet.coverage.known:
        return None
    c = fleet.coverage
    return f"Coverage: {c.measured} of {c.enabled} enabled models measured in {report.facts.window.hours:g} h"


def _last(moment: dt.datetime | None) -> str:
    return f"last success {_when(moment)}" if moment else "never a success"


def _coverage(report: HealthReport) -> list[str]:
    """What is missing from the enabled set as a whole provider (each model missing on its own
    is told once, in its finding section below)."""
    fleet = report.assessment.fleet
    if fleet is None or not fleet.coverage.known:
        if fleet is not None:
            return ["Coverage: unknown (the models list has no enabled model)", ""]
        return []
    c = fleet.coverage
    lines = [f"{coverage_line(report)} ({c.ratio:.0%})"]
    collapsed = set(report.assessment.collapsed)
    for streak in fleet.streaks:
        if streak.provider in collapsed:
            lines.append(_wrap(f"- {streak.provider}: {streak.text}"))
    for provider in c.missing_providers:
        gaps = [g for g in c.not_measured if g.provider == provider]
        last = max((g.last_success for g in gaps if g.last_success), default=None)
        which = f"none of its {len(gaps)} enabled models" if len(gaps) > 1 else "its one enabled model not"
        lines.append(_wrap(f"- {provider}: {which} measured ({_last(last)})"))
    whole = set(c.missing_providers) | collapsed
    alone = sum(1 for g in c.not_measured if g.provider not in whole)
    stalled = sum(1 for g in c.stalled if g.provider not in collapsed)
    if alone or stalled:
        lines.append(f"- {alone} other not measured, {stalled} stalled: each told in its section below")
    return lines + [""]


def silenced_lines(report: HealthReport) -> list[str]:
    """`Silenced (N)`: each active silence with its reason, end and the problems it covers (they
    set no status); a silence that ended in the window, or that covers nothing now."""
    groups = report.assessment.silenced
    if not groups:
        return []
    covered = sum(len(g.problems) for g in groups if g.state == ACTIVE)
    lines = [f"Silenced ({covered})"]
    for g in groups:
        s = g.silence
        head = f"{s.label}: {s.reason}"
        if g.state == ACTIVE:
            lines.append(_wrap(f"- {head} — until {_when(s.until)} (silence {s.id}, by {s.created_by or '?'})"))
            lines += _capped([_wrap(p.text, "    · ") for p in g.problems])
        elif g.state == ENDED:
            how = f"removed by {s.removed_by}" if s.removed_at and s.removed_at < s.until else "ended"
            lines.append(_wrap(f"- {head} — silence {s.id} {how} {_when(s.end())}: its problems are judged again"))
        else:
            lines.append(
                _wrap(
                    f"- {head} — until {_when(s.until)}: no longer needed, nothing it names is wrong now"
                    + (f" (llm-health-check silence remove {s.id})" if is_identifier(s.id) else "")
                )
            )
    return lines + [""]


def _enabled_set(report: HealthReport, seen: set[str]) -> list[str]:
    fleet = report.assessment.fleet
    if fleet is None or not fleet.coverage.known:
        return []
    c = fleet.coverage
    lines = []
    if c.removed_since_previous:
        lines.append(f"Removed from the enabled set since the previous daily run ({len(c.removed_since_previous)})")
        lines += _capped([f"- {key}" for key in c.removed_since_previous]) + [""]
    ran = _unseen(c.ran_while_disabled, seen)
    if ran:
        lines.append(f"Ran while not enabled ({len(ran)}): the runner did work nobody asked for")
        lines += _capped([f"- {key}" for key in ran]) + [""]
    twins = c.duplicates  # their keys were marked seen first: the story of each is this line
    if twins:
        lines.append(f"Enabled twice under two spellings ({len(twins)})")
        lines += _capped([_wrap("- " + " and ".join(group)) for group in twins]) + [""]
    if fleet.stale_sources:
        lines.append(f"Model sources not refreshed ({len(fleet.stale_sources)})")
        lines += [_wrap(f"- {lag.text(report.facts.window.end)}") for lag in fleet.stale_sources] + [""]
    return lines


def _delta(now: float, before: float, percent: bool = False) -> str:
    diff = (now - before) * (100 if percent else 1)
    return f"{diff:+.1f}pt" if percent else f"{diff:+.0f}"


def _provider_issues(report: HealthReport) -> list[str]:
    issues = report.assessment.provider_issues
    lines = [f"Provider-wide issues ({len(issues)})"]
    lines += _capped([_wrap(i.text + _mark(report, f"provider:{i.provider}"), "- ") for i in issues]) or ["- none"]
    return lines + [""]


def _other_errors(report: HealthReport, seen: set[str]) -> list[str]:
    """Models with errors told nowhere else: only errors (unexplained), or errors among successes
    at a provider without a provider-wide issue."""
    a = report.assessment
    wide = {i.provider for i in a.provider_issues} | set(a.collapsed)
    models = [m for m in report.facts.failing_models if m.provider not in wide]
    only = _unseen(tuple(m.key for m in models if not m.successes), seen)
    some = _unseen(tuple(m.key for m in models if m.successes), seen)
    by_key = {m.key: m for m in models}
    lines = []
    for title, keys in (("Models with only errors", only), ("Errors among successes", some)):
        if keys:
            lines.append(f"{title} ({len(keys)})")
            lines += _capped(
                [
                    _wrap(
                        f"- {k}{_mark(report, 'model:' + k)}: {plural(by_key[k].errors, 'error')}, "
                        f"{by_key[k].successes} ok ({_kinds(by_key[k].kinds)})"
                    )
                    for k in keys
                ]
            )
            lines.append("")
    return lines


def text_body(report: HealthReport) -> str:
    """The first screen (status, what needs action today, coverage), the trend, then each story
    told once: one section per finding kind, each model in one of them; raw metrics last."""
    f, a = report.facts, report.assessment
    attempts = f.successes + f.errors
    rate = f" ({f.errors / attempts:.1%} errors)" if attempts else ""
    lines = [_wrap(line) for line in first_screen(digest(report), f.window.end)]
    lines.append("")
    lines += _trend(report.trend)
    lines += [
        _wrap(f"Window: {_when(f.window.start)} → {_when(f.window.end)} ({f.window.hours:g} h)"),
        f"Runs: {f.successes} ok, {plural(f.errors, 'error')}{rate}",
        "",
        "Summary",
        _wrap(a.summary),
        "",
    ]
    lines += _changes(report)
    lines += _coverage(report)
    lines += _provider_issues(report)
    # finding sections: a model is told in the first one that holds it, never again
    fleet = a.fleet
    seen: set[str] = {key for group in fleet.coverage.duplicates for key in group} if fleet else set()
    lines += _findings(report, "Models likely deprecated", a.models_likely_deprecated, seen, always=True)
    lines += _findings(report, "Code fixes needed", a.code_fixes_needed, seen, always=True)
    lines += _findings(report, "Stalled models", a.stalled, seen)
    lines += _findings(report, "Enabled models not measured", a.not_measured, seen)
    lines += _findings(
        report, "Could not be measured (budget or timeout; the provider is not broken)", a.unmeasurable, seen
    )
    lines += _findings(report, "Models gone silent", a.went_silent, seen)
    lines += _other_errors(report, seen)
    if a.trend:
        lines.append(f"Trends ({len(a.trend)})")
        lines += [_wrap(f"- {t.detail}{_mark(report, t.key)}") for t in a.trend] + [""]
    lines += _enabled_set(report, seen)
    retiring = [r for r in a.retiring_soon if r.key not in seen]
    seen.update(r.key for r in retiring)
    if retiring:
        lines.append(f"Retiring soon or past retirement ({len(retiring)})")
        lines += _capped(
            [
                _wrap(f"- {r.key}: {r.detail}") + (f"\n  # stage the successor:\n  {r.command}" if r.command else "")
                for r in retiring
            ]
        ) + [""]
    if report.new_models:
        lines.append(f"New models worth adding ({len(report.new_models)})")
        for n in report.new_models:
            evidence = "verified by probe" if n.verified_by == "probe" else f"verified by the {n.verified_by} list"
            probe = f"; {n.probe}" if n.probe and n.verified_by != "probe" else ""
            lines.append(
                _wrap(
                    f"- {n.provider}:{n.model_id} (from {n.openrouter_id}, {evidence}{probe}, first seen {_when(n.first_seen)})"
                )
            )
            lines += [f"  # stage it:\n  {n.command}"] if n.command else []
        lines += ["  (All proposals with their evidence: llm-discovery report)", ""]
    if report.new_models_left_out:
        lines.append(f"New models left out ({len(report.new_models_left_out)})")
        lines += _capped(
            [
                _wrap(f"- {x.provider}:{x.model_id} (from {x.openrouter_id}): {x.detail}")
                for x in report.new_models_left_out
            ]
        )
        lines.append("")
    lines += ["Recommended actions"]
    lines += _capped([_wrap(action, f"{n}. ") for n, action in enumerate(a.recommended_actions, 1)]) or ["- none"]
    if a.silenced:  # after the findings and actions, before the notes and the raw metrics
        lines += ["", *silenced_lines(report)[:-1]]
    if report.ai.error:
        lines += ["", _wrap(f"(AI assessment unavailable: {report.ai.error}; rules-based assessment only.)")]
    elif not report.ai.used:
        lines += ["", "(AI assessment skipped; rules-based assessment only.)"]
    lines += [_wrap(f"Note: {note}") for note in a.notes]
    lines += [_wrap(f"Note on the AI answer: {note}") for note in dict.fromkeys(report.ai.notes)]
    lines += ["", "=== Raw metrics ===", "", "Errors by kind"]
    lines += [f"- {kind}: {n}" for kind, n in f.errors_by_kind] or ["- none"]
    if report.changes and report.changes.providers:
        lines += ["", "Providers: ok, errors, error rate (change vs previous window)"]
        lines += _capped(
            [
                _wrap(
                    f"- {c.name}: {c.successes} ok ({_delta(c.successes, c.previous_successes)}), "
                    f"{plural(c.errors, 'error')} ({_delta(c.errors, c.previous_errors)}), "
                    f"{c.error_rate:.1%} ({_delta(c.error_rate, c.previous_error_rate, True)})"
                )
                for c in report.changes.providers
            ]
        )
    else:
        lines += ["", "Providers: ok, errors, error rate"]
        lines += _capped(
            [
                _wrap(f"- {p.name}: {p.successes} ok, {plural(p.errors, 'error')}, {p.error_rate:.1%}")
                for p in f.providers
            ]
        ) or ["- none"]
    lines += ["", f"New error patterns ({len(f.new_patterns)})"]
    lines += _capped(
        [
            _wrap(
                f"- {p.provider}:{p.label} {p.kind} ×{p.count}{_decided(p.source, p.stored_kind, p.kind)}, "
                f"first {_when(p.first_error)}"
            )
            + f"\n{_wrap(p.sample, '  ')}"
            for p in f.new_patterns
        ],
        MAX_PATTERN_LINES,
    ) or ["- none"]
    reclassified = reclassified_lines(f)
    if reclassified:
        lines += ["", f"Kinds read from the errors themselves ({len(reclassified)})"]
        lines += _capped([_wrap(line, "- ") for line in reclassified])
    if f.unreadable:
        lines += ["", f"Unreadable error documents: {f.unreadable} (message neither text nor missing)"]
    lines += ["", "Top failing models"]
    lines += [
        _wrap(
            f"- {m.key}: {plural(m.errors, 'error')}, {m.successes} ok ({_kinds(m.kinds)}), last {_when(m.last_error)}"
        )
        + "\n"
        + _wrap(m.sample, "  ")
        for m in f.failing_models[:TOP_MODELS]
    ] or ["- none"]
    if len(f.failing_models) > TOP_MODELS:
        lines.append(f"- and {len(f.failing_models) - TOP_MODELS} more (all are in --format json)")
    if report.ai.used:
        lines += [
            "",
            f"AI: {report.ai.model}, {report.ai.prompt_tokens} prompt + "
            f"{report.ai.completion_tokens} completion tokens",
        ]
    return "\n".join(lines) + "\n"


def _kinds(kinds: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{k} {n}" for k, n in kinds)


_DECIDED_BY = {
    "rule": "from the text",
    "code": "from the provider's error code",
    "status": "from the HTTP status",
    "ai": "by the AI",
    "cache": "by the AI, cached",
    "rollup-llm": "by the rollup's LLM classification",
}


def _decided(source: str, stored: str, kind: str) -> str:
    """` (from the text; stored as hard_model)` where the kind differs from the writer's."""
    if kind == stored:
        return ""
    return f" ({_DECIDED_BY.get(source.split(':', 1)[0], source)}; stored as {stored})"


def reclassified_lines(facts: HealthFacts) -> list[str]:
    """One line per (model, kind, stored kind) where the classified kind differs from the stored one."""
    totals: dict[tuple[str, str, str], list[Any]] = {}
    for p in facts.patterns:
        if p.reclassified:
            entry = totals.setdefault((p.key, p.kind, p.stored_kind), [0, p.source])
            entry[0] += p.count
    return [
        f"{key}  {kind} ×{n}{_decided(source, stored, kind)}"
        for (key, kind, stored), (n, source) in sorted(totals.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]


def json_report(report: HealthReport, *, mail: dict[str, Any] | None = None) -> dict[str, Any]:
    f, a, ai = report.facts, report.assessment, report.ai
    silent = [i.provider for i in a.provider_issues if i.kind == "silent"]
    return {
        "status": a.status.value,
        "summary": a.summary,
        "reasons": list(a.reasons),
        "window": {"start": f.window.start.isoformat(), "end": f.window.end.isoformat(), "hours": f.window.hours},
        "totals": {"successes": f.successes, "errors": f.errors},
        "errors_by_kind": dict(f.errors_by_kind),
        "providers": {
            **{p.name: p.to_dict() for p in f.providers},
            **{name: {"successes": 0, "errors": 0, "error_rate": 0.0, "silent": True} for name in silent},
        },
        "models_likely_deprecated": [x.key for x in a.models_likely_deprecated],
        "code_fixes_needed": [x.key for x in a.code_fixes_needed],
        "provider_issues": [i.text for i in a.provider_issues],
        "recommended_actions": list(a.recommended_actions),
        "notes": list(a.notes),
        "models_with_only_errors": [m.key for m in f.error_only_models],
        "new_error_patterns": [p.to_dict() for p in f.new_patterns],
        "error_patterns": [p.to_dict() for p in f.patterns],
        "unreadable_errors": f.unreadable,
        "failing_models": [m.to_dict() for m in f.failing_models],
        "top_failing_models": [m.to_dict(detail=True) for m in f.failing_models[:TOP_MODELS]],
        "models_likely_deprecated_detail": [
            {"model": x.key, "confidence": x.confidence, "evidence": x.evidence or None, "doubt": x.doubt or None}
            for x in a.models_likely_deprecated
        ],
        "went_silent": [*silent, *(x.key for x in a.went_silent)],
        "coverage": a.fleet.coverage.to_dict() if a.fleet else None,
        "provider_streaks": [s.to_dict() for s in a.fleet.streaks] if a.fleet else [],
        "provider_issues_detail": [
            {
                "provider": i.provider,
                "kind": i.kind,
                "detail": i.detail,
                "since": i.since.isoformat() if i.since else None,
            }
            for i in a.provider_issues
        ],
        "could_not_be_measured": [{"model": x.key, "detail": x.detail} for x in a.unmeasurable],
        "stale_model_sources": [lag.to_dict() for lag in a.fleet.stale_sources] if a.fleet else [],
        "retiring_soon": [
            {
                "model": r.key,
                "date": r.date.isoformat(),
                "source": r.source,
                "successor": r.successor or None,
                "detail": r.detail,
                "past": r.past,
                "command": r.command,
            }
            for r in a.retiring_soon
        ],
        "new_models_worth_adding": [
            {
                "model": f"{n.provider}:{n.model_id}",
                "openrouter_id": n.openrouter_id,
                "verified_by": n.verified_by,
                "probe": n.probe or None,
                "first_seen": n.first_seen.isoformat(),
                "command": n.command,
            }
            for n in report.new_models
        ],
        "new_models_left_out": [
            {
                "model": f"{x.provider}:{x.model_id}",
                "openrouter_id": x.openrouter_id,
                "reason": x.reason,
                "detail": x.detail,
            }
            for x in report.new_models_left_out
        ],
        "silenced": [g.to_dict() for g in a.silenced],
        "changes": _changes_json(report),
        "digest": digest(report).to_dict(),
        "trend": report.trend.to_dict() if report.trend else None,
        "trend_findings": [t.to_dict() for t in a.trend],
        "ai": {
            "used": ai.used,
            "model": ai.model,
            "error": ai.error,
            "notes": list(ai.notes),
            "prompt_tokens": ai.prompt_tokens,
            "completion_tokens": ai.completion_tokens,
        },
        "mail": mail,
        # A real run mails and records whatever the output format; only a dry run (mail None) does neither.
        "delivery": {"dry_run": mail is None, "mailed": bool(mail and mail.get("sent")), "recorded": mail is not None},
        "generated_at": report.generated_at.isoformat(),
    }


def _changes_json(report: HealthReport) -> dict[str, Any] | None:
    changes = report.changes
    if changes is None:
        return None
    end = report.facts.window.end
    return {
        "previous_run_at": changes.previous_run_at.isoformat() if changes.previous_run_at else None,
        "notes": list(changes.notes),
        "problems": [
            {"key": p.key, "label": p.label, "mark": p.mark, "since": p.since.isoformat(), "days": p.days(end)}
            for p in changes.problems
        ],
        "providers": {
            c.name: {
                "successes": c.successes,
                "previous_successes": c.previous_successes,
                "errors": c.errors,
                "previous_errors": c.previous_errors,
                "error_rate": round(c.error_rate, 4),
                "previous_error_rate": round(c.previous_error_rate, 4),
            }
            for c in changes.providers
        },
    }
