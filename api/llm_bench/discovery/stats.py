"""The `llm-discovery stats` job: catalog counts, the last fetch, matching and the benchmark's models.

Read-only; every figure comes typed from the repository (`CatalogCounts`, `ProviderCounts`) or
is counted here, with the same rule placements as the report (`jobs.placer`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from ..repository import Store, catalog_stats
from ..repository import catalog as repo
from . import sources
from .ai_match import cached_proposal
from .jobs import placer
from .matching import candidates


@dataclass(frozen=True)
class LastFetch:
    """The last fetch record, whatever its status (`listed` only when complete, `message` when not)."""

    fetched_at: dt.datetime | None
    status: str | None
    listed: int | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class MatchCounts:
    candidates: int
    covered: int
    matched_by_rule: int
    matched_by_ai: int
    unmatched: int


@dataclass(frozen=True)
class Stats:
    generated_at: dt.datetime
    counts: catalog_stats.CatalogCounts
    last_fetch: LastFetch | None
    last_complete_at: dt.datetime | None
    matching: MatchCounts
    models_by_provider: tuple[catalog_stats.ProviderCounts, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "last_fetch": self.last_fetch.to_dict() if self.last_fetch else None}


def collect_stats(store: Store, now: dt.datetime) -> Stats:
    """Catalog counts, the last fetch, matched vs unmatched candidates, models per provider."""
    index = sources.load_index(store)
    place = placer(index)
    found, covered = candidates(repo.catalog_models(store), repo.benchmark_models(store), place)
    by_rule = sum(1 for m in found if place(m.openrouter_id))
    by_ai = sum(1 for m in found if not place(m.openrouter_id) and cached_proposal(m.ai_match, index))
    last = repo.last_run(store)
    complete = repo.last_complete_run(store)
    return Stats(
        generated_at=now,
        counts=catalog_stats.catalog_counts(store, now),
        last_fetch=LastFetch(last.get("fetched_at"), last.get("status"), last.get("listed"), last.get("message"))
        if last
        else None,
        last_complete_at=complete["fetched_at"] if complete else None,
        matching=MatchCounts(len(found), covered, by_rule, by_ai, len(found) - by_rule - by_ai),
        models_by_provider=tuple(catalog_stats.models_by_provider(store)),
    )
