"""`llm-discovery probe`: admit by measuring. One small chat request per id the report proposes.

A listing proves an id exists, not that this account can call it. For each proposal the report
would print (rules and cached AI answers; no AI request), the probe sends one chat request — a
one-line prompt, MAX_OUTPUT_TOKENS of output — with the benchmark's own key to the provider's
API (`<PROVIDER>_BASE_URL`, OpenAI's `OPENAI_BASE_URL`; OpenAI's chat completions shape, and
Anthropic's messages API), and records the outcome in `probe_results` (never in the benchmark's
collections). `admission` turns the recorded attempts into what the report and the mail show.

Bounds, all per run: at most `max_calls` requests (MAX_CALLS at most), an estimated spend of at
most `max_usd` (prompt and output tokens at the registry's prices, else OpenRouter's, else
UNKNOWN_PRICE), one request per id, a provider that answers an auth or billing error is not
asked again, each request within `timeout` seconds and the whole run within `deadline`; no
redirect is followed (a key never leaves the host it was configured for), an answer is read up
to BODY_CAP bytes. Bedrock and Vertex (their consoles grant access; no key-based chat API here)
and providers without a key are skipped and said so. A dry run plans the same calls and sends
nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from ..admission import DEFAULT_CALLS, MAX_CALLS, RECHECK, Standing, read_standings
from ..classify import classify
from ..config import Settings
from ..repository import Store
from ..repository import probe_results as repo
from ..untrusted import safe_text
from ..variables import default
from .jobs import Match, ReportOptions, build_report
from .matching import PROVIDERS
from .provider_lists import ANTHROPIC_VERSION

log = logging.getLogger("llm_bench.discovery")

PROMPT = "Reply with the single word OK."
MAX_OUTPUT_TOKENS = 16
#: Prompt tokens a request is estimated at (the prompt plus a chat template's overhead).
PROMPT_TOKENS = 30
#: USD per million tokens assumed for an id without any price, so an unknown price is never free.
UNKNOWN_PRICE = 100.0
DEFAULT_TIMEOUT = 20.0
DEFAULT_DEADLINE = 120.0
BODY_CAP = 64 * 1024
MESSAGE_CHARS = 300
#: Providers without a key-based chat API here: access is granted in the cloud console.
UNPROBED = ("bedrock", "vertex")
#: How many proposals the probe looks at: the report's largest page.
MAX_TARGETS = 100

#: Phrases of a definitive refusal in a 400/403/404/422 answer, checked in this order (plain
#: substring tests on the lower-cased, capped text).
_REFUSAL_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("not_serverless", ("non-serverless", "not serverless", "not available for serverless", "serverless")),
    ("dedicated_endpoint", ("dedicated endpoint", "dedicated deployment", "dedicated instance")),
    ("terms", ("terms of service", "terms of use", "accept the terms", "terms acceptance", "license agreement")),
    ("no_access", ("do not have access", "does not have access", "not have access", "no access", "not allowed")),
    (
        "not_found",
        ("model_not_found", "not found", "does not exist", "unknown model", "no such model", "invalid model"),
    ),
)
_REFUSAL_STATUSES = (400, 403, 404, 422)
#: The kind an HTTP status says by itself, for the classifier's weakest evidence.
_STATUS_KINDS = {401: "auth", 402: "billing", 403: "auth", 404: "hard_model", 408: "timeout", 429: "rate_limit"}


@dataclass(frozen=True)
class Target:
    """One proposal to probe, with the prices its cost is estimated from (USD per million tokens)."""

    provider: str
    model_id: str
    openrouter_id: str
    input_price: float | None = None
    output_price: float | None = None

    @property
    def estimated_usd(self) -> float:
        prompt = self.input_price if self.input_price is not None else UNKNOWN_PRICE
        output = self.output_price if self.output_price is not None else UNKNOWN_PRICE
        return (PROMPT_TOKENS * prompt + MAX_OUTPUT_TOKENS * output) / 1_000_000

    @classmethod
    def of(cls, match: Match) -> Target:
        return cls(
            match.provider,
            match.model_id,
            match.openrouter_id,
            _first(match.registry_input_price, match.openrouter_input_price),
            _first(match.registry_output_price, match.openrouter_output_price),
        )


def _first(*values: float | None) -> float | None:
    return next((v for v in values if isinstance(v, (int, float)) and v >= 0), None)


@dataclass(frozen=True)
class ProbeConfig:
    keys: Mapping[str, str] = field(default_factory=dict)  # provider -> API key
    bases: Mapping[str, str] = field(default_factory=dict)  # provider -> API base URL
    max_calls: int = DEFAULT_CALLS
    max_usd: float = float(default("PROBE_MAX_USD"))
    timeout: float = DEFAULT_TIMEOUT
    deadline: float = DEFAULT_DEADLINE

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> ProbeConfig:
        bases = {p: base for p in PROVIDERS if (base := settings.api_base(p))}
        return cls(dict(settings.provider_keys), bases, max_usd=settings.probe_max_usd, **options)


@dataclass(frozen=True)
class Call:
    """One request sent (or, in a dry run, planned) and what came of it."""

    provider: str
    model_id: str
    openrouter_id: str
    url: str
    estimated_usd: float
    outcome: str | None = None  # None in a dry run
    status: int | None = None
    kind: str | None = None
    reason: str | None = None
    message: str = ""
    seconds: float | None = None


@dataclass(frozen=True)
class Skipped:
    provider: str
    model_id: str
    openrouter_id: str
    reason: str


@dataclass(frozen=True)
class ProbeRun:
    at: dt.datetime
    dry_run: bool
    proposals: int
    calls: tuple[Call, ...]
    skipped: tuple[Skipped, ...]
    estimated_usd: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(provider: str, status: int | None, text: str) -> tuple[str, str, str | None]:
    """(outcome, kind, refusal reason) of one answer; `status` None when no HTTP answer came."""
    if status is not None and 200 <= status < 300:
        return "success", "none", None
    stored = _STATUS_KINDS.get(status or 0) or ("transient_provider" if status and status >= 500 else None)
    message = f"Error code: {status} - {text}" if status else text
    kind = classify(provider=provider, message=message[:4000], stored_kind=stored).kind
    if status is None:
        return "transient", "timeout" if text.startswith("timed out") else "network", None
    lowered = text[:4000].lower()
    if status in _REFUSAL_STATUSES:
        for reason, phrases in _REFUSAL_PHRASES:
            if any(phrase in lowered for phrase in phrases):
                return "refused", kind, reason
    if status in (401, 402, 403) or kind in ("auth", "billing"):
        return "stopped", kind, None
    if status == 404:
        return "refused", kind, "not_found"
    return "transient", kind, None


def request_for(provider: str, base: str, key: str, model_id: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """(URL, headers, JSON body) of the minimal chat request for one id."""
    base = base.rstrip("/")
    messages = [{"role": "user", "content": PROMPT}]
    if provider == "anthropic":
        headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
        return f"{base}/messages", headers, {"model": model_id, "max_tokens": MAX_OUTPUT_TOKENS, "messages": messages}
    # OpenAI's newer models refuse `max_tokens`; the other OpenAI-compatible APIs all accept it.
    limit = "max_completion_tokens" if provider == "openai" else "max_tokens"
    body = {"model": model_id, "messages": messages, limit: MAX_OUTPUT_TOKENS}
    return f"{base}/chat/completions", {"Authorization": f"Bearer {key}"}, body


def _send(
    client: httpx.Client,
    request: tuple[str, dict[str, str], dict[str, Any]],
    timeout: float,
    stop_at: float,
    monotonic: Callable[[], float],
) -> tuple[int | None, str]:
    """(status or None, answer text) of one POST: no redirect, at most BODY_CAP bytes, within `timeout`."""
    url, headers, body = request
    try:
        with client.stream(
            "POST",
            url,
            headers={**headers, "Accept": "application/json"},
            json=body,
            timeout=timeout,
            follow_redirects=False,
        ) as response:
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) >= BODY_CAP or monotonic() > stop_at:
                    break
            if response.is_redirect:
                return None, f"answered HTTP {response.status_code} (a redirect): not followed, the key stays here"
            text = bytes(data[:BODY_CAP]).decode("utf-8", "replace")
            if 200 <= response.status_code < 300 and not _answered(text):
                return None, f"answered HTTP {response.status_code} without a chat answer: {text[:200]}"
            return response.status_code, text
    except httpx.TimeoutException:
        return None, f"timed out after {timeout:.0f} s"
    except httpx.HTTPError as exc:
        return None, f"network error ({type(exc).__name__})"


def _error_text(text: str) -> str:
    """The message of a JSON error answer (`error.message`, `error`, `message`), else the text."""
    try:
        payload = json.loads(text)
    except ValueError:
        return text
    if isinstance(payload, dict):
        error = payload.get("error")
        for found in (error.get("message") if isinstance(error, dict) else error, payload.get("message")):
            if isinstance(found, str) and found:
                return found
    return text


def _answered(text: str) -> bool:
    """A 2xx body that is a JSON object without an `error` (some APIs send errors with 200)."""
    try:
        payload = json.loads(text)
    except ValueError:
        return False
    return isinstance(payload, dict) and not payload.get("error")


def probe(
    targets: Iterable[Target],
    standings: Mapping[tuple[str, str], Standing],
    config: ProbeConfig,
    now: dt.datetime,
    *,
    client: httpx.Client | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    dry_run: bool = False,
    proposals: int = 0,
) -> ProbeRun:
    """Call (or plan) each due target within the run's bounds; nothing is stored here."""
    started = monotonic()
    stop_at = started + config.deadline
    calls: list[Call] = []
    skipped: list[Skipped] = []
    stopped: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    spent = 0.0
    max_calls = min(config.max_calls, MAX_CALLS)
    http = client or httpx.Client(follow_redirects=False)
    try:
        for target in targets:
            key = (target.provider, target.model_id)
            if key in seen:
                continue  # one request per id per run
            seen.add(key)

            def skip(reason: str, target: Target = target) -> None:
                skipped.append(Skipped(target.provider, target.model_id, target.openrouter_id, reason))

            standing = standings.get(key)
            if target.provider in UNPROBED:
                skip(f"not probed: {target.provider} grants model access in its console (no key-based API here)")
            elif not config.keys.get(target.provider):
                skip(f"not probed: {target.provider.upper()}_API_KEY is not set")
            elif standing is not None and not standing.due(now):
                skip(f"not due: {standing.summary()}")
            elif target.provider in stopped:
                skip(f"not asked: {target.provider} answered {stopped[target.provider]} earlier in this run")
            elif len(calls) >= max_calls:
                skip(f"over the call limit ({max_calls} per run, --max-calls)")
            elif spent + target.estimated_usd > config.max_usd:
                skip(f"over the spend ceiling (PROBE_MAX_USD {config.max_usd:g}, estimated {target.estimated_usd:.4g})")
            elif monotonic() >= stop_at:
                skip(f"the run's deadline ({config.deadline:g} s) passed")
            else:
                spent += target.estimated_usd
                request = request_for(
                    target.provider, config.bases[target.provider], config.keys[target.provider], target.model_id
                )
                call = Call(target.provider, target.model_id, target.openrouter_id, request[0], target.estimated_usd)
                if not dry_run:
                    call = _call(http, call, request, config, stop_at, monotonic)
                    if call.outcome == "stopped":
                        stopped[target.provider] = f"{call.kind} (HTTP {call.status})"
                calls.append(call)
    finally:
        if client is None:
            http.close()
    return ProbeRun(now, dry_run, proposals, tuple(calls), tuple(skipped), round(spent, 6))


def _call(
    client: httpx.Client,
    call: Call,
    request: tuple[str, dict[str, str], dict[str, Any]],
    config: ProbeConfig,
    stop_at: float,
    monotonic: Callable[[], float],
) -> Call:
    began = monotonic()
    timeout = max(0.1, min(config.timeout, stop_at - began))
    status, text = _send(client, request, timeout, stop_at, monotonic)
    outcome, kind, reason = judge(call.provider, status, text)
    return Call(
        **{
            **asdict(call),
            "outcome": outcome,
            "status": status,
            "kind": kind,
            "reason": reason,
            "message": "" if outcome == "success" else safe_text(_error_text(text), MESSAGE_CHARS),
            "seconds": round(monotonic() - began, 3),
        }
    )


def attempt_documents(run: ProbeRun) -> list[dict[str, Any]]:
    """The `probe_results` documents of a run's calls (none for a dry run)."""
    if run.dry_run:
        return []
    return [
        {
            "provider": c.provider,
            "model_id": c.model_id,
            "openrouter_id": c.openrouter_id,
            "at": run.at,
            "outcome": c.outcome,
            "status": c.status,
            "kind": c.kind,
            "reason": c.reason,
            "message": c.message,
        }
        for c in run.calls
    ]


def run_probe(
    store: Store,
    db_name: str,
    config: ProbeConfig,
    providers: tuple[str, ...],
    now: dt.datetime,
    *,
    client: httpx.Client | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    dry_run: bool = False,
) -> ProbeRun:
    """Probe what the report proposes now (no AI request), record the attempts, return the run."""
    standings = read_standings(repo.recent(store, now - RECHECK))
    report = build_report(
        store, db_name, ReportOptions(max_matches=MAX_TARGETS, providers=providers), None, now, standings=standings
    )
    run = probe(
        [Target.of(m) for m in report.matches],
        standings,
        config,
        now,
        client=client,
        monotonic=monotonic,
        dry_run=dry_run,
        proposals=len(report.matches),
    )
    repo.record(store, attempt_documents(run))
    return ProbeRun(**{**vars(run), "notes": report.notes})
