"""Text and JSON renderings of the discovery results, for stdout.

One human renderer and one JSON renderer; both pass every outside string (names, ids, AI
reasoning) through `untrusted.safe_text`, so no terminal escape reaches the operator's screen.
The text report is pasted into a shell whole: each of its lines is either one of the tool's own
`mongosh` commands or a `# ` comment of cleaned single-line text (`commands.comment_line`), so
nothing from the catalog can start a line or end a comment. Printed lists end in "and N more".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..untrusted import safe_text
from .commands import comment_line
from .jobs import FetchResult, LeftOut, Match, Report
from .probe import ProbeRun
from .sources import SourceResult
from .stats import Stats

T = TypeVar("T")

#: Most items a printed list shows before "... and N more".
SHOWN = 10
#: Most provider rows `stats` prints.
SHOWN_PROVIDERS = 30


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, dt.datetime) else "never"


def capped(
    items: Sequence[T], line: Callable[[T], str], limit: int = SHOWN, more: str = "  … and {} more"
) -> list[str]:
    """One line per item for the first `limit` items, then one line saying how many were left out."""
    lines = [line(item) for item in items[:limit]]
    if len(items) > limit:
        lines.append(more.format(len(items) - limit))
    return lines


def _ids(label: str, ids: tuple[str, ...]) -> list[str]:
    return [f"{label:<9}{len(ids)}", *capped(ids, lambda i: f"  {safe_text(i, 120)}")]


def fetch_text(result: FetchResult) -> str:
    lines = [
        f"OpenRouter catalog fetched {_when(result.fetched_at)} ({result.pages} page(s))",
        f"{'listed':<9}{result.listed}",
    ]
    for label, ids in (
        ("new", result.new),
        ("changed", result.changed),
        ("back", result.returned),
        ("missing", result.missing),
        ("removed", result.removed),
        ("adopted", result.adopted),
        ("adjusted", result.adjusted),
    ):
        lines += _ids(label, ids)
    lines += [_source_line(source) for source in result.sources]
    if result.sources:
        lines.append(f"direct matches {result.direct_matches} catalog model(s) placed at a listed provider id")
    return "\n".join(lines)


def _source_line(source: SourceResult) -> str:
    """One model source's run: its counts when complete, else why it changed nothing."""
    if source.status != "complete":
        return f"source {safe_text(source.source, 40)}: {source.status}, nothing changed ({safe_text(source.message, 200)})"
    return (
        f"source {safe_text(source.source, 40)}: complete, {source.listed} listed, {source.added} new, "
        f"{source.returned} back, {source.missing} missing, {source.removed} removed"
    )


def _money(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else "?"


def _facts(match: Match) -> str:
    """Where the id is listed and since when, and the registry's figures beside OpenRouter's."""
    listed = f"{safe_text(match.listed_by or 'no', 20)} list, listed since {_when(match.listed_since)}"
    verified = f"probe ({listed})" if match.verified_by == "probe" else listed
    return (
        f"verified by {verified}; "
        f"USD per M tokens in/out: registry {_money(match.registry_input_price)}/{_money(match.registry_output_price)}, "
        f"OpenRouter {_money(match.openrouter_input_price)}/{_money(match.openrouter_output_price)}; "
        f"context: registry {match.registry_context_length or '?'}, OpenRouter {match.openrouter_context_length or '?'}"
    )


def _proposal(match: Match) -> list[str]:
    """A blank line, four comment lines, then the command (or a comment saying why there is none)."""
    return [
        "",
        comment_line(
            f"{safe_text(match.name, 120)} [{safe_text(match.openrouter_id, 120)}] "
            f"first seen {_when(match.first_seen_at)}"
        ),
        comment_line(
            f"-> {safe_text(match.provider, 40)}/{safe_text(match.model_id, 160)} "
            f"confidence {match.confidence:.2f} ({match.source})",
            indent=2,
        ),
        comment_line(_facts(match), indent=2, limit=400),
        *([comment_line(f"probe: {match.probe}", indent=2)] if match.probe else []),
        comment_line(match.reasoning, indent=2),
        match.command if match.command else comment_line(match.command_problem, indent=2),
    ]


def report_text(report: Report) -> str:
    """The report as a shell-pasteable text: only the staged upserts run, everything else is a comment."""
    lines = [
        comment_line(
            f"Discovery report {_when(report.generated_at)}: {report.candidates} candidate(s), "
            f"{report.covered} already covered, {len(report.matches)} proposed "
            f"(of {report.examined} examined, {report.ai_requests} AI request(s))"
        )
    ]
    lines += capped(report.notes, lambda n: comment_line(f"note: {n}"), more="# note: … and {} more")
    for match in report.matches:
        lines += _proposal(match)
    if report.left_out:
        lines += ["", comment_line(f"Left out ({len(report.left_out)}):")]
        lines += capped(report.left_out, _left_out, more="#   … and {} more")
    unexamined = report.candidates - report.examined
    if unexamined > 0:
        lines += ["", comment_line(f"… and {unexamined} more candidate(s) not examined (see --max-matches, --since)")]
    return "\n".join(lines)


def _left_out(item: LeftOut) -> str:
    until = f" (until {_when(item.until)})" if item.until else ""
    return comment_line(
        f"{safe_text(item.provider, 40)}/{safe_text(item.model_id, 160)} [{safe_text(item.openrouter_id, 120)}]: "
        f"{safe_text(item.detail, 300)}{until}",
        indent=2,
        limit=500,
    )


def probe_text(run: ProbeRun) -> str:
    """What a probe run called (or, dry, would call), each outcome, and what it skipped and why."""
    verb = "would call" if run.dry_run else "called"
    lines = [
        f"Probe {_when(run.at)}{' (dry run: nothing sent)' if run.dry_run else ''}: {run.proposals} proposal(s), "
        f"{verb} {len(run.calls)}, skipped {len(run.skipped)}, estimated spend USD {run.estimated_usd:.4g}"
    ]
    lines += capped(run.notes, lambda n: f"note: {safe_text(n, 300)}")
    for call in run.calls:
        where = f"{safe_text(call.provider, 40)}/{safe_text(call.model_id, 160)}"
        if run.dry_run:
            lines.append(f"  {where}: POST {safe_text(call.url, 200)} (estimated USD {call.estimated_usd:.4g})")
            continue
        status = f"HTTP {call.status}" if call.status else "no answer"
        reason = f" {call.reason}" if call.reason else ""
        message = f": {safe_text(call.message, 200)}" if call.message else ""
        lines.append(f"  {where}: {call.outcome}{reason} ({status}, {call.kind}){message}")
    if run.skipped:
        lines.append("skipped")
        lines += capped(
            run.skipped,
            lambda s: f"  {safe_text(s.provider, 40)}/{safe_text(s.model_id, 160)}: {safe_text(s.reason, 300)}",
            limit=SHOWN * 3,
        )
    return "\n".join(lines)


def stats_text(stats: Stats) -> str:
    c, m = stats.counts, stats.matching
    last = stats.last_fetch
    last_line = (
        (
            f"last fetch {_when(last.fetched_at)}: {safe_text(last.status, 20)}"
            + (f" ({safe_text(last.message, 200)})" if last.message else "")
        )
        if last
        else "last fetch never"
    )
    lines = [
        f"catalog      {c.listed} listed, {c.new_day} new in 24h, {c.new_week} new in 7d, "
        f"{c.missing} missing, {c.removed} removed",
        last_line,
        f"last complete fetch {_when(stats.last_complete_at)}",
        f"candidates   {m.candidates} ({m.covered} covered): {m.matched_by_rule} matched by rule, "
        f"{m.matched_by_ai} by AI, {m.unmatched} unmatched",
        "models       provider: enabled / disabled / deprecated",
    ]
    lines += capped(
        stats.models_by_provider,
        lambda r: f"  {safe_text(r.provider, 40)}: {r.enabled} / {r.disabled} / {r.deprecated}",
        SHOWN_PROVIDERS,
    )
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    """JSON-ready values; outside text cleaned, except commands (built from identifiers only)."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value, 1000)
    if isinstance(value, dict):
        return {str(k): v if k == "command" else _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def to_json(result: FetchResult | Report | Stats | ProbeRun) -> str:
    """One object per result (a report's proposals are its `proposals` list)."""
    return json.dumps(_plain(result.to_dict()), indent=2, ensure_ascii=False)
