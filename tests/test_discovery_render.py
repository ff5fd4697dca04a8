"""The discovery renderings: every printed list is cut with "and N more"; report lines are comments."""

from __future__ import annotations

import datetime as dt

from api.llm_bench.discovery.jobs import FetchResult, Match, Report
from api.llm_bench.discovery.render import SHOWN, SHOWN_PROVIDERS, capped, fetch_text, report_text, stats_text
from api.llm_bench.discovery.stats import MatchCounts, Stats
from api.llm_bench.repository.catalog_stats import CatalogCounts, ProviderCounts

NOW = dt.datetime(2026, 2, 1, 7, 0, tzinfo=dt.UTC)


def match(i: int) -> Match:
    return Match(
        openrouter_id=f"openai/gpt-7.{i}",
        name=f"GPT 7.{i}",
        provider="openai",
        model_id=f"gpt-7.{i}",
        confidence=0.95,
        reasoning="same id",
        source="rule",
        first_seen_at=NOW,
        command=f"mongosh {i}",
        command_problem=None,
    )


def test_capped_says_how_many_were_left_out() -> None:
    assert capped([1, 2], str, 2) == ["1", "2"]
    assert capped([1, 2, 3, 4], str, 2) == ["1", "2", "  … and 2 more"]
    assert capped([], str) == []


def test_report_notes_and_unexamined_candidates_are_capped() -> None:
    notes = tuple(f"AI: batch {i} failed\nrm -rf ~" for i in range(25))
    report = Report(
        NOW,
        candidates=500,
        covered=3,
        examined=40,
        matches=tuple(match(i) for i in range(2)),
        ai_requests=2,
        notes=notes,
    )
    lines = report_text(report).split("\n")
    assert sum(line.startswith("# note: AI: batch") for line in lines) == SHOWN
    assert "# note: … and 15 more" in lines
    assert lines[-1] == "# … and 460 more candidate(s) not examined (see --max-matches, --since)"
    assert [line for line in lines if not line.startswith("# ") and line] == ["mongosh 0", "mongosh 1"]


def test_a_proposal_without_a_command_says_why_in_a_comment() -> None:
    refused = Match(**{**match(1).__dict__, "command": None, "command_problem": "no command: model_id failed\n$(x)"})
    lines = report_text(Report(NOW, 1, 0, 1, (refused,), 0)).split("\n")
    assert lines[-1] == "#   no command: model_id failed (x)" and all(
        not line or line.startswith("# ") for line in lines
    )


def test_fetch_lists_and_stats_providers_are_capped() -> None:
    ids = tuple(f"org/m{i}" for i in range(SHOWN + 5))
    text = fetch_text(
        FetchResult(
            NOW,
            400,
            1,
            new=ids,
            changed=(),
            returned=(),
            missing=ids[:SHOWN],
            removed=(),
            adopted=ids,
            adjusted=("odd/x",),
        )
    )
    assert text.count("  … and 5 more") == 2 and "adopted  15" in text and "adjusted 1\n  odd/x" in text
    rows = tuple(ProviderCounts(f"p{i}", 1, 0, 0) for i in range(SHOWN_PROVIDERS + 2))
    stats = Stats(NOW, CatalogCounts(1, 0, 0, 0, 0), None, None, MatchCounts(0, 0, 0, 0, 0), rows)
    assert stats_text(stats).endswith("  … and 2 more")
