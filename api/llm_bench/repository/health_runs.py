"""The health job's memory: its run ledger, and the context a run reads in one command.

`run_context` fetches, in a single aggregate, the previous recorded health run, the last
complete discovery fetch, the catalog entries that carry a warning sign (missing, removed or
with an expiration date) and the benchmark's model list — so the command count of a health
run stays constant however many models there are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import DESCENDING

from . import ONE_REPLY, Store, translate_errors



def _tagged(source: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"$project": {"_id": 0, "source": {"$literal": source}, "doc": fields}}


def run_context(store: Store) -> dict[str, Any]:
    """{previous_run, last_complete_fetch, catalog_flags, models} read in one aggregate command."""
    names = store.names
    flagged = {"$or": [{"missing_since": {"$ne": None}}, {"removed_at": {"$ne": None}},
                       {"expiration_date": {"$ne": None}}]}
    pipeline = [
        {"$sort": {"finished_at": -1}},
        {"$limit": 1},
        {"$project": {"_id": 0}},
        _tagged("health_run", "$$ROOT"),
        {"$unionWith": {"coll": names.catalog_runs, "pipeline": [
            {"$match": {"status": "complete"}}, {"$sort": {"fetched_at": -1}}, {"$limit": 1},
            _tagged("fetch", {"fetched_at": "$fetched_at"})]}},
        {"$unionWith": {"coll": names.catalog, "pipeline": [
            {"$match": flagged},
            _tagged("catalog", {"openrouter_id": "$openrouter_id", "missing_since": "$missing_since",
                                "removed_at": "$removed_at", "expiration_date": "$expiration_date"})]}},
        {"$unionWith": {"coll": names.models, "pipeline": [
            _tagged("model", {"provider": "$provider", "model_id": "$model_id", "enabled": "$enabled",
                              "deprecated": "$deprecated"})]}},
    ]
    context: dict[str, Any] = {"previous_run": None, "last_complete_fetch": None, "catalog_flags": [], "models": []}
    with translate_errors("reading the previous run and the catalog"):
        for row in store.coll("health_runs").aggregate(pipeline, batchSize=ONE_REPLY):
            doc = row.get("doc") or {}
            if row["source"] == "health_run":
                context["previous_run"] = doc
            elif row["source"] == "fetch":
                context["last_complete_fetch"] = doc.get("fetched_at")
            elif row["source"] == "catalog":
                context["catalog_flags"].append(doc)
            else:
                context["models"].append(doc)
    return context


def record_run(store: Store, run: Mapping[str, Any]) -> None:
    """Append one health run to the ledger."""
    with translate_errors("recording the health run"):
        store.coll("health_runs").insert_one(dict(run))


def recent_runs(store: Store, limit: int = 10) -> list[dict[str, Any]]:
    """The latest recorded runs, newest first."""
    with translate_errors("reading health runs"):
        return list(store.coll("health_runs").find({}, {"_id": 0}).sort("finished_at", DESCENDING).limit(limit))
