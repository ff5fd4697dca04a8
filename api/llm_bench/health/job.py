"""The health job's steps, wired by the CLI: collect, review (rules + optional AI), compose.

Each step takes its side effects as parameters (a Store, an OpenAI client or None, the clock),
so the same code runs against SecantusDB in tests, the embedded demo, and production MongoDB.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import Any

from ..ai import AIResult, ask_json
from ..mail import build_message, default_sender
from ..repository import Store
from ..repository import health as queries
from .ai_review import SCHEMA, SYSTEM, AIInfo, merge, prompt
from .assess import assess
from .facts import HealthFacts, Window, shape_facts
from .render import HealthReport, subject, text_body

NO_RECIPIENT = "undisclosed-recipients:;"


def collect(store: Store, window: Window) -> HealthFacts:
    """Three aggregation commands, whatever the number of models, then pure shaping."""
    errors = queries.error_groups(store, window.start, window.end)
    successes = queries.success_groups(store, window.start, window.end)
    patterns = queries.new_error_patterns(store, window.start, window.end)
    return shape_facts(window, errors, successes, patterns)


def review(facts: HealthFacts, *, client: Any | None, model: str, skipped_because: str | None = None) -> HealthReport:
    """Assess with the rules; when a client is given, ask the model and merge its grounded answer."""
    rules = assess(facts)
    now = dt.datetime.now(dt.timezone.utc)
    if client is None:
        return HealthReport(facts, rules, AIInfo(used=False, model=None, error=skipped_because), now)
    result: AIResult = ask_json(client, model=model, system=SYSTEM, user=prompt(facts, rules), schema=SCHEMA,
                                name="health_assessment")
    merged, info = merge(facts, rules, result)
    return HealthReport(facts, merged, info, now)


def compose(report: HealthReport, *, recipient: str | None, sender: str | None) -> EmailMessage:
    return build_message(subject(report), text_body(report), sender=sender or default_sender(),
                         recipient=recipient or NO_RECIPIENT, now=report.generated_at)


def printable(message: EmailMessage) -> str:
    """The complete email as a person reads it: headers, a blank line, the decoded body."""
    headers = "".join(f"{name}: {value}\n" for name, value in message.items()
                      if name.lower() not in ("content-transfer-encoding", "mime-version"))
    body = message.get_content()
    return f"{headers}\n{body}"
