"""Catalog entries normalised, and the pure diff between the stored catalog and a new fetch.

No I/O here: `prepare` fits each raw entry for storage and `normalise` turns it into the fields
the jobs read (prices per million tokens, modalities, org, dates); `diff` decides what is new,
changed, missing, back, removed or adopted, so the rules (one missing fetch is not a removal)
are tested without a database.

A diff is made against a *basis*, the last complete fetch it builds on. Its effects are keyed
by that basis (history entries carry it, an absence is counted once per basis), so a fetch
applied twice - a retry after its record was lost, or two fetches at once - counts each change
and each absence once. Documents in upstream's older shape (no normalised price fields) are
*adopted*: they get `first_seen_at` and the normalised fields, and no history, since the old
per-token floats are not comparable with the normalised prices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..repository.catalog import ADOPT, Absent, FetchWrite
from ..repository.storable import EntryTooLarge, fit_entry
from .openrouter import CatalogRefused

#: A model absent from this many consecutive complete fetches is marked removed.
REMOVAL_AFTER = 3
#: Fields whose change is appended to a model's history.
TRACKED = ("price_prompt", "price_completion", "context_length")
_TOKEN_PRICES = ("prompt", "completion", "input_cache_read", "input_cache_write", "internal_reasoning", "audio")


def per_million(value: Any) -> float | None:
    """A USD-per-token decimal string as USD per million tokens; None for "-1" (varies) or junk."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite() or number < 0:
            return None
        return float(round(number * 1_000_000, 6))
    except ArithmeticError:  # InvalidOperation: junk, or too large to round (1e16 USD per token and beyond)
        return None


def _modalities(entry: Mapping[str, Any], key: str, side: int) -> list[str]:
    arch = entry.get("architecture")
    if not isinstance(arch, dict):
        return []
    listed = arch.get(key)
    if isinstance(listed, list):
        return [str(m) for m in listed if isinstance(m, str)]
    modality = arch.get("modality")  # older shape: "text+image->text"
    if isinstance(modality, str) and "->" in modality:
        return [m for m in modality.split("->")[side].split("+") if m]
    return []


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _timestamp(value: Any) -> dt.datetime | None:
    """Unix seconds as a UTC datetime; None when absent, not positive or beyond year 9999."""
    seconds = _int_or_none(value)
    if not seconds or seconds <= 0:
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None


def normalise(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The fields discovery reads, next to the raw entry (which is stored as well)."""
    model_id = entry["id"]
    pricing: Mapping[str, Any] = entry["pricing"] if isinstance(entry.get("pricing"), dict) else {}
    prices = {key: per_million(pricing[key]) for key in _TOKEN_PRICES if key in pricing}
    variable = any(str(pricing.get(key, "")).strip() == "-1" for key in ("prompt", "completion"))
    top: Mapping[str, Any] = entry["top_provider"] if isinstance(entry.get("top_provider"), dict) else {}
    expiration = entry.get("expiration_date")
    slug = entry.get("canonical_slug")
    return {
        "openrouter_id": model_id,
        "canonical_slug": slug if isinstance(slug, str) else None,
        "name": entry.get("name") if isinstance(entry.get("name"), str) else None,
        "org": model_id.lstrip("~").split("/", 1)[0] if "/" in model_id else None,
        "prices": prices,
        "price_prompt": prices.get("prompt"),
        "price_completion": prices.get("completion"),
        "variable_price": variable,
        "context_length": _int_or_none(entry.get("context_length")) or _int_or_none(top.get("context_length")),
        "input_modalities": _modalities(entry, "input_modalities", 0),
        "output_modalities": _modalities(entry, "output_modalities", 1),
        "created": _timestamp(entry.get("created")),
        "expiration_date": expiration if isinstance(expiration, str) and expiration else None,
        "hugging_face_id": entry.get("hugging_face_id") or None,
    }


@dataclass(frozen=True)
class Prepared:
    """A fetched catalog ready to store: entries fit for MongoDB by id, normalised, and the fixes."""

    raw: Mapping[str, Mapping[str, Any]]
    models: tuple[dict[str, Any], ...]
    adjusted: Mapping[str, tuple[str, ...]]


def prepare(entries: Iterable[Mapping[str, Any]]) -> Prepared:
    """Fit and normalise every entry (the last of a repeated id wins); CatalogRefused if one is too large."""
    raw: dict[str, Mapping[str, Any]] = {}
    adjusted: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        try:
            fitted, notes = fit_entry(entry)
        except EntryTooLarge as exc:
            raise CatalogRefused(str(exc)) from None
        raw[fitted["id"]] = fitted
        adjusted.pop(fitted["id"], None)
        if notes:
            adjusted[fitted["id"]] = notes
    return Prepared(raw, tuple(normalise(e) for e in raw.values()), adjusted)


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Absence:
    openrouter_id: str
    missing_count: int
    first_absence: bool


@dataclass(frozen=True)
class Adoption:
    """An upstream-shaped document taken over: the fields it gets (first_seen_at None: unknown)."""

    openrouter_id: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class CatalogDiff:
    basis: str
    listed: tuple[str, ...]
    new: tuple[str, ...]
    changed: tuple[tuple[str, tuple[Change, ...]], ...]
    returned: tuple[str, ...]
    missing: tuple[Absence, ...]
    removed: tuple[Absence, ...]
    adopted: tuple[Adoption, ...] = ()


def _adoption(model_id: str, before: Mapping[str, Any]) -> Adoption:
    """Upstream's per-token float `pricing` as prices per million, so even an absent model is migrated."""
    pricing: Mapping[str, Any] = before["pricing"] if isinstance(before.get("pricing"), Mapping) else {}
    return Adoption(
        model_id,
        {
            "first_seen_at": before[ADOPT],
            "price_prompt": per_million(pricing.get("prompt")),
            "price_completion": per_million(pricing.get("completion")),
        },
    )


def diff(
    stored: Mapping[str, Mapping[str, Any]], current: Iterable[Mapping[str, Any]], basis: str = "none"
) -> CatalogDiff:
    """Compare stored state (by id: tracked fields, absence counters, ADOPT) with a complete fetch.

    `basis` names the last complete fetch; an absence already counted against it is not counted again.
    """
    listed: dict[str, Mapping[str, Any]] = {m["openrouter_id"]: m for m in current}
    new, changed, returned = [], [], []
    adopted = [_adoption(model_id, before) for model_id, before in stored.items() if ADOPT in before]
    for model_id, model in listed.items():
        before = stored.get(model_id)
        if before is None:
            new.append(model_id)
            continue
        changes = tuple(Change(f, before.get(f), model.get(f)) for f in TRACKED if before.get(f) != model.get(f))
        if changes and ADOPT not in before:
            changed.append((model_id, changes))
        if before.get("missing_count") or before.get("removed_at"):
            returned.append(model_id)
    missing: list[Absence] = []
    removed: list[Absence] = []
    for model_id, before in stored.items():
        if model_id in listed or before.get("removed_at"):
            continue
        counted = before.get("missing_basis") == basis
        count = int(before.get("missing_count") or 0) + (0 if counted else 1)
        absence = Absence(model_id, count, first_absence=count == 1 and not counted)
        (removed if count >= REMOVAL_AFTER else missing).append(absence)
    return CatalogDiff(
        basis=basis,
        listed=tuple(listed),
        new=tuple(new),
        changed=tuple(changed),
        returned=tuple(returned),
        missing=tuple(missing),
        removed=tuple(removed),
        adopted=tuple(adopted),
    )


def to_write(prepared: Prepared, change: CatalogDiff) -> FetchWrite:
    """What the repository writes for a complete fetch and its diff."""
    removed = set(change.removed)
    return FetchWrite(
        basis=change.basis,
        models=prepared.models,
        raw=prepared.raw,
        adjusted=prepared.adjusted,
        returned=frozenset(change.returned),
        history={model_id: tuple((c.field, c.old, c.new) for c in changes) for model_id, changes in change.changed},
        absent=tuple(
            Absent(a.openrouter_id, a.missing_count, a.first_absence, a in removed)
            for a in change.missing + change.removed
        ),
        adopted={a.openrouter_id: a.fields for a in change.adopted},
    )
