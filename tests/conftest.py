"""Shared fixtures: a real MongoDB-compatible server, a local HTTP stub and a local SMTP sink.

MongoDB: SecantusDB started on 127.0.0.1 for the session, or the server named by
MONGODB_TEST_URI. Each test gets its own database, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import http_stub
import pytest
import smtp_sink

from api.llm_bench import repository
from api.llm_bench.config import Collections
from api.llm_bench.embedded import embedded_mongodb, free_port
from api.llm_bench.variables import VARIABLES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


#: Every variable the project reads, upstream's aliases included (api/llm_bench/variables.py).
PROJECT_VARIABLES = tuple(variable.name for variable in VARIABLES)


@pytest.fixture(autouse=True)
def hermetic_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer .env or shell variable leaks into a test: each starts in an empty folder."""
    for name in PROJECT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    uri = os.environ.get("MONGODB_TEST_URI")
    if uri:
        yield uri
        return
    with embedded_mongodb() as embedded_uri:
        yield embedded_uri


@pytest.fixture
def db_name() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store(mongo_uri: str, db_name: str) -> Iterator[repository.Store]:
    opened = repository.connect(mongo_uri, db_name, Collections())
    yield opened
    opened.client.drop_database(db_name)
    opened.close()


@pytest.fixture
def http_server() -> Iterator[http_stub.HTTPStub]:
    stub = http_stub.start(http_stub.HTTPStub())
    yield stub
    assert stub.server is not None
    stub.server.shutdown()
    stub.server.server_close()


@pytest.fixture
def smtp() -> Iterator[smtp_sink.SMTPSink]:
    sink = smtp_sink.start(free_port())
    yield sink
    sink.controller.stop()


@pytest.fixture(scope="session")
def msmtp_binary() -> str:
    path = shutil.which("msmtp")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("msmtp is not installed: .ci/run installs Debian's msmtp")
        pytest.skip("msmtp is not installed (apt-get install msmtp)")
    return path
