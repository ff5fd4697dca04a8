"""The exit-status table: unique codes, every member documented with the commands that use it,
the README in step, and errors mapped to their status."""

from __future__ import annotations

import pytest
from conftest import ROOT

from api.llm_bench.errors import ConfigError, DatabaseUnavailable, MailFailed, OpsError
from api.llm_bench.exit_codes import COMMANDS, FETCH, HEALTH, PROBE, REPORT, STATS, TABLE, ExitStatus, describe


def markdown_table() -> str:
    """The README's Exit codes table, as the code's table says it should read."""
    rows = ["| code | name | meaning | commands |", "| --- | --- | --- | --- |"]
    for status, (meaning, commands) in TABLE.items():
        used = "all" if commands == COMMANDS else ", ".join(f"`{c}`" for c in commands)
        rows.append(f"| {int(status)} | `{status.name}` | {meaning} | {used} |")
    return "\n".join(rows) + "\n"


def test_codes_are_unique() -> None:
    codes = [int(status) for status in ExitStatus]
    assert len(codes) == len(set(codes))
    assert ExitStatus.OK == 0
    assert ExitStatus.USAGE == 2  # click's own usage-error code


def test_describe_covers_every_member() -> None:
    rows = describe()
    assert [(code, name) for code, name, _ in rows] == [(int(s), s.name) for s in ExitStatus]
    for code, name, meaning in rows:
        assert meaning.strip(), f"{name} ({code}) has no description"
        assert "\n" not in meaning
    assert set(TABLE) == set(ExitStatus)
    assert all(set(commands) <= set(COMMANDS) and commands for _, commands in TABLE.values())


@pytest.mark.parametrize(
    ("command", "codes"),
    [
        (HEALTH, [0, 1, 2, 3, 4, 5, 9]),
        (FETCH, [0, 1, 2, 3, 4, 6, 7]),
        (REPORT, [0, 1, 2, 3, 4, 8]),
        (STATS, [0, 1, 2, 3, 4]),
        (PROBE, [0, 1, 2, 3, 4, 8]),
    ],
)
def test_each_command_lists_only_its_own_statuses(command: str, codes: list[int]) -> None:
    assert [code for code, _, _ in describe(command)] == codes


def test_readme_exit_codes_table_matches() -> None:
    assert markdown_table() in (ROOT / "README.md").read_text(), "README's Exit codes table drifted"


def test_the_operators_guide_lists_every_status() -> None:
    guide = (ROOT / "ops" / "README.md").read_text()
    for status in ExitStatus:
        assert f"| {int(status)} | {status.name} |" in guide, f"ops/README.md does not list {status.name}"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OpsError, ExitStatus.INTERNAL_ERROR),
        (ConfigError, ExitStatus.CONFIG_ERROR),
        (DatabaseUnavailable, ExitStatus.DATABASE_UNAVAILABLE),
        (MailFailed, ExitStatus.MAIL_FAILED),
    ],
)
def test_errors_carry_their_status(error: type[OpsError], status: ExitStatus) -> None:
    assert error("x").status is status


def test_an_error_status_can_be_overridden() -> None:
    error = OpsError("catalog fetch failed", ExitStatus.UPSTREAM_UNAVAILABLE)
    assert error.status is ExitStatus.UPSTREAM_UNAVAILABLE
    assert str(error) == "catalog fetch failed"
    assert ConfigError("x").status is ExitStatus.CONFIG_ERROR  # the class default is untouched
