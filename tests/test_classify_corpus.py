"""The classifier against real provider errors, fed exactly what the writer stores.

- tests/fixtures/provider-errors.jsonl: the 115 errors the first rules were written from;
- tests/fixtures/errors-corpus/*.jsonl: the gathered corpus; only its `tune` part (a fixed split
  by source URL, tests/errors_corpus.py) is read here; the holdout part is only ever reported in
  aggregate by benchmarks/classifier_agreement.py.

Limits: at least 95 % of the rows get their expected kind; no row whose error is a capability or
a passing provider fault, or whose model is still served, becomes hard_model (that call makes an
operator delete a working model); no row of a retired or unserved model becomes network or
transient_provider. They must hold on the normalized message alone, as older documents have only it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from errors_corpus import READINGS, readings, record_key, records, records_of, side, tune

from api.llm_bench.classify import KINDS, classify
from api.llm_bench.classify.kinds import CONVENTIONS, KIND_SIGNS
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


# A regression floor: the tune part holds the tune side of gatherings i-zr, each measured fresh
# before any of it was read, and labels that rest on what the source's thread found (l-zr's tune
# side is at 89.8 %, the rest at 93.9 %; BENCHMARKS.md).
TUNE_FLOOR = 0.90
TRANSIENT = {"network", "transient_provider"}
#: Tune records whose text alone reads the other way: each was labelled from its thread. They are
#: listed, not fitted: no rule may be written to turn one of them.
TEXT_CANNOT_TELL = {
    # "Service unavailable." for a model that the provider had retired: nothing in the text says so.
    "https://github.com/dust-tt/dust/pull/5214",
    # "The model ... does not exist or your team does not have access to it" for an image model
    # called through the chat endpoint: the text says the model does not exist.
    "https://github.com/ChatGPTNextWeb/NextChat/issues/6397",
    # "Model does not exist. Please check it carefully." for a rerank model a gateway's channel test
    # called as a chat model: the text says the model does not exist.
    "https://github.com/QuantumNous/new-api/issues/2734",
    # "API error: 503": an app's own remap of the 404 its provider gave for a removed model.
    "https://github.com/Cogni-DAO/node-template/blob/HEAD/docs/archive/ERROR_HANDLING_IMPROVEMENT_DESIGN.md",
    # "404 Not Found: Model not found gpt-5.5" during a backend incident the provider then fixed:
    # the text says the model is not found.
    "https://github.com/openai/codex/issues/26902",
    "https://github.com/openai/codex/issues/26910",
}


def test_the_gathered_corpus_is_well_formed():
    rows = records()
    assert len(rows) >= 300
    for row in rows:
        assert row["expected_kind"] in KINDS and row["source"].startswith("https://"), row
        assert isinstance(row["message"], str) and row["message"] and row["provider"], row
        assert row.get("served") in (True, False, None), row
    # The split is by source: one thread's messages never straddle it.
    by_source: dict[str, set[str]] = {}
    for row in rows:
        by_source.setdefault(row["source"], set()).add(side(row["source"]))
    assert all(len(sides) == 1 for sides in by_source.values())
    assert 0.45 <= len(tune()) / len(rows) <= 0.75


def test_the_labelling_guide_says_what_the_kinds_table_says():
    """LABELLING.md's kinds table and conventions are the ones in code (which the AI is given)."""
    guide = (Path(__file__).parent / "fixtures" / "errors-corpus" / "LABELLING.md").read_text()
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+) \|$", guide, re.MULTILINE))
    assert rows == KIND_SIGNS and list(KIND_SIGNS) == list(KINDS)
    flat = " ".join(guide.split())
    # each convention opens a bullet of the guide (which may add a note for labellers after it)
    assert all(f"- {convention} " in flat for convention in CONVENTIONS)


def test_the_text_readings_name_corpus_records_and_kinds():
    """Each blind reading names one record of the corpus (by key), once per reader, with a kind
    and an optional second kind that differs from it."""
    keys = {record_key(row) for row in records()}
    assert len(keys) == len(records())  # the key tells every record apart
    by_reader = readings()
    assert set(by_reader) <= {"first", "second"} and by_reader.get("first")
    for reader, found in by_reader.items():
        for key, row in found.items():
            assert key in keys and row["reader"] == reader, row
            assert row["kind"] in KINDS and row["alt"] in (*KINDS, None) and row["alt"] != row["kind"], row
    assert set(by_reader.get("second", {})) <= set(by_reader["first"])  # a second reading checks a first
    lines = records_of(READINGS)
    assert len(lines) == len({(row["record"], row["reader"]) for row in lines})  # one reading each


@pytest.mark.parametrize("with_original", [True, False], ids=["message", "normalized-only"])
def test_tune_part_agreement_and_safety(with_original):
    rows = tune()
    wrong, unsafe = [], []
    for row in rows:
        message = row["message"]
        got = classify(
            provider=row["provider"],
            message=message if with_original else "",
            normalized_message=normalize_message(message),
            stored_kind=status_kind(message),
        )
        expected = row["expected_kind"]
        if got.kind != expected:
            wrong.append(f"{row['provider']} {expected} -> {got.kind} ({got.source}): {message[:80]!r}")
        if row["source"] in TEXT_CANNOT_TELL:
            continue
        if (
            got.kind == "hard_model"
            and expected != "hard_model"
            and (row.get("served") or expected in NEVER_HARD_MODEL)
        ):
            unsafe.append(wrong[-1])
        retired = row.get("served") is False or expected == "hard_model"
        if retired and expected not in TRANSIENT and got.kind in TRANSIENT:
            unsafe.append(wrong[-1])
    agreement = 1 - len(wrong) / len(rows)
    print(f"tune agreement: {agreement:.1%} ({len(rows) - len(wrong)}/{len(rows)})")
    assert agreement >= TUNE_FLOOR, "\n".join(wrong)
    assert not unsafe, "\n".join(unsafe)
