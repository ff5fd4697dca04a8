"""Error patterns of a window with the kind each one really is.

The writer's stored `error_kind` only reflects an HTTP status found in the text, so every
pattern row that MongoDB grouped is classified here from its own text (`classify`), then from
this toolkit's cache of earlier AI answers: a cached answer, `unknown` included, is honoured for
AI_CACHE_TTL after it was made, and only where the text's own evidence abstains (structured
evidence and phrases beat a cached answer). What is still `unknown` and not answered within the
TTL is the residue an AI is asked about (`ai_kinds`): patterns never asked first, then those
whose answer expired, oldest first. Texts are made safe here, once, before anything shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..classify import Classification, LLMVerdict, classify, clean_kind
from ..classify.writer import status_kind
from ..message_keys import shown_key, template
from ..untrusted import safe_text

SAMPLE_CHARS = 300
NAME_CHARS = 120
AI_CACHE_DAYS = 30
AI_CACHE_TTL = dt.timedelta(days=AI_CACHE_DAYS)


@dataclass(frozen=True)
class ClassifiedPattern:
    period: str  # "current" or "previous"
    provider: str
    model: str
    fingerprint: str
    stored_kind: str
    kind: str
    source: str  # one of classify.KIND_SOURCES
    count: int
    first_error: dt.datetime | None
    last_error: dt.datetime | None
    sample: str  # made safe; the original message when the writer kept it
    new: bool  # its fingerprint first occurred inside the window
    unreadable: int = 0  # documents whose message could not be read as text
    shape: str = ""  # the template of the whole text (message_keys.template): what merging compares
    models: tuple[str, ...] = ()  # a merged new pattern: every model it spans, `model` first
    asked_at: dt.datetime | None = None  # when the AI last answered for this fingerprint (any age)

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.model}"

    @property
    def all_models(self) -> tuple[str, ...]:
        return self.models or (self.model,)

    @property
    def label(self) -> str:
        """The model for a line of text: "<model>", or "<first model> +N more" when merged."""
        others = len(self.all_models) - 1
        return f"{self.model} +{others} more" if others else self.model

    @property
    def reclassified(self) -> bool:
        return self.kind != self.stored_kind

    def to_dict(self) -> dict[str, Any]:
        """The one serialisation of a pattern (JSON output and the AI prompt)."""
        return {
            "provider": self.provider,
            "model": self.model,
            "models": list(self.all_models),
            "fingerprint": self.fingerprint,
            "kind": self.kind,
            "stored_kind": self.stored_kind,
            "kind_source": self.source,
            "count": self.count,
            "first_seen": self.first_error.isoformat() if self.first_error else None,
            "last_error": self.last_error.isoformat() if self.last_error else None,
            "sample": self.sample,
        }


def _name(value: Any) -> str:
    return safe_text(value, NAME_CHARS) or "unknown"


def _asked_at(row: Mapping[str, Any]) -> dt.datetime | None:
    cached = row.get("cached")
    at = cached.get("at") if isinstance(cached, Mapping) else None
    return at if isinstance(at, dt.datetime) and at.tzinfo is not None else None


def _decide(row: Mapping[str, Any], now: dt.datetime | None) -> Classification:
    text = str(row.get("text") or "")
    llm = row.get("llm")
    if llm and llm.get("rollup") and clean_kind(llm.get("kind")) == status_kind(text):
        llm = None  # a new occurrence may have set the rollup's kind back to the status-only one
    decided = classify(
        provider=str(row.get("provider") or ""),
        message=text if row.get("original") else "",
        normalized_message=text.lower(),
        stored_kind=row.get("stored_kind"),
        http_status=row.get("http_status"),
        provider_error_code=row.get("provider_error_code"),
        llm=LLMVerdict(clean_kind(llm.get("kind")), float(llm.get("confidence") or 0.0)) if llm else None,
    )
    cached = row.get("cached")
    asked_at = _asked_at(row)
    fresh = asked_at is not None and (now is None or now - asked_at <= AI_CACHE_TTL)
    if decided.kind == "unknown" and isinstance(cached, Mapping) and fresh:
        return Classification(clean_kind(cached.get("kind")), 0.7, "cache")
    return decided


def classified(
    rows: Iterable[Mapping[str, Any]], start: dt.datetime, now: dt.datetime | None = None
) -> list[ClassifiedPattern]:
    """Classify the pattern rows of `repository.health.error_patterns`; cached AI answers count
    when made within AI_CACHE_TTL before `now` (the window's end)."""
    patterns = []
    for row in rows:
        decided = _decide(row, now)
        first = row.get("first_error")
        patterns.append(
            ClassifiedPattern(
                period=str(row.get("period") or "current"),
                provider=_name(row.get("provider")),
                model=_name(row.get("model")),
                fingerprint=str(row.get("fingerprint") or ""),
                stored_kind=clean_kind(row.get("stored_kind")),
                kind=decided.kind,
                source=decided.source,
                count=int(row.get("count") or 0),
                first_error=first,
                last_error=row.get("last_error"),
                sample=safe_text(row.get("text") or "", SAMPLE_CHARS),
                new=bool(row.get("keyed"))
                and not row.get("seen_before")
                and isinstance(first, dt.datetime)
                and first >= start,
                unreadable=int(row.get("unreadable") or 0),
                shape=template(row.get("text") or ""),
                asked_at=_asked_at(row),
            )
        )
    return patterns


def residue(patterns: Iterable[ClassifiedPattern]) -> list[ClassifiedPattern]:
    """Current patterns still `unknown` after rules and cache (a cached `unknown` within the TTL
    is an answer: not asked again), one per fingerprint. Never asked first, biggest first; then
    those whose answer expired, oldest answer first: beyond the per-run cap the tail is reached."""
    seen: dict[str, ClassifiedPattern] = {}
    for p in patterns:
        if (
            p.period == "current"
            and p.kind == "unknown"
            and p.source != "cache"
            and p.fingerprint
            and p.fingerprint not in seen
        ):
            seen[p.fingerprint] = p
    never = sorted((p for p in seen.values() if p.asked_at is None), key=lambda p: (-p.count, p.fingerprint))
    expired = sorted((p for p in seen.values() if p.asked_at is not None), key=lambda p: (p.asked_at, -p.count))
    return never + expired


def apply_cached(
    patterns: Iterable[ClassifiedPattern], cached: Mapping[str, Mapping[str, Any]], now: dt.datetime | None = None
) -> list[ClassifiedPattern]:
    """Patterns with cached AI kinds (by fingerprint) applied where they were unknown, when the
    answer was made within AI_CACHE_TTL before `now` (an `unknown` answer counts too)."""
    found = []
    for p in patterns:
        entry = cached.get(p.fingerprint)
        asked_at = _asked_at({"cached": entry}) if entry else None
        if p.kind == "unknown" and entry and asked_at:
            fresh = now is None or now - asked_at <= AI_CACHE_TTL
            p = replace(p, asked_at=asked_at)
            if fresh:
                p = replace(p, kind=clean_kind(entry.get("kind")), source="cache")
        found.append(p)
    return found


def apply_answers(patterns: Iterable[ClassifiedPattern], answers: Mapping[str, str]) -> list[ClassifiedPattern]:
    """Patterns with the AI's kinds (by fingerprint) applied where they were unknown."""
    return [
        replace(p, kind=answers[p.fingerprint], source="ai")
        if p.kind == "unknown" and answers.get(p.fingerprint, "unknown") != "unknown"
        else p
        for p in patterns
    ]


def rollup_patterns(rows: Iterable[Mapping[str, Any]], start: dt.datetime, known: set[str]) -> list[ClassifiedPattern]:
    """New patterns that only the rollups know of, read defensively (any field may be malformed)."""
    found = []
    for row in rows:
        raw_fingerprint = row.get("fingerprint")
        if not isinstance(raw_fingerprint, str) or raw_fingerprint in known:
            continue
        samples = row.get("sample_messages")
        sample = samples[0] if isinstance(samples, list) and samples else samples if isinstance(samples, str) else ""
        text = sample if isinstance(sample, str) else ""
        fingerprint = shown_key(raw_fingerprint, _name(row.get("provider")), _name(row.get("model_name")))
        count = row.get("count")
        count = count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else 0
        first = row.get("first_seen") if isinstance(row.get("first_seen"), dt.datetime) else start
        stored = clean_kind(row.get("error_kind"))
        decided = classify(
            provider=str(row.get("provider") or ""), message=text, normalized_message=text.lower(), stored_kind=stored
        )
        found.append(
            ClassifiedPattern(
                "current",
                _name(row.get("provider")),
                _name(row.get("model_name")),
                fingerprint,
                stored,
                decided.kind,
                decided.source,
                count,
                first,
                None,
                safe_text(text, SAMPLE_CHARS),
                True,
                shape=template(text),
            )
        )
        known.update((raw_fingerprint, fingerprint))
    return found
