"""The one place that talks to MongoDB: connection, collection names, indexes, queries, writes.

Nothing outside this package imports pymongo. Callers get a `Store` from `connect` and pass it
to the query and write functions of the submodules (`health`, `catalog`, ...), which take and
return plain Python data. Driver errors are turned into `DatabaseUnavailable` with a one-line
message, so the CLIs can exit with a named status instead of a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pymongo
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import ConfigurationError, InvalidURI, PyMongoError

from ..config import Collections
from ..errors import ConfigError, DatabaseUnavailable


#: Batch size that brings a job's rows back in the first reply (no getMore round trips); the
#: server still caps one reply at 16 MiB.
ONE_REPLY = 100_000


@dataclass(frozen=True)
class Store:
    """An open database plus the collection names in force."""

    client: Any
    db: Any
    names: Collections

    def coll(self, attr: str) -> Any:
        return self.db[getattr(self.names, attr)]

    def close(self) -> None:
        self.client.close()


def connect(
    uri: str,
    db_name: str,
    names: Collections | None = None,
    *,
    timeout_ms: int = 5000,
    event_listeners: list[Any] | None = None,
) -> Store:
    """Open a client and check the server answers; raise DatabaseUnavailable if not.

    Timeouts default to `timeout_ms` unless the URI sets its own (e.g. serverSelectionTimeoutMS).
    """
    options: dict[str, Any] = {"tz_aware": True, "tzinfo": dt.timezone.utc, "appname": "llm-bench-ops",
                               "event_listeners": event_listeners or []}
    for name in ("serverSelectionTimeoutMS", "connectTimeoutMS"):
        if name.lower() not in uri.lower():
            options[name] = timeout_ms
    try:
        client = pymongo.MongoClient(uri, **options)
    except (InvalidURI, ConfigurationError) as exc:
        raise ConfigError(f"MONGODB_URI is not a valid MongoDB URI: {exc}") from None
    store = Store(client=client, db=client[db_name], names=names or Collections())
    with translate_errors("connecting to MongoDB"):
        client.admin.command("ping")
    return store


@contextlib.contextmanager
def translate_errors(doing: str) -> Iterator[None]:
    """Turn any driver error raised inside the block into DatabaseUnavailable."""
    try:
        yield
    except PyMongoError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatabaseUnavailable(f"MongoDB error while {doing}: {first_line[:300]}") from None


# (collection attribute, keys, options) — every index the jobs rely on, created by ensure_indexes.
INDEXES: tuple[tuple[str, list[tuple[str, int]], dict[str, Any]], ...] = (
    ("errors", [("ts", DESCENDING)], {}),
    ("errors", [("fingerprint", ASCENDING), ("ts", ASCENDING)], {}),
    ("successes", [("gen_ts", DESCENDING)], {}),
    ("rollups", [("first_seen", DESCENDING)], {}),
    ("rollups", [("fingerprint", ASCENDING)], {}),
    ("error_classes", [("fingerprint", ASCENDING)], {"unique": True}),
    ("models", [("provider", ASCENDING), ("model_id", ASCENDING)], {}),
    ("catalog", [("openrouter_id", ASCENDING)], {"unique": True}),
    ("catalog_runs", [("fetched_at", DESCENDING)], {}),
    ("health_runs", [("finished_at", DESCENDING)], {}),
    ("provider_models", [("provider", ASCENDING), ("model_id", ASCENDING)], {"unique": True}),
    ("provider_models", [("model_id", ASCENDING)], {}),
    ("source_runs", [("source", ASCENDING), ("fetched_at", DESCENDING)], {}),
)


def ensure_indexes(store: Store) -> None:
    """Create the indexes the jobs need (a no-op when they exist)."""
    with translate_errors("creating indexes"):
        for attr, keys, options in INDEXES:
            store.coll(attr).create_index(keys, **options)
