"""The demo day tells one consistent story: what the summary counts is what the lists show."""

from __future__ import annotations

import datetime as dt
import re

from api.llm_bench import repository
from api.llm_bench.health.demo import demo_day
from api.llm_bench.health.facts import window_for
from api.llm_bench.health.job import AIChoice, Delivery, run
from api.llm_bench.health.render import text_body
from api.llm_bench.repository.health import insert_documents

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)


def test_the_demo_day_does_not_contradict_itself(store: repository.Store) -> None:
    insert_documents(store, demo_day(NOW))
    report = run(store, window_for(1, NOW), AIChoice(None, "gpt-4o-mini"), Delivery()).report
    a = report.assessment
    summary = a.summary
    critical = summary.split("CRITICAL: ", 1)[1].split(" WARNING: ", 1)[0]
    assert "of all attempts failed" not in critical  # 26 % is a warning: the CRITICAL threshold is 50 %
    ongoing = {p.key.split(":", 1)[1] for p in report.changes.marked("ongoing")} if report.changes else set()
    assert not any(f"{p.provider}:{p.model}" in ongoing for p in report.facts.new_patterns)
    for noun, items in (("likely deprecated", a.models_likely_deprecated), ("need a code fix", a.code_fixes_needed)):
        match = re.search(rf"(\d+) models? {noun}", summary)
        assert match and int(match.group(1)) == len(items), noun
    body = text_body(report)
    for section, items in (
        ("Models likely deprecated", a.models_likely_deprecated),
        ("Code fixes needed", a.code_fixes_needed),
        ("Stalled models", a.stalled),
    ):
        assert f"{section} ({len(items)})" in body
    twins = {key for group in a.fleet.coverage.duplicates for key in group} if a.fleet else set()
    alone = [f for f in a.not_measured if f.key not in twins]  # a twin is told as the enabled set's
    assert f"Enabled models not measured ({len(alone)})" in body
    # one of each fleet finding is on show
    assert a.fleet is not None
    c = a.fleet.coverage
    assert c.not_measured and c.stalled and c.ran_while_disabled and c.removed_since_previous and c.duplicates
    assert a.fleet.streaks and a.fleet.stale_sources and a.unmeasurable
    assert {i.kind for i in a.provider_issues} >= {"auth", "overloaded", "silent"}
    assert any(r.past for r in a.retiring_soon)


def test_the_demo_shows_the_first_screen_and_the_trend(store: repository.Store) -> None:
    insert_documents(store, demo_day(NOW))
    report = run(store, window_for(1, NOW), AIChoice(None, "gpt-4o-mini"), Delivery()).report
    body = text_body(report)
    screen, rest = body.split("Details below.", 1)
    assert screen.startswith("Status: CRITICAL — bedrock has auth errors since")
    assert "1. [CRITICAL, NEW] bedrock: credentials refused since" in screen
    assert "Coverage: 14 of 22 enabled models measured in 24 h (64%)" in screen
    assert "Trend, 9 daily runs 11-18 → 11-26" in rest
    coverage = next(line for line in rest.splitlines() if line.startswith("coverage "))
    assert coverage.startswith("coverage ██") and coverage.endswith(" 64%")
    assert any(r.startswith("trend: coverage down") for r in report.assessment.reasons)
