"""What both typer apps share at the edge: .env loading, logging to stderr, and turning
expected failures (`OpsError`) into a one-line message and a named exit status.

Kept free of pymongo and openai imports so `--help` stays instant.
"""

from __future__ import annotations

import logging
import stat
import sys
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TypeVar

import typer

from .config import Settings, http_url_problem
from .errors import ConfigError, OpsError
from .exit_codes import describe
from .untrusted import safe_text

T = TypeVar("T")

log = logging.getLogger("llm_bench")

#: -h as well as --help, for every app and command.
CONTEXT = {"help_option_names": ["-h", "--help"]}

#: --days bounds: one hour to a leap year.
MIN_DAYS, MAX_DAYS = 1 / 24, 366.0
#: One hour written with four decimals, cut rather than rounded (0.0416); from here up to
#: MIN_DAYS a --days value means one hour.
ONE_HOUR_WRITTEN = 0.0416


def exit_statuses(command: str) -> str:
    """The --help epilog of `command`: the exit statuses it can end with, and only those."""
    rows = "\n".join(f"{code} {name}: {meaning}" for code, name, meaning in describe(command))
    return f"Exit statuses:\n\n\b\n{rows}"


def program_version() -> str:
    """The installed package's version (the source tree's when run from a checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llm-bench-ops")
    except PackageNotFoundError:
        from . import __version__

        return __version__


def show_version(value: bool) -> None:
    """--version: print the program and its version, then exit 0."""
    if value:
        typer.echo(f"llm-bench-ops {program_version()}")
        raise typer.Exit()


#: --version, eager: it answers before any other option is checked.
VERSION_OPTION = typer.Option(
    False, "--version", callback=show_version, is_eager=True, help="Print the version and exit."
)


def check_days(days: float) -> float:
    """--days: a finite window from one hour to 366 days, else a usage error (exit 2).

    One hour may be written 0.0416 or 0.0417 (1/24 is 0.041666...): a value from 0.0416 up to
    one hour is one hour, so the window is never shorter than an hour."""
    if not ONE_HOUR_WRITTEN <= days <= MAX_DAYS:  # also refuses NaN
        raise typer.BadParameter(f"must be from {ONE_HOUR_WRITTEN} (one hour) to {MAX_DAYS:g} days, got {days}")
    return max(days, MIN_DAYS)


def check_url(url: str | None) -> str | None:
    """--url: an http or https URL with a host, else a usage error (exit 2) before any request."""
    if url is not None:
        problem = http_url_problem(url)
        if problem:
            raise typer.BadParameter(f"{problem}, got {safe_text(url, 80)!r}")
    return url


AS_OF_SKEW = 300  # seconds: --as-of may be at most this far ahead of the clock


def check_as_of(value: str | None) -> str | None:
    """--as-of: an ISO 8601 moment (UTC when no offset is given), not in the future, else a usage error."""
    if value is None:
        return None
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"must be an ISO 8601 time such as 2026-11-26T08:00, got {value[:40]!r}") from None
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    if moment > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=AS_OF_SKEW):
        raise typer.BadParameter(f"must not be in the future, got {moment.isoformat()}")
    return moment.isoformat()


class Format(str, Enum):
    """--format: text for people, json for scripts."""

    text = "text"
    json = "json"


def load_settings() -> Settings:
    """Read `.env` from the working directory or its parents (the real environment wins)."""
    import os

    from dotenv import find_dotenv

    try:
        os.getcwd()
    except OSError as exc:
        raise ConfigError(
            f"the working directory cannot be read ({exc.strerror or exc}; deleted?): "
            "start the command from an existing folder, where .env is looked for"
        ) from None
    path = find_dotenv(usecwd=True)
    if path:
        load_env_file(Path(path))
    return Settings.from_env()


def load_env_file(path: Path) -> None:
    """Load one `.env` into the environment, without overriding it; a file that cannot be read
    or parsed whole is a ConfigError naming the file (and line), never half-loaded."""
    import io

    from dotenv import load_dotenv
    from dotenv.parser import parse_stream

    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise ConfigError(f"{path} is not a regular file")
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}, line {line}: not UTF-8 text (byte {raw[exc.start]:#04x})") from None
    for binding in parse_stream(io.StringIO(text)):
        where = f"{path}, line {binding.original.line}"
        if binding.error:
            raise ConfigError(f"{where}: cannot parse it as NAME=value (check its quotes)")
        if "\x00" in binding.original.string:  # the environment cannot hold a NUL byte
            what = binding.key if binding.key and binding.key.isidentifier() else "the line"
            raise ConfigError(f"{where}: {what} contains a NUL byte, which no variable can hold")
    load_dotenv(stream=io.StringIO(text), override=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time of the record, not at set-up."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


#: Libraries whose own debug lines (request and command dumps) stay off even with --verbose.
NOISY_LOGGERS = ("httpx", "httpcore", "openai", "pymongo")


def setup_logging(verbose: bool) -> None:
    """Logs and progress go to stderr, timestamps in UTC; stdout carries only the report."""
    handler = _StderrHandler()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler], force=True)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def guarded(action: Callable[[], T]) -> T:
    """Run `action`; an OpsError becomes `error: <one line>` on stderr and its exit status."""
    try:
        return action()
    except OpsError as exc:
        typer.echo(f"error: {safe_text(str(exc), 600)}", err=True)
        raise typer.Exit(int(exc.status)) from None
