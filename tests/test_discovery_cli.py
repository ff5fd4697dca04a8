"""The typer app end to end: exit statuses, stdout/stderr split, --help without heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from http_stub import HTTPStub, json_reply
from trickle_stub import Trickle
from typer.testing import CliRunner

from api.llm_bench.discovery.cli import app
from api.llm_bench.exit_codes import ExitStatus

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = Path(__file__).parent / "fixtures" / "openrouter"
PATH = "/api/v1/models"


REGISTRY = Path(__file__).parent / "fixtures" / "registry" / "truth-registry.json"


def env_for(mongo_uri: str, db_name: str, http_server: HTTPStub, **extra: str) -> dict[str, str]:
    return {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "OPENROUTER_MODELS_URL": http_server.base_url + PATH,
        "MODEL_REGISTRY_URL": http_server.base_url + "/registry.json",
        "OPENAI_API_KEY": "",
        **extra,
    }


def serve_day(http_server: HTTPStub, day: str) -> None:
    body = (CATALOGS / f"catalog-{day}.json").read_text()
    http_server.route("GET", PATH, lambda _r: (200, {"Content-Type": "application/json"}, body))
    registry = REGISTRY.read_text()
    http_server.route("GET", "/registry.json", lambda _r: (200, {"Content-Type": "application/json"}, registry))


def test_fetch_report_stats(store, mongo_uri: str, db_name: str, http_server: HTTPStub) -> None:
    runner = CliRunner()
    env = env_for(mongo_uri, db_name, http_server)
    serve_day(http_server, "2026-01-16")
    first = runner.invoke(app, ["fetch"], env=env)
    assert first.exit_code == 0, first.output
    assert "listed   328" in first.stdout and "new      328" in first.stdout
    assert "source registry: complete, 834 listed, 834 new" in first.stdout
    gpt4o = store.coll("catalog").find_one({"openrouter_id": "openai/gpt-4o"})["direct_match"]
    assert (gpt4o["provider"], gpt4o["model_id"], gpt4o["verified_by"]) == ("openai", "gpt-4o", "registry")
    assert gpt4o["listed_since"] is not None

    serve_day(http_server, "2026-01-17")
    second = runner.invoke(app, ["fetch", "--format", "json"], env=env)
    assert second.exit_code == 0
    assert len(json.loads(second.stdout)["new"]) == 11

    store.coll("models").insert_one({"provider": "openai", "model_id": "gpt-5.2-codex", "enabled": True})
    report = runner.invoke(app, ["report", "--format", "json", "-p", "openai", "--max-matches", "3"], env=env)
    assert report.exit_code == 0, report.output
    rows = json.loads(report.stdout)["proposals"]
    assert len(rows) == 3 and {r["provider"] for r in rows} == {"openai"}
    assert "openai/gpt-5.2-codex" not in {r["openrouter_id"] for r in rows}
    assert set(rows[0]) >= {
        "openrouter_id",
        "name",
        "provider",
        "model_id",
        "confidence",
        "reasoning",
        "source",
        "command",
        "registry_input_price",
        "openrouter_input_price",
        "registry_context_length",
    }
    assert {r["verified_by"] for r in rows} == {"registry"} and all(r["listed_since"] for r in rows)
    assert "OPENAI_API_KEY is not set" in report.stderr

    text = runner.invoke(app, ["report", "--since", "7d", "--no-ai"], env=env)
    assert text.exit_code == 0 and "AI matching off" in text.stderr and "mongosh" in text.stdout
    assert "verified by registry list, listed since " in text.stdout

    stats = runner.invoke(app, ["stats"], env=env)
    assert stats.exit_code == 0 and "339 listed" in stats.stdout and "openai: 1 / 0 / 0" in stats.stdout


def test_refused_and_unavailable_exit_codes(store, mongo_uri: str, db_name: str, http_server: HTTPStub) -> None:
    runner = CliRunner()
    env = env_for(mongo_uri, db_name, http_server)
    http_server.route("GET", PATH, lambda _r: json_reply({"data": []}))
    refused = runner.invoke(app, ["fetch"], env=env)
    assert refused.exit_code == ExitStatus.CATALOG_REFUSED
    assert refused.stdout == "" and refused.stderr.splitlines()[-1] == "error: the catalog lists no models"
    assert (
        "WARNING registry unavailable: " in refused.stderr and "answered HTTP 404" in refused.stderr
    )  # not served here
    http_server.route("GET", PATH, lambda _r: json_reply({}, 503))
    down = runner.invoke(app, ["fetch", "--retries", "0"], env=env)
    assert down.exit_code == ExitStatus.UPSTREAM_UNAVAILABLE and "HTTP 503" in down.stderr
    assert store.coll("catalog").count_documents({}) == 0


def test_usage_and_config_errors(http_server: HTTPStub) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["report", "--since", "soon"]).exit_code == ExitStatus.USAGE
    assert runner.invoke(app, ["report", "-p", "azure"]).exit_code == ExitStatus.USAGE
    missing = runner.invoke(app, ["stats"], env={"MONGODB_URI": ""})
    assert missing.exit_code == ExitStatus.CONFIG_ERROR and "MONGODB_URI is not set" in missing.stderr
    assert "--demo" not in missing.stderr  # llm-discovery has no --demo


@pytest.mark.parametrize(
    "url", ["notaurl", "ftp://example.test/models", "http://", "http://host:99999/", "http://a b/"]
)
def test_a_malformed_url_is_a_usage_error_at_once(url: str) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(app, ["fetch", "--url", url], env={"MONGODB_URI": ""})
    assert result.exit_code == ExitStatus.USAGE, result.output
    assert "--url" in result.stderr and result.stderr.count("\n") <= 6
    assert time.monotonic() - started < 2  # no request, no retry


@pytest.mark.parametrize("name", ["OPENROUTER_MODELS_URL", "MODEL_REGISTRY_URL", "GROQ_MODELS_URL"])
def test_a_malformed_url_variable_is_a_config_error(name: str) -> None:
    result = CliRunner().invoke(app, ["fetch"], env={"MONGODB_URI": "mongodb://127.0.0.1/", name: "notaurl"})
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    assert result.stderr == f"error: {name} is not a URL to fetch: expected http:// or https://\n"


def test_help_imports_neither_pymongo_nor_openai() -> None:
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['llm-discovery', '--help']\n"
        "try:\n    runpy.run_module('api.llm_bench.discovery.cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('HEAVY', sorted(m for m in ('pymongo', 'openai', 'httpx') if m in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "fetch" in run.stdout and "report" in run.stdout and "HEAVY []" in run.stdout, run.stderr
    for command in ("fetch", "report", "stats"):
        helped = subprocess.run(
            [sys.executable, "-m", "api.llm_bench.discovery.cli", command, "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert helped.returncode == 0 and "Examples" in helped.stdout


def test_real_process_against_the_fixtures(store, mongo_uri: str, db_name: str, http_server: HTTPStub) -> None:
    serve_day(http_server, "2026-01-17")
    env = {"PATH": "/usr/bin:/bin", **env_for(mongo_uri, db_name, http_server)}
    for argv in (["fetch"], ["report", "--format", "json", "--max-matches", "5"]):
        run = subprocess.run(
            [sys.executable, "-m", "api.llm_bench.discovery.cli", *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)["proposals"]
    assert len(rows) == 5 and all(r["source"] == "rule" and r["command"].startswith("mongosh") for r in rows)


def test_short_help_version_and_each_command_lists_only_its_statuses() -> None:
    from importlib.metadata import version

    runner = CliRunner()
    group = runner.invoke(app, ["-h"])
    assert group.exit_code == 0 and "fetch" in group.stdout and "--version" in group.stdout
    shown = runner.invoke(app, ["--version"])
    assert shown.exit_code == 0 and shown.stdout == f"llm-bench-ops {version('llm-bench-ops')}\n"
    expected = {"fetch": {0, 1, 2, 3, 4, 6, 7}, "report": {0, 1, 2, 3, 4, 8}, "stats": {0, 1, 2, 3, 4}}
    for command, codes in expected.items():
        helped = runner.invoke(app, [command, "-h"])
        assert helped.exit_code == 0
        statuses = helped.stdout.split("Exit statuses:")[1]
        listed = {int(line.split()[0]) for line in statuses.splitlines() if line.strip()[:1].isdigit()}
        assert listed == codes, command


def test_bad_uri_and_settings_are_config_errors() -> None:
    runner = CliRunner()
    for env in (
        {"MONGODB_URI": "mongodb://127.0.0.1:70000/"},
        {"MONGODB_URI": "mongodb://a b/"},
        {"MONGODB_URI": "mongodb://127.0.0.1/", "MONGODB_DB": "bad name"},
        {"MONGODB_URI": "mongodb://127.0.0.1/", "OPENAI_TIMEOUT": "x"},
    ):
        result = runner.invoke(app, ["stats"], env=env)
        assert result.exit_code == ExitStatus.CONFIG_ERROR, result.output
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_real_process_reads_collection_names_from_the_env_file(
    store, mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    store.db["staging_models"].insert_one({"provider": "groq", "model_id": "llama-3.3-70b-versatile", "enabled": True})
    (tmp_path / ".env").write_text(f"MONGODB_URI={mongo_uri}\nMONGODB_DB={db_name}\nMODELS_COLLECTION=staging_models\n")
    run = subprocess.run(
        [sys.executable, "-m", "api.llm_bench.discovery.cli", "stats", "--format", "json"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "groq" in run.stdout


def test_report_before_any_fetch_says_to_fetch_first(
    store, mongo_uri: str, db_name: str, http_server: HTTPStub
) -> None:
    env = env_for(mongo_uri, db_name, http_server)
    for argv in (["report"], ["report", "--format", "json", "--no-ai"]):
        result = CliRunner().invoke(app, argv, env=env)
        assert result.exit_code == ExitStatus.CATALOG_MISSING == 8
        assert result.stdout == ""
        assert result.stderr == "error: no complete catalog fetch yet: run `llm-discovery fetch` first\n"
    http_server.route("GET", PATH, lambda _r: json_reply({"data": []}))
    assert CliRunner().invoke(app, ["fetch"], env=env).exit_code == ExitStatus.CATALOG_REFUSED
    assert CliRunner().invoke(app, ["report"], env=env).exit_code == ExitStatus.CATALOG_MISSING  # refused is no fetch


@pytest.mark.parametrize("since", ["99999999999999999999w", "999999999999w", "36501d", "0d", "7x", "-1d"])
def test_impossible_periods_are_one_line_usage_errors(since: str) -> None:
    result = CliRunner().invoke(app, ["report", "--since", since])
    assert result.exit_code == ExitStatus.USAGE
    assert result.stderr.startswith("error: --since: ") and result.stderr.count("\n") == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_longest_period_and_the_match_cap(store, mongo_uri: str, db_name: str, http_server: HTTPStub) -> None:
    env = env_for(mongo_uri, db_name, http_server)
    serve_day(http_server, "2026-01-17")
    assert CliRunner().invoke(app, ["fetch"], env=env).exit_code == 0
    longest = CliRunner().invoke(app, ["report", "--since", "36500d", "--no-ai", "--max-matches", "100"], env=env)
    assert longest.exit_code == 0, longest.output
    assert CliRunner().invoke(app, ["report", "--max-matches", "101"], env=env).exit_code == ExitStatus.USAGE


def test_a_trickling_catalog_ends_at_the_deadline(store, mongo_uri: str, db_name: str, http_server: HTTPStub) -> None:
    trickle = Trickle("body").start()
    url = trickle.url
    try:
        env = {**env_for(mongo_uri, db_name, http_server), "OPENROUTER_MODELS_URL": url}
        result = CliRunner().invoke(
            app, ["fetch", "--no-sources", "--timeout", "5", "--retries", "0", "--deadline", "1"], env=env
        )
    finally:
        trickle.stop()
    assert result.exit_code == ExitStatus.UPSTREAM_UNAVAILABLE
    assert result.stderr == f"error: the catalog was not fetched within the 1 s deadline (still reading {url})\n"
    assert store.coll("catalog_runs").find_one({}, {"_id": 0, "status": 1}) == {"status": "unavailable"}
