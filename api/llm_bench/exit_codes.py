"""Named exit statuses shared by every command, so systemd, scripts and docs agree on one table."""

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes. A health status of CRITICAL is still OK here: the report went out."""

    OK = 0
    #: An unexpected error (a bug): the traceback is on stderr.
    INTERNAL_ERROR = 1
    #: Wrong command-line usage (typer/click's own code).
    USAGE = 2
    #: A required setting is missing or invalid (e.g. MONGODB_URI, NOTIFY_EMAIL).
    CONFIG_ERROR = 3
    #: MongoDB could not be reached or refused a command.
    DATABASE_UNAVAILABLE = 4
    #: msmtp is missing or failed; the whole report was printed to stdout instead.
    MAIL_FAILED = 5
    #: The OpenRouter catalog could not be fetched (network, HTTP error, timeout).
    UPSTREAM_UNAVAILABLE = 6
    #: The fetched catalog failed validation (garbage, empty, truncated); nothing was written.
    CATALOG_REFUSED = 7
    #: `report` found no complete catalog fetch to work from: run `llm-discovery fetch` first.
    CATALOG_MISSING = 8


_DOCS = {
    "OK": "finished; the report was sent (or printed, with --dry-run)",
    "INTERNAL_ERROR": "unexpected error (a bug); traceback on stderr",
    "USAGE": "invalid command-line usage",
    "CONFIG_ERROR": "missing or invalid configuration",
    "DATABASE_UNAVAILABLE": "MongoDB unreachable or refused a command",
    "MAIL_FAILED": "msmtp missing or failed; the report was printed to stdout",
    "UPSTREAM_UNAVAILABLE": "OpenRouter catalog could not be fetched",
    "CATALOG_REFUSED": "fetched catalog failed validation; stored catalog untouched",
    "CATALOG_MISSING": "no complete catalog fetch yet; run `llm-discovery fetch` first",
}


def describe() -> list[tuple[int, str, str]]:
    """(code, name, meaning) rows for help texts and the README table."""
    return [(int(status), status.name, _DOCS[status.name]) for status in ExitStatus]
