"""Catalog entries made fit for MongoDB, since JSON can say things BSON cannot store.

This is storage knowledge (BSON's key rules, integer range and nesting limit), so it lives with
the repository; it needs no driver and touches no database.

A parsed catalog may hold integers beyond 64 bits, lone UTF-16 surrogates, NUL bytes, `$` or `.`
in keys, or nesting deep enough to break MongoDB's 100-level limit (or this code's recursion).
Rather than crash the fetch, `fit_entry` keeps what it can and notes what it changed:
- keys: `$` first and `.` become full-width look-alikes (silently, as they always did), a NUL
  or a lone surrogate becomes U+FFFD (noted);
- strings: lone surrogates become U+FFFD (noted);
- integers beyond 64 bits and anything nested deeper than MAX_DEPTH are dropped (noted; in a
  list the item becomes null, so positions hold);
- an entry still larger than MAX_ENTRY_BYTES is not a believable catalog entry: `EntryTooLarge`,
  which the fetch turns into refusing the whole catalog (exit 7, nothing written).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

#: Levels of objects and lists kept below the entry itself.
MAX_DEPTH = 20
#: Largest entry stored, as compact JSON (a real one is about 2 KiB; a document's cap is 16 MiB).
MAX_ENTRY_BYTES = 2**20
#: Notes kept per entry; the rest are counted.
MAX_NOTES = 20

_INT64 = range(-(2**63), 2**63)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_DROP = object()


class EntryTooLarge(ValueError):
    """An entry over MAX_ENTRY_BYTES even after fitting; the message says which and how large."""


def _safe_key(key: str, path: str, notes: list[str]) -> str:
    fixed = _LONE_SURROGATE.sub("\ufffd", key).replace("\x00", "\ufffd")
    if fixed != key:
        notes.append(f"{path}{fixed}: key with a NUL or lone surrogate renamed")
    fixed = fixed.replace(".", "\uff0e")  # fullwidth full stop
    return "\uff04" + fixed[1:] if fixed.startswith("$") else fixed  # fullwidth dollar sign


def _fit(value: Any, path: str, depth: int, notes: list[str]) -> Any:
    if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
        notes.append(f"{path or '(entry)'}: dropped, nested deeper than {MAX_DEPTH} levels")
        return _DROP
    if isinstance(value, dict):
        fitted = {}
        for key, item in value.items():
            name = _safe_key(str(key), f"{path}." if path else "", notes)
            kept = _fit(item, f"{path}.{name}" if path else name, depth + 1, notes)
            if kept is not _DROP:
                fitted[name] = kept
        return fitted
    if isinstance(value, list):
        items = (_fit(item, f"{path}[{i}]", depth + 1, notes) for i, item in enumerate(value))
        return [None if item is _DROP else item for item in items]
    if isinstance(value, int) and not isinstance(value, bool) and value not in _INT64:
        notes.append(f"{path}: dropped, an integer beyond 64 bits")
        return _DROP
    if isinstance(value, str) and _LONE_SURROGATE.search(value):
        notes.append(f"{path}: lone surrogate replaced")
        return _LONE_SURROGATE.sub("\ufffd", value)
    return value


def fit_entry(entry: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The entry as MongoDB can store it, and one note per change beyond the `$`/`.` renames;
    EntryTooLarge when it stays over MAX_ENTRY_BYTES."""
    notes: list[str] = []
    fitted = _fit(dict(entry), "", 0, notes)
    size = len(json.dumps(fitted, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_ENTRY_BYTES:
        raise EntryTooLarge(
            f"catalog entry {str(entry.get('id'))[:100]!r} takes {size:,} bytes, over the "
            f"{MAX_ENTRY_BYTES:,} bytes cap of one entry; refusing the catalog"
        )
    kept = [note[:200] for note in notes[:MAX_NOTES]]
    if len(notes) > MAX_NOTES:
        kept.append(f"… and {len(notes) - MAX_NOTES} more")
    return fitted, tuple(kept)
