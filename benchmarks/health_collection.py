"""Health collection as the errors grow: commands, rows reaching Python, time, memory, and the
upstream ops script's own collection on the same data.

Errors are grouped into patterns inside MongoDB, so what reaches Python must grow with the
distinct messages, not with the errors; and the daily (steady) run must read one window only,
the previous one coming from the last run's ledger entry. For each case (errors in the window ×
models) this seeds writer-shaped documents and measures, for the first run (no ledger entry: the
previous window is aggregated too) and for the steady daily state (a real run recorded the
previous window in `health_runs`):

- `collect`: commands sent (getMore included), pattern rows, median wall time, interleaved with
  the upstream script's queries on the same data (median of as many runs);
- the Python classification (`classified`) of the pattern rows, timed on its own;
- peak RSS of the real `llm-health-check --dry-run --no-ai --format json` process;
- with --breakdown, the cost of each stage of the steady aggregations (SecantusDB's explain()
  has no per-stage figures) and of cheaper candidate shapes of them.

  uv run --extra demo python benchmarks/health_collection.py --breakdown
  uv run --extra demo python benchmarks/health_collection.py --case 100000:45 --case 100000:900
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from _common import Bench, bench_database, parser, table, timed

from api.llm_bench.classify.writer import error_document
from api.llm_bench.discovery.matching import PROVIDERS
from api.llm_bench.health.classification import classified
from api.llm_bench.health.facts import HealthFacts, Window
from api.llm_bench.health.fleet import enabled_models
from api.llm_bench.health.job import collect, shape
from api.llm_bench.health.ledger import LEDGER_SCHEMA, window_counts
from api.llm_bench.repository.health import error_patterns, error_pipeline, insert_documents, success_pipeline
from api.llm_bench.repository.health_runs import LAST_SUCCESS_FIELD, run_context

CASES = ((10_000, 45), (10_000, 900))  # 100k and more: --case (see BENCHMARKS.md for the durations)
BATCH = 5_000
HOUR = dt.timedelta(hours=1)
MARGIN = 1.0  # hours kept free at each window edge: the RSS child's window ends a few minutes later

# (weight, text): real provider wordings; {m} model, {r} a request id the writer masks, {n} one of
# three numbers (so a model has a handful of distinct messages, not one per error).
TEMPLATES = (
    (
        3,
        "Error code: 404 - {{'error': {{'message': 'The model `{m}` has been deprecated, learn more here: "
        "https://platform.openai.com/docs/deprecations', 'type': 'invalid_request_error', 'code': 'model_not_found'}}}}",
    ),
    (
        3,
        "Error code: 404 - {{'type': 'error', 'error': {{'type': 'not_found_error', 'message': 'model: {m}'}}, "
        "'request_id': 'req_011{r}'}}",
    ),
    (
        2,
        "Error code: 404 - {{'error': {{'message': 'The model `{m}` does not exist or you do not have access to it.', "
        "'type': 'invalid_request_error', 'code': 'model_not_found'}}}}",
    ),
    (
        2,
        "Error code: 404 - {{'error': {{'message': 'The model `{m}` has been decommissioned. Please refer to "
        "https://console.groq.com/docs/deprecations for a recommendation on which model to use instead.', "
        "'type': 'invalid_request_error', 'code': 'model_decommissioned'}}}}",
    ),
    (
        1,
        "An error occurred (ValidationException) when calling the Converse operation: The provided model identifier is invalid.",
    ),
    (
        2,
        "Error code: 404 - {{'error': {{'message': 'This model is only supported in v1/responses and not in "
        "v1/chat/completions.', 'type': 'invalid_request_error', 'param': 'model', 'code': None}}}}",
    ),
    (
        1,
        "Error code: 404 - {{'error': {{'message': 'This is not a chat model and thus not supported in the "
        "v1/chat/completions endpoint. Did you mean to use v1/completions?', 'type': 'invalid_request_error'}}}}",
    ),
    (
        2,
        "Error code: 429 - {{'error': {{'message': 'You exceeded your current quota, please check your plan and billing "
        "details.', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}}}",
    ),
    (
        2,
        "Error code: 400 - {{'type': 'error', 'error': {{'type': 'invalid_request_error', 'message': 'Your credit balance "
        "is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.'}}, "
        "'request_id': 'req_011{r}'}}",
    ),
    (
        1,
        "Error code: 402 - {{'error': {{'message': 'Insufficient credits. Add more using "
        "https://openrouter.ai/settings/credits', 'code': 402}}}}",
    ),
    (
        4,
        "Error code: 529 - {{'type': 'error', 'error': {{'type': 'overloaded_error', 'message': 'Overloaded'}}, "
        "'request_id': 'req_011{r}'}}",
    ),
    (2, 'Overloaded: {{"type":"error","error":{{"type":"overloaded_error","message":"Overloaded"}}}}'),
    (
        3,
        "Error code: 503 - {{'error': {{'message': 'The server is overloaded or not ready yet.', 'type': 'server_error'}}}}",
    ),
    (2, "Error code: 503 - upstream connect error or disconnect/reset before headers. reset reason: overflow"),
    (
        2,
        "Error code: 500 - {{'error': {{'message': 'The server had an error while processing your request. Sorry about "
        "that! You can retry your request, or contact us through our help center if the error persists. "
        "(Please include the request ID {r} in your message.)', 'type': 'server_error'}}}}",
    ),
    (1, "Error code: 502 - <html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"),
    (
        4,
        "Error code: 429 - Rate limit reached for model `{m}` in organization `org_01hq` on tokens per minute (TPM): "
        "Limit 6000, Used 5{n}, Requested 1{n}. Please try again in {n}ms.",
    ),
    (
        3,
        "Error code: 429 - {{'type': 'error', 'error': {{'type': 'rate_limit_error', 'message': 'This request would "
        "exceed the rate limit for your organization of {n},000 input tokens per minute.'}}}}",
    ),
    (
        2,
        "Error code: 429 - {{'error': {{'code': 429, 'message': 'Resource has been exhausted (e.g. check quota).', "
        "'status': 'RESOURCE_EXHAUSTED'}}}}",
    ),
    (
        2,
        "An error occurred (ThrottlingException) when calling the Converse operation (reached max retries: 4): "
        "Too many requests, please wait before trying again.",
    ),
    (3, "httpx.ConnectError: [Errno 104] Connection reset by peer"),
    (3, "httpx.ReadTimeout: The read operation timed out"),
    (2, "APIConnectionError: Connection error."),
    (2, "httpx.RemoteProtocolError: Server disconnected without sending a response."),
    (1, "Request timed out after {n} seconds"),
    (
        1,
        "Error code: 401 - Incorrect API key provided: sk-proj-****{n}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
    ),
    (
        1,
        "An error occurred (UnrecognizedClientException) when calling the Converse operation: The security token "
        "included in the request is invalid.",
    ),
    (
        2,
        "Error code: 400 - {{'error': {{'message': \"Unsupported parameter: 'max_tokens' is not supported with this "
        "model. Use 'max_completion_tokens' instead.\", 'type': 'invalid_request_error', 'code': 'unsupported_parameter'}}}}",
    ),
    (
        1,
        "Error code: 404 - {{'error': {{'message': 'No endpoints found that support tool use. To learn more about "
        "provider routing, visit: https://openrouter.ai/docs/provider-routing', 'code': 404}}}}",
    ),
    (2, "Provider returned error"),
    (1, "Unexpected response from {m}: empty choices (finish_reason=None, attempt {n})"),
    (1, "Error code: 422 - "),
)
RETIRED = TEMPLATES[:5]  # what a retired model answers to every call
NUMBERS = ("120", "340", "875")


@dataclass(frozen=True)
class Seeded:
    window: Window
    errors: int  # in the window; as many in the window before
    successes: int  # in the window; as many in the window before
    seconds: float
    inserted: int


def _profiles(model_count: int, rng: random.Random) -> list[tuple[str, str, tuple[str, ...], bool]]:
    """(provider, model, its message templates, retired): most models fail in 2–4 ways; one in
    twenty is retired and only fails."""
    weights, texts = [w for w, _ in TEMPLATES], [t for _, t in TEMPLATES]
    profiles = []
    for i in range(model_count):
        retired = i % 20 == 7
        chosen = rng.sample([t for _, t in RETIRED], 1) if retired else rng.choices(texts, weights, k=rng.randint(2, 4))
        profiles.append((PROVIDERS[i % len(PROVIDERS)], f"model-{i:05d}", tuple(dict.fromkeys(chosen)), retired))
    return profiles


def _documents(
    errors: int, successes: int, profiles: list[Any], end: dt.datetime, rng: random.Random
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each window (this one, the one before) gets `errors` and `successes`, and 10 % more of the
    total falls 2 to 10 days back; errors are skewed towards a few models."""
    working = [p for p in profiles if not p[3]]
    spans = ((MARGIN, 24 - MARGIN), (24 + MARGIN, 48 - MARGIN), (48 + MARGIN, 240))
    plan = [(span, errors, successes) for span in spans[:2]] + [(spans[2], errors // 5, successes // 5)]
    for (low, high), error_count, success_count in plan:
        for _ in range(error_count):
            provider, model, texts, _ = profiles[int(len(profiles) * rng.random() ** 3)]
            message = rng.choice(texts).format(m=model, r=f"{rng.getrandbits(64):016x}", n=rng.choice(NUMBERS))
            yield (
                "errors",
                error_document(provider=provider, model=model, message=message, ts=end - rng.uniform(low, high) * HOUR),
            )
        for _ in range(success_count):
            provider, model, *_ = rng.choice(working)
            started = (end - rng.uniform(low, high) * HOUR).replace(microsecond=0)
            yield (
                "successes",
                {
                    "provider": provider,
                    "model_name": model,
                    "run_ts": started,
                    "gen_ts": started + dt.timedelta(seconds=rng.randint(1, 40)),
                    "latency_ms": 800,
                },
            )


def _rollups(rollups: dict[str, dict[str, Any]], doc: dict[str, Any], rng: random.Random) -> None:
    """The writer's rollup of each fingerprint; a third carry an LLM reclassification."""
    found = rollups.get(doc["fingerprint"])
    if found is None:
        llm = {"classified_by": "llm", "classification_confidence": 0.85} if rng.random() < 1 / 3 else {}
        rollups[doc["fingerprint"]] = {
            "fingerprint": doc["fingerprint"],
            "provider": doc["provider"],
            "model_name": doc["model_name"],
            "error_kind": doc["error_kind"],
            "count": 1,
            "first_seen": doc["ts"],
            "last_seen": doc["ts"],
            "sample_messages": [doc["normalized_message"]],
            **llm,
        }
        return
    found["count"] += 1
    found["first_seen"], found["last_seen"] = min(found["first_seen"], doc["ts"]), max(found["last_seen"], doc["ts"])


def seed(bench: Bench, errors: int, model_count: int, successes: int) -> Seeded:
    """Insert one case in batches (the jobs' indexes in place); the window ends now."""
    end = dt.datetime.now(dt.UTC)
    rng = random.Random(errors * 10_007 + model_count)
    profiles = _profiles(model_count, rng)
    started, inserted = time.perf_counter(), 0
    pending: dict[str, list[dict[str, Any]]] = {"errors": [], "successes": []}
    rollups: dict[str, dict[str, Any]] = {}
    for collection, document in _documents(errors, successes, profiles, end, rng):
        if collection == "errors":
            _rollups(rollups, document, rng)
        pending[collection].append(document)
        if len(pending[collection]) >= BATCH:
            insert_documents(bench.store, {collection: pending[collection]})
            inserted, pending[collection] = inserted + BATCH, []
    unknown = [r for r in rollups.values() if r["error_kind"] == "unknown"]
    insert_documents(
        bench.store,
        {
            **pending,
            "rollups": list(rollups.values()),
            "models": [{"provider": p, "model_id": m, "enabled": True, "deprecated": r} for p, m, _, r in profiles],
            "error_classes": [
                {
                    "fingerprint": r["fingerprint"],
                    "kind": "transient_provider",
                    "reason": "earlier answer",
                    "classified_at": end,
                }
                for r in unknown[::4]
            ],
        },
    )
    inserted += sum(len(v) for v in pending.values())
    return Seeded(Window(end - 24 * HOUR, end), errors, successes, time.perf_counter() - started, inserted)


def ledger(bench: Bench, previous: HealthFacts, window: Window) -> dict[str, Any]:
    """The ledger entry the run of the day before recorded, shaped like `ledger_entry`: its window
    is the one just before `window`, its `counts` are `window_counts` of that day's facts and its
    last successes those of the enabled models before that window's end (looked up)."""
    before = {"start": previous.window.start, "end": previous.window.end, "hours": previous.window.hours}
    assert previous.window.end == window.start
    enabled = enabled_models(run_context(bench.store, now=window.start)["models"], window.start)
    return {
        LAST_SUCCESS_FIELD: [{"provider": e.provider, "model": e.model, "at": e.last_success} for e in enabled],
        "schema": LEDGER_SCHEMA,
        "started_at": window.start,
        "finished_at": window.start,
        "window": before,
        "totals": {"successes": previous.successes, "errors": previous.errors},
        "counts": window_counts(previous),
        "status": "warning",
        "problems": [],
        "mail": {"sent": True, "recipient": None, "error": None},
    }


def upstream(bench: Bench, since: dt.datetime) -> int:
    """The upstream ops script's collection, query for query (one window, `ts >= since`); its commands."""
    errors, metrics, rollups = bench.store.coll("errors"), bench.store.coll("successes"), bench.store.coll("rollups")
    recent, ran = {"ts": {"$gte": since}}, {"$or": [{"gen_ts": {"$gte": since}}, {"run_ts": {"$gte": since}}]}
    list(errors.aggregate([{"$match": recent}, {"$group": {"_id": "$error_kind", "count": {"$sum": 1}}}]))
    metrics.count_documents(ran)
    list(
        errors.aggregate(
            [
                {"$match": recent},
                {"$sort": {"ts": -1}},
                {
                    "$group": {
                        "_id": {"provider": "$provider", "model": "$model_name"},
                        "error_count": {"$sum": 1},
                        "kinds": {"$addToSet": "$error_kind"},
                        "last_error": {"$max": "$ts"},
                        "sample_message": {"$last": "$normalized_message"},
                    }
                },
                {"$sort": {"error_count": -1}},
                {"$limit": 15},
            ]
        )
    )
    list(
        rollups.aggregate(
            [
                {"$match": {"first_seen": {"$gte": since}}},
                {"$sort": {"first_seen": -1}},
                {"$limit": 20},
                {
                    "$project": {
                        "_id": 0,
                        "fingerprint": 1,
                        "provider": 1,
                        "model_name": 1,
                        "error_kind": 1,
                        "count": 1,
                        "first_seen": 1,
                        "last_seen": 1,
                        "sample_messages": {"$slice": ["$sample_messages", 2]},
                    }
                },
            ]
        )
    )
    failing = set(errors.distinct("model_name", recent))
    running = set(metrics.distinct("model_name", {"gen_ts": {"$gte": since}}))
    running |= set(metrics.distinct("model_name", {"run_ts": {"$gte": since}}))
    for model in sorted(failing - running):
        errors.find_one({"model_name": model, "ts": {"$gte": since}})
    list(errors.aggregate([{"$match": recent}, {"$group": {"_id": "$provider", "errors": {"$sum": 1}}}]))
    list(metrics.aggregate([{"$match": ran}, {"$group": {"_id": "$provider", "successes": {"$sum": 1}}}]))
    return 10 + len(failing - running)


@dataclass(frozen=True)
class Measured:
    commands: str
    rows: int  # pattern rows reaching Python
    collect_s: float
    upstream_s: float
    upstream_commands: int
    classify_us: float  # per pattern row
    read: int  # documents in the windows collect aggregated
    facts: HealthFacts


def measure(bench: Bench, seeded: Seeded, runs: int, steady: bool) -> Measured:
    """`runs` interleaved runs of `collect` and of the upstream queries (the first `collect` also
    counted and checked), then the classification of the pattern rows on its own."""
    window, collect_times, upstream_times, upstream_commands = seeded.window, [], [], 0
    for i in range(runs):
        bench.commands.reset()
        seconds, collected = timed(lambda: collect(bench.store, window))
        collect_times.append(seconds)
        if i == 0:
            commands = bench.commands.summary()
            assert (collected.previous is not None) == steady, "the ledger entry was not used as expected"
            facts = shape(collected)
            assert facts.previous is not None
            assert (facts.errors, facts.successes) == (seeded.errors, seeded.successes), (facts.errors, facts.successes)
            assert (facts.previous.errors, facts.previous.successes) == (seeded.errors, seeded.successes)
        seconds, upstream_commands = timed(lambda: upstream(bench, window.start))
        upstream_times.append(seconds)
    rows = error_patterns(
        bench.store,
        window.start,
        window.end,
        previous_start=None if steady else window.start - (window.end - window.start),
    )
    assert len(rows) == len(collected.patterns)
    classify_s, _ = timed(lambda: classified(rows, window.start), max(1, min(20, 20_000 // max(1, len(rows)))))
    read = (seeded.errors + seeded.successes) * (1 if steady else 2)
    return Measured(
        commands,
        len(rows),
        statistics.median(collect_times),
        statistics.median(upstream_times),
        upstream_commands,
        classify_s / max(1, len(rows)) * 1e6,
        read,
        facts,
    )


def breakdown(bench: Bench, window: Window, rounds: int) -> list[list[Any]]:
    """Where the steady aggregations spend their time: `$match` alone, then each prefix of the real
    pipeline (`$group` on the raw fields, the per-pattern guards, the rollup lookup, the probe of
    the errors' history, the cached classes); interleaved rounds, median each. SecantusDB's
    explain() reports the `$cursor` stage only, hence the timing."""
    pipeline = error_pipeline(bench.store.names, window.start, window.end)
    cuts = (
        ("$group (raw fields)", 2),
        ("+ $project (guards)", 3),
        ("+ $lookup rollup", 4),
        ("+ probe and $lookup before", 7),
        ("+ $lookup cached (whole pipeline)", len(pipeline)),
    )
    variants = {
        "errors: $match → $count": pipeline[:1] + [{"$count": "n"}],
        **{f"errors: $match → {label}": pipeline[:end] for label, end in cuts},
        "successes: whole pipeline": success_pipeline(bench.store.names, window.start, window.end),
    }
    times: dict[str, list[float]] = {label: [] for label in variants}
    returned: dict[str, int] = {}
    for _ in range(rounds):
        for label, stages in variants.items():
            collection = bench.store.coll(label.split(":")[0])
            seconds, result = timed(
                lambda coll=collection, pipeline=stages: list(
                    coll.aggregate(pipeline, allowDiskUse=True, batchSize=100_000)
                )
            )
            times[label].append(seconds)
            returned[label] = result[0]["n"] if label.endswith("$count") else len(result)
    rows, previous = [], 0.0
    for label, t in times.items():
        median = statistics.median(t)
        step = f"{median - previous:+.2f}" if label.startswith("errors: $match → ") and previous else ""
        rows.append([label, f"{returned[label]:,}", f"{median:.2f}", step])
        previous = median if label.startswith("errors: $match → ") else previous
    errors = bench.store.coll("errors")
    print(
        f"  errors per fingerprint, whole collection: "
        f"{errors.estimated_document_count() / len(errors.distinct('fingerprint')):.1f}",
        file=sys.stderr,
    )
    return rows


# The job as its console script runs it, reporting its own high-water RSS (VmHWM) on exit: the
# rusage of a child would also count the parent's pages copied at fork.
_JOB = (
    "import atexit, sys\n"
    "atexit.register(lambda: print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0], file=sys.stderr))\n"
    "from api.llm_bench.health.cli import main\nmain()"
)


def peak_rss(bench: Bench) -> tuple[float, dict[str, Any]]:
    """Run the real job (`--dry-run --no-ai --format json`) in a child; its peak RSS in MiB."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MONGODB_URI": bench.uri, "MONGODB_DB": bench.db_name}
    with tempfile.TemporaryDirectory() as empty:  # no .env is picked up
        job = subprocess.run(
            [sys.executable, "-c", _JOB, "--dry-run", "--no-ai", "--format", "json"],
            cwd=empty,
            env=env,
            capture_output=True,
            text=True,
        )
    if job.returncode != 0:
        raise SystemExit(f"llm-health-check exited {job.returncode}: {job.stderr[-500:]}")
    return int(job.stderr.split()[-1]) / 1024, json.loads(job.stdout)


def shifted(entry: dict[str, Any], by: dt.timedelta) -> dict[str, Any]:
    """The ledger entry moved by `by`, so that it covers the day before the child job's own window
    (which ends when the child starts, a few minutes after the seeded window); no document lies
    within MARGIN of either edge, so both windows hold the same documents."""
    assert by < MARGIN * HOUR, f"the case ran {by} after seeding: more than the {MARGIN} h margin"
    window = entry["window"]
    return {
        **entry,
        "finished_at": entry["finished_at"] + by,
        "window": {**window, "start": window["start"] + by, "end": window["end"] + by},
    }


def run_case(bench: Bench, errors: int, model_count: int, options: Any) -> list[tuple[str, Measured, float]]:
    """Seed one case; measure the first run, then the steady state; (state, measured, job RSS)."""
    seeded = seed(bench, errors, model_count, int(errors * options.successes))
    print(
        f"{errors:,} × {model_count:,}: seeded {seeded.inserted:,} documents in {seeded.seconds:.0f}s "
        f"({seeded.inserted / seeded.seconds:,.0f}/s)",
        file=sys.stderr,
    )
    results = []
    entry: dict[str, Any] = {}  # the first run's ledger entry, which the steady state reads
    for state in ("first run", "steady"):
        steady = state == "steady"
        if steady:  # the run of the day before recorded its window (the first run found no entry)
            bench.store.coll("health_runs").insert_one(dict(entry))
        measured = measure(bench, seeded, options.repeat if steady or errors < options.big else 1, steady)
        if steady:
            bench.store.coll("health_runs").delete_many({})
            bench.store.coll("health_runs").insert_one(shifted(entry, dt.datetime.now(dt.UTC) - seeded.window.end))
        else:
            assert measured.facts.previous is not None
            entry = ledger(bench, measured.facts.previous, seeded.window)
        rss, report = peak_rss(bench)
        print(
            f"  {state}: collect {measured.collect_s:.2f}s {measured.commands}, {measured.rows:,} rows; upstream "
            f"{measured.upstream_s:.2f}s; {measured.classify_us:.0f} µs/pattern; RSS {rss:.0f} MiB "
            f"(status {report['status']})",
            file=sys.stderr,
        )
        results.append((state, measured, rss))
    if options.breakdown:
        print(
            table(
                ["aggregation over the steady window", "rows", "s (median)", "over the step before"],
                breakdown(bench, seeded.window, options.repeat),
            )
        )
    return results


def main() -> None:
    args = parser(__doc__)
    args.add_argument(
        "--case",
        action="append",
        metavar="ERRORS:MODELS",
        help="errors in the window and models; repeatable (default: the table in BENCHMARKS.md)",
    )
    args.add_argument("--repeat", type=int, default=3, help="interleaved runs of collect and upstream")
    args.add_argument("--big", type=int, default=100_000, help="from this many errors, one first-run pass only")
    args.add_argument("--successes", type=float, default=1.0, help="successes per error in each window")
    args.add_argument("--breakdown", action="store_true", help="also time the error aggregation stage by stage")
    options = args.parse_args()
    cases = [tuple(int(x) for x in c.split(":")) for c in options.case] if options.case else CASES
    rows = []
    for errors, model_count in cases:
        with bench_database(options.uri) as bench:
            for state, m, rss in run_case(bench, errors, model_count, options):
                rows.append(
                    [
                        f"{errors:,}",
                        f"{model_count:,}",
                        state,
                        m.commands,
                        f"{m.rows:,}",
                        f"{m.collect_s:.2f}",
                        f"{m.collect_s / m.read * 1e6:.1f}",
                        f"{m.classify_us:.0f}",
                        f"{m.upstream_s:.2f}",
                        f"{m.upstream_commands:,}",
                        f"{m.collect_s / m.upstream_s:.2f}×",
                        f"{rss:.0f}",
                    ]
                )
    print(
        table(
            [
                "errors in window",
                "models",
                "run",
                "collect commands",
                "rows to Python",
                "collect s",
                "µs / document read",
                "classify µs / row",
                "upstream s",
                "upstream commands",
                "collect / upstream",
                "job peak RSS MiB",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
