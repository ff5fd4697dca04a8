"""Health collection as the data grows: database commands, wall time, indexes and peak memory.

The benchmark service keeps months of results and a day holds tens of thousands, so the health
job must cost a fixed handful of commands whatever the number of models, time linear in the
documents of its window, and memory independent of them. For each case (documents × models)
this seeds a generated window and measures:

- `collect` (the job's real collection): commands sent (getMore included) and median wall time;
- a naive baseline, one query per model and question, the way such a script is first written
  (timed on as many models as fit in --naive-budget seconds, then extrapolated);
- `explain()` of each window query (first case only): the plan must use a timestamp index;
- peak RSS of the real `llm-health-check --dry-run --no-ai` process over the same window.

A case's documents are half errors, half successes, spread over the 48 hours `collect` reads
(this day and the one before), plus 10 % more outside the window that the indexes must skip.

  uv run --extra demo python benchmarks/health_collection.py
  uv run --extra demo python benchmarks/health_collection.py --case 10000:50 --uri mongodb://...
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from _common import Bench, bench_database, parser, table, timed

from api.llm_bench.discovery.matching import PROVIDERS
from api.llm_bench.health.facts import Window
from api.llm_bench.health.job import collect
from api.llm_bench.repository.health import ERROR_KINDS, error_pipeline, insert_documents, success_pipeline

CASES = ((10_000, 50), (10_000, 500), (10_000, 5_000), (100_000, 50), (100_000, 500), (100_000, 5_000),
         (1_000_000, 500))
BATCH = 5_000
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Seeded:
    window: Window
    in_window: int
    seconds: float


def _models(count: int) -> list[tuple[str, str]]:
    return [(PROVIDERS[i % len(PROVIDERS)], f"model-{i:05d}") for i in range(count)]


def _documents(docs: int, models: list[tuple[str, str]], end: dt.datetime, rng: random.Random
               ) -> Iterator[tuple[str, dict[str, Any]]]:
    """(collection, document): errors skewed towards few models, each model failing in one main
    kind; successes even across models, one in ten timed by `run_ts` only."""
    def when(outside: bool) -> dt.datetime:
        hours = rng.uniform(72, 240) if outside else rng.uniform(1, 47)  # a margin inside the 48 h
        return end - hours * HOUR

    for i in range(docs + docs // 10):
        outside = i >= docs
        if i % 2:
            index = int(len(models) * rng.random() ** 2)
            provider, model = models[index]
            kind = ERROR_KINDS[index % len(ERROR_KINDS)] if rng.random() < 0.7 else rng.choice(("rate_limit", "network"))
            yield "errors", {"ts": when(outside), "provider": provider, "model_name": model, "error_kind": kind,
                             "normalized_message": f"{kind}: {provider} refused {model} (request <id>, status <n>)"}
        else:
            provider, model = rng.choice(models)
            field = "run_ts" if rng.random() < 0.1 else "gen_ts"
            yield "successes", {field: when(outside), "provider": provider, "model_name": model, "tokens": 512}


def seed(bench: Bench, docs: int, model_count: int) -> Seeded:
    """Insert one case in batches (the job's indexes are in place); the window ends now."""
    end = dt.datetime.now(dt.timezone.utc)
    rng = random.Random(docs * 10_007 + model_count)
    models = _models(model_count)
    started = time.perf_counter()
    pending: dict[str, list[dict[str, Any]]] = {"errors": [], "successes": []}
    for collection, document in _documents(docs, models, end, rng):
        pending[collection].append(document)
        if len(pending[collection]) >= BATCH:
            insert_documents(bench.store, {collection: pending[collection]})
            pending[collection] = []
    insert_documents(bench.store, {
        **pending,
        "models": [{"provider": p, "model_id": m, "enabled": True, "deprecated": False} for p, m in models],
        "rollups": [{"fingerprint": f"fp-{i}", "provider": p, "model_name": m, "error_kind": "unknown", "count": i,
                     "first_seen": end - rng.uniform(1, 240) * HOUR, "last_seen": end, "sample_messages": ["x"]}
                    for i, (p, m) in enumerate(models)],
    })
    return Seeded(Window(end - 24 * HOUR, end), docs, time.perf_counter() - started)


def naive(bench: Bench, window: Window, budget: float) -> tuple[int, float, int]:
    """One query per model and question over both days: errors by kind, successes by `gen_ts`,
    successes by `run_ts`. Returns (models timed, seconds, commands for all models)."""
    since, until = window.start - (window.end - window.start), window.end
    errors, successes = bench.store.coll("errors"), bench.store.coll("successes")
    models = list(bench.store.coll("models").find({}, {"_id": 0, "provider": 1, "model_id": 1}))
    started = time.perf_counter()
    done = 0
    for model in models:
        who = {"provider": model["provider"], "model_name": model["model_id"]}
        list(errors.aggregate([{"$match": {**who, "ts": {"$gte": since, "$lt": until}}},
                               {"$group": {"_id": "$error_kind", "n": {"$sum": 1}, "last": {"$max": "$ts"}}}]))
        successes.count_documents({**who, "gen_ts": {"$gte": since, "$lt": until}})
        successes.count_documents({**who, "gen_ts": None, "run_ts": {"$gte": since, "$lt": until}})
        done += 1
        if time.perf_counter() - started > budget:
            break
    return done, time.perf_counter() - started, 1 + 3 * len(models)


def _plan(explained: dict[str, Any]) -> str:
    """The plan's stages (with index names) and what it examined, from any server's explain."""
    def walk(node: Any) -> Iterator[tuple[str, Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield key, value
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    planner = next(v for k, v in walk(explained) if k == "winningPlan")
    stages = [f"{v}" for k, v in walk(planner) if k == "stage"]
    index = next((v for k, v in walk(planner) if k == "indexName"), None)
    stats = {k: v for k, v in walk(explained) if k in ("totalKeysExamined", "totalDocsExamined", "nReturned")}
    plan = " ← ".join(stages) + (f" on {index}" if index else "")
    return f"{plan}; keys {stats.get('totalKeysExamined')}, docs {stats.get('totalDocsExamined')}"


def explain(bench: Bench, window: Window) -> list[list[Any]]:
    """The plan of each window query, as `collect` sends it."""
    previous = window.start - (window.end - window.start)
    names, db = bench.store.names, bench.store.db
    successes = success_pipeline(names.successes, window.start, window.end, previous_start=previous)
    branch = successes[1]["$unionWith"]["pipeline"]
    queries = {
        f"{names.errors}: error_groups": (names.errors, error_pipeline(window.start, window.end, previous_start=previous)),
        f"{names.successes}: success_groups ($match on gen_ts)": (names.successes, successes),
        f"{names.successes}: success_groups ($unionWith branch on run_ts)": (names.successes, branch),
        f"{names.rollups}: new_error_patterns": (
            names.rollups, [{"$match": {"first_seen": {"$gte": window.start, "$lt": window.end}}},
                            {"$sort": {"count": -1}}, {"$limit": 500}]),
    }
    rows = []
    for label, (collection, pipeline) in queries.items():
        explained = db.command("explain", {"aggregate": collection, "pipeline": pipeline, "cursor": {}},
                               verbosity="executionStats")
        rows.append([label, _plan(explained), db[collection].estimated_document_count()])
    return rows


# The job as its console script runs it, reporting its own high-water RSS (VmHWM) on exit: the
# rusage of a child would also count the parent's pages copied at fork.
_JOB = ("import atexit, sys\n"
        "atexit.register(lambda: print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0], file=sys.stderr))\n"
        "from api.llm_bench.health.cli import main\nmain()")


def peak_rss(bench: Bench) -> tuple[float, dict[str, Any]]:
    """Run the real job (`--dry-run --no-ai --format json`) in a child; its peak RSS in MiB."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MONGODB_URI": bench.uri, "MONGODB_DB": bench.db_name}
    with tempfile.TemporaryDirectory() as empty:  # no .env is picked up
        job = subprocess.run([sys.executable, "-c", _JOB, "--dry-run", "--no-ai", "--format", "json"], cwd=empty,
                             env=env, capture_output=True, text=True)
    if job.returncode != 0:
        raise SystemExit(f"llm-health-check exited {job.returncode}: {job.stderr[-500:]}")
    return int(job.stderr.split()[-1]) / 1024, json.loads(job.stdout)


def main() -> None:
    args = parser(__doc__)
    args.add_argument("--case", action="append", metavar="DOCS:MODELS",
                      help="documents in the window and models; repeatable (default: the table in BENCHMARKS.md)")
    args.add_argument("--repeat", type=int, default=3, help="timed runs of collect per case (1 from 1M documents)")
    args.add_argument("--naive-budget", type=float, default=15.0, help="seconds of naive baseline per case")
    options = args.parse_args()
    cases = [tuple(int(x) for x in c.split(":")) for c in options.case] if options.case else CASES
    results, plans = [], None
    for docs, model_count in cases:
        with bench_database(options.uri) as bench:
            seeded = seed(bench, docs, model_count)
            print(f"{docs} × {model_count}: seeded {docs + docs // 10} documents in {seeded.seconds:.1f}s "
                  f"({(docs + docs // 10) / seeded.seconds:,.0f}/s)", file=sys.stderr)
            bench.commands.reset()
            facts, _ = collect(bench.store, seeded.window)
            commands = bench.commands.summary()
            assert facts.previous is not None
            seen = facts.errors + facts.successes + facts.previous.errors + facts.previous.successes
            assert seen == docs, f"collect saw {seen} documents in the window, {docs} were seeded there"
            seconds, _ = timed(lambda: collect(bench.store, seeded.window), 1 if docs >= 1_000_000 else options.repeat)
            timed_models, naive_seconds, naive_commands = naive(bench, seeded.window, options.naive_budget)
            naive_total = naive_seconds * model_count / timed_models
            if plans is None:
                plans = explain(bench, seeded.window)
            rss, report = peak_rss(bench)
            print(f"  collect {seconds:.2f}s, {commands}; naive {naive_total:.1f}s; job peak RSS {rss:.0f} MiB "
                  f"(status {report['status']})", file=sys.stderr)
            results.append([f"{docs:,}", f"{model_count:,}", commands, f"{seconds:.2f}",
                            f"{seconds / docs * 1e6:.1f}", f"{naive_commands:,}",
                            f"{naive_total:,.1f}" + ("" if timed_models == model_count else f" (from {timed_models})"),
                            f"{naive_total / seconds:,.0f}×", f"{rss:.0f}"])
    print(table(["documents", "models", "collect commands", "collect s", "µs / document", "naive commands",
                 "naive s", "naive / collect", "job peak RSS MiB"], results))
    if plans:
        print()
        print(table(["query", "plan (executionStats)", "documents in collection"], plans))


if __name__ == "__main__":
    main()
