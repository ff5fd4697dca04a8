"""The copy-paste `mongosh` command that stages a proposed model in the benchmark's `models`.

Every value placed inside the command must pass `untrusted.is_identifier` (letters, digits and
`. _ : / @ + -`), so no quote, `$`, backtick, `!` or newline from the catalog or the AI can reach
the shell or the JavaScript. Free text (the reasoning) only ever goes in a `#` comment line.
The upsert uses `$setOnInsert`, so pasting it twice changes nothing; it sets `created_at`, by which
the benchmark's runner orders models.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..untrusted import comment_text, is_identifier


@dataclass(frozen=True)
class Command:
    text: str | None
    problem: str | None = None


def upsert_command(
    *,
    db_name: str,
    collection: str,
    provider: str,
    model_id: str,
    openrouter_id: str,
    source: str,
    confidence: float,
    enable: bool,
) -> Command:
    """`mongosh "$MONGODB_URI" --eval '...'`, or a problem saying which value was refused."""
    values = {"database": db_name, "collection": collection, "provider": provider, "model_id": model_id,
              "openrouter_id": openrouter_id, "source": source}
    refused = [name for name, value in values.items() if not is_identifier(value)]
    if refused:
        return Command(None, f"no command: {', '.join(refused)} failed the identifier allow-list")
    fields = (
        f'provider: "{provider}", model_id: "{model_id}", enabled: {"true" if enable else "false"}, '
        f'discovered_from: "openrouter", openrouter_id: "{openrouter_id}", match_source: "{source}", '
        f"match_confidence: {float(confidence):.2f}, staged_at: new Date(), created_at: new Date()"
    )
    script = (
        f'db.getSiblingDB("{db_name}").getCollection("{collection}").updateOne('
        f'{{provider: "{provider}", model_id: "{model_id}"}}, {{$setOnInsert: {{{fields}}}}}, {{upsert: true}})'
    )
    return Command(f"mongosh \"$MONGODB_URI\" --eval '{script}'")


def comment_line(text: object) -> str:
    """A `# ...` line that is safe to paste next to the command."""
    return f"# {comment_text(text)}"
