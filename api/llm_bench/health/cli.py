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
from enum import Enum

import typer

from ..cli_support import guarded, load_settings, setup_logging
from ..config import Settings

log = logging.getLogger("llm_bench.health")

app = typer.Typer(add_completion=False, help="Daily health check of the LLM benchmarks, mailed through msmtp.")


class Format(str, Enum):
    text = "text"
    json = "json"


@contextlib.contextmanager
def _database(settings: Settings, demo: bool, now: dt.datetime) -> Iterator[object]:
    """The Store to read: the configured MongoDB, or a seeded embedded server for --demo."""
    from .. import repository

    if not demo:
        store = repository.connect(settings.require_mongodb_uri(), settings.mongodb_db, settings.collections)
        try:
            yield store
        finally:
            store.close()
        return
    from ..embedded import embedded_mongodb
    from ..repository.health import insert_documents
    from .demo import demo_day

    log.info("starting the embedded database and seeding a generated day")
    with embedded_mongodb() as uri:
        store = repository.connect(uri, "llm-bench-demo", settings.collections, timeout_ms=15000)
        try:
            insert_documents(store, demo_day(now))
            yield store
        finally:
            store.close()


@app.command()
def health(
    days: float = typer.Option(1.0, "--days", help="Window length in days, ending now (fractional allowed, >= 1 hour)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the complete email instead of sending; write nothing."),
    no_ai: bool = typer.Option(False, "--no-ai", help="Skip the OpenAI assessment; rules only."),
    output: Format = typer.Option(Format.text, "--format", help="text: the email; json: one JSON object."),
    demo: bool = typer.Option(False, "--demo", help="Run on an embedded database seeded with a generated day (implies --dry-run)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging on stderr."),
) -> None:
    """Collect the window's errors and successes, assess them, and mail the report.

    Examples:

      llm-health-check --dry-run              # print today's email, send nothing

      llm-health-check --days 7 --no-ai       # a week, rules only, mailed to NOTIFY_EMAIL

      llm-health-check --demo --format json   # embedded demo data, JSON on stdout
    """
    setup_logging(verbose)
    code = guarded(lambda: _run(days=days, dry_run=dry_run or demo, no_ai=no_ai, output=output, demo=demo))
    raise typer.Exit(code)


def _run(*, days: float, dry_run: bool, no_ai: bool, output: Format, demo: bool) -> int:
    from .. import __version__, mail, repository
    from ..ai import estimated_cost, make_client
    from ..errors import MailFailed
    from ..exit_codes import ExitStatus
    from ..repository.health_runs import record_run
    from .facts import window_for
    from .history import ledger_entry
    from .job import collect, compose, printable, review
    from .render import json_report

    settings = load_settings()
    started = dt.datetime.now(dt.timezone.utc)
    window = window_for(days, started)
    recipient = None if dry_run else settings.require_recipient()
    with _database(settings, demo, started) as store:
        if not dry_run:
            repository.ensure_indexes(store)
        facts, evidence = collect(store, window)
        log.info("window %s → %s: %d ok, %d errors", window.start, window.end, facts.successes, facts.errors)

        client, skipped = None, None
        if not no_ai and not settings.openai_api_key:
            skipped = "OPENAI_API_KEY is not set"
        elif not no_ai:
            client = make_client(settings)
        report = review(facts, evidence, client=client, model=settings.openai_model, skipped_because=skipped)
        message = compose(report, recipient=recipient or settings.notify_email, sender=settings.mail_from)

        def emit(mail_state: dict[str, object] | None) -> None:
            if output is Format.json:
                typer.echo(json.dumps(json_report(report, mail=mail_state), indent=2, ensure_ascii=False))
            else:
                typer.echo(printable(message))

        if dry_run:
            emit(None)
            return ExitStatus.OK
        assert recipient is not None
        status: int = ExitStatus.OK
        try:
            mail.send(message, recipient, mail.MailSettings(settings.msmtp_path, settings.msmtp_config, settings.mail_from))
            mail_state = {"sent": True, "recipient": recipient, "error": None}
            log.info("report mailed to %s (%s)", recipient, report.assessment.status.value)
            if output is Format.json:
                emit(mail_state)
        except MailFailed as exc:
            log.error("%s; the report follows on stdout", exc)
            mail_state = {"sent": False, "recipient": recipient, "error": str(exc)}
            emit(mail_state)
            status = exc.status
        assert report.changes is not None
        cost = estimated_cost(report.ai.model if report.ai.used else None, report.ai.prompt_tokens,
                              report.ai.completion_tokens)
        record_run(store, ledger_entry(report, report.changes, json_report(report), mail=mail_state,
                                       started_at=started, version=__version__, cost_usd=cost))
        return status


def main() -> None:
    app()


if __name__ == "__main__":
    main()
