"""Two runs at once never double a report: a manual health check during the timer's sends one
mail and writes one ledger entry, and a crashed run's lock expires. (Concurrent and retried
catalog fetches are in test_discovery_fetch.)"""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

import pytest

from api.llm_bench import repository
from api.llm_bench.classify.writer import error_document
from api.llm_bench.errors import AlreadyRunning
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import AIChoice, Delivery, run
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
