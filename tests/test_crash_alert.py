"""The crash notifier run exactly as the failure template runs it (a real subprocess), with
stand-in journalctl/systemctl scripts and the real msmtp delivering to a local SMTP sink.
A hostile unit name and secrets in the journal must arrive inert and redacted; `--help` is
help, not an alert; `--test` says it is a test."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from ops_tree import OPS, ROOT, TEMPLATE, read_unit
from test_unit_status import SHOWN, calls, stand_in

from api.llm_bench import crash_alert
from api.llm_bench.embedded import free_port
from api.llm_bench.exit_codes import ExitStatus
from api.llm_bench.unit_status import UnitStatus

OPENAI_KEY = "sk-proj-AbCdEf0123456789GhIjKlMnOpQrStUv"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
JOURNAL = [
    "2026-11-26T08:00:01+0000 host llm-health-check[42]: starting",
    f"2026-11-26T08:00:02+0000 host llm-health-check[42]: openai said: Incorrect API key provided: {OPENAI_KEY}",
    f"2026-11-26T08:00:03+0000 host llm-health-check[42]: boto {AWS_KEY} \x1b[31mred\x1b[0m \x07bell",
    "2026-11-26T08:00:04+0000 host systemd[1]: llm-health-check.service: Main process exited, status=4/NOPERMISSION",
]


@pytest.fixture
def tools(tmp_path: Path) -> dict[str, Path]:
    record = tmp_path / "argv.jsonl"
    return {
        "record": record,
        "journalctl": stand_in(tmp_path / "journalctl", record, "\n".join(JOURNAL) + "\n"),
        "systemctl": stand_in(tmp_path / "systemctl", record, (SHOWN / "exit-4.txt").read_text()),
    }


def _template_argv(unit: str) -> list[str]:
    """The template's ExecStart with %i filled in and the deployed venv's python swapped for ours."""
    (exec_start,) = read_unit(OPS / TEMPLATE)["Service"]["ExecStart"]
    argv = shlex.split(exec_start)
    assert argv == ["/opt/llm-bench-ops/.venv/bin/python", "-m", "api.llm_bench.crash_alert", "--", "%i"]
    return [sys.executable, *argv[1:4], unit]


def _run(
    unit: str, tools: dict[str, Path], *, argv: list[str] | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": os.environ["PATH"],
        "JOURNALCTL_PATH": str(tools["journalctl"]),
        "SYSTEMCTL_PATH": str(tools["systemctl"]),
        "NOTIFY_EMAIL": "",
        "MAIL_FROM": "",
        "MSMTP_PATH": "",
        "MSMTP_CONFIG": "",
    }
    return subprocess.run(
        argv or _template_argv(unit),
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_template_run_mails_a_redacted_alert_for_a_hostile_unit(tmp_path, tools, smtp, msmtp_binary) -> None:
    pwned = tmp_path / "pwned"
    unit = f"x'\";touch {pwned};$(touch {pwned})\nInjected: header.service"
    result = _run(
        unit,
        tools,
        NOTIFY_EMAIL="oncall@example.test",
        MSMTP_PATH=msmtp_binary,
        MSMTP_CONFIG=str(smtp.msmtprc(tmp_path)),
    )
    assert result.returncode == ExitStatus.OK, result.stderr
    assert not pwned.exists()

    (delivered,) = smtp.delivered
    assert delivered.recipients == ["oncall@example.test"]
    message = delivered.message
    subject = str(message["Subject"])
    assert subject.startswith("[CRITICAL] ") and subject.endswith(" failed")
    assert "\n" not in subject and "Injected" not in message
    assert f"x'\";touch {pwned};$(touch {pwned}) Injected: header.serv"[:100] in subject  # long tmp paths are cut
    body = delivered.text()  # format=flowed: long journal lines are soft-broken on the wire
    assert "Exit status: exited with status 4 (DATABASE_UNAVAILABLE)" in body
    assert "systemd:     Result=exit-code, ExecMainCode=1, ExecMainStatus=4" in body
    assert "Time:        " in body and " UTC" in body
    assert "starting" in body and "Main process exited, status=4/NOPERMISSION" in body
    assert OPENAI_KEY not in body and AWS_KEY not in body and "[REDACTED]" in body
    assert "\x1b" not in body and "\x07" not in body
    assert "More: journalctl" not in body  # a hostile name is never put into a shell hint

    # The name reached systemctl as one argument, never as shell text; the journal is the
    # failed invocation's.
    show, journal = calls(tools["record"])
    assert show[0] == "show" and show[-2:] == ["--", unit]
    assert journal[:3] == [
        "_SYSTEMD_INVOCATION_ID=2307256adb344834a7bb232b6f0aa7c5",
        "+",
        "INVOCATION_ID=2307256adb344834a7bb232b6f0aa7c5",
    ]


def test_plain_unit_gets_a_journal_hint(tmp_path, tools, smtp, msmtp_binary) -> None:
    result = _run(
        "llm-discovery.service",
        tools,
        NOTIFY_EMAIL="oncall@example.test",
        MAIL_FROM="alerts@example.test",
        MSMTP_PATH=msmtp_binary,
        MSMTP_CONFIG=str(smtp.msmtprc(tmp_path)),
    )
    assert result.returncode == ExitStatus.OK, result.stderr
    (delivered,) = smtp.delivered
    assert delivered.envelope_from == "alerts@example.test"
    assert str(delivered.message["Subject"]).endswith(" llm-discovery.service failed")
    assert "More: journalctl -u llm-discovery.service --since today" in delivered.text()


def test_missing_recipient_is_a_config_error_and_the_alert_goes_to_stdout(tools) -> None:
    result = _run("llm-health-check.service", tools)
    assert result.returncode == ExitStatus.CONFIG_ERROR
    assert "NOTIFY_EMAIL is not set" in result.stderr
    assert "Subject: [CRITICAL] " in result.stdout and "llm-health-check.service failed" in result.stdout
    assert OPENAI_KEY not in result.stdout


def test_unreachable_smtp_is_mail_failed_and_the_alert_goes_to_stdout(tmp_path, tools, msmtp_binary) -> None:
    config = tmp_path / "msmtprc"
    config.write_text(f"account default\nhost 127.0.0.1\nport {free_port()}\nfrom ops@example.test\ntls off\n")
    config.chmod(0o600)
    result = _run(
        "llm-health-check.service",
        tools,
        NOTIFY_EMAIL="oncall@example.test",
        MSMTP_PATH=msmtp_binary,
        MSMTP_CONFIG=str(config),
    )
    assert result.returncode == ExitStatus.MAIL_FAILED
    assert "msmtp exited with status" in result.stderr
    assert "Journal of that run, last 50 lines (secrets redacted):" in result.stdout
    assert AWS_KEY not in result.stdout


def test_compose_uses_utc_and_sanitises_host() -> None:
    now = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    alert = crash_alert.compose(
        "a.service", host="box\x1b[2J\n1", now=now, status=UnitStatus("?", "?"), journal="(no journal lines)"
    )
    assert alert.subject == "[CRITICAL] box 1 a.service failed"
    assert "Time:        2026-11-26 07:30:00 UTC" in alert.body


def test_usage_without_a_unit_name() -> None:
    assert crash_alert.main([]) == ExitStatus.USAGE


def test_help_prints_help_and_sends_nothing(tmp_path, tools, smtp, msmtp_binary) -> None:
    argv = [sys.executable, "-m", "api.llm_bench.crash_alert", "--help"]
    result = _run(
        "",
        tools,
        argv=argv,
        NOTIFY_EMAIL="oncall@example.test",
        MSMTP_PATH=msmtp_binary,
        MSMTP_CONFIG=str(smtp.msmtprc(tmp_path)),
    )
    assert result.returncode == ExitStatus.OK, result.stderr
    assert result.stdout.startswith("Usage: python -m api.llm_bench.crash_alert [OPTIONS]")
    assert "--test" in result.stdout and "Exit statuses:" in result.stdout
    assert not smtp.delivered and calls(tools["record"]) == []


def test_a_test_alert_says_so(tmp_path, tools, smtp, msmtp_binary) -> None:
    argv = [sys.executable, "-m", "api.llm_bench.crash_alert", "--test", "llm-health-check.service"]
    result = _run(
        "",
        tools,
        argv=argv,
        NOTIFY_EMAIL="oncall@example.test",
        MSMTP_PATH=msmtp_binary,
        MSMTP_CONFIG=str(smtp.msmtprc(tmp_path)),
    )
    assert result.returncode == ExitStatus.OK, result.stderr
    (delivered,) = smtp.delivered
    subject = str(delivered.message["Subject"])
    assert subject.startswith("[TEST] ") and subject.endswith(" crash alert test for llm-health-check.service")
    assert "CRITICAL" not in subject
    body = delivered.text()
    assert body.startswith("This is a TEST of the crash alert, sent on request: llm-health-check.service did not")
    assert "failed on" not in body


def test_a_unit_name_starting_with_a_dash_is_a_unit(tmp_path, tools, smtp, msmtp_binary) -> None:
    result = _run(
        "-.mount",
        tools,
        NOTIFY_EMAIL="oncall@example.test",
        MSMTP_PATH=msmtp_binary,
        MSMTP_CONFIG=str(smtp.msmtprc(tmp_path)),
    )
    assert result.returncode == ExitStatus.OK, result.stderr
    (delivered,) = smtp.delivered
    assert str(delivered.message["Subject"]).endswith(" -.mount failed")


def test_fifty_long_journal_lines_are_cut_line_by_line_and_mailed(tmp_path, smtp, msmtp_binary) -> None:
    # Each 200 KB line used to be redacted whole (quadratically) before the text was cut: the
    # alert outlived its unit's time limit and never went out.
    record = tmp_path / "argv.jsonl"
    lines = [f"2026-11-26T08:00:{i:02}+0000 host llm-health-check[42]: line {i} " + "a." * 100_000 for i in range(50)]
    long_tools = {
        "journalctl": stand_in(tmp_path / "journalctl", record, "\n".join(lines) + "\n"),
        "systemctl": stand_in(tmp_path / "systemctl", record, (SHOWN / "exit-4.txt").read_text()),
    }
    result = _run(
        "llm-health-check.service",
        long_tools,
        NOTIFY_EMAIL="oncall@example.test",
        MSMTP_PATH=msmtp_binary,
        MSMTP_CONFIG=str(smtp.msmtprc(tmp_path)),
    )
    assert result.returncode == ExitStatus.OK, result.stderr
    (delivered,) = smtp.delivered
    body = delivered.text()
    assert all(f"llm-health-check[42]: line {i} a.a." in body for i in range(50))  # every line, each cut
    assert len(body) < 50 * 450 + 2_000
