"""The embedded MongoDB-compatible server: it answers while the block runs and is gone after it."""

from __future__ import annotations

import importlib.util
import socket
import types
from urllib.parse import urlsplit

import pymongo
import pytest

from api.llm_bench import embedded
from api.llm_bench.errors import ConfigError
from api.llm_bench.exit_codes import ExitStatus


def port_is_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_embedded_server_answers_a_ping_and_is_gone_afterwards() -> None:
    with embedded.embedded_mongodb() as uri:
        parts = urlsplit(uri)
        assert parts.scheme == "mongodb"
        assert parts.hostname == "127.0.0.1"
        port = parts.port
        assert port is not None
        client: pymongo.MongoClient = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
        try:
            assert client.admin.command("ping")["ok"] == 1
        finally:
            client.close()
    assert not port_is_open(port)


def test_free_port_is_bindable() -> None:
    port = embedded.free_port()
    assert 0 < port < 65536
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))


def test_missing_secantus_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None):  # type: ignore[no-untyped-def]
        return None if name == "secantus" else real_find_spec(name, package)

    # Only the embedded module sees the stand-in; the real importlib is untouched.
    fake_importlib = types.SimpleNamespace(util=types.SimpleNamespace(find_spec=find_spec))
    monkeypatch.setattr(embedded, "importlib", fake_importlib)
    with pytest.raises(ConfigError) as info, embedded.embedded_mongodb():
        pytest.fail("the block must not run without SecantusDB")
    message = str(info.value)
    assert info.value.status is ExitStatus.CONFIG_ERROR
    assert "SecantusDB" in message
    assert "--extra demo" in message
    assert "\n" not in message
    assert importlib.util.find_spec("secantus") is not None
