"""The copy-paste mongosh commands, attacked with hostile catalog entries and AI answers.

The whole printed report is pasted line by line into a real bash, with a stand-in `mongosh`
that records its arguments and with the real `mongosh` (npm) against the test database: only
the tool's own upserts may run, once per proposal, and nothing else.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from http_stub import HTTPStub, json_reply
from test_discovery_matching import NOW, answer_from, asker, load_catalog
from typer.testing import CliRunner

from api.llm_bench import repository
from api.llm_bench.discovery.cli import app
from api.llm_bench.discovery.commands import comment_line, proposal_command
from api.llm_bench.discovery.jobs import ReportOptions, build_report, run_fetch
from api.llm_bench.discovery.render import report_text
from api.llm_bench.discovery.sources import SourceConfig

BASH = shutil.which("bash")
CHAT = "/v1/chat/completions"
MODELS_PATH = "/api/v1/models"


def command(**overrides: object) -> str | None:
    values = {
        "db_name": "llm-bench",
        "collection": "models",
        "provider": "openai",
        "model_id": "gpt-5",
        "openrouter_id": "openai/gpt-5",
        "source": "rule",
        "confidence": 0.95,
        "enable": False,
        **overrides,
    }
    return proposal_command(**values).text


def test_the_command_is_an_idempotent_staged_upsert() -> None:
    assert command() == (
        'mongosh "$MONGODB_URI" --eval \'db.getSiblingDB("llm-bench").getCollection("models").updateOne('
        '{provider: "openai", model_id: "gpt-5"}, {$setOnInsert: {provider: "openai", model_id: "gpt-5", '
        'enabled: false, discovered_from: "openrouter", openrouter_id: "openai/gpt-5", match_source: "rule", '
        "match_confidence: 0.95, staged_at: new Date(), created_at: new Date()}}, {upsert: true})'"
    )
    assert "enabled: true" in command(enable=True)


@pytest.mark.parametrize("bad", ["gpt'5", 'gpt"5', "gpt-$(id)", "gpt`id`", "gpt!5", "gpt\n5", "gpt\x1b[31m", "", "-rf"])
def test_values_outside_the_allow_list_give_no_command(bad: str) -> None:
    for field in ("model_id", "openrouter_id", "db_name", "provider"):
        refused = proposal_command(
            **{
                "db_name": "d",
                "collection": "models",
                "provider": "openai",
                "model_id": "m",
                "openrouter_id": "o/m",
                "source": "rule",
                "confidence": 0.9,
                "enable": False,
                field: bad,
            }
        )
        assert refused.text is None and field.replace("db_name", "database") in refused.problem


def test_comment_lines_hold_no_quotes_or_controls() -> None:
    line = comment_line('fine\'; rm -rf / #\n$(touch x) `id` "q" \\ \x1b[2J!')
    assert line.startswith("# ") and "\n" not in line and not set("'\"`$\\\x1b") & set(line)


HOSTILE = {
    "data": [
        {
            "id": "openai/gpt-5.9",
            "name": "Evil\x1b[2J\x1b]0;pwned\x07 'name' $(touch CANARY) `touch CANARY`!",
            "created": 3,
        },
        {"id": "openai/gpt-6$(touch CANARY)", "name": "bad id", "created": 2},
        {"id": "acme/ok-1", "name": "Acme\nrm -rf ~", "created": 1},
        {"id": "acme/evil-2", "name": "x", "created": 0},
    ]
}
HOSTILE_ANSWERS = {
    "acme/ok-1": {
        "provider": "together",
        "model_id": "acme/Ok-1-Instruct",
        "confidence": 0.9,
        "reasoning": "same'; touch CANARY; echo '\n$(touch CANARY) `touch CANARY` \x1b[31mred!",
    },
    "acme/evil-2": {"provider": "together", "model_id": "x'; touch CANARY; '", "confidence": 0.99, "reasoning": "x"},
    "openai/gpt-6$(touch CANARY)": {"provider": "openai", "model_id": "gpt-6", "confidence": 0.99, "reasoning": "x"},
}


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_hostile_entries_yield_commands_that_run_nothing_else(
    store: repository.Store, http_server: HTTPStub, tmp_path: Path
) -> None:
    load_catalog(store, http_server, HOSTILE)
    http_server.route("POST", CHAT, answer_from(HOSTILE_ANSWERS))
    report = build_report(store, "llm-bench", ReportOptions(), asker(http_server), NOW)
    text = report_text(report)
    assert "\x1b" not in text and "\x07" not in text
    assert {m.openrouter_id for m in report.matches if m.command} == {"openai/gpt-5.9", "acme/ok-1"}

    script = tmp_path / "paste.sh"
    script.write_text(
        "\n".join(line.strip() for line in text.splitlines() if line.strip().startswith(("#", "mongosh")))
    )
    assert subprocess.run([BASH, "-n", str(script)], capture_output=True).returncode == 0

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "mongosh"
    stand_in.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n---\\n" "$a"; done >> "$CALLS"\n')
    stand_in.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "CALLS": str(tmp_path / "calls"), "MONGODB_URI": "mongodb://x"}
    run = subprocess.run([BASH, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert not (tmp_path / "CANARY").exists() and not list(tmp_path.glob("*CANARY*"))
    calls = (tmp_path / "calls").read_text().split("\n---\n")
    assert calls.count("mongodb://x") == 2 and calls.count("--eval") == 2
    evals = [c for c in calls if c.startswith("db.getSiblingDB")]
    assert [m.command for m in report.matches if m.command] == [f"mongosh \"$MONGODB_URI\" --eval '{e}'" for e in evals]


def _destructive(db_name: str) -> str:
    return f'mongosh "$MONGODB_URI" --quiet --eval \'db.getSiblingDB("{db_name}").models.deleteMany({{}})\' #'


#: Catalog names that would run something if the report printed them outside a comment.
HOSTILE_NAMES = (
    "x; touch MARK; echo",
    "$(touch MARK)",
    "`touch MARK`",
    "x\ntouch MARK",
    "x\rtouch MARK",
    "x\vtouch MARK",
    "x\ftouch MARK",
    "x\u2028touch MARK",
    "x\u2029touch MARK",
    "x\x85touch MARK",
    "x\x1ctouch MARK",
    "x \\\ntouch MARK",
    "x' ; touch MARK ; '",
    'x" ; touch MARK ; "',
)


def hostile_catalog(db_name: str) -> dict:
    names = (_destructive(db_name), *HOSTILE_NAMES)
    entries = [{"id": f"openai/gpt-7.{i}", "name": name, "created": 1000 - i} for i, name in enumerate(names)]
    entries += [
        {"id": "openai/gpt-8'$(touch MARK)'", "name": "quote id", "created": 10},
        {"id": 'openai/gpt-8"; touch MARK; "', "name": "double quote id", "created": 9},
    ]
    return {"data": entries}


def printed_report(store: repository.Store, http_server: HTTPStub, mongo_uri: str, db_name: str) -> tuple[str, int]:
    """The text `llm-discovery report --no-ai` prints over the hostile catalog, and its proposal count."""
    repository.ensure_indexes(store)
    catalog = hostile_catalog(db_name)
    registry = {
        entry["id"].partition("/")[2]: {"litellm_provider": "openai", "mode": "chat"} for entry in catalog["data"]
    }
    http_server.route("GET", MODELS_PATH, lambda _r: json_reply(catalog))
    http_server.route("GET", "/registry.json", lambda _r: json_reply(registry))
    run_fetch(
        store, http_server.base_url + MODELS_PATH, NOW, SourceConfig(http_server.base_url + "/registry.json"), retries=0
    )
    env = {"MONGODB_URI": mongo_uri, "MONGODB_DB": db_name, "OPENAI_API_KEY": ""}
    result = CliRunner().invoke(app, ["report", "--no-ai", "--max-matches", "50"], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout, len(catalog["data"])


def test_every_report_line_is_a_command_or_a_comment(
    store: repository.Store, http_server: HTTPStub, mongo_uri: str, db_name: str
) -> None:
    text, proposals = printed_report(store, http_server, mongo_uri, db_name)
    lines = text.splitlines()
    assert lines == text.rstrip("\n").split("\n")  # no other line break survived
    commands = [line for line in lines if line.startswith("mongosh ")]
    assert len(commands) == proposals - 2  # the two quoted ids get no command (no source lists them)
    assert all(line.startswith("# ") or line == "" or line in commands for line in lines)
    assert "gpt-8" not in "\n".join(commands)
    assert "deleteMany" in text and "touch MARK" in text  # shown, inside comments
    assert "x\u2019 ; touch MARK ; \u2018" in text and "x\u201d ; touch MARK ; \u201c" in text


def test_apostrophes_in_comments_stay_as_text() -> None:
    assert comment_line("no listed id matched Azure's name or Bedrock's id") == (
        "# no listed id matched Azure\u2019s name or Bedrock\u2019s id"
    )
    assert comment_line('the "pro" mode, $HOME, `id`, a\\b') == "# the \u201cpro\u201d mode, HOME, id, ab"


def _stand_in(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "mongosh"
    stand_in.write_text(
        '#!/bin/sh\n{ printf "call"; for a in "$@"; do printf "\\0%s" "$a"; done; printf "\\n"; } >> "$CALLS"\n'
    )
    stand_in.chmod(0o755)
    return bin_dir


def paste(text: str, cwd: Path, env: dict[str, str], *, interactive: bool) -> subprocess.CompletedProcess:
    """Feed the report to bash line by line, as a terminal paste would (`-i`: history expansion on)."""
    assert BASH is not None, "bash is required"
    mode = ["-i"] if interactive else ["-s"]
    return subprocess.run(
        [BASH, "--norc", "--noprofile", *mode],
        input=text + "\n",
        cwd=cwd,
        env=env,
        capture_output=True,
        encoding="utf-8",
        errors="replace",  # an interactive bash in the C locale echoes non-ASCII comment text byte by byte
        timeout=300,
    )


@pytest.mark.parametrize("interactive", [False, True], ids=["script", "interactive"])
def test_pasting_the_report_runs_only_the_staged_upserts(
    store: repository.Store, http_server: HTTPStub, mongo_uri: str, db_name: str, tmp_path: Path, interactive: bool
) -> None:
    text, _ = printed_report(store, http_server, mongo_uri, db_name)
    own = [line for line in text.splitlines() if line.startswith("mongosh ")]
    calls = tmp_path / "calls"
    env = {
        "PATH": f"{_stand_in(tmp_path)}:/usr/bin:/bin",
        "CALLS": str(calls),
        "MONGODB_URI": "mongodb://u",
        "HOME": str(tmp_path),
    }
    paste(text, tmp_path, env, interactive=interactive)
    assert not (tmp_path / "MARK").exists() and not list(tmp_path.rglob("*MARK*"))
    recorded = [line.split("\0")[1:] for line in calls.read_text().splitlines()]
    evals = [line.partition("--eval '")[2].removesuffix("'") for line in own]
    assert recorded == [["mongodb://u", "--eval", script] for script in evals]
    assert len(set(evals)) == len(evals)


MONGOSH = shutil.which("mongosh")


@pytest.fixture(scope="session")
def mongosh_binary() -> str:
    if MONGOSH is None:
        if os.environ.get("CI"):
            pytest.fail("mongosh is not installed: .ci/run installs it with npm")
        pytest.skip("mongosh is not installed (npm install --global mongosh, see README's Quick start)")
    return MONGOSH


def test_readme_names_mongosh_as_ci_installs_it() -> None:
    """A new user learns from the README's prerequisites that the paste test needs mongosh."""
    version = re.search(r"mongosh@[0-9.]+", (ROOT / ".ci" / "run").read_text())
    assert version, ".ci/run no longer installs a pinned mongosh"
    quick_start = (ROOT / "README.md").read_text().partition("## Quick start")[2].partition("\n## ")[0]
    assert f"npm install --global {version.group()}" in quick_start


def _everything(store: repository.Store) -> dict[str, list[dict]]:
    db = store.db
    return {
        name: sorted(repr(sorted(d.items())) for d in db[name].find({}, {"_id": 0}))
        for name in db.list_collection_names()
    }


def test_pasting_the_report_into_the_real_mongosh_stages_the_proposals_and_nothing_else(
    store: repository.Store, http_server: HTTPStub, mongo_uri: str, db_name: str, tmp_path: Path, mongosh_binary: str
) -> None:
    store.coll("models").insert_one({"provider": "openai", "model_id": "gpt-4o", "enabled": True})
    text, _ = printed_report(store, http_server, mongo_uri, db_name)
    before = _everything(store)
    env = {"PATH": f"{Path(mongosh_binary).parent}:/usr/bin:/bin", "MONGODB_URI": mongo_uri, "HOME": str(tmp_path)}
    run = paste(text, tmp_path, env, interactive=True)
    assert not (tmp_path / "MARK").exists(), run.stderr
    after = _everything(store)
    assert {k: v for k, v in after.items() if k != "models"} == {k: v for k, v in before.items() if k != "models"}
    staged = list(store.coll("models").find({"discovered_from": "openrouter"}, {"_id": 0}))
    assert store.coll("models").count_documents({"provider": "openai", "model_id": "gpt-4o"}) == 1
    assert sorted(m["openrouter_id"] for m in staged) == sorted(
        f"openai/gpt-7.{i}" for i in range(len(HOSTILE_NAMES) + 1)
    )
    assert all(m["enabled"] is False and m["match_source"] == "rule" for m in staged)
