"""Silences over several recorded days, through the real CLI (`--as-of` is the clock for the
check and for the silence commands), with real msmtp into a local SMTP sink: a known problem is
acknowledged until a date and stops setting the status; nothing else is hidden; when the silence
ends, the problem is judged again."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from http_stub import HTTPStub
from openai_stub import PATH, answer_with
from smtp_sink import SMTPSink
from test_health_ai_review import FACTS, good_answer
from test_health_fleet_scenarios import BEDROCK_AUTH, DAY, DAY1, FLEET, HOUR, enabled, failed, fleet_days, marks
from typer.testing import CliRunner, Result

from api.llm_bench import repository
from api.llm_bench.ai import make_client
from api.llm_bench.config import Settings
from api.llm_bench.exit_codes import ExitStatus
from api.llm_bench.health.cli import app
from api.llm_bench.health.job import AIChoice, review
from api.llm_bench.health.silences import Silence, Target, from_document
from api.llm_bench.repository.health import insert_documents

runner = CliRunner()
BILLING = (
    'Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too '
    'low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}'
)
ANTHROPIC = [m for m in FLEET if m[0] == "anthropic"]
BEDROCK = [m for m in FLEET if m[0] == "bedrock"]
OTHERS = [m for m in FLEET if m[0] not in ("anthropic", "bedrock")]
UNPAID = DAY1 - 10 * HOUR  # anthropic's first failed call (billing) is half an hour later
BEDROCK_BROKE = DAY1 + 2 * DAY - 6 * HOUR  # bedrock's credentials break on day 3 ...
BEDROCK_FIXED = DAY1 + 2 * DAY + 2 * HOUR  # ... and are fixed after the day-3 run


@pytest.fixture
def env(mongo_uri: str, db_name: str, smtp: SMTPSink, msmtp_binary: str, tmp_path: Path) -> dict[str, str]:
    return {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "NOTIFY_EMAIL": "ops@example.test",
        "MSMTP_PATH": msmtp_binary,
        "MSMTP_CONFIG": str(smtp.msmtprc(tmp_path)),
    }


@pytest.fixture
def cli(env: dict[str, str]) -> Callable[..., Result]:
    def run(*argv: str) -> Result:
        return runner.invoke(app, list(argv), env=env)

    return run


@pytest.fixture
def bare(mongo_uri: str, db_name: str) -> Callable[..., Result]:
    """The silence commands with the database only (no mail: nothing else writes to stderr)."""

    def run(*argv: str) -> Result:
        return runner.invoke(app, list(argv), env={"MONGODB_URI": mongo_uri, "MONGODB_DB": db_name})

    return run


@pytest.fixture
def judge(cli: Callable[..., Result]) -> Callable[[dt.datetime], dict[str, Any]]:
    def run(as_of: dt.datetime) -> dict[str, Any]:
        result = cli("--no-ai", "--format", "json", "--as-of", as_of.isoformat())
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


def seed(store: repository.Store) -> None:
    insert_documents(
        store,
        {
            "models": enabled(*FLEET),
            "successes": fleet_days(DAY1 - 2 * DAY, DAY1 + 4 * DAY, OTHERS)
            + fleet_days(DAY1 - 2 * DAY, UNPAID, ANTHROPIC)
            + fleet_days(DAY1 - 2 * DAY, BEDROCK_BROKE, BEDROCK)
            + fleet_days(BEDROCK_FIXED, DAY1 + 4 * DAY, BEDROCK),
            "errors": [d for _, m in ANTHROPIC for d in failed("anthropic", m, BILLING, UNPAID, DAY1 + 4 * DAY)]
            + [d for _, m in BEDROCK for d in failed("bedrock", m, BEDROCK_AUTH, BEDROCK_BROKE, BEDROCK_FIXED)],
        },
    )


def test_a_silence_quiets_one_known_problem_until_it_ends(
    store: repository.Store,
    cli: Callable[..., Result],
    judge: Callable[[dt.datetime], dict[str, Any]],
    smtp: SMTPSink,
) -> None:
    seed(store)
    day1 = judge(DAY1)
    assert day1["status"] == "critical"
    assert "anthropic has billing errors since 22:30 UTC" in day1["reasons"]
    assert day1["silenced"] == []

    added = cli(
        "silence", "add", "anthropic", "--for", "2d", "--kind", "billing",
        "--reason", "invoice 4711 unpaid", "--format", "json", "--as-of", (DAY1 + HOUR).isoformat(),
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    silence = json.loads(added.stdout)
    assert silence["target"] == "anthropic" and silence["kind"] == "billing"
    assert silence["until"] == (DAY1 + 2 * DAY + HOUR).isoformat() and silence["dry_run"] is False
    (stored,) = store.coll("silences").find()
    assert stored["_id"] == silence["id"] and stored["created"]["user"] and stored["created"]["host"]

    day2 = judge(DAY1 + DAY)
    assert day2["status"] == "healthy", day2["reasons"]
    assert day2["totals"]["errors"] == 48  # the raw totals still show the silenced errors
    assert day2["summary"].startswith("120 successful runs and 48 errors (28.6%) in 24 h. Nothing needs attention.")
    assert day2["summary"].endswith(" Silenced: 1 problem (listed apart).")
    assert "billing" not in " ".join(day2["reasons"])
    assert "fleet:coverage" not in marks(day2)  # the only gaps are the silenced provider's
    (group,) = day2["silenced"]
    assert group["id"] == silence["id"] and group["state"] == "active"
    assert group["reason"] == "invoice 4711 unpaid" and group["until"] == silence["until"]
    assert [p["key"] for p in group["problems"]] == ["provider:anthropic"]
    assert (
        "billing broken: every call since 2026-11-21 08:30 UTC failed (billing ×48) on 2 models"
        in (group["problems"][0]["detail"])
    )
    assert marks(day2)["provider:anthropic"] == "ongoing"  # still tracked, not resolved
    (recorded,) = store.coll("health_runs").find({"finished_at": DAY1 + DAY})
    assert recorded["status"] == "healthy" and recorded["silenced"][0]["id"] == silence["id"]
    mail = smtp.delivered[-1]
    assert mail.message["Subject"].startswith("[HEALTHY]")
    body = mail.text()
    assert "Silenced (1)" in body
    assert f"- anthropic (billing): invoice 4711 unpaid — until 2026-11-23 09:00 UTC (silence {silence['id']}" in body

    day3 = judge(DAY1 + 2 * DAY)  # another provider breaks meanwhile: still CRITICAL, for it alone
    assert day3["status"] == "critical"
    assert [r for r in day3["reasons"] if "errors since" in r] == ["bedrock has auth errors since 02:30 UTC"]
    assert [g["state"] for g in day3["silenced"]] == ["active"]
    assert smtp.delivered[-1].message["Subject"].startswith("[CRITICAL]")

    day4 = judge(DAY1 + 3 * DAY)  # the silence ended at 09:00 yesterday: anthropic is judged again
    assert day4["status"] == "critical"
    assert "anthropic has billing errors since 2026-11-20 22:30 UTC" in " ".join(day4["reasons"]) or any(
        r.startswith("anthropic has billing errors") for r in day4["reasons"]
    )
    (ended,) = day4["silenced"]
    assert ended["state"] == "ended" and ended["problems"] == []
    assert marks(day4)["provider:anthropic"] == "ongoing"  # the same problem, since day 1
    assert f"silence {silence['id']} ended 2026-11-23 09:00 UTC: its problems are judged again" in (
        smtp.delivered[-1].text()
    )


def test_a_silence_hides_only_what_it_names(
    store: repository.Store, cli: Callable[..., Result], judge: Callable[[dt.datetime], dict[str, Any]]
) -> None:
    seed(store)
    at = (DAY1 + HOUR).isoformat()
    for argv in (
        ("anthropic", "--kind", "rate_limit"),  # another kind on the same provider
        ("groq", "--kind", "billing"),  # another provider
        ("anthropic:claude-haiku-4-5",),  # one model is not its provider's issue
    ):
        result = cli("silence", "add", *argv, "--for", "3d", "--reason", "not this", "--as-of", at)
        assert result.exit_code == 0, result.output
    report = judge(DAY1 + DAY)
    assert report["status"] == "critical"
    assert any(r.startswith("anthropic has billing errors") for r in report["reasons"])
    states = {g["target"] + (f" {g['kind']}" if g["kind"] else ""): g["state"] for g in report["silenced"]}
    assert states == {
        "anthropic rate_limit": "no longer needed",
        "groq billing": "no longer needed",
        "anthropic:claude-haiku-4-5": "active",  # its own errors, not its provider's issue
    }
    (haiku,) = [g for g in report["silenced"] if g["state"] == "active"]
    assert haiku["problems"] == [
        {"key": "model:anthropic:claude-haiku-4-5", "detail": "anthropic:claude-haiku-4-5: billing ×24, 0 ok"}
    ]


def test_a_silenced_coverage_gap_is_set_aside_and_another_still_counts(
    store: repository.Store, cli: Callable[..., Result], judge: Callable[[dt.datetime], dict[str, Any]]
) -> None:
    quiet = [("groq", "llama-3.3-70b-versatile"), ("openai", "gpt-4o-mini")]
    insert_documents(
        store,
        {
            "models": enabled(*FLEET),
            "successes": fleet_days(DAY1 - 2 * DAY, DAY1 + DAY, [m for m in FLEET if m not in quiet])
            + fleet_days(DAY1 - 2 * DAY, DAY1 - DAY, quiet),
        },
    )
    result = cli("silence", "add", "groq", "--for", "1w", "--reason", "groq paused by us", "--as-of", DAY1.isoformat())
    assert result.exit_code == 0, result.output
    report = judge(DAY1)
    assert report["status"] == "warning"
    assert "coverage: 5 of 6 enabled models measured (1 silenced model set aside)" in report["reasons"]
    assert report["coverage"]["measured"] == 5 and report["coverage"]["enabled"] == 7  # the raw coverage
    assert [p["key"] for p in report["silenced"][0]["problems"]] == ["provider:groq"]
    assert not any("groq" in r for r in report["reasons"])


def test_list_and_remove(
    store: repository.Store,
    cli: Callable[..., Result],
    bare: Callable[..., Result],
    judge: Callable[[dt.datetime], dict[str, Any]],
) -> None:
    seed(store)
    at = (DAY1 + HOUR).isoformat()
    ids = []
    for target, period in (("anthropic", "2d"), ("groq", "12h")):
        result = cli("silence", "add", target, "--for", period, "--reason", f"known: {target}", "--as-of", at)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("added: ")
        ids.append(result.stdout.split()[1])
    listed = json.loads(cli("silence", "list", "--format", "json", "--as-of", at).stdout)
    assert [s["id"] for s in listed] == ids  # latest end first
    assert set(listed[0]) >= {"id", "target", "kind", "reason", "created_at", "until"}
    later = (DAY1 + DAY).isoformat()  # the groq silence has expired
    assert [s["id"] for s in json.loads(cli("silence", "list", "--format", "json", "--as-of", later).stdout)] == ids[:1]
    text = cli("silence", "list", "--as-of", later).stdout
    assert text.startswith(f"{ids[0]}  anthropic until 2026-11-23 09:00 UTC — known: anthropic (")

    removed = cli("silence", "remove", ids[0], "--as-of", later)
    assert removed.exit_code == 0 and removed.stdout.startswith(f"removed: {ids[0]}  anthropic")
    assert json.loads(cli("silence", "list", "--format", "json", "--as-of", later).stdout) == []
    everything = json.loads(cli("silence", "list", "--all", "--format", "json", "--as-of", later).stdout)
    assert {s["id"]: bool(s["removed_at"]) for s in everything} == {ids[0]: True, ids[1]: False}
    assert everything[0]["removed_by"]
    again = bare("silence", "remove", ids[0])
    assert again.exit_code == ExitStatus.USAGE and again.stderr == f"error: silence '{ids[0]}' was already removed\n"
    report = judge(DAY1 + DAY + HOUR)  # removed within the window: said once, then judged again
    assert report["status"] == "critical"
    assert [(g["id"], g["state"]) for g in report["silenced"]] == [(ids[0], "ended"), (ids[1], "ended")]


def test_dry_runs_write_nothing(store: repository.Store, cli: Callable[..., Result]) -> None:
    at = (DAY1 + HOUR).isoformat()
    dry = cli("silence", "add", "openai", "--for", "3d", "--reason", "test", "--dry-run", "--as-of", at)
    assert dry.exit_code == 0 and dry.stdout.startswith("would add (dry run, nothing written): ")
    assert "silences" not in store.db.list_collection_names()
    real = cli("silence", "add", "openai", "--for", "3d", "--reason", "test", "--as-of", at)
    silence_id = real.stdout.split()[1]
    dry = cli("silence", "remove", silence_id, "--dry-run")
    assert dry.exit_code == 0 and dry.stdout.startswith(f"would remove (dry run, nothing written): {silence_id}")
    assert store.coll("silences").find_one({"_id": silence_id})["removed"] is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["", "--for", "3d", "--reason", "x"], "error: TARGET is empty"),
        (["openai:", "--for", "3d", "--reason", "x"], "error: TARGET must be a provider"),
        (["open ai", "--for", "3d", "--reason", "x"], "error: TARGET must be a provider"),
        (["openai:gpt\x1b[2J", "--for", "3d", "--reason", "x"], "error: TARGET must be a provider"),
        (["openai", "--for", "3d"], "error: --reason is required"),
        (["openai", "--for", "3d", "--reason", "  "], "error: --reason is required"),
        (["openai", "--for", "0h", "--reason", "x"], "error: --for must be from 1h to 90d, got 0h"),
        (["openai", "--for", "91d", "--reason", "x"], "error: --for must be from 1h to 90d, got 91d"),
        (["openai", "--for", "99999999999999d", "--reason", "x"], "error: --for must be a number of hours"),
        (["openai", "--for", "3 days", "--reason", "x"], "error: --for must be a number of hours"),
        (["openai", "--reason", "x"], "error: give exactly one of --for"),
        (["openai", "--for", "3d", "--until", "2026-11-25", "--reason", "x"], "error: give exactly one of --for"),
        (["openai", "--until", "2026-11-20", "--reason", "x"], "error: --until must be a day that has not ended"),
        (["openai", "--until", "2027-03-01", "--reason", "x"], "error: --until must be at most 90 days ahead"),
        (["openai", "--until", "soon", "--reason", "x"], "error: --until must be a date YYYY-MM-DD"),
        (["openai", "--for", "3d", "--reason", "x", "--kind", "broken"], "error: --kind must be one of auth, "),
    ],
)
def test_bad_input_is_a_one_line_usage_error(
    store: repository.Store, bare: Callable[..., Result], argv: list[str], message: str
) -> None:
    result = bare("silence", "add", *argv, "--as-of", (DAY1 + HOUR).isoformat())
    assert result.exit_code == ExitStatus.USAGE == 2, result.output
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""
    assert "silences" not in store.db.list_collection_names()


def test_an_unknown_id_is_a_usage_error(bare: Callable[..., Result]) -> None:
    result = bare("silence", "remove", "nosuchid")
    assert result.exit_code == ExitStatus.USAGE
    assert result.stderr == "error: silence 'nosuchid' does not exist (see: llm-health-check silence list --all)\n"


def test_until_a_date_runs_through_its_end(cli: Callable[..., Result]) -> None:
    result = cli(
        "silence", "add", "bedrock:meta.llama3-1-70b-instruct-v1:0", "--until", "2026-11-25", "--reason", "x",
        "--dry-run", "--format", "json", "--as-of", DAY1.isoformat(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    silence = json.loads(result.stdout)
    assert silence["target"] == "bedrock:meta.llama3-1-70b-instruct-v1:0"
    assert silence["until"] == "2026-11-26T00:00:00+00:00"


@pytest.mark.parametrize("command", ["add", "list", "remove"])
def test_help_shows_examples(command: str) -> None:
    result = runner.invoke(app, ["silence", command, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and f"llm-health-check silence {command}" in result.stdout


def test_stored_silences_are_read_defensively() -> None:
    good = {
        "_id": "a1",
        "provider": "openai",
        "model": None,
        "kind": "billing",
        "reason": "unpaid\x1b[31m",
        "created_at": DAY1,
        "until": DAY1 + DAY,
        "created": {"user": "ops", "host": "box"},
        "removed": None,
    }
    silence = from_document(good)
    assert silence is not None and silence.reason == "unpaid" and silence.created_by == "ops@box"
    for broken in ({"until": "tomorrow"}, {"provider": ""}, {"kind": "everything"}, {"model": 7}, {"created_at": None}):
        assert from_document({**good, **broken}) is None, broken  # it silences nothing


def test_the_ai_is_asked_about_what_the_silences_leave(http_server: HTTPStub) -> None:
    end = FACTS.window.end
    retired = Silence("s1", Target("openai", "gpt-4-32k"), None, "replacement planned", end - DAY, end + DAY)
    answer_with(http_server, good_answer(overall_status="warning"))
    client = make_client(
        Settings(openai_api_key="sk-test", openai_base_url=http_server.base_url + "/v1", openai_timeout=10)
    )
    report = review(FACTS, None, AIChoice(client, "gpt-4o-mini"), silences=(retired,))
    user = http_server.calls(PATH)[0].json()["messages"][1]["content"]
    assert "gpt-4-32k" not in user.split('"failing_models"')[1].split('"new_error_patterns"')[0]
    a = report.assessment
    assert [f.key for f in a.models_likely_deprecated] == []  # the AI named it: it stays silenced
    assert [f.key for f in a.code_fixes_needed] == ["anthropic:claude-3-haiku"]  # another model still counts
    (group,) = a.silenced
    assert [p.key for p in group.problems] == ["model:openai:gpt-4-32k"]
