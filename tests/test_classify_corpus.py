"""The classifier against 115 real provider errors (tests/fixtures/provider-errors.jsonl, each
with its expected kind and a note on the debatable ones), fed exactly what the writer stores.

Two limits: at least 95 % of the rows get their expected kind, and no row whose error is a
capability or a passing provider fault becomes hard_model (that call makes an operator delete a
working model). Both must hold on the normalized message alone, as older documents have only it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.llm_bench.classify import KINDS, classify
from api.llm_bench.classify.writer import normalize_message, status_kind

CORPUS = Path(__file__).parent / "fixtures" / "provider-errors.jsonl"
MIN_AGREEMENT = 0.95
NEVER_HARD_MODEL = {"hard_capability", "transient_provider"}


def _rows() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]


def test_the_fixture_is_the_whole_corpus():
    rows = _rows()
    assert len(rows) == 115
    assert all(row["expected_kind"] in KINDS and row["source"].startswith("https://") for row in rows)
    assert {row["expected_kind"] for row in rows} == set(KINDS) - {"budget_exhausted"}


@pytest.mark.parametrize("with_original", [True, False], ids=["message", "normalized-only"])
def test_agreement_and_no_working_model_called_retired(with_original):
    rows = _rows()
    wrong, deleted = [], []
    for row in rows:
        message = row["message"]
        got = classify(
            provider=row["provider"],
            message=message if with_original else "",
            normalized_message=normalize_message(message),
            stored_kind=status_kind(message),
        )
        if got.kind != row["expected_kind"]:
            wrong.append(f"{row['provider']} {row['expected_kind']} -> {got.kind} ({got.source}): {message[:80]!r}")
            if row["expected_kind"] in NEVER_HARD_MODEL and got.kind == "hard_model":
                deleted.append(wrong[-1])
    agreement = 1 - len(wrong) / len(rows)
    print(f"classifier agreement: {agreement:.1%} ({len(rows) - len(wrong)}/{len(rows)})")
    assert agreement >= MIN_AGREEMENT, "\n".join(wrong)
    assert not deleted, "\n".join(deleted)


def test_the_writer_status_rule_alone_is_right_for_a_small_minority():
    rows = _rows()
    right = sum(status_kind(row["message"]) == row["expected_kind"] for row in rows)
    print(f"status-only agreement: {right / len(rows):.1%} ({right}/{len(rows)})")
    assert right / len(rows) < 0.25
