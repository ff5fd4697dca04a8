"""Discovery's cost as the catalog grows: database commands of a fetch, OpenAI requests of a report.

The catalog lists 300–600 models and grows; a fetch must stay a constant handful of commands,
not one per model, and the AI fallback must be asked about a model once, not every morning.

- fetch: synthetic catalogs of 350 and 1,000 models (the real entries of the 2026-01-17 fixture,
  cloned under new ids) served from 127.0.0.1 with the model registry fixture
  (tests/fixtures/registry/truth-registry.json) beside it, as a real fetch reads both; commands
  of a first fetch and of a repeat with nothing changed, and their median wall time.
- report: the real 2026-01-17 catalog, placed by retrieval against that registry, against an
  empty benchmark, with the whole catalog
  examined and OpenAI stood in for on 127.0.0.1 (it answers from the hand-reviewed matches of
  benchmarks/matching_precision.py when that file is present, else "no match"): OpenAI requests
  and database commands of a first and a second report, and the share of matches the
  deterministic rules made.

  uv run --extra demo python benchmarks/discovery.py [--uri mongodb://...]
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from _common import (  # first: puts tests/ on the path
    ROOT,
    Bench,
    bench_database,
    http_stub,
    openai_stub,
    parser,
    table,
    timed,
)
from matching_precision import DEFAULT as REVIEWED_MATCHES
from matching_precision import REGISTRY
from openai import OpenAI

from api.llm_bench.discovery.ai_match import Ask
from api.llm_bench.discovery.jobs import ReportOptions, build_report, run_fetch
from api.llm_bench.discovery.sources import SourceConfig

CATALOG = ROOT / "tests" / "fixtures" / "openrouter" / "catalog-2026-01-17.json"
CATALOG_PATH = "/api/v1/models"
REGISTRY_PATH = "/registry.json"
SIZES = (350, 1_000)
NOW = dt.datetime(2026, 1, 17, 7, tzinfo=dt.UTC)


def synthetic(size: int) -> list[dict[str, Any]]:
    """`size` catalog entries: the real ones, then copies under ids such as `org/name-copy1:free`."""
    real = json.loads(CATALOG.read_text())["data"]
    entries = []
    for i in range(size):
        entry, copy = real[i % len(real)], i // len(real)
        base, colon, variant = entry["id"].partition(":")
        entries.append({**entry, "id": f"{base}-copy{copy}{colon}{variant}" if copy else entry["id"]})
    return entries


def serve(stub: http_stub.HTTPStub, entries: list[dict[str, Any]]) -> str:
    body = json.dumps({"data": entries})
    stub.route("GET", CATALOG_PATH, lambda _request: (200, {"Content-Type": "application/json"}, body))
    return stub.base_url + CATALOG_PATH


def sources(stub: http_stub.HTTPStub) -> SourceConfig:
    """The model registry fixture served on loopback (no provider keys: registry only)."""
    body = REGISTRY.read_text()
    stub.route("GET", REGISTRY_PATH, lambda _request: (200, {"Content-Type": "application/json"}, body))
    return SourceConfig(stub.base_url + REGISTRY_PATH)


def fetch_rows(uri: str | None, stub: http_stub.HTTPStub, repeat: int) -> list[list[Any]]:
    rows = []
    config = sources(stub)
    for size in SIZES:
        url = serve(stub, synthetic(size))
        with bench_database(uri) as bench:
            bench.commands.reset()
            first_seconds, _ = timed(functools.partial(run_fetch, bench.store, url, NOW, config))
            first = bench.commands.summary()
            bench.commands.reset()
            run_fetch(bench.store, url, NOW + dt.timedelta(days=1), config)
            again = bench.commands.summary()
            again_seconds, result = timed(
                functools.partial(run_fetch, bench.store, url, NOW + dt.timedelta(days=2), config), repeat
            )
            assert not (result.new or result.changed or result.missing), "the repeat fetch should change nothing"
            rows.append([f"{size:,}", first, f"{first_seconds:.2f}", again, f"{again_seconds:.2f}"])
    return rows


def reviewed_answers(stub: http_stub.HTTPStub) -> None:
    """Answer each batch from the reviewed matches; count requests through `stub.requests`."""
    truth: dict[str, dict[str, Any]] = {}
    for line in REVIEWED_MATCHES.read_text().splitlines():
        row = json.loads(line) if line.strip() else None
        if row and row["matches"]:
            truth[row["openrouter_id"]] = row["matches"][0]

    def handler(request: http_stub.Request) -> tuple[int, dict[str, str], Any]:
        user = request.json()["messages"][-1]["content"]
        asked = json.loads(user.split("\n", 1)[1])
        answers = [
            {
                "openrouter_id": m["openrouter_id"],
                "provider": truth.get(m["openrouter_id"], {}).get("provider"),
                "model_id": truth.get(m["openrouter_id"], {}).get("model_id"),
                "confidence": 0.9,
                "reasoning": "reviewed",
            }
            for m in asked
        ]
        return http_stub.json_reply(openai_stub.completion(json.dumps({"answers": answers})))

    stub.route("POST", openai_stub.PATH, handler)


def report_rows(uri: str | None, stub: http_stub.HTTPStub) -> list[list[Any]]:
    url = serve(stub, json.loads(CATALOG.read_text())["data"])
    reviewed_answers(stub)
    ask = Ask(OpenAI(api_key="sk-bench", base_url=stub.base_url + "/v1", max_retries=0, timeout=30), "gpt-bench")

    rows = []
    with bench_database(uri) as bench:
        run_fetch(bench.store, url, NOW, sources(stub))
        for run in ("first", "second"):
            rows.append([run, *_report(bench, stub, ask)])
    return rows


def _report(bench: Bench, stub: http_stub.HTTPStub, ask: Any) -> list[Any]:
    asked_before = len(stub.calls(openai_stub.PATH))
    bench.commands.reset()
    report = build_report(bench.store, bench.db_name, ReportOptions(max_matches=10_000), ask, NOW)
    requests = len(stub.calls(openai_stub.PATH)) - asked_before
    by_rule = sum(1 for m in report.matches if m.source == "rule")
    share = f"{by_rule / len(report.matches):.0%}" if report.matches else "—"
    return [
        report.candidates,
        requests,
        bench.commands.summary(),
        len(report.matches),
        by_rule,
        len(report.matches) - by_rule,
        share,
    ]


def main() -> None:
    args = parser(__doc__)
    args.add_argument("--repeat", type=int, default=5, help="timed repeat fetches per catalog size")
    options = args.parse_args()
    stub = http_stub.start(http_stub.HTTPStub())
    try:
        fetches = fetch_rows(options.uri, stub, options.repeat)
        reports = report_rows(options.uri, stub)
    finally:
        assert stub.server is not None
        stub.server.shutdown()
        stub.server.server_close()
    print(
        table(
            [
                "catalog models",
                "first fetch commands",
                "first fetch s",
                "repeat fetch commands",
                "repeat fetch s (median)",
            ],
            fetches,
        )
    )
    print()
    print(
        table(
            [
                "report",
                "candidates",
                "OpenAI requests",
                "database commands",
                "matches",
                "by rules",
                "by AI",
                "rules' share",
            ],
            reports,
        )
    )


if __name__ == "__main__":
    main()
