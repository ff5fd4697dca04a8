"""The fetch job against hostile, legacy and repeated input, over loopback HTTP into a real server.

- catalogs that are JSON but not storable as they are (huge integers, lone surrogates, NUL or `$`
  in keys, deep nesting, a giant entry) are stored adjusted and say so, or refused (exit 7);
- a catalog written by upstream's older code is adopted without writing history;
- the same fetch applied twice, or two fetches at once, count each change and absence once.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from bson import ObjectId
from http_stub import HTTPStub, json_reply
from typer.testing import CliRunner

from api.llm_bench import repository
from api.llm_bench.config import Collections
from api.llm_bench.discovery.catalog import diff, prepare, to_write
from api.llm_bench.discovery.cli import app
from api.llm_bench.discovery.jobs import run_fetch
from api.llm_bench.errors import DatabaseUnavailable
from api.llm_bench.exit_codes import ExitStatus
from api.llm_bench.repository import catalog as repo
from api.llm_bench.repository.storable import MAX_DEPTH

CATALOGS = Path(__file__).parent / "fixtures" / "openrouter"
PATH = "/api/v1/models"


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T03:00:00+00:00")


def entries(day: str) -> list[dict]:
    return json.loads((CATALOGS / f"catalog-{day}.json").read_text())["data"]


def serve(http_server: HTTPStub, body: object) -> str:
    http_server.route(
        "GET",
        PATH,
        lambda _r: (200, {"Content-Type": "application/json"}, body if isinstance(body, str) else json.dumps(body)),
    )
    return http_server.base_url + PATH


def doc(store: repository.Store, model_id: str) -> dict:
    return store.coll("catalog").find_one({"openrouter_id": model_id}, {"_id": 0})


def deep(levels: int) -> list:
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


# --- catalogs that are JSON but not storable as they are ---------------------------------------

BASE = [
    {"id": f"org/base-{i}", "name": f"Base {i}", "pricing": {"prompt": "0.000001", "completion": "0.000002"}}
    for i in range(5)
]


@pytest.mark.parametrize(
    ("entry", "check"),
    [
        (
            {"id": "odd/big-int", "context_length": 2**63, "top_provider": {"max_completion_tokens": -(2**70)}},
            lambda d: (
                d["context_length"] is None
                and "context_length" not in d["raw"]
                and d["raw"]["top_provider"] == {}
                and d["raw_adjusted"]
                == [
                    "context_length: dropped, an integer beyond 64 bits",
                    "top_provider.max_completion_tokens: dropped, an integer beyond 64 bits",
                ]
            ),
        ),
        (
            {"id": "odd/created-float", "created": 1e20},
            lambda d: d["created"] is None and d["raw"]["created"] == 1e20 and "raw_adjusted" not in d,
        ),
        (
            {"id": "odd/created-int", "created": 10**20},
            lambda d: d["created"] is None and "created" not in d["raw"] and len(d["raw_adjusted"]) == 1,
        ),
        (
            {"id": "odd/created-year-33658", "created": 10**12},
            lambda d: d["created"] is None and d["raw"]["created"] == 10**12 and "raw_adjusted" not in d,
        ),
        (
            {"id": "odd/surrogate", "name": "Lone \ud800 half", "tags": ["\udfff"]},
            lambda d: (
                d["name"] == "Lone \ufffd half"
                and d["raw"]["tags"] == ["\ufffd"]
                and d["raw_adjusted"] == ["name: lone surrogate replaced", "tags[0]: lone surrogate replaced"]
            ),
        ),
        (
            {"id": "odd/nul-key", "meta": {"a\x00b": 1, "\ud800k": 2}},
            lambda d: d["raw"]["meta"] == {"a\ufffdb": 1, "\ufffdk": 2} and len(d["raw_adjusted"]) == 2,
        ),
        (
            {"id": "odd/operator-keys", "$where": {"a.b": [{"$gt": 1}]}},
            lambda d: d["raw"]["\uff04where"] == {"a\uff0eb": [{"\uff04gt": 1}]} and "raw_adjusted" not in d,
        ),
        (
            {"id": "odd/nested", "x": deep(50), "pricing": {"prompt": "0.000003"}},
            lambda d: (
                d["price_prompt"] == 3.0
                and d["raw_adjusted"] == [f"x{'[0]' * (MAX_DEPTH - 1)}: dropped, nested deeper than {MAX_DEPTH} levels"]
            ),
        ),
    ],
    ids=[
        "int-beyond-64-bits",
        "created-1e20",
        "created-10^20",
        "created-beyond-9999",
        "lone-surrogate",
        "nul-in-key",
        "dollar-and-dot-keys",
        "nested-50-levels",
    ],
)
def test_unstorable_fields_are_dropped_or_replaced_and_said(
    store, mongo_uri: str, db_name: str, http_server: HTTPStub, entry: dict, check
) -> None:
    serve(http_server, {"data": [*BASE, entry]})
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DB": db_name, "OPENROUTER_MODELS_URL": http_server.base_url + PATH}
    result = CliRunner().invoke(app, ["fetch", "--no-sources", "--retries", "0", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    stored = doc(store, entry["id"])
    assert check(stored), stored
    adjusted = json.loads(result.stdout)["adjusted"]
    assert adjusted == ([entry["id"]] if "raw_adjusted" in stored else [])
    assert ("stored adjusted" in result.stderr) == bool(adjusted)
    assert repo.last_run(store)["adjusted"] == len(adjusted)


def _giant() -> str:
    return json.dumps({"data": [*BASE, {"id": "odd/giant", "description": "x" * (17 * 2**20)}]})


def _deep_arrays() -> str:
    return '{"data": [{"id": "odd/deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}]}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_giant, "error: catalog entry 'odd/giant' takes 17,825,"),
        (_deep_arrays, "error: the catalog response is nested too deeply to read"),
    ],
    ids=["entry-over-16-MB", "100000-nested-arrays"],
)
def test_unstorable_catalogs_are_refused_recorded_and_change_nothing(
    store, mongo_uri: str, db_name: str, http_server: HTTPStub, body, message: str
) -> None:
    env = {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "OPENROUTER_MODELS_URL": serve(http_server, BASE and {"data": BASE}),
    }
    assert CliRunner().invoke(app, ["fetch", "--no-sources", "--retries", "0"], env=env).exit_code == 0
    before = list(store.coll("catalog").find({}, {"_id": 0}).sort("openrouter_id", 1))
    serve(http_server, body())
    result = CliRunner().invoke(app, ["fetch", "--no-sources", "--retries", "0"], env=env)
    assert result.exit_code == ExitStatus.CATALOG_REFUSED and result.stderr.startswith(message), result.output
    assert result.stderr.count("\n") == 1
    assert list(store.coll("catalog").find({}, {"_id": 0}).sort("openrouter_id", 1)) == before
    assert repo.last_run(store)["status"] == "refused"


# --- upstream's older catalog documents are adopted --------------------------------------------


def upstream_shaped(entry: dict, index: int, with_first_seen: bool) -> dict:
    """A document as upstream's store_catalog_in_db wrote it: per-token float prices, no history."""
    pricing = entry.get("pricing") or {}
    architecture = entry.get("architecture") or {}
    created = entry.get("created")
    shaped = {
        "_id": ObjectId.from_datetime(dt.datetime(2025, 9, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=index)),
        "openrouter_id": entry["id"],
        "name": entry.get("name", ""),
        "org": entry["id"].split("/")[0],
        "pricing": {"prompt": float(pricing.get("prompt", 0)), "completion": float(pricing.get("completion", 0))},
        "context_length": entry.get("context_length", 0),
        "created": dt.datetime.fromtimestamp(created, dt.UTC) if created else None,
        "canonical_slug": entry.get("canonical_slug"),
        "architecture": architecture,
        "supported_parameters": entry.get("supported_parameters") or [],
        "input_modalities": architecture.get("input_modalities") or [],
        "output_modalities": architecture.get("output_modalities") or ["text"],
        "matched_provider": None,
        "matched_model_id": None,
        "match_confidence": None,
        "match_reasoning": None,
    }
    if with_first_seen:
        shaped |= {"first_seen_at": dt.datetime(2025, 7, 1, tzinfo=dt.UTC), "last_seen_at": at("2026-01-16")}
    return shaped


def test_an_upstream_catalog_is_adopted_without_history(store, http_server: HTTPStub) -> None:
    repository.ensure_indexes(store)
    old, listed = entries("2026-01-15"), entries("2026-01-16")
    store.coll("catalog").insert_many([upstream_shaped(e, i, with_first_seen=i % 2 == 0) for i, e in enumerate(old)])
    result = run_fetch(store, serve(http_server, {"data": listed}), at("2026-01-16"), retries=0)
    assert result.changed == () and result.returned == () and len(result.adopted) == len(old) == 339
    assert store.coll("catalog").count_documents({"history": {"$exists": True}}) == 0
    assert store.coll("catalog").count_documents({"first_seen_at": None}) == 0
    kept = doc(store, old[0]["id"])  # upstream recorded when it first saw it
    assert kept["first_seen_at"] == dt.datetime(2025, 7, 1, tzinfo=dt.UTC) and kept["price_prompt"] == 1.75
    derived = doc(store, old[1]["id"])  # no first_seen_at: the ObjectId's creation time
    assert derived["first_seen_at"] == dt.datetime(2025, 9, 1, 0, 1, tzinfo=dt.UTC)
    gone = [e for e in old if e["id"] not in {n["id"] for n in listed}]
    for entry in gone:  # absent, yet migrated too: first seen and prices per million from upstream's floats
        migrated = doc(store, entry["id"])
        assert migrated["first_seen_at"] <= at("2026-01-15") and migrated["missing_count"] == 1
        assert migrated["price_prompt"] == pytest.approx(float(entry["pricing"]["prompt"]) * 1_000_000)
    assert repo.last_run(store)["adopted"] == 339 and len(gone) == 19

    bumped = [
        {**e, "pricing": {**e["pricing"], "prompt": "0.000002"}} if e["id"] == "openai/gpt-4o" else e
        for e in entries("2026-01-17")
    ]
    after = run_fetch(store, serve(http_server, {"data": bumped}), at("2026-01-17"), retries=0)
    assert after.adopted == () and "openai/gpt-4o" in after.changed  # each document is adopted once
    assert [(h["field"], h["old"], h["new"]) for h in doc(store, "openai/gpt-4o")["history"]] == [
        ("price_prompt", 2.5, 2.0)
    ]
    assert len(after.returned) == 11 and len(after.missing) == 8  # the migrated absent ones count on as usual
    assert store.coll("catalog").count_documents({"missing_count": 2}) == 8


# --- one fetch's effects happen once -----------------------------------------------------------


def _history_and_absences(store: repository.Store) -> tuple[list, dict]:
    history = [
        (d["openrouter_id"], h["field"])
        for d in store.coll("catalog").find({"history": {"$exists": True}})
        for h in d["history"]
    ]
    absent = {
        d["openrouter_id"]: d["missing_count"] for d in store.coll("catalog").find({"missing_count": {"$gte": 1}})
    }
    return sorted(history), absent


def _control(http_server: HTTPStub, mongo_uri: str) -> tuple[list, dict]:
    """What 2026-01-05 then 2026-01-06 write when each is fetched once."""
    control = repository.connect(mongo_uri, f"control-{ObjectId()}", Collections())
    try:
        run_fetch(control, serve(http_server, {"data": entries("2026-01-05")}), at("2026-01-05"), retries=0)
        run_fetch(control, serve(http_server, {"data": entries("2026-01-06")}), at("2026-01-06"), retries=0)
        return _history_and_absences(control)
    finally:
        control.client.drop_database(control.db.name)
        control.close()


def test_the_same_fetch_applied_twice_writes_once(store, http_server: HTTPStub, mongo_uri: str) -> None:
    expected = _control(http_server, mongo_uri)
    assert len(expected[0]) == 2 and len(expected[1]) == 4  # one model changed two fields
    run_fetch(store, serve(http_server, {"data": entries("2026-01-05")}), at("2026-01-05"), retries=0)
    prepared = prepare(entries("2026-01-06"))
    change = diff(repo.stored_state(store), prepared.models, at("2026-01-05").isoformat())
    for _ in range(2):  # a retried bulk write
        repo.apply_fetch(store, to_write(prepared, change), at("2026-01-06"))
    assert _history_and_absences(store) == expected


def test_a_retry_after_the_record_was_lost_counts_nothing_twice(store, http_server: HTTPStub, mongo_uri: str) -> None:
    expected = _control(http_server, mongo_uri)
    run_fetch(store, serve(http_server, {"data": entries("2026-01-05")}), at("2026-01-05"), retries=0)
    runs = store.coll("catalog_runs")
    runs.create_index("fetched_at", unique=True)
    runs.insert_one({"fetched_at": at("2026-01-06"), "status": "blocker"})  # the record's insert will fail
    url = serve(http_server, {"data": entries("2026-01-06")})
    with pytest.raises(DatabaseUnavailable, match="recording the fetch run"):
        run_fetch(store, url, at("2026-01-06"), retries=0)
    runs.delete_one({"status": "blocker"})
    retried = run_fetch(store, url, at("2026-01-06"), retries=0)
    assert _history_and_absences(store) == expected
    assert len(retried.missing) == 4 and retried.removed == ()


def test_two_concurrent_fetches_write_once(store, http_server: HTTPStub, mongo_uri: str, db_name: str) -> None:
    expected = _control(http_server, mongo_uri)
    run_fetch(store, serve(http_server, {"data": entries("2026-01-05")}), at("2026-01-05"), retries=0)
    both_asked = threading.Barrier(2, timeout=30)
    body = {"data": entries("2026-01-06")}

    def answer(_request):
        both_asked.wait()  # neither fetch reads the stored state before both are in flight
        return json_reply(body)

    http_server.route("GET", PATH, answer)
    errors: list[BaseException] = []

    def one_fetch() -> None:
        own = repository.connect(mongo_uri, db_name, Collections())
        try:
            run_fetch(own, http_server.base_url + PATH, at("2026-01-06"), retries=0)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=one_fetch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and _history_and_absences(store) == expected
    assert store.coll("catalog_runs").count_documents({"status": "complete"}) == 3
