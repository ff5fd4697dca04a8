"""How often each way of deciding an error's kind agrees with the hand-labelled corpus, and what
classifying costs per pattern.

Reads tests/fixtures/provider-errors.jsonl (or the JSONL path given as argument) and feeds every
row as the writer stores it (stored kind = the writer's status-only rule). Compares:
  (a) the writer's status-only rule;
  (b) the rules: `classify` without an LLM verdict (text rules, then the stored kind);
  (c) the rules with an LLM cache, SIMULATED: every row the rules leave "unknown" is given an
      LLM verdict equal to its expected kind (confidence 0.9). That is an upper bound, an LLM
      that is always right on the residue; no LLM is called.
Each on the original message and on the normalized message alone (older documents).
Usage: uv run --extra demo python benchmarks/classifier_agreement.py
"""

from __future__ import annotations

import collections
import json
import sys
from collections.abc import Callable
from pathlib import Path

from _common import table, timed
from test_classify_rules import HELD_OUT

from api.llm_bench.classify import KINDS, LLMVerdict, classify
from api.llm_bench.classify.rules import RULES
from api.llm_bench.classify.writer import normalize_message, status_kind

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "provider-errors.jsonl"
REPEAT = 20

Decide = Callable[[dict, bool], str]


def rules(row: dict, original: bool) -> str:
    message = row["message"]
    return classify(
        provider=row["provider"],
        message=message if original else "",
        normalized_message=normalize_message(message),
        stored_kind=status_kind(message),
    ).kind


def rules_with_llm_cache(row: dict, original: bool) -> str:
    decided = rules(row, original)
    if decided != "unknown":
        return decided
    message = row["message"]
    return classify(
        provider=row["provider"],
        message=message if original else "",
        normalized_message=normalize_message(message),
        stored_kind=status_kind(message),
        llm=LLMVerdict(row["expected_kind"], 0.9),
    ).kind


METHODS: dict[str, Decide] = {
    "(a) writer status-only": lambda row, original: status_kind(row["message"]),
    "(b) rules": rules,
    "(c) rules + LLM cache (simulated, always right)": rules_with_llm_cache,
}


def confusion(rows: list[dict], decide: Decide) -> str:
    counts = collections.Counter((row["expected_kind"], decide(row, True)) for row in rows)
    kinds = [kind for kind in KINDS if any(kind in pair for pair in counts)]
    body = [
        [
            f"**{expected}**",
            *[counts[expected, got] or "" for got in kinds],
            f"{counts[expected, expected]}/{sum(counts[expected, got] for got in kinds)}",
        ]
        for expected in kinds
    ]
    return table(["expected \\ decided", *kinds, "right"], body)


def main(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    print(f"{len(rows)} rows, {len(RULES)} rules\n")
    agreement = []
    for name, decide in METHODS.items():
        cells = []
        for original in (True, False):
            right = sum(decide(row, original) == row["expected_kind"] for row in rows)
            cells.append(f"{right}/{len(rows)} ({right / len(rows):.1%})")
        unknown = sum(decide(row, True) == "unknown" for row in rows)
        agreement.append([name, *cells, unknown])
    print(table(["method", "agreement (message)", "agreement (normalized only)", "left unknown"], agreement))
    held_out = [{"provider": p, "message": m, "expected_kind": k} for p, m, k in HELD_OUT]
    right = sum(rules(row, True) == row["expected_kind"] for row in held_out)
    print(f"\nheld-out messages (tests/test_classify_rules.py, not in the corpus): (b) rules {right}/{len(held_out)}")
    residue = sum(rules(row, True) == "unknown" for row in rows)
    print(f"\n(c) simulates an LLM verdict for the {residue} rows the rules leave unknown.")
    sources = collections.Counter(
        classify(
            provider=row["provider"],
            message=row["message"],
            normalized_message=normalize_message(row["message"]),
            stored_kind=status_kind(row["message"]),
        ).source.split(":")[0]
        for row in rows
    )
    print("decided by: " + ", ".join(f"{source} {n}" for source, n in sources.most_common()))
    for name in ("(a) writer status-only", "(b) rules"):
        print(f"\nconfusion, {name} (rows: expected kind; columns: decided kind)\n")
        print(confusion(rows, METHODS[name]))
    prepared = [
        (row["provider"], row["message"], normalize_message(row["message"]), status_kind(row["message"]))
        for row in rows
    ]

    def classify_all() -> None:
        for provider, message, normalized, stored in prepared:
            classify(provider=provider, message=message, normalized_message=normalized, stored_kind=stored)

    def classify_normalized() -> None:
        for provider, _, normalized, stored in prepared:
            classify(provider=provider, message="", normalized_message=normalized, stored_kind=stored)

    timing = []
    for label, action in (("message + normalized", classify_all), ("normalized only", classify_normalized)):
        seconds, _ = timed(action, repeat=REPEAT)
        timing.append([label, f"{seconds * 1e6 / len(rows):.0f}"])
    for shape in ("models/embed", "endpoint for ", "error: ", "("):  # 1 MB each; the rules read a bounded prefix
        hostile = shape * (1_000_000 // len(shape))
        seconds, _ = timed(
            lambda text=hostile: classify(provider="gemini", message=text, normalized_message=text), repeat=5
        )
        timing.append([f"hostile 1 MB of {shape.strip()!r}", f"{seconds * 1e6:.0f}"])
    print(f"\ntime per pattern (median of {REPEAT} passes over the corpus; 5 calls for the hostile texts)\n")
    print(table(["input", "µs / classify()"], timing))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
