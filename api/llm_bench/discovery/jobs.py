"""Two discovery jobs as library calls, fetch and report, each returning a frozen result (stats: `stats`).

They wire the pure parts (openrouter validation, catalog diff, model sources, retrieval, AI
fallback, commands) to the repository; the CLI only parses options, calls one of these and renders.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..admission import RECHECK, REFUSALS, Standing, read_standings
from ..errors import OpsError
from ..exit_codes import ExitStatus
from ..identity import split_variant
from ..repository import Store, probe_results
from ..repository import catalog as repo
from ..repository import provider_models as source_runs
from ..untrusted import safe_text
from . import openrouter, sources
from .ai_match import Ask, ask_batches, cached_proposal
from .catalog import diff, prepare, to_write
from .commands import proposal_command
from .matching import PROVIDERS, Proposal, candidates
from .retrieval import Index, propose

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
    sources: tuple[sources.SourceResult, ...] = ()
    direct_matches: int = 0  # catalog entries placed at a listed direct-provider id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_fetch(
    store: Store, url: str, now: dt.datetime, source_config: sources.SourceConfig | None = None, **fetch_options: Any
) -> FetchResult:
    """Refresh the model sources, then fetch, validate and store one catalog.

    A failed source is recorded and changes nothing; a refused or failed catalog is recorded
    and re-raised (the sources are refreshed by then). After a complete catalog, each entry's
    best listed placement is stored as `direct_match`. The diff's basis is the last complete
    fetch, so a retry of a fetch whose record was lost, or a concurrent fetch, does not count
    its absences or price changes a second time.
    """
    refreshed = sources.refresh(store, source_config, now) if source_config else ()
    last = repo.last_complete_run(store, now)
    try:
        fetched = openrouter.fetch_catalog(url, **fetch_options)
        openrouter.check_complete(fetched, last.get("listed") if last else None)
        prepared = prepare(fetched.entries)
    except (openrouter.UpstreamUnavailable, openrouter.CatalogRefused) as exc:
        status = "refused" if isinstance(exc, openrouter.CatalogRefused) else "unavailable"
        repo.record_run(
            store,
            {"fetched_at": now, "url": safe_text(url, 300), "status": status, "message": safe_text(str(exc), 300)},
        )
        raise
    basis = last["fetched_at"].isoformat() if last and isinstance(last.get("fetched_at"), dt.datetime) else "none"
    change = diff(repo.stored_state(store), prepared.models, basis)
    repo.apply_fetch(store, to_write(prepared, change), now)
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
        sources=refreshed,
        direct_matches=sources.store_direct_matches(store, repo.catalog_models(store), sources.load_index(store)),
    )
    for model_id, notes in prepared.adjusted.items():
        log.warning("catalog entry %s stored adjusted: %s", safe_text(model_id, 120), safe_text("; ".join(notes), 300))
    repo.record_run(
        store,
        {
            "fetched_at": now,
            "url": safe_text(url, 300),
            "status": "complete",
            "listed": result.listed,
            "pages": result.pages,
            "added": len(result.new),
            "changed": len(result.changed),
            "returned": len(result.returned),
            "missing": len(result.missing),
            "removed": len(result.removed),
            "adopted": len(result.adopted),
            "adjusted": len(result.adjusted),
            "basis": basis,
        },
    )
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
    #: the strongest evidence: "probe" (two probe successes), "provider" (its own list) or "registry"
    verified_by: str | None = None
    listed_by: str | None = None  # "provider" or "registry": the list that shows the id
    probe: str | None = None  # what the probes said, when the id was probed
    listed_since: dt.datetime | None = None
    registry_context_length: int | None = None
    registry_input_price: float | None = None  # USD per million tokens
    registry_output_price: float | None = None
    openrouter_context_length: int | None = None
    openrouter_input_price: float | None = None
    openrouter_output_price: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of a proposal: without `command_problem` (its absence is `command: null`)."""
        return {k: v for k, v in asdict(self).items() if k != "command_problem"}


@dataclass(frozen=True)
class LeftOut:
    """A proposal the report does not print, and why."""

    openrouter_id: str
    provider: str
    model_id: str
    reason: str  # "variant" (folded into another proposal of the same id) or one of admission.REFUSALS
    detail: str
    until: dt.datetime | None = None  # a refusal stands until then (then the id is probed again)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Report:
    generated_at: dt.datetime
    candidates: int
    covered: int
    examined: int
    matches: tuple[Match, ...]
    ai_requests: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    left_out: tuple[LeftOut, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "candidates": self.candidates,
            "covered": self.covered,
            "examined": self.examined,
            "ai_requests": self.ai_requests,
            "proposals": [m.to_dict() for m in self.matches],
            "left_out": [x.to_dict() for x in self.left_out],
            "notes": list(self.notes),
        }


#: A catalog id's rule proposals (retrieval against the listed ids), computed once per run.
Placer = Callable[[str], tuple[Proposal, ...]]


def placer(index: Index) -> Placer:
    return functools.cache(lambda openrouter_id: tuple(propose(openrouter_id, index)))


def _acceptable(model: repo.CatalogEntry, place: Placer, index: Index, options: ReportOptions) -> list[Proposal]:
    """The proposals the options allow for one model, best first."""
    proposals: list[Proposal | None] = [*place(model.openrouter_id)] or [cached_proposal(model.ai_match, index)]
    return [
        p
        for p in proposals
        if p is not None and p.provider in options.providers and p.confidence >= options.min_confidence
    ]


def source_notes(runs: list[dict[str, Any]], listed: int) -> list[str]:
    """What the report says about the model sources: each one not complete at its last fetch, and
    when; without any listed id, that no source is stored (and why, when a fetch ran)."""
    notes = [
        f"model source {safe_text(run.get('source'), 40)} was {safe_text(run.get('status'), 20)} at the last fetch "
        f"({run['fetched_at']:%Y-%m-%d %H:%M} UTC: {safe_text(run.get('message') or '', 160)})"
        for run in runs
        if run.get("status") != "complete" and isinstance(run.get("fetched_at"), dt.datetime)
    ]
    if not listed:
        notes.append(
            "no listed id is stored: nothing can be proposed until a source is complete"
            if runs
            else "no model source is stored yet: run `llm-discovery fetch`"
        )
    return notes


def build_report(
    store: Store,
    db_name: str,
    options: ReportOptions,
    ask: Ask | None,
    now: dt.datetime,
    *,
    standings: dict[tuple[str, str], Standing] | None = None,
) -> Report:
    """Candidates newest first, placed by retrieval, then by cached or fresh AI picks from shortlists.

    One proposal per provider id (a variant such as `:exacto` folds into its base); an id whose
    latest probe was a definitive refusal is left out, with the reason, for the recheck period.
    """
    since = now - options.since if options.since else None
    index = sources.load_index(store)
    place = placer(index)
    if standings is None:
        standings = read_standings(probe_results.recent(store, now - RECHECK))
    found, covered = candidates(repo.catalog_models(store), repo.benchmark_models(store), place, since=since)
    matches: list[Match] = []
    left_out: list[LeftOut] = []
    notes: list[str] = source_notes(source_runs.latest_runs(store), len(index))
    requests = discarded = examined = 0
    announced = False
    for start in range(0, len(found), STEP):
        if len(matches) >= options.max_matches:
            break
        step = found[start : start + STEP]
        leftovers = [m for m in step if not place(m.openrouter_id) and (options.refresh or not m.ai_match)]
        if leftovers and ask is not None:
            if not announced:
                ask.announce()
                announced = True
            asked = ask_batches(leftovers, index, ask, now)
            requests += asked.requests
            discarded += sum(1 for e in asked.entries.values() if e.get("discarded"))
            notes += [f"AI: {e}" for e in asked.errors]
            repo.save_ai_matches(store, asked.entries)
            step = [
                replace(m, ai_match=asked.entries[m.openrouter_id]) if m.openrouter_id in asked.entries else m
                for m in step
            ]
            if asked.unreachable:  # a hung endpoint costs one request, not one per batch
                notes.append(f"AI: {asked.unreachable}; not asked again in this run, rules and cached answers only")
                ask = None
        for model in step:
            if len(matches) >= options.max_matches:
                break
            examined += 1
            for proposal in _acceptable(model, place, index, options):
                # a provider id a probe refused gives way to the model's next-best provider
                if _refused(proposal, model.openrouter_id, standings, left_out):
                    continue
                match = _match(model, proposal, db_name, store.names.models, options.enable)
                _admit(_evidence(match, standings.get((match.provider, match.model_id))), matches, left_out)
                break
    if discarded:
        notes.append(f"AI: {discarded} answer(s) outside the shortlist of listed ids discarded")
    return Report(now, len(found), covered, examined, tuple(matches), requests, tuple(notes), tuple(left_out))


def _evidence(match: Match, standing: Standing | None) -> Match:
    if standing is None:
        return match
    verified = "probe" if standing.verified_at is not None else match.verified_by
    return replace(match, verified_by=verified, probe=standing.summary())


def _refused(
    proposal: Proposal, openrouter_id: str, standings: dict[tuple[str, str], Standing], left_out: list[LeftOut]
) -> bool:
    """True (and the proposal listed as left out, with the reason) when a probe refused its id."""
    standing = standings.get((proposal.provider, proposal.model_id))
    if standing is None or standing.refusal is None:
        return False
    reason = standing.refusal.reason or "not_found"
    detail = f"{REFUSALS.get(reason, reason)}: {standing.summary()}"
    left_out.append(
        LeftOut(openrouter_id, proposal.provider, proposal.model_id, reason, detail, standing.refused_until)
    )
    return True


def _admit(match: Match, matches: list[Match], left_out: list[LeftOut]) -> None:
    """Add a proposal, unless another proposal has its provider id already (the base model's
    proposal replaces a variant's)."""
    for position, kept in enumerate(matches):
        if (kept.provider, kept.model_id) != (match.provider, match.model_id):
            continue
        if split_variant(kept.openrouter_id)[1] and not split_variant(match.openrouter_id)[1]:
            matches[position], match, kept = match, kept, match
        left_out.append(
            LeftOut(
                match.openrouter_id,
                match.provider,
                match.model_id,
                "variant",
                f"same provider id as {kept.openrouter_id}: one proposal per provider id",
            )
        )
        return
    matches.append(match)


def _match(model: repo.CatalogEntry, proposal: Proposal, db_name: str, collection: str, enable: bool) -> Match:
    command = proposal_command(
        db_name=db_name,
        collection=collection,
        provider=proposal.provider,
        model_id=proposal.model_id,
        openrouter_id=model.openrouter_id,
        source=proposal.source,
        confidence=proposal.confidence,
        enable=enable,
    )
    listing = proposal.listing
    return Match(
        openrouter_id=model.openrouter_id,
        name=model.name or model.openrouter_id,
        provider=proposal.provider,
        model_id=proposal.model_id,
        confidence=proposal.confidence,
        reasoning=proposal.reasoning,
        source=proposal.source,
        first_seen_at=model.first_seen_at,
        command=command.text,
        command_problem=command.problem,
        verified_by=listing.verified_by if listing else None,
        listed_by=listing.verified_by if listing else None,
        listed_since=listing.listed_since if listing else None,
        registry_context_length=listing.context_length if listing else None,
        registry_input_price=listing.input_price if listing else None,
        registry_output_price=listing.output_price if listing else None,
        openrouter_context_length=model.context_length,
        openrouter_input_price=model.price_prompt,
        openrouter_output_price=model.price_completion,
    )
