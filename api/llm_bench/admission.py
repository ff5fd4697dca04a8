"""What the probes of one proposed id say about it, shared by discovery's report and the health mail.

`llm-discovery probe` sends one small chat request per proposed id and records each attempt
(`probe_results`). From the attempts of the last RECHECK period this module decides, per
(provider, model_id):

- verified: two successes at least VERIFY_GAP apart (after the latest refusal, if any);
- refused: the latest attempt was a definitive refusal (REFUSALS); the id is left out of the
  report and the mail, with that reason, until RECHECK after the refusal, then probed again;
- due: whether the next run should probe it (never while refused or verified; after one
  success, once VERIFY_GAP has passed; after a transient failure, on the next run).

Attempts older than RECHECK are not read, so a verification or a refusal lapses by itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: How long a refusal keeps an id out, and how long a verification stands, before a new probe.
RECHECK = dt.timedelta(days=30)
#: Two successes at least this far apart verify an id (one success may be a lucky moment).
VERIFY_GAP = dt.timedelta(hours=2)
#: Definitive refusals: reason -> what it means, as the report and the mail say it.
REFUSALS: Mapping[str, str] = {
    "not_found": "the provider does not know the id",
    "no_access": "the account has no access to the model",
    "terms": "the model's terms must be accepted first",
    "dedicated_endpoint": "the model needs a dedicated endpoint",
    "not_serverless": "the model is not served serverless",
}
#: Requests one probe run sends by default (`--max-calls`), and at most.
DEFAULT_CALLS = 5
MAX_CALLS = 50
#: Outcomes of one attempt: `stopped` is an auth or billing answer (the provider is not asked again
#: in that run), `transient` anything to retry on a later run (429, 5xx, timeout, other 4xx).
OUTCOMES = ("success", "refused", "stopped", "transient")


@dataclass(frozen=True)
class Attempt:
    provider: str
    model_id: str
    at: dt.datetime
    outcome: str
    status: int | None = None
    kind: str | None = None
    reason: str | None = None  # one of REFUSALS for a refusal
    message: str = ""

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Attempt | None:
        """An attempt from a stored document; None for one that cannot be read."""
        at, outcome = doc.get("at"), doc.get("outcome")
        provider, model_id = doc.get("provider"), doc.get("model_id")
        if not (isinstance(at, dt.datetime) and outcome in OUTCOMES):
            return None
        if not (isinstance(provider, str) and isinstance(model_id, str)):
            return None
        status, reason, message = doc.get("status"), doc.get("reason"), doc.get("message")
        return cls(
            provider,
            model_id,
            at,
            outcome,
            status if isinstance(status, int) and not isinstance(status, bool) else None,
            doc.get("kind") if isinstance(doc.get("kind"), str) else None,
            reason if reason in REFUSALS else None,
            message if isinstance(message, str) else "",
        )


@dataclass(frozen=True)
class Standing:
    """What the recent attempts say about one id."""

    provider: str
    model_id: str
    attempts: int
    successes: int
    last: Attempt
    first_success: dt.datetime | None = None
    verified_at: dt.datetime | None = None
    refusal: Attempt | None = None  # the latest attempt, when it was a definitive refusal

    @property
    def refused_until(self) -> dt.datetime | None:
        return self.refusal.at + RECHECK if self.refusal else None

    def due(self, now: dt.datetime) -> bool:
        """Whether a probe run at `now` should call this id."""
        if self.refusal is not None:
            return now >= self.refusal.at + RECHECK
        if self.verified_at is not None:
            return False
        if self.first_success is not None and self.last.outcome == "success":
            return now - self.first_success >= VERIFY_GAP
        return True

    def summary(self) -> str:
        """One line for the report and the mail."""
        when = f"{self.last.at:%Y-%m-%d %H:%M} UTC"
        if self.refusal is not None:
            return (
                f"refused by probe ({REFUSALS.get(self.refusal.reason or '', 'refused')}, "
                f"{when}; recheck after {self.refused_until:%Y-%m-%d})"
            )
        if self.verified_at is not None:
            return f"verified by probe ({self.successes} successes, last {when})"
        if self.last.outcome == "success":
            return f"1 probe success ({when}); verified after a second one {VERIFY_GAP.seconds // 3600} h later"
        status = f"HTTP {self.last.status}" if self.last.status else (self.last.kind or "no answer")
        return f"last probe failed ({status}, {when}); retried on the next run"


def standings(attempts: Iterable[Attempt]) -> dict[tuple[str, str], Standing]:
    """Each id's standing from its attempts (those of the last RECHECK period, in any order)."""
    by_id: dict[tuple[str, str], list[Attempt]] = {}
    for attempt in attempts:
        by_id.setdefault((attempt.provider, attempt.model_id), []).append(attempt)
    found = {}
    for key, group in by_id.items():
        group.sort(key=lambda a: a.at)
        last = group[-1]
        refused = [a for a in group if a.outcome == "refused"]
        after = refused[-1].at if refused else None
        successes = [a.at for a in group if a.outcome == "success" and (after is None or a.at > after)]
        verified = next((at for at in successes if at - successes[0] >= VERIFY_GAP), None)
        found[key] = Standing(
            key[0],
            key[1],
            len(group),
            len(successes),
            last,
            successes[0] if successes else None,
            verified,
            last if last.outcome == "refused" else None,
        )
    return found


def read_standings(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Standing]:
    """Standings from stored `probe_results` documents, unreadable ones ignored."""
    return standings(a for row in rows if (a := Attempt.from_document(row)) is not None)
