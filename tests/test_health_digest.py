"""The first screen of a busy day's mail: status and reason, the action items most severe and
NEW first within the line budget, coverage; then each model told in one finding section only."""

from __future__ import annotations

import datetime as dt
import json
import re

from api.llm_bench import repository
from api.llm_bench.classify.writer import error_document
from api.llm_bench.health.demo import demo_day
from api.llm_bench.health.digest import FIRST_SCREEN_ITEMS, FIRST_SCREEN_LINES
from api.llm_bench.health.facts import window_for
from api.llm_bench.health.job import AIChoice, Delivery, run
from api.llm_bench.health.render import json_report, text_body
from api.llm_bench.repository.health import insert_documents

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
QUOTA = "Error code: 429 - You exceeded your current quota, please check your plan and billing details."
#: The sections that tell a finding (a model is in at most one of them); raw metrics come after.
FINDING_SECTIONS = (
    "Provider-wide issues",
    "Models likely deprecated",
    "Code fixes needed",
    "Stalled models",
    "Enabled models not measured",
    "Could not be measured",
    "Models gone silent",
    "Models with only errors",
    "Errors among successes",
    "Trends",
    "Removed from the enabled set",
    "Ran while not enabled",
    "Enabled twice under two spellings",
    "Model sources not refreshed",
    "Retiring soon or past retirement",
)
KEY = re.compile(r"[\w.@/-]+:[\w.@/:-]*[\w.@/-]")


def busy_day() -> dict[str, list[dict[str, object]]]:
    """The demo day (seven providers, every kind of trouble) and: mistral's billing broken on two
    models (a second CRITICAL, new today), bedrock's credentials already broken yesterday (an
    ongoing CRITICAL) and anthropic overloaded yesterday too (an ongoing WARNING)."""
    docs = demo_day(NOW)
    docs["errors"] += [
        error_document(provider="mistral", model=model, message=QUOTA, ts=NOW - dt.timedelta(hours=h))
        for model in ("mistral-large-latest", "mistral-small-latest")
        for h in range(1, 12)
    ]
    docs["models"] += [
        {"provider": "mistral", "model_id": m, "enabled": True, "deprecated": False}
        for m in ("mistral-large-latest", "mistral-small-latest")
    ]
    previous = docs["health_runs"][-1]  # yesterday's run: the baseline
    previous["problems"] = [
        *previous["problems"],  # type: ignore[misc]
        {"key": "provider:bedrock", "label": "bedrock: auth", "since": NOW - dt.timedelta(days=1, hours=3)},
        {"key": "provider:anthropic", "label": "anthropic: overloaded", "since": NOW - dt.timedelta(days=2)},
    ]
    return docs


def sections(body: str) -> dict[str, list[str]]:
    """Finding section title -> its lines, up to the raw metrics."""
    found: dict[str, list[str]] = {}
    current = None
    for line in body.split("=== Raw metrics ===", 1)[0].splitlines():
        title = next((t for t in FINDING_SECTIONS if line.startswith(t) and re.search(r"\(\d+\)", line)), None)
        if title:
            current = title
            found[current] = []
        elif not line.strip() or not line.startswith(("-", " ")):
            current = None if not line.strip() else current
        elif current:
            found[current].append(line)
    return found


def test_a_busy_day_opens_with_a_ten_second_first_screen(store: repository.Store) -> None:
    insert_documents(store, busy_day())
    report = run(store, window_for(1, NOW), AIChoice(None, "gpt-4o-mini"), Delivery()).report
    body = text_body(report)
    screen = body.split("Details below.", 1)[0].splitlines()
    assert len(screen) + 1 <= FIRST_SCREEN_LINES
    assert screen[0].startswith("Status: CRITICAL — ") and "more reasons below" in screen[0]

    items = [line for line in screen if re.match(r"\d+\. \[", line)]
    assert len(items) == FIRST_SCREEN_ITEMS
    assert items[0].startswith(
        "1. [CRITICAL, NEW] mistral: billing refused since 2026-11-25 21:00 UTC."
    )  # most severe and new first
    assert items[1].startswith("2. [CRITICAL, 2 days] bedrock: credentials refused")
    assert all("[WARNING" in line for line in items[2:])
    assert items[2].startswith("3. [WARNING, NEW]")
    assert "Rotate or fix the bedrock API key" in items[1]  # one line: the problem and its action
    total = int(re.search(r"Needs action today \((\d+)\)", body).group(1))  # type: ignore[union-attr]
    assert f"… and {total - FIRST_SCREEN_ITEMS} more under Recommended actions below." in screen
    assert screen[-1].startswith("Coverage: ") and "enabled models measured in 24 h" in screen[-1]

    data = json.loads(json.dumps(json_report(report)))
    digest = data["digest"]
    assert digest["status"] == "critical" and len(digest["action_items"]) == total
    severities = [i["severity"] for i in digest["action_items"]]
    assert severities == sorted(severities)  # critical before warning
    for severity in ("critical", "warning"):
        marks = [i["mark"] for i in digest["action_items"] if i["severity"] == severity]
        assert marks == sorted(marks, key=lambda m: {"new": 0, "ongoing": 1}.get(m, 2))

    told = sections(body)
    assert {"Provider-wide issues", "Models likely deprecated", "Code fixes needed", "Stalled models"} <= set(told)
    where: dict[str, list[str]] = {}
    for title, lines in told.items():
        for line in lines:
            if line.startswith("- "):
                for key in KEY.findall(line.split(" (", 1)[0].split(": ", 1)[0]):
                    where.setdefault(key, []).append(title)
    assert len(where) >= 12
    twice = {key: titles for key, titles in where.items() if len(titles) > 1}
    assert twice == {}
    # every model the assessment names is told somewhere (once)
    a = report.assessment
    for f in (*a.models_likely_deprecated, *a.code_fixes_needed, *a.stalled, *a.unmeasurable):
        assert f.key in where, f.key
