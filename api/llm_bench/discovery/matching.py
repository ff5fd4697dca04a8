"""Which catalog models are worth proposing, and the shapes of a listed id and of a proposal.

- `candidates`: the catalog models a plain text benchmark could add and does not cover yet.
  "Covered" compares whole identities (`api/llm_bench/identity.py`), never substrings:
  `gpt-4` does not cover `gpt-4o`, `o1` does not cover `o1-pro`;
- `Listing`: one id a source lists (the proof that an id exists);
- `Proposal`: a direct-provider id for a catalog model, found in what the providers list
  (`retrieval`) or picked by the AI from a closed shortlist of listed ids (`ai_match`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..identity import identity, split_variant

if TYPE_CHECKING:
    from ..repository.catalog import CatalogEntry

PROVIDERS = ("openai", "anthropic", "bedrock", "vertex", "together", "groq", "fireworks", "deepinfra", "cerebras")
#: Variants skipped when their base model is listed too (they are the same model for a benchmark).
SKIPPED_VARIANTS = ("free", "beta", "extended")


@dataclass(frozen=True)
class Listing:
    """One listed id: who lists it and what the registry says about it."""

    provider: str
    model_id: str
    verified_by: str  # "provider" (its own list) or "registry"
    listed_since: dt.datetime | None = None
    context_length: int | None = None
    input_price: float | None = None
    output_price: float | None = None


@dataclass(frozen=True)
class Proposal:
    provider: str
    model_id: str
    confidence: float
    reasoning: str
    source: str = "rule"
    #: the listing that proves the id exists (None only for AI answers cached before listings)
    listing: Listing | None = None


def benchmarkable(model: CatalogEntry, listed_ids: set[str]) -> bool:
    """False for what cannot be a plain text benchmark target: non-text, routers, `~` aliases, twins."""
    model_id = model.openrouter_id
    base, variant = split_variant(model_id)
    outputs = model.output_modalities or ("text",)
    if model_id.startswith("~") or outputs != ("text",):
        return False
    if model.org == "openrouter" or model.variable_price:
        return False  # routers pick a model per request
    return not (variant in SKIPPED_VARIANTS and base in listed_ids)


def candidates(
    catalog: Iterable[CatalogEntry],
    benchmark: Iterable[Mapping[str, Any]],
    place: Callable[[str], Iterable[Proposal]],
    *,
    since: dt.datetime | None = None,
) -> tuple[list[CatalogEntry], int]:
    """Uncovered, benchmarkable catalog models newest first, and how many were covered.

    `place` gives a catalog id's proposals; a benchmark model with the identity of the catalog
    id or of one of its proposals covers it.
    """
    models = list(catalog)
    listed_ids = {m.openrouter_id for m in models}
    covered_ids = {identity(str(m.get("model_id") or "")) for m in benchmark if m.get("model_id")}
    chosen, covered = [], 0
    for model in models:
        if not benchmarkable(model, listed_ids):
            continue
        if since is not None and (model.first_seen_at is None or model.first_seen_at < since):
            continue
        own = {identity(model.openrouter_id)} | {identity(p.model_id) for p in place(model.openrouter_id)}
        if own & covered_ids:
            covered += 1
            continue
        chosen.append(model)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    chosen.sort(key=lambda m: (m.first_seen_at or epoch, m.created or epoch), reverse=True)
    return chosen, covered
