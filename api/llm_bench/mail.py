"""Build a proper MIME message and hand it to the real `msmtp` binary.

The recipient is passed as an argument after `--`, never through a shell, and the message goes
in on stdin. Any failure (binary missing or not startable, non-zero exit, timeout) raises `MailFailed` with one
line that says what went wrong, msmtp's own words included; the caller decides what to do with
the unsent report. Bodies go out as format=flowed, so a phone reflows them.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from .errors import MailFailed
from .untrusted import clean, safe_text

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


#: Width at which `flowed` breaks long lines; a reader that knows RFC 3676 rejoins them.
FLOW_WIDTH = 72


def flowed(text: str, width: int = FLOW_WIDTH) -> str:
    """`text` as RFC 3676 format=flowed: long lines broken after a space (soft breaks, which a
    phone rejoins), trailing spaces removed from real line ends, and lines that start with a
    space, `>` or `From ` space-stuffed."""
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.rstrip(" ")
        words = re.findall(r" *\S+ *", line)
        chunk = ""
        for word in words:
            if chunk and len(chunk + word.rstrip(" ")) > width:
                out.append(chunk)
                chunk = ""
            chunk += word
        out.append(chunk)
    return "\n".join(" " + line if line.startswith((" ", ">", "From ")) else line for line in out)


#: A subject longer than this is cut (RFC 5322 lines stop at 998 characters).
SUBJECT_CHARS = 300


def header_text(value: str, limit: int = SUBJECT_CHARS) -> str:
    """`value` made fit for a header: RFC 2047 encoded-words are decoded first (the email package
    would decode them when the header is set, line breaks included), then the text is cleaned to
    one line, and any `=?` left (an encoded-word inside an encoded-word) is broken up, so nothing
    is decoded after the cleaning."""
    text = value[: limit * 4]
    for _ in range(3):
        if "=?" not in text:
            break
        try:
            text = str(make_header(decode_header(text)))
        except (HeaderParseError, LookupError, UnicodeError, ValueError):
            break
    text = clean(text).replace("=?", "= ?")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _address_header(message: EmailMessage, name: str, address: str) -> None:
    try:
        message[name] = address
    except (ValueError, HeaderParseError, IndexError) as exc:
        raise MailFailed(f"cannot put {address!r} in the {name} header: {safe_text(exc, 200)}") from None


def build_message(subject: str, body: str, *, sender: str | None, recipient: str, now: dt.datetime) -> EmailMessage:
    """A UTF-8 text/plain; format=flowed message with To, Subject, Date (UTC), Message-ID and,
    when `sender` is given, From (without it msmtp adds its account's `from`). The subject passes
    through `header_text`; an address the email package refuses is MailFailed, not a crash."""
    message = EmailMessage()
    if sender:
        _address_header(message, "From", sender)
    _address_header(message, "To", recipient)
    message["Subject"] = header_text(subject)
    message["Date"] = format_datetime(now.astimezone(dt.UTC))
    domain = sender.rpartition("@")[2] if sender else None
    message["Message-ID"] = make_msgid(idstring="llm-bench-ops", domain=domain or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(flowed(body), charset="utf-8", cte="quoted-printable", params={"format": "flowed"})
    return message


def send(message: EmailMessage, recipient: str, settings: MailSettings) -> None:
    """Pipe `message` to msmtp for `recipient`; raise MailFailed unless msmtp exits 0.

    The `From:` header always names the envelope sender: MAIL_FROM (`msmtp -f`) when set, else
    none, so that msmtp writes its account's `from` there (`set_from_header auto`) and a relay
    never sees a made-up user@host.
    """
    outgoing = copy.deepcopy(message)
    del outgoing["From"]
    argv = [settings.msmtp_path]
    if settings.msmtp_config:
        argv += ["-C", settings.msmtp_config]
    if settings.mail_from:
        _address_header(outgoing, "From", settings.mail_from)
        argv += ["-f", settings.mail_from]
    argv += ["--", recipient]
    try:
        result = subprocess.run(
            argv, input=outgoing.as_bytes(), capture_output=True, timeout=settings.timeout, check=False
        )
    except FileNotFoundError:
        raise MailFailed(f"msmtp not found ({settings.msmtp_path!r}): install it or set MSMTP_PATH") from None
    except PermissionError:
        raise MailFailed(f"msmtp is not executable ({settings.msmtp_path!r})") from None
    except subprocess.TimeoutExpired:
        raise MailFailed(f"msmtp did not finish within {settings.timeout:.0f}s") from None
    except (OSError, ValueError) as exc:  # ENOEXEC, ETXTBSY, E2BIG, a NUL in an argument...
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise MailFailed(f"msmtp could not be started ({safe_text(settings.msmtp_path, 200)!r}): {reason}") from None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").splitlines()
        detail = " / ".join(line.removeprefix("msmtp: ").strip() for line in lines if line.strip())
        raise MailFailed(f"msmtp exited with status {result.returncode}: {safe_text(detail or 'no message', 600)}")
