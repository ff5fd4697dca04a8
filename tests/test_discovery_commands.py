"""The copy-paste mongosh commands, attacked with hostile catalog entries and AI answers.

The printed report is fed to a real bash with a stand-in `mongosh` on PATH: bash must accept
it, the stand-in must receive exactly the expected --eval script, and nothing else may run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from http_stub import HTTPStub
from test_discovery_matching import NOW, answer_from, asker, load_catalog

from api.llm_bench import repository
from api.llm_bench.discovery.commands import comment_line, upsert_command
from api.llm_bench.discovery.jobs import ReportOptions, build_report
from api.llm_bench.discovery.render import report_text

BASH = shutil.which("bash")
CHAT = "/v1/chat/completions"


def command(**overrides: object) -> str | None:
    values = {"db_name": "llm-bench", "collection": "models", "provider": "openai", "model_id": "gpt-5",
              "openrouter_id": "openai/gpt-5", "source": "rule", "confidence": 0.95, "enable": False, **overrides}
    return upsert_command(**values).text


def test_the_command_is_an_idempotent_staged_upsert() -> None:
    assert command() == (
        "mongosh \"$MONGODB_URI\" --eval 'db.getSiblingDB(\"llm-bench\").getCollection(\"models\").updateOne("
        "{provider: \"openai\", model_id: \"gpt-5\"}, {$setOnInsert: {provider: \"openai\", model_id: \"gpt-5\", "
        "enabled: false, discovered_from: \"openrouter\", openrouter_id: \"openai/gpt-5\", match_source: \"rule\", "
        "match_confidence: 0.95, staged_at: new Date(), created_at: new Date()}}, {upsert: true})'"
    )
    assert "enabled: true" in command(enable=True)


@pytest.mark.parametrize("bad", ["gpt'5", 'gpt"5', "gpt-$(id)", "gpt`id`", "gpt!5", "gpt\n5", "gpt\x1b[31m", "", "-rf"])
def test_values_outside_the_allow_list_give_no_command(bad: str) -> None:
    for field in ("model_id", "openrouter_id", "db_name", "provider"):
        refused = upsert_command(**{"db_name": "d", "collection": "models", "provider": "openai", "model_id": "m",
                                    "openrouter_id": "o/m", "source": "rule", "confidence": 0.9, "enable": False,
                                    field: bad})
        assert refused.text is None and field.replace("db_name", "database") in refused.problem


def test_comment_lines_hold_no_quotes_or_controls() -> None:
    line = comment_line("fine'; rm -rf / #\n$(touch x) `id` \"q\" \\ \x1b[2J!")
    assert line.startswith("# ") and "\n" not in line and not set("'\"`$\\\x1b") & set(line)


HOSTILE = {"data": [
    {"id": "openai/gpt-5.9", "name": "Evil\x1b[2J\x1b]0;pwned\x07 'name' $(touch CANARY) `touch CANARY`!", "created": 3},
    {"id": "openai/gpt-6$(touch CANARY)", "name": "bad id", "created": 2},
    {"id": "acme/ok-1", "name": "Acme\nrm -rf ~", "created": 1},
    {"id": "acme/evil-2", "name": "x", "created": 0},
]}
HOSTILE_ANSWERS = {
    "acme/ok-1": {"provider": "together", "model_id": "acme/Ok-1-Instruct", "confidence": 0.9,
                  "reasoning": "same'; touch CANARY; echo '\n$(touch CANARY) `touch CANARY` \x1b[31mred!"},
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
    script.write_text("\n".join(line.strip() for line in text.splitlines() if line.strip().startswith(("#", "mongosh"))))
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

