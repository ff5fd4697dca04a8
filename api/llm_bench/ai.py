"""One structured-output call to an OpenAI (or compatible) chat model, shared by both jobs.

`ask_parsed` never raises for the model's or the network's faults: it returns an `AIResult`
whose `error` is one line saying why there is no answer (timeout, HTTP error, refusal,
incomplete or invalid output, naming the endpoint but never the key), so callers can carry on
with their deterministic result. The answer is parsed by the SDK into the pydantic model whose
strict JSON schema was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .config import Settings
from .untrusted import safe_text

log = logging.getLogger("llm_bench.ai")


@dataclass(frozen=True)
class AIResult:
    model: str
    error: str | None = None
    parsed: Any = None  # the pydantic answer of `ask_parsed`
    unreachable: bool = False  # timed out or could not connect: later requests of the run would too
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def estimated_cost(prices: tuple[float, float] | None, prompt_tokens: int, completion_tokens: int) -> float | None:
    """Estimated USD for a call from USD-per-million (prompt, completion) prices; None without prices."""
    if prices is None:
        return None
    return round((prompt_tokens * prices[0] + completion_tokens * prices[1]) / 1_000_000, 6)


def make_client(settings: Settings, *, max_retries: int = 1) -> Any:
    """An `openai.OpenAI` client honouring OPENAI_BASE_URL and OPENAI_TIMEOUT (imported lazily)."""
    from openai import OpenAI

    return OpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout,
        max_retries=max_retries,
    )


def _endpoint(exc: Exception) -> str:
    """Where the failed request went (scheme, host, port, path: no query, no credentials)."""
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if url is None:
        return "the OpenAI API"
    port = f":{url.port}" if url.port else ""
    return safe_text(f"{url.scheme}://{url.host}{port}{url.path}", 200)


def _failure(exc: Exception) -> str:
    """One line for an SDK exception (the request never produced an answer)."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return f"the OpenAI request to {_endpoint(exc)} timed out"
    if isinstance(exc, openai.APIStatusError):
        return f"OpenAI answered HTTP {exc.status_code} at {_endpoint(exc)}"
    if isinstance(exc, openai.APIConnectionError):
        return f"could not connect to the OpenAI API at {_endpoint(exc)}"
    return f"OpenAI client error: {type(exc).__name__}"


def _failed(model: str, exc: Exception) -> AIResult:
    import openai

    return AIResult(model, error=_failure(exc), unreachable=isinstance(exc, openai.APIConnectionError))


def announce(client: Any, model: str) -> None:
    """One INFO line before a run's first AI request: which model, where, with what bound."""
    log.info(
        "asking OpenAI model %s at %s (timeout %g s)",
        model,
        getattr(client, "base_url", "?"),
        getattr(client, "timeout", 0) or 0,
    )


def _usage(model: str, response: Any) -> AIResult:
    """The tokens a response used, as a result still without answer or error."""
    usage = getattr(response, "usage", None)
    return AIResult(
        model,
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
    )


def _unfinished(response: Any) -> str | None:
    """Why a response carries no usable answer (no choice, a refusal, a cut-off), or None."""
    if not response.choices:
        return "the OpenAI answer had no choices"
    choice = response.choices[0]
    if getattr(choice.message, "refusal", None):
        return "the model refused to answer"
    if choice.finish_reason not in (None, "stop"):
        return f"the answer was incomplete (finish_reason={choice.finish_reason})"
    return None


def ask_parsed(client: Any, *, model: str, system: str, user: str, response_format: type[Any]) -> AIResult:
    """Ask for an answer parsed into the pydantic model `response_format` (the SDK's Structured
    Outputs: strict schema, typed `parsed`); never raises for the model's or the network's faults."""
    import openai
    import pydantic

    try:
        response = client.chat.completions.parse(
            model=model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            response_format=response_format,
        )
    except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
        return AIResult(model, error=f"the answer was incomplete ({type(exc).__name__})")
    except openai.OpenAIError as exc:
        return _failed(model, exc)
    except pydantic.ValidationError as exc:
        first: Mapping[str, Any] = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            return AIResult(model, error="the answer was not valid JSON")
        where = ".".join(str(part) for part in first.get("loc", ())) or "$"
        return AIResult(model, error=f"the answer did not match the schema ({where}: {first.get('type', '?')})")
    except ValueError:
        return AIResult(model, error="the answer did not match the schema")
    used = _usage(model, response)
    problem = _unfinished(response)
    if problem:
        return replace(used, error=problem)
    parsed = response.choices[0].message.parsed
    if parsed is None:
        return replace(used, error="the answer was empty")
    return replace(used, parsed=parsed)
