"""How often classification agrees with hand-labelled real provider errors, per kind, and what
classifying costs per pattern.

Three sets, each row fed as the writer stores it (stored kind = the writer's status-only rule):
  (a) trained: tests/fixtures/provider-errors.jsonl, the 115 errors the first rules were written from;
  (b) tune: the part of tests/fixtures/errors-corpus/*.jsonl the rules may be tuned on;
  (c) holdout: the rest of that corpus (split by a hash of each record's source URL,
      tests/errors_corpus.py), never read while writing rules: only aggregated figures are printed.
`--no-ai` (the only mode: no LLM verdict, no cache) is what the health job decides without AI:
the parse layer, the vocabularies, the phrase rules and the stored kind. Two safety checks per
set: no error of a model that is still served (`served: true`) and whose reviewed kind is not
hard_model is called hard_model; no error of a retired or unserved model (`served: false`, or
reviewed kind hard_model) whose reviewed kind is not network or transient_provider is called one.
"with the SDK's status" feeds each row's `http_status` (the status its text shows or its source
states) as a writer that stores the status its SDK reported would; the other columns use the text only.
`--fresh GATHERING ...` also reports every row of gatherings added since the rules last changed
(both sides of their split: nothing in them was read while writing rules) as set (d).
"What the text supports" compares with blind readings of the text alone
(tests/fixtures/text-readings.jsonl): how often a reader who sees only the provider and the
message reaches the reviewed kind, how many of the classifier's misses such a reader gets, and
the agreement when the reader decides what the classifier leaves unknown (as the AI residue does
in a real run, with the reader standing in for the AI).
Usage: uv run --extra demo python benchmarks/classifier_agreement.py --no-ai [--fresh gathered-g gathered-h]
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from _common import table, timed
from errors_corpus import by_file, readings, record_key, records, split

from api.llm_bench.classify import KINDS, classify
from api.llm_bench.classify.rules import RULES
from api.llm_bench.classify.vocabulary import VOCABULARIES
from api.llm_bench.classify.writer import normalize_message, status_kind

TRAINED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "provider-errors.jsonl"
REPEAT = 20
RETIRED_NOT = {"network", "transient_provider"}
#: The figures of one set, after its name and before its safety counts.
COLUMNS = (
    "rows",
    "agreement (message)",
    "normalized only",
    "with the SDK's status",
    "writer status-only",
    "decided",
    "right when decided",
)


def decide(row: dict, original: bool = True, stored_status: bool = False) -> str:
    """The kind as the writer stores the row today; with `stored_status`, as a writer that also
    stores the status its SDK reported would (the record's `http_status`: shown or stated)."""
    message = row["message"]
    return classify(
        provider=row["provider"],
        message=message if original else "",
        normalized_message=normalize_message(message),
        stored_kind=status_kind(message),
        http_status=row.get("http_status") if stored_status else None,
    ).kind


def served_called_hard(row: dict, got: str) -> bool:
    """A model still served, reviewed as something else, called hard_model (it would be retired)."""
    return row.get("served") is True and row["expected_kind"] != "hard_model" and got == "hard_model"


def retired_called_transient(row: dict, got: str) -> bool:
    """A retired or unserved model, reviewed as something else, called network or transient_provider
    (the report would never call it deprecated)."""
    return (
        (row.get("served") is False or row["expected_kind"] == "hard_model")
        and row["expected_kind"] not in RETIRED_NOT
        and got in RETIRED_NOT
    )


def report(name: str, rows: list[dict], per_kind_table: bool = True) -> list[str]:
    """One line of figures for the set, and a per-kind table (aggregated only)."""
    if not rows:
        print(f"\n{name}: no rows")
        return [name, "0", *[""] * len(COLUMNS)]
    decided = [(row, decide(row), decide(row, original=False)) for row in rows]
    right = sum(got == row["expected_kind"] for row, got, _ in decided)
    right_normalized = sum(got == row["expected_kind"] for row, _, got in decided)
    right_status = sum(decide(row, stored_status=True) == row["expected_kind"] for row in rows)
    writer = sum(status_kind(row["message"]) == row["expected_kind"] for row in rows)
    served_hard = sum(1 for row, got, _ in decided if served_called_hard(row, got))
    retired_transient = sum(1 for row, got, _ in decided if retired_called_transient(row, got))
    per_kind = collections.Counter(row["expected_kind"] for row in rows)
    per_kind_right = collections.Counter(row["expected_kind"] for row, got, _ in decided if got == row["expected_kind"])
    abstained = collections.Counter(row["expected_kind"] for row, got, _ in decided if got == "unknown")
    decided_rows = sum(got != "unknown" for _, got, _ in decided)
    right_decided = sum(got == row["expected_kind"] for row, got, _ in decided if got != "unknown")
    precision = (decided_rows, right_decided)
    if not per_kind_table:
        return _line(
            name, rows, (right, right_normalized, right_status, writer), served_hard, retired_transient, precision
        )
    print(f"\n{name}: {len(rows)} rows, per kind (reviewed kind: right / rows, left unknown)\n")
    print(
        table(
            ["kind", "right", "agreement", "left unknown"],
            [
                [
                    kind,
                    f"{per_kind_right[kind]}/{per_kind[kind]}",
                    f"{per_kind_right[kind] / per_kind[kind]:.0%}",
                    abstained[kind],
                ]
                for kind in KINDS
                if per_kind[kind]
            ],
        )
    )
    return _line(name, rows, (right, right_normalized, right_status, writer), served_hard, retired_transient, precision)


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.1%})" if whole else ""


def _line(
    name: str,
    rows: list[dict],
    rights: tuple[int, int, int, int],
    hard: int,
    retired: int,
    precision: tuple[int, int],
) -> list[str]:
    right, right_normalized, right_status, writer = rights
    decided, right_decided = precision
    return [
        name,
        str(len(rows)),
        _share(right, len(rows)),
        f"{right_normalized / len(rows):.1%}",
        f"{right_status / len(rows):.1%}",
        f"{writer / len(rows):.1%}",
        f"{decided / len(rows):.0%}",
        f"{right_decided / decided:.1%}" if decided else "",
        f"{hard} / {retired}",
    ]


def reading_line(name: str, rows: list[dict], read: dict[str, dict[str, dict]]) -> list[str] | None:
    """The set's rows that a blind reader read: reader vs reviewed kind vs classifier, aggregated."""
    first, second = read.get("first", {}), read.get("second", {})
    counts = collections.Counter()
    for row in rows:
        key = record_key(row)
        if key not in first:
            continue
        reader, reviewed, got = first[key]["kind"], row["expected_kind"], decide(row)
        counts["read"] += 1
        counts["reached"] += reader == reviewed
        counts["reached or alt"] += reviewed in (reader, first[key]["alt"])
        counts["right"] += got == reviewed
        counts["as reader"] += got == reader
        counts["reader on the residue"] += (got if got != "unknown" else reader) == reviewed
        if reader == reviewed and got != reviewed:
            counts["left unknown" if got == "unknown" else "decided otherwise"] += 1
        if key in second:
            counts["twice"] += 1
            counts["readers agree"] += second[key]["kind"] == reader
    if not counts["read"]:
        return None
    n = counts["read"]
    return [
        name,
        str(n),
        _share(counts["reached"], n),
        _share(counts["reached or alt"], n),
        _share(counts["right"], n),
        _share(counts["as reader"], n),
        _share(counts["reader on the residue"], n),
        f"{counts['left unknown']} / {counts['decided otherwise']}",
        f"{counts['twice']}: {_share(counts['readers agree'], counts['twice'])}" if counts["twice"] else "",
    ]


def safety_line(name: str, rows: list[dict], read: dict[str, dict[str, dict]]) -> list[str] | None:
    """The set's safety calls and how many of them every blind reader of the text made too (the
    text alone cannot tell those from what the reviewed kind says; the thread or the provider's
    own model list can)."""
    counts = collections.Counter()
    for row in rows:
        key = record_key(row)
        readers = [reading[key]["kind"] for reading in read.values() if key in reading]
        if not readers:
            continue
        counts["read"] += 1
        got = decide(row)
        for check in (served_called_hard, retired_called_transient):
            if check(row, got):
                counts[check.__name__] += 1
                counts[check.__name__, "as read"] += all(kind == got for kind in readers)
    if not counts["read"]:
        return None
    return [
        name,
        str(counts["served_called_hard"]),
        str(counts["served_called_hard", "as read"]),
        str(counts["retired_called_transient"]),
        str(counts["retired_called_transient", "as read"]),
    ]


def main() -> None:
    parsed = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parsed.add_argument("--no-ai", action="store_true", help="rules + stored kind only (the only mode)")
    parsed.add_argument(
        "--fresh",
        nargs="*",
        default=[],
        metavar="GATHERING",
        help="gatherings (file stems) added after the rules were last changed: all their rows, tune and holdout, "
        "are also reported as one set (d)",
    )
    args = parsed.parse_args()
    trained = [json.loads(line) for line in TRAINED.read_text().splitlines() if line.strip()]
    corpus = records()
    parts = split(corpus)
    entries = sum(len(v) for v in VOCABULARIES.values())
    print(f"{len(RULES)} phrase rules, {entries} vocabulary entries in {len(VOCABULARIES)} tables")
    print(f"corpus: {len(corpus)} records from {len({r['source'] for r in corpus})} sources")
    gatherings = by_file()
    unknown = sorted(set(args.fresh) - set(gatherings))
    if unknown:
        parsed.error(f"no gathering named {', '.join(unknown)} in tests/fixtures/errors-corpus/")
    sets = [("(a) trained", trained), ("(b) tune", parts["tune"]), ("(c) holdout", parts["holdout"])]
    if args.fresh:
        sets.append((f"(d) fresh: {' + '.join(args.fresh)}", [row for stem in args.fresh for row in gatherings[stem]]))
    lines = [report(name, rows) for name, rows in sets]
    print("\n--no-ai: parse + vocabularies + phrase rules + stored kind\n")
    print(
        table(
            ["set", *COLUMNS, "served→hard_model / retired→network|transient"],
            lines,
        )
    )
    read = readings()
    for title, headers, line_of in (
        (
            "What the text supports: blind readers who saw only the provider and the message",
            [
                "set",
                "rows read",
                "reader = reviewed",
                "reviewed is the reader's kind or alternative",
                "classifier = reviewed",
                "classifier = reader",
                "the reader deciding what the classifier leaves unknown",
                "classifier misses the reader got: left unknown / decided otherwise",
                "read twice: readers agree",
            ],
            reading_line,
        ),
        (
            "Safety calls on the rows read, and how many of them every reader of the text made too",
            [
                "set",
                "served→hard_model",
                "of them, read as hard_model",
                "retired→network|transient",
                "of them, read the same",
            ],
            safety_line,
        ),
    ):
        found = [line for name, rows in sets if (line := line_of(name, rows, read))]
        if found:
            print(f"\n{title}\n")
            print(table(headers, found))
    print("\nholdout by gathering (each file is one gathering; aggregated only)\n")
    print(
        table(
            ["file", *COLUMNS, "safety"],
            [report(stem, split(rows)["holdout"], per_kind_table=False) for stem, rows in gatherings.items()],
        )
    )
    prepared = [
        (r["provider"], r["message"], normalize_message(r["message"]), status_kind(r["message"]))
        for r in trained + corpus
    ]

    def classify_all() -> None:
        for provider, message, normalized, stored in prepared:
            classify(provider=provider, message=message, normalized_message=normalized, stored_kind=stored)

    def classify_normalized() -> None:
        for provider, _, normalized, stored in prepared:
            classify(provider=provider, message="", normalized_message=normalized, stored_kind=stored)

    def cpu(action: Callable[[], object], repeat: int) -> float:
        """Median CPU seconds of this thread per call (other processes on the machine do not count)."""
        samples = []
        for _ in range(repeat):
            started = time.thread_time()
            action()
            samples.append(time.thread_time() - started)
        return statistics.median(samples)

    timing = []
    for label, action in (("message + normalized", classify_all), ("normalized only", classify_normalized)):
        seconds, _ = timed(action, repeat=REPEAT)
        per_row = cpu(action, REPEAT) / len(prepared)
        timing.append([label, f"{seconds * 1e6 / len(prepared):.0f}", f"{per_row * 1e6:.0f}"])
    for shape in ("models/embed", "endpoint for ", "error: ", "(", "{'a': [", '{"error": "'):
        hostile = shape * (1_000_000 // len(shape))  # 1 MB each; everything reads a bounded prefix

        def once(text: str = hostile) -> None:
            classify(provider="gemini", message=text, normalized_message=text)

        seconds, _ = timed(once, repeat=5)
        timing.append([f"hostile 1 MB of {shape.strip()!r}", f"{seconds * 1e6:.0f}", f"{cpu(once, 5) * 1e6:.0f}"])
    print(f"\ntime per pattern over {len(prepared)} rows (median of {REPEAT} passes; 5 calls for the hostile texts)\n")
    print(table(["input", "µs / classify() (wall)", "µs / classify() (CPU of the thread)"], timing))


if __name__ == "__main__":
    sys.exit(main())
