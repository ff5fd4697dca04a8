"""Health-window queries: a fixed handful of aggregation commands, whatever the number of models.

Errors are grouped into *patterns* inside MongoDB, one row per (period, provider, model,
fingerprint, stored kind), so the rows that reach Python grow with the number of distinct
messages, never with the number of errors. The same command looks up, per pattern, whether its
fingerprint occurred before the window (a new pattern otherwise), a rollup's LLM classification
and this toolkit's own cached classification. No field's type can fail a pipeline: every field
read from the benchmark's documents goes through a `$type` guard, and a document whose message
is neither text nor missing is counted as unreadable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ..classify import KINDS
from . import ONE_REPLY, Store, translate_errors

TEXT_CHARS = 1000  # enough of a message for the text rules; shown text is cut shorter later


def _string(field: str, cap: int | None = None, default: Any = None) -> dict[str, Any]:
    """`field` when it is a string (cut to `cap` code points), else `default`."""
    value: Any = {"$substrCP": [field, 0, cap]} if cap else field
    return {"$cond": [{"$eq": [{"$type": field}, "string"]}, value, default]}


def _period(field: Any, start: dt.datetime) -> dict[str, Any]:
    return {"$cond": [{"$gte": [field, start]}, "current", "previous"]}


def error_pipeline(names: Any, start: dt.datetime, end: dt.datetime, *,
                   previous_start: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The aggregation `error_patterns` runs: a range on the `ts` index, one `$group`, three
    indexed `$lookup`s per pattern (earlier occurrence, rollup classification, cached class)."""
    text = {"$ifNull": [_string("$message", TEXT_CHARS), _string("$normalized_message", TEXT_CHARS)]}
    absent = ["missing", "null"]
    unreadable = {"$and": [{"$eq": [text, None]},
                           {"$or": [{"$not": [{"$in": [{"$type": "$message"}, absent]}]},
                                    {"$not": [{"$in": [{"$type": "$normalized_message"}, absent]}]}]}]}
    llm_copy = {"$cond": [{"$eq": ["$reclassified_by", "llm"]},
                          {"c": {"$convert": {"input": "$classification_confidence", "to": "double",
                                              "onError": 0.0, "onNull": 0.8}},
                           "k": _string("$error_kind", 40, "")}, None]}
    return [
        {"$match": {"ts": {"$gte": previous_start or start, "$lt": end}}},
        {"$group": {
            "_id": {
                "period": _period("$ts", start),
                "provider": _string("$provider", 200, "unknown"),
                "model": _string("$model_name", 200, "unknown"),
                "fp": {"$ifNull": [_string("$fingerprint", 200), _string("$normalized_message", 300, "")]},
                "keyed": {"$eq": [{"$type": "$fingerprint"}, "string"]},
                "kind": {"$cond": [{"$in": ["$error_kind", list(KINDS)]}, "$error_kind", "unknown"]},
            },
            "count": {"$sum": 1},
            "first": {"$min": "$ts"},
            "latest": {"$max": {"t": "$ts", "m": {"$ifNull": [text, ""]},
                                "o": {"$eq": [{"$type": "$message"}, "string"]}}},
            "llm": {"$max": llm_copy},
            "unreadable": {"$sum": {"$cond": [unreadable, 1, 0]}},
        }},
        {"$lookup": {"from": names.errors, "localField": "_id.fp", "foreignField": "fingerprint",
                     "pipeline": [{"$match": {"ts": {"$lt": start}}}, {"$limit": 1}, {"$project": {"_id": 0, "ts": 1}}],
                     "as": "before"}},
        {"$lookup": {"from": names.rollups, "localField": "_id.fp", "foreignField": "fingerprint",
                     "pipeline": [{"$match": {"classified_by": "llm"}}, {"$limit": 1},
                                  {"$project": {"_id": 0, "k": "$error_kind", "c": "$classification_confidence"}}],
                     "as": "rollup"}},
        {"$lookup": {"from": names.error_classes, "localField": "_id.fp", "foreignField": "fingerprint",
                     "pipeline": [{"$limit": 1}, {"$project": {"_id": 0, "k": "$kind", "r": "$reason"}}],
                     "as": "cached"}},
    ]


def _confidence(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if 0.0 <= number <= 1.0 else 0.0


def _pattern_row(r: Mapping[str, Any]) -> dict[str, Any]:
    key, latest = r["_id"], r.get("latest") or {}
    llm = r.get("llm") or None
    if llm is None and r.get("rollup"):
        roll = r["rollup"][0]
        llm = {"k": roll.get("k"), "c": _confidence(roll.get("c")), "rollup": True}
    cached = (r.get("cached") or [None])[0]
    return {
        "period": key["period"], "provider": str(key["provider"]), "model": str(key["model"]),
        "fingerprint": str(key["fp"]), "keyed": bool(key.get("keyed")), "stored_kind": key["kind"],
        "count": int(r["count"]), "first_error": r.get("first"), "last_error": latest.get("t"),
        "text": str(latest.get("m") or ""), "original": bool(latest.get("o")),
        "seen_before": bool(r.get("before")), "unreadable": int(r.get("unreadable") or 0),
        "llm": {"kind": llm.get("k"), "confidence": _confidence(llm.get("c")), "rollup": bool(llm.get("rollup"))}
        if llm else None,
        "cached": {"kind": cached.get("k"), "reason": cached.get("r")} if cached else None,
    }


def error_patterns(store: Store, start: dt.datetime, end: dt.datetime, *,
                   previous_start: dt.datetime | None = None) -> list[dict[str, Any]]:
    """One row per (period, provider, model, pattern, stored kind), all in the first reply.

    A pattern is the writer's `fingerprint` (or, without one, its normalized message). Each row
    carries its count, first and last error time, the most recent text (the original `message`
    when stored, else the lower-cased `normalized_message`), whether the fingerprint occurred
    before `start`, an LLM classification (the writer's copy on the rows or a rollup's), and the
    cached classification from `error_classes`. With `previous_start`, rows of
    [previous_start, start) come back too, tagged period "previous".
    """
    pipeline = error_pipeline(store.names, start, end, previous_start=previous_start)
    with translate_errors("aggregating errors"):
        rows = store.coll("errors").aggregate(pipeline, batchSize=ONE_REPLY, allowDiskUse=True)
        return [_pattern_row(r) for r in rows]


def success_pipeline(start: dt.datetime, end: dt.datetime, *,
                     previous_start: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The aggregation `success_groups` runs: one range on the `gen_ts` index, one `$group`.

    The writer stamps every success with both `run_ts` (before the call) and `gen_ts` (after),
    so one range on `gen_ts` counts each success exactly once.
    """
    return [
        {"$match": {"gen_ts": {"$gte": previous_start or start, "$lt": end}}},
        {"$group": {
            "_id": {"period": _period("$gen_ts", start), "provider": _string("$provider", 200, "unknown"),
                    "model": _string("$model_name", 200, "unknown")},
            "count": {"$sum": 1},
            "last": {"$max": "$gen_ts"},
        }},
    ]


def success_groups(store: Store, start: dt.datetime, end: dt.datetime, *,
                   previous_start: dt.datetime | None = None) -> list[dict[str, Any]]:
    """One row per (period, provider, model): successful runs and the latest run time."""
    pipeline = success_pipeline(start, end, previous_start=previous_start)
    with translate_errors("aggregating successes"):
        rows = store.coll("successes").aggregate(pipeline, batchSize=ONE_REPLY, allowDiskUse=True)
        return [{"period": r["_id"]["period"], "provider": str(r["_id"]["provider"]),
                 "model": str(r["_id"]["model"]), "count": int(r["count"]), "last_success": r["last"]} for r in rows]


def new_rollup_patterns(store: Store, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Error rollups whose fingerprint was first seen inside the window, all in the first reply.

    Rollups were not always written, so these only add to the new patterns found in the errors
    themselves. Fields are read as stored; the caller reads them defensively.
    """
    query = {"first_seen": {"$gte": start, "$lt": end}}
    projection = {"_id": 0, "fingerprint": 1, "provider": 1, "model_name": 1, "error_kind": 1, "count": 1,
                  "first_seen": 1, "sample_messages": 1}
    with translate_errors("reading error rollups"):
        return list(store.coll("rollups").find(query, projection).batch_size(ONE_REPLY))


def save_error_classes(store: Store, classes: Sequence[Mapping[str, Any]]) -> None:
    """Cache AI classifications by fingerprint in `error_classes` (one bulk write); never
    writes into the benchmark's own collections."""
    if not classes:
        return
    from pymongo import UpdateOne

    ops = [UpdateOne({"fingerprint": c["fingerprint"]}, {"$setOnInsert": dict(c)}, upsert=True) for c in classes]
    with translate_errors("caching error classifications"):
        store.coll("error_classes").bulk_write(ops, ordered=False)


def insert_documents(store: Store, documents: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """Bulk-insert documents keyed by collection (a `Collections` attribute such as "errors").

    Seeds the demo database and test fixtures; one insert_many per collection.
    """
    with translate_errors("inserting documents"):
        for attr, docs in documents.items():
            if docs:
                store.coll(attr).insert_many([dict(d) for d in docs], ordered=False)


def missing_collections(store: Store, attrs: Sequence[str]) -> list[str]:
    """The names of the given collections (by `Collections` attribute) that do not exist."""
    wanted = [getattr(store.names, attr) for attr in attrs]
    with translate_errors("listing collections"):
        present = set(store.db.list_collection_names(filter={"name": {"$in": wanted}}))
    return [name for name in wanted if name not in present]
