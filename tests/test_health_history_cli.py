"""`llm-health-check history`: bad options are usage errors, an empty ledger says so, and ledger
documents are read as data (wrong types skipped, labels cleaned)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from api.llm_bench import repository
from api.llm_bench.exit_codes import ExitStatus
from api.llm_bench.health.cli import app
from api.llm_bench.repository.health_runs import record_run

runner = CliRunner()
END = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "args",
    [["--days", "0"], ["--days", "400"], ["--format", "xml"], ["--as-of", "2999-01-01T00:00"], ["--as-of", "soon"]],
)
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    result = runner.invoke(app, ["history", *args])
    assert result.exit_code == ExitStatus.USAGE, result.output


def test_an_empty_ledger_says_so(store: repository.Store, mongo_uri: str, db_name: str) -> None:
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DB": db_name}
    result = runner.invoke(app, ["history", "--days", "7", "--as-of", END.isoformat()], env=env)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == "Health check history: 0 daily runs, 2026-11-13 → 2026-11-20\n(no run recorded in this span)\n"
    )


def test_ledger_documents_are_data(store: repository.Store, mongo_uri: str, db_name: str) -> None:
    good = {
        "finished_at": END,
        "daily": True,
        "window": {"start": END - dt.timedelta(days=1), "end": END, "hours": 24.0},
        "status": "critical",
        "totals": {"successes": 90, "errors": 10},
        "coverage": {"enabled": 4, "measured": 3},
        "problems": [{"key": "provider:x", "label": "x: \x1b[31mauth broken\x1b[0m\nrm -rf /"}, "junk"],
    }
    record_run(store, good)
    record_run(store, {**good, "finished_at": END - dt.timedelta(hours=1), "totals": {"successes": "many"}})
    record_run(store, {"finished_at": END - dt.timedelta(hours=2), "daily": True, "window": "yesterday"})
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DB": db_name}
    text = runner.invoke(app, ["history", "--days", "2", "--as-of", END.isoformat()], env=env)
    assert text.exit_code == 0, text.output
    rows = [line for line in text.stdout.splitlines() if line.startswith("2026-")]
    assert len(rows) == 1 and "\x1b" not in text.stdout and "\nrm" not in text.stdout
    assert rows[0].split()[:6] == ["2026-11-20", "CRITICAL", "3/4", "90", "10", "10.0%"]
    data = json.loads(
        runner.invoke(app, ["history", "--days", "2", "--format", "json", "--as-of", END.isoformat()], env=env).stdout
    )
    assert [r["error_rate"] for r in data["runs"]] == [0.1]
