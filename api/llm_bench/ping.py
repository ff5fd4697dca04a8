"""Optional dead-man's-switch pings around each scheduled job (healthchecks.io style).

The units run `python -m api.llm_bench.ping start` before the job and `... finish` after it;
`finish` reads systemd's `$EXIT_STATUS` and pings `<url>/<status>`. With no
`HEALTHCHECK_PING_URL` nothing happens. A ping never blocks the job for long (one bound on the
whole request, however slowly the server answers) and never fails it: every outcome of a ping
exits 0 (only a wrong command line does not, and the units ignore even that), and only a
one-line note goes to stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from .exit_codes import ExitStatus
from .untrusted import safe_text

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class PingResult:
    url: str
    ok: bool
    detail: str


def event_for(phase: str, env: Mapping[str, str]) -> str:
    """`start`, or the job's exit status 0-255 for `finish` (`fail` if it died by a signal)."""
    if phase == "start":
        return "start"
    status = env.get("EXIT_STATUS", "").strip()
    if status.isdigit() and int(status) <= 255:
        return str(int(status))
    return "0" if not status and env.get("SERVICE_RESULT") == "success" else "fail"


def ping_url(base: str, event: str) -> str:
    return f"{base.rstrip('/')}/{event}"


def ping(url: str, *, timeout: float = TIMEOUT_SECONDS) -> PingResult:
    """GET `url` within `timeout` seconds in total (connect, redirects and every byte of the
    answer's head; the body is never read); any network error, timeout or non-2xx reply is
    reported, never raised."""
    import asyncio

    import httpx

    async def status() -> int:
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            return response.status_code

    try:
        code = asyncio.run(asyncio.wait_for(status(), timeout))
    except TimeoutError:
        return PingResult(url, False, f"Timeout: no complete answer within {timeout:g} s in total")
    except httpx.HTTPError as exc:
        return PingResult(url, False, f"{exc.__class__.__name__}: {safe_text(str(exc), 200)}")
    return PingResult(url, 200 <= code < 300, f"HTTP {code}")


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if env is None else env
    base = env.get("HEALTHCHECK_PING_URL", "").strip()
    if len(args) != 1 or args[0] not in ("start", "finish"):
        print("usage: python -m api.llm_bench.ping {start|finish}", file=sys.stderr)
        return int(ExitStatus.USAGE)
    if not base:
        return 0
    if urlsplit(base).scheme not in ("http", "https"):
        print("ping skipped: HEALTHCHECK_PING_URL is not an http(s) URL", file=sys.stderr)
        return 0
    event = event_for(args[0], env)
    try:
        result = ping(ping_url(base, event))
    except Exception as exc:  # a ping must never fail the job, whatever goes wrong
        result = PingResult(base, False, f"{exc.__class__.__name__}: {safe_text(str(exc), 200)}")
    # The ping URL embeds the check's secret id, so only its host is logged.
    host = safe_text(urlsplit(base).hostname or "?", 100)
    print(f"ping {event} to {host}: {'ok' if result.ok else 'failed'} ({result.detail})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
