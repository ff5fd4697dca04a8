"""The trend rules and sparklines on their own: series read defensively from ledger rows, the
coverage decay threshold, a provider's error rate rising day after day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from health_factory import NOW, facts

from api.llm_bench.health.assess import Status, assess
from api.llm_bench.health.fleet import judge
from api.llm_bench.health.trend import TREND_RUNS, coverage_sparkline, point_from_row, sparkline, trend_from

DAY = dt.timedelta(days=1)


def row(days_back: int, ok: int = 100, errors: int = 0, **extra: Any) -> dict[str, Any]:
    end = NOW - days_back * DAY
    return {
        "finished_at": end,
        "window": {"start": end - DAY, "end": end, "hours": 24.0},
        "status": "healthy",
        "totals": {"successes": ok, "errors": errors},
        **extra,
    }


def test_sparklines() -> None:
    assert sparkline([0.0, 0.5, 1.0]) == "▁▅█"
    assert sparkline([None, 0.2, 0.2]) == "·██"
    assert sparkline([0.0, 0.0]) == "▁▁"
    assert coverage_sparkline([1.0, 0.75, 0.5]) == "█▅▁"
    assert coverage_sparkline([1.0, 0.0]) == "█▁"  # below the floor: the floor moves down


def test_ledger_rows_are_read_as_data() -> None:
    assert point_from_row({"window": "x", "totals": {}}) is None
    assert point_from_row(row(1, ok=-3)) is None
    assert point_from_row({**row(1), "totals": {"successes": True, "errors": 0}}) is None
    point = point_from_row(
        row(
            1,
            coverage={"enabled": 10, "measured": "9"},
            providers=[{"provider": "\x1b[31mevil", "successes": 5, "errors": 1}, "junk", {"provider": "x"}],
            status="$where",
        )
    )
    assert point is not None and point.coverage is None and point.status == "unknown"
    assert len(point.providers) == 1 and point.providers[0][1:] == (5, 1) and "\x1b" not in point.providers[0][0]


def test_coverage_down_more_than_ten_points_in_a_week() -> None:
    today = facts(ok=[("openai", "gpt-4o", 100)])
    rows = [row(d, coverage={"enabled": 20, "measured": 20}) for d in range(1, 8)]
    fleet = judge(
        today,
        [{"provider": "openai", "model_id": f"m{i}", "enabled": True} for i in range(19)]
        + [{"provider": "openai", "model_id": "gpt-4o", "enabled": True}],
        None,
        (),
        {},
        (),
    )
    assert (fleet.coverage.measured, fleet.coverage.enabled) == (1, 20)
    trend = trend_from(rows, today, fleet)
    assert [f.key for f in trend.findings] == ["trend:coverage"]
    assert "coverage down 95 points in 7 days" in trend.findings[0].detail
    # two days of history are not a trend yet
    assert trend_from(rows[:2], today, fleet).findings == ()


def test_a_provider_error_rate_rising_every_day_is_a_warning_of_its_own() -> None:
    def provider(errors: int) -> list[dict[str, Any]]:
        return [{"provider": "groq", "successes": 100 - errors, "errors": errors}]

    rows = [row(3, providers=provider(2)), row(2, providers=provider(4)), row(1, providers=provider(6))]
    today = facts(errors=[("groq", "llama", "rate_limit", 9, "429 slow down")], ok=[("groq", "llama", 91)])
    trend = trend_from(rows, today, None)
    assert [f.key for f in trend.findings] == ["trend:provider:groq"]
    assert "groq's error rate rose on each of the last 3 daily runs (2% → 4% → 6% → 9%)" in trend.findings[0].detail
    assert trend.providers == ("groq",)
    a = assess(today, trend=trend)
    assert a.status is Status.WARNING  # 9 % on its own is no finding: the trend is
    assert a.reasons == ("trend: " + trend.findings[0].detail,)
    assert a.recommended_actions[-1].startswith("Look at groq before it fails")
    # a dip breaks the run; a rise of less than 5 points is noise
    dip = [row(3, providers=provider(2)), row(2, providers=provider(7)), row(1, providers=provider(6))]
    assert trend_from(dip, today, None).findings == ()
    small = [row(3, providers=provider(6)), row(2, providers=provider(7)), row(1, providers=provider(8))]
    assert trend_from(small, today, None).findings == ()
    assert assess(today).status is Status.HEALTHY


def test_the_trend_is_the_last_daily_runs_before_the_window_end() -> None:
    today = facts(ok=[("openai", "gpt-4o", 100)])
    rows = [row(d) for d in range(0, 30)]  # one at the same end (a replay) is not history
    trend = trend_from(rows, today, None)
    assert len(trend.points) == TREND_RUNS and trend.points[-1].today
    assert trend.points[-2].end == NOW - DAY and trend.points[0].end == NOW - (TREND_RUNS - 1) * DAY
    assert trend.to_dict()["series"]["error_rate"] == [0.0] * TREND_RUNS
