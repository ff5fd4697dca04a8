"""Health-window queries: a fixed handful of aggregation commands, whatever the number of models.

Each function returns plain rows (dicts of str/int/datetime) that `health.collect` shapes into
facts. Counting, grouping and picking the most recent sample message all happen inside MongoDB;
Python only ever sees one row per (provider, model, error kind).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from . import Store, translate_errors

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

# Large enough that the rows of a window come back in the first reply (no getMore round trips).
_BATCH = 100_000


def error_groups(store: Store, start: dt.datetime, end: dt.datetime, sample_chars: int = 500) -> list[dict[str, Any]]:
    """One row per (provider, model, kind): count, last error time, most recent sample message.

    A missing or unrecognised `error_kind` counts as "unknown". The most recent sample is picked
    with `$max` over a {t, m} sub-document (compared field by field: the latest `ts` wins), which
    streams instead of sorting the whole window.
    """
    pipeline = [
        {"$match": {"ts": {"$gte": start, "$lt": end}}},
        {
            "$group": {
                "_id": {
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
    with translate_errors("aggregating errors"):
        rows = store.coll("errors").aggregate(pipeline, batchSize=_BATCH, allowDiskUse=True)
        return [
            {
                "provider": str(r["_id"]["provider"]),
                "model": str(r["_id"]["model"]),
                "kind": r["_id"]["kind"],
                "count": r["count"],
                "last_error": r["latest"]["t"],
                "sample": r["latest"]["m"],
            }
            for r in rows
        ]


def success_groups(store: Store, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """One row per (provider, model): successful runs in the window and the latest run time.

    A run's time is `gen_ts`, or `run_ts` when `gen_ts` is absent. The `$or` keeps each branch
    on its own timestamp index.
    """
    window = {"$gte": start, "$lt": end}
    pipeline = [
        {"$match": {"$or": [{"gen_ts": window}, {"gen_ts": None, "run_ts": window}]}},
        {
            "$group": {
                "_id": {
                    "provider": {"$ifNull": ["$provider", "unknown"]},
                    "model": {"$ifNull": ["$model_name", "unknown"]},
                },
                "count": {"$sum": 1},
                "last": {"$max": {"$ifNull": ["$gen_ts", "$run_ts"]}},
            }
        },
    ]
    with translate_errors("aggregating successes"):
        rows = store.coll("successes").aggregate(pipeline, batchSize=_BATCH, allowDiskUse=True)
        return [
            {
                "provider": str(r["_id"]["provider"]),
                "model": str(r["_id"]["model"]),
                "count": r["count"],
                "last_success": r["last"],
            }
            for r in rows
        ]


def new_error_patterns(store: Store, start: dt.datetime, end: dt.datetime, limit: int = 50) -> list[dict[str, Any]]:
    """Error rollups whose fingerprint was first seen inside the window, most frequent first."""
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
        cursor = store.coll("rollups").find(query, projection).sort("count", -1).limit(limit)
        return list(cursor)


def benchmark_models(store: Store) -> list[dict[str, Any]]:
    """The benchmark's model list: provider, model_id, enabled, deprecated (and other fields)."""
    with translate_errors("reading models"):
        cursor = store.coll("models").find({}, {"_id": 0}, batch_size=_BATCH)
        return list(cursor)


def insert_events(
    store: Store,
    *,
    errors: Sequence[dict[str, Any]] = (),
    successes: Sequence[dict[str, Any]] = (),
    rollups: Sequence[dict[str, Any]] = (),
    models: Sequence[dict[str, Any]] = (),
) -> None:
    """Bulk-insert benchmark events (used to seed the demo database and test fixtures)."""
    with translate_errors("inserting events"):
        for attr, docs in (("errors", errors), ("successes", successes), ("rollups", rollups), ("models", models)):
            if docs:
                store.coll(attr).insert_many([dict(d) for d in docs], ordered=False)
