"""A local SMTP server (aiosmtpd) on 127.0.0.1 that keeps what the real msmtp delivers to it."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any


def unflow(text: str) -> str:
    """Read a format=flowed body (RFC 3676): undo space-stuffing, join soft-broken lines."""
    out, pending = [], ""
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line[1:] if line.startswith(" ") else line
        if line.endswith(" "):
            pending += line
        else:
            out.append(pending + line)
            pending = ""
    return "\n".join(out + ([pending] if pending else []))


@dataclass
class Delivered:
    envelope_from: str
    recipients: list[str]
    message: EmailMessage

    def text(self) -> str:
        """The body as a flowed-aware reader shows it."""
        return unflow(self.message.get_content())


@dataclass
class SMTPSink:
    host: str
    port: int
    controller: Any
    delivered: list[Delivered] = field(default_factory=list)
    #: The answer to DATA; set a 5xx reply to have the sink refuse every message.
    reply: str = "250 Message accepted for delivery"

    def msmtprc(self, folder: Path) -> Path:
        """An msmtp configuration that sends to this sink without TLS or auth."""
        path = folder / "msmtprc"
        path.write_text(
            "defaults\nauth off\ntls off\nlogfile -\n\n"
            f"account sink\nhost {self.host}\nport {self.port}\nfrom ops@example.test\n\n"
            "account default : sink\n"
        )
        path.chmod(0o600)
        return path


class _Handler:
    def __init__(self, sink_ref: list[SMTPSink]) -> None:
        self.sink_ref = sink_ref

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        sink = self.sink_ref[0]
        if not sink.reply.startswith("2"):
            return sink.reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        sink.delivered.append(Delivered(envelope.mail_from, list(envelope.rcpt_tos), message))
        return sink.reply


def start(port: int) -> SMTPSink:
    from aiosmtpd.controller import Controller

    ref: list[SMTPSink] = []
    controller = Controller(_Handler(ref), hostname="127.0.0.1", port=port)
    controller.start()
    sink = SMTPSink("127.0.0.1", port, controller)
    ref.append(sink)
    return sink
