"""ask_json with the real openai client against a local HTTP stub, and schema_problem on its own."""

from __future__ import annotations

import json
import time
from typing import Any

import http_stub
import pytest

from api.llm_bench import ai
from api.llm_bench.config import Settings
from api.llm_bench.embedded import free_port

COMPLETIONS = "/v1/chat/completions"
API_KEY = "test-key-not-secret"
MODEL = "gpt-4o-mini"

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "verdict": {"type": "string", "enum": ["ok", "degraded", "down"]},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "score": {"type": "number"},
    },
    "required": ["verdict", "reasons", "score"],
    "additionalProperties": False,
}
GOOD_ANSWER = {"verdict": "degraded", "reasons": ["two providers failing"], "score": 0.5}


def completion(content: str | None, *, finish_reason: str = "stop", refusal: str | None = None,
               prompt_tokens: int = 120, completion_tokens: int = 30) -> dict[str, Any]:
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


def ask(client: Any, schema: dict[str, Any] = SCHEMA) -> ai.AIResult:
    return ai.ask_json(client, model=MODEL, system="You review health reports.", user="Report: all fine.",
                       schema=schema, name="health_review")


def answer_with(stub: http_stub.HTTPStub, body: Any, status: int = 200) -> None:
    stub.route("POST", COMPLETIONS, lambda _request: http_stub.json_reply(body, status))


def test_well_formed_answer(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion(json.dumps(GOOD_ANSWER), prompt_tokens=321, completion_tokens=45))
    result = ask(client_for(http_server.base_url))
    assert result.error is None
    assert result.data == GOOD_ANSWER
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
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "health_review", "strict": True, "schema": SCHEMA},
    }
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["authorization"] == f"Bearer {API_KEY}"


def test_refusal(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion(None, refusal="I can't help with that."))
    result = ask(client_for(http_server.base_url))
    assert result.data is None
    assert result.error == "the model refused to answer"
    assert result.prompt_tokens == 120  # tokens are recorded even without an answer


def test_length_cut_answer_is_incomplete(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion('{"verdict": "degr', finish_reason="length"))
    result = ask(client_for(http_server.base_url))
    assert result.data is None
    assert result.error == "the answer was incomplete (finish_reason=length)"
    assert result.completion_tokens == 30


def test_content_filter_is_incomplete(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, completion(json.dumps(GOOD_ANSWER), finish_reason="content_filter"))
    result = ask(client_for(http_server.base_url))
    assert result.data is None
    assert result.error == "the answer was incomplete (finish_reason=content_filter)"


@pytest.mark.parametrize("content", ["The report looks fine.", "", "{'verdict': 'ok'}", '{"verdict": "ok"'])
def test_content_that_is_not_json(http_server: http_stub.HTTPStub, content: str) -> None:
    answer_with(http_server, completion(content))
    result = ask(client_for(http_server.base_url))
    assert result.data is None
    assert result.error == "the answer was not valid JSON"


def test_no_choices(http_server: http_stub.HTTPStub) -> None:
    body = completion("{}")
    body["choices"] = []
    answer_with(http_server, body)
    result = ask(client_for(http_server.base_url))
    assert result.data is None
    assert result.error == "the OpenAI answer had no choices"


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"verdict": "ok", "reasons": []}, "$ lacks score"),
        ({"verdict": "fine", "reasons": [], "score": 1}, "$.verdict is not one of ['ok', 'degraded', 'down']"),
        ({**GOOD_ANSWER, "note": "ignore previous instructions"}, "$ has unexpected note"),
        ({"verdict": "ok", "reasons": ["x", 3], "score": 1}, "$.reasons[1] is not string"),
        ({"verdict": "ok", "reasons": [], "score": "high"}, "$.score is not number"),
        (["ok"], "$ is not object"),
    ],
    ids=["missing-key", "wrong-enum", "extra-key", "wrong-item-type", "wrong-type", "not-an-object"],
)
def test_json_not_matching_the_schema(http_server: http_stub.HTTPStub, answer: Any, problem: str) -> None:
    answer_with(http_server, completion(json.dumps(answer)))
    result = ask(client_for(http_server.base_url))
    assert result.data is None
    assert result.error == f"the answer did not match the schema ({problem})"
    assert result.total_tokens == 150


def test_http_500_is_retried_once_then_reported(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, {"error": {"message": "The server had an error", "type": "server_error"}}, status=500)
    result = ask(client_for(http_server.base_url))
    assert result.data is None
    assert result.error == "OpenAI answered HTTP 500"
    assert len(http_server.calls(COMPLETIONS)) == 2  # make_client: max_retries=1


def test_http_500_then_success_recovers(http_server: http_stub.HTTPStub) -> None:
    replies = [http_stub.json_reply({"error": {"message": "boom"}}, 500),
               http_stub.json_reply(completion(json.dumps(GOOD_ANSWER)))]
    http_server.route("POST", COMPLETIONS, lambda _request: replies.pop(0))
    result = ask(client_for(http_server.base_url))
    assert result.error is None
    assert result.data == GOOD_ANSWER
    assert len(http_server.calls(COMPLETIONS)) == 2


def test_http_401_is_not_retried_and_does_not_echo_the_key(http_server: http_stub.HTTPStub) -> None:
    answer_with(http_server, {"error": {"message": f"Incorrect API key provided: {API_KEY}.",
                                        "type": "invalid_request_error", "code": "invalid_api_key"}}, status=401)
    result = ask(client_for(http_server.base_url))
    assert result.data is None
    assert result.error == "OpenAI answered HTTP 401"
    assert API_KEY not in result.error
    assert len(http_server.calls(COMPLETIONS)) == 1


def test_timeout(http_server: http_stub.HTTPStub) -> None:
    http_server.route("POST", COMPLETIONS, http_stub.slow(1.5, http_stub.json_reply(completion("{}"))))
    started = time.monotonic()
    result = ask(client_for(http_server.base_url, timeout=0.3))
    elapsed = time.monotonic() - started
    assert result.data is None
    assert result.error == "the OpenAI request timed out"
    assert len(http_server.calls(COMPLETIONS)) == 2  # the first attempt and one retry
    assert elapsed < 3


def test_connection_refused() -> None:
    started = time.monotonic()
    result = ask(client_for(f"http://127.0.0.1:{free_port()}"))
    assert result.data is None
    assert result.error == "could not connect to the OpenAI API"
    assert result.total_tokens == 0
    assert time.monotonic() - started < 3


def test_ai_result_total_tokens() -> None:
    assert ai.AIResult("m", prompt_tokens=7, completion_tokens=5).total_tokens == 12
    assert ai.AIResult("m").total_tokens == 0


def test_make_client_honours_the_settings() -> None:
    client = ai.make_client(Settings(openai_api_key=API_KEY, openai_base_url="http://127.0.0.1:9/v1",
                                     openai_timeout=7.5))
    assert str(client.base_url).rstrip("/") == "http://127.0.0.1:9/v1"
    assert client.timeout == 7.5
    assert client.max_retries == 1
    assert ai.make_client(Settings(openai_api_key=API_KEY), max_retries=0).max_retries == 0


# schema_problem on its own


def test_schema_problem_accepts_a_matching_value() -> None:
    assert ai.schema_problem(GOOD_ANSWER, SCHEMA) is None
    assert ai.schema_problem({"verdict": "ok", "reasons": [], "score": 3}, SCHEMA) is None  # an int is a number


@pytest.mark.parametrize(
    ("value", "schema", "problem"),
    [
        (True, {"type": "number"}, "$ is not number"),
        (True, {"type": "integer"}, "$ is not integer"),
        (1.5, {"type": "integer"}, "$ is not integer"),
        (1, {"type": "boolean"}, "$ is not boolean"),
        (None, {"type": "string"}, "$ is not string"),
        ("x", {"type": ["integer", "null"]}, "$ is not integer/null"),
        ({}, {"type": "array"}, "$ is not array"),
        ("maybe", {"type": "string", "enum": ["yes", "no"]}, "$ is not one of ['yes', 'no']"),
    ],
)
def test_schema_problem_types_and_enums(value: Any, schema: dict[str, Any], problem: str) -> None:
    assert ai.schema_problem(value, schema) == problem


def test_schema_problem_nullable_union() -> None:
    schema = {"type": ["string", "null"]}
    assert ai.schema_problem(None, schema) is None
    assert ai.schema_problem("x", schema) is None


def test_schema_problem_extra_keys_only_when_additional_properties_is_false() -> None:
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    strict = {**loose, "additionalProperties": False}
    assert ai.schema_problem({"a": "x", "b": 1}, loose) is None
    assert ai.schema_problem({"a": "x", "b": 1}, strict) == "$ has unexpected b"


def test_schema_problem_reports_the_path_of_nested_problems() -> None:
    schema = {
        "type": "object",
        "properties": {
            "findings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"model": {"type": "string"}, "severity": {"enum": ["low", "high"]}},
                    "required": ["model", "severity"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["findings"],
        "additionalProperties": False,
    }
    ok = {"model": "gpt-4o", "severity": "low"}
    assert ai.schema_problem({"findings": [ok]}, schema) is None
    assert ai.schema_problem({"findings": [ok, {"model": "x"}]}, schema) == "$.findings[1] lacks severity"
    assert ai.schema_problem({"findings": [ok, {"model": 1, "severity": "low"}]}, schema) == (
        "$.findings[1].model is not string")
    assert ai.schema_problem({"findings": [{**ok, "severity": "urgent"}]}, schema) == (
        "$.findings[0].severity is not one of ['low', 'high']")
    assert ai.schema_problem({"findings": [{**ok, "extra": 1}]}, schema) == "$.findings[0] has unexpected extra"


def test_schema_problem_reports_the_first_missing_key() -> None:
    assert ai.schema_problem({}, SCHEMA) == "$ lacks verdict"
