"""The one place that talks to MongoDB: connection, collection names, indexes, queries, writes.

Nothing outside this package imports pymongo. Callers get a `Store` from `connect` and pass it
to the query and write functions of the submodules (`health`, `catalog`, ...), which take and
return plain Python data. Driver errors are turned into `DatabaseUnavailable` with a one-line
message, so the CLIs can exit with a named status instead of a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pymongo
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import ConfigurationError, InvalidName, OperationFailure, PyMongoError, ServerSelectionTimeoutError

from ..config import Collections, Settings
from ..errors import ConfigError, DatabaseUnavailable
from ..untrusted import safe_text

#: How far beyond now a record may be dated and still count as the latest run or fetch: a few
#: minutes of clock skew between hosts. Anything later (a wrong clock, a poisoned record) is
#: ignored when choosing the previous health run or the last complete fetch of a source.
CLOCK_SKEW = dt.timedelta(minutes=5)


def not_after(now: dt.datetime | None) -> dt.datetime:
    """The latest date a record may carry to count as past: `now` (the wall clock when None) plus CLOCK_SKEW."""
    return (now or dt.datetime.now(dt.UTC)) + CLOCK_SKEW


#: Batch size that brings a job's rows back in the first reply (no getMore round trips); the
#: server still caps one reply at 16 MiB.
ONE_REPLY = 100_000
NO_PROBE = "\u0000"  # a `$lookup` key no stored name or fingerprint equals: the row needs no look-up


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
    operation_timeout_ms: int | None = None,
    event_listeners: list[Any] | None = None,
) -> Store:
    """Open a client and check the server answers; raise DatabaseUnavailable if not.

    Reaching the server is bounded by `timeout_ms`, every later operation by
    `operation_timeout_ms` (pymongo's `timeoutMS`), unless the URI sets its own values.
    """
    check_uri(uri)
    in_uri = _uri_options(uri)
    options: dict[str, Any] = {
        "tz_aware": True,
        "tzinfo": dt.UTC,
        "appname": "llm-bench-ops",
        "event_listeners": event_listeners or [],
    }
    for name in ("serverSelectionTimeoutMS", "connectTimeoutMS"):
        if name.lower() not in in_uri:
            options[name] = timeout_ms
    if operation_timeout_ms is not None and "timeoutms" not in in_uri:
        options["timeoutMS"] = operation_timeout_ms
    try:
        client = pymongo.MongoClient(uri, **options)
        db = client[db_name]
    except (ConfigurationError, ValueError, TypeError) as exc:
        if uri.startswith("mongodb+srv://") and type(exc.__cause__).__module__.startswith("dns"):
            raise DatabaseUnavailable(f"cannot resolve MongoDB's SRV record: {_scrub(str(exc), uri)}") from None
        raise ConfigError(f"MONGODB_URI is not a valid MongoDB URI: {_scrub(str(exc), uri)}") from None
    except InvalidName as exc:
        raise ConfigError(f"MONGODB_DB is not a valid database name: {exc}") from None
    store = Store(client=client, db=db, names=names or Collections())
    try:
        # With timeoutMS set, pymongo would wait that long for a server: bound the first contact
        # by the server-selection timeout instead.
        with translate_errors("connecting"), pymongo.timeout(client.options.server_selection_timeout):
            client.admin.command("ping")
    except DatabaseUnavailable:
        client.close()
        raise
    return store


# One host of a MongoDB URI: a name, an IPv4 or bracketed IPv6 address, or a socket path, with a port.
_HOST = re.compile(r"\A(?:[A-Za-z0-9_](?:[A-Za-z0-9._-]*)|\[[0-9A-Fa-f:.%a-z]+\]|[^\s/]+\.sock)(?::[0-9]+)?\Z")


def check_uri(uri: str) -> None:
    """Refuse a URI whose scheme or hosts are malformed before the driver tries to resolve them."""
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme not in ("mongodb", "mongodb+srv"):
        raise ConfigError("MONGODB_URI must start with mongodb:// or mongodb+srv://")
    if rest.partition("?")[0].count("@") > 1:  # an unescaped @ in the password: never echo a part of it
        raise ConfigError(
            "MONGODB_URI has more than one '@' before its options: percent-encode '@' as %40 "
            "(and '/' as %2F) in the user name and password"
        )
    hosts = re.split(r"[/?]", rest, maxsplit=1)[0].rpartition("@")[2]
    for host in hosts.split(","):
        if not _HOST.match(host):
            raise ConfigError(f"MONGODB_URI has a malformed host {safe_text(host, 80)!r}")


def _uri_options(uri: str) -> set[str]:
    """The lower-cased option names given in the URI's query string."""
    query = uri.partition("?")[2]
    return {part.partition("=")[0].strip().lower() for part in re.split(r"[&;]", query) if part}


def _scrub(message: str, uri: str) -> str:
    """A driver message without the URI's password, should the driver have quoted it."""
    password = urllib.parse.urlsplit(uri.replace("mongodb+srv://", "mongodb://", 1)).password if "@" in uri else None
    message = message.replace(password, "[REDACTED]") if password else message
    return safe_text(message, 300)


@contextlib.contextmanager
def translate_errors(doing: str) -> Iterator[None]:
    """Turn any driver error raised inside the block into DatabaseUnavailable, in one line."""
    try:
        yield
    except PyMongoError as exc:
        raise DatabaseUnavailable(describe_error(exc, doing)) from None


def describe_error(exc: PyMongoError, doing: str) -> str:
    """What went wrong, for the operator: where, why and within which bound, without driver noise."""
    text = str(exc)
    if isinstance(exc, ServerSelectionTimeoutError):
        head, _, tail = text.partition(", Timeout: ")
        servers = re.findall(r"(?:^|,\s?)([^\s,]+:\d+): (.+?) \(configured timeouts", head)
        where = ", ".join(f"{address} ({_reason(reason)})" for address, reason in servers) or "any server"
        bound = re.match(r"[\d.]+", tail)
        # the driver reports the bound it used, give or take a millisecond (0.299 s for 300 ms)
        within = f" within {round(float(bound.group()), 2):g} s" if bound else ""
        return f"cannot reach MongoDB at {where}{within} while {doing}"
    if exc.timeout:
        bound = re.search(r"\btimeoutMS: ([\d.]+)ms", text)
        within = f"within {float(bound.group(1)) / 1000:g} s" if bound else "within the configured timeout"
        return f"MongoDB did not answer {within} while {doing} (MONGODB_TIMEOUT_MS or timeoutMS in the URI)"
    if isinstance(exc, OperationFailure):
        details = exc.details or {}
        name = details.get("codeName") or f"code {exc.code}"
        return f"MongoDB refused the command while {doing}: {name}: {safe_text(details.get('errmsg') or text, 200)}"
    return f"MongoDB error while {doing}: {safe_text(text.splitlines()[0] if text else type(exc).__name__, 300)}"


def _reason(error: str) -> str:
    for needle, reason in (
        ("refused", "connection refused"),
        ("not known", "host not found"),
        ("name resolution", "host not found"),
        ("No address", "host not found"),
        ("timed out", "no answer"),
        ("SSL", "TLS handshake failed"),
        ("certificate", "TLS handshake failed"),
    ):
        if needle in error:
            return reason
    return safe_text(error, 80)


# (collection attribute, keys, options) — every index the jobs rely on, created by ensure_indexes.
INDEXES: tuple[tuple[str, list[tuple[str, int]], dict[str, Any]], ...] = (
    ("errors", [("ts", DESCENDING)], {}),
    ("errors", [("fingerprint", ASCENDING), ("ts", ASCENDING)], {}),
    ("successes", [("gen_ts", DESCENDING)], {}),
    ("successes", [("model_name", ASCENDING), ("provider", ASCENDING), ("gen_ts", DESCENDING)], {}),
    ("successes", [("run_ts", DESCENDING)], {}),  # successes a writer stamped with run_ts only
    ("successes", [("model_name", ASCENDING), ("provider", ASCENDING), ("run_ts", DESCENDING)], {}),
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
    ("probe_results", [("at", DESCENDING)], {}),
    ("silences", [("until", DESCENDING)], {}),
)


def ensure_indexes(store: Store) -> None:
    """Create the indexes the jobs need (a no-op when they exist)."""
    with translate_errors("creating indexes"):
        for attr, keys, options in INDEXES:
            store.coll(attr).create_index(keys, **options)


@contextlib.contextmanager
def opened(settings: Settings, *, write: bool, uri: str | None = None, db_name: str | None = None) -> Iterator[Store]:
    """The one way the CLIs open the database: the configured MongoDB (or `uri`/`db_name`),
    its indexes ensured when the run will write (a read-only or dry run creates nothing),
    closed afterwards."""
    store = connect(
        uri or settings.require_mongodb_uri(),
        db_name or settings.mongodb_db,
        settings.collections,
        operation_timeout_ms=settings.mongodb_timeout_ms,
    )
    try:
        if write:
            ensure_indexes(store)
        yield store
    finally:
        store.close()
