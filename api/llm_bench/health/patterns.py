"""Error messages reduced to templates, so messages that differ only in ids, numbers,
timestamps or keys group together: one outage is one line in the email, not fifty.

`template` (api/llm_bench/message_keys.py) replaces the variable parts with placeholders (<id>,
<n>, <time>, <key>…) before grouping; `collapse` merges new patterns that share provider, kind
and the template of their whole text (never of a sample cut to a length).
"""

from __future__ import annotations

from dataclasses import replace

from ..message_keys import template
from .classification import ClassifiedPattern

__all__ = ["collapse", "template"]


def collapse(patterns: tuple[ClassifiedPattern, ...]) -> tuple[ClassifiedPattern, ...]:
    """Merge patterns with the same provider, kind and template; most frequent first.

    The merged pattern keeps the earliest first-seen time and the first sample; `models` lists
    every model it spans (its `label` reads "<first model> +N more").
    """
    groups: dict[tuple[str, str, str], list[ClassifiedPattern]] = {}
    for p in patterns:
        groups.setdefault((p.provider, p.kind, p.shape or template(p.sample)), []).append(p)
    merged = []
    for members in groups.values():
        models = tuple(dict.fromkeys(model for m in members for model in m.all_models))
        seen = [m.first_error for m in members if m.first_error is not None]
        merged.append(
            replace(
                members[0],
                model=models[0],
                models=models,
                count=sum(m.count for m in members),
                first_error=min(seen) if seen else None,
            )
        )
    return tuple(sorted(merged, key=lambda p: (-p.count, p.provider, p.model)))
