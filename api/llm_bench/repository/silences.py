"""The health check's silences in the toolkit's own collection (`health_silences`).

Documents are written by `llm-health-check silence add` and never deleted: a removal sets
`removed {at, user, host}`, so who made and who ended each silence stays on record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from . import Store, translate_errors

MAX_SILENCES = 1000  # documents read per call: far more than anyone keeps


def insert_silence(store: Store, doc: Mapping[str, Any]) -> None:
    with translate_errors("recording the silence"):
        store.coll("silences").insert_one(dict(doc))


def find_silences(store: Store, *, ending_after: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Silences whose end is after `ending_after` (all of them without it), latest end first."""
    query: dict[str, Any] = {} if ending_after is None else {"until": {"$gt": ending_after}}
    with translate_errors("reading the silences"):
        return list(store.coll("silences").find(query, sort=[("until", -1), ("_id", 1)], limit=MAX_SILENCES))


def find_silence(store: Store, silence_id: str) -> dict[str, Any] | None:
    with translate_errors("reading the silence"):
        found = store.coll("silences").find_one({"_id": silence_id})
    return dict(found) if found else None


def remove_silence(store: Store, silence_id: str, *, at: dt.datetime, user: str, host: str) -> dict[str, Any] | None:
    """Mark a silence removed (once): the updated document, or None when there is none to remove."""
    from pymongo import ReturnDocument

    with translate_errors("removing the silence"):
        found = store.coll("silences").find_one_and_update(
            {"_id": silence_id, "removed": None},
            {"$set": {"removed": {"at": at, "user": user, "host": host}}},
            return_document=ReturnDocument.AFTER,
        )
    return dict(found) if found else None
