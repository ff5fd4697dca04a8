"""Discovery's counts for `llm-discovery stats`: the catalog by state, the benchmark's models by provider.

Counting only (count_documents and one aggregation), each result a frozen dataclass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import Store, translate_errors


@dataclass(frozen=True)
class CatalogCounts:
    """Listed (not removed), first seen in the last day and week, missing, removed."""

    listed: int
    new_day: int
    new_week: int
    missing: int
    removed: int


def catalog_counts(store: Store, now: dt.datetime) -> CatalogCounts:
    catalog = store.coll("catalog")
    with translate_errors("counting the catalog"):
        return CatalogCounts(
            listed=catalog.count_documents({"removed_at": None}),
            new_day=catalog.count_documents({"first_seen_at": {"$gte": now - dt.timedelta(days=1)}}),
            new_week=catalog.count_documents({"first_seen_at": {"$gte": now - dt.timedelta(days=7)}}),
            missing=catalog.count_documents({"missing_count": {"$gte": 1}, "removed_at": None}),
            removed=catalog.count_documents({"removed_at": {"$ne": None}}),
        )


@dataclass(frozen=True)
class ProviderCounts:
    """The benchmark's `models` of one provider: enabled, disabled and deprecated counts."""

    provider: str
    enabled: int
    disabled: int
    deprecated: int


def models_by_provider(store: Store) -> list[ProviderCounts]:
    pipeline = [
        {
            "$group": {
                "_id": {"$ifNull": ["$provider", "unknown"]},
                "enabled": {"$sum": {"$cond": [{"$eq": ["$enabled", True]}, 1, 0]}},
                "disabled": {"$sum": {"$cond": [{"$eq": ["$enabled", True]}, 0, 1]}},
                "deprecated": {"$sum": {"$cond": [{"$eq": ["$deprecated", True]}, 1, 0]}},
            }
        },
        {"$sort": {"_id": 1}},
    ]
    with translate_errors("counting models"):
        return [
            ProviderCounts(str(r["_id"]), r["enabled"], r["disabled"], r["deprecated"])
            for r in store.coll("models").aggregate(pipeline)
        ]
