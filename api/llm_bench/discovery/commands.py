"""What the pasteable discovery report prints around catalog data: the staged upsert of a proposal
and the `#` comment lines beside it.

The command itself is `mongosh.stage_command` (shared with the health check), which lets only
allow-listed identifiers into the shell line; here it gets the fields that say where a proposal
came from (`discovered_from`, `openrouter_id`, `match_source`, `match_confidence`). Free text
(names, the reasoning) only ever goes in a `#` comment line, cleaned to one line, so it can
neither start a line nor end the comment.
"""

from __future__ import annotations

from ..mongosh import Command, stage_command
from ..untrusted import comment_text


def proposal_command(
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
    """The staged upsert of one proposal, or a problem saying which value was refused."""
    fields: dict[str, str | float | bool] = {
        "discovered_from": "openrouter",
        "openrouter_id": openrouter_id,
        "match_source": source,
        "match_confidence": float(confidence),
    }
    return stage_command(
        db_name=db_name, collection=collection, provider=provider, model_id=model_id, fields=fields, enable=enable
    )


def comment_line(text: object, *, indent: int = 0, limit: int = 300) -> str:
    """A `# ...` line that is safe to paste next to the command: one line, no quotes or `$`."""
    return "# " + " " * indent + comment_text(text, limit)
