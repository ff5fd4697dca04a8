"""Discovery's MongoDB access: the OpenRouter catalog, its fetch runs, AI-match cache, counts.

A fetch is applied with one `bulk_write` (one upsert per listed model, one conditional update
per price history and per absent model), never a query per model. The conditional updates are
keyed by the diff's basis, so applying the same fetch twice, or two fetches at once, writes each
history entry and counts each absence once; the bulk can therefore be retried when a concurrent
fetch inserted a new model first. Functions take and return plain Python data; a fetch to write
comes as a `FetchWrite` (plain fields, whatever job decided them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING, UpdateOne
from pymongo.errors import BulkWriteError

from . import ONE_REPLY, Store, not_after, translate_errors

__all__ = [
    "ADOPT",
    "Absent",
    "CatalogEntry",
    "FetchWrite",
    "apply_fetch",
    "benchmark_models",
    "catalog_models",
    "last_complete_run",
    "last_run",
    "record_run",
    "save_ai_matches",
    "stored_state",
]

_STATE_FIELDS = (
    "openrouter_id",
    "price_prompt",
    "price_completion",
    "context_length",
    "missing_count",
    "missing_basis",
    "removed_at",
    "first_seen_at",
    "pricing",
)
#: Fields that set a document apart as written by this toolkit; upstream's older shape lacks them.
_OWN_SHAPE = "price_prompt"
#: The `stored_state` key that marks an upstream-shaped document, holding its first-seen time.
ADOPT = "adopt_first_seen_at"


@dataclass(frozen=True)
class Absent:
    """A stored model the fetch did not list: its new absence count, and what that count means."""

    openrouter_id: str
    missing_count: int
    first_absence: bool
    removed: bool


@dataclass(frozen=True)
class FetchWrite:
    """One complete fetch as written: normalised `models` with their `raw` entries (fit for
    storage; `adjusted` says what was changed to fit), and the effects keyed by `basis`."""

    basis: str
    models: Sequence[Mapping[str, Any]]
    raw: Mapping[str, Mapping[str, Any]]
    adjusted: Mapping[str, Sequence[str]] = field(default_factory=dict)
    returned: frozenset[str] = frozenset()  # listed again after an absence
    history: Mapping[str, Sequence[tuple[str, Any, Any]]] = field(default_factory=dict)  # id -> (field, old, new)
    absent: Sequence[Absent] = ()
    adopted: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # id -> fields taken over


def stored_state(store: Store) -> dict[str, dict[str, Any]]:
    """Every stored model's tracked fields and absence counters, by OpenRouter id.

    An upstream-shaped document (no normalised prices) carries ADOPT: its own first_seen_at, else
    the creation time of its ObjectId (upstream inserted a model when it first saw it), else None;
    its `pricing` (per-token floats) comes along. Only upstream's documents have `pricing`.
    """
    with translate_errors("reading the catalog"):
        rows = store.coll("catalog").find(
            {"openrouter_id": {"$type": "string"}}, {f: 1 for f in _STATE_FIELDS}, batch_size=ONE_REPLY
        )
        state = {}
        for row in rows:
            object_id = row.pop("_id", None)
            if _OWN_SHAPE not in row:
                first_seen = row.get("first_seen_at")
                if not isinstance(first_seen, dt.datetime):
                    first_seen = object_id.generation_time if isinstance(object_id, ObjectId) else None
                row[ADOPT] = first_seen
            state[row["openrouter_id"]] = row
        return state


def apply_fetch(store: Store, fetch: FetchWrite, now: dt.datetime) -> None:
    """Write one complete fetch in one bulk write: upserts, history, absences and adoptions."""
    ops = _listed_ops(fetch, now) + _absence_ops(fetch, now)
    if not ops:
        return
    with translate_errors("writing the catalog"):
        try:
            store.coll("catalog").bulk_write(ops, ordered=False)
        except BulkWriteError as exc:
            # A concurrent fetch inserted some new models first: every op is idempotent, so the
            # failed upserts are simply applied again (now as updates).
            failed = exc.details.get("writeErrors", [])
            if not failed or any(e.get("code") != 11000 for e in failed) or exc.details.get("writeConcernErrors"):
                raise
            store.coll("catalog").bulk_write([ops[e["index"]] for e in failed], ordered=False)


def _listed_ops(fetch: FetchWrite, now: dt.datetime) -> list[UpdateOne]:
    ops: list[UpdateOne] = []
    for model in fetch.models:
        model_id = model["openrouter_id"]
        fields = {
            **_adopted_fields(fetch.adopted.get(model_id), now),
            **model,
            "raw": fetch.raw[model_id],
            "last_seen_at": now,
        }
        unset = (
            {"missing_since": "", "missing_count": "", "missing_basis": "", "removed_at": ""}
            if model_id in fetch.returned
            else {}
        )
        if fetch.adjusted.get(model_id):
            fields["raw_adjusted"] = list(fetch.adjusted[model_id])
        else:
            unset["raw_adjusted"] = ""
        update: dict[str, Any] = {"$set": fields, **({"$unset": unset} if unset else {})}
        if model_id not in fetch.adopted:
            update["$setOnInsert"] = {"first_seen_at": now}
        ops.append(UpdateOne({"openrouter_id": model_id}, update, upsert=True))
        if fetch.history.get(model_id):
            entries = [
                {"at": now, "field": name, "old": old, "new": new, "basis": fetch.basis}
                for name, old, new in fetch.history[model_id]
            ]
            ops.append(
                UpdateOne(
                    {"openrouter_id": model_id, "history.basis": {"$ne": fetch.basis}},
                    {"$push": {"history": {"$each": entries}}},
                )
            )
    return ops


def _adopted_fields(adoption: Mapping[str, Any] | None, now: dt.datetime) -> dict[str, Any]:
    return {**adoption, "first_seen_at": adoption["first_seen_at"] or now} if adoption else {}


def _absence_ops(fetch: FetchWrite, now: dt.datetime) -> list[UpdateOne]:
    ops: list[UpdateOne] = []
    for absence in fetch.absent:
        fields: dict[str, Any] = {
            **_adopted_fields(fetch.adopted.get(absence.openrouter_id), now),
            "missing_count": absence.missing_count,
            "missing_basis": fetch.basis,
        }
        if absence.first_absence:
            fields["missing_since"] = now
        if absence.removed:
            fields["removed_at"] = now
        ops.append(
            UpdateOne({"openrouter_id": absence.openrouter_id, "missing_basis": {"$ne": fetch.basis}}, {"$set": fields})
        )
    return ops


def record_run(store: Store, run: Mapping[str, Any]) -> None:
    """Append one fetch record (complete, refused or unavailable) to the runs collection."""
    with translate_errors("recording the fetch run"):
        store.coll("catalog_runs").insert_one(dict(run))


def last_complete_run(store: Store, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The latest complete fetch record not dated beyond `now` plus CLOCK_SKEW (a record from
    the future would freeze absence counting: it would stay the diff's basis)."""
    with translate_errors("reading fetch runs"):
        return store.coll("catalog_runs").find_one(
            {"status": "complete", "fetched_at": {"$lte": not_after(now)}},
            {"_id": 0},
            sort=[("fetched_at", DESCENDING)],
        )


def last_run(store: Store) -> dict[str, Any] | None:
    with translate_errors("reading fetch runs"):
        return store.coll("catalog_runs").find_one({}, {"_id": 0}, sort=[("fetched_at", DESCENDING)])


def benchmark_models(store: Store) -> list[dict[str, Any]]:
    """The benchmark's `models` (provider, model_id, enabled, deprecated), whatever their state."""
    with translate_errors("reading models"):
        return list(
            store.coll("models").find(
                {}, {"_id": 0, "provider": 1, "model_id": 1, "enabled": 1, "deprecated": 1}, batch_size=ONE_REPLY
            )
        )


@dataclass(frozen=True)
class CatalogEntry:
    """A catalog model as discovery reads it: the normalised fields, the cached AI answer and
    direct match (no raw entry, no history)."""

    openrouter_id: str
    name: str | None = None
    canonical_slug: str | None = None
    hugging_face_id: str | None = None
    org: str | None = None
    output_modalities: tuple[str, ...] = ()
    variable_price: bool = False
    context_length: int | None = None
    price_prompt: float | None = None
    price_completion: float | None = None
    created: dt.datetime | None = None
    first_seen_at: dt.datetime | None = None
    ai_match: Mapping[str, Any] | None = None
    direct_match: Mapping[str, Any] | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> CatalogEntry:
        """The entry of a stored document; a field of an unexpected type reads as absent."""
        kinds: dict[str, Any] = {
            "name": str,
            "canonical_slug": str,
            "hugging_face_id": str,
            "org": str,
            "context_length": int,
            "price_prompt": (int, float),
            "price_completion": (int, float),
            "created": dt.datetime,
            "first_seen_at": dt.datetime,
            "ai_match": dict,
            "direct_match": dict,
        }
        fields = {
            name: value
            for name, kind in kinds.items()
            if isinstance(value := doc.get(name), kind) and not isinstance(value, bool)
        }
        modalities = doc.get("output_modalities")
        return cls(
            openrouter_id=doc["openrouter_id"],
            variable_price=bool(doc.get("variable_price")),
            output_modalities=tuple(m for m in modalities if isinstance(m, str))
            if isinstance(modalities, list)
            else (),
            **fields,
        )


_ENTRY_FIELDS = {name: 1 for name in CatalogEntry.__dataclass_fields__} | {"_id": 0}


def catalog_models(store: Store) -> list[CatalogEntry]:
    """Catalog models not marked removed."""
    with translate_errors("reading the catalog"):
        cursor = store.coll("catalog").find({"removed_at": None}, _ENTRY_FIELDS, batch_size=ONE_REPLY)
        return [CatalogEntry.from_document(doc) for doc in cursor]


def save_ai_matches(store: Store, answers: Mapping[str, Mapping[str, Any]]) -> None:
    """Cache AI answers (match or no match) on their catalog documents, in one bulk write."""
    if not answers:
        return
    ops = [
        UpdateOne({"openrouter_id": model_id}, {"$set": {"ai_match": dict(answer)}})
        for model_id, answer in answers.items()
    ]
    with translate_errors("caching AI matches"):
        store.coll("catalog").bulk_write(ops, ordered=False)
