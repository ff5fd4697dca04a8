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
        with repository.opened(settings, write=write) as store:
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
        help="Window length in days, ending now: 0.0417 (one hour) to 366, fractional allowed.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the complete email instead of sending; write nothing."
    ),
    no_ai: bool = typer.Option(False, "--no-ai", help="Skip the OpenAI assessment; rules only."),
    output: Format = typer.Option(Format.text, "--format", help="text: the email; json: one JSON object."),
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
        except AlreadyRunning as exc:
            log.warning("%s", exc)
            return ExitStatus.OK
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
