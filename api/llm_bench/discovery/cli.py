"""`llm-discovery`: fetch the OpenRouter catalog, report models worth adding, probe them, show stats.

Thin on purpose: each command parses options, opens the store, calls one job from `jobs` and
renders its result. pymongo, openai and httpx are imported inside the commands, so `--help`
stays instant. stdout carries only the report; logs and notes go to stderr.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import typer

from ..admission import DEFAULT_CALLS, MAX_CALLS
from ..cli_support import (
    CONTEXT,
    VERSION_OPTION,
    Format,
    check_url,
    exit_statuses,
    guarded,
    load_settings,
    setup_logging,
)
from ..config import Settings
from ..errors import OpsError
from ..exit_codes import FETCH, PROBE, REPORT, STATS, ExitStatus
from .matching import PROVIDERS

log = logging.getLogger("llm_bench.discovery")

app = typer.Typer(
    help="Track OpenRouter's model catalog and propose new models for the benchmark.",
    epilog="Each command's --help lists the exit statuses it can end with.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


@app.callback()
def _options(version: bool = VERSION_OPTION) -> None:
    """Track OpenRouter's model catalog and propose new models for the benchmark."""


_FORMAT = typer.Option(Format.text, "--format", help="text for people, json for scripts")
_VERBOSE = typer.Option(False, "--verbose", "-v", help="debug logging on stderr")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


#: The longest --since accepted: longer would reach before any catalog (and past datetime's range).
MAX_PERIOD = dt.timedelta(days=36_500)
#: The most proposals one report may print (--max-matches).
MAX_MATCHES = 100


def parse_period(text: str) -> dt.timedelta:
    """ "7d", "24h", "2w" or "90m" as a timedelta, at most MAX_PERIOD; else a one-line usage error."""
    found = re.fullmatch(r"\s*(\d{1,12})\s*([mhdw])\s*", text.lower())
    if not found or int(found.group(1)) == 0:
        raise OpsError(f"--since: expected a period such as 7d, 24h, 2w or 90m, got {text[:40]!r}", ExitStatus.USAGE)
    unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[found.group(2)]
    try:
        period = dt.timedelta(**{unit: int(found.group(1))})
    except OverflowError:
        period = dt.timedelta.max
    if period > MAX_PERIOD:
        raise OpsError(f"--since: at most {MAX_PERIOD.days}d (100 years), got {text[:40]!r}", ExitStatus.USAGE)
    return period


def _emit(result: Any, fmt: Format, text_renderer: str) -> None:
    from . import render

    typer.echo(render.to_json(result) if fmt is Format.json else getattr(render, text_renderer)(result))


@app.command(epilog=exit_statuses(FETCH))
def fetch(
    url: str = typer.Option(
        None,
        "--url",
        callback=check_url,
        help="catalog URL, http or https (default: OPENROUTER_MODELS_URL or OpenRouter's)",
    ),
    timeout: float = typer.Option(30.0, "--timeout", min=1, help="seconds per HTTP request"),
    retries: int = typer.Option(3, "--retries", min=0, help="retries on 5xx and network errors (catalog)"),
    deadline: float = typer.Option(
        300.0, "--deadline", min=1, help="seconds for the whole catalog fetch: every page and retry"
    ),
    source_deadline: float = typer.Option(
        120.0, "--source-deadline", min=1, help="seconds for all the pages of one model source"
    ),
    no_sources: bool = typer.Option(False, "--no-sources", help="fetch the OpenRouter catalog only"),
    fmt: Format = _FORMAT,
    verbose: bool = _VERBOSE,
) -> None:
    """Refresh the model sources and the catalog, refuse broken answers, store them, print what changed.

    Model sources: the model registry (MODEL_REGISTRY_URL, default LiteLLM's model map) and the
    own model list of each provider whose key is set (OPENAI_API_KEY, ANTHROPIC_API_KEY,
    GROQ_API_KEY, TOGETHER_API_KEY, FIREWORKS_API_KEY, DEEPINFRA_API_KEY, CEREBRAS_API_KEY; URL
    overridden by <PROVIDER>_MODELS_URL, e.g. GROQ_MODELS_URL). A provider whose API base is
    overridden (OPENAI_BASE_URL, <PROVIDER>_BASE_URL) without its <PROVIDER>_MODELS_URL keeps its
    key at that host: its public list is skipped, with a note. A failed source is recorded and
    changes nothing; the exit status is about the OpenRouter catalog.

    Examples:

      llm-discovery fetch

      OPENROUTER_MODELS_URL=http://127.0.0.1:8000/api/v1/models llm-discovery fetch --format json
    """
    setup_logging(verbose)

    def action() -> None:
        from ..repository import opened
        from .download import Limits
        from .jobs import run_fetch
        from .sources import SourceConfig

        settings = load_settings()
        config = (
            None
            if no_sources
            else SourceConfig.from_settings(settings, Limits(timeout=timeout, deadline=source_deadline))
        )
        with opened(settings, write=True) as store:
            result = run_fetch(
                store,
                url or settings.openrouter_models_url,
                _now(),
                config,
                timeout=timeout,
                retries=retries,
                deadline=deadline,
            )
        _emit(result, fmt, "fetch_text")

    guarded(action)


def _asker(settings: Settings, no_ai: bool) -> Any:
    if no_ai:
        log.info("AI matching off (--no-ai): rules and cached answers only")
        return None
    if not settings.openai_api_key:
        log.info("OPENAI_API_KEY is not set: AI matching skipped, rules and cached answers only")
        return None
    from ..ai import make_client
    from .ai_match import Ask

    return Ask(make_client(settings), settings.openai_model)


@app.command(epilog=exit_statuses(REPORT))
def report(
    since: str = typer.Option(None, "--since", help="only models first seen within this period (7d, 24h, 2w)"),
    max_matches: int = typer.Option(20, "--max-matches", min=1, max=MAX_MATCHES, help="stop after this many proposals"),
    min_confidence: float = typer.Option(0.7, "--min-confidence", min=0.0, max=1.0, help="drop weaker proposals"),
    provider: list[str] = typer.Option(None, "--provider", "-p", help=f"only these providers: {', '.join(PROVIDERS)}"),
    no_ai: bool = typer.Option(False, "--no-ai", help="rules and cached AI answers only"),
    refresh: bool = typer.Option(False, "--refresh", help="ask the AI again even about models it answered before"),
    enable: bool = typer.Option(False, "--enable", help="commands insert models enabled (default: staged, disabled)"),
    fmt: Format = _FORMAT,
    verbose: bool = _VERBOSE,
) -> None:
    """Propose catalog models the benchmark does not cover, each with a copy-paste mongosh command.

    Examples:

      llm-discovery report --since 7d

      llm-discovery report -p bedrock -p vertex --no-ai --format json
    """
    setup_logging(verbose)
    unknown = sorted(set(provider or ()) - set(PROVIDERS))
    if unknown:
        raise typer.BadParameter(f"unknown provider(s) {', '.join(unknown)}; choose from {', '.join(PROVIDERS)}")

    def action() -> None:
        from ..repository import opened
        from .jobs import ReportOptions, build_report, require_fetched

        period = parse_period(since) if since else None
        settings = load_settings()
        options = ReportOptions(
            since=period,
            max_matches=max_matches,
            min_confidence=min_confidence,
            providers=tuple(provider) if provider else PROVIDERS,
            refresh=refresh,
            enable=enable,
        )
        with opened(settings, write=True) as store:
            require_fetched(store)
            result = build_report(store, settings.mongodb_db, options, _asker(settings, no_ai), _now())
        for note in result.notes:
            log.warning("%s", note)
        _emit(result, fmt, "report_text")

    guarded(action)


@app.command(epilog=exit_statuses(PROBE))
def probe(
    provider: list[str] = typer.Option(None, "--provider", "-p", help=f"only these providers: {', '.join(PROVIDERS)}"),
    max_calls: int = typer.Option(
        DEFAULT_CALLS, "--max-calls", min=1, max=MAX_CALLS, help="most chat requests in this run"
    ),
    timeout: float = typer.Option(20.0, "--timeout", min=1, max=120, help="seconds per request"),
    deadline: float = typer.Option(120.0, "--deadline", min=1, max=900, help="seconds for the whole run"),
    dry_run: bool = typer.Option(False, "--dry-run", help="print what would be called; call and write nothing"),
    fmt: Format = _FORMAT,
    verbose: bool = _VERBOSE,
) -> None:
    """Send one small chat request per proposed id, with the benchmark's own key; record the outcome.

    Two successes at least 2 h apart make a proposal `verified_by: probe`; a definitive refusal
    (not found, no access, terms, dedicated endpoint, not serverless) leaves it out of the report
    and the health mail for 30 days. Spend is capped by PROBE_MAX_USD (registry prices).

    Examples:

      llm-discovery probe --dry-run

      llm-discovery probe -p groq -p together --max-calls 3 --format json
    """
    setup_logging(verbose)
    unknown = sorted(set(provider or ()) - set(PROVIDERS))
    if unknown:
        raise typer.BadParameter(f"unknown provider(s) {', '.join(unknown)}; choose from {', '.join(PROVIDERS)}")

    def action() -> None:
        from ..repository import opened
        from .jobs import require_fetched
        from .probe import ProbeConfig, run_probe

        settings = load_settings()
        config = ProbeConfig.from_settings(settings, max_calls=max_calls, timeout=timeout, deadline=deadline)
        with opened(settings, write=not dry_run) as store:
            require_fetched(store)
            result = run_probe(
                store,
                settings.mongodb_db,
                config,
                tuple(provider) if provider else PROVIDERS,
                _now(),
                dry_run=dry_run,
            )
        _emit(result, fmt, "probe_text")

    guarded(action)


@app.command(epilog=exit_statuses(STATS))
def stats(fmt: Format = _FORMAT, verbose: bool = _VERBOSE) -> None:
    """Catalog size, new/missing/removed models, the last fetch, matching and the benchmark's models.

    Examples:

      llm-discovery stats

      llm-discovery stats --format json
    """
    setup_logging(verbose)

    def action() -> None:
        from ..repository import opened
        from .stats import collect_stats

        settings = load_settings()
        with opened(settings, write=False) as store:
            result = collect_stats(store, _now())
        _emit(result, fmt, "stats_text")

    guarded(action)


def main() -> None:
    """Entry point of the `llm-discovery` console script."""
    app()


if __name__ == "__main__":
    main()
