"""Start-up cost of the two commands, against a bare interpreter.

Both CLIs import pymongo, openai and httpx only inside their commands, so `--help` (and a
systemd unit's argument check) pays for Python and typer alone; tests assert the modules stay
out of `sys.modules`. This times each command's median wall time over --runs runs and reports
it as a ratio to `python -c pass`, with `import pymongo, openai, httpx` for scale.

  uv run --extra demo python benchmarks/startup.py
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
from pathlib import Path

from _common import ROOT, table, timed

BIN = Path(sys.executable).parent
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import pymongo, openai, httpx'": [sys.executable, "-c", "import pymongo, openai, httpx"],
    "llm-health-check --help": [str(BIN / "llm-health-check"), "--help"],
    "llm-discovery --help": [str(BIN / "llm-discovery"), "--help"],
}


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--runs", type=int, default=20, help="runs per command (the median is reported)")
    options = args.parse_args()
    medians = {}
    for label, argv in COMMANDS.items():
        run = functools.partial(subprocess.run, argv, cwd=ROOT, capture_output=True, check=True)
        run()  # warm the file cache
        medians[label], _ = timed(run, options.runs)
    bare = medians["python -c pass"]
    print(
        table(
            ["command", "median ms", "× python -c pass"],
            [[f"`{label}`", f"{seconds * 1000:.0f}", f"{seconds / bare:.1f}"] for label, seconds in medians.items()],
        )
    )


if __name__ == "__main__":
    main()
