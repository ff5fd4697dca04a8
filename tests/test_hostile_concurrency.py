"""Two runs at once never double a report: a manual health check during the timer's sends one
mail and writes one ledger entry, and a crashed run's lock expires: an hour after it started
whatever its stored fields say, at once when its process on this host is gone. A skipped run
exits 9, which the dead-man ping reports, and an outage names the step that failed. (Concurrent
and retried catalog fetches are in test_discovery_fetch.)"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

import pytest
from http_stub import HTTPStub, json_reply
from stall_proxy import stall_proxy
from typer.testing import CliRunner

from api.llm_bench import ping, repository
from api.llm_bench.classify.writer import error_document
from api.llm_bench.errors import AlreadyRunning, DatabaseUnavailable
from api.llm_bench.exit_codes import ExitStatus
from api.llm_bench.health.cli import app
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import LOCK_TTL, AIChoice, Delivery, run
from api.llm_bench.repository.health import insert_documents
from api.llm_bench.repository.health_runs import acquire_lock

DAY2 = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
RULES_ONLY = AIChoice(None, "gpt-4o-mini")


def window(end: dt.datetime) -> Window:
    return Window(end - dt.timedelta(days=1), end)


@pytest.fixture
def two_days(store: repository.Store) -> repository.Store:
    hour = dt.timedelta(hours=1)
    insert_documents(
        store,
        {
            "errors": [
                error_document(provider="openai", model="gpt-4-32k", message="Error code: 404 - gone", ts=DAY2 - hour)
            ],
            "successes": [
                {"provider": "openai", "model_name": "gpt-4o", "run_ts": DAY2 - 2 * hour, "gen_ts": DAY2 - 2 * hour}
            ],
        },
    )
    return store


def test_two_runs_at_once_send_one_mail(two_days: repository.Store) -> None:
    outbox: list[EmailMessage] = []
    barrier = threading.Barrier(2)

    def slow_delivery(message: EmailMessage) -> None:
        outbox.append(message)
        time.sleep(0.5)

    def one_run() -> str:
        barrier.wait()
        try:
            run(two_days, window(DAY2), RULES_ONLY, Delivery(recipient="ops@example.test", send=slow_delivery))
            return "ran"
        except AlreadyRunning as exc:
            return str(exc)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: one_run(), range(2)))
    assert sorted(r == "ran" for r in results) == [False, True]
    assert "another health check is running" in next(r for r in results if r != "ran")
    assert len(outbox) == 1
    assert two_days.coll("health_runs").count_documents({"finished_at": DAY2}) == 1


def test_an_expired_lock_is_taken_over(two_days: repository.Store) -> None:
    assert (
        acquire_lock(two_days, "health-check", "crashed", DAY2 - dt.timedelta(hours=2), dt.timedelta(hours=1)) is None
    )
    outcome = run(two_days, window(DAY2), RULES_ONLY, Delivery(recipient="ops@example.test", send=lambda m: None))
    assert outcome.mail is not None and outcome.mail["sent"]


# --- a lock whose stored fields lie, a skipped run, a dead owner --------------------------------

LOCKS = "health_runs_lock"


def _lock(store: repository.Store, **fields: object) -> None:
    store.db[LOCKS].insert_one({"_id": "health-check", "owner": "elsewhere:4242:then", **fields})


def _mail(store: repository.Store) -> list[EmailMessage]:
    outbox: list[EmailMessage] = []
    run(store, window(DAY2), RULES_ONLY, Delivery(recipient="ops@example.test", send=outbox.append))
    return outbox


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(
    "fields",
    [
        {"started_at": "yesterday", "expires_at": "2999-01-01"},  # strings
        {"started_at": None},  # nothing
        {},  # no fields at all
        {"expires_at": dt.datetime(2999, 1, 1, tzinfo=dt.UTC)},  # no start, an expiry centuries ahead
        {"started_at": dt.datetime(2999, 1, 1, tzinfo=dt.UTC), "expires_at": dt.datetime(2999, 1, 2, tzinfo=dt.UTC)},
        {"started_at": "started_2h_ago", "expires_at": dt.datetime(2999, 1, 1, tzinfo=dt.UTC)},  # a skewed clock
        {"started_at": "started_2h_ago", "expires_at": "never"},
    ],
    ids=["strings", "null-start", "empty", "far-expiry", "future-start", "old-start-far-expiry", "old-start-text"],
)
def test_a_lock_is_bounded_by_its_start_and_the_ttl_whatever_it_says(
    two_days: repository.Store, fields: dict[str, object]
) -> None:
    fields = {k: _now() - 2 * LOCK_TTL if v == "started_2h_ago" else v for k, v in fields.items()}
    _lock(two_days, **fields)
    assert len(_mail(two_days)) == 1
    assert two_days.db[LOCKS].count_documents({}) == 0  # released after the run


def test_a_fresh_lock_still_holds(two_days: repository.Store) -> None:
    _lock(two_days, started_at=_now() - dt.timedelta(minutes=5), expires_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(AlreadyRunning, match="another health check is running"):
        _mail(two_days)


def test_a_skipped_run_exits_9_and_the_ping_reports_it(
    two_days: repository.Store, mongo_uri: str, db_name: str, http_server: HTTPStub
) -> None:
    _lock(two_days, started_at=_now(), expires_at=_now() + LOCK_TTL)
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DB": db_name, "NOTIFY_EMAIL": "ops@example.test"}
    result = CliRunner().invoke(app, ["--no-ai"], env=env)
    assert result.exit_code == ExitStatus.ALREADY_RUNNING == 9
    assert "another health check is running (elsewhere:4242:then" in result.stderr and result.stdout == ""
    assert two_days.coll("health_runs").count_documents({}) == 0
    http_server.route("GET", "/hc/9", lambda _r: json_reply("OK"))
    assert ping.main(["finish"], {"HEALTHCHECK_PING_URL": f"{http_server.base_url}/hc", "EXIT_STATUS": "9"}) == 0
    assert len(http_server.calls("/hc/9")) == 1  # healthchecks.io counts a non-zero status as a failure


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("stored", ["fields", "owner-only"])
def test_a_lock_of_a_dead_process_on_this_host_is_taken_over(two_days: repository.Store, stored: str) -> None:
    host, pid = socket.gethostname(), _dead_pid()
    fresh = {"started_at": _now() - dt.timedelta(minutes=1), "expires_at": _now() + LOCK_TTL}
    extra = {"host": host, "pid": pid} if stored == "fields" else {}
    two_days.db[LOCKS].insert_one({"_id": "health-check", "owner": f"{host}:{pid}:earlier", **fresh, **extra})
    assert len(_mail(two_days)) == 1


@pytest.mark.parametrize("other", ["a-live-process", "another-host"])
def test_a_live_owner_or_another_hosts_is_waited_for(two_days: repository.Store, other: str) -> None:
    host, pid = (socket.gethostname(), os.getppid()) if other == "a-live-process" else ("db-host-2", _dead_pid())
    fresh = {"started_at": _now() - dt.timedelta(minutes=1), "expires_at": _now() + LOCK_TTL}
    two_days.db[LOCKS].insert_one(
        {"_id": "health-check", "owner": f"{host}:{pid}:x", "host": host, "pid": pid, **fresh}
    )
    with pytest.raises(AlreadyRunning):
        _mail(two_days)


def test_a_database_outage_names_the_step_that_failed(two_days: repository.Store, mongo_uri: str, db_name: str) -> None:
    port = int(mongo_uri.split("//", 1)[1].split("/", 1)[0].rpartition(":")[2])
    with stall_proxy(("127.0.0.1", port)) as proxy:
        through = repository.connect(
            f"mongodb://127.0.0.1:{proxy.port}/?directConnection=true", db_name, operation_timeout_ms=500
        )
        try:
            outbox: list[EmailMessage] = []

            def send_then_outage(message: EmailMessage) -> None:
                outbox.append(message)
                proxy.stall()

            delivery = Delivery(recipient="ops@example.test", send=send_then_outage)
            with pytest.raises(DatabaseUnavailable) as info:
                run(through, window(DAY2), RULES_ONLY, delivery)
        finally:
            through.close()
    assert len(outbox) == 1
    assert str(info.value).endswith("while recording the health run (MONGODB_TIMEOUT_MS or timeoutMS in the URI)")
    left = two_days.db[LOCKS].find_one({"_id": "health-check"})
    assert left is not None and left["host"] == socket.gethostname() and left["pid"] == os.getpid()
