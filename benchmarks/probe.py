"""What one `llm-discovery probe` run costs: HTTP requests to the providers and database commands.

The real 2026-01-17 catalog is fetched with the model registry fixture (as benchmarks/discovery.py
does), every key-based provider gets a key and a loopback stand-in of its chat API, and the
stand-in answers by a fixed rule on the id: 1 in 5 a 404 (no access), 1 in 7 a 400 (terms),
1 in 11 a 500, the rest a success. Runs, with the clock moved by the script: a dry run, a first
run, one 3 h later (the second successes verify, the 500s are retried), one a day later; each
with `--max-calls` at its hard maximum (50) and a spend ceiling of 1 USD. Then a report.

  uv run --extra demo python benchmarks/probe.py [--uri mongodb://...]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from _common import Bench, bench_database, http_stub, parser, table, timed  # first: puts tests/ on the path
from discovery import CATALOG, NOW, serve, sources

from api.llm_bench.admission import MAX_CALLS
from api.llm_bench.discovery.jobs import ReportOptions, build_report, run_fetch
from api.llm_bench.discovery.matching import PROVIDERS
from api.llm_bench.discovery.probe import ProbeConfig, run_probe

KEYED = ("openai", "anthropic", "groq", "together", "fireworks", "deepinfra", "cerebras")
HOUR = dt.timedelta(hours=1)


def answer(model_id: str) -> tuple[int, dict[str, str], Any]:
    n = int(hashlib.sha256(model_id.encode()).hexdigest()[:8], 16)
    if n % 5 == 0:
        return http_stub.json_reply({"error": {"message": "The model does not exist or you do not have access"}}, 404)
    if n % 7 == 0:
        return http_stub.json_reply({"error": {"message": "Please accept the terms of use for this model"}}, 400)
    if n % 11 == 0:
        return http_stub.json_reply({"error": {"message": "internal error"}}, 500)
    return http_stub.json_reply({"id": "x", "choices": [{"message": {"role": "assistant", "content": "OK"}}]})


def config(stub: http_stub.HTTPStub) -> ProbeConfig:
    for provider in KEYED:
        path = "/anthropic/messages" if provider == "anthropic" else f"/{provider}/chat/completions"
        stub.route("POST", path, lambda request: answer(request.json()["model"]))
    return ProbeConfig(
        {p: f"key-{p}" for p in KEYED},
        {p: f"{stub.base_url}/{p}" for p in KEYED},
        max_calls=MAX_CALLS,
        max_usd=1.0,
    )


def rows(uri: str | None, stub: http_stub.HTTPStub) -> tuple[list[list[Any]], list[Any]]:
    url = serve(stub, json.loads(CATALOG.read_text())["data"])
    probe_config = config(stub)
    found = []
    with bench_database(uri) as bench:
        run_fetch(bench.store, url, NOW, sources(stub))
        for label, at, dry in (
            ("dry run", NOW, True),
            ("first", NOW, False),
            ("3 h later", NOW + 3 * HOUR, False),
            ("1 day later", NOW + 24 * HOUR, False),
        ):
            found.append([label, *_run(bench, stub, probe_config, at, dry)])
        bench.commands.reset()
        report = build_report(bench.store, bench.db_name, ReportOptions(max_matches=100), None, NOW + 25 * HOUR)
        verified = sum(1 for m in report.matches if m.verified_by == "probe")
        summary = [len(report.matches), verified, len(report.left_out), bench.commands.summary()]
    return found, summary


def _run(bench: Bench, stub: http_stub.HTTPStub, probe_config: ProbeConfig, at: dt.datetime, dry: bool) -> list[Any]:
    before = len(stub.requests)
    bench.commands.reset()
    seconds, run = timed(lambda: run_probe(bench.store, bench.db_name, probe_config, PROVIDERS, at, dry_run=dry))
    outcomes: dict[str, int] = {}
    for call in run.calls:
        outcomes[call.outcome or "planned"] = outcomes.get(call.outcome or "planned", 0) + 1
    return [
        run.proposals,
        len(stub.requests) - before,
        ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "—",
        len(run.skipped),
        f"{run.estimated_usd:.4f}",
        bench.commands.summary(),
        f"{seconds:.2f}",
    ]


def main() -> None:
    options = parser(__doc__).parse_args()
    stub = http_stub.start(http_stub.HTTPStub())
    try:
        runs, summary = rows(options.uri, stub)
    finally:
        assert stub.server is not None
        stub.server.shutdown()
        stub.server.server_close()
    print(
        table(
            [
                "probe run",
                "proposals",
                "HTTP requests",
                "outcomes",
                "skipped",
                "estimated USD",
                "database commands",
                "s",
            ],
            runs,
        )
    )
    print()
    print(table(["report after", "proposals", "verified by probe", "left out", "database commands"], [["", *summary]]))


if __name__ == "__main__":
    main()
