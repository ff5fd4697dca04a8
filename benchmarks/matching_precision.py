"""Precision and coverage of retrieval (rules + listed ids, no AI) against hand-reviewed truth.

Reads the derived truth in tests/fixtures/matching/truth.jsonl and the registry fixture
tests/fixtures/registry/truth-registry.json (the provider ids the truth was reviewed against),
or the paths given as arguments. The registry goes through the real parser into a retrieval
index (no database: the figures are about matching, not storage). A proposal is correct when
its (provider, model_id) is among the row's truth matches; a proposal for a row with no direct
equivalent is wrong. Coverage counts rows that have a truth match and get at least one correct
proposal. Usage: uv run python benchmarks/matching_precision.py [TRUTH.jsonl [REGISTRY.json]]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api.llm_bench.discovery.matching import Listing
from api.llm_bench.discovery.registry import parse
from api.llm_bench.discovery.retrieval import Index, propose

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
DEFAULT = FIXTURES / "matching" / "truth.jsonl"
REGISTRY = FIXTURES / "registry" / "truth-registry.json"
#: The hand-written naming rules this replaced, measured on the same truth (see BENCHMARKS.md).
OLD_RULES = "precision 100.0 % (72/72), coverage 45.7 % (59/129)"


def main(truth_path: Path, registry_path: Path) -> None:
    rows = [json.loads(line) for line in truth_path.read_text().splitlines() if line.strip()]
    seen = parse(json.loads(registry_path.read_text()))
    index = Index.build(Listing(s.provider, s.model_id, "registry") for s in seen)
    emitted = correct = top_rows = top_correct = covered = matchable = 0
    wrong: list[str] = []
    for row in rows:
        truth = {(m["provider"], m["model_id"]) for m in row["matches"]}
        proposals = propose(row["openrouter_id"], index)
        hits = [(p.provider, p.model_id) in truth for p in proposals]
        emitted += len(proposals)
        correct += sum(hits)
        if proposals:
            top_rows += 1
            top_correct += hits[0]
        matchable += bool(truth)
        covered += bool(truth) and any(hits)
        wrong += [
            f"  {row['openrouter_id']} -> {p.provider}:{p.model_id}"
            for p, ok in zip(proposals, hits, strict=True)
            if not ok
        ]
    print(
        f"rows: {len(rows)} ({matchable} with a direct equivalent, {len(rows) - matchable} without); "
        f"registry: {len(seen)} listed ids"
    )
    print(f"proposals: {emitted}, correct {correct}: precision {correct / max(emitted, 1):.1%}")
    print(
        f"first proposal per row: {top_rows} rows, correct {top_correct}: precision {top_correct / max(top_rows, 1):.1%}"
    )
    print(
        f"coverage: {covered}/{matchable} rows with an equivalent get a correct proposal ({covered / max(matchable, 1):.1%})"
    )
    print(f"old naming rules on the same truth: {OLD_RULES}")
    if wrong:
        print("wrong proposals:\n" + "\n".join(wrong))


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]]
    main(args[0] if args else DEFAULT, args[1] if len(args) > 1 else REGISTRY)
