"""A hostile dead-man endpoint never holds a job: the ping is bounded in total, not per read, by
a server that trickles its headers one byte at a time, and never reads a body (trickled or
endless). Raw sockets on loopback (tests/trickle_stub.py) against the real `python -m` ping."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from ops_tree import ROOT
from trickle_stub import Trickle

from api.llm_bench import ping


@pytest.fixture
def trickle(request: pytest.FixtureRequest) -> Iterator[Trickle]:
    server = Trickle(request.param).start()
    yield server
    server.stop()


@pytest.mark.parametrize("trickle", ["headers"], indirect=True)
def test_a_trickling_endpoint_costs_the_timeout_in_total(trickle: Trickle) -> None:
    started = time.monotonic()
    result = ping.ping(trickle.url, timeout=1.0)
    took = time.monotonic() - started
    assert not result.ok and result.detail == "Timeout: no complete answer within 1 s in total"
    assert took < 2.5, f"held {took:.1f} s"


@pytest.mark.parametrize("trickle", ["body", "flood"], indirect=True)
def test_the_body_is_never_read(trickle: Trickle) -> None:
    started = time.monotonic()
    result = ping.ping(trickle.url, timeout=1.0)
    assert result.ok and result.detail == "HTTP 200"
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("trickle", ["headers"], indirect=True)
def test_the_units_ping_is_bounded_as_documented(trickle: Trickle) -> None:
    env = {"PATH": os.environ["PATH"], "HEALTHCHECK_PING_URL": trickle.url.rsplit("/", 1)[0], "EXIT_STATUS": "0"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "api.llm_bench.ping", "finish"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.monotonic() - started
    assert result.returncode == 0
    assert f"within {ping.TIMEOUT_SECONDS:g} s in total" in result.stderr
    assert took < ping.TIMEOUT_SECONDS + 5, f"held {took:.1f} s"
