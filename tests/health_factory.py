"""Build HealthFacts for tests from compact (provider, model, kind, count, sample) tuples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from api.llm_bench.health.facts import HealthFacts, Window, shape_facts

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone.utc)
WINDOW = Window(NOW - dt.timedelta(days=1), NOW)


def facts(errors: Sequence[tuple[str, str, str, int, str]] = (), ok: Sequence[tuple[str, str, int]] = (),
          patterns: Sequence[dict[str, Any]] = ()) -> HealthFacts:
    error_rows = [{"provider": p, "model": m, "kind": k, "count": n, "last_error": NOW - dt.timedelta(hours=1),
                   "sample": s} for p, m, k, n, s in errors]
    success_rows = [{"provider": p, "model": m, "count": n, "last_success": NOW} for p, m, n in ok]
    return shape_facts(WINDOW, error_rows, success_rows, list(patterns))
