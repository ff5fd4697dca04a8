"""Build a proper MIME message and hand it to the real `msmtp` binary.

The recipient is passed as an argument after `--`, never through a shell, and the message goes
in on stdin. Any failure (binary missing, non-zero exit, timeout) raises `MailFailed` with one
line that says what went wrong; the caller decides what to do with the unsent report.
"""

from __future__ import annotations

import datetime as dt
import getpass
import socket
import subprocess
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from .errors import MailFailed
from .untrusted import safe_text


#: SUBJECT_TAGS style -> {health status: the tag in the subject}. `upstream` keeps the tags
#: that mail filters written for the upstream ops scripts match.
SUBJECT_TAGS: dict[str, dict[str, str]] = {
    "project": {"critical": "CRITICAL", "warning": "WARNING", "healthy": "HEALTHY"},
    "upstream": {"critical": "URGENT", "warning": "INFO", "healthy": "INFO"},
}


def subject_tag(status: object, style: str = "project") -> str:
    """The subject tag, without brackets, of a health status (a Status member or its value)."""
    return SUBJECT_TAGS[style][str(getattr(status, "value", status)).lower()]


@dataclass(frozen=True)
class MailSettings:
    msmtp_path: str = "msmtp"
    msmtp_config: str | None = None
    mail_from: str | None = None
    timeout: float = 120.0


def default_sender() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry (DynamicUser=, containers)
        user = "llm-bench-ops"
    return f"{user}@{socket.getfqdn() or 'localhost'}"


def build_message(subject: str, body: str, *, sender: str, recipient: str, now: dt.datetime) -> EmailMessage:
    """A UTF-8 plain-text message with From, To, Subject, Date (UTC) and Message-ID."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(now.astimezone(dt.timezone.utc))
    message["Message-ID"] = make_msgid(idstring="llm-bench-ops", domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


def send(message: EmailMessage, recipient: str, settings: MailSettings) -> None:
    """Pipe `message` to msmtp for `recipient`; raise MailFailed unless msmtp exits 0."""
    argv = [settings.msmtp_path]
    if settings.msmtp_config:
        argv += ["-C", settings.msmtp_config]
    if settings.mail_from:
        argv += ["-f", settings.mail_from]
    argv += ["--", recipient]
    try:
        result = subprocess.run(argv, input=message.as_bytes(), capture_output=True, timeout=settings.timeout, check=False)
    except FileNotFoundError:
        raise MailFailed(f"msmtp not found ({settings.msmtp_path!r}): install it or set MSMTP_PATH") from None
    except PermissionError:
        raise MailFailed(f"msmtp is not executable ({settings.msmtp_path!r})") from None
    except subprocess.TimeoutExpired:
        raise MailFailed(f"msmtp did not finish within {settings.timeout:.0f}s") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = safe_text(detail[-1] if detail else "no message", 300)
        raise MailFailed(f"msmtp exited with status {result.returncode}: {reason}")
