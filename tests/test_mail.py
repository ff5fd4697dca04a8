"""build_message headers and body, and send() through the real msmtp to a loopback SMTP sink."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
from pathlib import Path

import pytest
import smtp_sink
from smtp_sink import unflow

from api.llm_bench.embedded import free_port
from api.llm_bench.errors import MailFailed
from api.llm_bench.exit_codes import ExitStatus
from api.llm_bench.mail import FLOW_WIDTH, MailSettings, build_message, flowed, send, subject_tag

SENDER = "ops@bench.example.test"
RECIPIENT = "oncall@example.test"
SUBJECT = "LLM health — 2 providers failing"
BODY = "Status: CRITICAL — groq and xai are failing.\nÜbersicht: 2/14 ✗\n\n  indented line kept\n"
NOW = dt.datetime(2025, 3, 9, 8, 30, 15, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def message(recipient: str = RECIPIENT, body: str = BODY) -> email.message.EmailMessage:
    return build_message(SUBJECT, body, sender=SENDER, recipient=recipient, now=NOW)


def reparse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_build_message_headers() -> None:
    parsed = reparse(message().as_bytes())
    assert parsed["From"] == SENDER
    assert parsed["To"] == RECIPIENT
    assert parsed["Subject"] == SUBJECT
    assert parsed["Auto-Submitted"] == "auto-generated"


def test_non_ascii_subject_is_encoded_on_the_wire() -> None:
    raw = message().as_bytes()
    raw_headers = raw.split(b"\n\n", 1)[0]
    assert raw.isascii()
    assert b"=?utf-8?" in raw_headers.lower()
    assert reparse(raw)["Subject"] == SUBJECT


def test_date_is_in_utc() -> None:
    date = reparse(message().as_bytes())["Date"]
    assert date.endswith("+0000")
    parsed = email.utils.parsedate_to_datetime(date)
    assert parsed == NOW
    assert parsed.utcoffset() == dt.timedelta(0)
    assert parsed.hour == 6  # 08:30 at +02:00


def test_message_id_is_unique_and_uses_the_sender_domain() -> None:
    first, second = message()["Message-ID"], message()["Message-ID"]
    assert first != second
    for message_id in (first, second):
        assert message_id.startswith("<") and message_id.endswith("@bench.example.test>")
        assert "llm-bench-ops" in message_id


def test_body_is_flowed_utf8_text() -> None:
    parsed = reparse(message().as_bytes())
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content_charset() == "utf-8"
    assert parsed.get_param("format") == "flowed"
    assert unflow(parsed.get_content()) == BODY


def test_long_lines_survive_the_transfer_encoding() -> None:
    body = "x" * 2000 + " — end\n"
    raw = message(body=body).as_bytes()
    assert max(len(line) for line in raw.splitlines()) <= 998
    assert unflow(reparse(raw).get_content()) == body


PARAGRAPH = (
    "groq is failing as a whole: 412 errors and no success on llama-3.3-70b-versatile, "
    "llama-3.1-8b-instant and gemma2-9b-it since 06:10 UTC; the key was rejected (401)."
)


def test_flowed_breaks_long_lines_softly_and_keeps_short_ones() -> None:
    text = flowed(PARAGRAPH + "\n\nshort line\n")
    lines = text.split("\n")
    soft = [line for line in lines if line.endswith(" ")]
    assert len(soft) >= 1 and all(len(line) <= FLOW_WIDTH + 1 for line in lines)
    assert "short line" in lines and "" in lines
    assert unflow(text) == PARAGRAPH + "\n\nshort line\n"


@pytest.mark.parametrize(
    ("line", "wire"),
    [
        ("  indented", "   indented"),
        ("> quoted", " > quoted"),
        ("From here on", " From here on"),
        ("trailing   ", "trailing"),
        ("Fromage", "Fromage"),
        ("", ""),
    ],
)
def test_flowed_stuffs_and_trims_lines(line: str, wire: str) -> None:
    assert flowed(line) == wire
    assert unflow(wire) == line.rstrip(" ")


def test_a_word_longer_than_the_width_stays_whole() -> None:
    url = "https://console.groq.com/settings/billing?" + "q" * 100
    assert flowed(f"see {url} now") == f"see \n{url} \nnow"


def sink_settings(smtp: smtp_sink.SMTPSink, tmp_path: Path, msmtp_binary: str, **extra: str) -> MailSettings:
    return MailSettings(msmtp_path=msmtp_binary, msmtp_config=str(smtp.msmtprc(tmp_path)), timeout=20, **extra)


def test_send_delivers_through_msmtp(smtp: smtp_sink.SMTPSink, tmp_path: Path, msmtp_binary: str) -> None:
    send(message(), RECIPIENT, sink_settings(smtp, tmp_path, msmtp_binary))
    [delivered] = smtp.delivered
    assert delivered.recipients == [RECIPIENT]
    assert delivered.envelope_from == "ops@example.test"  # the msmtp account's from
    received = delivered.message
    assert received["From"] == "ops@example.test"  # msmtp's set_from_header, not a made-up user@host
    assert received["To"] == RECIPIENT
    assert received["Subject"] == SUBJECT
    assert received["Date"].endswith("+0000")
    assert received["Message-ID"].endswith("@bench.example.test>")
    assert received.get_param("format") == "flowed"
    assert unflow(received.get_content()) == BODY  # SMTP carries CRLF line ends; unflow reads both


def test_message_without_sender_has_no_from_and_msmtp_adds_the_account_from(
    smtp: smtp_sink.SMTPSink, tmp_path: Path, msmtp_binary: str
) -> None:
    unsigned = build_message(SUBJECT, BODY, sender=None, recipient=RECIPIENT, now=NOW)
    assert unsigned["From"] is None
    send(unsigned, RECIPIENT, sink_settings(smtp, tmp_path, msmtp_binary))
    [delivered] = smtp.delivered
    assert delivered.message["From"] == "ops@example.test"
    assert delivered.message.get_all("From") == ["ops@example.test"]


def test_sent_message_parses_as_flowed_text(smtp: smtp_sink.SMTPSink, tmp_path: Path, msmtp_binary: str) -> None:
    body = f"Status: CRITICAL\n\n{PARAGRAPH}\n  - indented item\n> not a quote\nFrom the rules: 3 issues\n"
    send(
        build_message(SUBJECT, body, sender=None, recipient=RECIPIENT, now=NOW),
        RECIPIENT,
        sink_settings(smtp, tmp_path, msmtp_binary),
    )
    [delivered] = smtp.delivered
    received = delivered.message
    assert received["Content-Type"] == 'text/plain; charset="utf-8"; format="flowed"'
    wire = received.get_content().replace("\r\n", "\n")
    assert all(len(line) <= FLOW_WIDTH + 1 for line in wire.split("\n"))
    assert any(line.endswith(" ") for line in wire.split("\n"))  # soft breaks in the paragraph
    assert "\n   - indented item\n > not a quote\n From the rules" in wire  # space-stuffed
    assert unflow(wire) == body


def test_send_uses_mail_from_as_envelope_sender_and_from(
    smtp: smtp_sink.SMTPSink, tmp_path: Path, msmtp_binary: str
) -> None:
    send(message(), RECIPIENT, sink_settings(smtp, tmp_path, msmtp_binary, mail_from="bounces@example.test"))
    [delivered] = smtp.delivered
    assert delivered.envelope_from == "bounces@example.test"
    assert delivered.message.get_all("From") == ["bounces@example.test"]


def test_server_refusal_keeps_msmtps_whole_message(smtp: smtp_sink.SMTPSink, tmp_path: Path, msmtp_binary: str) -> None:
    smtp.reply = "554 5.7.1 refused by policy"
    original = message()
    with pytest.raises(MailFailed) as info:
        send(original, RECIPIENT, sink_settings(smtp, tmp_path, msmtp_binary))
    text = str(info.value)
    assert info.value.status is ExitStatus.MAIL_FAILED
    assert "554 5.7.1 refused by policy" in text
    assert text.startswith("msmtp exited with status ") and "\n" not in text and len(text) <= 700
    assert smtp.delivered == []
    assert original["From"] == SENDER  # the caller's message is left as it was


def test_envelope_recipient_is_the_argument_not_the_to_header(
    smtp: smtp_sink.SMTPSink, tmp_path: Path, msmtp_binary: str
) -> None:
    send(message(recipient="header-only@example.test"), RECIPIENT, sink_settings(smtp, tmp_path, msmtp_binary))
    [delivered] = smtp.delivered
    assert delivered.recipients == [RECIPIENT]
    assert delivered.message["To"] == "header-only@example.test"


@pytest.mark.parametrize("recipient", ["-oops@example.test", "--host=evil.example.test"])
def test_recipient_starting_with_a_dash_is_not_an_option(
    smtp: smtp_sink.SMTPSink, tmp_path: Path, msmtp_binary: str, recipient: str
) -> None:
    # Were it read as an option, msmtp would fail or take "--host=..." as its SMTP server setting.
    send(message(recipient=recipient), recipient, sink_settings(smtp, tmp_path, msmtp_binary))
    [delivered] = smtp.delivered
    assert delivered.recipients == [recipient]


def test_refused_connection_is_mail_failed(tmp_path: Path, msmtp_binary: str) -> None:
    nothing_listening = smtp_sink.SMTPSink("127.0.0.1", free_port(), controller=None)
    settings = MailSettings(msmtp_path=msmtp_binary, msmtp_config=str(nothing_listening.msmtprc(tmp_path)), timeout=20)
    with pytest.raises(MailFailed) as info:
        send(message(), RECIPIENT, settings)
    text = str(info.value)
    assert info.value.status is ExitStatus.MAIL_FAILED
    assert text.startswith("msmtp exited with status ")
    assert "\n" not in text and "\r" not in text
    assert len(text) <= 700


def test_missing_binary_is_mail_failed(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-msmtp")
    with pytest.raises(MailFailed) as info:
        send(message(), RECIPIENT, MailSettings(msmtp_path=missing))
    assert info.value.status is ExitStatus.MAIL_FAILED
    assert "MSMTP_PATH" in str(info.value)
    assert missing in str(info.value)


def test_non_executable_binary_is_mail_failed(tmp_path: Path) -> None:
    not_executable = tmp_path / "msmtp"
    not_executable.write_text("#!/bin/sh\nexit 0\n")
    not_executable.chmod(0o644)
    with pytest.raises(MailFailed, match="not executable") as info:
        send(message(), RECIPIENT, MailSettings(msmtp_path=str(not_executable)))
    assert info.value.status is ExitStatus.MAIL_FAILED


@pytest.mark.parametrize(
    ("status", "style", "tag"),
    [
        ("critical", "project", "CRITICAL"),
        ("warning", "project", "WARNING"),
        ("healthy", "project", "HEALTHY"),
        ("critical", "upstream", "URGENT"),
        ("warning", "upstream", "INFO"),
        ("healthy", "upstream", "INFO"),
        ("CRITICAL", "upstream", "URGENT"),
    ],
)
def test_subject_tag(status: str, style: str, tag: str) -> None:
    assert subject_tag(status, style) == tag


def test_subject_tag_takes_a_status_member_and_defaults_to_the_project_style() -> None:
    from api.llm_bench.health.assess import Status

    assert subject_tag(Status.CRITICAL) == "CRITICAL"
    assert {subject_tag(status, "upstream") for status in Status} == {"URGENT", "INFO"}
