"""Catalog signs for deprecation, models retiring soon, and stale discovery."""

from __future__ import annotations

import datetime as dt

from api.llm_bench.health.evidence import catalog_expirations, catalog_sign, evidence_from, stale_discovery
from api.llm_bench.health.lifecycle import retirements

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def context(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "previous_run": None,
        "last_complete_fetch": NOW - dt.timedelta(hours=1),
        "catalog_flags": [
            {"openrouter_id": "anthropic/claude-3-opus", "removed_at": NOW - dt.timedelta(days=3)},
            {"openrouter_id": "qwen/qwen-2.5-72b-instruct", "missing_since": NOW - dt.timedelta(hours=5)},
            {"openrouter_id": "google/gemini-2.0-flash-001", "expiration_date": "2026-11-01"},
            {"openrouter_id": "google/gemini-2.5-pro", "expiration_date": "2026-12-06"},
            {"openrouter_id": "openai/gpt-4o-2024-05-13", "expiration_date": "2027-06-01"},
        ],
        "models": [
            {"provider": "vertex", "model_id": "gemini-2.5-pro", "enabled": True},
            {"provider": "openai", "model_id": "gpt-4o-2024-05-13", "enabled": True},
            {"provider": "vertex", "model_id": "gemini-2.0-flash-001", "enabled": True, "deprecated": True},
        ],
    }
    base.update(overrides)
    return base


def test_catalog_signs_match_by_identity() -> None:
    ev = evidence_from(context())
    assert "removed" in (catalog_sign(ev, "claude-3-opus-20240229", TODAY) or "")
    assert "missing from OpenRouter" in (catalog_sign(ev, "Qwen/Qwen2.5-72B-Instruct", TODAY) or "")
    assert "expired on 2026-11-01" in (catalog_sign(ev, "gemini-2.0-flash-001", TODAY) or "")
    assert catalog_sign(ev, "gemini-2.5-pro", TODAY) is None  # expires later: not a deprecation sign
    assert catalog_sign(ev, "claude-3-opus-4", TODAY) is None  # another identity, never a substring match


def test_retiring_soon_lists_enabled_models_expiring_within_30_days() -> None:
    ev = evidence_from(context())
    assert ev.lifecycle is not None
    (retiring,) = retirements(ev.lifecycle, catalog_expirations(ev), TODAY, lambda p, m: None)
    assert (retiring.key, retiring.date, retiring.source) == (
        "vertex:gemini-2.5-pro",
        dt.date(2026, 12, 6),
        "OpenRouter's expiration date",
    )


def test_stale_discovery() -> None:
    assert stale_discovery(evidence_from(context()), NOW) is None
    old = evidence_from(context(last_complete_fetch=NOW - dt.timedelta(hours=49)))
    assert "49 h old" in (stale_discovery(old, NOW) or "")
    never = evidence_from(context(last_complete_fetch=None))
    assert stale_discovery(never, NOW) is None  # never ran: a note, not a warning


def test_hostile_catalog_ids_are_made_safe() -> None:
    ev = evidence_from(context(catalog_flags=[{"openrouter_id": "\x1b]0;owned\x07evil/model", "removed_at": NOW}]))
    sign = catalog_sign(ev, "model", TODAY)
    assert sign is not None and "evil/model" in sign
    assert "\x1b" not in sign and "\x07" not in sign
