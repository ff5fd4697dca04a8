"""The gathered error corpus (tests/fixtures/errors-corpus/*.jsonl) and its fixed split.

Each record is `{provider, http_status, message, expected_kind, source, note, served}`. A record
goes to `tune` or `holdout` by a stable hash of its `source` URL, so every message of one thread
or page lands on the same side: about 60 % tune, 40 % holdout. The rules may be read against and
tuned on `tune` only; `holdout` is reported as aggregated figures per kind, never per record.

`tests/fixtures/text-readings.jsonl` holds blind readings of records: `{record, reader, kind, alt}`,
where `record` is `record_key` of a corpus record and `reader` is "first" or "second". A reader
saw only the provider and the message (no label, note, source or classifier) and gave the kind the
text supports, and a second defensible kind or null (LABELLING.md, "Text readings").
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).parent / "fixtures" / "errors-corpus"
READINGS = Path(__file__).parent / "fixtures" / "text-readings.jsonl"
TUNE_SHARE = 60  # percent of sources


def side(source: str) -> str:
    """`tune` or `holdout` for a record's source URL: the first 8 hex digits of its SHA-256 mod 100."""
    bucket = int(hashlib.sha256(source.strip().encode("utf-8")).hexdigest()[:8], 16) % 100
    return "tune" if bucket < TUNE_SHARE else "holdout"


def records(directory: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    """Every record of every `*.jsonl` file in the corpus directory, in file order."""
    return [row for rows in by_file(directory).values() for row in rows]


def by_file(directory: Path = CORPUS_DIR) -> dict[str, list[dict[str, Any]]]:
    """The records of each `*.jsonl` file, by file stem (each file is one gathering)."""
    return {path.stem: records_of(path) for path in sorted(directory.glob("*.jsonl"))}


def records_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def split(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    parts: dict[str, list[dict[str, Any]]] = {"tune": [], "holdout": []}
    for row in rows:
        parts[side(str(row.get("source") or ""))].append(row)
    return parts


def tune(directory: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    return split(records(directory))["tune"]


def record_key(row: dict[str, Any]) -> str:
    """A record's stable key: the first 16 hex digits of SHA-256 over provider, source and message."""
    text = f"{row['provider']}\n{str(row.get('source') or '').strip()}\n{row['message']}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def readings(path: Path = READINGS) -> dict[str, dict[str, dict[str, Any]]]:
    """The blind text readings by reader ("first", "second"), each by record key."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for row in records_of(path):
        found.setdefault(row["reader"], {})[row["record"]] = row
    return found
