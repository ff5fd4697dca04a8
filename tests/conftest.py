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
from api.llm_bench.config import LISTED_PROVIDERS, Collections
from api.llm_bench.embedded import embedded_mongodb, free_port

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


PROJECT_VARIABLES = (
    "MONGODB_URI", "MONGODB_DB", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_TIMEOUT",
    "NOTIFY_EMAIL", "MAIL_FROM", "MSMTP_PATH", "MSMTP_CONFIG", "OPENROUTER_MODELS_URL", "HEALTHCHECK_PING_URL",
    "ERRORS_COLLECTION", "METRICS_COLLECTION", "ROLLUPS_COLLECTION", "MODELS_COLLECTION", "CATALOG_COLLECTION",
    "CATALOG_RUNS_COLLECTION", "HEALTH_RUNS_COLLECTION",
    "MODEL_REGISTRY_URL", "PROVIDER_MODELS_COLLECTION", "SOURCE_RUNS_COLLECTION",
    *(f"{p.upper()}_{suffix}" for p in LISTED_PROVIDERS for suffix in ("API_KEY", "MODELS_URL")),
)


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
