"""Secrets inside error messages never leave the process: every shape of the redaction table and
every shape the hostile-input campaigns found, as written (`message`) and lower-cased
(`normalized_message`), through the whole health job to every place text goes: the mail, the
JSON output, the OpenAI requests, the run ledger and the logs; and through the crash alert (a
failed unit's journal) to the mail it sends with the real msmtp."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from email.message import EmailMessage
from pathlib import Path

import http_stub
import openai_stub
import pytest
import smtp_sink
from test_unit_status import SHOWN, stand_in

from api.llm_bench import crash_alert, repository
from api.llm_bench.ai import make_client
from api.llm_bench.classify.writer import error_document
from api.llm_bench.cli_support import NOISY_LOGGERS
from api.llm_bench.config import Settings
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import AIChoice, Delivery, run
from api.llm_bench.health.render import json_report
from api.llm_bench.repository.health import insert_documents
from api.llm_bench.unit_status import Tools
from api.llm_bench.untrusted import SECRET_SHAPES

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
WINDOW = Window(NOW - dt.timedelta(days=1), NOW)
FAKE = "a1b2c3d4e5f6g7h8"  # every example in the table is built from it
TOKEN = "q8zr2lmn4vx0pt6wy1bc"  # the campaign's opaque secret (checked lower-cased)
PEM_BODY = "MIIEowIBAAKCAQEA" + TOKEN * 3

#: (message carrying a secret, the secret): one row per shape of the table, then the third
#: campaign's cases (labels glued to a prefix, in nested and encoded quoting, schemes other
#: than Bearer, short passwords, a `/` in a URI password, keys glued to a word).
CASES = [(shape.example, FAKE) for shape in SECRET_SHAPES] + [
    (f"oauth refresh failed: refresh_token={TOKEN}&grant_type=refresh_token", TOKEN),
    (f"POST /oauth/token client_id=bench&client_secret={TOKEN}", TOKEN),
    (f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----", PEM_BODY),
    (f'{{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n{PEM_BODY}\\n"}}', PEM_BODY),
    (f"upstream sent Authorization: Token {TOKEN}", TOKEN),
    (f"headers={{'Authorization': 'ApiKey {TOKEN}'}}", TOKEN),
    (f"GET https://b.s3.example.test/o?X-Amz-Date=20261126T080000Z&X-Amz-Signature={TOKEN}", TOKEN),
    ("odbc: Server=db.example.test;Uid=bench;Pwd=Zq7x9;", "zq7x9"),
    ("login failed: password=Zq7", "password=zq7"),
    ("cannot reach mongodb://bench:pa/ss9w0rd@cluster0.example.test/llm", "pa/ss9w0rd"),
    (f'request body "{{\\"api_key\\": \\"{TOKEN}\\"}}" was refused', TOKEN),
    (f"GET /v1/proxy?q=api_key%3D{TOKEN}", TOKEN),
    (f"https://acct.blob.example.test/c/b?sv=2024-05-04&sr=b&sp=r&sig={TOKEN}%3D", TOKEN),
    (f"slack: invalid_auth for xoxb-2048-4096-{TOKEN}", TOKEN),
    (f"Authorization: Bearer 12|{TOKEN}", TOKEN),
    (f"bad header tokensk-proj-{TOKEN}{TOKEN}", TOKEN),
]
IDS = [shape.name for shape in SECRET_SHAPES] + [
    "refresh_token=",
    "client_secret=",
    "PEM private key",
    "PEM private key in JSON",
    "Authorization: Token",
    "Authorization: ApiKey",
    "X-Amz-Signature=",
    "Pwd=",
    "short password=",
    "URI password with /",
    "JSON inside JSON",
    "URL-encoded label",
    "Azure SAS sig=",
    "Slack xoxb-",
    "Bearer 12|",
    "key glued to a word",
]


@pytest.mark.parametrize(("message", "secret"), CASES, ids=IDS)
def test_no_secret_reaches_any_sink(
    store: repository.Store,
    http_server: http_stub.HTTPStub,
    caplog: pytest.LogCaptureFixture,
    message: str,
    secret: str,
) -> None:
    caplog.set_level(logging.DEBUG)  # as with --verbose: the project's debug lines, the libraries' warnings
    for noisy in NOISY_LOGGERS:
        caplog.set_level(logging.WARNING, logger=noisy)
    text = f"Error code: 401 - request failed with {message} (see logs)"
    with_original = error_document(provider="openai", model="gpt-4o", message=text, ts=NOW - dt.timedelta(hours=1))
    normalized_only = {
        **error_document(provider="groq", model="llama", message="weird: " + text, ts=NOW - dt.timedelta(hours=2)),
        "message": None,
    }
    # Documents from a writer that stamps no fingerprint: grouped by their message, never keyed by it.
    unkeyed = {
        **error_document(provider="vertex", model="gemini", message="odd: " + message, ts=NOW - dt.timedelta(hours=4)),
        "fingerprint": None,
    }
    unkeyed_normalized_only = error_document(
        provider="vertex", model="gemini-pro", message="odder: " + message, ts=NOW - dt.timedelta(hours=5)
    )
    del unkeyed_normalized_only["fingerprint"], unkeyed_normalized_only["message"]
    insert_documents(
        store,
        {
            "errors": [with_original, normalized_only, unkeyed, unkeyed_normalized_only],
            "successes": [
                {
                    "provider": "openai",
                    "model_name": "gpt-4o",
                    "run_ts": NOW - dt.timedelta(hours=3),
                    "gen_ts": NOW - dt.timedelta(hours=3),
                }
            ],
        },
    )
    # The AI endpoint fails and echoes the secret: its error must not carry it anywhere either.
    http_server.route(
        "POST", openai_stub.PATH, lambda _r: http_stub.json_reply({"error": {"message": f"no: {message}"}}, 500)
    )
    client = make_client(
        Settings(openai_api_key="test", openai_base_url=http_server.base_url + "/v1", openai_timeout=5), max_retries=0
    )
    sent: list[EmailMessage] = []
    outcome = run(
        store, WINDOW, AIChoice(client, "gpt-4o-mini"), Delivery(recipient="ops@example.test", send=sent.append)
    )

    sinks = {
        "mail": sent[0].as_string() + sent[0].get_content(),
        "json": json.dumps(json_report(outcome.report, mail=outcome.mail)),
        "openai": " ".join(json.dumps(call.json()) for call in http_server.calls(openai_stub.PATH)),
        "ledger": json.dumps(list(store.coll("health_runs").find({}, {"_id": 0})), default=str),
        "logs": caplog.text,
        "cache": json.dumps(list(store.coll("error_classes").find({}, {"_id": 0})), default=str),
    }
    assert http_server.calls(openai_stub.PATH), "the AI was asked about the unknown pattern"
    assert "[REDACTED]" in sinks["mail"] and "[REDACTED]" in sinks["openai"]
    leaked = [name for name, out in sinks.items() if secret in out.lower()]
    assert leaked == [], f"the secret leaked into {leaked}"
    keys = {p["fingerprint"] for p in json.loads(sinks["json"])["error_patterns"]}
    assert len(keys) == 4 and all(re.fullmatch(r"(msg-)?[0-9a-f]{16}", key) for key in keys), keys


@pytest.mark.parametrize(("message", "secret"), CASES, ids=IDS)
def test_no_secret_reaches_the_crash_alert(
    tmp_path: Path, smtp: smtp_sink.SMTPSink, msmtp_binary: str, message: str, secret: str
) -> None:
    journal = [f"2026-11-26T08:00:{i:02}+0000 host llm-health-check[42]: step {i}" for i in range(48)]
    journal += [f"2026-11-26T08:00:58+0000 host llm-health-check[42]: {line}" for line in message.splitlines()]
    journal.append(
        "2026-11-26T08:00:59+0000 host systemd[1]: llm-health-check.service: Failed with result 'exit-code'."
    )
    record = tmp_path / "argv.jsonl"
    tools = Tools(
        str(stand_in(tmp_path / "journalctl", record, "\n".join(journal) + "\n")),
        str(stand_in(tmp_path / "systemctl", record, (SHOWN / "exit-4.txt").read_text())),
    )
    alert = crash_alert.alert_for("llm-health-check.service", test=False, tools=tools, host="box", now=NOW)
    settings = Settings(
        notify_email="oncall@example.test", msmtp_path=msmtp_binary, msmtp_config=str(smtp.msmtprc(tmp_path))
    )
    assert crash_alert.deliver(alert, NOW, load=lambda: settings) == 0
    (delivered,) = smtp.delivered
    assert "Failed with result" in delivered.text() and "[REDACTED]" in delivered.text()
    assert secret not in (delivered.message.as_string() + delivered.text()).lower()
