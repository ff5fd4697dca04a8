"""The exit-status table: unique codes, every member documented, errors mapped to their status."""

from __future__ import annotations

import pytest

from api.llm_bench.errors import ConfigError, DatabaseUnavailable, MailFailed, OpsError
from api.llm_bench.exit_codes import ExitStatus, describe


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
