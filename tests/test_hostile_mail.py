"""Hostile header values. An address with a character that ends a header line for some reader
(VT, NEL, U+2028, ...) or an RFC 2047 encoded-word carrying CR/LF is refused when the settings
are read: exit 3 and one line naming the variable, from the health check and from the crash
alert (which then prints its alert). An encoded-word in the crash alert's unit name or host is
decoded, then cleaned: the real msmtp delivers one Subject line and no injected header."""

from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ops_tree import ROOT
from smtp_sink import SMTPSink
from test_unit_status import SHOWN, stand_in
from typer.testing import CliRunner

from api.llm_bench import crash_alert
from api.llm_bench.config import Settings
from api.llm_bench.errors import ConfigError, MailFailed
from api.llm_bench.exit_codes import ExitStatus
from api.llm_bench.health.cli import app as health_app
from api.llm_bench.mail import build_message, header_text
from api.llm_bench.unit_status import Tools

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
INJECTED = "\r\nReply-To: attacker@evil.test"
Q_WORD = "=?utf-8?q?ops=0D=0AReply-To:_attacker@evil.test?="
B_WORD = "=?utf-8?b?" + base64.b64encode(INJECTED.encode()).decode() + "?="
NESTED_WORD = "=?utf-8?b?" + base64.b64encode(Q_WORD.encode()).decode() + "?="  # decodes to an encoded-word

BAD_ADDRESSES = {
    "U+2028": "ops@example.test\u2028Reply-To: attacker@evil.test",
    "U+2029": "ops@example.test\u2029x",
    "VT": "ops@example.test\x0bReply-To: attacker@evil.test",
    "FF": "ops@example.test\x0cx",
    "NEL": "ops@example.test\x85Reply-To: attacker@evil.test",
    "NUL": "ops@example.test\x00x",
    "NBSP": "ops@example.test\xa0x",
    "zero-width": "ops\u200b@example.test",
    "q-encoded CRLF local part": Q_WORD + "@example.test",
    "b-encoded CRLF local part": B_WORD + "@example.test",
    "encoded-word domain": "ops@" + Q_WORD,
}


@pytest.mark.parametrize("variable", ["NOTIFY_EMAIL", "MAIL_FROM"])
@pytest.mark.parametrize("value", BAD_ADDRESSES.values(), ids=BAD_ADDRESSES.keys())
def test_an_address_that_could_end_a_header_line_is_refused_when_read(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({variable: value})
    message = str(info.value)
    assert message.startswith(f"{variable} must be one plain address, got ")
    assert message.isprintable()  # one line: the value is shown with its escapes
    assert info.value.status is ExitStatus.CONFIG_ERROR


@pytest.mark.parametrize("value", ["ops@example.test", "ops+bench@example.test", "opérations@exemple.test"])
def test_plain_addresses_still_pass(value: str) -> None:
    settings = Settings.from_env({"NOTIFY_EMAIL": value, "MAIL_FROM": value})
    assert settings.require_recipient() == value and settings.mail_from == value


@pytest.mark.parametrize("variable", ["NOTIFY_EMAIL", "MAIL_FROM"])
@pytest.mark.parametrize("key", ["U+2028", "NEL", "q-encoded CRLF local part"])
def test_the_health_check_exits_3_with_one_line_naming_the_variable(variable: str, key: str) -> None:
    env = {"NOTIFY_EMAIL": "ops@example.test", variable: BAD_ADDRESSES[key], "MONGODB_URI": "mongodb://127.0.0.1:9/"}
    result = CliRunner().invoke(health_app, [], env=env)
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"error: {variable} must be one plain address")
    assert "Traceback" not in result.output


def _crash_alert(unit: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    record = tmp_path / "argv.jsonl"
    journal = "2026-11-26T08:00:01+0000 host llm-health-check[42]: failed\n"
    tools = {
        "JOURNALCTL_PATH": str(stand_in(tmp_path / "journalctl", record, journal)),
        "SYSTEMCTL_PATH": str(stand_in(tmp_path / "systemctl", record, (SHOWN / "exit-4.txt").read_text())),
    }
    return subprocess.run(
        [sys.executable, "-m", "api.llm_bench.crash_alert", "--", unit],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "NOTIFY_EMAIL": "", "MAIL_FROM": "", **tools, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("variable", ["NOTIFY_EMAIL", "MAIL_FROM"])
def test_the_crash_alert_refuses_the_address_and_still_prints_its_alert(
    variable: str, tmp_path: Path, smtp: SMTPSink, msmtp_binary: str
) -> None:
    env = {
        "NOTIFY_EMAIL": "oncall@example.test",
        variable: BAD_ADDRESSES["NEL"],
        "MSMTP_PATH": msmtp_binary,
        "MSMTP_CONFIG": str(smtp.msmtprc(tmp_path)),
    }
    result = _crash_alert("llm-health-check.service", tmp_path, **env)
    assert result.returncode == ExitStatus.CONFIG_ERROR
    assert result.stderr.startswith(f"error: {variable} must be one plain address") and result.stderr.count("\n") == 1
    assert "Subject: [CRITICAL] " in result.stdout and "llm-health-check.service failed" in result.stdout
    assert not smtp.delivered


@pytest.mark.parametrize(
    "word", [Q_WORD, B_WORD, NESTED_WORD, "=?utf-8?q?x=0Areply-to:_a@evil.test=0D=0A?="], ids=["q", "b", "nested", "lf"]
)
def test_an_encoded_word_in_the_unit_name_injects_no_header(
    word: str, tmp_path: Path, smtp: SMTPSink, msmtp_binary: str
) -> None:
    env = {
        "NOTIFY_EMAIL": "oncall@example.test",
        "MSMTP_PATH": msmtp_binary,
        "MSMTP_CONFIG": str(smtp.msmtprc(tmp_path)),
    }
    result = _crash_alert(f"llm-{word}.service", tmp_path, **env)
    assert result.returncode == ExitStatus.OK, result.stderr
    (delivered,) = smtp.delivered
    message = delivered.message
    assert message["Reply-To"] is None and message.get_all("Subject") and len(message.get_all("Subject")) == 1
    assert delivered.recipients == ["oncall@example.test"]
    subject = str(message["Subject"])
    assert subject.startswith("[CRITICAL] ") and subject.endswith(".service failed")
    assert "\n" not in subject and "\r" not in subject


@pytest.mark.parametrize("word", [Q_WORD, B_WORD, NESTED_WORD], ids=["q", "b", "nested"])
def test_an_encoded_word_in_the_host_name_injects_no_header(
    word: str, tmp_path: Path, smtp: SMTPSink, msmtp_binary: str
) -> None:
    record = tmp_path / "argv.jsonl"
    tools = Tools(
        str(stand_in(tmp_path / "journalctl", record, "a line\n")),
        str(stand_in(tmp_path / "systemctl", record, (SHOWN / "exit-4.txt").read_text())),
    )
    alert = crash_alert.alert_for("llm-health-check.service", test=False, tools=tools, host=f"box{word}", now=NOW)
    settings = Settings(
        notify_email="oncall@example.test", msmtp_path=msmtp_binary, msmtp_config=str(smtp.msmtprc(tmp_path))
    )
    assert crash_alert.deliver(alert, NOW, load=lambda: settings) == ExitStatus.OK
    (delivered,) = smtp.delivered
    assert delivered.message["Reply-To"] is None
    assert str(delivered.message["Subject"]).endswith(" llm-health-check.service failed")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (f"x {Q_WORD} y", "x ops Reply-To: attacker@evil.test y"),
        (B_WORD, "Reply-To: attacker@evil.test"),
        (NESTED_WORD, "ops Reply-To: attacker@evil.test"),
        ("=?x-unknown-charset?q?a=0Ab?=", "= ?x-unknown-charset?q?a=0Ab?="),
        ("=?utf-8?b?not base64?=", "= ?utf-8?b?not base64?="),
        ("[CRITICAL] box llm-health-check.service failed", "[CRITICAL] box llm-health-check.service failed"),
        ("plain\u2028text\x85here", "plaintexthere"),
    ],
)
def test_header_text_decodes_then_cleans(value: str, shown: str) -> None:
    assert header_text(value) == shown


def test_header_text_is_bounded() -> None:
    assert len(header_text("=?utf-8?q?a" * 100_000)) <= 300
    assert len(header_text("x" * 10_000)) == 300


def test_every_subject_goes_through_header_text() -> None:
    message = build_message(f"[CRITICAL] {Q_WORD}", "body", sender=None, recipient="ops@example.test", now=NOW)
    assert message["Reply-To"] is None
    assert "\n" not in str(message["Subject"]) and "Reply-To:" in str(message["Subject"])
    wire = message.as_bytes().decode()
    assert "\nReply-To" not in wire and "\rReply-To" not in wire


@pytest.mark.parametrize("address", ["ops\x85@example.test", "ops@example.test\u2028x", f"{Q_WORD}@example.test"])
def test_an_address_given_to_the_library_directly_is_mail_failed_not_a_crash(address: str) -> None:
    with pytest.raises(MailFailed) as info:
        build_message("s", "b", sender=None, recipient=address, now=NOW)
    assert info.value.status is ExitStatus.MAIL_FAILED and "\n" not in str(info.value)
