"""The crash alert behind `llm-health-check-failure@.service`: when a job's unit fails, mail
the operator the unit, host, time, how it ended and the failed run's journal, secrets redacted.

Run by systemd as `python -m api.llm_bench.crash_alert -- <unit>`; `--test <unit>` sends the
same mail marked as a test, so an operator can check the path end to end without a failure.
The unit name arrives only as an argument and goes to `journalctl`/`systemctl` as one argv
element (`unit_status`); everything that reaches the mail passes through `untrusted.safe_text`,
and the subject through `mail.header_text` too (encoded-words decoded, then cleaned), so a unit
or host name cannot add a header line.
If the mail cannot go out, the alert is printed to stdout so the journal keeps it.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import typer

from .cli_support import exit_statuses, load_settings
from .config import Settings
from .errors import OpsError
from .exit_codes import CRASH_ALERT, ExitStatus
from .mail import build_message, send
from .unit_status import JOURNAL_LINES, Tools, UnitStatus, journal_tail, unit_status
from .untrusted import is_identifier, safe_text

PROG = "python -m api.llm_bench.crash_alert"
TEST_NOTE = "This is a TEST of the crash alert, sent on request: {name} did not necessarily fail."


@dataclass(frozen=True)
class Alert:
    subject: str
    body: str


def compose(unit: str, *, host: str, now: dt.datetime, status: UnitStatus, journal: str, test: bool = False) -> Alert:
    """The alert's subject and plain-text body; every outside value is sanitised here."""
    name = safe_text(unit, 200) or "(unnamed unit)"
    where = safe_text(host, 100) or "unknown-host"
    when = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    opening = (
        [TEST_NOTE.format(name=name), "The values below are those of its last run."]
        if test
        else [f"The systemd unit {name} failed on {where}."]
    )
    lines = [
        *opening,
        "",
        f"Unit:        {name}",
        f"Host:        {where}",
        f"Time:        {when}",
        f"Exit status: {status.summary}",
        f"systemd:     {status.details}",
        "",
        f"Journal of that run, last {JOURNAL_LINES} lines (secrets redacted):",
        "",
        journal,
        "",
    ]
    if is_identifier(unit):
        lines.append(f"More: journalctl -u {unit} --since today")
    subject = f"[TEST] {where} crash alert test for {name}" if test else f"[CRITICAL] {where} {name} failed"
    return Alert(subject, "\n".join(lines) + "\n")


def deliver(alert: Alert, now: dt.datetime, load: Callable[[], Settings] = load_settings) -> ExitStatus:
    """Mail the alert to NOTIFY_EMAIL; on any failure print it to stdout and say why on stderr."""
    try:
        settings = load()
        recipient = settings.require_recipient()
        message = build_message(alert.subject, alert.body, sender=settings.mail_from, recipient=recipient, now=now)
        send(message, recipient, settings.mail)
    except OpsError as exc:
        print(f"Subject: {alert.subject}\n\n{alert.body}", end="")
        print(f"error: {safe_text(str(exc), 600)}", file=sys.stderr)
        return exc.status
    return ExitStatus.OK


def alert_for(unit: str, *, test: bool, tools: Tools, host: str, now: dt.datetime) -> Alert:
    """Ask systemd about `unit` and compose the alert."""
    status = unit_status(unit, tools)
    return compose(unit, host=host, now=now, status=status, journal=journal_tail(status.invocation, tools), test=test)


app = typer.Typer(add_completion=False, rich_markup_mode=None)


@app.command(epilog=exit_statuses(CRASH_ALERT))
def crash_alert(
    unit: str = typer.Argument(
        ..., metavar="UNIT", help="the failed unit (systemd passes %i); put -- before a name starting with -"
    ),
    test: bool = typer.Option(False, "--test", help="send the alert marked as a test, whether or not the unit failed"),
) -> None:
    """Mail NOTIFY_EMAIL a crash alert for UNIT: how its last run ended and that run's journal.

    Started by llm-health-check-failure@.service when a job's unit fails. With --test it is a
    check of the mail path: subject and body say it is a test.
    """
    now = dt.datetime.now(dt.UTC)
    alert = alert_for(unit, test=test, tools=Tools.from_env(os.environ), host=socket.gethostname(), now=now)
    raise typer.Exit(int(deliver(alert, now)))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (usage errors are ExitStatus.USAGE)."""
    try:
        app(args=list(sys.argv[1:] if argv is None else argv), prog_name=PROG)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else int(ExitStatus.USAGE)
    return int(ExitStatus.OK)


if __name__ == "__main__":
    sys.exit(main())
