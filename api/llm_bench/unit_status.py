"""What systemd knows about a failed unit, told plainly for the crash alert.

`systemctl show` gives `Result=` and how the main process ended (`ExecMainCode=` is a CLD_*
code: 1 exited, 2 killed, 3 dumped core; `ExecMainStatus=` is then an exit status or a signal
number), plus the `ExecStartPre=`/`ExecStartPost=` records, which say how a step before or
after the main command ended when that is what failed. The journal is read for the failed
invocation only (`InvocationID=`), so earlier successful runs never pad the tail. The unit name
goes to `systemctl`/`journalctl` as one argv element; every output is cleaned and redacted.
"""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .exit_codes import ExitStatus
from .untrusted import safe_text

JOURNAL_LINES = 50
JOURNAL_LINE_CHARS = 400  # each journal line in the alert is cut to this many characters
Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]

CLD_EXITED, CLD_KILLED, CLD_DUMPED = 1, 2, 3
_STEP = re.compile(r"ignore_errors=(?P<ignore>\w+) ;.* code=(?P<code>[\w()]+) ; status=(?P<status>\d+)")
_INVOCATION = re.compile(r"[0-9a-f]{32}")
SHOWN = ("Result", "ExecMainCode", "ExecMainStatus", "InvocationID", "ExecStartPre", "ExecStartPost")


@dataclass(frozen=True)
class Tools:
    """The binaries asked about the failed unit; tests point these at stand-ins."""

    journalctl: str = "journalctl"
    systemctl: str = "systemctl"
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Tools:
        return cls(env.get("JOURNALCTL_PATH") or "journalctl", env.get("SYSTEMCTL_PATH") or "systemctl")


@dataclass(frozen=True)
class UnitStatus:
    """How the unit's last run ended, in words, and the invocation to read the journal of."""

    summary: str
    details: str
    invocation: str = ""


def _output(argv: list[str], tools: Tools, run: Runner) -> tuple[bool, str]:
    """(succeeded, decoded stdout or a one-line reason); never raises for a broken tool."""
    try:
        result = run(argv, capture_output=True, timeout=tools.timeout, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"{argv[0]} could not run: {exc.__class__.__name__}: {exc}"
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        return False, f"{argv[0]} exited with status {result.returncode}: {lines[-1] if lines else 'no message'}"
    return True, result.stdout.decode("utf-8", "replace")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name.removeprefix("SIG")
    except ValueError:
        return str(number)


def _ended(code: int, status: int) -> str:
    """`exited with status 4 (DATABASE_UNAVAILABLE)`, `killed by signal TERM`, ..."""
    if code == CLD_EXITED:
        try:
            return f"exited with status {status} ({ExitStatus(status).name})"
        except ValueError:
            return f"exited with status {status}"
    described = f"killed by signal {_signal_name(status)}"
    return described + ", core dumped" if code == CLD_DUMPED else described


def _failed_step(steps: list[tuple[str, str]]) -> str | None:
    """The first ExecStartPre=/ExecStartPost= step that was killed or exited non-zero (unignored)."""
    for name, record in steps:
        match = _STEP.search(record)
        if not match or match["ignore"] == "yes":
            continue
        status, code = (
            int(match["status"]),
            {"exited": CLD_EXITED, "killed": CLD_KILLED, "dumped": CLD_DUMPED}.get(match["code"]),
        )
        if code is not None and (code != CLD_EXITED or status != 0):
            return f"{name}= {_ended(code, status)}"
    return None


def describe(show_output: str) -> UnitStatus:
    """Turn `systemctl show -p ...` output into a one-line summary and the raw fields."""
    fields: dict[str, str] = {}
    steps: list[tuple[str, str]] = []
    for line in show_output.splitlines():
        key, sep, value = line.partition("=")
        if not sep:
            continue
        if key in ("ExecStartPre", "ExecStartPost"):
            steps.append((key, value))
        else:
            fields[key] = value.strip()
    result = fields.get("Result", "") or "unknown"
    code = int(fields["ExecMainCode"]) if fields.get("ExecMainCode", "").isdigit() else 0
    status = int(fields["ExecMainStatus"]) if fields.get("ExecMainStatus", "").isdigit() else 0
    main_ran = code in (CLD_EXITED, CLD_KILLED, CLD_DUMPED)
    step = None if main_ran else _failed_step(steps)
    summary = _ended(code, status) if main_ran else (step or "the main command did not run")
    if result not in ("success", "exit-code") or not summary.startswith("exited"):
        summary += f" ({result})"
    if step:
        summary += "; the main command did not run"
    details = f"Result={result}, ExecMainCode={fields.get('ExecMainCode', '?')}, ExecMainStatus={fields.get('ExecMainStatus', '?')}"
    invocation = fields.get("InvocationID", "")
    return UnitStatus(
        safe_text(summary, 300), safe_text(details, 300), invocation if _INVOCATION.fullmatch(invocation) else ""
    )


def unit_status(unit: str, tools: Tools, run: Runner = subprocess.run) -> UnitStatus:
    """Ask systemd how `unit` last ended (or say why it could not be asked)."""
    argv = [tools.systemctl, "show", *(f"--property={name}" for name in SHOWN), "--", unit]
    ok, text = _output(argv, tools, run)
    if not ok:
        reason = safe_text(text, 300)
        return UnitStatus(f"unknown ({reason})", reason)
    return describe(text)


def journal_tail(invocation: str, tools: Tools, run: Runner = subprocess.run) -> str:
    """The last journal lines of one invocation: the unit's own output and systemd's lines about it."""
    if not invocation:
        return "(journal unavailable: systemd reported no invocation of this unit)"
    argv = [
        tools.journalctl,
        f"_SYSTEMD_INVOCATION_ID={invocation}",
        "+",
        f"INVOCATION_ID={invocation}",
        "-n",
        str(JOURNAL_LINES),
        "--no-pager",
        "-o",
        "short-iso",
    ]
    ok, text = _output(argv, tools, run)
    if not ok:
        return f"(journal unavailable: {safe_text(text, 300)})"
    # Each line is cut before it is cleaned and redacted, so fifty 1 MB lines cost what fifty
    # short ones do, and the last lines (where the failure is) are always in.
    lines = [safe_text(line, JOURNAL_LINE_CHARS, keep_newlines=True) for line in text.splitlines()[-JOURNAL_LINES:]]
    return "\n".join(lines).strip("\n") or "(no journal lines)"
