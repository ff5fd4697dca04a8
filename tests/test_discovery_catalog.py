"""Normalising catalog entries (old and new shapes) and the pure new/changed/missing/removed diff."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from api.llm_bench.discovery.catalog import REMOVAL_AFTER, diff, normalise, per_million, prepare

CATALOGS = Path(__file__).parent / "fixtures" / "openrouter"


def entries(day: str) -> list[dict]:
    return json.loads((CATALOGS / f"catalog-{day}.json").read_text())["data"]


def by_id(day: str) -> dict[str, dict]:
    return {e["id"]: e for e in entries(day)}


def test_prices_become_numbers_per_million_tokens() -> None:
    assert per_million("0.000003") == 3.0
    assert per_million("0.00000175") == 1.75
    assert per_million("0") == 0.0
    assert per_million("-1") is None and per_million(None) is None and per_million("n/a") is None
    assert per_million(True) is None and per_million("NaN") is None


def test_router_prices_are_null_and_flagged() -> None:
    auto = normalise(by_id("2026-01-17")["openrouter/auto"])
    assert auto["price_prompt"] is None and auto["price_completion"] is None
    assert auto["variable_price"] is True and auto["org"] == "openrouter"


def test_new_schema_entry() -> None:
    model = normalise(by_id("2026-01-17")["openai/gpt-5.2-codex"])
    assert model["canonical_slug"] == "openai/gpt-5.2-codex-20260114"
    assert model["price_prompt"] == 1.75 and model["price_completion"] == 14.0
    assert model["prices"]["input_cache_read"] == 0.175 and "request" not in model["prices"]
    assert model["input_modalities"] == ["text", "image"] and model["output_modalities"] == ["text"]
    assert model["created"] == dt.datetime(2026, 1, 14, 16, 48, 35, tzinfo=dt.UTC)
    assert model["context_length"] == 400000 and model["org"] == "openai" and model["expiration_date"] is None


def test_old_schema_entry_without_slug_or_expiration() -> None:
    model = normalise(entries("2025-05-06")[0])
    assert model["canonical_slug"] is None and model["expiration_date"] is None
    assert model["output_modalities"] == ["text"] and model["price_prompt"] == 0.55


def test_drifting_and_odd_shapes_are_accepted() -> None:
    model = normalise(
        {
            "id": "~vendor/thing",
            "name": None,
            "created": "yesterday",
            "architecture": {"modality": "text+image->text"},
            "pricing": {"prompt": "0.000001", "completion": None, "overrides": [{"when": "long", "prompt": "2"}]},
            "top_provider": {"context_length": 8192},
            "expiration_date": "2026-03-01",
            "knowledge_cutoff": "2025-06",
        }
    )
    assert model["org"] == "vendor" and model["name"] is None and model["created"] is None
    assert model["input_modalities"] == ["text", "image"] and model["output_modalities"] == ["text"]
    assert model["prices"] == {"prompt": 1.0, "completion": None}
    assert model["context_length"] == 8192 and model["expiration_date"] == "2026-03-01"
    assert normalise({"id": "bare"})["org"] is None


def test_created_outside_datetimes_range_is_null() -> None:
    for created in (10**12, 10**20, -(10**15), 1e20, -1, 0):
        assert normalise({"id": "a/b", "created": created})["created"] is None


def test_prepare_fits_entries_and_keeps_the_last_of_a_repeated_id() -> None:
    prepared = prepare([{"id": "a/b", "n": 2**64}, {"id": "a/c", "$where": 1}, {"id": "a/b", "n": 1, "name": "B"}])
    assert prepared.raw == {"a/b": {"id": "a/b", "n": 1, "name": "B"}, "a/c": {"id": "a/c", "\uff04where": 1}}
    assert [m["name"] for m in prepared.models] == ["B", None] and dict(prepared.adjusted) == {}
    assert dict(prepare([{"id": "a/b", "n": 2**64}]).adjusted) == {"a/b": ("n: dropped, an integer beyond 64 bits",)}


def _state(day: str) -> dict[str, dict]:
    return {m["openrouter_id"]: m for m in map(normalise, entries(day))}


def test_first_fetch_is_all_new() -> None:
    change = diff({}, _state("2026-01-05").values())
    assert len(change.new) == 350 and not change.changed and not change.missing


def test_price_and_context_changes_are_detected() -> None:
    before = _state("2026-01-05")
    after = dict(before)
    after["openai/gpt-4o"] = {**before["openai/gpt-4o"], "price_prompt": 1.0, "context_length": 1}
    change = diff(before, after.values())
    assert [(i, [c.field for c in cs]) for i, cs in change.changed] == [
        ("openai/gpt-4o", ["price_prompt", "context_length"])
    ]


def test_an_absence_is_counted_once_per_basis() -> None:
    stored = {
        "a/x": {"missing_count": 1, "missing_basis": "monday"},
        "a/y": {"missing_count": 2, "missing_basis": "monday"},
    }
    again = diff(stored, [], basis="monday")
    assert [(a.openrouter_id, a.missing_count, a.first_absence) for a in again.missing] == [
        ("a/x", 1, False),
        ("a/y", 2, False),
    ]
    later = diff(stored, [], basis="tuesday")
    assert [(a.openrouter_id, a.missing_count) for a in later.missing] == [("a/x", 2)]
    assert [a.openrouter_id for a in later.removed] == ["a/y"] and later.basis == "tuesday"


def test_upstream_shaped_documents_are_adopted_without_changes() -> None:
    first = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    stored = {
        "a/x": {"context_length": 8, "adopt_first_seen_at": first},
        "a/y": {"adopt_first_seen_at": None, "pricing": {"prompt": 1.75e-06, "completion": -1.0}},
    }
    change = diff(stored, [{"openrouter_id": "a/x", "price_prompt": 1.0, "context_length": 9}])
    assert [(a.openrouter_id, dict(a.fields)) for a in change.adopted] == [
        ("a/x", {"first_seen_at": first, "price_prompt": None, "price_completion": None}),
        ("a/y", {"first_seen_at": None, "price_prompt": 1.75, "price_completion": None}),
    ]
    assert not change.changed and not change.new and not change.returned
    assert [a.openrouter_id for a in change.missing] == ["a/y"]


def test_one_absence_is_missing_and_the_third_is_a_removal() -> None:
    stored = {"a/x": {"missing_count": 0}, "a/y": {"missing_count": REMOVAL_AFTER - 1}, "a/z": {"removed_at": 1}}
    change = diff(stored, [])
    assert [(a.openrouter_id, a.missing_count, a.first_absence) for a in change.missing] == [("a/x", 1, True)]
    assert [a.openrouter_id for a in change.removed] == ["a/y"]


def test_models_coming_back_are_returned() -> None:
    stored = {"a/x": {"missing_count": 1}, "a/y": {"removed_at": 1, "missing_count": 3}, "a/z": {}}
    change = diff(stored, [{"openrouter_id": i} for i in ("a/x", "a/y", "a/z")])
    assert change.returned == ("a/x", "a/y") and not change.new and not change.missing
