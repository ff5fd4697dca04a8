"""The health job's memory: its run ledger, and the context a run reads in one command.

`run_context` fetches, in a single aggregate, the previous recorded health run, the last
complete discovery fetch, the catalog entries that carry a warning sign (missing, removed or
with an expiration date) and the benchmark's model list — so the command count of a health
run stays constant however many models there are. A lock document with an expiry keeps two
real runs (a manual one during the timer's) from both mailing and recording; it is bounded by
its start time and the TTL whatever its stored fields say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pymongo import DESCENDING

from . import NO_PROBE, ONE_REPLY, Store, not_after, translate_errors
from .silences import MAX_SILENCES

MAX_NEW_MODELS = 50  # catalog entries read for "new models worth adding" (the email shows 10)
SOURCE_HISTORY = dt.timedelta(days=30)  # model-source fetches read for their freshness
DAILY_HOURS = (23.75, 24.25)  # a recorded window of this length is a daily run (the baseline)
TREND_RUNS = 13  # daily runs read for the trend (the run being judged makes the 14th point)
#: What the trend reads of a ledger entry: small, whatever the number of models.
TREND_FIELDS = {
    "finished_at": "$finished_at",
    "window": "$window",
    "status": "$status",
    "totals": "$totals",
    "coverage": "$coverage",
    "providers": "$providers",
}

#: The ledger field holding each enabled model's last success ever before the run's window end:
#: [{provider, model, at}], `at` None when the model never succeeded.
LAST_SUCCESS_FIELD = "last_success_ever"
CARRIED_ROW = "_carried_row"  # marks the ledger's rows among the models documents while they are joined

#: A ledger entry that is a daily run: recorded as such, or (older entries) a window of about 24 h.
DAILY_RUN = {
    "$or": [
        {"daily": True},
        {"daily": {"$exists": False}, "window.hours": {"$gte": DAILY_HOURS[0], "$lte": DAILY_HOURS[1]}},
    ]
}


def _tagged(source: str, fields: dict[str, Any] | str) -> dict[str, Any]:
    return {"$project": {"_id": 0, "source": {"$literal": source}, "doc": fields}}


def run_context(
    store: Store,
    *,
    new_since: dt.datetime | None = None,
    ai_model: str | None = None,
    now: dt.datetime | None = None,
    probes_since: dt.datetime | None = None,
    carry_since: dt.datetime | None = None,
) -> dict[str, Any]:
    """{previous_run, last_complete_fetch, catalog_flags, models, new_models, ai_price, sources,
    trend, probes, misdated_errors} read in one aggregate command.

    `previous_run` is the latest *daily* run (a manual run over another window never becomes the
    baseline). Each of the benchmark's `models` carries `listed`: the `provider_models` documents
    with its id (deprecation date, successor and whether a source still lists that successor,
    missing or removed), found through the `model_id` index, and its latest success ever before
    `now`: `last_success` by `gen_ts`, `last_run` by `run_ts` among successes stamped `run_ts`
    only (an indexed look-up each per enabled model). With `carry_since` (the start of the
    window whose successes the caller merges in) and `now`, an enabled model the previous daily
    run recorded (`LAST_SUCCESS_FIELD`: its last success ever before that run's window end, or
    None for none) is not looked up when that record can stand in: the recorded window ended at
    or after `carry_since` (no success can fall between it and the caller's window) and the
    recorded moment is before `now` (a replay never uses a later one). Such a model carries
    `carried` ({at, until}: the recorded moment and that run's window end) and empty look-ups;
    every other model carries `carried` None. `new_models` are the catalog entries first seen
    since `new_since` that discovery placed on a listed direct id; `ai_price` the
    `provider_models` document of the OpenAI model in use; `sources` one row per model source
    fetched in the last 30 days (its last attempt and its last complete fetch); `trend` the small
    projection (`TREND_FIELDS`) of the last TREND_RUNS daily runs that finished before `now`,
    newest first; `probes` the `probe_results` attempts made since `probes_since` (what
    discovery's probe said about proposed ids).

    A ledger entry or fetch record dated beyond `now` (the wall clock when None) plus
    CLOCK_SKEW is never the previous run or the last fetch: one wrong date would otherwise stay
    "the latest" for years. `misdated_errors` counts the error documents no window holds:
    {"future": dated beyond that bound, "text": `ts` stored as a string} (absent when none).
    """
    names = store.names
    latest = not_after(now)
    flagged = {
        "$or": [{"missing_since": {"$ne": None}}, {"removed_at": {"$ne": None}}, {"expiration_date": {"$ne": None}}]
    }
    success_before = {"gen_ts": {"$lt": now}} if now is not None else {}
    carry = now is not None and carry_since is not None
    usable = (
        {
            "$and": [
                {"$eq": [{"$type": "$carried.until"}, "date"]},
                {"$gte": ["$carried.until", carry_since]},
                {
                    "$or": [
                        {"$eq": [{"$type": "$carried.at"}, "null"]},
                        {"$and": [{"$eq": [{"$type": "$carried.at"}, "date"]}, {"$lt": ["$carried.at", now]}]},
                    ]
                },
            ]
        }
        if carry
        else False
    )
    enabled = {"$and": [{"$eq": ["$enabled", True]}, {"$ne": ["$deprecated", True]}]}
    carried_rows = [  # the previous daily run's record of each enabled model's last success ever
        {
            "$unionWith": {
                "coll": names.health_runs,
                "pipeline": [
                    {"$match": {**DAILY_RUN, "finished_at": {"$lte": latest}}},
                    {"$sort": {"finished_at": -1}},
                    {"$limit": 1},
                    {"$project": {"_id": 0, "row": f"${LAST_SUCCESS_FIELD}", "until": "$window.end"}},
                    {"$unwind": "$row"},
                    {
                        "$project": {
                            "provider": "$row.provider",
                            "model_id": "$row.model",
                            "carried": {"at": "$row.at", "until": "$until"},
                            CARRIED_ROW: {"$literal": True},
                        }
                    },
                ],
            }
        },
        {
            "$group": {
                "_id": {"provider": "$provider", "model_id": "$model_id"},
                "docs": {"$push": "$$ROOT"},
                "carried": {"$max": "$carried"},
            }
        },
        {"$unwind": "$docs"},
        {"$match": {f"docs.{CARRIED_ROW}": {"$ne": True}}},
        {"$replaceRoot": {"newRoot": {"$mergeObjects": ["$docs", {"carried": "$carried"}]}}},
    ]
    run_before = {"gen_ts": None, **({"run_ts": {"$lt": now}} if now is not None else {"run_ts": {"$ne": None}})}
    pipeline = [
        {"$match": {**DAILY_RUN, "finished_at": {"$lte": latest}}},
        {"$sort": {"finished_at": -1}},
        {"$limit": 1},
        {"$project": {"_id": 0, LAST_SUCCESS_FIELD: 0}},
        _tagged("health_run", "$$ROOT"),
        {
            "$unionWith": {
                "coll": names.health_runs,
                "pipeline": [
                    {"$match": {**DAILY_RUN, **({"finished_at": {"$lte": now}} if now is not None else {})}},
                    {"$sort": {"finished_at": -1}},
                    {"$limit": TREND_RUNS},
                    _tagged("trend", TREND_FIELDS),
                ],
            }
        },
        {
            "$unionWith": {
                "coll": names.catalog_runs,
                "pipeline": [
                    {"$match": {"status": "complete", "fetched_at": {"$lte": latest}}},
                    {"$sort": {"fetched_at": -1}},
                    {"$limit": 1},
                    _tagged("fetch", {"fetched_at": "$fetched_at"}),
                ],
            }
        },
        {
            "$unionWith": {
                "coll": names.catalog,
                "pipeline": [
                    {"$match": flagged},
                    _tagged(
                        "catalog",
                        {
                            "openrouter_id": "$openrouter_id",
                            "missing_since": "$missing_since",
                            "removed_at": "$removed_at",
                            "expiration_date": "$expiration_date",
                        },
                    ),
                ],
            }
        },
        {
            "$unionWith": {
                "coll": names.models,
                "pipeline": [
                    *(carried_rows if carry else []),
                    {
                        "$set": {
                            "carried": {"$cond": [usable, "$carried", None]},
                            "probe": {"$cond": [{"$and": [enabled, {"$not": [usable]}]}, "$model_id", NO_PROBE]},
                        }
                    },
                    {
                        "$lookup": {
                            "from": names.provider_models,
                            "localField": "model_id",
                            "foreignField": "model_id",
                            "pipeline": [
                                {
                                    "$lookup": {
                                        "from": names.provider_models,
                                        "localField": "successor",
                                        "foreignField": "model_id",
                                        "as": "successor_listed",
                                        "pipeline": [
                                            {"$project": {"_id": 0, "provider": 1, "model_id": 1, "removed_at": 1}}
                                        ],
                                    }
                                },
                                {"$project": {"_id": 0, "first_seen_at": 0, "last_seen_at": 0}},
                            ],
                            "as": "listed",
                        }
                    },
                    {
                        "$lookup": {
                            "from": names.successes,
                            "localField": "probe",
                            "foreignField": "model_name",
                            "let": {"provider": "$provider"},
                            "pipeline": [
                                {"$match": {**success_before, "$expr": {"$eq": ["$provider", "$$provider"]}}},
                                {"$sort": {"gen_ts": -1}},
                                {"$limit": 1},
                                {"$project": {"_id": 0, "gen_ts": 1, "run_ts": 1}},
                            ],
                            "as": "last_success",
                        }
                    },
                    {  # a writer that stamps run_ts only: its latest success by run_ts
                        "$lookup": {
                            "from": names.successes,
                            "localField": "probe",
                            "foreignField": "model_name",
                            "let": {"provider": "$provider"},
                            "pipeline": [
                                {"$match": {**run_before, "$expr": {"$eq": ["$provider", "$$provider"]}}},
                                {"$sort": {"run_ts": -1}},
                                {"$limit": 1},
                                {"$project": {"_id": 0, "run_ts": 1}},
                            ],
                            "as": "last_run",
                        }
                    },
                    _tagged(
                        "model",
                        {
                            "provider": "$provider",
                            "model_id": "$model_id",
                            "enabled": "$enabled",
                            "deprecated": "$deprecated",
                            "deprecation_date": "$deprecation_date",
                            "successor_model": "$successor_model",
                            "deprecation_reason": "$deprecation_reason",
                            "listed": "$listed",
                            "last_success": {"$first": "$last_success"},
                            "last_run": {"$first": "$last_run"},
                            "carried": "$carried",
                        },
                    ),
                ],
            }
        },
    ]
    # Errors no window can hold: dated beyond now (a writer's wrong clock) or with `ts` stored as
    # text. Both are bounded on the `ts` index by MongoDB: a date range, and `$type` a type's
    # bracket. (A string range such as `$gte: ""` is bounded too, but SecantusDB's descending
    # `ts` index answers it with nothing, after a scan of the whole index.)
    for kind, match in (("future", {"$gt": latest}), ("text", {"$type": "string"})):
        pipeline.append(
            {
                "$unionWith": {
                    "coll": names.errors,
                    "pipeline": [
                        {"$match": {"ts": match}},
                        {"$group": {"_id": None, "count": {"$sum": 1}}},
                        _tagged("misdated", {"kind": {"$literal": kind}, "count": "$count"}),
                    ],
                }
            }
        )
    if new_since is not None:
        pipeline.append(
            {
                "$unionWith": {
                    "coll": names.catalog,
                    "pipeline": [
                        {
                            "$match": {
                                "first_seen_at": {"$gte": new_since},
                                "direct_match.model_id": {"$type": "string"},
                            }
                        },
                        {"$sort": {"first_seen_at": -1}},
                        {"$limit": MAX_NEW_MODELS},
                        _tagged(
                            "new_model",
                            {
                                "openrouter_id": "$openrouter_id",
                                "first_seen_at": "$first_seen_at",
                                "direct_match": "$direct_match",
                            },
                        ),
                    ],
                }
            }
        )
    if now is not None:
        pipeline.append(
            {
                "$unionWith": {
                    "coll": names.source_runs,
                    "pipeline": [
                        {"$match": {"fetched_at": {"$gte": now - SOURCE_HISTORY, "$lte": now}}},
                        {"$sort": {"fetched_at": -1}},
                        {
                            "$group": {
                                "_id": "$source",
                                "last_attempt": {"$first": "$fetched_at"},
                                "first_attempt": {"$last": "$fetched_at"},
                                "last_status": {"$first": "$status"},
                                "last_message": {"$first": "$message"},
                                "last_complete": {
                                    "$max": {"$cond": [{"$eq": ["$status", "complete"]}, "$fetched_at", None]}
                                },
                            }
                        },
                        _tagged(
                            "source",
                            {
                                "source": "$_id",
                                "last_attempt": "$last_attempt",
                                "first_attempt": "$first_attempt",
                                "last_status": "$last_status",
                                "last_message": "$last_message",
                                "last_complete": "$last_complete",
                            },
                        ),
                    ],
                }
            }
        )
    if new_since is not None and now is not None:
        pipeline.append(
            {
                "$unionWith": {
                    "coll": names.silences,
                    "pipeline": [
                        {"$match": {"created_at": {"$lte": now}, "until": {"$gt": new_since}}},
                        {"$sort": {"until": -1, "_id": 1}},
                        {"$limit": MAX_SILENCES},
                        _tagged("silence", "$$ROOT"),
                    ],
                }
            }
        )
    if ai_model:
        pipeline.append(
            {
                "$unionWith": {
                    "coll": names.provider_models,
                    "pipeline": [
                        {"$match": {"provider": "openai", "model_id": ai_model}},
                        {"$limit": 1},
                        _tagged("ai_price", {"input_price": "$input_price", "output_price": "$output_price"}),
                    ],
                }
            }
        )
    if probes_since is not None:
        pipeline.append(
            {
                "$unionWith": {
                    "coll": names.probe_results,
                    "pipeline": [
                        {"$match": {"at": {"$gte": probes_since}}},
                        {"$project": {"_id": 0}},
                        _tagged("probe", "$$ROOT"),
                    ],
                }
            }
        )
    context: dict[str, Any] = {
        "previous_run": None,
        "last_complete_fetch": None,
        "catalog_flags": [],
        "models": [],
        "new_models": [],
        "ai_price": None,
        "sources": [],
        "trend": [],
        "probes": [],
        "misdated_errors": {},
        "silences": [],
    }
    lists = {
        "catalog": "catalog_flags",
        "model": "models",
        "new_model": "new_models",
        "source": "sources",
        "trend": "trend",
        "probe": "probes",
        "silence": "silences",
    }
    with translate_errors("reading the previous run and the catalog"):
        for row in store.coll("health_runs").aggregate(pipeline, batchSize=ONE_REPLY):
            doc = row.get("doc") or {}
            if row["source"] == "health_run":
                context["previous_run"] = doc
            elif row["source"] == "fetch":
                context["last_complete_fetch"] = doc.get("fetched_at")
            elif row["source"] == "ai_price":
                context["ai_price"] = doc
            elif row["source"] == "misdated":
                context["misdated_errors"][doc.get("kind")] = doc.get("count")
            else:
                context[lists[row["source"]]].append(doc)
    return context


def record_run(store: Store, run: Mapping[str, Any]) -> None:
    """Append one health run to the ledger."""
    with translate_errors("recording the health run"):
        store.coll("health_runs").insert_one(dict(run))


def recent_runs(store: Store, limit: int = 10) -> list[dict[str, Any]]:
    """The latest recorded runs, newest first."""
    with translate_errors("reading health runs"):
        return list(store.coll("health_runs").find({}, {"_id": 0}).sort("finished_at", DESCENDING).limit(limit))


def _locks(store: Store) -> Any:
    return store.db[f"{store.names.health_runs}_lock"]


def acquire_lock(
    store: Store,
    name: str,
    owner: str,
    now: dt.datetime,
    ttl: dt.timedelta,
    *,
    host: str | None = None,
    pid: int | None = None,
) -> dict[str, Any] | None:
    """Take the lock `name` until `now + ttl`. None when taken; otherwise the current holder's document.

    A lock is held only while its `started_at` is a date within `ttl` before now (and at most
    CLOCK_SKEW after it) and its `expires_at` has not passed: whatever else the stored fields
    say (a string, nothing, a date years ahead), a lock older than the TTL is taken over.
    `host` and `pid` are stored so that the owner's host can tell a dead owner (`take_over`)."""
    from pymongo.errors import DuplicateKeyError

    mine = {"owner": owner, "started_at": now, "expires_at": now + ttl, "host": host, "pid": pid}
    held = {
        "started_at": {"$gte": now - ttl, "$lte": not_after(now)},
        "expires_at": {"$not": {"$lt": now}},  # an expiry can only shorten the TTL
    }
    with translate_errors("taking the run lock"):
        try:
            _locks(store).insert_one({"_id": name, **mine})
            return None
        except DuplicateKeyError:
            pass
        if _locks(store).find_one_and_update({"_id": name, "$nor": [held]}, {"$set": mine}) is not None:
            return None
        return _locks(store).find_one({"_id": name}) or {}


def take_over_lock(
    store: Store, name: str, holder: dict[str, Any], owner: str, now: dt.datetime, ttl: dt.timedelta, **who: Any
) -> bool:
    """Take the lock from `holder` (a document `acquire_lock` returned, whose owner is known to be
    gone); False when it changed hands meanwhile."""
    mine = {"owner": owner, "started_at": now, "expires_at": now + ttl, **who}
    with translate_errors("taking over the run lock"):
        taken = _locks(store).find_one_and_update({"_id": name, "owner": holder.get("owner")}, {"$set": mine})
    return taken is not None


def release_lock(store: Store, name: str, owner: str) -> None:
    """Give the lock back (only if this owner still holds it)."""
    with translate_errors("releasing the run lock"):
        _locks(store).delete_one({"_id": name, "owner": owner})


MAX_HISTORY_RUNS = 2000  # ledger entries one `history` reads (manual runs included)
#: What `history` reads of a ledger entry: everything but the per-model counts, the enabled set
#: and its last successes.
HISTORY_FIELDS = {"_id": 0, "counts": 0, "enabled": 0, LAST_SUCCESS_FIELD: 0}


def ledger_history(store: Store, since: dt.datetime, *, daily_only: bool = True) -> list[dict[str, Any]]:
    """The ledger entries whose window ended at or after `since`, oldest first (daily runs only
    unless `daily_only` is False), at most MAX_HISTORY_RUNS of the newest."""
    query: dict[str, Any] = {"window.end": {"$gte": since}}
    if daily_only:
        query = {"$and": [query, DAILY_RUN]}
    with translate_errors("reading the health run ledger"):
        rows = list(
            store.coll("health_runs")
            .find(query, HISTORY_FIELDS)
            .sort("finished_at", DESCENDING)
            .limit(MAX_HISTORY_RUNS)
        )
    return rows[::-1]
