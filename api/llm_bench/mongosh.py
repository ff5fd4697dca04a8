"""The copy-paste `mongosh` command that stages a model in the benchmark's `models`, shared by
the discovery report and the health check's "retiring soon" successors.

Every string placed inside the command must pass `untrusted.is_identifier` (letters, digits and
`. _ : / @ + -`), so no quote, `$`, backtick, `!` or newline from the catalog, a registry or
the AI can reach the shell or the JavaScript; numbers and booleans are formatted, not pasted.
The upsert uses `$setOnInsert`, so pasting it twice changes nothing; it sets `created_at`, by
which the benchmark's runner orders models.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .untrusted import is_identifier


@dataclass(frozen=True)
class Command:
    text: str | None
    problem: str | None = None


def _value(value: str | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{float(value):.2f}"
    return f'"{value}"'


def stage_command(
    *,
    db_name: str,
    collection: str,
    provider: str,
    model_id: str,
    fields: Mapping[str, str | float | bool],
    enable: bool = False,
) -> Command:
    """`mongosh "$MONGODB_URI" --eval '...'` staging (provider, model_id), or the refused values."""
    strings = {
        "database": db_name,
        "collection": collection,
        "provider": provider,
        "model_id": model_id,
        **{name: value for name, value in fields.items() if isinstance(value, str)},
    }
    refused = [name for name, value in strings.items() if not is_identifier(value)]
    refused += [name for name in fields if not name.isidentifier()]
    if refused:
        return Command(None, f"no command: {', '.join(refused)} failed the identifier allow-list")
    extra = "".join(f", {name}: {_value(value)}" for name, value in fields.items())
    inserted = (
        f'provider: "{provider}", model_id: "{model_id}", enabled: {_value(enable)}{extra}, '
        "staged_at: new Date(), created_at: new Date()"
    )
    script = (
        f'db.getSiblingDB("{db_name}").getCollection("{collection}").updateOne('
        f'{{provider: "{provider}", model_id: "{model_id}"}}, {{$setOnInsert: {{{inserted}}}}}, {{upsert: true}})'
    )
    return Command(f"mongosh \"$MONGODB_URI\" --eval '{script}'")
