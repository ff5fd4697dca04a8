"""The health job's steps, wired by the CLI: collect, review (rules + optional AI), compose.

Each step takes its side effects as parameters (a Store, an OpenAI client or None, the clock),
so the same code runs against SecantusDB in tests, the embedded demo, and production MongoDB.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from email.message import EmailMessage
from typing import Any

from ..ai import AIResult, ask_json
from ..mail import build_message, default_sender
from ..repository import Store
from ..repository import health as queries
from ..repository.health_runs import run_context
from .ai_review import SCHEMA, SYSTEM, AIInfo, merge, prompt
from .assess import assess
from .evidence import Evidence, evidence_from
from .facts import HealthFacts, Window, shape_facts
from .history import compare
from .patterns import collapse
from .render import HealthReport, subject, text_body

NO_RECIPIENT = "undisclosed-recipients:;"


def collect(store: Store, window: Window) -> tuple[HealthFacts, Evidence]:
    """Four database commands, whatever the number of models, then pure shaping.

    Errors and successes are aggregated for this window and the one before it in the same
    command; the run context (previous run, catalog signs, models list) is one more.
    """
    previous = Window(window.start - (window.end - window.start), window.start)
    errors = queries.error_groups(store, window.start, window.end, previous_start=previous.start)
    successes = queries.success_groups(store, window.start, window.end, previous_start=previous.start)
    patterns = queries.new_error_patterns(store, window.start, window.end)
    context = run_context(store)

    def period(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
        return [r for r in rows if r["period"] == name]

    before = shape_facts(previous, period(errors, "previous"), period(successes, "previous"), [])
    now = shape_facts(window, period(errors, "current"), period(successes, "current"), patterns)
    return replace(now, new_patterns=collapse(now.new_patterns), previous=before), evidence_from(context)


def review(facts: HealthFacts, evidence: Evidence | None, *, client: Any | None, model: str,
           skipped_because: str | None = None) -> HealthReport:
    """Assess with the rules; when a client is given, ask the model and merge its grounded answer;
    then mark what changed since the previous recorded run."""
    rules = assess(facts, evidence)
    now = dt.datetime.now(dt.timezone.utc)
    if client is None:
        assessment, info = rules, AIInfo(used=False, model=None, error=skipped_because)
    else:
        result: AIResult = ask_json(client, model=model, system=SYSTEM, user=prompt(facts, rules), schema=SCHEMA,
                                    name="health_assessment")
        assessment, info = merge(facts, rules, result)
    changes = compare(facts, assessment, evidence.previous_run if evidence else None, facts.window.end)
    return HealthReport(facts, assessment, info, now, changes)


def compose(report: HealthReport, *, recipient: str | None, sender: str | None) -> EmailMessage:
    return build_message(subject(report), text_body(report), sender=sender or default_sender(),
                         recipient=recipient or NO_RECIPIENT, now=report.generated_at)


def printable(message: EmailMessage) -> str:
    """The complete email as a person reads it: headers, a blank line, the decoded body."""
    headers = "".join(f"{name}: {value}\n" for name, value in message.items()
                      if name.lower() not in ("content-transfer-encoding", "mime-version"))
    body = message.get_content()
    return f"{headers}\n{body}"
