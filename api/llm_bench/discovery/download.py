"""Bounded JSON downloads for discovery's model sources (the registry and the providers' lists).

Every source is outside data that can be slow, huge or wrong: each request has a timeout, each
source a total deadline and a size cap, and a paginated list a page limit. Failures are two
kinds, both one line and both leaving the stored data untouched: the source could not be read
(`SourceUnavailable`: network, timeout, HTTP 401/500...) or it answered something that is not a
believable list (`SourceRefused`: HTML, non-JSON, too big, empty, much shorter than last time).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ..origins import described, same_origin
from ..untrusted import redact, safe_text


class SourceError(Exception):
    """A source failed; `status` is what its run record says."""

    status = "unavailable"


class SourceUnavailable(SourceError):
    status = "unavailable"


class SourceRefused(SourceError):
    status = "refused"


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0  # seconds per request (connect, each read)
    deadline: float = 120.0  # seconds for all the pages of one source
    max_bytes: int = 64 * 1024 * 1024  # per response (LiteLLM's map is about 3.5 MB)
    max_pages: int = 20


@dataclass
class Budget:
    """The deadline and page count of one source, shared by its requests."""

    limits: Limits
    clock: Callable[[], float] = time.monotonic
    started: float | None = None
    pages: int = 0

    def check(self) -> None:
        now = self.clock()
        self.started = now if self.started is None else self.started
        if now - self.started > self.limits.deadline:
            raise SourceUnavailable(f"gave up after the {self.limits.deadline:.0f} s deadline")


#: Redirects followed per request (each one counts against the source's deadline).
MAX_REDIRECTS = 5


def get_json(client: httpx.Client, url: str, headers: Mapping[str, str], budget: Budget) -> Any:
    """GET one page and parse it; raise SourceUnavailable or SourceRefused.

    Redirects are followed here, not by httpx (which strips only `Authorization`): `headers`
    (the API key, whatever its header) go to `url`'s origin only, never to another one."""
    budget.check()
    if budget.pages >= budget.limits.max_pages:
        raise SourceRefused(f"more than {budget.limits.max_pages} pages; refusing an endless list")
    budget.pages += 1
    where = safe_text(redact(url), 200)
    target = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            own = same_origin(target, url)
            sent = dict(headers) if own else {}
            with client.stream(
                "GET", target, headers=sent, timeout=budget.limits.timeout, follow_redirects=False
            ) as response:
                if response.is_redirect and response.headers.get("location"):
                    target = str(response.url.join(response.headers["location"]))
                    budget.check()
                    continue
                body = _read(response, where, budget, "" if own or not headers else described(target))
                break
        else:
            raise SourceUnavailable(f"{where} redirected more than {MAX_REDIRECTS} times")
    except httpx.TimeoutException:
        raise SourceUnavailable(f"{where} timed out") from None
    except httpx.HTTPError as exc:
        raise SourceUnavailable(f"{where}: network error ({type(exc).__name__})") from None
    try:
        return json.loads(bytes(body))
    except RecursionError:
        raise SourceRefused(f"{where} answered JSON nested too deeply to read") from None
    except ValueError:
        raise SourceRefused(f"{where} did not answer JSON (an HTML error page?)") from None


def _read(response: httpx.Response, where: str, budget: Budget, elsewhere: str) -> bytearray:
    """The body of a 200 answer within the size cap; `elsewhere` names the other origin a
    redirect led to (where the credentials were not sent)."""
    if response.status_code != 200:
        hint = " (is the API key valid?)" if response.status_code in (401, 403) else ""
        if elsewhere:
            hint = f" (after a redirect to {safe_text(elsewhere, 120)}, where the API key is not sent)"
        raise SourceUnavailable(f"{where} answered HTTP {response.status_code}{hint}")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > budget.limits.max_bytes:
            raise SourceRefused(f"{where} sent more than {budget.limits.max_bytes} bytes")
        budget.check()
    return body
