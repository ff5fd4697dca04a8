"""The health job's steps and their wiring: collect, review (rules + optional AI), compose,
deliver, record.

Side effects come in as parameters (a Store, an OpenAI client or None, a delivery function or
None for a dry run, the window that fixes the clock), so the same code runs against SecantusDB
in tests, the embedded demo, and production MongoDB.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from email.message import EmailMessage
from typing import Any

from .. import __version__
from ..admission import RECHECK
from ..ai import AIResult, announce, ask_parsed, estimated_cost
from ..errors import AlreadyRunning, ConfigError, DatabaseUnavailable, MailFailed
from ..mail import build_message
from ..message_keys import is_message_key
from ..mongosh import stage_command
from ..repository import Store
from ..repository import health as queries
from ..repository.health_runs import acquire_lock, record_run, release_lock, run_context, take_over_lock
from ..untrusted import safe_text
from .ai_kinds import KindAnswers, ask_kinds
from .ai_review import SYSTEM, AssessmentAnswer, merge, prompt
from .assess import assess
from .classification import ClassifiedPattern, apply_answers, apply_cached, classified, residue, rollup_patterns
from .evidence import Evidence, evidence_from
from .facts import HealthFacts, Window, shape_facts
from .fleet import Fleet, judge, window_last_successes
from .history import compare
from .ledger import ledger_entry, previous_from_ledger
from .lifecycle import left_out, worth_adding
from .patterns import collapse
from .render import subject, text_body
from .report import AIInfo, HealthReport
from .silences import Muting, Silence, from_document
from .trend import trend_from

log = logging.getLogger("llm_bench.health")

NO_RECIPIENT = "undisclosed-recipients:;"
LOCK = "health-check"
LOCK_TTL = dt.timedelta(hours=1)  # longer than the unit's TimeoutStartSec: a crashed run's lock expires


@dataclass(frozen=True)
class AIChoice:
    """The OpenAI client to ask (None: rules only) and, when skipped, why."""

    client: Any | None
    model: str
    skipped_because: str | None = None


@dataclass(frozen=True)
class Delivery:
    """Who gets the report and how. Without `send` the run is a dry run: the message is only
    composed (for printing), nothing is sent and nothing is written."""

    recipient: str | None = None
    sender: str | None = None  # None: msmtp writes its account's `from`
    tags: str = "project"  # subject tags: project (CRITICAL/WARNING/HEALTHY) or upstream (URGENT/INFO)
    send: Callable[[EmailMessage], None] | None = None


@dataclass(frozen=True)
class Outcome:
    report: HealthReport
    message: EmailMessage
    mail: dict[str, Any] | None  # None for a dry run
    failure: MailFailed | None = None


@dataclass(frozen=True)
class Collected:
    """What a window's database commands returned, errors already classified by rules and cache."""

    window: Window
    patterns: tuple[ClassifiedPattern, ...]  # both periods when the previous one was aggregated
    successes: tuple[dict[str, Any], ...]
    rollup_patterns: tuple[ClassifiedPattern, ...]  # new patterns known only to the rollups
    previous: HealthFacts | None  # from the previous run's ledger entry, when it covered that window
    evidence: Evidence
    streak_rows: tuple[dict[str, Any], ...] = ()  # errors after each provider's last success
    trend_rows: tuple[dict[str, Any], ...] = ()  # the last daily runs' ledger projections
    silence_docs: tuple[dict[str, Any], ...] = ()  # silences active at the window's end or ended within it


def collect(store: Store, window: Window, ai_model: str | None = None) -> Collected:
    """Four database commands, whatever the number of models or errors.

    The run context (previous daily run, catalog signs, the models list with each model's last
    success ever, model-source freshness) comes first: when the previous run covered the window
    just before this one, its recorded totals stand in for that window; otherwise errors and
    successes of both windows are aggregated in the same commands. Successes come before
    errors so that the error aggregation also counts, per provider, the errors after its last
    success (the streak), in the same pass. Then the new rollups.
    """
    context = run_context(
        store,
        new_since=window.start,
        ai_model=ai_model,
        now=window.end,
        probes_since=window.end - RECHECK,
        carry_since=window.start,
    )
    evidence = evidence_from(context, staging(store))
    before = Window(window.start - (window.end - window.start), window.start)
    recorded = previous_from_ledger(evidence.previous_run, before)
    previous_start = None if recorded else before.start
    successes = queries.success_groups(store, window.start, window.end, previous_start=previous_start)
    last_success: dict[str, dt.datetime] = {}
    for row in successes:
        raw, last = row.get("raw_provider"), row.get("last_success")
        if row["period"] == "current" and isinstance(raw, str) and isinstance(last, dt.datetime):
            last_success[raw] = max(last, last_success.get(raw, last))
    rows = queries.error_patterns(
        store, window.start, window.end, previous_start=previous_start, last_success=last_success
    )
    streaks = queries.error_streaks(rows)
    patterns = _with_cached_message_keys(store, classified(rows, window.start, window.end), window.end)
    keyed = {p.fingerprint for p in patterns}
    rollups = rollup_patterns(queries.new_rollup_patterns(store, window.start, window.end), window.start, keyed)
    return Collected(
        window,
        tuple(patterns),
        tuple(successes),
        tuple(rollups),
        recorded,
        evidence,
        tuple(streaks),
        tuple(context.get("trend") or ()),
        tuple(context.get("silences") or ()),
    )


def judge_fleet(collected: Collected, facts: HealthFacts) -> Fleet:
    """The fleet against the enabled set, with each streak row given its classified kind."""
    kinds = {
        (p.provider, p.model, p.fingerprint, p.stored_kind): p.kind for p in collected.patterns if p.period == "current"
    }
    evidence = collected.evidence
    return judge(
        facts,
        evidence.context_models,
        evidence.previous_run,
        collected.streak_rows,
        kinds,
        evidence.sources,
        window_last_successes(collected.successes),
    )


def _with_cached_message_keys(
    store: Store, patterns: list[ClassifiedPattern], now: dt.datetime
) -> list[ClassifiedPattern]:
    """Patterns without a writer's fingerprint are keyed by a hash the pattern query cannot
    compute: their cached AI kinds come from one more lookup, made only when some are unknown."""
    keys = [p.fingerprint for p in residue(patterns) if is_message_key(p.fingerprint)]
    return apply_cached(patterns, queries.cached_classes(store, keys), now) if keys else patterns


def shape(collected: Collected) -> HealthFacts:
    """The window's facts (and the previous window's) from what was collected."""
    window = collected.window

    def period(items: Any, name: str) -> list[Any]:
        return [
            item for item in items if (item.period if isinstance(item, ClassifiedPattern) else item["period"]) == name
        ]

    current = period(collected.patterns, "current")
    new = tuple(p for p in current if p.new) + collected.rollup_patterns
    now = shape_facts(window, current, period(collected.successes, "current"), collapse(new))
    before = collected.previous or shape_facts(
        Window(window.start - (window.end - window.start), window.start),
        period(collected.patterns, "previous"),
        period(collected.successes, "previous"),
    )
    return replace(now, previous=before)


def classify_residue(collected: Collected, ai: AIChoice, now: dt.datetime) -> tuple[Collected, KindAnswers | None]:
    """Ask the AI once about the patterns still unknown; the collection with its answers applied."""
    unknown = residue(collected.patterns)
    if ai.client is None or not unknown:
        return collected, None
    answers = ask_kinds(ai.client, ai.model, unknown, now)
    return replace(collected, patterns=tuple(apply_answers(collected.patterns, answers.kinds))), answers


def review(
    facts: HealthFacts,
    evidence: Evidence | None,
    ai: AIChoice,
    fleet: Fleet | None = None,
    trend_rows: tuple[dict[str, Any], ...] = (),
    silences: Sequence[Silence] = (),
) -> HealthReport:
    """Assess with the rules (the last daily runs' trend included, the active silences set
    aside); when a client is given, ask the model about what is not silenced and merge its
    grounded answer; then mark what changed since the previous recorded daily run."""
    trend = trend_from(trend_rows, facts, fleet)
    rules = assess(facts, evidence, fleet, trend, silences)
    if ai.client is None:
        assessment, info = rules, AIInfo(used=False, model=None, error=ai.skipped_because)
    else:
        muting = Muting(facts, silences)
        heard = muting.facts()  # the AI judges what the silences leave
        result: AIResult = ask_parsed(
            ai.client, model=ai.model, system=SYSTEM, user=prompt(heard, rules), response_format=AssessmentAnswer
        )
        assessment, info = merge(heard, rules, result)
        if muting.active:  # what the AI adds about a silenced target stays silenced
            assessment = replace(
                assessment,
                models_likely_deprecated=tuple(
                    f
                    for f in assessment.models_likely_deprecated
                    if f in rules.models_likely_deprecated
                    or not muting.hides_model(f.provider, f.model, ("hard_model",))
                ),
                code_fixes_needed=tuple(
                    f
                    for f in assessment.code_fixes_needed
                    if f in rules.code_fixes_needed or not muting.hides_model(f.provider, f.model, ("hard_capability",))
                ),
                provider_issues=tuple(
                    i
                    for i in assessment.provider_issues
                    if i.kind != "ai" or muting.first(i.provider, None, ()) is None
                ),
            )
    changes = compare(facts, assessment, evidence.previous_run if evidence else None, facts.window.end)
    lifecycle = evidence.lifecycle if evidence else None
    new_models = tuple(worth_adding(lifecycle, stage=evidence.stage)) if evidence and lifecycle else ()
    left = tuple(left_out(lifecycle)) if lifecycle else ()
    trend = trend.with_status(assessment.status.value)
    return HealthReport(facts, assessment, info, facts.window.end, changes, new_models, left, trend)


def silences_for(collected: Collected) -> tuple[Silence, ...]:
    """The silences that matter to the window (active at its end, or ended within it), as the
    run context read them."""
    found = (from_document(doc) for doc in collected.silence_docs)
    return tuple(s for s in found if s is not None)


def staging(store: Store) -> Callable[[str, str], str | None]:
    """The staged `mongosh` upsert of a model into this database's `models` (None if refused)."""

    def command(provider: str, model_id: str) -> str | None:
        return stage_command(
            db_name=store.db.name,
            collection=store.names.models,
            provider=provider,
            model_id=model_id,
            fields={"staged_by": "llm-health-check"},
        ).text

    return command


def _check_collections(store: Store) -> None:
    """Nothing in the window: tell a wrong database or collection name apart from an idle fleet."""
    missing = queries.missing_collections(store, ("errors", "successes"))
    if len(missing) == 2:
        raise ConfigError(
            f"database {store.db.name!r} has neither {missing[0]!r} nor {missing[1]!r}: check "
            "MONGODB_DB and the collection variables (ERRORS_COLLECTION, METRICS_COLLECTION)"
        )


def compose(report: HealthReport, delivery: Delivery) -> EmailMessage:
    """The email; without a sender it has no From: (msmtp writes its account's `from` there)."""
    return build_message(
        subject(report, delivery.tags),
        text_body(report),
        sender=delivery.sender,
        recipient=delivery.recipient or NO_RECIPIENT,
        now=report.generated_at,
    )


def run(store: Store, window: Window, ai: AIChoice, delivery: Delivery) -> Outcome:
    """One health run. A delivery without `send` is a dry run: nothing is sent and nothing written.

    Otherwise one run at a time holds the lock (AlreadyRunning when another does; a lock whose
    owner was a process of this host that is gone is taken over), the message is sent and the run
    recorded in the ledger, also when sending failed (the outcome then carries the failure for the
    caller). A run that fails reports its own failure, even when the lock cannot be released.
    """
    started = dt.datetime.now(dt.UTC)
    if delivery.send is None:
        return _run(store, window, ai, delivery, started)
    host, pid = socket.gethostname(), os.getpid()
    owner = f"{host}:{pid}:{started.isoformat()}"
    holder = acquire_lock(store, LOCK, owner, started, LOCK_TTL, host=host, pid=pid)
    gone = holder is not None and owner_gone(holder, host)
    if gone and take_over_lock(store, LOCK, holder or {}, owner, started, LOCK_TTL, host=host, pid=pid):
        log.warning("took over the run lock of %s: that process is gone", safe_text((holder or {}).get("owner"), 120))
        holder = None
    if holder is not None:
        since = holder.get("started_at")
        when = f", since {since:%Y-%m-%d %H:%M} UTC" if isinstance(since, dt.datetime) else ""
        raise AlreadyRunning(
            f"another health check is running ({safe_text(holder.get('owner'), 120)}{when}); "
            "this one sends and records nothing"
        )
    try:
        outcome = _run(store, window, ai, delivery, started)
    except BaseException:
        try:  # the failure that stopped the run is the one to report, not a lock left behind
            release_lock(store, LOCK, owner)
        except DatabaseUnavailable as exc:
            log.warning("%s; the next run on this host takes the lock over", exc)
        raise
    release_lock(store, LOCK, owner)
    return outcome


def owner_gone(holder: Mapping[str, Any], host: str) -> bool:
    """Whether the lock's owner was a process of this host that no longer exists."""
    held_by, pid = holder.get("host"), holder.get("pid")
    if held_by is None and isinstance(holder.get("owner"), str):  # a lock taken before host and pid were stored
        parts = holder["owner"].split(":", 2)
        held_by, pid = parts[0], int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None
    if held_by != host or not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, but another user's (or not ours to ask about)
        return False
    return False


def _run(store: Store, window: Window, ai: AIChoice, delivery: Delivery, started: dt.datetime) -> Outcome:
    collected = collect(store, window, ai.model if ai.client is not None else None)
    if not collected.patterns and not collected.successes:
        _check_collections(store)
    if ai.client is not None:
        announce(ai.client, ai.model)
    collected, answers = classify_residue(collected, ai, window.end)
    if answers is not None and answers.result.unreachable:  # a hung endpoint costs one timeout, not two
        ai = replace(ai, client=None, skipped_because=f"{answers.result.error}; not asked again in this run")
    facts = shape(collected)
    report = review(
        facts,
        collected.evidence,
        ai,
        judge_fleet(collected, facts),
        collected.trend_rows,
        silences_for(collected),
    )
    message = compose(report, delivery)
    if delivery.send is None:
        return Outcome(report, message, None)
    if answers is not None:
        queries.save_error_classes(store, answers.cache)
    failure = None
    try:
        delivery.send(message)
        mail: dict[str, Any] = {"sent": True, "recipient": delivery.recipient, "error": None}
    except MailFailed as exc:
        failure, mail = exc, {"sent": False, "recipient": delivery.recipient, "error": str(exc)}
    assert report.changes is not None
    lifecycle = collected.evidence.lifecycle
    cost = estimated_cost(
        lifecycle.ai_prices if lifecycle and report.ai.used else None,
        report.ai.prompt_tokens,
        report.ai.completion_tokens,
    )
    record_run(
        store, ledger_entry(report, report.changes, mail=mail, started_at=started, version=__version__, cost_usd=cost)
    )
    return Outcome(report, message, mail, failure)


def printable(message: EmailMessage) -> str:
    """The complete email as a person reads it: headers, a blank line, the decoded body."""
    headers = "".join(
        f"{name}: {value}\n"
        for name, value in message.items()
        if name.lower() not in ("content-transfer-encoding", "mime-version")
    )
    body = message.get_content()
    return f"{headers}\n{body}"
