"""Catalog entries normalised, and the pure diff between the stored catalog and a new fetch.

No I/O here: `normalise` turns one raw entry into the fields the jobs read (prices per million
tokens, modalities, org, dates) and `diff` decides what is new, changed, missing, back or
removed, so the rules (one missing fetch is not a removal) are tested without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

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
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    return float(round(number * 1_000_000, 6))


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


def normalise(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The fields discovery reads, next to the raw entry (which is stored as well)."""
    model_id = entry["id"]
    pricing = entry.get("pricing") if isinstance(entry.get("pricing"), dict) else {}
    prices = {key: per_million(pricing[key]) for key in _TOKEN_PRICES if key in pricing}
    variable = any(str(pricing.get(key, "")).strip() == "-1" for key in ("prompt", "completion"))
    top = entry.get("top_provider") if isinstance(entry.get("top_provider"), dict) else {}
    created = _int_or_none(entry.get("created"))
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
        "created": dt.datetime.fromtimestamp(created, dt.timezone.utc) if created and created > 0 else None,
        "expiration_date": expiration if isinstance(expiration, str) and expiration else None,
        "hugging_face_id": entry.get("hugging_face_id") or None,
    }


def _safe_key(key: str) -> str:
    key = key.replace(".", "\uff0e")  # fullwidth full stop
    return "\uff04" + key[1:] if key.startswith("$") else key  # fullwidth dollar sign


def storable(value: Any) -> Any:
    """The raw entry with keys MongoDB would reject ($-prefixed, dotted) made harmless."""
    if isinstance(value, dict):
        return {_safe_key(str(k)): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


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
class CatalogDiff:
    listed: tuple[str, ...]
    new: tuple[str, ...]
    changed: tuple[tuple[str, tuple[Change, ...]], ...]
    returned: tuple[str, ...]
    missing: tuple[Absence, ...]
    removed: tuple[Absence, ...]


def diff(stored: Mapping[str, Mapping[str, Any]], current: Iterable[Mapping[str, Any]]) -> CatalogDiff:
    """Compare stored state (by id: tracked fields, missing_count, removed_at) with a complete fetch."""
    listed: dict[str, Mapping[str, Any]] = {m["openrouter_id"]: m for m in current}
    new, changed, returned = [], [], []
    for model_id, model in listed.items():
        before = stored.get(model_id)
        if before is None:
            new.append(model_id)
            continue
        changes = tuple(Change(f, before.get(f), model.get(f)) for f in TRACKED if before.get(f) != model.get(f))
        if changes:
            changed.append((model_id, changes))
        if before.get("missing_count") or before.get("removed_at"):
            returned.append(model_id)
    missing, removed = [], []
    for model_id, before in stored.items():
        if model_id in listed or before.get("removed_at"):
            continue
        count = int(before.get("missing_count") or 0) + 1
        absence = Absence(model_id, count, first_absence=count == 1)
        (removed if count >= REMOVAL_AFTER else missing).append(absence)
    return CatalogDiff(
        listed=tuple(listed),
        new=tuple(new),
        changed=tuple(changed),
        returned=tuple(returned),
        missing=tuple(missing),
        removed=tuple(removed),
    )
