"""Build HealthFacts for tests from compact tuples, the way the job builds them.

Errors are given as (provider, model, kind, count, message): the pattern carries the classified
`kind` given, and the kind the benchmark writer would have stored for that message (status only).
New patterns are given as rollup-shaped dicts, read as the job reads rollups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from api.llm_bench.classify.writer import fingerprint, normalize_message, status_kind
from api.llm_bench.health.classification import ClassifiedPattern, rollup_patterns
from api.llm_bench.health.facts import HealthFacts, Window, shape_facts
from api.llm_bench.untrusted import safe_text

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
WINDOW = Window(NOW - dt.timedelta(days=1), NOW)


def pattern(
    provider: str, model: str, kind: str, count: int, message: str, *, source: str = "rule:test", new: bool = False
) -> ClassifiedPattern:
    stored = status_kind(message)
    provider, model = safe_text(provider, 120), safe_text(model, 120)
    return ClassifiedPattern(
        "current",
        provider,
        model,
        fingerprint(provider, model, normalize_message(message)),
        stored,
        kind,
        source if kind != stored else "stored",
        count,
        NOW - dt.timedelta(hours=2),
        NOW - dt.timedelta(hours=1),
        safe_text(message, 300),
        new,
    )


def facts(
    errors: Sequence[tuple[str, str, str, int, str]] = (),
    ok: Sequence[tuple[str, str, int]] = (),
    patterns: Sequence[dict[str, Any]] = (),
) -> HealthFacts:
    error_patterns = [pattern(p, m, k, n, s) for p, m, k, n, s in errors]
    success_rows = [{"provider": p, "model": m, "count": n, "last_success": NOW} for p, m, n in ok]
    rollups = [{"fingerprint": f"rollup-{i}", **row} for i, row in enumerate(patterns)]
    new = tuple(rollup_patterns(rollups, WINDOW.start, set()))
    return shape_facts(WINDOW, error_patterns, success_rows, new)
