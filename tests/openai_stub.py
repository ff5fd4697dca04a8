"""Chat-completion replies in the OpenAI wire format, for the local HTTP stub."""

from __future__ import annotations

import json
from typing import Any

from http_stub import HTTPStub, Request, json_reply

PATH = "/v1/chat/completions"


def completion(
    content: str | None, *, finish_reason: str = "stop", refusal: str | None = None, model: str = "gpt-4o-mini"
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1764144000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 150, "total_tokens": 1350},
    }


def answer_with(stub: HTTPStub, answer: dict[str, Any] | str, **kwargs: Any) -> None:
    """Route the chat endpoint to a fixed answer (a dict is sent as its JSON text)."""
    content = answer if isinstance(answer, str) else json.dumps(answer)

    def handler(_request: Request) -> tuple[int, dict[str, str], Any]:
        return json_reply(completion(content, **kwargs))

    stub.route("POST", PATH, handler)
