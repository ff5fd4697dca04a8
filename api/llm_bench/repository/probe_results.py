"""`probe_results`: one document per chat request `llm-discovery probe` sent.

`{provider, model_id, openrouter_id, at, outcome, status, kind, reason, message}` — `outcome`
success, refused, stopped or transient; `kind` the classifier's kind of the error text; `reason`
the definitive refusal's reason; `message` the provider's answer, redacted and capped. A run
writes its attempts in one insert; readers take the attempts of the last recheck period in one
find. Nothing here touches the benchmark's own collections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from . import ONE_REPLY, Store, translate_errors


def record(store: Store, attempts: Sequence[Mapping[str, Any]]) -> None:
    """Append one run's attempts, in one insert (nothing for an empty run)."""
    if attempts:
        with translate_errors("recording probe results"):
            store.coll("probe_results").insert_many([dict(a) for a in attempts])


def recent(store: Store, since: dt.datetime) -> list[dict[str, Any]]:
    """The attempts made at or after `since`, oldest first."""
    with translate_errors("reading probe results"):
        return list(
            store.coll("probe_results").find({"at": {"$gte": since}}, {"_id": 0}, batch_size=ONE_REPLY).sort("at", 1)
        )
