"""Decide one error pattern's kind from the evidence, strongest first.

Order: an LLM classification of the pattern with confidence >= LLM_MIN_CONFIDENCE; then the
first matching text rule (`rules.RULES`); then the writer's stored kind; else "unknown".
A rule of kind "unknown" (a text known to carry no cause) still lets a stored status through:
it only stops the weaker rules after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import clean_kind
from .rules import first_match

LLM_MIN_CONFIDENCE = 0.8


@dataclass(frozen=True)
class LLMVerdict:
    """A classification made by an LLM for this pattern (a rollup's or the writer's copy)."""

    kind: str
    confidence: float


@dataclass(frozen=True)
class Classification:
    kind: str
    confidence: float
    source: str  # "rollup-llm", "rule:<id>", "stored", "ai", "cache" or "none"


def classify(
    *,
    provider: str,
    message: str,
    normalized_message: str = "",
    stored_kind: str | None = None,
    llm: LLMVerdict | None = None,
) -> Classification:
    """The kind of one pattern. `message` is the original text (may be empty), `normalized_message`
    the writer's lower-cased copy; both are read."""
    if llm is not None and clean_kind(llm.kind) != "unknown" and llm.confidence >= LLM_MIN_CONFIDENCE:
        return Classification(clean_kind(llm.kind), llm.confidence, "rollup-llm")
    rule = first_match(provider or "", message or "", normalized_message or "")
    if rule is not None and rule.kind != "unknown":
        return Classification(rule.kind, rule.confidence, f"rule:{rule.id}")
    stored = clean_kind(stored_kind)
    if stored != "unknown":
        return Classification(stored, 0.5, "stored")
    if rule is not None:
        return Classification("unknown", rule.confidence, f"rule:{rule.id}")
    return Classification("unknown", 0.0, "none")
