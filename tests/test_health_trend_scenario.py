"""Fourteen recorded days through the real CLI (`--as-of` is the clock, real msmtp into a local
sink so every daily run is recorded): coverage decays slowly, one model every other day, with no
bad single day; the trend finding rises only when the decay crosses its threshold, the mail's
sparklines show it, and `history` prints the days as a table and as JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from smtp_sink import SMTPSink
from test_health_fleet_scenarios import DAY, enabled, ok
from typer.testing import CliRunner

from api.llm_bench import repository
from api.llm_bench.health.cli import app
from api.llm_bench.health.trend import BLOCKS
from api.llm_bench.repository.health import insert_documents

runner = CliRunner()
START = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)  # the first daily run's end
DAYS = [START + n * DAY for n in range(14)]
FLEET = [("openai", f"gpt-{n}") for n in range(10)] + [("groq", f"llama-{n}") for n in range(10)]
STOPS = {FLEET[3]: DAYS[9], FLEET[12]: DAYS[11], FLEET[17]: DAYS[13]}  # stops a day before these runs


@pytest.fixture
def cli(mongo_uri: str, db_name: str, smtp: SMTPSink, msmtp_binary: str, tmp_path: Path) -> Callable[..., Any]:
    env = {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "NOTIFY_EMAIL": "ops@example.test",
        "MSMTP_PATH": msmtp_binary,
        "MSMTP_CONFIG": str(smtp.msmtprc(tmp_path)),
    }

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


def blocks(line: str) -> list[int]:
    return [BLOCKS.index(c) for c in line if c in BLOCKS]


def test_slow_coverage_decay_is_a_trend_finding(
    store: repository.Store, cli: Callable[..., Any], smtp: SMTPSink
) -> None:
    successes = []
    for provider, model in FLEET:
        stop = STOPS.get((provider, model), DAYS[-1] + DAY) - DAY  # nothing in the window of that run
        successes += ok(provider, model, START - 2 * DAY, stop, dt.timedelta(hours=3))
    insert_documents(store, {"models": enabled(*FLEET), "successes": successes})

    reports = [json.loads(cli("--no-ai", "--format", "json", "--as-of", day.isoformat())) for day in DAYS]
    measured = [r["coverage"]["measured"] for r in reports]
    assert measured == [20] * 9 + [19, 19, 18, 18, 17]  # one model every other day, never a big step
    assert all(r["status"] != "critical" for r in reports)  # no bad single day
    trend = [[f["key"] for f in r["trend_findings"]] for r in reports]
    assert trend[:13] == [[]] * 13  # day 12: 100% a week before, 90% now — 10 points is not more than 10
    assert trend[13] == ["trend:coverage"]  # 100% → 85% in 7 days
    last = reports[-1]
    assert any(r.startswith("trend: coverage down 15 points in 7 days") for r in last["reasons"])
    assert last["status"] == "warning"
    assert last["trend"]["series"]["coverage"] == [1.0] * 9 + [0.95, 0.95, 0.9, 0.9, 0.85]
    assert len(last["trend"]["days"]) == 14 and last["trend"]["days"][0] == "2026-11-01"
    items = last["digest"]["action_items"]
    assert [i["mark"] for i in items] == ["new", "new", "ongoing", "ongoing"]  # NEW first
    assert {i["key"] for i in items} >= {"trend:coverage", "model:groq:llama-7"}

    mail = smtp.delivered[-1].text()
    head = mail.split("Details below.", 1)[0]
    assert "trend: coverage down 15 points in 7 days" in head  # on the first screen
    coverage = next(line for line in mail.splitlines() if line.startswith("coverage "))
    drawn = blocks(coverage)
    assert len(drawn) == 14 and drawn[0] == 7 and drawn[-1] < drawn[9] < drawn[8] and coverage.endswith("85%")
    assert drawn == sorted(drawn, reverse=True)  # it only goes down
    assert "Trend, 14 daily runs 11-01 → 11-14" in mail

    cli("--no-ai", "--days", "0.25", "--as-of", (DAYS[-1] + dt.timedelta(hours=3)).isoformat())  # a manual run

    table = cli("history", "--days", "30", "--as-of", (DAYS[-1] + dt.timedelta(hours=4)).isoformat())
    rows = [line for line in table.splitlines() if line.startswith("2026-11-")]
    assert len(rows) == 14 and "manual" not in table
    assert rows[0].split() == ["2026-11-01", "HEALTHY", "20/20", "160", "0", "0.0%", "-"]
    assert rows[-1].split()[:3] == ["2026-11-14", "WARNING", "17/20"]
    assert "trend: coverage down 15 points" in rows[-1]
    assert table.splitlines()[0] == "Health check history: 14 daily runs, 2026-10-15 → 2026-11-14"

    everything = cli("history", "--all", "--as-of", (DAYS[-1] + dt.timedelta(hours=4)).isoformat())
    assert "2026-11-14 manual 6h" in everything

    data = json.loads(
        cli("history", "--days", "30", "--format", "json", "--as-of", (DAYS[-1] + dt.timedelta(hours=4)).isoformat())
    )
    assert [r["date"] for r in data["runs"]] == [d.date().isoformat() for d in DAYS]
    assert [r["coverage"]["measured"] for r in data["runs"]] == measured
    assert all(r["daily"] for r in data["runs"]) and data["include_manual"] is False
    assert data["runs"][-1]["status"] == "warning" and data["runs"][-1]["error_rate"] == 0.0

    week = cli("history", "--days", "7", "--as-of", (DAYS[-1] + dt.timedelta(hours=4)).isoformat())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("Fourteen days of slow decay", 1)[1].split("```\n", 2)[1]
    assert week == shown  # the README's example is this scenario's output
    trend = readme.split("Trend, 14 daily runs", 1)[1].split("```", 1)[0]
    assert "Trend, 14 daily runs" + trend in mail
