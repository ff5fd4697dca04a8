"""What the catalog and the run ledger add to a health window: second signals and staleness.

OpenRouter's catalog (kept by the discovery job) says when a model went missing, was removed
or has an expiration date. Matched to the benchmark's models by normalised identity (the same
`identity` discovery uses), that makes "likely deprecated" more certain, lists models that are
"retiring soon" before they start failing, and a stale last fetch is itself a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..identity import identity
from ..untrusted import safe_text
from .lifecycle import Lifecycle, lifecycle_from

STALE_FETCH = dt.timedelta(hours=48)


@dataclass(frozen=True)
class CatalogFlag:
    openrouter_id: str
    missing_since: dt.datetime | None
    removed_at: dt.datetime | None
    expires: dt.date | None


@dataclass(frozen=True)
class Evidence:
    previous_run: Mapping[str, Any] | None
    last_complete_fetch: dt.datetime | None
    flags: Mapping[str, CatalogFlag]  # by identity
    models: tuple[tuple[str, str], ...]  # (provider, model_id) enabled and not deprecated
    lifecycle: Lifecycle | None = None  # what the model sources say (discovery's provider_models)
    stage: Callable[[str, str], str | None] = lambda provider, model_id: None  # a staging command
    context_models: tuple[Mapping[str, Any], ...] = ()  # the `models` list as read (each with its last success)
    sources: tuple[Mapping[str, Any], ...] = ()  # model-source fetches: last attempt and last complete
    misdated_errors: tuple[int, int] = (0, 0)  # error documents no window holds: (dated in the future, `ts` as text)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def evidence_from(
    context: Mapping[str, Any], stage: Callable[[str, str], str | None] = lambda provider, model_id: None
) -> Evidence:
    flags = {}
    for doc in context.get("catalog_flags", []):
        openrouter_id = str(doc.get("openrouter_id") or "")
        if openrouter_id:
            flags[identity(openrouter_id)] = CatalogFlag(
                safe_text(openrouter_id, 120),
                doc.get("missing_since"),
                doc.get("removed_at"),
                _date(doc["expiration_date"]) if doc.get("expiration_date") else None,
            )
    models = tuple(
        (str(m.get("provider")), str(m.get("model_id")))
        for m in context.get("models", [])
        if m.get("model_id") and m.get("enabled") is True and m.get("deprecated") is not True
    )
    misdated = context.get("misdated_errors") or {}
    return Evidence(
        context.get("previous_run"),
        context.get("last_complete_fetch"),
        flags,
        models,
        lifecycle_from(context),
        stage,
        tuple(m for m in context.get("models", []) if isinstance(m, Mapping)),
        tuple(s for s in context.get("sources", []) if isinstance(s, Mapping)),
        (_count(misdated.get("future")), _count(misdated.get("text"))),
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def misdated_note(evidence: Evidence) -> str | None:
    """A note when error documents are dated in the future or carry `ts` as text: no window
    counts them, so the report says how many it could not place."""
    future, text = evidence.misdated_errors
    parts = [f"{future} dated in the future"] if future else []
    parts += [f"{text} with `ts` stored as text"] if text else []
    if not parts:
        return None
    return (
        f"Error documents outside every window, not counted: {' and '.join(parts)} "
        "(check the benchmark writers' clock and the type of `ts`)."
    )


def catalog_sign(evidence: Evidence, model_id: str, today: dt.date) -> str | None:
    """Why the catalog agrees a model is going away, or None."""
    flag = evidence.flags.get(identity(model_id))
    if flag is None:
        return None
    if flag.removed_at:
        return f"OpenRouter removed {flag.openrouter_id} on {flag.removed_at:%Y-%m-%d}"
    if flag.expires and flag.expires <= today:
        return f"{flag.openrouter_id} expired on {flag.expires.isoformat()} (OpenRouter)"
    if flag.missing_since:
        return f"{flag.openrouter_id} missing from OpenRouter since {flag.missing_since:%Y-%m-%d %H:%M} UTC"
    return None


def catalog_expirations(evidence: Evidence) -> list[tuple[str, str, dt.date]]:
    """(provider, model_id, date) of the benchmark models OpenRouter gives an expiration date."""
    found = []
    for provider, model_id in evidence.models:
        flag = evidence.flags.get(identity(model_id))
        if flag and flag.expires:
            found.append((safe_text(provider, 120), safe_text(model_id, 120), flag.expires))
    return found


NO_DISCOVERY_NOTE = (
    "No complete discovery fetch is recorded yet, so the catalog adds no evidence "
    "(run `llm-discovery fetch` or enable its timer)."
)


def discovery_note(evidence: Evidence) -> str | None:
    """A note, said once (the previous run did not say it), when discovery has never completed a fetch."""
    if evidence.last_complete_fetch is not None:
        return None
    said = (evidence.previous_run or {}).get("notes")
    return None if isinstance(said, list) and NO_DISCOVERY_NOTE in said else NO_DISCOVERY_NOTE


def stale_discovery(evidence: Evidence, now: dt.datetime) -> str | None:
    """A warning when the last complete discovery fetch is older than 48 hours (a fetch that
    happened and stopped); a deployment where discovery never ran gets `discovery_note` instead."""
    last = evidence.last_complete_fetch
    if last is None:
        return None
    if now - last > STALE_FETCH:
        hours = (now - last).total_seconds() / 3600
        return f"the last complete discovery fetch is {hours:.0f} h old ({last:%Y-%m-%d %H:%M} UTC)"
    return None
