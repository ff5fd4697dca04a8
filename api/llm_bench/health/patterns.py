"""Error messages reduced to templates, so messages that differ only in ids, numbers,
timestamps or keys group together: one outage is one line in the email, not fifty.

`template` replaces the variable parts with placeholders (<id>, <n>, <time>, <key>…) before
grouping; `collapse` merges new patterns that share provider, kind and template.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..untrusted import REDACTED
from .classification import ClassifiedPattern

# Order matters: whole timestamps and structured ids before bare numbers.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(re.escape(REDACTED)), "<key>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<id>"),
    (re.compile(r"\b(?:req|request|org|msg|chatcmpl|run|call|resp|trace|user|sess)[_-][A-Za-z0-9_-]{6,}"), "<id>"),
    (re.compile(r"\b[0-9a-f]{16,}\b", re.I), "<id>"),
    (re.compile(r"\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{20,}\b"), "<id>"),
    (re.compile(r"\d+(?:[.,]\d+)*(?:ms|s|m|h)?\b"), "<n>"),
)


def template(message: str) -> str:
    """The message with its variable parts replaced, whitespace folded."""
    for pattern, placeholder in _RULES:
        message = pattern.sub(placeholder, message)
    return " ".join(message.split())


def collapse(patterns: tuple[ClassifiedPattern, ...]) -> tuple[ClassifiedPattern, ...]:
    """Merge patterns with the same provider, kind and template; most frequent first.

    The merged pattern keeps the earliest first-seen time and the first sample; when it spans
    several models its model reads "<first model> +N more".
    """
    groups: dict[tuple[str, str, str], list[ClassifiedPattern]] = {}
    for p in patterns:
        groups.setdefault((p.provider, p.kind, template(p.sample)), []).append(p)
    merged = []
    for members in groups.values():
        models = list(dict.fromkeys(m.model for m in members))
        label = models[0] if len(models) == 1 else f"{models[0]} +{len(models) - 1} more"
        seen = [m.first_error for m in members if m.first_error is not None]
        merged.append(
            replace(
                members[0], model=label, count=sum(m.count for m in members), first_error=min(seen) if seen else None
            )
        )
    return tuple(sorted(merged, key=lambda p: (-p.count, p.provider, p.model)))
