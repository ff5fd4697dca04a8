"""Real catalogs replayed day by day through loopback HTTP into a real MongoDB-compatible server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from command_counter import CommandCounter
from http_stub import HTTPStub, json_reply

from api.llm_bench import repository
from api.llm_bench.config import Collections
from api.llm_bench.discovery.jobs import run_fetch
from api.llm_bench.discovery.openrouter import CatalogRefused, UpstreamUnavailable
from api.llm_bench.discovery.stats import collect_stats
from api.llm_bench.repository import catalog as repo
from api.llm_bench.repository import catalog_stats

CATALOGS = Path(__file__).parent / "fixtures" / "openrouter"
PATH = "/api/v1/models"
DAYS = ("2026-01-05", "2026-01-06", "2026-01-07", "2026-01-15", "2026-01-16", "2026-01-17")
QWEN_FLAP = {"qwen/qwen-max", "qwen/qwen-plus", "qwen/qwen3-max", "qwen/qwen3-coder-plus"}


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T03:00:00+00:00")


def fetch_day(store: repository.Store, http_server: HTTPStub, day: str, **options):
    body = (CATALOGS / f"catalog-{day}.json").read_text()
    http_server.route("GET", PATH, lambda _r: (200, {"Content-Type": "application/json"}, body))
    return run_fetch(store, http_server.base_url + PATH, at(day), retries=0, **options)


def doc(store: repository.Store, model_id: str) -> dict:
    return store.coll("catalog").find_one({"openrouter_id": model_id}, {"_id": 0})


@pytest.fixture
def replayed(store: repository.Store, http_server: HTTPStub) -> dict:
    repository.ensure_indexes(store)
    return {day: fetch_day(store, http_server, day) for day in DAYS}


def test_replay_counts_day_by_day(replayed: dict) -> None:
    summary = {
        day: (r.listed, len(r.new), len(r.missing), len(r.removed), len(r.returned)) for day, r in replayed.items()
    }
    assert summary == {
        "2026-01-05": (350, 350, 0, 0, 0),
        "2026-01-06": (350, 4, 4, 0, 0),
        "2026-01-07": (347, 0, 7, 0, 0),
        "2026-01-15": (339, 4, 15, 4, 0),
        "2026-01-16": (328, 2, 25, 3, 6),
        "2026-01-17": (339, 0, 8, 6, 11),
    }


def test_first_and_last_seen(store: repository.Store, replayed: dict) -> None:
    codex = doc(store, "openai/gpt-5.2-codex")
    assert codex["first_seen_at"] == at("2026-01-15") and codex["last_seen_at"] == at("2026-01-17")
    gpt4o = doc(store, "openai/gpt-4o")
    assert gpt4o["first_seen_at"] == at("2026-01-05") and gpt4o["last_seen_at"] == at("2026-01-17")
    assert gpt4o["raw"]["name"] == "OpenAI: GPT-4o" and gpt4o["price_prompt"] == 2.5


def test_the_16_hour_qwen_flap_is_not_a_removal(store: repository.Store, replayed: dict) -> None:
    assert set(replayed["2026-01-16"].missing) >= QWEN_FLAP
    assert set(replayed["2026-01-17"].returned) >= QWEN_FLAP
    assert (
        len(set(replayed["2026-01-17"].returned) & {m for m in replayed["2026-01-16"].missing if m.startswith("qwen/")})
        == 11
    )
    for model_id in QWEN_FLAP:
        qwen = doc(store, model_id)
        assert "missing_since" not in qwen and "removed_at" not in qwen and "missing_count" not in qwen
        assert qwen["first_seen_at"] == at("2026-01-05") and qwen["last_seen_at"] == at("2026-01-17")


def test_real_removals_after_three_absent_complete_fetches(store: repository.Store, replayed: dict) -> None:
    opus = doc(store, "anthropic/claude-3-opus")
    assert opus["missing_since"] == at("2026-01-06") and opus["removed_at"] == at("2026-01-15")
    assert "anthropic/claude-3-opus" in replayed["2026-01-15"].removed
    assert {
        "microsoft/phi-3-medium-128k-instruct",
        "microsoft/phi-3-mini-128k-instruct",
        "microsoft/phi-3.5-mini-128k-instruct",
    } == set(replayed["2026-01-16"].removed)


def test_price_changes_are_kept_in_history(store: repository.Store, replayed: dict) -> None:
    changed = replayed["2026-01-06"].changed
    assert len(changed) == 1
    history = doc(store, changed[0])["history"]
    assert history[0]["at"] == at("2026-01-06") and history[0]["field"] in (
        "price_prompt",
        "price_completion",
        "context_length",
    )


def test_runs_are_recorded_and_stats_read_them(store: repository.Store, replayed: dict) -> None:
    runs = list(store.coll("catalog_runs").find({}, {"_id": 0}).sort("fetched_at", 1))
    assert [r["status"] for r in runs] == ["complete"] * 6
    assert runs[-1] | {"url": None} == {
        "fetched_at": at("2026-01-17"),
        "url": None,
        "status": "complete",
        "listed": 339,
        "pages": 1,
        "added": 0,
        "changed": 3,
        "returned": 11,
        "missing": 8,
        "removed": 6,
        "adopted": 0,
        "adjusted": 0,
        "basis": "2026-01-16T03:00:00+00:00",
    }
    stats = collect_stats(store, at("2026-01-17"))
    assert stats.counts == catalog_stats.CatalogCounts(listed=347, new_day=2, new_week=6, missing=8, removed=13)
    assert stats.last_complete_at == at("2026-01-17") and stats.last_fetch.status == "complete"


def test_schema_drift_old_then_new_catalog(store: repository.Store, http_server: HTTPStub) -> None:
    repository.ensure_indexes(store)
    fetch_day(store, http_server, "2025-05-06")
    old = doc(store, "arcee-ai/caller-large")
    assert old["canonical_slug"] is None and old["prices"] == {
        "prompt": 0.55,
        "completion": 0.85,
        "internal_reasoning": 0.0,
    }
    odd = [
        {
            "id": f"new/shape-{i}",
            "pricing": {"prompt": "-1", "overrides": [{"prompt": "1"}]},
            "links": None,
            "reasoning": {"effort": True},
            "architecture": None,
            "$weird": {"a.b": 1},
        }
        for i in range(30)
    ]
    http_server.route("GET", PATH, lambda _r: json_reply({"data": odd, "total_count": 30, "links": {"next": None}}))
    result = run_fetch(store, http_server.base_url + PATH, at("2025-05-07"), retries=0)
    assert len(result.new) == 30 and len(result.missing) == 30
    stored = doc(store, "new/shape-0")
    assert stored["raw"]["pricing"]["overrides"] == [{"prompt": "1"}] and stored["raw"]["\uff04weird"] == {
        "a\uff0eb": 1
    }
    assert stored["variable_price"] is True and stored["output_modalities"] == []


def _snapshot(store: repository.Store) -> list[dict]:
    return list(store.coll("catalog").find({}, {"_id": 0}).sort("openrouter_id", 1))


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ((200, {"Content-Type": "text/html"}, "<html>oops</html>"), CatalogRefused),
        (json_reply({}), CatalogRefused),
        (json_reply({"data": []}), CatalogRefused),
        (json_reply({"data": [{"id": f"x/{i}"} for i in range(100)]}), CatalogRefused),
        (json_reply({"error": "boom"}, 500), UpstreamUnavailable),
    ],
)
def test_bad_payloads_leave_the_catalog_untouched(store: repository.Store, http_server: HTTPStub, reply, error) -> None:
    repository.ensure_indexes(store)
    fetch_day(store, http_server, "2026-01-17")
    before = _snapshot(store)
    http_server.route("GET", PATH, lambda _r: reply)
    with pytest.raises(error):
        run_fetch(store, http_server.base_url + PATH, at("2026-01-18"), retries=1, backoff=0.01)
    assert _snapshot(store) == before
    last = repo.last_run(store)
    assert last["status"] == ("refused" if error is CatalogRefused else "unavailable") and last["message"]
    assert repo.last_complete_run(store)["fetched_at"] == at("2026-01-17")


def test_a_fetch_is_one_bulk_write(
    store: repository.Store, http_server: HTTPStub, mongo_uri: str, db_name: str
) -> None:
    repository.ensure_indexes(store)
    listener = CommandCounter()
    watched = repository.connect(mongo_uri, db_name, Collections(), event_listeners=[listener])
    try:
        fetch_day(watched, http_server, "2026-01-16")
        listener.names.clear()
        fetch_day(watched, http_server, "2026-01-17")
    finally:
        watched.close()
    assert listener.names.count("update") == 1
    assert listener.names.count("insert") == 1  # the run record


def test_ai_cache_and_models_by_provider(store: repository.Store, http_server: HTTPStub) -> None:
    fetch_day(store, http_server, "2026-01-17")
    repo.save_ai_matches(store, {"qwen/qwen3-max": {"provider": None, "model_id": None}})
    assert doc(store, "qwen/qwen3-max")["ai_match"] == {"provider": None, "model_id": None}
    store.coll("models").insert_many(
        [
            {"provider": "openai", "model_id": "gpt-4o", "enabled": True},
            {"provider": "openai", "model_id": "gpt-4", "enabled": False, "deprecated": True},
            {"model_id": "mystery"},
        ]
    )
    assert catalog_stats.models_by_provider(store) == [
        catalog_stats.ProviderCounts("openai", enabled=1, disabled=1, deprecated=1),
        catalog_stats.ProviderCounts("unknown", enabled=0, disabled=1, deprecated=0),
    ]
