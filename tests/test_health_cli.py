"""The health-check CLI end to end: CliRunner for each behaviour, real subprocesses for the entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from http_stub import HTTPStub
from openai_stub import PATH, answer_with
from smtp_sink import SMTPSink
from typer.testing import CliRunner

from api.llm_bench import repository
from api.llm_bench.embedded import free_port
from api.llm_bench.exit_codes import ExitStatus
from api.llm_bench.health.cli import app
from api.llm_bench.health.demo import demo_day
from api.llm_bench.repository.health import insert_documents

runner = CliRunner()


@pytest.fixture
def seeded(store: repository.Store, mongo_uri: str, db_name: str) -> dict[str, str]:
    import datetime as dt

    insert_documents(store, demo_day(dt.datetime.now(dt.UTC)))
    return {"MONGODB_URI": mongo_uri, "MONGODB_DB": db_name}


def test_missing_mongodb_uri_is_a_config_error() -> None:
    result = runner.invoke(app, ["--dry-run"], env={})
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    assert "MONGODB_URI is not set" in result.output
    assert "(or use --demo to run on the embedded database)" in result.output
    assert "Traceback" not in result.output


def test_unreachable_database_is_a_one_line_error() -> None:
    uri = f"mongodb://127.0.0.1:{free_port()}/?directConnection=true&serverSelectionTimeoutMS=300"
    result = runner.invoke(app, ["--dry-run"], env={"MONGODB_URI": uri})
    assert result.exit_code == ExitStatus.DATABASE_UNAVAILABLE
    assert result.output.count("\n") == 1
    assert result.output.startswith("error: cannot reach MongoDB at 127.0.0.1:")
    assert "(connection refused) within 0.3 s" in result.output


def test_sending_without_recipient_is_a_config_error(seeded: dict[str, str]) -> None:
    result = runner.invoke(app, [], env=seeded)
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    assert "NOTIFY_EMAIL" in result.output


@pytest.mark.parametrize("days", ["0.01", "0.0415", "0", "-1", "366.5", "1e9", "nan", "inf"])
def test_days_out_of_range_is_a_usage_error(days: str) -> None:
    result = runner.invoke(app, ["--days", days, "--dry-run"], env={})
    assert result.exit_code == ExitStatus.USAGE
    assert "must be from 0.0416 (one hour) to 366 days" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("days", ["0.0416", "0.0417", "1", "0.5", "366"])
def test_days_in_range_gets_past_the_options(days: str) -> None:
    result = runner.invoke(app, ["--days", days, "--dry-run"], env={})
    assert result.exit_code == ExitStatus.CONFIG_ERROR  # on to the configuration: no MONGODB_URI
    assert "MONGODB_URI is not set" in result.output


def test_one_hour_written_0_0416_is_a_one_hour_window(seeded: dict[str, str]) -> None:
    result = runner.invoke(app, ["--days", "0.0416", "--dry-run", "--no-ai", "--format", "json"], env=seeded)
    assert result.exit_code == ExitStatus.OK, result.output
    assert json.loads(result.stdout)["window"]["hours"] == pytest.approx(1)


def test_help_states_the_days_bounds_and_only_the_health_statuses() -> None:
    for flag in ("-h", "--help"):
        result = runner.invoke(app, [flag])
        assert result.exit_code == 0
        text = " ".join(result.stdout.split())
        assert "0.0416 (one hour) to 366" in text
        assert "--version" in text
        statuses = result.stdout.split("Exit statuses:")[1]
        for code in range(6):
            assert f"\n  {code} " in statuses
        assert "UPSTREAM_UNAVAILABLE" not in statuses and "CATALOG_REFUSED" not in statuses


def test_version_is_the_package_version() -> None:
    from importlib.metadata import version

    import api.llm_bench

    result = runner.invoke(app, ["--version", "--days", "0"])  # eager: answers before other options
    assert result.exit_code == 0
    assert result.stdout == f"llm-bench-ops {version('llm-bench-ops')}\n"
    assert api.llm_bench.__version__ == version("llm-bench-ops")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"MONGODB_URI": "mongodb://127.0.0.1:99999/"}, "error: MONGODB_URI is not a valid MongoDB URI: Port must be"),
        ({"MONGODB_URI": "mongodb://bad host:27017/"}, "error: MONGODB_URI has a malformed host 'bad host:27017'"),
        (
            {"MONGODB_URI": "mongodb://127.0.0.1/", "MONGODB_DB": "bad name"},
            "error: MONGODB_DB is not a valid database name, got 'bad name'",
        ),
        (
            {"MONGODB_URI": "mongodb://127.0.0.1/", "MAIL_FROM": "a@example.test\r\nBcc: b@example.test"},
            "error: MAIL_FROM must be one plain address",
        ),
        ({"MONGODB_URI": "mongodb://127.0.0.1/", "OPENAI_TIMEOUT": "soon"}, "error: OPENAI_TIMEOUT must be a number"),
        ({"MONGODB_URI": "mongodb://127.0.0.1/", "MONGODB_TIMEOUT_MS": "2m"}, "error: MONGODB_TIMEOUT_MS must be"),
    ],
    ids=["port", "host", "db-name", "mail-from", "openai-timeout", "mongodb-timeout"],
)
def test_bad_settings_are_one_line_config_errors(env: dict[str, str], expected: str) -> None:
    result = runner.invoke(app, ["--dry-run", "--no-ai"], env=env)
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    assert result.output.startswith(expected) and result.output.count("\n") == 1, result.output


def write_env(content: bytes) -> Path:
    path = Path(".env")  # the test's own empty working folder (conftest)
    path.write_bytes(content)
    return path.resolve()


def test_non_utf8_env_file_names_the_file_and_line() -> None:
    path = write_env(b"MONGODB_URI=mongodb://127.0.0.1/\nMAIL_FROM=caf\xe9@example.test\n")
    result = runner.invoke(app, ["--dry-run"], env={})
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    assert result.output == f"error: {path}, line 2: not UTF-8 text (byte 0xe9)\n"


def test_unparsable_env_file_names_the_line_and_does_not_blame_a_missing_variable() -> None:
    path = write_env(b'# settings\nMONGODB_DB="llm-bench\nMONGODB_URI=mongodb://127.0.0.1/\n')
    result = runner.invoke(app, ["--dry-run"], env={})
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    assert result.output == f"error: {path}, line 2: cannot parse it as NAME=value (check its quotes)\n"
    assert "is not set" not in result.output


def test_unreadable_env_file_is_a_config_error() -> None:
    Path(".env").symlink_to("/proc/self/mem")  # a regular file whose read fails, also for root
    result = runner.invoke(app, ["--dry-run"], env={})
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    assert result.output.startswith("error: cannot read ") and result.output.count("\n") == 1


def test_env_fifo_is_refused_rather_than_waited_on() -> None:
    os.mkfifo(".env")
    result = runner.invoke(app, ["--dry-run"], env={})
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    assert result.output.endswith(".env is not a regular file\n")


def test_srv_dns_failure_is_database_unavailable() -> None:
    result = runner.invoke(
        app, ["--dry-run", "--no-ai"], env={"MONGODB_URI": "mongodb+srv://u:pw123456@x.nothing.invalid/"}
    )
    assert result.exit_code == ExitStatus.DATABASE_UNAVAILABLE
    assert result.output.startswith("error: cannot resolve MongoDB's SRV record") and "pw123456" not in result.output


def test_launcher_with_a_broken_env_file_exits_3_in_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MONGODB_URI=mongodb://127.0.0.1/\nMONGODB_DB='bad name'\n")
    run = subprocess.run(
        [sys.executable, str(ROOT / "ops" / "daily-health-check.py"), "--dry-run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == ExitStatus.CONFIG_ERROR
    assert (
        run.stderr == "error: MONGODB_DB is not a valid database name, got 'bad name': at most 63 bytes, "
        'without spaces or any of / \\ . " $\n'
    )
    assert run.stdout == ""


def test_dry_run_prints_the_whole_email_and_writes_nothing(seeded: dict[str, str], store: repository.Store) -> None:
    before = {name: store.db[name].count_documents({}) for name in store.db.list_collection_names()}
    indexes_before = store.coll("errors").index_information()
    result = runner.invoke(app, ["--dry-run", "--no-ai"], env=seeded)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("To: ")  # no made-up From: (msmtp writes its account's `from`)
    assert "\nSubject: [CRITICAL] LLM Benchmarks Daily Health — " in out
    assert "\nMessage-ID: <" in out and "\nDate: " in out
    assert "Models likely deprecated (2)\n- openai:gpt-4-32k" in out and "- openai:gpt-4-0314" in out
    assert "sk-proj-DEMO" not in out and "\x1b" not in out
    after = {name: store.db[name].count_documents({}) for name in store.db.list_collection_names()}
    assert after == before
    assert store.coll("errors").index_information() == indexes_before


def test_json_format_is_one_object_on_stdout(seeded: dict[str, str]) -> None:
    result = runner.invoke(app, ["--dry-run", "--no-ai", "--format", "json", "--days", "2"], env=seeded)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["status"] == "critical" and data["window"]["hours"] == 48
    assert data["ai"]["used"] is False and data["ai"]["error"] is None  # skipped on request
    assert "openai:gpt-4-32k" in data["models_likely_deprecated"]
    assert any(issue.startswith("bedrock:") for issue in data["provider_issues"])
    marks = {p["key"]: p["mark"] for p in data["changes"]["problems"]}
    assert marks["provider:bedrock"] == "new"
    assert marks["model:groq:llama-3.3-70b-versatile"] == "ongoing"
    assert marks["model:vertex:gemini-2.5-pro"] == "resolved"
    retiring = {r["model"]: r["past"] for r in data["retiring_soon"]}
    assert retiring == {"openai:gpt-4-0314": True, "vertex:gemini-2.5-pro": False}
    coverage = data["coverage"]
    assert "groq:qwen/qwen3-32b" in {g["model"] for g in coverage["stalled"]}
    assert coverage["ran_while_disabled"] == ["together:mistralai/Mixtral-8x7B-Instruct-v0.1"]
    assert coverage["duplicate_spellings"] == [["vertex:gemini-2.5-flash", "vertex:gemini-2.5-flash@001"]]
    assert len(coverage["removed_since_previous"]) == 3
    assert data["provider_streaks"][0]["provider"] == "bedrock"
    assert {i["provider"]: i["kind"] for i in data["provider_issues_detail"]}["anthropic"] == "overloaded"
    assert data["could_not_be_measured"][0]["model"] == "anthropic:claude-opus-4-1"
    assert data["stale_model_sources"][0]["source"] == "provider:openai"


def test_real_send_goes_through_msmtp(
    seeded: dict[str, str], smtp: SMTPSink, msmtp_binary: str, tmp_path: Path, store: repository.Store
) -> None:
    env = {
        **seeded,
        "NOTIFY_EMAIL": "ops@example.test",
        "MAIL_FROM": "bench@example.test",
        "MSMTP_PATH": msmtp_binary,
        "MSMTP_CONFIG": str(smtp.msmtprc(tmp_path)),
    }
    result = runner.invoke(app, ["--no-ai"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    (delivered,) = smtp.delivered
    assert delivered.recipients == ["ops@example.test"]
    assert delivered.envelope_from == "bench@example.test"
    assert delivered.message["Subject"].startswith("[CRITICAL] LLM Benchmarks Daily Health")
    assert "Provider-wide issues" in delivered.message.get_content()
    assert any(info["key"] == [("ts", -1)] for info in store.coll("errors").index_information().values())
    latest, *_recorded_by_the_demo = store.coll("health_runs").find({}, sort=[("finished_at", -1)])
    assert latest["mail"]["sent"] is True and latest["status"] == "critical"


def test_mail_failure_exits_non_zero_and_keeps_the_report(
    seeded: dict[str, str], msmtp_binary: str, tmp_path: Path
) -> None:
    config = tmp_path / "msmtprc"
    config.write_text(f"account default\nhost 127.0.0.1\nport {free_port()}\nauth off\ntls off\nfrom a@example.test\n")
    config.chmod(0o600)
    env = {**seeded, "NOTIFY_EMAIL": "ops@example.test", "MSMTP_PATH": msmtp_binary, "MSMTP_CONFIG": str(config)}
    result = runner.invoke(app, ["--no-ai"], env=env)
    assert result.exit_code == ExitStatus.MAIL_FAILED
    assert "Subject: [CRITICAL]" in result.stdout and "=== Raw metrics ===" in result.stdout
    assert "msmtp exited with status" in result.stderr


def test_relay_refusal_reaches_stderr_and_the_ledger(
    seeded: dict[str, str], smtp: SMTPSink, msmtp_binary: str, tmp_path: Path, store: repository.Store
) -> None:
    smtp.reply = "554 5.7.1 refused by policy"
    env = {
        **seeded,
        "NOTIFY_EMAIL": "ops@example.test",
        "MSMTP_PATH": msmtp_binary,
        "MSMTP_CONFIG": str(smtp.msmtprc(tmp_path)),
    }
    result = runner.invoke(app, ["--no-ai"], env=env)
    assert result.exit_code == ExitStatus.MAIL_FAILED
    assert "554 5.7.1 refused by policy" in result.stderr
    latest = store.coll("health_runs").find_one({}, sort=[("finished_at", -1)])
    assert latest["mail"]["sent"] is False and "554 5.7.1 refused by policy" in latest["mail"]["error"]


def test_a_missing_msmtp_config_is_a_config_error_before_the_run(
    seeded: dict[str, str], tmp_path: Path, store: repository.Store
) -> None:
    """Found up front (exit 3, nothing read, sent or recorded), as ops/install.sh finds it; a
    dry run sends nothing and does not need it."""
    missing = tmp_path / "etc" / "msmtprc"
    env = {**seeded, "NOTIFY_EMAIL": "ops@example.test", "MSMTP_CONFIG": str(missing)}
    recorded = store.coll("health_runs").count_documents({})
    result = runner.invoke(app, ["--no-ai"], env=env)
    assert result.exit_code == ExitStatus.CONFIG_ERROR
    assert (
        result.stderr == f"error: MSMTP_CONFIG={missing} does not exist: set up msmtp first (ops/README.md, 'msmtp')\n"
    )
    assert result.stdout == "" and store.coll("health_runs").count_documents({}) == recorded
    assert runner.invoke(app, ["--no-ai", "--dry-run"], env=env).exit_code == ExitStatus.OK
    missing.parent.mkdir()
    missing.write_text("account default\n")
    missing.chmod(0o000)
    if os.geteuid() != 0:  # root reads any file
        unreadable = runner.invoke(app, ["--no-ai"], env=env)
        assert unreadable.exit_code == ExitStatus.CONFIG_ERROR and "is not readable" in unreadable.stderr


def test_missing_msmtp_exits_mail_failed(seeded: dict[str, str], tmp_path: Path) -> None:
    env = {**seeded, "NOTIFY_EMAIL": "ops@example.test", "MSMTP_PATH": str(tmp_path / "no-msmtp")}
    result = runner.invoke(app, ["--no-ai", "--format", "json"], env=env)
    assert result.exit_code == ExitStatus.MAIL_FAILED
    data = json.loads(result.stdout)
    assert data["mail"]["sent"] is False and "msmtp not found" in data["mail"]["error"]
    assert data["delivery"] == {"dry_run": False, "mailed": False, "recorded": True}


def test_a_real_run_with_json_output_still_mails_and_records_and_says_so(
    seeded: dict[str, str], smtp: SMTPSink, msmtp_binary: str, tmp_path: Path, store: repository.Store
) -> None:
    env = {
        **seeded,
        "NOTIFY_EMAIL": "ops@example.test",
        "MSMTP_PATH": msmtp_binary,
        "MSMTP_CONFIG": str(smtp.msmtprc(tmp_path)),
    }
    recorded = store.coll("health_runs").count_documents({})
    result = runner.invoke(app, ["--no-ai", "--format", "json"], env=env)
    assert result.exit_code == ExitStatus.OK, result.output
    assert json.loads(result.stdout)["delivery"] == {"dry_run": False, "mailed": True, "recorded": True}
    assert len(smtp.delivered) == 1 and store.coll("health_runs").count_documents({}) == recorded + 1
    dry = runner.invoke(app, ["--no-ai", "--format", "json", "--dry-run"], env=env)
    assert json.loads(dry.stdout)["delivery"] == {"dry_run": True, "mailed": False, "recorded": False}
    assert len(smtp.delivered) == 1 and store.coll("health_runs").count_documents({}) == recorded + 1


def test_ai_part_through_the_openai_sdk(seeded: dict[str, str], http_server: HTTPStub) -> None:
    answer_with(
        http_server,
        {
            "overall_status": "critical",
            "summary": "Bedrock credentials broke overnight.",
            "models_likely_deprecated": [],
            "code_fixes_needed": [],
            "provider_issues": [],
            "recommended_actions": ["Rotate the Bedrock keys."],
        },
    )
    env = {
        **seeded,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": http_server.base_url + "/v1",
        "OPENAI_MODEL": "gpt-test",
    }
    result = runner.invoke(app, ["--dry-run", "--format", "json"], env=env)
    data = json.loads(result.stdout)
    assert data["ai"]["used"] and data["ai"]["model"] == "gpt-test"
    assert data["summary"] == "Bedrock credentials broke overnight."
    prompt_text = http_server.calls(PATH)[0].json()["messages"][1]["content"]
    assert "sk-proj-DEMO" not in prompt_text and "\x1b" not in prompt_text


def test_help_does_not_import_pymongo_or_openai() -> None:
    code = (
        "import sys\nfrom api.llm_bench.health import cli\n"
        "try:\n    cli.app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('pymongo' in sys.modules, 'openai' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "--dry-run" in result.stdout
    assert result.stderr.strip() == "False False"


def test_launcher_runs_the_demo_as_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "ops" / "daily-health-check.py"), "--demo", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "critical"
    assert "openai:gpt-4-32k" in data["models_likely_deprecated"]
    assert "anthropic:claude-3-haiku-20240307" in data["code_fixes_needed"]
    assert "starting the embedded database" in result.stderr


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "llm-health-check"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert "--days" in result.stdout and "--demo" in result.stdout


def test_upstream_subject_tags_for_existing_mail_filters(seeded: dict[str, str]) -> None:
    result = runner.invoke(app, ["--dry-run", "--no-ai"], env={**seeded, "SUBJECT_TAGS": "upstream"})
    assert result.exit_code == 0, result.output
    assert "\nSubject: [URGENT] LLM Benchmarks Daily Health — " in result.stdout
