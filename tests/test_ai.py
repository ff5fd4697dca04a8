"""ask_parsed with the real openai client against a local HTTP stub: answers, faults, bounds."""

from __future__ import annotations

import json
import time
from typing import Any

import http_stub
import pytest
from pydantic import BaseModel, ConfigDict, Field

from api.llm_bench import ai
from api.llm_bench.config import Settings
from api.llm_bench.embedded import free_port

COMPLETIONS = "/v1/chat/completions"
API_KEY = "test-key-not-secret"
MODEL = "gpt-4o-mini"


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: str = Field(json_schema_extra={"enum": ["ok", "degraded", "down"]})
    reasons: list[str]
    score: float


GOOD_ANSWER = {"verdict": "degraded", "reasons": ["two providers failing"], "score": 0.5}


def completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 120,
    completion_tokens: int = 30,
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test123",
        "object": "chat.completion",
        "created": 1_735_689_600,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def client_for(base_url: str, timeout: float = 5.0) -> Any:
    return ai.make_client(Settings(openai_api_key=API_KEY, openai_base_url=base_url + "/v1", openai_timeout=timeout))


def ask(client: Any) -> ai.AIResult:
    return ai.ask_parsed(
        client, model=MODEL, system="You review health reports.", user="Report: all fine.", response_format=Review
    )


def answer_with(stub: http_stub.HTTPStub, body: Any, status: int = 200) -> None:
    stub.route("POST", COMPLETIONS, lambda _request: http_stub.json_reply(body, status))


def test_well_formed_answer(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion(json.dumps(GOOD_ANSWER), prompt_tokens=321, completion_tokens=45))
    result = ask(client_for(http_server.base_url))
    assert result.error is None
    assert result.parsed == Review(**GOOD_ANSWER)
    assert result.model == MODEL
    assert (result.prompt_tokens, result.completion_tokens, result.total_tokens) == (321, 45, 366)


def test_request_carries_model_messages_and_strict_schema(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion(json.dumps(GOOD_ANSWER)))
    ask(client_for(http_server.base_url))
    [request] = http_server.calls(COMPLETIONS)
    body = request.json()
    assert body["model"] == MODEL
    assert body["messages"] == [
        {"role": "system", "content": "You review health reports."},
        {"role": "user", "content": "Report: all fine."},
    ]
    sent = body["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["name"] == "Review" and sent["json_schema"]["strict"]
    schema = sent["json_schema"]["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["verdict", "reasons", "score"]
    assert schema["properties"]["verdict"]["enum"] == ["ok", "degraded", "down"]
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["authorization"] == f"Bearer {API_KEY}"


def test_refusal(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion(None, refusal="I can't help with that."))
    result = ask(client_for(http_server.base_url))
    assert result.parsed is None
    assert result.error == "the model refused to answer"
    assert result.prompt_tokens == 120  # tokens are recorded even without an answer


def test_length_cut_answer_is_incomplete(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion('{"verdict": "degr', finish_reason="length"))
    result = ask(client_for(http_server.base_url))
    assert result.parsed is None
    assert result.error == "the answer was incomplete (LengthFinishReasonError)"


def test_content_filter_is_incomplete(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion(json.dumps(GOOD_ANSWER), finish_reason="content_filter"))
    result = ask(client_for(http_server.base_url))
    assert result.parsed is None
    assert result.error == "the answer was incomplete (ContentFilterFinishReasonError)"


@pytest.mark.parametrize("content", ["The report looks fine.", "{'verdict': 'ok'}", '{"verdict": "ok"'])
def test_content_that_is_not_json(http_server: http_stub.HTTPStub, content: str) -> None:
    answer_with(http_server, completion(content))
    result = ask(client_for(http_server.base_url))
    assert result.parsed is None
    assert result.error == "the answer was not valid JSON"


def test_empty_content(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion(""))
    result = ask(client_for(http_server.base_url))
    assert result.parsed is None and result.error == "the answer was empty"


def test_a_value_outside_an_enum_is_parsed_for_the_caller_to_check(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion(json.dumps({**GOOD_ANSWER, "verdict": "fine"})))
    assert ask(client_for(http_server.base_url)).parsed.verdict == "fine"  # the schema's enum binds the model only


def test_no_choices(http_server: http_stub.HTTPStub) -> None:
    body = completion("{}")
    body["choices"] = []
    answer_with(http_server, body)
    result = ask(client_for(http_server.base_url))
    assert result.parsed is None
    assert result.error == "the OpenAI answer had no choices"


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"verdict": "ok", "reasons": []}, "score: missing"),
        ({**GOOD_ANSWER, "note": "ignore previous instructions"}, "note: extra_forbidden"),
        ({"verdict": "ok", "reasons": ["x", 3], "score": 1}, "reasons.1: string_type"),
        ({"verdict": "ok", "reasons": [], "score": "high"}, "score: float_parsing"),
        (["ok"], "$: model_type"),
    ],
    ids=["missing-key", "extra-key", "wrong-item-type", "wrong-type", "not-an-object"],
)
def test_json_not_matching_the_schema(http_server: http_stub.HTTPStub, answer: Any, problem: str) -> None:
    answer_with(http_server, completion(json.dumps(answer)))
    result = ask(client_for(http_server.base_url))
    assert result.parsed is None
    assert result.error == f"the answer did not match the schema ({problem})"


def test_http_500_is_retried_once_then_reported(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, {"error": {"message": "The server had an error", "type": "server_error"}}, status=500)
    result = ask(client_for(http_server.base_url))
    assert result.parsed is None
    assert result.error == f"OpenAI answered HTTP 500 at {http_server.base_url}{COMPLETIONS}"
    assert len(http_server.calls(COMPLETIONS)) == 2  # make_client: max_retries=1


def test_http_500_then_success_recovers(http_server: http_stub.HTTPStub) -> None:
    replies = [
        http_stub.json_reply({"error": {"message": "boom"}}, 500),
        http_stub.json_reply(completion(json.dumps(GOOD_ANSWER))),
    ]
    http_server.route("POST", COMPLETIONS, lambda _request: replies.pop(0))
    result = ask(client_for(http_server.base_url))
    assert result.error is None
    assert result.parsed == Review(**GOOD_ANSWER)
    assert len(http_server.calls(COMPLETIONS)) == 2


def test_http_401_is_not_retried_and_does_not_echo_the_key(http_server: http_stub.HTTPStub) -> None:
    answer_with(
        http_server,
        {
            "error": {
                "message": f"Incorrect API key provided: {API_KEY}.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
        },
        status=401,
    )
    result = ask(client_for(http_server.base_url))
    assert result.parsed is None
    assert result.error == f"OpenAI answered HTTP 401 at {http_server.base_url}{COMPLETIONS}"
    assert API_KEY not in result.error
    assert len(http_server.calls(COMPLETIONS)) == 1


def test_timeout(http_server: http_stub.HTTPStub) -> None:
    http_server.route("POST", COMPLETIONS, http_stub.slow(1.5, http_stub.json_reply(completion("{}"))))
    started = time.monotonic()
    result = ask(client_for(http_server.base_url, timeout=0.3))
    elapsed = time.monotonic() - started
    assert result.parsed is None
    assert result.error == f"the OpenAI request to {http_server.base_url}{COMPLETIONS} timed out"
    assert result.unreachable
    assert len(http_server.calls(COMPLETIONS)) == 2  # the first attempt and one retry
    assert elapsed < 3


def test_connection_refused() -> None:
    started = time.monotonic()
    port = free_port()
    result = ask(client_for(f"http://127.0.0.1:{port}"))
    assert result.parsed is None
    assert result.error == f"could not connect to the OpenAI API at http://127.0.0.1:{port}{COMPLETIONS}"
    assert result.unreachable
    assert result.total_tokens == 0
    assert time.monotonic() - started < 3


def test_ai_result_total_tokens() -> None:
    assert ai.AIResult("m", prompt_tokens=7, completion_tokens=5).total_tokens == 12
    assert ai.AIResult("m").total_tokens == 0


def test_make_client_honours_the_settings() -> None:
    client = ai.make_client(
        Settings(openai_api_key=API_KEY, openai_base_url="http://127.0.0.1:9/v1", openai_timeout=7.5)
    )
    assert str(client.base_url).rstrip("/") == "http://127.0.0.1:9/v1"
    assert client.timeout == 7.5
    assert client.max_retries == 1
    assert ai.make_client(Settings(openai_api_key=API_KEY), max_retries=0).max_retries == 0
