"""How a failed unit ended, from real `systemctl show` output (tests/fixtures/systemd), and the
journal of exactly that invocation, read through stand-in systemctl/journalctl scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from api.llm_bench.unit_status import Tools, describe, journal_tail, unit_status

SHOWN = Path(__file__).resolve().parent / "fixtures" / "systemd"


def stand_in(path: Path, record: Path, stdout: str, status: int = 0) -> Path:
    """A script that records its argv as a JSON line and prints `stdout`."""
    path.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"with open({str(record)!r}, 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"sys.stdout.write({stdout!r})\nsys.exit({status})\n"
    )
    path.chmod(0o755)
    return path


def calls(record: Path) -> list[list[str]]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


@pytest.mark.parametrize(
    ("fixture", "summary"),
    [
        ("exit-4.txt", "exited with status 4 (DATABASE_UNAVAILABLE)"),
        ("main-timeout.txt", "killed by signal TERM (timeout)"),
        # The failure that used to read "0 (OK)": the main command never ran.
        ("start-pre-timeout.txt", "ExecStartPre= killed by signal TERM (timeout); the main command did not run"),
    ],
)
def test_real_systemd_output_is_told_plainly(fixture: str, summary: str) -> None:
    status = describe((SHOWN / fixture).read_text())
    assert status.summary == summary
    assert status.details.startswith("Result=")
    assert len(status.invocation) == 32


@pytest.mark.parametrize(
    ("show", "summary"),
    [
        ("Result=core-dump\nExecMainCode=3\nExecMainStatus=11\n", "killed by signal SEGV, core dumped (core-dump)"),
        ("Result=signal\nExecMainCode=2\nExecMainStatus=9\n", "killed by signal KILL (signal)"),
        ("Result=exit-code\nExecMainCode=1\nExecMainStatus=137\n", "exited with status 137"),
        ("Result=success\nExecMainCode=1\nExecMainStatus=0\n", "exited with status 0 (OK)"),
        (
            "Result=start-limit-hit\nExecMainCode=0\nExecMainStatus=0\n",
            "the main command did not run (start-limit-hit)",
        ),
        ("", "the main command did not run (unknown)"),
    ],
)
def test_other_endings(show: str, summary: str) -> None:
    assert describe(show).summary == summary


def test_a_malformed_invocation_id_is_dropped() -> None:
    assert describe("Result=timeout\nInvocationID=../../x\n").invocation == ""


def test_unit_status_asks_with_the_name_as_one_argument(tmp_path: Path) -> None:
    record = tmp_path / "argv.jsonl"
    systemctl = stand_in(tmp_path / "systemctl", record, (SHOWN / "main-timeout.txt").read_text())
    status = unit_status("x;$(id).service", Tools(systemctl=str(systemctl)))
    assert status.summary == "killed by signal TERM (timeout)"
    (argv,) = calls(record)
    assert argv[0] == "show" and argv[-2:] == ["--", "x;$(id).service"]
    assert "--property=InvocationID" in argv and "--property=ExecStartPre" in argv


def test_journal_of_one_invocation_only(tmp_path: Path) -> None:
    record = tmp_path / "argv.jsonl"
    journalctl = stand_in(tmp_path / "journalctl", record, "line with sk-proj-AbCdEf0123456789GhIjKlMn\x1b[31m\n")
    text = journal_tail("9ab8b33e70d64208a36459bae462f499", Tools(journalctl=str(journalctl)))
    assert "[REDACTED]" in text and "sk-proj" not in text and "\x1b" not in text
    assert calls(record) == [
        [
            "_SYSTEMD_INVOCATION_ID=9ab8b33e70d64208a36459bae462f499",
            "+",
            "INVOCATION_ID=9ab8b33e70d64208a36459bae462f499",
            "-n",
            "50",
            "--no-pager",
            "-o",
            "short-iso",
        ]
    ]


def test_no_invocation_no_journal_call(tmp_path: Path) -> None:
    record = tmp_path / "argv.jsonl"
    journalctl = stand_in(tmp_path / "journalctl", record, "x\n")
    assert journal_tail("", Tools(journalctl=str(journalctl))).startswith("(journal unavailable: ")
    assert calls(record) == []


def test_broken_tools_are_reported_not_raised(tmp_path: Path) -> None:
    failing = stand_in(tmp_path / "systemctl", tmp_path / "argv.jsonl", "", status=1)
    tools = Tools(journalctl=str(tmp_path / "missing-journalctl"), systemctl=str(failing))
    assert journal_tail("9ab8b33e70d64208a36459bae462f499", tools).startswith("(journal unavailable: ")
    status = unit_status("a.service", tools)
    assert status.summary == f"unknown ({failing} exited with status 1: no message)"
    assert status.invocation == ""
