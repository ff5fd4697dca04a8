"""The repository package: connecting, one-line errors that say where and why, bounded
operations once the server has answered, and indexes."""

from __future__ import annotations

import pytest
from stall_proxy import stall_proxy

from api.llm_bench import repository
from api.llm_bench.config import Collections
from api.llm_bench.embedded import free_port
from api.llm_bench.errors import ConfigError, DatabaseUnavailable
from api.llm_bench.exit_codes import ExitStatus


def test_connect_pings_the_server(store: repository.Store) -> None:
    assert store.db.command("ping")["ok"] == 1


def test_unreachable_server_says_where_why_and_how_long() -> None:
    port = free_port()
    with pytest.raises(DatabaseUnavailable) as info:
        repository.connect(
            f"mongodb://127.0.0.1:{port}/?directConnection=true",
            "x",
            Collections(),
            timeout_ms=300,
            operation_timeout_ms=120_000,
        )
    assert info.value.status is ExitStatus.DATABASE_UNAVAILABLE
    assert (
        str(info.value)
        == f"cannot reach MongoDB at 127.0.0.1:{port} (connection refused) within 0.3 s while connecting"
    )


@pytest.mark.parametrize(
    ("reported", "said"), [("0.29917", "0.3"), ("0.3", "0.3"), ("29.9991", "30"), ("120.0", "120")]
)
def test_the_bound_is_said_as_configured_not_as_the_driver_measured_it(reported: str, said: str) -> None:
    """The driver reports the server-selection bound give or take a millisecond."""
    from pymongo.errors import ServerSelectionTimeoutError

    text = (
        "127.0.0.1:9: [Errno 111] Connection refused (configured timeouts: socketTimeoutMS: 20000.0ms, "
        f"connectTimeoutMS: 20000.0ms), Timeout: {reported}s, Topology Description: <TopologyDescription>"
    )
    assert repository.describe_error(ServerSelectionTimeoutError(text), "connecting") == (
        f"cannot reach MongoDB at 127.0.0.1:9 (connection refused) within {said} s while connecting"
    )


def test_every_unreachable_host_is_named_and_the_password_is_not() -> None:
    ports = free_port(), free_port()
    uri = f"mongodb://bench:s3cretpw@127.0.0.1:{ports[0]},127.0.0.1:{ports[1]}/?serverSelectionTimeoutMS=400"
    with pytest.raises(DatabaseUnavailable) as info:
        repository.connect(uri, "x", Collections(), operation_timeout_ms=120_000)
    message = str(info.value)
    assert "s3cretpw" not in message and "\n" not in message
    for port in ports:
        assert f"127.0.0.1:{port} (connection refused)" in message
    assert "within 0.4 s" in message  # the URI's own serverSelectionTimeoutMS


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("mongodb://127.0.0.1:99999/", "MONGODB_URI is not a valid MongoDB URI: Port must be an integer"),
        ("mongodb://bench:s3cretpw@127.0.0.1:70000/", "Port must be an integer"),
        ("mongodb://bad host:27017/", "MONGODB_URI has a malformed host 'bad host:27017'"),
        ("mongodb://db.example.test:27017,/", "MONGODB_URI has a malformed host ''"),
        ("mongodb://bench:s3cretpw@db\x1b[2J.example.test/", "MONGODB_URI has a malformed host"),
        ("mongodb://[::1/", "MONGODB_URI has a malformed host"),
        ("mongodb://host:abc/", "MONGODB_URI has a malformed host 'host:abc'"),
        ("mongodb://bench:pa:ss@127.0.0.1/", "Username and password must be escaped"),
        ("http://not-mongo", "MONGODB_URI must start with mongodb:// or mongodb+srv://"),
        ("127.0.0.1:27017", "MONGODB_URI must start with mongodb:// or mongodb+srv://"),
    ],
)
def test_invalid_uri_is_a_one_line_config_error(uri: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        repository.connect(uri, "x", Collections(), timeout_ms=300)
    message = str(info.value)
    assert expected in message
    assert "s3cretpw" not in message and "\n" not in message and "\x1b" not in message
    assert info.value.status is ExitStatus.CONFIG_ERROR


def test_srv_dns_failure_is_database_unavailable() -> None:
    # .invalid never resolves (RFC 6761): an SRV lookup failure is the database being unreachable.
    with pytest.raises(DatabaseUnavailable, match="cannot resolve MongoDB's SRV record") as info:
        repository.connect(
            "mongodb+srv://bench:s3cretpw@cluster0.nothing.invalid/", "x", Collections(), timeout_ms=2000
        )
    assert "s3cretpw" not in str(info.value)


def test_invalid_database_name_is_a_config_error(mongo_uri: str) -> None:
    with pytest.raises(ConfigError, match="MONGODB_DB is not a valid database name"):
        repository.connect(mongo_uri, "bad name", Collections())


def test_operation_timeout_is_set_unless_the_uri_has_one(mongo_uri: str) -> None:
    opened = repository.connect(mongo_uri, "x", operation_timeout_ms=2500)
    assert opened.client.options.timeout == 2.5
    opened.close()
    opened = repository.connect(mongo_uri + "&timeoutMS=700", "x", operation_timeout_ms=2500)
    assert opened.client.options.timeout == 0.7
    opened.close()


@pytest.mark.parametrize(
    ("doing", "operation"),
    [
        ("aggregating errors", lambda store: list(store.coll("errors").aggregate([{"$match": {}}]))),
        ("writing the catalog", lambda store: store.coll("catalog").insert_many([{"n": i} for i in range(3)])),
    ],
)
def test_a_server_that_stalls_after_the_handshake_is_bounded(
    mongo_uri: str, db_name: str, doing: str, operation
) -> None:
    port = int(mongo_uri.split("//", 1)[1].split("/", 1)[0].rpartition(":")[2])
    with stall_proxy(("127.0.0.1", port)) as proxy:
        stalled = repository.connect(
            f"mongodb://127.0.0.1:{proxy.port}/?directConnection=true", db_name, operation_timeout_ms=500
        )
        try:
            proxy.stall()
            with pytest.raises(DatabaseUnavailable) as info, repository.translate_errors(doing):
                operation(stalled)
        finally:
            stalled.close()
    assert str(info.value) == (
        f"MongoDB did not answer within 0.5 s while {doing} (MONGODB_TIMEOUT_MS or timeoutMS in the URI)"
    )


def test_a_refused_command_names_the_code(store: repository.Store) -> None:
    with pytest.raises(DatabaseUnavailable) as info, repository.translate_errors("counting models"):
        store.db.command({"noSuchCommand": 1})
    assert str(info.value).startswith("MongoDB refused the command while counting models: ")
    assert "\n" not in str(info.value)


def test_ensure_indexes_is_idempotent(store: repository.Store) -> None:
    repository.ensure_indexes(store)
    repository.ensure_indexes(store)
    names = store.coll("errors").index_information()
    assert any(info["key"] == [("ts", -1)] for info in names.values())
    catalog = store.coll("catalog").index_information()
    assert any(info.get("unique") for info in catalog.values())
