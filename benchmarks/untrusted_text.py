"""Cost of making outside text safe (`untrusted.safe_text`, `redact`) on hostile input.

Each field the jobs show passes through `safe_text(value, limit)`: the value is cut before any
pattern runs, so its cost depends on the limit, not on what arrived. This measures, for every
limit the code uses, the slowest of a set of adversarial runs (the openings of every redaction
row repeated, and the runs that made the old URL pattern quadratic) in a 300 KB field, against
a budget of BUDGET_MS per field; then `redact` alone on 10 KB to 1 MB (its cost per character
must stay flat: linear time), and the crash alert's journal with 50 lines of 1 MB each.

  uv run --extra demo python benchmarks/untrusted_text.py

Exits 1 when a field is over its budget.
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys

from _common import table, timed

from api.llm_bench.unit_status import JOURNAL_LINES, Tools, journal_tail
from api.llm_bench.untrusted import SECRET_SHAPES, redact, safe_text

#: Per field, whatever its size: a generous bound on a shared 2-core machine.
BUDGET_MS = 25.0
#: Every limit passed to safe_text in api/ (and the crash alert's journal line).
LIMITS = (20, 40, 80, 120, 160, 200, 300, 400, 500, 600, 1000)
FIELD_CHARS = 300_000
RUNS = (
    "a.",
    "a-",
    "a_",
    "a://b:",
    "a%22",
    "%3d",
    '\\"',
    "eyj-",
    "gsk_",
    "key provided:",
    "bearer ",
    "token=",
    "authorization: token ",
    "-----begin private key-----",
    "a\u200b",
    *(shape.example[: len(shape.example) // 2] for shape in SECRET_SHAPES),
)


def _text(run: str, size: int) -> str:
    return (run * (size // len(run) + 1))[:size]


def fields(repeat: int) -> tuple[list[list[str]], bool]:
    rows, within = [], True
    for limit in LIMITS:
        worst, worst_run = 0.0, ""
        for run in RUNS:
            text = _text(run, FIELD_CHARS)
            seconds, _ = timed(functools.partial(safe_text, text, limit), repeat)
            if seconds > worst:
                worst, worst_run = seconds, run
        ok = worst * 1000 <= BUDGET_MS
        within &= ok
        rows.append(
            [str(limit), f"{worst * 1000:.2f}", f"`{worst_run[:24]!r}`", f"{BUDGET_MS:g}", "yes" if ok else "NO"]
        )
    return rows, within


def scaling(repeat: int) -> list[list[str]]:
    rows = []
    for run in ("a.", "a://b:", "eyj-", "authorization: token "):
        cells = [f"`{run!r}`"]
        for size in (10_000, 100_000, 1_000_000):
            seconds, _ = timed(functools.partial(redact, _text(run, size)), repeat)
            cells.append(f"{seconds * 1e6 / size:.2f}")
        rows.append(cells)
    return rows


def journal(repeat: int) -> list[str]:
    line = "2026-11-26T08:00:01+0000 host llm-health-check[42]: " + _text("a.", 1_000_000)
    output = ("\n".join([line] * JOURNAL_LINES) + "\n").encode()

    def journalctl(argv: list[str], **_kwargs: object) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(argv, 0, output, b"")

    seconds, text = timed(lambda: journal_tail("0" * 32, Tools(), journalctl), repeat)
    return [f"{JOURNAL_LINES} × 1 MB", f"{seconds * 1000:.0f}", f"{len(text):,}"]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--repeat", type=int, default=5, help="calls per measurement (the median is reported)")
    options = args.parse_args()
    rows, within = fields(options.repeat)
    print(f"safe_text on a {FIELD_CHARS // 1000} KB field, slowest of {len(RUNS)} adversarial runs\n")
    print(table(["limit", "slowest ms", "run", "budget ms", "within"], rows))
    print("\nredact alone, µs per character (flat = linear)\n")
    print(table(["run", "10 KB", "100 KB", "1 MB"], scaling(max(1, options.repeat // 2))))
    print("\ncrash alert journal (journal_tail)\n")
    print(table(["journal", "ms", "characters kept"], [journal(options.repeat)]))
    sys.exit(0 if within else 1)


if __name__ == "__main__":
    main()
