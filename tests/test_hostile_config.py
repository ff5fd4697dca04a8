"""Hostile configuration never ends in a traceback or blames the wrong thing: a NUL byte in `.env`,
timeouts beyond what the drivers accept, a deleted working directory, an unescaped `@` in the
MongoDB password and an msmtp that cannot be started each end in one line naming the right
variable, with a documented exit status (3, or 5 with the report printed)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from api.llm_bench import repository
from api.llm_bench.exit_codes import ExitStatus
from api.llm_bench.health.cli import app
from api.llm_bench.health.demo import demo_day
from api.llm_bench.repository.health import insert_documents

runner = CliRunner()
HEALTH = str(Path(sys.executable).parent / "llm-health-check")
DISCOVERY = str(Path(sys.executable).parent / "llm-discovery")


def one_line_error(output: str) -> str:
    assert "Traceback" not in output
    (line,) = output.strip().splitlines()
    assert line.startswith("error: ")
    return line


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"MONGODB_URI=mongodb://127.0.0.1:1/\nOPENAI_API_KEY=sk-a\x00b\n", "line 2: OPENAI_API_KEY contains a NUL"),
        (b"MONGODB_URI=mongodb://127.0.0.1:1/\n# a comment \x00\n", "line 2: the line contains a NUL"),
        (b'NOTIFY_EMAIL="ops@example.test\x00"\n', "line 1: NOTIFY_EMAIL contains a NUL"),
    ],
)
def test_a_nul_byte_in_env_is_one_line_naming_the_variable(tmp_path: Path, content: bytes, named: str) -> None:
    (tmp_path / ".env").write_bytes(content)
    result = subprocess.run([HEALTH, "--dry-run", "--no-ai"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == ExitStatus.CONFIG_ERROR
    assert named in one_line_error(result.stderr)
    assert "sk-a" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OPENAI_TIMEOUT", "1e12"),
        ("OPENAI_TIMEOUT", "86400.5"),
        ("MONGODB_TIMEOUT_MS", "100000000000000"),
        ("MONGODB_TIMEOUT_MS", "1000000000"),
    ],
)
def test_a_timeout_beyond_a_day_names_its_own_variable(variable: str, value: str, mongo_uri: str) -> None:
    result = runner.invoke(app, ["--dry-run", "--no-ai"], env={"MONGODB_URI": mongo_uri, variable: value})
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    line = one_line_error(result.output)
    assert line.startswith(f"error: {variable} must be at most ") and "MONGODB_URI" not in line


def test_the_largest_timeouts_still_work(store: repository.Store, mongo_uri: str, db_name: str) -> None:
    insert_documents(store, demo_day(dt.datetime.now(dt.UTC)))
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DB": db_name, "MONGODB_TIMEOUT_MS": "86400000", "OPENAI_TIMEOUT": "86400"}
    assert runner.invoke(app, ["--dry-run", "--no-ai"], env=env).exit_code == 0


@pytest.mark.parametrize("command", [[HEALTH, "--dry-run", "--no-ai"], [DISCOVERY, "stats"]])
def test_a_deleted_working_directory_is_a_config_error(tmp_path: Path, command: list[str]) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    result = subprocess.run(
        ["sh", "-c", script, "sh", str(gone), *command],
        env={**os.environ, "MONGODB_URI": "mongodb://127.0.0.1:1/"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitStatus.CONFIG_ERROR, result.stderr
    assert "working directory cannot be read" in one_line_error(result.stderr)


@pytest.mark.parametrize(
    "uri",
    [
        "mongodb://bench:Sec@r3t/pass@127.0.0.1:1/",  # the driver would try the host "r3t"
        "mongodb://bench:Sec@r3t@127.0.0.1:1/?authSource=admin",
        "mongodb+srv://bench:S@cr3t:99@cluster0.example.test/",
    ],
)
def test_more_than_one_at_sign_in_the_authority_is_refused(uri: str) -> None:
    result = runner.invoke(app, ["--dry-run", "--no-ai"], env={"MONGODB_URI": uri})
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    line = one_line_error(result.output)
    assert "more than one '@'" in line and "%40" in line
    assert "r3t" not in line and "Sec" not in line


def test_an_at_sign_in_the_options_still_works(store: repository.Store, mongo_uri: str, db_name: str) -> None:
    insert_documents(store, demo_day(dt.datetime.now(dt.UTC)))
    uri = mongo_uri + ("&" if "?" in mongo_uri else "?") + "appname=ops@host"
    result = runner.invoke(app, ["--dry-run", "--no-ai"], env={"MONGODB_URI": uri, "MONGODB_DB": db_name})
    assert result.exit_code == 0, result.output


@pytest.fixture
def not_executable_format(tmp_path: Path) -> Path:
    """An executable file the kernel cannot run: execve fails with ENOEXEC."""
    path = tmp_path / "msmtp"
    path.write_bytes(b"\x7fELF\x00garbage")
    path.chmod(0o755)
    return path


def test_an_msmtp_that_cannot_start_is_mail_failed_with_the_report_printed(
    store: repository.Store, mongo_uri: str, db_name: str, not_executable_format: Path
) -> None:
    insert_documents(store, demo_day(dt.datetime.now(dt.UTC)))
    env = {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "NOTIFY_EMAIL": "ops@example.test",
        "MSMTP_PATH": str(not_executable_format),
    }
    result = runner.invoke(app, ["--no-ai"], env=env)
    assert result.exit_code == ExitStatus.MAIL_FAILED, result.output
    assert "Subject: [" in result.stdout and "=== Raw metrics ===" in result.stdout
    assert "msmtp could not be started" in result.stderr and "Exec format error" in result.stderr
    latest = store.coll("health_runs").find_one(sort=[("finished_at", -1)])
    assert latest is not None and latest["mail"]["sent"] is False


def test_the_crash_alert_is_printed_when_msmtp_cannot_start(tmp_path: Path, not_executable_format: Path) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in ("journalctl", "systemctl"):
        (tools / name).write_text("#!/bin/sh\nexit 0\n")
        (tools / name).chmod(0o755)
    env = {
        "PATH": os.environ["PATH"],
        "JOURNALCTL_PATH": str(tools / "journalctl"),
        "SYSTEMCTL_PATH": str(tools / "systemctl"),
        "NOTIFY_EMAIL": "oncall@example.test",
        "MSMTP_PATH": str(not_executable_format),
    }
    result = subprocess.run(
        [sys.executable, "-m", "api.llm_bench.crash_alert", "--", "llm-health-check.service"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitStatus.MAIL_FAILED, result.stderr
    assert "Subject: [CRITICAL]" in result.stdout
    assert "msmtp could not be started" in one_line_error(result.stderr)
