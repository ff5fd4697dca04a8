"""Refresh discovery's model sources and read them back as a retrieval index.

`refresh` runs each source on its own (the providers' lists whose key is set, then the model
registry): a source that fails is recorded and changes nothing, and never stops the others.
A complete source is checked against its last complete run (in total and, for the registry, per
provider), planned (`listing.plan`) and written in one bulk write. `load_index` turns what is listed now into the `retrieval.Index`
that places catalog models; `direct_matches` stores each catalog entry's best placement.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..config import Settings
from ..repository import Store
from ..repository import provider_models as repo
from ..repository.catalog import CatalogEntry
from ..untrusted import redact, safe_text
from . import registry
from .download import Budget, Limits, SourceError, get_json
from .listing import SourceList, by_provider, check_complete, plan, short_providers, to_write
from .matching import Listing
from .provider_lists import SPECS, fetch_list
from .retrieval import Index, propose

log = logging.getLogger("llm_bench.discovery")


@dataclass(frozen=True)
class SourceConfig:
    registry_url: str
    keys: Mapping[str, str] = field(default_factory=dict)  # provider -> API key (lists fetched for these)
    urls: Mapping[str, str] = field(default_factory=dict)  # provider -> list URL override
    limits: Limits = field(default_factory=Limits)
    #: provider -> why its list is not fetched although its key is set
    skipped: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, limits: Limits | None = None) -> SourceConfig:
        """The sources to fetch; a provider whose API base is overridden (a gateway) and whose list
        URL is not keeps its key at the gateway: its public list is skipped, with a note."""
        gated = {p for p in settings.provider_keys if settings.keeps_key_at_gateway(p)}
        return cls(
            settings.model_registry_url,
            {p: k for p, k in settings.provider_keys.items() if p not in gated},
            dict(settings.provider_list_urls),
            limits or Limits(),
            {
                p: f"{p.upper()}_BASE_URL is set and {p.upper()}_MODELS_URL is not: the key is not sent "
                f"to the public list (set {p.upper()}_MODELS_URL to the gateway's list)"
                for p in sorted(gated)
            },
        )


@dataclass(frozen=True)
class SourceResult:
    source: str
    status: str  # complete, refused, unavailable or skipped
    listed: int = 0
    added: int = 0
    missing: int = 0
    removed: int = 0
    returned: int = 0
    message: str | None = None


Fetch = Callable[[httpx.Client, Budget], SourceList]


def _sources(config: SourceConfig) -> list[tuple[str, str, Fetch]]:
    found: list[tuple[str, str, Fetch]] = []
    for provider, key in config.keys.items():
        spec = SPECS[provider]
        url = config.urls.get(provider) or spec.url
        found.append((f"provider:{provider}", url, functools.partial(fetch_list, spec, key, url)))
    url = config.registry_url
    found.append(
        (
            "registry",
            url,
            lambda http, budget: SourceList(
                "registry", "registry", registry.PROVIDERS, registry.parse(get_json(http, url, {}, budget))
            ),
        )
    )
    return found


def refresh(
    store: Store, config: SourceConfig, now: dt.datetime, client: httpx.Client | None = None
) -> tuple[SourceResult, ...]:
    """Fetch, check and store every configured source; one run record each."""
    state = repo.stored_state(store)
    last = repo.last_complete_runs(store, now)
    own_lists = tuple(config.keys)
    results: list[SourceResult] = []
    runs: list[dict[str, Any]] = []
    for provider, why in config.skipped.items():
        results.append(SourceResult(f"provider:{provider}", "skipped", message=why))
        log.warning("provider:%s skipped: %s", provider, why)
        runs.append(
            {"fetched_at": now, "url": "", "source": f"provider:{provider}", "status": "skipped", "message": why}
        )
    http = client or httpx.Client(follow_redirects=True, headers={"Accept": "application/json"})
    try:
        for name, url, fetch in _sources(config):
            before = last.get(name)
            counts: dict[str, int] = {}
            try:
                source = fetch(http, Budget(config.limits))
                check_complete(source, before.listed if before else None)
                short = short_providers(source, before.by_provider if before else None)
                # A provider not believed this run keeps its last count as the basis of the next.
                counts = {**by_provider(source), **{p: then for p, (_, then) in short.items()}}
            except SourceError as exc:
                result = SourceResult(name, exc.status, message=safe_text(str(exc), 300))
                log.warning("%s %s: %s", name, result.status, result.message)
            except (RecursionError, ArithmeticError) as exc:  # a value no check foresaw: this source only
                result = SourceResult(name, "refused", message=f"an unreadable value ({type(exc).__name__})")
                log.warning("%s %s: %s", name, result.status, result.message)
            else:
                change = plan(state, source, own_lists, skip=short)
                repo.apply_source(store, to_write(source, change), now)
                result = SourceResult(
                    name,
                    "complete",
                    len(change.listed),
                    len(change.new),
                    change.count(removed=False),
                    change.count(removed=True),
                    len(change.returned),
                    _short_message(short),
                )
                if short:
                    log.warning("%s: %s", name, result.message)
            results.append(result)
            runs.append(
                {
                    "fetched_at": now,
                    "url": safe_text(redact(url), 300),
                    **{k: v for k, v in vars(result).items() if v is not None},
                    **({"listed_by_provider": counts} if result.status == "complete" else {}),
                }
            )
    finally:
        if client is None:
            http.close()
    repo.record_source_runs(store, runs)
    return tuple(results)


def _short_message(short: Mapping[str, tuple[int, int]]) -> str | None:
    """The providers a complete source was not believed about, in one line."""
    if not short:
        return None
    each = ", ".join(f"{p} {now} (last complete run {then})" for p, (now, then) in sorted(short.items()))
    return f"under half as many models as last time for {each}: their stored models are left unchanged"


def listings(rows: Iterable[Mapping[str, Any]]) -> list[Listing]:
    """Stored `provider_models` rows as retrieval listings."""
    return [
        Listing(
            provider=row["provider"],
            model_id=row["model_id"],
            verified_by="provider" if "provider" in (row.get("sources") or ()) else "registry",
            listed_since=row.get("first_seen_at"),
            context_length=row.get("context_length"),
            input_price=row.get("input_price"),
            output_price=row.get("output_price"),
        )
        for row in rows
    ]


def load_index(store: Store) -> Index:
    return Index.build(listings(repo.listed_models(store)))


def direct_match(openrouter_id: str, index: Index) -> dict[str, Any] | None:
    """The best listed placement of a catalog id, as stored on its catalog document."""
    found = propose(openrouter_id, index)
    if not found or found[0].listing is None:
        return None
    best = found[0].listing
    return {
        "provider": best.provider,
        "model_id": best.model_id,
        "verified_by": best.verified_by,
        "listed_since": best.listed_since,
    }


def store_direct_matches(store: Store, catalog: Iterable[CatalogEntry], index: Index) -> int:
    """Write `direct_match` where it changed; return how many catalog entries have one."""
    changed: dict[str, dict[str, Any] | None] = {}
    placed = 0
    for model in catalog:
        match = direct_match(model.openrouter_id, index)
        placed += match is not None
        if match != model.direct_match:  # absent reads as null: nothing written for unplaced entries
            changed[model.openrouter_id] = match
    repo.save_direct_matches(store, changed)
    return placed
