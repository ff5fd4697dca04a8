"""Secrets inside error messages never leave the process: every shape of the redaction table,
as written (`message`) and lower-cased (`normalized_message`), through the whole health job to
every place text goes: the mail, the JSON output, the OpenAI requests and the run ledger."""

from __future__ import annotations

import datetime as dt
import json
from email.message import EmailMessage

import http_stub
import openai_stub
import pytest

from api.llm_bench import repository
from api.llm_bench.ai import make_client
from api.llm_bench.classify.writer import error_document
from api.llm_bench.config import Settings
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import AIChoice, Delivery, run
from api.llm_bench.health.render import json_report
from api.llm_bench.repository.health import insert_documents
from api.llm_bench.untrusted import SECRET_SHAPES

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
WINDOW = Window(NOW - dt.timedelta(days=1), NOW)
FAKE = "a1b2c3d4e5f6g7h8"  # every example in the table is built from it


@pytest.mark.parametrize("shape", SECRET_SHAPES, ids=lambda s: s.name)
def test_no_secret_reaches_any_sink(store: repository.Store, http_server: http_stub.HTTPStub, shape: object) -> None:
    example = shape.example  # type: ignore[attr-defined]
    message = f"Error code: 401 - request failed with {example} (see logs)"
    with_original = error_document(provider="openai", model="gpt-4o", message=message, ts=NOW - dt.timedelta(hours=1))
    normalized_only = {
        **error_document(provider="groq", model="llama", message="weird: " + message, ts=NOW - dt.timedelta(hours=2)),
        "message": None,
    }
    insert_documents(
        store,
        {
            "errors": [with_original, normalized_only],
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
    http_server.route("POST", openai_stub.PATH, lambda _r: http_stub.json_reply({"error": {"message": "no"}}, 500))
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
    }
    assert http_server.calls(openai_stub.PATH), "the AI was asked about the unknown pattern"
    leaked = [name for name, text in sinks.items() if FAKE in text.lower()]
    assert leaked == [], f"{shape.name} leaked into {leaked}"  # type: ignore[attr-defined]
