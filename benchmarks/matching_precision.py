"""Precision and coverage of the deterministic matching rules against hand-reviewed truth.

Reads the derived truth in tests/fixtures/matching/truth.jsonl (or the JSONL path given as argument,
for example ../shared/data/matching/openrouter-to-direct.jsonl).
A proposal is correct when its (provider, model_id) is among the row's truth matches; a
proposal for a row with no direct equivalent is wrong. Coverage counts rows that have a truth
match and get at least one correct proposal. Usage: uv run python benchmarks/matching_precision.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api.llm_bench.discovery.matching import rule_proposals

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "matching" / "truth.jsonl"


def main(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    emitted = correct = top_rows = top_correct = covered = matchable = 0
    wrong: list[str] = []
    for row in rows:
        truth = {(m["provider"], m["model_id"]) for m in row["matches"]}
        proposals = rule_proposals(row["openrouter_id"])
        hits = [(p.provider, p.model_id) in truth for p in proposals]
        emitted += len(proposals)
        correct += sum(hits)
        if proposals:
            top_rows += 1
            top_correct += hits[0]
        matchable += bool(truth)
        covered += bool(truth) and any(hits)
        wrong += [f"  {row['openrouter_id']} -> {p.provider}:{p.model_id}" for p, ok in zip(proposals, hits, strict=True) if not ok]
    print(f"rows: {len(rows)} ({matchable} with a direct equivalent, {len(rows) - matchable} without)")
    print(f"proposals: {emitted}, correct {correct}: precision {correct / max(emitted, 1):.1%}")
    print(f"first proposal per row: {top_rows} rows, correct {top_correct}: precision {top_correct / max(top_rows, 1):.1%}")
    print(f"coverage: {covered}/{matchable} rows with an equivalent get a correct proposal ({covered / max(matchable, 1):.1%})")
    if wrong:
        print("wrong proposals:\n" + "\n".join(wrong))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
