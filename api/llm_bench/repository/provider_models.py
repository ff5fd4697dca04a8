"""Discovery's model sources in MongoDB: `provider_models`, their `source_runs`, `direct_match`.

`provider_models` holds one document per (provider, model_id) that the model registry or a
provider's own list shows: `{provider, model_id, sources: ["provider", "registry"],
first_seen_at, last_seen_at, missing_since, missing_count, missing_by, removed_at,
deprecation_date, deprecation_source, successor, context_length, input_price, output_price}`
(prices USD per million tokens; `deprecation_date` a "YYYY-MM-DD" string as the registry gives
it; `missing_by` the kind of source whose absence is counted; the other times datetimes). Each
source run is one `bulk_write`, and its record one document in `source_runs` (`{fetched_at,
source, status, listed, listed_by_provider, ...}`), all of a fetch in one insert.
A source run to write comes as a `SourceWrite` of plain fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import UpdateOne

from . import ONE_REPLY, Store, not_after, translate_errors

#: The facts a registry run sets on what it lists; a provider's own list only proves the id exists.
REGISTRY_FIELDS = (
    "deprecation_date",
    "deprecation_source",
    "successor",
    "context_length",
    "input_price",
    "output_price",
)


@dataclass(frozen=True)
class Unlisted:
    """A stored model the source did not list: whether to drop the source from it, and its
    absence count when the source has authority over it (None: no count changes)."""

    provider: str
    model_id: str
    drop_source: bool
    missing_count: int | None
    first_absence: bool = False
    removed: bool = False


@dataclass(frozen=True)
class SourceWrite:
    """One complete source run: `kind` "registry" or "provider", `name` for messages, `listed`
    documents ({provider, model_id} and, from the registry, REGISTRY_FIELDS), the (provider,
    model_id) pairs back after an absence, and the absences."""

    name: str
    kind: str
    listed: Sequence[Mapping[str, Any]]
    returned: frozenset[tuple[str, str]] = frozenset()
    absent: Sequence[Unlisted] = ()


def stored_state(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    """Every document's sources and absence counters, by (provider, model_id)."""
    fields = {"_id": 0, "provider": 1, "model_id": 1, "sources": 1, "missing_count": 1, "removed_at": 1}
    with translate_errors("reading provider models"):
        rows = store.coll("provider_models").find({}, fields, batch_size=ONE_REPLY)
        return {(row["provider"], row["model_id"]): row for row in rows}


@dataclass(frozen=True)
class LastComplete:
    """A source's last complete run: models listed, and per provider when it recorded that."""

    listed: int
    by_provider: Mapping[str, int]


def last_complete_runs(store: Store, now: dt.datetime | None = None) -> dict[str, LastComplete]:
    """Each source's last complete run not dated beyond `now` plus CLOCK_SKEW, by source name."""
    pipeline = [
        {"$match": {"status": "complete", "fetched_at": {"$lte": not_after(now)}}},
        {"$sort": {"fetched_at": -1}},
        {
            "$group": {
                "_id": "$source",
                "listed": {"$first": "$listed"},
                "by_provider": {"$first": "$listed_by_provider"},
            }
        },
    ]
    with translate_errors("reading source runs"):
        rows = list(store.coll("source_runs").aggregate(pipeline))
    return {
        row["_id"]: LastComplete(
            _count(row.get("listed")),
            {str(k): _count(v) for k, v in row["by_provider"].items()}
            if isinstance(row.get("by_provider"), dict)
            else {},
        )
        for row in rows
    }


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def latest_runs(store: Store) -> list[dict[str, Any]]:
    """The last run record of each source (complete or not), by source name."""
    pipeline = [
        {"$sort": {"fetched_at": -1}},
        {"$group": {"_id": "$source", "run": {"$first": "$$ROOT"}}},
        {"$replaceRoot": {"newRoot": "$run"}},
        {"$project": {"_id": 0, "source": 1, "status": 1, "fetched_at": 1, "message": 1}},
        {"$sort": {"source": 1}},
    ]
    with translate_errors("reading source runs"):
        return list(store.coll("source_runs").aggregate(pipeline))


def apply_source(store: Store, source: SourceWrite, now: dt.datetime) -> None:
    """Write one complete source run in one bulk write: upsert what it lists, mark absences."""
    ops: list[UpdateOne] = []
    for seen in source.listed:
        key = (seen["provider"], seen["model_id"])
        fields: dict[str, Any] = {"last_seen_at": now}
        if source.kind == "registry":
            fields.update({name: seen.get(name) for name in REGISTRY_FIELDS})
        update: dict[str, Any] = {
            "$set": fields,
            "$addToSet": {"sources": source.kind},
            "$setOnInsert": {"first_seen_at": now},
        }
        if key in source.returned:
            update["$unset"] = {"missing_since": "", "missing_count": "", "removed_at": "", "missing_by": ""}
        ops.append(UpdateOne({"provider": key[0], "model_id": key[1]}, update, upsert=True))
    for absence in source.absent:
        update = {"$pull": {"sources": source.kind}} if absence.drop_source else {}
        if absence.missing_count is not None:
            marks: dict[str, Any] = {"missing_count": absence.missing_count, "missing_by": source.kind}
            marks.update({"missing_since": now} if absence.first_absence else {})
            marks.update({"removed_at": now} if absence.removed else {})
            update["$set"] = marks
        ops.append(UpdateOne({"provider": absence.provider, "model_id": absence.model_id}, update))
    if ops:
        with translate_errors(f"writing {source.name}"):
            store.coll("provider_models").bulk_write(ops, ordered=False)


def record_source_runs(store: Store, runs: Sequence[Mapping[str, Any]]) -> None:
    """Append the run records of one fetch (complete, refused or unavailable), in one insert."""
    if runs:
        with translate_errors("recording source runs"):
            store.coll("source_runs").insert_many([dict(run) for run in runs])


def listed_models(store: Store) -> list[dict[str, Any]]:
    """Documents some source lists now: not missing, not removed."""
    query = {"removed_at": None, "missing_since": None, "sources.0": {"$exists": True}}
    with translate_errors("reading provider models"):
        return list(store.coll("provider_models").find(query, {"_id": 0}, batch_size=ONE_REPLY))


def save_direct_matches(store: Store, matches: Mapping[str, Mapping[str, Any] | None]) -> None:
    """Set `direct_match` on catalog documents (only those whose value changed), in one bulk write."""
    ops = [
        UpdateOne({"openrouter_id": openrouter_id}, {"$set": {"direct_match": dict(match) if match else None}})
        for openrouter_id, match in matches.items()
    ]
    if ops:
        with translate_errors("saving direct matches"):
            store.coll("catalog").bulk_write(ops, ordered=False)
