#!/usr/bin/env python3
"""Launcher for the daily health check at the path operators type: `uv run python ops/daily-health-check.py`.

The same typer app as the `llm-health-check` console script.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.llm_bench.health.cli import main

if __name__ == "__main__":
    main()
