"""The crash alert behind `llm-health-check-failure@.service`: when a job's unit fails, mail
the operator the unit, host, time, exit status and the last journal lines, secrets redacted.

Run by systemd as `python -m api.llm_bench.crash_alert <unit>`. The unit name arrives only as
an argument and goes to `journalctl`/`systemctl` as one argv element; everything that reaches
the mail passes through `untrusted.safe_text`. If the mail cannot go out, the alert is printed
to stdout so the journal keeps it.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .cli_support import load_settings
from .config import Settings
from .errors import OpsError
from .exit_codes import ExitStatus
from .mail import MailSettings, build_message, default_sender, send
from .untrusted import is_identifier, safe_text

JOURNAL_LINES = 50
Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]


@dataclass(frozen=True)
class Tools:
    """The binaries the alert asks about the failed unit; tests point these at stand-ins."""

    journalctl: str = "journalctl"
    systemctl: str = "systemctl"
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Tools:
        return cls(env.get("JOURNALCTL_PATH") or "journalctl", env.get("SYSTEMCTL_PATH") or "systemctl")


@dataclass(frozen=True)
class Alert:
    subject: str
    body: str


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


def journal_tail(unit: str, tools: Tools, run: Runner = subprocess.run) -> str:
    """The unit's last journal lines, cleaned and redacted (or why they could not be read)."""
    argv = [tools.journalctl, f"--unit={unit}", "-n", str(JOURNAL_LINES), "--no-pager", "-o", "short-iso"]
    ok, text = _output(argv, tools, run)
    if not ok:
        return f"(journal unavailable: {safe_text(text, 300)})"
    return safe_text(text, 20_000, keep_newlines=True) or "(no journal lines)"


def exit_status(unit: str, tools: Tools, run: Runner = subprocess.run) -> str:
    """`Result`, exit code and status of the unit's main process, with our status name if known."""
    argv = [tools.systemctl, "show", "-p", "Result", "-p", "ExecMainStatus", "--", unit]
    ok, text = _output(argv, tools, run)
    if not ok:
        return f"unknown ({safe_text(text, 300)})"
    fields = dict(line.partition("=")[::2] for line in text.splitlines() if "=" in line)
    status = fields.get("ExecMainStatus", "").strip()
    described = status
    try:
        described = f"{status} ({ExitStatus(int(status)).name})"
    except ValueError:
        pass  # not a number, or not one of ours: show it as it came
    parts = [f"Result={fields.get('Result', '?').strip()}", f"ExecMainStatus={described or '?'}"]
    return safe_text(", ".join(parts), 300)


def compose(unit: str, *, host: str, now: dt.datetime, status: str, journal: str) -> Alert:
    """The alert's subject and plain-text body; every outside value is sanitised here."""
    name = safe_text(unit, 200) or "(unnamed unit)"
    where = safe_text(host, 100) or "unknown-host"
    when = now.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [
        f"The systemd unit {name} failed on {where}.",
        "",
        f"Unit:        {name}",
        f"Host:        {where}",
        f"Time:        {when}",
        f"Exit status: {status}",
        "",
        f"Last {JOURNAL_LINES} journal lines (secrets redacted):",
        "",
        journal,
        "",
    ]
    if is_identifier(unit):
        lines.append(f"More: journalctl -u {unit} --since today")
    return Alert(f"[CRITICAL] {where} {name} failed", "\n".join(lines) + "\n")


def deliver(alert: Alert, now: dt.datetime, load: Callable[[], Settings] = load_settings) -> ExitStatus:
    """Mail the alert to NOTIFY_EMAIL; on any failure print it to stdout and say why on stderr."""
    try:
        settings = load()
        recipient = settings.require_recipient()
        sender = settings.mail_from or default_sender()
        message = build_message(alert.subject, alert.body, sender=sender, recipient=recipient, now=now)
        send(message, recipient, MailSettings(settings.msmtp_path, settings.msmtp_config, settings.mail_from))
    except OpsError as exc:
        print(f"Subject: {alert.subject}\n\n{alert.body}", end="")
        print(f"error: {safe_text(str(exc), 600)}", file=sys.stderr)
        return exc.status
    return ExitStatus.OK


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m api.llm_bench.crash_alert <unit-name>", file=sys.stderr)
        return int(ExitStatus.USAGE)
    unit, tools = args[0], Tools.from_env(os.environ)
    now = dt.datetime.now(dt.timezone.utc)
    alert = compose(
        unit,
        host=socket.gethostname(),
        now=now,
        status=exit_status(unit, tools),
        journal=journal_tail(unit, tools),
    )
    return int(deliver(alert, now))


if __name__ == "__main__":
    sys.exit(main())
