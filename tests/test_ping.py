"""The dead-man pings against a local HTTP stub: the right path for each phase and exit status,
nothing without a URL, and exit 0 whatever the server does (error, silence, nobody listening)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from http_stub import HTTPStub, json_reply, slow
from ops_tree import ROOT

from api.llm_bench import ping
from api.llm_bench.embedded import free_port


@pytest.mark.parametrize(
    ("phase", "extra", "event"),
    [
        ("start", {}, "start"),
        ("finish", {"EXIT_STATUS": "0", "SERVICE_RESULT": "success"}, "0"),
        ("finish", {"EXIT_STATUS": "4", "SERVICE_RESULT": "exit-code"}, "4"),
        ("finish", {"EXIT_STATUS": "TERM", "SERVICE_RESULT": "signal"}, "fail"),
        ("finish", {"SERVICE_RESULT": "timeout"}, "fail"),
    ],
)
def test_ping_path_per_phase(http_server: HTTPStub, phase: str, extra: dict[str, str], event: str) -> None:
    http_server.route("GET", f"/ping/check-id/{event}", lambda _r: json_reply("OK"))
    env = {"HEALTHCHECK_PING_URL": f"{http_server.base_url}/ping/check-id/", **extra}
    assert ping.main([phase], env) == 0
    assert [r.path for r in http_server.requests] == [f"/ping/check-id/{event}"]


def test_no_url_no_request(http_server: HTTPStub) -> None:
    assert ping.main(["start"], {}) == 0
    assert ping.main(["finish"], {"HEALTHCHECK_PING_URL": "  ", "EXIT_STATUS": "1"}) == 0
    assert http_server.requests == []


def test_failures_never_fail_the_job(http_server: HTTPStub, capsys: pytest.CaptureFixture[str]) -> None:
    http_server.route("GET", "/broken/start", lambda _r: json_reply({"error": "down"}, 500))
    assert ping.main(["start"], {"HEALTHCHECK_PING_URL": f"{http_server.base_url}/broken"}) == 0
    assert ping.main(["start"], {"HEALTHCHECK_PING_URL": f"http://127.0.0.1:{free_port()}/nobody"}) == 0
    assert ping.main(["start"], {"HEALTHCHECK_PING_URL": "file:///etc/passwd"}) == 0
    err = capsys.readouterr().err
    assert "failed (HTTP 500)" in err and "failed (ConnectError" in err and "not an http(s) URL" in err
    assert "/broken" not in err  # the check's id stays out of the journal


def test_a_silent_server_costs_only_the_timeout(http_server: HTTPStub) -> None:
    http_server.route("GET", "/slow/start", slow(5, json_reply("OK")))
    started = time.monotonic()
    result = ping.ping(f"{http_server.base_url}/slow/start", timeout=0.5)
    assert not result.ok and "Timeout" in result.detail
    assert time.monotonic() - started < 3


def test_run_as_the_units_run_it(http_server: HTTPStub) -> None:
    http_server.route("GET", "/hc/7", lambda _r: json_reply("OK"))
    env = {"PATH": os.environ["PATH"], "HEALTHCHECK_PING_URL": f"{http_server.base_url}/hc", "EXIT_STATUS": "7"}
    result = subprocess.run(
        [sys.executable, "-m", "api.llm_bench.ping", "finish"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert len(http_server.calls("/hc/7")) == 1


def test_wrong_usage_is_reported() -> None:
    assert ping.main(["stop"], {}) == 2
