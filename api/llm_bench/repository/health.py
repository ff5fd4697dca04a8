"""Health-window queries: a fixed handful of aggregation commands, whatever the number of models.

Each function returns plain rows (dicts of str/int/datetime) that `health.collect` shapes into
facts. Counting, grouping and picking the most recent sample message all happen inside MongoDB;
Python only ever sees one row per (provider, model, error kind).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from . import ONE_REPLY, Store, translate_errors

ERROR_KINDS = (
    "auth",
    "billing",
    "rate_limit",
    "hard_model",
    "hard_capability",
    "transient_provider",
    "network",
    "unknown",
)


def _group_key(row: Mapping[str, Any]) -> dict[str, Any]:
    """period, provider and model of a grouped row (names as strings, whatever was stored)."""
    key = row["_id"]
    return {"period": key["period"], "provider": str(key["provider"]), "model": str(key["model"])}


def _period(field: Any, start: dt.datetime) -> dict[str, Any]:
    return {"$cond": [{"$gte": [field, start]}, "current", "previous"]}


def error_pipeline(start: dt.datetime, end: dt.datetime, *, previous_start: dt.datetime | None = None,
                   sample_chars: int = 500) -> list[dict[str, Any]]:
    """The aggregation `error_groups` runs: a range on the `ts` index, then one `$group`."""
    return [
        {"$match": {"ts": {"$gte": previous_start or start, "$lt": end}}},
        {
            "$group": {
                "_id": {
                    "period": _period("$ts", start),
                    "provider": {"$ifNull": ["$provider", "unknown"]},
                    "model": {"$ifNull": ["$model_name", "unknown"]},
                    "kind": {"$cond": [{"$in": ["$error_kind", list(ERROR_KINDS)]}, "$error_kind", "unknown"]},
                },
                "count": {"$sum": 1},
                "latest": {
                    "$max": {
                        "t": "$ts",
                        "m": {"$substrCP": [{"$toString": {"$ifNull": ["$normalized_message", ""]}}, 0, sample_chars]},
                    }
                },
            }
        },
    ]


def error_groups(
    store: Store, start: dt.datetime, end: dt.datetime, *, previous_start: dt.datetime | None = None,
    sample_chars: int = 500,
) -> list[dict[str, Any]]:
    """One row per (period, provider, model, kind): count, last error time, most recent sample.

    With `previous_start`, the same command also covers [previous_start, start) and tags those
    rows with period "previous" (for day-over-day change); otherwise every row is "current".

    A missing or unrecognised `error_kind` counts as "unknown". The most recent sample is picked
    with `$max` over a {t, m} sub-document (compared field by field: the latest `ts` wins), which
    streams instead of sorting the whole window.
    """
    pipeline = error_pipeline(start, end, previous_start=previous_start, sample_chars=sample_chars)
    with translate_errors("aggregating errors"):
        rows = store.coll("errors").aggregate(pipeline, batchSize=ONE_REPLY, allowDiskUse=True)
        return [
            {
                **_group_key(r),
                "kind": r["_id"]["kind"],
                "count": r["count"],
                "last_error": r["latest"]["t"],
                "sample": r["latest"]["m"],
            }
            for r in rows
        ]


def success_pipeline(collection: str, start: dt.datetime, end: dt.datetime, *,
                     previous_start: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The aggregation `success_groups` runs on `collection`, still one command.

    Runs timed by `gen_ts` and runs with only a `run_ts` are matched by two plain ranges, each on
    its own timestamp index, joined with `$unionWith`: some servers (SecantusDB) plan a `$or`
    over the two fields, or a range combined with `gen_ts: null` in one `$match`, as a collection
    scan, whereas a plain range uses the index everywhere (MongoDB merges the two `$match`
    stages of the branch and still picks an index). The branches are disjoint (`gen_ts` set vs
    absent), so no run is counted twice.
    """
    window = {"$gte": previous_start or start, "$lt": end}
    return [
        {"$match": {"gen_ts": window}},
        {"$unionWith": {"coll": collection, "pipeline": [{"$match": {"run_ts": window}}, {"$match": {"gen_ts": None}}]}},
        {
            "$group": {
                "_id": {
                    "period": _period({"$ifNull": ["$gen_ts", "$run_ts"]}, start),
                    "provider": {"$ifNull": ["$provider", "unknown"]},
                    "model": {"$ifNull": ["$model_name", "unknown"]},
                },
                "count": {"$sum": 1},
                "last": {"$max": {"$ifNull": ["$gen_ts", "$run_ts"]}},
            }
        },
    ]


def success_groups(
    store: Store, start: dt.datetime, end: dt.datetime, *, previous_start: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """One row per (period, provider, model): successful runs and the latest run time.

    A run's time is `gen_ts`, or `run_ts` when `gen_ts` is absent. `previous_start` works as in
    `error_groups`.
    """
    pipeline = success_pipeline(store.names.successes, start, end, previous_start=previous_start)
    with translate_errors("aggregating successes"):
        rows = store.coll("successes").aggregate(pipeline, batchSize=ONE_REPLY, allowDiskUse=True)
        return [
            {
                **_group_key(r),
                "count": r["count"],
                "last_success": r["last"],
            }
            for r in rows
        ]


def new_error_patterns(store: Store, start: dt.datetime, end: dt.datetime, limit: int = 500) -> list[dict[str, Any]]:
    """Error rollups whose fingerprint was first seen inside the window, most frequent first.

    All `limit` rows come back in the first reply, so the command count does not grow with them.
    """
    query = {"first_seen": {"$gte": start, "$lt": end}}
    projection = {
        "_id": 0,
        "fingerprint": 1,
        "provider": 1,
        "model_name": 1,
        "error_kind": 1,
        "count": 1,
        "first_seen": 1,
        "last_seen": 1,
        "sample_messages": {"$slice": 1},
    }
    with translate_errors("reading error rollups"):
        cursor = store.coll("rollups").find(query, projection).sort("count", -1).limit(limit).batch_size(limit)
        return list(cursor)


def insert_documents(store: Store, documents: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """Bulk-insert documents keyed by collection (a `Collections` attribute such as "errors").

    Seeds the demo database and test fixtures; one insert_many per collection.
    """
    with translate_errors("inserting documents"):
        for attr, docs in documents.items():
            if docs:
                store.coll(attr).insert_many([dict(d) for d in docs], ordered=False)
