"""What the benchmark scripts share: the database under test, command counting, timing, tables.

Every script measures SecantusDB started on 127.0.0.1 unless `--uri` (or MONGODB_URI) names a
real MongoDB; each run works in a fresh database of its own and drops it at the end, so it is
safe to point at a shared server. The loopback HTTP and OpenAI stand-ins are the tests' own.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from api.llm_bench import repository
from api.llm_bench.config import Collections
from api.llm_bench.embedded import embedded_mongodb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # http_stub, openai_stub, command_counter

import http_stub  # noqa: E402
import openai_stub  # noqa: E402
from command_counter import CommandCounter  # noqa: E402

__all__ = ["ROOT", "Bench", "CommandCounter", "bench_database", "http_stub", "openai_stub", "parser", "table", "timed"]

T = TypeVar("T")


def parser(description: str | None) -> argparse.ArgumentParser:
    """An argument parser with `--uri`; the description is the script's docstring."""
    parsed = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parsed.add_argument(
        "--uri",
        default=os.environ.get("MONGODB_URI"),
        help="MongoDB to measure (default: MONGODB_URI, else SecantusDB on 127.0.0.1)",
    )
    return parsed


@dataclass(frozen=True)
class Bench:
    uri: str
    db_name: str
    store: repository.Store
    commands: CommandCounter


@contextlib.contextmanager
def bench_database(uri: str | None) -> Iterator[Bench]:
    """A fresh database with the jobs' indexes on `uri` (or an embedded SecantusDB), dropped afterwards."""
    with contextlib.ExitStack() as stack:
        if uri is None:
            print(
                "starting SecantusDB on 127.0.0.1 (pass --uri or set MONGODB_URI for a real MongoDB)", file=sys.stderr
            )
            uri = stack.enter_context(embedded_mongodb())
        counter = CommandCounter()
        db_name = f"bench-{uuid.uuid4().hex[:10]}"
        store = repository.connect(uri, db_name, Collections(), timeout_ms=30_000, event_listeners=[counter])
        try:
            repository.ensure_indexes(store)  # as every job run that writes does
            yield Bench(uri, db_name, store, counter)
        finally:
            store.client.drop_database(db_name)
            store.close()


def timed(action: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """The median wall time of `repeat` calls, in seconds, and the last call's result."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table, ready to paste into BENCHMARKS.md."""
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
