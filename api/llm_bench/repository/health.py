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
from ..classify.writer import NORMALIZED_MAX_CHARS
from ..message_keys import message_key, shown_key
from . import NO_PROBE, ONE_REPLY, Store, translate_errors

TEXT_CHARS = 1000  # enough of a message for the text rules; shown text is cut shorter later
CODE_CHARS = 100  # a stored provider error code is a short identifier


def _string(field: str, cap: int | None = None, default: Any = None) -> dict[str, Any]:
    """`field` when it is a string (cut to `cap` code points), else `default`."""
    value: Any = {"$substrCP": [field, 0, cap]} if cap else field
    return {"$cond": [{"$eq": [{"$type": field}, "string"]}, value, default]}


def _period(field: Any, start: dt.datetime) -> dict[str, Any]:
    return {"$cond": [{"$gte": [field, start]}, "current", "previous"]}


def _pattern_id(start: dt.datetime) -> dict[str, Any]:
    """The `$group` key of an error pattern, on the raw fields (guards come after the group)."""
    return {
        "period": _period("$ts", start),
        "provider": "$provider",
        "model": "$model_name",
        "fp": {"$ifNull": ["$fingerprint", {"nm": "$normalized_message"}]},
        "kind": "$error_kind",
    }


def _pattern_key_fields() -> dict[str, Any]:
    """The cleaned key of a pattern row (provider, model, fp, stored kind) from its group key."""
    return {
        "provider": _string("$_id.provider", 200, "unknown"),
        "model": _string("$_id.model", 200, "unknown"),
        "keyed": {"$eq": [{"$type": "$_id.fp"}, "string"]},
        "fp": {"$ifNull": [_string("$_id.fp", 200), _string("$_id.fp.nm", NORMALIZED_MAX_CHARS, "")]},
        "kind": {"$cond": [{"$in": ["$_id.kind", list(KINDS)]}, "$_id.kind", "unknown"]},
    }


MAX_STREAK_PROVIDERS = 200  # beyond this many providers with successes, streaks are not counted


def _after_last_success(start: dt.datetime, last_success: Mapping[str, dt.datetime]) -> dict[str, Any]:
    """Whether an error came after its provider's last success in the window (`last_success`: the
    provider as stored -> that moment); for a provider without one, whether it is in the window.
    One array look-up per document, no branch per provider: an unlisted provider's index is -1,
    the last element, the moment just before `start` (dates are stored to the millisecond)."""
    providers = list(last_success)
    moments = [last_success[p] for p in providers] + [start - dt.timedelta(milliseconds=1)]
    moment = {"$arrayElemAt": [{"$literal": moments}, {"$indexOfArray": [{"$literal": providers}, "$provider"]}]}
    return {"$gt": ["$ts", moment]}


def error_pipeline(
    names: Any,
    start: dt.datetime,
    end: dt.datetime,
    *,
    previous_start: dt.datetime | None = None,
    last_success: Mapping[str, dt.datetime] | None = None,
) -> list[dict[str, Any]]:
    """The aggregation `error_patterns` runs: a range on the `ts` index, one `$group` on the raw
    fields (type guards cost per document, so they come after it, once per pattern), then indexed
    `$lookup`s per pattern: the rollup (an LLM classification, and whether the fingerprint was
    seen before the window), the errors' own history only when no rollup already says so, and
    the cached classification. With `last_success` (the provider as stored -> its last success in
    the window, at most MAX_STREAK_PROVIDERS), the same `$group` also counts each pattern's
    errors after its provider's last success (all of its window's errors for a provider without
    one), and the first of them: the provider's streak, in the same pass."""
    streak: dict[str, Any] = {}
    if last_success is not None and len(last_success) <= MAX_STREAK_PROVIDERS:
        after = _after_last_success(start, last_success)
        streak = {
            "streak": {"$sum": {"$cond": [after, 1, 0]}},
            "streak_first": {"$min": {"$cond": [after, "$ts", None]}},
        }
    return [
        {"$match": {"ts": {"$gte": previous_start or start, "$lt": end}}},
        {
            "$group": {
                "_id": _pattern_id(start),
                **streak,
                "count": {"$sum": 1},
                "first": {"$min": "$ts"},
                "latest": {
                    "$max": {
                        "t": "$ts",
                        "m": "$message",
                        "n": "$normalized_message",
                        "s": "$http_status",
                        "c": "$provider_error_code",
                    }
                },
                "llm": {
                    "$max": {
                        "$cond": [
                            {"$eq": ["$reclassified_by", "llm"]},
                            {"c": "$classification_confidence", "k": "$error_kind"},
                            None,
                        ]
                    }
                },
            }
        },
        {
            "$project": {
                "_id": 0,
                "period": "$_id.period",
                "count": 1,
                "first": 1,
                "last": "$latest.t",
                "llm": 1,
                **({"streak": 1, "streak_first": 1} if streak else {}),
                **_pattern_key_fields(),
                "text": {"$ifNull": [_string("$latest.m", TEXT_CHARS), _string("$latest.n", TEXT_CHARS)]},
                "original": {"$eq": [{"$type": "$latest.m"}, "string"]},
                "status": {"$cond": [{"$in": [{"$type": "$latest.s"}, ["int", "long", "double"]]}, "$latest.s", None]},
                "code": _string("$latest.c", CODE_CHARS),
                "written": {
                    "$or": [
                        {"$not": [{"$in": [{"$type": "$latest.m"}, ["missing", "null"]]}]},
                        {"$not": [{"$in": [{"$type": "$latest.n"}, ["missing", "null"]]}]},
                    ]
                },
            }
        },
        {
            "$lookup": {
                "from": names.rollups,
                "localField": "fp",
                "foreignField": "fingerprint",
                "pipeline": [
                    {"$limit": 1},
                    {
                        "$project": {
                            "_id": 0,
                            "first_seen": 1,
                            "by": "$classified_by",
                            "k": "$error_kind",
                            "c": "$classification_confidence",
                        }
                    },
                ],
                "as": "rollup",
            }
        },
        {"$set": {"rollup_first": {"$first": "$rollup.first_seen"}}},
        {
            "$set": {
                "probe": {
                    "$cond": [
                        {
                            "$and": [
                                "$keyed",
                                {
                                    "$not": [
                                        {
                                            "$and": [
                                                {"$eq": [{"$type": "$rollup_first"}, "date"]},
                                                {"$lt": ["$rollup_first", start]},
                                            ]
                                        }
                                    ]
                                },
                            ]
                        },
                        "$fp",
                        NO_PROBE,
                    ]
                }
            }
        },
        {
            "$lookup": {
                "from": names.errors,
                "localField": "probe",
                "foreignField": "fingerprint",
                "pipeline": [{"$match": {"ts": {"$lt": start}}}, {"$limit": 1}, {"$project": {"_id": 0, "ts": 1}}],
                "as": "before",
            }
        },
        {
            "$lookup": {
                "from": names.error_classes,
                "localField": "fp",
                "foreignField": "fingerprint",
                "pipeline": [
                    {"$limit": 1},
                    {"$project": {"_id": 0, "k": "$kind", "r": "$reason", "at": "$classified_at"}},
                ],
                "as": "cached",
            }
        },
    ]


def _confidence(value: Any, default: float = 0.0) -> float:
    try:
        number = float(value) if value is not None else default
    except (TypeError, ValueError):
        return 0.0
    return number if 0.0 <= number <= 1.0 else 0.0


def _llm(r: Mapping[str, Any]) -> dict[str, Any] | None:
    """The writer's copy of an LLM classification on the rows, else the rollup's, else None."""
    copy = r.get("llm")
    if isinstance(copy, Mapping):
        kind = copy.get("k")
        return {
            "kind": kind if isinstance(kind, str) else "",
            "confidence": _confidence(copy.get("c"), 0.8),
            "rollup": False,
        }
    rollup = (r.get("rollup") or [{}])[0]
    if rollup.get("by") == "llm":
        return {"kind": rollup.get("k"), "confidence": _confidence(rollup.get("c")), "rollup": True}
    return None


def _key(r: Mapping[str, Any]) -> str:
    """A pattern row's key: the writer's fingerprint, or (the group's key being the normalized
    message when there is none) a hash of the message's template, never the text itself."""
    provider, model = str(r["provider"]), str(r["model"])
    return shown_key(r["fp"], provider, model) if r.get("keyed") else message_key(provider, model, str(r["fp"]))


def _pattern_row(r: Mapping[str, Any], start: dt.datetime) -> dict[str, Any]:
    cached = (r.get("cached") or [None])[0]
    rollup_first = (r.get("rollup") or [{}])[0].get("first_seen")
    seen_before = bool(r.get("before")) or (isinstance(rollup_first, dt.datetime) and rollup_first < start)
    text = r.get("text")
    return {
        "period": r["period"],
        "provider": str(r["provider"]),
        "model": str(r["model"]),
        "fingerprint": _key(r),
        "keyed": bool(r.get("keyed")),
        "stored_kind": r["kind"],
        "count": int(r["count"]),
        "first_error": r.get("first"),
        "last_error": r.get("last"),
        "text": text if isinstance(text, str) else "",
        "original": bool(r.get("original")),
        "http_status": r.get("status"),
        "provider_error_code": r.get("code"),
        "seen_before": seen_before,
        "unreadable": int(r["count"]) if text is None and r.get("written") else 0,
        "llm": _llm(r),
        "cached": {"kind": cached.get("k"), "reason": cached.get("r"), "at": cached.get("at")} if cached else None,
        "streak": int(r.get("streak") or 0),
        "streak_first": r.get("streak_first") if isinstance(r.get("streak_first"), dt.datetime) else None,
    }


def _merged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose keys became equal once cleaned (a provider stored as an object and one missing
    are both "unknown") merged into one."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row["period"], row["provider"], row["model"], row["fingerprint"], row["stored_kind"])
        if key not in merged:
            merged[key] = row
            continue
        into = merged[key]
        latest = row if (row["last_error"] or _EPOCH) > (into["last_error"] or _EPOCH) else into
        merged[key] = {
            **into,
            "count": into["count"] + row["count"],
            "unreadable": into["unreadable"] + row["unreadable"],
            "first_error": min(filter(None, (into["first_error"], row["first_error"])), default=None),
            "last_error": latest["last_error"],
            "text": latest["text"],
            "original": latest["original"],
            "http_status": latest["http_status"],
            "provider_error_code": latest["provider_error_code"],
            "seen_before": into["seen_before"] or row["seen_before"],
            "llm": into["llm"] or row["llm"],
            "cached": into["cached"] or row["cached"],
            "streak": into["streak"] + row["streak"],
            "streak_first": min(filter(None, (into["streak_first"], row["streak_first"])), default=None),
        }
    return list(merged.values())


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def error_patterns(
    store: Store,
    start: dt.datetime,
    end: dt.datetime,
    *,
    previous_start: dt.datetime | None = None,
    last_success: Mapping[str, dt.datetime] | None = None,
) -> list[dict[str, Any]]:
    """One row per (period, provider, model, pattern, stored kind), all in the first reply.

    A pattern is the writer's `fingerprint` (or, without one, its normalized message). Each row
    carries its count, first and last error time, the most recent text (the original `message`
    when stored, else the lower-cased `normalized_message`) with that document's `http_status` (a
    number, else None) and `provider_error_code` (capped text), whether the fingerprint occurred
    before `start`, an LLM classification (the writer's copy on the rows or a rollup's), and the
    cached classification from `error_classes`. With `previous_start`, rows of
    [previous_start, start) come back too, tagged period "previous". With `last_success` (see
    `error_pipeline`), each row also carries `streak` (its errors after its provider's last
    success in the window) and `streak_first` (the first of them); otherwise `streak` is 0.
    """
    pipeline = error_pipeline(store.names, start, end, previous_start=previous_start, last_success=last_success)
    with translate_errors("aggregating errors"):
        rows = store.coll("errors").aggregate(pipeline, batchSize=ONE_REPLY, allowDiskUse=True)
        return _merged([_pattern_row(r, start) for r in rows])


def error_streaks(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The window's errors that came after their provider's last success, from the pattern rows
    `error_patterns` returned with `last_success`: one row per pattern key, {provider, model,
    fingerprint, stored_kind, count, first}."""
    return [
        {
            "provider": r["provider"],
            "model": r["model"],
            "fingerprint": r["fingerprint"],
            "stored_kind": r["stored_kind"],
            "count": r["streak"],
            "first": r["streak_first"],
        }
        for r in rows
        if r["period"] == "current" and r.get("streak")
    ]


def success_pipeline(
    names: Any, start: dt.datetime, end: dt.datetime, *, previous_start: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """The aggregation `success_groups` runs: two indexed ranges in one command, one `$group`.

    The writer stamps a success with `run_ts` (before the call) and `gen_ts` (after); some
    writers stamp `run_ts` only. Each success counts once, at its `gen_ts`, else at its
    `run_ts`: a range on the `gen_ts` index, joined (`$unionWith`, the same command) by the
    documents without a `gen_ts` in the window by `run_ts`. MongoDB merges that branch's two
    `$match` stages and picks either index (the `gen_ts` null point or the `run_ts` range);
    SecantusDB uses the first stage's: the null point, so that it does not read every success of
    the window a second time when all carry a `gen_ts` (it reads every success ever stamped
    `run_ts` only instead, which a writer of both stamps never leaves).
    """
    window = {"$gte": previous_start or start, "$lt": end}
    at = {"$ifNull": ["$gen_ts", "$run_ts"]}
    return [
        {"$match": {"gen_ts": window}},
        {
            "$unionWith": {
                "coll": names.successes,
                "pipeline": [{"$match": {"gen_ts": None}}, {"$match": {"run_ts": window}}],
            }
        },
        {
            "$group": {
                "_id": {"period": _period(at, start), "provider": "$provider", "model": "$model_name"},
                "count": {"$sum": 1},
                "first": {"$min": at},
                "last": {"$max": at},
                "raw_provider": {"$first": "$provider"},
            }
        },
        {
            "$project": {
                "_id": 0,
                "period": "$_id.period",
                "count": 1,
                "first": 1,
                "last": 1,
                "raw_provider": 1,
                "raw_model": "$_id.model",
                "provider": _string("$_id.provider", 200, "unknown"),
                "model": _string("$_id.model", 200, "unknown"),
            }
        },
    ]


def success_groups(
    store: Store, start: dt.datetime, end: dt.datetime, *, previous_start: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """One row per (period, provider, model): successful runs and the latest run time."""
    pipeline = success_pipeline(store.names, start, end, previous_start=previous_start)
    with translate_errors("aggregating successes"):
        rows = store.coll("successes").aggregate(pipeline, batchSize=ONE_REPLY, allowDiskUse=True)
        return [
            {
                "period": r["period"],
                "provider": str(r["provider"]),
                "model": str(r["model"]),
                "count": int(r["count"]),
                "first_success": r.get("first"),
                "last_success": r["last"],
                "raw_provider": r.get("raw_provider"),
                "raw_model": r.get("raw_model"),
            }
            for r in rows
        ]


def new_rollup_patterns(store: Store, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Error rollups whose fingerprint was first seen inside the window, all in the first reply.

    Rollups were not always written, so these only add to the new patterns found in the errors
    themselves. Fields are read as stored; the caller reads them defensively.
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
        "sample_messages": 1,
    }
    with translate_errors("reading error rollups"):
        return list(store.coll("rollups").find(query, projection).batch_size(ONE_REPLY))


def save_error_classes(store: Store, classes: Sequence[Mapping[str, Any]]) -> None:
    """Cache AI classifications by fingerprint in `error_classes` (one bulk write; a re-asked
    pattern's new answer replaces its expired one); never writes into the benchmark's own
    collections."""
    if not classes:
        return
    from pymongo import UpdateOne

    ops = [UpdateOne({"fingerprint": c["fingerprint"]}, {"$set": dict(c)}, upsert=True) for c in classes]
    with translate_errors("caching error classifications"):
        store.coll("error_classes").bulk_write(ops, ordered=False)


def cached_classes(store: Store, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Cached AI classifications of patterns keyed by `message_key` (whose key the pattern query
    cannot compute), by key: one indexed `find`, made only when such patterns remain unknown."""
    if not keys:
        return {}
    projection = {"_id": 0, "fingerprint": 1, "kind": 1, "reason": 1, "classified_at": 1}
    with translate_errors("reading cached error classifications"):
        found = store.coll("error_classes").find({"fingerprint": {"$in": list(keys)}}, projection)
        return {
            d["fingerprint"]: {"kind": d.get("kind"), "reason": d.get("reason"), "at": d.get("classified_at")}
            for d in found
        }


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
