"""`llm-health-check` / `ops/daily-health-check.py`: the typer app of the daily health check.

It parses options, wires the steps of `job` to real side effects (MongoDB, OpenAI, msmtp) and
renders the result. Heavy libraries are imported inside the command so `--help` is instant.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import typer

from ..cli_support import (
    CONTEXT,
    VERSION_OPTION,
    Format,
    check_as_of,
    check_days,
    exit_statuses,
    guarded,
    load_settings,
    setup_logging,
)
from ..config import Settings

if TYPE_CHECKING:
    from ..repository import Store
from ..exit_codes import HEALTH

log = logging.getLogger("llm_bench.health")

app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


@contextlib.contextmanager
def _database(settings: Settings, demo: bool, write: bool, now: dt.datetime) -> Iterator[Store]:
    """The Store to read: the configured MongoDB, or a seeded embedded server for --demo."""
    from .. import repository

    if not demo:
        uri = settings.require_mongodb_uri("or use --demo to run on the embedded database")
        with repository.opened(settings, write=write, uri=uri) as store:
            yield store
        return
    from ..embedded import embedded_mongodb
    from ..repository.health import insert_documents
    from .demo import demo_day

    log.info("starting the embedded database and seeding a generated day")
    with (
        embedded_mongodb() as uri,
        repository.opened(settings, write=False, uri=uri, db_name="llm-bench-demo") as store,
    ):
        insert_documents(store, demo_day(now))
        yield store


@app.callback(invoke_without_command=True, epilog=exit_statuses(HEALTH))
def health(
    ctx: typer.Context,
    days: float = typer.Option(
        1.0,
        "--days",
        callback=check_days,
        help="Window length in days, ending now: 0.0416 (one hour) to 366, fractional allowed.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the complete email instead of sending; write nothing."
    ),
    no_ai: bool = typer.Option(False, "--no-ai", help="Skip the OpenAI assessment; rules only."),
    output: Format = typer.Option(
        Format.text,
        "--format",
        help="text: the email; json: one JSON object (a real run still mails and records: see 'delivery').",
    ),
    demo: bool = typer.Option(
        False, "--demo", help="Run on an embedded database seeded with a generated day (implies --dry-run)."
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        callback=check_as_of,
        help="Judge the window ending at this UTC time instead of now (ISO 8601), to replay a past day.",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging on stderr."),
    version: bool = VERSION_OPTION,
) -> None:
    """Collect the window's errors and successes, judge the fleet, and mail the report.

    Without a command, the check runs (as the systemd unit calls it).

    Examples:

    \b
      llm-health-check --dry-run             # print today's email, send nothing
      llm-health-check --days 7 --no-ai      # a week, rules only, mail it
      llm-health-check --demo --format json  # embedded demo data, JSON
      llm-health-check --dry-run --as-of 2026-11-26T08:00   # replay that morning's check
    """
    setup_logging(verbose)
    if ctx.invoked_subcommand is not None:
        return
    end = dt.datetime.fromisoformat(as_of) if as_of else None
    code = guarded(lambda: _run(days=days, dry_run=dry_run or demo, no_ai=no_ai, output=output, demo=demo, as_of=end))
    raise typer.Exit(code)


def _run(
    *, days: float, dry_run: bool, no_ai: bool, output: Format, demo: bool, as_of: dt.datetime | None = None
) -> int:
    from .. import mail
    from ..ai import make_client
    from ..errors import AlreadyRunning
    from ..exit_codes import ExitStatus
    from .facts import window_for
    from .job import AIChoice, Delivery, printable, run
    from .render import json_report

    settings = load_settings()
    now = as_of or dt.datetime.now(dt.UTC)
    window = window_for(days, now)
    recipient = None if dry_run else settings.require_recipient("use --dry-run to print the report instead")
    if not dry_run:
        settings.require_msmtp_config()
    if no_ai:
        ai = AIChoice(None, settings.openai_model)
    elif not settings.openai_api_key:
        ai = AIChoice(None, settings.openai_model, "OPENAI_API_KEY is not set")
    else:
        ai = AIChoice(make_client(settings), settings.openai_model)
    delivery = Delivery(
        recipient=recipient or settings.notify_email, sender=settings.mail_from, tags=settings.subject_tags
    )
    if not dry_run:
        delivery = replace(
            delivery, send=lambda message: mail.send(message, settings.require_recipient(), settings.mail)
        )

    with _database(settings, demo, not dry_run, now) as store:
        try:
            outcome = run(store, window, ai, delivery)
        except AlreadyRunning as exc:  # a skipped run is no success: its own status, for the ping too
            log.warning("%s", exc)
            return exc.status
    facts = outcome.report.facts
    log.info(
        "window %s → %s: %d ok, %d errors; status %s",
        window.start,
        window.end,
        facts.successes,
        facts.errors,
        outcome.report.assessment.status.value,
    )
    if outcome.failure:
        log.error("%s; the report follows on stdout", outcome.failure)
    elif outcome.mail:
        log.info("report mailed to %s", recipient)
    if output is Format.json:
        typer.echo(json.dumps(json_report(outcome.report, mail=outcome.mail), indent=2, ensure_ascii=False))
    elif dry_run or outcome.failure:
        typer.echo(printable(outcome.message))
    return outcome.failure.status if outcome.failure else ExitStatus.OK


@app.command("history", epilog=exit_statuses(HEALTH))
def history(
    days: int = typer.Option(30, "--days", min=1, max=366, help="How many days back, 1 to 366."),
    output: Format = typer.Option(Format.text, "--format", help="text: a table; json: one JSON object."),
    include_manual: bool = typer.Option(False, "--all", help="Manual runs too (marked), not only the daily ones."),
    as_of: str | None = typer.Option(
        None, "--as-of", callback=check_as_of, help="The span ends at this UTC time instead of now (ISO 8601)."
    ),
) -> None:
    """The run ledger: one line per daily run (date, status, coverage, successes, errors, error
    rate, top problems) and sparklines; --format json for scripts.

    Examples:

    \b
      llm-health-check history                    # the last 30 days
      llm-health-check history --days 14 --all    # manual runs too
      llm-health-check history --format json
    """
    until = dt.datetime.fromisoformat(as_of) if as_of else None
    code = guarded(lambda: _history(days=days, output=output, include_manual=include_manual, until=until))
    raise typer.Exit(code)


def _history(*, days: int, output: Format, include_manual: bool, until: dt.datetime | None) -> int:
    from .. import repository
    from ..exit_codes import ExitStatus
    from ..repository.health_runs import ledger_history
    from .timeline import text_table, timeline

    settings = load_settings()
    end = until or dt.datetime.now(dt.UTC)
    since = end - dt.timedelta(days=days)
    with repository.opened(settings, write=False) as store:
        docs = ledger_history(store, since, daily_only=not include_manual)
    t = timeline(docs, since, end, include_manual)
    if output is Format.json:
        typer.echo(json.dumps(t.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(text_table(t), nl=False)
    return ExitStatus.OK


silence_app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
    no_args_is_help=True,
    help="""Acknowledge a known problem until a date, without hiding anything else.

    A silenced problem is listed in every report with its reason and end date, and sets neither
    the status, the subject nor the summary; its errors leave the error-rate thresholds. It
    covers only what it names: TARGET (a provider, or provider:model_id) and, with --kind, one
    error kind.

    Examples:

    \b
      llm-health-check silence add openai --for 3d --reason "invoice 4711 unpaid" --kind billing
      llm-health-check silence list --format json
      llm-health-check silence remove ID     # the id that add and list print
    """,
)
app.add_typer(silence_app, name="silence")

AS_OF_SILENCE = typer.Option(
    None,
    "--as-of",
    callback=check_as_of,
    help="Act as of this UTC time instead of now (ISO 8601), as the check's --as-of.",
)


def _now(as_of: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(as_of) if as_of else dt.datetime.now(dt.UTC)


def _who() -> tuple[str, str]:
    """The user and host running the command, recorded with each creation and removal."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return user, socket.gethostname()


def _silence_out(data: object, text: str, output: Format) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False) if output is Format.json else text)


@silence_app.command("add", epilog=exit_statuses(HEALTH))
def silence_add(
    target: str = typer.Argument(..., metavar="TARGET", help="A provider (openai) or one model (openai:gpt-4o)."),
    period: str | None = typer.Option(None, "--for", help="How long: 12h, 3d, 2w (1h to 90d)."),
    until: str | None = typer.Option(None, "--until", help="Through the end of this day (UTC), YYYY-MM-DD."),
    reason: str | None = typer.Option(None, "--reason", help="Why (required), shown in every report."),
    kind: str | None = typer.Option(None, "--kind", help="Only problems of this error kind (auth, billing ...)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the silence it would make; write nothing."),
    output: Format = typer.Option(Format.text, "--format", help="text or json."),
    as_of: str | None = AS_OF_SILENCE,
) -> None:
    """Silence TARGET's problems until a date, with a reason; prints the silence with its id.

    Examples:

    \b
      llm-health-check silence add openai --for 3d --reason "invoice 4711 unpaid"
      llm-health-check silence add bedrock --for 2w --kind auth --reason "key rotation, ticket 88"
      llm-health-check silence add groq:qwen-qwq-32b --for 12h --reason "known outage" --dry-run
    """

    def action() -> int:
        import secrets

        from .silences import new_silence, to_document

        user, host = _who()
        silence = new_silence(
            target,
            reason=reason,
            period=period,
            until=until,
            kind=kind,
            now=_now(as_of),
            silence_id=secrets.token_hex(4),
            by=f"{user}@{host}",
        )
        if not dry_run:
            from .. import repository
            from ..repository.silences import insert_silence

            with repository.opened(load_settings(), write=True) as store:
                insert_silence(store, to_document(silence, user, host))
        prefix = "would add (dry run, nothing written): " if dry_run else "added: "
        _silence_out({**silence.to_dict(), "dry_run": dry_run}, prefix + silence.text, output)
        return 0

    raise typer.Exit(guarded(action))


@silence_app.command("list", epilog=exit_statuses(HEALTH))
def silence_list(
    everything: bool = typer.Option(False, "--all", help="Include expired and removed silences."),
    output: Format = typer.Option(Format.text, "--format", help="text or json (a list of silences)."),
    as_of: str | None = AS_OF_SILENCE,
) -> None:
    """List the active silences (with --all, expired and removed ones too), latest end first.

    Examples:

    \b
      llm-health-check silence list
      llm-health-check silence list --all --format json
    """

    def action() -> int:
        from .. import repository
        from ..repository.silences import find_silences
        from .silences import from_document

        now = _now(as_of)
        with repository.opened(load_settings(), write=False) as store:
            docs = find_silences(store, ending_after=None if everything else now)
        found = [s for s in map(from_document, docs) if s is not None and (everything or s.active(now))]
        text = "\n".join(s.text for s in found) if found else ("no silences" if everything else "no active silences")
        _silence_out([s.to_dict() for s in found], text, output)
        return 0

    raise typer.Exit(guarded(action))


@silence_app.command("remove", epilog=exit_statuses(HEALTH))
def silence_remove(
    silence_id: str = typer.Argument(..., metavar="ID", help="The silence's id, as add and list print it."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what it would remove; write nothing."),
    as_of: str | None = AS_OF_SILENCE,
) -> None:
    """End a silence now (it stays on record, with who removed it and when).

    Examples:

    \b
      llm-health-check silence remove ID              # the id that add and list print
      llm-health-check silence remove ID --dry-run    # says what it would remove
    """

    def action() -> int:
        from .. import repository
        from ..errors import OpsError
        from ..exit_codes import ExitStatus
        from ..repository.silences import find_silence, remove_silence
        from .silences import from_document

        wanted = silence_id.strip()
        user, host = _who()
        with repository.opened(load_settings(), write=not dry_run) as store:
            doc = find_silence(store, wanted) if wanted else None
            if doc is None or doc.get("removed"):
                why = "was already removed" if doc else "does not exist (see: llm-health-check silence list --all)"
                raise OpsError(f"silence {wanted[:40]!r} {why}", ExitStatus.USAGE)
            if not dry_run:
                doc = remove_silence(store, wanted, at=_now(as_of), user=user, host=host) or doc
        silence = from_document(doc)
        shown = silence.text if silence else wanted
        typer.echo(("would remove (dry run, nothing written): " if dry_run else "removed: ") + shown)
        return 0

    raise typer.Exit(guarded(action))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
