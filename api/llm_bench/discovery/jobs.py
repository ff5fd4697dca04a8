"""The three discovery jobs as library calls: fetch, report and stats, each returning a frozen result.

They wire the pure parts (openrouter validation, catalog diff, matching rules, AI fallback,
commands) to the repository; the CLI only parses options, calls one of these and renders.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import OpsError
from ..exit_codes import ExitStatus
from ..repository import Store
from ..repository import catalog as repo
from ..untrusted import safe_text
from . import openrouter
from .ai_match import BATCH, Ask, ask_batches, cached_proposal
from .catalog import diff, prepare
from .commands import upsert_command
from .matching import PROVIDERS, Proposal, candidates, rule_proposals

log = logging.getLogger("llm_bench.discovery")

#: Candidates examined per step of the report; the AI is asked about a step's leftovers at once.
STEP = 20


@dataclass(frozen=True)
class FetchResult:
    fetched_at: dt.datetime
    listed: int
    pages: int
    new: tuple[str, ...]
    changed: tuple[str, ...]
    returned: tuple[str, ...]
    missing: tuple[str, ...]
    removed: tuple[str, ...]
    #: Upstream-shaped documents taken over (first_seen_at filled, no history written).
    adopted: tuple[str, ...] = ()
    #: Entries stored with a field dropped or replaced to fit MongoDB (see `raw_adjusted`).
    adjusted: tuple[str, ...] = ()


def run_fetch(store: Store, url: str, now: dt.datetime, **fetch_options: Any) -> FetchResult:
    """Fetch, validate and store one catalog; a refused or failed fetch is recorded and re-raised.

    The diff's basis is the last complete fetch, so a retry of a fetch whose record was lost, or
    a concurrent fetch, does not count its absences or price changes a second time.
    """
    last = repo.last_complete_run(store)
    try:
        fetched = openrouter.fetch_catalog(url, **fetch_options)
        openrouter.check_complete(fetched, last.get("listed") if last else None)
        prepared = prepare(fetched.entries)
    except (openrouter.UpstreamUnavailable, openrouter.CatalogRefused) as exc:
        status = "refused" if isinstance(exc, openrouter.CatalogRefused) else "unavailable"
        repo.record_run(store, {"fetched_at": now, "url": safe_text(url, 300), "status": status,
                                "message": safe_text(str(exc), 300)})
        raise
    basis = last["fetched_at"].isoformat() if last and isinstance(last.get("fetched_at"), dt.datetime) else "none"
    change = diff(repo.stored_state(store), prepared.models, basis)
    repo.apply_fetch(store, prepared.models, prepared.raw, change, now, prepared.adjusted)
    result = FetchResult(
        fetched_at=now,
        listed=len(change.listed),
        pages=fetched.pages,
        new=change.new,
        changed=tuple(model_id for model_id, _ in change.changed),
        returned=change.returned,
        missing=tuple(a.openrouter_id for a in change.missing),
        removed=tuple(a.openrouter_id for a in change.removed),
        adopted=tuple(a.openrouter_id for a in change.adopted),
        adjusted=tuple(prepared.adjusted),
    )
    for model_id, notes in prepared.adjusted.items():
        log.warning("catalog entry %s stored adjusted: %s", safe_text(model_id, 120), safe_text("; ".join(notes), 300))
    repo.record_run(store, {
        "fetched_at": now, "url": safe_text(url, 300), "status": "complete", "listed": result.listed,
        "pages": result.pages, "added": len(result.new), "changed": len(result.changed),
        "returned": len(result.returned), "missing": len(result.missing), "removed": len(result.removed),
        "adopted": len(result.adopted), "adjusted": len(result.adjusted), "basis": basis,
    })
    return result


class CatalogMissing(OpsError):
    status = ExitStatus.CATALOG_MISSING


def require_fetched(store: Store) -> None:
    """Refuse to report from a catalog that no complete fetch has filled."""
    if repo.last_complete_run(store) is None:
        raise CatalogMissing("no complete catalog fetch yet: run `llm-discovery fetch` first")


@dataclass(frozen=True)
class ReportOptions:
    since: dt.timedelta | None = None
    max_matches: int = 20
    min_confidence: float = 0.7
    providers: tuple[str, ...] = PROVIDERS
    refresh: bool = False
    enable: bool = False


@dataclass(frozen=True)
class Match:
    openrouter_id: str
    name: str
    provider: str
    model_id: str
    confidence: float
    reasoning: str
    source: str
    first_seen_at: dt.datetime | None
    command: str | None
    command_problem: str | None


@dataclass(frozen=True)
class Report:
    generated_at: dt.datetime
    candidates: int
    covered: int
    examined: int
    matches: tuple[Match, ...]
    ai_requests: int
    notes: tuple[str, ...] = field(default_factory=tuple)


def _pick(model: Mapping[str, Any], options: ReportOptions) -> Proposal | None:
    proposals = list(rule_proposals(model["openrouter_id"])) or [cached_proposal(model.get("ai_match"))]
    for proposal in proposals:
        if proposal and proposal.provider in options.providers and proposal.confidence >= options.min_confidence:
            return proposal
    return None


def build_report(store: Store, db_name: str, options: ReportOptions, ask: Ask | None, now: dt.datetime) -> Report:
    """Candidates newest first, placed by rules, then by cached or fresh AI answers."""
    since = now - options.since if options.since else None
    found, covered = candidates(repo.catalog_models(store), repo.benchmark_models(store), since=since)
    matches: list[Match] = []
    notes: list[str] = []
    requests = 0
    examined = 0
    for start in range(0, len(found), STEP):
        if len(matches) >= options.max_matches:
            break
        step = found[start:start + STEP]
        leftovers = [m for m in step if not rule_proposals(m["openrouter_id"]) and (options.refresh or not m.get("ai_match"))]
        if leftovers and ask is not None:
            entries, errors = ask_batches(leftovers, ask, now)
            requests += -(-len(leftovers) // BATCH)
            notes += [f"AI: {e}" for e in errors]
            repo.save_ai_matches(store, entries)
            step = [{**m, "ai_match": entries[m["openrouter_id"]]} if m["openrouter_id"] in entries else m for m in step]
        for model in step:
            if len(matches) >= options.max_matches:
                break
            examined += 1
            proposal = _pick(model, options)
            if proposal:
                matches.append(_match(model, proposal, db_name, store.names.models, options.enable))
    return Report(now, len(found), covered, examined, tuple(matches), requests, tuple(notes))


def _match(model: Mapping[str, Any], proposal: Proposal, db_name: str, collection: str, enable: bool) -> Match:
    command = upsert_command(db_name=db_name, collection=collection, provider=proposal.provider,
                             model_id=proposal.model_id, openrouter_id=model["openrouter_id"],
                             source=proposal.source, confidence=proposal.confidence, enable=enable)
    return Match(
        openrouter_id=model["openrouter_id"],
        name=str(model.get("name") or model["openrouter_id"]),
        provider=proposal.provider,
        model_id=proposal.model_id,
        confidence=proposal.confidence,
        reasoning=proposal.reasoning,
        source=proposal.source,
        first_seen_at=model.get("first_seen_at"),
        command=command.text,
        command_problem=command.problem,
    )


@dataclass(frozen=True)
class Stats:
    generated_at: dt.datetime
    counts: Mapping[str, int]
    last_fetch: Mapping[str, Any] | None
    last_complete_at: dt.datetime | None
    matching: Mapping[str, int]
    models_by_provider: tuple[Mapping[str, Any], ...]


def collect_stats(store: Store, now: dt.datetime) -> Stats:
    """Catalog counts, the last fetch, matched vs unmatched candidates, models per provider."""
    found, covered = candidates(repo.catalog_models(store), repo.benchmark_models(store))
    by_rule = sum(1 for m in found if rule_proposals(m["openrouter_id"]))
    by_ai = sum(1 for m in found if not rule_proposals(m["openrouter_id"]) and cached_proposal(m.get("ai_match")))
    last = repo.last_run(store)
    complete = repo.last_complete_run(store)
    return Stats(
        generated_at=now,
        counts=repo.catalog_counts(store, now),
        last_fetch={k: last.get(k) for k in ("fetched_at", "status", "listed", "message") if k in last} if last else None,
        last_complete_at=complete["fetched_at"] if complete else None,
        matching={"candidates": len(found), "covered": covered, "matched_by_rule": by_rule,
                  "matched_by_ai": by_ai, "unmatched": len(found) - by_rule - by_ai},
        models_by_provider=tuple(repo.models_by_provider(store)),
    )
