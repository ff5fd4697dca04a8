"""The repository package: connecting, clear errors when MongoDB is down, and indexes."""

from __future__ import annotations

import pytest

from api.llm_bench import repository
from api.llm_bench.config import Collections
from api.llm_bench.embedded import free_port
from api.llm_bench.errors import ConfigError, DatabaseUnavailable
from api.llm_bench.exit_codes import ExitStatus


def test_connect_pings_the_server(store: repository.Store) -> None:
    assert store.db.command("ping")["ok"] == 1


def test_unreachable_server_is_a_one_line_database_error() -> None:
    uri = f"mongodb://127.0.0.1:{free_port()}/?directConnection=true"
    with pytest.raises(DatabaseUnavailable) as info:
        repository.connect(uri, "x", Collections(), timeout_ms=300)
    assert info.value.status is ExitStatus.DATABASE_UNAVAILABLE
    assert "\n" not in str(info.value)
    assert "connecting to MongoDB" in str(info.value)


def test_invalid_uri_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        repository.connect("http://not-mongo", "x", Collections())


def test_ensure_indexes_is_idempotent(store: repository.Store) -> None:
    repository.ensure_indexes(store)
    repository.ensure_indexes(store)
    names = store.coll("errors").index_information()
    assert any(info["key"] == [("ts", -1)] for info in names.values())
    catalog = store.coll("catalog").index_information()
    assert any(info.get("unique") for info in catalog.values())
